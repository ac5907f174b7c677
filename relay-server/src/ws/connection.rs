//! The socket of one connection with what keeps it going: the peer's outbox, the pings and
//! the idle limit, all polled from the connection's one task, which reads and writes.

use crate::hub::{CloseReason, Delivery, PeerInbox};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::{SinkExt, StreamExt};
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use std::time::Duration;
use tokio::time::{Instant, Sleep};

/// How often, at most, the relay pings a client: keeps proxies and NATs from dropping a quiet
/// connection, and the pong counts as the client's sign of life. socket.io's default: the
/// pings are most of what an idle connection costs. A shorter idle limit than the default
/// 75 s pings more often: three pings fit in it.
const PING_EVERY: Duration = Duration::from_secs(25);

/// How often a connection with idle limit `idle` is pinged: [`PING_EVERY`], or more often
/// so that three pings fit in a shorter limit.
fn ping_interval(idle: Duration) -> Duration {
    PING_EVERY.min(idle / 3)
}

/// Why a connection stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Stop {
    /// The client closed, or its socket failed while reading.
    ClientGone,
    /// Nothing came from the client for the idle limit.
    Idle,
    /// The relay closes it (the reason is the peer's: [`PeerInbox::closing`]).
    Closed,
    /// Writing to the socket failed: nothing more can be said.
    WriteFailed,
}

/// What woke the connection up.
pub(super) enum Event {
    /// A frame from the client, its end (`None`), or a read error.
    Received(Option<Result<Message, axum::Error>>),
    /// The connection must stop.
    Stopped(Stop),
}

/// The socket with what keeps it going: the peer's outbox, the pings and the idle limit, all
/// polled from the connection's one task, because a second task for writing (and a lock to
/// share the socket with it) would cost every connection memory.
pub(super) struct Connection {
    socket: WebSocket,
    /// What the hub queues for the client, and when to close.
    pub(super) inbox: PeerInbox,
    /// Frames were handed to the socket and not all flushed yet.
    unflushed: bool,
    /// A ping is due and waits for the socket to take it.
    ping_owed: bool,
    /// One timer for the next ping and the idle limit, whichever comes first.
    timer: Pin<Box<Sleep>>,
    next_ping: Instant,
    last_heard: Instant,
    idle: Duration,
}

impl Connection {
    pub(super) fn new(socket: WebSocket, inbox: PeerInbox, idle: Duration) -> Connection {
        let now = Instant::now();
        let next_ping = now + ping_interval(idle);
        Connection {
            socket,
            inbox,
            unflushed: false,
            ping_owed: false,
            timer: Box::pin(tokio::time::sleep_until(next_ping.min(now + idle))),
            next_ping,
            last_heard: now,
            idle,
        }
    }

    /// Writes what is queued until a frame comes from the client or the connection must stop.
    pub(super) async fn next_event(&mut self) -> Event {
        poll_fn(|cx| {
            if let Poll::Ready(stop) = self.poll_write(cx) {
                return Poll::Ready(Event::Stopped(stop));
            }
            let received = ready!(self.socket.poll_next_unpin(cx));
            self.last_heard = Instant::now();
            Poll::Ready(Event::Received(received))
        })
        .await
    }

    /// Runs `handling` to its end while writing what is queued, so that a client's own
    /// request (a message waiting for the store) never holds up what others send it. Says
    /// why the connection must stop, if it must.
    pub(super) async fn while_writing(
        &mut self,
        handling: impl Future<Output = ()>,
    ) -> Option<Stop> {
        let mut handling = std::pin::pin!(handling);
        let mut stop = None;
        poll_fn(|cx| {
            if handling.as_mut().poll(cx).is_ready() {
                return Poll::Ready(());
            }
            if stop.is_none() {
                if let Poll::Ready(stopped) = self.poll_write(cx) {
                    stop = Some(stopped);
                }
            }
            Poll::Pending
        })
        .await;
        stop
    }

    /// Moves queued frames and due pings into the socket and flushes them; ready when the
    /// connection must stop (closed by the relay, idle, or the socket failed).
    fn poll_write(&mut self, cx: &mut Context<'_>) -> Poll<Stop> {
        if self.poll_idle(cx).is_ready() {
            return Poll::Ready(Stop::Idle);
        }
        loop {
            match self.socket.poll_ready_unpin(cx) {
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(_)) => return Poll::Ready(Stop::WriteFailed),
                // The client does not read: only the verdict that it is a slow consumer
                // matters now, and it ends the connection without waiting for the socket.
                Poll::Pending => {
                    return self.inbox.poll_slow_consumer(cx).map(|()| Stop::Closed);
                }
            }
            let message = if std::mem::take(&mut self.ping_owed) {
                Message::Ping(Default::default())
            } else {
                match self.inbox.poll_next(cx) {
                    Poll::Ready(Delivery::Frame(frame)) => Message::Text(frame.text()),
                    Poll::Ready(Delivery::Close(_)) => return Poll::Ready(Stop::Closed),
                    Poll::Pending => break,
                }
            };
            if self.socket.start_send_unpin(message).is_err() {
                return Poll::Ready(Stop::WriteFailed);
            }
            self.unflushed = true;
        }
        if self.unflushed {
            match self.socket.poll_flush_unpin(cx) {
                Poll::Ready(Ok(())) => self.unflushed = false,
                Poll::Ready(Err(_)) => return Poll::Ready(Stop::WriteFailed),
                Poll::Pending => {}
            }
        }
        Poll::Pending
    }

    /// Owes the client a ping when one is due; ready when the client has been silent for the
    /// idle limit. The timer is polled again after each reset, so that it wakes this task at
    /// its next deadline.
    fn poll_idle(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        while self.timer.as_mut().poll(cx).is_ready() {
            let now = Instant::now();
            let idle_at = self.last_heard + self.idle;
            if now >= idle_at {
                return Poll::Ready(());
            }
            if now >= self.next_ping {
                self.next_ping = now + ping_interval(self.idle);
                self.ping_owed = true;
            }
            self.timer.as_mut().reset(self.next_ping.min(idle_at));
        }
        Poll::Pending
    }

    /// Flushes what was queued (error frames, last events) unless the client is not reading,
    /// then sends the close frame.
    pub(super) async fn finish(mut self, reason: CloseReason) {
        for frame in self.inbox.unsent(reason) {
            if self.socket.feed(Message::Text(frame.text())).await.is_err() {
                return;
            }
        }
        if let Some((code, text)) = close_frame(reason) {
            let close = Message::Close(Some(CloseFrame {
                code,
                reason: text.into(),
            }));
            if self.socket.send(close).await.is_err() {
                return;
            }
        }
        let _ = self.socket.close().await;
    }
}

/// The WebSocket close code and reason text for `reason`, when a close frame is sent.
fn close_frame(reason: CloseReason) -> Option<(u16, &'static str)> {
    match reason {
        CloseReason::Gone => None,
        CloseReason::SlowConsumer => Some((1008, "slow consumer: too many unread frames")),
        CloseReason::FrameTooLarge => Some((1009, "frame too large")),
        CloseReason::Idle => Some((1001, "idle timeout")),
        CloseReason::Shutdown => Some((1012, "relay restarting, reconnect")),
        CloseReason::NotUtf8 => Some((1007, "a text frame must be UTF-8")),
        CloseReason::NoHello => Some((1008, "say hello first, within seconds")),
        CloseReason::LoggedOut => Some((4001, "logged out; log in again")),
    }
}
