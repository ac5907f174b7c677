//! HTTP routes: the widget loader and assets, the console page, the CRM API, login, health,
//! and the WebSocket upgrades.

pub mod access;
mod api;
pub mod assets;
mod audit;
mod auth;
pub mod client_ip;
mod contacts;
mod desk;
mod error;
mod export;
pub mod extract;
pub(crate) mod faq;
mod files;
mod health;
pub mod origin;
mod report;
pub mod security_headers;
mod sites;
mod sso;
mod team;
mod to_leader;
mod upgrade;

pub use assets::Assets;
pub use error::ApiError;
pub use sites::MIN_SECRET_CHARS;

use crate::app::AppState;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::Router;
use std::convert::Infallible;
use tandem_shared::files::MAX_FILE_BYTES;
use tower_http::timeout::TimeoutLayer;

/// Visitors upload from the site's pages (another origin): the browser asks first. No cookie
/// is involved (the conversation's token is a header), so any origin may ask.
fn upload_cors() -> tower_http::cors::CorsLayer {
    use axum::http::{header, HeaderName, Method};
    tower_http::cors::CorsLayer::new()
        .allow_origin(tower_http::cors::Any)
        .allow_methods([Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            HeaderName::from_static(files::TOKEN_HEADER),
        ])
        .max_age(std::time::Duration::from_secs(3600))
}

/// The relay's whole HTTP application.
pub fn app(state: AppState) -> Router {
    // Routes that act on live conversations run on the node that leads a cluster.
    let to_leader = axum::middleware::from_fn_with_state(state.clone(), to_leader::to_leader);
    // Who may call each route (docs/roles.md): in front of every route, the public ones too.
    let authorize = axum::middleware::from_fn_with_state(state.clone(), access::authorize);
    let api = Router::new()
        .route(
            "/auth/login",
            post(auth::login).layer(DefaultBodyLimit::max(auth::MAX_LOGIN_BODY_BYTES)),
        )
        .route("/auth/logout", post(auth::logout).layer(to_leader.clone()))
        .route("/auth/me", get(auth::me))
        .route("/auth/methods", get(sso::methods))
        .route("/auth/oidc/start", get(sso::start))
        .route("/auth/oidc/callback", get(sso::callback))
        .route("/sessions", get(api::list_sessions))
        .route("/sessions/{id}", get(api::get_session))
        .route(
            "/contacts/{id}",
            get(api::get_contact)
                .delete(api::erase_contact.layer(to_leader.clone()))
                .patch(contacts::update_contact),
        )
        .route("/contacts/{id}/notes", post(contacts::add_note))
        .route(
            "/contacts/{id}/merge",
            post(contacts::merge_contacts).layer(to_leader.clone()),
        )
        .route("/contacts", get(api::search_contacts))
        .route("/contacts/{id}/export", get(export::export_contact))
        .route("/sessions.csv", get(export::sessions_csv))
        .route("/webhooks", get(api::webhook_status))
        .route("/queues", get(desk::list_queues))
        .route(
            "/queues/{key}",
            put(desk::put_queue).layer(to_leader.clone()),
        )
        .route("/canned", get(desk::list_canned).post(desk::save_canned))
        .route("/canned/{id}", delete(desk::delete_canned))
        .route("/tickets", get(desk::list_tickets))
        .route("/live", get(desk::live_chats).layer(to_leader.clone()))
        .route("/tickets/{id}/answer", post(desk::answer_ticket))
        .route(
            "/visitor/files",
            post(files::visitor_upload)
                .layer::<_, Infallible>(to_leader.clone())
                .layer::<_, Infallible>(DefaultBodyLimit::max(MAX_FILE_BYTES))
                .layer(upload_cors()),
        )
        .route(
            "/conversations/{id}/files",
            post(files::adviser_upload)
                .layer::<_, Infallible>(to_leader.clone())
                .layer(DefaultBodyLimit::max(MAX_FILE_BYTES)),
        )
        .route("/articles", get(faq::list_articles).post(faq::save_article))
        .route("/articles/{id}", delete(faq::delete_article))
        .route("/sites", get(sites::list_sites))
        .route("/sites/{key}", put(sites::put_site))
        .route(
            "/sites/{key}/identity-secret",
            put(sites::put_identity_secret).delete(sites::delete_identity_secret),
        )
        .route("/sites/{key}/appearance", get(sites::appearance))
        .route(
            "/sites/{key}/invitations",
            get(sites::invitation_for_page).layer(to_leader.clone()),
        )
        .route(
            "/sites/{key}/invitations/{rule}/{event}",
            post(sites::invitation_event),
        )
        .route("/report", get(report::get_report))
        .route("/report.csv", get(report::get_report_csv))
        .route("/team", get(team::list_team).post(team::add_member))
        .route(
            "/team/{login}/role",
            put(team::set_role).layer(to_leader.clone()),
        )
        .route(
            "/team/{login}/enabled",
            put(team::set_enabled).layer(to_leader),
        )
        .route("/tokens", get(team::list_tokens).post(team::create_token))
        .route("/tokens/{id}", delete(team::revoke_token))
        .route("/audit", get(audit::list_audit))
        .route("/audit.csv", get(audit::audit_csv))
        .route_layer(authorize.clone())
        .fallback(api::not_found);
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(report::prometheus))
        .route("/ws/visitor", get(upgrade::visitor_upgrade))
        .route("/ws/adviser", get(upgrade::adviser_upgrade))
        .route("/files/{id}/{key}", get(files::download))
        .route_layer(authorize)
        .nest("/api/v1", api)
        .merge(assets::routes(&state.config))
        .layer(security_headers::nosniff())
        .layer(security_headers::no_referrer())
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            state.config.limits.request_timeout,
        ))
        .with_state(state)
}
