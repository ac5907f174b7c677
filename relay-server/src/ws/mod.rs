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
use crate::http::AppState;
use crate::hub::{Hub, Peer};
use axum::extract::ws::WebSocket;
use serde::Serialize;
use socket::Session;
use std::sync::Arc;

/// Serves an upgraded connection as a task of its own: its session on this node's hub, or,
/// when this node forwards to the leader, there (`open` says who opened it).
fn serve<S>(
    socket: WebSocket,
    app: &AppState,
    open: Open,
    session: impl FnOnce(Arc<Hub>, Peer) -> S,
) where
    S: Session + 'static,
    S::Frame: Serialize + 'static,
{
    match crate::cluster::gateway::forwarding(app) {
        Some(cluster) => crate::cluster::gateway::spawn::<S::Frame>(socket, app, cluster, open),
        None => socket::spawn_on_hub(socket, app.hub.current(), app.config.limits, session),
    }
}
