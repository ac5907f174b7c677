//! What each role does with its decoded frames: the visitor's and the adviser's sessions turn
//! frames into hub calls. They do not know the transport: a socket on this node
//! ([`crate::ws`]) and, on the leader, frames forwarded over NATS ([`crate::cluster`]) run the
//! same sessions.

pub mod adviser;
pub mod visitor;

use std::future::Future;
use tandem_shared::codec::ClientFrame;

/// What a role does with the frames of one connection.
pub trait Session: Send {
    /// The frames this role sends.
    type Frame: ClientFrame + Send;
    /// The connection is open, before its first frame.
    fn on_open(&mut self) -> impl Future<Output = ()> + Send {
        async {}
    }
    /// Handles one decoded frame; replies go through the session's [`crate::hub::Peer`].
    fn on_frame(&mut self, frame: Self::Frame) -> impl Future<Output = ()> + Send;
    /// The connection is over.
    fn on_close(&mut self) -> impl Future<Output = ()> + Send;
}
