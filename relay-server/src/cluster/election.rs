//! Which node leads: the one holding a PostgreSQL advisory lock, on a connection of its own.
//! The lock goes with the connection: a node that dies or loses the database lets another
//! take it within a second.

use super::NodeServices;
use super::{leader, Cluster};
use crate::hub::CloseReason;
use sqlx::Connection;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// The advisory lock's key ("tandem" in ASCII).
const LOCK_KEY: i64 = 0x0000_7461_6e64_656d;
/// How often a node that does not lead tries the lock.
const TRY_EVERY: Duration = Duration::from_millis(500);
/// How often the leader checks that its lock's connection is alive.
const CHECK_EVERY: Duration = Duration::from_secs(1);
/// How long a node that stops leading waits for its clients to close.
const STEP_DOWN_GRACE: Duration = Duration::from_secs(5);

/// Takes part in the election for as long as the process runs; `database_url` is the
/// store's PostgreSQL URL.
pub async fn run(cluster: Arc<Cluster>, services: NodeServices, database_url: String) {
    campaign(&cluster, &services, &database_url).await;
    cluster.resigned.send_replace(true);
}

/// Tries to lead, and leads, until the node resigns.
async fn campaign(cluster: &Arc<Cluster>, services: &NodeServices, database_url: &str) {
    let mut resigning = cluster.resigning.subscribe();
    loop {
        if *resigning.borrow() {
            return;
        }
        let mut lock = match sqlx::PgConnection::connect(database_url).await {
            Ok(connection) => connection,
            Err(error) => {
                tracing::warn!(%error, "cannot reach PostgreSQL for the leader election");
                tokio::time::sleep(CHECK_EVERY).await;
                continue;
            }
        };
        let taken = tokio::select! {
            taken = wait_for_lock(&mut lock) => taken,
            _ = resigning.wait_for(|resign| *resign) => return,
        };
        match taken {
            Ok(()) => lead(cluster, services, &mut lock).await,
            Err(error) => {
                tracing::warn!(%error, "the leader election's connection failed");
                tokio::time::sleep(CHECK_EVERY).await;
            }
        }
        // Dropping the connection releases the lock.
    }
}

async fn wait_for_lock(lock: &mut sqlx::PgConnection) -> Result<(), sqlx::Error> {
    loop {
        let taken: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(LOCK_KEY)
            .fetch_one(&mut *lock)
            .await?;
        if taken {
            return Ok(());
        }
        tokio::time::sleep(TRY_EVERY).await;
    }
}

/// Leads until the lock's connection fails: restores the hub from the store, serves the
/// forwarded connections, then steps down.
async fn lead(cluster: &Arc<Cluster>, services: &NodeServices, lock: &mut sqlx::PgConnection) {
    let standby = services.hub.current();
    let hub = match standby.restored_twin().await {
        Ok(hub) => hub,
        Err(error) => {
            tracing::error!(%error, "could not restore the hub to lead; letting another node try");
            return;
        }
    };
    services.hub.replace(hub.clone());
    cluster.set_leading(true);
    cluster.close_forwarded();
    tracing::info!(node = %cluster.node, "this node leads");
    let (stop, stopped) = watch::channel(false);
    let (ready, receiving) = tokio::sync::oneshot::channel();
    let serving = tokio::spawn(leader::run(
        cluster.clone(),
        services.clone(),
        hub.clone(),
        stopped,
        ready,
    ));
    // Other nodes forward to this one as soon as they hear it leads: receive first.
    if receiving.await.is_ok() {
        cluster.announce_leadership().await;
    }
    let mut resigning = cluster.resigning.subscribe();
    let resigned = loop {
        tokio::select! {
            () = tokio::time::sleep(CHECK_EVERY) => {}
            _ = resigning.wait_for(|resign| *resign) => break true,
        }
        if let Err(error) = sqlx::query("SELECT 1").execute(&mut *lock).await {
            tracing::error!(%error, "lost the leader's lock: stepping down");
            break false;
        }
    };
    cluster.set_leading(false);
    let _ = stop.send(true);
    let _ = serving.await;
    services.hub.replace(hub.standby_twin());
    if resigned {
        // Every client of this hub gone first, then the lock: two hubs never serve at once.
        tracing::info!("stopping: handing the lead over");
        hub.drain(CloseReason::Shutdown, STEP_DOWN_GRACE).await;
        if let Err(error) = sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(LOCK_KEY)
            .execute(&mut *lock)
            .await
        {
            tracing::warn!(%error, "could not release the lock (it goes with the connection)");
        }
    } else {
        tokio::spawn(async move { hub.drain(CloseReason::Shutdown, STEP_DOWN_GRACE).await });
    }
}
