//! `tandem-relay adviser`: create an adviser or change their password, disable or enable them.

use anyhow::{bail, Context};
use std::io::Read;
use tandem_relay::auth::password::{hash_password, verify_password, MIN_PASSWORD_CHARS};
use tandem_relay::store::{NewAdviser, StoreLocation};
use tandem_relay::time::now_ms;
use tandem_shared::limits::validate_key;

/// Creates an adviser, or changes their name and password (read from stdin); a new password
/// ends every login of theirs.
pub(crate) async fn add_adviser(
    store: &StoreLocation,
    login: &str,
    name: &str,
    level: u8,
    queues: &[String],
) -> anyhow::Result<()> {
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .context("reading the password from stdin")?;
    let password = password.trim_end_matches(['\r', '\n']);
    if password.chars().count() < MIN_PASSWORD_CHARS {
        bail!("the password must have at least {MIN_PASSWORD_CHARS} characters");
    }
    if login.trim().is_empty() || name.trim().is_empty() {
        bail!("--login and --name must not be empty");
    }
    let hash = hash_password(password)?;
    let store = super::open_store(store).await?;
    let adviser = NewAdviser {
        login: login.trim(),
        display_name: name.trim(),
        password_hash: &hash,
    };
    let password_changed = store
        .adviser_by_login(login.trim())
        .await?
        .is_some_and(|old| !verify_password(password, &old.password_hash));
    let id = store.upsert_adviser(adviser, now_ms()).await?;
    if password_changed {
        // A new password logs the adviser out everywhere (a stolen session ends with it).
        store.end_adviser_logins(&id).await?;
        println!("password changed: every login of {} ended", login.trim());
    }
    let queues = queues
        .iter()
        .map(|q| validate_key(q).map_err(|e| anyhow::anyhow!("queue `{q}`: {e}")))
        .collect::<anyhow::Result<Vec<String>>>()?;
    store.set_adviser_service(&id, level, &queues).await?;
    let serves = if queues.is_empty() {
        "every queue".to_owned()
    } else {
        queues.join(", ")
    };
    println!(
        "adviser {} saved: level {level}, serves {serves}",
        login.trim()
    );
    Ok(())
}

/// Disables an adviser (their logins end) or lets them log in again.
pub(crate) async fn set_disabled(
    store: &StoreLocation,
    login: &str,
    disabled: bool,
) -> anyhow::Result<()> {
    let store = super::open_store(store).await?;
    if store
        .set_adviser_disabled(login, disabled, now_ms())
        .await?
        .is_none()
    {
        bail!("no adviser has the login `{login}`");
    }
    if disabled {
        println!("adviser {login} disabled: their logins ended and their consoles close");
    } else {
        println!("adviser {login} may log in again");
    }
    Ok(())
}
