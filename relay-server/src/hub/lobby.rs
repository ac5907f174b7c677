//! Visitors on the pre-chat form (greeted, no chat yet) are told when what they can pick
//! changes: an adviser became available or left, a queue opened or closed. The form then
//! offers the chat or a message without a reload.

use super::state::HubState;
use super::{Frame, Hub, Peer};
use crate::time::now_ms;
use std::collections::HashMap;
use std::sync::Arc;
use tandem_shared::site::SiteSettings;
use tandem_shared::ServerMsg;

/// A visitor on the pre-chat form of a site.
#[derive(Debug)]
pub(crate) struct LobbyVisitor {
    peer: Peer,
    site: Arc<SiteSettings>,
}

/// What the form shows of each topic: its key, whether it can be answered now, whether it
/// is open. Wait estimates move with every arrival and are not worth a frame to every visitor
/// on the form.
pub(crate) type Availability = Vec<(String, bool, bool)>;

impl Hub {
    /// `peer` is on the pre-chat form of `site` (it was just welcomed without a chat).
    pub fn enter_lobby(&self, peer: &Peer, site: Arc<SiteSettings>) {
        let visitor = LobbyVisitor {
            peer: peer.clone(),
            site,
        };
        self.lock().lobby.insert(peer.id, visitor);
    }

    /// `peer` left the form: it started a chat, resumed one, or closed.
    pub fn leave_lobby(&self, peer: &Peer) {
        self.lock().lobby.remove(&peer.id);
    }
}

impl HubState {
    /// Sends the visitors on the form their site's topics, when whether each can be answered
    /// changed since the last time.
    pub(super) fn publish_lobby(&mut self) {
        let queues = self.queue_infos(now_ms());
        let availability: Availability = queues
            .iter()
            .map(|q| (q.key.clone(), q.available, q.open_now))
            .collect();
        if availability == self.availability_sent {
            return;
        }
        self.availability_sent = availability;
        let mut frames: HashMap<&str, Option<Frame>> = HashMap::new();
        for visitor in self.lobby.values() {
            let frame = frames.entry(visitor.site.key.as_str()).or_insert_with(|| {
                let offered = queues
                    .iter()
                    .filter(|q| visitor.site.offers_queue(&q.key))
                    .cloned()
                    .collect();
                Frame::encode(&ServerMsg::QueuesChanged { queues: offered })
            });
            if let Some(frame) = frame {
                visitor.peer.send_frame(frame);
            }
        }
    }
}
