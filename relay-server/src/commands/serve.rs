//! `tandem-relay serve`: reads the flags into the settings and runs the relay until a signal stops it.

use anyhow::Context;
use tandem_relay::cli::ServeArgs;
use tandem_relay::config::{Config, Limits};
use tandem_relay::connectors::auth::Credentials;
use tandem_relay::connectors::hubspot::HubSpotConfig;
use tandem_relay::connectors::salesforce::SalesforceConfig;
use tandem_relay::mail::MailConfig;
use tandem_relay::server;
use tandem_relay::store::StoreLocation;
use tandem_relay::webhooks::WebhookConfig;

/// Runs the relay with the settings the flags give, until SIGTERM or Ctrl-C.
pub(crate) async fn serve(store: &StoreLocation, args: ServeArgs) -> anyhow::Result<()> {
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
        oidc: args
            .oidc_issuer
            .zip(args.oidc_client_id)
            .zip(args.oidc_client_secret)
            .map(
                |((issuer, client_id), client_secret)| tandem_relay::auth::oidc::OidcConfig {
                    issuer,
                    client_id,
                    client_secret,
                    role_claim: args.oidc_role_claim,
                    redirect_url: args.oidc_redirect_url,
                },
            ),
        password_login: args.password_login,
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
        audit_retention: (args.audit_days > 0)
            .then(|| std::time::Duration::from_secs(args.audit_days.saturating_mul(86_400))),
        cluster: args
            .cluster
            .map(|nats_url| tandem_relay::cluster::ClusterConfig {
                nats_url,
                advertise_url: args.advertise_url,
            }),
    };
    let state = tandem_relay::app::prepare(store, config)
        .await
        .with_context(|| format!("opening the CRM store ({store})"))?;
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("listening on {}", args.addr))?;
    let addr = listener
        .local_addr()
        .context("reading the listening address")?;
    let state = tandem_relay::app::join_cluster(state, store, addr)
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

/// Resolves on SIGTERM or Ctrl-C.
pub(crate) async fn shutdown_signal() {
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

/// The HubSpot connector's settings: a private app token, or an OAuth app (client id,
/// secret, refresh token).
pub(crate) fn hubspot_config(
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
