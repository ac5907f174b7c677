//! Exports: a contact's whole record as JSON (right of access, portability) and the sessions
//! of a period as CSV (for spreadsheets and other tools).

use super::report::{bounds, Period};
use super::{ApiError, AppState};
use crate::store::{Actor, Audit};
use crate::store::{ContactRecord, SessionRecord, SessionSummary};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use tandem_shared::{ContactId, ConversationId};

/// A contact's whole record.
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
    actor: Actor,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ContactExport>, ApiError> {
    let contact = app
        .store
        .contact_record(&ContactId(id.clone()))
        .await?
        .ok_or(ApiError::NotFound("no contact with this id"))?;
    let audit = Audit::of(&actor, "contact.exported", "contact", &id);
    app.store.audit(&audit, crate::time::now_ms()).await?;
    let mut session_records = Vec::with_capacity(contact.sessions.len());
    for session in &contact.sessions {
        let id = ConversationId(session.id.clone());
        if let Some(record) = app.store.session_record(&id).await? {
            session_records.push(record);
        }
    }
    Ok(Json(ContactExport {
        contact,
        session_records,
    }))
}

/// The CSV columns, in order.
const COLUMNS: [&str; 23] = [
    "session_id",
    "requested_at",
    "contact_id",
    "name",
    "email",
    "phone",
    "company",
    "channel",
    "site",
    "reason",
    "page_url",
    "status",
    "advisers",
    "accepted_at",
    "ended_at",
    "ended_by",
    "wait_secs",
    "handling_secs",
    "messages",
    "resolution",
    "answer",
    "follow_up_date",
    "compensation",
];

fn row(session: &SessionSummary) -> Vec<String> {
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let secs = |value: Option<f64>| value.map(|v| format!("{v:.0}")).unwrap_or_default();
    let wrap_up = session.wrap_up.as_ref();
    vec![
        session.id.clone(),
        session.requested_at.clone(),
        session.contact.id.clone(),
        session.contact.name.clone(),
        text(&session.contact.email),
        text(&session.contact.phone),
        text(&session.contact.company),
        session.channel.clone(),
        session.site.clone(),
        session.reason.clone(),
        text(&session.page_url),
        session.status.clone(),
        session
            .advisers
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        text(&session.accepted_at),
        text(&session.ended_at),
        text(&session.ended_by),
        secs(session.wait_secs),
        secs(session.handling_secs),
        session.message_count.to_string(),
        wrap_up.map(|w| w.resolution.clone()).unwrap_or_default(),
        wrap_up.and_then(|w| w.answer.clone()).unwrap_or_default(),
        wrap_up
            .and_then(|w| w.follow_up_date.clone())
            .unwrap_or_default(),
        wrap_up
            .and_then(|w| w.compensation.clone())
            .unwrap_or_default(),
    ]
}

/// A cell as a spreadsheet may open it safely: hidden control characters (NUL, bidi
/// overrides) dropped, and a text a spreadsheet would read as a formula (starting with `=`,
/// `+`, `-`, `@`, a tab or a carriage return) prefixed with `'`, so it shows as typed.
pub(crate) fn spreadsheet_safe(cell: String) -> String {
    let cell = tandem_shared::limits::without_hidden_controls(&cell).into_owned();
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// The sessions as CSV text.
fn to_csv(sessions: &[SessionSummary]) -> Result<String, ApiError> {
    let failed = |error: csv::Error| {
        tracing::error!(%error, "could not write the sessions CSV");
        ApiError::BadRequest("the CSV could not be written".into())
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(COLUMNS).map_err(failed)?;
    for session in sessions {
        let cells = row(session).into_iter().map(spreadsheet_safe);
        writer.write_record(cells).map_err(failed)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|error| failed(error.into_error().into()))?;
    String::from_utf8(bytes).map_err(|_| ApiError::BadRequest("the CSV is not UTF-8".into()))
}

/// `GET /api/v1/sessions.csv?from=YYYY-MM-DD&to=YYYY-MM-DD&utc_offset=`: the sessions
/// requested over the period, one line each.
pub async fn sessions_csv(
    actor: Actor,
    State(app): State<AppState>,
    Query(period): Query<Period>,
) -> Result<Response, ApiError> {
    let (from_ms, to_ms) = bounds(&period)?;
    let sessions = app.store.sessions_between(from_ms, to_ms).await?;
    let audit = Audit {
        actor: &actor,
        action: "sessions.exported",
        target: None,
        detail: Some(format!("{} to {}", period.from, period.to)),
    };
    app.store.audit(&audit, crate::time::now_ms()).await?;
    let name = format!(
        "attachment; filename=\"tandem-sessions-{}-{}.csv\"",
        period.from, period.to
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, name),
        ],
        to_csv(&sessions)?,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::spreadsheet_safe;

    #[test]
    fn formulas_show_as_text_and_hidden_characters_are_dropped() {
        for formula in [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
        ] {
            assert!(
                spreadsheet_safe(formula.into()).starts_with('\''),
                "{formula}"
            );
        }
        assert_eq!(spreadsheet_safe("ACME\u{0}\u{202E}".into()), "ACME");
        assert_eq!(spreadsheet_safe("Jeanne Martin".into()), "Jeanne Martin");
    }
}
