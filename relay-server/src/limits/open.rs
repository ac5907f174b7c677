//! Counts what each address holds open at once (TCP connections, WebSockets), so that one
//! address cannot hold them all. Only addresses with something open are kept.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

/// Open connections per address.
#[derive(Debug, Default)]
pub struct OpenCounts {
    counts: Mutex<HashMap<IpAddr, u32>>,
}

/// One open connection of an address; counted until dropped.
#[derive(Debug)]
pub struct OpenGuard {
    counts: Arc<OpenCounts>,
    key: IpAddr,
}

impl OpenCounts {
    /// A new count, shared by its guards.
    pub fn new() -> Arc<OpenCounts> {
        Arc::new(OpenCounts::default())
    }

    /// Counts one more connection of `ip` unless it already holds `max`.
    pub fn try_open(self: &Arc<Self>, ip: IpAddr, max: u32) -> Option<OpenGuard> {
        let key = super::address::limit_key(ip);
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let count = counts.entry(key).or_insert(0);
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(OpenGuard {
            counts: self.clone(),
            key,
        })
    }

    /// How many connections `ip` holds open now.
    pub fn open(&self, ip: IpAddr) -> u32 {
        let counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        counts
            .get(&super::address::limit_key(ip))
            .copied()
            .unwrap_or(0)
    }

    /// How many addresses hold something open.
    pub fn addresses(&self) -> usize {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

impl Drop for OpenGuard {
    fn drop(&mut self) {
        let mut counts = self
            .counts
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = counts.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                counts.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_holds_at_most_its_share_and_gets_it_back_on_close() {
        let counts = OpenCounts::new();
        let ip: IpAddr = [198, 51, 100, 1].into();
        let guards: Vec<_> = (0..3).filter_map(|_| counts.try_open(ip, 3)).collect();
        assert_eq!(guards.len(), 3);
        assert!(counts.try_open(ip, 3).is_none(), "a fourth is refused");
        assert!(counts.try_open([198, 51, 100, 2].into(), 3).is_some());
        drop(guards);
        assert_eq!(counts.open(ip), 0);
        assert_eq!(counts.addresses(), 0, "closed addresses are forgotten");
        assert!(counts.try_open(ip, 3).is_some());
    }
}
