//! Settings of a running relay.

use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

/// Largest co-browsing frame accepted by default (64 KiB): larger snapshots and change
/// batches come in parts (`tandem_shared::cobrowse_parts`), so that no connection keeps a
/// buffer the size of a whole page.
pub const DEFAULT_COBROWSE_FRAME_BYTES: usize = 64 * 1024;

/// Per-connection limits; each is answered with an error frame or a close code.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest frame accepted (larger ones get a `frame_too_large` error frame).
    pub frame_bytes: usize,
    /// Largest co-browsing frame accepted (a whole small page, or one part of a large one).
    pub cobrowse_frame_bytes: usize,
    /// Largest frame read at all (larger ones close the connection with code 1009).
    pub hard_frame_bytes: usize,
    /// Frames a client may send per second, on average.
    pub frames_per_sec: NonZeroU32,
    /// Frames a client may send in a burst.
    pub frame_burst: NonZeroU32,
    /// Co-browsing frames a client may send per second (bursts of twice as many), counted
    /// apart from chat frames: a busy page must not lock the chat out.
    pub cobrowse_frames_per_sec: NonZeroU32,
    /// A client silent this long (pongs count) is disconnected.
    pub idle: Duration,
    /// WebSocket connections one IP address may open per minute.
    pub connections_per_ip_per_min: NonZeroU32,
    /// Visitors who may wait in the queue at once.
    pub max_queue: usize,
    /// Console login attempts per login name, and per IP address, per minute.
    pub logins_per_min: NonZeroU32,
    /// WebSockets one address may hold open at once.
    pub sockets_per_ip: u32,
    /// TCP connections one address may hold open at once (trusted proxies are not counted:
    /// their clients are counted by WebSocket).
    pub tcp_per_ip: u32,
    /// A WebSocket that has not said `hello` this long after opening is closed.
    pub hello_within: Duration,
    /// Chats one address may start per hour (all at once, at most).
    pub chats_per_ip_per_hour: NonZeroU32,
    /// Messages left and callbacks booked per address per hour.
    pub tickets_per_ip_per_hour: NonZeroU32,
    /// Files one address may upload per hour.
    pub uploads_per_ip_per_hour: NonZeroU32,
    /// A request whose headers have not all arrived this long after the connection opened (or
    /// the previous response) is dropped.
    pub header_read_timeout: Duration,
    /// A request not answered this long after its headers arrived (its body included) gets
    /// 408.
    pub request_timeout: Duration,
}

/// The size past which a frame closes the connection (1009) instead of getting an error
/// frame: four times the chat limit, and above the co-browsing limit.
pub fn hard_frame_bytes(frame_bytes: usize, cobrowse_frame_bytes: usize) -> usize {
    frame_bytes
        .saturating_mul(4)
        .max(cobrowse_frame_bytes.saturating_add(1024))
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            frame_bytes: tandem_shared::limits::MAX_FRAME_BYTES,
            cobrowse_frame_bytes: DEFAULT_COBROWSE_FRAME_BYTES,
            hard_frame_bytes: hard_frame_bytes(
                tandem_shared::limits::MAX_FRAME_BYTES,
                DEFAULT_COBROWSE_FRAME_BYTES,
            ),
            frames_per_sec: NonZeroU32::MIN.saturating_add(19),
            frame_burst: NonZeroU32::MIN.saturating_add(39),
            cobrowse_frames_per_sec: NonZeroU32::MIN.saturating_add(59),
            idle: Duration::from_secs(75),
            connections_per_ip_per_min: NonZeroU32::MIN.saturating_add(119),
            max_queue: 500,
            logins_per_min: NonZeroU32::MIN.saturating_add(4),
            sockets_per_ip: 40,
            tcp_per_ip: 256,
            hello_within: Duration::from_secs(10),
            chats_per_ip_per_hour: NonZeroU32::MIN.saturating_add(19),
            tickets_per_ip_per_hour: NonZeroU32::MIN.saturating_add(9),
            uploads_per_ip_per_hour: NonZeroU32::MIN.saturating_add(59),
            header_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
        }
    }
}

/// How the relay serves.
#[derive(Clone, Debug)]
pub struct Config {
    /// Connection limits.
    pub limits: Limits,
    /// The built widget and console (`dist/`).
    pub assets_dir: PathBuf,
    /// A demo site to serve under `/demo/`.
    pub demo_dir: Option<PathBuf>,
    /// Mark the login cookie `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// Origins whose pages may open visitor connections (`https://www.example.com`); empty
    /// means any.
    pub allowed_origins: Vec<String>,
    /// Reverse proxies whose `X-Forwarded-For` is believed (rate limits then key on the
    /// visitor's address, not the proxy's).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Secret the site's server signs logged-in users' ids with (identity verification).
    pub identity_secret: Option<String>,
    /// Single sign-on for advisers, when configured.
    pub oidc: Option<crate::auth::oidc::OidcConfig>,
    /// Advisers may log in with a password.
    pub password_login: bool,
    /// Outbound webhook for CRM events, when configured.
    pub webhook: Option<crate::webhooks::WebhookConfig>,
    /// HubSpot connector, when configured.
    pub hubspot: Option<crate::connectors::hubspot::HubSpotConfig>,
    /// Salesforce connector, when configured.
    pub salesforce: Option<crate::connectors::salesforce::SalesforceConfig>,
    /// SMTP server for emailing ticket answers, when configured.
    pub mail: Option<crate::mail::MailConfig>,
    /// A waiting visitor with no connection for this long has left: their request is
    /// counted as abandoned and becomes a ticket.
    pub abandon_after: Duration,
    /// Transcripts of sessions ended longer ago than this are deleted; none keeps them.
    pub retention: Option<Duration>,
    /// Audit entries older than this are deleted; none keeps them.
    pub audit_retention: Option<Duration>,
    /// The cluster this node joins, when several nodes serve the site.
    pub cluster: Option<crate::cluster::ClusterConfig>,
}
