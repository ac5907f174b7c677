//! Start-up: the store opened and migrated, the hub restored, the limiters, sites and
//! knowledge base loaded, the background tasks started, and, for a node of a cluster, the
//! cluster joined. The result is the [`AppState`] every route is handed.

use super::AppState;
use crate::auth::VisitorTokens;
use crate::cluster::{election, gateway, Cluster, ClusterError};
use crate::config::Config;
use crate::http::Assets;
use crate::hub::{Hub, HubSlot};
use crate::mail::Mailer;
use crate::store::{Store, StoreError, StoreLocation};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// The settings key of the secret that signs visitor tokens.
const VISITOR_TOKEN_SECRET: &str = "visitor_token_key";

/// Opens the CRM store at `location` and builds everything the routes need.
pub async fn prepare(location: &StoreLocation, config: Config) -> Result<AppState, StoreError> {
    let clustered = config.cluster.is_some();
    if clustered && !matches!(location, StoreLocation::Postgres(_)) {
        return Err(StoreError::Unsupported(crate::cluster::NEEDS_POSTGRES));
    }
    // A relay alone runs its hub from the start; a node of a cluster once it leads.
    let (leading, leading_rx) = tokio::sync::watch::channel(!clustered);
    let mut store = Store::connect(location).await?.with_leader_gate(leading_rx);
    if let Some(webhook) = &config.webhook {
        let wake = Arc::new(tokio::sync::Notify::new());
        store = store.with_outbox_route(crate::store::OutboxRoute {
            destination: "webhook",
            kinds: &[],
            wake: wake.clone(),
        });
        tokio::spawn(crate::webhooks::run(store.clone(), webhook.clone(), wake));
    }
    store = crate::connectors::start(store, config.hubspot.as_ref(), config.salesforce.as_ref());
    let tokens = VisitorTokens::new(store.secret(VISITOR_TOKEN_SECRET).await?);
    let hub = if clustered {
        Hub::standby(store.clone(), tokens, config.limits.max_queue)
    } else {
        Hub::restore(store.clone(), tokens, config.limits.max_queue).await?
    };
    let hub = Arc::new(HubSlot::new(hub));
    tokio::spawn(sweep_abandoned(Arc::downgrade(&hub), config.abandon_after));
    tokio::spawn(close_revoked_consoles(Arc::downgrade(&hub)));
    if let Some(retention) = config.retention {
        tokio::spawn(apply_retention(store.clone(), retention));
    }
    if let Some(retention) = config.audit_retention {
        tokio::spawn(apply_audit_retention(store.clone(), retention));
    }
    let mailer = match &config.mail {
        Some(mail) => match Mailer::new(mail) {
            Ok(mailer) => Some(mailer),
            Err(error) => {
                tracing::error!(%error, "ticket answers will not be emailed");
                None
            }
        },
        None => None,
    };
    let limiters = Arc::new(crate::limits::Limiters::new(&config.limits));
    tokio::spawn(crate::limits::prune_every_minute(Arc::downgrade(&limiters)));
    let assets = Arc::new(Assets::load(&config.assets_dir));
    let sites = Arc::new(crate::sites::Sites::load(store.clone()).await?);
    let faq = crate::faq::FaqIndex::new(store.articles().await?)
        .map_err(|error| StoreError::Index(error.to_string()))?;
    let oidc = match &config.oidc {
        Some(oidc) => match crate::auth::oidc::Oidc::new(oidc.clone()) {
            Ok(oidc) => Some(Arc::new(oidc)),
            Err(error) => {
                tracing::error!(%error, "single sign-on cannot start");
                return Err(StoreError::Unsupported(
                    "single sign-on could not start its HTTP client",
                ));
            }
        },
        None => None,
    };
    Ok(AppState {
        oidc,
        faq: Arc::new(faq),
        sites,
        hub,
        leading: Arc::new(leading),
        cluster: None,
        store,
        config: Arc::new(config),
        assets,
        limiters,
        mailer,
    })
}

/// Closes, now and then, the requests of waiting visitors who left, until the hub is gone.
async fn sweep_abandoned(hub: std::sync::Weak<HubSlot>, absence: Duration) {
    let period = (absence / 4).clamp(Duration::from_millis(200), Duration::from_secs(30));
    let absence_ms = i64::try_from(absence.as_millis()).unwrap_or(i64::MAX);
    loop {
        tokio::time::sleep(period).await;
        let Some(slot) = hub.upgrade() else { return };
        let hub = slot.current();
        drop(slot);
        hub.sweep_abandoned(absence_ms).await;
    }
}

/// How often open consoles are checked against the logins still valid: a password changed,
/// an adviser disabled (from the command line, maybe on another node) or a login expired
/// closes their consoles within this time.
const REVOCATION_CHECK_EVERY: Duration = Duration::from_secs(3);

/// Closes the consoles of advisers who no longer hold a valid login, until the hub is gone.
async fn close_revoked_consoles(hub: std::sync::Weak<HubSlot>) {
    loop {
        tokio::time::sleep(REVOCATION_CHECK_EVERY).await;
        let Some(slot) = hub.upgrade() else { return };
        let hub = slot.current();
        drop(slot);
        if let Err(error) = hub.close_revoked_consoles().await {
            tracing::warn!(%error, "could not check the advisers' logins");
        }
    }
}

/// Joins the cluster named in the settings, if any: connects to NATS, follows the leader,
/// and takes part in the election. `http` is where other nodes reach this one's routes
/// (unless the settings name another address).
pub async fn join_cluster(
    mut state: AppState,
    location: &StoreLocation,
    http: SocketAddr,
) -> Result<AppState, ClusterError> {
    let Some(config) = state.config.cluster.clone() else {
        return Ok(state);
    };
    let StoreLocation::Postgres(database_url) = location else {
        return Err(ClusterError::NeedsPostgres);
    };
    let cluster =
        Cluster::connect(&config, format!("http://{http}"), state.leading.clone()).await?;
    state.cluster = Some(cluster.clone());
    tokio::spawn(gateway::deliver_from_leader(cluster.clone()));
    tokio::spawn(gateway::follow_leader(cluster.clone()));
    tokio::spawn(gateway::announce(cluster.clone()));
    tokio::spawn(gateway::follow_settings(
        cluster.clone(),
        state.node_services(),
    ));
    tokio::spawn(election::run(
        cluster,
        state.node_services(),
        database_url.clone(),
    ));
    Ok(state)
}

/// Deletes audit entries past their retention period, at start and then every hour.
async fn apply_audit_retention(store: Store, retention: Duration) {
    every_hour_while_leading(&store, "audit entries", |store| async move {
        let before = crate::time::now_ms().saturating_sub(millis(retention));
        store.purge_audit(before).await
    })
    .await;
}

/// Deletes transcripts past the retention period, at start and then every hour.
async fn apply_retention(store: Store, retention: Duration) {
    every_hour_while_leading(&store, "transcripts", |store| async move {
        let now = crate::time::now_ms();
        store
            .purge_transcripts(now.saturating_sub(millis(retention)), now)
            .await
    })
    .await;
}

fn millis(period: Duration) -> i64 {
    i64::try_from(period.as_millis()).unwrap_or(i64::MAX)
}

/// Runs a retention `purge` (how many rows of `what` it deleted) at start and then every
/// hour, while this node leads; a failed run is logged and tried again an hour later.
async fn every_hour_while_leading<F, Fut>(store: &Store, what: &'static str, purge: F)
where
    F: Fn(Store) -> Fut,
    Fut: std::future::Future<Output = Result<u64, StoreError>>,
{
    loop {
        store.wait_until_leading().await;
        match purge(store.clone()).await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, what, "deleted rows past their retention"),
            Err(error) => {
                tracing::error!(%error, what, "a retention run failed; retrying in an hour")
            }
        }
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
}
