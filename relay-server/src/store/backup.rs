//! A consistent copy of the CRM file while the relay runs (`VACUUM INTO`).

use super::{Context, Store, StoreError};
use std::path::Path;

impl Store {
    /// Writes a compact, consistent copy of the whole database to `to` (which must not
    /// exist). Readers and writers go on meanwhile; the copy is the state at one instant.
    pub async fn backup_to(&self, to: &Path) -> Result<(), StoreError> {
        let target = to
            .to_str()
            .ok_or_else(|| StoreError::BadPath(to.display().to_string()))?;
        sqlx::query("VACUUM INTO ?")
            .bind(target)
            .execute(&self.pool)
            .await
            .context("copying the database")?;
        Ok(())
    }
}
