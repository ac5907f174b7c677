//! The adviser's login, over the relay's HTTP API (the cookie it sets is HttpOnly: the
//! console never sees it).

use gloo_net::http::Request;
use serde_json::json;
use tandem_shared::model::AdviserProfile;

/// The adviser logged in with the current cookie, if any.
pub async fn current() -> Option<AdviserProfile> {
    let response = Request::get("/api/v1/auth/me").send().await.ok()?;
    if !response.ok() {
        return None;
    }
    response.json().await.ok()
}

/// Logs in; `None` for a wrong login or password.
pub async fn log_in(login: &str, password: &str) -> Option<AdviserProfile> {
    let response = Request::post("/api/v1/auth/login")
        .json(&json!({ "login": login, "password": password }))
        .ok()?
        .send()
        .await
        .ok()?;
    if !response.ok() {
        return None;
    }
    response.json().await.ok()
}

/// Logs out.
pub async fn log_out() {
    let _ = Request::post("/api/v1/auth/logout").send().await;
}
