//! Serving: the relay's routes on an already-bound listener (so tests bind port 0) until the
//! shutdown future resolves, then the drain. The state is built by [`crate::app::start`].

pub mod accept;

use crate::app::AppState;
use crate::http::app;
use crate::hub::CloseReason;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;

/// How long a stopping relay waits for its clients to close.
const DRAIN_GRACE: Duration = Duration::from_secs(5);

/// Serves until `shutdown` resolves, then drains: every client is told to reconnect (close
/// code 1012) after what was queued for it is sent, and the store is closed.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let store = state.store.clone();
    let hub = state.hub.clone();
    let cluster = state.cluster.clone();
    let drain = async move {
        shutdown.await;
        if let Some(cluster) = cluster {
            // A leader hands over before it goes, so that its clients resume elsewhere.
            cluster.resign().await;
        }
        hub.current()
            .drain(CloseReason::Shutdown, DRAIN_GRACE)
            .await;
    };
    let rules = accept::AcceptRules {
        limits: state.config.limits,
        trusted_proxies: state.config.trusted_proxies.clone(),
    };
    let result = accept::serve_http1(listener, app(state), rules, drain).await;
    store.close().await;
    result
}

#[cfg(test)]
mod tests {
    use super::accept::send_at_once;
    use tokio::net::TcpListener;

    /// A connection the relay accepts has Nagle's algorithm off, so that a frame written
    /// right after another is not held back until the client acknowledges the first.
    #[tokio::test]
    async fn accepted_connections_send_at_once() {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let _client = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let (accepted, _) = listener.accept().await.expect("accept");
        send_at_once(&accepted);
        assert!(accepted.nodelay().expect("read TCP_NODELAY"));
    }
}
