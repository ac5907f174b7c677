//! What an API token may do: read the CRM, also change it, or also administer the relay.

/// An API token's scope; each includes the ones below it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TokenScope {
    /// Read sessions, contacts, reports, exports.
    Read,
    /// Also change contacts, notes, canned answers and articles.
    Write,
    /// Also sites, queues, erasure and the audit trail.
    Admin,
}

impl TokenScope {
    /// Every scope, narrowest first.
    pub const ALL: [TokenScope; 3] = [Self::Read, Self::Write, Self::Admin];

    /// The name stored and typed (`read`, `write`, `admin`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Admin => "admin",
        }
    }

    /// Parses a stored or typed name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|scope| scope.as_str() == name)
    }

    /// True when this scope may do what `needed` may.
    pub fn includes(self, needed: TokenScope) -> bool {
        self >= needed
    }
}
