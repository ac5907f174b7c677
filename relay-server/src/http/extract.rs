//! Who is calling: a logged-in adviser (console cookie) or an API client (bearer token).
//! [`super::access::authorize`] identifies them in front of every route that needs it and
//! checks their role or scope; handlers read the result with these extractors.

use super::{ApiError, AppState};
use crate::auth::secret::token_hash;
use crate::store::{Actor, AdviserRow, ApiTokenRow};
use crate::time::now_ms;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum_extra::extract::CookieJar;

/// The console login cookie.
pub const SESSION_COOKIE: &str = "tandem_session";

/// Someone identified and allowed by [`super::access::authorize`].
#[derive(Clone, Debug)]
pub enum Caller {
    /// An adviser in the console (login cookie).
    Adviser(AdviserRow),
    /// The site owner's systems (`Authorization: Bearer …`).
    Api(ApiTokenRow),
}

impl Caller {
    /// How a change is logged: `api` or `adviser:<id>`.
    pub fn label(&self) -> String {
        match self {
            Caller::Api(_) => "api".to_owned(),
            Caller::Adviser(adviser) => format!("adviser:{}", adviser.id),
        }
    }

    /// The caller as the audit trail names them, from `address`.
    pub fn actor(&self, address: std::net::IpAddr) -> Actor {
        match self {
            Caller::Adviser(adviser) => Actor::adviser(&adviser.id, &adviser.login, Some(address)),
            Caller::Api(token) => Actor {
                kind: "api",
                id: Some(token.id.clone()),
                name: token.name.clone(),
                address: Some(address),
            },
        }
    }
}

impl FromRequestParts<AppState> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Actor>().cloned().ok_or_else(|| {
            tracing::error!(path = %parts.uri.path(), "a handler needs an actor its route's rule does not identify");
            ApiError::Forbidden("this route is not open to anyone yet")
        })
    }
}

/// Identifies the caller: an API token when the request carries `Authorization`, else the
/// login cookie.
pub async fn authenticate(headers: &HeaderMap, app: &AppState) -> Result<Caller, ApiError> {
    if let Some(value) = headers.get(AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or(ApiError::Unauthorized(
                "send an API token: Authorization: Bearer <token>",
            ))?;
        return app
            .store
            .api_token(&token_hash(token.trim()))
            .await?
            .map(Caller::Api)
            .ok_or(ApiError::Unauthorized("this API token is not valid"));
    }
    let jar = CookieJar::from_headers(headers);
    let token = jar.get(SESSION_COOKIE).ok_or(ApiError::Unauthorized(
        "log in first, or send an API token: Authorization: Bearer <token>",
    ))?;
    let adviser_id = app
        .store
        .login_adviser(&token_hash(token.value()), now_ms())
        .await?
        .ok_or(ApiError::Unauthorized(
            "your login has expired; log in again",
        ))?;
    let adviser = app
        .store
        .adviser(&adviser_id)
        .await?
        .ok_or(ApiError::Unauthorized("this account no longer exists"))?;
    Ok(Caller::Adviser(adviser))
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Caller>().cloned().ok_or_else(|| {
            tracing::error!(path = %parts.uri.path(), "a handler needs a caller its route's rule does not identify");
            ApiError::Forbidden("this route is not open to anyone yet")
        })
    }
}

/// An adviser identified by their login cookie (routes API tokens may not call).
#[derive(Debug)]
pub struct LoggedInAdviser(pub AdviserRow);

impl FromRequestParts<AppState> for LoggedInAdviser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match Caller::from_request_parts(parts, app).await? {
            Caller::Adviser(adviser) => Ok(LoggedInAdviser(adviser)),
            Caller::Api(_) => Err(ApiError::Forbidden(
                "API tokens may not do this: an adviser does it from the console",
            )),
        }
    }
}
