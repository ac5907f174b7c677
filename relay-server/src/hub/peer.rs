//! A connected client as the hub sees it: a bounded outbox and a way to close it.

use axum::extract::ws::Utf8Bytes;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use tandem_shared::ServerMsg;

/// Frames waiting for one client before it counts as a slow consumer and is disconnected.
pub const OUTBOX_FRAMES: usize = 512;

/// Why the relay closes a connection (the WebSocket layer maps each to its close code).
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
    /// The client sent a text frame that is not UTF-8.
    NotUtf8,
    /// The client did not say hello in time.
    NoHello,
    /// The adviser logged out, changed their password, or was disabled.
    LoggedOut,
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
    outbox: Arc<Outbox>,
}

/// The connection's side of a [`Peer`]: what to write, and when to close. Only the task that
/// writes to the client waits on it; others learn that the connection closed when that task
/// ends.
#[derive(Debug)]
pub struct PeerInbox {
    outbox: Arc<Outbox>,
}

/// What the connection's writer does next.
#[derive(Debug)]
pub enum Delivery {
    /// Write this frame.
    Frame(Frame),
    /// Close the connection; see [`PeerInbox::unsent`] for what to flush first.
    Close(CloseReason),
}

/// One connection's queue of frames and its close signal, behind one lock, because an idle
/// connection should cost the relay as little memory as possible.
#[derive(Debug, Default)]
struct Outbox {
    state: Mutex<OutboxState>,
}

#[derive(Debug, Default)]
struct OutboxState {
    frames: VecDeque<Frame>,
    close: Option<CloseReason>,
    /// The writer waiting for a frame or the close.
    waker: Option<Waker>,
    /// The connection is gone: frames are dropped rather than queued.
    inbox_gone: bool,
}

impl Outbox {
    fn lock(&self) -> MutexGuard<'_, OutboxState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Peer {
    /// A new peer and the inbox its connection drains.
    pub fn new() -> (Peer, PeerInbox) {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let outbox = Arc::new(Outbox::default());
        let peer = Peer {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            outbox: outbox.clone(),
        };
        (peer, PeerInbox { outbox })
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
        let mut state = self.outbox.lock();
        if state.inbox_gone || state.close == Some(CloseReason::SlowConsumer) {
            return;
        }
        if state.frames.len() >= OUTBOX_FRAMES {
            drop(state);
            tracing::warn!(conn = self.id, "closing a slow consumer");
            self.close(CloseReason::SlowConsumer);
            return;
        }
        state.frames.push_back(frame.clone());
        let waker = state.waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Asks the connection to close (the first reason given wins).
    pub fn close(&self, reason: CloseReason) {
        let mut state = self.outbox.lock();
        if state.close.is_some() {
            return;
        }
        state.close = Some(reason);
        let waker = state.waker.take();
        drop(state);
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl PeerInbox {
    /// The next frame to write, or the close once one is asked for (the close comes first:
    /// [`PeerInbox::unsent`] then gives what was still queued).
    pub fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Delivery> {
        let mut state = self.outbox.lock();
        if let Some(reason) = state.close {
            return Poll::Ready(Delivery::Close(reason));
        }
        match state.frames.pop_front() {
            Some(frame) => Poll::Ready(Delivery::Frame(frame)),
            None => {
                register(&mut state.waker, cx);
                Poll::Pending
            }
        }
    }

    /// Waits for the next frame to write or the close; see [`PeerInbox::poll_next`].
    pub async fn next(&mut self) -> Delivery {
        std::future::poll_fn(|cx| self.poll_next(cx)).await
    }

    /// Ready once the relay calls the client a slow consumer: a write that does not go
    /// through must then not keep the connection, and its memory, alive.
    pub fn poll_slow_consumer(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.outbox.lock();
        if state.close == Some(CloseReason::SlowConsumer) {
            return Poll::Ready(());
        }
        register(&mut state.waker, cx);
        Poll::Pending
    }

    /// Why the connection must close, once it must.
    pub fn closing(&self) -> Option<CloseReason> {
        self.outbox.lock().close
    }

    /// What is still queued and worth writing before closing for `reason`: nothing for a
    /// slow consumer, which would not read it.
    pub fn unsent(&mut self, reason: CloseReason) -> VecDeque<Frame> {
        let queued = std::mem::take(&mut self.outbox.lock().frames);
        if reason == CloseReason::SlowConsumer {
            VecDeque::new()
        } else {
            queued
        }
    }
}

impl Drop for PeerInbox {
    /// Frames sent after the connection is gone are dropped, not kept by the hub's handles.
    fn drop(&mut self) {
        let mut state = self.outbox.lock();
        state.inbox_gone = true;
        state.frames = VecDeque::new();
        state.waker = None;
    }
}

fn register(slot: &mut Option<Waker>, cx: &Context<'_>) {
    match slot {
        Some(waker) if waker.will_wake(cx.waker()) => {}
        _ => *slot = Some(cx.waker().clone()),
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
        assert_eq!(inbox.closing(), None, "a full outbox is still fine");
        peer.send(ServerMsg::Unknown);
        assert_eq!(inbox.closing(), Some(CloseReason::SlowConsumer));
        assert!(
            inbox.unsent(CloseReason::SlowConsumer).is_empty(),
            "nothing is flushed to a client that does not read"
        );
        assert_eq!(
            peer.outbox.lock().frames.len(),
            0,
            "memory is let go of at once"
        );
    }

    #[test]
    fn frames_come_in_order_and_the_close_comes_first_with_what_is_left_to_flush() {
        let (peer, mut inbox) = Peer::new();
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        assert!(inbox.poll_next(&mut cx).is_pending(), "nothing queued yet");
        for text in ["one", "two", "three"] {
            peer.send_frame(&Frame(text.into()));
        }
        let Poll::Ready(Delivery::Frame(first)) = inbox.poll_next(&mut cx) else {
            panic!("the first frame is ready");
        };
        assert_eq!(first.text().as_str(), "one");
        peer.close(CloseReason::Shutdown);
        peer.close(CloseReason::Idle);
        assert!(
            matches!(
                inbox.poll_next(&mut cx),
                Poll::Ready(Delivery::Close(CloseReason::Shutdown))
            ),
            "the first reason given wins, before the queued frames"
        );
        let unsent: Vec<String> = inbox
            .unsent(CloseReason::Shutdown)
            .iter()
            .map(|frame| frame.text().as_str().to_owned())
            .collect();
        assert_eq!(
            unsent,
            ["two", "three"],
            "flushed in order before the close"
        );
    }

    #[test]
    fn frames_for_a_connection_that_is_gone_are_not_kept() {
        let (peer, inbox) = Peer::new();
        peer.send(ServerMsg::Unknown);
        drop(inbox);
        peer.send(ServerMsg::Unknown);
        assert!(peer.outbox.lock().frames.is_empty());
    }
}
