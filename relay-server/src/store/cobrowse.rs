//! Co-browsing sessions in the CRM record: start and end, pages seen, fields the adviser
//! filled (names only).

use super::{write_audit, Audit};
use super::{Context, Store, StoreError};
use tandem_shared::cobrowse::{CobrowseField, CobrowsePage, CobrowseRecord};
use tandem_shared::{ConversationId, Role};

/// A co-browsing session still running (restored after a restart).
#[derive(Debug, sqlx::FromRow)]
pub struct OpenCobrowse {
    /// Its row.
    pub id: i64,
    /// Its conversation.
    pub conversation_id: String,
    /// The last page recorded.
    pub last_url: Option<String>,
}

impl Store {
    /// Records the start of a session; returns its id.
    pub async fn start_cobrowse(
        &self,
        id: &ConversationId,
        audit: &Audit<'_>,
        now_ms: i64,
    ) -> Result<i64, StoreError> {
        let mut tx = self
            .begin_write()
            .await
            .context("starting to record co-browsing")?;
        let row: (i64,) = sqlx::query_as(
            "INSERT INTO cobrowse_sessions (conversation_id, started_at) VALUES ($1, $2) RETURNING id",
        )
        .bind(id.as_str())
        .bind(now_ms)
        .fetch_one(&mut *tx)
        .await
        .context("recording the start of co-browsing")?;
        write_audit(&mut tx, audit, now_ms).await?;
        tx.commit()
            .await
            .context("recording the start of co-browsing")?;
        Ok(row.0)
    }

    /// Records the end of a session.
    pub async fn end_cobrowse(
        &self,
        session: i64,
        by: Role,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE cobrowse_sessions SET ended_at = $1, ended_by = $2 WHERE id = $3 AND ended_at IS NULL",
        )
        .bind(now_ms)
        .bind(by.as_str())
        .bind(session)
        .execute(&self.pool)
        .await
        .context("recording the end of co-browsing")?;
        Ok(())
    }

    /// Records a page seen during a session.
    pub async fn add_cobrowse_page(
        &self,
        session: i64,
        url: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO cobrowse_pages (session_id, url, at) VALUES ($1, $2, $3)")
            .bind(session)
            .bind(url)
            .bind(now_ms)
            .execute(&self.pool)
            .await
            .context("recording a co-browsed page")?;
        Ok(())
    }

    /// Records a field the adviser filled.
    pub async fn add_cobrowse_field(
        &self,
        session: i64,
        field: &str,
        audit: &Audit<'_>,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self
            .begin_write()
            .await
            .context("starting to record a field filled")?;
        sqlx::query("INSERT INTO cobrowse_fields (session_id, field, at) VALUES ($1, $2, $3)")
            .bind(session)
            .bind(field)
            .bind(now_ms)
            .execute(&mut *tx)
            .await
            .context("recording a field filled during co-browsing")?;
        write_audit(&mut tx, audit, now_ms).await?;
        tx.commit()
            .await
            .context("recording a field filled during co-browsing")?;
        Ok(())
    }

    /// Sessions not ended, with the last page each recorded.
    pub async fn open_cobrowse_sessions(&self) -> Result<Vec<OpenCobrowse>, StoreError> {
        sqlx::query_as(
            "SELECT s.id, s.conversation_id,
                    (SELECT p.url FROM cobrowse_pages p WHERE p.session_id = s.id ORDER BY p.id DESC LIMIT 1) AS last_url
             FROM cobrowse_sessions s WHERE s.ended_at IS NULL",
        )
        .fetch_all(&self.pool)
        .await
        .context("reading co-browsing sessions in progress")
    }

    /// A conversation's co-browsing sessions, oldest first.
    pub async fn cobrowse_records(
        &self,
        id: &ConversationId,
    ) -> Result<Vec<CobrowseRecord>, StoreError> {
        let sessions: Vec<(i64, i64, Option<i64>, Option<String>)> = sqlx::query_as(
            "SELECT id, started_at, ended_at, ended_by FROM cobrowse_sessions
             WHERE conversation_id = $1 ORDER BY id",
        )
        .bind(id.as_str())
        .fetch_all(&self.pool)
        .await
        .context("reading co-browsing sessions")?;
        let mut records = Vec::with_capacity(sessions.len());
        for (session, started_at_ms, ended_at_ms, ended_by) in sessions {
            let pages: Vec<(String, i64)> = sqlx::query_as(
                "SELECT url, at FROM cobrowse_pages WHERE session_id = $1 ORDER BY id",
            )
            .bind(session)
            .fetch_all(&self.pool)
            .await
            .context("reading co-browsed pages")?;
            let fields: Vec<(String, i64)> = sqlx::query_as(
                "SELECT field, at FROM cobrowse_fields WHERE session_id = $1 ORDER BY id",
            )
            .bind(session)
            .fetch_all(&self.pool)
            .await
            .context("reading fields filled during co-browsing")?;
            records.push(CobrowseRecord {
                started_at_ms,
                ended_at_ms,
                ended_by: ended_by.as_deref().map(role_from_str).transpose()?,
                pages: pages
                    .into_iter()
                    .map(|(url, at_ms)| CobrowsePage { url, at_ms })
                    .collect(),
                fields_filled: fields
                    .into_iter()
                    .map(|(field, at_ms)| CobrowseField { field, at_ms })
                    .collect(),
            });
        }
        Ok(records)
    }
}

fn role_from_str(value: &str) -> Result<Role, StoreError> {
    match value {
        "visitor" => Ok(Role::Visitor),
        "adviser" => Ok(Role::Adviser),
        "system" => Ok(Role::System),
        other => Err(StoreError::Corrupt(format!(
            "co-browsing ended by `{other}`"
        ))),
    }
}
