//! Single sign-on in the store: sign-ins under way (state, PKCE verifier, nonce) and the
//! accounts tied to the provider's subject.

use super::{AdviserRow, Context, Store, StoreError};
use tandem_shared::AdviserId;

/// How long a sign-in may take at the provider.
pub const SIGN_IN_WINDOW_MS: i64 = 10 * 60 * 1000;

/// Most sign-ins under way at once (each start is also counted per address).
pub const MAX_PENDING_SIGN_INS: i64 = 10_000;

impl Store {
    /// Keeps a sign-in under way; false when too many are (lapsed ones are forgotten first).
    pub async fn save_sign_in(
        &self,
        state: &str,
        verifier: &str,
        nonce: &str,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self
            .begin_write()
            .await
            .context("starting to keep a sign-in")?;
        sqlx::query("DELETE FROM oidc_pending WHERE created_at < $1")
            .bind(now_ms - SIGN_IN_WINDOW_MS)
            .execute(&mut *tx)
            .await
            .context("forgetting lapsed sign-ins")?;
        let (pending,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM oidc_pending")
            .fetch_one(&mut *tx)
            .await
            .context("counting sign-ins")?;
        if pending >= MAX_PENDING_SIGN_INS {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO oidc_pending (state, verifier, nonce, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(state)
        .bind(verifier)
        .bind(nonce)
        .bind(now_ms)
        .execute(&mut *tx)
        .await
        .context("keeping a sign-in")?;
        tx.commit().await.context("keeping a sign-in")?;
        Ok(true)
    }

    /// The verifier and nonce of the sign-in with this state, once: it is forgotten as it is
    /// read. `None` when unknown or older than ten minutes.
    pub async fn take_sign_in(
        &self,
        state: &str,
        now_ms: i64,
    ) -> Result<Option<(String, String)>, StoreError> {
        let row: Option<(String, String, i64)> = sqlx::query_as(
            "DELETE FROM oidc_pending WHERE state = $1 RETURNING verifier, nonce, created_at",
        )
        .bind(state)
        .fetch_optional(&self.pool)
        .await
        .context("reading a sign-in")?;
        Ok(row
            .filter(|(_, _, created)| *created >= now_ms - SIGN_IN_WINDOW_MS)
            .map(|(verifier, nonce, _)| (verifier, nonce)))
    }

    /// The account tied to the provider's `subject`, disabled or not.
    pub async fn adviser_by_subject(
        &self,
        subject: &str,
    ) -> Result<Option<(AdviserRow, bool)>, StoreError> {
        let row: Option<(String, Option<i64>)> =
            sqlx::query_as("SELECT id, disabled_at FROM advisers WHERE oidc_subject = $1")
                .bind(subject)
                .fetch_optional(&self.pool)
                .await
                .context("finding an adviser by subject")?;
        let Some((id, disabled_at)) = row else {
            return Ok(None);
        };
        Ok(self
            .adviser(&AdviserId(id))
            .await?
            .map(|adviser| (adviser, disabled_at.is_some())))
    }

    /// True when some account, enabled or not, has this login.
    pub async fn login_taken(&self, login: &str) -> Result<bool, StoreError> {
        let row: Option<(String,)> = sqlx::query_as("SELECT id FROM advisers WHERE login = $1")
            .bind(login)
            .fetch_optional(&self.pool)
            .await
            .context("checking a login")?;
        Ok(row.is_some())
    }

    /// Ties an account to the provider's subject.
    pub async fn tie_to_subject(&self, id: &AdviserId, subject: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE advisers SET oidc_subject = $1 WHERE id = $2")
            .bind(subject)
            .bind(id.as_str())
            .execute(&self.pool)
            .await
            .context("tying an account to single sign-on")?;
        Ok(())
    }
}
