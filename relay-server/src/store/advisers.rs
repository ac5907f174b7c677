//! Adviser accounts and their roles.

use super::{write_audit, Actor, Audit, Context, Store, StoreError};
use tandem_shared::access::AdviserRole;
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
    /// The role of a new account (an existing one keeps theirs; see
    /// [`Store::set_adviser_role`]). The first account of an empty store is admin whatever
    /// is asked.
    pub role: AdviserRole,
}

/// What saving an adviser did.
#[derive(Debug)]
pub struct SavedAdviser {
    /// The account.
    pub id: AdviserId,
    /// Their role now.
    pub role: AdviserRole,
    /// True when the account was created (not updated).
    pub created: bool,
}

/// Why an account's role or access could not be changed.
#[derive(Debug, thiserror::Error)]
pub enum AccountChangeError {
    /// No adviser has this login.
    #[error("no adviser has this login")]
    UnknownLogin,
    /// The change would leave no enabled admin to manage the others.
    #[error("at least one enabled admin must remain")]
    LastAdmin,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
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
    /// `admin`, `supervisor` or `adviser`.
    pub role: String,
}

impl AdviserRow {
    /// What the account may do; a name this relay does not know gives the least.
    pub fn role(&self) -> AdviserRole {
        AdviserRole::parse(&self.role).unwrap_or_default()
    }

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
            role: self.role(),
        }
    }
}

/// An account as the Team page reads it.
#[derive(sqlx::FromRow)]
struct MemberRow {
    login: String,
    display_name: String,
    role: String,
    level: i64,
    disabled_at: Option<i64>,
    oidc_subject: Option<String>,
}

const COLUMNS: &str = "id, login, display_name, password_hash, max_chats, level, queues, role";

impl Store {
    /// Creates an adviser account, or updates the name and password of an existing login (who
    /// keeps their role). The first account of an empty store is admin.
    pub async fn upsert_adviser(
        &self,
        adviser: NewAdviser<'_>,
        actor: &Actor,
        now_ms: i64,
    ) -> Result<SavedAdviser, StoreError> {
        let mut tx = self
            .begin_write()
            .await
            .context("starting to save an adviser")?;
        let (accounts,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM advisers")
            .fetch_one(&mut *tx)
            .await
            .context("counting advisers")?;
        let role = if accounts == 0 {
            AdviserRole::Admin
        } else {
            adviser.role
        };
        let new_id = uuid::Uuid::new_v4().to_string();
        let (id, stored_role): (String, String) = sqlx::query_as(
            "INSERT INTO advisers (id, login, display_name, password_hash, created_at, role)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (login) DO UPDATE SET display_name = excluded.display_name,
                 password_hash = excluded.password_hash
             RETURNING id, role",
        )
        .bind(&new_id)
        .bind(adviser.login)
        .bind(adviser.display_name)
        .bind(adviser.password_hash)
        .bind(now_ms)
        .bind(role.as_str())
        .fetch_one(&mut *tx)
        .await
        .context("saving an adviser")?;
        let created = id == new_id;
        let action = if created {
            "adviser.created"
        } else {
            "adviser.changed"
        };
        let audit = Audit::of(actor, action, "adviser", &id).with_detail(adviser.login);
        write_audit(&mut tx, &audit, now_ms).await?;
        tx.commit().await.context("saving an adviser")?;
        Ok(SavedAdviser {
            created,
            role: AdviserRole::parse(&stored_role).unwrap_or_default(),
            id: AdviserId(id),
        })
    }

    /// Gives the adviser with this login another role and ends their logins (they log in
    /// again with it; a running relay closes their consoles within seconds). Refused when it
    /// would leave no enabled admin.
    pub async fn set_adviser_role(
        &self,
        login: &str,
        role: AdviserRole,
        actor: &Actor,
    ) -> Result<AdviserId, AccountChangeError> {
        let mut tx = self.begin_write().await.context("starting a role change")?;
        let found: Option<(String,)> =
            sqlx::query_as("UPDATE advisers SET role = $1 WHERE login = $2 RETURNING id")
                .bind(role.as_str())
                .bind(login)
                .fetch_optional(&mut *tx)
                .await
                .context("changing a role")?;
        let Some((id,)) = found else {
            return Err(AccountChangeError::UnknownLogin);
        };
        keep_an_admin_and_end_logins(&mut tx, &id).await?;
        let audit = Audit::of(actor, "adviser.role_changed", "adviser", &id)
            .with_detail(format!("{login}: {}", role.as_str()));
        write_audit(&mut tx, &audit, crate::time::now_ms()).await?;
        tx.commit().await.context("saving a role change")?;
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

    /// Every account, enabled or not, by login, as the admins' Team page lists them.
    pub async fn team(&self) -> Result<Vec<tandem_shared::access::TeamMember>, StoreError> {
        let rows: Vec<MemberRow> = sqlx::query_as(
            "SELECT login, display_name, role, level, disabled_at, oidc_subject
             FROM advisers ORDER BY login",
        )
        .fetch_all(&self.pool)
        .await
        .context("listing the team")?;
        Ok(rows
            .into_iter()
            .map(|row| tandem_shared::access::TeamMember {
                role: AdviserRole::parse(&row.role).unwrap_or_default(),
                level: u8::try_from(row.level).unwrap_or(1),
                disabled: row.disabled_at.is_some(),
                single_sign_on: row.oidc_subject.is_some(),
                login: row.login,
                display_name: row.display_name,
            })
            .collect())
    }

    /// Disables (or enables again) the adviser with this login; disabling ends every login
    /// of theirs, and a running relay closes their open consoles within seconds. Refused when
    /// it would leave no enabled admin.
    pub async fn set_adviser_disabled(
        &self,
        login: &str,
        disabled: bool,
        actor: &Actor,
        now_ms: i64,
    ) -> Result<AdviserId, AccountChangeError> {
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
        let Some((id,)) = found else {
            return Err(AccountChangeError::UnknownLogin);
        };
        if disabled {
            keep_an_admin_and_end_logins(&mut tx, &id).await?;
        }
        let action = if disabled {
            "adviser.disabled"
        } else {
            "adviser.enabled"
        };
        let audit = Audit::of(actor, action, "adviser", &id).with_detail(login);
        write_audit(&mut tx, &audit, now_ms).await?;
        tx.commit().await.context("saving an adviser change")?;
        Ok(AdviserId(id))
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

/// Inside a change of the account `id` (demoted or disabled): refuses it when no enabled
/// admin would be left, else ends the account's logins (its consoles close within seconds).
async fn keep_an_admin_and_end_logins(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: &str,
) -> Result<(), AccountChangeError> {
    let (admins,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM advisers WHERE role = 'admin' AND disabled_at IS NULL",
    )
    .fetch_one(&mut **tx)
    .await
    .context("counting admins")?;
    if admins == 0 {
        return Err(AccountChangeError::LastAdmin);
    }
    sqlx::query("DELETE FROM adviser_logins WHERE adviser_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await
        .context("ending an adviser's logins")?;
    Ok(())
}
