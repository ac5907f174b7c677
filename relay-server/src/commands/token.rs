//! `tandem-relay token`: create, list and revoke CRM API tokens.

use anyhow::bail;
use tandem_relay::auth::scope::TokenScope;
use tandem_relay::auth::secret::{random_token, token_hash};
use tandem_relay::store::StoreLocation;
use tandem_relay::time::now_ms;

/// Creates an API token with a scope and prints it, once.
pub(crate) async fn create_token(
    store: &StoreLocation,
    name: &str,
    scope: TokenScope,
) -> anyhow::Result<()> {
    let store = super::open_store(store).await?;
    let token = random_token();
    store
        .create_api_token(
            name,
            scope,
            &token_hash(&token),
            &tandem_relay::store::Actor::command_line(),
            now_ms(),
        )
        .await?;
    println!("{token}");
    Ok(())
}

/// Prints the API tokens (never the tokens themselves).
pub(crate) async fn list_tokens(store: &StoreLocation) -> anyhow::Result<()> {
    let store = super::open_store(store).await?;
    for token in store.api_tokens().await? {
        let created = chrono::DateTime::from_timestamp_millis(token.created_at)
            .map(|at| at.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default();
        println!(
            "{}  {}  {}  created {created}",
            token.id,
            token.name,
            token.scope().as_str()
        );
    }
    Ok(())
}

/// Revokes the API tokens with this id or name.
pub(crate) async fn revoke_token(store: &StoreLocation, token: &str) -> anyhow::Result<()> {
    let store = super::open_store(store).await?;
    match store
        .revoke_api_token(token, &tandem_relay::store::Actor::command_line())
        .await?
    {
        0 => bail!("no API token has the id or name `{token}` (see `tandem-relay token list`)"),
        n => println!("revoked {n} token(s): they no longer open the API"),
    }
    Ok(())
}
