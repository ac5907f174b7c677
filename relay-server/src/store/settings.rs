//! Relay settings kept in the database, such as the secret that signs visitor tokens.

use super::{Context, Store, StoreError};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use rand::RngCore;

impl Store {
    /// The 32-byte secret named `key`, created at random the first time it is asked for, so
    /// tokens signed with it stay valid across restarts.
    pub async fn secret(&self, key: &str) -> Result<Vec<u8>, StoreError> {
        let mut fresh = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut fresh);
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(B64.encode(fresh))
        .execute(&self.pool)
        .await
        .context("creating a secret")?;
        let (value,): (String,) = sqlx::query_as("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_one(&self.pool)
            .await
            .context("reading a secret")?;
        B64.decode(value)
            .map_err(|_| StoreError::Corrupt(format!("setting {key}")))
    }
}
