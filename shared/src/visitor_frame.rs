//! The frames the relay sends to a visitor, as the widget reads them.
//!
//! [`ServerMsg`](crate::ServerMsg) holds every frame the relay sends, to visitors and to
//! advisers. The widget reads only those a visitor receives: decoding the others (conversation
//! details, queues, colleagues, page snapshots) would ship their decoders to every visitor for
//! nothing. Each variant here has the same name and fields as its `ServerMsg` twin, so the
//! relay writes `ServerMsg` and the widget reads [`VisitorFrame`]; a test below checks every
//! frame a visitor receives reads back the same.

use crate::cobrowse::Guidance;
use crate::desk::{QueueInfo, VisitorTicket};
use crate::error::ErrorCode;
use crate::event::{ConversationEvent, Role};
use crate::flat::required;
use crate::ids::ConversationId;
use crate::model::VisitorConversation;
use serde::{Deserialize, Deserializer};

/// A frame from the relay to a visitor (see [`ServerMsg`](crate::ServerMsg) for each
/// variant's meaning); frames meant for advisers read as [`VisitorFrame::Unknown`].
///
/// Read through one flat struct (see [`crate::flat`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VisitorFrame {
    /// Answer to `hello`; `conversation` is set when a resume succeeded.
    VisitorWelcome {
        /// The relay's protocol version.
        protocol: u32,
        /// The resumed conversation, if any.
        conversation: Option<VisitorConversation>,
        /// The topics the visitor can pick.
        queues: Vec<QueueInfo>,
    },
    /// The topics changed (an adviser became available or left).
    QueuesChanged {
        /// The topics the visitor can pick.
        queues: Vec<QueueInfo>,
    },
    /// A ticket of this visitor (`new` when just left).
    Ticket {
        /// The ticket.
        ticket: VisitorTicket,
        /// True when it was just created.
        new: bool,
    },
    /// The survey is stored.
    SurveySaved {
        /// The conversation.
        conversation_id: ConversationId,
    },
    /// Knowledge-base articles for the text the visitor typed.
    Suggestions {
        /// The text they were found for.
        text: String,
        /// Best first.
        articles: Vec<crate::faq::Suggestion>,
    },
    /// The chat request is registered.
    ChatStarted {
        /// The new conversation.
        conversation: VisitorConversation,
    },
    /// The visitor's place in the queue.
    QueueStatus {
        /// The conversation.
        conversation_id: ConversationId,
        /// 1 means next.
        position: u32,
        /// Estimated seconds until an adviser answers.
        estimated_wait_secs: Option<u32>,
        /// Advisers online.
        advisers_online: u32,
    },
    /// A stored event of the conversation (also a sent message's acknowledgement).
    Event {
        /// The conversation.
        conversation_id: ConversationId,
        /// The event.
        event: ConversationEvent,
    },
    /// The other side started or stopped typing.
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
    /// The adviser's screen showed the conversation up to `seq`.
    Seen {
        /// The conversation.
        conversation_id: ConversationId,
        /// Who saw it.
        role: Role,
        /// The highest event number shown.
        seq: u64,
    },
    /// The transcript was emailed.
    TranscriptSent {
        /// The conversation.
        conversation_id: ConversationId,
        /// Where it went, partly hidden.
        to: String,
    },
    /// The adviser asks to see the page.
    CobrowseInvite {
        /// The conversation.
        conversation_id: ConversationId,
        /// The adviser's display name.
        adviser: String,
    },
    /// Send a fresh snapshot of the page.
    CobrowseResync {
        /// The conversation.
        conversation_id: ConversationId,
    },
    /// What the adviser does on the page.
    CobrowseGuide {
        /// The conversation.
        conversation_id: ConversationId,
        /// What to do.
        guidance: Guidance,
    },
    /// The code to read out to an adviser on the phone.
    ShareCode {
        /// Six digits.
        share_code: String,
        /// When it stops working (ms since the epoch).
        expires_at_ms: i64,
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
    /// A frame for advisers, or one this widget does not know (sent by a newer relay).
    Unknown,
}

/// Every field a frame to a visitor may carry, whatever its type: fields of the same name have
/// the same type in every frame, so one struct reads them all.
#[derive(Deserialize)]
struct FrameFields {
    #[serde(rename = "type")]
    kind: String,
    protocol: Option<u32>,
    conversation: Option<VisitorConversation>,
    #[serde(default)]
    queues: Vec<QueueInfo>,
    ticket: Option<VisitorTicket>,
    #[serde(default)]
    new: bool,
    conversation_id: Option<ConversationId>,
    text: Option<String>,
    articles: Option<Vec<crate::faq::Suggestion>>,
    position: Option<u32>,
    estimated_wait_secs: Option<u32>,
    advisers_online: Option<u32>,
    event: Option<ConversationEvent>,
    role: Option<Role>,
    name: Option<String>,
    active: Option<bool>,
    seq: Option<u64>,
    to: Option<String>,
    adviser: Option<String>,
    guidance: Option<Guidance>,
    code: Option<ErrorCode>,
    share_code: Option<String>,
    expires_at_ms: Option<i64>,
    message: Option<String>,
    field: Option<String>,
}

impl<'de> Deserialize<'de> for VisitorFrame {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let f = FrameFields::deserialize(deserializer)?;
        let id = f.conversation_id;
        Ok(match f.kind.as_str() {
            "visitor_welcome" => VisitorFrame::VisitorWelcome {
                protocol: required(f.protocol, "protocol")?,
                conversation: f.conversation,
                queues: f.queues,
            },
            "queues_changed" => VisitorFrame::QueuesChanged { queues: f.queues },
            "ticket" => VisitorFrame::Ticket {
                ticket: required(f.ticket, "ticket")?,
                new: f.new,
            },
            "survey_saved" => VisitorFrame::SurveySaved {
                conversation_id: required(id, "conversation_id")?,
            },
            "suggestions" => VisitorFrame::Suggestions {
                text: required(f.text, "text")?,
                articles: required(f.articles, "articles")?,
            },
            "chat_started" => VisitorFrame::ChatStarted {
                conversation: required(f.conversation, "conversation")?,
            },
            "queue_status" => VisitorFrame::QueueStatus {
                conversation_id: required(id, "conversation_id")?,
                position: required(f.position, "position")?,
                estimated_wait_secs: f.estimated_wait_secs,
                advisers_online: required(f.advisers_online, "advisers_online")?,
            },
            "event" => VisitorFrame::Event {
                conversation_id: required(id, "conversation_id")?,
                event: required(f.event, "event")?,
            },
            "typing" => VisitorFrame::Typing {
                conversation_id: required(id, "conversation_id")?,
                role: required(f.role, "role")?,
                name: required(f.name, "name")?,
                active: required(f.active, "active")?,
            },
            "seen" => VisitorFrame::Seen {
                conversation_id: required(id, "conversation_id")?,
                role: required(f.role, "role")?,
                seq: required(f.seq, "seq")?,
            },
            "transcript_sent" => VisitorFrame::TranscriptSent {
                conversation_id: required(id, "conversation_id")?,
                to: required(f.to, "to")?,
            },
            "cobrowse_invite" => VisitorFrame::CobrowseInvite {
                conversation_id: required(id, "conversation_id")?,
                adviser: required(f.adviser, "adviser")?,
            },
            "cobrowse_resync" => VisitorFrame::CobrowseResync {
                conversation_id: required(id, "conversation_id")?,
            },
            "cobrowse_guide" => VisitorFrame::CobrowseGuide {
                conversation_id: required(id, "conversation_id")?,
                guidance: required(f.guidance, "guidance")?,
            },
            "share_code" => VisitorFrame::ShareCode {
                share_code: required(f.share_code, "share_code")?,
                expires_at_ms: required(f.expires_at_ms, "expires_at_ms")?,
            },
            "error" => VisitorFrame::Error {
                code: required(f.code, "code")?,
                message: required(f.message, "message")?,
                field: f.field,
            },
            _ => VisitorFrame::Unknown,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::VisitorFrame;
    use crate::cobrowse::Guidance;
    use crate::desk::{QueueInfo, TicketKind, VisitorTicket};
    use crate::error::ErrorCode;
    use crate::event::{Author, ConversationEvent, EventKind, Role};
    use crate::files::SharedFile;
    use crate::ids::ConversationId;
    use crate::model::{ConversationStatus, VisitorConversation};
    use crate::ServerMsg;

    fn conversation() -> VisitorConversation {
        VisitorConversation {
            id: ConversationId("c1".into()),
            token: "token".into(),
            status: ConversationStatus::Active,
            adviser_name: Some("Alice".into()),
            visitor_name: "Bob".into(),
            last_seq: 4,
            adviser_seen_seq: 3,
        }
    }

    /// Every frame the relay sends to a visitor, each optional field filled in.
    fn frames_to_visitors() -> Vec<ServerMsg> {
        let id = || ConversationId("c1".into());
        vec![
            ServerMsg::VisitorWelcome {
                protocol: crate::PROTOCOL_VERSION,
                conversation: Some(conversation()),
                queues: vec![QueueInfo {
                    key: "billing".into(),
                    names: [("en".to_owned(), "Billing".to_owned())].into(),
                    available: true,
                    open_now: true,
                    estimated_wait_secs: Some(60),
                    callback_slots_ms: vec![1_000],
                    reply_within_hours: 24,
                }],
            },
            ServerMsg::Ticket {
                ticket: VisitorTicket {
                    id: "t1".into(),
                    token: "t".into(),
                    kind: TicketKind::Callback,
                    message: "Call me".into(),
                    created_at_ms: 1,
                    due_at_ms: 2,
                    callback_at_ms: Some(3),
                    answer: Some("Done".into()),
                    answered_by: Some("Alice".into()),
                },
                new: true,
            },
            ServerMsg::SurveySaved {
                conversation_id: id(),
            },
            ServerMsg::Suggestions {
                text: "refund".into(),
                articles: vec![crate::faq::Suggestion {
                    id: "a1".into(),
                    title: "Refunds".into(),
                    body: "Within 14 days.".into(),
                }],
            },
            ServerMsg::ChatStarted {
                conversation: conversation(),
            },
            ServerMsg::QueueStatus {
                conversation_id: id(),
                position: 2,
                estimated_wait_secs: Some(90),
                advisers_online: 3,
            },
            ServerMsg::Event {
                conversation_id: id(),
                event: ConversationEvent {
                    seq: 3,
                    at_ms: 5,
                    kind: EventKind::Message {
                        author: Author {
                            role: Role::Adviser,
                            name: "Alice".into(),
                        },
                        body: "invoice.pdf".into(),
                        client_msg_id: Some("m1".into()),
                        file: Some(SharedFile {
                            id: "f1".into(),
                            name: "invoice.pdf".into(),
                            content_type: "application/pdf".into(),
                            bytes: 10,
                            path: "/files/f1/k".into(),
                        }),
                    },
                },
            },
            ServerMsg::Typing {
                conversation_id: id(),
                role: Role::Adviser,
                name: "Alice".into(),
                active: true,
            },
            ServerMsg::Seen {
                conversation_id: id(),
                role: Role::Adviser,
                seq: 7,
            },
            ServerMsg::TranscriptSent {
                conversation_id: id(),
                to: "b•••@example.com".into(),
            },
            ServerMsg::CobrowseInvite {
                conversation_id: id(),
                adviser: "Alice".into(),
            },
            ServerMsg::CobrowseResync {
                conversation_id: id(),
            },
            ServerMsg::CobrowseGuide {
                conversation_id: id(),
                guidance: Guidance::Pointer { x: 1, y: 2 },
            },
            ServerMsg::ShareCode {
                share_code: "042917".into(),
                expires_at_ms: 600_000,
            },
            ServerMsg::Error {
                code: ErrorCode::InvalidInput,
                message: "too long".into(),
                field: Some("body".into()),
            },
        ]
    }

    /// Reads a relay frame as the widget does.
    fn read(frame: &ServerMsg) -> VisitorFrame {
        let text = serde_json::to_string(frame).unwrap_or_default();
        serde_json::from_str(&text).unwrap_or(VisitorFrame::Unknown)
    }

    #[test]
    fn every_frame_to_visitors_reads_back_with_every_field() {
        for frame in frames_to_visitors() {
            let read = read(&frame);
            // Same variant name and same fields, compared through their Debug form.
            assert_eq!(format!("{frame:?}"), format!("{read:?}"));
        }
    }

    #[test]
    fn optional_fields_may_be_absent() {
        let welcome = ServerMsg::VisitorWelcome {
            protocol: 1,
            conversation: None,
            queues: Vec::new(),
        };
        assert_eq!(format!("{welcome:?}"), format!("{:?}", read(&welcome)));
    }

    #[test]
    fn frames_for_advisers_and_unknown_types_read_as_unknown() {
        let for_advisers = ServerMsg::Queue {
            entries: Vec::new(),
        };
        assert_eq!(read(&for_advisers), VisitorFrame::Unknown);
        let newer: VisitorFrame = serde_json::from_str(r#"{"type":"from_the_future","x":1}"#)
            .unwrap_or(VisitorFrame::Error {
                code: ErrorCode::MalformedFrame,
                message: String::new(),
                field: None,
            });
        assert_eq!(newer, VisitorFrame::Unknown);
    }

    #[test]
    fn a_known_frame_missing_a_field_is_an_error_naming_it() {
        let error = serde_json::from_str::<VisitorFrame>(r#"{"type":"queue_status","position":1}"#)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.contains("missing field `conversation_id`"), "{error}");
    }
}
