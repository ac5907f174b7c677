//! The transcript the visitor can download when the chat is over, built from the events the
//! widget already holds.

use tandem_shared::i18n::Texts;
use tandem_shared::ConversationEvent;
use wasm_bindgen::JsValue;
use web_client::browser::clock;

/// The transcript as plain text, stamped with the visitor's clock.
pub fn text(texts: &Texts, title: &str, events: &[ConversationEvent]) -> String {
    tandem_shared::transcript::text(texts, title, events, clock)
}

/// An object URL for the transcript, to use as a download link.
pub fn download_url(text: &str) -> Option<String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/plain;charset=utf-8");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}
