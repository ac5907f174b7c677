//! Prints the time from a click on the launcher to a usable chat panel (the pre-chat form's
//! first field focused) in headless Chromium, through a relay on loopback:
//! - cold: a fresh browser profile, nothing cached (loader, widget JS and WebAssembly fetched,
//!   compiled, mounted, socket opened);
//! - warm: the same page reloaded, the widget's files in the HTTP cache.
//!
//! `bash scripts/build-widget.sh && cargo bench -p tandem-tests --bench widget_open`
//! (`WIDGET_OPEN_RUNS`, default 10 of each).

use tandem_tests::browser::{in_widget, Browser};
use tandem_tests::demo::DemoSite;
use tandem_tests::{Endpoint, TestRelay};

/// Clicks the launcher and resolves with the milliseconds until the form's first field has
/// the focus, measured with the page's own clock.
const CLICK_TO_USABLE: &str = "const done = arguments[0];
    const root = document.querySelector('[data-tandem]').shadowRoot;
    const start = performance.now();
    root.querySelector('[data-tandem-launcher]').click();
    (function poll() {
      const field = root.querySelector('#tandem-name');
      if (field && root.activeElement === field) done(performance.now() - start);
      else requestAnimationFrame(poll);
    })();";

fn summary(label: &str, mut runs: Vec<f64>) {
    runs.sort_by(f64::total_cmp);
    let pick = |p: f64| runs[((runs.len() as f64 - 1.0) * p).round() as usize];
    if runs.is_empty() {
        println!("{label:<44} no run");
        return;
    }
    println!(
        "{label:<44} median {:>6.0} ms   min {:>6.0}   max {:>6.0}   ({} runs)",
        pick(0.5),
        pick(0.0),
        pick(1.0),
        runs.len()
    );
}

async fn click_to_usable(page: &fantoccini::Client) -> anyhow::Result<f64> {
    in_widget(page, "[data-tandem-launcher]").await?;
    let ms = page.execute_async(CLICK_TO_USABLE, vec![]).await?;
    ms.as_f64()
        .ok_or_else(|| anyhow::anyhow!("no figure from the page: {ms}"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let runs: usize = std::env::var("WIDGET_OPEN_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let relay = TestRelay::spawn().await?;
    let site = DemoSite::serve(&relay.url("")).await?;
    let mut browser = Browser::start().await?;
    let (mut cold, mut warm) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let page = browser.session(1100, 800).await?;
        page.goto(&site.url("index.html")).await?;
        cold.push(click_to_usable(&page).await?);
        page.execute("localStorage.clear(); sessionStorage.clear();", vec![])
            .await?;
        page.goto(&site.url("index.html")).await?;
        warm.push(click_to_usable(&page).await?);
        page.close().await?;
    }
    println!(
        "click on the launcher → pre-chat form usable (first field focused), headless Chromium"
    );
    summary("cold (empty cache: fetch, compile, mount)", cold);
    summary("warm (widget files in the HTTP cache)", warm);
    Ok(())
}
