//! A node's side: connections whose sessions run on the leader. Their frames go to the
//! leader over NATS; the leader's frames for them come back on the node's own subject.

use super::wire::{self, Heartbeat, Open, ToLeader, ToNode};
use super::NodeServices;
use super::{Cluster, LeaderInfo, HEARTBEAT_EVERY};
use crate::hub::{Frame, Peer};
use crate::session::Session;
use crate::ws::socket;
use axum::extract::ws::WebSocket;
use futures_util::StreamExt;
use serde::Serialize;
use std::marker::PhantomData;
use std::sync::Arc;
use tandem_shared::codec::ClientFrame;

/// Serves, as a task of its own, a connection whose session runs on the leader; `open` says
/// who opened it.
pub fn spawn<F>(
    socket: WebSocket,
    services: &NodeServices,
    cluster: Arc<Cluster>,
    open: Open,
    held: impl Send + 'static,
) where
    F: ClientFrame + Serialize + Send + 'static,
{
    let (peer, inbox) = Peer::new();
    // Registered with the node's hub too, so that stopping the node reaches it.
    let registered = services.hub.current().register(&peer);
    cluster.forwarded.add(&peer);
    let listed = Listed {
        cluster: cluster.clone(),
        conn: peer.id,
    };
    let session = ForwardedSession::<F> {
        cluster: cluster.clone(),
        conn: peer.id,
        open: Some(open),
        frames: PhantomData,
    };
    tokio::spawn(close_if_unanswered(cluster, peer.clone()));
    let limits = services.limits;
    socket::spawn(
        socket,
        peer,
        inbox,
        session,
        limits,
        (registered, listed, held),
    );
}

/// Keeps a connection in the node's list of forwarded connections until it ends.
struct Listed {
    cluster: Arc<Cluster>,
    conn: crate::hub::ConnId,
}

impl Drop for Listed {
    fn drop(&mut self) {
        self.cluster.forwarded.remove(self.conn);
    }
}

/// A forwarded connection that no leader answered in this long reached nobody (it was opened
/// as the lead changed hands): the client is asked to reconnect.
const ANSWER_WITHIN: std::time::Duration = std::time::Duration::from_secs(10);

async fn close_if_unanswered(cluster: Arc<Cluster>, peer: Peer) {
    tokio::time::sleep(ANSWER_WITHIN).await;
    if !cluster.forwarded.is_answered(peer.id) {
        tracing::info!(conn = peer.id, "no leader answered a forwarded connection");
        peer.close(crate::hub::CloseReason::Shutdown);
    }
}

/// A connection's session on a node that does not lead: each frame, already decoded and
/// checked against the limits here, goes to the leader.
struct ForwardedSession<F> {
    cluster: Arc<Cluster>,
    conn: crate::hub::ConnId,
    /// Who opened the connection: told to the leader before any frame.
    open: Option<Open>,
    frames: PhantomData<fn() -> F>,
}

impl<F> ForwardedSession<F> {
    async fn send(&self, message: ToLeader) {
        let headers = wire::to_leader_headers(&self.cluster.node, self.conn, &message);
        let payload = wire::to_leader_payload(message);
        if let Err(error) = self
            .cluster
            .nats
            .publish_with_headers(wire::HUB_SUBJECT, headers, payload)
            .await
        {
            tracing::warn!(conn = self.conn, %error, "could not forward to the leader");
        }
    }
}

impl<F> Session for ForwardedSession<F>
where
    F: ClientFrame + Serialize + Send,
{
    type Frame = F;

    async fn on_open(&mut self) {
        if let Some(open) = self.open.take() {
            self.send(ToLeader::Open(open)).await;
        }
    }

    async fn on_frame(&mut self, frame: F) {
        match serde_json::to_vec(&frame) {
            Ok(json) => self.send(ToLeader::Frame(json.into())).await,
            Err(error) => tracing::error!(conn = self.conn, %error, "could not encode a frame"),
        }
    }

    async fn on_close(&mut self) {
        self.send(ToLeader::Closed).await;
    }
}

/// Delivers the leader's frames to this node's connections, until the subscription ends.
pub async fn deliver_from_leader(cluster: Arc<Cluster>) {
    let subject = wire::node_subject(&cluster.node);
    let mut messages = match cluster.nats.subscribe(subject.clone()).await {
        Ok(subscriber) => subscriber,
        Err(error) => {
            tracing::error!(%error, %subject, "cannot receive the leader's frames");
            return;
        }
    };
    while let Some(message) = messages.next().await {
        let Some((leader, conn, what)) = wire::parse_to_node(&message) else {
            tracing::warn!(subject = %message.subject, "ignored an unreadable message");
            continue;
        };
        let Some(peer) = cluster.forwarded.answered_by(conn, &leader) else {
            continue;
        };
        match what {
            ToNode::Frame(json) => match Frame::from_json(json) {
                Some(frame) => peer.send_frame(&frame),
                None => tracing::warn!(conn, "ignored a frame that is not UTF-8"),
            },
            ToNode::Close(reason) => peer.close(reason),
        }
    }
}

/// Follows the leader's heartbeats; a new leader, or none for a while, closes the forwarded
/// connections.
pub async fn follow_leader(cluster: Arc<Cluster>) {
    let mut heartbeats = match cluster.nats.subscribe(wire::LEADER_SUBJECT).await {
        Ok(subscriber) => subscriber,
        Err(error) => {
            tracing::error!(%error, "cannot follow the leader");
            return;
        }
    };
    let mut check = tokio::time::interval(HEARTBEAT_EVERY / 2);
    loop {
        tokio::select! {
            message = heartbeats.next() => {
                let Some(message) = message else { return };
                match serde_json::from_slice::<Heartbeat>(&message.payload) {
                    Ok(beat) => cluster.heard_leader(LeaderInfo { node: beat.node, http: beat.http }),
                    Err(error) => tracing::warn!(%error, "ignored an unreadable heartbeat"),
                }
            }
            _ = check.tick() => cluster.check_leader_alive(),
        }
    }
}

/// Reads sites or articles again when another node changed them.
pub async fn follow_settings(cluster: Arc<Cluster>, services: NodeServices) {
    let mut changes = match cluster.nats.subscribe(wire::SETTINGS_SUBJECT).await {
        Ok(subscriber) => subscriber,
        Err(error) => {
            tracing::error!(%error, "cannot follow settings changes");
            return;
        }
    };
    while let Some(message) = changes.next().await {
        if wire::settings_sender(&message) == Some(cluster.node.as_str()) {
            // This node made the change and reloaded already.
            continue;
        }
        let reloaded = match serde_json::from_slice::<wire::Settings>(&message.payload) {
            Ok(wire::Settings::Sites) => services.sites.reload().await.map_err(|e| e.to_string()),
            Ok(wire::Settings::Articles) => {
                crate::faq::rebuild_from_store(&services.store, &services.faq)
                    .await
                    .map_err(|e| e.to_string())
            }
            Err(error) => Err(error.to_string()),
        };
        if let Err(error) = reloaded {
            tracing::error!(%error, "could not apply a settings change from another node");
        }
    }
}

/// Says this node is there (and that it leads, while it does), every
/// [`HEARTBEAT_EVERY`].
pub async fn announce(cluster: Arc<Cluster>) {
    let payload = cluster.heartbeat();
    let mut every = tokio::time::interval(HEARTBEAT_EVERY);
    loop {
        every.tick().await;
        if let Err(error) = cluster
            .nats
            .publish(wire::ALIVE_SUBJECT, payload.clone())
            .await
        {
            tracing::debug!(%error, "heartbeat not sent");
        }
        if cluster.is_leader() {
            cluster.announce_leadership().await;
        }
    }
}
