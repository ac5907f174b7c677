//! The knowledge base over HTTP: advisers (console) and the site's systems (API token) list,
//! write and delete articles; each change rebuilds the search index.

use super::extract::Caller;
use super::{ApiError, AppState};
use crate::cluster::wire::Settings;
use crate::store::{Actor, Audit};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use tandem_shared::faq::Article;

/// `GET /api/v1/articles`: every article.
pub async fn list_articles(
    _: Caller,
    State(app): State<AppState>,
) -> Result<Json<Vec<Article>>, ApiError> {
    Ok(Json(app.store.articles().await?))
}

/// `POST /api/v1/articles`: creates an article (no `id`) or replaces one; 400 names the field
/// in error.
pub async fn save_article(
    actor: Actor,
    State(app): State<AppState>,
    Json(article): Json<Article>,
) -> Result<(StatusCode, Json<Article>), ApiError> {
    let article = article
        .validated()
        .map_err(|e| ApiError::BadRequest(format!("article {e}")))?;
    let saved = app
        .store
        .save_article(
            article,
            &Audit {
                actor: &actor,
                action: "article.saved",
                target: None,
                detail: None,
            },
            crate::time::now_ms(),
        )
        .await?;
    reindex(&app).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

/// `DELETE /api/v1/articles/{id}`.
pub async fn delete_article(
    actor: Actor,
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let audit = Audit::of(&actor, "article.deleted", "article", &id);
    if !app.store.delete_article(&id, &audit).await? {
        return Err(ApiError::NotFound("no article with this id"));
    }
    reindex(&app).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Rebuilds the search index from the stored articles, here and on the other nodes of a
/// cluster.
async fn reindex(app: &AppState) -> Result<(), ApiError> {
    rebuild_index(app).await?;
    if let Some(cluster) = &app.cluster {
        cluster.settings_changed(Settings::Articles).await;
    }
    Ok(())
}

/// Rebuilds this node's search index from the stored articles.
pub(crate) async fn rebuild_index(app: &AppState) -> Result<(), ApiError> {
    crate::faq::rebuild_from_store(&app.store, &app.faq)
        .await
        .map_err(ApiError::Store)
}
