//! Requests answered later: messages and callbacks left instead of chatting, and chats the
//! visitor left while waiting. Each becomes a ticket on the contact's CRM record, and the
//! visitor gets an acknowledgement that says when they will be answered.

use super::{Hub, HubError, Peer};
use crate::store::{NewTicket, TicketRow};
use crate::time::now_ms;
use tandem_shared::desk::{Survey, TicketKind, VisitorTicket, DEFAULT_QUEUE};
use tandem_shared::limits::{FieldError, Problem};
use tandem_shared::model::ChatRequest;
use tandem_shared::{ConversationId, EventKind, Role, ServerMsg};

/// Ticket tokens a visitor may present at once.
const MAX_TICKETS_PER_HELLO: usize = 20;

impl Hub {
    /// The visitor's view of a stored ticket.
    pub(super) fn visitor_ticket(&self, row: &TicketRow) -> Result<VisitorTicket, HubError> {
        Ok(VisitorTicket {
            id: row.id.clone(),
            token: self.tokens.sign_ticket(&row.id),
            kind: row.kind()?,
            message: row.message.clone(),
            created_at_ms: row.created_at,
            due_at_ms: row.due_at,
            callback_at_ms: row.callback_at,
            answer: row.answer.clone(),
            answered_by: row.answered_by_name.clone(),
        })
    }

    /// The queue a request names (the default one when it names none), or an error on the
    /// `queue` field.
    pub(super) fn known_queue(&self, request: &ChatRequest) -> Result<String, HubError> {
        let key = request.queue.as_deref().unwrap_or(DEFAULT_QUEUE);
        let state = self.lock();
        if state.schedule(key).is_some() {
            Ok(key.to_owned())
        } else if request.queue.is_none() {
            // No default queue configured: use the first one.
            state
                .schedules
                .first()
                .map(|s| s.key().to_owned())
                .ok_or(HubError::NotFound("this relay has no queue"))
        } else {
            Err(HubError::Invalid(FieldError {
                field: "queue",
                problem: Problem::Invalid,
            }))
        }
    }

    /// A message left (or a callback booked) instead of a chat; `request` is validated and
    /// its reason is the message.
    pub async fn leave_message(
        &self,
        request: &ChatRequest,
        verified_user: Option<&str>,
        callback_at_ms: Option<i64>,
        peer: &Peer,
    ) -> Result<(), HubError> {
        let queue = self.known_queue(request)?;
        let now = now_ms();
        let due_at_ms = {
            let state = self.lock();
            let schedule = state
                .schedule(&queue)
                .ok_or(HubError::NotFound("this queue was removed"))?;
            if let Some(at) = callback_at_ms {
                if !schedule.is_bookable(now, at) {
                    return Err(HubError::Invalid(FieldError {
                        field: "callback_at_ms",
                        problem: Problem::Invalid,
                    }));
                }
                if request.phone.is_none() {
                    return Err(HubError::Invalid(FieldError {
                        field: "phone",
                        problem: Problem::Required,
                    }));
                }
            }
            callback_at_ms.unwrap_or_else(|| schedule.due_at(now))
        };
        let contact = self
            .store
            .upsert_contact(request, verified_user, now)
            .await?
            .id;
        let kind = if callback_at_ms.is_some() {
            TicketKind::Callback
        } else {
            TicketKind::Message
        };
        let ticket = NewTicket {
            contact: &contact,
            conversation: None,
            queue: &queue,
            kind,
            message: &request.reason,
            locale: request.locale.as_deref(),
            site: request.site.as_deref(),
            callback_at_ms,
            due_at_ms,
        };
        let id = self.store.create_ticket(&ticket, now).await?;
        self.telemetry.count_ticket(kind.as_str());
        tracing::info!(ticket = %id, kind = kind.as_str(), "visitor left a ticket");
        self.send_new_ticket(&id, |frame| peer.send(frame)).await
    }

    async fn send_new_ticket(&self, id: &str, send: impl Fn(ServerMsg)) -> Result<(), HubError> {
        let row = self
            .store
            .ticket(id)
            .await?
            .ok_or(HubError::NotFound("the ticket just stored is missing"))?;
        send(ServerMsg::Ticket {
            ticket: self.visitor_ticket(&row)?,
            new: true,
        });
        Ok(())
    }

    /// A waiting visitor left before an adviser answered: counted as abandoned, and their
    /// request (with what they wrote while waiting) becomes a ticket.
    pub(super) async fn abandon(&self, id: &ConversationId) -> Result<(), HubError> {
        let (contact, queue, reason, locale) = {
            let state = self.lock();
            let live = state
                .conversations
                .get(id)
                .ok_or(HubError::NotFound("no such conversation"))?;
            (
                live.contact_id.clone(),
                live.queue.clone(),
                live.reason.clone(),
                live.locale.clone(),
            )
        };
        let mut message = reason;
        for event in self.store.events_after(id, 0).await? {
            if let EventKind::Message { author, body, .. } = event.kind {
                if author.role == Role::Visitor {
                    message.push_str("\n\n");
                    message.push_str(&body);
                }
            }
        }
        let now = now_ms();
        let due_at_ms = self
            .lock()
            .schedule(&queue)
            .map_or(now + 24 * 3_600_000, |s| s.due_at(now));
        self.store.mark_abandoned(id).await?;
        let ticket = NewTicket {
            contact: &contact,
            conversation: Some(id),
            queue: &queue,
            kind: TicketKind::Abandoned,
            message: &message,
            locale: locale.as_deref(),
            site: None,
            callback_at_ms: None,
            due_at_ms,
        };
        let ticket_id = self.store.create_ticket(&ticket, now).await?;
        self.telemetry.count_abandoned(&queue);
        self.telemetry.count_ticket(TicketKind::Abandoned.as_str());
        tracing::info!(conversation = %id, ticket = %ticket_id, "a waiting visitor left; their request became a ticket");
        self.send_new_ticket(&ticket_id, |frame| {
            self.lock().send_to_visitors(id, &frame);
        })
        .await
    }

    /// Sends a returning visitor the tickets they left, with the answers given since.
    pub async fn send_visitor_tickets(
        &self,
        tokens: &[String],
        peer: &Peer,
    ) -> Result<(), HubError> {
        for token in tokens.iter().take(MAX_TICKETS_PER_HELLO) {
            let Some(id) = self.tokens.verify_ticket(token) else {
                tracing::info!("ignored a forged or foreign ticket token");
                continue;
            };
            if let Some(row) = self.store.ticket(&id).await? {
                peer.send(ServerMsg::Ticket {
                    ticket: self.visitor_ticket(&row)?,
                    new: false,
                });
            }
        }
        Ok(())
    }

    /// Stores the survey (validated) of the ended conversation `token` opens.
    pub async fn save_survey(
        &self,
        token: &str,
        site: &str,
        survey: &Survey,
        peer: &Peer,
    ) -> Result<(), HubError> {
        let (id, _) = self.conversation_of_site(token, site).await?;
        if !self.store.save_survey(&id, survey, now_ms()).await? {
            return Err(HubError::Conflict(
                "this conversation is not over, or was already rated",
            ));
        }
        tracing::info!(conversation = %id, "survey stored");
        peer.send(ServerMsg::SurveySaved {
            conversation_id: id,
        });
        Ok(())
    }

    /// Ends waiting conversations whose visitor has been gone longer than `absence_ms` (closed
    /// the tab): they count as abandoned and become tickets.
    pub async fn sweep_abandoned(&self, absence_ms: i64) {
        let now = now_ms();
        let gone: Vec<ConversationId> = {
            let state = self.lock();
            state
                .queue
                .iter()
                .filter(|id| {
                    state.conversations.get(id).is_some_and(|live| {
                        live.visitors.is_empty()
                            && live.detached_at_ms.is_some_and(|at| now - at >= absence_ms)
                    })
                })
                .cloned()
                .collect()
        };
        for id in gone {
            if let Err(error) = self.end(&id, Role::System).await {
                tracing::warn!(%error, conversation = %id, "could not close an abandoned request");
            }
        }
    }
}
