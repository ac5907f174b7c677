//! Single sign-on with OpenID Connect: the authorization code flow with PKCE, the ID token
//! checked (signature, issuer, audience, nonce, expiry), the user's login, name and role read
//! from the provider's userinfo. The provider is discovered on first use, not at start, so a
//! provider that is down does not keep the relay from starting.

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreProviderMetadata,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
    UserInfoClaims,
};
use serde::{Deserialize, Serialize};
use tandem_shared::access::AdviserRole;

/// The client as built from discovered metadata: the authorization endpoint is known, the
/// token and userinfo ones may be (the calls say when they are not).
type OidcClient = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

/// How the relay signs advisers in with an OpenID provider.
#[derive(Clone)]
pub struct OidcConfig {
    /// The provider's issuer URL (its discovery document is under it).
    pub issuer: String,
    /// This relay's client id at the provider.
    pub client_id: String,
    /// This relay's client secret.
    pub client_secret: String,
    /// The claim naming the role (`adviser`, `supervisor`, `admin`; a list gives the highest).
    pub role_claim: String,
    /// Where the provider sends the browser back; derived from the request when absent.
    pub redirect_url: Option<String>,
}

impl std::fmt::Debug for OidcConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("role_claim", &self.role_claim)
            .finish_non_exhaustive()
    }
}

/// Why a sign-in failed.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The provider could not be reached or described itself wrongly.
    #[error("the identity provider could not be reached: {0}")]
    Provider(String),
    /// The code could not be exchanged for tokens.
    #[error("the identity provider refused the sign-in: {0}")]
    Token(String),
    /// The ID token did not pass the checks.
    #[error("the identity provider's answer did not check out: {0}")]
    IdToken(String),
    /// The user's details could not be read.
    #[error("the identity provider did not tell who signed in: {0}")]
    UserInfo(String),
}

/// Claims beyond the standard ones (the role claim among them).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct OtherClaims {
    #[serde(flatten)]
    claims: serde_json::Map<String, serde_json::Value>,
}

impl AdditionalClaims for OtherClaims {}

/// A sign-in started: where to send the browser, and what the callback needs.
#[derive(Debug)]
pub struct Started {
    /// The provider's authorization URL.
    pub url: String,
    /// The `state` it will send back.
    pub state: String,
    /// The PKCE verifier of this sign-in.
    pub verifier: String,
    /// The nonce the ID token must carry.
    pub nonce: String,
}

/// Who signed in, as the provider says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    /// The provider's stable id of the user.
    pub subject: String,
    /// The login: `preferred_username`, else the email, else the subject.
    pub login: String,
    /// The display name (the login when absent).
    pub name: String,
    /// The role the role claim names (adviser when absent or unknown).
    pub role: AdviserRole,
}

/// The sign-in client, with the provider's metadata once discovered.
#[derive(Debug)]
pub struct Oidc {
    config: OidcConfig,
    http: openidconnect::reqwest::Client,
    metadata: tokio::sync::Mutex<Option<CoreProviderMetadata>>,
}

impl Oidc {
    /// A client for `config` (nothing is fetched yet).
    pub fn new(config: OidcConfig) -> Result<Oidc, OidcError> {
        let http = openidconnect::reqwest::ClientBuilder::new()
            // Following redirects would let the provider's answers send the relay elsewhere.
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| OidcError::Provider(e.to_string()))?;
        Ok(Oidc {
            config,
            http,
            metadata: tokio::sync::Mutex::new(None),
        })
    }

    /// The configured redirect URL, if one was given.
    pub fn redirect_url(&self) -> Option<&str> {
        self.config.redirect_url.as_deref()
    }

    async fn metadata(&self) -> Result<CoreProviderMetadata, OidcError> {
        let mut cached = self.metadata.lock().await;
        if let Some(metadata) = cached.as_ref() {
            return Ok(metadata.clone());
        }
        let issuer = IssuerUrl::new(self.config.issuer.clone())
            .map_err(|e| OidcError::Provider(e.to_string()))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| OidcError::Provider(e.to_string()))?;
        *cached = Some(metadata.clone());
        Ok(metadata)
    }

    /// The client for the discovered provider, coming back to `redirect`.
    async fn client(&self, redirect: &str) -> Result<OidcClient, OidcError> {
        let metadata = self.metadata().await?;
        let redirect = RedirectUrl::new(redirect.to_owned())
            .map_err(|e| OidcError::Provider(e.to_string()))?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(self.config.client_secret.clone())),
        )
        .set_redirect_uri(redirect))
    }

    /// Starts a sign-in that comes back to `redirect`.
    pub async fn start(&self, redirect: &str) -> Result<Started, OidcError> {
        let client = self.client(redirect).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("profile".into()))
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new(self.config.role_claim.clone()))
            .set_pkce_challenge(challenge)
            .url();
        Ok(Started {
            url: url.to_string(),
            state: state.secret().clone(),
            verifier: verifier.secret().clone(),
            nonce: nonce.secret().clone(),
        })
    }

    /// Finishes a sign-in: exchanges `code` (with the sign-in's verifier), checks the ID
    /// token against `nonce`, reads who signed in.
    pub async fn finish(
        &self,
        redirect: &str,
        code: &str,
        verifier: &str,
        nonce: &str,
    ) -> Result<SignedIn, OidcError> {
        let client = self.client(redirect).await?;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| OidcError::Token(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()))
            .request_async(&self.http)
            .await
            .map_err(|e| OidcError::Token(e.to_string()))?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| OidcError::IdToken("no ID token".into()))?;
        let claims = id_token
            .claims(&client.id_token_verifier(), &Nonce::new(nonce.to_owned()))
            .map_err(|e| OidcError::IdToken(e.to_string()))?;
        let subject = claims.subject().clone();
        let info: UserInfoClaims<OtherClaims, CoreGenderClaim> = client
            .user_info(tokens.access_token().clone(), Some(subject.clone()))
            .map_err(|e| OidcError::UserInfo(e.to_string()))?
            .request_async(&self.http)
            .await
            .map_err(|e| OidcError::UserInfo(e.to_string()))?;
        let login = info
            .preferred_username()
            .map(|u| u.as_str().to_owned())
            .or_else(|| info.email().map(|e| e.as_str().to_owned()))
            .unwrap_or_else(|| subject.as_str().to_owned());
        let name = info
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_owned())
            .unwrap_or_else(|| login.clone());
        let role = role_of(info.additional_claims().claims.get(&self.config.role_claim));
        Ok(SignedIn {
            subject: subject.as_str().to_owned(),
            login,
            name,
            role,
        })
    }
}

/// The role a claim names: a role name, or a list of them (the highest counts); adviser when
/// absent or unknown.
pub fn role_of(claim: Option<&serde_json::Value>) -> AdviserRole {
    let named = |value: &serde_json::Value| value.as_str().and_then(AdviserRole::parse);
    match claim {
        Some(serde_json::Value::Array(values)) => {
            values.iter().filter_map(named).max().unwrap_or_default()
        }
        Some(value) => named(value).unwrap_or_default(),
        None => AdviserRole::Adviser,
    }
}

#[cfg(test)]
mod tests {
    use super::role_of;
    use serde_json::json;
    use tandem_shared::access::AdviserRole;

    #[test]
    fn the_role_claim_gives_the_highest_role_it_names_and_adviser_otherwise() {
        assert_eq!(role_of(Some(&json!("supervisor"))), AdviserRole::Supervisor);
        assert_eq!(
            role_of(Some(&json!(["staff", "admin", "adviser"]))),
            AdviserRole::Admin
        );
        assert_eq!(role_of(Some(&json!("root"))), AdviserRole::Adviser);
        assert_eq!(role_of(Some(&json!(7))), AdviserRole::Adviser);
        assert_eq!(role_of(None), AdviserRole::Adviser);
    }
}
