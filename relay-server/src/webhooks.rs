//! Delivers the outbox to the site's webhook: in order, signed with HMAC-SHA256 of the body,
//! with the event id as idempotency key, retried with exponential backoff and jitter until the
//! receiver answers 2xx — across restarts, since the outbox is in the database.

use crate::store::{OutboxItem, Store};
use crate::time::now_ms;
use hmac::{Hmac, Mac};
use rand::Rng;
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

    /// The delay before the next attempt after `attempts` failures, with ±20% jitter.
    pub fn backoff(&self, attempts: i64) -> Duration {
        let exponent = u32::try_from(attempts.clamp(0, 20)).unwrap_or(20);
        let base = self
            .retry_base
            .saturating_mul(2u32.saturating_pow(exponent))
            .min(self.retry_max);
        base.mul_f64(rand::thread_rng().gen_range(0.8..1.2))
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

async fn deliver(
    client: &reqwest::Client,
    config: &WebhookConfig,
    item: &OutboxItem,
) -> Result<(), String> {
    let response = client
        .post(&config.url)
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
            signature(&config.secret, item.payload.as_bytes()),
        )
        .body(item.payload.clone())
        .send()
        .await
        .map_err(|e| e.without_url().to_string())?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("the receiver answered HTTP {}", response.status()))
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
    tracing::info!("webhook delivery started");
    while !store.is_closed() {
        let wait = match deliver_due(&store, &client, &config).await {
            Ok(wait) => wait,
            Err(error) => {
                if store.is_closed() {
                    return;
                }
                tracing::warn!(%error, "could not read the webhook outbox");
                Some(Duration::from_secs(1))
            }
        };
        if wait == Some(Duration::ZERO) {
            continue;
        }
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(wait.unwrap_or(Duration::from_secs(30))) => {}
        }
    }
}

/// Delivers due events in order; stops at the first failure so order is kept. Returns how
/// long to wait: zero when more may be due, `None` when the outbox is empty.
async fn deliver_due(
    store: &Store,
    client: &reqwest::Client,
    config: &WebhookConfig,
) -> Result<Option<Duration>, crate::store::StoreError> {
    const BATCH: i64 = 50;
    let items = store.pending_outbox(BATCH).await?;
    let full = items.len() as i64 == BATCH;
    for item in items {
        let now = now_ms();
        if item.next_attempt_at > now {
            return Ok(Some(Duration::from_millis(
                u64::try_from(item.next_attempt_at - now).unwrap_or(0),
            )));
        }
        match deliver(client, config, &item).await {
            Ok(()) => store.outbox_delivered(item.id, now_ms()).await?,
            Err(reason) => {
                let delay = config.backoff(item.attempts);
                let next = now_ms() + i64::try_from(delay.as_millis()).unwrap_or(i64::MAX);
                tracing::warn!(event = %item.event_id, kind = %item.kind, attempts = item.attempts + 1,
                    retry_in_ms = delay.as_millis() as u64, %reason, "webhook delivery failed");
                store.outbox_failed(item.id, &reason, next).await?;
                return Ok(Some(delay));
            }
        }
    }
    Ok(full.then_some(Duration::ZERO))
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

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let config = WebhookConfig::new("http://x".into(), "s".into());
        let first = config.backoff(0).as_secs_f64();
        assert!((0.8..1.2).contains(&first));
        let fourth = config.backoff(3).as_secs_f64();
        assert!((6.4..9.6).contains(&fourth));
        assert!(config.backoff(30) <= Duration::from_secs(360));
    }
}
