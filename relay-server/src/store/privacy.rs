//! Privacy: erasing a contact everywhere (right to be forgotten) and deleting old transcripts
//! (retention). The database runs with `secure_delete`, so erased rows are overwritten in the
//! file, and the write-ahead log is checkpointed after an erasure.

use super::{write_audit, Audit};
use super::{Backend, Context, Store, StoreError};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use tandem_shared::ContactId;

/// What an erasure removed.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Erasure {
    /// Sessions (with transcripts, notes, hand-overs, co-browsing, surveys) removed.
    pub sessions: i64,
    /// Tickets removed.
    pub tickets: i64,
    /// Webhook events not yet delivered or kept as delivered, removed.
    pub webhook_events: i64,
}

/// Tables keyed by conversation that hold a session's content.
const SESSION_TABLES: [&str; 5] = [
    "events",
    "notes",
    "handovers",
    "conversation_advisers",
    "files",
];

/// The name an erasure is logged under: not the contact's id, a hash of it.
fn contact_ref(id: &ContactId) -> String {
    Sha256::digest(id.as_str().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Store {
    /// Erases a contact and everything of theirs: sessions and their content, tickets, queued
    /// webhook events. Logs the erasure and queues a `contact.erased` event (the id only) so
    /// the systems fed by webhooks erase too. None when there is no such contact.
    pub async fn erase_contact(
        &self,
        id: &ContactId,
        by: &str,
        audit: &Audit<'_>,
        now_ms: i64,
    ) -> Result<Option<Erasure>, StoreError> {
        let mut tx = self.begin_write().await.context("starting an erasure")?;
        let found: Option<(String,)> = sqlx::query_as("SELECT id FROM contacts WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(&mut *tx)
            .await
            .context("finding the contact to erase")?;
        if found.is_none() {
            return Ok(None);
        }
        let sessions: Vec<(String,)> =
            sqlx::query_as("SELECT id FROM conversations WHERE contact_id = $1")
                .bind(id.as_str())
                .fetch_all(&mut *tx)
                .await
                .context("listing the contact's sessions")?;
        let tickets: Vec<(String,)> = sqlx::query_as(
            "SELECT id FROM tickets WHERE contact_id = $1
             OR conversation_id IN (SELECT id FROM conversations WHERE contact_id = $2)",
        )
        .bind(id.as_str())
        .bind(id.as_str())
        .fetch_all(&mut *tx)
        .await
        .context("listing the contact's tickets")?;
        let mut webhook_events = 0;
        let keys = std::iter::once(id.as_str().to_owned())
            .chain(sessions.iter().map(|(s,)| s.clone()))
            .chain(tickets.iter().map(|(t,)| t.clone()));
        for key in keys {
            webhook_events += sqlx::query(match self.backend {
                Backend::Sqlite => "DELETE FROM outbox WHERE instr(payload, $1) > 0",
                Backend::Postgres => "DELETE FROM outbox WHERE strpos(payload, $1) > 0",
            })
            .bind(format!("\"{key}\""))
            .execute(&mut *tx)
            .await
            .context("erasing the contact's webhook events")?
            .rows_affected();
        }
        for (session,) in &sessions {
            for table in SESSION_TABLES {
                sqlx::query(&format!("DELETE FROM {table} WHERE conversation_id = $1"))
                    .bind(session)
                    .execute(&mut *tx)
                    .await
                    .context("erasing a session's content")?;
            }
            for table in ["cobrowse_fields", "cobrowse_pages"] {
                sqlx::query(&format!(
                    "DELETE FROM {table} WHERE session_id IN
                     (SELECT id FROM cobrowse_sessions WHERE conversation_id = $1)"
                ))
                .bind(session)
                .execute(&mut *tx)
                .await
                .context("erasing a session's co-browsing")?;
            }
            sqlx::query("DELETE FROM cobrowse_sessions WHERE conversation_id = $1")
                .bind(session)
                .execute(&mut *tx)
                .await
                .context("erasing a session's co-browsing")?;
        }
        for (ticket,) in &tickets {
            sqlx::query("DELETE FROM tickets WHERE id = $1")
                .bind(ticket)
                .execute(&mut *tx)
                .await
                .context("erasing a ticket")?;
        }
        sqlx::query("DELETE FROM contact_notes WHERE contact_id = $1")
            .bind(id.as_str())
            .execute(&mut *tx)
            .await
            .context("erasing the contact's notes")?;
        sqlx::query("DELETE FROM conversations WHERE contact_id = $1")
            .bind(id.as_str())
            .execute(&mut *tx)
            .await
            .context("erasing the contact's sessions")?;
        sqlx::query("UPDATE contacts SET merge_candidate = NULL WHERE merge_candidate = $1")
            .bind(id.as_str())
            .execute(&mut *tx)
            .await
            .context("forgetting the contact as a merge candidate")?;
        sqlx::query("DELETE FROM contacts WHERE id = $1")
            .bind(id.as_str())
            .execute(&mut *tx)
            .await
            .context("erasing the contact")?;
        let erasure = Erasure {
            sessions: i64::try_from(sessions.len()).unwrap_or(i64::MAX),
            tickets: i64::try_from(tickets.len()).unwrap_or(i64::MAX),
            webhook_events: i64::try_from(webhook_events).unwrap_or(i64::MAX),
        };
        sqlx::query(
            "INSERT INTO erasures (contact_ref, erased_at, erased_by, sessions, tickets)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(contact_ref(id))
        .bind(now_ms)
        .bind(by)
        .bind(erasure.sessions)
        .bind(erasure.tickets)
        .execute(&mut *tx)
        .await
        .context("logging an erasure")?;
        self.enqueue(
            &mut tx,
            "contact.erased",
            json!({ "contact_id": id.as_str() }),
            now_ms,
        )
        .await?;
        write_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await.context("saving an erasure")?;
        self.wake_outbox();
        self.checkpoint().await?;
        Ok(Some(erasure))
    }

    /// Whether one of the contact's conversations is still open: waiting, in progress, or
    /// ended with an adviser who has not recorded the wrap-up yet. Erasing or merging such a
    /// contact waits until it is over (the command line and the API ask this same rule).
    pub async fn contact_has_open_conversation(&self, id: &ContactId) -> Result<bool, StoreError> {
        let open: (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM conversations c WHERE c.contact_id = $1
             AND (c.status IN ('queued', 'active')
                  OR (c.wrapped_up_at IS NULL
                      AND EXISTS (SELECT 1 FROM conversation_advisers a WHERE a.conversation_id = c.id)))",
        )
        .bind(id.as_str())
        .fetch_one(&self.pool)
        .await
        .context("looking for the contact's open chats")?;
        Ok(open.0 > 0)
    }

    /// Deletes the transcripts (messages, notes, co-browsed fields) of sessions that ended
    /// before `ended_before_ms`; the sessions' facts stay for reports. Returns how many.
    pub async fn purge_transcripts(
        &self,
        ended_before_ms: i64,
        now_ms: i64,
    ) -> Result<u64, StoreError> {
        let mut tx = self
            .begin_write()
            .await
            .context("starting a retention run")?;
        let old = "SELECT id FROM conversations
                   WHERE ended_at IS NOT NULL AND ended_at < $1 AND transcript_purged_at IS NULL";
        for table in ["events", "notes", "files"] {
            sqlx::query(&format!(
                "DELETE FROM {table} WHERE conversation_id IN ({old})"
            ))
            .bind(ended_before_ms)
            .execute(&mut *tx)
            .await
            .context("deleting old transcripts")?;
        }
        sqlx::query(&format!(
            "DELETE FROM cobrowse_fields WHERE session_id IN
             (SELECT id FROM cobrowse_sessions WHERE conversation_id IN ({old}))"
        ))
        .bind(ended_before_ms)
        .execute(&mut *tx)
        .await
        .context("deleting old co-browsed fields")?;
        let purged = sqlx::query(
            "UPDATE conversations SET transcript_purged_at = $1
             WHERE ended_at IS NOT NULL AND ended_at < $2 AND transcript_purged_at IS NULL",
        )
        .bind(now_ms)
        .bind(ended_before_ms)
        .execute(&mut *tx)
        .await
        .context("marking purged transcripts")?
        .rows_affected();
        tx.commit().await.context("saving a retention run")?;
        if purged > 0 {
            self.checkpoint().await?;
        }
        Ok(purged)
    }

    /// Erasures logged, newest first: when, by whom, how much (never whose data).
    pub async fn erasures(&self) -> Result<Vec<(String, i64, String, i64, i64)>, StoreError> {
        sqlx::query_as(
            "SELECT contact_ref, erased_at, erased_by, sessions, tickets FROM erasures ORDER BY id DESC",
        )
        .fetch_all(&self.pool)
        .await
        .context("reading the erasure log")
    }

    /// Moves the write-ahead log into the database file, so erased content leaves the log.
    /// PostgreSQL has no such log to empty: its erased rows go at the next vacuum.
    async fn checkpoint(&self) -> Result<(), StoreError> {
        if self.backend == Backend::Postgres {
            return Ok(());
        }
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await
            .context("checkpointing the database")?;
        Ok(())
    }
}
