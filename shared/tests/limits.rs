//! The input rules the widget shows and the relay enforces.

use tandem_shared::limits::*;
use tandem_shared::model::{ChatRequest, Resolution, WrapUp};

fn request() -> ChatRequest {
    ChatRequest {
        name: "  Ana Lima ".into(),
        email: Some(" Ana@Example.COM ".into()),
        reason: " Where is my refund? ".into(),
        ..Default::default()
    }
}

#[test]
fn a_request_is_trimmed_and_normalised() {
    let ok = request().validated().unwrap();
    assert_eq!(ok.name, "Ana Lima");
    assert_eq!(ok.email.as_deref(), Some("ana@example.com"));
    assert_eq!(ok.reason, "Where is my refund?");
}

#[test]
fn email_or_phone_is_required() {
    let mut r = request();
    r.email = Some("   ".into());
    assert_eq!(r.validated().unwrap_err().field, "contact");
    r.phone = Some("+33 6 12 34 56 78".into());
    assert_eq!(
        r.validated().unwrap().phone.as_deref(),
        Some("+33612345678")
    );
}

#[test]
fn bad_fields_are_named() {
    let mut r = request();
    r.email = Some("ana@nowhere".into());
    assert_eq!(
        r.validated().unwrap_err(),
        FieldError {
            field: "email",
            problem: Problem::Invalid
        }
    );
    let mut r = request();
    r.name = "x".repeat(MAX_NAME_CHARS + 1);
    assert_eq!(
        r.validated().unwrap_err(),
        FieldError {
            field: "name",
            problem: Problem::TooLong
        }
    );
    let mut r = request();
    r.reason = " ".into();
    assert_eq!(
        r.validated().unwrap_err(),
        FieldError {
            field: "reason",
            problem: Problem::Required
        }
    );
    let mut r = request();
    r.email = None;
    r.phone = Some("call me maybe".into());
    assert_eq!(r.validated().unwrap_err().field, "phone");
}

#[test]
fn message_bodies_are_bounded() {
    assert_eq!(validate_body("  hi ").unwrap(), "hi");
    assert!(validate_body(" \n ").is_err());
    assert!(validate_body(&"é".repeat(MAX_BODY_CHARS)).is_ok());
    assert!(validate_body(&"é".repeat(MAX_BODY_CHARS + 1)).is_err());
}

#[test]
fn wrap_up_dates_are_checked() {
    let mut w = WrapUp {
        resolution: Resolution::FollowUp,
        answer: Some("  ".into()),
        agreed_solution: None,
        actions_taken: None,
        follow_up_date: Some("2026-13-01".into()),
        compensation: None,
        prevention: None,
    };
    assert_eq!(w.validated().unwrap_err().field, "follow_up_date");
    w.follow_up_date = Some("2026-12-01".into());
    let ok = w.validated().unwrap();
    assert_eq!(ok.answer, None, "blank text becomes absent");
}

/// A visitor types NUL, a carriage return, an escape sequence and a right-to-left override
/// into the pre-chat form and a message: what is kept reads as it is stored.
#[test]
fn hidden_control_characters_are_dropped_from_what_visitors_type() {
    let request = ChatRequest {
        name: "Jean\u{0}ne \u{202E}nitraM".into(),
        email: Some("jeanne@example.com".into()),
        company: Some("\u{1b}[31mACME\r".into()),
        reason: "ligne un\r\nligne\tdeux".into(),
        ..ChatRequest::default()
    };
    let cleaned = request.validated().expect("valid once cleaned");
    assert_eq!(cleaned.name, "Jeanne nitraM");
    assert_eq!(cleaned.company.as_deref(), Some("[31mACME"));
    assert_eq!(
        cleaned.reason, "ligne un\nligne\tdeux",
        "line breaks and tabs stay"
    );
    assert_eq!(
        tandem_shared::limits::validate_body("\u{0}\u{0}").map_err(|e| e.problem),
        Err(tandem_shared::limits::Problem::Required),
        "a message of NULs is empty"
    );
}
