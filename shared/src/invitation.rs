//! Proactive invitations: a site's rules for offering a chat before the visitor asks ("after
//! 30 s on a pricing page, say « Une question sur nos tarifs ? »"), shown by the loader as a
//! small bubble beside the launcher, only while an adviser of the rule's queue is available,
//! and at most once per visit. What visitors did with each rule is counted for the dashboard.

use crate::limits::{validate_key, FieldError, Problem};
use crate::site::Texts;
use serde::{Deserialize, Serialize};

/// Rules a site may have.
pub const MAX_INVITATIONS_PER_SITE: usize = 10;

/// Longest invitation message, in characters (per language).
pub const MAX_INVITATION_MESSAGE_CHARS: usize = 160;

/// Longest page pattern, in characters.
pub const MAX_PATTERN_CHARS: usize = 200;

/// Longest wait before an invitation shows, in seconds.
pub const MAX_INVITATION_DELAY_SECS: u32 = 3600;

/// One rule: where, after how long, what to say, for which queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationRule {
    /// Its key, unique on the site (`pricing`): what the counts are kept under.
    pub id: String,
    /// The pages it applies to: a path where `*` stands for anything (`/pricing*`); empty or
    /// `*` for every page.
    #[serde(default)]
    pub url_pattern: String,
    /// Seconds the visitor spends on the page before it shows.
    #[serde(default)]
    pub after_secs: u32,
    /// What the bubble says, per language.
    pub message: Texts,
    /// The queue that would answer (the site's first when absent): the rule is offered only
    /// while an adviser of it is available.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
}

impl InvitationRule {
    /// Trimmed and checked; the first field in error is named.
    pub fn validated(self) -> Result<InvitationRule, FieldError> {
        let id = validate_key(&self.id).map_err(|e| FieldError {
            field: "invitations",
            problem: e.problem,
        })?;
        let url_pattern = self.url_pattern.trim().to_owned();
        let pattern_ok = url_pattern.is_empty()
            || url_pattern == "*"
            || (url_pattern.starts_with('/')
                && !url_pattern.chars().any(|c| c.is_whitespace() || c == '<'));
        if url_pattern.chars().count() > MAX_PATTERN_CHARS || !pattern_ok {
            return Err(FieldError {
                field: "url_pattern",
                problem: Problem::Invalid,
            });
        }
        if self.after_secs > MAX_INVITATION_DELAY_SECS {
            return Err(FieldError {
                field: "after_secs",
                problem: Problem::Invalid,
            });
        }
        let message = self
            .message
            .validated("message", MAX_INVITATION_MESSAGE_CHARS)?;
        if message.fr.is_none() && message.en.is_none() {
            return Err(FieldError {
                field: "message",
                problem: Problem::Required,
            });
        }
        let queue = match self.queue.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(queue) => Some(validate_key(queue).map_err(|e| FieldError {
                field: "queue",
                problem: e.problem,
            })?),
        };
        Ok(InvitationRule {
            id,
            url_pattern,
            after_secs: self.after_secs,
            message,
            queue,
        })
    }

    /// True when the rule applies to the page at `path` (`*` matches any characters).
    pub fn matches_path(&self, path: &str) -> bool {
        let pattern = self.url_pattern.as_str();
        if pattern.is_empty() || pattern == "*" {
            return true;
        }
        let mut parts = pattern.split('*');
        let first = parts.next().unwrap_or_default();
        let Some(mut rest) = path.strip_prefix(first) else {
            return false;
        };
        let parts: Vec<&str> = parts.collect();
        for (i, part) in parts.iter().enumerate() {
            if i + 1 == parts.len() {
                return rest.ends_with(part);
            }
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
        rest.is_empty()
    }
}

/// What a visitor did with an invitation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvitationEvent {
    /// The bubble was shown.
    Shown,
    /// The visitor opened the chat from it.
    Opened,
    /// The visitor closed it.
    Dismissed,
}

impl InvitationEvent {
    /// Reads `shown`, `opened` or `dismissed`.
    pub fn parse(text: &str) -> Option<InvitationEvent> {
        match text {
            "shown" => Some(InvitationEvent::Shown),
            "opened" => Some(InvitationEvent::Opened),
            "dismissed" => Some(InvitationEvent::Dismissed),
            _ => None,
        }
    }
}

/// One rule's counts over a period (the dashboard).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationFigures {
    /// The site.
    pub site: String,
    /// The rule's id.
    pub rule: String,
    /// Bubbles shown.
    pub shown: u32,
    /// Chats opened from them.
    pub opened: u32,
    /// Bubbles closed.
    pub dismissed: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(pattern: &str) -> InvitationRule {
        InvitationRule {
            id: "pricing".into(),
            url_pattern: pattern.into(),
            after_secs: 30,
            message: Texts {
                fr: Some("Une question ?".into()),
                en: None,
            },
            queue: None,
        }
    }

    #[test]
    fn patterns_match_paths_with_stars() {
        assert!(rule("").matches_path("/anything"));
        assert!(rule("*").matches_path("/"));
        assert!(rule("/pricing").matches_path("/pricing"));
        assert!(!rule("/pricing").matches_path("/pricing/team"));
        assert!(rule("/pricing*").matches_path("/pricing/team"));
        assert!(rule("/shop/*/checkout").matches_path("/shop/42/checkout"));
        assert!(!rule("/shop/*/checkout").matches_path("/shop/42/cart"));
        assert!(rule("*/apply.html").matches_path("/fr/apply.html"));
        assert!(!rule("/pricing*").matches_path("/about"));
    }

    #[test]
    fn rules_are_checked() {
        assert!(rule("/pricing*").validated().is_ok());
        let no_message = InvitationRule {
            message: Texts::default(),
            ..rule("/x")
        };
        assert_eq!(no_message.validated().map_err(|e| e.field), Err("message"));
        assert_eq!(
            rule("javascript:alert(1)").validated().map_err(|e| e.field),
            Err("url_pattern")
        );
        let slow = InvitationRule {
            after_secs: MAX_INVITATION_DELAY_SECS + 1,
            ..rule("/x")
        };
        assert_eq!(slow.validated().map_err(|e| e.field), Err("after_secs"));
        let bad_id = InvitationRule {
            id: "Pricing Page".into(),
            ..rule("/x")
        };
        assert_eq!(bad_id.validated().map_err(|e| e.field), Err("invitations"));
    }
}
