//! Headless Chromium for browser tests: one chromedriver per test on a free port, a fresh
//! profile per browser session, everything stopped on drop.

use anyhow::{bail, Context};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How long a browser test waits for something to appear.
pub const UI_TIMEOUT: Duration = Duration::from_secs(15);

/// A running chromedriver.
pub struct Browser {
    driver: Child,
    port: u16,
    profiles: Vec<tempfile::TempDir>,
}

impl Browser {
    /// Starts chromedriver (`$CHROMEDRIVER` or `/usr/bin/chromedriver`) and waits until it listens.
    pub async fn start() -> anyhow::Result<Browser> {
        let path = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        // Its own process group, so that dropping the browser stops the Chromium processes it
        // started too (killing chromedriver alone leaves them running, busy, for ever).
        let driver = Command::new(&path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .with_context(|| {
                format!("starting {path} (install chromium-driver: scripts/setup.sh)")
            })?;
        let browser = Browser {
            driver,
            port,
            profiles: Vec::new(),
        };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Ok(browser);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("chromedriver did not start listening on port {port}")
    }

    /// A new headless Chromium window with its own empty profile.
    pub async fn session(&mut self, width: u32, height: u32) -> anyhow::Result<Client> {
        self.open_session(width, height, None).await
    }

    /// A fresh browser session emulating a phone whose screen is `width` × `height` CSS pixels
    /// (touch, device pixel ratio 2, a mobile user agent): windows cannot be that narrow.
    pub async fn phone_session(&mut self, width: u32, height: u32) -> anyhow::Result<Client> {
        let emulation = json!({
            "deviceMetrics": { "width": width, "height": height, "pixelRatio": 2.0, "touch": true },
            "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
        });
        self.open_session(width.max(500), height, Some(emulation))
            .await
    }

    async fn open_session(
        &mut self,
        width: u32,
        height: u32,
        mobile: Option<serde_json::Value>,
    ) -> anyhow::Result<Client> {
        let profile = tempfile::tempdir()?;
        let args = vec![
            "--headless=new".to_owned(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            // This machine has no internet: a name outside loopback fails at once instead of
            // after seconds, so a saved page referring to its own servers loads (and its
            // `load` event fires) as fast as its loopback parts allow.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost".into(),
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let mut caps = serde_json::Map::new();
        // Notifications are allowed, as an adviser who said yes once has them.
        let prefs = json!({ "profile.default_content_setting_values.notifications": 1 });
        let mut options = json!({ "args": args, "binary": binary, "prefs": prefs });
        if let Some(emulation) = mobile {
            options["mobileEmulation"] = emulation;
        }
        caps.insert("goog:chromeOptions".into(), options);
        self.profiles.push(profile);
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .context("opening a Chromium session")?;
        Ok(client)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Waits until `find` succeeds, retrying every 100 ms for [`UI_TIMEOUT`].
pub async fn wait_for<T, F, Fut>(what: &str, find: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Option<T>>>,
{
    wait_for_within(what, UI_TIMEOUT, find).await
}

/// Waits until `find` succeeds, retrying every 100 ms for `timeout`: for bulk work (thousands
/// of elements) that a loaded CI machine running several browsers at once may take longer to do.
pub async fn wait_for_within<T, F, Fut>(
    what: &str,
    timeout: Duration,
    mut find: F,
) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Option<T>>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    let mut last_error = None;
    while tokio::time::Instant::now() < deadline {
        match find().await {
            Ok(Some(found)) => return Ok(found),
            Ok(None) => {}
            Err(error) => last_error = Some(error),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("timed out waiting for {what} (last error: {last_error:?})")
}

/// Finds an element inside the Tandem widget's shadow root, waiting for it.
pub async fn in_widget(client: &Client, css: &str) -> anyhow::Result<Element> {
    wait_for(&format!("widget element {css}"), || async {
        let host = client.find(Locator::Css("[data-tandem]")).await?;
        let root = host.shadow_root().await?;
        Ok(root.find(Locator::Css(css)).await.ok())
    })
    .await
}

/// The text of the Tandem widget's panel.
pub async fn widget_text(client: &Client) -> anyhow::Result<String> {
    let value = client
        .execute(
            "return document.querySelector('[data-tandem]').shadowRoot.textContent",
            vec![],
        )
        .await?;
    Ok(value.as_str().unwrap_or_default().to_owned())
}

/// The text of a page element (an error when it is not there yet: retried by the waits).
pub async fn page_text(client: &Client, css: &str) -> anyhow::Result<String> {
    Ok(client.find(Locator::Css(css)).await?.text().await?)
}

/// Finds an element of the page, waiting for it.
pub async fn on_page(client: &Client, css: &str) -> anyhow::Result<Element> {
    wait_for(&format!("page element {css}"), || async {
        Ok(client.find(Locator::Css(css)).await.ok())
    })
    .await
}

/// Clicks an element of the page as a person would: scrolled to the middle of the window
/// first (a corner of the window may hold the co-browsing badge).
pub async fn press(client: &Client, css: &str) -> anyhow::Result<()> {
    let element = on_page(client, css).await?;
    client
        .execute(
            "arguments[0].scrollIntoView({ block: 'center' });",
            vec![serde_json::to_value(&element)?],
        )
        .await?;
    element.click().await?;
    Ok(())
}

/// Waits until the page's (or widget's) text, read by `read`, contains `needle`.
pub async fn wait_for_text<F, Fut>(what: &str, needle: &str, mut read: F) -> anyhow::Result<String>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<String>>,
{
    let last_seen = std::cell::RefCell::new(String::new());
    let found = wait_for(&format!("{what} to show {needle:?}"), || {
        let text = read();
        let last_seen = &last_seen;
        async move {
            let text = text.await?;
            if text.contains(needle) {
                return Ok(Some(text));
            }
            *last_seen.borrow_mut() = text;
            Ok(None)
        }
    })
    .await;
    found.map_err(|error| {
        let seen: String = last_seen.borrow().chars().take(600).collect();
        error.context(format!("last text seen: {seen:?}"))
    })
}

/// Clicks an element inside the Tandem widget, waiting for it.
pub async fn click_in_widget(client: &Client, css: &str) -> anyhow::Result<()> {
    Ok(in_widget(client, css).await?.click().await?)
}

/// Types into an element inside the Tandem widget, waiting for it.
pub async fn type_in_widget(client: &Client, css: &str, text: &str) -> anyhow::Result<()> {
    Ok(in_widget(client, css).await?.send_keys(text).await?)
}

/// The visitor on `page` opens the widget and asks for a chat: name, email, reason, send.
pub async fn ask_for_a_chat(
    visitor: &Client,
    page: &str,
    name: &str,
    email: &str,
    reason: &str,
) -> anyhow::Result<()> {
    visitor.goto(page).await?;
    in_widget(visitor, "[data-tandem-launcher]")
        .await?
        .click()
        .await?;
    type_in_widget(visitor, "#tandem-name", name).await?;
    type_in_widget(visitor, "#tandem-email", email).await?;
    type_in_widget(visitor, "#tandem-reason", reason).await?;
    click_in_widget(visitor, "button[type=submit]").await
}

/// Jeanne Martin asks for a chat from `page` with `reason`; returns once the adviser's console
/// shows it in its chat pane.
pub async fn chat_reaches_the_adviser(
    visitor: &Client,
    console: &Client,
    page: &str,
    reason: &str,
) -> anyhow::Result<()> {
    ask_for_a_chat(visitor, page, "Jeanne Martin", "jeanne@example.com", reason).await?;
    wait_for_text("the console", reason, || page_text(console, ".chat-pane")).await?;
    Ok(())
}

/// How many elements of the widget (in its shadow root) match `selector`.
pub async fn count_in_widget(page: &Client, selector: &str) -> anyhow::Result<u64> {
    let count = page
        .execute(
            "return document.querySelector('[data-tandem]').shadowRoot
                .querySelectorAll(arguments[0]).length;",
            vec![selector.into()],
        )
        .await?;
    count
        .as_u64()
        .ok_or_else(|| anyhow::anyhow!("no count for {selector}: {count}"))
}

/// Logs an adviser into the console at `relay` (its origin) with the test password, and
/// makes them available.
pub async fn console_log_in(console: &Client, relay: &str, login: &str) -> anyhow::Result<()> {
    console.goto(&format!("{relay}/console?lang=en")).await?;
    on_page(console, "#login").await?.send_keys(login).await?;
    on_page(console, "#password")
        .await?
        .send_keys(crate::relay::TEST_PASSWORD)
        .await?;
    on_page(console, "button[type=submit]")
        .await?
        .click()
        .await?;
    on_page(console, "[data-presence=available]")
        .await?
        .click()
        .await?;
    wait_for("the adviser to be available", || async {
        let pressed = console
            .find(Locator::Css("[data-presence=available]"))
            .await?
            .attr("aria-pressed")
            .await?;
        Ok((pressed.as_deref() == Some("true")).then_some(()))
    })
    .await
}

/// Runs `script` inside the console's co-browsing mirror document (`doc`), with `args`.
pub async fn in_mirror(
    console: &Client,
    script: &str,
    args: Vec<serde_json::Value>,
) -> anyhow::Result<serde_json::Value> {
    let wrapped = format!(
        "const frame = document.querySelector('iframe.mirror'); \
         const doc = frame && frame.contentDocument; if (!doc) return null; {script}"
    );
    Ok(console.execute(&wrapped, args).await?)
}

/// Runs `script` in the console with `doc` bound to the mirror's document.
pub async fn mirror_json(console: &Client, script: &str) -> anyhow::Result<serde_json::Value> {
    in_mirror(console, script, vec![]).await
}

/// Waits until `script` (run as in [`mirror_json`]) returns `true`.
pub async fn mirror_true(console: &Client, what: &str, script: &str) -> anyhow::Result<()> {
    wait_for(what, || async {
        Ok((mirror_json(console, script).await?.as_bool() == Some(true)).then_some(()))
    })
    .await
}

/// The visitor on `page` asks for a chat (reason: the page's `heading`), the adviser (already
/// in the console) gets it and asks to co-browse, the visitor accepts, and the mirror shows
/// `heading`.
pub async fn share_page(
    visitor: &Client,
    console: &Client,
    page: &str,
    heading: &str,
) -> anyhow::Result<()> {
    invite_to_share(visitor, console, page, heading).await?;
    accept_sharing(visitor, console, heading).await
}

/// The adviser asks the visitor of the chat the console shows to share their page.
pub async fn ask_to_share(console: &Client) -> anyhow::Result<()> {
    Ok(on_page(console, "[data-cobrowse-ask]")
        .await?
        .click()
        .await?)
}

/// In a chat the console shows, the adviser asks to co-browse and the visitor accepts: the
/// visitor's bar shows and the mirror shows `heading`.
pub async fn start_sharing(
    visitor: &Client,
    console: &Client,
    heading: &str,
) -> anyhow::Result<()> {
    ask_to_share(console).await?;
    accept_sharing(visitor, console, heading).await
}

/// The visitor accepts the invitation shown: their bar shows and the mirror shows `heading`.
pub async fn accept_sharing(
    visitor: &Client,
    console: &Client,
    heading: &str,
) -> anyhow::Result<()> {
    click_in_widget(visitor, "[data-cobrowse-accept]").await?;
    in_widget(visitor, "[data-cobrowse-bar]").await?;
    wait_for_text("the mirror", heading, || mirror_text(console)).await?;
    Ok(())
}

/// Waits until the visitor's co-browsing bar is gone (the session ended on their page).
pub async fn wait_for_no_sharing_bar(visitor: &Client) -> anyhow::Result<()> {
    wait_for("the co-browsing bar gone", || async {
        let gone = visitor
            .execute(
                "return !document.querySelector('[data-tandem]').shadowRoot.querySelector('[data-cobrowse-bar]');",
                vec![],
            )
            .await?;
        Ok((gone.as_bool() == Some(true)).then_some(()))
    })
    .await
}

/// The visitor on `page` (whose text holds `heading`) asks for a chat with `heading` as
/// reason; the adviser asks to co-browse; returns once the visitor sees the invitation.
pub async fn invite_to_share(
    visitor: &Client,
    console: &Client,
    page: &str,
    heading: &str,
) -> anyhow::Result<()> {
    chat_reaches_the_adviser(visitor, console, page, heading).await?;
    ask_to_share(console).await?;
    in_widget(visitor, "[data-cobrowse-accept]").await?;
    Ok(())
}

/// The text of the mirror's page.
pub async fn mirror_text(console: &Client) -> anyhow::Result<String> {
    let text = in_mirror(
        console,
        "return doc.body ? doc.body.textContent : '';",
        vec![],
    )
    .await?;
    Ok(text.as_str().unwrap_or_default().to_owned())
}

/// Clicks, on the mirror's overlay, the middle of the mirrored element `css` (as the adviser
/// picks an element of the visitor's page).
pub async fn pick_in_mirror(console: &Client, css: &str) -> anyhow::Result<()> {
    let script = "const el = doc.querySelector(arguments[0]); if (!el) return false; \
        const overlay = document.querySelector('[data-mirror-overlay]'); \
        const scale = frame.getBoundingClientRect().width / frame.offsetWidth; \
        const r = el.getBoundingClientRect(); const o = overlay.getBoundingClientRect(); \
        overlay.dispatchEvent(new MouseEvent('click', { bubbles: true, \
          clientX: o.left + (r.left + r.width / 2) * scale, clientY: o.top + (r.top + r.height / 2) * scale })); \
        return true;";
    let clicked = in_mirror(console, script, vec![serde_json::json!(css)]).await?;
    if clicked.as_bool() != Some(true) {
        bail!("{css} is not in the mirror");
    }
    Ok(())
}

/// Runs the axe-core accessibility audit (from `tools/node_modules`, installed by
/// `scripts/setup.sh`) on the whole page, open shadow roots included; returns the serious and
/// critical violations as `rule: targets` lines.
pub async fn accessibility_violations(client: &Client) -> anyhow::Result<Vec<String>> {
    let path = crate::workspace_root().join("tools/node_modules/axe-core/axe.min.js");
    let axe = std::fs::read_to_string(&path)
        .with_context(|| format!("reading {} (run scripts/setup.sh)", path.display()))?;
    client
        .execute(&format!("{axe}\n;return typeof axe;"), vec![])
        .await?;
    let found = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
               .then(r => done(r.violations
                 .filter(v => v.impact === 'serious' || v.impact === 'critical')
                 .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' — ' +
                   v.nodes.map(n => JSON.stringify(n.target)).join(', '))))
               .catch(e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await?;
    Ok(found
        .as_array()
        .map(|lines| {
            lines
                .iter()
                .filter_map(|l| l.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default())
}

/// Makes the page believe its tab is hidden (`true`) or shown again, as switching tabs does:
/// headless windows are always "visible" otherwise.
pub async fn set_tab_hidden(client: &Client, hidden: bool) -> anyhow::Result<()> {
    client
        .execute(
            "const state = arguments[0] ? 'hidden' : 'visible';
             Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
             Object.defineProperty(document, 'hidden', { configurable: true, get: () => state === 'hidden' });
             document.dispatchEvent(new Event('visibilitychange'));",
            vec![json!(hidden)],
        )
        .await?;
    Ok(())
}

/// Records the desktop notifications the page shows (in `window.__notifications`, as
/// `title — body`), still showing them.
pub async fn record_notifications(client: &Client) -> anyhow::Result<()> {
    client
        .execute(
            "window.__notifications = [];
             const Shown = window.Notification;
             window.Notification = class extends Shown {
               constructor(title, options) {
                 super(title, options);
                 window.__notifications.push(title + ' — ' + ((options && options.body) || ''));
               }
             };",
            vec![],
        )
        .await?;
    Ok(())
}

/// The notifications recorded since [`record_notifications`].
pub async fn notifications(client: &Client) -> anyhow::Result<Vec<String>> {
    strings(client, "return window.__notifications || [];").await
}

/// Runs `script` in the page and reads what it returns as a list of strings (anything else
/// in it is left out).
pub async fn strings(client: &Client, script: &str) -> anyhow::Result<Vec<String>> {
    let value = client.execute(script, vec![]).await?;
    Ok(value
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default())
}

/// What the site's own error monitoring saw on its pages (the head script of the
/// `tests/fixtures/host-errors` pages keeps it in session storage).
pub async fn host_errors(visitor: &Client) -> anyhow::Result<Vec<String>> {
    strings(
        visitor,
        "return JSON.parse(sessionStorage.getItem('host-errors') || '[]');",
    )
    .await
}
