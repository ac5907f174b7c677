//! The knowledge base's articles.

use super::{write_audit, Audit};
use super::{Context, Store, StoreError};
use tandem_shared::faq::Article;

impl Store {
    /// Every article, by language then title.
    pub async fn articles(&self) -> Result<Vec<Article>, StoreError> {
        let rows: Vec<(String, String, String, String)> =
            sqlx::query_as("SELECT id, locale, title, body FROM articles ORDER BY locale, title")
                .fetch_all(&self.pool)
                .await
                .context("listing articles")?;
        Ok(rows
            .into_iter()
            .map(|(id, locale, title, body)| Article {
                id,
                locale,
                title,
                body,
            })
            .collect())
    }

    /// Creates (no id: a new one is given) or replaces an article (already validated);
    /// returns it with its id.
    pub async fn save_article(
        &self,
        article: Article,
        audit: &Audit<'_>,
        now_ms: i64,
    ) -> Result<Article, StoreError> {
        let id = if article.id.is_empty() {
            uuid::Uuid::new_v4().to_string()
        } else {
            article.id.clone()
        };
        let mut tx = self
            .begin_write()
            .await
            .context("starting to save an article")?;
        sqlx::query(
            "INSERT INTO articles (id, locale, title, body, updated_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (id) DO UPDATE SET locale = excluded.locale, title = excluded.title,
                 body = excluded.body, updated_at = excluded.updated_at",
        )
        .bind(&id)
        .bind(&article.locale)
        .bind(&article.title)
        .bind(&article.body)
        .bind(now_ms)
        .execute(&mut *tx)
        .await
        .context("saving an article")?;
        let mut audit = audit.clone();
        audit.target = Some(("article", id.clone()));
        write_audit(&mut tx, &audit, now_ms).await?;
        tx.commit().await.context("saving an article")?;
        Ok(Article { id, ..article })
    }

    /// Deletes an article; false when there was none.
    pub async fn delete_article(&self, id: &str, audit: &Audit<'_>) -> Result<bool, StoreError> {
        let mut tx = self
            .begin_write()
            .await
            .context("starting to delete an article")?;
        let done = sqlx::query("DELETE FROM articles WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .context("deleting an article")?;
        let deleted = done.rows_affected() > 0;
        if deleted {
            write_audit(&mut tx, audit, crate::time::now_ms()).await?;
        }
        tx.commit().await.context("deleting an article")?;
        Ok(deleted)
    }
}
