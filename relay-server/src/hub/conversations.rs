//! The live conversations, with the number of chats each adviser has in progress kept up to
//! date on every change, because routing and every wait estimate read it and counting it
//! afresh over every conversation each time grows with the desk.

use super::state::Live;
use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use tandem_shared::model::ConversationStatus;
use tandem_shared::{AdviserId, ConversationId};

/// Chats in progress per adviser (Fx hash: adviser ids come from operators, not visitors).
pub(crate) type ActiveCounts = rustc_hash::FxHashMap<AdviserId, u32>;

/// The live conversations by id. Who holds a chat and whether it is in progress change only
/// through [`Conversations::change`], whose [`LiveMut`] fixes the counts when it is dropped;
/// [`Conversations::get_mut`] is for everything else (debug builds check that the counts
/// match the conversations each time they are read, so every test run checks this).
#[derive(Debug, Default)]
pub(crate) struct Conversations {
    by_id: HashMap<ConversationId, Live>,
    active: ActiveCounts,
}

/// A conversation being changed; its adviser's count is updated when this is dropped.
pub(crate) struct LiveMut<'a> {
    live: &'a mut Live,
    active: &'a mut ActiveCounts,
    counted_before: Option<AdviserId>,
}

/// The adviser a conversation counts for: its holder while it is in progress.
fn counted(live: &Live) -> Option<&AdviserId> {
    match live.status {
        ConversationStatus::Active => live.adviser.as_ref(),
        _ => None,
    }
}

fn add(active: &mut ActiveCounts, adviser: &AdviserId) {
    *active.entry(adviser.clone()).or_insert(0) += 1;
}

fn subtract(active: &mut ActiveCounts, adviser: &AdviserId) {
    if let Some(count) = active.get_mut(adviser) {
        *count = count.saturating_sub(1);
        if *count == 0 {
            active.remove(adviser);
        }
    }
}

impl Conversations {
    /// A conversation.
    pub fn get(&self, id: &ConversationId) -> Option<&Live> {
        self.by_id.get(id)
    }

    /// A conversation to change anything but its status and adviser (use
    /// [`Conversations::change`] for those).
    pub fn get_mut(&mut self, id: &ConversationId) -> Option<&mut Live> {
        self.by_id.get_mut(id)
    }

    /// A conversation whose status or adviser may change: the counts follow when the returned
    /// guard is dropped.
    pub fn change(&mut self, id: &ConversationId) -> Option<LiveMut<'_>> {
        let live = self.by_id.get_mut(id)?;
        let counted_before = counted(live).cloned();
        Some(LiveMut {
            live,
            active: &mut self.active,
            counted_before,
        })
    }

    /// Adds (or replaces) a conversation.
    pub fn insert(&mut self, id: ConversationId, live: Live) {
        if let Some(adviser) = counted(&live) {
            add(&mut self.active, adviser);
        }
        if let Some(old) = self.by_id.insert(id, live) {
            if let Some(adviser) = counted(&old) {
                subtract(&mut self.active, adviser);
            }
        }
    }

    /// Removes a conversation.
    pub fn remove(&mut self, id: &ConversationId) -> Option<Live> {
        let live = self.by_id.remove(id)?;
        if let Some(adviser) = counted(&live) {
            subtract(&mut self.active, adviser);
        }
        Some(live)
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Each conversation.
    pub fn values(&self) -> impl Iterator<Item = &Live> {
        self.by_id.values()
    }

    /// Each conversation with its id.
    pub fn iter(&self) -> impl Iterator<Item = (&ConversationId, &Live)> {
        self.by_id.iter()
    }

    /// Chats in progress per adviser (absent: none).
    pub fn active_counts(&self) -> &ActiveCounts {
        debug_assert_eq!(
            self.active,
            self.recount(),
            "chats in progress per adviser drifted from the conversations"
        );
        &self.active
    }

    /// The counts computed from scratch (what [`Conversations::active_counts`] must equal).
    fn recount(&self) -> ActiveCounts {
        let mut counts = ActiveCounts::default();
        for adviser in self.by_id.values().filter_map(counted) {
            add(&mut counts, adviser);
        }
        counts
    }
}

impl Deref for LiveMut<'_> {
    type Target = Live;

    fn deref(&self) -> &Live {
        self.live
    }
}

impl DerefMut for LiveMut<'_> {
    fn deref_mut(&mut self) -> &mut Live {
        self.live
    }
}

impl Drop for LiveMut<'_> {
    fn drop(&mut self) {
        let now = counted(self.live);
        if now != self.counted_before.as_ref() {
            if let Some(before) = &self.counted_before {
                subtract(self.active, before);
            }
            if let Some(adviser) = now {
                add(self.active, adviser);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiting() -> Live {
        let contact = crate::store::ContactLink {
            id: tandem_shared::ContactId("k".into()),
            matched: tandem_shared::model::ContactMatch::New,
        };
        let request = tandem_shared::model::ChatRequest {
            name: "Ana".into(),
            reason: "help".into(),
            queue: Some("general".into()),
            ..Default::default()
        };
        let channel = tandem_shared::model::Channel::Chat;
        let mut live = Live::requested(contact, &request, channel, 1, super::super::Peer::new().0);
        live.visitors.clear();
        live
    }

    fn give(conversations: &mut Conversations, id: &str, adviser: &str) {
        let mut live = conversations
            .change(&ConversationId(id.into()))
            .expect("the conversation");
        live.status = ConversationStatus::Active;
        live.adviser = Some(AdviserId::from(adviser));
    }

    fn count(conversations: &Conversations, adviser: &str) -> u32 {
        conversations
            .active_counts()
            .get(&AdviserId::from(adviser))
            .copied()
            .unwrap_or(0)
    }

    /// Taken, handed to a colleague, put back in the queue, ended, wrapped up, restored: the
    /// counts follow each change (and equal a recount, which `active_counts` checks).
    #[test]
    fn chats_in_progress_are_counted_through_every_change() {
        let mut conversations = Conversations::default();
        for id in ["a", "b", "c"] {
            conversations.insert(ConversationId(id.into()), waiting());
        }
        assert_eq!(count(&conversations, "lea"), 0);
        give(&mut conversations, "a", "lea");
        give(&mut conversations, "b", "lea");
        assert_eq!(count(&conversations, "lea"), 2);

        give(&mut conversations, "b", "tom");
        assert_eq!(
            (count(&conversations, "lea"), count(&conversations, "tom")),
            (1, 1)
        );

        if let Some(mut live) = conversations.change(&ConversationId("b".into())) {
            live.status = ConversationStatus::Queued;
            live.adviser = None;
        }
        assert_eq!(count(&conversations, "tom"), 0, "back in the queue");

        if let Some(mut live) = conversations.change(&ConversationId("a".into())) {
            live.status = ConversationStatus::Ended;
        }
        assert_eq!(
            count(&conversations, "lea"),
            0,
            "ended, awaiting its wrap-up"
        );
        conversations.remove(&ConversationId("a".into()));
        assert_eq!(count(&conversations, "lea"), 0);

        let mut restored = waiting();
        restored.status = ConversationStatus::Active;
        restored.adviser = Some(AdviserId::from("max"));
        conversations.insert(ConversationId("d".into()), restored);
        assert_eq!(count(&conversations, "max"), 1, "restored in progress");
        conversations.remove(&ConversationId("d".into()));
        assert_eq!(count(&conversations, "max"), 0);
        assert_eq!(conversations.len(), 2);
    }
}
