//! A supervisor's live view: the chats in progress, watching one as it happens (the visitor
//! is not told), whispering to its adviser, taking it over (see [`Hub::take_over`]).

use super::state::Watcher;
use super::{Hub, HubError, Peer};
use tandem_shared::desk::LiveChat;
use tandem_shared::model::ConversationStatus;
use tandem_shared::{AdviserId, ConversationId, ServerMsg};

impl Hub {
    /// The chats advisers hold (in progress, or ended awaiting the wrap-up), oldest first.
    pub fn live_chats(&self) -> Vec<LiveChat> {
        let state = self.lock();
        let mut chats: Vec<LiveChat> = state
            .conversations
            .iter()
            .filter(|(_, live)| live.status != ConversationStatus::Queued)
            .filter_map(|(id, live)| {
                Some(LiveChat {
                    conversation_id: id.clone(),
                    visitor_name: live.visitor_name.clone(),
                    reason: live.reason.clone(),
                    queue: live.queue.clone(),
                    adviser_name: live.adviser_name.clone()?,
                    requested_at_ms: live.requested_at_ms,
                    ended: live.status == ConversationStatus::Ended,
                })
            })
            .collect();
        chats.sort_by_key(|chat| chat.requested_at_ms);
        chats
    }

    /// Starts sending a chat held by an adviser to `peer` (a supervisor's console): first the
    /// conversation as it is, then each event, typing and note as the adviser gets them.
    pub async fn watch(
        &self,
        me: &AdviserId,
        id: &ConversationId,
        peer: &Peer,
    ) -> Result<(), HubError> {
        let lock = self.append_lock(id)?;
        // No event is numbered between the snapshot and the watcher's registration.
        let _in_order = lock.lock().await;
        let detail = self.detail(id).await?;
        {
            let mut state = self.lock();
            let live = state
                .conversations
                .get_mut(id)
                .ok_or(HubError::NotFound("no such conversation in progress"))?;
            match &live.adviser {
                None => return Err(HubError::Conflict("nobody holds this chat yet")),
                Some(holder) if holder == me => {
                    return Err(HubError::Conflict("you hold this chat already"))
                }
                Some(_) => {}
            }
            if !live.watchers.iter().any(|w| w.peer.id == peer.id) {
                live.watchers.push(Watcher {
                    adviser: me.clone(),
                    peer: peer.clone(),
                });
            }
        }
        tracing::info!(conversation = %id, supervisor = %me, "supervisor watching a chat");
        peer.send(ServerMsg::Watching {
            conversation: Box::new(detail),
        });
        Ok(())
    }

    /// Stops sending a chat to `peer`.
    pub fn unwatch(&self, id: &ConversationId, peer: &Peer) {
        if let Some(live) = self.lock().conversations.get_mut(id) {
            live.watchers.retain(|w| w.peer.id != peer.id);
        }
    }

    /// Stops sending a chat to every console of `me` (they took it over).
    pub(super) fn stop_watching(&self, me: &AdviserId, id: &ConversationId) {
        if let Some(live) = self.lock().conversations.get_mut(id) {
            live.watchers.retain(|w| &w.adviser != me);
        }
    }

    /// A console closed: it watches nothing any more.
    pub(super) fn forget_watcher(&self, peer: &Peer) {
        let mut state = self.lock();
        let watched: Vec<ConversationId> = state
            .conversations
            .iter()
            .filter(|(_, live)| live.watchers.iter().any(|w| w.peer.id == peer.id))
            .map(|(id, _)| id.clone())
            .collect();
        for id in watched {
            if let Some(live) = state.conversations.get_mut(&id) {
                live.watchers.retain(|w| w.peer.id != peer.id);
            }
        }
    }

    /// A supervisor's note (validated) to the adviser of a chat they watch: stored with the
    /// chat's notes, shown to its adviser and watchers, never to the visitor.
    pub async fn whisper(
        &self,
        me: &AdviserId,
        id: &ConversationId,
        body: String,
    ) -> Result<(), HubError> {
        let author = {
            let state = self.lock();
            let live = state
                .conversations
                .get(id)
                .ok_or(HubError::NotFound("no such conversation in progress"))?;
            if live.adviser.is_none() {
                return Err(HubError::Conflict("nobody holds this chat yet"));
            }
            state
                .advisers
                .get(me)
                .map(|a| a.profile.display_name.clone())
                .ok_or(HubError::Forbidden("this adviser is not connected"))?
        };
        self.store_note(me, author, id, body).await
    }
}
