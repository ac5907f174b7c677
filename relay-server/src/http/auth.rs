//! Console login: `POST /api/v1/auth/login` sets an HttpOnly, SameSite=Strict cookie;
//! `POST /api/v1/auth/logout` ends it; `GET /api/v1/auth/me` tells who is logged in.

use super::extract::{LoggedInAdviser, SESSION_COOKIE};
use super::origin::is_same_origin;
use super::{ApiError, AppState};
use crate::auth::password::{
    password_check_turn, verify_against_nothing, verify_password, MAX_PASSWORD_BYTES,
};
use crate::auth::secret::{random_token, token_hash};
use crate::limits::MAX_LOGIN_CHARS;
use crate::store::{Actor, Audit};
use crate::time::now_ms;
use axum::extract::{ConnectInfo, State};
use axum::http::header::SET_COOKIE;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::Json;
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use std::net::SocketAddr;
use tandem_shared::model::AdviserProfile;

/// Largest login request body read (a login name and a password with JSON around them).
pub const MAX_LOGIN_BODY_BYTES: usize = 8 * 1024;

/// A login name as logged: its first 64 characters, written with `?` so that control
/// characters are escaped (a newline cannot forge a log line).
fn loggable(login: &str) -> String {
    login.chars().take(64).collect()
}

/// How long a console login lasts.
pub(super) const LOGIN_SECS: i64 = 12 * 3600;

/// The login form.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    login: String,
    password: String,
}

/// A `Set-Cookie` value: HttpOnly, `Secure` when the relay is served over HTTPS.
pub(super) fn set_cookie(
    app: &AppState,
    name: &str,
    value: &str,
    path: &str,
    same_site: &str,
    max_age: i64,
) -> String {
    let secure = if app.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{name}={value}; Path={path}; HttpOnly; SameSite={same_site}; Max-Age={max_age}{secure}"
    )
}

/// The login cookie's `Set-Cookie` value.
pub(super) fn cookie(app: &AppState, value: &str, max_age: i64) -> String {
    set_cookie(app, SESSION_COOKIE, value, "/", "Strict", max_age)
}

/// Checks the password and opens a console session.
pub async fn login(
    State(app): State<AppState>,
    ConnectInfo(peer_addr): ConnectInfo<SocketAddr>,
    request_headers: HeaderMap,
    Json(form): Json<LoginForm>,
) -> Result<impl IntoResponse, ApiError> {
    if !is_same_origin(&request_headers, app.config.secure_cookies) {
        return Err(ApiError::Forbidden("log in from the console's own page"));
    }
    if !app.config.password_login {
        return Err(ApiError::Forbidden(
            "password login is turned off: sign in with single sign-on",
        ));
    }
    let ip = super::client_ip::client_ip(
        peer_addr.ip(),
        &request_headers,
        &app.config.trusted_proxies,
    );
    let login = form.login.trim();
    if login.chars().count() > MAX_LOGIN_CHARS || form.password.len() > MAX_PASSWORD_BYTES {
        return Err(ApiError::BadRequest(format!(
            "a login is at most {MAX_LOGIN_CHARS} characters and a password at most \
             {MAX_PASSWORD_BYTES} bytes"
        )));
    }
    if !app.limiters.allow_login(ip, login) {
        tracing::warn!(login = ?loggable(login), %ip, "console login throttled");
        return Err(ApiError::TooManyRequests(
            "too many login attempts; wait a minute",
        ));
    }
    let adviser = app.store.adviser_by_login(login).await?;
    let password = form.password;
    // argon2 is deliberately slow: keep it off the async workers, one check per core.
    let _turn = password_check_turn()
        .await
        .map_err(|e| ApiError::BadRequest(format!("login check failed: {e}")))?;
    let verified = tokio::task::spawn_blocking(move || match &adviser {
        Some(row) => verify_password(&password, &row.password_hash).then(|| row.clone()),
        None => {
            verify_against_nothing(&password);
            None
        }
    })
    .await
    .map_err(|e| ApiError::BadRequest(format!("login check failed: {e}")))?;
    let Some(adviser) = verified else {
        tracing::info!(login = ?loggable(login), %ip, "failed console login");
        let nobody = Actor {
            kind: "adviser",
            id: None,
            name: loggable(login),
            address: Some(ip),
        };
        let refused = Audit {
            actor: &nobody,
            action: "login.refused",
            target: None,
            detail: None,
        };
        app.store.audit(&refused, now_ms()).await?;
        return Err(ApiError::Unauthorized("wrong login or password"));
    };
    let token = random_token();
    let now = now_ms();
    let profile = adviser.profile();
    let actor = Actor::adviser(&adviser.id, &adviser.login, Some(ip));
    app.store
        .create_login(
            &token_hash(&token),
            &actor,
            "password",
            now,
            now + LOGIN_SECS * 1000,
        )
        .await?;
    let mut headers = HeaderMap::new();
    if let Ok(value) = cookie(&app, &token, LOGIN_SECS).parse() {
        headers.insert(SET_COOKIE, value);
    }
    Ok((headers, Json(profile)))
}

/// Ends the console session of this cookie.
pub async fn logout(
    State(app): State<AppState>,
    request_headers: HeaderMap,
    jar: CookieJar,
) -> Result<impl IntoResponse, ApiError> {
    if !is_same_origin(&request_headers, app.config.secure_cookies) {
        return Err(ApiError::Forbidden("log out from the console's own page"));
    }
    if let Some(token) = jar.get(SESSION_COOKIE) {
        let hash = token_hash(token.value());
        let adviser = app.store.login_adviser(&hash, now_ms()).await?;
        app.store.delete_login(&hash).await?;
        // The console's open socket was opened with this login: it ends with it.
        if let Some(adviser) = adviser {
            app.hub.current().close_consoles(&adviser);
        }
    }
    let mut headers = HeaderMap::new();
    if let Ok(value) = cookie(&app, "", 0).parse() {
        headers.insert(SET_COOKIE, value);
    }
    Ok((headers, Json(serde_json::json!({ "ok": true }))))
}

/// The logged-in adviser.
pub async fn me(adviser: LoggedInAdviser) -> Json<AdviserProfile> {
    Json(adviser.0.profile())
}

#[cfg(test)]
mod tests {
    use super::loggable;

    /// Tried: a login name holding a newline and a forged log line, 500 characters long.
    #[test]
    fn a_login_name_is_logged_escaped_and_short() {
        let login = format!("eve\n2026-12-06T00:00:00Z INFO forged{}", "x".repeat(500));
        let logged = format!("{:?}", loggable(&login));
        assert!(!logged.contains('\n'), "{logged}");
        assert!(logged.contains("\\n"), "{logged}");
        assert!(
            logged.chars().count() <= 64 + 3,
            "64 characters, quotes, one escape: {logged}"
        );
    }
}
