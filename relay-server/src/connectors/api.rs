//! JSON calls to a CRM's REST API with what every CRM needs: the bearer token (renewed once
//! when refused with 401), HTTP 429 turned into a wait of `Retry-After`, 5xx and network errors
//! turned into retries, and error bodies kept (shortened) for the site owner to read.

use super::auth::{AccessToken, Credentials, TokenCache};
use super::dispatch::DeliveryError;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::time::Duration;

/// The wait after a 429 that gives no `Retry-After`.
const DEFAULT_RATE_LIMIT_WAIT: Duration = Duration::from_secs(10);

/// How much of an error body is kept.
const ERROR_BODY_CHARS: usize = 300;

/// A CRM's REST API.
pub struct CrmApi {
    /// The CRM's name, in errors.
    name: &'static str,
    /// Where the API is, when the token response does not say (HubSpot).
    base_url: String,
    http: reqwest::Client,
    tokens: TokenCache,
}

/// A successful or "not found" answer.
#[derive(Debug)]
pub struct Answer {
    /// The status (2xx or 404).
    pub status: StatusCode,
    /// The JSON body (null when empty or not JSON).
    pub body: Value,
}

impl CrmApi {
    /// An API client for `name` at `base_url`, calls timing out after `timeout`.
    pub fn new(
        name: &'static str,
        base_url: &str,
        credentials: Credentials,
        timeout: Duration,
    ) -> Result<CrmApi, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("Tandem/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(CrmApi {
            name,
            base_url: base_url.trim_end_matches('/').to_owned(),
            tokens: TokenCache::new(credentials, http.clone()),
            http,
        })
    }

    /// Calls `method path` with an optional JSON body. 2xx and 404 come back as an
    /// [`Answer`]; everything else is a [`DeliveryError`].
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Answer, DeliveryError> {
        let mut token = self.tokens.token().await?;
        let mut renewed = false;
        loop {
            let response = self.send(&token, method.clone(), path, body).await?;
            let status = response.status();
            if status == StatusCode::UNAUTHORIZED && !renewed && self.tokens.expire(&token).await {
                tracing::info!(crm = self.name, "access token refused; getting a new one");
                token = self.tokens.token().await?;
                renewed = true;
                continue;
            }
            if status == StatusCode::TOO_MANY_REQUESTS {
                return Err(DeliveryError::RateLimited(retry_after(&response)));
            }
            let text = response.text().await.map_err(|e| {
                DeliveryError::Failed(format!("{}: reading the answer: {}", self.name, e))
            })?;
            let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            if status.is_success() || status == StatusCode::NOT_FOUND {
                return Ok(Answer { status, body });
            }
            let excerpt: String = text.chars().take(ERROR_BODY_CHARS).collect();
            return Err(DeliveryError::Failed(format!(
                "{} answered HTTP {} to {} {}: {}",
                self.name,
                status.as_u16(),
                method,
                path_without_query(path),
                excerpt
            )));
        }
    }

    async fn send(
        &self,
        token: &AccessToken,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<reqwest::Response, DeliveryError> {
        let base = token.instance_url.as_deref().unwrap_or(&self.base_url);
        let url = format!("{}{}", base.trim_end_matches('/'), path);
        let mut request = self
            .http
            .request(method, url)
            .bearer_auth(&token.token)
            .header("accept", "application/json");
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.map_err(|e| {
            DeliveryError::Failed(format!(
                "{} could not be reached: {}",
                self.name,
                e.without_url()
            ))
        })
    }
}

/// The wait a 429 asks for: `Retry-After` in seconds (an HTTP date counts as the default).
fn retry_after(response: &reqwest::Response) -> Duration {
    response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<f64>().ok())
        .filter(|secs| secs.is_finite() && *secs >= 0.0)
        .map(Duration::from_secs_f64)
        .unwrap_or(DEFAULT_RATE_LIMIT_WAIT)
}

/// A path without its query string (which may hold an email address), for error messages.
fn path_without_query(path: &str) -> &str {
    path.split('?').next().unwrap_or(path)
}
