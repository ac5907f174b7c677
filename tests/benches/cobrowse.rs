//! Prints co-browsing figures measured in two headless Chromium windows (visitor on the demo
//! site's coverage page, adviser in the console) through a relay on loopback:
//! - full snapshot: time to capture in the visitor's tab (read over several animation frames),
//!   the longest work in one frame, size, nodes (5,000+ elements);
//! - bytes per change batch while the page changes as a busy page does;
//! - visitor change → mirror updated, p50 / p95 / max, measured with the browsers' clocks;
//! - the visitor tab's longest frame while 5,000 rows are added at once.
//!
//! `bash scripts/build-widget.sh && cargo bench -p tandem-tests --bench cobrowse`
//! (`COBROWSE_ROWS`, default 850 table rows = 5,100+ elements; `COBROWSE_CHANGES`, default 300).

use serde_json::Value;
use std::time::Duration;
use tandem_tests::browser::{
    ask_to_share, click_in_widget, console_log_in, in_mirror, in_widget, mirror_text, on_page,
    type_in_widget, wait_for, wait_for_text, Browser,
};
use tandem_tests::demo::DemoSite;
use tandem_tests::{Endpoint, TestRelay};

/// Adds 5,000 rows in one frame, then reports the longest of the next 120 frames (ms).
const LONGEST_FRAME: &str = "const done = arguments[0]; let last = 0, worst = 0, frames = 0; \
    function tick(now) { worst = Math.max(worst, now - last); last = now; \
      if (++frames < 120) requestAnimationFrame(tick); else done(worst); } \
    requestAnimationFrame((now) => { last = now; addRows(5000); requestAnimationFrame(tick); });";

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn number(value: &Value, key: &str) -> f64 {
    value[key].as_f64().unwrap_or(f64::NAN)
}

async fn stats(visitor: &fantoccini::Client) -> anyhow::Result<Value> {
    Ok(visitor
        .execute("return window.__tandemCobrowse || {};", vec![])
        .await?)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let rows = env_or("COBROWSE_ROWS", 850);
    let changes = env_or("COBROWSE_CHANGES", 300);
    let relay = TestRelay::spawn().await?;
    relay.add_adviser("lea", "Léa Martin").await?;
    let site = DemoSite::serve(&relay.url("")).await?;
    let mut browser = Browser::start().await?;
    let console = browser.session(1400, 1000).await?;
    let visitor = browser.session(1100, 800).await?;
    console_log_in(&console, &relay.url(""), "lea").await?;
    let page = site.url(&format!("garanties.html?rows={rows}"));
    // The same burst without co-browsing, for comparison.
    visitor.goto(&page).await?;
    on_page(&visitor, "#grid").await?;
    let baseline_frame = visitor.execute_async(LONGEST_FRAME, vec![]).await?;
    visitor.goto(&page).await?;
    click_in_widget(&visitor, "[data-tandem-launcher]").await?;
    type_in_widget(&visitor, "#tandem-name", "Paul Durand").await?;
    type_in_widget(&visitor, "#tandem-email", "paul@example.com").await?;
    type_in_widget(&visitor, "#tandem-reason", "Benchmark").await?;
    click_in_widget(&visitor, "button[type=submit]").await?;
    ask_to_share(&console).await?;
    click_in_widget(&visitor, "[data-cobrowse-accept]").await?;
    in_widget(&visitor, "[data-cobrowse-bar]").await?;
    wait_for_text("the mirror", "Tableau des garanties", || {
        mirror_text(&console)
    })
    .await?;
    let elements = visitor
        .execute("return document.querySelectorAll('*').length;", vec![])
        .await?;

    // Full snapshots: the first, then four more asked by the console's refresh button.
    let mut snapshot_ms = Vec::new();
    // The page is read over a few frames: its figures come once all is sent.
    let mut last = wait_for("the first snapshot", || async {
        let now = stats(&visitor).await?;
        Ok((number(&now, "snapshotMs") > 0.0).then_some(now))
    })
    .await?;
    snapshot_ms.push(number(&last, "snapshotMs"));
    for _ in 0..4 {
        let before = number(&last, "snapshotMs");
        on_page(&console, ".cobrowse-bar .link")
            .await?
            .click()
            .await?;
        last = wait_for("a new snapshot", || async {
            let now = stats(&visitor).await?;
            Ok((number(&now, "snapshotMs") != before).then_some(now))
        })
        .await
        .unwrap_or(last);
        snapshot_ms.push(number(&last, "snapshotMs"));
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    snapshot_ms.sort_by(f64::total_cmp);

    // A busy page: a cell's text and a row's class change every 20 ms.
    console
        .execute("window.__tandemMirror = { latencies: [] };", vec![])
        .await?;
    let before = stats(&visitor).await?;
    let script = format!(
        "const done = arguments[0]; let n = 0; const rows = document.querySelectorAll('#grid tbody tr'); \
         const timer = setInterval(() => {{ const row = rows[n % rows.length]; \
           row.cells[1].textContent = (100 + n) + ' %'; row.classList.toggle('changed'); \
           if (++n >= {changes}) {{ clearInterval(timer); done(n); }} }}, 20);"
    );
    visitor.execute_async(&script, vec![]).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = stats(&visitor).await?;
    let batches = number(&after, "batches") - number(&before, "batches");
    let batch_bytes = number(&after, "batchBytes") - number(&before, "batchBytes");
    let latencies = console
        .execute(
            "return (window.__tandemMirror || {latencies: []}).latencies;",
            vec![],
        )
        .await?;
    let mut latencies: Vec<f64> = latencies
        .as_array()
        .map(|l| l.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default();
    latencies.sort_by(f64::total_cmp);
    let last_cell = in_mirror(
        &console,
        "return doc.querySelectorAll('#grid tbody tr')[arguments[0]].cells[1].textContent;",
        vec![serde_json::json!((changes - 1) % rows)],
    )
    .await?;

    // The visitor tab while 5,000 rows are added at once.
    let longest_frame = visitor.execute_async(LONGEST_FRAME, vec![]).await?;
    let caught_up = tokio::time::Instant::now();
    let total_rows = rows + 5000;
    wait_for("the mirror to hold the 5,000 new rows", || async {
        let count = in_mirror(
            &console,
            "return doc.querySelectorAll('#grid tbody tr').length;",
            vec![],
        )
        .await?;
        Ok((count.as_u64() == Some(total_rows as u64)).then_some(()))
    })
    .await?;
    let catch_up = caught_up.elapsed();

    println!("Co-browsing, {rows} table rows ({elements} elements on the visitor's page)");
    println!("| figure | value |");
    println!("|---|---|");
    println!(
        "| full snapshot, start to last part read (median of {}) | {:.1} ms (min {:.1}, max {:.1}) |",
        snapshot_ms.len(),
        percentile(&snapshot_ms, 0.5),
        percentile(&snapshot_ms, 0.0),
        percentile(&snapshot_ms, 1.0)
    );
    println!(
        "| full snapshot, longest work in one animation frame | {:.1} ms |",
        number(&last, "snapshotSliceMs")
    );
    println!(
        "| full snapshot, size of the frame | {:.0} KB ({:.0} nodes) |",
        number(&last, "snapshotBytes") / 1024.0,
        number(&last, "snapshotNodes")
    );
    println!(
        "| change batches for {changes} changes every 20 ms | {batches:.0} batches, {:.0} bytes per batch |",
        if batches > 0.0 { batch_bytes / batches } else { f64::NAN }
    );
    println!(
        "| visitor change → mirror updated ({} batches) | p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms |",
        latencies.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.95),
        percentile(&latencies, 1.0)
    );
    println!(
        "| visitor's longest frame while 5,000 rows are added | {:.0} ms (without co-browsing: {:.0} ms) |",
        longest_frame.as_f64().unwrap_or(f64::NAN),
        baseline_frame.as_f64().unwrap_or(f64::NAN)
    );
    println!(
        "| mirror holds the 5,000 new rows | {:.0} ms after the burst's frames |",
        catch_up.as_secs_f64() * 1000.0
    );
    println!("(last changed cell in the mirror: {last_cell})");
    Ok(())
}
