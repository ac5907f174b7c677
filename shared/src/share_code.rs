//! Co-browsing by phone: the visitor's widget asks for a short code, the visitor reads it out
//! to the adviser on the phone, and the adviser types it in the console to join. A code is six
//! digits, works once, and lapses after [`CODE_LIFETIME_MS`]; the relay rate-limits both who
//! asks for codes and who types them.

/// How long a code works after it was given (10 minutes).
pub const CODE_LIFETIME_MS: i64 = 10 * 60 * 1000;

/// Digits in a code.
pub const CODE_DIGITS: usize = 6;

/// The code as typed by an adviser (spaces, dashes and dots between digits are ignored), or
/// `None` when it is not six digits.
pub fn normalize_code(typed: &str) -> Option<String> {
    // A long input is refused before it is copied.
    if typed.len() > 32 {
        return None;
    }
    let digits: String = typed
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '\u{a0}'))
        .collect();
    (digits.len() == CODE_DIGITS && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// `482 913` for `482913`: easier to read out.
pub fn spaced(code: &str) -> String {
    match (code.get(..3), code.get(3..)) {
        (Some(head), Some(tail)) if !tail.is_empty() => format!("{head} {tail}"),
        _ => code.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_codes_are_read_with_or_without_separators() {
        assert_eq!(normalize_code("482913").as_deref(), Some("482913"));
        assert_eq!(normalize_code(" 482 913 ").as_deref(), Some("482913"));
        assert_eq!(normalize_code("482-913").as_deref(), Some("482913"));
        assert_eq!(normalize_code("004213").as_deref(), Some("004213"));
    }

    #[test]
    fn anything_but_six_digits_is_refused() {
        for typed in [
            "",
            "48291",
            "4829134",
            "48291a",
            "４８２９１３",
            &"1".repeat(40),
        ] {
            assert_eq!(normalize_code(typed), None, "{typed}");
        }
    }

    #[test]
    fn codes_are_spaced_in_two_groups() {
        assert_eq!(spaced("482913"), "482 913");
    }
}
