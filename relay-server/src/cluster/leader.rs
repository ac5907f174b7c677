//! The leader's side: a session in the hub for each connection another node forwards, fed
//! with that connection's frames, its outbox sent back to the node.

use super::wire::{self, Heartbeat, Open, ToLeader, ToNode};
use super::NodeServices;
use super::{Cluster, NODE_SILENCE};
use crate::hub::{CloseReason, ConnId, Delivery, Hub, Peer, PeerInbox};
use crate::session::Session;
use bytes::Bytes;
use futures_util::StreamExt;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tandem_shared::AdviserId;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// Frames of one forwarded connection waiting for the hub; a connection further behind is
/// closed (its client resumes).
const FORWARDED_BACKLOG: usize = 256;

/// A forwarded connection, by node and connection id.
type RemoteKey = (String, ConnId);

/// Serves the connections other nodes forward while `hub` leads, until `stop` turns true;
/// `ready` is told once forwarded connections are received.
pub async fn run(
    cluster: Arc<Cluster>,
    services: NodeServices,
    hub: Arc<Hub>,
    mut stop: watch::Receiver<bool>,
    ready: tokio::sync::oneshot::Sender<()>,
) {
    let subscribed = async {
        let inbound = cluster.nats.subscribe(wire::HUB_SUBJECT).await?;
        let alive = cluster.nats.subscribe(wire::ALIVE_SUBJECT).await?;
        Ok::<_, async_nats::SubscribeError>((inbound, alive))
    };
    let (mut inbound, mut alive) = match subscribed.await {
        Ok(subscribers) => subscribers,
        Err(error) => {
            tracing::error!(%error, "the leader cannot receive forwarded connections");
            return;
        }
    };
    let _ = ready.send(());
    let (ended_tx, mut ended) = mpsc::unbounded_channel::<RemoteKey>();
    let mut sessions: HashMap<RemoteKey, mpsc::Sender<Bytes>> = HashMap::new();
    let mut last_seen: HashMap<String, Instant> = HashMap::new();
    let mut sweep = tokio::time::interval(Duration::from_secs(1));
    let mut link_losses = cluster.link_losses();
    loop {
        tokio::select! {
            () = async { let _ = stop.wait_for(|stop| *stop).await; } => break,
            Ok(()) = link_losses.changed() => {
                tracing::warn!(sessions = sessions.len(), "lost NATS: ending forwarded sessions");
                sessions.clear();
            }
            message = inbound.next() => {
                let Some(message) = message else { break };
                let Some((node, conn, what)) = wire::parse_to_leader(&message) else {
                    tracing::warn!("ignored an unreadable forwarded message");
                    continue;
                };
                last_seen.insert(node.clone(), Instant::now());
                let key = (node, conn);
                match what {
                    ToLeader::Open(open) => {
                        let (tx, rx) = mpsc::channel(FORWARDED_BACKLOG);
                        sessions.insert(key.clone(), tx);
                        tokio::spawn(remote_connection(
                            cluster.clone(), services.clone(), hub.clone(), key, open, rx, ended_tx.clone(),
                        ));
                    }
                    ToLeader::Frame(json) => match sessions.get(&key) {
                        Some(session) => {
                            if session.try_send(json).is_err() {
                                tracing::warn!(node = %key.0, conn = key.1, "a forwarded connection fell behind");
                                sessions.remove(&key);
                            }
                        }
                        // A session of another leader: the client must start again here.
                        None => send_to_node(&cluster, &key, ToNode::Close(CloseReason::Shutdown)).await,
                    },
                    ToLeader::Closed => {
                        sessions.remove(&key);
                    }
                }
            }
            message = alive.next() => {
                let Some(message) = message else { break };
                if let Ok(beat) = serde_json::from_slice::<Heartbeat>(&message.payload) {
                    last_seen.insert(beat.node, Instant::now());
                }
            }
            key = ended.recv() => {
                if let Some(key) = key {
                    sessions.remove(&key);
                }
            }
            _ = sweep.tick() => {
                let gone: Vec<String> = last_seen
                    .iter()
                    .filter(|(_, seen)| seen.elapsed() >= NODE_SILENCE)
                    .map(|(node, _)| node.clone())
                    .collect();
                for node in gone {
                    tracing::warn!(%node, "a node went silent: ending its sessions");
                    last_seen.remove(&node);
                    sessions.retain(|(of, _), _| *of != node);
                }
            }
        }
    }
    tracing::info!(
        sessions = sessions.len(),
        "no longer serving forwarded connections"
    );
}

async fn send_to_node(cluster: &Cluster, (node, conn): &RemoteKey, message: ToNode) {
    let headers = wire::to_node_headers(&cluster.node, *conn, &message);
    if let Err(error) = cluster
        .nats
        .publish_with_headers(
            wire::node_subject(node),
            headers,
            wire::to_node_payload(message),
        )
        .await
    {
        tracing::warn!(%node, conn, %error, "could not reach a node");
    }
}

/// Runs the hub session of one forwarded connection until it closes on either side.
async fn remote_connection(
    cluster: Arc<Cluster>,
    services: NodeServices,
    hub: Arc<Hub>,
    key: RemoteKey,
    open: Open,
    mut frames: mpsc::Receiver<Bytes>,
    ended: mpsc::UnboundedSender<RemoteKey>,
) {
    let (peer, inbox) = Peer::new();
    let _registered = hub.register(&peer);
    let mut outbox = tokio::spawn(send_outbox(cluster.clone(), key.clone(), inbox));
    let outbox_ended = match open {
        Open::Visitor {
            site,
            address,
            origin,
        } => match services.sites.get(Some(&site)) {
            Some(site) => {
                // A node that did not say the address: counted as one unknown address.
                let address = address.unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]));
                let session = crate::session::visitor::session(
                    &services.visitor,
                    hub.clone(),
                    peer.clone(),
                    site,
                    address,
                    origin,
                );
                drive(session, &mut frames, &mut outbox).await
            }
            None => {
                tracing::warn!(%site, "a forwarded visitor of a site this node does not know");
                false
            }
        },
        Open::Adviser {
            adviser_id,
            address,
        } => match services.store.adviser(&AdviserId(adviser_id)).await {
            Ok(Some(adviser)) => {
                let session =
                    crate::session::adviser::session(hub.clone(), peer.clone(), adviser, address);
                drive(session, &mut frames, &mut outbox).await
            }
            Ok(None) => {
                tracing::warn!("a forwarded adviser who no longer exists");
                false
            }
            Err(error) => {
                tracing::error!(%error, "could not read a forwarded adviser");
                false
            }
        },
    };
    // The client reconnects and resumes (unless it closed itself).
    peer.close(CloseReason::Shutdown);
    if !outbox_ended {
        let _ = outbox.await;
    }
    let _ = ended.send(key);
}

/// Hands the connection's frames to its session until either side closes; true when the hub
/// closed it (its outbox has ended).
async fn drive<S: Session>(
    mut session: S,
    frames: &mut mpsc::Receiver<Bytes>,
    outbox: &mut JoinHandle<()>,
) -> bool {
    let outbox_ended = loop {
        tokio::select! {
            frame = frames.recv() => match frame {
                Some(json) => match serde_json::from_slice::<S::Frame>(&json) {
                    Ok(frame) => session.on_frame(frame).await,
                    Err(error) => tracing::warn!(%error, "ignored an unreadable forwarded frame"),
                },
                None => break false,
            },
            _ = &mut *outbox => break true,
        }
    };
    session.on_close().await;
    outbox_ended
}

/// Sends what the hub queues for a forwarded connection to its node, in order, then the
/// close when the hub closes it.
async fn send_outbox(cluster: Arc<Cluster>, key: RemoteKey, mut inbox: PeerInbox) {
    loop {
        match inbox.next().await {
            Delivery::Frame(frame) => {
                send_to_node(&cluster, &key, ToNode::Frame(frame.text().into())).await;
            }
            Delivery::Close(reason) => {
                for frame in inbox.unsent(reason) {
                    send_to_node(&cluster, &key, ToNode::Frame(frame.text().into())).await;
                }
                send_to_node(&cluster, &key, ToNode::Close(reason)).await;
                return;
            }
        }
    }
}
