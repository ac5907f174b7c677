//! The slow adviser: an adviser side that stops reading while its visitors keep writing
//! (30 messages a second of 3.9 KB each). The server's memory must stay bounded: Tandem's relay
//! closes a console that leaves 512 frames unread, its visitors carry on and every message is
//! stored for when the console comes back. Measured on a fresh server of each kind: its memory
//! growth (peak and after), whether it let go of the unread connection, and whether the
//! writers were unaffected.

use super::net::Socket;
use super::peer_link;
use super::server::{Kind, Programs, Server};
use super::tandem_link::{open_adviser, open_visitor};
use super::wire::visitor_frame;
use super::Plan;
use futures_util::{SinkExt, StreamExt};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tandem_shared::{EventKind, Role, ServerMsg};
use tokio::task::AbortHandle;
use tokio::time::{Instant, MissedTickBehavior};
use tokio_tungstenite::tungstenite::Message;

/// Visitors writing to the one adviser who stops reading (one console's chats on Tandem).
const WRITERS: usize = 8;
/// Messages per second per writer.
const RATE_PER_SEC: u32 = 30;
/// Body size: under Tandem's 4,000-character message limit.
const BODY_BYTES: usize = 3_900;

/// What the slow adviser phase showed.
#[derive(Clone, Debug, Default)]
pub struct SlowReaderFigures {
    /// Bytes of message bodies the writers sent.
    pub bytes_sent: u64,
    /// Server RSS before the writers started, KiB.
    pub rss_before_kib: u64,
    /// Highest server RSS while they wrote, KiB.
    pub rss_peak_kib: u64,
    /// The server closed the connection that did not read.
    pub reader_closed: bool,
    /// Every writer kept its connection (and, on Tandem, every message was acknowledged as
    /// stored).
    pub writers_unaffected: bool,
}

impl SlowReaderFigures {
    /// Peak memory growth while the adviser did not read, MiB.
    pub fn growth_mib(&self) -> f64 {
        self.rss_peak_kib.saturating_sub(self.rss_before_kib) as f64 / 1024.0
    }
}

/// Starts a fresh `kind` server and runs the phase for `plan.slow_secs`.
pub async fn measure(
    kind: Kind,
    programs: &Programs,
    plan: &Plan,
) -> anyhow::Result<SlowReaderFigures> {
    let server = Server::start(kind, programs, 1, plan).await?;
    let (readers, writers) = open(&server).await?;
    let rss_before_kib = server.rss_kib()?;
    let acknowledged = Arc::new(AtomicU64::new(0));
    let until = Instant::now() + Duration::from_secs_f64(plan.slow_secs);
    let mut tasks = Vec::new();
    for (n, writer) in writers.into_iter().enumerate() {
        tasks.push(tokio::spawn(write_until(
            kind,
            writer,
            n,
            until,
            acknowledged.clone(),
        )));
    }
    let mut rss_peak_kib = rss_before_kib;
    while tasks.iter().any(|task| !task.is_finished()) {
        rss_peak_kib = rss_peak_kib.max(server.rss_kib()?);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut sent = 0u64;
    let mut writers_unaffected = true;
    let mut ack_readers = Vec::new();
    for task in tasks {
        match task.await? {
            Ok((count, reader)) => {
                sent += count;
                ack_readers.push(reader);
            }
            Err(_) => writers_unaffected = false,
        }
    }
    if kind.is_tandem() {
        // Each message comes back to its visitor once stored.
        let deadline = Instant::now() + Duration::from_secs(15);
        while acknowledged.load(Ordering::Relaxed) < sent && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        writers_unaffected &= acknowledged.load(Ordering::Relaxed) == sent;
    }
    rss_peak_kib = rss_peak_kib.max(server.rss_kib()?);
    for reader in ack_readers {
        reader.abort();
    }
    let mut reader_closed = true;
    for reader in readers {
        reader_closed &= was_closed(reader).await;
    }
    Ok(SlowReaderFigures {
        bytes_sent: sent * BODY_BYTES as u64,
        rss_before_kib,
        rss_peak_kib,
        reader_closed,
        writers_unaffected,
    })
}

/// The connections that will not read and the writers' connections.
async fn open(server: &Server) -> anyhow::Result<(Vec<Socket>, Vec<Socket>)> {
    match server.kind {
        Kind::Tandem | Kind::TandemPostgres => {
            let http = reqwest::Client::new();
            let console = open_adviser(server, &http, 0).await?;
            let mut writers = Vec::new();
            for n in 0..WRITERS {
                writers.push(open_visitor(server, n).await?.socket);
            }
            Ok((vec![console], writers))
        }
        Kind::Echo | Kind::SocketIo => {
            let (mut readers, mut writers) = (Vec::new(), Vec::new());
            for n in 0..WRITERS {
                let room = format!("slow-{n}");
                readers.push(peer_link::join(server, &room, 2 * n).await?);
                writers.push(peer_link::join(server, &room, 2 * n + 1).await?);
            }
            Ok((readers, writers))
        }
    }
}

/// Writer `n` sends at [`RATE_PER_SEC`] until `until` and reads what comes back (Tandem's
/// acknowledgements, counted in `acknowledged`; socket.io's pings, answered). The number sent
/// and the reader (which goes on counting until aborted), or an error when its connection
/// failed.
async fn write_until(
    kind: Kind,
    socket: Socket,
    n: usize,
    until: Instant,
    acknowledged: Arc<AtomicU64>,
) -> anyhow::Result<(u64, AbortHandle)> {
    let (mut sink, mut stream) = socket.split();
    let (answers, mut to_answer) = tokio::sync::mpsc::unbounded_channel::<String>();
    let reader = tokio::spawn(async move {
        while let Some(Ok(message)) = stream.next().await {
            let Message::Text(text) = message else {
                continue;
            };
            match kind {
                Kind::Tandem | Kind::TandemPostgres => {
                    if let Ok(ServerMsg::Event { event, .. }) = serde_json::from_str(&text) {
                        if matches!(event.kind, EventKind::Message { author, .. } if author.role == Role::Visitor)
                        {
                            acknowledged.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                Kind::SocketIo if text.as_str() == "2" => {
                    let _ = answers.send("3".to_owned());
                }
                _ => {}
            }
        }
    });
    let filler = "x".repeat(BODY_BYTES);
    let mut tick = tokio::time::interval(Duration::from_secs(1) / RATE_PER_SEC);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut sent = 0u64;
    let outcome = async {
        while Instant::now() < until {
            tick.tick().await;
            while let Ok(answer) = to_answer.try_recv() {
                sink.send(Message::Text(answer.into())).await?;
            }
            let prefix = format!("{sent}:{n}:");
            let body = format!("{prefix}{}", &filler[prefix.len()..]);
            sink.send(Message::Text(visitor_frame(kind, &body)?.into()))
                .await?;
            sent += 1;
        }
        anyhow::Ok(sent)
    }
    .await;
    if outcome.is_err() {
        reader.abort();
    }
    outcome.map(|sent| (sent, reader.abort_handle()))
}

/// True when the server closed `socket` (a close frame or the end of the stream comes after
/// whatever it had sent); false when it is still open after what was queued is read.
async fn was_closed(mut socket: Socket) -> bool {
    loop {
        match tokio::time::timeout(Duration::from_secs(3), socket.next()).await {
            Ok(Some(Ok(Message::Close(_)))) | Ok(None) | Ok(Some(Err(_))) => return true,
            Ok(Some(Ok(_))) => continue,
            Err(_) => return false,
        }
    }
}
