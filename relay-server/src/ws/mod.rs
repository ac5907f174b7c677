//! WebSocket endpoints: `/ws/visitor` for widgets, `/ws/adviser` for consoles.
//!
//! [`socket`] runs any connection (framing, limits) in one task, with [`connection`] writing
//! what its outbox holds; [`visitor`] and [`adviser`] turn decoded frames into hub calls; a
//! node that forwards to the leader runs their sessions there (`cluster::gateway`).

pub mod adviser;
mod connection;
pub mod socket;
pub mod visitor;

use crate::cluster::wire::Open;
use crate::http::{ApiError, AppState};
use crate::hub::{Hub, Peer};
use crate::limits::open::OpenGuard;
use axum::extract::ws::WebSocket;
use serde::Serialize;
use socket::Session;
use std::sync::Arc;

/// Serves an upgraded connection as a task of its own: its session on this node's hub, or,
/// when this node forwards to the leader, there (`open` says who opened it). `held` (the
/// address's count of open sockets) is let go of when the connection ends.
fn serve<S>(
    socket: WebSocket,
    app: &AppState,
    open: Open,
    held: OpenGuard,
    session: impl FnOnce(Arc<Hub>, Peer) -> S,
) where
    S: Session + 'static,
    S::Frame: Serialize + 'static,
{
    match crate::cluster::gateway::forwarding(app) {
        Some(cluster) => {
            crate::cluster::gateway::spawn::<S::Frame>(socket, app, cluster, open, held)
        }
        None => socket::spawn_on_hub(socket, app.hub.current(), app.config.limits, held, session),
    }
}

/// Counts one more open socket of `ip`, or the answer for an address that holds its share.
fn hold_socket(app: &AppState, ip: std::net::IpAddr) -> Result<OpenGuard, ApiError> {
    if !app.limiters.allow_connection(ip) {
        return Err(ApiError::TooManyRequests(
            "too many connections from this address; retry in a minute",
        ));
    }
    app.limiters.open_socket(ip).ok_or_else(|| {
        tracing::info!(%ip, "refused a socket: this address holds its share open");
        ApiError::TooManyRequests("too many open connections from this address")
    })
}
