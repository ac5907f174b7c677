//! API tokens (for the CRM API) and adviser logins (console session cookies). Only hashes of
//! the tokens are stored.

use super::{Context, Store, StoreError};
use tandem_shared::AdviserId;

impl Store {
    /// Stores a new API token's hash under a name.
    pub async fn create_api_token(
        &self,
        name: &str,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO api_tokens (id, name, token_hash, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(name)
        .bind(token_hash)
        .bind(now_ms)
        .execute(&self.pool)
        .await
        .context("creating an API token")?;
        Ok(())
    }

    /// True when an API token with this hash exists.
    pub async fn api_token_exists(&self, token_hash: &str) -> Result<bool, StoreError> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT id FROM api_tokens WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await
                .context("checking an API token")?;
        Ok(row.is_some())
    }

    /// Records a console login.
    pub async fn create_login(
        &self,
        token_hash: &str,
        adviser: &AdviserId,
        now_ms: i64,
        expires_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO adviser_logins (token_hash, adviser_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(adviser.as_str())
            .bind(now_ms)
            .bind(expires_ms)
            .execute(&self.pool)
            .await
            .context("recording a login")?;
        Ok(())
    }

    /// The adviser of an unexpired login.
    pub async fn login_adviser(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<AdviserId>, StoreError> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT adviser_id FROM adviser_logins WHERE token_hash = $1 AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await
        .context("checking a login")?;
        Ok(row.map(|(id,)| AdviserId(id)))
    }

    /// Ends a console login.
    pub async fn delete_login(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM adviser_logins WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .context("ending a login")?;
        Ok(())
    }
}
