//! Files shared in chats over HTTP: the visitor uploads with their conversation's token
//! (from any page of the site: CORS), the adviser holding the chat with their login; anyone
//! holding the transcript downloads with the file's unguessable link. Only images and PDF,
//! recognised by their content, up to 10 MiB.

use super::extract::LoggedInAdviser;
use super::{ApiError, AppState};
use crate::hub::{HubError, Sharer};
use crate::limits::Action;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use std::net::SocketAddr;
use tandem_shared::files::{clean_name, sniff, SharedFile, MAX_FILE_BYTES};
use tandem_shared::{AdviserId, Author, ConversationId};

/// The header a visitor's upload carries its conversation's token in.
pub const TOKEN_HEADER: &str = "x-tandem-token";

/// Query of the uploads.
#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    /// The file's name on the sender's device.
    #[serde(default)]
    name: String,
}

fn hub_error(error: HubError) -> ApiError {
    match error {
        HubError::Unauthorized => ApiError::Unauthorized("this conversation token is not valid"),
        HubError::NotFound(message) => ApiError::NotFound(message),
        HubError::Forbidden(message) => ApiError::Forbidden(message),
        HubError::Store(error) => ApiError::Store(error),
        other => ApiError::BadRequest(other.to_string()),
    }
}

/// Checks the content, stores the file and announces it in the conversation.
async fn share(
    app: &AppState,
    id: &ConversationId,
    author: Author,
    name: &str,
    body: &[u8],
) -> Result<(StatusCode, Json<SharedFile>), ApiError> {
    let Some(content_type) = sniff(body) else {
        return Err(ApiError::UnsupportedType(
            "only images (PNG, JPEG, GIF, WebP) and PDF documents can be shared",
        ));
    };
    let name = clean_name(name);
    let file = app
        .store
        .save_file(id, &name, content_type, body, crate::time::now_ms())
        .await?;
    app.hub
        .current()
        .share_file(id, author, file.clone())
        .await
        .map_err(hub_error)?;
    tracing::info!(conversation = %id, bytes = file.bytes, content_type, "file shared");
    Ok((StatusCode::CREATED, Json(file)))
}

/// `POST /api/v1/visitor/files?name=…` with `X-Tandem-Token`: the visitor shares a file in
/// their open conversation. 401 forged token, 404 conversation over, 413 over 10 MiB,
/// 415 not an image or a PDF, 429 past the address's hourly quota. The token and the quota
/// are checked before the body is read.
pub async fn visitor_upload(
    State(app): State<AppState>,
    ConnectInfo(peer_addr): ConnectInfo<SocketAddr>,
    Query(query): Query<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<SharedFile>), ApiError> {
    let token = headers
        .get(TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or(ApiError::Unauthorized(
            "send the conversation's token in X-Tandem-Token",
        ))?;
    let hub = app.hub.current();
    let id = hub.conversation_of_token(token).map_err(hub_error)?;
    let author = hub.file_author(&id, Sharer::Visitor).map_err(hub_error)?;
    let ip = super::client_ip::client_ip(peer_addr.ip(), &headers, &app.config.trusted_proxies);
    if !app.limiters.allow(Action::Upload, ip) {
        return Err(ApiError::TooManyRequests(
            "too many files from this address; please try again later",
        ));
    }
    let body = read_upload(&headers, body).await?;
    share(&app, &id, author, &query.name, &body).await
}

/// The upload's bytes, refused without reading when it says it is over the limit, and cut off
/// when it turns out to be.
async fn read_upload(headers: &HeaderMap, body: Body) -> Result<Bytes, ApiError> {
    let too_large = || ApiError::PayloadTooLarge("a shared file is at most 10 MiB");
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|length| length > MAX_FILE_BYTES) {
        return Err(too_large());
    }
    axum::body::to_bytes(body, MAX_FILE_BYTES)
        .await
        .map_err(|_| too_large())
}

/// `POST /api/v1/conversations/{id}/files?name=…`: the adviser holding the chat shares a file.
pub async fn adviser_upload(
    writer: LoggedInAdviser,
    State(app): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<UploadQuery>,
    body: Bytes,
) -> Result<(StatusCode, Json<SharedFile>), ApiError> {
    let id = ConversationId(id);
    let adviser = AdviserId(writer.0.id.clone());
    let author = app
        .hub
        .current()
        .file_author(&id, Sharer::Adviser(&adviser))
        .map_err(hub_error)?;
    share(&app, &id, author, &query.name, &body).await
}

/// `filename*` of `Content-Disposition`: UTF-8, percent-encoded (RFC 8187).
fn encoded_name(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Compares two keys in time that does not depend on where they differ.
fn same_key(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// `GET /files/{id}/{key}`: the file. Images are shown inline (sandboxed, never run as a
/// page), PDFs are downloaded; readable by the widget from the site's pages.
pub async fn download(
    State(app): State<AppState>,
    Path((id, key)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let file = app
        .store
        .file(&id)
        .await?
        .filter(|file| same_key(&file.key, &key))
        .ok_or(ApiError::NotFound("no such file (or it was deleted)"))?;
    let disposition = if file.content_type.starts_with("image/") {
        "inline"
    } else {
        "attachment"
    };
    let disposition = format!(
        "{disposition}; filename*=UTF-8''{}",
        encoded_name(&file.name)
    );
    Ok((
        [
            (header::CONTENT_TYPE, file.content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (
                header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'; img-src 'self'".to_owned(),
            ),
            (
                header::CACHE_CONTROL,
                "private, max-age=31536000, immutable".to_owned(),
            ),
            (
                header::HeaderName::from_static("cross-origin-resource-policy"),
                "cross-origin".to_owned(),
            ),
        ],
        file.data,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_encoded_for_the_header() {
        assert_eq!(encoded_name("relevé 1.pdf"), "relev%C3%A9%201.pdf");
    }

    #[test]
    fn keys_must_match_exactly() {
        assert!(same_key("abc", "abc"));
        assert!(!same_key("abc", "abd"));
        assert!(!same_key("abc", "abcd"));
    }
}
