//! Where the CRM record goes besides Tandem's own store: every destination is fed by the
//! durable outbox (no event lost while it is down, retried with backoff, in order) —
//! the site's webhook ([`crate::webhooks`]), HubSpot and Salesforce.

pub mod api;
pub mod auth;
pub mod dispatch;
pub mod hubspot;
mod person;
pub mod salesforce;
pub mod summary;

use crate::store::{OutboxRoute, Store};
use std::sync::Arc;
use tokio::sync::Notify;

/// Adds the configured CRM connectors to the outbox and starts their dispatchers.
pub fn start(
    mut store: Store,
    hubspot: Option<&hubspot::HubSpotConfig>,
    salesforce: Option<&salesforce::SalesforceConfig>,
) -> Store {
    if let Some(config) = hubspot {
        let wake = Arc::new(Notify::new());
        store = store.with_outbox_route(OutboxRoute {
            destination: "hubspot",
            kinds: hubspot::EVENTS,
            wake: wake.clone(),
        });
        match hubspot::HubSpot::new(config, store.clone()) {
            Ok(connector) => {
                tokio::spawn(dispatch::run(store.clone(), connector, config.retry, wake));
            }
            Err(error) => tracing::error!(%error, "HubSpot connector disabled: no HTTP client"),
        }
    }
    if let Some(config) = salesforce {
        let wake = Arc::new(Notify::new());
        store = store.with_outbox_route(OutboxRoute {
            destination: "salesforce",
            kinds: salesforce::EVENTS,
            wake: wake.clone(),
        });
        match salesforce::Salesforce::new(config.clone(), store.clone()) {
            Ok(connector) => {
                tokio::spawn(dispatch::run(store.clone(), connector, config.retry, wake));
            }
            Err(error) => {
                tracing::error!(%error, "Salesforce connector disabled: no HTTP client");
            }
        }
    }
    store
}
