//! API tokens (for the CRM API) and adviser logins (console session cookies). Only hashes of
//! the tokens are stored.

use super::{Context, Store, StoreError};
use std::collections::HashSet;
use tandem_shared::AdviserId;

/// An API token as listed (never the token itself: only its hash is kept).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiTokenRow {
    /// Its id.
    pub id: String,
    /// What it is for.
    pub name: String,
    /// When it was created (ms since the epoch).
    pub created_at: i64,
}

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

    /// Every API token, oldest first.
    pub async fn api_tokens(&self) -> Result<Vec<ApiTokenRow>, StoreError> {
        sqlx::query_as("SELECT id, name, created_at FROM api_tokens ORDER BY created_at")
            .fetch_all(&self.pool)
            .await
            .context("listing API tokens")
    }

    /// Revokes the API tokens with this id or name (they stop working at once); how many.
    pub async fn revoke_api_token(&self, id_or_name: &str) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM api_tokens WHERE id = $1 OR name = $1")
            .bind(id_or_name)
            .execute(&self.pool)
            .await
            .context("revoking an API token")?;
        Ok(done.rows_affected())
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
            "SELECT l.adviser_id FROM adviser_logins l JOIN advisers a ON a.id = l.adviser_id
             WHERE l.token_hash = $1 AND l.expires_at > $2 AND a.disabled_at IS NULL",
        )
        .bind(token_hash)
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await
        .context("checking a login")?;
        Ok(row.map(|(id,)| AdviserId(id)))
    }

    /// The advisers who hold at least one unexpired login and are not disabled: a console of
    /// anyone else must be closed (logged out, password changed, disabled, expired).
    pub async fn advisers_logged_in(&self, now_ms: i64) -> Result<HashSet<AdviserId>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT DISTINCT l.adviser_id FROM adviser_logins l JOIN advisers a ON a.id = l.adviser_id
             WHERE l.expires_at > $1 AND a.disabled_at IS NULL",
        )
        .bind(now_ms)
        .fetch_all(&self.pool)
        .await
        .context("listing advisers logged in")?;
        Ok(rows.into_iter().map(|(id,)| AdviserId(id)).collect())
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
