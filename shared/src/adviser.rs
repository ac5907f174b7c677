//! Frames an adviser's console sends to the relay (`/ws/adviser`, after logging in).

use crate::cobrowse::Guidance;
use crate::desk::TransferTarget;
use crate::ids::{AdviserId, ConversationId};
use crate::model::{Presence, WrapUp};
use serde::{Deserialize, Serialize};

/// A frame from an adviser.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AdviserMsg {
    /// First frame of every connection. The relay answers with the adviser's profile, the
    /// queue, and every conversation the adviser holds (with all its events).
    Hello {
        /// Must equal [`crate::PROTOCOL_VERSION`].
        protocol: u32,
    },
    /// Sets availability and how many chats the adviser takes at once.
    SetPresence {
        /// The new presence.
        presence: Presence,
    },
    /// Takes a waiting visitor from the queue.
    Take {
        /// The waiting conversation.
        conversation_id: ConversationId,
    },
    /// A chat message. `client_msg_id` makes resending it harmless.
    Send {
        /// The conversation.
        conversation_id: ConversationId,
        /// Unique per message, chosen by the console.
        client_msg_id: String,
        /// The text.
        body: String,
    },
    /// The adviser started or stopped typing.
    Typing {
        /// The conversation.
        conversation_id: ConversationId,
        /// True while typing.
        active: bool,
    },
    /// The adviser's screen showed the conversation up to this event (a read receipt); sent
    /// once per newly shown message.
    Seen {
        /// The conversation.
        conversation_id: ConversationId,
        /// The highest event number shown.
        seq: u64,
    },
    /// Asks for the events after `after_seq` (after a reconnect).
    Sync {
        /// The conversation.
        conversation_id: ConversationId,
        /// Highest event number the console holds.
        after_seq: u64,
    },
    /// Ends the conversation; the wrap-up follows.
    EndChat {
        /// The conversation.
        conversation_id: ConversationId,
    },
    /// Records the wrap-up of an ended conversation and closes it in the console.
    WrapUp {
        /// The conversation.
        conversation_id: ConversationId,
        /// What the adviser records.
        wrap_up: WrapUp,
    },
    /// Hands a conversation over to a queue, a service level or a named colleague, with a
    /// note for the next adviser (never shown to the visitor).
    Transfer {
        /// The conversation.
        conversation_id: ConversationId,
        /// Where to.
        target: TransferTarget,
        /// Why, and what was done so far.
        note: String,
    },
    /// Adds a note only advisers see.
    AddNote {
        /// The conversation.
        conversation_id: ConversationId,
        /// The text.
        body: String,
    },
    /// Writes to a colleague, optionally about a conversation.
    AskColleague {
        /// The colleague.
        to: AdviserId,
        /// The conversation it is about.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        conversation_id: Option<ConversationId>,
        /// The text.
        body: String,
    },
    /// Asks the visitor to share their page.
    CobrowseRequest {
        /// The conversation.
        conversation_id: ConversationId,
    },
    /// Guides the visitor on their page (pointer, highlight, scroll, fill, propose a page).
    CobrowseGuide {
        /// The conversation.
        conversation_id: ConversationId,
        /// What to do.
        guidance: Guidance,
    },
    /// Asks for a fresh snapshot (the mirror was lost or is out of step).
    CobrowseResync {
        /// The conversation.
        conversation_id: ConversationId,
    },
    /// Stops co-browsing.
    CobrowseStop {
        /// The conversation.
        conversation_id: ConversationId,
    },
    /// Joins the visitor who reads out this share code on the phone: the relay opens a
    /// conversation of channel `phone` held by this adviser and asks the visitor's consent to
    /// see their page.
    JoinByCode {
        /// The code, as typed (spaces are ignored).
        code: String,
    },
    /// Watches a chat in progress as it happens (supervisors and admins; the visitor is not
    /// told): the relay answers `watching`, then sends its events, typing and notes.
    Watch {
        /// The conversation.
        conversation_id: ConversationId,
    },
    /// Stops watching a chat.
    Unwatch {
        /// The conversation.
        conversation_id: ConversationId,
    },
    /// A note to the adviser of a watched chat (supervisors and admins): only advisers see
    /// it, never the visitor.
    Whisper {
        /// The conversation.
        conversation_id: ConversationId,
        /// The text.
        body: String,
    },
    /// Takes a chat over from its adviser (supervisors and admins): it moves to this
    /// console, with its history and notes; the adviser's console lets it go.
    TakeOver {
        /// The conversation.
        conversation_id: ConversationId,
    },
    /// Moves a chat in progress from its adviser to a colleague, a queue or a level
    /// (supervisors and admins), with a note saying who decided.
    Reassign {
        /// The conversation.
        conversation_id: ConversationId,
        /// Where to.
        target: TransferTarget,
    },
    /// Any frame type this relay does not know (answered with `unknown_type`).
    #[serde(other)]
    Unknown,
}
