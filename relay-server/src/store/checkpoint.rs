//! SQLite's write-ahead log copied back into the database file off the writer's path.
//!
//! By default the connection whose commit makes the log pass 1,000 pages copies it into the
//! database and flushes both files before it returns, so every message waiting behind that
//! commit waits for the copy. Instead, while events are being written, a passive checkpoint
//! runs on another connection: it copies what it can without stopping the writer, and a log
//! copied to its end starts over, so it stays small and in memory. It runs often (after
//! [`CHECKPOINT_AFTER_EVENTS`] events, at least every [`CHECKPOINT_EVERY`]) so that each copy
//! is short: a copy takes the relay's core, and messages queue behind a long one. SQLite's
//! own checkpoint still runs at a higher mark (`SQLITE_SETTINGS`) should these fall behind.

use sqlx::AnyPool;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// A checkpoint starts once this many events were written since the last one started…
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
