//! Finding contacts (by name, email, phone, company) and sessions over a period.

use super::contacts::ContactRow;
use super::records::{SessionRow, SESSION_SELECT};
use super::{ContactRef, Context, SessionSummary, Store, StoreError};

/// `text` as a LIKE pattern matching it anywhere, its wildcards taken literally.
fn contains_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

impl Store {
    /// Contacts whose name, email, phone or company contains `query` (case-insensitive for
    /// ASCII), most recently updated first. Phone numbers also match without their spaces.
    pub async fn search_contacts(
        &self,
        query: &str,
        limit: i64,
    ) -> Result<Vec<ContactRef>, StoreError> {
        let pattern = contains_pattern(query.trim());
        let digits = contains_pattern(&query.replace([' ', '.', '-'], ""));
        let rows: Vec<ContactRow> = sqlx::query_as(
            "SELECT id, name, email, phone, company, external_id FROM contacts
             WHERE lower(name) LIKE lower($1) ESCAPE '\\' OR lower(email) LIKE lower($1) ESCAPE '\\'
                OR lower(company) LIKE lower($1) ESCAPE '\\'
                OR replace(replace(replace(phone, ' ', ''), '.', ''), '-', '') LIKE $2 ESCAPE '\\'
             ORDER BY updated_at DESC, id LIMIT $3",
        )
        .bind(pattern)
        .bind(digits)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .context("searching contacts")?;
        Ok(rows
            .into_iter()
            .map(
                |(id, name, email, phone, company, verified_user_id)| ContactRef {
                    id,
                    name,
                    email,
                    phone,
                    company,
                    verified_user_id,
                },
            )
            .collect())
    }

    /// Sessions requested in `[from_ms, to_ms)`, oldest first.
    pub async fn sessions_between(
        &self,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<SessionSummary>, StoreError> {
        let rows: Vec<SessionRow> = sqlx::query_as(&format!(
            "{SESSION_SELECT} WHERE c.requested_at >= $1 AND c.requested_at < $2 ORDER BY c.requested_at, c.id"
        ))
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(&self.pool)
        .await
        .context("listing sessions over a period")?;
        self.summaries(rows).await
    }
}
