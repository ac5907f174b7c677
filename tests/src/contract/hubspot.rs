//! HubSpot's CRM API v3 as documented at developers.hubspot.com (legacy v3 object paths,
//! v4 default associations, OAuth v1 token endpoint): the calls Tandem's connector makes, with
//! HubSpot's validation and error shapes.

use super::{serve, Faults, Tokens};
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{patch, post, put};
use axum::{Json, Router};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

/// The private app token the server accepts.
pub const PRIVATE_APP_TOKEN: &str = "pat-na1-test";
/// The OAuth app the server knows.
pub const CLIENT_ID: &str = "hs-client";
/// Its secret.
pub const CLIENT_SECRET: &str = "hs-secret";
/// The refresh token of the installed app.
pub const REFRESH_TOKEN: &str = "hs-refresh";

/// One CRM object.
#[derive(Clone, Debug)]
pub struct Object {
    /// HubSpot id.
    pub id: String,
    /// Its properties.
    pub properties: Map<String, Value>,
    /// Associations: (other object's id, association type id).
    pub associations: Vec<(String, u64)>,
}

/// Everything the server holds.
#[derive(Default)]
pub struct Crm {
    /// Objects by type (`contacts`, `companies`, `notes`).
    pub objects: HashMap<String, Vec<Object>>,
    /// Contact → company associations.
    pub contact_companies: Vec<(String, String)>,
    next_id: u64,
}

impl Crm {
    fn create(&mut self, kind: &str, properties: Map<String, Value>) -> Object {
        self.next_id += 1;
        let object = Object {
            id: format!("{}", 1000 + self.next_id),
            properties,
            associations: Vec::new(),
        };
        self.objects
            .entry(kind.to_owned())
            .or_default()
            .push(object.clone());
        object
    }

    fn find_mut(&mut self, kind: &str, id: &str) -> Option<&mut Object> {
        self.objects.get_mut(kind)?.iter_mut().find(|o| o.id == id)
    }

    /// Objects of a type.
    pub fn all(&self, kind: &str) -> Vec<Object> {
        self.objects.get(kind).cloned().unwrap_or_default()
    }
}

/// A running HubSpot contract server.
#[derive(Clone, Default)]
pub struct HubSpotServer {
    /// Its data.
    pub crm: Arc<Mutex<Crm>>,
    /// Faults and counters.
    pub faults: Arc<Faults>,
    /// Tokens.
    pub tokens: Arc<Tokens>,
}

impl HubSpotServer {
    /// Starts the server on a loopback port; returns it with its base URL.
    pub async fn start() -> anyhow::Result<(HubSpotServer, String, tokio::task::JoinHandle<()>)> {
        let server = HubSpotServer::default();
        server.tokens.accept(PRIVATE_APP_TOKEN);
        let app = Router::new()
            .route("/oauth/v1/token", post(token))
            .route(
                "/crm/v3/objects/contacts/batch/upsert",
                post(upsert_contacts),
            )
            .route("/crm/v3/objects/{kind}/search", post(search))
            .route("/crm/v3/objects/{kind}", post(create))
            .route("/crm/v3/objects/{kind}/{id}", patch(update))
            .route(
                "/crm/v4/objects/contact/{id}/associations/default/company/{company}",
                put(associate),
            )
            .with_state(server.clone());
        let (port, task) = serve(app).await?;
        Ok((server, format!("http://127.0.0.1:{port}"), task))
    }

    /// A snapshot of the objects of `kind`.
    pub fn objects(&self, kind: &str) -> Vec<Object> {
        self.crm.lock().map(|crm| crm.all(kind)).unwrap_or_default()
    }
}

fn error(status: StatusCode, category: &str, message: &str) -> Response {
    (
        status,
        Json(json!({ "status": "error", "message": message, "category": category, "correlationId": "00000000-test" })),
    )
        .into_response()
}

/// Auth and faults in front of every API call.
fn gate(server: &HubSpotServer, headers: &HeaderMap) -> Option<Response> {
    if let Some((status, retry_after)) = server.faults.before_call() {
        let mut response = if status == StatusCode::TOO_MANY_REQUESTS {
            let body = json!({ "status": "error", "message": "You have reached your secondly limit.", "errorType": "RATE_LIMIT", "policyName": "SECONDLY" });
            (status, Json(body)).into_response()
        } else {
            (status, "Service Unavailable").into_response()
        };
        if let Some(value) = retry_after {
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from_static(value));
        }
        return Some(response);
    }
    if !server.tokens.authorizes(headers) {
        server.faults.unauthorized.fetch_add(1, Ordering::SeqCst);
        return Some(error(
            StatusCode::UNAUTHORIZED,
            "EXPIRED_AUTHENTICATION",
            "The OAuth token used to make this call expired.",
        ));
    }
    None
}

async fn token(
    State(server): State<HubSpotServer>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    if field("grant_type") != "refresh_token"
        || field("client_id") != CLIENT_ID
        || field("client_secret") != CLIENT_SECRET
        || field("refresh_token") != REFRESH_TOKEN
    {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "invalid_grant", "error_description": "missing or unknown refresh token" })),
        )
            .into_response();
    }
    let access = server.tokens.issue("hs-access");
    Json(json!({ "token_type": "bearer", "access_token": access, "refresh_token": REFRESH_TOKEN, "expires_in": 1800 }))
        .into_response()
}

fn properties_of(body: &Value) -> Option<Map<String, Value>> {
    body.get("properties")?.as_object().cloned()
}

async fn upsert_contacts(
    State(server): State<HubSpotServer>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refused) = gate(&server, &headers) {
        return refused;
    }
    let Some(inputs) = body["inputs"].as_array() else {
        return error(
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
            "inputs is required",
        );
    };
    let Ok(mut crm) = server.crm.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut results = Vec::new();
    for input in inputs {
        let (Some("email"), Some(email), Some(properties)) = (
            input["idProperty"].as_str(),
            input["id"].as_str().filter(|e| e.contains('@')),
            properties_of(input),
        ) else {
            return error(
                StatusCode::BAD_REQUEST,
                "VALIDATION_ERROR",
                "each input needs idProperty=email, an email id and properties",
            );
        };
        let existing = crm.objects.get_mut("contacts").and_then(|contacts| {
            contacts.iter_mut().find(|c| {
                c.properties["email"]
                    .as_str()
                    .is_some_and(|e| e.eq_ignore_ascii_case(email))
            })
        });
        let (object, new) = match existing {
            Some(contact) => {
                contact.properties.extend(properties);
                (contact.clone(), false)
            }
            None => {
                let mut properties = properties;
                properties.insert("email".into(), json!(email));
                (crm.create("contacts", properties), true)
            }
        };
        results.push(json!({ "id": object.id, "properties": object.properties, "new": new }));
    }
    Json(json!({ "status": "COMPLETE", "results": results })).into_response()
}

async fn search(
    State(server): State<HubSpotServer>,
    Path(kind): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refused) = gate(&server, &headers) {
        return refused;
    }
    let filter = &body["filterGroups"][0]["filters"][0];
    let (Some(property), Some(operator), Some(value)) = (
        filter["propertyName"].as_str(),
        filter["operator"].as_str(),
        filter["value"].as_str(),
    ) else {
        return error(
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
            "a filter needs propertyName, operator and value",
        );
    };
    let matches = |object: &Object| {
        let field = object
            .properties
            .get(property)
            .and_then(Value::as_str)
            .unwrap_or_default();
        match operator {
            "EQ" => field.eq_ignore_ascii_case(value),
            "CONTAINS_TOKEN" => field.contains(value),
            _ => false,
        }
    };
    if !["EQ", "CONTAINS_TOKEN"].contains(&operator) {
        return error(
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
            "unsupported operator",
        );
    }
    let results: Vec<Value> = server
        .crm
        .lock()
        .map(|crm| {
            crm.all(&kind)
                .iter()
                .filter(|o| matches(o))
                .map(|o| json!({ "id": o.id, "properties": o.properties }))
                .collect()
        })
        .unwrap_or_default();
    Json(json!({ "total": results.len(), "results": results })).into_response()
}

async fn create(
    State(server): State<HubSpotServer>,
    Path(kind): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refused) = gate(&server, &headers) {
        return refused;
    }
    if !["contacts", "companies", "notes"].contains(&kind.as_str()) {
        return error(
            StatusCode::NOT_FOUND,
            "OBJECT_NOT_FOUND",
            "unknown object type",
        );
    }
    let Some(properties) = properties_of(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
            "properties is required",
        );
    };
    if kind == "notes" && !properties.contains_key("hs_timestamp") {
        return error(
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
            "Property values were not valid: hs_timestamp is required",
        );
    }
    let Ok(mut crm) = server.crm.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut associations = Vec::new();
    for association in body["associations"].as_array().into_iter().flatten() {
        let to = association["to"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let type_id = association["types"][0]["associationTypeId"]
            .as_u64()
            .unwrap_or(0);
        let target = match type_id {
            202 => "contacts",
            190 => "companies",
            _ => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "VALIDATION_ERROR",
                    "unknown association type",
                )
            }
        };
        if !crm.all(target).iter().any(|o| o.id == to) {
            return error(
                StatusCode::BAD_REQUEST,
                "VALIDATION_ERROR",
                "association to a record that does not exist",
            );
        }
        associations.push((to, type_id));
    }
    let mut object = crm.create(&kind, properties);
    if let Some(stored) = crm.find_mut(&kind, &object.id) {
        stored.associations = associations.clone();
    }
    object.associations = associations;
    drop(crm);
    if server.faults.lose_answer() {
        return (StatusCode::BAD_GATEWAY, "upstream timed out").into_response();
    }
    (
        StatusCode::CREATED,
        Json(json!({ "id": object.id, "properties": object.properties })),
    )
        .into_response()
}

async fn update(
    State(server): State<HubSpotServer>,
    Path((kind, id)): Path<(String, String)>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refused) = gate(&server, &headers) {
        return refused;
    }
    let Some(properties) = properties_of(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
            "properties is required",
        );
    };
    let Ok(mut crm) = server.crm.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    match crm.find_mut(&kind, &id) {
        Some(object) => {
            object.properties.extend(properties);
            Json(json!({ "id": object.id, "properties": object.properties })).into_response()
        }
        None => error(
            StatusCode::NOT_FOUND,
            "OBJECT_NOT_FOUND",
            "resource not found",
        ),
    }
}

async fn associate(
    State(server): State<HubSpotServer>,
    Path((contact, company)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Some(refused) = gate(&server, &headers) {
        return refused;
    }
    let Ok(mut crm) = server.crm.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let exists = |crm: &Crm, kind: &str, id: &str| crm.all(kind).iter().any(|o| o.id == id);
    if !exists(&crm, "contacts", &contact) || !exists(&crm, "companies", &company) {
        return error(
            StatusCode::NOT_FOUND,
            "OBJECT_NOT_FOUND",
            "resource not found",
        );
    }
    if !crm
        .contact_companies
        .contains(&(contact.clone(), company.clone()))
    {
        crm.contact_companies
            .push((contact.clone(), company.clone()));
    }
    Json(json!({ "status": "COMPLETE", "results": [{ "from": { "id": contact }, "to": { "id": company }, "associationSpec": { "associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279 } }] }))
        .into_response()
}
