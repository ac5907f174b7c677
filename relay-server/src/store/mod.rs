//! The CRM store: contacts, conversations and their events, advisers, tokens and settings,
//! in one SQLite file (the default, no server) or in a PostgreSQL database (larger sites),
//! through sqlx's `Any` driver: one set of queries, written in the SQL both engines read
//! (numbered `$1` placeholders, 0/1 flags), and one migration set per engine with the same
//! numbers and the same schema.
//!
//! Each submodule owns the queries of one table group; this module opens the database.

mod advisers;
mod articles;
mod audit;
mod backup;
mod canned;
mod checkpoint;
mod cobrowse;
mod contact_edit;
mod contact_merge;
mod contacts;
mod conversations;
mod copy;
mod desk;
mod events;
mod files;
mod flag;
mod group_commit;
mod invitations;
mod location;
mod metrics;
mod outbox;
mod privacy;
mod queues;
mod records;
mod search;
mod settings;
mod sites;
mod sso;
mod tickets;
mod tokens;
mod visits;

pub use advisers::{AccountChangeError, AdviserRow, NewAdviser, SavedAdviser};
pub(crate) use audit::write_audit;
pub use audit::{Actor, Audit, AuditFilter};
pub use cobrowse::OpenCobrowse;
pub use contact_edit::{ContactEdit, ContactNote, EditError};
pub use contact_merge::MergeError;
pub use contacts::ContactLink;
pub use conversations::OpenConversation;
pub use copy::CopyReport;
pub use desk::HandoverChange;
pub use files::StoredFile;
pub(crate) use flag::Flag;
pub use group_commit::Appended;
pub use location::{Backend, StoreLocation};
pub use metrics::SessionFacts;
pub use outbox::{OutboxItem, OutboxRoute, OutboxSummary, WEBHOOK_VERSION};
pub use privacy::Erasure;
pub use queues::QueueRow;
pub use records::{ContactRecord, ContactRef, SessionRecord, SessionSummary, TranscriptLine};
pub use tickets::{NewTicket, TicketRow};
pub use tokens::ApiTokenRow;
pub use visits::TranscriptAddress;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::AnyPool;
use sqlx::Executor;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

/// How many connections a PostgreSQL store keeps (SQLite has one writer; it keeps 4).
const POSTGRES_CONNECTIONS: u32 = 16;

/// The settings every SQLite connection starts with: waiting for the write lock instead of
/// failing at once (first, so that the others wait too while another connection writes),
/// write-ahead log, foreign keys, deleted content overwritten in the file (erasures must
/// really erase), and SQLite's own checkpoint past 20,000 log pages (80 MiB) instead of 1,000:
/// beside the event writer, passive checkpoints copy the log meanwhile (see [`checkpoint`]);
/// SQLite's, which the committing writer runs and waits for, only starts the log over, with
/// little left to copy, every few seconds of heavy writing instead of several times a second.
const SQLITE_SETTINGS: &str = "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON; \
     PRAGMA wal_autocheckpoint = 20000;";

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
    /// Something this engine does not do (with what to use instead).
    #[error("{0}")]
    Unsupported(&'static str),
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
    pool: AnyPool,
    /// Which engine the pool speaks to, for the few statements written differently.
    backend: Backend,
    /// The destinations fed by the outbox (webhook, CRM connectors): changes queue events
    /// for each one that takes them.
    outbox: Vec<OutboxRoute>,
    /// The group-commit writer of conversation events, started on first use.
    writer: group_commit::WriterHandle,
    /// On a node of a cluster: whether it leads. Background duties on the store (outbox
    /// delivery, retention) run on the leader only, so that no event is delivered twice.
    leading: Option<tokio::sync::watch::Receiver<bool>>,
}

impl Store {
    /// Opens (creating if needed) the SQLite file at `path` and applies pending migrations.
    pub async fn open(path: &Path) -> Result<Store, StoreError> {
        Store::connect(&StoreLocation::Sqlite(path.to_path_buf())).await
    }

    /// Opens the store at `location` (creating an SQLite file if needed; a PostgreSQL
    /// database must exist) and applies pending migrations.
    pub async fn connect(location: &StoreLocation) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let url = location.url()?;
        let options = AnyConnectOptions::from_str(&url).context("reading the store's address")?;
        let backend = location.backend();
        let pool = match backend {
            Backend::Sqlite => {
                AnyPoolOptions::new()
                    .max_connections(4)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute(SQLITE_SETTINGS).await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await
            }
            Backend::Postgres => {
                AnyPoolOptions::new()
                    .max_connections(POSTGRES_CONNECTIONS)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await
            }
        }
        .context("opening the database")?;
        match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await?,
        }
        audit::guard_audit_trail(&pool, backend).await?;
        Ok(Store {
            pool,
            backend,
            outbox: Vec::new(),
            writer: group_commit::new_writer_handle(),
            leading: None,
        })
    }

    /// The engine this store runs on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Adds a destination to the outbox: from now on, changes queue the events it takes and
    /// notify its dispatcher.
    pub fn with_outbox_route(mut self, route: OutboxRoute) -> Store {
        self.outbox.push(route);
        // A writer started before sees the old routes: the next event starts a new one.
        self.writer = group_commit::new_writer_handle();
        self
    }

    /// Starts a write transaction on a connection of the pool (see
    /// [`Store::begin_write_statement`]).
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        self.pool.begin_with(self.begin_write_statement()).await
    }

    /// How a write transaction starts. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`): a deferred one that reads first and writes later fails with "database is
    /// locked" when another writer commits in between, without waiting (found by the load
    /// harness: 64 visitors starting chats at the same moment). PostgreSQL locks rows as
    /// they are written (a plain `BEGIN`, what sqlx sends by default).
    fn begin_write_statement(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        }
    }

    /// True once [`Store::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.pool.is_closed()
    }

    /// Background duties on this store wait on `leading` (a node of a cluster runs them only
    /// while it leads).
    pub fn with_leader_gate(mut self, leading: tokio::sync::watch::Receiver<bool>) -> Store {
        self.leading = Some(leading);
        self
    }

    /// Returns once this node may run background duties on the store: at once for a relay
    /// alone; while it leads for a node of a cluster.
    pub async fn wait_until_leading(&self) {
        if let Some(mut leading) = self.leading.clone() {
            // An error means the cluster is gone with its sender: the process is stopping.
            let _ = leading.wait_for(|leads| *leads).await;
        }
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The PostgreSQL migration of an SQLite one: the same statements with PostgreSQL's
    /// types.
    fn postgres_twin(sqlite: &str) -> String {
        sqlite
            .lines()
            .map(|line| {
                line.replace(
                    "INTEGER PRIMARY KEY AUTOINCREMENT",
                    "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
                )
                .replace("INTEGER", "BIGINT")
                .replace("BLOB", "BYTEA")
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Both engines get the same schema: every SQLite migration has a PostgreSQL twin with the
    /// same number and the same statements (types aside), and no other.
    #[test]
    fn each_sqlite_migration_has_its_postgresql_twin() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let names = |dir: &str| -> Vec<String> {
            let mut names: Vec<String> = std::fs::read_dir(root.join(dir))
                .unwrap_or_else(|error| panic!("reading migrations/{dir}: {error}"))
                .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
                .collect();
            names.sort();
            names
        };
        let sqlite = names("sqlite");
        assert_eq!(
            sqlite,
            names("postgres"),
            "the same migrations on both engines"
        );
        assert!(sqlite.len() >= 10, "{sqlite:?}");
        for name in &sqlite {
            let read = |dir: &str| {
                std::fs::read_to_string(root.join(dir).join(name))
                    .unwrap_or_else(|error| panic!("reading {dir}/{name}: {error}"))
            };
            let postgres: Vec<String> = read("postgres")
                .lines()
                .skip_while(|line| !line.starts_with("-- PostgreSQL twin"))
                .skip(2)
                .map(str::to_owned)
                .collect();
            assert_eq!(
                postgres.join("\n"),
                postgres_twin(&read("sqlite")),
                "postgres/{name} says what sqlite/{name} says"
            );
        }
    }
}

#[cfg(test)]
mod sqlite_settings_tests {
    use super::*;

    /// Every pooled SQLite connection runs with the write-ahead log, `synchronous = NORMAL`
    /// (one flush per checkpoint, not per commit), foreign keys and secure delete.
    #[tokio::test]
    async fn every_sqlite_connection_gets_the_store_settings() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("crm.db")).await.expect("open");
        let mut held = Vec::new();
        for _ in 0..4 {
            let mut conn = store.pool.acquire().await.expect("connection");
            let read = |pragma: &'static str| sqlx::query_as::<_, (String,)>(pragma);
            let journal = read("PRAGMA journal_mode").fetch_one(&mut *conn).await;
            let numbers = |pragma: &'static str| sqlx::query_as::<_, (i64,)>(pragma);
            let synchronous = numbers("PRAGMA synchronous").fetch_one(&mut *conn).await;
            let foreign = numbers("PRAGMA foreign_keys").fetch_one(&mut *conn).await;
            let secure = numbers("PRAGMA secure_delete").fetch_one(&mut *conn).await;
            assert_eq!(journal.expect("journal").0, "wal");
            assert_eq!(synchronous.expect("synchronous").0, 1, "NORMAL");
            assert_eq!(foreign.expect("foreign keys").0, 1);
            assert_eq!(secure.expect("secure delete").0, 1);
            held.push(conn);
        }
    }
}
