//! What the relay answers to frames it cannot use.

use tandem_shared::codec::{decode, DecodeError};
use tandem_shared::{AdviserMsg, ErrorCode, VisitorMsg};

#[test]
fn a_valid_frame_decodes() {
    let msg: VisitorMsg = decode(r#"{"type":"typing","active":true}"#, 1024).unwrap();
    assert_eq!(msg, VisitorMsg::Typing { active: true });
}

#[test]
fn an_unknown_type_is_named_in_the_error() {
    let err = decode::<VisitorMsg>(r#"{"type":"teleport","to":"mars"}"#, 1024).unwrap_err();
    assert_eq!(err, DecodeError::UnknownType("teleport".into()));
    assert_eq!(err.code(), ErrorCode::UnknownType);
    assert!(err.to_string().contains("teleport"));
}

#[test]
fn broken_json_and_wrong_shapes_are_malformed() {
    for text in [
        "{not json",
        "[1,2]",
        r#"{"no_type":1}"#,
        r#"{"type":"send","body":5}"#,
        "",
    ] {
        let err = decode::<AdviserMsg>(text, 1024).unwrap_err();
        assert_eq!(err.code(), ErrorCode::MalformedFrame, "{text}");
    }
}

#[test]
fn an_oversized_frame_is_refused_before_parsing() {
    let body = "x".repeat(2000);
    let text = format!(r#"{{"type":"send","client_msg_id":"1","body":"{body}"}}"#);
    let err = decode::<VisitorMsg>(&text, 1024).unwrap_err();
    assert!(matches!(err, DecodeError::TooLarge { limit: 1024, .. }));
    assert_eq!(err.code(), ErrorCode::FrameTooLarge);
}

#[test]
fn a_long_non_ascii_unknown_type_is_cut_on_a_character_boundary() {
    let kind = "é".repeat(100);
    let err = decode::<VisitorMsg>(&format!(r#"{{"type":"{kind}"}}"#), 1024).unwrap_err();
    assert_eq!(err, DecodeError::UnknownType("é".repeat(64)));
}
