//! Where the CRM store lives: an SQLite file or a PostgreSQL database, as written on the
//! command line (`--store`) or in `TANDEM_STORE`.

use super::StoreError;
use std::fmt;
use std::path::PathBuf;

/// The database engine under a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// One SQLite file, no server (the default).
    Sqlite,
    /// A PostgreSQL database (larger sites).
    Postgres,
}

/// Where a store lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreLocation {
    /// An SQLite file, created if missing.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (`postgres://user:password@host:port/database`).
    Postgres(String),
}

impl StoreLocation {
    /// Reads a location: `postgres://…` or `postgresql://…` is a PostgreSQL database,
    /// `sqlite://path` or a bare path an SQLite file.
    pub fn parse(text: &str) -> StoreLocation {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return StoreLocation::Postgres(text.to_owned());
        }
        let path = text.strip_prefix("sqlite://").unwrap_or(text);
        StoreLocation::Sqlite(PathBuf::from(path))
    }

    /// The engine at this location.
    pub fn backend(&self) -> Backend {
        match self {
            StoreLocation::Sqlite(_) => Backend::Sqlite,
            StoreLocation::Postgres(_) => Backend::Postgres,
        }
    }

    /// The URL sqlx connects to (an SQLite path made absolute and percent-encoded, opened
    /// read-write and created if missing).
    pub(super) fn url(&self) -> Result<String, StoreError> {
        match self {
            StoreLocation::Postgres(url) => Ok(url.clone()),
            StoreLocation::Sqlite(path) => {
                let absolute = std::path::absolute(path)
                    .map_err(|_| StoreError::BadPath(path.display().to_string()))?;
                let file_url = url::Url::from_file_path(&absolute)
                    .map_err(|()| StoreError::BadPath(path.display().to_string()))?;
                Ok(format!("sqlite://{}?mode=rwc", file_url.path()))
            }
        }
    }
}

impl fmt::Display for StoreLocation {
    /// The location without a password, for logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreLocation::Sqlite(path) => write!(f, "SQLite file {}", path.display()),
            StoreLocation::Postgres(url) => match url::Url::parse(url) {
                Ok(mut parsed) => {
                    if parsed.password().is_some() {
                        let _ = parsed.set_password(Some("***"));
                    }
                    write!(f, "PostgreSQL {parsed}")
                }
                Err(_) => f.write_str("PostgreSQL (unreadable URL)"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_urls_and_paths_are_told_apart() {
        assert_eq!(
            StoreLocation::parse("postgres://u@h/db").backend(),
            Backend::Postgres
        );
        assert_eq!(
            StoreLocation::parse("postgresql://u@h/db").backend(),
            Backend::Postgres
        );
        assert_eq!(
            StoreLocation::parse("sqlite:///var/lib/tandem/crm.db"),
            StoreLocation::Sqlite(PathBuf::from("/var/lib/tandem/crm.db"))
        );
        assert_eq!(
            StoreLocation::parse("data/crm.db"),
            StoreLocation::Sqlite(PathBuf::from("data/crm.db"))
        );
    }

    #[test]
    fn an_sqlite_path_with_spaces_and_marks_becomes_a_url_that_reads_back() {
        let location = StoreLocation::Sqlite(PathBuf::from("/tmp/my crm?#.db"));
        let url = location.url().expect("url");
        assert_eq!(url, "sqlite:///tmp/my%20crm%3F%23.db?mode=rwc");
    }

    #[test]
    fn a_password_never_reaches_the_logs() {
        let shown = StoreLocation::parse("postgres://tandem:s3cret@db:5432/crm").to_string();
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("db:5432/crm"), "{shown}");
    }
}
