//! Tickets: requests answered later (a message left, a callback booked, a chat abandoned in
//! the queue). Each is on the contact's CRM record.

use super::{Context, Store, StoreError};
use serde_json::json;
use tandem_shared::desk::{AdviserTicket, TicketKind};
use tandem_shared::{AdviserId, ContactId, ConversationId};

/// A ticket to create.
#[derive(Debug)]
pub struct NewTicket<'a> {
    /// The contact.
    pub contact: &'a ContactId,
    /// The chat it came from, for abandoned chats.
    pub conversation: Option<&'a ConversationId>,
    /// The topic's queue.
    pub queue: &'a str,
    /// What for.
    pub kind: TicketKind,
    /// What the visitor wrote.
    pub message: &'a str,
    /// The visitor's language.
    pub locale: Option<&'a str>,
    /// The site it came from; for abandoned chats, the chat's site.
    pub site: Option<&'a str>,
    /// The booked callback time.
    pub callback_at_ms: Option<i64>,
    /// When it must be answered by.
    pub due_at_ms: i64,
}

/// A ticket as stored, with its contact.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TicketRow {
    /// Ticket id.
    pub id: String,
    /// The contact.
    pub contact_id: String,
    /// The chat it came from.
    pub conversation_id: Option<String>,
    /// Queue.
    pub queue: String,
    /// `message`, `callback`, `abandoned`.
    pub kind: String,
    /// What the visitor wrote.
    pub message: String,
    /// The visitor's language.
    pub locale: Option<String>,
    /// The booked callback time.
    pub callback_at: Option<i64>,
    /// `open` or `answered`.
    pub status: String,
    /// Created (ms).
    pub created_at: i64,
    /// Due (ms).
    pub due_at: i64,
    /// The answer.
    pub answer: Option<String>,
    /// Who answered, by display name.
    pub answered_by_name: Option<String>,
    /// When the answer was emailed.
    pub emailed_at: Option<i64>,
    /// Why emailing the answer failed.
    pub email_error: Option<String>,
    /// Contact's name.
    pub name: String,
    /// Contact's email.
    pub email: Option<String>,
    /// Contact's phone.
    pub phone: Option<String>,
}

impl TicketRow {
    /// The kind as a typed value.
    pub fn kind(&self) -> Result<TicketKind, StoreError> {
        TicketKind::parse(&self.kind)
            .ok_or_else(|| StoreError::Corrupt(format!("ticket kind {}", self.kind)))
    }

    /// The console's view.
    pub fn for_adviser(&self) -> Result<AdviserTicket, StoreError> {
        Ok(AdviserTicket {
            id: self.id.clone(),
            kind: self.kind()?,
            queue: self.queue.clone(),
            contact_id: self.contact_id.clone(),
            name: self.name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            message: self.message.clone(),
            locale: self.locale.clone(),
            created_at_ms: self.created_at,
            due_at_ms: self.due_at,
            callback_at_ms: self.callback_at,
            conversation_id: self.conversation_id.clone().map(ConversationId),
            answer: self.answer.clone(),
            answered_by: self.answered_by_name.clone(),
            emailed_at_ms: self.emailed_at,
            email_error: self.email_error.clone(),
        })
    }
}

const COLUMNS: &str = "t.id, t.contact_id, t.conversation_id, t.queue, t.kind, t.message, t.locale,
    t.callback_at, t.status, t.created_at, t.due_at, t.answer,
    (SELECT display_name FROM advisers a WHERE a.id = t.answered_by) AS answered_by_name,
    t.emailed_at, t.email_error, p.name, p.email, p.phone
    FROM tickets t JOIN contacts p ON p.id = t.contact_id";

impl Store {
    /// Records a ticket and returns its id.
    pub async fn create_ticket(
        &self,
        ticket: &NewTicket<'_>,
        now_ms: i64,
    ) -> Result<String, StoreError> {
        let id = uuid::Uuid::new_v4().to_string();
        let mut tx = self.begin_write().await.context("starting a ticket")?;
        sqlx::query(
            "INSERT INTO tickets (id, contact_id, conversation_id, queue, kind, message, locale, callback_at, created_at, due_at, site)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
                     COALESCE($11, (SELECT site FROM conversations WHERE id = $12), 'default'))",
        )
        .bind(&id)
        .bind(ticket.contact.as_str())
        .bind(ticket.conversation.map(ConversationId::as_str))
        .bind(ticket.queue)
        .bind(ticket.kind.as_str())
        .bind(ticket.message)
        .bind(ticket.locale)
        .bind(ticket.callback_at_ms)
        .bind(now_ms)
        .bind(ticket.due_at_ms)
        .bind(ticket.site)
        .bind(ticket.conversation.map(ConversationId::as_str))
        .execute(&mut *tx)
        .await
        .context("recording a ticket")?;
        let data = json!({ "ticket_id": id, "contact_id": ticket.contact, "session_id": ticket.conversation,
            "queue": ticket.queue, "kind": ticket.kind, "message": ticket.message,
            "callback_at_ms": ticket.callback_at_ms, "due_at_ms": ticket.due_at_ms });
        self.enqueue(&mut tx, "ticket.created", data, now_ms)
            .await?;
        tx.commit().await.context("saving a ticket")?;
        self.wake_outbox();
        Ok(id)
    }

    /// One ticket.
    pub async fn ticket(&self, id: &str) -> Result<Option<TicketRow>, StoreError> {
        sqlx::query_as(&format!("SELECT {COLUMNS} WHERE t.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .context("reading a ticket")
    }

    /// Tickets with `status` (`open` or `answered`), the most urgent first.
    pub async fn tickets(&self, status: &str, limit: i64) -> Result<Vec<TicketRow>, StoreError> {
        let order = if status == "open" {
            "t.due_at"
        } else {
            "t.answered_at DESC"
        };
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} WHERE t.status = $1 ORDER BY {order} LIMIT $2"
        ))
        .bind(status)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .context("listing tickets")
    }

    /// Records an adviser's answer. False when the ticket was already answered.
    pub async fn answer_ticket(
        &self,
        id: &str,
        adviser: &AdviserId,
        answer: &str,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self
            .begin_write()
            .await
            .context("starting to answer a ticket")?;
        let answered = sqlx::query(
            "UPDATE tickets SET status = 'answered', answer = $1, answered_by = $2, answered_at = $3
             WHERE id = $4 AND status = 'open'",
        )
        .bind(answer)
        .bind(adviser.as_str())
        .bind(now_ms)
        .bind(id)
        .execute(&mut *tx)
        .await
        .context("answering a ticket")?
        .rows_affected()
            == 1;
        if answered {
            let data = json!({ "ticket_id": id, "adviser_id": adviser, "answer": answer });
            self.enqueue(&mut tx, "ticket.answered", data, now_ms)
                .await?;
        }
        tx.commit().await.context("saving a ticket's answer")?;
        self.wake_outbox();
        Ok(answered)
    }

    /// Records the outcome of emailing a ticket's answer.
    pub async fn ticket_emailed(
        &self,
        id: &str,
        outcome: Result<i64, String>,
    ) -> Result<(), StoreError> {
        let (at, error) = match outcome {
            Ok(at) => (Some(at), None),
            Err(error) => (None, Some(error)),
        };
        sqlx::query("UPDATE tickets SET emailed_at = $1, email_error = $2 WHERE id = $3")
            .bind(at)
            .bind(error)
            .bind(id)
            .execute(&self.pool)
            .await
            .context("recording a ticket's email")?;
        Ok(())
    }
}
