//! The numbered events of a conversation.
//!
//! Every event a conversation keeps has a sequence number (`seq`), starting at 1 and increasing
//! by one, so a client that reconnects says the last `seq` it saw and receives exactly the rest.

use serde::{Deserialize, Serialize};

/// Who wrote something in a conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The person on the company's website.
    Visitor,
    /// A company adviser.
    Adviser,
    /// The relay itself.
    System,
}

impl Role {
    /// The name used on the wire and in the CRM (`visitor`, `adviser`, `system`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Visitor => "visitor",
            Role::Adviser => "adviser",
            Role::System => "system",
        }
    }
}

/// The author of a message, as both sides display it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    /// Visitor, adviser or system.
    pub role: Role,
    /// Display name (an adviser's display name, the visitor's name from the pre-chat form).
    pub name: String,
}

/// One stored event of a conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationEvent {
    /// Position in the conversation, from 1, without gaps.
    pub seq: u64,
    /// When the relay stored it, in milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What a conversation event is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// A chat message.
    Message {
        /// Who wrote it.
        author: Author,
        /// The text, shown as text (never as HTML).
        body: String,
        /// The id the sender gave it, so a retransmission is recognised and stored once.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_msg_id: Option<String>,
        /// A file shared with the message (an image or a PDF); `body` is then its name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file: Option<crate::files::SharedFile>,
    },
    /// An adviser joined the conversation.
    AdviserJoined {
        /// The adviser's display name.
        name: String,
    },
    /// The adviser handed the conversation over to a colleague (who joins next).
    Transferred {
        /// The display name of the adviser who handed it over.
        from: String,
    },
    /// The visitor let the adviser see their page.
    CobrowseStarted,
    /// Co-browsing stopped.
    CobrowseEnded {
        /// Who stopped it (`system` when the chat ended).
        by: Role,
    },
    /// The conversation ended.
    Ended {
        /// Who ended it.
        by: Role,
    },
}

impl ConversationEvent {
    /// The message text and author, when the event is a message.
    pub fn as_message(&self) -> Option<(&Author, &str)> {
        match &self.kind {
            EventKind::Message { author, body, .. } => Some((author, body)),
            _ => None,
        }
    }
}
