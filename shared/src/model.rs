//! Data carried inside frames.

use crate::desk::{Handover, InternalNote, Survey};
use crate::event::ConversationEvent;
use crate::ids::{AdviserId, ContactId, ConversationId};
use serde::{Deserialize, Serialize};

/// What the visitor fills in before chatting (the pre-chat form).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatRequest {
    /// The visitor's name.
    pub name: String,
    /// Email address; an email or a phone number is required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number; an email or a phone number is required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Company, optional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// Why the visitor wants to talk to an adviser.
    pub reason: String,
    /// The page the visitor was on when asking.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_url: Option<String>,
    /// The visitor's language (`fr`, `en`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// The site's own id of a logged-in user, signed by the site's server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<SignedIdentity>,
    /// The topic's queue ([`crate::desk::QueueInfo::key`]); the default queue when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    /// The site the request came from: set by the relay from the connection (the tag's
    /// `data-site`, checked against the page's origin), never read from the frame.
    #[serde(skip)]
    pub site: Option<String>,
}

/// A logged-in user's id as the site's server vouches for it: `signature` is the hex
/// HMAC-SHA256 of `user_id` with the secret the site shares with the relay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIdentity {
    /// The site's id of the user.
    pub user_id: String,
    /// Hex HMAC-SHA256 of `user_id`.
    pub signature: String,
}

/// How a conversation was started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The visitor asked for a chat in the widget.
    #[default]
    Chat,
    /// The visitor read out a share code to an adviser on the phone.
    Phone,
}

impl Channel {
    /// The name stored in the CRM.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Chat => "chat",
            Self::Phone => "phone",
        }
    }

    /// Parses a stored name (anything unknown is a chat).
    pub fn parse(text: &str) -> Self {
        if text == "phone" {
            Self::Phone
        } else {
            Self::Chat
        }
    }
}

/// Where a conversation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversationStatus {
    /// Waiting for an adviser.
    Queued,
    /// An adviser is chatting with the visitor.
    Active,
    /// Over; the transcript is kept.
    Ended,
}

impl ConversationStatus {
    /// The name stored in the CRM and shown in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Active => "active",
            Self::Ended => "ended",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "queued" => Some(Self::Queued),
            "active" => Some(Self::Active),
            "ended" => Some(Self::Ended),
            _ => None,
        }
    }
}

/// The visitor's view of their conversation, sent on connect and on resume.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitorConversation {
    /// The conversation.
    pub id: ConversationId,
    /// Signed token that lets this visitor, and only this visitor, resume the conversation.
    pub token: String,
    /// Where it stands.
    pub status: ConversationStatus,
    /// The adviser's display name once one has joined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adviser_name: Option<String>,
    /// The visitor's name, as given in the pre-chat form.
    pub visitor_name: String,
    /// The highest event number stored so far.
    pub last_seq: u64,
    /// The highest event number the adviser's screen has shown (read receipts).
    #[serde(default)]
    pub adviser_seen_seq: u64,
}

/// A visitor waiting in the queue, as advisers see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueEntry {
    /// The waiting conversation.
    pub conversation_id: ConversationId,
    /// 1 for the next visitor to be served.
    pub position: u32,
    /// The visitor's name.
    pub visitor_name: String,
    /// The company, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// The reason given in the pre-chat form.
    pub reason: String,
    /// When the request was made, in milliseconds since the Unix epoch.
    pub requested_at_ms: i64,
    /// The topic's queue.
    #[serde(default = "default_queue")]
    pub queue: String,
    /// The service level needed (1 to 3; above 1 after an escalation).
    #[serde(default = "default_level")]
    pub level: u8,
    /// True when an adviser handed it over (it keeps its place by time of request).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub transferred: bool,
}

fn default_queue() -> String {
    crate::desk::DEFAULT_QUEUE.to_owned()
}

fn default_level() -> u8 {
    crate::desk::MIN_LEVEL
}

/// An adviser's availability.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presence {
    /// Available advisers are assigned waiting visitors automatically; away ones are not,
    /// but can still take a chat from the queue.
    pub available: bool,
    /// How many chats the adviser handles at once (1 to [`crate::limits::MAX_CHATS_PER_ADVISER`]).
    pub max_chats: u8,
}

/// An adviser as the console shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdviserProfile {
    /// The account.
    pub id: AdviserId,
    /// Login name.
    pub login: String,
    /// Name shown to visitors.
    pub display_name: String,
    /// Service level: 1 general, 2 trained, 3 expert.
    #[serde(default = "default_level")]
    pub level: u8,
    /// The queues this adviser serves; empty means all of them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub queues: Vec<String>,
    /// What the account may do (docs/roles.md).
    #[serde(default)]
    pub role: crate::access::AdviserRole,
}

impl AdviserProfile {
    /// True when this adviser answers `queue` at `level`.
    pub fn serves(&self, queue: &str, level: u8) -> bool {
        self.level >= level && (self.queues.is_empty() || self.queues.iter().any(|q| q == queue))
    }
}

/// How a conversation was resolved (the one required wrap-up field).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// The request was fully answered.
    Resolved,
    /// Something was promised for later: see the follow-up date.
    FollowUp,
    /// The request could not be answered.
    Unresolved,
}

impl Resolution {
    /// All values, in the order the console offers them.
    pub const ALL: [Resolution; 3] = [Self::Resolved, Self::FollowUp, Self::Unresolved];

    /// The name stored in the CRM and shown in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Resolved => "resolved",
            Self::FollowUp => "follow_up",
            Self::Unresolved => "unresolved",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// What the adviser records when a conversation is over.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrapUp {
    /// How it was resolved (required).
    pub resolution: Resolution,
    /// The answer given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// The solution agreed with the visitor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreed_solution: Option<String>,
    /// Actions taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions_taken: Option<String>,
    /// Follow-up date, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up_date: Option<String>,
    /// Compensation granted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compensation: Option<String>,
    /// Suggestion to prevent the problem next time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prevention: Option<String>,
}

/// How a conversation's visitor was matched to their CRM contact.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactMatch {
    /// The site signed the visitor's user id: the contact is proven.
    Verified,
    /// The request created the contact: nothing earlier is theirs.
    New,
    /// An existing contact had the email or phone the visitor typed: not proven to be the
    /// same person, so their earlier sessions must not be disclosed on that basis.
    #[default]
    Typed,
}

impl ContactMatch {
    /// The name stored in the CRM.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Verified => "verified",
            Self::New => "new",
            Self::Typed => "typed",
        }
    }

    /// Parses a stored name; anything unknown reads as the cautious `Typed`.
    pub fn parse(text: &str) -> Self {
        match text {
            "verified" => Self::Verified,
            "new" => Self::New,
            _ => Self::Typed,
        }
    }
}

/// A contact as the adviser sees them next to a chat.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactCard {
    /// The CRM contact.
    pub id: ContactId,
    /// Name.
    pub name: String,
    /// Email, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Company, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// The site's user id, when the site vouched for this contact (identity verification).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_user_id: Option<String>,
}

/// One earlier conversation of the same contact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastSession {
    /// The conversation.
    pub id: ConversationId,
    /// When it was requested, in milliseconds since the Unix epoch.
    pub requested_at_ms: i64,
    /// The reason given.
    pub reason: String,
    /// Where it stands.
    pub status: ConversationStatus,
    /// Advisers involved, by display name.
    pub advisers: Vec<String>,
    /// The wrap-up, once recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrap_up: Option<WrapUp>,
}

/// Everything an adviser needs to handle one conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationDetail {
    /// The conversation.
    pub id: ConversationId,
    /// Where it stands.
    pub status: ConversationStatus,
    /// The reason given in the pre-chat form.
    pub reason: String,
    /// The page the visitor asked from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_url: Option<String>,
    /// When the request was made, in milliseconds since the Unix epoch.
    pub requested_at_ms: i64,
    /// The visitor.
    pub contact: ContactCard,
    /// How the visitor was matched to `contact`: the console hides the earlier sessions of a
    /// `typed` match behind a deliberate click.
    #[serde(default)]
    pub contact_match: ContactMatch,
    /// The contact's earlier conversations, newest first.
    pub history: Vec<PastSession>,
    /// Every event of this conversation so far.
    pub events: Vec<ConversationEvent>,
    /// The topic's queue.
    #[serde(default = "default_queue")]
    pub queue: String,
    /// The service level needed.
    #[serde(default = "default_level")]
    pub level: u8,
    /// The visitor's language (for canned answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Notes only advisers see, oldest first.
    #[serde(default)]
    pub notes: Vec<InternalNote>,
    /// Every hand-over so far, oldest first.
    #[serde(default)]
    pub handovers: Vec<Handover>,
    /// The visitor's survey, once answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survey: Option<Survey>,
    /// Where the visitor is and with what, once their widget said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit: Option<crate::visit::VisitContext>,
    /// The highest event number the visitor's screen has shown (read receipts).
    #[serde(default)]
    pub visitor_seen_seq: u64,
    /// The highest event number an adviser's screen has shown.
    #[serde(default)]
    pub adviser_seen_seq: u64,
    /// How it was started (a chat, or a share code read out on the phone).
    #[serde(default)]
    pub channel: Channel,
}
