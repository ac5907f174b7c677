//! The audit trail: an append-only record of who did what, when, from which address. A change
//! writes its entry in its own transaction ([`write_audit`]); a reading (a record viewed, an
//! export) or a refused login writes one alone ([`Store::audit`]).

use super::{Context, Store, StoreError};
use std::net::IpAddr;
use tandem_shared::audit::AuditEntry;

/// Who acts.
#[derive(Clone, Debug)]
pub struct Actor {
    /// `adviser`, `api` or `cli`.
    pub kind: &'static str,
    /// The adviser's or the token's id.
    pub id: Option<String>,
    /// The adviser's login, the token's name, `command line`.
    pub name: String,
    /// Where the request came from.
    pub address: Option<IpAddr>,
}

impl Actor {
    /// The command line on the server.
    pub fn command_line() -> Actor {
        Actor {
            kind: "cli",
            id: None,
            name: "command line".to_owned(),
            address: None,
        }
    }

    /// An adviser (their id and login), from `address` when known.
    pub fn adviser(id: &str, login: &str, address: Option<IpAddr>) -> Actor {
        Actor {
            kind: "adviser",
            id: Some(id.to_owned()),
            name: login.to_owned(),
            address,
        }
    }
}

/// One thing done, to record.
#[derive(Clone, Debug)]
pub struct Audit<'a> {
    /// Who.
    pub actor: &'a Actor,
    /// What (`contact.erased`, …): see docs/roles.md.
    pub action: &'static str,
    /// To what: a kind (`contact`, `site`, …) and an id or key.
    pub target: Option<(&'static str, String)>,
    /// More, never personal data.
    pub detail: Option<String>,
}

impl<'a> Audit<'a> {
    /// `actor` did `action` to the `kind` named `id`.
    pub fn of(actor: &'a Actor, action: &'static str, kind: &'static str, id: &str) -> Audit<'a> {
        Audit {
            actor,
            action,
            target: Some((kind, id.to_owned())),
            detail: None,
        }
    }

    /// The same, with a detail.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Audit<'a> {
        self.detail = Some(detail.into());
        self
    }
}

/// What to list: a period, an actor's login or id, an action.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    /// From (ms since the epoch, included).
    pub from_ms: Option<i64>,
    /// To (excluded).
    pub to_ms: Option<i64>,
    /// An actor's login, token name or id.
    pub actor: Option<String>,
    /// An action (`contact.erased`) or a family (`contact.`).
    pub action: Option<String>,
    /// At most this many, newest first.
    pub limit: i64,
}

/// An entry as stored; the columns are named as [`AuditEntry`]'s fields.
#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    at_ms: i64,
    actor_kind: String,
    actor_id: Option<String>,
    actor: String,
    address: Option<String>,
    action: String,
    target_kind: Option<String>,
    target_id: Option<String>,
    detail: Option<String>,
}

impl From<AuditRow> for AuditEntry {
    fn from(row: AuditRow) -> AuditEntry {
        AuditEntry {
            id: row.id,
            at_ms: row.at_ms,
            actor_kind: row.actor_kind,
            actor_id: row.actor_id,
            actor: row.actor,
            address: row.address,
            action: row.action,
            target_kind: row.target_kind,
            target_id: row.target_id,
            detail: row.detail,
        }
    }
}

/// Makes the database itself refuse to change an entry (engine-specific triggers, so they live
/// here rather than in the twin migrations). Idempotent: runs at each start.
pub(super) async fn guard_audit_trail(
    pool: &sqlx::AnyPool,
    backend: super::Backend,
) -> Result<(), StoreError> {
    match backend {
        super::Backend::Sqlite => {
            sqlx::query(
                "CREATE TRIGGER IF NOT EXISTS audit_log_append_only BEFORE UPDATE ON audit_log
                 BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
            )
            .execute(pool)
            .await
            .context("guarding the audit trail")?;
        }
        super::Backend::Postgres => {
            let installed = sqlx::raw_sql(
                "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
                 BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END;
                 $$ LANGUAGE plpgsql;
                 CREATE OR REPLACE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
                     FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();",
            )
            .execute(pool)
            .await;
            if let Err(source) = installed {
                // Another node installing it at the same moment: what counts is that it is there.
                let present: Option<(i32,)> = sqlx::query_as(
                    "SELECT 1 FROM pg_trigger WHERE tgname = 'audit_log_append_only'",
                )
                .fetch_optional(pool)
                .await
                .context("checking the audit trail's guard")?;
                if present.is_none() {
                    return Err(StoreError::Database {
                        context: "guarding the audit trail",
                        source,
                    });
                }
            }
        }
    }
    Ok(())
}

/// Writes an entry inside the transaction of the change it records.
pub(crate) async fn write_audit(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    entry: &Audit<'_>,
    now_ms: i64,
) -> Result<(), StoreError> {
    let (target_kind, target_id) = match &entry.target {
        Some((kind, id)) => (Some(*kind), Some(id.as_str())),
        None => (None, None),
    };
    sqlx::query(
        "INSERT INTO audit_log (at, actor_kind, actor_id, actor_name, address, action,
             target_kind, target_id, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(now_ms)
    .bind(entry.actor.kind)
    .bind(entry.actor.id.as_deref())
    .bind(&entry.actor.name)
    .bind(entry.actor.address.map(|a| a.to_string()))
    .bind(entry.action)
    .bind(target_kind)
    .bind(target_id)
    .bind(entry.detail.as_deref())
    .execute(&mut **tx)
    .await
    .context("writing the audit trail")?;
    Ok(())
}

impl Store {
    /// Records something that changes nothing else (a record viewed, an export, a refused
    /// login).
    pub async fn audit(&self, entry: &Audit<'_>, now_ms: i64) -> Result<(), StoreError> {
        let mut tx = self
            .begin_write()
            .await
            .context("starting an audit entry")?;
        write_audit(&mut tx, entry, now_ms).await?;
        tx.commit().await.context("saving an audit entry")?;
        Ok(())
    }

    /// The entries matching `filter`, newest first.
    pub async fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        let action_like = filter.action.as_ref().map(|action| {
            if action.ends_with('.') {
                format!("{action}%")
            } else {
                action.clone()
            }
        });
        let rows: Vec<AuditRow> = sqlx::query_as(
            "SELECT id, at AS at_ms, actor_kind, actor_id, actor_name AS actor, address, action,
                    target_kind, target_id, detail
             FROM audit_log
             WHERE ($1 IS NULL OR at >= $1) AND ($2 IS NULL OR at < $2)
               AND ($3 IS NULL OR actor_name = $3 OR actor_id = $3)
               AND ($4 IS NULL OR action LIKE $4)
             ORDER BY id DESC LIMIT $5",
        )
        .bind(filter.from_ms)
        .bind(filter.to_ms)
        .bind(filter.actor.as_deref())
        .bind(action_like.as_deref())
        .bind(filter.limit)
        .fetch_all(&self.pool)
        .await
        .context("reading the audit trail")?;
        Ok(rows.into_iter().map(AuditEntry::from).collect())
    }

    /// Tries to rewrite an entry's action in place, as someone with access to the database
    /// might; the guard refuses it. Only the tests call this.
    #[doc(hidden)]
    pub async fn try_rewrite_audit_for_tests(&self, id: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE audit_log SET action = 'nothing' WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await
            .context("rewriting an audit entry")?;
        Ok(())
    }

    /// Deletes the entries older than `before_ms` (the trail's own retention); how many.
    pub async fn purge_audit(&self, before_ms: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM audit_log WHERE at < $1")
            .bind(before_ms)
            .execute(&self.pool)
            .await
            .context("purging old audit entries")?;
        Ok(done.rows_affected())
    }
}
