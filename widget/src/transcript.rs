//! The transcript the visitor can download when the chat is over, built from the events the
//! widget already holds.

use tandem_shared::i18n::Texts;
use tandem_shared::{ConversationEvent, EventKind, Role};
use wasm_bindgen::JsValue;
use web_client::browser::clock;

/// The transcript as plain text.
pub fn text(texts: &Texts, title: &str, events: &[ConversationEvent]) -> String {
    let mut out = format!("{title}\n\n");
    for event in events {
        let line = match &event.kind {
            EventKind::Message { author, body, .. } => format!("{}: {body}", author.name),
            EventKind::AdviserJoined { name } => texts.format("chat.joined", &[("name", name)]),
            EventKind::Transferred { from } => texts.format("chat.transferred", &[("from", from)]),
            EventKind::CobrowseStarted => texts.t("cobrowse.started").to_owned(),
            EventKind::CobrowseEnded { by: Role::Visitor } => {
                texts.t("cobrowse.stopped_by_you").to_owned()
            }
            EventKind::CobrowseEnded { .. } => texts.t("cobrowse.stopped").to_owned(),
            EventKind::Ended { by: Role::Visitor } => texts.t("chat.ended_by_visitor").to_owned(),
            EventKind::Ended { .. } => texts.t("chat.ended_by_adviser").to_owned(),
        };
        out.push_str(&format!("[{}] {line}\n", clock(event.at_ms)));
    }
    out
}

/// An object URL for the transcript, to use as a download link.
pub fn download_url(text: &str) -> Option<String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/plain;charset=utf-8");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}
