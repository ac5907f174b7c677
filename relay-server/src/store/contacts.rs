//! CRM contacts: a returning visitor with the same email or phone is the same contact.

use super::{Context, Store, StoreError};
use tandem_shared::model::{ChatRequest, ContactCard};
use tandem_shared::ContactId;

type ContactRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl Store {
    /// The contact matching the request's email, else its phone, updated with what the
    /// visitor just gave; a new contact when none matches. `request` must be validated.
    pub async fn upsert_contact(
        &self,
        request: &ChatRequest,
        now_ms: i64,
    ) -> Result<ContactId, StoreError> {
        // Two first-time requests with the same email can race to insert; the loser finds
        // the winner's row on its second pass.
        let mut last_error = None;
        for _ in 0..3 {
            match self.try_upsert_contact(request, now_ms).await {
                Ok(id) => return Ok(id),
                Err(error) => last_error = Some(error),
            }
        }
        Err(last_error.unwrap_or_else(|| StoreError::Corrupt("contact upsert".into())))
    }

    async fn try_upsert_contact(
        &self,
        request: &ChatRequest,
        now_ms: i64,
    ) -> Result<ContactId, StoreError> {
        let mut tx = self
            .pool
            .begin()
            .await
            .context("starting a contact update")?;
        let existing: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM contacts WHERE email = ?1 AND ?1 IS NOT NULL
             UNION ALL SELECT id FROM contacts WHERE phone = ?2 AND ?2 IS NOT NULL LIMIT 1",
        )
        .bind(&request.email)
        .bind(&request.phone)
        .fetch_optional(&mut *tx)
        .await
        .context("finding a contact")?;
        let id = match existing {
            Some((id,)) => {
                sqlx::query(
                    "UPDATE contacts SET name = ?, company = COALESCE(?, company), updated_at = ?,
                        email = CASE WHEN email IS NULL AND NOT EXISTS (SELECT 1 FROM contacts WHERE email = ?4)
                                     THEN ?4 ELSE email END,
                        phone = CASE WHEN phone IS NULL AND NOT EXISTS (SELECT 1 FROM contacts WHERE phone = ?5)
                                     THEN ?5 ELSE phone END
                     WHERE id = ?6",
                )
                .bind(&request.name)
                .bind(&request.company)
                .bind(now_ms)
                .bind(&request.email)
                .bind(&request.phone)
                .bind(&id)
                .execute(&mut *tx)
                .await
                .context("updating a contact")?;
                id
            }
            None => {
                let id = uuid::Uuid::new_v4().to_string();
                sqlx::query(
                    "INSERT INTO contacts (id, name, email, phone, company, created_at, updated_at)
                     VALUES (?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(&id)
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
        let row: Option<ContactRow> =
            sqlx::query_as("SELECT id, name, email, phone, company FROM contacts WHERE id = ?")
                .bind(id.as_str())
                .fetch_optional(&self.pool)
                .await
                .context("reading a contact")?;
        Ok(row.map(|(id, name, email, phone, company)| ContactCard {
            id: ContactId(id),
            name,
            email,
            phone,
            company,
        }))
    }
}
