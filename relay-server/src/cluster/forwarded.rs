//! The connections a node forwards, each with the leader that serves it once that leader has
//! answered: a new leader closes only the connections another leader served (or none yet).

use crate::hub::{CloseReason, ConnId, Peer};
use std::collections::HashMap;
use std::sync::Mutex;

/// One forwarded connection.
#[derive(Debug)]
struct Route {
    peer: Peer,
    /// The leader that answered it, once one did.
    served_by: Option<String>,
}

/// The connections of this node whose sessions run on the leader.
#[derive(Debug, Default)]
pub struct Forwarded(Mutex<HashMap<ConnId, Route>>);

impl Forwarded {
    fn routes(&self) -> std::sync::MutexGuard<'_, HashMap<ConnId, Route>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a connection not answered yet.
    pub fn add(&self, peer: &Peer) {
        let route = Route {
            peer: peer.clone(),
            served_by: None,
        };
        self.routes().insert(peer.id, route);
    }

    /// Removes a connection that closed.
    pub fn remove(&self, conn: ConnId) {
        self.routes().remove(&conn);
    }

    /// The connection `leader` sends to, which that leader now serves; `None` if it is closed
    /// or another leader served it (its session there is over).
    pub fn answered_by(&self, conn: ConnId, leader: &str) -> Option<Peer> {
        let mut routes = self.routes();
        let route = routes.get_mut(&conn)?;
        match &route.served_by {
            Some(served_by) if served_by != leader => None,
            Some(_) => Some(route.peer.clone()),
            None => {
                route.served_by = Some(leader.to_owned());
                Some(route.peer.clone())
            }
        }
    }

    /// Whether a leader answered the connection (true for one that closed).
    pub fn is_answered(&self, conn: ConnId) -> bool {
        self.routes()
            .get(&conn)
            .is_none_or(|route| route.served_by.is_some())
    }

    /// Asks the connections that `leader` does not serve to reconnect: those another leader
    /// served, and, if `unanswered` too, those no leader answered yet. Returns how many.
    pub fn close_unless_served_by(&self, leader: Option<&str>, unanswered: bool) -> usize {
        let routes = self.routes();
        let mut closed = 0;
        for route in routes.values() {
            let close = match &route.served_by {
                Some(served_by) => Some(served_by.as_str()) != leader,
                None => unanswered,
            };
            if close {
                route.peer.close(CloseReason::Shutdown);
                closed += 1;
            }
        }
        closed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn closed(inbox: &crate::hub::PeerInbox) -> bool {
        inbox.closing().is_some()
    }

    #[test]
    fn a_new_leader_closes_what_another_leader_served_and_keeps_its_own() {
        let forwarded = Forwarded::default();
        let (old, old_inbox) = Peer::new();
        let (new, new_inbox) = Peer::new();
        let (waiting, waiting_inbox) = Peer::new();
        for peer in [&old, &new, &waiting] {
            forwarded.add(peer);
        }
        assert!(forwarded.answered_by(old.id, "a").is_some());
        assert!(forwarded.answered_by(new.id, "b").is_some());
        assert!(
            forwarded.answered_by(old.id, "b").is_none(),
            "a leader cannot write to a session another leader served"
        );
        assert_eq!(forwarded.close_unless_served_by(Some("b"), false), 1);
        assert!(closed(&old_inbox));
        assert!(!closed(&new_inbox) && !closed(&waiting_inbox));
        assert_eq!(forwarded.close_unless_served_by(Some("b"), true), 2);
        assert!(closed(&waiting_inbox) && !closed(&new_inbox));
    }
}
