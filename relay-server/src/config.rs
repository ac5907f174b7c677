//! Settings of a running relay.

use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

/// Per-connection limits; each is answered with an error frame or a close code.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest frame accepted (larger ones get a `frame_too_large` error frame).
    pub frame_bytes: usize,
    /// Largest frame read at all (larger ones close the connection with code 1009).
    pub hard_frame_bytes: usize,
    /// Frames a client may send per second, on average.
    pub frames_per_sec: NonZeroU32,
    /// Frames a client may send in a burst.
    pub frame_burst: NonZeroU32,
    /// A client silent this long (pongs count) is disconnected.
    pub idle: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            frame_bytes: tandem_shared::limits::MAX_FRAME_BYTES,
            hard_frame_bytes: 4 * tandem_shared::limits::MAX_FRAME_BYTES,
            frames_per_sec: NonZeroU32::MIN.saturating_add(19),
            frame_burst: NonZeroU32::MIN.saturating_add(39),
            idle: Duration::from_secs(75),
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
    /// Outbound webhook for CRM events, when configured.
    pub webhook: Option<crate::webhooks::WebhookConfig>,
}
