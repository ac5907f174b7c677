//! Frames a visitor's widget sends to the relay (`/ws/visitor`).

use crate::cobrowse::{PageChanges, PageSnapshot};
use crate::cobrowse_parts::FramePart;
use crate::desk::Survey;
use crate::model::ChatRequest;
use serde::{Deserialize, Serialize};

/// A frame from a visitor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum VisitorMsg {
    /// First frame of every connection. With `resume`, reattaches to that conversation and
    /// replays every event after `last_seq`.
    Hello {
        /// Must equal [`crate::PROTOCOL_VERSION`].
        protocol: u32,
        /// The token of a conversation this visitor started earlier.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resume: Option<String>,
        /// The last event number the widget holds (0 or absent: replay everything).
        #[serde(default)]
        last_seq: u64,
        /// Tokens of tickets this visitor left earlier; the relay sends each back with its
        /// answer, once given.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tickets: Vec<String>,
    },
    /// Asks for an adviser (the pre-chat form).
    StartChat {
        /// The form's content.
        request: ChatRequest,
    },
    /// A chat message. `client_msg_id` makes resending it harmless.
    Send {
        /// Unique per message, chosen by the widget.
        client_msg_id: String,
        /// The text.
        body: String,
    },
    /// The visitor started or stopped typing.
    Typing {
        /// True while typing.
        active: bool,
    },
    /// The visitor ends the conversation. While still waiting, the request becomes a
    /// ticket answered later (and counts as abandoned).
    EndChat,
    /// Leaves a message (or books a callback) instead of chatting, e.g. outside business
    /// hours. `request.reason` is the message. Answered with `ticket`.
    LeaveMessage {
        /// The pre-chat form, with the message as the reason.
        request: ChatRequest,
        /// For a callback: the chosen slot (ms since the epoch), from the queue's slots.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        callback_at_ms: Option<i64>,
    },
    /// Answers the satisfaction survey of an ended conversation.
    Survey {
        /// The conversation's token (from `chat_started`).
        token: String,
        /// The scores and comment.
        survey: Survey,
    },
    /// Answers the adviser's co-browsing invitation.
    CobrowseAnswer {
        /// True to let the adviser see the page.
        accepted: bool,
    },
    /// The whole page, redacted in the browser (after accepting, on each new page, and when
    /// the relay asks for it).
    CobrowseSnapshot {
        /// The page.
        snapshot: Box<PageSnapshot>,
    },
    /// What changed on the page since the last frame.
    CobrowseChanges {
        /// The changes.
        changes: PageChanges,
    },
    /// One part of a snapshot or change batch too large for one frame (see
    /// [`crate::cobrowse_parts`]).
    CobrowsePart {
        /// The part.
        part: FramePart,
    },
    /// Gives or takes back the adviser's permission to fill in fields.
    CobrowseControl {
        /// True to give it.
        granted: bool,
    },
    /// The adviser's fill was applied to this field (its name, never its value).
    CobrowseFilled {
        /// The field's label, `name` or `id`.
        field: String,
    },
    /// Stops co-browsing.
    CobrowseStop,
    /// Asks for knowledge-base articles matching what the visitor is typing (the reason of
    /// their request). Answered with `suggestions`.
    SuggestArticles {
        /// What they typed so far (only the first 500 characters count).
        text: String,
        /// Their language (`fr`, `en`).
        locale: String,
    },
    /// Where the visitor is and with what (sent when a chat starts or resumes, on each page).
    Visit {
        /// The pages of this visit and the browser's details.
        context: crate::visit::VisitContext,
    },
    /// The visitor's screen showed the conversation up to this event (a read receipt); sent
    /// once per newly shown message.
    Seen {
        /// The highest event number shown.
        seq: u64,
    },
    /// Emails the ended conversation's transcript to the address given in its pre-chat form.
    /// Answered with `transcript_sent`.
    EmailTranscript {
        /// The conversation's token (from `chat_started`).
        token: String,
    },
    /// Asks for a short code to read out to an adviser on the phone, who types it in the
    /// console to join (co-browsing without a chat, see [`crate::share_code`]). The request
    /// carries what the site told about the visitor (name, email, phone, signed identity),
    /// page and language; every contact field may be empty. Answered with `share_code`.
    RequestShareCode {
        /// What the site told about the visitor; `reason` is ignored.
        request: ChatRequest,
    },
    /// Withdraws this connection's share code.
    CancelShareCode,
    /// Any frame type this relay does not know (answered with `unknown_type`).
    #[serde(other)]
    Unknown,
}
