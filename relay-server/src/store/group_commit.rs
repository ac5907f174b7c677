//! Group commit of conversation events: every event waiting to be stored goes into the
//! database in one transaction and one multi-row statement, so a busy relay pays one commit
//! and a few statements per batch instead of four round trips to SQLite's worker thread per
//! message. An event is still
//! durable before anyone is told about it: [`Store::append_event`] returns once its batch
//! has committed. While events come fast (over 8,000 a second, where a small relay nears its
//! limit), the writer waits a moment ([`LINGER`]) to gather larger batches, which cost less
//! per event.

use super::{Context, Store, StoreError};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, Connection};
use std::collections::HashSet;
use tandem_shared::{ConversationEvent, ConversationId, EventKind};
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Duration, Instant};

/// The most events written by one statement (SQLite caches one prepared statement per batch
/// size, so this also bounds that cache).
const MAX_BATCH: usize = 64;

/// How long the writer keeps its connection without events to write. While events keep
/// coming it writes on the same connection, whose page cache stays warm: the pool hands out
/// its connections in turn, and an SQLite connection drops its whole cache when another one
/// wrote since its last transaction, so writing on whichever came next would re-read the
/// events table's pages for every batch. Let go when idle, so that closing the pool does not
/// wait for it.
const KEEP_CONNECTION_IDLE: Duration = Duration::from_millis(250);

/// How long the writer waits for more events before writing a batch when events come faster
/// than [`LINGER_FROM_EVENTS_PER_SEC`]. Each commit rewrites the pages it touched in SQLite's
/// log, some of them shared by every event of the batch, and costs two hand-overs between
/// threads: larger batches cost less per event. Tokio's timer wakes on whole milliseconds, so
/// the wait lasts longer than asked: that is why it waits only at a high pace.
const LINGER: Duration = Duration::from_millis(1);

/// The pace above which the writer waits [`LINGER`] to gather a batch. Below it each batch
/// is written as soon as the previous one is done, because waiting would add the timer's
/// granularity to every message for little gain.
const LINGER_FROM_EVENTS_PER_SEC: f64 = 8_000.0;

/// How long the writer counts events to know its pace.
const PACE_WINDOW: Duration = Duration::from_millis(20);

/// Events waiting for the writer; senders wait when it is full, which slows writers down
/// instead of growing memory.
const QUEUE_LENGTH: usize = 4096;

/// The event writer's recent pace, counted over windows of [`PACE_WINDOW`].
struct Pace {
    window_started: Instant,
    events: usize,
    fast: bool,
}

impl Pace {
    fn new(now: Instant) -> Pace {
        Pace {
            window_started: now,
            events: 0,
            fast: false,
        }
    }

    /// Counts `events` received at `now`; closes the window when it has lasted long enough.
    fn count(&mut self, events: usize, now: Instant) {
        self.events = self.events.saturating_add(events);
        let elapsed = now.saturating_duration_since(self.window_started);
        if elapsed >= PACE_WINDOW {
            self.fast = self.events as f64 >= LINGER_FROM_EVENTS_PER_SEC * elapsed.as_secs_f64();
            self.window_started = now;
            self.events = 0;
        }
    }

    /// Whether events came faster than [`LINGER_FROM_EVENTS_PER_SEC`] in the last window, and
    /// are still coming (a window left open for two of its lengths means a pause).
    fn is_fast(&self, now: Instant) -> bool {
        self.fast && now.saturating_duration_since(self.window_started) < 2 * PACE_WINDOW
    }
}

/// Adds to `batch` the events that come within [`LINGER`], up to [`MAX_BATCH`].
async fn gather_more(receiver: &mut mpsc::Receiver<PendingAppend>, batch: &mut Vec<PendingAppend>) {
    let deadline = Instant::now() + LINGER;
    while batch.len() < MAX_BATCH {
        let more = receiver.recv_many(batch, MAX_BATCH - batch.len());
        match tokio::time::timeout_at(deadline, more).await {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
    }
}

/// What became of an event handed to [`Store::append_event`].
#[derive(Clone, Debug, PartialEq)]
pub enum Appended {
    /// Stored under its number.
    Stored,
    /// A message whose client id was already stored: this is the stored event (nothing new
    /// was written).
    Duplicate(ConversationEvent),
}

/// One event waiting to be stored, with where to report the outcome.
pub(super) struct PendingAppend {
    conversation: ConversationId,
    event: ConversationEvent,
    done: oneshot::Sender<Result<Appended, StoreError>>,
}

/// The channel to a store's writer task, started on first use.
pub(super) type WriterHandle = std::sync::Arc<tokio::sync::OnceCell<mpsc::Sender<PendingAppend>>>;

/// A fresh handle with no writer started yet.
pub(super) fn new_writer_handle() -> WriterHandle {
    std::sync::Arc::new(tokio::sync::OnceCell::new())
}

/// The columns of one stored event, in the order [`Store::insert_rows`] binds them.
const EVENT_COLUMNS: usize = 6;

/// `INSERT INTO events … VALUES ($1, …), ($7, …) … ON CONFLICT DO NOTHING RETURNING …` for
/// `rows` rows, numbered placeholders being what SQLite and PostgreSQL both read.
fn multi_row_insert(rows: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO events (conversation_id, seq, at, kind, client_msg_id, data) VALUES ",
    );
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..EVENT_COLUMNS {
            if column > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", row * EVENT_COLUMNS + column + 1));
        }
        sql.push(')');
    }
    sql.push_str(" ON CONFLICT DO NOTHING RETURNING conversation_id, seq");
    sql
}

fn client_msg_id(event: &ConversationEvent) -> Option<&str> {
    match &event.kind {
        EventKind::Message { client_msg_id, .. } => client_msg_id.as_deref(),
        _ => None,
    }
}

impl Store {
    /// Stores an event under its number, in the same transaction as the outbox events it
    /// causes, and returns once that transaction has committed. A message whose client id is
    /// already stored for the conversation is not stored again: the stored event is returned.
    pub async fn append_event(
        &self,
        conversation: &ConversationId,
        event: &ConversationEvent,
    ) -> Result<Appended, StoreError> {
        let writer = self
            .writer
            .get_or_init(|| async {
                let (sender, receiver) = mpsc::channel(QUEUE_LENGTH);
                // The writer's own copy has a handle of its own, so it ends when every other
                // copy of the store (and so every sender) is gone.
                let mut store = self.clone();
                store.writer = new_writer_handle();
                tokio::spawn(store.write_events(receiver));
                sender
            })
            .await;
        let (done, outcome) = oneshot::channel();
        let pending = PendingAppend {
            conversation: conversation.clone(),
            event: event.clone(),
            done,
        };
        writer
            .send(pending)
            .await
            .map_err(|_| StoreError::Stopped)?;
        outcome.await.map_err(|_| StoreError::Stopped)?
    }

    /// The writer task: takes whatever is waiting (up to [`MAX_BATCH`]) and stores it at once.
    async fn write_events(self, mut receiver: mpsc::Receiver<PendingAppend>) {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        let mut conn: Option<PoolConnection<Any>> = None;
        let mut pace = Pace::new(Instant::now());
        let mut checkpointer = (self.backend == super::Backend::Sqlite)
            .then(|| super::checkpoint::Checkpointer::new(self.pool.clone()));
        loop {
            let received = if conn.is_some() {
                let next = receiver.recv_many(&mut batch, MAX_BATCH);
                match tokio::time::timeout(KEEP_CONNECTION_IDLE, next).await {
                    Ok(received) => received,
                    Err(_idle) => {
                        conn = None;
                        receiver.recv_many(&mut batch, MAX_BATCH).await
                    }
                }
            } else {
                receiver.recv_many(&mut batch, MAX_BATCH).await
            };
            if received == 0 {
                break;
            }
            if pace.is_fast(Instant::now()) {
                gather_more(&mut receiver, &mut batch).await;
            }
            pace.count(batch.len(), Instant::now());
            let written = batch.len();
            match self.write_batch(&mut conn, &batch).await {
                Ok(outcomes) => {
                    for (pending, outcome) in batch.drain(..).zip(outcomes) {
                        let _ = pending.done.send(outcome);
                    }
                }
                Err(error) => {
                    // One bad event must not fail its neighbours: store them one by one, each
                    // with its own outcome.
                    tracing::warn!(%error, events = batch.len(), "storing a batch of events failed; storing them one by one");
                    for pending in batch.drain(..) {
                        let outcome = self
                            .write_batch(&mut conn, std::slice::from_ref(&pending))
                            .await
                            .and_then(|mut outcomes| {
                                outcomes.pop().unwrap_or(Err(StoreError::Stopped))
                            });
                        let _ = pending.done.send(outcome);
                    }
                }
            }
            if let Some(checkpointer) = checkpointer.as_mut() {
                checkpointer.after_write(written);
            }
        }
    }

    /// Stores `batch` in one transaction on the writer's connection (taken from the pool
    /// when it has none; given back after a failure, in case the connection is what failed);
    /// the outcome of each event, in order.
    async fn write_batch(
        &self,
        conn: &mut Option<PoolConnection<Any>>,
        batch: &[PendingAppend],
    ) -> Result<Vec<Result<Appended, StoreError>>, StoreError> {
        let connection = match conn {
            Some(connection) => connection,
            None => conn.insert(
                self.pool
                    .acquire()
                    .await
                    .context("starting to store events")?,
            ),
        };
        let outcome = self.write_batch_on(connection, batch).await;
        if outcome.is_err() {
            *conn = None;
        }
        outcome
    }

    /// Stores `batch` on `conn`: one statement, in a transaction when the outbox takes
    /// messages.
    async fn write_batch_on(
        &self,
        conn: &mut AnyConnection,
        batch: &[PendingAppend],
    ) -> Result<Vec<Result<Appended, StoreError>>, StoreError> {
        let mut rows = Vec::with_capacity(batch.len());
        for pending in batch {
            let data = serde_json::to_string(&pending.event.kind)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let seq = i64::try_from(pending.event.seq)
                .map_err(|_| StoreError::Corrupt("event number overflow".into()))?;
            rows.push((pending, seq, data));
        }
        let queues_outbox_events = self
            .outbox
            .iter()
            .any(|route| route.takes("message.created"))
            && batch
                .iter()
                .any(|pending| matches!(pending.event.kind, EventKind::Message { .. }));
        if !queues_outbox_events {
            // One statement is atomic on its own: no transaction round trips to pay.
            return self.insert_rows(conn, &rows).await;
        }
        let mut tx = conn
            .begin_with(self.begin_write_statement())
            .await
            .context("starting to store events")?;
        let outcomes = self.insert_rows(&mut tx, &rows).await?;
        tx.commit().await.context("storing conversation events")?;
        self.wake_outbox();
        Ok(outcomes)
    }

    /// Inserts `rows` with one statement and queues the outbox events of those stored; the
    /// outcome of each row, in order.
    async fn insert_rows(
        &self,
        conn: &mut AnyConnection,
        rows: &[(&PendingAppend, i64, String)],
    ) -> Result<Vec<Result<Appended, StoreError>>, StoreError> {
        // A resent message (same client id) is skipped here and answered with what is stored.
        let sql = multi_row_insert(rows.len());
        let mut insert = sqlx::query_as::<_, (String, i64)>(&sql);
        for (pending, seq, data) in rows {
            insert = insert
                .bind(pending.conversation.as_str())
                .bind(*seq)
                .bind(pending.event.at_ms)
                .bind(super::events::kind_name(&pending.event.kind))
                .bind(client_msg_id(&pending.event))
                .bind(data.as_str());
        }
        let stored: HashSet<(String, i64)> = insert
            .fetch_all(&mut *conn)
            .await
            .context("storing conversation events")?
            .into_iter()
            .collect();
        let mut outcomes = Vec::with_capacity(rows.len());
        for (pending, seq, _) in rows {
            let conversation = pending.conversation.as_str();
            if stored.contains(&(conversation.to_owned(), *seq)) {
                self.enqueue_message_created(conn, &pending.conversation, &pending.event)
                    .await?;
                outcomes.push(Ok(Appended::Stored));
                continue;
            }
            let earlier = match client_msg_id(&pending.event) {
                Some(client_id) => {
                    self.event_by_client_msg_id(conn, &pending.conversation, client_id)
                        .await?
                }
                None => None,
            };
            outcomes.push(match earlier {
                Some(earlier) => Ok(Appended::Duplicate(earlier)),
                None => Err(StoreError::Corrupt(format!(
                    "event {seq} of conversation {conversation} is already stored"
                ))),
            });
        }
        Ok(outcomes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_shared::model::{Channel, ChatRequest};
    use tandem_shared::{Author, Role};

    async fn store_with_conversations(dir: &std::path::Path, count: usize) -> Store {
        let store = Store::open(&dir.join("crm.sqlite3"))
            .await
            .expect("open store");
        let request = ChatRequest {
            name: "Ada".into(),
            email: Some("ada@example.com".into()),
            phone: None,
            company: None,
            reason: "test".into(),
            page_url: None,
            locale: None,
            identity: None,
            queue: None,
            site: None,
        };
        let contact = store
            .upsert_contact(&request, None, 1)
            .await
            .expect("contact");
        for n in 0..count {
            store
                .create_conversation(
                    &ConversationId(format!("c{n}")),
                    &contact,
                    &request,
                    Channel::Chat,
                    1,
                )
                .await
                .expect("conversation");
        }
        store
    }

    fn message(seq: u64, client_id: &str) -> ConversationEvent {
        ConversationEvent {
            seq,
            at_ms: 2,
            kind: EventKind::Message {
                author: Author {
                    role: Role::Visitor,
                    name: "Ada".into(),
                },
                body: format!("message {client_id}"),
                client_msg_id: Some(client_id.into()),
                file: None,
            },
        }
    }

    /// 200 messages sent at once over 50 conversations are all stored (the writer takes them
    /// in batches) and each caller learns its own outcome.
    #[tokio::test]
    async fn concurrent_appends_are_all_stored() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = store_with_conversations(dir.path(), 50).await;
        let mut tasks = Vec::new();
        for n in 0..50 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let id = ConversationId(format!("c{n}"));
                for seq in 1..=4 {
                    let outcome = store
                        .append_event(&id, &message(seq, &format!("m{n}-{seq}")))
                        .await;
                    assert_eq!(outcome.expect("stored"), Appended::Stored);
                }
            }));
        }
        for task in tasks {
            task.await.expect("task");
        }
        for n in 0..50 {
            let events = store
                .events_after(&ConversationId(format!("c{n}")), 0)
                .await
                .expect("events");
            let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
            assert_eq!(seqs, vec![1, 2, 3, 4], "conversation c{n}");
        }
    }

    /// SQLite's log does not grow for as long as the relay writes: 7,000 messages written one
    /// by one (over 20,000 log pages, with checkpoints beside the writer meanwhile), and the
    /// log has been started over (it holds fewer pages than SQLite's mark of 20,000).
    #[tokio::test]
    async fn the_sqlite_log_does_not_grow_while_events_are_written() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = store_with_conversations(dir.path(), 10).await;
        for seq in 1..=700u64 {
            for n in 0..10 {
                let id = ConversationId(format!("c{n}"));
                store
                    .append_event(&id, &message(seq, &format!("m{n}-{seq}")))
                    .await
                    .expect("stored");
            }
            if seq % 100 == 0 {
                // Longer than a checkpoint period, whatever the build's speed.
                tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            }
        }
        let (_busy, log_pages, _copied): (i64, i64, i64) =
            sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
                .fetch_one(&store.pool)
                .await
                .expect("checkpoint");
        assert!(
            log_pages < 20_000,
            "the log holds {log_pages} pages after 7,000 messages: it was never started over"
        );
    }

    /// The writer waits to gather a batch only while events come faster than
    /// [`LINGER_FROM_EVENTS_PER_SEC`]: tried at 10,000 a second, then 5,000, then 20,000, then
    /// one event after a quiet second.
    #[test]
    fn the_writer_lingers_only_while_events_come_fast() {
        let start = Instant::now();
        let at = |offset: Duration| start + offset;
        let mut pace = Pace::new(start);
        assert!(!pace.is_fast(start), "a new writer writes at once");
        pace.count(100, at(Duration::from_millis(10)));
        assert!(
            !pace.is_fast(at(Duration::from_millis(10))),
            "decided once a whole window has been counted"
        );
        pace.count(100, at(PACE_WINDOW));
        assert!(pace.is_fast(at(PACE_WINDOW)), "10,000 events a second");
        pace.count(100, at(2 * PACE_WINDOW));
        assert!(!pace.is_fast(at(2 * PACE_WINDOW)), "5,000 events a second");
        pace.count(400, at(3 * PACE_WINDOW));
        assert!(pace.is_fast(at(3 * PACE_WINDOW)), "20,000 events a second");
        let after_a_pause = at(3 * PACE_WINDOW + Duration::from_secs(1));
        assert!(
            !pace.is_fast(after_a_pause),
            "the first event after a quiet second is written at once"
        );
        pace.count(1, after_a_pause);
        assert!(!pace.is_fast(after_a_pause), "and the pace is slow again");
    }

    /// What [`gather_more`] takes from `receiver`: the events' numbers.
    async fn gathered(receiver: &mut mpsc::Receiver<PendingAppend>) -> Vec<u64> {
        let mut batch = Vec::new();
        tokio::time::timeout(Duration::from_secs(10), gather_more(receiver, &mut batch))
            .await
            .expect("the wait ends at its deadline, the senders still open");
        batch.iter().map(|pending| pending.event.seq).collect()
    }

    /// Tried: a lingering writer with events waiting, then with more waiting than a batch
    /// holds, the senders still open. It takes what came, at most [`MAX_BATCH`], and stops
    /// waiting at its deadline.
    #[tokio::test]
    async fn a_lingering_writer_takes_what_came_and_stops_at_its_deadline() {
        let (sender, mut receiver) = mpsc::channel(QUEUE_LENGTH);
        let pending = |seq: u64| PendingAppend {
            conversation: ConversationId::from("c0"),
            event: message(seq, &format!("m{seq}")),
            done: oneshot::channel().0,
        };
        for seq in 1..=3 {
            sender.send(pending(seq)).await.expect("queued");
        }
        assert_eq!(gathered(&mut receiver).await, vec![1, 2, 3]);
        for seq in 4..=103 {
            sender.send(pending(seq)).await.expect("queued");
        }
        let first = gathered(&mut receiver).await;
        assert_eq!(first.len(), MAX_BATCH, "a batch holds at most {MAX_BATCH}");
        assert_eq!(first.first(), Some(&4), "in the order sent");
        let rest = gathered(&mut receiver).await;
        assert_eq!(
            rest.len(),
            100 - MAX_BATCH,
            "the rest waits for the next batch"
        );
    }

    /// A resent message (same client id, even under a new number) is not stored twice: the
    /// caller gets the stored event back.
    #[tokio::test]
    async fn a_resent_message_returns_the_stored_one() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = store_with_conversations(dir.path(), 1).await;
        let id = ConversationId::from("c0");
        let first = message(1, "same");
        assert_eq!(
            store.append_event(&id, &first).await.expect("first"),
            Appended::Stored
        );
        let again = store
            .append_event(&id, &message(2, "same"))
            .await
            .expect("again");
        assert_eq!(again, Appended::Duplicate(first));
        assert_eq!(store.last_seq(&id).await.expect("last seq"), 1);
    }

    /// Tried: in one batch, an event of a conversation that does not exist (the foreign key
    /// fails the whole statement) between good ones. The good ones are stored and only the
    /// bad one gets an error.
    #[tokio::test]
    async fn one_bad_event_does_not_fail_its_batch() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = store_with_conversations(dir.path(), 2).await;
        let (c0, nowhere, c1) = (
            ConversationId::from("c0"),
            ConversationId::from("nowhere"),
            ConversationId::from("c1"),
        );
        let (first, second, third) = (message(1, "a"), message(1, "b"), message(1, "c"));
        let (a, b, c) = tokio::join!(
            store.append_event(&c0, &first),
            store.append_event(&nowhere, &second),
            store.append_event(&c1, &third),
        );
        assert_eq!(a.expect("c0 stored"), Appended::Stored);
        assert!(b.is_err(), "an event of no conversation must be refused");
        assert_eq!(c.expect("c1 stored"), Appended::Stored);
        assert_eq!(
            store
                .last_seq(&ConversationId::from("c1"))
                .await
                .expect("seq"),
            1
        );
    }

    /// With a webhook configured, a stored message queues its `message.created` event in the
    /// same transaction, and a resend queues nothing more.
    #[tokio::test]
    async fn a_stored_message_queues_its_outbox_event_once() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = store_with_conversations(dir.path(), 1)
            .await
            .with_outbox_route(crate::store::OutboxRoute {
                destination: "webhook",
                kinds: &[],
                wake: std::sync::Arc::new(tokio::sync::Notify::new()),
            });
        let id = ConversationId::from("c0");
        store
            .append_event(&id, &message(1, "once"))
            .await
            .expect("stored");
        store
            .append_event(&id, &message(2, "once"))
            .await
            .expect("resend answered");
        let queued = store
            .pending_outbox(Some("webhook"), 100)
            .await
            .expect("outbox");
        let messages = queued
            .iter()
            .filter(|item| item.kind == "message.created")
            .count();
        assert_eq!(messages, 1, "one message.created for one stored message");
    }
}
