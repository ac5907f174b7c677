//! `tandem-relay site`: the websites this relay serves.

use super::open_store;
use anyhow::bail;
use tandem_relay::cli::{CornerArg, SiteArgs};
use tandem_relay::store::StoreLocation;
use tandem_relay::time::now_ms;
use tandem_shared::limits::validate_key;
use tandem_shared::site::{Corner, SiteSettings};

/// Creates a site or changes the settings given; its queues must exist.
pub(crate) async fn set_site(store: &StoreLocation, args: SiteArgs) -> anyhow::Result<()> {
    let store = open_store(store).await?;
    let key = validate_key(&args.key).map_err(|e| anyhow::anyhow!("site key: {e}"))?;
    let mut site = store
        .sites()
        .await?
        .into_iter()
        .find(|site| site.key == key)
        .unwrap_or_else(|| SiteSettings::new(&key, &key));
    let look = &mut site.appearance;
    let set = |text: Option<String>, into: &mut Option<String>| {
        if let Some(text) = text {
            *into = Some(text);
        }
    };
    set(args.launcher_text_fr, &mut look.launcher_text.fr);
    set(args.launcher_text_en, &mut look.launcher_text.en);
    set(args.greeting_fr, &mut look.greeting.fr);
    set(args.greeting_en, &mut look.greeting.en);
    if let Some(color) = args.color {
        look.color = color;
    }
    if let Some(position) = args.position {
        look.position = match position {
            CornerArg::Right => Corner::Right,
            CornerArg::Left => Corner::Left,
        };
    }
    if let Some(verified_only) = args.verified_only {
        site.verified_only = verified_only;
    }
    if let Some(name) = args.name {
        site.name = name;
    }
    if let Some(origins) = args.origins {
        site.origins = origins;
    }
    if let Some(queues) = args.queues {
        site.queues = queues;
    }
    let site = site.validated().map_err(|e| anyhow::anyhow!("site {e}"))?;
    if let Some(unknown) = tandem_relay::sites::unknown_queue(&store, &site).await? {
        bail!("there is no queue \"{unknown}\" (create it with `tandem-relay queue set`)");
    }
    let actor = tandem_relay::store::Actor::command_line();
    let audit = tandem_relay::store::Audit::of(&actor, "site.changed", "site", &site.key);
    store.upsert_site(&site, &audit, now_ms()).await?;
    if site.verified_only && site.identity_secret.is_none() {
        println!(
            "site {} takes verified visitors only: give it a secret (`tandem-relay site secret {}`) \
             or start the relay with --identity-secret, or nobody can chat",
            site.key, site.key
        );
    }
    println!(
        "site {} saved (a running relay picks it up on restart, or set it with PUT /api/v1/sites/{}); its tag:\n{}",
        site.key,
        site.key,
        site.snippet("https://YOUR-RELAY")
    );
    Ok(())
}

/// Prints the sites, each with the tag to paste.
pub(crate) async fn list_sites(store: &StoreLocation, relay_url: &str) -> anyhow::Result<()> {
    let store = open_store(store).await?;
    for site in store.sites().await? {
        let or_any = |list: &[String]| {
            if list.is_empty() {
                "any".to_owned()
            } else {
                list.join(", ")
            }
        };
        println!(
            "{}\t{}\torigins: {}\tqueues: {}\tcolour: {}\n  {}",
            site.key,
            site.name,
            or_any(&site.origins),
            or_any(&site.queues),
            site.appearance.color,
            site.snippet(relay_url)
        );
    }
    Ok(())
}

/// Sets or removes a site's identity secret, read from stdin.
pub(crate) async fn set_secret(store: &StoreLocation, key: &str) -> anyhow::Result<()> {
    let mut secret = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut secret)
        .map_err(|e| anyhow::anyhow!("reading the secret from stdin: {e}"))?;
    let secret = secret.trim();
    let min = tandem_relay::http::MIN_SECRET_CHARS;
    if !secret.is_empty() && secret.chars().count() < min {
        bail!("an identity secret has at least {min} characters");
    }
    let store = open_store(store).await?;
    let actor = tandem_relay::store::Actor::command_line();
    let (secret, action) = if secret.is_empty() {
        (None, "site.secret_removed")
    } else {
        (Some(secret), "site.secret_set")
    };
    let audit = tandem_relay::store::Audit::of(&actor, action, "site", key);
    if !store.set_site_identity_secret(key, secret, &audit).await? {
        bail!("no site has the key `{key}` (create it with `tandem-relay site set {key}`)");
    }
    match secret {
        Some(_) => {
            println!("site {key} signs user ids with its own secret (a running relay: restart it)")
        }
        None => println!("site {key} uses the relay's --identity-secret again"),
    }
    Ok(())
}
