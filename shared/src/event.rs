//! The numbered events of a conversation.
//!
//! Every event a conversation keeps has a sequence number (`seq`), starting at 1 and increasing
//! by one, so a client that reconnects says the last `seq` it saw and receives exactly the rest.

use crate::files::SharedFile;
use crate::flat::required;
use serde::{Deserialize, Deserializer, Serialize};

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

/// One stored event of a conversation (read through one flat struct: see [`crate::flat`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConversationEvent {
    /// Position in the conversation, from 1, without gaps.
    pub seq: u64,
    /// When the relay stored it, in milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What a conversation event is (read through one flat struct: see [`crate::flat`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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

/// Every field of an event, whatever its kind; `seq` and `at_ms` are absent when an
/// [`EventKind`] is read alone (the store keeps the kind apart from its number).
#[derive(Deserialize)]
struct EventFields {
    seq: Option<u64>,
    at_ms: Option<i64>,
    kind: String,
    author: Option<Author>,
    body: Option<String>,
    client_msg_id: Option<String>,
    file: Option<SharedFile>,
    name: Option<String>,
    from: Option<String>,
    by: Option<Role>,
}

/// The kinds [`EventKind`] reads, for the error about another.
const EVENT_KINDS: &[&str] = &[
    "message",
    "adviser_joined",
    "transferred",
    "cobrowse_started",
    "cobrowse_ended",
    "ended",
];

impl EventFields {
    fn into_kind<E: serde::de::Error>(self) -> Result<EventKind, E> {
        Ok(match self.kind.as_str() {
            "message" => EventKind::Message {
                author: required(self.author, "author")?,
                body: required(self.body, "body")?,
                client_msg_id: self.client_msg_id,
                file: self.file,
            },
            "adviser_joined" => EventKind::AdviserJoined {
                name: required(self.name, "name")?,
            },
            "transferred" => EventKind::Transferred {
                from: required(self.from, "from")?,
            },
            "cobrowse_started" => EventKind::CobrowseStarted,
            "cobrowse_ended" => EventKind::CobrowseEnded {
                by: required(self.by, "by")?,
            },
            "ended" => EventKind::Ended {
                by: required(self.by, "by")?,
            },
            other => return Err(E::unknown_variant(other, EVENT_KINDS)),
        })
    }
}

impl<'de> Deserialize<'de> for EventKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        EventFields::deserialize(deserializer)?.into_kind()
    }
}

impl<'de> Deserialize<'de> for ConversationEvent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut fields = EventFields::deserialize(deserializer)?;
        let seq = required(fields.seq.take(), "seq")?;
        let at_ms = required(fields.at_ms.take(), "at_ms")?;
        Ok(ConversationEvent {
            seq,
            at_ms,
            kind: fields.into_kind()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(event: &ConversationEvent) -> Result<ConversationEvent, serde_json::Error> {
        serde_json::from_str(&serde_json::to_string(event)?)
    }

    #[test]
    fn every_kind_reads_back_as_written_alone_and_in_an_event() {
        let adviser = Author {
            role: Role::Adviser,
            name: "Alice".into(),
        };
        let kinds = [
            EventKind::Message {
                author: adviser.clone(),
                body: "invoice.pdf".into(),
                client_msg_id: Some("m1".into()),
                file: Some(SharedFile {
                    id: "f".into(),
                    name: "invoice.pdf".into(),
                    content_type: "application/pdf".into(),
                    bytes: 3,
                    path: "/files/f/k".into(),
                }),
            },
            EventKind::Message {
                author: adviser,
                body: "hello".into(),
                client_msg_id: None,
                file: None,
            },
            EventKind::AdviserJoined {
                name: "Alice".into(),
            },
            EventKind::Transferred { from: "Bob".into() },
            EventKind::CobrowseStarted,
            EventKind::CobrowseEnded { by: Role::Visitor },
            EventKind::Ended { by: Role::System },
        ];
        for kind in kinds {
            let text = serde_json::to_string(&kind).unwrap_or_default();
            assert_eq!(
                serde_json::from_str::<EventKind>(&text).ok(),
                Some(kind.clone())
            );
            let event = ConversationEvent {
                seq: 7,
                at_ms: 9,
                kind,
            };
            assert_eq!(round_trip(&event).ok(), Some(event));
        }
    }

    #[test]
    fn unknown_kinds_and_missing_fields_are_errors_that_say_so() {
        let error = |text: &str| {
            serde_json::from_str::<ConversationEvent>(text)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert!(error(r#"{"seq":1,"at_ms":2,"kind":"party"}"#).contains("unknown variant `party`"));
        assert!(error(r#"{"seq":1,"at_ms":2,"kind":"ended"}"#).contains("missing field `by`"));
        assert!(error(r#"{"at_ms":2,"kind":"cobrowse_started"}"#).contains("missing field `seq`"));
    }
}
