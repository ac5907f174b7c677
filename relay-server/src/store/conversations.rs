//! Conversations (the CRM's "sessions"): request, assignment, end and wrap-up.

use super::{Backend, ContactLink, Context, Store, StoreError};
use serde_json::json;
use tandem_shared::desk::DEFAULT_QUEUE;
use tandem_shared::model::{
    Channel, ChatRequest, ConversationStatus, PastSession, Resolution, WrapUp,
};
use tandem_shared::site::DEFAULT_SITE;
use tandem_shared::{AdviserId, ContactId, ConversationId, Role};

/// A conversation the relay must keep track of: waiting, in progress, or ended without a
/// wrap-up yet.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenConversation {
    /// Conversation id.
    pub id: String,
    /// The contact.
    pub contact_id: String,
    /// The visitor's name from the pre-chat form.
    pub visitor_name: String,
    /// The company the visitor typed, else the contact's.
    pub company: Option<String>,
    /// The reason given.
    pub reason: String,
    /// The page the visitor asked from.
    pub page_url: Option<String>,
    /// `queued`, `active` or `ended`.
    pub status: String,
    /// When the request was made (ms since the epoch).
    pub requested_at: i64,
    /// The adviser who holds it, once assigned.
    pub adviser_id: Option<String>,
    /// That adviser's display name.
    pub adviser_name: Option<String>,
    /// The topic's queue.
    pub queue: String,
    /// The service level needed.
    pub level: i64,
    /// The visitor's language.
    pub locale: Option<String>,
    /// When an adviser first answered.
    pub first_response_at: Option<i64>,
    /// The site the visitor wrote from.
    pub site: String,
    /// When it ended (ms since the epoch).
    pub ended_at: Option<i64>,
    /// How the visitor was matched to the contact (`verified`, `new`, `typed`).
    pub contact_match: String,
    /// The highest event number the visitor's screen showed.
    pub visitor_seen_seq: i64,
    /// The highest event number an adviser's screen showed.
    pub adviser_seen_seq: i64,
    /// `chat`, or `phone` for a visitor who read out a share code.
    pub channel: String,
}

impl OpenConversation {
    /// The status as a typed value.
    pub fn status(&self) -> Result<ConversationStatus, StoreError> {
        ConversationStatus::parse(&self.status)
            .ok_or_else(|| StoreError::Corrupt(format!("status {}", self.status)))
    }
}

const OPEN_COLUMNS: &str =
    "c.id, c.contact_id, c.visitor_name, COALESCE(c.visitor_company, p.company) AS company,
    c.reason, c.page_url, c.status,
    c.requested_at,
    (SELECT adviser_id FROM conversation_advisers a WHERE a.conversation_id = c.id
     ORDER BY joined_at DESC LIMIT 1) AS adviser_id,
    (SELECT d.display_name FROM conversation_advisers a JOIN advisers d ON d.id = a.adviser_id
     WHERE a.conversation_id = c.id ORDER BY a.joined_at DESC LIMIT 1) AS adviser_name,
    c.queue, c.level, c.locale, c.first_response_at, c.site, c.ended_at, c.contact_match,
    c.visitor_seen_seq, c.adviser_seen_seq, c.channel
    FROM conversations c JOIN contacts p ON p.id = c.contact_id";

impl Store {
    /// Records a new request made through `channel`; `request` must be validated.
    pub async fn create_conversation(
        &self,
        id: &ConversationId,
        contact: &ContactLink,
        request: &ChatRequest,
        channel: Channel,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self
            .begin_write()
            .await
            .context("starting a chat request")?;
        sqlx::query(
            "INSERT INTO conversations (id, contact_id, channel, visitor_name, reason, page_url, locale, status, requested_at, queue, site, contact_match, visitor_company, visitor_email)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', $8, $9, $10, $11, $12, $13)",
        )
        .bind(id.as_str())
        .bind(contact.id.as_str())
        .bind(channel.as_str())
        .bind(&request.name)
        .bind(&request.reason)
        .bind(&request.page_url)
        .bind(&request.locale)
        .bind(now_ms)
        .bind(request.queue.as_deref().unwrap_or(DEFAULT_QUEUE))
        .bind(request.site.as_deref().unwrap_or(DEFAULT_SITE))
        .bind(contact.matched.as_str())
        .bind(&request.company)
        .bind(&request.email)
        .execute(&mut *tx)
        .await
        .context("recording a chat request")?;
        let data = json!({
            "session_id": id,
            "channel": channel.as_str(),
            "queue": request.queue.as_deref().unwrap_or(DEFAULT_QUEUE),
            "site": request.site.as_deref().unwrap_or(DEFAULT_SITE),
            "reason": request.reason,
            "page_url": request.page_url,
            "locale": request.locale,
            "contact": { "id": contact.id, "match": contact.matched.as_str(), "name": request.name, "email": request.email,
                         "phone": request.phone, "company": request.company },
        });
        self.enqueue(&mut tx, "session.started", data, now_ms)
            .await?;
        tx.commit().await.context("saving a chat request")?;
        self.wake_outbox();
        Ok(())
    }

    /// Gives a waiting conversation to an adviser. False when it was not waiting any more
    /// (taken by someone else, or ended), so no visitor is ever assigned twice.
    pub async fn assign(
        &self,
        id: &ConversationId,
        adviser: &AdviserId,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await.context("starting an assignment")?;
        let taken = sqlx::query("UPDATE conversations SET status = 'active', accepted_at = COALESCE(accepted_at, $1) WHERE id = $2 AND status = 'queued'")
            .bind(now_ms)
            .bind(id.as_str())
            .execute(&mut *tx)
            .await
            .context("assigning a conversation")?
            .rows_affected()
            == 1;
        if taken {
            sqlx::query(
                "INSERT INTO conversation_advisers (conversation_id, adviser_id, joined_at) VALUES ($1, $2, $3)
                 ON CONFLICT (conversation_id, adviser_id) DO UPDATE SET joined_at = excluded.joined_at",
            )
            .bind(id.as_str())
            .bind(adviser.as_str())
            .bind(now_ms)
            .execute(&mut *tx)
            .await
            .context("recording the adviser of a conversation")?;
        }
        tx.commit().await.context("saving an assignment")?;
        Ok(taken)
    }

    /// Ends a conversation. False when it had already ended.
    pub async fn end_conversation(
        &self,
        id: &ConversationId,
        by: Role,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let by = by.as_str();
        let mut tx = self
            .begin_write()
            .await
            .context("starting to end a conversation")?;
        let done = sqlx::query("UPDATE conversations SET status = 'ended', ended_at = $1, ended_by = $2 WHERE id = $3 AND status != 'ended'")
            .bind(now_ms)
            .bind(by)
            .bind(id.as_str())
            .execute(&mut *tx)
            .await
            .context("ending a conversation")?
            .rows_affected()
            == 1;
        if done {
            let data = json!({ "session_id": id, "ended_by": by });
            self.enqueue(&mut tx, "session.ended", data, now_ms).await?;
        }
        tx.commit()
            .await
            .context("saving the end of a conversation")?;
        self.wake_outbox();
        Ok(done)
    }

    /// Stores the wrap-up of a conversation; `wrap_up` must be validated.
    pub async fn save_wrap_up(
        &self,
        id: &ConversationId,
        adviser: &AdviserId,
        wrap_up: &WrapUp,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await.context("starting a wrap-up")?;
        sqlx::query(
            "UPDATE conversations SET resolution = $1, answer = $2, agreed_solution = $3, actions_taken = $4,
                follow_up_date = $5, compensation = $6, prevention = $7, wrapped_up_at = $8, wrapped_up_by = $9
             WHERE id = $10",
        )
        .bind(wrap_up.resolution.as_str())
        .bind(&wrap_up.answer)
        .bind(&wrap_up.agreed_solution)
        .bind(&wrap_up.actions_taken)
        .bind(&wrap_up.follow_up_date)
        .bind(&wrap_up.compensation)
        .bind(&wrap_up.prevention)
        .bind(now_ms)
        .bind(adviser.as_str())
        .bind(id.as_str())
        .execute(&mut *tx)
        .await
        .context("saving a wrap-up")?;
        let data = json!({ "session_id": id, "adviser_id": adviser, "wrap_up": wrap_up });
        self.enqueue(&mut tx, "session.wrapped_up", data, now_ms)
            .await?;
        tx.commit().await.context("saving a wrap-up")?;
        self.wake_outbox();
        Ok(())
    }

    /// Every conversation waiting, in progress, or ended without a wrap-up, oldest first.
    pub async fn open_conversations(&self) -> Result<Vec<OpenConversation>, StoreError> {
        sqlx::query_as(&format!(
            "SELECT {OPEN_COLUMNS} WHERE c.status != 'ended' OR c.wrapped_up_at IS NULL ORDER BY c.requested_at"
        ))
        .fetch_all(&self.pool)
        .await
        .context("reading open conversations")
    }

    /// One conversation, in any state.
    pub async fn conversation(
        &self,
        id: &ConversationId,
    ) -> Result<Option<OpenConversation>, StoreError> {
        sqlx::query_as(&format!("SELECT {OPEN_COLUMNS} WHERE c.id = $1"))
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await
            .context("reading a conversation")
    }

    /// The contact's other conversations, newest first.
    pub async fn contact_history(
        &self,
        contact: &ContactId,
        except: &ConversationId,
    ) -> Result<Vec<PastSession>, StoreError> {
        type Row = (
            String,
            i64,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let joined_names = match self.backend {
            Backend::Sqlite => "group_concat(a.display_name, '|')",
            Backend::Postgres => "string_agg(a.display_name, '|')",
        };
        let sql = format!(
            "SELECT c.id, c.requested_at, c.reason, c.status, c.resolution, c.answer, c.follow_up_date,
                (SELECT {joined_names} FROM conversation_advisers ca
                 JOIN advisers a ON a.id = ca.adviser_id WHERE ca.conversation_id = c.id)
             FROM conversations c WHERE c.contact_id = $1 AND c.id != $2 ORDER BY c.requested_at DESC LIMIT 50",
        );
        let rows: Vec<Row> = sqlx::query_as(&sql)
            .bind(contact.as_str())
            .bind(except.as_str())
            .fetch_all(&self.pool)
            .await
            .context("reading a contact's history")?;
        rows.into_iter()
            .map(
                |(
                    id,
                    requested_at_ms,
                    reason,
                    status,
                    resolution,
                    answer,
                    follow_up_date,
                    advisers,
                )| {
                    let status = ConversationStatus::parse(&status)
                        .ok_or_else(|| StoreError::Corrupt(status.clone()))?;
                    let wrap_up =
                        resolution
                            .as_deref()
                            .and_then(Resolution::parse)
                            .map(|resolution| WrapUp {
                                resolution,
                                answer,
                                agreed_solution: None,
                                actions_taken: None,
                                follow_up_date,
                                compensation: None,
                                prevention: None,
                            });
                    let advisers = advisers
                        .map(|a| a.split('|').map(str::to_owned).collect())
                        .unwrap_or_default();
                    Ok(PastSession {
                        id: ConversationId(id),
                        requested_at_ms,
                        reason,
                        status,
                        advisers,
                        wrap_up,
                    })
                },
            )
            .collect()
    }

    /// Mean handling time of the last 50 answered conversations, in seconds.
    pub async fn recent_handling_secs(&self) -> Result<Option<f64>, StoreError> {
        let (mean,): (Option<f64>,) = sqlx::query_as(
            "SELECT CAST(AVG(ended_at - accepted_at) / 1000.0 AS DOUBLE PRECISION) FROM (
                SELECT ended_at, accepted_at FROM conversations
                WHERE ended_at IS NOT NULL AND accepted_at IS NOT NULL ORDER BY ended_at DESC LIMIT 50) AS recent",
        )
        .fetch_one(&self.pool)
        .await
        .context("measuring handling times")?;
        Ok(mean)
    }
}
