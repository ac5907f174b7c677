//! Who may call each route: one table, enforced by one middleware in front of every route
//! (a route missing from the table is refused to everyone). docs/roles.md shows the same
//! table; `tests/tests/relay/roles.rs` walks it against a running relay.

use super::client_ip::client_ip;
use super::extract::{authenticate, Caller};
use super::origin::is_same_origin;
use super::{ApiError, AppState};
use crate::auth::scope::TokenScope;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tandem_shared::access::AdviserRole;

/// Who may call one route.
#[derive(Clone, Copy, Debug)]
pub struct RouteAccess {
    /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    pub method: &'static str,
    /// The route as declared (`/api/v1/contacts/{id}`).
    pub path: &'static str,
    /// The least role of a logged-in adviser; `None`: anyone (the route checks what it needs
    /// itself: a password, a visitor's token, a file's key).
    pub role: Option<AdviserRole>,
    /// The least scope of an API token; `None`: tokens are refused (a person acts).
    pub scope: Option<TokenScope>,
}

const fn open(method: &'static str, path: &'static str) -> RouteAccess {
    RouteAccess {
        method,
        path,
        role: None,
        scope: None,
    }
}

const fn staff(
    method: &'static str,
    path: &'static str,
    role: AdviserRole,
    scope: Option<TokenScope>,
) -> RouteAccess {
    RouteAccess {
        method,
        path,
        role: Some(role),
        scope,
    }
}

use AdviserRole::{Admin, Adviser, Supervisor};
use TokenScope::{Read, Write};

/// Every route of the relay and who may call it.
pub const ROUTES: &[RouteAccess] = &[
    open("GET", "/healthz"),
    staff("GET", "/metrics", Admin, Some(Read)),
    open("GET", "/ws/visitor"),
    staff("GET", "/ws/adviser", Adviser, None),
    open("GET", "/files/{id}/{key}"),
    open("POST", "/api/v1/auth/login"),
    open("POST", "/api/v1/auth/logout"),
    staff("GET", "/api/v1/auth/me", Adviser, None),
    open("GET", "/api/v1/auth/methods"),
    open("GET", "/api/v1/auth/oidc/start"),
    open("GET", "/api/v1/auth/oidc/callback"),
    staff("GET", "/api/v1/sessions", Adviser, Some(Read)),
    staff("GET", "/api/v1/sessions/{id}", Adviser, Some(Read)),
    staff("GET", "/api/v1/contacts", Adviser, Some(Read)),
    staff("GET", "/api/v1/contacts/{id}", Adviser, Some(Read)),
    staff("PATCH", "/api/v1/contacts/{id}", Adviser, Some(Write)),
    staff(
        "DELETE",
        "/api/v1/contacts/{id}",
        Admin,
        Some(TokenScope::Admin),
    ),
    staff("POST", "/api/v1/contacts/{id}/notes", Adviser, Some(Write)),
    staff(
        "POST",
        "/api/v1/contacts/{id}/merge",
        Supervisor,
        Some(Write),
    ),
    staff("GET", "/api/v1/contacts/{id}/export", Admin, Some(Read)),
    staff("GET", "/api/v1/sessions.csv", Admin, Some(Read)),
    staff("GET", "/api/v1/webhooks", Admin, Some(Read)),
    staff("GET", "/api/v1/queues", Adviser, Some(Read)),
    staff(
        "PUT",
        "/api/v1/queues/{key}",
        Admin,
        Some(TokenScope::Admin),
    ),
    staff("GET", "/api/v1/canned", Adviser, Some(Read)),
    staff("POST", "/api/v1/canned", Admin, Some(Write)),
    staff("DELETE", "/api/v1/canned/{id}", Admin, Some(Write)),
    staff("GET", "/api/v1/tickets", Adviser, Some(Read)),
    staff("GET", "/api/v1/live", Supervisor, Some(Read)),
    staff("POST", "/api/v1/tickets/{id}/answer", Adviser, None),
    open("POST", "/api/v1/visitor/files"),
    staff("POST", "/api/v1/conversations/{id}/files", Adviser, None),
    staff("GET", "/api/v1/articles", Adviser, Some(Read)),
    staff("POST", "/api/v1/articles", Admin, Some(Write)),
    staff("DELETE", "/api/v1/articles/{id}", Admin, Some(Write)),
    staff("GET", "/api/v1/sites", Admin, Some(Read)),
    staff("PUT", "/api/v1/sites/{key}", Admin, Some(TokenScope::Admin)),
    staff(
        "PUT",
        "/api/v1/sites/{key}/identity-secret",
        Admin,
        Some(TokenScope::Admin),
    ),
    staff(
        "DELETE",
        "/api/v1/sites/{key}/identity-secret",
        Admin,
        Some(TokenScope::Admin),
    ),
    open("GET", "/api/v1/sites/{key}/appearance"),
    open("GET", "/api/v1/sites/{key}/invitations"),
    open("POST", "/api/v1/sites/{key}/invitations/{rule}/{event}"),
    staff("GET", "/api/v1/report", Supervisor, Some(Read)),
    staff("GET", "/api/v1/report.csv", Supervisor, Some(Read)),
    staff("GET", "/api/v1/team", Admin, Some(TokenScope::Admin)),
    staff("POST", "/api/v1/team", Admin, Some(TokenScope::Admin)),
    staff(
        "PUT",
        "/api/v1/team/{login}/role",
        Admin,
        Some(TokenScope::Admin),
    ),
    staff(
        "PUT",
        "/api/v1/team/{login}/enabled",
        Admin,
        Some(TokenScope::Admin),
    ),
    staff("GET", "/api/v1/tokens", Admin, Some(TokenScope::Admin)),
    staff("POST", "/api/v1/tokens", Admin, Some(TokenScope::Admin)),
    staff(
        "DELETE",
        "/api/v1/tokens/{id}",
        Admin,
        Some(TokenScope::Admin),
    ),
    staff("GET", "/api/v1/audit", Admin, Some(TokenScope::Admin)),
    staff("GET", "/api/v1/audit.csv", Admin, Some(TokenScope::Admin)),
];

/// The rule of a route, if the table has one.
pub fn route_access(method: &Method, path: &str) -> Option<&'static RouteAccess> {
    // HEAD is answered by GET handlers: it needs what GET needs.
    let method = if method == Method::HEAD {
        "GET"
    } else {
        method.as_str()
    };
    ROUTES
        .iter()
        .find(|rule| rule.method == method && rule.path == path)
}

/// The middleware in front of every route: finds the route's rule, identifies the caller
/// (API token or login cookie) when the rule needs one, refuses what their role or scope
/// does not allow, and hands the [`Caller`] to the handler.
pub async fn authorize(State(app): State<AppState>, mut request: Request, next: Next) -> Response {
    let path = request
        .extensions()
        .get::<MatchedPath>()
        .map(|matched| matched.as_str().to_owned())
        .unwrap_or_default();
    // A CORS preflight carries no credentials and reaches no handler: the route's CORS layer
    // (or axum's 405) answers it.
    if request.method() == Method::OPTIONS {
        return next.run(request).await;
    }
    let Some(rule) = route_access(request.method(), &path) else {
        tracing::error!(method = %request.method(), %path, "route missing from the roles table: refused");
        return ApiError::Forbidden("this route is not open to anyone yet").into_response();
    };
    let Some(role) = rule.role else {
        return next.run(request).await;
    };
    let caller = match authenticate(request.headers(), &app).await {
        Ok(caller) => caller,
        Err(refused) => return refused.into_response(),
    };
    if let Err(refused) = allowed(rule, role, &caller) {
        return refused.into_response();
    }
    let writes = !matches!(*request.method(), Method::GET | Method::HEAD);
    if writes
        && matches!(caller, Caller::Adviser(_))
        && !is_same_origin(request.headers(), app.config.secure_cookies)
    {
        return ApiError::Forbidden("changes are accepted only from the relay's own console")
            .into_response();
    }
    let peer = request
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map_or(std::net::IpAddr::from([0, 0, 0, 0]), |info| info.0.ip());
    let address = client_ip(peer, request.headers(), &app.config.trusted_proxies);
    request.extensions_mut().insert(caller.actor(address));
    request.extensions_mut().insert(caller);
    next.run(request).await
}

/// Refuses a caller whose role or scope is below the rule's.
fn allowed(rule: &RouteAccess, role: AdviserRole, caller: &Caller) -> Result<(), ApiError> {
    match caller {
        Caller::Adviser(adviser) if adviser.role().includes(role) => Ok(()),
        Caller::Adviser(_) => Err(ApiError::Forbidden(match role {
            Admin => "this needs the admin role (docs/roles.md)",
            Supervisor => "this needs the supervisor or admin role (docs/roles.md)",
            Adviser => "this needs an adviser account",
        })),
        Caller::Api(token) => match rule.scope {
            Some(scope) if token.scope().includes(scope) => Ok(()),
            Some(TokenScope::Admin) => Err(ApiError::Forbidden(
                "this needs an API token of scope admin (docs/roles.md)",
            )),
            Some(_) => Err(ApiError::Forbidden(
                "this needs an API token of scope write or admin (docs/roles.md)",
            )),
            None => Err(ApiError::Forbidden(
                "API tokens may not do this: an adviser does it from the console",
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_appears_once_in_the_table() {
        let mut seen = std::collections::HashSet::new();
        for rule in ROUTES {
            assert!(
                seen.insert((rule.method, rule.path)),
                "{} {} twice",
                rule.method,
                rule.path
            );
        }
    }

    /// docs/roles.md shows this table: the same routes, roles and scopes.
    #[test]
    fn the_documented_table_is_this_table() {
        let doc = include_str!("../../../docs/roles.md");
        let mut documented: Vec<String> = doc
            .lines()
            .filter(|line| line.starts_with("| `") && line.contains(" /"))
            .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        let mut expected: Vec<String> = ROUTES
            .iter()
            .map(|rule| {
                let cells: Vec<&str> = match rule.role {
                    None => vec!["anyone"; 4],
                    Some(role) => {
                        let mut cells: Vec<&str> = AdviserRole::ALL
                            .iter()
                            .map(|r| if r.includes(role) { "✓" } else { "—" })
                            .collect();
                        cells.push(rule.scope.map_or("—", TokenScope::as_str));
                        cells
                    }
                };
                format!(
                    "| `{} {}` | {} |",
                    rule.method,
                    rule.path,
                    cells.join(" | ")
                )
            })
            .collect();
        documented.sort();
        expected.sort();
        assert_eq!(documented, expected);
    }

    #[test]
    fn head_needs_what_get_needs_and_unknown_routes_have_no_rule() {
        let get = route_access(&Method::GET, "/api/v1/sessions.csv");
        let head = route_access(&Method::HEAD, "/api/v1/sessions.csv");
        assert_eq!(get.map(|r| r.role), head.map(|r| r.role));
        assert!(route_access(&Method::POST, "/api/v1/sessions.csv").is_none());
        assert!(route_access(&Method::GET, "/api/v1/nothing").is_none());
    }
}
