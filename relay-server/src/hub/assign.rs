//! Pairing waiting visitors with advisers: automatically for available advisers, or when an
//! adviser takes a visitor from the queue. A conversation is given once: the hub checks and
//! changes it under its lock, and the store only accepts the change from `queued`.

use super::{Hub, HubError, Peer};
use crate::time::now_ms;
use tandem_shared::model::ConversationStatus;
use tandem_shared::{AdviserId, ConversationId, EventKind, ServerMsg};

impl Hub {
    /// Gives waiting visitors, first come first served, to available advisers who serve
    /// their queue at their level and have free capacity, until no pairing is left.
    pub(super) async fn assign_waiting(&self) {
        loop {
            let next = self.lock().next_pairing();
            let Some((id, adviser)) = next else { return };
            if let Err(error) = self.assign(&id, &adviser).await {
                tracing::error!(%error, conversation = %id, "automatic assignment failed");
                return;
            }
        }
    }

    /// An adviser takes a waiting visitor from the queue (even beyond their usual capacity:
    /// it is their choice).
    pub async fn take(&self, adviser: &AdviserId, id: &ConversationId) -> Result<(), HubError> {
        self.assign(id, adviser).await
    }

    async fn assign(&self, id: &ConversationId, adviser: &AdviserId) -> Result<(), HubError> {
        let name = {
            let mut state = self.lock();
            let name = state
                .advisers
                .get(adviser)
                .map(|a| a.profile.display_name.clone())
                .ok_or(HubError::Forbidden("this adviser is not connected"))?;
            let mut live = state
                .conversations
                .change(id)
                .ok_or(HubError::NotFound("this visitor is no longer waiting"))?;
            if live.status != ConversationStatus::Queued {
                return Err(HubError::Conflict("another adviser already took this chat"));
            }
            live.status = ConversationStatus::Active;
            live.adviser = Some(adviser.clone());
            live.adviser_name = Some(name.clone());
            drop(live);
            state.queue.retain(|queued| queued != id);
            state.touch_adviser(adviser);
            name
        };
        match self.store.assign(id, adviser, now_ms()).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(conversation = %id, "the store had already given this conversation away");
                return Err(HubError::Conflict("another adviser already took this chat"));
            }
            Err(error) => {
                self.requeue(id);
                return Err(error.into());
            }
        }
        tracing::info!(conversation = %id, adviser = %adviser, "visitor paired with an adviser");
        self.append(id, EventKind::AdviserJoined { name }, None)
            .await?;
        self.send_assigned(id, None).await?;
        self.lock().publish_queue();
        Ok(())
    }

    /// Puts a conversation back in the queue, in order of request, after a failed assignment.
    fn requeue(&self, id: &ConversationId) {
        let mut state = self.lock();
        let Some(mut live) = state.conversations.change(id) else {
            return;
        };
        live.status = ConversationStatus::Queued;
        live.adviser = None;
        live.adviser_name = None;
        drop(live);
        state.enqueue(id);
        state.publish_queue();
    }

    /// Sends a held conversation's detail to one console connection, or to all of the
    /// holder's. Events are held back meanwhile so none is missed between the two.
    pub(super) async fn send_assigned(
        &self,
        id: &ConversationId,
        only: Option<&Peer>,
    ) -> Result<(), HubError> {
        let lock = self.append_lock(id)?;
        let _in_order = lock.lock().await;
        let frame = ServerMsg::Assigned {
            conversation: Box::new(self.detail(id).await?),
        };
        match only {
            Some(peer) => peer.send(frame),
            None => {
                let state = self.lock();
                if let Some(adviser) = state.conversations.get(id).and_then(|c| c.adviser.clone()) {
                    state.send_to_adviser(&adviser, &frame);
                }
            }
        }
        if self.cobrowse_running(id) {
            // A console that (re)joins gets the whole page, not an empty mirror.
            self.lock().send_to_visitors(
                id,
                &ServerMsg::CobrowseResync {
                    conversation_id: id.clone(),
                },
            );
        }
        Ok(())
    }
}
