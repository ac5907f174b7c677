//! The usual stage of a browser test: a relay with the adviser Léa Martin logged in to the
//! console in one Chromium window, the demo site on its own origin, and a visitor's window.

use crate::browser::{console_log_in, Browser};
use crate::demo::DemoSite;
use crate::{Endpoint, TestRelay};
use fantoccini::Client;

/// Everything a two-person browser test needs, stopped on drop.
pub struct Scene {
    /// The adviser's console (1400 × 1000), logged in as `lea`.
    pub console: Client,
    /// The visitor's window (1100 × 800), on no page yet.
    pub visitor: Client,
    /// The chromedriver behind both windows.
    pub browser: Browser,
    /// The demo site.
    pub site: DemoSite,
    /// The relay.
    pub relay: TestRelay,
}

impl Scene {
    /// Starts the relay, adds and logs in Léa, serves the demo site, opens both windows.
    pub async fn start() -> anyhow::Result<Scene> {
        let relay = TestRelay::spawn().await?;
        relay.add_adviser("lea", "Léa Martin").await?;
        let site = DemoSite::serve(&relay.url("")).await?;
        let mut browser = Browser::start().await?;
        let console = browser.session(1400, 1000).await?;
        let visitor = browser.session(1100, 800).await?;
        console_log_in(&console, &relay.url(""), "lea").await?;
        Ok(Scene {
            console,
            visitor,
            browser,
            site,
            relay,
        })
    }
}
