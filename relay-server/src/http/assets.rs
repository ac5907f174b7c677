//! The widget loader (`/widget.js`), the built widget and console (`/assets/…`), the console
//! page (`/console`) and the optional demo site (`/demo/…`).
//!
//! Asset URLs carry a version derived from the built files (`/assets/v-<version>/…`, or an
//! older `?v=` query), so assets are cached for a year while the small loader is cached for
//! five minutes. The version is a path segment so that what a module fetches relative to its
//! own address (the widget's co-browsing module) is versioned too. Assets are served precompressed
//! (brotli, gzip) and with CORS, because the widget runs on other sites.

use super::AppState;
use crate::config::Config;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// The built bundles that must be there for the widget and console to load.
const BUNDLES: [&str; 5] = [
    "widget/widget.js",
    "widget/widget_bg.wasm",
    "widget/invite.js",
    "console/console.js",
    "console/console_bg.wasm",
];

/// The loader and the console page, with the current asset version.
#[derive(Debug)]
pub struct Assets {
    loader: String,
    /// The loader compressed once with brotli's best quality (what nearly every browser
    /// takes): smaller than compressing each response on the fly, and no CPU per request.
    loader_br: Option<axum::body::Bytes>,
    console_page: String,
    /// The console page's Content-Security-Policy.
    console_policy: String,
    /// True when every bundle was found.
    pub complete: bool,
}

impl Assets {
    /// Reads the built bundles in `dir` to version the loader and console page.
    pub fn load(dir: &Path) -> Assets {
        let complete = BUNDLES.iter().all(|bundle| dir.join(bundle).is_file());
        let mut hash = Sha256::new();
        for file in built_files(dir) {
            if let Ok(bytes) = std::fs::read(&file) {
                hash.update(file.to_string_lossy().as_bytes());
                hash.update(&bytes);
            }
        }
        if !complete {
            tracing::warn!(dir = %dir.display(), "the widget is not built: run scripts/build-widget.sh");
        }
        let digest = hash.finalize();
        let version: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        // The minified loader of the build; the readable source when the build has none.
        let loader = std::fs::read_to_string(dir.join("loader.js"))
            .unwrap_or_else(|_| include_str!("../../assets/loader.js").to_owned());
        let console_page =
            include_str!("../../assets/console.html").replace("__VERSION__", &version);
        let loader = loader.replace("__VERSION__", &version);
        Assets {
            loader_br: brotli_best(loader.as_bytes()),
            loader,
            console_policy: super::security_headers::console_policy(
                super::security_headers::inline_script(&console_page),
            ),
            console_page,
            complete,
        }
    }
}

/// The widget's and console's files (not their compressed copies), in a stable order: their
/// bytes decide the version in asset URLs.
fn built_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ["widget", "console"]
        .iter()
        .filter_map(|sub| std::fs::read_dir(dir.join(sub)).ok())
        .flatten()
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            let compressed = path
                .extension()
                .is_some_and(|ext| ext == "br" || ext == "gz");
            path.is_file() && !compressed
        })
        .collect();
    files.sort();
    files
}

/// `/v-<version>/rest` → `/rest`: the version segment only busts caches (any version is
/// served the current files; the loader always asks for the current one).
fn strip_version<B>(mut request: axum::http::Request<B>) -> axum::http::Request<B> {
    let path = request.uri().path();
    let Some(rest) = path
        .strip_prefix("/v-")
        .and_then(|tail| tail.split_once('/').map(|(_, rest)| rest))
    else {
        return request;
    };
    let query = request
        .uri()
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    if let Ok(uri) = format!("/{rest}{query}").parse() {
        *request.uri_mut() = uri;
    }
    request
}

/// `bytes` compressed with brotli at quality 11; none if the encoder failed.
fn brotli_best(bytes: &[u8]) -> Option<axum::body::Bytes> {
    let mut compressed = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut compressed, &params).ok()?;
    Some(compressed.into())
}

async fn loader(
    axum::extract::State(app): axum::extract::State<AppState>,
    headers: axum::http::HeaderMap,
) -> Response {
    let common = [
        (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
        (header::CACHE_CONTROL, "public, max-age=300"),
        (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        (header::VARY, "accept-encoding"),
    ];
    let takes_brotli = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|e| e.trim().starts_with("br")));
    match (&app.assets.loader_br, takes_brotli) {
        (Some(compressed), true) => (
            common,
            [(header::CONTENT_ENCODING, "br")],
            compressed.clone(),
        )
            .into_response(),
        // Others get it gzipped (or plain) by the route's compression layer.
        _ => (common, app.assets.loader.clone()).into_response(),
    }
}

async fn console_page(axum::extract::State(app): axum::extract::State<AppState>) -> Response {
    (
        [
            (header::CACHE_CONTROL, "no-cache".to_owned()),
            (
                header::CONTENT_SECURITY_POLICY,
                app.assets.console_policy.clone(),
            ),
            (header::X_FRAME_OPTIONS, "DENY".to_owned()),
        ],
        Html(app.assets.console_page.clone()),
    )
        .into_response()
}

/// The asset, console and demo routes.
pub fn routes(config: &Config) -> Router<AppState> {
    let bundles = ServeDir::new(&config.assets_dir)
        .precompressed_br()
        .precompressed_gzip();
    let immutable = SetResponseHeaderLayer::overriding(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    let cors = SetResponseHeaderLayer::overriding(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    // Sites may measure what the widget costs their pages (sizes in resource timings).
    let timing = SetResponseHeaderLayer::overriding(
        axum::http::HeaderName::from_static("timing-allow-origin"),
        HeaderValue::from_static("*"),
    );
    let mut router = Router::new()
        // The loader is on every page of the site: sent compressed (brotli or gzip).
        .route(
            "/widget.js",
            get(loader).layer(tower_http::compression::CompressionLayer::new()),
        )
        .route("/console", get(console_page))
        .route(
            "/console/",
            get(|| async { Redirect::permanent("/console") }),
        )
        .nest_service(
            "/assets",
            tower::ServiceBuilder::new()
                .layer(immutable)
                .layer(cors)
                .layer(timing)
                .map_request(strip_version)
                .service(bundles),
        );
    router = match demo_dir(config) {
        Some(dir) => router
            .nest_service("/demo", ServeDir::new(dir))
            .route("/", get(|| async { Redirect::temporary("/demo/") })),
        None => router.route("/", get(|| async { Redirect::temporary("/console") })),
    };
    router.fallback(|| async { (StatusCode::NOT_FOUND, "not found\n") })
}

fn demo_dir(config: &Config) -> Option<PathBuf> {
    config.demo_dir.clone().filter(|dir| dir.is_dir())
}
