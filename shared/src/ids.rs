//! Identifiers, as newtypes so that one kind of id can never be passed for another.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }
    };
}

string_id!(
    /// One conversation (a CRM "session"): from the visitor's request to its end.
    ConversationId
);
string_id!(
    /// An adviser account.
    AdviserId
);
string_id!(
    /// A CRM contact: the person behind one or more conversations.
    ContactId
);

/// A client message id that grows with time: a version 7 UUID whose first 48 bits are
/// `now_ms` (milliseconds since 1970), the rest taken from `random_uuid`, a version 4 UUID
/// (its version digit becomes 7). The relay's index of client ids starts with the id, so
/// ids in time order are added at its end instead of all over it (fewer pages written per
/// message). A `random_uuid` of another shape is kept whole after the time.
pub fn time_ordered_message_id(now_ms: u64, random_uuid: &str) -> String {
    let time = format!(
        "{:08x}-{:04x}",
        (now_ms >> 16) & 0xffff_ffff,
        now_ms & 0xffff
    );
    match random_uuid.get(15..) {
        Some(rest) if random_uuid.len() == 36 => format!("{time}-7{rest}"),
        _ => format!("{time}-{random_uuid}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RANDOM: &str = "9b2f4c1e-5a6d-4f3b-8c7d-0e1f2a3b4c5d";

    #[test]
    fn a_message_id_is_a_version_7_uuid_of_its_time() {
        let id = time_ordered_message_id(0x0193_8d2c_4a1f, RANDOM);
        assert_eq!(id, "01938d2c-4a1f-7f3b-8c7d-0e1f2a3b4c5d");
        assert_eq!(id.len(), 36);
    }

    #[test]
    fn later_ids_sort_after_earlier_ones() {
        let earlier = time_ordered_message_id(1_764_680_000_000, RANDOM);
        let later =
            time_ordered_message_id(1_764_680_000_001, "00000000-0000-4000-8000-000000000000");
        assert!(earlier < later, "{earlier} < {later}");
    }

    #[test]
    fn an_id_of_another_shape_is_kept_after_the_time() {
        assert_eq!(time_ordered_message_id(1, "x1f"), "00000000-0001-x1f");
    }
}
