//! The numbered events of conversations.

use super::{Context, Store, StoreError};
use sqlx::AnyConnection;
use tandem_shared::{ConversationEvent, ConversationId, EventKind};

pub(super) fn kind_name(kind: &EventKind) -> &'static str {
    match kind {
        EventKind::Message { .. } => "message",
        EventKind::AdviserJoined { .. } => "adviser_joined",
        EventKind::Transferred { .. } => "transferred",
        EventKind::CobrowseStarted => "cobrowse_started",
        EventKind::CobrowseEnded { .. } => "cobrowse_ended",
        EventKind::Ended { .. } => "ended",
    }
}

fn decode(seq: i64, at: i64, data: &str) -> Result<ConversationEvent, StoreError> {
    let kind =
        serde_json::from_str(data).map_err(|e| StoreError::Corrupt(format!("event {seq}: {e}")))?;
    let seq = u64::try_from(seq).map_err(|_| StoreError::Corrupt(format!("event number {seq}")))?;
    Ok(ConversationEvent {
        seq,
        at_ms: at,
        kind,
    })
}

impl Store {
    /// Queues `message.created` in the outbox when `event` is a message.
    pub(super) async fn enqueue_message_created(
        &self,
        conn: &mut AnyConnection,
        conversation: &ConversationId,
        event: &ConversationEvent,
    ) -> Result<(), StoreError> {
        let EventKind::Message {
            author, body, file, ..
        } = &event.kind
        else {
            return Ok(());
        };
        let mut data = serde_json::json!({
            "session_id": conversation,
            "seq": event.seq,
            "author": author,
            "body": body,
        });
        if let Some(file) = file {
            data["file"] = serde_json::json!(file);
        }
        self.enqueue(conn, "message.created", data, event.at_ms)
            .await
    }

    /// The events numbered above `after_seq`, in order.
    pub async fn events_after(
        &self,
        conversation: &ConversationId,
        after_seq: u64,
    ) -> Result<Vec<ConversationEvent>, StoreError> {
        let after = i64::try_from(after_seq).unwrap_or(i64::MAX);
        let rows: Vec<(i64, i64, String)> = sqlx::query_as(
            "SELECT seq, at, data FROM events WHERE conversation_id = $1 AND seq > $2 ORDER BY seq",
        )
        .bind(conversation.as_str())
        .bind(after)
        .fetch_all(&self.pool)
        .await
        .context("reading conversation events")?;
        rows.iter()
            .map(|(seq, at, data)| decode(*seq, *at, data))
            .collect()
    }

    /// The event stored for a client message id, if any, read on `conn` (inside the group
    /// commit's statement sequence).
    pub(super) async fn event_by_client_msg_id(
        &self,
        conn: &mut AnyConnection,
        conversation: &ConversationId,
        client_msg_id: &str,
    ) -> Result<Option<ConversationEvent>, StoreError> {
        let row: Option<(i64, i64, String)> = sqlx::query_as(
            "SELECT seq, at, data FROM events WHERE conversation_id = $1 AND client_msg_id = $2",
        )
        .bind(conversation.as_str())
        .bind(client_msg_id)
        .fetch_optional(&mut *conn)
        .await
        .context("finding a message by its client id")?;
        row.map(|(seq, at, data)| decode(seq, at, &data))
            .transpose()
    }

    /// The highest event number of a conversation (0 when it has none).
    pub async fn last_seq(&self, conversation: &ConversationId) -> Result<u64, StoreError> {
        let (seq,): (i64,) =
            sqlx::query_as("SELECT COALESCE(MAX(seq), 0) FROM events WHERE conversation_id = $1")
                .bind(conversation.as_str())
                .fetch_one(&self.pool)
                .await
                .context("reading the last event number")?;
        Ok(u64::try_from(seq).unwrap_or(0))
    }
}
