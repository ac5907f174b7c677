//! What a conversation keeps of the visitor's side beyond its events: the visit's context,
//! how far each side has read, and the transcript emailed once.

use super::{Context, Store, StoreError};
use tandem_shared::visit::VisitContext;
use tandem_shared::{ConversationId, Role};

/// Where a conversation's transcript can be emailed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TranscriptAddress {
    /// The address typed in the pre-chat form, if any.
    pub visitor_email: Option<String>,
    /// When the transcript was already emailed.
    pub transcript_emailed_at: Option<i64>,
}

impl Store {
    /// Replaces the visit's context of a conversation.
    pub async fn save_visit(
        &self,
        id: &ConversationId,
        visit: &VisitContext,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_string(visit)
            .map_err(|e| StoreError::Corrupt(format!("visit context: {e}")))?;
        sqlx::query("UPDATE conversations SET visit = $1 WHERE id = $2")
            .bind(json)
            .bind(id.as_str())
            .execute(&self.pool)
            .await
            .context("saving the visitor's context")?;
        Ok(())
    }

    /// The visit's context of a conversation, once the widget sent it.
    pub async fn visit(&self, id: &ConversationId) -> Result<Option<VisitContext>, StoreError> {
        let row: Option<(Option<String>,)> =
            sqlx::query_as("SELECT visit FROM conversations WHERE id = $1")
                .bind(id.as_str())
                .fetch_optional(&self.pool)
                .await
                .context("reading the visitor's context")?;
        row.and_then(|(json,)| json)
            .map(|json| {
                serde_json::from_str(&json)
                    .map_err(|e| StoreError::Corrupt(format!("visit context: {e}")))
            })
            .transpose()
    }

    /// Records that `role`'s screen showed the conversation up to `seq` (never lowers it).
    pub async fn save_seen(
        &self,
        id: &ConversationId,
        role: Role,
        seq: u64,
    ) -> Result<(), StoreError> {
        let column = match role {
            Role::Visitor => "visitor_seen_seq",
            _ => "adviser_seen_seq",
        };
        let seq = i64::try_from(seq).unwrap_or(i64::MAX);
        sqlx::query(&format!(
            "UPDATE conversations SET {column} = $1 WHERE id = $2 AND {column} < $1"
        ))
        .bind(seq)
        .bind(id.as_str())
        .execute(&self.pool)
        .await
        .context("saving a read receipt")?;
        Ok(())
    }

    /// Where the transcript of a conversation can go, and whether it went already.
    pub async fn transcript_address(
        &self,
        id: &ConversationId,
    ) -> Result<Option<TranscriptAddress>, StoreError> {
        sqlx::query_as(
            "SELECT visitor_email, transcript_emailed_at FROM conversations WHERE id = $1",
        )
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await
        .context("reading where the transcript goes")
    }

    /// Claims the one transcript email of a conversation: false when it was claimed already.
    pub async fn claim_transcript_email(
        &self,
        id: &ConversationId,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE conversations SET transcript_emailed_at = $1 WHERE id = $2 AND transcript_emailed_at IS NULL",
        )
        .bind(now_ms)
        .bind(id.as_str())
        .execute(&self.pool)
        .await
        .context("claiming the transcript email")?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives the transcript email back after it failed, so the visitor can try again.
    pub async fn release_transcript_email(&self, id: &ConversationId) -> Result<(), StoreError> {
        sqlx::query("UPDATE conversations SET transcript_emailed_at = NULL WHERE id = $1")
            .bind(id.as_str())
            .execute(&self.pool)
            .await
            .context("releasing the transcript email")?;
        Ok(())
    }
}
