//! Canned answers: texts advisers insert by typing `/shortcut`, one per language.

use super::{write_audit, Audit};
use super::{Context, Store, StoreError};
use tandem_shared::desk::CannedAnswer;

impl Store {
    /// Every canned answer, by shortcut then language.
    pub async fn canned_answers(&self) -> Result<Vec<CannedAnswer>, StoreError> {
        let rows: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT id, shortcut, locale, body FROM canned_answers ORDER BY shortcut, locale",
        )
        .fetch_all(&self.pool)
        .await
        .context("listing canned answers")?;
        Ok(rows
            .into_iter()
            .map(|(id, shortcut, locale, body)| CannedAnswer {
                id,
                shortcut,
                locale,
                body,
            })
            .collect())
    }

    /// Creates a canned answer, or replaces the one with the same shortcut and language.
    /// Returns its id.
    pub async fn save_canned_answer(
        &self,
        answer: &CannedAnswer,
        audit: &Audit<'_>,
        now_ms: i64,
    ) -> Result<String, StoreError> {
        let mut tx = self
            .begin_write()
            .await
            .context("starting to save a canned answer")?;
        let (id,): (String,) = sqlx::query_as(
            "INSERT INTO canned_answers (id, shortcut, locale, body, updated_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (shortcut, locale) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at
             RETURNING id",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(&answer.shortcut)
        .bind(&answer.locale)
        .bind(&answer.body)
        .bind(now_ms)
        .fetch_one(&mut *tx)
        .await
        .context("saving a canned answer")?;
        let mut audit = audit.clone();
        audit.target = Some(("canned_answer", id.clone()));
        write_audit(&mut tx, &audit, now_ms).await?;
        tx.commit().await.context("saving a canned answer")?;
        Ok(id)
    }

    /// Deletes a canned answer. False when there was none with this id.
    pub async fn delete_canned_answer(
        &self,
        id: &str,
        audit: &Audit<'_>,
    ) -> Result<bool, StoreError> {
        let mut tx = self
            .begin_write()
            .await
            .context("starting to delete a canned answer")?;
        let deleted = sqlx::query("DELETE FROM canned_answers WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .context("deleting a canned answer")?
            .rows_affected();
        if deleted == 1 {
            write_audit(&mut tx, audit, crate::time::now_ms()).await?;
        }
        tx.commit().await.context("deleting a canned answer")?;
        Ok(deleted == 1)
    }
}
