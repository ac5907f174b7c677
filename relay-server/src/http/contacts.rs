//! Editing the CRM record of a contact: their details (which queues `contact.updated` for the
//! webhook and CRM connectors) and advisers' notes on them. From the console or the API.

use super::extract::Caller;
use super::{ApiError, AppState};
use crate::store::{Actor, Audit};
use crate::store::{ContactEdit, ContactNote, EditError, MergeError};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use tandem_shared::limits::{
    normalize_email, normalize_phone, required, MAX_COMPANY_CHARS, MAX_EMAIL_CHARS, MAX_NAME_CHARS,
};
use tandem_shared::ContactId;

/// Longest note on a contact.
const MAX_NOTE_CHARS: usize = 2000;

/// A present, non-blank optional field, at most `max` characters.
fn optional_field(
    value: Option<String>,
    field: &str,
    max: usize,
) -> Result<Option<String>, ApiError> {
    let Some(value) = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if value.chars().count() > max {
        return Err(ApiError::BadRequest(format!(
            "{field} is longer than {max} characters"
        )));
    }
    Ok(Some(value))
}

/// The edit with the pre-chat form's rules: a name; an email or a phone, well formed.
fn validated(edit: ContactEdit) -> Result<ContactEdit, ApiError> {
    let name = required(&edit.name, "name", MAX_NAME_CHARS)
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let email = optional_field(edit.email, "email", MAX_EMAIL_CHARS)?
        .map(|email| {
            normalize_email(&email)
                .ok_or_else(|| ApiError::BadRequest("email is not a valid address".into()))
        })
        .transpose()?;
    let phone = optional_field(edit.phone, "phone", 40)?
        .map(|phone| {
            normalize_phone(&phone)
                .ok_or_else(|| ApiError::BadRequest("phone is not a valid number".into()))
        })
        .transpose()?;
    if email.is_none() && phone.is_none() {
        return Err(ApiError::BadRequest(
            "a contact needs an email or a phone".into(),
        ));
    }
    let company = optional_field(edit.company, "company", MAX_COMPANY_CHARS)?;
    Ok(ContactEdit {
        name,
        email,
        phone,
        company,
    })
}

/// `PATCH /api/v1/contacts/{id}`: new details (name, email, phone, company); 409 when another
/// contact has that email or phone.
pub async fn update_contact(
    writer: Caller,
    actor: Actor,
    State(app): State<AppState>,
    Path(id): Path<String>,
    Json(edit): Json<ContactEdit>,
) -> Result<StatusCode, ApiError> {
    let edit = validated(edit)?;
    let audit = Audit::of(&actor, "contact.updated", "contact", &id);
    app.store
        .update_contact(
            &ContactId(id.clone()),
            edit,
            &writer.label(),
            &audit,
            crate::time::now_ms(),
        )
        .await
        .map_err(|error| match error {
            EditError::NotFound => ApiError::NotFound("no contact with this id"),
            EditError::Taken => {
                ApiError::Conflict("another contact already has this email or phone")
            }
            EditError::Store(error) => ApiError::Store(error),
        })?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/contacts/{id}/notes` body.
#[derive(Debug, Deserialize)]
pub struct NewNote {
    body: String,
}

/// `POST /api/v1/contacts/{id}/notes`: adds a note, signed with the adviser's name.
pub async fn add_note(
    writer: Caller,
    actor: Actor,
    State(app): State<AppState>,
    Path(id): Path<String>,
    Json(note): Json<NewNote>,
) -> Result<(StatusCode, Json<ContactNote>), ApiError> {
    let body = required(&note.body, "body", MAX_NOTE_CHARS)
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let (adviser_id, author) = match &writer {
        Caller::Adviser(adviser) => (Some(adviser.id.as_str()), adviser.display_name.clone()),
        Caller::Api(_) => (None, "API".to_owned()),
    };
    let note = app
        .store
        .add_contact_note(
            &ContactId(id.clone()),
            adviser_id,
            &author,
            &body,
            &Audit::of(&actor, "contact.note_added", "contact", &id),
            crate::time::now_ms(),
        )
        .await?
        .ok_or(ApiError::NotFound("no contact with this id"))?;
    Ok((StatusCode::CREATED, Json(note)))
}

/// `POST /api/v1/contacts/{id}/merge` body.
#[derive(Debug, Deserialize)]
pub struct MergeRequest {
    /// The unverified contact whose sessions, tickets and notes move to `{id}`.
    from: String,
}

/// `POST /api/v1/contacts/{id}/merge`: an adviser (or the API) judged `from` to be the same
/// person as `{id}`: everything of `from` moves to `{id}` and `from` is removed. 409 when
/// `from` is verified or has a chat in progress, 404 when either is unknown.
pub async fn merge_contacts(
    writer: Caller,
    actor: Actor,
    State(app): State<AppState>,
    Path(id): Path<String>,
    Json(merge): Json<MergeRequest>,
) -> Result<StatusCode, ApiError> {
    let (into, from) = (ContactId(id), ContactId(merge.from));
    if app.store.contact_has_open_conversation(&from).await? {
        return Err(ApiError::Conflict(
            "this contact has a chat in progress; merge it once the chat is over",
        ));
    }
    app.store
        .merge_contacts(
            &into,
            &from,
            &writer.label(),
            &Audit::of(&actor, "contact.merged", "contact", into.as_str())
                .with_detail(format!("from {}", from.as_str())),
            crate::time::now_ms(),
        )
        .await
        .map_err(|error| match error {
            MergeError::NotFound => ApiError::NotFound("no contact with this id"),
            MergeError::SameContact => {
                ApiError::BadRequest("a contact can't be merged into itself".into())
            }
            MergeError::Verified => {
                ApiError::Conflict("a verified contact can't be merged into another")
            }
            MergeError::Store(error) => ApiError::Store(error),
        })?;
    Ok(StatusCode::NO_CONTENT)
}
