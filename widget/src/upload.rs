//! Sends a file the visitor picked to the relay over HTTP, with their conversation's token;
//! the relay then announces it in the chat. Size and type are checked here first, so the
//! visitor is told at once (the relay checks again, by content).

use tandem_shared::files::{ACCEPTED_TYPES, MAX_FILE_BYTES};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Why a file was not shared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UploadError {
    /// Over 10 MiB.
    TooBig,
    /// Not an image or a PDF.
    WrongType,
    /// The relay could not be reached or refused it.
    Failed,
}

impl UploadError {
    /// The key of the text that explains it.
    pub fn text_key(self) -> &'static str {
        match self {
            UploadError::TooBig => "chat.file_too_big",
            UploadError::WrongType => "chat.file_wrong_type",
            UploadError::Failed => "chat.file_failed",
        }
    }
}

/// Uploads `file` to the conversation of `token` on the relay at `relay` (its origin).
pub async fn upload(relay: &str, token: &str, file: web_sys::File) -> Result<(), UploadError> {
    if file.size() > MAX_FILE_BYTES as f64 {
        return Err(UploadError::TooBig);
    }
    if !ACCEPTED_TYPES
        .split(',')
        .any(|accepted| accepted == file.type_())
    {
        return Err(UploadError::WrongType);
    }
    let url = format!(
        "{}/api/v1/visitor/files?name={}",
        relay.trim_end_matches('/'),
        js_sys::encode_uri_component(&file.name())
    );
    let headers = js_sys::Object::new();
    let set = |name: &str, value: &str| {
        let _ = js_sys::Reflect::set(
            &headers,
            &JsValue::from_str(name),
            &JsValue::from_str(value),
        );
    };
    set("X-Tandem-Token", token);
    set("Content-Type", &file.type_());
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&file);
    init.set_headers(&headers);
    let window = web_sys::window().ok_or(UploadError::Failed)?;
    let answer = JsFuture::from(window.fetch_with_str_and_init(&url, &init))
        .await
        .map_err(|_| UploadError::Failed)?;
    let response: web_sys::Response = answer.dyn_into().map_err(|_| UploadError::Failed)?;
    match response.status() {
        200..=299 => Ok(()),
        413 => Err(UploadError::TooBig),
        415 => Err(UploadError::WrongType),
        _ => Err(UploadError::Failed),
    }
}
