//! `tandem-relay`: serve, or manage advisers and API tokens.

use clap::Parser;
use tandem_relay::cli::{
    AdviserCommand, ArticleCommand, Cli, Command, ContactCommand, LogFormat, QueueCommand,
    SiteCommand, StoreCommand, TokenCommand,
};
use tracing_subscriber::EnvFilter;

/// mimalloc instead of glibc's allocator, because glibc keeps per-thread arenas and what
/// bursts (logins' argon2 work, a connect ramp) used.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod commands;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_logs(cli.log_format);
    let store = cli.store_location();
    match cli.command {
        Command::Serve(args) => commands::serve::serve(&store, *args).await,
        Command::Adviser(AdviserCommand::Add {
            login,
            name,
            level,
            queues,
            role,
        }) => {
            let account = commands::adviser::Account {
                login: &login,
                name: &name,
                level,
                queues: &queues,
                role,
            };
            commands::adviser::add_adviser(&store, account).await
        }
        Command::Adviser(AdviserCommand::SetRole { login, role }) => {
            commands::adviser::set_role(&store, &login, role).await
        }
        Command::Adviser(AdviserCommand::List) => commands::adviser::list_advisers(&store).await,
        Command::Queue(QueueCommand::Set(args)) => commands::queue::set_queue(&store, args).await,
        Command::Queue(QueueCommand::List) => commands::queue::list_queues(&store).await,
        Command::Adviser(AdviserCommand::Disable { login }) => {
            commands::adviser::set_disabled(&store, &login, true).await
        }
        Command::Adviser(AdviserCommand::Enable { login }) => {
            commands::adviser::set_disabled(&store, &login, false).await
        }
        Command::Token(TokenCommand::Create { name, scope }) => {
            commands::token::create_token(&store, &name, scope).await
        }
        Command::Token(TokenCommand::List) => commands::token::list_tokens(&store).await,
        Command::Token(TokenCommand::Revoke { token }) => {
            commands::token::revoke_token(&store, &token).await
        }
        Command::Site(SiteCommand::Set(args)) => commands::site::set_site(&store, args).await,
        Command::Site(SiteCommand::Secret { key }) => {
            commands::site::set_secret(&store, &key).await
        }
        Command::Site(SiteCommand::List { relay_url }) => {
            commands::site::list_sites(&store, &relay_url).await
        }
        Command::Backup { to } => commands::store::backup(&store, &to).await,
        Command::Article(ArticleCommand::Add {
            id,
            locale,
            title,
            body,
        }) => {
            commands::article::add_article(&store, id.unwrap_or_default(), locale, title, body)
                .await
        }
        Command::Article(ArticleCommand::List) => commands::article::list_articles(&store).await,
        Command::Webhooks => commands::webhooks::webhook_status(&store).await,
        Command::Contact(ContactCommand::Erase { id }) => {
            commands::contact::erase_contact(&store, &id).await
        }
        Command::Store(StoreCommand::Copy { to }) => commands::store::copy_store(&store, &to).await,
    }
}

fn init_logs(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    // Colours only for a person at a terminal: a log written to a file or a journal stays
    // plain text.
    let colours = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colours)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}
