//! The CRM store: contacts, conversations and their events, advisers, tokens and settings,
//! in one SQLite file (sqlx, with migrations).
//!
//! Each submodule owns the queries of one table group; this module opens the database.

mod advisers;
mod articles;
mod backup;
mod canned;
mod cobrowse;
mod contact_edit;
mod contacts;
mod conversations;
mod desk;
mod events;
mod files;
mod group_commit;
mod metrics;
mod outbox;
mod privacy;
mod queues;
mod records;
mod search;
mod settings;
mod sites;
mod tickets;
mod tokens;

pub use advisers::{AdviserRow, NewAdviser};
pub use cobrowse::OpenCobrowse;
pub use contact_edit::{ContactEdit, ContactNote, EditError};
pub use conversations::OpenConversation;
pub use desk::HandoverChange;
pub use files::StoredFile;
pub use group_commit::Appended;
pub use metrics::SessionFacts;
pub use outbox::{OutboxItem, OutboxRoute, OutboxSummary, WEBHOOK_VERSION};
pub use privacy::Erasure;
pub use queues::QueueRow;
pub use records::{ContactRecord, ContactRef, SessionRecord, SessionSummary, TranscriptLine};
pub use tickets::{NewTicket, TicketRow};

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::path::Path;
use std::time::Duration;

/// A failure of the CRM store, with what was being done.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed a query.
    #[error("database error while {context}: {source}")]
    Database {
        /// What was being done.
        context: &'static str,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// The schema could not be brought up to date.
    #[error("could not migrate the CRM database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value could not be read back.
    #[error("corrupt value in the CRM database ({0})")]
    Corrupt(String),
    /// The knowledge base's search index could not be built.
    #[error("the knowledge base index could not be built: {0}")]
    Index(String),
    /// The store was closed while an event waited to be written.
    #[error("the CRM store was closed before the event was stored")]
    Stopped,
    /// A file path the database cannot use (not UTF-8).
    #[error("the path {0} cannot be used (not UTF-8)")]
    BadPath(String),
}

/// Attaches a context to a database result.
pub(crate) trait Context<T> {
    /// Wraps the error with what was being done.
    fn context(self, context: &'static str) -> Result<T, StoreError>;
}

impl<T> Context<T> for Result<T, sqlx::Error> {
    fn context(self, context: &'static str) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Database { context, source })
    }
}

/// The CRM store; cheap to clone (a connection pool).
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    /// The destinations fed by the outbox (webhook, CRM connectors): changes queue events
    /// for each one that takes them.
    outbox: Vec<OutboxRoute>,
    /// The group-commit writer of conversation events, started on first use.
    writer: group_commit::WriterHandle,
}

impl Store {
    /// Opens (creating if needed) the SQLite file at `path` and applies pending migrations.
    pub async fn open(path: &Path) -> Result<Store, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // Deleted content is overwritten in the file (erasures must really erase).
            .pragma("secure_delete", "ON")
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .context("opening the database file")?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Store {
            pool,
            outbox: Vec::new(),
            writer: group_commit::new_writer_handle(),
        })
    }

    /// Adds a destination to the outbox: from now on, changes queue the events it takes and
    /// notify its dispatcher.
    pub fn with_outbox_route(mut self, route: OutboxRoute) -> Store {
        self.outbox.push(route);
        // A writer started before sees the old routes: the next event starts a new one.
        self.writer = group_commit::new_writer_handle();
        self
    }

    /// Starts a write transaction that takes SQLite's write lock at once (`BEGIN IMMEDIATE`):
    /// a deferred one that reads first and writes later fails with "database is locked" when
    /// another writer commits in between, without waiting (found by the load harness: 64
    /// visitors starting chats at the same moment).
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }

    /// True once [`Store::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.pool.is_closed()
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .context("checking the database")?;
        Ok(())
    }

    /// Closes every connection (on shutdown).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
