//! Adviser accounts.

use super::{Context, Store, StoreError};
use tandem_shared::model::AdviserProfile;
use tandem_shared::AdviserId;

/// An adviser account to create.
#[derive(Debug)]
pub struct NewAdviser<'a> {
    /// Login name, unique.
    pub login: &'a str,
    /// Name shown to visitors.
    pub display_name: &'a str,
    /// Argon2 PHC string.
    pub password_hash: &'a str,
}

/// An adviser account as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AdviserRow {
    /// Account id.
    pub id: String,
    /// Login name.
    pub login: String,
    /// Name shown to visitors.
    pub display_name: String,
    /// Argon2 PHC string.
    pub password_hash: String,
    /// Chats at once, as last chosen.
    pub max_chats: i64,
    /// Service level, 1 to 3.
    pub level: i64,
    /// Comma-separated queues served; empty serves all.
    pub queues: String,
}

impl AdviserRow {
    /// The profile the console shows.
    pub fn profile(&self) -> AdviserProfile {
        AdviserProfile {
            id: AdviserId(self.id.clone()),
            login: self.login.clone(),
            display_name: self.display_name.clone(),
            level: u8::try_from(self.level).unwrap_or(1),
            queues: self
                .queues
                .split(',')
                .map(str::trim)
                .filter(|q| !q.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }
}

const COLUMNS: &str = "id, login, display_name, password_hash, max_chats, level, queues";

impl Store {
    /// Creates an adviser account, or updates the name and password of an existing login.
    pub async fn upsert_adviser(
        &self,
        adviser: NewAdviser<'_>,
        now_ms: i64,
    ) -> Result<AdviserId, StoreError> {
        let (id,): (String,) = sqlx::query_as(
            "INSERT INTO advisers (id, login, display_name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (login) DO UPDATE SET display_name = excluded.display_name,
                 password_hash = excluded.password_hash
             RETURNING id",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(adviser.login)
        .bind(adviser.display_name)
        .bind(adviser.password_hash)
        .bind(now_ms)
        .fetch_one(&self.pool)
        .await
        .context("saving an adviser")?;
        Ok(AdviserId(id))
    }

    /// Ends every login of an adviser (their password changed): a running relay closes their
    /// open consoles within seconds.
    pub async fn end_adviser_logins(&self, id: &AdviserId) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM adviser_logins WHERE adviser_id = $1")
            .bind(id.as_str())
            .execute(&self.pool)
            .await
            .context("ending an adviser's logins")?;
        Ok(())
    }

    /// The enabled adviser with this login (a disabled one can't log in).
    pub async fn adviser_by_login(&self, login: &str) -> Result<Option<AdviserRow>, StoreError> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM advisers WHERE login = $1 AND disabled_at IS NULL"
        ))
        .bind(login)
        .fetch_optional(&self.pool)
        .await
        .context("finding an adviser by login")
    }

    /// The adviser with this id.
    pub async fn adviser(&self, id: &AdviserId) -> Result<Option<AdviserRow>, StoreError> {
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM advisers WHERE id = $1"))
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await
            .context("finding an adviser")
    }

    /// Every enabled adviser account, by display name.
    pub async fn advisers(&self) -> Result<Vec<AdviserRow>, StoreError> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM advisers WHERE disabled_at IS NULL ORDER BY display_name"
        ))
        .fetch_all(&self.pool)
        .await
        .context("listing advisers")
    }

    /// Disables (or enables again) the adviser with this login; disabling ends every login
    /// of theirs, and a running relay closes their open consoles within seconds. `None` when
    /// no adviser has this login.
    pub async fn set_adviser_disabled(
        &self,
        login: &str,
        disabled: bool,
        now_ms: i64,
    ) -> Result<Option<AdviserId>, StoreError> {
        let mut tx = self
            .begin_write()
            .await
            .context("starting an adviser change")?;
        let found: Option<(String,)> =
            sqlx::query_as("UPDATE advisers SET disabled_at = $1 WHERE login = $2 RETURNING id")
                .bind(disabled.then_some(now_ms))
                .bind(login)
                .fetch_optional(&mut *tx)
                .await
                .context("disabling an adviser")?;
        if let (Some((id,)), true) = (&found, disabled) {
            sqlx::query("DELETE FROM adviser_logins WHERE adviser_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await
                .context("ending a disabled adviser's logins")?;
        }
        tx.commit().await.context("saving an adviser change")?;
        Ok(found.map(|(id,)| AdviserId(id)))
    }

    /// Sets the service level (1 to 3) and the queues an adviser serves (empty: all).
    pub async fn set_adviser_service(
        &self,
        id: &AdviserId,
        level: u8,
        queues: &[String],
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE advisers SET level = $1, queues = $2 WHERE id = $3")
            .bind(i64::from(level))
            .bind(queues.join(","))
            .bind(id.as_str())
            .execute(&self.pool)
            .await
            .context("saving an adviser's level and queues")?;
        Ok(())
    }

    /// Remembers how many chats an adviser takes at once.
    pub async fn set_adviser_capacity(
        &self,
        id: &AdviserId,
        max_chats: u8,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE advisers SET max_chats = $1 WHERE id = $2")
            .bind(i64::from(max_chats))
            .bind(id.as_str())
            .execute(&self.pool)
            .await
            .context("saving an adviser's capacity")?;
        Ok(())
    }
}
