//! The hub a node serves with now. One relay alone keeps the same hub for its whole life; a
//! node of a cluster swaps in a restored hub when it becomes the leader, and a standby one
//! when it stops leading.

use super::Hub;
use std::sync::{Arc, RwLock};

/// Holds the node's current hub; cheap to read from every request.
#[derive(Debug)]
pub struct HubSlot(RwLock<Arc<Hub>>);

impl HubSlot {
    /// A slot holding `hub`.
    pub fn new(hub: Arc<Hub>) -> HubSlot {
        HubSlot(RwLock::new(hub))
    }

    /// The hub to use now.
    pub fn current(&self) -> Arc<Hub> {
        self.0.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Puts `hub` in place and returns the one it replaces.
    pub fn replace(&self, hub: Arc<Hub>) -> Arc<Hub> {
        std::mem::replace(&mut *self.0.write().unwrap_or_else(|p| p.into_inner()), hub)
    }
}
