//! The dashboard's figures over a period (JSON and CSV), and the live figures for Prometheus.

use super::extract::Caller;
use super::{ApiError, AppState};
use crate::metrics::report;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;
use tandem_shared::report::Report;

/// The period of a report: `from` and `to` are dates (`to` included), read at
/// `utc_offset` minutes east of UTC.
#[derive(Debug, Deserialize)]
pub struct Period {
    pub(crate) from: String,
    pub(crate) to: String,
    #[serde(default)]
    utc_offset: i32,
}

/// The longest period a report covers.
const MAX_DAYS: i64 = 400;

pub(crate) fn bounds(period: &Period) -> Result<(i64, i64), ApiError> {
    let date = |text: &str| {
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map_err(|_| ApiError::BadRequest(format!("`{text}` is not a date such as 2026-11-23")))
    };
    let (from, to) = (date(&period.from)?, date(&period.to)?);
    if to < from || (to - from).num_days() > MAX_DAYS {
        return Err(ApiError::BadRequest(format!(
            "the period must run forwards and cover at most {MAX_DAYS} days"
        )));
    }
    if !(-14 * 60..=14 * 60).contains(&period.utc_offset) {
        return Err(ApiError::BadRequest(
            "utc_offset is in minutes, -840 to 840".into(),
        ));
    }
    let offset_ms = i64::from(period.utc_offset) * 60_000;
    let start = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc().timestamp_millis() - offset_ms)
    };
    let from_ms = start(from).ok_or_else(|| ApiError::BadRequest("bad start date".into()))?;
    let to_ms = start(to).ok_or_else(|| ApiError::BadRequest("bad end date".into()))? + 86_400_000;
    Ok((from_ms, to_ms))
}

async fn build(app: &AppState, period: &Period) -> Result<Report, ApiError> {
    let (from_ms, to_ms) = bounds(period)?;
    let facts = app.store.session_facts(from_ms, to_ms).await?;
    let mut report = report::report(&facts, from_ms, to_ms, period.utc_offset);
    report.invitations = app.store.invitation_figures(from_ms, to_ms).await?;
    Ok(report)
}

/// `GET /api/v1/report?from=YYYY-MM-DD&to=YYYY-MM-DD&utc_offset=60`.
pub async fn get_report(
    _: Caller,
    State(app): State<AppState>,
    Query(period): Query<Period>,
) -> Result<Json<Report>, ApiError> {
    Ok(Json(build(&app, &period).await?))
}

/// `GET /api/v1/report.csv?...`: the same figures as CSV.
pub async fn get_report_csv(
    _: Caller,
    State(app): State<AppState>,
    Query(period): Query<Period>,
) -> Result<Response, ApiError> {
    let report = build(&app, &period).await?;
    let name = format!(
        "attachment; filename=\"tandem-report-{}-{}.csv\"",
        period.from, period.to
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, name),
        ],
        report::to_csv(&report),
    )
        .into_response())
}

/// `GET /metrics`: live figures in the Prometheus (OpenMetrics) text format.
pub async fn prometheus(_: Caller, State(app): State<AppState>) -> Result<Response, ApiError> {
    let text = app
        .hub
        .current()
        .telemetry()
        .render()
        .map_err(|_| ApiError::BadRequest("could not encode the metrics".into()))?;
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response())
}
