//! `GET /healthz`: 200 when the relay can serve (its database answers), 503 otherwise. A
//! node of a cluster says whether it leads, or which node it forwards to.

use super::AppState;
use axum::extract::State;
use axum::http::StatusCode;

/// Health check for load balancers and supervisors.
pub async fn healthz(State(app): State<AppState>) -> (StatusCode, String) {
    if let Err(error) = app.store.ping().await {
        tracing::error!(%error, "health check failed");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "database unavailable\n".to_owned(),
        );
    }
    let Some(cluster) = &app.cluster else {
        return (StatusCode::OK, "ok\n".to_owned());
    };
    let role = if cluster.is_leader() {
        "leads".to_owned()
    } else {
        match cluster.leader() {
            Some(leader) => format!("forwards to the leader {}", leader.node),
            None => "waits for a leader".to_owned(),
        }
    };
    (
        StatusCode::OK,
        format!("ok: node {} {role}\n", cluster.node),
    )
}
