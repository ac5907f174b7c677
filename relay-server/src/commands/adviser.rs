//! `tandem-relay adviser`: create an adviser or change their password, give them a role,
//! list them, disable or enable them.

use anyhow::{bail, Context};
use std::io::Read;
use tandem_relay::auth::password::{hash_password, verify_password, MIN_PASSWORD_CHARS};
use tandem_relay::store::{AccountChangeError, Actor, NewAdviser, StoreLocation};
use tandem_relay::time::now_ms;
use tandem_shared::access::AdviserRole;
use tandem_shared::limits::validate_key;

/// An adviser account as typed on the command line.
pub(crate) struct Account<'a> {
    /// Login name.
    pub login: &'a str,
    /// Name shown to visitors.
    pub name: &'a str,
    /// Service level, 1 to 3.
    pub level: u8,
    /// Queues served; all when empty.
    pub queues: &'a [String],
    /// Role of a new account.
    pub role: AdviserRole,
}

/// Creates an adviser, or changes their name and password (read from stdin); a new password
/// ends every login of theirs. The first account of an empty store is admin.
pub(crate) async fn add_adviser(store: &StoreLocation, account: Account<'_>) -> anyhow::Result<()> {
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .context("reading the password from stdin")?;
    let password = password.trim_end_matches(['\r', '\n']);
    if password.chars().count() < MIN_PASSWORD_CHARS {
        bail!("the password must have at least {MIN_PASSWORD_CHARS} characters");
    }
    let login = account.login.trim();
    if login.is_empty() || account.name.trim().is_empty() {
        bail!("--login and --name must not be empty");
    }
    let queues = account
        .queues
        .iter()
        .map(|q| validate_key(q).map_err(|e| anyhow::anyhow!("queue `{q}`: {e}")))
        .collect::<anyhow::Result<Vec<String>>>()?;
    let hash = hash_password(password)?;
    let store = super::open_store(store).await?;
    let password_changed = store
        .adviser_by_login(login)
        .await?
        .is_some_and(|old| !verify_password(password, &old.password_hash));
    let saved = store
        .upsert_adviser(
            NewAdviser {
                login,
                display_name: account.name.trim(),
                password_hash: &hash,
                role: account.role,
            },
            &Actor::command_line(),
            now_ms(),
        )
        .await?;
    if password_changed {
        // A new password logs the adviser out everywhere (a stolen session ends with it).
        store.end_adviser_logins(&saved.id).await?;
        println!("password changed: every login of {login} ended");
    }
    store
        .set_adviser_service(&saved.id, account.level, &queues)
        .await?;
    let serves = if queues.is_empty() {
        "every queue".to_owned()
    } else {
        queues.join(", ")
    };
    println!(
        "adviser {login} saved: {}, level {}, serves {serves}",
        saved.role.as_str(),
        account.level
    );
    if saved.created && saved.role != account.role {
        println!("the first account of a store is admin: it manages the others");
    } else if !saved.created && saved.role != account.role {
        println!(
            "{login} keeps the role {}; change it with `tandem-relay adviser set-role {login} {}`",
            saved.role.as_str(),
            account.role.as_str()
        );
    }
    Ok(())
}

/// Gives an adviser another role (their logins end).
pub(crate) async fn set_role(
    store: &StoreLocation,
    login: &str,
    role: AdviserRole,
) -> anyhow::Result<()> {
    let store = super::open_store(store).await?;
    match store
        .set_adviser_role(login, role, &Actor::command_line())
        .await
    {
        Ok(_) => {
            println!(
                "{login} is now {}: their logins ended and their consoles close",
                role.as_str()
            );
            Ok(())
        }
        Err(AccountChangeError::UnknownLogin) => bail!("no adviser has the login `{login}`"),
        Err(AccountChangeError::LastAdmin) => {
            bail!("{login} is the last enabled admin: make another adviser admin first")
        }
        Err(AccountChangeError::Store(e)) => Err(e.into()),
    }
}

/// Prints every enabled adviser: login, role, level, queues, name.
pub(crate) async fn list_advisers(store: &StoreLocation) -> anyhow::Result<()> {
    let store = super::open_store(store).await?;
    for adviser in store.advisers().await? {
        let profile = adviser.profile();
        let queues = if profile.queues.is_empty() {
            "every queue".to_owned()
        } else {
            profile.queues.join(",")
        };
        println!(
            "{}  {}  level {}  {queues}  {}",
            profile.login,
            profile.role.as_str(),
            profile.level,
            profile.display_name
        );
    }
    Ok(())
}

/// Disables an adviser (their logins end) or lets them log in again.
pub(crate) async fn set_disabled(
    store: &StoreLocation,
    login: &str,
    disabled: bool,
) -> anyhow::Result<()> {
    let store = super::open_store(store).await?;
    match store
        .set_adviser_disabled(login, disabled, &Actor::command_line(), now_ms())
        .await
    {
        Ok(_) if disabled => {
            println!("adviser {login} disabled: their logins ended and their consoles close");
            Ok(())
        }
        Ok(_) => {
            println!("adviser {login} may log in again");
            Ok(())
        }
        Err(AccountChangeError::UnknownLogin) => bail!("no adviser has the login `{login}`"),
        Err(AccountChangeError::LastAdmin) => {
            bail!("{login} is the last enabled admin: make another adviser admin first")
        }
        Err(AccountChangeError::Store(e)) => Err(e.into()),
    }
}
