//! Visitor/adviser pairs on one server, kept open by a reader and a writer task per
//! connection, and the chat traffic between them: each visitor sends at a steady rate, each
//! message stamped with its send time, and the adviser side records what arrives.

use super::net::Socket;
use super::peer_link;
use super::recorder::Recorder;
use super::server::{Kind, Server};
use super::tandem_link::{open_adviser, open_visitor};
use super::wire::{
    cobrowse_body, decode, page_body, visitor_body, visitor_frame, Received, SNAPSHOT_MARK,
};
use futures_util::{SinkExt, StreamExt, TryStreamExt};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tandem_shared::cobrowse_parts::PartAssembler;
use tandem_shared::{ConversationId, EventKind, Role, ServerMsg, VisitorMsg};
use tokio::sync::mpsc;
use tokio::task::{AbortHandle, JoinSet};
use tokio::time::{Instant, MissedTickBehavior};
use tokio_tungstenite::tungstenite::Message;

/// Connections opened at once while setting up.
const SETUP_CONCURRENCY: usize = 64;

/// The recorder, shared by every reader task.
pub type SharedRecorder = Arc<Mutex<Recorder>>;

/// Where the adviser side records what arrives: chat messages and co-browsing change batches
/// in `messages`, page snapshots (bodies marked with [`SNAPSHOT_MARK`]) in `snapshots`.
#[derive(Clone)]
pub struct Receivers {
    /// Chat messages and co-browsing change batches.
    pub messages: SharedRecorder,
    /// Page snapshots.
    pub snapshots: SharedRecorder,
}

impl Receivers {
    /// Empty recorders for `pairs` pairs.
    pub fn new(pairs: usize) -> anyhow::Result<Receivers> {
        Ok(Receivers {
            messages: Arc::new(Mutex::new(Recorder::new(pairs)?)),
            snapshots: Arc::new(Mutex::new(Recorder::new(pairs)?)),
        })
    }

    /// Records a body the adviser side received.
    fn record(&self, body: &str) {
        let (recorder, body) = match body.strip_prefix(SNAPSHOT_MARK) {
            Some(snapshot) => (&self.snapshots, snapshot),
            None => (&self.messages, body),
        };
        if let Ok(mut recorder) = recorder.lock() {
            recorder.record(body);
        }
    }
}

/// One open connection: frames to send go through `tx`; dropping it closes the connection.
pub struct Link {
    /// Frames to send.
    pub tx: mpsc::UnboundedSender<Message>,
    tasks: [AbortHandle; 2],
}

impl Link {
    /// Drops the connection at once (no close frame), as a lost network would.
    pub fn cut(&self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        self.cut();
    }
}

/// Starts the writer and reader tasks of `socket`; `on_frame` sees each decoded frame (and
/// may answer it).
fn spawn_link(
    socket: Socket,
    kind: Kind,
    mut on_frame: impl FnMut(Received, &mpsc::UnboundedSender<Message>) + Send + 'static,
) -> Link {
    let (mut sink, stream) = socket.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
    let writer = tokio::spawn(async move {
        while let Some(message) = rx.recv().await {
            if sink.send(message).await.is_err() {
                break;
            }
        }
    });
    let answers = tx.clone();
    let reader = tokio::spawn(super::wire::read_all(stream, move |text| {
        match decode(kind, text) {
            Received::Answer(answer) => {
                let _ = answers.send(Message::Text(answer.into()));
            }
            received => on_frame(received, &answers),
        }
    }));
    Link {
        tx,
        tasks: [writer.abort_handle(), reader.abort_handle()],
    }
}

/// Starts reading a Tandem console: visitors' messages go to `recorder`, the conversations it
/// is given are kept, its own stored messages are counted in `stored`.
fn spawn_tandem_adviser(
    socket: Socket,
    receivers: Receivers,
    stored: Arc<AtomicU64>,
) -> (Link, Arc<Mutex<Vec<ConversationId>>>) {
    let conversations = Arc::new(Mutex::new(Vec::new()));
    let held = conversations.clone();
    let mut assemblers: HashMap<ConversationId, PartAssembler> = HashMap::new();
    let link = spawn_link(socket, Kind::Tandem, move |received, _| {
        let Received::Tandem(frame) = received else {
            return;
        };
        if let Some(body) = visitor_body(&frame).or_else(|| cobrowse_body(&frame)) {
            receivers.record(body);
            return;
        }
        if let ServerMsg::CobrowsePart {
            conversation_id,
            part,
        } = *frame
        {
            let assembler = assemblers.entry(conversation_id).or_default();
            if let Ok(Some(page)) = assembler.push(&part) {
                if let Some(body) = page_body(&page) {
                    receivers.record(body);
                }
            }
            return;
        }
        match *frame {
            ServerMsg::Assigned { conversation } => {
                if let Ok(mut held) = held.lock() {
                    held.push(conversation.id);
                }
            }
            ServerMsg::Event { event, .. } => {
                if matches!(&event.kind, EventKind::Message { author, .. } if author.role == Role::Adviser)
                {
                    stored.fetch_add(1, Ordering::Relaxed);
                }
            }
            _ => {}
        }
    });
    (link, conversations)
}

/// A Tandem visitor's resume state.
pub struct Resume {
    /// The conversation's resume token.
    pub token: String,
    /// The highest event number the visitor holds.
    pub last_seq: Arc<AtomicU64>,
}

/// The pairs of one run.
pub struct Pairs {
    kind: Kind,
    /// Per pair, the visitor's connection.
    pub visitors: Vec<Link>,
    /// The adviser-side connections (one per pair on the peers; one per 8 pairs on Tandem).
    pub advisers: Vec<Link>,
    /// Per pair (Tandem only): how the visitor resumes.
    pub resume: Vec<Resume>,
    /// Per Tandem adviser connection: the conversations it was given.
    pub conversations: Vec<Arc<Mutex<Vec<ConversationId>>>>,
    /// Tandem advisers' own messages, back from the relay once stored.
    pub adviser_messages_stored: Arc<AtomicU64>,
    /// Per pair (Tandem only): the visitor accepted co-browsing and the session started.
    pub cobrowsing: Vec<Arc<AtomicBool>>,
}

impl Pairs {
    /// Opens `count` pairs on `server`; what the adviser side receives goes to `receivers`.
    /// Tandem visitors accept a co-browsing invitation as soon as it comes.
    pub async fn open(
        server: &Server,
        count: usize,
        receivers: Receivers,
    ) -> anyhow::Result<Pairs> {
        let mut pairs = Pairs {
            kind: server.kind,
            visitors: Vec::with_capacity(count),
            advisers: Vec::new(),
            resume: Vec::new(),
            conversations: Vec::new(),
            adviser_messages_stored: Arc::default(),
            cobrowsing: Vec::new(),
        };
        match server.kind {
            Kind::Tandem | Kind::TandemPostgres => {
                pairs.open_tandem(server, count, receivers).await?
            }
            Kind::Echo | Kind::SocketIo => pairs.open_rooms(server, count, receivers).await?,
        }
        Ok(pairs)
    }

    /// Connections open.
    pub fn connections(&self) -> usize {
        self.visitors.len() + self.advisers.len()
    }

    async fn open_tandem(
        &mut self,
        server: &Server,
        count: usize,
        receivers: Receivers,
    ) -> anyhow::Result<()> {
        let http = reqwest::Client::new();
        let adviser_count =
            count.div_ceil(usize::from(tandem_shared::limits::MAX_CHATS_PER_ADVISER));
        // Each console is read from the moment it is open, as a real one is: the relay
        // closes consoles that leave hundreds of frames unread.
        let stored = self.adviser_messages_stored.clone();
        let advisers: Vec<(Link, Arc<Mutex<Vec<ConversationId>>>)> =
            futures_util::stream::iter(0..adviser_count)
                .map(|n| {
                    let (http, receivers, stored) = (&http, receivers.clone(), stored.clone());
                    async move {
                        let socket = open_adviser(server, http, n).await?;
                        Ok::<_, anyhow::Error>(spawn_tandem_adviser(socket, receivers, stored))
                    }
                })
                .buffer_unordered(SETUP_CONCURRENCY)
                .try_collect()
                .await?;
        for (link, conversations) in advisers {
            self.advisers.push(link);
            self.conversations.push(conversations);
        }
        let mut visitors: Vec<(usize, super::tandem_link::PairedVisitor)> =
            futures_util::stream::iter(0..count)
                .map(|n| async move { Ok::<_, anyhow::Error>((n, open_visitor(server, n).await?)) })
                .buffer_unordered(SETUP_CONCURRENCY)
                .try_collect()
                .await?;
        visitors.sort_by_key(|(n, _)| *n);
        for (_, visitor) in visitors {
            let last_seq = Arc::new(AtomicU64::new(visitor.last_seq));
            let held = last_seq.clone();
            let cobrowsing = Arc::new(AtomicBool::new(false));
            let started = cobrowsing.clone();
            self.visitors.push(spawn_link(
                visitor.socket,
                Kind::Tandem,
                move |received, answer| {
                    let Received::Tandem(frame) = received else {
                        return;
                    };
                    match *frame {
                        ServerMsg::Event { event, .. } => {
                            held.fetch_max(event.seq, Ordering::Relaxed);
                            if matches!(event.kind, EventKind::CobrowseStarted) {
                                started.store(true, Ordering::Relaxed);
                            }
                        }
                        ServerMsg::CobrowseInvite { .. } => {
                            let accept = VisitorMsg::CobrowseAnswer { accepted: true };
                            if let Ok(text) = serde_json::to_string(&accept) {
                                let _ = answer.send(Message::Text(text.into()));
                            }
                        }
                        _ => {}
                    }
                },
            ));
            self.cobrowsing.push(cobrowsing);
            self.resume.push(Resume {
                token: visitor.token,
                last_seq,
            });
        }
        Ok(())
    }

    async fn open_rooms(
        &mut self,
        server: &Server,
        count: usize,
        receivers: Receivers,
    ) -> anyhow::Result<()> {
        let mut opened: Vec<(usize, Socket, Socket)> = futures_util::stream::iter(0..count)
            .map(|n| async move {
                let room = format!("p{n}");
                let visitor = peer_link::join(server, &room, 2 * n).await?;
                let adviser = peer_link::join(server, &room, 2 * n + 1).await?;
                Ok::<_, anyhow::Error>((n, visitor, adviser))
            })
            .buffer_unordered(SETUP_CONCURRENCY)
            .try_collect()
            .await?;
        opened.sort_by_key(|(n, _, _)| *n);
        for (_, visitor, adviser) in opened {
            self.visitors
                .push(spawn_link(visitor, server.kind, |_, _| {}));
            let receivers = receivers.clone();
            self.advisers
                .push(spawn_link(adviser, server.kind, move |received, _| {
                    if let Received::Body(body) = received {
                        receivers.record(&body);
                    }
                }));
        }
        Ok(())
    }

    /// Every visitor sends `rate` messages of `bytes` bytes per second for `duration`
    /// (spread evenly over each period so the load is steady, not in bursts).
    pub async fn chat(
        &self,
        recorder: &SharedRecorder,
        rate: f64,
        bytes: usize,
        duration: Duration,
    ) {
        let period = Duration::from_secs_f64(1.0 / rate.max(0.001));
        let start = Instant::now() + Duration::from_millis(20);
        let end = start + duration;
        let count = self.visitors.len().max(1);
        let mut tickers = JoinSet::new();
        for (pair, visitor) in self.visitors.iter().enumerate() {
            let offset = period.mul_f64(pair as f64 / count as f64);
            let tx = visitor.tx.clone();
            let recorder = recorder.clone();
            let kind = self.kind;
            tickers.spawn(async move {
                let mut ticks = tokio::time::interval_at(start + offset, period);
                ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
                loop {
                    if ticks.tick().await >= end {
                        break;
                    }
                    let body = match recorder.lock() {
                        Ok(mut recorder) => recorder.next_body(pair, bytes),
                        Err(_) => break,
                    };
                    let Ok(frame) = visitor_frame(kind, &body) else {
                        break;
                    };
                    if tx.send(Message::Text(frame.into())).is_err() {
                        break;
                    }
                }
            });
        }
        while tickers.join_next().await.is_some() {}
    }
}

/// Waits until every message sent has arrived, or `limit` has passed.
pub async fn settle(recorder: &SharedRecorder, limit: Duration) {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        let missing = recorder.lock().map(|r| r.missing()).unwrap_or(0);
        if missing == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
