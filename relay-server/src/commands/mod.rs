//! The binary's commands, one file per command group; `main.rs` parses the command line and
//! calls the one asked for.

pub mod adviser;
pub mod article;
pub mod contact;
pub mod queue;
pub mod serve;
pub mod site;
pub mod store;
pub mod token;
pub mod webhooks;

use anyhow::Context;
use tandem_relay::store::{Store, StoreLocation};

/// Opens the CRM store named on the command line, saying which on failure.
pub(crate) async fn open_store(store: &StoreLocation) -> anyhow::Result<Store> {
    Store::connect(store)
        .await
        .with_context(|| format!("opening the CRM store ({store})"))
}
