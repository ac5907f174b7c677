//! The CRM API: sessions and contacts as JSON, for an API token or a logged-in adviser.

use super::extract::{ApiClient, CrmReader};
use super::{ApiError, AppState};
use crate::store::{
    ContactRecord, Erasure, OutboxItem, OutboxSummary, SessionRecord, SessionSummary,
};
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use tandem_shared::{ContactId, ConversationId};

/// Paging of `GET /api/v1/sessions`.
#[derive(Debug, Deserialize)]
pub struct Page {
    #[serde(default = "default_limit")]
    limit: i64,
    #[serde(default)]
    offset: i64,
}

fn default_limit() -> i64 {
    50
}

/// A page of sessions.
#[derive(Debug, Serialize)]
pub struct SessionPage {
    sessions: Vec<SessionSummary>,
    limit: i64,
    offset: i64,
}

/// `GET /api/v1/sessions?limit=&offset=`: sessions, newest first.
pub async fn list_sessions(
    _: CrmReader,
    State(app): State<AppState>,
    Query(page): Query<Page>,
) -> Result<Json<SessionPage>, ApiError> {
    if !(1..=500).contains(&page.limit) || page.offset < 0 {
        return Err(ApiError::BadRequest(
            "limit must be 1 to 500 and offset at least 0".into(),
        ));
    }
    let sessions = app.store.list_sessions(page.limit, page.offset).await?;
    Ok(Json(SessionPage {
        sessions,
        limit: page.limit,
        offset: page.offset,
    }))
}

/// `GET /api/v1/sessions/{id}`: one session with its transcript.
pub async fn get_session(
    _: CrmReader,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<SessionRecord>, ApiError> {
    app.store
        .session_record(&ConversationId(id))
        .await?
        .map(Json)
        .ok_or(ApiError::NotFound("no session with this id"))
}

/// `GET /api/v1/contacts/{id}`: a contact with all their sessions.
pub async fn get_contact(
    _: CrmReader,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ContactRecord>, ApiError> {
    app.store
        .contact_record(&ContactId(id))
        .await?
        .map(Json)
        .ok_or(ApiError::NotFound("no contact with this id"))
}

/// `DELETE /api/v1/contacts/{id}` (API token only): erases the contact and everything of
/// theirs; 409 while one of their chats is in progress.
pub async fn erase_contact(
    _: ApiClient,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Erasure>, ApiError> {
    let id = ContactId(id);
    if app.hub.contact_has_open_chat(&id) {
        return Err(ApiError::Conflict(
            "this contact has a chat in progress; erase it once the chat is over",
        ));
    }
    let erasure = app
        .store
        .erase_contact(&id, "api", crate::time::now_ms())
        .await?
        .ok_or(ApiError::NotFound("no contact with this id"))?;
    tracing::info!(
        sessions = erasure.sessions,
        tickets = erasure.tickets,
        "a contact was erased"
    );
    Ok(Json(erasure))
}

/// A contact's whole record, to hand over (right of access, portability).
#[derive(Debug, Serialize)]
pub struct ContactExport {
    /// The contact and the list of their sessions.
    #[serde(flatten)]
    contact: ContactRecord,
    /// Every session in full: transcript, wrap-up, hand-overs, notes, survey, co-browsing.
    session_records: Vec<SessionRecord>,
}

/// `GET /api/v1/contacts/{id}/export`: the contact's full record as one JSON document.
pub async fn export_contact(
    _: CrmReader,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ContactExport>, ApiError> {
    let contact = app
        .store
        .contact_record(&ContactId(id))
        .await?
        .ok_or(ApiError::NotFound("no contact with this id"))?;
    let mut session_records = Vec::with_capacity(contact.sessions.len());
    for session in &contact.sessions {
        if let Some(record) = app
            .store
            .session_record(&ConversationId(session.id.clone()))
            .await?
        {
            session_records.push(record);
        }
    }
    Ok(Json(ContactExport {
        contact,
        session_records,
    }))
}

/// The webhook outbox as the site owner sees it.
#[derive(Debug, Serialize)]
pub struct WebhookStatus {
    #[serde(flatten)]
    summary: OutboxSummary,
    /// The oldest undelivered events, with their last error.
    pending: Vec<OutboxItem>,
}

/// `GET /api/v1/webhooks`: delivered, pending and failing events; the oldest pending ones.
pub async fn webhook_status(
    _: CrmReader,
    State(app): State<AppState>,
) -> Result<Json<WebhookStatus>, ApiError> {
    let summary = app.store.outbox_summary().await?;
    let pending = app.store.pending_outbox(50).await?;
    Ok(Json(WebhookStatus { summary, pending }))
}

/// Any other path under `/api/v1`.
pub async fn not_found() -> ApiError {
    ApiError::NotFound("no such API endpoint")
}
