//! The CRM API: sessions and contacts as JSON, for an API token or a logged-in adviser.

use super::extract::Caller;
use super::{ApiError, AppState};
use crate::store::{Actor, Audit};
use crate::store::{
    ContactRecord, ContactRef, Erasure, OutboxItem, OutboxSummary, SessionRecord, SessionSummary,
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
    _: Caller,
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
    actor: Actor,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<SessionRecord>, ApiError> {
    let record = app
        .store
        .session_record(&ConversationId(id.clone()))
        .await?
        .ok_or(ApiError::NotFound("no session with this id"))?;
    let audit = Audit::of(&actor, "session.viewed", "conversation", &id);
    app.store.audit(&audit, crate::time::now_ms()).await?;
    Ok(Json(record))
}

/// `GET /api/v1/contacts/{id}`: a contact with all their sessions.
pub async fn get_contact(
    actor: Actor,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ContactRecord>, ApiError> {
    let record = app
        .store
        .contact_record(&ContactId(id.clone()))
        .await?
        .ok_or(ApiError::NotFound("no contact with this id"))?;
    let audit = Audit::of(&actor, "contact.viewed", "contact", &id);
    app.store.audit(&audit, crate::time::now_ms()).await?;
    Ok(Json(record))
}

/// `DELETE /api/v1/contacts/{id}` (an admin, or an API token of scope admin): erases the
/// contact and everything of theirs; 409 while one of their chats is in progress.
pub async fn erase_contact(
    caller: Caller,
    actor: Actor,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Erasure>, ApiError> {
    let id = ContactId(id);
    if app.store.contact_has_open_conversation(&id).await? {
        return Err(ApiError::Conflict(
            "this contact has a chat in progress; erase it once the chat is over",
        ));
    }
    let erasure = app
        .store
        .erase_contact(
            &id,
            &caller.label(),
            &Audit::of(&actor, "contact.erased", "contact", id.as_str()),
            crate::time::now_ms(),
        )
        .await?
        .ok_or(ApiError::NotFound("no contact with this id"))?;
    tracing::info!(
        sessions = erasure.sessions,
        tickets = erasure.tickets,
        "a contact was erased"
    );
    Ok(Json(erasure))
}

/// `GET /api/v1/contacts?q=&limit=`.
#[derive(Debug, Deserialize)]
pub struct ContactQuery {
    q: String,
    #[serde(default = "default_search_limit")]
    limit: i64,
}

fn default_search_limit() -> i64 {
    20
}

/// Contacts found.
#[derive(Debug, Serialize)]
pub struct ContactList {
    contacts: Vec<ContactRef>,
}

/// `GET /api/v1/contacts?q=`: contacts whose name, email, phone or company contains `q`.
pub async fn search_contacts(
    _: Caller,
    State(app): State<AppState>,
    Query(query): Query<ContactQuery>,
) -> Result<Json<ContactList>, ApiError> {
    let length = query.q.trim().chars().count();
    if !(2..=100).contains(&length) || !(1..=100).contains(&query.limit) {
        return Err(ApiError::BadRequest(
            "q must be 2 to 100 characters and limit 1 to 100".into(),
        ));
    }
    let contacts = app.store.search_contacts(&query.q, query.limit).await?;
    Ok(Json(ContactList { contacts }))
}

/// The outbox as the site owner sees it.
#[derive(Debug, Serialize)]
pub struct WebhookStatus {
    /// Counts of every destination together.
    #[serde(flatten)]
    summary: OutboxSummary,
    /// Counts per destination (`webhook`, `hubspot`, `salesforce`).
    destinations: Vec<OutboxSummary>,
    /// The oldest undelivered events, with their last error.
    pending: Vec<OutboxItem>,
}

/// `GET /api/v1/webhooks`: delivered, pending and failing events, in all and per destination;
/// the oldest pending ones.
pub async fn webhook_status(
    _: Caller,
    State(app): State<AppState>,
) -> Result<Json<WebhookStatus>, ApiError> {
    Ok(Json(outbox_status(&app).await?))
}

/// The outbox's counts and oldest pending events.
pub async fn outbox_status(app: &AppState) -> Result<WebhookStatus, ApiError> {
    let mut summaries = app.store.outbox_summary().await?.into_iter();
    let summary = summaries.next().unwrap_or(OutboxSummary {
        destination: "all".into(),
        delivered: 0,
        pending: 0,
        failing: 0,
    });
    let pending = app.store.pending_outbox(None, 50).await?;
    Ok(WebhookStatus {
        summary,
        destinations: summaries.collect(),
        pending,
    })
}

/// Any other path under `/api/v1`.
pub async fn not_found() -> ApiError {
    ApiError::NotFound("no such API endpoint")
}
