//! Test harness for Tandem: a real relay on an ephemeral loopback port with a fresh SQLite
//! file, typed WebSocket clients for visitors and advisers, and headless Chromium sessions.
//!
//! - [`relay`]: [`TestRelay`], started in-process, stopped on drop.
//! - [`clients`]: [`WsClient`] with visitor and adviser helpers.
//! - [`browser`]: chromedriver + Chromium, driven with fantoccini.
//! - [`devtools`]: DevTools commands for those sessions (blocked URLs, network emulation).
//! - [`demo`]: the demo site on its own origin.
//! - [`process`]: the real relay binary, for kill -9 and SIGTERM tests.
//! - [`scene`]: the usual browser-test stage (relay, logged-in console, demo site, visitor).
//! - [`crafted`]: co-browsing frames written by hand, sent by a bare visitor socket.
//! - [`contract`]: local HubSpot and Salesforce API servers for the CRM connectors.
//! - [`postgres`]: a throw-away PostgreSQL cluster (`initdb` in a temp dir).
//! - [`nats`]: a real `nats-server`, for several relay nodes.
//! - [`nodes`]: three relay nodes joined by NATS on one PostgreSQL database.
//! - [`load`]: the load harness (issue 9), used by the `load` bench and a small-scale test.

pub mod browser;
pub mod clients;
pub mod contract;
pub mod crafted;
pub mod demo;
pub mod devtools;
pub mod load;
pub mod nats;
pub mod nodes;
pub mod oidc;
pub mod postgres;
pub mod process;
pub mod recorder;
pub mod relay;
pub mod scene;
pub mod smtp;

pub use clients::{AdviserClient, VisitorClient, WsClient};
pub use relay::{Endpoint, TestRelay};

/// The workspace's root folder.
pub fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// How long [`eventually`] retries.
pub const EVENTUALLY_WITHIN: std::time::Duration = std::time::Duration::from_secs(10);

/// Retries `check` every 50 ms until it succeeds, for at most [`EVENTUALLY_WITHIN`]; fails
/// with `what` and the last error. For conditions that become true a little later (a socket
/// closed, a count updated), instead of a fixed sleep.
pub async fn eventually<T, F, Fut>(what: &str, check: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    eventually_within(what, EVENTUALLY_WITHIN, check).await
}

/// [`eventually`], for at most `within` (retries with backoff that take longer).
pub async fn eventually_within<T, F, Fut>(
    what: &str,
    within: std::time::Duration,
    mut check: F,
) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match check().await {
            Ok(value) => return Ok(value),
            Err(error) if tokio::time::Instant::now() >= deadline => {
                return Err(error.context(format!("{what}: not within {within:?}")))
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
        }
    }
}
