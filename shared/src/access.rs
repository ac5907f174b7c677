//! Who may do what: the role of an adviser account. Each role includes the ones below it
//! (an admin can do everything a supervisor can, a supervisor everything an adviser can);
//! docs/roles.md lists every route and frame.

use serde::{Deserialize, Serialize};

/// The role of an adviser account, from least to most trusted.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum AdviserRole {
    /// Their chats, the queue, tickets, canned answers, the contacts they serve.
    #[default]
    Adviser,
    /// Also: the dashboard, every live chat (watch, whisper, take over), merging contacts.
    Supervisor,
    /// Also: sites, queues, canned answers and articles, advisers and roles, API tokens,
    /// export, erasure, the audit trail.
    Admin,
}

impl AdviserRole {
    /// Every role, least trusted first.
    pub const ALL: [AdviserRole; 3] = [Self::Adviser, Self::Supervisor, Self::Admin];

    /// The name stored and shown (`adviser`, `supervisor`, `admin`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Adviser => "adviser",
            Self::Supervisor => "supervisor",
            Self::Admin => "admin",
        }
    }

    /// Parses a stored or typed name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.as_str() == name)
    }

    /// True when this role may do what `needed` may.
    pub fn includes(self, needed: AdviserRole) -> bool {
        self >= needed
    }
}

/// An adviser account as the admins' Team page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    /// Login name.
    pub login: String,
    /// Name shown to visitors.
    pub display_name: String,
    /// What the account may do.
    pub role: AdviserRole,
    /// Service level, 1 to 3.
    pub level: u8,
    /// True when the account may not log in.
    pub disabled: bool,
    /// True when the account signs in through the OpenID provider.
    pub single_sign_on: bool,
}

/// An API token as listed (never the token itself).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSummary {
    /// Its id.
    pub id: String,
    /// What it is for.
    pub name: String,
    /// `read`, `write` or `admin`.
    pub scope: String,
    /// When it was made (ms since the epoch).
    pub created_at_ms: i64,
}

#[cfg(test)]
mod tests {
    use super::AdviserRole;

    #[test]
    fn each_role_includes_the_ones_below_and_not_above() {
        assert!(AdviserRole::Admin.includes(AdviserRole::Supervisor));
        assert!(AdviserRole::Supervisor.includes(AdviserRole::Adviser));
        assert!(!AdviserRole::Adviser.includes(AdviserRole::Supervisor));
        assert!(!AdviserRole::Supervisor.includes(AdviserRole::Admin));
    }

    #[test]
    fn names_round_trip_and_unknown_names_are_refused() {
        for role in AdviserRole::ALL {
            assert_eq!(AdviserRole::parse(role.as_str()), Some(role));
        }
        assert_eq!(AdviserRole::parse("root"), None);
        assert_eq!(AdviserRole::parse("Admin"), None);
    }
}
