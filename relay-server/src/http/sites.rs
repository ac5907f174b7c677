//! Sites over HTTP: the console and API manage them; any page reads a site's look.

use super::extract::Caller;
use super::{ApiError, AppState};
use crate::limits::Action;
use crate::store::{Actor, Audit};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use std::net::SocketAddr;
use tandem_shared::invitation::{InvitationEvent, InvitationRule};
use tandem_shared::site::SiteSettings;

/// `GET /api/v1/sites`: every site with its settings.
pub async fn list_sites(_: Caller, State(app): State<AppState>) -> Json<Vec<SiteSettings>> {
    Json(app.sites.all())
}

/// `PUT /api/v1/sites/{key}`: creates or changes a site; 400 names the field in error (an
/// origin with a path, a colour that is not `#rrggbb`, a queue that does not exist, ...).
pub async fn put_site(
    actor: Actor,
    State(app): State<AppState>,
    Path(key): Path<String>,
    Json(site): Json<SiteSettings>,
) -> Result<Json<SiteSettings>, ApiError> {
    let site = SiteSettings { key, ..site }
        .validated()
        .map_err(|e| ApiError::BadRequest(format!("site {e}")))?;
    if let Some(unknown) = crate::sites::unknown_queue(&app.store, &site).await? {
        return Err(ApiError::BadRequest(format!(
            "site queues: there is no queue \"{unknown}\""
        )));
    }
    let audit = Audit::of(&actor, "site.changed", "site", &site.key);
    app.sites.save(site.clone(), &audit).await?;
    if let Some(cluster) = &app.cluster {
        cluster
            .settings_changed(crate::cluster::wire::Settings::Sites)
            .await;
    }
    tracing::info!(site = %site.key, "site settings saved");
    Ok(Json(site))
}

/// `PUT /api/v1/sites/{key}/identity-secret` body: the secret, 16 to 200 characters.
#[derive(Debug, serde::Deserialize)]
pub struct SecretBody {
    secret: String,
}

/// Shortest identity secret accepted (a guessable one would let anyone sign any user id).
pub const MIN_SECRET_CHARS: usize = 16;

/// Longest identity secret accepted.
const MAX_SECRET_CHARS: usize = 200;

/// `PUT /api/v1/sites/{key}/identity-secret`: the site signs user ids with this secret from
/// now on (never shown again); `DELETE` goes back to the relay's `--identity-secret`.
pub async fn put_identity_secret(
    actor: Actor,
    State(app): State<AppState>,
    Path(key): Path<String>,
    Json(body): Json<SecretBody>,
) -> Result<StatusCode, ApiError> {
    let secret = body.secret.trim();
    let length = secret.chars().count();
    if !(MIN_SECRET_CHARS..=MAX_SECRET_CHARS).contains(&length) {
        return Err(ApiError::BadRequest(format!(
            "an identity secret has {MIN_SECRET_CHARS} to {MAX_SECRET_CHARS} characters"
        )));
    }
    set_secret(&app, &actor, &key, Some(secret)).await
}

/// `DELETE /api/v1/sites/{key}/identity-secret`.
pub async fn delete_identity_secret(
    actor: Actor,
    State(app): State<AppState>,
    Path(key): Path<String>,
) -> Result<StatusCode, ApiError> {
    set_secret(&app, &actor, &key, None).await
}

async fn set_secret(
    app: &AppState,
    actor: &Actor,
    key: &str,
    secret: Option<&str>,
) -> Result<StatusCode, ApiError> {
    let action = if secret.is_some() {
        "site.secret_set"
    } else {
        "site.secret_removed"
    };
    let audit = Audit::of(actor, action, "site", key);
    if !app.sites.set_identity_secret(key, secret, &audit).await? {
        return Err(ApiError::NotFound("no site with this key"));
    }
    if let Some(cluster) = &app.cluster {
        cluster
            .settings_changed(crate::cluster::wire::Settings::Sites)
            .await;
    }
    tracing::info!(site = %key, "site identity secret changed");
    Ok(StatusCode::NO_CONTENT)
}

/// What the loader reads of a site: its look, and whether it has proactive invitations (the
/// loader fetches their code only then).
#[derive(serde::Serialize)]
struct LoaderLook {
    #[serde(flatten)]
    appearance: tandem_shared::site::Appearance,
    invitations: bool,
}

/// `GET /api/v1/sites/{key}/appearance`: the colour, corner, launcher text and greeting the
/// loader applies, and `invitations` when the site has invitation rules; readable from any
/// page and cached a minute.
pub async fn appearance(
    State(app): State<AppState>,
    Path(key): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let site = app
        .sites
        .get(Some(&key))
        .ok_or(ApiError::NotFound("no site with this key"))?;
    Ok((
        [
            (ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            (CACHE_CONTROL, "public, max-age=60"),
        ],
        Json(LoaderLook {
            appearance: site.appearance.clone(),
            invitations: !site.invitations.is_empty(),
        }),
    ))
}

/// Which page asks for an invitation.
#[derive(Debug, serde::Deserialize)]
pub struct InvitationQuery {
    /// The page's path (`/pricing`), without its query.
    #[serde(default)]
    path: String,
}

/// `GET /api/v1/sites/{key}/invitations?path=/pricing`: the site's first proactive invitation
/// for that page a visitor may be shown now (its queue has an adviser available), or `null`.
/// Readable from any page, never cached (availability changes by the minute).
pub async fn invitation_for_page(
    State(app): State<AppState>,
    Path(key): Path<String>,
    Query(query): Query<InvitationQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let site = app
        .sites
        .get(Some(&key))
        .ok_or(ApiError::NotFound("no site with this key"))?;
    let available = app.hub.current().available_queues(&site);
    let offered: Option<InvitationRule> = site
        .invitations
        .iter()
        .find(|rule| {
            let queue = rule.queue.as_ref().or(site.queues.first());
            let staffed = match queue {
                Some(queue) => available.contains(queue),
                None => !available.is_empty(),
            };
            staffed && rule.matches_path(&query.path)
        })
        .cloned();
    Ok((
        [
            (ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            (CACHE_CONTROL, "no-store"),
        ],
        Json(offered),
    ))
}

/// `POST /api/v1/sites/{key}/invitations/{rule}/{event}`: a visitor's page reports that an
/// invitation was `shown`, `opened` or `dismissed` (204). Only the site's own rules are
/// counted (404 otherwise), and an address reports a bounded number per hour (429).
pub async fn invitation_event(
    State(app): State<AppState>,
    ConnectInfo(peer_addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path((key, rule, event)): Path<(String, String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    let event = InvitationEvent::parse(&event).ok_or(ApiError::BadRequest(
        "the event is shown, opened or dismissed".into(),
    ))?;
    let site = app
        .sites
        .get(Some(&key))
        .ok_or(ApiError::NotFound("no site with this key"))?;
    if !site.invitations.iter().any(|r| r.id == rule) {
        return Err(ApiError::NotFound(
            "no invitation with this id on this site",
        ));
    }
    let ip = super::client_ip::client_ip(peer_addr.ip(), &headers, &app.config.trusted_proxies);
    if !app.limiters.allow(Action::InvitationEvent, ip) {
        return Err(ApiError::TooManyRequests(
            "too many invitation reports from this address",
        ));
    }
    app.store
        .count_invitation(&site.key, &rule, event, crate::time::now_ms())
        .await?;
    Ok(([(ACCESS_CONTROL_ALLOW_ORIGIN, "*")], StatusCode::NO_CONTENT))
}
