//! Access tokens for the CRM APIs: a fixed token (HubSpot private app), or OAuth 2.0 —
//! a refresh token (HubSpot apps) or the client-credentials flow (Salesforce connected apps) —
//! fetched when first needed and again when the API says it expired (HTTP 401).

use super::dispatch::DeliveryError;
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, ClientId, ClientSecret, EndpointNotSet, EndpointSet, ExtraTokenFields, RefreshToken,
    RequestTokenError, StandardRevocableToken, StandardTokenResponse, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

/// How the connector gets its access token.
#[derive(Clone)]
pub enum Credentials {
    /// A token that does not expire (HubSpot private app).
    Fixed(String),
    /// OAuth 2.0 `refresh_token` grant at `token_url`.
    RefreshToken {
        /// The token endpoint.
        token_url: String,
        /// The app's client id.
        client_id: String,
        /// The app's client secret.
        client_secret: String,
        /// The long-lived refresh token.
        refresh_token: String,
    },
    /// OAuth 2.0 `client_credentials` grant at `token_url`.
    ClientCredentials {
        /// The token endpoint.
        token_url: String,
        /// The app's client id (consumer key).
        client_id: String,
        /// The app's client secret (consumer secret).
        client_secret: String,
    },
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // No secret goes to logs.
        let kind = match self {
            Credentials::Fixed(_) => "fixed token",
            Credentials::RefreshToken { .. } => "OAuth refresh token",
            Credentials::ClientCredentials { .. } => "OAuth client credentials",
        };
        f.write_str(kind)
    }
}

/// A token and, for Salesforce, the instance its API lives on.
#[derive(Clone, Debug)]
pub struct AccessToken {
    /// The bearer token.
    pub token: String,
    /// `instance_url` of the token response (Salesforce), if any.
    pub instance_url: Option<String>,
}

/// Salesforce's extra field in the token response.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
struct InstanceUrl {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    instance_url: Option<String>,
}

impl ExtraTokenFields for InstanceUrl {}

type TokenClient = oauth2::Client<
    BasicErrorResponse,
    StandardTokenResponse<InstanceUrl, BasicTokenType>,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Holds the current token; fetches a new one when there is none or it was refused.
pub struct TokenCache {
    credentials: Credentials,
    /// No redirects: a token endpoint that redirects is refused (as OAuth requires).
    http: reqwest::Client,
    current: Mutex<Option<AccessToken>>,
}

impl TokenCache {
    /// A cache for `credentials`.
    pub fn new(credentials: Credentials, http: reqwest::Client) -> Self {
        TokenCache {
            credentials,
            http,
            current: Mutex::new(None),
        }
    }

    /// The current token, fetching one when needed.
    pub async fn token(&self) -> Result<AccessToken, DeliveryError> {
        let mut current = self.current.lock().await;
        if let Some(token) = current.as_ref() {
            return Ok(token.clone());
        }
        let token = self.fetch().await?;
        *current = Some(token.clone());
        Ok(token)
    }

    /// Forgets `refused` (the API answered 401), unless another request already replaced it.
    /// Returns false when the token cannot be renewed (a fixed token).
    pub async fn expire(&self, refused: &AccessToken) -> bool {
        if matches!(self.credentials, Credentials::Fixed(_)) {
            return false;
        }
        let mut current = self.current.lock().await;
        if current.as_ref().is_some_and(|t| t.token == refused.token) {
            *current = None;
        }
        true
    }

    async fn fetch(&self) -> Result<AccessToken, DeliveryError> {
        let (token_url, client_id, client_secret) = match &self.credentials {
            Credentials::Fixed(token) => {
                return Ok(AccessToken {
                    token: token.clone(),
                    instance_url: None,
                })
            }
            Credentials::RefreshToken {
                token_url,
                client_id,
                client_secret,
                ..
            }
            | Credentials::ClientCredentials {
                token_url,
                client_id,
                client_secret,
            } => (token_url, client_id, client_secret),
        };
        let url = TokenUrl::new(token_url.clone())
            .map_err(|e| DeliveryError::Failed(format!("the token URL is not valid: {e}")))?;
        let client: TokenClient = oauth2::Client::new(ClientId::new(client_id.clone()))
            .set_client_secret(ClientSecret::new(client_secret.clone()))
            .set_auth_type(AuthType::RequestBody)
            .set_token_uri(url);
        let response = match &self.credentials {
            Credentials::RefreshToken { refresh_token, .. } => {
                client
                    .exchange_refresh_token(&RefreshToken::new(refresh_token.clone()))
                    .request_async(&self.http)
                    .await
            }
            _ => {
                client
                    .exchange_client_credentials()
                    .request_async(&self.http)
                    .await
            }
        };
        let response = response.map_err(|error| {
            DeliveryError::Failed(match error {
                RequestTokenError::ServerResponse(refused) => {
                    format!("the token endpoint refused the credentials: {refused}")
                }
                RequestTokenError::Request(error) => {
                    format!("could not reach the token endpoint: {error}")
                }
                other => format!("could not get an access token: {other}"),
            })
        })?;
        tracing::debug!("fetched a CRM access token");
        Ok(AccessToken {
            token: response.access_token().secret().clone(),
            instance_url: response.extra_fields().instance_url.clone(),
        })
    }
}
