//! The sites this relay serves, kept in memory (read on every visitor connection) and
//! written through to the store.

use crate::store::{Store, StoreError};
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use tandem_shared::site::{SiteSettings, DEFAULT_SITE};

/// Sites by key.
#[derive(Debug)]
pub struct Sites {
    store: Store,
    by_key: RwLock<BTreeMap<String, Arc<SiteSettings>>>,
}

impl Sites {
    /// Reads every site from the store.
    pub async fn load(store: Store) -> Result<Sites, StoreError> {
        let by_key = store
            .sites()
            .await?
            .into_iter()
            .map(|site| (site.key.clone(), Arc::new(site)))
            .collect();
        Ok(Sites {
            store,
            by_key: RwLock::new(by_key),
        })
    }

    /// The site with this key; `None` for no key means the default site.
    pub fn get(&self, key: Option<&str>) -> Option<Arc<SiteSettings>> {
        let key = key
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .unwrap_or(DEFAULT_SITE);
        self.by_key
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .cloned()
    }

    /// Every site, by key.
    pub fn all(&self) -> Vec<SiteSettings> {
        self.by_key
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .map(|site| site.as_ref().clone())
            .collect()
    }

    /// Reads every site from the store again (another node of the cluster changed one).
    pub async fn reload(&self) -> Result<(), StoreError> {
        let by_key = self
            .store
            .sites()
            .await?
            .into_iter()
            .map(|site| (site.key.clone(), Arc::new(site)))
            .collect();
        *self.by_key.write().unwrap_or_else(|p| p.into_inner()) = by_key;
        Ok(())
    }

    /// Stores a validated site and serves it from now on (new connections see it).
    pub async fn save(
        &self,
        mut site: SiteSettings,
        audit: &crate::store::Audit<'_>,
    ) -> Result<(), StoreError> {
        self.store
            .upsert_site(&site, audit, crate::time::now_ms())
            .await?;
        // The secret is not part of the settings sent: the one stored stays.
        site.identity_secret = self
            .get(Some(&site.key))
            .and_then(|s| s.identity_secret.clone());
        self.by_key
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(site.key.clone(), Arc::new(site));
        Ok(())
    }
}

impl Sites {
    /// Sets (or removes) a site's identity secret, stored and served from now on; false when
    /// no site has this key.
    pub async fn set_identity_secret(
        &self,
        key: &str,
        secret: Option<&str>,
        audit: &crate::store::Audit<'_>,
    ) -> Result<bool, StoreError> {
        if !self
            .store
            .set_site_identity_secret(key, secret, audit)
            .await?
        {
            return Ok(false);
        }
        let mut by_key = self.by_key.write().unwrap_or_else(|p| p.into_inner());
        if let Some(site) = by_key.get_mut(key) {
            let mut changed = site.as_ref().clone();
            changed.identity_secret =
                secret.map(|s| tandem_shared::site::IdentitySecret(s.to_owned()));
            *site = Arc::new(changed);
        }
        Ok(true)
    }
}

/// `scheme://host[:port]` of an absolute http(s) address without credentials, as browsers
/// write origins (lower-case, default port left out); `None` for anything else.
pub fn origin_of_url(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url.trim()).ok()?;
    let plain = matches!(parsed.scheme(), "http" | "https") && parsed.username().is_empty();
    plain.then(|| parsed.origin().ascii_serialization())
}

/// The first queue `site` offers that does not exist, if any: a site may offer only
/// existing queues (the console, the API and the command line all ask this).
pub async fn unknown_queue(
    store: &Store,
    site: &SiteSettings,
) -> Result<Option<String>, StoreError> {
    let queues = store.queues().await?;
    Ok(site
        .queues
        .iter()
        .find(|key| !queues.iter().any(|q| &q.key == *key))
        .cloned())
}

/// True when a page at `origin` may open chats on `site`: the relay's list (`--allowed-origins`)
/// and the site's own, each allowing any origin when empty.
pub fn is_allowed_site(origin: Option<&str>, relay_allows: &[String], site: &SiteSettings) -> bool {
    (relay_allows.is_empty() || origin.is_some_and(|origin| is_listed(origin, relay_allows)))
        && site.allows_origin(origin)
}

/// True when `origin` is one of `allowed` (any case, a trailing `/` ignored).
pub fn is_listed(origin: &str, allowed: &[String]) -> bool {
    allowed
        .iter()
        .any(|a| a.trim_end_matches('/').eq_ignore_ascii_case(origin))
}
