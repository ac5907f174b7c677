//! The Tandem relay.
//!
//! Layout:
//! - [`cli`]: the command line.
//! - [`config`]: settings and per-connection limits.
//! - [`app`]: the application's context ([`app::AppState`]) and start-up (store, hub, tasks).
//! - [`server`]: serving the routes on a bound listener, and the drain.
//! - [`http`]: routes: loader and assets, console page, CRM API, login, health.
//! - [`session`]: what visitors' and advisers' frames do (hub calls), transport-free.
//! - [`ws`]: WebSocket connections: framing, limits, the outbox.
//! - [`limits`]: rate limits keyed by IP address or login.
//! - [`sites`]: the websites served: key, allowed origins, queues, look.
//! - [`hub`]: live conversations, the queue, adviser presence and pairing.
//! - [`store`]: the CRM in SQLite or PostgreSQL.
//! - [`cluster`]: several nodes joined by NATS (one leads and runs the hub).
//! - [`auth`]: passwords, tokens, signed visitor tokens.
//! - [`faq`]: the knowledge base's search index (tantivy), suggested to visitors.
//! - [`hours`]: business hours of queues and callback slots.
//! - [`metrics`]: Prometheus counters and the dashboard's report.
//! - [`mail`]: emailing ticket answers over SMTP.
//! - [`webhooks`]: delivery of the CRM outbox to the site's webhook.
//! - [`connectors`]: the outbox's dispatcher, and the HubSpot and Salesforce connectors.
//! - [`time`]: the clock.

pub mod app;
pub mod auth;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod connectors;
pub mod faq;
pub mod hours;
pub mod http;
pub mod hub;
pub mod limits;
pub mod mail;
pub mod metrics;
pub mod server;
pub mod session;
pub mod sites;
pub mod store;
pub mod time;
pub mod webhooks;
pub mod ws;
