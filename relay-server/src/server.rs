//! Starting the relay: open the store, restore the hub, serve on an already-bound listener
//! until the shutdown future resolves (so tests bind port 0 and `main` passes a signal).

use crate::auth::VisitorTokens;
use crate::config::Config;
use crate::http::{app, AppState, Assets};
use crate::hub::{CloseReason, Hub};
use crate::mail::Mailer;
use crate::store::{Store, StoreError, StoreLocation};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// How long a stopping relay waits for its clients to close.
const DRAIN_GRACE: Duration = Duration::from_secs(5);

/// The settings key of the secret that signs visitor tokens.
const VISITOR_TOKEN_SECRET: &str = "visitor_token_key";

/// Opens the CRM store at `location` and builds everything the routes need.
pub async fn prepare(location: &StoreLocation, config: Config) -> Result<AppState, StoreError> {
    let mut store = Store::connect(location).await?;
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
    let hub = Hub::restore(store.clone(), tokens, config.limits.max_queue).await?;
    tokio::spawn(sweep_abandoned(Arc::downgrade(&hub), config.abandon_after));
    if let Some(retention) = config.retention {
        tokio::spawn(apply_retention(store.clone(), retention));
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
    let assets = Arc::new(Assets::load(&config.assets_dir));
    let sites = Arc::new(crate::sites::Sites::load(store.clone()).await?);
    let faq = crate::faq::FaqIndex::new(store.articles().await?)
        .map_err(|error| StoreError::Index(error.to_string()))?;
    Ok(AppState {
        faq: Arc::new(faq),
        sites,
        hub,
        store,
        config: Arc::new(config),
        assets,
        limiters,
        mailer,
    })
}

/// Closes, now and then, the requests of waiting visitors who left, until the hub is gone.
async fn sweep_abandoned(hub: std::sync::Weak<Hub>, absence: Duration) {
    let period = (absence / 4).clamp(Duration::from_millis(200), Duration::from_secs(30));
    let absence_ms = i64::try_from(absence.as_millis()).unwrap_or(i64::MAX);
    loop {
        tokio::time::sleep(period).await;
        let Some(hub) = hub.upgrade() else { return };
        hub.sweep_abandoned(absence_ms).await;
    }
}

/// Deletes transcripts past the retention period, at start and then every hour.
async fn apply_retention(store: Store, retention: Duration) {
    let retention_ms = i64::try_from(retention.as_millis()).unwrap_or(i64::MAX);
    loop {
        let now = crate::time::now_ms();
        match store
            .purge_transcripts(now.saturating_sub(retention_ms), now)
            .await
        {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "deleted transcripts past the retention period"),
            Err(error) => tracing::error!(%error, "the retention run failed; retrying in an hour"),
        }
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
}

/// Serves until `shutdown` resolves, then drains: every client is told to reconnect (close
/// code 1012) after what was queued for it is sent, and the store is closed.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let store = state.store.clone();
    let hub = state.hub.clone();
    let drain = async move {
        shutdown.await;
        hub.drain(CloseReason::Shutdown, DRAIN_GRACE).await;
    };
    let service = app(state).into_make_service_with_connect_info::<SocketAddr>();
    let result = axum::serve(listener, service)
        .with_graceful_shutdown(drain)
        .await;
    store.close().await;
    result
}
