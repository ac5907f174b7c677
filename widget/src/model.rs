//! The widget's state and how each frame from the relay changes it. Plain Rust, no browser:
//! the view only displays it.

use tandem_shared::desk::{QueueInfo, VisitorTicket};
use tandem_shared::model::{ConversationStatus, VisitorConversation};
use tandem_shared::{ConversationEvent, ErrorCode, EventKind, Role, VisitorFrame};

/// Which screen the panel shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    /// The pre-chat form.
    Form,
    /// Waiting for an adviser.
    Waiting,
    /// Chatting.
    Chatting,
    /// The chat is over.
    Ended,
    /// A message or callback was left: the acknowledgement.
    TicketLeft,
    /// The code to read out to an adviser on the phone.
    ShareCode,
}

/// Where the visitor is in sharing their page by phone (before an adviser typed the code).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PhoneShare {
    /// The code was asked for.
    Asking,
    /// The code to read out, and when it stops working (ms since the epoch).
    Code(String, i64),
    /// The code stopped working before an adviser typed it.
    Lapsed,
}

/// The visitor's place in the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueuePlace {
    /// 1 means next.
    pub position: u32,
    /// Estimated wait in seconds; none when no adviser can answer now.
    pub estimated_wait_secs: Option<u32>,
    /// Advisers online.
    pub advisers_online: u32,
}

pub use tandem_shared::pending::Pending;

/// What a frame asks the widget to do besides updating its state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Keep this token to resume after a reload.
    RememberToken(String),
    /// The conversation cannot be resumed: forget the token.
    ForgetToken,
    /// Keep this ticket's token, to read the answer on a later visit.
    RememberTicket(String),
    /// The share code died with the connection: ask for a new one.
    AskShareCode,
}

/// Everything the widget knows about the visitor's chat.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChatModel {
    /// The conversation, once started or resumed.
    pub conversation: Option<VisitorConversation>,
    /// Stored events, in order, without duplicates.
    pub events: Vec<ConversationEvent>,
    /// Messages sent but not yet confirmed.
    pub pending: Vec<Pending>,
    /// Place in the queue while waiting.
    pub queue: Option<QueuePlace>,
    /// The adviser's name while they type.
    pub adviser_typing: Option<String>,
    /// The last error from the relay, with the field it concerns.
    pub error: Option<(ErrorCode, Option<String>, String)>,
    /// The topics the visitor can pick, and whether each can answer now.
    pub queues: Vec<QueueInfo>,
    /// Tickets this visitor left (the newest last), with answers once given.
    pub tickets: Vec<VisitorTicket>,
    /// The ticket just left, whose acknowledgement is on screen.
    pub acknowledged: Option<VisitorTicket>,
    /// The survey of the ended chat was stored.
    pub survey_saved: bool,
    /// Events up to this number were sent before this page held the conversation (a replay
    /// after a reload); later ones happen now.
    pub replayed_through: u64,
    /// The text last sent for knowledge-base suggestions.
    pub suggest_text: String,
    /// Articles suggested for it, best first.
    pub suggestions: Vec<tandem_shared::faq::Suggestion>,
    /// The highest event number the adviser's screen has shown (read receipts).
    pub adviser_seen: u64,
    /// Where the transcript was emailed (partly hidden), once it was.
    pub transcript_sent_to: Option<String>,
    /// Sharing the page by phone, until an adviser typed the code.
    pub phone_share: Option<PhoneShare>,
}

impl ChatModel {
    /// The screen to show.
    pub fn screen(&self) -> Screen {
        match self.conversation.as_ref().map(|c| c.status) {
            None if self.acknowledged.is_some() => Screen::TicketLeft,
            None if self.phone_share.is_some() => Screen::ShareCode,
            None => Screen::Form,
            Some(_) if self.has_ended() => Screen::Ended,
            Some(ConversationStatus::Ended) => Screen::Ended,
            Some(_) if self.adviser_name().is_none() => Screen::Waiting,
            Some(_) => Screen::Chatting,
        }
    }

    fn has_ended(&self) -> bool {
        self.events
            .iter()
            .any(|e| matches!(e.kind, EventKind::Ended { .. }))
    }

    /// Who ended the chat, once it has ended.
    pub fn ended_by(&self) -> Option<Role> {
        self.events.iter().find_map(|e| match e.kind {
            EventKind::Ended { by } => Some(by),
            _ => None,
        })
    }

    /// The adviser's name, once one has joined.
    pub fn adviser_name(&self) -> Option<String> {
        // The latest join, unless a hand-over came after it (the visitor waits again).
        let latest = self.events.iter().rev().find_map(|e| match &e.kind {
            EventKind::AdviserJoined { name } => Some(Some(name.clone())),
            EventKind::Transferred { .. } => Some(None),
            _ => None,
        });
        latest.unwrap_or_else(|| {
            self.conversation
                .as_ref()
                .and_then(|c| c.adviser_name.clone())
        })
    }

    /// True while co-browsing runs: started, not stopped, chat not over.
    pub fn cobrowse_running(&self) -> bool {
        if self.has_ended() {
            return false;
        }
        self.events
            .iter()
            .rev()
            .find_map(|e| match e.kind {
                EventKind::CobrowseStarted => Some(true),
                EventKind::CobrowseEnded { .. } => Some(false),
                _ => None,
            })
            .unwrap_or(false)
    }

    /// True when the adviser's screen has shown the visitor's latest message («Seen»).
    pub fn own_message_seen(&self) -> bool {
        let latest_own = self.events.iter().rev().find_map(|e| match &e.kind {
            EventKind::Message { author, .. } if author.role == Role::Visitor => Some(e.seq),
            _ => None,
        });
        latest_own.is_some_and(|seq| seq <= self.adviser_seen)
    }

    /// The number of the adviser's latest message (0 when none): what the visitor's screen
    /// shows once the panel is open.
    pub fn latest_adviser_message(&self) -> u64 {
        self.events
            .iter()
            .rev()
            .find_map(|e| match &e.kind {
                EventKind::Message { author, .. } if author.role != Role::Visitor => Some(e.seq),
                _ => None,
            })
            .unwrap_or(0)
    }

    /// The highest event number held (sent in `hello` to resume).
    pub fn last_seq(&self) -> u64 {
        self.events.last().map_or(0, |e| e.seq)
    }

    /// Inserts an event in order, ignoring one already held.
    fn insert_event(&mut self, event: ConversationEvent) {
        if matches!(
            event.kind,
            EventKind::AdviserJoined { .. } | EventKind::Ended { .. }
        ) {
            self.queue = None;
        }
        if matches!(event.kind, EventKind::Transferred { .. }) {
            self.adviser_typing = None;
        }
        if matches!(event.kind, EventKind::Ended { .. }) {
            self.adviser_typing = None;
        }
        tandem_shared::pending::insert_event(&mut self.events, &mut self.pending, event);
    }

    /// The event of `frame` when it happens now: not held yet and not a replay of the past.
    pub fn live_event<'a>(&self, frame: &'a VisitorFrame) -> Option<&'a ConversationEvent> {
        let VisitorFrame::Event { event, .. } = frame else {
            return None;
        };
        let held = self.events.iter().any(|e| e.seq == event.seq);
        (!held && event.seq > self.replayed_through).then_some(event)
    }

    /// Applies a frame from the relay.
    pub fn apply(&mut self, frame: VisitorFrame) -> Option<Effect> {
        match frame {
            VisitorFrame::VisitorWelcome {
                conversation,
                queues,
                ..
            } => {
                self.queues = queues;
                self.welcome(conversation)
            }
            VisitorFrame::QueuesChanged { queues } => {
                self.queues = queues;
                None
            }
            VisitorFrame::Ticket { ticket, new } => {
                let token = ticket.token.clone();
                self.tickets.retain(|t| t.id != ticket.id);
                self.tickets.push(ticket.clone());
                if new {
                    self.error = None;
                    self.acknowledged = Some(ticket);
                    return Some(Effect::RememberTicket(token));
                }
                None
            }
            VisitorFrame::Suggestions { text, articles } => {
                // Answers to text typed since are stale: only the latest counts.
                if text == self.suggest_text {
                    self.suggestions = articles;
                }
                None
            }
            VisitorFrame::SurveySaved { .. } => {
                self.survey_saved = true;
                None
            }
            VisitorFrame::ChatStarted { conversation } => {
                let token = conversation.token.clone();
                self.adviser_seen = conversation.adviser_seen_seq;
                self.transcript_sent_to = None;
                self.conversation = Some(conversation);
                self.events.clear();
                self.replayed_through = 0;
                self.error = None;
                self.phone_share = None;
                Some(Effect::RememberToken(token))
            }
            VisitorFrame::QueueStatus {
                position,
                estimated_wait_secs,
                advisers_online,
                ..
            } => {
                self.queue = Some(QueuePlace {
                    position,
                    estimated_wait_secs,
                    advisers_online,
                });
                None
            }
            VisitorFrame::Event { event, .. } => {
                self.insert_event(event);
                None
            }
            VisitorFrame::Typing {
                role: Role::Adviser,
                name,
                active,
                ..
            } => {
                self.adviser_typing = active.then_some(name);
                None
            }
            VisitorFrame::Seen {
                role: Role::Adviser,
                seq,
                ..
            } => {
                self.adviser_seen = self.adviser_seen.max(seq);
                None
            }
            VisitorFrame::TranscriptSent { to, .. } => {
                self.transcript_sent_to = Some(to);
                None
            }
            VisitorFrame::ShareCode {
                share_code,
                expires_at_ms,
            } => {
                self.error = None;
                self.phone_share = Some(PhoneShare::Code(share_code, expires_at_ms));
                None
            }
            VisitorFrame::Error {
                code,
                field,
                message,
            } => {
                self.error = Some((code, field, message));
                None
            }
            _ => None,
        }
    }

    /// The code `code` stopped working (if it is still the one shown).
    pub fn code_lapsed(&mut self, code: &str) {
        if matches!(&self.phone_share, Some(PhoneShare::Code(shown, _)) if shown == code) {
            self.phone_share = Some(PhoneShare::Lapsed);
        }
    }

    /// Starts a new chat after the previous one ended.
    pub fn reset(&mut self) {
        let queues = std::mem::take(&mut self.queues);
        let tickets = std::mem::take(&mut self.tickets);
        *self = ChatModel {
            queues,
            tickets,
            ..ChatModel::default()
        };
    }

    fn welcome(&mut self, conversation: Option<VisitorConversation>) -> Option<Effect> {
        match conversation {
            Some(conversation) => {
                let same = self
                    .conversation
                    .as_ref()
                    .is_some_and(|c| c.id == conversation.id);
                if !same {
                    self.events.clear();
                }
                if !same {
                    self.replayed_through = conversation.last_seq;
                }
                self.adviser_seen = self.adviser_seen.max(conversation.adviser_seen_seq);
                self.conversation = Some(conversation);
                None
            }
            None => {
                let had = self.conversation.take().is_some();
                self.events.clear();
                self.pending.clear();
                self.queue = None;
                if had {
                    return Some(Effect::ForgetToken);
                }
                // A code lives as long as the connection that asked for it.
                self.phone_share.is_some().then(|| {
                    self.phone_share = Some(PhoneShare::Asking);
                    Effect::AskShareCode
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_shared::{Author, ConversationId};

    fn conversation(status: ConversationStatus) -> VisitorConversation {
        VisitorConversation {
            id: ConversationId::from("c1"),
            token: "t".into(),
            status,
            adviser_name: None,
            visitor_name: "Ana".into(),
            last_seq: 0,
            adviser_seen_seq: 0,
        }
    }

    fn welcome(conversation: Option<VisitorConversation>) -> VisitorFrame {
        VisitorFrame::VisitorWelcome {
            protocol: tandem_shared::PROTOCOL_VERSION,
            conversation,
            queues: Vec::new(),
        }
    }

    #[test]
    fn a_share_code_shows_until_an_adviser_joins() {
        let mut model = ChatModel {
            phone_share: Some(PhoneShare::Asking),
            ..ChatModel::default()
        };
        assert_eq!(model.screen(), Screen::ShareCode);
        model.apply(VisitorFrame::ShareCode {
            share_code: "042917".into(),
            expires_at_ms: 9,
        });
        assert_eq!(
            model.phone_share,
            Some(PhoneShare::Code("042917".into(), 9))
        );
        let effect = model.apply(VisitorFrame::ChatStarted {
            conversation: conversation(ConversationStatus::Queued),
        });
        assert_eq!(effect, Some(Effect::RememberToken("t".into())));
        assert_eq!(model.phone_share, None);
        assert_eq!(model.screen(), Screen::Waiting);
    }

    #[test]
    fn a_lapsed_code_offers_a_new_one_unless_another_was_given_since() {
        let mut model = ChatModel {
            phone_share: Some(PhoneShare::Code("042917".into(), 9)),
            ..ChatModel::default()
        };
        model.code_lapsed("111111");
        assert_eq!(
            model.phone_share,
            Some(PhoneShare::Code("042917".into(), 9))
        );
        model.code_lapsed("042917");
        assert_eq!(model.phone_share, Some(PhoneShare::Lapsed));
        assert_eq!(model.screen(), Screen::ShareCode);
    }

    #[test]
    fn a_reconnection_asks_for_a_new_code() {
        let mut model = ChatModel {
            phone_share: Some(PhoneShare::Code("042917".into(), 9)),
            ..ChatModel::default()
        };
        let effect = model.apply(welcome(None));
        assert_eq!(effect, Some(Effect::AskShareCode));
        assert_eq!(model.phone_share, Some(PhoneShare::Asking));
        let mut chatting = ChatModel::default();
        assert_eq!(
            chatting.apply(welcome(None)),
            None,
            "no code, nothing asked"
        );
    }

    fn message(seq: u64, id: &str) -> VisitorFrame {
        let author = Author {
            role: Role::Visitor,
            name: "Ana".into(),
        };
        let kind = EventKind::Message {
            author,
            body: format!("m{seq}"),
            client_msg_id: Some(id.into()),
            file: None,
        };
        VisitorFrame::Event {
            conversation_id: ConversationId::from("c1"),
            event: ConversationEvent {
                seq,
                at_ms: 0,
                kind,
            },
        }
    }

    #[test]
    fn screens_follow_the_conversation() {
        let mut model = ChatModel::default();
        assert_eq!(model.screen(), Screen::Form);
        let effect = model.apply(VisitorFrame::ChatStarted {
            conversation: conversation(ConversationStatus::Queued),
        });
        assert_eq!(effect, Some(Effect::RememberToken("t".into())));
        assert_eq!(model.screen(), Screen::Waiting);
        let joined = ConversationEvent {
            seq: 1,
            at_ms: 0,
            kind: EventKind::AdviserJoined {
                name: "Léa".into()
            },
        };
        model.apply(VisitorFrame::Event {
            conversation_id: ConversationId::from("c1"),
            event: joined,
        });
        assert_eq!(model.screen(), Screen::Chatting);
        assert_eq!(model.adviser_name().as_deref(), Some("Léa"));
        let ended = ConversationEvent {
            seq: 2,
            at_ms: 0,
            kind: EventKind::Ended { by: Role::Adviser },
        };
        model.apply(VisitorFrame::Event {
            conversation_id: ConversationId::from("c1"),
            event: ended,
        });
        assert_eq!(model.screen(), Screen::Ended);
        assert_eq!(model.ended_by(), Some(Role::Adviser));
    }

    #[test]
    fn events_are_kept_in_order_once_and_confirm_pending_messages() {
        let mut model = ChatModel::default();
        model.apply(VisitorFrame::ChatStarted {
            conversation: conversation(ConversationStatus::Active),
        });
        model.pending.push(Pending {
            client_msg_id: "b".into(),
            body: "m2".into(),
        });
        model.apply(message(2, "b"));
        model.apply(message(1, "a"));
        model.apply(message(2, "b"));
        let seqs: Vec<u64> = model.events.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, [1, 2]);
        assert!(
            model.pending.is_empty(),
            "the echo confirms the pending message"
        );
        assert_eq!(model.last_seq(), 2);
    }

    #[test]
    fn a_refused_resume_forgets_the_token() {
        let mut model = ChatModel::default();
        model.apply(VisitorFrame::ChatStarted {
            conversation: conversation(ConversationStatus::Queued),
        });
        let effect = model.apply(VisitorFrame::VisitorWelcome {
            protocol: 1,
            conversation: None,
            queues: vec![],
        });
        assert_eq!(effect, Some(Effect::ForgetToken));
        assert_eq!(model.screen(), Screen::Form);
    }

    #[test]
    fn a_hand_over_puts_the_visitor_back_in_waiting_until_the_next_adviser_joins() {
        let mut model = ChatModel::default();
        model.apply(VisitorFrame::ChatStarted {
            conversation: conversation(ConversationStatus::Queued),
        });
        let event = |seq, kind| VisitorFrame::Event {
            conversation_id: ConversationId::from("c1"),
            event: ConversationEvent {
                seq,
                at_ms: 0,
                kind,
            },
        };
        model.apply(event(
            1,
            EventKind::AdviserJoined {
                name: "Léa".into()
            },
        ));
        assert_eq!(model.screen(), Screen::Chatting);
        model.apply(event(
            2,
            EventKind::Transferred {
                from: "Léa".into()
            },
        ));
        assert_eq!(model.screen(), Screen::Waiting);
        model.apply(event(3, EventKind::AdviserJoined { name: "Max".into() }));
        assert_eq!(model.adviser_name().as_deref(), Some("Max"));
    }

    #[test]
    fn a_new_ticket_is_acknowledged_and_remembered() {
        let mut model = ChatModel::default();
        let ticket = tandem_shared::desk::VisitorTicket {
            id: "k".into(),
            token: "kt".into(),
            kind: tandem_shared::desk::TicketKind::Message,
            message: "Call me".into(),
            created_at_ms: 0,
            due_at_ms: 1,
            callback_at_ms: None,
            answer: None,
            answered_by: None,
        };
        let effect = model.apply(VisitorFrame::Ticket {
            ticket: ticket.clone(),
            new: true,
        });
        assert_eq!(effect, Some(Effect::RememberTicket("kt".into())));
        assert_eq!(model.screen(), Screen::TicketLeft);
        model.reset();
        assert_eq!(model.screen(), Screen::Form);
        assert_eq!(model.tickets.len(), 1, "kept to show the answer later");
    }

    fn event(seq: u64, kind: EventKind) -> VisitorFrame {
        VisitorFrame::Event {
            conversation_id: ConversationId::from("c1"),
            event: ConversationEvent {
                seq,
                at_ms: 0,
                kind,
            },
        }
    }

    #[test]
    fn co_browsing_runs_from_its_start_to_its_end_or_the_end_of_the_chat() {
        let mut model = ChatModel::default();
        model.apply(VisitorFrame::ChatStarted {
            conversation: conversation(ConversationStatus::Active),
        });
        assert!(!model.cobrowse_running());
        model.apply(event(1, EventKind::CobrowseStarted));
        assert!(model.cobrowse_running(), "started");
        model.apply(event(2, EventKind::CobrowseEnded { by: Role::Visitor }));
        assert!(!model.cobrowse_running(), "stopped by the visitor");
        model.apply(event(3, EventKind::CobrowseStarted));
        assert!(model.cobrowse_running(), "started again");
        model.apply(event(4, EventKind::Ended { by: Role::Adviser }));
        assert!(!model.cobrowse_running(), "the chat is over");
    }

    #[test]
    fn seen_shows_once_the_adviser_saw_the_latest_own_message() {
        let mut model = ChatModel::default();
        model.apply(VisitorFrame::ChatStarted {
            conversation: conversation(ConversationStatus::Active),
        });
        model.apply(message(1, "a"));
        assert!(!model.own_message_seen());
        let seen = |seq| VisitorFrame::Seen {
            conversation_id: ConversationId::from("c1"),
            role: Role::Adviser,
            seq,
        };
        model.apply(seen(1));
        assert!(model.own_message_seen());
        model.apply(message(2, "b"));
        assert!(!model.own_message_seen(), "a newer message is not seen yet");
        model.apply(seen(1));
        assert!(
            !model.own_message_seen(),
            "an older receipt never lowers the mark"
        );
        model.apply(seen(2));
        assert!(model.own_message_seen());
    }

    #[test]
    fn the_latest_adviser_message_is_what_the_visitor_sees() {
        let mut model = ChatModel::default();
        model.apply(message(1, "a"));
        assert_eq!(model.latest_adviser_message(), 0);
        let author = Author {
            role: Role::Adviser,
            name: "Bea".into(),
        };
        model.apply(event(
            2,
            EventKind::Message {
                author,
                body: "Hello".into(),
                client_msg_id: None,
                file: None,
            },
        ));
        model.apply(message(3, "b"));
        assert_eq!(model.latest_adviser_message(), 2);
    }
}
