//! The outbox: CRM events written in the same transaction as the change they describe, so none
//! is lost when the relay stops, and read back in order by each destination's dispatcher (the
//! webhook, HubSpot, Salesforce). Each destination has its own rows, so one that is down holds
//! back only itself.

use super::{Context, Store, StoreError};
use serde::Serialize;
use serde_json::{json, Value};
use sqlx::AnyConnection;
use std::sync::Arc;
use tokio::sync::Notify;

/// One destination fed by the outbox: which events it takes and how to wake its dispatcher.
#[derive(Clone, Debug)]
pub struct OutboxRoute {
    /// `webhook`, `hubspot`, `salesforce`.
    pub destination: &'static str,
    /// The event kinds it takes; empty for every kind.
    pub kinds: &'static [&'static str],
    /// Notified when events for it were queued.
    pub wake: Arc<Notify>,
}

impl OutboxRoute {
    pub(super) fn takes(&self, kind: &str) -> bool {
        self.kinds.is_empty() || self.kinds.contains(&kind)
    }
}

/// One event waiting for (or past) delivery.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OutboxItem {
    /// Position in the outbox.
    pub id: i64,
    /// Where it goes: `webhook`, `hubspot`, `salesforce`.
    pub destination: String,
    /// The idempotency key the receiver sees.
    pub event_id: String,
    /// `session.started`, `message.created`, ...
    pub kind: String,
    /// The JSON body, exactly as sent.
    pub payload: String,
    /// Delivery attempts so far.
    pub attempts: i64,
    /// Next attempt (ms since the epoch).
    pub next_attempt_at: i64,
    /// When the receiver accepted it.
    pub delivered_at: Option<i64>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
}

/// Counts of the outbox, for the site owner: all destinations, or one.
#[derive(Debug, Serialize, sqlx::FromRow)]
pub struct OutboxSummary {
    /// The destination, or `all`.
    pub destination: String,
    /// Delivered events.
    pub delivered: i64,
    /// Events not delivered yet.
    pub pending: i64,
    /// Pending events whose last attempt failed.
    pub failing: i64,
}

/// Version of the webhook payload; see `docs/webhooks.md`.
pub const WEBHOOK_VERSION: u32 = 1;

impl Store {
    /// Writes an event into the outbox on `conn` (inside the caller's transaction), once for
    /// each destination that takes it.
    pub(crate) async fn enqueue(
        &self,
        conn: &mut AnyConnection,
        kind: &str,
        data: Value,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let created_at = chrono::DateTime::from_timestamp_millis(now_ms)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
            .unwrap_or_default();
        for route in self.outbox.iter().filter(|route| route.takes(kind)) {
            // Each destination's copy has its own id: the idempotency key its receiver sees.
            // UUIDv7 (time first), so that the outbox's unique index on it grows at its end
            // rather than taking a random page per event (like client message ids:
            // `tandem_shared::ids::time_ordered_message_id`).
            let event_id = uuid::Uuid::now_v7().to_string();
            let payload = json!({ "id": event_id, "type": kind, "version": WEBHOOK_VERSION, "created_at": created_at, "data": data });
            sqlx::query("INSERT INTO outbox (event_id, destination, kind, payload, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(&event_id)
                .bind(route.destination)
                .bind(kind)
                .bind(payload.to_string())
                .bind(now_ms)
                .bind(now_ms)
                .execute(&mut *conn)
                .await
                .context("queueing an outbox event")?;
        }
        Ok(())
    }

    /// Wakes the dispatchers after a transaction that queued events has committed.
    pub(crate) fn wake_outbox(&self) {
        for route in self.outbox.iter() {
            route.wake.notify_one();
        }
    }

    /// The oldest undelivered events of `destination` (every destination when none), in order.
    pub async fn pending_outbox(
        &self,
        destination: Option<&str>,
        limit: i64,
    ) -> Result<Vec<OutboxItem>, StoreError> {
        sqlx::query_as(
            "SELECT id, destination, event_id, kind, payload, attempts, next_attempt_at, delivered_at, last_error
             FROM outbox WHERE delivered_at IS NULL AND ($1 IS NULL OR destination = $1) ORDER BY id LIMIT $2",
        )
        .bind(destination)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .context("reading the outbox")
    }

    /// Records a successful delivery.
    pub async fn outbox_delivered(&self, id: i64, now_ms: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE outbox SET delivered_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2")
            .bind(now_ms)
            .bind(id)
            .execute(&self.pool)
            .await
            .context("recording a webhook delivery")?;
        Ok(())
    }

    /// Records a failed attempt and when to try again.
    pub async fn outbox_failed(
        &self,
        id: i64,
        error: &str,
        next_attempt_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2 WHERE id = $3")
            .bind(error)
            .bind(next_attempt_at)
            .bind(id)
            .execute(&self.pool)
            .await
            .context("recording a failed webhook delivery")?;
        Ok(())
    }

    /// Delivered, pending and failing counts: first of all destinations together, then of
    /// each destination that has events.
    pub async fn outbox_summary(&self) -> Result<Vec<OutboxSummary>, StoreError> {
        sqlx::query_as(
            "SELECT 'all' AS destination, COUNT(delivered_at) AS delivered, COUNT(*) - COUNT(delivered_at) AS pending,
                    COALESCE(SUM(CASE WHEN delivered_at IS NULL AND last_error IS NOT NULL THEN 1 ELSE 0 END), 0) AS failing
             FROM outbox
             UNION ALL
             SELECT * FROM (SELECT destination, COUNT(delivered_at), COUNT(*) - COUNT(delivered_at),
                    COALESCE(SUM(CASE WHEN delivered_at IS NULL AND last_error IS NOT NULL THEN 1 ELSE 0 END), 0)
             FROM outbox GROUP BY destination ORDER BY destination) AS per_destination",
        )
        .fetch_all(&self.pool)
        .await
        .context("counting the outbox")
    }
}
