//! Sites: key, name, allowed origins, offered queues, look and invitation rules.

use super::{write_audit, Audit};
use super::{Context, Store, StoreError};
use tandem_shared::site::{Appearance, IdentitySecret, SiteSettings};

type SiteTuple = (
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    Option<String>,
);

fn lines(list: &[String]) -> String {
    list.join("\n")
}

fn from_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

fn site_from_row(
    (key, name, origins, queues, appearance, invitations, verified_only, secret): SiteTuple,
) -> Result<SiteSettings, StoreError> {
    let appearance: Appearance = serde_json::from_str(&appearance)
        .map_err(|e| StoreError::Corrupt(format!("appearance of site {key}: {e}")))?;
    let invitations = serde_json::from_str(&invitations)
        .map_err(|e| StoreError::Corrupt(format!("invitations of site {key}: {e}")))?;
    Ok(SiteSettings {
        key,
        name,
        origins: from_lines(&origins),
        queues: from_lines(&queues),
        appearance,
        invitations,
        verified_only: verified_only != 0,
        identity_secret: secret.filter(|s| !s.is_empty()).map(IdentitySecret),
    })
}

impl Store {
    /// Every site, by key.
    pub async fn sites(&self) -> Result<Vec<SiteSettings>, StoreError> {
        let rows: Vec<SiteTuple> = sqlx::query_as(
            "SELECT key, name, origins, queues, appearance, invitations, verified_only,
                    identity_secret
             FROM sites ORDER BY key",
        )
        .fetch_all(&self.pool)
        .await
        .context("listing sites")?;
        rows.into_iter().map(site_from_row).collect()
    }

    /// Creates or replaces a site (already validated), with its audit entry. Its identity
    /// secret is left as stored (see [`Store::set_site_identity_secret`]).
    pub async fn upsert_site(
        &self,
        site: &SiteSettings,
        audit: &Audit<'_>,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let appearance = serde_json::to_string(&site.appearance)
            .map_err(|e| StoreError::Corrupt(format!("appearance of site {}: {e}", site.key)))?;
        let invitations = serde_json::to_string(&site.invitations)
            .map_err(|e| StoreError::Corrupt(format!("invitations of site {}: {e}", site.key)))?;
        let mut tx = self
            .begin_write()
            .await
            .context("starting to save a site")?;
        sqlx::query(
            "INSERT INTO sites (key, name, origins, queues, appearance, updated_at, invitations,
                 verified_only)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (key) DO UPDATE SET name = excluded.name, origins = excluded.origins,
                 queues = excluded.queues, appearance = excluded.appearance,
                 updated_at = excluded.updated_at, invitations = excluded.invitations,
                 verified_only = excluded.verified_only",
        )
        .bind(&site.key)
        .bind(&site.name)
        .bind(lines(&site.origins))
        .bind(lines(&site.queues))
        .bind(appearance)
        .bind(now_ms)
        .bind(invitations)
        .bind(i64::from(site.verified_only))
        .execute(&mut *tx)
        .await
        .context("saving a site")?;
        write_audit(&mut tx, audit, now_ms).await?;
        tx.commit().await.context("saving a site")?;
        Ok(())
    }

    /// Sets (or, with `None`, removes) the secret a site signs user ids with; false when no
    /// site has this key. The audit entry never holds the secret.
    pub async fn set_site_identity_secret(
        &self,
        key: &str,
        secret: Option<&str>,
        audit: &Audit<'_>,
    ) -> Result<bool, StoreError> {
        let mut tx = self
            .begin_write()
            .await
            .context("starting to save a site's secret")?;
        let done = sqlx::query("UPDATE sites SET identity_secret = $1 WHERE key = $2")
            .bind(secret)
            .bind(key)
            .execute(&mut *tx)
            .await
            .context("saving a site's secret")?;
        let found = done.rows_affected() > 0;
        if found {
            write_audit(&mut tx, audit, crate::time::now_ms()).await?;
        }
        tx.commit().await.context("saving a site's secret")?;
        Ok(found)
    }
}
