//! What nodes say to each other over NATS: subjects, headers and payloads.
//!
//! - `tandem.hub`: a node to the leader: a forwarded connection opened (`open`, JSON
//!   [`Open`]), sent a frame (`frame`, the client's JSON as decoded and checked by the
//!   node), or closed (`closed`). Headers name the node and the connection.
//! - `tandem.node.<node>`: the leader to a node: a frame for one of its connections
//!   (`frame`, the JSON text the client gets) or a request to close it (`close`, the reason).
//! - `tandem.leader`: the leader's heartbeat (JSON [`Heartbeat`]).
//! - `tandem.alive`: every node's heartbeat (JSON [`Heartbeat`]).
//! - `tandem.settings`: sites or articles changed (JSON [`Settings`]; a header names the node
//!   that changed them, which reloaded already); every other node reloads.

use crate::hub::{CloseReason, ConnId};
use async_nats::{HeaderMap, Message};
use bytes::Bytes;
use serde::{Deserialize, Serialize};

/// Frames and connection changes for the leader.
pub const HUB_SUBJECT: &str = "tandem.hub";
/// The leader's heartbeat.
pub const LEADER_SUBJECT: &str = "tandem.leader";
/// Every node's heartbeat.
pub const ALIVE_SUBJECT: &str = "tandem.alive";
/// Settings that nodes keep in memory changed: read them again (payload: [`Settings`]).
pub const SETTINGS_SUBJECT: &str = "tandem.settings";

/// Settings each node keeps in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Settings {
    /// The sites served (keys, origins, look).
    Sites,
    /// The knowledge base's articles.
    Articles,
}

const NODE_HEADER: &str = "Tandem-Node";
const LEADER_HEADER: &str = "Tandem-Leader";
const CONN_HEADER: &str = "Tandem-Conn";
const KIND_HEADER: &str = "Tandem-Kind";

/// Frames from the leader for the connections of `node`.
pub fn node_subject(node: &str) -> String {
    format!("tandem.node.{node}")
}

/// Who opened a forwarded connection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum Open {
    /// A visitor on a page of `site`.
    Visitor {
        /// The site's key.
        site: String,
        /// The visitor's address, for the per-address quotas (absent from older nodes).
        #[serde(default)]
        address: Option<std::net::IpAddr>,
        /// The `Origin` of the visitor's page (absent from older nodes).
        #[serde(default)]
        origin: Option<String>,
    },
    /// An adviser, logged in on the node.
    Adviser {
        /// The adviser's id.
        adviser_id: String,
        /// Where their console connected from (for the audit trail).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        address: Option<std::net::IpAddr>,
    },
}

/// A node's message to the leader about one connection.
#[derive(Debug)]
pub enum ToLeader {
    /// The connection opened.
    Open(Open),
    /// The client sent this frame (JSON).
    Frame(Bytes),
    /// The connection closed.
    Closed,
}

/// The leader's message to a node about one connection.
#[derive(Debug)]
pub enum ToNode {
    /// A frame for the client (JSON text).
    Frame(Bytes),
    /// Close the connection.
    Close(CloseReason),
}

/// A node saying it is there (and, on `tandem.leader`, that it leads).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Heartbeat {
    /// The node's id.
    pub node: String,
    /// Where its HTTP routes are.
    pub http: String,
}

/// The headers of a message to the leader.
pub fn to_leader_headers(node: &str, conn: ConnId, message: &ToLeader) -> HeaderMap {
    let kind = match message {
        ToLeader::Open(_) => "open",
        ToLeader::Frame(_) => "frame",
        ToLeader::Closed => "closed",
    };
    let mut headers = HeaderMap::new();
    headers.insert(NODE_HEADER, node);
    headers.insert(CONN_HEADER, conn.to_string().as_str());
    headers.insert(KIND_HEADER, kind);
    headers
}

/// The payload of a message to the leader.
pub fn to_leader_payload(message: ToLeader) -> Bytes {
    match message {
        ToLeader::Open(open) => serde_json::to_vec(&open)
            .map(Bytes::from)
            .unwrap_or_default(),
        ToLeader::Frame(frame) => frame,
        ToLeader::Closed => Bytes::new(),
    }
}

/// The headers of a settings announcement from `node`.
pub fn settings_headers(node: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(NODE_HEADER, node);
    headers
}

/// The node a settings announcement comes from, when it says.
pub fn settings_sender(message: &Message) -> Option<&str> {
    header(message, NODE_HEADER)
}

fn header<'m>(message: &'m Message, name: &str) -> Option<&'m str> {
    message.headers.as_ref()?.get(name).map(|v| v.as_str())
}

fn conn_of(message: &Message) -> Option<ConnId> {
    header(message, CONN_HEADER)?.parse().ok()
}

/// Reads a message to the leader: the node, the connection, what happened.
pub fn parse_to_leader(message: &Message) -> Option<(String, ConnId, ToLeader)> {
    let node = header(message, NODE_HEADER)?.to_owned();
    let conn = conn_of(message)?;
    let parsed = match header(message, KIND_HEADER)? {
        "open" => ToLeader::Open(serde_json::from_slice(&message.payload).ok()?),
        "frame" => ToLeader::Frame(message.payload.clone()),
        "closed" => ToLeader::Closed,
        _ => return None,
    };
    Some((node, conn, parsed))
}

/// The headers of a message from the leader `leader` to a node.
pub fn to_node_headers(leader: &str, conn: ConnId, message: &ToNode) -> HeaderMap {
    let kind = match message {
        ToNode::Frame(_) => "frame",
        ToNode::Close(_) => "close",
    };
    let mut headers = HeaderMap::new();
    headers.insert(LEADER_HEADER, leader);
    headers.insert(CONN_HEADER, conn.to_string().as_str());
    headers.insert(KIND_HEADER, kind);
    headers
}

/// The payload of a message to a node.
pub fn to_node_payload(message: ToNode) -> Bytes {
    match message {
        ToNode::Frame(frame) => frame,
        ToNode::Close(reason) => Bytes::from_static(close_name(reason).as_bytes()),
    }
}

/// Reads a message to a node: the leader that sent it, the connection, what to do.
pub fn parse_to_node(message: &Message) -> Option<(String, ConnId, ToNode)> {
    let leader = header(message, LEADER_HEADER)?.to_owned();
    let conn = conn_of(message)?;
    let parsed = match header(message, KIND_HEADER)? {
        "frame" => ToNode::Frame(message.payload.clone()),
        "close" => ToNode::Close(close_from_name(
            std::str::from_utf8(&message.payload).ok()?,
        )?),
        _ => return None,
    };
    Some((leader, conn, parsed))
}

fn close_name(reason: CloseReason) -> &'static str {
    match reason {
        CloseReason::Gone => "gone",
        CloseReason::SlowConsumer => "slow_consumer",
        CloseReason::FrameTooLarge => "frame_too_large",
        CloseReason::Idle => "idle",
        CloseReason::Shutdown => "shutdown",
        CloseReason::NotUtf8 => "not_utf8",
        CloseReason::NoHello => "no_hello",
        CloseReason::LoggedOut => "logged_out",
    }
}

fn close_from_name(name: &str) -> Option<CloseReason> {
    Some(match name {
        "gone" => CloseReason::Gone,
        "slow_consumer" => CloseReason::SlowConsumer,
        "frame_too_large" => CloseReason::FrameTooLarge,
        "idle" => CloseReason::Idle,
        "shutdown" => CloseReason::Shutdown,
        "not_utf8" => CloseReason::NotUtf8,
        "no_hello" => CloseReason::NoHello,
        "logged_out" => CloseReason::LoggedOut,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(subject: &str, headers: HeaderMap, payload: Bytes) -> Message {
        Message {
            subject: subject.into(),
            reply: None,
            length: payload.len(),
            payload,
            headers: Some(headers),
            status: None,
            description: None,
        }
    }

    #[test]
    fn messages_to_the_leader_and_back_read_as_written() {
        let open = ToLeader::Open(Open::Visitor {
            address: None,
            origin: None,
            site: "shop".into(),
        });
        let headers = to_leader_headers("n1", 7, &open);
        let read = parse_to_leader(&message(HUB_SUBJECT, headers, to_leader_payload(open)));
        assert!(matches!(
            read,
            Some((node, 7, ToLeader::Open(Open::Visitor { site, .. }))) if node == "n1" && site == "shop"
        ));
        let close = ToNode::Close(CloseReason::SlowConsumer);
        let headers = to_node_headers("n0", 9, &close);
        let read = parse_to_node(&message("tandem.node.n1", headers, to_node_payload(close)));
        assert!(matches!(
            read,
            Some((leader, 9, ToNode::Close(CloseReason::SlowConsumer))) if leader == "n0"
        ));
    }

    #[test]
    fn a_message_without_its_headers_is_ignored() {
        let mut broken = message(HUB_SUBJECT, HeaderMap::new(), Bytes::from_static(b"{}"));
        assert!(parse_to_leader(&broken).is_none());
        broken.headers = None;
        assert!(parse_to_node(&broken).is_none());
    }

    #[test]
    fn a_settings_announcement_names_its_sender() {
        let from_n2 = message(SETTINGS_SUBJECT, settings_headers("n2"), Bytes::new());
        assert_eq!(settings_sender(&from_n2), Some("n2"));
        let unsigned = message(SETTINGS_SUBJECT, HeaderMap::new(), Bytes::new());
        assert_eq!(settings_sender(&unsigned), None);
    }
}
