//! An adviser merges two contacts they judged to be the same person: an unverified contact's
//! sessions, tickets and notes move to the contact kept. Never automatic (an email typed proves
//! nothing); a verified contact is never merged away (the site vouched for it).

use super::{write_audit, Audit};
use super::{Context, Store, StoreError};
use serde_json::json;
use tandem_shared::ContactId;

/// Why a merge was refused.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// One of the two contacts doesn't exist.
    #[error("no contact with this id")]
    NotFound,
    /// A contact can't be merged into itself.
    #[error("a contact can't be merged into itself")]
    SameContact,
    /// The contact to merge away is verified: the site vouched for it as someone.
    #[error("a verified contact can't be merged into another")]
    Verified,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// id, email, phone, company, verified user id.
type MergedRow = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl Store {
    /// Moves everything of the unverified contact `from` to `into` (which keeps its own
    /// details and takes `from`'s email, phone and company where it has none), erases `from`,
    /// and queues `contact.updated` for `into`. All or nothing.
    pub async fn merge_contacts(
        &self,
        into: &ContactId,
        from: &ContactId,
        by: &str,
        audit: &Audit<'_>,
        now_ms: i64,
    ) -> Result<(), MergeError> {
        if into == from {
            return Err(MergeError::SameContact);
        }
        let mut tx = self
            .begin_write()
            .await
            .context("starting a contact merge")?;
        let read = "SELECT id, email, phone, company, external_id FROM contacts WHERE id = $1";
        let kept: Option<MergedRow> = sqlx::query_as(read)
            .bind(into.as_str())
            .fetch_optional(&mut *tx)
            .await
            .context("reading the contact kept")?;
        let merged: Option<MergedRow> = sqlx::query_as(read)
            .bind(from.as_str())
            .fetch_optional(&mut *tx)
            .await
            .context("reading the contact merged")?;
        let (Some(_), Some((_, email, phone, company, verified))) = (kept, merged) else {
            return Err(MergeError::NotFound);
        };
        if verified.is_some() {
            return Err(MergeError::Verified);
        }
        for (table, what) in [
            ("conversations", "moving the sessions"),
            ("tickets", "moving the tickets"),
            ("contact_notes", "moving the notes"),
        ] {
            sqlx::query(&format!(
                "UPDATE {table} SET contact_id = $1 WHERE contact_id = $2"
            ))
            .bind(into.as_str())
            .bind(from.as_str())
            .execute(&mut *tx)
            .await
            .context(what)?;
        }
        sqlx::query("UPDATE contacts SET merge_candidate = NULL WHERE merge_candidate = $1")
            .bind(from.as_str())
            .execute(&mut *tx)
            .await
            .context("clearing the merge suggestion")?;
        // Erased first: unverified contacts are unique by email and phone.
        sqlx::query("DELETE FROM contacts WHERE id = $1")
            .bind(from.as_str())
            .execute(&mut *tx)
            .await
            .context("removing the merged contact")?;
        sqlx::query(
            "UPDATE contacts SET email = COALESCE(email, $1), phone = COALESCE(phone, $2),
                company = COALESCE(company, $3), updated_at = $4 WHERE id = $5",
        )
        .bind(&email)
        .bind(&phone)
        .bind(&company)
        .bind(now_ms)
        .bind(into.as_str())
        .execute(&mut *tx)
        .await
        .context("completing the contact kept")?;
        let contact: (
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
        ) = sqlx::query_as("SELECT id, name, email, phone, company FROM contacts WHERE id = $1")
            .bind(into.as_str())
            .fetch_one(&mut *tx)
            .await
            .context("reading the merged contact")?;
        let (id, name, email, phone, company) = contact;
        let data = json!({
            "contact": { "id": id, "name": name, "email": email, "phone": phone, "company": company },
            "merged_from": from.as_str(),
            "changed_by": by,
        });
        self.enqueue(&mut tx, "contact.updated", data, now_ms)
            .await?;
        write_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await.context("saving a contact merge")?;
        self.wake_outbox();
        tracing::info!(contact = %into, merged = %from, "contacts merged by an adviser");
        Ok(())
    }
}
