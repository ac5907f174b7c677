//! `GET /healthz`: 200 when the relay can serve (its database answers), 503 otherwise.

use super::AppState;
use axum::extract::State;
use axum::http::StatusCode;

/// Health check for load balancers and supervisors.
pub async fn healthz(State(app): State<AppState>) -> (StatusCode, &'static str) {
    match app.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n"),
        Err(error) => {
            tracing::error!(%error, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
    }
}
