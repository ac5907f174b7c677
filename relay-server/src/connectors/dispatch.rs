//! The dispatcher every outbox destination shares: delivers its events in order, retries a
//! failure with exponential backoff and jitter (or after the delay the destination asked for),
//! and records each attempt in the store, so retries go on across restarts.

use crate::store::{OutboxItem, Store, StoreError};
use crate::time::now_ms;
use rand::Rng;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Why one delivery did not go through; the event stays in the outbox either way.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// The destination asked to wait (HTTP 429 with `Retry-After`).
    #[error("rate limited: retry after {} s", .0.as_secs_f64())]
    RateLimited(Duration),
    /// Anything else (refused connection, timeout, 5xx, a request the destination refused);
    /// retried with backoff.
    #[error("{0}")]
    Failed(String),
}

/// A place the outbox delivers to.
pub trait Destination: Send + Sync + 'static {
    /// Its name in the outbox (`webhook`, `hubspot`, `salesforce`).
    fn name(&self) -> &'static str;

    /// Delivers one event. Must be safe to repeat: an event whose answer was lost is sent again.
    fn deliver(&self, item: &OutboxItem) -> impl Future<Output = Result<(), DeliveryError>> + Send;
}

/// How long to wait between attempts.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    /// First retry delay; doubles at each failure.
    pub base: Duration,
    /// Longest retry delay.
    pub max: Duration,
}

impl Default for RetryPolicy {
    /// 1 s doubling to 5 min.
    fn default() -> Self {
        RetryPolicy {
            base: Duration::from_secs(1),
            max: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    /// The delay before the next attempt after `attempts` failures, with ±20% jitter.
    pub fn backoff(&self, attempts: i64) -> Duration {
        let exponent = u32::try_from(attempts.clamp(0, 20)).unwrap_or(20);
        let base = self
            .base
            .saturating_mul(2u32.saturating_pow(exponent))
            .min(self.max);
        base.mul_f64(rand::thread_rng().gen_range(0.8..1.2))
    }

    /// The delay after a failure: the destination's own when it gave one (never more than
    /// the longest delay), else the backoff.
    pub fn delay_after(&self, error: &DeliveryError, attempts: i64) -> Duration {
        match error {
            DeliveryError::RateLimited(wait) => (*wait).min(self.max),
            DeliveryError::Failed(_) => self.backoff(attempts),
        }
    }
}

/// Runs until the store is closed: delivers what is due to `destination`, then waits for new
/// events or the next retry.
pub async fn run<D: Destination>(
    store: Store,
    destination: D,
    retry: RetryPolicy,
    wake: Arc<Notify>,
) {
    tracing::info!(destination = destination.name(), "outbox delivery started");
    while !store.is_closed() {
        store.wait_until_leading().await;
        let wait = match deliver_due(&store, &destination, &retry).await {
            Ok(wait) => wait,
            Err(error) => {
                if store.is_closed() {
                    return;
                }
                tracing::warn!(%error, destination = destination.name(), "could not read the outbox");
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
/// long to wait: zero when more may be due, `None` when nothing is pending.
async fn deliver_due<D: Destination>(
    store: &Store,
    destination: &D,
    retry: &RetryPolicy,
) -> Result<Option<Duration>, StoreError> {
    const BATCH: i64 = 50;
    let items = store
        .pending_outbox(Some(destination.name()), BATCH)
        .await?;
    let full = items.len() as i64 == BATCH;
    for item in items {
        let now = now_ms();
        if item.next_attempt_at > now {
            return Ok(Some(Duration::from_millis(
                u64::try_from(item.next_attempt_at - now).unwrap_or(0),
            )));
        }
        match destination.deliver(&item).await {
            Ok(()) => store.outbox_delivered(item.id, now_ms()).await?,
            Err(error) => {
                let delay = retry.delay_after(&error, item.attempts);
                let next = now_ms() + i64::try_from(delay.as_millis()).unwrap_or(i64::MAX);
                tracing::warn!(destination = destination.name(), event = %item.event_id, kind = %item.kind,
                    attempts = item.attempts + 1, retry_in_ms = delay.as_millis() as u64, %error,
                    "outbox delivery failed");
                store
                    .outbox_failed(item.id, &error.to_string(), next)
                    .await?;
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
    fn backoff_doubles_up_to_the_cap() {
        let retry = RetryPolicy::default();
        let first = retry.backoff(0).as_secs_f64();
        assert!((0.8..1.2).contains(&first));
        let fourth = retry.backoff(3).as_secs_f64();
        assert!((6.4..9.6).contains(&fourth));
        assert!(retry.backoff(30) <= Duration::from_secs(360));
    }

    #[test]
    fn a_rate_limit_waits_as_asked_but_never_past_the_cap() {
        let retry = RetryPolicy::default();
        let asked = DeliveryError::RateLimited(Duration::from_secs(7));
        assert_eq!(retry.delay_after(&asked, 9), Duration::from_secs(7));
        let too_long = DeliveryError::RateLimited(Duration::from_secs(86_400));
        assert_eq!(retry.delay_after(&too_long, 0), Duration::from_secs(300));
    }
}
