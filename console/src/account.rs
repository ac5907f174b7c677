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

/// How advisers may sign in here: (password, single sign-on). Password only when the relay
/// cannot be asked.
pub async fn methods() -> (bool, bool) {
    let answer: Option<serde_json::Value> = async {
        let response = Request::get("/api/v1/auth/methods").send().await.ok()?;
        response.json().await.ok()
    }
    .await;
    match answer {
        Some(methods) => (
            methods["password"].as_bool().unwrap_or(true),
            methods["sso"].as_bool().unwrap_or(false),
        ),
        None => (true, false),
    }
}

/// Logs out.
pub async fn log_out() {
    let _ = Request::post("/api/v1/auth/logout").send().await;
}
