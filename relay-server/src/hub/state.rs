//! The hub's live state and the rules that read it: who is waiting, who can take a chat,
//! how long the wait is. Pure data, no I/O, never held across an `.await`.

use super::peer::{Frame, Peer};
use crate::hours::QueueSchedule;
use crate::time::now_ms;
use std::collections::HashMap;
use std::sync::Arc;
use tandem_shared::model::{
    AdviserProfile, Channel, ChatRequest, ConversationStatus, Presence, QueueEntry,
};
use tandem_shared::{AdviserId, ContactId, ConversationId, ServerMsg};

/// A conversation that is waiting, in progress, or ended awaiting its wrap-up.
#[derive(Debug)]
pub(crate) struct Live {
    pub contact_id: ContactId,
    /// How the visitor was matched to the contact.
    pub contact_match: tandem_shared::model::ContactMatch,
    pub visitor_name: String,
    pub company: Option<String>,
    pub reason: String,
    pub page_url: Option<String>,
    pub requested_at_ms: i64,
    pub status: ConversationStatus,
    pub adviser: Option<AdviserId>,
    pub adviser_name: Option<String>,
    /// Highest stored event number.
    pub last_seq: u64,
    /// Highest event number the visitor's screen showed (read receipts).
    pub visitor_seen: u64,
    /// Highest event number an adviser's screen showed.
    pub adviser_seen: u64,
    /// Held while an event is numbered, stored and broadcast, so events go out in order.
    pub append_lock: Arc<tokio::sync::Mutex<()>>,
    /// The visitor's open connections (several tabs).
    pub visitors: Vec<Peer>,
    /// When the last visitor connection closed (a waiting visitor gone too long has left).
    pub detached_at_ms: Option<i64>,
    /// The topic's queue.
    pub queue: String,
    /// The service level needed.
    pub level: u8,
    /// The visitor's language.
    pub locale: Option<String>,
    /// Handed over by an adviser at least once.
    pub transferred: bool,
    /// An adviser has answered at least once.
    pub responded: bool,
    /// The adviser asked to co-browse and the visitor has not answered yet.
    pub cobrowse_invited: bool,
    /// The co-browsing session in progress.
    pub cobrowse: Option<super::cobrowse::CobrowseLive>,
    /// How it was started.
    pub channel: Channel,
    /// Supervisors' consoles watching it (the visitor is not told).
    pub watchers: Vec<Watcher>,
}

/// A supervisor's console watching a chat.
#[derive(Debug, Clone)]
pub(crate) struct Watcher {
    /// Who watches.
    pub adviser: AdviserId,
    /// Their console connection.
    pub peer: Peer,
}

impl Live {
    /// A request just made through `channel` (stored already), waiting, with the visitor's
    /// connection attached. `request` is validated and names its queue.
    pub fn requested(
        contact: crate::store::ContactLink,
        request: &ChatRequest,
        channel: Channel,
        now_ms: i64,
        visitor: Peer,
    ) -> Live {
        Live {
            contact_id: contact.id,
            contact_match: contact.matched,
            visitor_name: request.name.clone(),
            company: request.company.clone(),
            reason: request.reason.clone(),
            page_url: request.page_url.clone(),
            requested_at_ms: now_ms,
            status: ConversationStatus::Queued,
            adviser: None,
            adviser_name: None,
            last_seq: 0,
            visitor_seen: 0,
            adviser_seen: 0,
            append_lock: Arc::default(),
            visitors: vec![visitor],
            detached_at_ms: None,
            queue: request
                .queue
                .clone()
                .unwrap_or_else(|| tandem_shared::desk::DEFAULT_QUEUE.to_owned()),
            level: tandem_shared::desk::MIN_LEVEL,
            locale: request.locale.clone(),
            transferred: false,
            responded: false,
            cobrowse_invited: false,
            cobrowse: None,
            channel,
            watchers: Vec::new(),
        }
    }
}

/// An adviser known to this relay since it started.
#[derive(Debug)]
pub(crate) struct AdviserLive {
    pub profile: AdviserProfile,
    pub presence: Presence,
    /// Open console connections; none means offline.
    pub peers: Vec<Peer>,
    /// When the adviser last got a chat (ties in assignment go to the longest idle).
    pub idle_since_ms: i64,
    /// Where their last console connected from (for the audit trail).
    pub address: Option<std::net::IpAddr>,
}

/// Everything the hub keeps in memory.
#[derive(Debug, Default)]
pub(crate) struct HubState {
    pub conversations: super::conversations::Conversations,
    /// Waiting conversations, first come first served.
    pub queue: Vec<ConversationId>,
    pub advisers: HashMap<AdviserId, AdviserLive>,
    /// Mean handling time of recent chats, for wait estimates.
    pub mean_handling_secs: f64,
    /// The queues by topic, with their hours.
    pub schedules: Vec<QueueSchedule>,
    /// Woken when the queue changed; the hub's publisher sends it out (see
    /// [`HubState::publish_queue`]).
    pub queue_changed: Arc<tokio::sync::Notify>,
    /// Woken when an adviser came, went or changed presence; the hub's publisher sends the
    /// colleague list out (see [`HubState::publish_colleagues`]).
    pub colleagues_changed: Arc<tokio::sync::Notify>,
    /// Each colleague as consoles were last told, so only changes are sent.
    pub colleagues_sent: HashMap<AdviserId, tandem_shared::desk::Colleague>,
    /// Visitors on the pre-chat form, by connection.
    pub lobby: HashMap<super::ConnId, super::lobby::LobbyVisitor>,
    /// The topics' availability as the form's visitors were last told.
    pub availability_sent: super::lobby::Availability,
    /// Visitors waiting for an adviser to type the code they read out on the phone.
    pub share_codes: super::share_codes::ShareCodes,
}

/// Chats in progress per adviser, kept by [`super::conversations::Conversations`].
pub(super) use super::conversations::ActiveCounts;

/// While the queue or the colleague list keeps changing, each is sent out at most this often.
pub const LIST_PUBLISH_EVERY: std::time::Duration = std::time::Duration::from_millis(150);

/// Seconds a visitor at `position` should expect to wait, or `None` when no available adviser
/// could answer. `free_slots` chats can start now; `capacity` chats run at once in all.
pub fn estimate_wait_secs(
    position: u32,
    free_slots: u32,
    capacity: u32,
    mean_handling_secs: f64,
) -> Option<u32> {
    if capacity == 0 {
        return None;
    }
    if position <= free_slots {
        return Some(0);
    }
    let ahead = f64::from(position - free_slots);
    let seconds = (ahead * mean_handling_secs / f64::from(capacity)).ceil();
    Some(seconds.clamp(0.0, f64::from(u32::MAX)) as u32)
}

impl HubState {
    /// Conversations an adviser holds (in progress, or ended awaiting the wrap-up).
    pub fn held_by(&self, adviser: &AdviserId) -> Vec<ConversationId> {
        let mut held: Vec<(&ConversationId, i64)> = self
            .conversations
            .iter()
            .filter(|(_, c)| c.adviser.as_ref() == Some(adviser))
            .map(|(id, c)| (id, c.requested_at_ms))
            .collect();
        held.sort_by_key(|(_, at)| *at);
        held.into_iter().map(|(id, _)| id.clone()).collect()
    }

    /// How many chats each adviser has in progress, kept up to date as conversations change
    /// because counting over every conversation at each decision grows with the desk.
    pub(super) fn active_counts(&self) -> &ActiveCounts {
        self.conversations.active_counts()
    }

    fn free_slots(counts: &ActiveCounts, adviser: &AdviserId, live: &AdviserLive) -> u32 {
        let active = counts.get(adviser).copied().unwrap_or(0);
        u32::from(live.presence.max_chats).saturating_sub(active)
    }

    fn available(&self) -> impl Iterator<Item = (&AdviserId, &AdviserLive)> {
        self.advisers
            .iter()
            .filter(|(_, a)| a.presence.available && !a.peers.is_empty())
    }

    /// The adviser who should get the next visitor waiting in `queue` at `level`: available,
    /// connected, serving that queue at that level or above, with the most free capacity;
    /// ties go to the one idle the longest.
    fn pick_adviser(&self, counts: &ActiveCounts, queue: &str, level: u8) -> Option<AdviserId> {
        self.available()
            .filter(|(_, live)| live.profile.serves(queue, level))
            .map(|(id, live)| (id, Self::free_slots(counts, id, live), live.idle_since_ms))
            .filter(|(_, free, _)| *free > 0)
            .max_by(|a, b| a.1.cmp(&b.1).then(b.2.cmp(&a.2)))
            .map(|(id, _, _)| id.clone())
    }

    /// The first waiting conversation that an available adviser can take now, with them.
    pub fn next_pairing(&self) -> Option<(ConversationId, AdviserId)> {
        let counts = self.active_counts();
        self.queue.iter().find_map(|id| {
            let live = self.conversations.get(id)?;
            let adviser = self.pick_adviser(counts, &live.queue, live.level)?;
            Some((id.clone(), adviser))
        })
    }

    /// Advisers with a console open.
    pub fn advisers_online(&self) -> u32 {
        let online = self
            .advisers
            .values()
            .filter(|a| !a.peers.is_empty())
            .count();
        u32::try_from(online).unwrap_or(u32::MAX)
    }

    /// The wait estimate for a position in `queue` at `level`, from the advisers available
    /// for it.
    pub(super) fn wait_estimate(
        &self,
        counts: &ActiveCounts,
        queue: &str,
        level: u8,
        position: u32,
    ) -> Option<u32> {
        let (free, capacity) = self
            .available()
            .filter(|(_, live)| live.profile.serves(queue, level))
            .fold((0, 0), |(free, capacity), (id, live)| {
                (
                    free + Self::free_slots(counts, id, live),
                    capacity + u32::from(live.presence.max_chats),
                )
            });
        estimate_wait_secs(position, free, capacity, self.mean_handling_secs)
    }

    /// A waiting conversation's place among those of its queue (1: next).
    pub fn position(&self, id: &ConversationId) -> Option<u32> {
        let queue = &self.conversations.get(id)?.queue;
        let ahead = self
            .queue
            .iter()
            .take_while(|queued| *queued != id)
            .filter(|queued| {
                self.conversations
                    .get(queued)
                    .is_some_and(|c| &c.queue == queue)
            })
            .count();
        self.queue
            .contains(id)
            .then(|| u32::try_from(ahead + 1).unwrap_or(u32::MAX))
    }

    /// The queue as one adviser sees it: the visitors they can serve.
    pub fn queue_entries(&self, profile: &AdviserProfile) -> Vec<QueueEntry> {
        self.queue
            .iter()
            .filter_map(|id| {
                let live = self.conversations.get(id)?;
                profile
                    .serves(&live.queue, live.level)
                    .then_some((id, live))
            })
            .zip(1u32..)
            .map(|((id, live), position)| QueueEntry {
                conversation_id: id.clone(),
                position,
                visitor_name: live.visitor_name.clone(),
                company: live.company.clone(),
                reason: live.reason.clone(),
                requested_at_ms: live.requested_at_ms,
                queue: live.queue.clone(),
                level: live.level,
                transferred: live.transferred,
            })
            .collect()
    }

    /// Has the queue sent out: at once when it was quiet, then at most every
    /// [`LIST_PUBLISH_EVERY`] while it keeps changing, because sending the whole queue to
    /// every adviser on every change costs queue × advisers per change.
    pub fn publish_queue(&self) {
        self.queue_changed.notify_one();
    }

    /// Sends each adviser their queue and each waiting visitor their place in it, now.
    pub fn publish_queue_now(&mut self) {
        self.publish_lobby();
        for adviser in self.advisers.values() {
            if adviser.peers.is_empty() {
                continue;
            }
            let entries = self.queue_entries(&adviser.profile);
            if let Some(frame) = Frame::encode(&ServerMsg::Queue { entries }) {
                for peer in &adviser.peers {
                    peer.send_frame(&frame);
                }
            }
        }
        let online = self.advisers_online();
        let counts = self.active_counts();
        for id in &self.queue {
            if let Some(frame) = self.queue_status_with(counts, id, online) {
                self.send_to_visitors(id, &frame);
            }
        }
    }

    /// The schedule of a queue.
    pub fn schedule(&self, key: &str) -> Option<&QueueSchedule> {
        self.schedules.iter().find(|s| s.key() == key)
    }

    /// Puts a conversation in the waiting queue, in order of request (a handed-over
    /// conversation keeps its original place).
    pub fn enqueue(&mut self, id: &ConversationId) {
        if self.queue.contains(id) {
            return;
        }
        let at = self.conversations.get(id).map(|c| c.requested_at_ms);
        let index = self.queue.partition_point(|queued| {
            self.conversations.get(queued).map(|c| c.requested_at_ms) <= at
        });
        self.queue.insert(index, id.clone());
    }

    /// A waiting visitor's queue status frame.
    pub fn queue_status(&self, id: &ConversationId, advisers_online: u32) -> Option<ServerMsg> {
        self.queue_status_with(self.active_counts(), id, advisers_online)
    }

    fn queue_status_with(
        &self,
        counts: &ActiveCounts,
        id: &ConversationId,
        advisers_online: u32,
    ) -> Option<ServerMsg> {
        let live = self.conversations.get(id)?;
        let position = self.position(id)?;
        Some(ServerMsg::QueueStatus {
            conversation_id: id.clone(),
            position,
            estimated_wait_secs: self.wait_estimate(counts, &live.queue, live.level, position),
            advisers_online,
        })
    }

    /// Sends a frame to the visitor's connections of a conversation.
    pub fn send_to_visitors(&self, id: &ConversationId, frame: &ServerMsg) {
        if let Some(frame) = Frame::encode(frame) {
            self.send_frame_to_visitors(id, &frame);
        }
    }

    fn send_frame_to_visitors(&self, id: &ConversationId, frame: &Frame) {
        if let Some(live) = self.conversations.get(id) {
            for peer in &live.visitors {
                peer.send_frame(frame);
            }
        }
    }

    /// Sends a frame to every connection of an adviser.
    pub fn send_to_adviser(&self, adviser: &AdviserId, frame: &ServerMsg) {
        if let Some(frame) = Frame::encode(frame) {
            self.send_frame_to_adviser(adviser, &frame);
        }
    }

    fn send_frame_to_adviser(&self, adviser: &AdviserId, frame: &Frame) {
        if let Some(live) = self.advisers.get(adviser) {
            for peer in &live.peers {
                peer.send_frame(frame);
            }
        }
    }

    /// Sends a frame to both sides of a conversation (encoded once for all of them).
    pub fn send_to_conversation(&self, id: &ConversationId, frame: &ServerMsg) {
        let Some(frame) = Frame::encode(frame) else {
            return;
        };
        self.send_frame_to_visitors(id, &frame);
        self.send_frame_to_desk(id, &frame);
    }

    /// Sends a frame to the advisers' side of a conversation: its adviser's consoles and the
    /// supervisors watching it.
    pub fn send_to_desk(&self, id: &ConversationId, frame: &ServerMsg) {
        if let Some(frame) = Frame::encode(frame) {
            self.send_frame_to_desk(id, &frame);
        }
    }

    fn send_frame_to_desk(&self, id: &ConversationId, frame: &Frame) {
        let Some(live) = self.conversations.get(id) else {
            return;
        };
        if let Some(adviser) = &live.adviser {
            self.send_frame_to_adviser(adviser, frame);
        }
        for watcher in &live.watchers {
            watcher.peer.send_frame(frame);
        }
    }

    /// Marks an adviser as just having been given a chat.
    pub fn touch_adviser(&mut self, adviser: &AdviserId) {
        if let Some(live) = self.advisers.get_mut(adviser) {
            live.idle_since_ms = now_ms();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::estimate_wait_secs;

    #[test]
    fn wait_estimates_follow_capacity() {
        assert_eq!(
            estimate_wait_secs(1, 0, 0, 300.0),
            None,
            "nobody can answer"
        );
        assert_eq!(estimate_wait_secs(1, 1, 2, 300.0), Some(0), "a free slot");
        assert_eq!(estimate_wait_secs(3, 0, 2, 300.0), Some(450));
        assert_eq!(
            estimate_wait_secs(3, 0, 4, 300.0),
            Some(225),
            "more advisers, shorter wait"
        );
    }
}

#[cfg(test)]
mod routing_tests {
    use super::*;

    fn adviser(state: &mut HubState, id: &str, level: u8, queues: &[&str], idle_since_ms: i64) {
        let (peer, inbox) = Peer::new();
        std::mem::forget(inbox);
        let profile = AdviserProfile {
            id: AdviserId::from(id),
            login: id.into(),
            display_name: id.into(),
            level,
            queues: queues.iter().map(|q| (*q).to_owned()).collect(),
            role: tandem_shared::access::AdviserRole::Adviser,
        };
        state.advisers.insert(
            AdviserId::from(id),
            AdviserLive {
                profile,
                presence: Presence {
                    available: true,
                    max_chats: 2,
                },
                peers: vec![peer],
                address: None,
                idle_since_ms,
            },
        );
    }

    #[test]
    fn the_pick_follows_queue_level_capacity_then_idle_time() {
        let mut state = HubState::default();
        adviser(&mut state, "lea", 1, &[], 100);
        adviser(&mut state, "tom", 1, &[], 50);
        adviser(&mut state, "max", 3, &["legal"], 10);
        assert_eq!(
            state.pick_adviser(state.active_counts(), "general", 1),
            Some(AdviserId::from("tom")),
            "a tie in capacity goes to the one idle the longest"
        );
        assert_eq!(
            state.pick_adviser(state.active_counts(), "general", 2),
            None,
            "nobody at level 2 serves general"
        );
        assert_eq!(
            state.pick_adviser(state.active_counts(), "legal", 2),
            Some(AdviserId::from("max"))
        );
        assert_eq!(
            state.pick_adviser(state.active_counts(), "legal", 1),
            Some(AdviserId::from("max")),
            "Léa and Tom serve every queue too; Max has been idle the longest"
        );
    }
}
