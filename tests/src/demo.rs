//! The demo site served from its own origin, with the script tag pointing at the relay, as a
//! customer's site would be.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::net::SocketAddr;
use tokio::task::JoinHandle;

/// A running demo site.
pub struct DemoSite {
    /// Where it listens.
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

/// What the pages are served with: the relay's origin and the folder.
#[derive(Clone)]
struct Served {
    relay: String,
    dir: std::path::PathBuf,
}

async fn page(State(served): State<Served>, Path(file): Path<String>) -> Response {
    let Served { relay, dir } = served;
    let safe = !file.contains("..") && !file.contains('/');
    let Ok(text) = tokio::fs::read_to_string(dir.join(&file))
        .await
        .map_err(|_| ())
        .and_then(|t| if safe { Ok(t) } else { Err(()) })
    else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let kind = if file.ends_with(".css") {
        "text/css"
    } else if file.ends_with(".svg") {
        "image/svg+xml"
    } else {
        "text/html; charset=utf-8"
    };
    let tag = format!("src=\"{relay}/widget.js\"");
    let text = text
        .replace("src=\"/widget.js\"", &tag)
        .replace("src=\"http://127.0.0.1:8080/widget.js\"", &tag);
    ([(header::CONTENT_TYPE, kind)], text).into_response()
}

impl DemoSite {
    /// Serves `examples/demo-site` on a new port, its script tag pointing at `relay_origin`.
    pub async fn serve(relay_origin: &str) -> anyhow::Result<DemoSite> {
        DemoSite::serve_dir(relay_origin, "examples/demo-site").await
    }

    /// Serves a folder of the workspace (`examples/second-site`) the same way.
    pub async fn serve_dir(relay_origin: &str, dir: &str) -> anyhow::Result<DemoSite> {
        let served = Served {
            relay: relay_origin.to_owned(),
            dir: crate::workspace_root().join(dir),
        };
        let app = Router::new().route("/{file}", get(page)).with_state(served);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(DemoSite { addr, task })
    }

    /// The URL of a page; `localhost`, so it is another origin than the relay's `127.0.0.1`.
    pub fn url(&self, page: &str) -> String {
        format!("http://localhost:{}/{page}", self.addr.port())
    }
}

impl Drop for DemoSite {
    fn drop(&mut self) {
        self.task.abort();
    }
}
