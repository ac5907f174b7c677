//! The service desk's HTTP API: queues, canned answers, tickets, the chats in progress.

use super::extract::{Caller, LoggedInAdviser};
use super::{ApiError, AppState};
use crate::hours::QueueSchedule;
use crate::store::QueueRow;
use crate::store::{Actor, Audit};
use crate::time::now_ms;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use tandem_shared::desk::{AdviserTicket, CannedAnswer, LiveChat};
use tandem_shared::limits::{required, validate_key, MAX_BODY_CHARS};
use tandem_shared::AdviserId;

/// `GET /api/v1/queues`: every queue with its settings.
pub async fn list_queues(
    _: Caller,
    State(app): State<AppState>,
) -> Result<Json<Vec<QueueRow>>, ApiError> {
    Ok(Json(app.store.queues().await?))
}

/// `PUT /api/v1/queues/{key}`: creates or changes a queue; hours and time zone are checked.
pub async fn put_queue(
    actor: Actor,
    State(app): State<AppState>,
    Path(key): Path<String>,
    Json(mut queue): Json<QueueRow>,
) -> Result<Json<QueueRow>, ApiError> {
    queue.key = validate_key(&key).map_err(|e| ApiError::BadRequest(format!("queue key {e}")))?;
    QueueSchedule::new(queue.clone()).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let audit = Audit::of(&actor, "queue.changed", "queue", &queue.key);
    app.store.upsert_queue(&queue, &audit).await?;
    app.hub.current().reload_queues().await?;
    Ok(Json(queue))
}

/// `GET /api/v1/canned`: every canned answer.
pub async fn list_canned(
    _: Caller,
    State(app): State<AppState>,
) -> Result<Json<Vec<CannedAnswer>>, ApiError> {
    Ok(Json(app.store.canned_answers().await?))
}

/// `POST /api/v1/canned`: creates a canned answer (or replaces the one with the same shortcut
/// and language).
pub async fn save_canned(
    actor: Actor,
    State(app): State<AppState>,
    Json(answer): Json<CannedAnswer>,
) -> Result<(StatusCode, Json<CannedAnswer>), ApiError> {
    let mut answer = answer
        .validated()
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let audit = Audit {
        actor: &actor,
        action: "canned.saved",
        target: None,
        detail: Some(format!("/{} ({})", answer.shortcut, answer.locale)),
    };
    answer.id = app
        .store
        .save_canned_answer(&answer, &audit, now_ms())
        .await?;
    Ok((StatusCode::CREATED, Json(answer)))
}

/// `DELETE /api/v1/canned/{id}`.
pub async fn delete_canned(
    actor: Actor,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let audit = Audit::of(&actor, "canned.deleted", "canned_answer", &id);
    if app.store.delete_canned_answer(&id, &audit).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("no canned answer with this id"))
    }
}

/// Filter of `GET /api/v1/tickets`.
#[derive(Debug, Deserialize)]
pub struct TicketFilter {
    #[serde(default = "open")]
    status: String,
}

fn open() -> String {
    "open".to_owned()
}

/// `GET /api/v1/tickets?status=open|answered`: open tickets by due time, or the latest answered.
pub async fn list_tickets(
    _: Caller,
    State(app): State<AppState>,
    Query(filter): Query<TicketFilter>,
) -> Result<Json<Vec<AdviserTicket>>, ApiError> {
    if !["open", "answered"].contains(&filter.status.as_str()) {
        return Err(ApiError::BadRequest(
            "status must be open or answered".into(),
        ));
    }
    let rows = app.store.tickets(&filter.status, 200).await?;
    let tickets = rows
        .iter()
        .map(|row| row.for_adviser())
        .collect::<Result<_, _>>()?;
    Ok(Json(tickets))
}

/// Body of `POST /api/v1/tickets/{id}/answer`.
#[derive(Debug, Deserialize)]
pub struct TicketAnswer {
    answer: String,
}

/// `POST /api/v1/tickets/{id}/answer`: records the answer; the visitor sees it when they come
/// back to the site, and gets it by email when an SMTP server is configured.
pub async fn answer_ticket(
    LoggedInAdviser(adviser): LoggedInAdviser,
    State(app): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<TicketAnswer>,
) -> Result<Json<AdviserTicket>, ApiError> {
    let answer = required(&body.answer, "answer", MAX_BODY_CHARS)
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let adviser_id = AdviserId(adviser.id.clone());
    if app.store.ticket(&id).await?.is_none() {
        return Err(ApiError::NotFound("no ticket with this id"));
    }
    if !app
        .store
        .answer_ticket(&id, &adviser_id, &answer, now_ms())
        .await?
    {
        return Err(ApiError::Conflict("this ticket was already answered"));
    }
    tracing::info!(ticket = %id, adviser = %adviser_id, "ticket answered");
    let row = app
        .store
        .ticket(&id)
        .await?
        .ok_or(ApiError::NotFound("no ticket with this id"))?;
    if let Some(mailer) = app.mailer.clone() {
        let store = app.store.clone();
        let ticket = row.clone();
        tokio::spawn(async move {
            let outcome = match mailer.send_answer(&ticket).await {
                Ok(()) => Ok(now_ms()),
                Err(error) => {
                    tracing::warn!(%error, ticket = %ticket.id, "could not email a ticket's answer");
                    Err(error.to_string())
                }
            };
            if let Err(error) = store.ticket_emailed(&ticket.id, outcome).await {
                tracing::error!(%error, "could not record a ticket's email");
            }
        });
    }
    Ok(Json(row.for_adviser()?))
}

/// `GET /api/v1/live` (supervisors and admins): the chats advisers hold now, oldest first.
pub async fn live_chats(_: Caller, State(app): State<AppState>) -> Json<Vec<LiveChat>> {
    Json(app.hub.current().live_chats())
}
