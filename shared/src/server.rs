//! Frames the relay sends to visitors and advisers.

use crate::cobrowse::{Guidance, PageChanges, PageSnapshot};
use crate::cobrowse_parts::FramePart;
use crate::desk::{Colleague, ColleagueMessage, InternalNote, QueueInfo, VisitorTicket};
use crate::error::ErrorCode;
use crate::event::{ConversationEvent, Role};
use crate::ids::ConversationId;
use crate::model::{AdviserProfile, ConversationDetail, Presence, QueueEntry, VisitorConversation};
use serde::{Deserialize, Serialize};

/// A frame from the relay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMsg {
    /// Answer to a visitor's `hello`; `conversation` is set when a resume succeeded.
    VisitorWelcome {
        /// The relay's protocol version.
        protocol: u32,
        /// The resumed conversation, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conversation: Option<VisitorConversation>,
        /// The topics a visitor can pick, and whether each can be answered now.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        queues: Vec<QueueInfo>,
    },
    /// The topics a visitor on the pre-chat form can pick changed: an adviser became
    /// available or left, a queue opened or closed. The form offers the chat or a message
    /// accordingly, without a reload.
    QueuesChanged {
        /// The site's topics, each with whether it can be answered now.
        queues: Vec<QueueInfo>,
    },
    /// A ticket of this visitor: the acknowledgement of a message left (`new`), or one left
    /// earlier, with its answer once given.
    Ticket {
        /// The ticket.
        ticket: VisitorTicket,
        /// True when it was just created.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        new: bool,
    },
    /// The survey is stored.
    SurveySaved {
        /// The conversation.
        conversation_id: ConversationId,
    },
    /// Knowledge-base articles matching what the visitor typed (answer to
    /// `suggest_articles`; empty when none matches).
    Suggestions {
        /// The text they were found for (the widget ignores answers to older text).
        text: String,
        /// Best first, at most three.
        articles: Vec<crate::faq::Suggestion>,
    },
    /// The visitor's request is registered (answer to `start_chat`).
    ChatStarted {
        /// The new conversation; keep its token to resume after a reload.
        conversation: VisitorConversation,
    },
    /// The visitor's place in the queue, sent whenever it changes.
    QueueStatus {
        /// The waiting conversation.
        conversation_id: ConversationId,
        /// 1 means next.
        position: u32,
        /// Estimated seconds until an adviser answers; absent when no adviser is online.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        estimated_wait_secs: Option<u32>,
        /// Advisers currently online.
        advisers_online: u32,
    },
    /// A stored event of a conversation (also the acknowledgement of a sent message).
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
    /// The other side's screen showed the conversation up to `seq` (a read receipt).
    Seen {
        /// The conversation.
        conversation_id: ConversationId,
        /// Who saw it.
        role: Role,
        /// The highest event number they were shown.
        seq: u64,
    },
    /// The transcript was emailed (answer to `email_transcript`).
    TranscriptSent {
        /// The conversation.
        conversation_id: ConversationId,
        /// Where it went, partly hidden (`j•••@example.com`).
        to: String,
    },
    /// Where the visitor is now and with what (to the adviser of the conversation).
    VisitChanged {
        /// The conversation.
        conversation_id: ConversationId,
        /// The pages of the visit and the browser's details.
        visit: crate::visit::VisitContext,
    },
    /// Answer to an adviser's `hello`.
    AdviserWelcome {
        /// The relay's protocol version.
        protocol: u32,
        /// The logged-in adviser.
        adviser: AdviserProfile,
        /// Their current presence.
        presence: Presence,
    },
    /// The adviser's presence changed (confirmation of `set_presence`).
    PresenceChanged {
        /// The new presence.
        presence: Presence,
    },
    /// The whole waiting queue, sent to advisers whenever it changes.
    Queue {
        /// Waiting visitors, next first.
        entries: Vec<QueueEntry>,
    },
    /// A conversation the adviser now holds, with everything needed to handle it.
    Assigned {
        /// The conversation, its contact, the contact's history and all events.
        conversation: Box<ConversationDetail>,
    },
    /// The conversation leaves the adviser's console: wrapped up, or handed over.
    Closed {
        /// The conversation.
        conversation_id: ConversationId,
        /// Set when it was handed over: where to, in words.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        transferred_to: Option<String>,
    },
    /// Every adviser the relay knows, with presence: sent to a console when it connects.
    Colleagues {
        /// The advisers.
        advisers: Vec<Colleague>,
    },
    /// The advisers whose details or presence changed since the last list or change (at most
    /// every 150 ms): the console replaces those with the same id and adds the others. Only
    /// changes travel, so a desk of n advisers logging in does not send n lists of n.
    ColleaguesChanged {
        /// The advisers who changed, as they are now.
        advisers: Vec<Colleague>,
    },
    /// A chat a supervisor watches, as it is now (answer to `watch`); its events, typing and
    /// notes follow until `unwatch`, or until it is taken over or wrapped up.
    Watching {
        /// The conversation, with everything an adviser sees.
        conversation: Box<ConversationDetail>,
    },
    /// A note only advisers see, added to a conversation the adviser holds.
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
    /// To the visitor: the adviser asks to see the page.
    CobrowseInvite {
        /// The conversation.
        conversation_id: ConversationId,
        /// The adviser's display name.
        adviser: String,
    },
    /// To the adviser: the visitor declined to share the page.
    CobrowseDeclined {
        /// The conversation.
        conversation_id: ConversationId,
    },
    /// To the visitor: send a fresh snapshot.
    CobrowseResync {
        /// The conversation.
        conversation_id: ConversationId,
    },
    /// To the adviser: the visitor's whole page.
    CobrowseSnapshot {
        /// The conversation.
        conversation_id: ConversationId,
        /// The page.
        snapshot: Box<PageSnapshot>,
    },
    /// To the adviser: changes on the visitor's page.
    CobrowseChanges {
        /// The conversation.
        conversation_id: ConversationId,
        /// The changes.
        changes: PageChanges,
    },
    /// To the adviser: one part of a snapshot or change batch too large for one frame, to be
    /// put back together (see [`crate::cobrowse_parts`]).
    CobrowsePart {
        /// The conversation.
        conversation_id: ConversationId,
        /// The part.
        part: FramePart,
    },
    /// To the adviser: the visitor gave or took back permission to fill in fields.
    CobrowseControl {
        /// The conversation.
        conversation_id: ConversationId,
        /// True while the adviser may fill in fields.
        granted: bool,
    },
    /// To the adviser: a fill was applied on the visitor's page.
    CobrowseFilled {
        /// The conversation.
        conversation_id: ConversationId,
        /// The field's name.
        field: String,
    },
    /// To the visitor: what the adviser does on the page.
    CobrowseGuide {
        /// The conversation.
        conversation_id: ConversationId,
        /// What to do.
        guidance: Guidance,
    },
    /// The code this visitor reads out to an adviser on the phone (answer to
    /// `request_share_code`); it works once, until `expires_at_ms`.
    ShareCode {
        /// Six digits.
        share_code: String,
        /// When it stops working (ms since the epoch).
        expires_at_ms: i64,
    },
    /// A frame or request was refused; nothing else happened.
    Error {
        /// Machine-readable reason.
        code: ErrorCode,
        /// Human-readable explanation.
        message: String,
        /// The offending field, for `invalid_input`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        field: Option<String>,
    },
    /// A frame type this client does not know (sent by a newer relay); ignore it.
    #[serde(other)]
    Unknown,
}

impl ServerMsg {
    /// An error frame without a field.
    pub fn error(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Error {
            code,
            message: message.into(),
            field: None,
        }
    }
}
