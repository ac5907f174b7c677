//! The hub: the one owner of live conversations, the queue and adviser presence.
//!
//! Connections call its methods; it numbers and stores events in the CRM before broadcasting
//! them, so what a client sees is always durable. Its state sits behind a small lock that is
//! never held across an `.await`; a per-conversation async lock keeps each conversation's
//! events in order.
//!
//! - [`state`]: the data and the pure rules (queue, estimates, who gets the next chat).
//! - `visitors`, `advisers`: what each side may do.
//! - `share_codes`: co-browsing by phone (a code the visitor reads out, the adviser types).
//! - `assign`: pairing waiting visitors with advisers.
//! - [`peer`]: a connected client's outbox.

mod advisers;
mod assign;
mod cobrowse;
mod cobrowse_parts;
mod conversations;
mod desk;
mod directory;
mod error;
mod files;
mod gauges;
mod lobby;
pub mod peer;
mod receipts;
mod share_codes;
mod slot;
pub mod state;
mod tickets;
mod transcript;
mod visit;
mod visitors;
mod watch;

pub use error::HubError;
pub use files::Sharer;
pub use peer::{CloseReason, ConnId, Delivery, Frame, Peer, PeerInbox};
pub use slot::HubSlot;
pub use transcript::TranscriptToSend;

use crate::auth::VisitorTokens;
use crate::hours::QueueSchedule;
use crate::metrics::Telemetry;
use crate::store::{Appended, Store, StoreError};
use crate::time::now_ms;
use state::{HubState, Live};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tandem_shared::model::{ConversationDetail, ConversationStatus};
use tandem_shared::{ConversationEvent, ConversationId, EventKind, Role, ServerMsg};

/// Handling time assumed for wait estimates until real chats have been measured.
const DEFAULT_HANDLING_SECS: f64 = 300.0;

/// Live conversations, queue and advisers; shared by every connection.
#[derive(Debug)]
pub struct Hub {
    store: Store,
    tokens: VisitorTokens,
    state: Mutex<HubState>,
    /// Every open connection, greeted or not, so a shutdown can reach them all.
    connections: Mutex<HashMap<peer::ConnId, Peer>>,
    /// Woken when the last connection closes.
    drained: tokio::sync::Notify,
    /// Visitors who may wait at once.
    max_queue: usize,
    /// Live counters for `GET /metrics`.
    telemetry: Telemetry,
    /// How many share codes advisers may type.
    code_attempts: share_codes::CodeAttempts,
}

/// Keeps a connection registered with the hub while it is open.
#[derive(Debug)]
pub struct ConnectionGuard {
    hub: Arc<Hub>,
    id: peer::ConnId,
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        let mut connections = self
            .hub
            .connections
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        connections.remove(&self.id);
        if connections.is_empty() {
            self.hub.drained.notify_waiters();
        }
    }
}

impl Hub {
    /// A hub that picks up where the CRM store left off: waiting visitors are queued again,
    /// chats in progress stay with their adviser.
    pub async fn restore(
        store: Store,
        tokens: VisitorTokens,
        max_queue: usize,
    ) -> Result<Arc<Hub>, StoreError> {
        let mut state = HubState {
            mean_handling_secs: store
                .recent_handling_secs()
                .await?
                .unwrap_or(DEFAULT_HANDLING_SECS),
            schedules: load_schedules(&store).await?,
            ..HubState::default()
        };
        let restored_at = now_ms();
        for row in store.open_conversations().await? {
            let status = row.status()?;
            if status == ConversationStatus::Ended && row.adviser_id.is_none() {
                continue;
            }
            let id = ConversationId(row.id);
            if status == ConversationStatus::Queued {
                state.queue.push(id.clone());
            }
            let last_seq = store.last_seq(&id).await?;
            let level = u8::try_from(row.level).unwrap_or(tandem_shared::desk::MIN_LEVEL);
            state.conversations.insert(
                id,
                Live {
                    contact_id: tandem_shared::ContactId(row.contact_id),
                    contact_match: tandem_shared::model::ContactMatch::parse(&row.contact_match),
                    visitor_name: row.visitor_name,
                    company: row.company,
                    reason: row.reason,
                    page_url: row.page_url,
                    requested_at_ms: row.requested_at,
                    status,
                    adviser: row.adviser_id.map(tandem_shared::AdviserId),
                    adviser_name: row.adviser_name,
                    last_seq,
                    visitor_seen: u64::try_from(row.visitor_seen_seq).unwrap_or(0),
                    adviser_seen: u64::try_from(row.adviser_seen_seq).unwrap_or(0),
                    append_lock: Arc::default(),
                    visitors: Vec::new(),
                    detached_at_ms: Some(restored_at),
                    queue: row.queue,
                    level,
                    locale: row.locale,
                    transferred: false,
                    responded: row.first_response_at.is_some(),
                    cobrowse_invited: false,
                    cobrowse: None,
                    channel: tandem_shared::model::Channel::parse(&row.channel),
                    watchers: Vec::new(),
                },
            );
        }
        for open in store.open_cobrowse_sessions().await? {
            let id = ConversationId(open.conversation_id.clone());
            match state.conversations.get_mut(&id) {
                Some(live) if live.status == ConversationStatus::Active => {
                    live.cobrowse = Some(cobrowse::CobrowseLive {
                        session: open.id,
                        control: false,
                        last_url: open.last_url,
                        parts: Default::default(),
                    });
                }
                _ => {
                    store
                        .end_cobrowse(open.id, Role::System, restored_at)
                        .await?
                }
            }
        }
        tracing::info!(
            waiting = state.queue.len(),
            open = state.conversations.len(),
            "restored conversations from the CRM store"
        );
        Ok(Hub::with_state(store, tokens, max_queue, state))
    }

    /// A hub that serves nothing itself: a node of a cluster that does not lead holds one
    /// (its connections are forwarded to the leader's hub), so that a shutdown or a change of
    /// leader reaches them.
    pub fn standby(store: Store, tokens: VisitorTokens, max_queue: usize) -> Arc<Hub> {
        Hub::with_state(store, tokens, max_queue, HubState::default())
    }

    /// A standby hub with this hub's store and settings.
    pub fn standby_twin(&self) -> Arc<Hub> {
        Hub::standby(self.store.clone(), self.tokens.clone(), self.max_queue)
    }

    /// A hub restored from the store with this hub's settings: the leader's, when a node
    /// takes over.
    pub async fn restored_twin(&self) -> Result<Arc<Hub>, StoreError> {
        Hub::restore(self.store.clone(), self.tokens.clone(), self.max_queue).await
    }

    fn with_state(
        store: Store,
        tokens: VisitorTokens,
        max_queue: usize,
        state: HubState,
    ) -> Arc<Hub> {
        let queue_changed = state.queue_changed.clone();
        let colleagues_changed = state.colleagues_changed.clone();
        let telemetry = Telemetry::default();
        telemetry.know_queues(state.schedules.iter().map(|s| s.key()));
        let hub = Arc::new(Hub {
            store,
            tokens,
            state: Mutex::new(state),
            connections: Mutex::default(),
            drained: tokio::sync::Notify::new(),
            max_queue,
            telemetry,
            code_attempts: share_codes::CodeAttempts::default(),
        });
        tokio::spawn(publish_when_changed(
            Arc::downgrade(&hub),
            queue_changed,
            HubState::publish_queue_now,
            // Business hours open and close with no one acting: checked when it is quiet.
            HubState::publish_lobby,
        ));
        tokio::spawn(publish_when_changed(
            Arc::downgrade(&hub),
            colleagues_changed,
            HubState::publish_colleagues_now,
            |_| {},
        ));
        hub
    }

    /// Reads the queues again after their settings changed.
    pub async fn reload_queues(&self) -> Result<(), StoreError> {
        let schedules = load_schedules(&self.store).await?;
        self.telemetry
            .know_queues(schedules.iter().map(|s| s.key()));
        self.lock().schedules = schedules;
        Ok(())
    }

    /// Registers an open connection until the guard drops.
    pub fn register(self: &Arc<Self>, peer: &Peer) -> ConnectionGuard {
        self.connections
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(peer.id, peer.clone());
        ConnectionGuard {
            hub: self.clone(),
            id: peer.id,
        }
    }

    /// Open connections.
    pub fn connection_count(&self) -> usize {
        self.connections
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    /// Asks every connection to close (they flush what is queued first), and waits up to
    /// `grace` for them to be gone. Clients reconnect and resume from their last event.
    pub async fn drain(&self, reason: CloseReason, grace: Duration) {
        let peers: Vec<Peer> = self
            .connections
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect();
        tracing::info!(
            connections = peers.len(),
            "asking every client to reconnect"
        );
        let drained = self.drained.notified();
        tokio::pin!(drained);
        drained.as_mut().enable();
        for peer in &peers {
            peer.close(reason);
        }
        if self.connection_count() > 0 && tokio::time::timeout(grace, drained).await.is_err() {
            tracing::warn!(
                left = self.connection_count(),
                "some connections did not close in time"
            );
        }
    }

    /// The CRM store behind the hub.
    pub fn store(&self) -> &Store {
        &self.store
    }

    fn lock(&self) -> MutexGuard<'_, HubState> {
        // A panic while holding the lock leaves plain data behind; keep serving.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn append_lock(&self, id: &ConversationId) -> Result<Arc<tokio::sync::Mutex<()>>, HubError> {
        self.lock()
            .conversations
            .get(id)
            .map(|live| live.append_lock.clone())
            .ok_or(HubError::NotFound("no such conversation in progress"))
    }

    /// Numbers, stores and broadcasts an event. A message whose client id is already stored
    /// is not stored again: the stored event is sent back to `sender` as the acknowledgement.
    async fn append(
        &self,
        id: &ConversationId,
        kind: EventKind,
        sender: Option<&Peer>,
    ) -> Result<ConversationEvent, HubError> {
        let lock = self.append_lock(id)?;
        let _in_order = lock.lock().await;
        let seq = self.last_seq_of(id)? + 1;
        let event = ConversationEvent {
            seq,
            at_ms: now_ms(),
            kind,
        };
        if let Appended::Duplicate(stored) = self.store.append_event(id, &event).await? {
            if let Some(sender) = sender {
                sender.send(ServerMsg::Event {
                    conversation_id: id.clone(),
                    event: stored.clone(),
                });
            }
            return Ok(stored);
        }
        let mut state = self.lock();
        if let Some(live) = state.conversations.get_mut(id) {
            live.last_seq = seq;
        }
        state.send_to_conversation(
            id,
            &ServerMsg::Event {
                conversation_id: id.clone(),
                event: event.clone(),
            },
        );
        Ok(event)
    }

    /// Stores and broadcasts a chat message (already validated) from `author`.
    async fn append_message(
        &self,
        id: &ConversationId,
        author: tandem_shared::Author,
        body: String,
        client_msg_id: String,
        sender: &Peer,
    ) -> Result<(), HubError> {
        let role = author.role;
        let kind = EventKind::Message {
            author,
            body,
            client_msg_id: Some(client_msg_id),
            file: None,
        };
        self.append(id, kind, Some(sender)).await?;
        self.telemetry.count_message(role.as_str());
        Ok(())
    }

    fn last_seq_of(&self, id: &ConversationId) -> Result<u64, HubError> {
        self.lock()
            .conversations
            .get(id)
            .map(|live| live.last_seq)
            .ok_or(HubError::NotFound("no such conversation in progress"))
    }

    /// Ends a conversation on behalf of `by`. A conversation that never had an adviser is
    /// closed at once; otherwise it waits for the adviser's wrap-up.
    async fn end(&self, id: &ConversationId, by: Role) -> Result<(), HubError> {
        let (was_queued, adviser) = {
            let mut state = self.lock();
            let mut live = state
                .conversations
                .change(id)
                .filter(|live| live.status != ConversationStatus::Ended)
                .ok_or(HubError::NotFound("this conversation is already over"))?;
            let was_queued = live.status == ConversationStatus::Queued;
            live.status = ConversationStatus::Ended;
            let adviser = live.adviser.clone();
            drop(live);
            state.queue.retain(|queued| queued != id);
            (was_queued, adviser)
        };
        self.store.end_conversation(id, by, now_ms()).await?;
        if was_queued && adviser.is_none() {
            self.abandon(id).await?;
        }
        self.finish_cobrowse(id, by).await?;
        self.append(id, EventKind::Ended { by }, None).await?;
        let mean = self.store.recent_handling_secs().await?;
        {
            let mut state = self.lock();
            if let Some(mean) = mean {
                state.mean_handling_secs = mean;
            }
            if adviser.is_none() {
                state.conversations.remove(id);
            }
            if was_queued {
                state.publish_queue();
            }
        }
        if adviser.is_some() {
            self.assign_waiting().await;
        }
        Ok(())
    }

    /// Everything an adviser needs about one conversation.
    async fn detail(&self, id: &ConversationId) -> Result<ConversationDetail, HubError> {
        // What the hub holds, read under one lock (never held across the store's awaits).
        let (
            contact_id,
            contact_match,
            status,
            reason,
            page_url,
            requested_at_ms,
            queue,
            level,
            locale,
            visitor_seen_seq,
            adviser_seen_seq,
            channel,
        ) = {
            let state = self.lock();
            let live = state
                .conversations
                .get(id)
                .ok_or(HubError::NotFound("no such conversation"))?;
            (
                live.contact_id.clone(),
                live.contact_match,
                live.status,
                live.reason.clone(),
                live.page_url.clone(),
                live.requested_at_ms,
                live.queue.clone(),
                live.level,
                live.locale.clone(),
                live.visitor_seen,
                live.adviser_seen,
                live.channel,
            )
        };
        let contact = self
            .store
            .contact_card(&contact_id)
            .await?
            .ok_or(HubError::NotFound("the conversation's contact is missing"))?;
        Ok(ConversationDetail {
            id: id.clone(),
            status,
            reason,
            page_url,
            requested_at_ms,
            history: self.store.contact_history(&contact_id, id).await?,
            events: self.store.events_after(id, 0).await?,
            contact,
            contact_match,
            queue,
            level,
            locale,
            notes: self.store.notes(id).await?,
            handovers: self.store.handovers(id).await?,
            survey: self.store.survey(id).await?,
            visit: self.store.visit(id).await?,
            visitor_seen_seq,
            adviser_seen_seq,
            channel,
        })
    }
}

/// The queues with their hours; a queue whose settings no longer parse is skipped (and said).
async fn load_schedules(store: &Store) -> Result<Vec<QueueSchedule>, StoreError> {
    let mut schedules = Vec::new();
    for row in store.queues().await? {
        let key = row.key.clone();
        match QueueSchedule::new(row) {
            Ok(schedule) => schedules.push(schedule),
            Err(error) => tracing::error!(queue = %key, %error, "queue skipped"),
        }
    }
    Ok(schedules)
}

/// Sends something out (the queue, the colleague list) when it changed: at once after a quiet spell, then at most every
/// [`state::LIST_PUBLISH_EVERY`] (changes meanwhile are folded into the next sending);
/// `on_quiet` runs after 30 s without a change. Ends when the hub is gone.
async fn publish_when_changed(
    hub: std::sync::Weak<Hub>,
    changed: Arc<tokio::sync::Notify>,
    publish: fn(&mut HubState),
    on_quiet: fn(&mut HubState),
) {
    loop {
        let woken = tokio::time::timeout(Duration::from_secs(30), changed.notified()).await;
        let Some(hub) = hub.upgrade() else { return };
        if woken.is_ok() {
            publish(&mut hub.lock());
        } else {
            on_quiet(&mut hub.lock());
        }
        drop(hub);
        tokio::time::sleep(state::LIST_PUBLISH_EVERY).await;
    }
}
