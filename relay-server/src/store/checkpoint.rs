//! SQLite's write-ahead log copied back into the database file off the writer's path.
//!
//! By default the connection whose commit makes the log pass 1,000 pages copies it into the
//! database and flushes both files to disk before it returns: with the event writer committing
//! hundreds of batches a second, that was every few hundred milliseconds, and every message
//! waiting behind that batch waited for the copy (the load harness saw messages over 10 ms
//! rise through a chat phase as the file grew). Instead, while events are being written, a
//! passive checkpoint runs on another connection: it copies what it can without stopping the
//! writer, and a log copied to its end starts over, so it stays small and in memory. It runs
//! after every [`CHECKPOINT_AFTER_EVENTS`] events, and at least every [`CHECKPOINT_EVERY`]:
//! each copy is short. A copy takes CPU from the core the relay runs on, and copying 200 ms of
//! events at once held it for up to 5 ms at a time (`perf sched`); messages queued behind it
//! (chat p99 at 5,000 messages a second: 20 ms copying every 200 ms, 11 ms every 50 ms, 2.3 ms
//! every 10 ms, 1.8–3.4 ms every 25 events; BENCHMARKS.md). SQLite's own checkpoint still runs at a higher mark
//! (`SQLITE_SETTINGS`) should these fall behind.

use sqlx::AnyPool;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// A checkpoint starts once this many events were written since the last one started (5 ms
/// of events at 5,000 messages a second)…
const CHECKPOINT_AFTER_EVENTS: usize = 25;

/// …or once this long has passed, if events were written meanwhile.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);

/// Starts passive checkpoints on the pool's other connections while the event writer writes.
pub(super) struct Checkpointer {
    pool: AnyPool,
    last_started: Instant,
    /// Events written since the last checkpoint started.
    events_since: usize,
    running: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// A checkpointer for `pool` (an SQLite store's).
    pub(super) fn new(pool: AnyPool) -> Checkpointer {
        Checkpointer {
            pool,
            last_started: Instant::now(),
            events_since: 0,
            running: None,
        }
    }

    /// Called after each batch of `events` written: starts a checkpoint when the last one has
    /// finished and enough events were written, or enough time passed, since it started.
    pub(super) fn after_write(&mut self, events: usize) {
        self.events_since = self.events_since.saturating_add(events);
        if self
            .running
            .as_ref()
            .is_some_and(|task| !task.is_finished())
            || (self.events_since < CHECKPOINT_AFTER_EVENTS
                && self.last_started.elapsed() < CHECKPOINT_EVERY)
        {
            return;
        }
        self.last_started = Instant::now();
        self.events_since = 0;
        let pool = self.pool.clone();
        self.running = Some(tokio::spawn(async move {
            if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&pool)
                .await
            {
                // SQLite's own checkpoint still runs at the higher mark: nothing is lost.
                tracing::debug!(%error, "a background checkpoint of the SQLite log failed");
            }
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tried: batches of events one after another, faster than [`CHECKPOINT_EVERY`]. A copy
    /// starts once [`CHECKPOINT_AFTER_EVENTS`] events were written, not after every batch,
    /// and the count starts over.
    #[tokio::test]
    async fn a_copy_starts_once_enough_events_were_written() {
        sqlx::any::install_default_drivers();
        let pool = AnyPool::connect("sqlite::memory:").await.expect("pool");
        let mut checkpointer = Checkpointer::new(pool);
        checkpointer.after_write(CHECKPOINT_AFTER_EVENTS - 1);
        assert!(checkpointer.running.is_none(), "too few events for a copy");
        checkpointer.after_write(1);
        assert!(
            checkpointer.running.is_some(),
            "enough events: a copy started"
        );
        assert_eq!(
            checkpointer.events_since, 0,
            "counted afresh from this copy"
        );
    }
}
