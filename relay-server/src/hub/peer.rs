//! A connected client as the hub sees it: a bounded outbox and a way to close it.

use axum::extract::ws::Utf8Bytes;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tandem_shared::ServerMsg;
use tokio::sync::{mpsc, watch};

/// Frames waiting for one client before it counts as a slow consumer and is disconnected.
pub const OUTBOX_FRAMES: usize = 512;

/// Why the relay closes a connection; each has its WebSocket close code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseReason {
    /// The client closed or the socket failed: nothing more to say.
    Gone,
    /// The client did not read its frames fast enough.
    SlowConsumer,
    /// The client sent a frame over the hard size limit.
    FrameTooLarge,
    /// Nothing came from the client, not even a pong, for too long.
    Idle,
    /// The relay is stopping; reconnect.
    Shutdown,
}

impl CloseReason {
    /// The WebSocket close code and reason text, when a close frame is sent.
    pub fn close_frame(self) -> Option<(u16, &'static str)> {
        match self {
            CloseReason::Gone => None,
            CloseReason::SlowConsumer => Some((1008, "slow consumer: too many unread frames")),
            CloseReason::FrameTooLarge => Some((1009, "frame too large")),
            CloseReason::Idle => Some((1001, "idle timeout")),
            CloseReason::Shutdown => Some((1012, "relay restarting, reconnect")),
        }
    }
}

/// A frame encoded once (JSON text); cloning it shares the bytes, so a frame sent to many
/// clients (a conversation's event, the colleague list) is encoded and held once.
#[derive(Clone, Debug)]
pub struct Frame(Utf8Bytes);

impl Frame {
    /// Encodes `message`; `None` (logged) if it cannot be encoded.
    pub fn encode(message: &ServerMsg) -> Option<Frame> {
        match serde_json::to_string(message) {
            Ok(text) => Some(Frame(text.into())),
            Err(error) => {
                tracing::error!(%error, "could not encode a frame");
                None
            }
        }
    }

    /// A frame from JSON text encoded elsewhere (another node); `None` if it is not UTF-8.
    pub fn from_json(json: bytes::Bytes) -> Option<Frame> {
        Utf8Bytes::try_from(json).ok().map(Frame)
    }

    /// The JSON text, ready for the socket.
    pub fn text(&self) -> Utf8Bytes {
        self.0.clone()
    }
}

/// Identifies one connection.
pub type ConnId = u64;

/// A handle to send frames to one connection; cheap to clone.
#[derive(Clone, Debug)]
pub struct Peer {
    /// Unique per connection.
    pub id: ConnId,
    tx: mpsc::Sender<Frame>,
    close: Arc<watch::Sender<Option<CloseReason>>>,
}

/// The connection's side of a [`Peer`]: the frames to write and the close signal.
#[derive(Debug)]
pub struct PeerInbox {
    /// Frames to write, in order.
    pub frames: mpsc::Receiver<Frame>,
    /// Set when the connection must close.
    pub close: watch::Receiver<Option<CloseReason>>,
}

impl Peer {
    /// A new peer and the inbox its connection drains.
    pub fn new() -> (Peer, PeerInbox) {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let (tx, frames) = mpsc::channel(OUTBOX_FRAMES);
        let (close, close_rx) = watch::channel(None);
        let peer = Peer {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            tx,
            close: Arc::new(close),
        };
        (
            peer,
            PeerInbox {
                frames,
                close: close_rx,
            },
        )
    }

    /// Queues a frame. A client whose outbox is full is disconnected rather than let the
    /// relay's memory grow; it resumes from its last event when it reconnects.
    pub fn send(&self, message: ServerMsg) {
        if let Some(frame) = Frame::encode(&message) {
            self.send_frame(&frame);
        }
    }

    /// Queues a frame encoded once for several clients; see [`Peer::send`].
    pub fn send_frame(&self, frame: &Frame) {
        match self.tx.try_send(frame.clone()) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!(conn = self.id, "closing a slow consumer");
                self.close(CloseReason::SlowConsumer);
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {}
        }
    }

    /// Asks the connection to close (the first reason given wins).
    pub fn close(&self, reason: CloseReason) {
        self.close.send_if_modified(|current| {
            if current.is_none() {
                *current = Some(reason);
                true
            } else {
                false
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_that_does_not_read_is_closed_once_its_outbox_is_full() {
        let (peer, mut inbox) = Peer::new();
        for _ in 0..OUTBOX_FRAMES {
            peer.send(ServerMsg::Unknown);
        }
        assert_eq!(
            *inbox.close.borrow_and_update(),
            None,
            "a full outbox is still fine"
        );
        peer.send(ServerMsg::Unknown);
        assert_eq!(
            *inbox.close.borrow_and_update(),
            Some(CloseReason::SlowConsumer)
        );
        assert_eq!(inbox.frames.len(), OUTBOX_FRAMES, "memory stays bounded");
    }
}
