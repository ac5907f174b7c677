//! API tokens (for the CRM API) and adviser logins (console session cookies). Only hashes of
//! the tokens are stored.

use super::{write_audit, Actor, Audit, Context, Store, StoreError};
use crate::auth::scope::TokenScope;
use std::collections::HashSet;
use tandem_shared::AdviserId;

/// An API token as listed (never the token itself: only its hash is kept).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiTokenRow {
    /// Its id.
    pub id: String,
    /// What it is for.
    pub name: String,
    /// `read`, `write` or `admin`.
    pub scope: String,
    /// When it was created (ms since the epoch).
    pub created_at: i64,
}

impl ApiTokenRow {
    /// What the token may do; a name this relay does not know gives the least.
    pub fn scope(&self) -> TokenScope {
        TokenScope::parse(&self.scope).unwrap_or(TokenScope::Read)
    }
}

impl Store {
    /// Stores a new API token's hash under a name, with a scope.
    pub async fn create_api_token(
        &self,
        name: &str,
        scope: TokenScope,
        token_hash: &str,
        actor: &Actor,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let id = uuid::Uuid::new_v4().to_string();
        let mut tx = self
            .begin_write()
            .await
            .context("starting to create an API token")?;
        sqlx::query(
            "INSERT INTO api_tokens (id, name, scope, token_hash, created_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(name)
        .bind(scope.as_str())
        .bind(token_hash)
        .bind(now_ms)
        .execute(&mut *tx)
        .await
        .context("creating an API token")?;
        let audit = Audit::of(actor, "token.created", "token", &id)
            .with_detail(format!("{name}: {}", scope.as_str()));
        write_audit(&mut tx, &audit, now_ms).await?;
        tx.commit().await.context("creating an API token")?;
        Ok(())
    }

    /// Every API token, oldest first.
    pub async fn api_tokens(&self) -> Result<Vec<ApiTokenRow>, StoreError> {
        sqlx::query_as("SELECT id, name, scope, created_at FROM api_tokens ORDER BY created_at")
            .fetch_all(&self.pool)
            .await
            .context("listing API tokens")
    }

    /// Revokes the API tokens with this id or name (they stop working at once); how many.
    pub async fn revoke_api_token(
        &self,
        id_or_name: &str,
        actor: &Actor,
    ) -> Result<u64, StoreError> {
        let mut tx = self
            .begin_write()
            .await
            .context("starting to revoke an API token")?;
        let revoked: Vec<(String,)> =
            sqlx::query_as("DELETE FROM api_tokens WHERE id = $1 OR name = $1 RETURNING id")
                .bind(id_or_name)
                .fetch_all(&mut *tx)
                .await
                .context("revoking an API token")?;
        for (id,) in &revoked {
            let audit = Audit::of(actor, "token.revoked", "token", id);
            write_audit(&mut tx, &audit, crate::time::now_ms()).await?;
        }
        tx.commit().await.context("revoking an API token")?;
        Ok(revoked.len() as u64)
    }

    /// The API token with this hash, if one exists.
    pub async fn api_token(&self, token_hash: &str) -> Result<Option<ApiTokenRow>, StoreError> {
        sqlx::query_as("SELECT id, name, scope, created_at FROM api_tokens WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await
            .context("checking an API token")
    }

    /// Records a console login (`actor` is the adviser logging in, `method` how: `password`
    /// or `sso`) and its audit entry.
    pub async fn create_login(
        &self,
        token_hash: &str,
        actor: &Actor,
        method: &'static str,
        now_ms: i64,
        expires_ms: i64,
    ) -> Result<(), StoreError> {
        let adviser = actor.id.as_deref().unwrap_or_default();
        let mut tx = self.begin_write().await.context("starting a login")?;
        sqlx::query("INSERT INTO adviser_logins (token_hash, adviser_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(adviser)
            .bind(now_ms)
            .bind(expires_ms)
            .execute(&mut *tx)
            .await
            .context("recording a login")?;
        let audit = Audit {
            actor,
            action: "login.succeeded",
            target: None,
            detail: Some(method.to_owned()),
        };
        write_audit(&mut tx, &audit, now_ms).await?;
        tx.commit().await.context("recording a login")?;
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
