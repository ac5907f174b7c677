//! HTTP routes that act on live conversations (sharing a file, erasing a contact, changing a
//! queue's settings) run where the hub is: a node that does not lead passes them to the
//! leader and returns its answer as is.

use super::ApiError;
use crate::app::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The largest request body passed on (a shared file and some).
const MAX_BODY: usize = tandem_shared::files::MAX_FILE_BYTES + 64 * 1024;

/// Headers that belong to one hop of a connection, not to the request.
const HOP_BY_HOP: [HeaderName; 4] = [
    header::HOST,
    header::CONNECTION,
    header::TRANSFER_ENCODING,
    header::CONTENT_LENGTH,
];

/// What a client is told while no node leads the cluster.
pub(super) const NO_LEADER: &str = "no node leads the cluster right now; retry in a moment";

/// Middleware: runs the route here when this node leads (or is alone), else asks the leader.
pub async fn to_leader(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let Some(cluster) = app.forwarding_cluster() else {
        return next.run(request).await;
    };
    let Some(leader) = cluster.leader() else {
        return ApiError::Unavailable(NO_LEADER).into_response();
    };
    match pass_on(cluster.http_client(), &leader.http, request).await {
        Ok(response) => response,
        Err(error) => {
            tracing::warn!(leader = %leader.http, %error, "could not reach the leader");
            ApiError::Unavailable("the node leading the cluster did not answer; retry in a moment")
                .into_response()
        }
    }
}

async fn pass_on(
    client: &reqwest::Client,
    leader_url: &str,
    request: Request,
) -> Result<Response, anyhow::Error> {
    let (parts, body) = request.into_parts();
    // Inside a nested router the URI lost its prefix; the original one has it.
    let uri = parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map_or(&parts.uri, |original| &original.0);
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let url = format!("{}{path}", leader_url.trim_end_matches('/'));
    let body = axum::body::to_bytes(body, MAX_BODY).await?;
    let mut forwarded = client.request(parts.method, url).body(body);
    for (name, value) in &parts.headers {
        if !HOP_BY_HOP.contains(name) {
            forwarded = forwarded.header(name, value);
        }
    }
    let answer = forwarded.send().await?;
    let mut response = Response::builder().status(answer.status());
    for (name, value) in answer.headers() {
        if !HOP_BY_HOP.contains(name) {
            response = response.header(name, value);
        }
    }
    Ok(response.body(Body::from(answer.bytes().await?))?)
}
