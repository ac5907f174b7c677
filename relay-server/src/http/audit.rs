//! The audit trail over HTTP (admins, tokens of scope admin): `GET /api/v1/audit` as JSON and
//! `GET /api/v1/audit.csv`, filtered by period, actor and action. Nothing edits or deletes it.

use super::export::spreadsheet_safe;
use super::{ApiError, AppState};
use crate::store::AuditFilter;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;
use tandem_shared::audit::AuditEntry;

/// Most entries one JSON answer holds (newest first).
const MAX_ENTRIES: i64 = 2_000;

/// Most entries one CSV holds.
const MAX_CSV_ENTRIES: i64 = 100_000;

/// What to list.
#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    /// First day (`YYYY-MM-DD`), included.
    from: Option<String>,
    /// Last day, included.
    to: Option<String>,
    /// Minutes east of UTC where the days are counted.
    #[serde(default)]
    utc_offset: i32,
    /// An actor's login, token name or id.
    actor: Option<String>,
    /// An action (`contact.erased`) or a family ending in a dot (`contact.`).
    action: Option<String>,
    /// At most this many (newest first).
    limit: Option<i64>,
}

impl AuditQuery {
    fn filter(&self, most: i64) -> Result<AuditFilter, ApiError> {
        if !(-14 * 60..=14 * 60).contains(&self.utc_offset) {
            return Err(ApiError::BadRequest(
                "utc_offset is in minutes, -840 to 840".into(),
            ));
        }
        let offset_ms = i64::from(self.utc_offset) * 60_000;
        let day_start = |text: &str| -> Result<i64, ApiError> {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|day| day.and_hms_opt(0, 0, 0))
                .map(|start| start.and_utc().timestamp_millis() - offset_ms)
                .ok_or_else(|| {
                    ApiError::BadRequest(format!("`{text}` is not a date such as 2026-12-07"))
                })
        };
        let blank_to_none = |text: &Option<String>| {
            text.as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
        };
        Ok(AuditFilter {
            from_ms: blank_to_none(&self.from)
                .map(|d| day_start(&d))
                .transpose()?,
            to_ms: blank_to_none(&self.to)
                .map(|d| day_start(&d).map(|start| start + 86_400_000))
                .transpose()?,
            actor: blank_to_none(&self.actor),
            action: blank_to_none(&self.action),
            limit: self.limit.unwrap_or(most).clamp(1, most),
        })
    }
}

/// `GET /api/v1/audit?from=&to=&actor=&action=`: the matching entries, newest first.
pub async fn list_audit(
    State(app): State<AppState>,
    Query(query): Query<AuditQuery>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let filter = query.filter(MAX_ENTRIES)?;
    Ok(Json(app.store.audit_entries(&filter).await?))
}

/// `GET /api/v1/audit.csv?from=&to=&actor=&action=`: the same as a spreadsheet.
pub async fn audit_csv(
    State(app): State<AppState>,
    Query(query): Query<AuditQuery>,
) -> Result<Response, ApiError> {
    let filter = query.filter(MAX_CSV_ENTRIES)?;
    let entries = app.store.audit_entries(&filter).await?;
    let failed = |error: csv::Error| {
        tracing::error!(%error, "could not write the audit CSV");
        ApiError::BadRequest("the CSV could not be written".into())
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record([
            "id",
            "at",
            "actor_kind",
            "actor",
            "actor_id",
            "address",
            "action",
            "target_kind",
            "target_id",
            "detail",
        ])
        .map_err(failed)?;
    for entry in entries {
        let at = chrono::DateTime::from_timestamp_millis(entry.at_ms)
            .map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default();
        let cells = [
            entry.id.to_string(),
            at,
            entry.actor_kind,
            entry.actor,
            entry.actor_id.unwrap_or_default(),
            entry.address.unwrap_or_default(),
            entry.action,
            entry.target_kind.unwrap_or_default(),
            entry.target_id.unwrap_or_default(),
            entry.detail.unwrap_or_default(),
        ];
        writer
            .write_record(cells.into_iter().map(spreadsheet_safe))
            .map_err(failed)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|error| failed(error.into_error().into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"tandem-audit.csv\"",
            ),
        ],
        bytes,
    )
        .into_response())
}
