//! Delivers the outbox to the site's webhook: in order, signed with HMAC-SHA256 of the body,
//! with the event id as idempotency key, retried with exponential backoff and jitter until the
//! receiver answers 2xx — across restarts, since the outbox is in the database.

use crate::connectors::dispatch::{self, DeliveryError, Destination, RetryPolicy};
use crate::store::{OutboxItem, Store};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Where and how to deliver.
#[derive(Clone)]
pub struct WebhookConfig {
    /// The receiver's URL.
    pub url: String,
    /// The shared secret of the signature.
    pub secret: String,
    /// First retry delay; doubles at each failure.
    pub retry_base: Duration,
    /// Longest retry delay.
    pub retry_max: Duration,
    /// How long one delivery may take.
    pub timeout: Duration,
}

impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Neither the secret nor the URL (which may carry a token) goes to logs.
        f.debug_struct("WebhookConfig")
            .field("retry_base", &self.retry_base)
            .finish_non_exhaustive()
    }
}

impl WebhookConfig {
    /// A configuration with the default retry policy (1 s doubling to 5 min, 10 s timeout).
    pub fn new(url: String, secret: String) -> Self {
        WebhookConfig {
            url,
            secret,
            retry_base: Duration::from_secs(1),
            retry_max: Duration::from_secs(300),
            timeout: Duration::from_secs(10),
        }
    }

    /// Its retry policy.
    pub fn retry(&self) -> RetryPolicy {
        RetryPolicy {
            base: self.retry_base,
            max: self.retry_max,
        }
    }
}

/// The `X-Tandem-Signature` header value of a body: `sha256=<hex HMAC-SHA256(secret, body)>`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

/// The site's webhook as an outbox destination.
struct Webhook {
    client: reqwest::Client,
    config: WebhookConfig,
}

impl Destination for Webhook {
    fn name(&self) -> &'static str {
        "webhook"
    }

    async fn deliver(&self, item: &OutboxItem) -> Result<(), DeliveryError> {
        let response = self
            .client
            .post(&self.config.url)
            .header("content-type", "application/json")
            .header(
                "user-agent",
                concat!("Tandem-Webhooks/", env!("CARGO_PKG_VERSION")),
            )
            .header("x-tandem-event", &item.kind)
            .header("x-tandem-delivery", &item.event_id)
            .header("idempotency-key", &item.event_id)
            .header(
                "x-tandem-signature",
                signature(&self.config.secret, item.payload.as_bytes()),
            )
            .body(item.payload.clone())
            .send()
            .await
            .map_err(|e| DeliveryError::Failed(e.without_url().to_string()))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(DeliveryError::Failed(format!(
                "the receiver answered HTTP {}",
                response.status()
            )))
        }
    }
}

/// Runs until the store is closed: delivers what is due, then waits for new events or the
/// next retry.
pub async fn run(store: Store, config: WebhookConfig, wake: Arc<Notify>) {
    let client = match reqwest::Client::builder().timeout(config.timeout).build() {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "webhooks disabled: no HTTP client");
            return;
        }
    };
    let retry = config.retry();
    dispatch::run(store, Webhook { client, config }, retry, wake).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_hmac_of_the_body() {
        // Reference value from `printf '{"a":1}' | openssl dgst -sha256 -hmac secret`.
        assert_eq!(
            signature("secret", br#"{"a":1}"#),
            "sha256=aa9e2e3575f5d7098b6caccd790888c36d5fdb63342a73bada2d6a51747a8494"
        );
    }
}
