//! SQLite's write-ahead log copied back into the database file off the writer's path.
//!
//! By default the connection whose commit makes the log pass 1,000 pages copies it into the
//! database and flushes both files to disk before it returns: with the event writer committing
//! hundreds of batches a second, that was every few hundred milliseconds, and every message
//! waiting behind that batch waited for the copy (the load harness saw messages over 10 ms
//! rise through a chat phase as the file grew). Instead, while events are being written, a
//! passive checkpoint runs on another connection at most every [`CHECKPOINT_EVERY`]: it copies
//! what it can without stopping the writer. It cannot start the log over while the writer
//! keeps writing; SQLite's own checkpoint does that, at a higher mark (`SQLITE_SETTINGS`),
//! with little left to copy.

use sqlx::AnyPool;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// How often, at most, a checkpoint starts while events are written.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);

/// Starts passive checkpoints on the pool's other connections while the event writer writes.
pub(super) struct Checkpointer {
    pool: AnyPool,
    last_started: Instant,
    running: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// A checkpointer for `pool` (an SQLite store's).
    pub(super) fn new(pool: AnyPool) -> Checkpointer {
        Checkpointer {
            pool,
            last_started: Instant::now(),
            running: None,
        }
    }

    /// Called after each batch written: starts a checkpoint when the last one has finished
    /// and started long enough ago.
    pub(super) fn after_write(&mut self) {
        if self
            .running
            .as_ref()
            .is_some_and(|task| !task.is_finished())
            || self.last_started.elapsed() < CHECKPOINT_EVERY
        {
            return;
        }
        self.last_started = Instant::now();
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
