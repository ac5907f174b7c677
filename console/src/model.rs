//! The adviser's desk and how each frame from the relay changes it. Plain Rust, no browser.

use tandem_shared::desk::{Colleague, ColleagueMessage};
use tandem_shared::model::{
    AdviserProfile, Channel, ConversationDetail, ConversationStatus, Presence, QueueEntry,
};
use tandem_shared::{AdviserFrame, ConversationEvent, ConversationId, EventKind, Role};

pub use tandem_shared::pending::Pending;

/// One conversation the adviser holds.
#[derive(Clone, Debug, PartialEq)]
pub struct HeldChat {
    /// The conversation, contact, history and events.
    pub detail: ConversationDetail,
    /// The visitor is typing.
    pub visitor_typing: bool,
    /// Messages sent, not yet confirmed.
    pub pending: Vec<Pending>,
    /// Messages (and the request itself) not seen yet: arrived while another chat was shown
    /// or the console's tab was hidden.
    pub unread: u32,
    /// A supervisor watches it (another adviser holds it): read-only, whispers only.
    pub watching: bool,
}

impl HeldChat {
    /// The highest event number held.
    pub fn last_seq(&self) -> u64 {
        self.detail.events.last().map_or(0, |e| e.seq)
    }

    /// Over, waiting for the wrap-up.
    pub fn ended(&self) -> bool {
        self.detail.status == ConversationStatus::Ended
    }

    /// The page the visitor is on now: from their widget's latest word, else the page they
    /// asked from.
    pub fn current_page(&self) -> Option<String> {
        self.detail
            .visit
            .as_ref()
            .and_then(|v| v.current_page())
            .map(|p| p.url.clone())
            .or_else(|| self.detail.page_url.clone())
    }

    /// The number of the visitor's latest message (0 when none).
    pub fn latest_visitor_message(&self) -> u64 {
        self.detail
            .events
            .iter()
            .rev()
            .find_map(|e| match &e.kind {
                EventKind::Message { author, .. } if author.role == Role::Visitor => Some(e.seq),
                _ => None,
            })
            .unwrap_or(0)
    }

    /// True when the visitor's screen has shown the adviser's latest message («Seen»).
    pub fn own_message_seen(&self) -> bool {
        self.pending.is_empty()
            && self
                .detail
                .events
                .iter()
                .rev()
                .find_map(|e| match &e.kind {
                    EventKind::Message { author, .. } if author.role == Role::Adviser => {
                        Some(e.seq)
                    }
                    _ => None,
                })
                .is_some_and(|seq| seq <= self.detail.visitor_seen_seq)
    }

    /// True while the visitor shares their page.
    pub fn cobrowse_running(&self) -> bool {
        !self.ended()
            && self
                .detail
                .events
                .iter()
                .rev()
                .find_map(|e| match e.kind {
                    EventKind::CobrowseStarted => Some(true),
                    EventKind::CobrowseEnded { .. } => Some(false),
                    _ => None,
                })
                .unwrap_or(false)
    }
}

/// What a frame asks the console to do besides updating its state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Events are missing before the one received: ask for them.
    Sync {
        /// The conversation.
        conversation_id: ConversationId,
        /// The last event held.
        after_seq: u64,
    },
    /// Something the adviser should notice even in another tab.
    Attention(Attention),
    /// The relay greeted the console again as away while the adviser was available: it
    /// restarted, or another node took over, and forgot. Say it again.
    RestorePresence {
        /// What the adviser had chosen.
        presence: Presence,
    },
}

/// What calls the adviser's attention.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attention {
    /// A chat was just assigned to them.
    NewChat {
        /// The visitor's name.
        name: String,
        /// Why they asked.
        reason: String,
    },
    /// A visitor wrote.
    NewMessage {
        /// The visitor's name.
        name: String,
        /// What they wrote.
        body: String,
    },
}

/// Everything the console shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Desk {
    /// The logged-in adviser, once the relay greeted them.
    pub me: Option<AdviserProfile>,
    /// Availability and capacity, as the relay last said.
    pub presence: Option<Presence>,
    /// What the adviser last chose, until the relay says so: said again when the relay greets
    /// the console, so that a choice made while the socket was not open is not lost.
    pub chosen_presence: Option<Presence>,
    /// Visitors waiting, next first.
    pub queue: Vec<QueueEntry>,
    /// Conversations held, oldest first.
    pub chats: Vec<HeldChat>,
    /// The conversation on screen.
    pub selected: Option<ConversationId>,
    /// The last error from the relay.
    pub error: Option<String>,
    /// Every adviser seen, with presence (for transfers and questions).
    pub colleagues: Vec<Colleague>,
    /// Messages between advisers, oldest first.
    pub colleague_messages: Vec<ColleagueMessage>,
    /// The last hand-over made from this console ("handed over to level 2").
    pub notice: Option<String>,
    /// The console's tab is hidden: what arrives stays unread, even in the chat on screen.
    pub away: bool,
}

impl Desk {
    /// The chat with this id.
    pub fn chat(&self, id: &ConversationId) -> Option<&HeldChat> {
        self.chats.iter().find(|c| &c.detail.id == id)
    }

    fn chat_mut(&mut self, id: &ConversationId) -> Option<&mut HeldChat> {
        self.chats.iter_mut().find(|c| &c.detail.id == id)
    }

    /// Shows a chat and marks it read (once the adviser can see it).
    pub fn select(&mut self, id: &ConversationId) {
        let away = self.away;
        if let Some(chat) = self.chat_mut(id) {
            if !away {
                chat.unread = 0;
            }
            self.selected = Some(id.clone());
        }
    }

    /// The console's tab was hidden (`true`) or shown again: back, the chat on screen is read.
    pub fn set_away(&mut self, away: bool) {
        self.away = away;
        if let Some(id) = self.selected.clone() {
            self.select(&id);
        }
    }

    /// Stops showing a watched chat.
    pub fn unwatch(&mut self, id: &ConversationId) {
        self.chats.retain(|c| !(c.watching && &c.detail.id == id));
        if self.selected.as_ref() == Some(id) {
            self.selected = self.chats.first().map(|c| c.detail.id.clone());
        }
    }

    /// What the tab's title counts: unread messages of the chats held and visitors waiting.
    pub fn pending(&self) -> usize {
        let unread: u32 = self
            .chats
            .iter()
            .filter(|c| !c.watching)
            .map(|c| c.unread)
            .sum();
        usize::try_from(unread).unwrap_or(usize::MAX) + self.queue.len()
    }

    /// Puts changed colleagues in the list: replaced when known (same id), added otherwise,
    /// sorted by name as the whole list is.
    fn merge_colleagues(&mut self, changed: Vec<Colleague>) {
        for colleague in changed {
            match self.colleagues.iter_mut().find(|c| c.id == colleague.id) {
                Some(known) => *known = colleague,
                None => self.colleagues.push(colleague),
            }
        }
        self.colleagues
            .sort_by(|a, b| a.display_name.cmp(&b.display_name));
    }

    fn insert_event(&mut self, id: &ConversationId, event: ConversationEvent) -> Option<Effect> {
        let unseen = self.selected.as_ref() != Some(id) || self.away;
        let chat = self.chat_mut(id)?;
        let last = chat.last_seq();
        if let EventKind::Message { author, .. } = &event.kind {
            if author.role == Role::Visitor {
                chat.visitor_typing = false;
                if unseen && event.seq > last {
                    chat.unread += 1;
                }
            }
        }
        if matches!(event.kind, EventKind::Ended { .. }) {
            chat.detail.status = ConversationStatus::Ended;
            chat.visitor_typing = false;
        }
        let gap = event.seq > last + 1;
        let wrote = match &event.kind {
            EventKind::Message { author, body, .. }
                if author.role == Role::Visitor && event.seq > last =>
            {
                Some(Attention::NewMessage {
                    name: author.name.clone(),
                    body: body.clone(),
                })
            }
            _ => None,
        };
        tandem_shared::pending::insert_event(&mut chat.detail.events, &mut chat.pending, event);
        if gap {
            return Some(Effect::Sync {
                conversation_id: id.clone(),
                after_seq: last,
            });
        }
        wrote.map(Effect::Attention)
    }

    /// Applies a frame from the relay.
    pub fn apply(&mut self, frame: AdviserFrame) -> Option<Effect> {
        match frame {
            AdviserFrame::AdviserWelcome {
                adviser, presence, ..
            } => {
                self.me = Some(adviser);
                let before = self.presence.replace(presence);
                let forgotten = before.filter(|b| b.available && !presence.available);
                if let Some(chosen) = self.chosen_presence.or(forgotten) {
                    if chosen != presence {
                        return Some(Effect::RestorePresence { presence: chosen });
                    }
                    self.chosen_presence = None;
                }
            }
            AdviserFrame::PresenceChanged { presence } => {
                self.presence = Some(presence);
                if self.chosen_presence == Some(presence) {
                    self.chosen_presence = None;
                }
            }
            AdviserFrame::Queue { entries } => self.queue = entries,
            AdviserFrame::Assigned { conversation } => {
                let id = conversation.id.clone();
                let attention = Attention::NewChat {
                    name: conversation.contact.name.clone(),
                    reason: conversation.reason.clone(),
                };
                let new = match self.chat_mut(&id) {
                    // A chat watched until now was taken over: it is this console's now.
                    Some(chat) => {
                        chat.detail = *conversation;
                        std::mem::replace(&mut chat.watching, false)
                    }
                    None => {
                        self.chats.push(HeldChat {
                            detail: *conversation,
                            visitor_typing: false,
                            pending: Vec::new(),
                            unread: 1,
                            watching: false,
                        });
                        true
                    }
                };
                // A caller's code was just typed here: their chat comes on screen.
                let joined_by_code = new
                    && self
                        .chat(&id)
                        .is_some_and(|c| c.detail.channel == Channel::Phone);
                if self.selected.is_none() || joined_by_code {
                    self.select(&id);
                }
                // A chat the console held already (a reconnect) calls nobody.
                return new.then_some(Effect::Attention(attention));
            }
            AdviserFrame::Watching { conversation } => {
                let id = conversation.id.clone();
                match self.chat_mut(&id) {
                    Some(chat) => chat.detail = *conversation,
                    None => self.chats.push(HeldChat {
                        detail: *conversation,
                        visitor_typing: false,
                        pending: Vec::new(),
                        unread: 0,
                        watching: true,
                    }),
                }
                self.select(&id);
            }
            AdviserFrame::Seen {
                conversation_id,
                role: Role::Visitor,
                seq,
            } => {
                if let Some(chat) = self.chat_mut(&conversation_id) {
                    chat.detail.visitor_seen_seq = chat.detail.visitor_seen_seq.max(seq);
                }
            }
            AdviserFrame::VisitChanged {
                conversation_id,
                visit,
            } => {
                if let Some(chat) = self.chat_mut(&conversation_id) {
                    chat.detail.visit = Some(visit);
                }
            }
            AdviserFrame::Event {
                conversation_id,
                event,
            } => return self.insert_event(&conversation_id, event),
            AdviserFrame::Typing {
                conversation_id,
                role: Role::Visitor,
                active,
                ..
            } => {
                if let Some(chat) = self.chat_mut(&conversation_id) {
                    chat.visitor_typing = active;
                }
            }
            AdviserFrame::Colleagues { advisers } => self.colleagues = advisers,
            AdviserFrame::ColleaguesChanged { advisers } => self.merge_colleagues(advisers),
            AdviserFrame::Note {
                conversation_id,
                note,
            } => {
                if let Some(chat) = self.chat_mut(&conversation_id) {
                    chat.detail.notes.push(note);
                }
            }
            AdviserFrame::ColleagueMessage { message } => self.colleague_messages.push(message),
            AdviserFrame::Closed {
                conversation_id,
                transferred_to,
            } => {
                self.notice = transferred_to;
                self.chats.retain(|c| c.detail.id != conversation_id);
                if self.selected.as_ref() == Some(&conversation_id) {
                    self.selected = self.chats.first().map(|c| c.detail.id.clone());
                }
            }
            AdviserFrame::Error { message, .. } => self.error = Some(message),
            _ => {}
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_shared::model::ContactCard;
    use tandem_shared::{Author, ContactId};

    fn welcome(available: bool) -> AdviserFrame {
        AdviserFrame::AdviserWelcome {
            protocol: tandem_shared::PROTOCOL_VERSION,
            adviser: AdviserProfile {
                id: tandem_shared::AdviserId::from("lea"),
                login: "lea".into(),
                display_name: "Léa".into(),
                level: 1,
                queues: vec![],
                role: tandem_shared::access::AdviserRole::Adviser,
            },
            presence: Presence {
                available,
                max_chats: 3,
            },
        }
    }

    #[test]
    fn availability_forgotten_by_the_relay_is_restored_and_nothing_else() {
        let mut desk = Desk::default();
        assert_eq!(
            desk.apply(welcome(false)),
            None,
            "first greeting: as the relay says"
        );
        desk.apply(AdviserFrame::PresenceChanged {
            presence: Presence {
                available: true,
                max_chats: 3,
            },
        });
        assert_eq!(
            desk.apply(welcome(false)),
            Some(Effect::RestorePresence {
                presence: Presence {
                    available: true,
                    max_chats: 3
                }
            }),
            "greeted as away after a restart: available again"
        );
        assert_eq!(
            desk.apply(welcome(false)),
            None,
            "away as chosen stays away"
        );
    }

    /// Tried: the adviser picks "available" before the console's socket is open (the frame
    /// cannot go). The relay's greeting then brings the choice back, until the relay confirms
    /// it.
    #[test]
    fn a_choice_made_before_the_socket_opens_is_said_on_the_greeting() {
        let chosen = Presence {
            available: true,
            max_chats: 3,
        };
        let mut desk = Desk {
            chosen_presence: Some(chosen),
            ..Desk::default()
        };
        assert_eq!(
            desk.apply(welcome(false)),
            Some(Effect::RestorePresence { presence: chosen }),
            "greeted as away: the choice is sent"
        );
        desk.apply(AdviserFrame::PresenceChanged { presence: chosen });
        assert_eq!(desk.chosen_presence, None, "confirmed: nothing left to say");
        assert_eq!(desk.apply(welcome(true)), None, "greeted as chosen");
    }

    fn detail(id: &str) -> ConversationDetail {
        ConversationDetail {
            id: ConversationId::from(id),
            status: ConversationStatus::Active,
            reason: "Refund".into(),
            page_url: None,
            requested_at_ms: 0,
            contact: ContactCard {
                id: ContactId::from("p"),
                name: "Ana".into(),
                email: None,
                phone: None,
                company: None,
                verified_user_id: None,
            },
            contact_match: Default::default(),
            history: vec![],
            events: vec![],
            queue: "general".into(),
            level: 1,
            locale: None,
            notes: vec![],
            handovers: vec![],
            survey: None,
            visit: None,
            visitor_seen_seq: 0,
            adviser_seen_seq: 0,
            channel: Channel::Chat,
        }
    }

    fn visitor_message(id: &str, seq: u64) -> AdviserFrame {
        let author = Author {
            role: Role::Visitor,
            name: "Ana".into(),
        };
        let kind = EventKind::Message {
            author,
            body: "hi".into(),
            client_msg_id: Some(format!("v{seq}")),
            file: None,
        };
        AdviserFrame::Event {
            conversation_id: ConversationId::from(id),
            event: ConversationEvent {
                seq,
                at_ms: 0,
                kind,
            },
        }
    }

    #[test]
    fn the_first_assigned_chat_is_shown_and_others_are_marked_unread() {
        let mut desk = Desk::default();
        desk.apply(AdviserFrame::Assigned {
            conversation: Box::new(detail("a")),
        });
        desk.apply(AdviserFrame::Assigned {
            conversation: Box::new(detail("b")),
        });
        assert_eq!(desk.selected, Some(ConversationId::from("a")));
        assert!(desk
            .chat(&ConversationId::from("b"))
            .is_some_and(|c| c.unread > 0));
        desk.apply(visitor_message("a", 1));
        assert_eq!(
            desk.chat(&ConversationId::from("a")).map(|c| c.unread),
            Some(0),
            "the chat on screen is read"
        );
    }

    #[test]
    fn a_gap_in_event_numbers_asks_for_the_missing_events() {
        let mut desk = Desk::default();
        desk.apply(AdviserFrame::Assigned {
            conversation: Box::new(detail("a")),
        });
        assert!(matches!(
            desk.apply(visitor_message("a", 1)),
            Some(Effect::Attention(Attention::NewMessage { .. }))
        ));
        let effect = desk.apply(visitor_message("a", 4));
        assert_eq!(
            effect,
            Some(Effect::Sync {
                conversation_id: ConversationId::from("a"),
                after_seq: 1
            })
        );
        desk.apply(visitor_message("a", 4));
        assert_eq!(
            desk.chat(&ConversationId::from("a"))
                .map(|c| c.detail.events.len()),
            Some(2)
        );
    }

    /// Tried: the tab hidden while a chat arrives and the visitor writes, then shown again;
    /// a message replayed after a reconnect.
    #[test]
    fn away_from_the_tab_everything_stays_unread_and_calls_the_adviser_once() {
        let mut desk = Desk::default();
        desk.set_away(true);
        let called = desk.apply(AdviserFrame::Assigned {
            conversation: Box::new(detail("a")),
        });
        assert!(matches!(
            called,
            Some(Effect::Attention(Attention::NewChat { .. }))
        ));
        desk.apply(visitor_message("a", 1));
        assert_eq!(desk.pending(), 2, "the request and the message");
        assert_eq!(
            desk.apply(visitor_message("a", 1)),
            None,
            "a replay calls nobody"
        );
        assert_eq!(desk.pending(), 2);
        let again = desk.apply(AdviserFrame::Assigned {
            conversation: Box::new(detail("a")),
        });
        assert_eq!(again, None, "a chat held already (reconnect) calls nobody");
        desk.set_away(false);
        assert_eq!(
            desk.pending(),
            0,
            "back on the tab, the chat on screen is read"
        );
    }

    #[test]
    fn a_closed_chat_leaves_the_desk() {
        let mut desk = Desk::default();
        desk.apply(AdviserFrame::Assigned {
            conversation: Box::new(detail("a")),
        });
        desk.apply(AdviserFrame::Assigned {
            conversation: Box::new(detail("b")),
        });
        desk.apply(AdviserFrame::Closed {
            conversation_id: ConversationId::from("a"),
            transferred_to: None,
        });
        assert_eq!(desk.selected, Some(ConversationId::from("b")));
        assert_eq!(desk.chats.len(), 1);
    }

    #[test]
    fn a_watched_chat_is_shown_read_only_counts_nothing_and_becomes_mine_once_taken_over() {
        let mut desk = Desk::default();
        desk.apply(AdviserFrame::Watching {
            conversation: Box::new(detail("w")),
        });
        let id = ConversationId::from("w");
        assert!(desk.chat(&id).is_some_and(|c| c.watching));
        assert_eq!(
            desk.selected,
            Some(id.clone()),
            "the chat asked for comes on screen"
        );
        desk.set_away(true);
        desk.apply(AdviserFrame::Event {
            conversation_id: id.clone(),
            event: ConversationEvent {
                seq: 2,
                at_ms: 2,
                kind: EventKind::Message {
                    author: tandem_shared::Author {
                        role: Role::Visitor,
                        name: "Ana".into(),
                    },
                    body: "Bonjour".into(),
                    client_msg_id: None,
                    file: None,
                },
            },
        });
        assert_eq!(
            desk.pending(),
            0,
            "someone else's chat is not this desk's to answer"
        );
        desk.apply(AdviserFrame::Assigned {
            conversation: Box::new(detail("w")),
        });
        assert!(desk.chat(&id).is_some_and(|c| !c.watching), "taken over");
        desk.apply(AdviserFrame::Watching {
            conversation: Box::new(detail("v")),
        });
        desk.unwatch(&ConversationId::from("v"));
        desk.unwatch(&id);
        assert_eq!(desk.chats.len(), 1, "stop watching never drops a chat held");
    }

    fn colleague(id: &str, name: &str, online: bool) -> Colleague {
        Colleague {
            id: tandem_shared::AdviserId(id.into()),
            display_name: name.into(),
            level: 1,
            queues: Vec::new(),
            online,
            available: online,
        }
    }

    #[test]
    fn colleague_changes_update_the_list_in_place_and_add_newcomers_in_name_order() {
        let mut desk = Desk::default();
        desk.apply(AdviserFrame::Colleagues {
            advisers: vec![colleague("1", "Ana", true), colleague("2", "Max", true)],
        });
        desk.apply(AdviserFrame::ColleaguesChanged {
            advisers: vec![colleague("2", "Max", false), colleague("3", "Bea", true)],
        });
        let shown: Vec<(&str, bool)> = desk
            .colleagues
            .iter()
            .map(|c| (c.display_name.as_str(), c.online))
            .collect();
        assert_eq!(shown, [("Ana", true), ("Bea", true), ("Max", false)]);
    }
}
