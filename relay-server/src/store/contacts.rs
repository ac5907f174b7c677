//! CRM contacts. A returning visitor with the same email or phone is the same contact; a
//! logged-in user whose id the site signed is the contact with that id. An unverified visitor
//! is never attached to a verified contact, whatever email they type.

use super::{Context, Store, StoreError};
use sqlx::AnyConnection;
use tandem_shared::model::{ChatRequest, ContactCard};
use tandem_shared::ContactId;

/// id, name, email, phone, company, verified user id.
pub(super) type ContactRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl Store {
    /// The contact for this request, updated with what the visitor just gave; created when
    /// none matches. `request` must be validated; `verified_user` is the site's user id once
    /// its signature was checked.
    pub async fn upsert_contact(
        &self,
        request: &ChatRequest,
        verified_user: Option<&str>,
        now_ms: i64,
    ) -> Result<ContactId, StoreError> {
        // Two first-time requests with the same email can race to insert; the loser finds
        // the winner's row on its next pass.
        let mut last_error = None;
        for _ in 0..3 {
            match self
                .try_upsert_contact(request, verified_user, now_ms)
                .await
            {
                Ok(id) => return Ok(id),
                Err(error) => last_error = Some(error),
            }
        }
        Err(last_error.unwrap_or_else(|| StoreError::Corrupt("contact upsert".into())))
    }

    async fn try_upsert_contact(
        &self,
        request: &ChatRequest,
        verified_user: Option<&str>,
        now_ms: i64,
    ) -> Result<ContactId, StoreError> {
        let mut tx = self
            .begin_write()
            .await
            .context("starting a contact update")?;
        let by_user = match verified_user {
            Some(user) => sqlx::query_as("SELECT id FROM contacts WHERE external_id = $1")
                .bind(user)
                .fetch_optional(&mut *tx)
                .await
                .context("finding a verified contact")?,
            None => None,
        };
        let existing: Option<(String,)> = match by_user {
            Some(found) => Some(found),
            // An unverified contact with the same email or phone (a verified user claims it).
            None => sqlx::query_as(
                "SELECT id FROM contacts WHERE external_id IS NULL AND email = $1 AND $1 IS NOT NULL
                 UNION ALL SELECT id FROM contacts WHERE external_id IS NULL AND phone = $2 AND $2 IS NOT NULL LIMIT 1",
            )
            .bind(&request.email)
            .bind(&request.phone)
            .fetch_optional(&mut *tx)
            .await
            .context("finding a contact")?,
        };
        let id = match existing {
            Some((id,)) => {
                update_contact(&mut tx, &id, request, verified_user, now_ms).await?;
                id
            }
            None => {
                let id = uuid::Uuid::new_v4().to_string();
                sqlx::query(
                    "INSERT INTO contacts (id, external_id, name, email, phone, company, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(&id)
                .bind(verified_user)
                .bind(&request.name)
                .bind(&request.email)
                .bind(&request.phone)
                .bind(&request.company)
                .bind(now_ms)
                .bind(now_ms)
                .execute(&mut *tx)
                .await
                .context("creating a contact")?;
                id
            }
        };
        tx.commit().await.context("saving a contact")?;
        Ok(ContactId(id))
    }

    /// A contact's card.
    pub async fn contact_card(&self, id: &ContactId) -> Result<Option<ContactCard>, StoreError> {
        let row: Option<ContactRow> = sqlx::query_as(
            "SELECT id, name, email, phone, company, external_id FROM contacts WHERE id = $1",
        )
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await
        .context("reading a contact")?;
        Ok(row.map(
            |(id, name, email, phone, company, verified_user_id)| ContactCard {
                id: ContactId(id),
                name,
                email,
                phone,
                company,
                verified_user_id,
            },
        ))
    }
}

/// Updates a matched contact: latest name and company; email and phone filled in when missing
/// and not another unverified contact's; the verified user id once known.
async fn update_contact(
    conn: &mut AnyConnection,
    id: &str,
    request: &ChatRequest,
    verified_user: Option<&str>,
    now_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE contacts SET name = $1, company = COALESCE($2, company), updated_at = $3,
            external_id = COALESCE(external_id, $6),
            email = CASE WHEN email IS NULL AND NOT EXISTS
                (SELECT 1 FROM contacts WHERE email = $4 AND external_id IS NULL) THEN $4 ELSE email END,
            phone = CASE WHEN phone IS NULL AND NOT EXISTS
                (SELECT 1 FROM contacts WHERE phone = $5 AND external_id IS NULL) THEN $5 ELSE phone END
         WHERE id = $7",
    )
    .bind(&request.name)
    .bind(&request.company)
    .bind(now_ms)
    .bind(&request.email)
    .bind(&request.phone)
    .bind(verified_user)
    .bind(id)
    .execute(conn)
    .await
    .context("updating a contact")?;
    Ok(())
}
