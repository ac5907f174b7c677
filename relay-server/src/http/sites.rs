//! Sites over HTTP: the console and API manage them; any page reads a site's look.

use super::extract::{CrmReader, CrmWriter};
use super::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL};
use axum::response::IntoResponse;
use axum::Json;
use tandem_shared::site::SiteSettings;

/// `GET /api/v1/sites`: every site with its settings.
pub async fn list_sites(_: CrmReader, State(app): State<AppState>) -> Json<Vec<SiteSettings>> {
    Json(app.sites.all())
}

/// `PUT /api/v1/sites/{key}`: creates or changes a site; 400 names the field in error (an
/// origin with a path, a colour that is not `#rrggbb`, a queue that does not exist, ...).
pub async fn put_site(
    _: CrmWriter,
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
    app.sites.save(site.clone()).await?;
    if let Some(cluster) = &app.cluster {
        cluster
            .settings_changed(crate::cluster::wire::Settings::Sites)
            .await;
    }
    tracing::info!(site = %site.key, "site settings saved");
    Ok(Json(site))
}

/// `GET /api/v1/sites/{key}/appearance`: the colour, corner, launcher text and greeting the
/// loader applies; readable from any page and cached a minute.
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
        Json(site.appearance.clone()),
    ))
}
