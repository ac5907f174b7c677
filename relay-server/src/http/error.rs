//! Errors of the HTTP API, as JSON `{"error": {"code", "message"}}` with a matching status.

use crate::store::StoreError;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// A refused or failed API request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No or bad credentials.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// A page of another site tried to act with the adviser's cookie.
    #[error("{0}")]
    Forbidden(&'static str),
    /// Too many attempts; retry in a minute.
    #[error("{0}")]
    TooManyRequests(&'static str),
    /// Nothing at that id.
    #[error("{0}")]
    NotFound(&'static str),
    /// The change clashes with the current state (already answered, ...).
    #[error("{0}")]
    Conflict(&'static str),
    /// The request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// The body is larger than this route accepts.
    #[error("{0}")]
    PayloadTooLarge(&'static str),
    /// The content is of a kind that is not accepted.
    #[error("{0}")]
    UnsupportedType(&'static str),
    /// The relay cannot serve this now (a cluster without a leader for a moment).
    #[error("{0}")]
    Unavailable(&'static str),
    /// The CRM store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::TooManyRequests(_) => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            ApiError::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            ApiError::UnsupportedType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_type")
            }
            ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            ApiError::Store(error) => {
                tracing::error!(%error, "API request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        };
        let message = match &self {
            ApiError::Store(_) => "the relay could not read its database; retry later".to_owned(),
            other => other.to_string(),
        };
        let body = Json(json!({ "error": { "code": code, "message": message } }));
        if status == StatusCode::UNAUTHORIZED {
            return (status, [(header::WWW_AUTHENTICATE, "Bearer")], body).into_response();
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            return (status, [(header::RETRY_AFTER, "60")], body).into_response();
        }
        (status, body).into_response()
    }
}
