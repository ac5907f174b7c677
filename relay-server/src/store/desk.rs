//! What the service desk adds to a conversation's record: internal notes, hand-overs, the
//! first answer's time, abandonment and the satisfaction survey.

use super::{Context, Store, StoreError};
use serde_json::json;
use tandem_shared::desk::{Handover, InternalNote, Survey};
use tandem_shared::{AdviserId, ConversationId};

impl Store {
    /// Adds a note only advisers see.
    pub async fn add_note(
        &self,
        id: &ConversationId,
        adviser: &AdviserId,
        body: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO notes (conversation_id, adviser_id, body, at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id.as_str())
        .bind(adviser.as_str())
        .bind(body)
        .bind(now_ms)
        .execute(&self.pool)
        .await
        .context("saving an internal note")?;
        Ok(())
    }

    /// A conversation's notes, oldest first.
    pub async fn notes(&self, id: &ConversationId) -> Result<Vec<InternalNote>, StoreError> {
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT a.display_name, n.body, n.at FROM notes n JOIN advisers a ON a.id = n.adviser_id
             WHERE n.conversation_id = $1 ORDER BY n.at, n.id",
        )
        .bind(id.as_str())
        .fetch_all(&self.pool)
        .await
        .context("reading internal notes")?;
        Ok(rows
            .into_iter()
            .map(|(author, body, at_ms)| InternalNote {
                author,
                body,
                at_ms,
            })
            .collect())
    }

    /// Records a hand-over and puts the conversation back in a queue at a level, or (with
    /// `to_adviser`) gives it straight to a colleague. False when it was not in progress.
    pub async fn hand_over(
        &self,
        id: &ConversationId,
        from: &AdviserId,
        handover: &HandoverChange<'_>,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await.context("starting a hand-over")?;
        let status = if handover.to_adviser.is_some() {
            "active"
        } else {
            "queued"
        };
        let moved = sqlx::query(
            "UPDATE conversations SET status = $1, queue = $2, level = $3 WHERE id = $4 AND status = 'active'",
        )
        .bind(status)
        .bind(handover.queue)
        .bind(i64::from(handover.level))
        .bind(id.as_str())
        .execute(&mut *tx)
        .await
        .context("handing a conversation over")?
        .rows_affected()
            == 1;
        if !moved {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO handovers (conversation_id, from_adviser, target, note, at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id.as_str())
        .bind(from.as_str())
        .bind(handover.target)
        .bind(handover.note)
        .bind(now_ms)
        .execute(&mut *tx)
        .await
        .context("recording a hand-over")?;
        if let Some(adviser) = handover.to_adviser {
            sqlx::query(
                "INSERT INTO conversation_advisers (conversation_id, adviser_id, joined_at) VALUES ($1, $2, $3)
                 ON CONFLICT (conversation_id, adviser_id) DO UPDATE SET joined_at = excluded.joined_at",
            )
            .bind(id.as_str())
            .bind(adviser.as_str())
            .bind(now_ms)
            .execute(&mut *tx)
            .await
            .context("recording the new adviser of a conversation")?;
        }
        let data = json!({ "session_id": id, "from_adviser_id": from, "to": handover.target,
                           "queue": handover.queue, "level": handover.level });
        self.enqueue(&mut tx, "session.transferred", data, now_ms)
            .await?;
        tx.commit().await.context("saving a hand-over")?;
        self.wake_outbox();
        Ok(true)
    }

    /// A conversation's hand-overs, oldest first.
    pub async fn handovers(&self, id: &ConversationId) -> Result<Vec<Handover>, StoreError> {
        let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
            "SELECT a.display_name, h.target, h.note, h.at FROM handovers h JOIN advisers a ON a.id = h.from_adviser
             WHERE h.conversation_id = $1 ORDER BY h.at, h.id",
        )
        .bind(id.as_str())
        .fetch_all(&self.pool)
        .await
        .context("reading hand-overs")?;
        Ok(rows
            .into_iter()
            .map(|(from, to, note, at_ms)| Handover {
                from,
                to,
                note,
                at_ms,
            })
            .collect())
    }

    /// Remembers when an adviser first answered (once).
    pub async fn first_response(&self, id: &ConversationId, at_ms: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE conversations SET first_response_at = $1 WHERE id = $2 AND first_response_at IS NULL",
        )
        .bind(at_ms)
        .bind(id.as_str())
        .execute(&self.pool)
        .await
        .context("recording the first answer's time")?;
        Ok(())
    }

    /// Marks a conversation the visitor left before anyone answered.
    pub async fn mark_abandoned(&self, id: &ConversationId) -> Result<(), StoreError> {
        sqlx::query("UPDATE conversations SET abandoned = 1 WHERE id = $1")
            .bind(id.as_str())
            .execute(&self.pool)
            .await
            .context("recording an abandoned request")?;
        Ok(())
    }

    /// Stores the visitor's survey (validated) of an ended conversation. False when the
    /// conversation is not over, or was already rated.
    pub async fn save_survey(
        &self,
        id: &ConversationId,
        survey: &Survey,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self
            .begin_write()
            .await
            .context("starting to save a survey")?;
        let saved = sqlx::query(
            "UPDATE conversations SET csat = $1, ces = $2, nps = $3, survey_comment = $4, surveyed_at = $5
             WHERE id = $6 AND status = 'ended' AND surveyed_at IS NULL",
        )
        .bind(survey.csat.map(i64::from))
        .bind(survey.ces.map(i64::from))
        .bind(survey.nps.map(i64::from))
        .bind(&survey.comment)
        .bind(now_ms)
        .bind(id.as_str())
        .execute(&mut *tx)
        .await
        .context("saving a survey")?
        .rows_affected()
            == 1;
        if saved {
            let data = json!({ "session_id": id, "survey": survey });
            self.enqueue(&mut tx, "survey.submitted", data, now_ms)
                .await?;
        }
        tx.commit().await.context("saving a survey")?;
        self.wake_outbox();
        Ok(saved)
    }

    /// The survey of a conversation, once answered.
    pub async fn survey(&self, id: &ConversationId) -> Result<Option<Survey>, StoreError> {
        type Row = (
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<String>,
            Option<i64>,
        );
        let row: Option<Row> = sqlx::query_as(
            "SELECT csat, ces, nps, survey_comment, surveyed_at FROM conversations WHERE id = $1",
        )
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await
        .context("reading a survey")?;
        let score = |value: Option<i64>| value.and_then(|v| u8::try_from(v).ok());
        Ok(row
            .filter(|row| row.4.is_some())
            .map(|(csat, ces, nps, comment, _)| Survey {
                csat: score(csat),
                ces: score(ces),
                nps: score(nps),
                comment,
            }))
    }
}

/// Where a hand-over sends a conversation.
#[derive(Debug)]
pub struct HandoverChange<'a> {
    /// The queue it waits in (or stays in).
    pub queue: &'a str,
    /// The level it needs.
    pub level: u8,
    /// The colleague who gets it at once, if named.
    pub to_adviser: Option<&'a AdviserId>,
    /// Where to, in words, for the record.
    pub target: &'a str,
    /// The note for the next adviser.
    pub note: &'a str,
}
