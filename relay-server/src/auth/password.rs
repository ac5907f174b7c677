//! Adviser passwords, hashed with argon2.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use std::sync::OnceLock;
use tokio::sync::{AcquireError, Semaphore, SemaphorePermit};

/// A password could not be hashed.
#[derive(Debug, thiserror::Error)]
#[error("could not hash the password: {0}")]
pub struct HashError(String);

/// Shortest password accepted for an adviser account.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Longest password checked or set: argon2 reads all of it, so a huge one would cost CPU.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// The argon2 PHC string of `password`, with a fresh salt.
pub fn hash_password(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// True when `password` matches the stored PHC string.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Spends the same time as a real check, so a wrong login cannot be told from a wrong password
/// by timing.
pub fn verify_against_nothing(password: &str) {
    const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0Mv2f1zjXdmxNnVuhAKm3YjYxC9Xq3W0J9Jd0aHb7nU";
    let _ = verify_password(password, DUMMY);
}

/// Waits for a turn to check a password: one check per core at a time, because each argon2
/// check takes tens of MiB and a whole core, so a burst of logins (a shift starting, a login
/// flood) waits its turn instead of growing the relay's memory and starving the chat.
pub async fn password_check_turn() -> Result<SemaphorePermit<'static>, AcquireError> {
    static TURNS: OnceLock<Semaphore> = OnceLock::new();
    TURNS
        .get_or_init(|| {
            Semaphore::new(std::thread::available_parallelism().map_or(2, |cores| cores.get()))
        })
        .acquire()
        .await
}
