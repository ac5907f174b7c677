//! What an adviser may do: come online, set presence, chat, end, wrap up.

use super::state::AdviserLive;
use super::{Hub, HubError, Peer};
use crate::time::now_ms;
use tandem_shared::limits::MAX_CHATS_PER_ADVISER;
use tandem_shared::model::{AdviserProfile, ConversationStatus, Presence, WrapUp};
use tandem_shared::{AdviserId, Author, ConversationId, Role, ServerMsg, PROTOCOL_VERSION};

impl Hub {
    /// Attaches a console connection: sends the welcome, the queue, and every conversation
    /// the adviser holds. A newly seen adviser starts away, with their saved capacity.
    pub async fn attach_adviser(
        &self,
        profile: AdviserProfile,
        saved_max_chats: u8,
        peer: &Peer,
        address: Option<std::net::IpAddr>,
    ) -> Result<(), HubError> {
        let adviser = profile.id.clone();
        let profile_for_queue = profile.clone();
        let held = {
            let mut state = self.lock();
            let live = state
                .advisers
                .entry(adviser.clone())
                .or_insert_with(|| AdviserLive {
                    profile: profile.clone(),
                    presence: Presence {
                        available: false,
                        max_chats: saved_max_chats.clamp(1, MAX_CHATS_PER_ADVISER),
                    },
                    peers: Vec::new(),
                    idle_since_ms: now_ms(),
                    address,
                });
            // Level and queues may have changed since the adviser was last seen.
            live.profile = profile.clone();
            live.peers.push(peer.clone());
            live.address = address.or(live.address);
            let presence = live.presence;
            peer.send(ServerMsg::AdviserWelcome {
                protocol: PROTOCOL_VERSION,
                adviser: profile,
                presence,
            });
            peer.send(ServerMsg::Queue {
                entries: state.queue_entries(&profile_for_queue),
            });
            for frame in state.colleagues_frames() {
                peer.send(frame);
            }
            state.publish_queue();
            state.publish_colleagues();
            state.held_by(&adviser)
        };
        for id in held {
            self.send_assigned(&id, Some(peer)).await?;
        }
        Ok(())
    }

    /// A console connection closed. The adviser keeps their chats and can come back.
    pub fn detach_adviser(&self, adviser: &AdviserId, peer: &Peer) {
        let mut state = self.lock();
        if let Some(live) = state.advisers.get_mut(adviser) {
            live.peers.retain(|p| p.id != peer.id);
        }
        state.publish_queue();
        state.publish_colleagues();
        drop(state);
        self.forget_watcher(peer);
    }

    /// Closes every console connection of `adviser` (logged out, password changed): a
    /// console whose login is still valid reconnects, one whose login ended cannot.
    pub fn close_consoles(&self, adviser: &AdviserId) {
        let peers = self
            .lock()
            .advisers
            .get(adviser)
            .map(|live| live.peers.clone())
            .unwrap_or_default();
        for peer in peers {
            peer.close(super::CloseReason::LoggedOut);
        }
    }

    /// Closes the consoles of advisers who hold no valid login any more (password changed,
    /// disabled, logins expired).
    pub async fn close_revoked_consoles(&self) -> Result<(), HubError> {
        let connected: Vec<AdviserId> = self
            .lock()
            .advisers
            .iter()
            .filter(|(_, live)| !live.peers.is_empty())
            .map(|(id, _)| id.clone())
            .collect();
        if connected.is_empty() {
            return Ok(());
        }
        let logged_in = self.store.advisers_logged_in(now_ms()).await?;
        for adviser in connected.iter().filter(|id| !logged_in.contains(id)) {
            tracing::info!(%adviser, "closing the consoles of an adviser whose login ended");
            self.close_consoles(adviser);
        }
        Ok(())
    }

    /// Changes availability and capacity; an available adviser is given waiting visitors.
    pub async fn set_presence(
        &self,
        adviser: &AdviserId,
        presence: Presence,
    ) -> Result<(), HubError> {
        let presence = Presence {
            max_chats: presence.max_chats.clamp(1, MAX_CHATS_PER_ADVISER),
            ..presence
        };
        self.store
            .set_adviser_capacity(adviser, presence.max_chats)
            .await?;
        {
            let mut state = self.lock();
            let live = state
                .advisers
                .get_mut(adviser)
                .ok_or(HubError::Forbidden("this adviser is not connected"))?;
            live.presence = presence;
            state.send_to_adviser(adviser, &ServerMsg::PresenceChanged { presence });
            state.publish_queue();
            state.publish_colleagues();
        }
        self.assign_waiting().await;
        Ok(())
    }

    /// The adviser as the audit trail names them (login, and their console's address).
    pub(crate) fn actor(&self, adviser: &AdviserId) -> crate::store::Actor {
        let state = self.lock();
        let live = state.advisers.get(adviser);
        crate::store::Actor::adviser(
            adviser.as_str(),
            live.map_or(adviser.as_str(), |a| a.profile.login.as_str()),
            live.and_then(|a| a.address),
        )
    }

    /// Checks that `adviser` holds `id` and returns the adviser's display name and the status.
    pub(crate) fn holder(
        &self,
        adviser: &AdviserId,
        id: &ConversationId,
    ) -> Result<(String, ConversationStatus), HubError> {
        let state = self.lock();
        let live = state
            .conversations
            .get(id)
            .ok_or(HubError::NotFound("no such conversation in progress"))?;
        if live.adviser.as_ref() != Some(adviser) {
            return Err(HubError::Forbidden("this conversation is not yours"));
        }
        let name = state
            .advisers
            .get(adviser)
            .map(|a| a.profile.display_name.clone())
            .unwrap_or_default();
        Ok((name, live.status))
    }

    /// An adviser's message (already validated) in a chat they hold.
    pub async fn adviser_send(
        &self,
        adviser: &AdviserId,
        id: &ConversationId,
        client_msg_id: String,
        body: String,
        peer: &Peer,
    ) -> Result<(), HubError> {
        let (name, status) = self.holder(adviser, id)?;
        if status != ConversationStatus::Active {
            return Err(HubError::Conflict("this conversation is over"));
        }
        let author = Author {
            role: Role::Adviser,
            name,
        };
        self.append_message(id, author, body, client_msg_id, peer)
            .await?;
        let first = self
            .lock()
            .conversations
            .get_mut(id)
            .is_some_and(|live| !std::mem::replace(&mut live.responded, true));
        if first {
            self.store.first_response(id, now_ms()).await?;
        }
        Ok(())
    }

    /// Tells the visitor whether the adviser is typing.
    pub fn adviser_typing(
        &self,
        adviser: &AdviserId,
        id: &ConversationId,
        active: bool,
    ) -> Result<(), HubError> {
        let (name, _) = self.holder(adviser, id)?;
        let frame = ServerMsg::Typing {
            conversation_id: id.clone(),
            role: Role::Adviser,
            name,
            active,
        };
        self.lock().send_to_visitors(id, &frame);
        Ok(())
    }

    /// Sends the events of a held conversation after `after_seq` (to fill a gap).
    pub async fn sync(
        &self,
        adviser: &AdviserId,
        id: &ConversationId,
        after_seq: u64,
        peer: &Peer,
    ) -> Result<(), HubError> {
        self.holder(adviser, id)?;
        for event in self.store.events_after(id, after_seq).await? {
            peer.send(ServerMsg::Event {
                conversation_id: id.clone(),
                event,
            });
        }
        Ok(())
    }

    /// The adviser ends a chat they hold.
    pub async fn adviser_end(
        &self,
        adviser: &AdviserId,
        id: &ConversationId,
    ) -> Result<(), HubError> {
        self.holder(adviser, id)?;
        self.end(id, Role::Adviser).await
    }

    /// Stores the wrap-up (already validated) of an ended chat and closes it.
    pub async fn wrap_up(
        &self,
        adviser: &AdviserId,
        id: &ConversationId,
        wrap_up: &WrapUp,
    ) -> Result<(), HubError> {
        let (_, status) = self.holder(adviser, id)?;
        if status != ConversationStatus::Ended {
            return Err(HubError::Conflict("end the chat before its wrap-up"));
        }
        self.store
            .save_wrap_up(id, adviser, wrap_up, now_ms())
            .await?;
        let mut state = self.lock();
        state.conversations.remove(id);
        state.send_to_adviser(
            adviser,
            &ServerMsg::Closed {
                conversation_id: id.clone(),
                transferred_to: None,
            },
        );
        tracing::info!(conversation = %id, resolution = wrap_up.resolution.as_str(), "conversation wrapped up");
        Ok(())
    }
}
