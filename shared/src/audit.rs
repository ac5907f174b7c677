//! The audit trail as the API and the console read it: who did what, when, from where.

use serde::{Deserialize, Serialize};

/// One entry of the audit trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Its number, in the order written.
    pub id: i64,
    /// When (ms since the epoch).
    pub at_ms: i64,
    /// `adviser`, `api` (a token), `sso` (single sign-on creating or changing an account) or
    /// `cli` (the command line on the server).
    pub actor_kind: String,
    /// The adviser's or the token's id, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<String>,
    /// The adviser's login, the token's name, or `command line`.
    pub actor: String,
    /// The address the request came from, when it came over the network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// What was done (`contact.erased`, `site.changed`, `login.refused`, …).
    pub action: String,
    /// What it was done to: `contact`, `site`, `adviser`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_kind: Option<String>,
    /// Its id or key (contacts by id only: never a name or an address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_id: Option<String>,
    /// More about it, never personal data (a role, a field's name, never its value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}
