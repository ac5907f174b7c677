//! The command line: `serve`, `adviser add`/`set-role`/`list`, `token create`, `queue set`,
//! `queue list`, `site set`, `site list`, `webhooks`, `contact erase`, `backup`, `store copy`.

use crate::auth::scope::TokenScope;
use crate::store::StoreLocation;
use clap::{Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;
use tandem_shared::access::AdviserRole;

/// Tandem relay: live chat between website visitors and advisers, logged to a CRM.
#[derive(Debug, Parser)]
#[command(name = "tandem-relay", version, about)]
pub struct Cli {
    /// The CRM store: an SQLite file (created if missing; the default `./tandem.db`) or a
    /// PostgreSQL database (`postgres://user:password@host:port/database`). `--db` and
    /// `TANDEM_DB` are the older names, still read.
    #[arg(long, alias = "db", env = "TANDEM_STORE", global = true)]
    pub store: Option<String>,
    /// Log format.
    #[arg(long, env = "TANDEM_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// Where the CRM store is: `--store`, else `TANDEM_STORE`, else the older `TANDEM_DB`,
    /// else `./tandem.db`.
    pub fn store_location(&self) -> StoreLocation {
        let text = self
            .store
            .clone()
            .or_else(|| std::env::var("TANDEM_DB").ok())
            .unwrap_or_else(|| DEFAULT_STORE.to_owned());
        StoreLocation::parse(&text)
    }
}

/// The SQLite file used when no store is named.
pub const DEFAULT_STORE: &str = "./tandem.db";

/// How log lines are written.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// The relay's commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the relay.
    Serve(Box<ServeArgs>),
    /// Manage adviser accounts.
    #[command(subcommand)]
    Adviser(AdviserCommand),
    /// Manage CRM API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manage the queues visitors pick from (topics, business hours).
    #[command(subcommand)]
    Queue(QueueCommand),
    /// Manage the websites this relay serves (key, allowed origins, queues, look).
    #[command(subcommand)]
    Site(SiteCommand),
    /// Manage the knowledge base suggested to visitors before they chat.
    #[command(subcommand)]
    Article(ArticleCommand),
    /// Show the webhook outbox: delivered, pending, failing events.
    Webhooks,
    /// Copy the CRM database to a file, consistently, while the relay runs.
    Backup {
        /// The copy to write (must not exist).
        #[arg(long)]
        to: PathBuf,
    },
    /// Contacts: erase one (right to be forgotten).
    #[command(subcommand)]
    Contact(ContactCommand),
    /// The CRM store itself: move it to PostgreSQL.
    #[command(subcommand)]
    Store(StoreCommand),
}

/// Store commands.
#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Copy every row of the store named by `--store` (an SQLite file) into another, new and
    /// empty store (a PostgreSQL database, migrated first), all or nothing. Stop the relay
    /// first: what it writes during the copy would be missing from the target.
    Copy {
        /// The target: `postgres://user:password@host:port/database`.
        #[arg(long)]
        to: String,
    },
}

/// Contact commands.
#[derive(Debug, Subcommand)]
pub enum ContactCommand {
    /// Erase a contact and everything of theirs (sessions, transcripts, tickets, queued
    /// webhook events); the erasure itself is logged, without their data.
    Erase {
        /// The contact's id (from the CRM API or the console).
        #[arg(long)]
        id: String,
    },
}

/// Knowledge-base commands.
#[derive(Debug, Subcommand)]
pub enum ArticleCommand {
    /// Adds an article (a running relay offers it after a restart; the console and the API
    /// apply changes at once).
    Add {
        /// Its id, to replace an existing article (a new id when absent).
        #[arg(long)]
        id: Option<String>,
        /// Language of its readers: fr or en.
        #[arg(long)]
        locale: String,
        /// The question it answers, as a visitor would ask it.
        #[arg(long)]
        title: String,
        /// The answer.
        #[arg(long)]
        body: String,
    },
    /// Lists the articles.
    List,
}

/// Site commands.
#[derive(Debug, Subcommand)]
pub enum SiteCommand {
    /// Create a site or change some of its settings (options not given keep their value).
    Set(SiteArgs),
    /// Set the secret this site signs user ids with (read from stdin, 16 characters or
    /// more; empty removes it: the relay's --identity-secret applies again).
    Secret {
        /// The site's key.
        key: String,
    },
    /// List the sites with the tag to paste in their pages.
    List {
        /// The relay's public address, for the tags (https://chat.example.com).
        #[arg(long, default_value = "http://127.0.0.1:8080")]
        relay_url: String,
    },
}

/// A site's settings.
#[derive(Debug, clap::Args)]
pub struct SiteArgs {
    /// Key named by the tag's data-site (lower-case letters, digits, - and _).
    pub key: String,
    /// Name shown to advisers.
    #[arg(long)]
    pub name: Option<String>,
    /// Origins whose pages may open chats (comma-separated, https://www.example.com);
    /// an empty value allows any.
    #[arg(long, value_delimiter = ',')]
    pub origins: Option<Vec<String>>,
    /// Queues offered on this site (comma-separated keys); an empty value offers all.
    #[arg(long, value_delimiter = ',')]
    pub queues: Option<Vec<String>>,
    /// Launcher and button colour (#rrggbb).
    #[arg(long)]
    pub color: Option<String>,
    /// Corner of the launcher: right or left.
    #[arg(long, value_enum)]
    pub position: Option<CornerArg>,
    /// Launcher text for French-speaking visitors.
    #[arg(long)]
    pub launcher_text_fr: Option<String>,
    /// Launcher text for English-speaking visitors.
    #[arg(long)]
    pub launcher_text_en: Option<String>,
    /// Greeting at the top of the panel, in French.
    #[arg(long)]
    pub greeting_fr: Option<String>,
    /// Greeting at the top of the panel, in English.
    #[arg(long)]
    pub greeting_en: Option<String>,
    /// Only visitors whose user id the site signed may start a chat or leave a message
    /// (identity verification; docs/embedding.md).
    #[arg(long)]
    pub verified_only: Option<bool>,
}

/// The launcher's corner.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CornerArg {
    /// Bottom right.
    Right,
    /// Bottom left.
    Left,
}

/// Queue commands.
#[derive(Debug, Subcommand)]
pub enum QueueCommand {
    /// Create or change a queue.
    Set(QueueArgs),
    /// List the queues.
    List,
}

/// A queue's settings.
#[derive(Debug, clap::Args)]
pub struct QueueArgs {
    /// Key (lower-case letters, digits, - and _), e.g. `billing`.
    pub key: String,
    /// Name shown to English-speaking visitors.
    #[arg(long)]
    pub name_en: String,
    /// Name shown to French-speaking visitors.
    #[arg(long)]
    pub name_fr: String,
    /// Business hours, as an OpenStreetMap opening_hours expression
    /// ("Mo-Fr 09:00-18:00; Sa 10:00-12:00"); always open when absent.
    #[arg(long)]
    pub hours: Option<String>,
    /// The time zone of the hours (IANA name).
    #[arg(long, default_value = "UTC")]
    pub timezone: String,
    /// Above this estimated wait (seconds), visitors are offered a message or a callback.
    #[arg(long)]
    pub max_wait_secs: Option<i64>,
    /// Messages left are answered within this many hours (the acknowledgement says so).
    #[arg(long, default_value_t = 24)]
    pub reply_within_hours: i64,
    /// Order in the widget's list.
    #[arg(long, default_value_t = 0)]
    pub position: i64,
}

/// Options of `serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "TANDEM_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Folder of the built widget and console.
    #[arg(long, env = "TANDEM_ASSETS", default_value = "dist")]
    pub assets: PathBuf,
    /// A demo site to serve under /demo/.
    #[arg(long, env = "TANDEM_DEMO_SITE")]
    pub demo_site: Option<PathBuf>,
    /// Mark the console cookie Secure (when served over HTTPS).
    #[arg(long, env = "TANDEM_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Sites whose pages may open chats (comma-separated origins such as
    /// https://www.example.com); any site when empty.
    #[arg(long, env = "TANDEM_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,
    /// Reverse proxies in front of the relay (comma-separated IP addresses): their
    /// X-Forwarded-For gives the visitor's address for the per-address limits.
    #[arg(long, env = "TANDEM_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Secret the site's server signs logged-in users' ids with (identity verification).
    #[arg(long, env = "TANDEM_IDENTITY_SECRET", hide_env_values = true)]
    pub identity_secret: Option<String>,
    /// Single sign-on for advisers: the OpenID provider's issuer URL (with --oidc-client-id
    /// and --oidc-client-secret).
    #[arg(long, env = "TANDEM_OIDC_ISSUER", requires_all = ["oidc_client_id", "oidc_client_secret"])]
    pub oidc_issuer: Option<String>,
    /// This relay's client id at the OpenID provider.
    #[arg(long, env = "TANDEM_OIDC_CLIENT_ID", requires = "oidc_issuer")]
    pub oidc_client_id: Option<String>,
    /// This relay's client secret at the OpenID provider.
    #[arg(
        long,
        env = "TANDEM_OIDC_CLIENT_SECRET",
        hide_env_values = true,
        requires = "oidc_issuer"
    )]
    pub oidc_client_secret: Option<String>,
    /// The claim (and scope) giving an adviser's role: adviser, supervisor or admin, or a
    /// list of them (the highest counts); adviser when absent.
    #[arg(long, env = "TANDEM_OIDC_ROLE_CLAIM", default_value = "tandem_role")]
    pub oidc_role_claim: String,
    /// Where the provider sends advisers back
    /// (`https://chat.example.com/api/v1/auth/oidc/callback`); from the request's host when
    /// absent.
    #[arg(long, env = "TANDEM_OIDC_REDIRECT_URL")]
    pub oidc_redirect_url: Option<String>,
    /// Advisers may log in with a password (`false` leaves single sign-on only).
    #[arg(long, env = "TANDEM_PASSWORD_LOGIN", default_value_t = true, action = clap::ArgAction::Set)]
    pub password_login: bool,
    /// Largest frame accepted from a client, in bytes.
    #[arg(long, env = "TANDEM_MAX_FRAME_BYTES", default_value_t = 64 * 1024)]
    pub max_frame_bytes: usize,
    /// Frames a client may send per second (bursts of twice as many).
    #[arg(long, env = "TANDEM_FRAMES_PER_SEC", default_value_t = 20)]
    pub frames_per_sec: u32,
    /// Largest co-browsing frame (page snapshot) accepted, in bytes.
    #[arg(long, env = "TANDEM_MAX_COBROWSE_FRAME_BYTES", default_value_t = crate::config::DEFAULT_COBROWSE_FRAME_BYTES)]
    pub max_cobrowse_frame_bytes: usize,
    /// Co-browsing frames a client may send per second (bursts of twice as many).
    #[arg(long, env = "TANDEM_COBROWSE_FRAMES_PER_SEC", default_value_t = 60)]
    pub cobrowse_frames_per_sec: u32,
    /// WebSocket connections one IP address may open per minute.
    #[arg(long, env = "TANDEM_CONNECTIONS_PER_MINUTE", default_value_t = 120)]
    pub connections_per_minute: u32,
    /// Console login attempts per minute, per login name and per IP address.
    #[arg(long, env = "TANDEM_LOGINS_PER_MINUTE", default_value_t = 5)]
    pub logins_per_minute: u32,
    /// Visitors who may wait in the queue at once.
    #[arg(long, env = "TANDEM_MAX_QUEUE", default_value_t = 500)]
    pub max_queue: usize,
    /// WebSockets one address may hold open at once.
    #[arg(long, env = "TANDEM_SOCKETS_PER_ADDRESS", default_value_t = 40)]
    pub sockets_per_address: u32,
    /// TCP connections one address may hold open at once (trusted proxies excepted).
    #[arg(
        long,
        env = "TANDEM_TCP_CONNECTIONS_PER_ADDRESS",
        default_value_t = 256
    )]
    pub tcp_connections_per_address: u32,
    /// Seconds a new WebSocket has to say hello before it is closed.
    #[arg(long, env = "TANDEM_HELLO_WITHIN_SECS", default_value_t = 10)]
    pub hello_within_secs: u64,
    /// Chats one address may start per hour.
    #[arg(long, env = "TANDEM_CHATS_PER_ADDRESS_PER_HOUR", default_value_t = 20)]
    pub chats_per_address_per_hour: u32,
    /// Messages left and callbacks booked per address per hour.
    #[arg(
        long,
        env = "TANDEM_MESSAGES_LEFT_PER_ADDRESS_PER_HOUR",
        default_value_t = 10
    )]
    pub messages_left_per_address_per_hour: u32,
    /// Files one address may upload per hour.
    #[arg(
        long,
        env = "TANDEM_UPLOADS_PER_ADDRESS_PER_HOUR",
        default_value_t = 60
    )]
    pub uploads_per_address_per_hour: u32,
    /// Seconds a client has to send a request's headers.
    #[arg(long, env = "TANDEM_HEADER_TIMEOUT_SECS", default_value_t = 10)]
    pub header_timeout_secs: u64,
    /// Seconds a request (its body included) may take before it gets 408.
    #[arg(long, env = "TANDEM_REQUEST_TIMEOUT_SECS", default_value_t = 60)]
    pub request_timeout_secs: u64,
    /// Seconds without any frame (pongs count) before a client is disconnected.
    #[arg(long, env = "TANDEM_IDLE_TIMEOUT_SECS", default_value_t = 75)]
    pub idle_timeout_secs: u64,
    /// Send CRM events (JSON, signed) to this URL.
    #[arg(long, env = "TANDEM_WEBHOOK_URL", requires = "webhook_secret")]
    pub webhook_url: Option<String>,
    /// The secret that signs webhook bodies (HMAC-SHA256).
    #[arg(long, env = "TANDEM_WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<String>,
    /// HubSpot private app token: log sessions and contacts in HubSpot.
    #[arg(long, env = "TANDEM_HUBSPOT_TOKEN", hide_env_values = true)]
    pub hubspot_token: Option<String>,
    /// HubSpot OAuth app instead of a private app token: client id (with
    /// --hubspot-client-secret and --hubspot-refresh-token).
    #[arg(
        long,
        env = "TANDEM_HUBSPOT_CLIENT_ID",
        requires_all = ["hubspot_client_secret", "hubspot_refresh_token"],
        conflicts_with = "hubspot_token"
    )]
    pub hubspot_client_id: Option<String>,
    /// HubSpot OAuth app's client secret.
    #[arg(long, env = "TANDEM_HUBSPOT_CLIENT_SECRET", hide_env_values = true)]
    pub hubspot_client_secret: Option<String>,
    /// HubSpot OAuth refresh token of the installed app.
    #[arg(long, env = "TANDEM_HUBSPOT_REFRESH_TOKEN", hide_env_values = true)]
    pub hubspot_refresh_token: Option<String>,
    /// HubSpot API root.
    #[arg(
        long,
        env = "TANDEM_HUBSPOT_URL",
        default_value = "https://api.hubapi.com"
    )]
    pub hubspot_url: String,
    /// Salesforce org (My Domain URL, https://acme.my.salesforce.com): log sessions as Tasks
    /// or Cases (with --salesforce-client-id and --salesforce-client-secret).
    #[arg(
        long,
        env = "TANDEM_SALESFORCE_URL",
        requires_all = ["salesforce_client_id", "salesforce_client_secret"]
    )]
    pub salesforce_url: Option<String>,
    /// Salesforce connected app's consumer key (client-credentials flow).
    #[arg(long, env = "TANDEM_SALESFORCE_CLIENT_ID")]
    pub salesforce_client_id: Option<String>,
    /// Salesforce connected app's consumer secret.
    #[arg(long, env = "TANDEM_SALESFORCE_CLIENT_SECRET", hide_env_values = true)]
    pub salesforce_client_secret: Option<String>,
    /// External-id field on Task and Case holding Tandem's session id.
    #[arg(
        long,
        env = "TANDEM_SALESFORCE_SESSION_FIELD",
        default_value = "Tandem_Session_Id__c"
    )]
    pub salesforce_session_field: String,
    /// Queues whose sessions are complaints, logged in Salesforce as Cases (comma-separated).
    #[arg(
        long,
        env = "TANDEM_SALESFORCE_CASE_QUEUES",
        value_delimiter = ',',
        default_value = "complaints"
    )]
    pub salesforce_case_queues: Vec<String>,
    /// Email ticket answers through this SMTP server: smtp://host:25 (plain),
    /// smtp://user:pass@host:587?tls=required (STARTTLS) or smtps://host (TLS).
    #[arg(
        long,
        env = "TANDEM_SMTP_URL",
        hide_env_values = true,
        requires = "mail_from"
    )]
    pub smtp_url: Option<String>,
    /// The sender of those emails, e.g. "Acme support <support@acme.example>".
    #[arg(long, env = "TANDEM_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// A waiting visitor gone (no connection) this many seconds has left: the request counts
    /// as abandoned and becomes a ticket.
    #[arg(long, env = "TANDEM_ABANDON_AFTER_SECS", default_value_t = 600)]
    pub abandon_after_secs: u64,
    /// Delete the transcripts of sessions ended more than this many days ago (0 keeps them).
    #[arg(long, env = "TANDEM_RETENTION_DAYS", default_value_t = 0)]
    pub retention_days: u64,
    /// Delete audit entries older than this many days (0 keeps them); the audit trail's own
    /// retention, apart from transcripts'.
    #[arg(long, env = "TANDEM_AUDIT_DAYS", default_value_t = 365)]
    pub audit_days: u64,
    /// Join several nodes through this NATS server (`nats://host:4222`; several,
    /// comma-separated): one leads and runs the hub, the others forward their clients to it.
    /// Needs a PostgreSQL store shared by every node.
    #[arg(long, env = "TANDEM_CLUSTER")]
    pub cluster: Option<String>,
    /// Where the other nodes reach this node's HTTP address (default: `http://` and the
    /// listening address, which must then be reachable from them).
    #[arg(long, env = "TANDEM_ADVERTISE_URL", requires = "cluster")]
    pub advertise_url: Option<String>,
}

/// Adviser account commands.
#[derive(Debug, Subcommand)]
pub enum AdviserCommand {
    /// Create an adviser (or reset their name and password); the password is read from stdin.
    Add {
        /// Login name.
        #[arg(long)]
        login: String,
        /// Name shown to visitors.
        #[arg(long)]
        name: String,
        /// Service level: 1 general, 2 trained, 3 expert.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=3))]
        level: u8,
        /// Queues served (comma-separated keys); every queue when absent.
        #[arg(long, value_delimiter = ',')]
        queues: Vec<String>,
        /// Role of a new account: adviser, supervisor or admin (docs/roles.md). The first
        /// account of an empty store is admin. An existing account keeps theirs (see
        /// `set-role`).
        #[arg(long, default_value = "adviser", value_parser = parse_role)]
        role: AdviserRole,
    },
    /// Give an adviser another role; their logins end (they log in again with it). The
    /// last enabled admin keeps theirs.
    SetRole {
        /// Login name.
        login: String,
        /// adviser, supervisor or admin.
        #[arg(value_parser = parse_role)]
        role: AdviserRole,
    },
    /// List the advisers: login, name, role, level, queues.
    List,
    /// Disable an adviser: they can no longer log in, every login of theirs ends and their
    /// open consoles close within seconds (their chats go back to the queue).
    Disable {
        /// Login name.
        login: String,
    },
    /// Let a disabled adviser log in again.
    Enable {
        /// Login name.
        login: String,
    },
}

/// API token commands.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token for the CRM API and print it (it is shown once).
    Create {
        /// What the token is for.
        #[arg(long)]
        name: String,
        /// What it may do: read (the CRM), write (also contacts, notes, canned answers,
        /// articles) or admin (also sites, queues, erasure, the audit trail).
        #[arg(long, default_value = "read", value_parser = parse_scope)]
        scope: TokenScope,
    },
    /// List the tokens (id, name, creation date; never the token itself).
    List,
    /// Revoke a token by id or name: it stops working at once, on every node.
    Revoke {
        /// The token's id or name.
        token: String,
    },
}

/// Reads a role typed on the command line.
fn parse_role(name: &str) -> Result<AdviserRole, String> {
    AdviserRole::parse(name).ok_or_else(|| "a role is adviser, supervisor or admin".to_owned())
}

/// Reads a token scope typed on the command line.
fn parse_scope(name: &str) -> Result<TokenScope, String> {
    TokenScope::parse(name).ok_or_else(|| "a scope is read, write or admin".to_owned())
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    /// docs/configuration.md must name every flag and environment variable of `serve`, so
    /// the reference cannot silently fall behind the code.
    #[test]
    fn the_configuration_reference_lists_every_serve_option() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/configuration.md");
        let reference = std::fs::read_to_string(path).unwrap_or_default();
        assert!(!reference.is_empty(), "{path} is missing");
        let command = Cli::command();
        let serve = command
            .find_subcommand("serve")
            .into_iter()
            .chain([&command]);
        let mut missing = Vec::new();
        for cmd in serve {
            for arg in cmd.get_arguments() {
                if let Some(long) = arg.get_long() {
                    if long != "help"
                        && long != "version"
                        && !reference.contains(&format!("`--{long}"))
                    {
                        missing.push(format!("--{long}"));
                    }
                }
                if let Some(env) = arg.get_env().and_then(|e| e.to_str()) {
                    if !reference.contains(env) {
                        missing.push(env.to_owned());
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "not in docs/configuration.md: {missing:?}"
        );
    }
}
