//! What a visitor may do: ask for an adviser, resume, chat, type, end.

use super::state::Live;
use super::{Hub, HubError, Peer};
use crate::store::OpenConversation;
use crate::time::now_ms;
use tandem_shared::model::{Channel, ChatRequest, ConversationStatus, VisitorConversation};
use tandem_shared::site::SiteSettings;
use tandem_shared::{Author, ConversationId, Role, ServerMsg, PROTOCOL_VERSION};

impl Hub {
    pub(super) fn visitor_view(&self, id: &ConversationId, live: &Live) -> VisitorConversation {
        VisitorConversation {
            id: id.clone(),
            token: self.tokens.sign(id),
            status: live.status,
            adviser_name: live.adviser_name.clone(),
            visitor_name: live.visitor_name.clone(),
            last_seq: live.last_seq,
            adviser_seen_seq: live.adviser_seen,
        }
    }

    /// Registers a visitor's request (already validated; `verified_user` is the site's user id
    /// once its signature was checked), queues it and attaches the peer.
    pub async fn start_chat(
        &self,
        request: &ChatRequest,
        verified_user: Option<&str>,
        peer: &Peer,
    ) -> Result<Option<ConversationId>, HubError> {
        if self.lock().queue.len() >= self.max_queue {
            let message =
                "too many visitors are waiting right now; please try again later".to_owned();
            return Err(HubError::Protocol(
                tandem_shared::ErrorCode::QueueFull,
                message,
            ));
        }
        let queue = self.known_queue(request)?;
        let now = now_ms();
        let open = self
            .lock()
            .schedule(&queue)
            .is_some_and(|schedule| schedule.is_open(now));
        if !open {
            // Outside business hours nobody will answer the chat: the request is kept as a
            // message, and the visitor told when they will be answered.
            tracing::info!(queue = %queue, "chat request outside business hours became a ticket");
            self.leave_message(request, verified_user, None, peer)
                .await?;
            return Ok(None);
        }
        let request = &ChatRequest {
            queue: Some(queue.clone()),
            ..request.clone()
        };
        let contact = self
            .store
            .upsert_contact(request, verified_user, now)
            .await?;
        let id = ConversationId(uuid::Uuid::new_v4().to_string());
        self.store
            .create_conversation(&id, &contact, request, Channel::Chat, now)
            .await?;
        {
            let mut state = self.lock();
            let live = Live::requested(contact, request, Channel::Chat, now, peer.clone());
            peer.send(ServerMsg::ChatStarted {
                conversation: self.visitor_view(&id, &live),
            });
            state.conversations.insert(id.clone(), live);
            state.enqueue(&id);
            state.publish_queue();
        }
        self.telemetry.count_request(&queue);
        tracing::info!(conversation = %id, queue = %queue, "visitor asked for an adviser");
        self.assign_waiting().await;
        Ok(Some(id))
    }

    /// Reattaches a visitor to the conversation of `token` and sends them the welcome, every
    /// event after `last_seq`, and their place in the queue. Returns the conversation when it
    /// is still open (an ended one is shown but not attached).
    pub async fn resume_visitor(
        &self,
        token: &str,
        last_seq: u64,
        site: &SiteSettings,
        peer: &Peer,
    ) -> Result<Option<ConversationId>, HubError> {
        let (id, row) = self.conversation_of_site(token, &site.key).await?;
        let Ok(lock) = self.append_lock(&id) else {
            return self
                .show_closed(&id, row, token, last_seq, site, peer)
                .await
                .map(|()| None);
        };
        // No event can be appended while the replay is sent, so nothing is missed or reordered.
        let _in_order = lock.lock().await;
        let view = {
            let mut state = self.lock();
            let live = state
                .conversations
                .get_mut(&id)
                .ok_or(HubError::NotFound("no such conversation"))?;
            live.visitors.push(peer.clone());
            live.detached_at_ms = None;
            self.visitor_view(&id, live)
        };
        let ended = view.status == ConversationStatus::Ended;
        peer.send(self.welcome(Some(view), site));
        for event in self.store.events_after(&id, last_seq).await? {
            peer.send(ServerMsg::Event {
                conversation_id: id.clone(),
                event,
            });
        }
        let state = self.lock();
        if let Some(frame) = state.queue_status(&id, state.advisers_online()) {
            peer.send(frame);
        }
        Ok((!ended).then_some(id))
    }

    /// The conversation `token` opens, with its stored row, when it was started on `site` and
    /// has not lapsed (30 days after its end): a token copied to another site, or kept for
    /// months, opens nothing.
    pub(crate) async fn conversation_of_site(
        &self,
        token: &str,
        site: &str,
    ) -> Result<(ConversationId, OpenConversation), HubError> {
        let id = self.tokens.verify(token).ok_or(HubError::Unauthorized)?;
        let row = self
            .store
            .conversation(&id)
            .await?
            .ok_or(HubError::NotFound("no such conversation"))?;
        if row.site != site {
            tracing::info!(conversation = %id, "a visitor token was used on another site");
            return Err(HubError::Unauthorized);
        }
        if !crate::auth::visitor_token::still_opens(row.ended_at, now_ms()) {
            return Err(HubError::Unauthorized);
        }
        Ok((id, row))
    }

    /// Sends a closed conversation's transcript to a visitor who comes back to it.
    async fn show_closed(
        &self,
        id: &ConversationId,
        row: OpenConversation,
        token: &str,
        last_seq: u64,
        site: &SiteSettings,
        peer: &Peer,
    ) -> Result<(), HubError> {
        let view = VisitorConversation {
            id: id.clone(),
            token: token.to_owned(),
            status: ConversationStatus::Ended,
            adviser_name: row.adviser_name,
            visitor_name: row.visitor_name,
            last_seq: self.store.last_seq(id).await?,
            adviser_seen_seq: u64::try_from(row.adviser_seen_seq).unwrap_or(0),
        };
        peer.send(self.welcome(Some(view), site));
        for event in self.store.events_after(id, last_seq).await? {
            peer.send(ServerMsg::Event {
                conversation_id: id.clone(),
                event,
            });
        }
        Ok(())
    }

    /// A visitor's message (already validated); allowed while waiting and while chatting.
    pub async fn visitor_send(
        &self,
        id: &ConversationId,
        client_msg_id: String,
        body: String,
        peer: &Peer,
    ) -> Result<(), HubError> {
        let name = {
            let state = self.lock();
            let live = state
                .conversations
                .get(id)
                .ok_or(HubError::NotFound("no such conversation"))?;
            if live.status == ConversationStatus::Ended {
                return Err(HubError::NotFound("this conversation is over"));
            }
            live.visitor_name.clone()
        };
        let author = Author {
            role: Role::Visitor,
            name,
        };
        self.append_message(id, author, body, client_msg_id, peer)
            .await
    }

    /// Tells the adviser whether the visitor is typing.
    pub fn visitor_typing(&self, id: &ConversationId, active: bool) {
        let state = self.lock();
        let Some(live) = state.conversations.get(id) else {
            return;
        };
        if let Some(adviser) = &live.adviser {
            let frame = ServerMsg::Typing {
                conversation_id: id.clone(),
                role: Role::Visitor,
                name: live.visitor_name.clone(),
                active,
            };
            state.send_to_adviser(adviser, &frame);
        }
    }

    /// The visitor ends their conversation.
    pub async fn visitor_end(&self, id: &ConversationId) -> Result<(), HubError> {
        self.end(id, Role::Visitor).await
    }

    /// Whether the conversation is waiting or in progress.
    pub fn is_open(&self, id: &ConversationId) -> bool {
        self.lock()
            .conversations
            .get(id)
            .is_some_and(|live| live.status != ConversationStatus::Ended)
    }

    /// A visitor's connection closed.
    pub fn detach_visitor(&self, id: &ConversationId, peer: &Peer) {
        if let Some(live) = self.lock().conversations.get_mut(id) {
            live.visitors.retain(|p| p.id != peer.id);
            if live.visitors.is_empty() {
                live.detached_at_ms = Some(now_ms());
            }
        }
    }

    /// The welcome frame, with the queues a visitor of `site` can pick and whether each can
    /// answer now.
    pub fn welcome(
        &self,
        conversation: Option<VisitorConversation>,
        site: &SiteSettings,
    ) -> ServerMsg {
        let mut queues = self.lock().queue_infos(now_ms());
        queues.retain(|queue| site.offers_queue(&queue.key));
        ServerMsg::VisitorWelcome {
            protocol: PROTOCOL_VERSION,
            conversation,
            queues,
        }
    }

    /// The keys of the queues of `site` an adviser can answer now.
    pub fn available_queues(&self, site: &SiteSettings) -> Vec<String> {
        let mut queues = self.lock().queue_infos(now_ms());
        queues.retain(|queue| queue.available && site.offers_queue(&queue.key));
        queues.into_iter().map(|queue| queue.key).collect()
    }
}
