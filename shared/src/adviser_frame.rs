//! The frames the relay sends to an adviser, as the console reads them.
//!
//! The relay writes [`ServerMsg`](crate::ServerMsg); the console reads [`AdviserFrame`],
//! which has the frames an adviser receives with the same names and fields. serde's own
//! decoder for an internally tagged enum as large as `ServerMsg` was about a tenth of the
//! console's WebAssembly; this one reads one flat struct (see [`crate::flat`]). A test below
//! checks every frame an adviser receives reads back the same.

use crate::cobrowse::{PageChanges, PageSnapshot};
use crate::cobrowse_parts::FramePart;
use crate::desk::{Colleague, ColleagueMessage, InternalNote};
use crate::error::ErrorCode;
use crate::event::{ConversationEvent, Role};
use crate::flat::required;
use crate::ids::ConversationId;
use crate::model::{AdviserProfile, ConversationDetail, Presence, QueueEntry};
use crate::visit::VisitContext;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use std::fmt;

/// A frame from the relay to an adviser (see [`ServerMsg`](crate::ServerMsg) for each
/// variant's meaning); frames meant for visitors read as [`AdviserFrame::Unknown`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AdviserFrame {
    /// A stored event of a conversation.
    Event {
        /// The conversation.
        conversation_id: ConversationId,
        /// The event.
        event: ConversationEvent,
    },
    /// The visitor started or stopped typing.
    Typing {
        /// The conversation.
        conversation_id: ConversationId,
        /// Who is typing.
        role: Role,
        /// Their display name.
        name: String,
        /// True while typing.
        active: bool,
    },
    /// The visitor's screen showed the conversation up to `seq`.
    Seen {
        /// The conversation.
        conversation_id: ConversationId,
        /// Who saw it.
        role: Role,
        /// The highest event number shown.
        seq: u64,
    },
    /// Where the visitor is now and with what.
    VisitChanged {
        /// The conversation.
        conversation_id: ConversationId,
        /// The pages of the visit and the browser's details.
        visit: VisitContext,
    },
    /// Answer to the adviser's `hello`.
    AdviserWelcome {
        /// The relay's protocol version.
        protocol: u32,
        /// The logged-in adviser.
        adviser: AdviserProfile,
        /// Their current presence.
        presence: Presence,
    },
    /// The adviser's presence changed.
    PresenceChanged {
        /// The new presence.
        presence: Presence,
    },
    /// The whole waiting queue.
    Queue {
        /// Waiting visitors, next first.
        entries: Vec<QueueEntry>,
    },
    /// A conversation the adviser now holds.
    Assigned {
        /// The conversation with everything needed to handle it.
        conversation: Box<ConversationDetail>,
    },
    /// The conversation leaves the adviser's console.
    Closed {
        /// The conversation.
        conversation_id: ConversationId,
        /// Set when it was handed over: where to, in words.
        transferred_to: Option<String>,
    },
    /// Every adviser the relay knows, with presence.
    Colleagues {
        /// The advisers.
        advisers: Vec<Colleague>,
    },
    /// The advisers whose details or presence changed.
    ColleaguesChanged {
        /// The advisers who changed, as they are now.
        advisers: Vec<Colleague>,
    },
    /// A chat a supervisor watches, as it is now.
    Watching {
        /// The conversation, with everything an adviser sees.
        conversation: Box<ConversationDetail>,
    },
    /// A note only advisers see.
    Note {
        /// The conversation.
        conversation_id: ConversationId,
        /// The note.
        note: InternalNote,
    },
    /// A message from (or the echo of a message to) a colleague.
    ColleagueMessage {
        /// The message.
        message: ColleagueMessage,
    },
    /// The visitor declined to share the page.
    CobrowseDeclined {
        /// The conversation.
        conversation_id: ConversationId,
    },
    /// The visitor's whole page.
    CobrowseSnapshot {
        /// The conversation.
        conversation_id: ConversationId,
        /// The page.
        snapshot: Box<PageSnapshot>,
    },
    /// Changes on the visitor's page.
    CobrowseChanges {
        /// The conversation.
        conversation_id: ConversationId,
        /// The changes.
        changes: PageChanges,
    },
    /// One part of a large co-browsing frame.
    CobrowsePart {
        /// The conversation.
        conversation_id: ConversationId,
        /// The part.
        part: FramePart,
    },
    /// The visitor gave or took back permission to fill in fields.
    CobrowseControl {
        /// The conversation.
        conversation_id: ConversationId,
        /// True while the adviser may fill in fields.
        granted: bool,
    },
    /// A fill was applied on the visitor's page.
    CobrowseFilled {
        /// The conversation.
        conversation_id: ConversationId,
        /// The field's name.
        field: String,
    },
    /// A frame or request was refused.
    Error {
        /// Machine-readable reason.
        code: ErrorCode,
        /// Human-readable explanation.
        message: String,
        /// The offending field.
        field: Option<String>,
    },
    /// A frame for visitors, or one this console does not know (sent by a newer relay).
    Unknown,
}

/// `message`: an error's text, or a colleague's message (an object).
enum MessageField {
    Text(String),
    FromColleague(ColleagueMessage),
}

impl<'de> Deserialize<'de> for MessageField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Either;
        impl<'de> Visitor<'de> for Either {
            type Value = MessageField;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a text or a colleague's message")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<MessageField, E> {
                Ok(MessageField::Text(text.to_owned()))
            }
            fn visit_string<E: serde::de::Error>(self, text: String) -> Result<MessageField, E> {
                Ok(MessageField::Text(text))
            }
            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<MessageField, M::Error> {
                let from_map = serde::de::value::MapAccessDeserializer::new(map);
                ColleagueMessage::deserialize(from_map).map(MessageField::FromColleague)
            }
        }
        deserializer.deserialize_any(Either)
    }
}

/// Every field a frame to an adviser may carry, whatever its type: fields of the same name
/// have the same type in every such frame (but `message`, read as either).
#[derive(serde::Deserialize)]
struct FrameFields {
    #[serde(rename = "type")]
    kind: String,
    conversation_id: Option<ConversationId>,
    event: Option<ConversationEvent>,
    role: Option<Role>,
    name: Option<String>,
    active: Option<bool>,
    seq: Option<u64>,
    visit: Option<VisitContext>,
    protocol: Option<u32>,
    adviser: Option<AdviserProfile>,
    presence: Option<Presence>,
    entries: Option<Vec<QueueEntry>>,
    conversation: Option<Box<ConversationDetail>>,
    transferred_to: Option<String>,
    advisers: Option<Vec<Colleague>>,
    note: Option<InternalNote>,
    message: Option<MessageField>,
    snapshot: Option<Box<PageSnapshot>>,
    changes: Option<PageChanges>,
    part: Option<FramePart>,
    granted: Option<bool>,
    field: Option<String>,
    code: Option<ErrorCode>,
}

impl<'de> Deserialize<'de> for AdviserFrame {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let f = FrameFields::deserialize(deserializer)?;
        let id = f.conversation_id;
        Ok(match f.kind.as_str() {
            "event" => AdviserFrame::Event {
                conversation_id: required(id, "conversation_id")?,
                event: required(f.event, "event")?,
            },
            "typing" => AdviserFrame::Typing {
                conversation_id: required(id, "conversation_id")?,
                role: required(f.role, "role")?,
                name: required(f.name, "name")?,
                active: required(f.active, "active")?,
            },
            "seen" => AdviserFrame::Seen {
                conversation_id: required(id, "conversation_id")?,
                role: required(f.role, "role")?,
                seq: required(f.seq, "seq")?,
            },
            "visit_changed" => AdviserFrame::VisitChanged {
                conversation_id: required(id, "conversation_id")?,
                visit: required(f.visit, "visit")?,
            },
            "adviser_welcome" => AdviserFrame::AdviserWelcome {
                protocol: required(f.protocol, "protocol")?,
                adviser: required(f.adviser, "adviser")?,
                presence: required(f.presence, "presence")?,
            },
            "presence_changed" => AdviserFrame::PresenceChanged {
                presence: required(f.presence, "presence")?,
            },
            "queue" => AdviserFrame::Queue {
                entries: required(f.entries, "entries")?,
            },
            "assigned" => AdviserFrame::Assigned {
                conversation: required(f.conversation, "conversation")?,
            },
            "closed" => AdviserFrame::Closed {
                conversation_id: required(id, "conversation_id")?,
                transferred_to: f.transferred_to,
            },
            "colleagues" => AdviserFrame::Colleagues {
                advisers: required(f.advisers, "advisers")?,
            },
            "colleagues_changed" => AdviserFrame::ColleaguesChanged {
                advisers: required(f.advisers, "advisers")?,
            },
            "watching" => AdviserFrame::Watching {
                conversation: required(f.conversation, "conversation")?,
            },
            "note" => AdviserFrame::Note {
                conversation_id: required(id, "conversation_id")?,
                note: required(f.note, "note")?,
            },
            "colleague_message" => match f.message {
                Some(MessageField::FromColleague(message)) => {
                    AdviserFrame::ColleagueMessage { message }
                }
                _ => return Err(serde::de::Error::missing_field("message")),
            },
            "cobrowse_declined" => AdviserFrame::CobrowseDeclined {
                conversation_id: required(id, "conversation_id")?,
            },
            "cobrowse_snapshot" => AdviserFrame::CobrowseSnapshot {
                conversation_id: required(id, "conversation_id")?,
                snapshot: required(f.snapshot, "snapshot")?,
            },
            "cobrowse_changes" => AdviserFrame::CobrowseChanges {
                conversation_id: required(id, "conversation_id")?,
                changes: required(f.changes, "changes")?,
            },
            "cobrowse_part" => AdviserFrame::CobrowsePart {
                conversation_id: required(id, "conversation_id")?,
                part: required(f.part, "part")?,
            },
            "cobrowse_control" => AdviserFrame::CobrowseControl {
                conversation_id: required(id, "conversation_id")?,
                granted: required(f.granted, "granted")?,
            },
            "cobrowse_filled" => AdviserFrame::CobrowseFilled {
                conversation_id: required(id, "conversation_id")?,
                field: required(f.field, "field")?,
            },
            "error" => AdviserFrame::Error {
                code: required(f.code, "code")?,
                message: match f.message {
                    Some(MessageField::Text(message)) => message,
                    _ => return Err(serde::de::Error::missing_field("message")),
                },
                field: f.field,
            },
            _ => AdviserFrame::Unknown,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::AdviserFrame;
    use crate::cobrowse::{PageChange, PageChanges, PageNode, PageSnapshot, Viewport};
    use crate::cobrowse_parts::FramePart;
    use crate::desk::{Colleague, ColleagueMessage, InternalNote};
    use crate::error::ErrorCode;
    use crate::event::{Author, ConversationEvent, EventKind, Role};
    use crate::ids::{AdviserId, ContactId, ConversationId};
    use crate::model::{
        AdviserProfile, Channel, ContactCard, ConversationDetail, ConversationStatus, Presence,
        QueueEntry,
    };
    use crate::visit::VisitContext;
    use crate::ServerMsg;

    fn id() -> ConversationId {
        ConversationId("c1".into())
    }

    fn event() -> ConversationEvent {
        ConversationEvent {
            seq: 3,
            at_ms: 5,
            kind: EventKind::Message {
                author: Author {
                    role: Role::Visitor,
                    name: "Bob".into(),
                },
                body: "Hello".into(),
                client_msg_id: Some("m1".into()),
                file: None,
            },
        }
    }

    fn detail() -> Box<ConversationDetail> {
        Box::new(ConversationDetail {
            id: id(),
            status: ConversationStatus::Active,
            reason: "Refund".into(),
            page_url: Some("https://example.com/".into()),
            requested_at_ms: 1,
            contact: ContactCard {
                id: ContactId::from("p"),
                name: "Bob".into(),
                email: Some("bob@example.com".into()),
                phone: None,
                company: Some("Acme".into()),
                verified_user_id: None,
            },
            contact_match: Default::default(),
            history: vec![],
            events: vec![event()],
            queue: "billing".into(),
            level: 2,
            locale: Some("fr".into()),
            notes: vec![note()],
            handovers: vec![],
            survey: None,
            visit: Some(VisitContext::default()),
            visitor_seen_seq: 2,
            adviser_seen_seq: 3,
            channel: Channel::Phone,
        })
    }

    fn note() -> InternalNote {
        InternalNote {
            author: "Alice".into(),
            body: "Called back".into(),
            at_ms: 9,
        }
    }

    fn colleague() -> Colleague {
        Colleague {
            id: AdviserId::from("alice"),
            display_name: "Alice".into(),
            level: 2,
            queues: vec!["billing".into()],
            online: true,
            available: false,
        }
    }

    fn presence() -> Presence {
        Presence {
            available: true,
            max_chats: 3,
        }
    }

    /// Every frame the relay sends to an adviser, each optional field filled in.
    fn frames_to_advisers() -> Vec<ServerMsg> {
        vec![
            ServerMsg::Event {
                conversation_id: id(),
                event: event(),
            },
            ServerMsg::Typing {
                conversation_id: id(),
                role: Role::Visitor,
                name: "Bob".into(),
                active: true,
            },
            ServerMsg::Seen {
                conversation_id: id(),
                role: Role::Visitor,
                seq: 4,
            },
            ServerMsg::VisitChanged {
                conversation_id: id(),
                visit: VisitContext {
                    device: Some("Firefox on Linux".into()),
                    ..VisitContext::default()
                },
            },
            ServerMsg::AdviserWelcome {
                protocol: crate::PROTOCOL_VERSION,
                adviser: AdviserProfile {
                    id: AdviserId::from("alice"),
                    login: "alice".into(),
                    display_name: "Alice".into(),
                    level: 2,
                    queues: vec!["billing".into()],
                    role: crate::access::AdviserRole::Supervisor,
                },
                presence: presence(),
            },
            ServerMsg::PresenceChanged {
                presence: presence(),
            },
            ServerMsg::Queue {
                entries: vec![QueueEntry {
                    conversation_id: id(),
                    position: 1,
                    visitor_name: "Bob".into(),
                    company: Some("Acme".into()),
                    reason: "Refund".into(),
                    requested_at_ms: 1,
                    queue: "billing".into(),
                    level: 2,
                    transferred: true,
                }],
            },
            ServerMsg::Assigned {
                conversation: detail(),
            },
            ServerMsg::Closed {
                conversation_id: id(),
                transferred_to: Some("level 2".into()),
            },
            ServerMsg::Colleagues {
                advisers: vec![colleague()],
            },
            ServerMsg::ColleaguesChanged {
                advisers: vec![colleague()],
            },
            ServerMsg::Watching {
                conversation: detail(),
            },
            ServerMsg::Note {
                conversation_id: id(),
                note: note(),
            },
            ServerMsg::ColleagueMessage {
                message: ColleagueMessage {
                    from: AdviserId::from("alice"),
                    from_name: "Alice".into(),
                    to: AdviserId::from("lea"),
                    conversation_id: Some(id()),
                    body: "Can you take it?".into(),
                    at_ms: 7,
                },
            },
            ServerMsg::CobrowseDeclined {
                conversation_id: id(),
            },
            ServerMsg::CobrowseSnapshot {
                conversation_id: id(),
                snapshot: Box::new(PageSnapshot {
                    url: "https://example.com/".into(),
                    title: "Home".into(),
                    viewport: Viewport { w: 800, h: 600 },
                    scroll_x: 0,
                    scroll_y: 40,
                    root: PageNode::Text {
                        id: 1,
                        text: "Hi".into(),
                    },
                    mode: Default::default(),
                    too_large: Some(9),
                }),
            },
            ServerMsg::CobrowseChanges {
                conversation_id: id(),
                changes: PageChanges {
                    changes: vec![PageChange::Remove { id: 4 }],
                    at_ms: 8,
                },
            },
            ServerMsg::CobrowsePart {
                conversation_id: id(),
                part: FramePart {
                    frame: 1,
                    index: 0,
                    count: 2,
                    page_url: Some("https://example.com/".into()),
                    data: "{\"k".into(),
                },
            },
            ServerMsg::CobrowseControl {
                conversation_id: id(),
                granted: true,
            },
            ServerMsg::CobrowseFilled {
                conversation_id: id(),
                field: "email".into(),
            },
            ServerMsg::Error {
                code: ErrorCode::InvalidInput,
                message: "too long".into(),
                field: Some("body".into()),
            },
        ]
    }

    /// Reads a relay frame as the console does.
    fn read(frame: &ServerMsg) -> AdviserFrame {
        let text = serde_json::to_string(frame).unwrap_or_default();
        serde_json::from_str(&text).unwrap_or(AdviserFrame::Unknown)
    }

    #[test]
    fn every_frame_to_advisers_reads_back_with_every_field() {
        for frame in frames_to_advisers() {
            let read = read(&frame);
            // Same variant name and same fields, compared through their Debug form.
            assert_eq!(format!("{frame:?}"), format!("{read:?}"));
        }
    }

    #[test]
    fn optional_fields_may_be_absent() {
        for frame in [
            ServerMsg::Closed {
                conversation_id: id(),
                transferred_to: None,
            },
            ServerMsg::error(ErrorCode::RateLimited, "slow down"),
        ] {
            assert_eq!(format!("{frame:?}"), format!("{:?}", read(&frame)));
        }
    }

    #[test]
    fn frames_for_visitors_and_unknown_types_read_as_unknown() {
        let for_visitors = ServerMsg::CobrowseInvite {
            conversation_id: id(),
            adviser: "Alice".into(),
        };
        assert_eq!(read(&for_visitors), AdviserFrame::Unknown);
        let newer = serde_json::from_str::<AdviserFrame>(r#"{"type":"from_the_future","x":1}"#)
            .unwrap_or(AdviserFrame::Event {
                conversation_id: id(),
                event: event(),
            });
        assert_eq!(newer, AdviserFrame::Unknown);
    }

    #[test]
    fn a_known_frame_with_a_missing_or_mistyped_field_is_an_error_naming_it() {
        let error = |json: &str| {
            serde_json::from_str::<AdviserFrame>(json)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        let missing = error(r#"{"type":"typing","role":"visitor","name":"B","active":true}"#);
        assert!(
            missing.contains("missing field `conversation_id`"),
            "{missing}"
        );
        // An error's text where a colleague's message should be, and the other way round.
        let text_for_message = error(r#"{"type":"colleague_message","message":"hi"}"#);
        assert!(
            text_for_message.contains("missing field `message`"),
            "{text_for_message}"
        );
        let message_for_text = error(
            r#"{"type":"error","code":"invalid_input","message":{"from":"a","from_name":"A","to":"b","body":"x","at_ms":1}}"#,
        );
        assert!(
            message_for_text.contains("missing field `message`"),
            "{message_for_text}"
        );
    }
}
