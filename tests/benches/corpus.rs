//! Co-browses real-world saved pages (`tests/fixtures/corpus`) in two headless Chromium
//! windows and prints, per page: elements, HTML size, snapshot bytes, snapshot start → mirror
//! complete, words of the visitor's page found in the mirror, boxes within 2 px of the
//! visitor's (matched by tag path), and the widget's longest work in one animation frame.
//!
//! `bash scripts/build-widget.sh && cargo bench -p tandem-tests --bench corpus`

use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;
use tandem_tests::browser::{
    ask_for_a_chat, ask_to_share, click_in_widget, in_mirror, page_text, wait_for_text,
    wait_for_within,
};
use tandem_tests::demo::DemoSite;
use tandem_tests::scene::Scene;
use tandem_tests::Endpoint;

/// The corpus, relative to the workspace.
const CORPUS: &str = "tests/fixtures/corpus";

/// Every visible element's box in page coordinates, keyed by its tag path
/// (`tag:n-th of its tag among its siblings` from `body` down; a canvas counts as the image
/// the mirror shows of it); the widget's own elements are left out. Runs with `d` bound to
/// the document.
const BOXES: &str = "const w = d.defaultView; const out = {}; \
    function walk(el, path) { const seen = {}; for (const c of el.children) { \
      if (c.hasAttribute('data-tandem')) continue; \
      const t = c.localName === 'canvas' ? 'img' : c.localName; \
      seen[t] = (seen[t] || 0) + 1; const p = path + '>' + t + ':' + seen[t]; \
      const r = c.getBoundingClientRect(); \
      if (r.width > 0 || r.height > 0) out[p] = [r.x + w.scrollX, r.y + w.scrollY, r.width, r.height]; \
      walk(c, p); } } \
    if (d.body) walk(d.body, 'body'); return out;";

/// The visible words of the page, the widget hidden while they are read.
const WORDS: &str = "if (!d.body) return ''; \
    const widget = [...d.querySelectorAll('[data-tandem]')].map(e => [e, e.style.display]); \
    widget.forEach(([e]) => { e.style.display = 'none'; }); const text = d.body.innerText; \
    widget.forEach(([e, shown]) => { e.style.display = shown; }); return text;";

/// One page's figures.
struct Row {
    page: String,
    elements: u64,
    html_bytes: u64,
    snapshot_bytes: f64,
    mirror_ms: f64,
    words: f64,
    boxes: f64,
    longest_frame_ms: f64,
}

async fn visitor_json(visitor: &fantoccini::Client, script: &str) -> anyhow::Result<Value> {
    Ok(visitor
        .execute(&format!("const d = document; {script}"), vec![])
        .await?)
}

async fn mirror_json(console: &fantoccini::Client, script: &str) -> anyhow::Result<Value> {
    in_mirror(console, &format!("const d = doc; {script}"), vec![]).await
}

/// Share of the visitor's words found in the mirror (as a multiset).
fn words_matched(page: &str, mirror: &str) -> f64 {
    let mut left: HashMap<&str, i64> = HashMap::new();
    for word in mirror.split_whitespace() {
        *left.entry(word).or_default() += 1;
    }
    let (mut total, mut found) = (0u64, 0u64);
    for word in page.split_whitespace() {
        total += 1;
        if let Some(count) = left.get_mut(word).filter(|count| **count > 0) {
            *count -= 1;
            found += 1;
        }
    }
    if total == 0 {
        return f64::NAN;
    }
    found as f64 / total as f64
}

/// Share of the visitor's boxes found at the same tag path within 2 px in the mirror.
fn boxes_in_place(page: &Value, mirror: &Value) -> f64 {
    let (Some(page), Some(mirror)) = (page.as_object(), mirror.as_object()) else {
        return f64::NAN;
    };
    let numbers = |v: &Value| -> Vec<f64> {
        v.as_array()
            .map(|a| a.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default()
    };
    let in_place = page
        .iter()
        .filter(|(path, rect)| {
            let (a, b) = (
                numbers(rect),
                mirror.get(*path).map(numbers).unwrap_or_default(),
            );
            a.len() == 4 && b.len() == 4 && a.iter().zip(&b).all(|(x, y)| (x - y).abs() <= 2.0)
        })
        .count();
    if page.is_empty() {
        return f64::NAN;
    }
    in_place as f64 / page.len() as f64
}

/// Waits for the widget to have read the whole page; its figures.
async fn snapshot_done(visitor: &fantoccini::Client) -> anyhow::Result<Value> {
    wait_for_within("the snapshot read", Duration::from_secs(60), || async {
        let stats = visitor
            .execute(
                "const s = window.__tandemCobrowse; \
                 return s && s.snapshotMs > 0 ? Object.assign({origin: performance.timeOrigin}, s) : null;",
                vec![],
            )
            .await?;
        Ok((!stats.is_null()).then_some(stats))
    })
    .await
}

/// Waits until the mirror's element count has not changed for half a second; the console's
/// clock (ms since the epoch) when it first reached that count.
async fn mirror_settled(console: &fantoccini::Client) -> anyhow::Result<f64> {
    let mut last = (-1.0, 0.0);
    let mut steady = 0;
    for _ in 0..600 {
        let sample = mirror_json(
            console,
            "return [d.querySelectorAll('*').length, Date.now()];",
        )
        .await?;
        let count = sample[0].as_f64().unwrap_or(-1.0);
        let at = sample[1].as_f64().unwrap_or(0.0);
        if count == last.0 {
            steady += 1;
            if steady >= 5 {
                return Ok(last.1);
            }
        } else {
            last = (count, at);
            steady = 0;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("the mirror never settled")
}

async fn measure(scene: &Scene, url: &str, file: &std::path::Path) -> anyhow::Result<Row> {
    let (console, visitor) = (&scene.console, &scene.visitor);
    let stats = snapshot_done(visitor).await?;
    let settled_at = mirror_settled(console).await?;
    let started_at = stats["origin"].as_f64().unwrap_or(f64::NAN)
        + stats["snapshotAt"].as_f64().unwrap_or(f64::NAN);
    let elements = visitor_json(
        visitor,
        "return [...d.querySelectorAll('*')].filter(e => !e.closest('[data-tandem]')).length;",
    )
    .await?;
    let page_boxes = visitor_json(visitor, BOXES).await?;
    let mirror_boxes = mirror_json(console, BOXES).await?;
    let page_words = visitor_json(visitor, WORDS).await?;
    let mirror_words = mirror_json(console, WORDS).await?;
    Ok(Row {
        page: url.rsplit('/').next().unwrap_or(url).to_owned(),
        elements: elements.as_u64().unwrap_or(0),
        html_bytes: std::fs::metadata(file).map(|m| m.len()).unwrap_or(0),
        snapshot_bytes: stats["snapshotBytes"].as_f64().unwrap_or(f64::NAN),
        mirror_ms: settled_at - started_at,
        words: words_matched(
            page_words.as_str().unwrap_or_default(),
            mirror_words.as_str().unwrap_or_default(),
        ),
        boxes: boxes_in_place(&page_boxes, &mirror_boxes),
        longest_frame_ms: stats["snapshotSliceMs"].as_f64().unwrap_or(f64::NAN),
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let scene = Scene::start().await?;
    let site = DemoSite::serve_dir(&scene.relay.url(""), CORPUS).await?;
    let dir = tandem_tests::workspace_root().join(CORPUS);
    let mut pages: Vec<_> = std::fs::read_dir(&dir)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "html"))
        .collect();
    pages.sort();
    let mut rows = Vec::new();
    for (index, path) in pages.iter().enumerate() {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let url = site.url(name);
        if index == 0 {
            // The first page starts the chat and the session; the others load inside it.
            let (visitor, console) = (&scene.visitor, &scene.console);
            ask_for_a_chat(
                visitor,
                &url,
                "Jeanne Martin",
                "jeanne@example.com",
                "Corpus",
            )
            .await?;
            wait_for_text("the chat", "Corpus", || page_text(console, ".chat-pane")).await?;
            ask_to_share(console).await?;
            click_in_widget(visitor, "[data-cobrowse-accept]").await?;
        } else {
            scene.visitor.goto(&url).await?;
        }
        match measure(&scene, &url, path).await {
            Ok(row) => rows.push(row),
            Err(error) => println!("{name}: not measured ({error:#})"),
        }
    }
    println!("| page | elements | HTML | snapshot | start → mirror | words matched | boxes within 2 px | widget's longest frame |");
    println!("|---|---|---|---|---|---|---|---|");
    for row in &rows {
        println!(
            "| {} | {} | {:.0} KB | {:.0} KB | {:.0} ms | {:.1}% | {:.1}% | {:.1} ms |",
            row.page,
            row.elements,
            row.html_bytes as f64 / 1024.0,
            row.snapshot_bytes / 1024.0,
            row.mirror_ms,
            row.words * 100.0,
            row.boxes * 100.0,
            row.longest_frame_ms
        );
    }
    Ok(())
}
