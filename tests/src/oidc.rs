//! A real OpenID provider (the npm package oidc-provider, `tests/oidc/provider.mjs`) on a
//! loopback port: any login signs in with any password; `chef` gets the role claim
//! `supervisor`, `boss` `admin`, others `adviser`.

use anyhow::Context;
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

/// The relay's client id and secret at the test provider.
pub const CLIENT_ID: &str = "tandem";
/// See [`CLIENT_ID`].
pub const CLIENT_SECRET: &str = "tandem-client-secret";

/// A running provider; stopped when dropped.
pub struct OidcProvider {
    /// Its port on 127.0.0.1.
    pub port: u16,
    _child: Child,
}

impl OidcProvider {
    /// Starts the provider on `port`, registering `redirect_uri` for the relay's client, and
    /// waits until it serves its discovery document.
    pub async fn start(port: u16, redirect_uri: &str) -> anyhow::Result<OidcProvider> {
        let script = crate::workspace_root().join("tests/oidc/provider.mjs");
        let child = Command::new("node")
            .arg(script)
            .arg(port.to_string())
            .arg(redirect_uri)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .context("starting the OpenID provider (node; run scripts/setup.sh)")?;
        let discovery = format!("http://127.0.0.1:{port}/.well-known/openid-configuration");
        for _ in 0..100 {
            if reqwest::get(&discovery)
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return Ok(OidcProvider {
                    port,
                    _child: child,
                });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        anyhow::bail!("the OpenID provider did not start on port {port}")
    }

    /// Its issuer URL.
    pub fn issuer(&self) -> String {
        issuer(self.port)
    }
}

/// The issuer URL of a provider on `port`.
pub fn issuer(port: u16) -> String {
    format!("http://127.0.0.1:{port}")
}
