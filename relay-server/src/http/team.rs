//! The team over HTTP (admins): accounts and their roles, enabling and disabling them, and
//! the API tokens. The command line does the same (`tandem-relay adviser`, `token`); both
//! write the audit trail. A change that ends someone's logins closes their consoles at once.

use super::{ApiError, AppState};
use crate::auth::password::{hash_password, MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS};
use crate::auth::scope::TokenScope;
use crate::auth::secret::{random_token, token_hash};
use crate::limits::{usable_login, MAX_LOGIN_CHARS};
use crate::store::{AccountChangeError, Actor, NewAdviser};
use crate::time::now_ms;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use tandem_shared::access::{AdviserRole, TeamMember, TokenSummary};

/// `GET /api/v1/team`: every account, enabled or not.
pub async fn list_team(State(app): State<AppState>) -> Result<Json<Vec<TeamMember>>, ApiError> {
    Ok(Json(app.store.team().await?))
}

/// `POST /api/v1/team` body.
#[derive(Debug, Deserialize)]
pub struct NewMember {
    login: String,
    name: String,
    password: String,
    role: AdviserRole,
}

/// `POST /api/v1/team`: a new account (409 when the login is taken).
pub async fn add_member(
    actor: Actor,
    State(app): State<AppState>,
    Json(member): Json<NewMember>,
) -> Result<(StatusCode, Json<Vec<TeamMember>>), ApiError> {
    let login = member.login.trim().to_owned();
    let name = member.name.trim().to_owned();
    if !usable_login(&login) || name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::BadRequest(format!(
            "a login has 1 to {MAX_LOGIN_CHARS} characters and a name 1 to 100"
        )));
    }
    // The same bound as the login's: a password set here can always be typed there.
    if member.password.chars().count() < MIN_PASSWORD_CHARS
        || member.password.len() > MAX_PASSWORD_BYTES
    {
        return Err(ApiError::BadRequest(format!(
            "a password has at least {MIN_PASSWORD_CHARS} characters and at most \
             {MAX_PASSWORD_BYTES} bytes"
        )));
    }
    if app.store.login_taken(&login).await? {
        return Err(ApiError::Conflict("an account already has this login"));
    }
    let password = member.password;
    let _turn = crate::auth::password::password_check_turn()
        .await
        .map_err(|e| ApiError::BadRequest(format!("the password could not be hashed: {e}")))?;
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| ApiError::BadRequest(format!("the password could not be hashed: {e}")))?
        .map_err(|e| ApiError::BadRequest(format!("the password could not be hashed: {e}")))?;
    app.store
        .upsert_adviser(
            NewAdviser {
                login: &login,
                display_name: &name,
                password_hash: &hash,
                role: member.role,
            },
            &actor,
            now_ms(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(app.store.team().await?)))
}

/// `PUT /api/v1/team/{login}/role` body.
#[derive(Debug, Deserialize)]
pub struct RoleChange {
    role: AdviserRole,
}

/// `PUT /api/v1/team/{login}/role`: another role; their logins end (409 for the last admin).
pub async fn set_role(
    actor: Actor,
    State(app): State<AppState>,
    Path(login): Path<String>,
    Json(change): Json<RoleChange>,
) -> Result<Json<Vec<TeamMember>>, ApiError> {
    let outcome = app
        .store
        .set_adviser_role(&login, change.role, &actor)
        .await;
    account_changed(&app, outcome).await
}

/// `PUT /api/v1/team/{login}/enabled` body.
#[derive(Debug, Deserialize)]
pub struct Enabled {
    enabled: bool,
}

/// `PUT /api/v1/team/{login}/enabled`: disables an account (their logins end, their consoles
/// close) or lets it log in again (409 for the last admin).
pub async fn set_enabled(
    actor: Actor,
    State(app): State<AppState>,
    Path(login): Path<String>,
    Json(change): Json<Enabled>,
) -> Result<Json<Vec<TeamMember>>, ApiError> {
    let outcome = app
        .store
        .set_adviser_disabled(&login, !change.enabled, &actor, now_ms())
        .await;
    account_changed(&app, outcome).await
}

/// The team after a change, whose ended logins close their consoles now.
async fn account_changed(
    app: &AppState,
    outcome: Result<tandem_shared::AdviserId, AccountChangeError>,
) -> Result<Json<Vec<TeamMember>>, ApiError> {
    match outcome {
        Ok(_) => {}
        Err(AccountChangeError::UnknownLogin) => {
            return Err(ApiError::NotFound("no account has this login"))
        }
        Err(AccountChangeError::LastAdmin) => {
            return Err(ApiError::Conflict(
                "this is the last enabled admin: make another account admin first",
            ))
        }
        Err(AccountChangeError::Store(e)) => return Err(e.into()),
    }
    if app.forwarding_cluster().is_none() {
        if let Err(error) = app.hub.current().close_revoked_consoles().await {
            tracing::warn!(%error, "consoles whose login ended close at the next sweep");
        }
    }
    Ok(Json(app.store.team().await?))
}

/// `GET /api/v1/tokens`: every API token (never the token itself).
pub async fn list_tokens(State(app): State<AppState>) -> Result<Json<Vec<TokenSummary>>, ApiError> {
    Ok(Json(summaries(&app).await?))
}

async fn summaries(app: &AppState) -> Result<Vec<TokenSummary>, ApiError> {
    Ok(app
        .store
        .api_tokens()
        .await?
        .into_iter()
        .map(|token| TokenSummary {
            scope: token.scope().as_str().to_owned(),
            id: token.id,
            name: token.name,
            created_at_ms: token.created_at,
        })
        .collect())
}

/// `POST /api/v1/tokens` body.
#[derive(Debug, Deserialize)]
pub struct NewToken {
    name: String,
    scope: String,
}

/// `POST /api/v1/tokens`: a new token, shown in this answer only.
pub async fn create_token(
    actor: Actor,
    State(app): State<AppState>,
    Json(asked): Json<NewToken>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let name = asked.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::BadRequest(
            "a token's name has 1 to 100 characters".into(),
        ));
    }
    let scope = TokenScope::parse(&asked.scope)
        .ok_or_else(|| ApiError::BadRequest("a scope is read, write or admin".into()))?;
    let token = random_token();
    app.store
        .create_api_token(name, scope, &token_hash(&token), &actor, now_ms())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "token": token, "tokens": summaries(&app).await? })),
    ))
}

/// `DELETE /api/v1/tokens/{id}`: the token stops working at once.
pub async fn revoke_token(
    actor: Actor,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Vec<TokenSummary>>, ApiError> {
    if app.store.revoke_api_token(&id, &actor).await? == 0 {
        return Err(ApiError::NotFound("no token has this id"));
    }
    Ok(Json(summaries(&app).await?))
}
