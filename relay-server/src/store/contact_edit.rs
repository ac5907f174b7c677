//! Advisers edit a contact's details and keep notes on them. An edit queues `contact.updated`
//! for the webhook and the CRM connectors.

use super::{write_audit, Audit};
use super::{Context, Store, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tandem_shared::ContactId;

/// A contact's details as an adviser edits them. Blank optional fields clear them.
#[derive(Debug, Clone, Deserialize)]
pub struct ContactEdit {
    /// Name (required).
    pub name: String,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Company.
    #[serde(default)]
    pub company: Option<String>,
}

/// A note on a contact.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ContactNote {
    /// Note id.
    pub id: String,
    /// Who wrote it (display name).
    pub author: String,
    /// The text.
    pub body: String,
    /// When (ms since the epoch).
    pub created_at_ms: i64,
}

/// Why an edit was refused.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// No such contact.
    #[error("no contact with this id")]
    NotFound,
    /// Another contact already has this email or phone.
    #[error("another contact already has this email or phone")]
    Taken,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn blank_to_none(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

impl Store {
    /// Saves an adviser's edit of a contact and queues `contact.updated`.
    pub async fn update_contact(
        &self,
        id: &ContactId,
        edit: ContactEdit,
        by: &str,
        audit: &Audit<'_>,
        now_ms: i64,
    ) -> Result<(), EditError> {
        let email = blank_to_none(edit.email).map(|e| e.to_lowercase());
        let phone = blank_to_none(edit.phone);
        let company = blank_to_none(edit.company);
        let name = edit.name.trim().to_owned();
        let mut tx = self
            .begin_write()
            .await
            .context("starting a contact edit")?;
        let result = sqlx::query(
            "UPDATE contacts SET name = $1, email = $2, phone = $3, company = $4, updated_at = $5 WHERE id = $6",
        )
        .bind(&name)
        .bind(&email)
        .bind(&phone)
        .bind(&company)
        .bind(now_ms)
        .bind(id.as_str())
        .execute(&mut *tx)
        .await;
        let updated = match result {
            Ok(done) => done.rows_affected(),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(EditError::Taken)
            }
            Err(source) => {
                return Err(StoreError::Database {
                    context: "saving a contact edit",
                    source,
                }
                .into())
            }
        };
        if updated == 0 {
            return Err(EditError::NotFound);
        }
        let data = json!({
            "contact": { "id": id, "name": name, "email": email, "phone": phone, "company": company },
            "changed_by": by,
        });
        self.enqueue(&mut tx, "contact.updated", data, now_ms)
            .await?;
        write_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await.context("saving a contact edit")?;
        self.wake_outbox();
        Ok(())
    }

    /// Adds a note to a contact; none when there is no such contact.
    pub async fn add_contact_note(
        &self,
        id: &ContactId,
        adviser_id: Option<&str>,
        author: &str,
        body: &str,
        audit: &Audit<'_>,
        now_ms: i64,
    ) -> Result<Option<ContactNote>, StoreError> {
        let mut tx = self
            .begin_write()
            .await
            .context("starting a contact note")?;
        let exists: Option<(String,)> = sqlx::query_as("SELECT id FROM contacts WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(&mut *tx)
            .await
            .context("finding a contact")?;
        if exists.is_none() {
            return Ok(None);
        }
        let note = ContactNote {
            id: uuid::Uuid::new_v4().to_string(),
            author: author.to_owned(),
            body: body.trim().to_owned(),
            created_at_ms: now_ms,
        };
        sqlx::query(
            "INSERT INTO contact_notes (id, contact_id, adviser_id, author, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&note.id)
        .bind(id.as_str())
        .bind(adviser_id)
        .bind(&note.author)
        .bind(&note.body)
        .bind(now_ms)
        .execute(&mut *tx)
        .await
        .context("saving a contact note")?;
        write_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await.context("saving a contact note")?;
        Ok(Some(note))
    }

    /// A contact's notes, newest first.
    pub async fn contact_notes(&self, id: &ContactId) -> Result<Vec<ContactNote>, StoreError> {
        sqlx::query_as(
            "SELECT id, author, body, created_at AS created_at_ms FROM contact_notes
             WHERE contact_id = $1 ORDER BY created_at DESC, id",
        )
        .bind(id.as_str())
        .fetch_all(&self.pool)
        .await
        .context("reading a contact's notes")
    }
}
