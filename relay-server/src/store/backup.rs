//! A consistent copy of the CRM file while the relay runs (`VACUUM INTO`).

use super::{Backend, Context, Store, StoreError};
use std::path::Path;

impl Store {
    /// Writes a compact, consistent copy of the whole database to `to` (which must not
    /// exist). Readers and writers go on meanwhile; the copy is the state at one instant.
    /// A PostgreSQL store is backed up with PostgreSQL's own tools (`pg_dump`).
    pub async fn backup_to(&self, to: &Path) -> Result<(), StoreError> {
        if self.backend == Backend::Postgres {
            return Err(StoreError::Unsupported(
                "a PostgreSQL store is backed up with pg_dump, not by the relay",
            ));
        }
        let target = to
            .to_str()
            .ok_or_else(|| StoreError::BadPath(to.display().to_string()))?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.pool)
            .await
            .context("copying the database")?;
        Ok(())
    }
}
