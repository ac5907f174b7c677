//! Salesforce's REST API v62.0 as documented at developer.salesforce.com: the OAuth 2.0
//! client-credentials token endpoint, SOQL queries, sObject create/update, and upsert by an
//! external-id field — with Salesforce's validation rules (required fields, unknown external
//! id field) and error shapes (`[{"message", "errorCode"}]`).

use super::{serve, Faults, Tokens};
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The connected app's consumer key.
pub const CLIENT_ID: &str = "sf-consumer-key";
/// Its consumer secret.
pub const CLIENT_SECRET: &str = "sf-consumer-secret";
/// The external-id field set up on Task and Case.
pub const SESSION_FIELD: &str = "Tandem_Session_Id__c";
const VERSION: &str = "v62.0";

/// One sObject record.
#[derive(Clone, Debug)]
pub struct Record {
    /// Salesforce id (18 characters, prefix by object).
    pub id: String,
    /// Field values.
    pub fields: Map<String, Value>,
}

/// Everything the org holds, by object name.
#[derive(Default)]
pub struct Org {
    /// Records by object (`Contact`, `Lead`, `Task`, `Case`).
    pub records: HashMap<String, Vec<Record>>,
    next_id: u64,
}

impl Org {
    /// Adds a record and returns its id.
    pub fn insert(&mut self, object: &str, fields: Map<String, Value>) -> String {
        self.next_id += 1;
        let prefix = match object {
            "Contact" => "003",
            "Lead" => "00Q",
            "Task" => "00T",
            "Case" => "500",
            _ => "001",
        };
        let id = format!("{prefix}5g00000{:08}AAA", self.next_id);
        self.records
            .entry(object.to_owned())
            .or_default()
            .push(Record {
                id: id.clone(),
                fields,
            });
        id
    }

    /// Records of an object.
    pub fn all(&self, object: &str) -> Vec<Record> {
        self.records.get(object).cloned().unwrap_or_default()
    }

    fn exists(&self, id: &str) -> bool {
        self.records.values().flatten().any(|r| r.id == id)
    }
}

/// A running Salesforce contract server.
#[derive(Clone, Default)]
pub struct SalesforceServer {
    /// The org's data.
    pub org: Arc<Mutex<Org>>,
    /// Faults and counters.
    pub faults: Arc<Faults>,
    /// Tokens.
    pub tokens: Arc<Tokens>,
    base_url: Arc<Mutex<String>>,
}

impl SalesforceServer {
    /// Starts the server on a loopback port; returns it with its base (My Domain) URL.
    pub async fn start() -> anyhow::Result<(SalesforceServer, String, tokio::task::JoinHandle<()>)>
    {
        let server = SalesforceServer::default();
        let app = Router::new()
            .route("/services/oauth2/token", post(token))
            .route(&format!("/services/data/{VERSION}/query"), get(query))
            .route(
                &format!("/services/data/{VERSION}/sobjects/{{object}}"),
                post(create),
            )
            .route(
                &format!("/services/data/{VERSION}/sobjects/{{object}}/{{id}}"),
                patch(update),
            )
            .route(
                &format!("/services/data/{VERSION}/sobjects/{{object}}/{{field}}/{{value}}"),
                patch(upsert),
            )
            .with_state(server.clone());
        let (port, task) = serve(app).await?;
        let url = format!("http://127.0.0.1:{port}");
        if let Ok(mut base) = server.base_url.lock() {
            *base = url.clone();
        }
        Ok((server, url, task))
    }

    /// A snapshot of the records of `object`.
    pub fn records(&self, object: &str) -> Vec<Record> {
        self.org
            .lock()
            .map(|org| org.all(object))
            .unwrap_or_default()
    }
}

fn errors(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!([{ "message": message, "errorCode": code }])),
    )
        .into_response()
}

fn gate(server: &SalesforceServer, headers: &HeaderMap) -> Option<Response> {
    if let Some((status, retry_after)) = server.faults.before_call() {
        let mut response = if status == StatusCode::TOO_MANY_REQUESTS {
            errors(
                status,
                "REQUEST_LIMIT_EXCEEDED",
                "ConcurrentPerOrgLongTxn Limit exceeded.",
            )
        } else {
            errors(
                status,
                "SERVER_UNAVAILABLE",
                "Service temporarily unavailable",
            )
        };
        if let Some(value) = retry_after {
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from_static(value));
        }
        return Some(response);
    }
    if !server.tokens.authorizes(headers) {
        server
            .faults
            .unauthorized
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        return Some(errors(
            StatusCode::UNAUTHORIZED,
            "INVALID_SESSION_ID",
            "Session expired or invalid",
        ));
    }
    None
}

async fn token(
    State(server): State<SalesforceServer>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    if field("grant_type") != "client_credentials" {
        return (StatusCode::BAD_REQUEST, Json(json!({ "error": "unsupported_grant_type", "error_description": "grant type not supported" }))).into_response();
    }
    if field("client_id") != CLIENT_ID || field("client_secret") != CLIENT_SECRET {
        return (StatusCode::BAD_REQUEST, Json(json!({ "error": "invalid_client", "error_description": "invalid client credentials" }))).into_response();
    }
    let base = server
        .base_url
        .lock()
        .map(|b| b.clone())
        .unwrap_or_default();
    let access = server.tokens.issue("00D5g000004AAAA!sf");
    Json(json!({
        "access_token": access,
        "instance_url": base,
        "id": format!("{base}/id/00D5g000004AAAA/0055g00000AAAAA"),
        "token_type": "Bearer",
        "issued_at": "1732406400000",
        "signature": "test-signature",
    }))
    .into_response()
}

/// Parses `SELECT Id FROM <Object> WHERE <Field> = '<value>'[ AND IsConverted = false] LIMIT 1`.
fn parse_soql(soql: &str) -> Option<(String, String, String, bool)> {
    let rest = soql.strip_prefix("SELECT Id FROM ")?;
    let (object, rest) = rest.split_once(" WHERE ")?;
    let (field, rest) = rest.split_once(" = '")?;
    let mut value = String::new();
    let mut chars = rest.chars();
    loop {
        match chars.next()? {
            '\\' => value.push(chars.next()?),
            '\'' => break,
            c => value.push(c),
        }
    }
    let tail: String = chars.collect();
    let unconverted = tail.starts_with(" AND IsConverted = false");
    tail.ends_with(" LIMIT 1")
        .then(|| (object.to_owned(), field.to_owned(), value, unconverted))
}

async fn query(
    State(server): State<SalesforceServer>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    if let Some(refused) = gate(&server, &headers) {
        return refused;
    }
    let soql = params.get("q").cloned().unwrap_or_default();
    let Some((object, field, value, unconverted)) = parse_soql(&soql) else {
        return errors(
            StatusCode::BAD_REQUEST,
            "MALFORMED_QUERY",
            "unexpected token",
        );
    };
    let records: Vec<Value> = server
        .records(&object)
        .into_iter()
        .filter(|r| r.fields.get(&field).and_then(Value::as_str).is_some_and(|v| v.eq_ignore_ascii_case(&value)))
        .filter(|r| !unconverted || r.fields.get("IsConverted") != Some(&json!(true)))
        .take(1)
        .map(|r| json!({ "attributes": { "type": object, "url": format!("/services/data/{VERSION}/sobjects/{object}/{}", r.id) }, "Id": r.id }))
        .collect();
    Json(json!({ "totalSize": records.len(), "done": true, "records": records })).into_response()
}

/// Salesforce's required-field and reference checks for the objects the connector writes.
fn validate(org: &Org, object: &str, fields: &Map<String, Value>) -> Option<Response> {
    let required: &[&str] = match object {
        "Lead" => &["LastName", "Company"],
        "Contact" => &["LastName"],
        "Task" | "Case" => &[],
        _ => {
            return Some(errors(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                "The requested resource does not exist",
            ))
        }
    };
    for name in required {
        if fields
            .get(*name)
            .and_then(Value::as_str)
            .is_none_or(|v| v.trim().is_empty())
        {
            return Some(errors(
                StatusCode::BAD_REQUEST,
                "REQUIRED_FIELD_MISSING",
                &format!("Required fields are missing: [{name}]"),
            ));
        }
    }
    for reference in ["WhoId", "ContactId"] {
        if let Some(id) = fields.get(reference).and_then(Value::as_str) {
            if !org.exists(id) {
                return Some(errors(
                    StatusCode::BAD_REQUEST,
                    "INVALID_CROSS_REFERENCE_KEY",
                    &format!("invalid cross reference id: {reference}"),
                ));
            }
        }
    }
    None
}

async fn create(
    State(server): State<SalesforceServer>,
    Path(object): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Map<String, Value>>,
) -> Response {
    if let Some(refused) = gate(&server, &headers) {
        return refused;
    }
    let Ok(mut org) = server.org.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Some(invalid) = validate(&org, &object, &body) {
        return invalid;
    }
    let id = org.insert(&object, body);
    drop(org);
    if server.faults.lose_answer() {
        return (StatusCode::BAD_GATEWAY, "upstream timed out").into_response();
    }
    (
        StatusCode::CREATED,
        Json(json!({ "id": id, "success": true, "errors": [] })),
    )
        .into_response()
}

async fn update(
    State(server): State<SalesforceServer>,
    Path((object, id)): Path<(String, String)>,
    headers: HeaderMap,
    Json(body): Json<Map<String, Value>>,
) -> Response {
    if let Some(refused) = gate(&server, &headers) {
        return refused;
    }
    let Ok(mut org) = server.org.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let record = org
        .records
        .get_mut(&object)
        .and_then(|records| records.iter_mut().find(|r| r.id == id));
    match record {
        Some(record) => {
            record.fields.extend(body);
            StatusCode::NO_CONTENT.into_response()
        }
        None => errors(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The requested resource does not exist",
        ),
    }
}

async fn upsert(
    State(server): State<SalesforceServer>,
    Path((object, field, value)): Path<(String, String, String)>,
    headers: HeaderMap,
    Json(body): Json<Map<String, Value>>,
) -> Response {
    if let Some(refused) = gate(&server, &headers) {
        return refused;
    }
    if field != SESSION_FIELD || !["Task", "Case"].contains(&object.as_str()) {
        return errors(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            &format!("Provided external ID field does not exist or is not accessible: {field}"),
        );
    }
    if body.contains_key(&field) || body.contains_key("Id") {
        return errors(
            StatusCode::BAD_REQUEST,
            "INVALID_FIELD",
            "the external id field must not be in the body",
        );
    }
    let Ok(mut org) = server.org.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Some(invalid) = validate(&org, &object, &body) {
        return invalid;
    }
    let existing = org.records.get_mut(&object).and_then(|records| {
        records
            .iter_mut()
            .find(|r| r.fields.get(&field).and_then(Value::as_str) == Some(value.as_str()))
    });
    let (id, created) = match existing {
        Some(record) => {
            record.fields.extend(body);
            (record.id.clone(), false)
        }
        None => {
            let mut fields = body;
            fields.insert(field.clone(), json!(value));
            (org.insert(&object, fields), true)
        }
    };
    drop(org);
    if created && server.faults.lose_answer() {
        return (StatusCode::BAD_GATEWAY, "upstream timed out").into_response();
    }
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    (
        status,
        Json(json!({ "id": id, "success": true, "errors": [], "created": created })),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::parse_soql;

    #[test]
    fn soql_literals_are_read_with_their_escapes() {
        let parsed = parse_soql(
            "SELECT Id FROM Lead WHERE Email = 'o\\'hara@x.fr' AND IsConverted = false LIMIT 1",
        );
        assert_eq!(
            parsed,
            Some(("Lead".into(), "Email".into(), "o'hara@x.fr".into(), true))
        );
        assert_eq!(parse_soql("SELECT Name FROM Lead"), None);
    }
}
