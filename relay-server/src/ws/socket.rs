//! Runs one WebSocket connection in one task: it decodes the client's frames, applies the
//! limits and hands them to a session, while [`super::connection`] writes what the peer's
//! outbox holds.

use super::connection::{Connection, Event, Stop};
use crate::config::Limits;
use crate::hub::{CloseReason, Hub, Peer, PeerInbox};
use crate::session::Session;
use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;
use tandem_shared::codec::{decode, ClientFrame, DecodeError};
use tandem_shared::{ErrorCode, ServerMsg};

/// Applies the size limits to an upgrade.
pub fn configure(ws: WebSocketUpgrade, limits: &Limits) -> WebSocketUpgrade {
    // Small: tungstenite keeps the read buffer for the connection's life, and reserves a
    // larger frame's whole length when its header arrives, so large frames still read at
    // once. The write buffer keeps the room of the largest batch it held, so frames go out
    // once 2 KiB are waiting rather than 16.
    ws.read_buffer_size(512)
        .write_buffer_size(2 * 1024)
        .max_message_size(limits.hard_frame_bytes)
        .max_frame_size(limits.hard_frame_bytes)
}

/// Serves a connection whose session runs on this node's hub, as a task of its own; the hub
/// knows the peer until the connection ends.
pub fn spawn_on_hub<S: Session + 'static>(
    socket: WebSocket,
    hub: Arc<Hub>,
    limits: Limits,
    held: impl Send + 'static,
    session: impl FnOnce(Arc<Hub>, Peer) -> S,
) {
    let (peer, inbox) = Peer::new();
    let registered = hub.register(&peer);
    let session = session(hub, peer.clone());
    spawn(socket, peer, inbox, session, limits, (registered, held));
}

/// Runs a connection as a task of its own until the client leaves, goes idle, or is closed by
/// the relay; `registration` (what makes the peer known, to the hub for one) is let go of when
/// it ends.
///
/// Spawned, not awaited by axum's upgrade callback, because that task keeps the handshake's
/// state for as long as its callback's future runs.
pub fn spawn<S: Session + 'static>(
    socket: WebSocket,
    peer: Peer,
    inbox: PeerInbox,
    session: S,
    limits: Limits,
    registration: impl Send + 'static,
) {
    tokio::spawn(run(
        Connection::new(socket, inbox, limits.idle),
        peer,
        session,
        limits,
        registration,
    ));
}

/// The connection's one task: reads and handles frames, and writes what the outbox holds the
/// whole time, also while a frame is being handled.
async fn run<S: Session>(
    mut connection: Connection,
    peer: Peer,
    mut session: S,
    limits: Limits,
    _registration: impl Send,
) {
    let rate = frame_rate(limits.frames_per_sec, limits.frame_burst);
    let cobrowse_burst = limits
        .cobrowse_frames_per_sec
        .saturating_mul(NonZeroU32::MIN.saturating_add(1));
    let cobrowse_rate = frame_rate(limits.cobrowse_frames_per_sec, cobrowse_burst);
    // A connection must say hello soon: one that opens and waits holds memory for nothing.
    let mut hello_by = Some(tokio::time::Instant::now() + limits.hello_within);
    Box::pin(session.on_open()).await;
    let stop = loop {
        let event = match hello_by {
            Some(deadline) => {
                match tokio::time::timeout_at(deadline, connection.next_event()).await {
                    Ok(event) => event,
                    Err(_) => {
                        tracing::debug!(
                            conn = peer.id,
                            "closed a connection that never said hello"
                        );
                        peer.close(CloseReason::NoHello);
                        break Stop::Closed;
                    }
                }
            }
            None => connection.next_event().await,
        };
        let message = match event {
            Event::Stopped(stop) => break stop,
            Event::Received(None) => break Stop::ClientGone,
            Event::Received(Some(Err(error))) => {
                let text = error.to_string();
                tracing::debug!(conn = peer.id, %text, "socket read failed");
                if let Some(reason) = read_error_close(&text) {
                    peer.close(reason);
                }
                break Stop::ClientGone;
            }
            Event::Received(Some(Ok(message))) => message,
        };
        let text = match message {
            Message::Text(text) => text,
            Message::Binary(_) => {
                // Counted like any frame, so that binary frames cannot flood the error path.
                if rate.check().is_ok() {
                    peer.send(DecodeError::Binary.to_frame());
                }
                continue;
            }
            Message::Close(_) => break Stop::ClientGone,
            Message::Ping(_) | Message::Pong(_) => continue,
        };
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
        let mut said_hello = false;
        let handling = Box::pin(handle_text(
            &mut session,
            &peer,
            text,
            limit,
            &mut said_hello,
        ));
        let stopped = connection.while_writing(handling).await;
        if said_hello {
            hello_by = None;
        }
        if let Some(stop) = stopped {
            break stop;
        }
    };
    if stop == Stop::Idle {
        peer.close(CloseReason::Idle);
    }
    Box::pin(session.on_close()).await;
    peer.close(CloseReason::Gone);
    if stop != Stop::WriteFailed {
        let reason = connection.inbox.closing().unwrap_or(CloseReason::Gone);
        let finish = Box::pin(connection.finish(reason));
        let _ = tokio::time::timeout(FINISH_WITHIN, finish).await;
    }
}

/// How long a closing connection may take to flush what was queued and say goodbye.
const FINISH_WITHIN: Duration = Duration::from_secs(2);

/// Why a failed read closes the connection, when the client should be told: tungstenite
/// reports frames over the hard limit as a capacity error, and text that is not UTF-8 as a
/// UTF-8 error.
fn read_error_close(error: &str) -> Option<CloseReason> {
    let error = error.to_ascii_lowercase();
    if error.contains("utf-8") || error.contains("utf8") {
        Some(CloseReason::NotUtf8)
    } else if error.contains("too long") || error.contains("limit") {
        Some(CloseReason::FrameTooLarge)
    } else {
        None
    }
}

/// Decodes one text frame and hands it to the session, or tells the client what was wrong;
/// sets `said_hello` when the frame was a hello.
async fn handle_text<S: Session>(
    session: &mut S,
    peer: &Peer,
    text: Utf8Bytes,
    limit: usize,
    said_hello: &mut bool,
) {
    match decode::<S::Frame>(text.as_str(), limit) {
        Ok(frame) => {
            *said_hello = frame.is_hello();
            session.on_frame(frame).await
        }
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
