//! Single sign-on over HTTP: `GET /api/v1/auth/methods` (what the login page offers),
//! `GET /api/v1/auth/oidc/start` (to the provider, with PKCE and a state bound to this
//! browser) and `GET /api/v1/auth/oidc/callback` (back: the account tied to the provider's
//! subject, its role from the role claim, a console login). A failed sign-in lands on the
//! console's login page with `#sso-failed`; the reason is logged.

use super::auth::{cookie, set_cookie, LOGIN_SECS};
use super::client_ip::client_ip;
use super::{ApiError, AppState};
use crate::auth::oidc::SignedIn;
use crate::auth::password::hash_password;
use crate::auth::secret::{random_token, token_hash};
use crate::limits::usable_login;
use crate::store::{AccountChangeError, Actor, AdviserRow, NewAdviser};
use crate::time::now_ms;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};

/// The cookie binding a sign-in's state to the browser that started it (no one else can
/// finish it: a login forced on someone else's browser fails).
const STATE_COOKIE: &str = "tandem_sso";

/// What the login page offers.
pub async fn methods(State(app): State<AppState>) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "password": app.config.password_login,
        "sso": app.oidc.is_some(),
    }))
}

fn redirect_url(app: &AppState, headers: &HeaderMap) -> Option<String> {
    let oidc = app.oidc.as_ref()?;
    if let Some(url) = oidc.redirect_url() {
        return Some(url.to_owned());
    }
    let host = headers.get("host")?.to_str().ok()?;
    let scheme = if app.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    Some(format!("{scheme}://{host}/api/v1/auth/oidc/callback"))
}

fn see_other(location: &str, cookies: &[String]) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(LOCATION, value);
    }
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(cookie) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}

fn state_cookie(app: &AppState, value: &str, max_age: i64) -> String {
    // Lax: the provider sends the browser back with a top-level navigation from its site.
    set_cookie(
        app,
        STATE_COOKIE,
        value,
        "/api/v1/auth/oidc",
        "Lax",
        max_age,
    )
}

/// Sends the browser to the provider.
pub async fn start(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (Some(oidc), Some(redirect)) = (&app.oidc, redirect_url(&app, &headers)) else {
        return Err(ApiError::NotFound("single sign-on is not set up"));
    };
    let ip = client_ip(peer.ip(), &headers, &app.config.trusted_proxies);
    if !app.limiters.allow_sign_in(ip) {
        return Err(ApiError::TooManyRequests(
            "too many sign-ins from this address; wait a minute",
        ));
    }
    let started = oidc.start(&redirect).await.map_err(|error| {
        tracing::error!(%error, "single sign-on could not start");
        ApiError::Unavailable("the identity provider cannot be reached; try again soon")
    })?;
    if !app
        .store
        .save_sign_in(&started.state, &started.verifier, &started.nonce, now_ms())
        .await?
    {
        return Err(ApiError::Unavailable(
            "too many sign-ins under way; try again in a few minutes",
        ));
    }
    let bound = state_cookie(&app, &started.state, 600);
    Ok(see_other(&started.url, &[bound]))
}

/// The provider's answer.
#[derive(Debug, Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// Back from the provider: on success, a console login and the desk.
pub async fn callback(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    jar: CookieJar,
    Query(answer): Query<Callback>,
) -> Response {
    let ip = client_ip(peer.ip(), &headers, &app.config.trusted_proxies);
    let forget_state = state_cookie(&app, "", 0);
    match sign_in(&app, &headers, &jar, answer, ip).await {
        Ok(login_cookie) => see_other("/console", &[forget_state, login_cookie]),
        Err(reason) => {
            // Debug-formatted: what the provider said cannot forge log lines.
            tracing::warn!(%ip, ?reason, "single sign-on refused");
            see_other("/console#sso-failed", &[forget_state])
        }
    }
}

/// The whole callback; the error says why, for the log.
async fn sign_in(
    app: &AppState,
    headers: &HeaderMap,
    jar: &CookieJar,
    answer: Callback,
    ip: IpAddr,
) -> Result<String, String> {
    let (Some(oidc), Some(redirect)) = (&app.oidc, redirect_url(app, headers)) else {
        return Err("single sign-on is not set up".into());
    };
    if let Some(error) = answer.error {
        return Err(format!("the provider answered {error:.64}"));
    }
    let (Some(code), Some(state)) = (answer.code, answer.state) else {
        return Err("no code or state".into());
    };
    if jar.get(STATE_COOKIE).map(|c| c.value()) != Some(state.as_str()) {
        return Err("the state is not this browser's".into());
    }
    let (verifier, nonce) = app
        .store
        .take_sign_in(&state, now_ms())
        .await
        .map_err(|e| e.to_string())?
        .ok_or("an unknown or lapsed sign-in")?;
    let signed = oidc
        .finish(&redirect, &code, &verifier, &nonce)
        .await
        .map_err(|e| e.to_string())?;
    let adviser = account_for(app, &signed, ip).await?;
    let token = random_token();
    let now = now_ms();
    let actor = Actor::adviser(&adviser.id, &adviser.login, Some(ip));
    app.store
        .create_login(
            &token_hash(&token),
            &actor,
            "sso",
            now,
            now + LOGIN_SECS * 1000,
        )
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!(login = %adviser.login, role = adviser.role, "signed in through single sign-on");
    Ok(cookie(app, &token, LOGIN_SECS))
}

/// The account tied to the provider's subject, with the role the provider gives; created on
/// the first sign-in. A login already held by an account not tied to this subject is refused
/// (a name chosen at the provider never takes over someone else's account).
async fn account_for(app: &AppState, signed: &SignedIn, ip: IpAddr) -> Result<AdviserRow, String> {
    let store = &app.store;
    let actor = Actor {
        kind: "sso",
        id: Some(signed.subject.clone()),
        name: signed.login.clone(),
        address: Some(ip),
    };
    if let Some((adviser, disabled)) = store
        .adviser_by_subject(&signed.subject)
        .await
        .map_err(|e| e.to_string())?
    {
        if disabled {
            return Err(format!("{} is disabled", adviser.login));
        }
        if adviser.role() != signed.role {
            match store
                .set_adviser_role(&adviser.login, signed.role, &actor)
                .await
            {
                Ok(_) | Err(AccountChangeError::UnknownLogin) => {}
                Err(AccountChangeError::LastAdmin) => {
                    tracing::warn!(login = %adviser.login, "kept the last admin's role");
                }
                Err(AccountChangeError::Store(e)) => return Err(e.to_string()),
            }
        }
        return store
            .adviser(&tandem_shared::AdviserId(adviser.id.clone()))
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| "the account vanished".to_owned());
    }
    let login = signed.login.trim();
    if !usable_login(login) {
        return Err("the provider gave an unusable login".into());
    }
    if store.login_taken(login).await.map_err(|e| e.to_string())? {
        return Err(format!(
            "the login {login:.64} belongs to an account not tied to single sign-on"
        ));
    }
    // Signed in through the provider only: a password nobody knows.
    let unusable = tokio::task::spawn_blocking(|| hash_password(&random_token()))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let name: String = signed.name.chars().take(100).collect();
    let saved = store
        .upsert_adviser(
            NewAdviser {
                login,
                display_name: name.trim(),
                password_hash: &unusable,
                role: signed.role,
            },
            &actor,
            now_ms(),
        )
        .await
        .map_err(|e| e.to_string())?;
    store
        .tie_to_subject(&saved.id, &signed.subject)
        .await
        .map_err(|e| e.to_string())?;
    store
        .adviser(&saved.id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "the account vanished".to_owned())
}
