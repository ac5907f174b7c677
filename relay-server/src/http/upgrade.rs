//! `GET /ws/visitor` and `GET /ws/adviser`: the checks made before a socket opens (site,
//! origin, login, the address's share of sockets, a known leader), then the upgrade, served by
//! [`crate::ws`] with the role's [`crate::session`].

use super::client_ip::client_ip;
use super::extract::LoggedInAdviser;
use super::origin::{is_same_origin, origin};
use super::ApiError;
use crate::app::AppState;
use crate::cluster::wire::Open;
use crate::hub::{Hub, Peer};
use crate::limits::open::OpenGuard;
use crate::session::Session;
use crate::session::{adviser, visitor};
use crate::sites::is_allowed_site;
use crate::ws::socket;
use axum::extract::ws::WebSocket;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use serde::Serialize;
use std::net::SocketAddr;
use std::sync::Arc;

/// Query of `GET /ws/visitor`.
#[derive(Debug, Deserialize)]
pub struct VisitorQuery {
    /// The tag's `data-site`; the default site when absent.
    site: Option<String>,
}

/// `GET /ws/visitor?site=KEY`: upgrades to a visitor connection; 404 for a site key this
/// relay does not serve, 403 for a page of a site not allowed, 429 when the address opens
/// connections too fast.
pub async fn visitor_upgrade(
    ws: WebSocketUpgrade,
    State(app): State<AppState>,
    ConnectInfo(peer_addr): ConnectInfo<SocketAddr>,
    Query(query): Query<VisitorQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Some(site) = app.sites.get(query.site.as_deref()) else {
        tracing::info!(site = ?query.site, "refused a visitor connection for an unknown site");
        return Err(ApiError::NotFound(
            "this relay serves no site with this key (check the tag's data-site)",
        ));
    };
    if !is_allowed_site(origin(&headers), &app.config.allowed_origins, &site) {
        tracing::info!(origin = ?origin(&headers), "refused a visitor connection from a site not allowed");
        return Err(ApiError::Forbidden(
            "this site may not open chats on this relay",
        ));
    }
    let ip = client_ip(peer_addr.ip(), &headers, &app.config.trusted_proxies);
    let held = hold_socket(&app, ip)?;
    let page_origin = origin(&headers).map(str::to_owned);
    check_leader_known(&app)?;
    let limits = app.config.limits;
    Ok(socket::configure(ws, &limits).on_upgrade(move |socket| {
        let open = crate::cluster::wire::Open::Visitor {
            site: site.key.clone(),
            address: Some(ip),
            origin: page_origin.clone(),
        };
        serve(socket, &app, open, held, |hub, peer| {
            visitor::session(&app.visitor_services(), hub, peer, site, ip, page_origin)
        });
        std::future::ready(())
    }))
}

/// `GET /ws/adviser`: upgrades to a console connection; 401 without a valid login cookie,
/// 403 from a page of another site, 429 when the address opens connections too fast.
pub async fn adviser_upgrade(
    ws: WebSocketUpgrade,
    State(app): State<AppState>,
    ConnectInfo(peer_addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    adviser: LoggedInAdviser,
) -> Result<Response, ApiError> {
    if !is_same_origin(&headers, app.config.secure_cookies) {
        return Err(ApiError::Forbidden(
            "the console connects only from the relay's own pages",
        ));
    }
    let ip = client_ip(peer_addr.ip(), &headers, &app.config.trusted_proxies);
    let held = hold_socket(&app, ip)?;
    check_leader_known(&app)?;
    let limits = app.config.limits;
    let adviser = adviser.0;
    Ok(socket::configure(ws, &limits).on_upgrade(move |socket| {
        let open = crate::cluster::wire::Open::Adviser {
            adviser_id: adviser.id.clone(),
            address: Some(ip),
        };
        serve(socket, &app, open, held, move |hub, peer| {
            adviser::session(hub, peer, adviser, Some(ip))
        });
        std::future::ready(())
    }))
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

/// Refuses a connection (503) while this node neither leads nor knows a leader: the client
/// retries in a moment, when one has taken over.
fn check_leader_known(app: &AppState) -> Result<(), ApiError> {
    match app.forwarding_cluster() {
        Some(cluster) if cluster.leader().is_none() => {
            Err(ApiError::Unavailable(super::to_leader::NO_LEADER))
        }
        _ => Ok(()),
    }
}

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
    match app.forwarding_cluster() {
        Some(cluster) => crate::cluster::gateway::spawn::<S::Frame>(
            socket,
            &app.node_services(),
            cluster,
            open,
            held,
        ),
        None => socket::spawn_on_hub(socket, app.hub.current(), app.config.limits, held, session),
    }
}
