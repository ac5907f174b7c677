//! An HTTP server on a loopback port that notes every request it gets (path and query, and
//! `Referer` if any): a second origin, to learn what a browser fetched from it. It answers a
//! small page for `.html` paths and a 1×1 GIF for anything else.

use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use std::sync::{Arc, Mutex};

/// A running recorder, stopped on drop.
pub struct Recorder {
    /// `http://127.0.0.1:PORT`.
    pub origin: String,
    seen: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

const GIF: &[u8] = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;";
const PAGE: &str = "<!DOCTYPE html><title>Embedded</title><p>Embedded page of another site</p>";

async fn record(
    State(seen): State<Arc<Mutex<Vec<String>>>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let referer = headers
        .get("referer")
        .and_then(|v| v.to_str().ok())
        .map(|r| format!(" referer={r}"))
        .unwrap_or_default();
    if let Ok(mut seen) = seen.lock() {
        seen.push(format!("{uri}{referer}"));
    }
    if uri.path().ends_with(".html") {
        ([("content-type", "text/html; charset=utf-8")], PAGE).into_response()
    } else {
        ([("content-type", "image/gif")], GIF).into_response()
    }
}

impl Recorder {
    /// Starts listening on a free loopback port.
    pub async fn start() -> anyhow::Result<Recorder> {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let app = axum::Router::new()
            .fallback(record)
            .with_state(seen.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let origin = format!("http://{}", listener.local_addr()?);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Recorder { origin, seen, task })
    }

    /// Every request so far, in order: `/path?query` and ` referer=…` when one was sent.
    pub fn seen(&self) -> Vec<String> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// How many requests so far were for `path` (query left aside).
    pub fn count(&self, path: &str) -> usize {
        self.seen()
            .iter()
            .filter(|s| s.split(['?', ' ']).next() == Some(path))
            .count()
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.task.abort();
    }
}
