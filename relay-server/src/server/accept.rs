//! The accept loop: HTTP/1.1 connections with a deadline for their headers, a deadline for
//! each request, and a cap on how many connections one address holds open; a connection
//! that upgrades to a WebSocket leaves this loop (its socket is counted by the WebSocket
//! routes instead).

use crate::config::Limits;
use crate::limits::open::OpenCounts;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::Request;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::net::IpAddr;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

/// How long stopping waits for requests under way to be answered.
const FINISH_REQUESTS_WITHIN: Duration = Duration::from_secs(5);

/// How long the loop waits after the system refused to accept (out of descriptors).
const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);

/// Who may hold how many connections open.
pub struct AcceptRules {
    /// Header and request deadlines, and connections per address.
    pub limits: Limits,
    /// Proxies whose connections are not counted per address (their clients are counted by
    /// WebSocket, under the address the proxy forwards).
    pub trusted_proxies: Vec<IpAddr>,
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets the requests under way
/// finish (for a few seconds at most).
pub async fn serve_http1(
    listener: TcpListener,
    app: Router,
    rules: AcceptRules,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let open = OpenCounts::new();
    // Stopping is said to every connection task through `stopping`; each task holds a
    // receiver of `finished` until it ends, so its sender sees when all have ended.
    let (stop, stopping) = tokio::sync::watch::channel(());
    let (finished, running) = tokio::sync::watch::channel(());
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (tcp, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let held = if rules.trusted_proxies.contains(&remote.ip()) {
            None
        } else {
            match open.try_open(remote.ip(), rules.limits.tcp_per_ip) {
                Some(held) => Some(held),
                None => {
                    tracing::debug!(ip = %remote.ip(), "refused a connection: this address holds its share open");
                    continue;
                }
            }
        };
        send_at_once(&tcp);
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(remote));
            app.clone().oneshot(request)
        });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(rules.limits.header_read_timeout)
            .serve_connection(TokioIo::new(tcp), service)
            .with_upgrades();
        let mut stopping = stopping.clone();
        let running = running.clone();
        tokio::spawn(async move {
            let (_held, _running) = (held, running);
            let mut connection = std::pin::pin!(connection);
            let ended = tokio::select! {
                ended = connection.as_mut() => ended,
                _ = stopping.changed() => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(error) = ended {
                tracing::debug!(%error, "a connection ended with an error");
            }
        });
    }
    drop(listener);
    drop((stopping, running));
    let _ = stop.send(());
    if tokio::time::timeout(FINISH_REQUESTS_WITHIN, finished.closed())
        .await
        .is_err()
    {
        tracing::debug!("some requests were still under way when the relay stopped");
    }
    Ok(())
}

/// Turns Nagle's algorithm off: `axum::serve`-style servers leave it on, and a small frame
/// written while an earlier one is not yet acknowledged then waits for that acknowledgement,
/// which the client may hold back for up to 40 ms.
pub fn send_at_once(tcp: &TcpStream) {
    if let Err(error) = tcp.set_nodelay(true) {
        tracing::debug!(%error, "could not turn Nagle's algorithm off on a connection");
    }
}
