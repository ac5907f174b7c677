//! Teamwork around a conversation: hand-overs to a queue, a level or a colleague (with a
//! note, so the visitor never repeats themselves), internal notes, and questions to a
//! colleague.

use super::{Hub, HubError};
use crate::store::HandoverChange;
use crate::time::now_ms;
use tandem_shared::desk::{ColleagueMessage, InternalNote, TransferTarget};
use tandem_shared::limits::{FieldError, Problem};
use tandem_shared::model::ConversationStatus;
use tandem_shared::{AdviserId, ConversationId, EventKind, ServerMsg};

/// Where a transfer goes, resolved against the live state.
struct Destination {
    queue: String,
    level: u8,
    adviser: Option<(AdviserId, String)>,
    words: String,
}

impl Hub {
    fn destination(
        &self,
        me: &AdviserId,
        id: &ConversationId,
        target: &TransferTarget,
    ) -> Result<Destination, HubError> {
        let state = self.lock();
        let live = state
            .conversations
            .get(id)
            .ok_or(HubError::NotFound("no such conversation in progress"))?;
        match target {
            TransferTarget::Queue { queue } => {
                if state.schedule(queue).is_none() {
                    return Err(HubError::Invalid(FieldError {
                        field: "queue",
                        problem: Problem::Invalid,
                    }));
                }
                Ok(Destination {
                    queue: queue.clone(),
                    level: live.level,
                    adviser: None,
                    words: format!("queue {queue}"),
                })
            }
            TransferTarget::Level { level } => Ok(Destination {
                queue: live.queue.clone(),
                level: *level,
                adviser: None,
                words: format!("level {level}"),
            }),
            TransferTarget::Adviser { adviser_id } => {
                if adviser_id == me {
                    return Err(HubError::Conflict("you already hold this chat"));
                }
                let colleague = state
                    .advisers
                    .get(adviser_id)
                    .filter(|a| !a.peers.is_empty())
                    .ok_or(HubError::NotFound("this colleague is not online"))?;
                let name = colleague.profile.display_name.clone();
                Ok(Destination {
                    queue: live.queue.clone(),
                    level: live.level,
                    adviser: Some((adviser_id.clone(), name.clone())),
                    words: name,
                })
            }
        }
    }

    /// Hands a chat the adviser holds over to a queue, a level or a colleague, with a note.
    /// The visitor keeps the conversation (and their place by time of request); the next
    /// adviser gets the whole history, the notes and every hand-over.
    pub async fn transfer(
        &self,
        me: &AdviserId,
        id: &ConversationId,
        target: &TransferTarget,
        note: &str,
    ) -> Result<(), HubError> {
        let (my_name, status) = self.holder(me, id)?;
        if status != ConversationStatus::Active {
            return Err(HubError::Conflict(
                "only a chat in progress can be handed over",
            ));
        }
        let destination = self.destination(me, id, target)?;
        self.hand_over(me, my_name, id, destination, note).await
    }

    /// Takes a chat in progress over from its adviser (a supervisor's decision): it moves to
    /// `me` as a hand-over from its adviser would, with a note saying who took it.
    pub async fn take_over(&self, me: &AdviserId, id: &ConversationId) -> Result<(), HubError> {
        let target = TransferTarget::Adviser {
            adviser_id: me.clone(),
        };
        self.reassign(me, id, &target).await
    }

    /// Moves a chat in progress from its adviser to `target` (a supervisor's decision: a
    /// colleague, a queue, a level, or `me`), with a note saying who decided.
    pub async fn reassign(
        &self,
        me: &AdviserId,
        id: &ConversationId,
        target: &TransferTarget,
    ) -> Result<(), HubError> {
        let (holder, holder_name, my_name) = {
            let state = self.lock();
            let live = state
                .conversations
                .get(id)
                .ok_or(HubError::NotFound("no such conversation in progress"))?;
            if live.status != ConversationStatus::Active {
                return Err(HubError::Conflict(
                    "only a chat in progress can be reassigned",
                ));
            }
            let holder = live.adviser.clone().ok_or(HubError::Conflict(
                "nobody holds this chat: take it from the queue",
            ))?;
            let my_name = state
                .advisers
                .get(me)
                .map(|a| a.profile.display_name.clone())
                .ok_or(HubError::Forbidden("this adviser is not connected"))?;
            (
                holder,
                live.adviser_name.clone().unwrap_or_default(),
                my_name,
            )
        };
        let to_me = matches!(target, TransferTarget::Adviser { adviser_id } if adviser_id == me);
        if to_me && &holder == me {
            return Err(HubError::Conflict("you already hold this chat"));
        }
        if matches!(target, TransferTarget::Adviser { adviser_id } if adviser_id == &holder) {
            return Err(HubError::Conflict("this adviser already holds the chat"));
        }
        let destination = self.destination(&holder, id, target)?;
        let note = if to_me {
            self.stop_watching(me, id);
            format!("Taken over by {my_name}")
        } else {
            format!("Reassigned by {my_name}")
        };
        self.hand_over(&holder, holder_name, id, destination, &note)
            .await
    }

    /// Moves a chat `from` its adviser to `destination`, with a note.
    async fn hand_over(
        &self,
        me: &AdviserId,
        my_name: String,
        id: &ConversationId,
        destination: Destination,
        note: &str,
    ) -> Result<(), HubError> {
        let change = HandoverChange {
            queue: &destination.queue,
            level: destination.level,
            to_adviser: destination.adviser.as_ref().map(|(a, _)| a),
            target: &destination.words,
            note,
        };
        if !self.store.hand_over(id, me, &change, now_ms()).await? {
            return Err(HubError::Conflict("this chat is no longer in progress"));
        }
        self.telemetry.transfers.inc();
        // The visitor consented to this adviser: the next one asks again.
        self.finish_cobrowse(id, tandem_shared::Role::System)
            .await?;
        self.append(id, EventKind::Transferred { from: my_name }, None)
            .await?;
        {
            let mut state = self.lock();
            if let Some(mut live) = state.conversations.change(id) {
                live.queue = destination.queue.clone();
                live.level = destination.level;
                live.transferred = true;
                match &destination.adviser {
                    Some((adviser, name)) => {
                        live.adviser = Some(adviser.clone());
                        live.adviser_name = Some(name.clone());
                    }
                    None => {
                        live.status = ConversationStatus::Queued;
                        live.adviser = None;
                        live.adviser_name = None;
                    }
                }
            }
            if destination.adviser.is_none() {
                state.enqueue(id);
            }
            state.send_to_adviser(
                me,
                &ServerMsg::Closed {
                    conversation_id: id.clone(),
                    transferred_to: Some(destination.words.clone()),
                },
            );
            state.publish_queue();
        }
        tracing::info!(conversation = %id, to = %destination.words, "conversation handed over");
        if let Some((adviser, name)) = destination.adviser {
            self.lock().touch_adviser(&adviser);
            self.append(id, EventKind::AdviserJoined { name }, None)
                .await?;
            self.send_assigned(id, None).await?;
        }
        // The hand-over may free the adviser for someone waiting, and the conversation
        // may go to someone available at once.
        self.assign_waiting().await;
        Ok(())
    }

    /// Adds a note (validated) only advisers see to a conversation the adviser holds.
    pub async fn add_note(
        &self,
        me: &AdviserId,
        id: &ConversationId,
        body: String,
    ) -> Result<(), HubError> {
        let (author, _) = self.holder(me, id)?;
        self.store_note(me, author, id, body).await
    }

    /// Stores a note by `author` and sends it to the chat's adviser and its watchers.
    pub(super) async fn store_note(
        &self,
        me: &AdviserId,
        author: String,
        id: &ConversationId,
        body: String,
    ) -> Result<(), HubError> {
        let at_ms = now_ms();
        self.store.add_note(id, me, &body, at_ms).await?;
        let note = InternalNote {
            author,
            body,
            at_ms,
        };
        self.lock().send_to_desk(
            id,
            &ServerMsg::Note {
                conversation_id: id.clone(),
                note,
            },
        );
        Ok(())
    }

    /// Sends a message (validated) to a colleague, and its echo to the sender's consoles.
    pub fn ask_colleague(
        &self,
        me: &AdviserId,
        to: &AdviserId,
        conversation_id: Option<ConversationId>,
        body: String,
    ) -> Result<(), HubError> {
        let state = self.lock();
        let from_name = state
            .advisers
            .get(me)
            .map(|a| a.profile.display_name.clone())
            .ok_or(HubError::Forbidden("this adviser is not connected"))?;
        if state.advisers.get(to).is_none_or(|a| a.peers.is_empty()) {
            return Err(HubError::NotFound("this colleague is not online"));
        }
        let frame = ServerMsg::ColleagueMessage {
            message: ColleagueMessage {
                from: me.clone(),
                from_name,
                to: to.clone(),
                conversation_id,
                body,
                at_ms: now_ms(),
            },
        };
        state.send_to_adviser(to, &frame);
        if to != me {
            state.send_to_adviser(me, &frame);
        }
        Ok(())
    }
}
