//! The service desk around the chat: queues by topic and service level, transfers, internal
//! notes, tickets for requests answered later (messages and callbacks), canned answers and
//! the satisfaction survey.

use crate::ids::{AdviserId, ConversationId};
use crate::limits::{
    optional, required, validate_key, FieldError, Problem, MAX_CANNED_CHARS, MAX_COMMENT_CHARS,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The queue every relay has; requests without a topic go there.
pub const DEFAULT_QUEUE: &str = "general";
/// Lowest service level (general questions).
pub const MIN_LEVEL: u8 = 1;
/// Highest service level (experts).
pub const MAX_LEVEL: u8 = 3;

/// A topic visitors can pick, and whether someone can answer it now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueInfo {
    /// Stable key (`billing`, `general`, ...).
    pub key: String,
    /// Its name per language code (`en`, `fr`, ...).
    pub names: BTreeMap<String, String>,
    /// True when a chat can start now: within business hours, an adviser who serves it is
    /// available, and the expected wait is under the site's threshold.
    pub available: bool,
    /// Within business hours.
    pub open_now: bool,
    /// The expected wait for a new request, when someone can answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_wait_secs: Option<u32>,
    /// Start times (ms since the epoch) a visitor may book a callback at.
    pub callback_slots_ms: Vec<i64>,
    /// Hours within which a message left now is answered.
    pub reply_within_hours: u32,
}

impl QueueInfo {
    /// The name in `locale`, else in English, else the key.
    pub fn name(&self, locale: &str) -> &str {
        self.names
            .get(locale)
            .or_else(|| self.names.get("en"))
            .map_or(self.key.as_str(), String::as_str)
    }
}

/// What a ticket is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketKind {
    /// The visitor left a message to be answered later.
    Message,
    /// The visitor asked to be called back at a time.
    Callback,
    /// The visitor left the queue before an adviser answered.
    Abandoned,
}

impl TicketKind {
    /// The name stored in the CRM.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Message => "message",
            Self::Callback => "callback",
            Self::Abandoned => "abandoned",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Message, Self::Callback, Self::Abandoned]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

/// A ticket as its visitor sees it: the acknowledgement, then the answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitorTicket {
    /// The ticket.
    pub id: String,
    /// Lets this visitor, and only them, read it again later.
    pub token: String,
    /// Message, callback or abandoned chat.
    pub kind: TicketKind,
    /// What the visitor wrote.
    pub message: String,
    /// When it was left (ms since the epoch).
    pub created_at_ms: i64,
    /// When the company promises to answer by (ms since the epoch).
    pub due_at_ms: i64,
    /// The booked callback time, for callbacks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_at_ms: Option<i64>,
    /// The adviser's answer, once given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// Who answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_by: Option<String>,
}

/// The satisfaction survey after a chat; every score is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Survey {
    /// Customer satisfaction, 1 (very unhappy) to 5 (very happy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csat: Option<u8>,
    /// Customer effort, 1 (very hard) to 7 (very easy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ces: Option<u8>,
    /// Likelihood to recommend, 0 to 10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nps: Option<u8>,
    /// Free comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// Where an adviser hands a conversation over to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum TransferTarget {
    /// Another topic's queue (same service level).
    Queue {
        /// The queue's key.
        queue: String,
    },
    /// A service level (escalation to 2 or 3, or back to 1), same queue.
    Level {
        /// 1, 2 or 3.
        level: u8,
    },
    /// A named colleague, who gets the chat at once.
    Adviser {
        /// The colleague.
        adviser_id: AdviserId,
    },
}

/// A note on a conversation that only advisers see.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InternalNote {
    /// Who wrote it.
    pub author: String,
    /// The text.
    pub body: String,
    /// When (ms since the epoch).
    pub at_ms: i64,
}

/// One hand-over of a conversation from an adviser to a queue, level or colleague.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handover {
    /// The adviser who handed it over.
    pub from: String,
    /// Where to, in words (`queue billing`, `level 2`, `Léa`).
    pub to: String,
    /// Why (the note given with the transfer).
    pub note: String,
    /// When (ms since the epoch).
    pub at_ms: i64,
}

/// A colleague as the console lists them (for transfers and questions).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Colleague {
    /// The adviser.
    pub id: AdviserId,
    /// Display name.
    pub display_name: String,
    /// Service level, 1 to 3.
    pub level: u8,
    /// Queues they serve.
    pub queues: Vec<String>,
    /// Has a console open.
    pub online: bool,
    /// Takes new chats.
    pub available: bool,
}

/// A message between advisers (asking a colleague while staying in the chat).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColleagueMessage {
    /// Who wrote it.
    pub from: AdviserId,
    /// Their display name.
    pub from_name: String,
    /// To whom.
    pub to: AdviserId,
    /// The conversation it is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<ConversationId>,
    /// The text.
    pub body: String,
    /// When (ms since the epoch).
    pub at_ms: i64,
}

/// A prepared answer an adviser inserts by typing `/shortcut`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedAnswer {
    /// Id (empty when creating one).
    #[serde(default)]
    pub id: String,
    /// What the adviser types after `/` (letters, digits, `-` and `_`).
    pub shortcut: String,
    /// The language of the text (`fr`, `en`).
    pub locale: String,
    /// The text inserted.
    pub body: String,
}

/// A score outside its scale.
fn out_of_range(field: &'static str) -> FieldError {
    FieldError {
        field,
        problem: Problem::Invalid,
    }
}

impl Survey {
    /// The survey with scores on their scales and the comment trimmed, or the first field
    /// that breaks a rule.
    pub fn validated(&self) -> Result<Survey, FieldError> {
        let check = |score: Option<u8>, field, low, high| match score {
            Some(value) if !(low..=high).contains(&value) => Err(out_of_range(field)),
            other => Ok(other),
        };
        Ok(Survey {
            csat: check(self.csat, "csat", 1, 5)?,
            ces: check(self.ces, "ces", 1, 7)?,
            nps: check(self.nps, "nps", 0, 10)?,
            comment: optional(self.comment.as_deref(), "comment", MAX_COMMENT_CHARS)?,
        })
    }

    /// True when nothing was answered.
    pub fn is_empty(&self) -> bool {
        self.csat.is_none() && self.ces.is_none() && self.nps.is_none() && self.comment.is_none()
    }
}

impl CannedAnswer {
    /// The answer with a valid shortcut and language and a trimmed text.
    pub fn validated(&self) -> Result<CannedAnswer, FieldError> {
        let shortcut = validate_key(&self.shortcut).map_err(|e| FieldError {
            field: "shortcut",
            ..e
        })?;
        let locale = validate_key(&self.locale).map_err(|e| FieldError {
            field: "locale",
            ..e
        })?;
        Ok(CannedAnswer {
            id: self.id.clone(),
            shortcut,
            locale,
            body: required(&self.body, "body", MAX_CANNED_CHARS)?,
        })
    }
}

impl TransferTarget {
    /// The target with a valid queue key or level.
    pub fn validated(&self) -> Result<TransferTarget, FieldError> {
        match self {
            Self::Queue { queue } => Ok(Self::Queue {
                queue: validate_key(queue).map_err(|e| FieldError {
                    field: "queue",
                    ..e
                })?,
            }),
            Self::Level { level } if (MIN_LEVEL..=MAX_LEVEL).contains(level) => Ok(self.clone()),
            Self::Level { .. } => Err(out_of_range("level")),
            Self::Adviser { .. } => Ok(self.clone()),
        }
    }
}

/// A ticket as advisers see it in the console.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdviserTicket {
    /// The ticket.
    pub id: String,
    /// Message, callback or abandoned chat.
    pub kind: TicketKind,
    /// The topic's queue.
    pub queue: String,
    /// The contact's id in the CRM.
    pub contact_id: String,
    /// The visitor's name.
    pub name: String,
    /// Email, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// What the visitor wrote.
    pub message: String,
    /// The visitor's language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// When it was left (ms since the epoch).
    pub created_at_ms: i64,
    /// When it must be answered by.
    pub due_at_ms: i64,
    /// The booked callback time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_at_ms: Option<i64>,
    /// The chat it came from (abandoned chats).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<ConversationId>,
    /// The answer, once given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// Who answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_by: Option<String>,
    /// When the answer was emailed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub emailed_at_ms: Option<i64>,
    /// Why emailing the answer failed, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_error: Option<String>,
}

/// A chat in progress as a supervisor's list shows it (`GET /api/v1/live`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveChat {
    /// The conversation.
    pub conversation_id: ConversationId,
    /// The visitor's name.
    pub visitor_name: String,
    /// Why they asked.
    pub reason: String,
    /// The topic's queue.
    pub queue: String,
    /// The adviser holding it.
    pub adviser_name: String,
    /// When the visitor asked (ms since the epoch).
    pub requested_at_ms: i64,
    /// True once the chat ended (the adviser is writing the wrap-up).
    pub ended: bool,
}
