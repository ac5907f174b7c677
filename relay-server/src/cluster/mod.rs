//! Several relay nodes serving one site, joined by NATS, on one PostgreSQL store.
//!
//! One node at a time leads: it holds a PostgreSQL advisory lock ([`election`]) and runs the
//! hub (queue, presence, pairing, event numbering) restored from the store, exactly as a
//! relay alone does. Every node accepts connections; a node that does not lead forwards its
//! clients' frames to the leader over NATS and writes back what the leader sends them
//! ([`gateway`], [`leader`]). The leader announces itself on NATS twice a second; when it
//! goes silent or changes, or when a node loses NATS, the connections that went through it
//! are closed with code 1012 and the clients resume from their last event, as after a
//! restart: the store has everything they were acknowledged.
//!
//! The few HTTP routes that act on live conversations (file sharing, erasure, queue
//! settings) are passed to the leader (`http::to_leader`).

pub mod election;
pub mod forwarded;
pub mod gateway;
pub mod leader;
pub mod wire;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// What the cluster's tasks reach on this node: the hub they swap and serve, the store, the
/// sites and knowledge base they reload, and what the sessions they run consult.
#[derive(Clone, Debug)]
pub struct NodeServices {
    /// The hub this node serves with now.
    pub hub: Arc<crate::hub::HubSlot>,
    /// The CRM store.
    pub store: crate::store::Store,
    /// The websites served.
    pub sites: Arc<crate::sites::Sites>,
    /// The knowledge base, searchable.
    pub faq: Arc<crate::faq::FaqIndex>,
    /// Per-connection limits.
    pub limits: crate::config::Limits,
    /// What visitor sessions consult.
    pub visitor: crate::session::visitor::VisitorServices,
}

/// How a node joins a cluster.
#[derive(Clone, Debug)]
pub struct ClusterConfig {
    /// The NATS server(s), comma-separated: `nats://host:4222`.
    pub nats_url: String,
    /// The address other nodes reach this node's HTTP routes at (`http://10.0.0.2:8080`),
    /// announced while it leads.
    pub advertise_url: Option<String>,
}

/// Why a cluster cannot run on an SQLite file: several nodes share live state through
/// PostgreSQL only.
pub const NEEDS_POSTGRES: &str =
    "several nodes need a PostgreSQL store (--store postgres://…), not an SQLite file";

/// A failure to join the cluster.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// Several nodes share live state through PostgreSQL only.
    #[error("{}", NEEDS_POSTGRES)]
    NeedsPostgres,
    /// The NATS server could not be reached.
    #[error("connecting to NATS at {url}: {source}")]
    Nats {
        /// The URL tried.
        url: String,
        /// Why it failed.
        source: async_nats::ConnectError,
    },
}

/// The leader as last heard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaderInfo {
    /// The leading node's id.
    pub node: String,
    /// Where its HTTP routes are.
    pub http: String,
}

/// This node's membership: its NATS client, who leads, and the connections it forwards.
#[derive(Debug)]
pub struct Cluster {
    /// This node's id (random, new at each start).
    pub node: String,
    /// Where this node's HTTP routes are reached by other nodes.
    pub http: String,
    nats: async_nats::Client,
    /// The leader as last heard, and when.
    leader: Mutex<Option<(LeaderInfo, Instant)>>,
    /// Whether this node leads (also gates the store's background duties).
    leading: Arc<watch::Sender<bool>>,
    /// Connections of this node whose frames go to the leader.
    pub(crate) forwarded: forwarded::Forwarded,
    /// Counts NATS disconnections: whatever went through NATS then may be lost.
    link_lost: watch::Sender<u64>,
    /// Passes HTTP requests to the leader.
    http_client: reqwest::Client,
    /// Set when the node stops: it no longer takes part in the election.
    resigning: watch::Sender<bool>,
    /// Set once the node no longer leads nor will (its hub drained, its lock released).
    resigned: watch::Sender<bool>,
}

/// A leader silent this long is gone: its forwarded connections are closed.
pub const LEADER_SILENCE: Duration = Duration::from_secs(3);
/// How often the leader and every node say they are there.
pub const HEARTBEAT_EVERY: Duration = Duration::from_millis(500);
/// A node silent this long is gone: the leader ends the sessions it forwarded.
pub const NODE_SILENCE: Duration = Duration::from_secs(6);

impl Cluster {
    /// The client that passes requests on to the leader's HTTP routes.
    pub fn http_client(&self) -> &reqwest::Client {
        &self.http_client
    }

    /// Connects to NATS as a new node; `leading` is the node's leadership flag.
    pub async fn connect(
        config: &ClusterConfig,
        http: String,
        leading: Arc<watch::Sender<bool>>,
    ) -> Result<Arc<Cluster>, ClusterError> {
        let (events_tx, mut events) = tokio::sync::mpsc::unbounded_channel();
        let options = async_nats::ConnectOptions::new()
            .name("tandem-relay")
            .max_reconnects(None)
            .event_callback(move |event| {
                let events_tx = events_tx.clone();
                async move {
                    let _ = events_tx.send(event);
                }
            });
        let servers: Vec<&str> = config
            .nats_url
            .split(',')
            .map(str::trim)
            .filter(|url| !url.is_empty())
            .collect();
        let nats = options
            .connect(servers)
            .await
            .map_err(|source| ClusterError::Nats {
                url: without_credentials(&config.nats_url),
                source,
            })?;
        let cluster = Arc::new(Cluster {
            node: uuid::Uuid::new_v4().simple().to_string(),
            http: config.advertise_url.clone().unwrap_or(http),
            nats,
            leader: Mutex::new(None),
            leading,
            forwarded: forwarded::Forwarded::default(),
            link_lost: watch::channel(0).0,
            http_client: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap_or_default(),
            resigning: watch::channel(false).0,
            resigned: watch::channel(false).0,
        });
        let weak = Arc::downgrade(&cluster);
        tokio::spawn(async move {
            while let Some(event) = events.recv().await {
                let Some(cluster) = weak.upgrade() else {
                    return;
                };
                match event {
                    async_nats::Event::Disconnected => {
                        tracing::warn!("lost NATS: closing the connections that went through it");
                        cluster.on_link_lost();
                    }
                    async_nats::Event::Connected => tracing::info!("connected to NATS"),
                    other => tracing::info!(event = %other, "NATS"),
                }
            }
        });
        tracing::info!(node = %cluster.node, nats = %without_credentials(&config.nats_url), "joined the cluster");
        Ok(cluster)
    }

    /// The NATS client.
    pub fn nats(&self) -> &async_nats::Client {
        &self.nats
    }

    /// Whether this node leads now.
    pub fn is_leader(&self) -> bool {
        *self.leading.borrow()
    }

    /// Sets whether this node leads.
    pub(crate) fn set_leading(&self, leads: bool) {
        self.leading.send_replace(leads);
    }

    /// The leader, if one was heard from recently.
    pub fn leader(&self) -> Option<LeaderInfo> {
        let leader = self.leader.lock().unwrap_or_else(|p| p.into_inner());
        leader
            .as_ref()
            .filter(|(_, heard)| heard.elapsed() < LEADER_SILENCE)
            .map(|(info, _)| info.clone())
    }

    /// Records a heartbeat of the leader. The forwarded connections another leader served
    /// are closed (their sessions were the old leader's), and, when the leader changed, those
    /// no leader answered yet (their opening may have reached nobody).
    pub(crate) fn heard_leader(&self, info: LeaderInfo) {
        let changed = {
            let mut leader = self.leader.lock().unwrap_or_else(|p| p.into_inner());
            let changed = leader.as_ref().map(|(known, _)| &known.node) != Some(&info.node);
            *leader = Some((info.clone(), Instant::now()));
            changed
        };
        if changed {
            tracing::info!(leader = %info.node, "a new leader");
        }
        let closed = self
            .forwarded
            .close_unless_served_by(Some(&info.node), changed);
        if closed > 0 {
            tracing::info!(
                connections = closed,
                "asked clients of another leader to reconnect"
            );
        }
    }

    /// Forgets a leader that went silent, closing the forwarded connections.
    pub(crate) fn check_leader_alive(&self) {
        let silent = {
            let mut leader = self.leader.lock().unwrap_or_else(|p| p.into_inner());
            let silent = leader
                .as_ref()
                .is_some_and(|(_, heard)| heard.elapsed() >= LEADER_SILENCE);
            if silent {
                *leader = None;
            }
            silent
        };
        if silent {
            tracing::warn!("the leader went silent");
            self.close_forwarded();
        }
    }

    fn on_link_lost(&self) {
        self.close_forwarded();
        self.link_lost.send_modify(|lost| *lost += 1);
    }

    /// Changes each time NATS disconnects.
    pub(crate) fn link_losses(&self) -> watch::Receiver<u64> {
        self.link_lost.subscribe()
    }

    /// This node's heartbeat.
    pub(crate) fn heartbeat(&self) -> bytes::Bytes {
        let beat = wire::Heartbeat {
            node: self.node.clone(),
            http: self.http.clone(),
        };
        serde_json::to_vec(&beat)
            .map(bytes::Bytes::from)
            .unwrap_or_default()
    }

    /// Says that this node leads, now (the other nodes then forward to it at once).
    pub(crate) async fn announce_leadership(&self) {
        if let Err(error) = self
            .nats
            .publish(wire::LEADER_SUBJECT, self.heartbeat())
            .await
        {
            tracing::debug!(%error, "leader heartbeat not sent");
        }
    }

    /// Tells every other node to read `what` again from the store (this one, which changed
    /// it, has).
    pub async fn settings_changed(&self, what: wire::Settings) {
        let payload = serde_json::to_vec(&what)
            .map(bytes::Bytes::from)
            .unwrap_or_default();
        let headers = wire::settings_headers(&self.node);
        let published = self
            .nats
            .publish_with_headers(wire::SETTINGS_SUBJECT, headers, payload)
            .await;
        if let Err(error) = published {
            tracing::warn!(%error, "could not tell the other nodes that settings changed");
        }
    }

    /// Leaves the election, for a node that stops: if it leads, it hands over first (its
    /// clients are asked to reconnect, its lock is released so another node leads at once).
    /// Returns once that is done.
    pub async fn resign(&self) {
        self.resigning.send_replace(true);
        let mut resigned = self.resigned.subscribe();
        let _ = resigned.wait_for(|done| *done).await;
    }

    /// Asks every forwarded connection to reconnect (they resume with the leader).
    pub fn close_forwarded(&self) {
        let closed = self.forwarded.close_unless_served_by(None, true);
        if closed > 0 {
            tracing::info!(connections = closed, "asked forwarded clients to reconnect");
        }
    }
}

/// The NATS server list as it may be logged: user names, passwords and tokens in the URLs
/// are replaced by `***`.
pub fn without_credentials(urls: &str) -> String {
    urls.split(',')
        .map(|url| match url.trim().split_once('@') {
            Some((before, after)) => match before.split_once("://") {
                Some((scheme, _)) => format!("{scheme}://***@{after}"),
                None => format!("***@{after}"),
            },
            None => url.trim().to_owned(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    #[test]
    fn credentials_in_nats_urls_are_not_logged() {
        assert_eq!(
            super::without_credentials("nats://relay:s3cret@10.0.0.1:4222, nats://10.0.0.2:4222"),
            "nats://***@10.0.0.1:4222,nats://10.0.0.2:4222"
        );
        assert_eq!(
            super::without_credentials("tok3n@host:4222"),
            "***@host:4222"
        );
    }
}
