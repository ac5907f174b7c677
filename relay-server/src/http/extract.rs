//! Who is calling: a logged-in adviser (console cookie) or an API client (bearer token).

use super::{ApiError, AppState};
use crate::auth::secret::token_hash;
use crate::store::AdviserRow;
use crate::time::now_ms;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;

/// The console login cookie.
pub const SESSION_COOKIE: &str = "tandem_session";

/// An adviser identified by their login cookie.
#[derive(Debug)]
pub struct LoggedInAdviser(pub AdviserRow);

impl FromRequestParts<AppState> for LoggedInAdviser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let token = jar
            .get(SESSION_COOKIE)
            .ok_or(ApiError::Unauthorized("log in first"))?;
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
        Ok(LoggedInAdviser(adviser))
    }
}

/// A caller holding an API token (`Authorization: Bearer …`): the site owner's systems, for
/// what advisers may not do from the console (erasing a contact).
#[derive(Debug)]
pub struct ApiClient;

impl FromRequestParts<AppState> for ApiClient {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or(ApiError::Unauthorized(
                "send an API token: Authorization: Bearer <token>",
            ))?;
        if app
            .store
            .api_token_exists(&token_hash(token.trim()))
            .await?
        {
            Ok(ApiClient)
        } else {
            Err(ApiError::Unauthorized("this API token is not valid"))
        }
    }
}

/// A caller allowed to read the CRM: an API token (`Authorization: Bearer …`) or a logged-in
/// adviser.
#[derive(Debug)]
pub struct CrmReader;

impl FromRequestParts<AppState> for CrmReader {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if parts.headers.contains_key(AUTHORIZATION) {
            return ApiClient::from_request_parts(parts, app)
                .await
                .map(|_| CrmReader);
        }
        LoggedInAdviser::from_request_parts(parts, app)
            .await
            .map(|_| CrmReader)
            .map_err(|_| ApiError::Unauthorized("send an API token: Authorization: Bearer <token>"))
    }
}

/// A logged-in adviser changing something from the console: the request must come from the
/// relay's own pages (another site cannot act with the adviser's cookie).
#[derive(Debug)]
pub struct ConsoleWriter(pub AdviserRow);

impl FromRequestParts<AppState> for ConsoleWriter {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if !super::origin::is_same_origin(&parts.headers, app.config.secure_cookies) {
            return Err(ApiError::Forbidden(
                "changes are accepted only from the relay's own console",
            ));
        }
        LoggedInAdviser::from_request_parts(parts, app)
            .await
            .map(|adviser| ConsoleWriter(adviser.0))
    }
}

/// Someone changing the CRM: an API client (bearer token) or an adviser in the console (same
/// origin and login cookie, see [`ConsoleWriter`]).
#[derive(Debug)]
pub enum CrmWriter {
    /// An API client.
    Api,
    /// An adviser in the console.
    Adviser(AdviserRow),
}

impl CrmWriter {
    /// How the change is logged: `api` or `adviser:<id>`.
    pub fn label(&self) -> String {
        match self {
            CrmWriter::Api => "api".to_owned(),
            CrmWriter::Adviser(adviser) => format!("adviser:{}", adviser.id),
        }
    }
}

impl FromRequestParts<AppState> for CrmWriter {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if parts.headers.contains_key(AUTHORIZATION) {
            return ApiClient::from_request_parts(parts, app)
                .await
                .map(|_| CrmWriter::Api);
        }
        ConsoleWriter::from_request_parts(parts, app)
            .await
            .map(|writer| CrmWriter::Adviser(writer.0))
    }
}
