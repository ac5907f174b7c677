//! Queues by topic: names, business hours, time zone and the wait threshold.

use super::{write_audit, Audit};
use super::{Context, Store, StoreError};
use serde::{Deserialize, Serialize};

/// A queue as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct QueueRow {
    /// Stable key.
    pub key: String,
    /// Name in English.
    pub name_en: String,
    /// Name in French.
    pub name_fr: String,
    /// OpenStreetMap `opening_hours` expression; none means always open.
    pub hours: Option<String>,
    /// IANA time zone of the hours (`Europe/Paris`).
    pub timezone: String,
    /// Above this wait estimate, visitors are offered a message or a callback.
    pub max_wait_secs: Option<i64>,
    /// Hours within which messages are answered (the acknowledgement's promise).
    pub reply_within_hours: i64,
    /// Order in the widget's list.
    pub position: i64,
}

impl Store {
    /// Every queue, in the widget's order.
    pub async fn queues(&self) -> Result<Vec<QueueRow>, StoreError> {
        sqlx::query_as(
            "SELECT key, name_en, name_fr, hours, timezone, max_wait_secs, reply_within_hours, position
             FROM queues ORDER BY position, key",
        )
        .fetch_all(&self.pool)
        .await
        .context("listing queues")
    }

    /// Creates or replaces a queue (already validated), with its audit entry.
    pub async fn upsert_queue(
        &self,
        queue: &QueueRow,
        audit: &Audit<'_>,
    ) -> Result<(), StoreError> {
        let mut tx = self
            .begin_write()
            .await
            .context("starting to save a queue")?;
        sqlx::query(
            "INSERT INTO queues (key, name_en, name_fr, hours, timezone, max_wait_secs, reply_within_hours, position)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (key) DO UPDATE SET name_en = excluded.name_en, name_fr = excluded.name_fr,
                 hours = excluded.hours, timezone = excluded.timezone, max_wait_secs = excluded.max_wait_secs,
                 reply_within_hours = excluded.reply_within_hours, position = excluded.position",
        )
        .bind(&queue.key)
        .bind(&queue.name_en)
        .bind(&queue.name_fr)
        .bind(&queue.hours)
        .bind(&queue.timezone)
        .bind(queue.max_wait_secs)
        .bind(queue.reply_within_hours)
        .bind(queue.position)
        .execute(&mut *tx)
        .await
        .context("saving a queue")?;
        write_audit(&mut tx, audit, crate::time::now_ms()).await?;
        tx.commit().await.context("saving a queue")?;
        Ok(())
    }
}
