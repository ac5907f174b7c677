//! Moving a whole CRM store to another engine, once (`tandem-relay store copy --to …`): an
//! SQLite file into PostgreSQL when a site outgrows one relay. Every row of every table is
//! copied in one transaction on the target, so a failed copy leaves it as it was.

use super::{Backend, Context, Store, StoreError};
use futures_util::TryStreamExt;
use sqlx::any::{AnyRow, AnyTypeInfoKind};
use sqlx::{Column, Row, TypeInfo};

/// Every table of the schema, parents before the tables that refer to them. The copy fails
/// on a source table missing from this list, so a new migration cannot be forgotten here.
const TABLES: &[&str] = &[
    "settings",
    "advisers",
    "adviser_logins",
    "api_tokens",
    "contacts",
    "queues",
    "sites",
    "conversations",
    "conversation_advisers",
    "events",
    "outbox",
    "handovers",
    "notes",
    "canned_answers",
    "tickets",
    "cobrowse_sessions",
    "cobrowse_pages",
    "cobrowse_fields",
    "erasures",
    "contact_notes",
    "articles",
    "files",
    "invitation_counts",
    "audit_log",
    "oidc_pending",
];

/// Tables whose `id` the database numbers itself: the target's counters are moved past the
/// copied ids.
const NUMBERED_TABLES: &[&str] = &[
    "outbox",
    "handovers",
    "notes",
    "cobrowse_sessions",
    "cobrowse_pages",
    "cobrowse_fields",
    "erasures",
    "audit_log",
];

/// Tables the migrations fill with a default row, which the copy replaces.
const SEEDED_TABLES: &[&str] = &["queues", "sites"];

/// Tables that must be empty in the target: a store already in use is never overwritten.
const MUST_BE_EMPTY: &[&str] = &["advisers", "contacts", "conversations", "api_tokens"];

/// How many rows each table received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    /// `(table, rows)` in copy order.
    pub tables: Vec<(&'static str, u64)>,
}

impl CopyReport {
    /// Rows copied over all tables.
    pub fn total_rows(&self) -> u64 {
        self.tables.iter().map(|(_, rows)| rows).sum()
    }
}

impl Store {
    /// Copies every row of this store into `target`, which must be freshly migrated and
    /// unused; all or nothing.
    pub async fn copy_into(&self, target: &Store) -> Result<CopyReport, StoreError> {
        self.check_every_table_is_known().await?;
        for table in MUST_BE_EMPTY {
            let (rows,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(&target.pool)
                .await
                .context("checking that the target store is unused")?;
            if rows > 0 {
                return Err(StoreError::Unsupported(
                    "the target store already holds data; copy into a new, empty database",
                ));
            }
        }
        let mut tx = target.begin_write().await.context("starting the copy")?;
        for table in SEEDED_TABLES {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut *tx)
                .await
                .context("clearing the target's default rows")?;
        }
        let mut report = CopyReport { tables: Vec::new() };
        for table in TABLES {
            let select = format!("SELECT * FROM {table}");
            let mut rows = sqlx::query(&select).fetch(&self.pool);
            let mut copied = 0;
            // The statement is the same for every row of the table: written once.
            let mut insert_sql = None;
            while let Some(row) = rows.try_next().await.context("reading the source store")? {
                let sql = insert_sql.get_or_insert_with(|| insert_statement(table, &row));
                insert_row(&mut tx, table, sql, &row).await?;
                copied += 1;
            }
            report.tables.push((table, copied));
        }
        if target.backend == Backend::Postgres {
            for table in NUMBERED_TABLES {
                sqlx::query(&format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                     COALESCE(MAX(id), 0) + 1, false) FROM {table}"
                ))
                .execute(&mut *tx)
                .await
                .context("moving the target's id counters past the copied rows")?;
            }
        }
        tx.commit().await.context("finishing the copy")?;
        Ok(report)
    }

    /// Fails when this store has a table the copy does not know.
    async fn check_every_table_is_known(&self) -> Result<(), StoreError> {
        let listing = match self.backend {
            Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite%' AND name NOT LIKE '\\_sqlx%' ESCAPE '\\'"
            }
            Backend::Postgres => {
                "SELECT CAST(tablename AS TEXT) FROM pg_tables WHERE schemaname = current_schema() \
                 AND tablename NOT LIKE '\\_sqlx%' ESCAPE '\\'"
            }
        };
        let tables: Vec<(String,)> = sqlx::query_as(listing)
            .fetch_all(&self.pool)
            .await
            .context("listing the source's tables")?;
        match tables
            .iter()
            .find(|(name,)| !TABLES.contains(&name.as_str()))
        {
            Some((unknown,)) => Err(StoreError::Corrupt(format!(
                "the table {unknown} would not be copied (missing from the copy's list)"
            ))),
            None => Ok(()),
        }
    }
}

/// The `INSERT` of a row of `table` with the columns of `row`, in its order.
fn insert_statement(table: &str, row: &AnyRow) -> String {
    let columns: Vec<&str> = row.columns().iter().map(|c| c.name()).collect();
    let placeholders: Vec<String> = (1..=columns.len()).map(|n| format!("${n}")).collect();
    format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        columns.join(", "),
        placeholders.join(", ")
    )
}

/// Inserts `row` into `table` of the target with `sql` (its [`insert_statement`]), each
/// value bound with the type its column has in the source.
async fn insert_row(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    table: &str,
    sql: &str,
    row: &AnyRow,
) -> Result<(), StoreError> {
    let mut insert = sqlx::query(sql);
    for (index, column) in row.columns().iter().enumerate() {
        let decoded = match column.type_info().kind() {
            AnyTypeInfoKind::SmallInt | AnyTypeInfoKind::Integer | AnyTypeInfoKind::BigInt => row
                .try_get::<Option<i64>, _>(index)
                .map(|value| insert.bind(value)),
            AnyTypeInfoKind::Real | AnyTypeInfoKind::Double => row
                .try_get::<Option<f64>, _>(index)
                .map(|value| insert.bind(value)),
            AnyTypeInfoKind::Blob => row
                .try_get::<Option<Vec<u8>>, _>(index)
                .map(|value| insert.bind(value)),
            AnyTypeInfoKind::Text => row
                .try_get::<Option<String>, _>(index)
                .map(|value| insert.bind(value)),
            _ => {
                return Err(StoreError::Corrupt(format!(
                    "{table}.{} has a type the copy does not know ({})",
                    column.name(),
                    column.type_info().name()
                )))
            }
        };
        insert = decoded.context("reading a value of the source store")?;
    }
    insert
        .execute(&mut **tx)
        .await
        .context("writing a row into the target store")?;
    Ok(())
}
