//! Runs one WebSocket connection: a reader loop that decodes frames and hands them to a
//! session, and a writer task that owns the socket's sink and drains the peer's outbox.

use crate::config::Limits;
use crate::hub::{CloseReason, Frame, Peer, PeerInbox};
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::future::Future;
use std::num::NonZeroU32;
use std::time::Duration;
use tandem_shared::codec::{decode, ClientFrame, DecodeError};
use tandem_shared::{ErrorCode, ServerMsg};

/// How often the relay pings a client: keeps proxies and NATs from dropping a quiet
/// connection, and the pong counts as the client's sign of life (the idle limit is 75 s by
/// default: two pings in it). socket.io's default; the pings are most of what an idle
/// connection costs the relay (BENCHMARKS.md).
const PING_EVERY: Duration = Duration::from_secs(25);

/// What a role does with the frames of one connection.
pub trait Session: Send {
    /// The frames this role sends.
    type Frame: ClientFrame + Send;
    /// Handles one decoded frame; replies go through the session's [`Peer`].
    fn on_frame(&mut self, frame: Self::Frame) -> impl Future<Output = ()> + Send;
    /// The connection is over.
    fn on_close(&mut self) -> impl Future<Output = ()> + Send;
}

/// Applies the size limits to an upgrade.
pub fn configure(ws: WebSocketUpgrade, limits: &Limits) -> WebSocketUpgrade {
    // Small: tungstenite keeps this much per connection for its life, and reserves a larger
    // frame's whole length when its header arrives, so large frames still read at once.
    ws.read_buffer_size(1024)
        .write_buffer_size(16 * 1024)
        .max_message_size(limits.hard_frame_bytes)
        .max_frame_size(limits.hard_frame_bytes)
}

/// Runs a connection until the client leaves, goes idle, or is closed by the relay.
///
/// The socket is split before the future is built: an async fn would keep the whole socket's
/// room in every connection's task for its life, beside the two halves it uses.
pub fn run<S: Session>(
    socket: WebSocket,
    peer: Peer,
    inbox: PeerInbox,
    session: S,
    limits: Limits,
) -> impl Future<Output = ()> + Send {
    let (sink, stream) = socket.split();
    read_frames(sink, stream, peer, inbox, session, limits)
}

async fn read_frames<S: Session>(
    sink: SplitSink<WebSocket, Message>,
    mut stream: SplitStream<WebSocket>,
    peer: Peer,
    inbox: PeerInbox,
    mut session: S,
    limits: Limits,
) {
    let mut dropped = inbox.close.clone();
    let mut writer = tokio::spawn(write_frames(sink, inbox));
    let mut writer_done = false;
    let rate = frame_rate(limits.frames_per_sec, limits.frame_burst);
    let cobrowse_burst = limits
        .cobrowse_frames_per_sec
        .saturating_mul(NonZeroU32::MIN.saturating_add(1));
    let cobrowse_rate = frame_rate(limits.cobrowse_frames_per_sec, cobrowse_burst);
    loop {
        let next = tokio::select! {
            next = tokio::time::timeout(limits.idle, stream.next()) => next,
            _ = &mut writer => { writer_done = true; break }
            _ = dropped.wait_for(|r| *r == Some(CloseReason::SlowConsumer)) => break,
        };
        let message = match next {
            Err(_) => {
                peer.close(CloseReason::Idle);
                break;
            }
            Ok(None) => break,
            Ok(Some(Err(error))) => {
                // tungstenite reports frames over the hard limit as a capacity error.
                let text = error.to_string();
                tracing::debug!(conn = peer.id, %text, "socket read failed");
                if text.contains("too long") || text.contains("limit") {
                    peer.close(CloseReason::FrameTooLarge);
                }
                break;
            }
            Ok(Some(Ok(message))) => message,
        };
        match message {
            Message::Text(text) => {
                // Every frame as received, only when the operator asks for this target
                // (`RUST_LOG=tandem_relay::frames=trace`): frames carry visitor tokens.
                tracing::trace!(target: "tandem_relay::frames", conn = peer.id, frame = %text.as_str(), "frame received");
                let cobrowse = is_cobrowse_frame(text.as_str());
                let (rate, limit) = if cobrowse {
                    (&cobrowse_rate, limits.cobrowse_frame_bytes)
                } else {
                    (&rate, limits.frame_bytes)
                };
                if rate.check().is_err() {
                    peer.send(ServerMsg::error(
                        ErrorCode::RateLimited,
                        "too many frames; wait a moment and send again",
                    ));
                    continue;
                }
                // Boxed: the decoded frame and its handling (hub, store) take room that every
                // idle connection's task would otherwise keep.
                Box::pin(handle_text(&mut session, &peer, text, limit)).await;
            }
            Message::Binary(_) => peer.send(DecodeError::Binary.to_frame()),
            Message::Close(_) => break,
            Message::Ping(_) | Message::Pong(_) => {}
        }
    }
    Box::pin(session.on_close()).await;
    peer.close(CloseReason::Gone);
    if !writer_done {
        let _ = tokio::time::timeout(Duration::from_secs(2), writer).await;
    }
}

/// Decodes one text frame and hands it to the session, or tells the client what was wrong.
async fn handle_text<S: Session>(session: &mut S, peer: &Peer, text: Utf8Bytes, limit: usize) {
    match decode::<S::Frame>(text.as_str(), limit) {
        Ok(frame) => session.on_frame(frame).await,
        Err(error) => {
            tracing::debug!(conn = peer.id, %error, "refused a frame");
            peer.send(error.to_frame());
        }
    }
}

fn frame_rate(per_sec: NonZeroU32, burst: NonZeroU32) -> DefaultDirectRateLimiter {
    RateLimiter::direct(Quota::per_second(per_sec).allow_burst(burst))
}

/// Co-browsing frames (page snapshots and changes) have their own size and rate limits.
/// Clients write `type` first, as serde does; a frame that puts it elsewhere gets the chat
/// limits, which only refuses large pages.
fn is_cobrowse_frame(text: &str) -> bool {
    text.starts_with(r#"{"type":"cobrowse_"#)
}

/// Writes queued frames, pings the client, and sends the close frame when asked to close.
async fn write_frames(mut sink: SplitSink<WebSocket, Message>, mut inbox: PeerInbox) {
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    let mut slow = inbox.close.clone();
    loop {
        let closing = *inbox.close.borrow_and_update();
        if let Some(reason) = closing {
            return Box::pin(finish(sink, inbox, reason)).await;
        }
        tokio::select! {
            frame = inbox.frames.recv() => {
                let Some(frame) = frame else { return };
                // A socket that stays blocked must not keep the connection (and its memory)
                // alive: give up as soon as the relay calls the client a slow consumer.
                tokio::select! {
                    sent = send_frame(&mut sink, &frame) => if sent.is_err() { return },
                    _ = slow.wait_for(|r| *r == Some(CloseReason::SlowConsumer)) => return,
                }
            }
            _ = ping.tick() => {
                if sink.send(Message::Ping(Default::default())).await.is_err() {
                    return;
                }
            }
            _ = inbox.close.changed() => {}
        }
    }
}

/// Flushes what was queued (error frames, last events) unless the client is not reading,
/// then sends the close frame.
async fn finish(
    mut sink: SplitSink<WebSocket, Message>,
    mut inbox: PeerInbox,
    reason: CloseReason,
) {
    if reason != CloseReason::SlowConsumer {
        while let Ok(frame) = inbox.frames.try_recv() {
            if send_frame(&mut sink, &frame).await.is_err() {
                return;
            }
        }
    }
    if let Some((code, text)) = reason.close_frame() {
        let close = sink.send(Message::Close(Some(CloseFrame {
            code,
            reason: text.into(),
        })));
        let _ = tokio::time::timeout(Duration::from_secs(1), close).await;
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), sink.close()).await;
}

async fn send_frame(
    sink: &mut SplitSink<WebSocket, Message>,
    frame: &Frame,
) -> Result<(), axum::Error> {
    sink.send(Message::Text(frame.text())).await
}
