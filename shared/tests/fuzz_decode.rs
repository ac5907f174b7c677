//! Fuzzing of frame decoding (bounded: proptest's default 256 cases per property, well under a
//! second): whatever a client sends, decoding returns a frame or a typed error, never panics,
//! and a frame that decodes encodes back to something that decodes to the same frame.
#![allow(clippy::expect_used)] // a test helper: a panic is the failure report

use proptest::prelude::*;
use serde_json::{json, Value};
use tandem_shared::codec::{decode, ClientFrame};
use tandem_shared::limits::MAX_FRAME_BYTES;
use tandem_shared::{AdviserMsg, VisitorMsg};

/// Any JSON value, up to a small depth.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,40}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A frame-like object: a plausible `type` and plausible field names with any values.
fn frame_like() -> impl Strategy<Value = String> {
    let kinds = prop::sample::select(vec![
        "hello",
        "start_chat",
        "send",
        "typing",
        "end_chat",
        "set_presence",
        "take",
        "sync",
        "wrap_up",
        "teleport",
        "",
    ]);
    let fields = prop::sample::select(vec![
        "protocol",
        "resume",
        "last_seq",
        "request",
        "client_msg_id",
        "body",
        "active",
        "presence",
        "conversation_id",
        "after_seq",
        "wrap_up",
        "name",
        "email",
    ]);
    (kinds, prop::collection::btree_map(fields, any_json(), 0..6)).prop_map(|(kind, fields)| {
        let mut object: serde_json::Map<String, Value> =
            fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        object.insert("type".into(), Value::from(kind));
        Value::Object(object).to_string()
    })
}

fn decodes_or_refuses<T: ClientFrame + serde::Serialize + PartialEq + std::fmt::Debug>(text: &str) {
    if let Ok(frame) = decode::<T>(text, MAX_FRAME_BYTES) {
        let again = serde_json::to_string(&frame).expect("a decoded frame encodes");
        assert_eq!(
            decode::<T>(&again, MAX_FRAME_BYTES).ok(),
            Some(frame),
            "round trip of {text}"
        );
    }
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in ".{0,200}") {
        decodes_or_refuses::<VisitorMsg>(&text);
        decodes_or_refuses::<AdviserMsg>(&text);
    }

    #[test]
    fn arbitrary_json_never_panics(value in any_json()) {
        let text = value.to_string();
        decodes_or_refuses::<VisitorMsg>(&text);
        decodes_or_refuses::<AdviserMsg>(&text);
    }

    #[test]
    fn frame_like_objects_decode_or_are_refused(text in frame_like()) {
        decodes_or_refuses::<VisitorMsg>(&text);
        decodes_or_refuses::<AdviserMsg>(&text);
    }
}
