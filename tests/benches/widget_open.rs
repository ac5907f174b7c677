//! Prints what opening the chat costs a visitor, in headless Chromium through a relay on
//! loopback, unthrottled and on issue 28's phone profile (1.6 Mbit/s down, 750 kbit/s up,
//! 150 ms round trip, CPU 4× slower, by DevTools emulation):
//! - click on the launcher → usable panel (the pre-chat form's first field focused), cold (a
//!   fresh profile, nothing cached) and warm (the widget's files in the HTTP cache);
//! - bytes fetched between the click and the usable panel (the page's resource timings, every
//!   file whatever its name);
//! - the page's longest task while the widget opens (long tasks are those over 50 ms);
//! - click → the chat connected (its connection module fetched after the form is drawn);
//! - the adviser's "co-browse" → the invitation shown to the visitor (the co-browsing module
//!   fetched then), and the visitor's "accept" → the page in the adviser's mirror.
//!
//! `bash scripts/build-widget.sh && cargo bench -p tandem-tests --bench widget_open`
//! (`WIDGET_OPEN_RUNS`, default 10 of each; `COBROWSE_START_RUNS`, default 5).

use serde_json::{json, Value};
use std::time::Instant;
use tandem_tests::browser::{
    ask_to_share, chat_reaches_the_adviser, click_in_widget, in_widget, mirror_text, wait_for_text,
    Browser,
};
use tandem_tests::demo::DemoSite;
use tandem_tests::devtools::devtools;
use tandem_tests::scene::Scene;
use tandem_tests::{Endpoint, TestRelay};

/// Clicks the launcher and resolves, once the form's first field has the focus, with the
/// milliseconds it took (the page's own clock), the bytes fetched since the click and the
/// longest task since the click; then, once the chat is connected (its connection module
/// fetched, the socket open: the panel's "Connecting…" line gone), with the milliseconds since
/// the click.
const CLICK_TO_USABLE: &str = "const done = arguments[0];
    const root = document.querySelector('[data-tandem]').shadowRoot;
    const tasks = [];
    const observer = new PerformanceObserver(list => tasks.push(...list.getEntries()));
    observer.observe({ type: 'longtask', buffered: true });
    const start = performance.now();
    root.querySelector('[data-tandem-launcher]').click();
    (function poll() {
      const field = root.querySelector('#tandem-name');
      if (field && root.activeElement === field) {
        const ms = performance.now() - start;
        const bytes = performance.getEntriesByType('resource')
          .filter(e => e.startTime >= start)
          .reduce((sum, e) => sum + e.transferSize, 0);
        observer.takeRecords().forEach(t => tasks.push(t));
        const longest = tasks.filter(t => t.startTime >= start)
          .reduce((most, t) => Math.max(most, t.duration), 0);
        (function connected() {
          if (root.querySelector('.banner')) return requestAnimationFrame(connected);
          done({ ms, bytes, longest, connected: performance.now() - start });
        })();
      } else requestAnimationFrame(poll);
    })();";

/// One way of reaching the relay.
#[derive(Clone, Copy)]
enum Profile {
    Unthrottled,
    /// Issue 28's phone on a weak connection.
    Phone,
}

impl Profile {
    fn label(self) -> &'static str {
        match self {
            Profile::Unthrottled => "unthrottled",
            Profile::Phone => "phone (1.6/0.75 Mbit/s, 150 ms, CPU ×4)",
        }
    }

    /// Applies the profile to the page's tab (before it loads anything).
    async fn apply(self, page: &fantoccini::Client) -> anyhow::Result<()> {
        if let Profile::Phone = self {
            devtools(page, "Network.enable", json!({})).await?;
            devtools(
                page,
                "Network.emulateNetworkConditions",
                json!({
                    "offline": false,
                    "latency": 150,
                    "downloadThroughput": 1_600_000 / 8,
                    "uploadThroughput": 750_000 / 8,
                }),
            )
            .await?;
            devtools(page, "Emulation.setCPUThrottlingRate", json!({ "rate": 4 })).await?;
        }
        Ok(())
    }
}

/// What one opening measured.
struct Opening {
    ms: f64,
    connected_ms: f64,
    bytes: f64,
    longest_task_ms: f64,
}

fn number(value: &Value, key: &str) -> anyhow::Result<f64> {
    value[key]
        .as_f64()
        .ok_or_else(|| anyhow::anyhow!("no {key} from the page: {value}"))
}

async fn open_the_chat(page: &fantoccini::Client) -> anyhow::Result<Opening> {
    in_widget(page, "[data-tandem-launcher]").await?;
    let figures = page.execute_async(CLICK_TO_USABLE, vec![]).await?;
    Ok(Opening {
        ms: number(&figures, "ms")?,
        connected_ms: number(&figures, "connected")?,
        bytes: number(&figures, "bytes")?,
        longest_task_ms: number(&figures, "longest")?,
    })
}

/// Median, least and most of `runs`.
fn summary(label: &str, unit: &str, mut runs: Vec<f64>) {
    runs.sort_by(f64::total_cmp);
    if runs.is_empty() {
        println!("  {label:<40} no run");
        return;
    }
    let pick = |p: f64| runs[((runs.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "  {label:<40} median {:>8.0} {unit:<5} min {:>8.0}   max {:>8.0}   ({} runs)",
        pick(0.5),
        pick(0.0),
        pick(1.0),
        runs.len()
    );
}

async fn openings(
    browser: &mut Browser,
    site: &DemoSite,
    profile: Profile,
    runs: usize,
) -> anyhow::Result<()> {
    let (mut cold, mut warm) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let page = browser.session(1100, 800).await?;
        profile.apply(&page).await?;
        page.goto(&site.url("index.html")).await?;
        cold.push(open_the_chat(&page).await?);
        page.execute("localStorage.clear(); sessionStorage.clear();", vec![])
            .await?;
        page.goto(&site.url("index.html")).await?;
        warm.push(open_the_chat(&page).await?);
        page.close().await?;
    }
    println!("{}", profile.label());
    let ms = |list: &[Opening]| list.iter().map(|o| o.ms).collect::<Vec<_>>();
    summary("click → usable panel, cold", "ms", ms(&cold));
    summary("click → usable panel, warm", "ms", ms(&warm));
    summary(
        "click → chat connected, cold",
        "ms",
        cold.iter().map(|o| o.connected_ms).collect(),
    );
    summary(
        "bytes fetched click → usable, cold",
        "B",
        cold.iter().map(|o| o.bytes).collect(),
    );
    summary(
        "longest task of the page, cold",
        "ms",
        cold.iter().map(|o| o.longest_task_ms).collect(),
    );
    let short = cold.iter().filter(|o| o.longest_task_ms == 0.0).count();
    println!(
        "  (the browser reports only tasks over 50 ms: {short} of {} opens had none)",
        cold.len()
    );
    Ok(())
}

/// The adviser asks to co-browse, the visitor accepts at once; resolves with the time from
/// the adviser's click until the invitation shows to the visitor (the co-browsing module is
/// fetched then), and from the visitor's "accept" until the adviser's mirror shows the page
/// (measured here, across the two browsers).
async fn invite_and_accept(profile: Profile) -> anyhow::Result<(f64, f64)> {
    let scene = Scene::start().await?;
    let (console, visitor) = (&scene.console, &scene.visitor);
    profile.apply(visitor).await?;
    let heading = "Demande d'adhésion";
    let page = scene.site.url("apply.html");
    chat_reaches_the_adviser(visitor, console, &page, heading).await?;
    let asked = Instant::now();
    ask_to_share(console).await?;
    in_widget(visitor, "[data-cobrowse-accept]").await?;
    let invited_ms = asked.elapsed().as_secs_f64() * 1000.0;
    let start = Instant::now();
    click_in_widget(visitor, "[data-cobrowse-accept]").await?;
    wait_for_text("the mirror", heading, || mirror_text(console)).await?;
    Ok((invited_ms, start.elapsed().as_secs_f64() * 1000.0))
}

fn runs_from(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let runs = runs_from("WIDGET_OPEN_RUNS", 10);
    let cobrowse_runs = runs_from("COBROWSE_START_RUNS", 5);
    let relay = TestRelay::spawn().await?;
    let site = DemoSite::serve(&relay.url("")).await?;
    let mut browser = Browser::start().await?;
    println!("opening the chat, headless Chromium");
    for profile in [Profile::Unthrottled, Profile::Phone] {
        openings(&mut browser, &site, profile, runs).await?;
    }
    println!(
        "co-browsing: adviser asks → invitation shown (module fetched then); \
         accept → the page in the adviser's mirror"
    );
    for profile in [Profile::Unthrottled, Profile::Phone] {
        let (mut invited, mut mirrored) = (Vec::new(), Vec::new());
        for _ in 0..cobrowse_runs {
            let (invited_ms, mirrored_ms) = invite_and_accept(profile).await?;
            invited.push(invited_ms);
            mirrored.push(mirrored_ms);
        }
        println!("{}", profile.label());
        summary("adviser asks → invitation shown", "ms", invited);
        summary("accept → page in the mirror", "ms", mirrored);
    }
    Ok(())
}
