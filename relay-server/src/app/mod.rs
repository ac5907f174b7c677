//! The application's context: everything a route reaches (the hub, the store, the settings,
//! the limiters, the sites, the knowledge base), built once at start-up ([`start`]); the
//! layers below get only the part they use ([`AppState::visitor_services`],
//! [`AppState::node_services`]).

pub mod start;

pub use start::{join_cluster, prepare};

use crate::config::Config;
use crate::http::Assets;
use crate::hub::HubSlot;
use crate::store::Store;
use std::sync::Arc;

/// What every route, session and cluster task can reach.
#[derive(Clone, Debug)]
pub struct AppState {
    /// Live conversations: the hub this node serves with now.
    pub hub: Arc<HubSlot>,
    /// Whether this node runs the hub (always, for a relay alone; while it leads, for a node
    /// of a cluster).
    pub leading: Arc<tokio::sync::watch::Sender<bool>>,
    /// The cluster this node belongs to, if any.
    pub cluster: Option<Arc<crate::cluster::Cluster>>,
    /// The CRM store.
    pub store: Store,
    /// Settings.
    pub config: Arc<Config>,
    /// The built widget and console.
    pub assets: Arc<Assets>,
    /// Rate limits keyed by IP address or login.
    pub limiters: Arc<crate::limits::Limiters>,
    /// The knowledge base, searchable.
    pub faq: Arc<crate::faq::FaqIndex>,
    /// The websites served.
    pub sites: Arc<crate::sites::Sites>,
    /// Emails ticket answers, when an SMTP server is configured.
    pub mailer: Option<crate::mail::Mailer>,
    /// Signs advisers in through the OpenID provider, when configured.
    pub oidc: Option<Arc<crate::auth::oidc::Oidc>>,
}

impl AppState {
    /// The cluster to pass work through to the leader, when this node is in one and does not
    /// lead (connections, and the routes that act on live conversations).
    pub fn forwarding_cluster(&self) -> Option<Arc<crate::cluster::Cluster>> {
        self.cluster.clone().filter(|cluster| !cluster.is_leader())
    }

    /// What a visitor session consults besides the hub.
    pub fn visitor_services(&self) -> crate::session::visitor::VisitorServices {
        crate::session::visitor::VisitorServices {
            allowed_origins: self.config.allowed_origins.clone(),
            identity_secret: self.config.identity_secret.clone(),
            limiters: self.limiters.clone(),
            faq: self.faq.clone(),
            mailer: self.mailer.clone(),
        }
    }

    /// What the cluster's tasks reach on this node.
    pub fn node_services(&self) -> crate::cluster::NodeServices {
        crate::cluster::NodeServices {
            hub: self.hub.clone(),
            store: self.store.clone(),
            sites: self.sites.clone(),
            faq: self.faq.clone(),
            limits: self.config.limits,
            visitor: self.visitor_services(),
        }
    }
}
