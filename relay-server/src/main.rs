//! `tandem-relay`: serve, or manage advisers and API tokens.

use anyhow::{bail, Context};
use clap::Parser;
use std::io::Read;
use tandem_relay::auth::password::{hash_password, verify_password, MIN_PASSWORD_CHARS};
use tandem_relay::auth::secret::{random_token, token_hash};
use tandem_relay::cli::{
    AdviserCommand, ArticleCommand, Cli, Command, ContactCommand, CornerArg, LogFormat, QueueArgs,
    QueueCommand, ServeArgs, SiteArgs, SiteCommand, StoreCommand, TokenCommand,
};
use tandem_relay::config::{Config, Limits};
use tandem_relay::connectors::auth::Credentials;
use tandem_relay::connectors::hubspot::HubSpotConfig;
use tandem_relay::connectors::salesforce::SalesforceConfig;
use tandem_relay::hours::QueueSchedule;
use tandem_relay::mail::MailConfig;
use tandem_relay::store::{NewAdviser, QueueRow, Store, StoreLocation};
use tandem_relay::webhooks::WebhookConfig;
use tandem_relay::{server, time::now_ms};
use tandem_shared::limits::validate_key;
use tandem_shared::site::{Corner, SiteSettings};
use tracing_subscriber::EnvFilter;

/// mimalloc instead of glibc's allocator, because glibc keeps per-thread arenas and what
/// bursts (logins' argon2 work, a connect ramp) used.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_logs(cli.log_format);
    let store = cli.store_location();
    match cli.command {
        Command::Serve(args) => serve(&store, *args).await,
        Command::Adviser(AdviserCommand::Add {
            login,
            name,
            level,
            queues,
        }) => add_adviser(&store, &login, &name, level, &queues).await,
        Command::Queue(QueueCommand::Set(args)) => set_queue(&store, args).await,
        Command::Queue(QueueCommand::List) => list_queues(&store).await,
        Command::Adviser(AdviserCommand::Disable { login }) => {
            set_disabled(&store, &login, true).await
        }
        Command::Adviser(AdviserCommand::Enable { login }) => {
            set_disabled(&store, &login, false).await
        }
        Command::Token(TokenCommand::Create { name }) => create_token(&store, &name).await,
        Command::Token(TokenCommand::List) => list_tokens(&store).await,
        Command::Token(TokenCommand::Revoke { token }) => revoke_token(&store, &token).await,
        Command::Site(SiteCommand::Set(args)) => set_site(&store, args).await,
        Command::Site(SiteCommand::List { relay_url }) => list_sites(&store, &relay_url).await,
        Command::Backup { to } => backup(&store, &to).await,
        Command::Article(ArticleCommand::Add {
            id,
            locale,
            title,
            body,
        }) => add_article(&store, id.unwrap_or_default(), locale, title, body).await,
        Command::Article(ArticleCommand::List) => list_articles(&store).await,
        Command::Webhooks => webhook_status(&store).await,
        Command::Contact(ContactCommand::Erase { id }) => erase_contact(&store, &id).await,
        Command::Store(StoreCommand::Copy { to }) => copy_store(&store, &to).await,
    }
}

fn init_logs(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn serve(store: &StoreLocation, args: ServeArgs) -> anyhow::Result<()> {
    let nonzero = |n: u32| std::num::NonZeroU32::new(n.max(1)).unwrap_or(std::num::NonZeroU32::MIN);
    let limits = Limits {
        frame_bytes: args.max_frame_bytes,
        cobrowse_frame_bytes: args.max_cobrowse_frame_bytes,
        hard_frame_bytes: tandem_relay::config::hard_frame_bytes(
            args.max_frame_bytes,
            args.max_cobrowse_frame_bytes,
        ),
        frames_per_sec: nonzero(args.frames_per_sec),
        frame_burst: nonzero(args.frames_per_sec.saturating_mul(2)),
        cobrowse_frames_per_sec: nonzero(args.cobrowse_frames_per_sec),
        idle: std::time::Duration::from_secs(args.idle_timeout_secs.max(5)),
        connections_per_ip_per_min: nonzero(args.connections_per_minute),
        max_queue: args.max_queue,
        logins_per_min: nonzero(args.logins_per_minute),
        sockets_per_ip: args.sockets_per_address.max(1),
        tcp_per_ip: args.tcp_connections_per_address.max(1),
        hello_within: std::time::Duration::from_secs(args.hello_within_secs.max(1)),
        chats_per_ip_per_hour: nonzero(args.chats_per_address_per_hour),
        tickets_per_ip_per_hour: nonzero(args.messages_left_per_address_per_hour),
        uploads_per_ip_per_hour: nonzero(args.uploads_per_address_per_hour),
        header_read_timeout: std::time::Duration::from_secs(args.header_timeout_secs.max(1)),
        request_timeout: std::time::Duration::from_secs(args.request_timeout_secs.max(1)),
    };
    let config = Config {
        limits,
        allowed_origins: args.allowed_origins,
        trusted_proxies: args.trusted_proxies,
        identity_secret: args.identity_secret,
        assets_dir: args.assets,
        demo_dir: args.demo_site,
        secure_cookies: args.secure_cookies,
        webhook: args
            .webhook_url
            .zip(args.webhook_secret)
            .map(|(url, secret)| WebhookConfig::new(url, secret)),
        hubspot: hubspot_config(
            &args.hubspot_url,
            args.hubspot_token,
            args.hubspot_client_id
                .zip(args.hubspot_client_secret)
                .zip(args.hubspot_refresh_token),
        ),
        salesforce: args
            .salesforce_url
            .zip(args.salesforce_client_id)
            .zip(args.salesforce_client_secret)
            .map(|((url, id), secret)| SalesforceConfig {
                session_field: args.salesforce_session_field,
                case_queues: args.salesforce_case_queues,
                ..SalesforceConfig::new(&url, id, secret)
            }),
        mail: args
            .smtp_url
            .zip(args.mail_from)
            .map(|(url, from)| MailConfig { url, from }),
        abandon_after: std::time::Duration::from_secs(args.abandon_after_secs.max(10)),
        retention: (args.retention_days > 0)
            .then(|| std::time::Duration::from_secs(args.retention_days.saturating_mul(86_400))),
        cluster: args
            .cluster
            .map(|nats_url| tandem_relay::cluster::ClusterConfig {
                nats_url,
                advertise_url: args.advertise_url,
            }),
    };
    let state = server::prepare(store, config)
        .await
        .with_context(|| format!("opening the CRM store ({store})"))?;
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("listening on {}", args.addr))?;
    let addr = listener
        .local_addr()
        .context("reading the listening address")?;
    let state = server::join_cluster(state, store, addr)
        .await
        .context("joining the cluster")?;
    tracing::info!(%addr, %store, "Tandem relay listening");
    println!("Tandem relay on http://{addr}");
    println!("  adviser console: http://{addr}/console");
    if state.config.demo_dir.is_some() {
        println!("  demo site:       http://{addr}/demo/");
    }
    println!("  embed:           <script src=\"http://{addr}/widget.js\" async></script>");
    server::serve(listener, state, shutdown_signal())
        .await
        .context("serving")?;
    tracing::info!("relay stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

async fn add_adviser(
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
    let store = Store::connect(store)
        .await
        .with_context(|| format!("opening the CRM store ({store})"))?;
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

async fn set_queue(store: &StoreLocation, args: QueueArgs) -> anyhow::Result<()> {
    let row = QueueRow {
        key: validate_key(&args.key).map_err(|e| anyhow::anyhow!("queue key: {e}"))?,
        name_en: args.name_en,
        name_fr: args.name_fr,
        hours: args.hours,
        timezone: args.timezone,
        max_wait_secs: args.max_wait_secs,
        reply_within_hours: args.reply_within_hours,
        position: args.position,
    };
    QueueSchedule::new(row.clone())?;
    let store = Store::connect(store)
        .await
        .with_context(|| format!("opening the CRM store ({store})"))?;
    store.upsert_queue(&row).await?;
    println!("queue {} saved (a running relay picks it up on restart, or set it with PUT /api/v1/queues/{})", row.key, row.key);
    Ok(())
}

async fn list_queues(store: &StoreLocation) -> anyhow::Result<()> {
    let store = Store::connect(store)
        .await
        .with_context(|| format!("opening the CRM store ({store})"))?;
    for queue in store.queues().await? {
        println!(
            "{}\t{} / {}\thours: {} ({})",
            queue.key,
            queue.name_en,
            queue.name_fr,
            queue.hours.as_deref().unwrap_or("24/7"),
            queue.timezone
        );
    }
    Ok(())
}

async fn open_store(store: &StoreLocation) -> anyhow::Result<Store> {
    Store::connect(store)
        .await
        .with_context(|| format!("opening the CRM store ({store})"))
}

async fn set_site(store: &StoreLocation, args: SiteArgs) -> anyhow::Result<()> {
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
    let queues = store.queues().await?;
    if let Some(unknown) = site
        .queues
        .iter()
        .find(|k| !queues.iter().any(|q| &q.key == *k))
    {
        bail!("there is no queue \"{unknown}\" (create it with `tandem-relay queue set`)");
    }
    store.upsert_site(&site, now_ms()).await?;
    println!(
        "site {} saved (a running relay picks it up on restart, or set it with PUT /api/v1/sites/{}); its tag:\n{}",
        site.key,
        site.key,
        site.snippet("https://YOUR-RELAY")
    );
    Ok(())
}

async fn list_sites(store: &StoreLocation, relay_url: &str) -> anyhow::Result<()> {
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

async fn add_article(
    store: &StoreLocation,
    id: String,
    locale: String,
    title: String,
    body: String,
) -> anyhow::Result<()> {
    let article = tandem_shared::faq::Article {
        id,
        locale,
        title,
        body,
    }
    .validated()
    .map_err(|e| anyhow::anyhow!("article {e}"))?;
    let saved = open_store(store)
        .await?
        .save_article(article, now_ms())
        .await?;
    println!("article {} saved", saved.id);
    Ok(())
}

async fn list_articles(store: &StoreLocation) -> anyhow::Result<()> {
    for article in open_store(store).await?.articles().await? {
        println!("{}\t{}\t{}", article.id, article.locale, article.title);
    }
    Ok(())
}

async fn copy_store(from: &StoreLocation, to: &str) -> anyhow::Result<()> {
    let to = StoreLocation::parse(to);
    if &to == from {
        bail!("the source and the target are the same store ({to})");
    }
    let source = open_store(from).await?;
    let target = open_store(&to).await?;
    let report = source
        .copy_into(&target)
        .await
        .with_context(|| format!("copying {from} into {to}"))?;
    for (table, rows) in &report.tables {
        println!("{table:<24} {rows:>10} rows");
    }
    println!(
        "copied {} rows from {from} into {to}; start the relays with --store pointing at it",
        report.total_rows()
    );
    Ok(())
}

async fn backup(store: &StoreLocation, to: &std::path::Path) -> anyhow::Result<()> {
    if to.exists() {
        bail!("{} already exists; name a new file", to.display());
    }
    let store = open_store(store).await?;
    store
        .backup_to(to)
        .await
        .with_context(|| format!("copying the CRM to {}", to.display()))?;
    println!(
        "CRM copied to {} (a consistent copy, taken while the relay may run)",
        to.display()
    );
    Ok(())
}

async fn create_token(store: &StoreLocation, name: &str) -> anyhow::Result<()> {
    let store = Store::connect(store)
        .await
        .with_context(|| format!("opening the CRM store ({store})"))?;
    let token = random_token();
    store
        .create_api_token(name, &token_hash(&token), now_ms())
        .await?;
    println!("{token}");
    Ok(())
}

async fn list_tokens(store: &StoreLocation) -> anyhow::Result<()> {
    let store = Store::connect(store)
        .await
        .with_context(|| format!("opening the CRM store ({store})"))?;
    for token in store.api_tokens().await? {
        let created = chrono::DateTime::from_timestamp_millis(token.created_at)
            .map(|at| at.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default();
        println!("{}  {}  created {created}", token.id, token.name);
    }
    Ok(())
}

async fn revoke_token(store: &StoreLocation, token: &str) -> anyhow::Result<()> {
    let store = Store::connect(store)
        .await
        .with_context(|| format!("opening the CRM store ({store})"))?;
    match store.revoke_api_token(token).await? {
        0 => bail!("no API token has the id or name `{token}` (see `tandem-relay token list`)"),
        n => println!("revoked {n} token(s): they no longer open the API"),
    }
    Ok(())
}

async fn set_disabled(store: &StoreLocation, login: &str, disabled: bool) -> anyhow::Result<()> {
    let store = Store::connect(store)
        .await
        .with_context(|| format!("opening the CRM store ({store})"))?;
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

async fn erase_contact(store: &StoreLocation, id: &str) -> anyhow::Result<()> {
    let store = Store::connect(store)
        .await
        .with_context(|| format!("opening the CRM store ({store})"))?;
    let id = tandem_shared::ContactId(id.to_owned());
    if store.contact_has_open_conversation(&id).await? {
        anyhow::bail!("this contact has a chat waiting or in progress; erase it once it is over");
    }
    match store.erase_contact(&id, "cli", now_ms()).await? {
        Some(erasure) => {
            println!(
                "erased: {} sessions, {} tickets, {} webhook events",
                erasure.sessions, erasure.tickets, erasure.webhook_events
            );
            Ok(())
        }
        None => anyhow::bail!("no contact with this id"),
    }
}

/// The HubSpot connector's settings: a private app token, or an OAuth app (client id,
/// secret, refresh token).
fn hubspot_config(
    url: &str,
    token: Option<String>,
    oauth: Option<((String, String), String)>,
) -> Option<HubSpotConfig> {
    let credentials = match (token, oauth) {
        (Some(token), _) => Credentials::Fixed(token),
        (None, Some(((client_id, client_secret), refresh_token))) => Credentials::RefreshToken {
            token_url: HubSpotConfig::token_url(url),
            client_id,
            client_secret,
            refresh_token,
        },
        (None, None) => return None,
    };
    Some(HubSpotConfig::new(url, credentials))
}

async fn webhook_status(store: &StoreLocation) -> anyhow::Result<()> {
    let store = Store::connect(store)
        .await
        .with_context(|| format!("opening the CRM store ({store})"))?;
    for summary in store.outbox_summary().await? {
        println!(
            "{}: delivered {}, pending {}, failing {}",
            summary.destination, summary.delivered, summary.pending, summary.failing
        );
    }
    for item in store.pending_outbox(None, 20).await? {
        let error = item.last_error.as_deref().unwrap_or("not tried yet");
        println!(
            "  {} {} {} attempts={} last error: {error}",
            item.destination, item.event_id, item.kind, item.attempts
        );
    }
    Ok(())
}
