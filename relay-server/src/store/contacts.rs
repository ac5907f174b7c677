//! CRM contacts. A logged-in user whose id the site signed is the contact with that id. A
//! visitor who types the email or phone of an unverified contact is filed under it as a
//! `typed` match, which changes nothing of the contact: only proof (the site's signature) or an
//! adviser (edit, merge) changes a contact. An unverified visitor is never attached to a
//! verified contact, whatever email they type.

use super::{Context, Store, StoreError};
use sqlx::AnyConnection;
use tandem_shared::model::{ChatRequest, ContactCard, ContactMatch};
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

/// The contact a request was filed under, and how it was matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactLink {
    /// The contact.
    pub id: ContactId,
    /// Proven, new, or only typed.
    pub matched: ContactMatch,
}

impl Store {
    /// The contact for this request; created when none matches. `request` must be
    /// validated; `verified_user` is the site's user id once its signature was checked.
    ///
    /// Only a verified request updates a contact (its own). An unverified request that types
    /// an existing contact's email or phone is filed under it as a `typed` match and changes
    /// nothing of it. A verified user is never given an unverified contact on email alone: they
    /// get their own contact, which names the unverified one as a merge candidate.
    pub async fn upsert_contact(
        &self,
        request: &ChatRequest,
        verified_user: Option<&str>,
        now_ms: i64,
    ) -> Result<ContactLink, StoreError> {
        // Two first-time requests with the same email can race to insert; the loser finds
        // the winner's row on its next pass.
        let mut last_error = None;
        for _ in 0..3 {
            match self
                .try_upsert_contact(request, verified_user, now_ms)
                .await
            {
                Ok(link) => return Ok(link),
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
    ) -> Result<ContactLink, StoreError> {
        let mut tx = self
            .begin_write()
            .await
            .context("starting a contact update")?;
        let typed_match = unverified_with_same_address(&mut tx, request).await?;
        let link = match verified_user {
            Some(user) => {
                let own: Option<(String,)> =
                    sqlx::query_as("SELECT id FROM contacts WHERE external_id = $1")
                        .bind(user)
                        .fetch_optional(&mut *tx)
                        .await
                        .context("finding a verified contact")?;
                let id = match own {
                    Some((id,)) => {
                        update_verified_contact(&mut tx, &id, request, now_ms).await?;
                        id
                    }
                    None => {
                        insert_contact(&mut tx, request, Some(user), typed_match, now_ms).await?
                    }
                };
                ContactLink {
                    id: ContactId(id),
                    matched: ContactMatch::Verified,
                }
            }
            None => match typed_match {
                Some(id) => ContactLink {
                    id: ContactId(id),
                    matched: ContactMatch::Typed,
                },
                None => ContactLink {
                    id: ContactId(insert_contact(&mut tx, request, None, None, now_ms).await?),
                    matched: ContactMatch::New,
                },
            },
        };
        tx.commit().await.context("saving a contact")?;
        Ok(link)
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

/// The unverified contact with the email (else the phone) the request typed.
async fn unverified_with_same_address(
    conn: &mut AnyConnection,
    request: &ChatRequest,
) -> Result<Option<String>, StoreError> {
    let found: Option<(String,)> = sqlx::query_as(
        "SELECT id FROM contacts WHERE external_id IS NULL AND email = $1 AND $1 IS NOT NULL
         UNION ALL SELECT id FROM contacts WHERE external_id IS NULL AND phone = $2 AND $2 IS NOT NULL LIMIT 1",
    )
    .bind(&request.email)
    .bind(&request.phone)
    .fetch_optional(conn)
    .await
    .context("finding a contact")?;
    Ok(found.map(|(id,)| id))
}

/// A new contact with what the request gave; `merge_candidate` is an unverified contact that
/// may be the same person as this verified one. Returns its id.
async fn insert_contact(
    conn: &mut AnyConnection,
    request: &ChatRequest,
    verified_user: Option<&str>,
    merge_candidate: Option<String>,
    now_ms: i64,
) -> Result<String, StoreError> {
    let id = uuid::Uuid::new_v4().to_string();
    sqlx::query(
        "INSERT INTO contacts (id, external_id, name, email, phone, company, created_at, updated_at, merge_candidate)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(verified_user)
    .bind(&request.name)
    .bind(&request.email)
    .bind(&request.phone)
    .bind(&request.company)
    .bind(now_ms)
    .bind(now_ms)
    .bind(merge_candidate)
    .execute(conn)
    .await
    .context("creating a contact")?;
    Ok(id)
}

/// Updates a verified contact from its own user's request: latest name and company; email and
/// phone filled in when missing and not an unverified contact's.
async fn update_verified_contact(
    conn: &mut AnyConnection,
    id: &str,
    request: &ChatRequest,
    now_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE contacts SET name = $1, company = COALESCE($2, company), updated_at = $3,
            email = CASE WHEN email IS NULL AND NOT EXISTS
                (SELECT 1 FROM contacts WHERE email = $4 AND external_id IS NULL) THEN $4 ELSE email END,
            phone = CASE WHEN phone IS NULL AND NOT EXISTS
                (SELECT 1 FROM contacts WHERE phone = $5 AND external_id IS NULL) THEN $5 ELSE phone END
         WHERE id = $6",
    )
    .bind(&request.name)
    .bind(&request.company)
    .bind(now_ms)
    .bind(&request.email)
    .bind(&request.phone)
    .bind(id)
    .execute(conn)
    .await
    .context("updating a contact")?;
    Ok(())
}
