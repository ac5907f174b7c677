//! The relay's HTTP API as the console uses it (the login cookie goes along by itself):
//! queues, canned answers, tickets, the dashboard's report and the CRM record.

use gloo_net::http::Request;
use serde::Deserialize;
use serde_json::json;
use tandem_shared::desk::{AdviserTicket, CannedAnswer};
use tandem_shared::report::Report;

/// A queue as the console lists it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct QueueSummary {
    /// Key.
    pub key: String,
    /// English name.
    pub name_en: String,
    /// French name.
    pub name_fr: String,
}

impl QueueSummary {
    /// The name in the console's language.
    pub fn name(&self, locale: &str) -> &str {
        if locale == "fr" {
            &self.name_fr
        } else {
            &self.name_en
        }
    }
}

async fn get<T: serde::de::DeserializeOwned>(url: &str) -> Option<T> {
    let response = Request::get(url).send().await.ok()?;
    if !response.ok() {
        return None;
    }
    response.json().await.ok()
}

/// The chats in progress (supervisors and admins).
pub async fn live_chats() -> Vec<tandem_shared::desk::LiveChat> {
    get("/api/v1/live").await.unwrap_or_default()
}

/// The queues.
pub async fn queues() -> Vec<QueueSummary> {
    get("/api/v1/queues").await.unwrap_or_default()
}

/// Every canned answer.
pub async fn canned_answers() -> Vec<CannedAnswer> {
    get("/api/v1/canned").await.unwrap_or_default()
}

/// Saves a canned answer; the relay's error message when refused.
pub async fn save_canned(answer: &CannedAnswer) -> Result<(), String> {
    send_checked(Request::post("/api/v1/canned").json(answer)).await
}

/// Deletes a canned answer.
pub async fn delete_canned(id: &str) {
    let _ = Request::delete(&format!("/api/v1/canned/{id}"))
        .send()
        .await;
}

/// Open tickets, most urgent first.
pub async fn open_tickets() -> Vec<AdviserTicket> {
    get("/api/v1/tickets?status=open").await.unwrap_or_default()
}

/// Answers a ticket; the relay's error message when refused.
pub async fn answer_ticket(id: &str, answer: &str) -> Result<(), String> {
    send_checked(
        Request::post(&format!("/api/v1/tickets/{id}/answer")).json(&json!({ "answer": answer })),
    )
    .await
}

/// The dashboard over `from..=to` (`YYYY-MM-DD`), hours at `utc_offset` minutes.
pub async fn report(from: &str, to: &str, utc_offset: i32) -> Result<Report, String> {
    let url = format!("/api/v1/report?from={from}&to={to}&utc_offset={utc_offset}");
    let response = Request::get(&url).send().await.map_err(|e| e.to_string())?;
    if response.ok() {
        response.json().await.map_err(|e| e.to_string())
    } else {
        Err(error_message(response).await)
    }
}

/// The outbox: counts per destination and the oldest pending events with their last error.
pub async fn sync_status() -> Option<serde_json::Value> {
    get("/api/v1/webhooks").await
}

/// Contacts whose name, email, phone or company contains `query`.
pub async fn search_contacts(query: &str) -> Vec<serde_json::Value> {
    let query = String::from(js_sys::encode_uri_component(query));
    let found: Option<serde_json::Value> = get(&format!("/api/v1/contacts?q={query}")).await;
    found
        .and_then(|f| f["contacts"].as_array().cloned())
        .unwrap_or_default()
}

/// A contact with the list of their sessions.
pub async fn contact_record(id: &str) -> Option<serde_json::Value> {
    let id = String::from(js_sys::encode_uri_component(id));
    get(&format!("/api/v1/contacts/{id}")).await
}

/// Saves a contact's details; the relay's error message when refused.
pub async fn update_contact(id: &str, details: &serde_json::Value) -> Result<(), String> {
    let id = String::from(js_sys::encode_uri_component(id));
    send_checked(Request::patch(&format!("/api/v1/contacts/{id}")).json(details)).await
}

/// Adds a note to a contact; the relay's error message when refused.
pub async fn add_contact_note(id: &str, body: &str) -> Result<(), String> {
    let id = String::from(js_sys::encode_uri_component(id));
    send_checked(
        Request::post(&format!("/api/v1/contacts/{id}/notes"))
            .json(&serde_json::json!({ "body": body })),
    )
    .await
}

/// Merges the unverified contact `from` into `into`; the relay's error message when refused.
pub async fn merge_contacts(into: &str, from: &str) -> Result<(), String> {
    let into = String::from(js_sys::encode_uri_component(into));
    send_checked(
        Request::post(&format!("/api/v1/contacts/{into}/merge"))
            .json(&serde_json::json!({ "from": from })),
    )
    .await
}

/// Sets the secret a site signs user ids with; the relay's error message when refused.
pub async fn set_site_secret(key: &str, secret: &str) -> Result<(), String> {
    let key = String::from(js_sys::encode_uri_component(key));
    send_checked(
        Request::put(&format!("/api/v1/sites/{key}/identity-secret"))
            .json(&serde_json::json!({ "secret": secret })),
    )
    .await
}

/// Every account (admins).
pub async fn team() -> Result<Vec<tandem_shared::access::TeamMember>, String> {
    read_checked(Request::get("/api/v1/team").build()).await
}

/// Sends a team change (`PUT`/`POST` with `body`); the team after it, or the relay's refusal.
pub async fn change_team(
    request: gloo_net::http::RequestBuilder,
    body: &serde_json::Value,
) -> Result<Vec<tandem_shared::access::TeamMember>, String> {
    read_checked(request.json(body)).await
}

/// Every API token (admins).
pub async fn tokens() -> Result<Vec<tandem_shared::access::TokenSummary>, String> {
    read_checked(Request::get("/api/v1/tokens").build()).await
}

/// Makes an API token: the token (shown once) and the tokens after it.
pub async fn create_token(name: &str, scope: &str) -> Result<serde_json::Value, String> {
    read_checked(Request::post("/api/v1/tokens").json(&json!({ "name": name, "scope": scope })))
        .await
}

/// Revokes an API token; the tokens after it.
pub async fn revoke_token(id: &str) -> Result<Vec<tandem_shared::access::TokenSummary>, String> {
    let id = String::from(js_sys::encode_uri_component(id));
    read_checked(Request::delete(&format!("/api/v1/tokens/{id}")).build()).await
}

/// Sends a request and reads its JSON answer; the relay's error message when it refuses.
async fn read_checked<T: serde::de::DeserializeOwned>(
    request: Result<Request, gloo_net::Error>,
) -> Result<T, String> {
    let response = request
        .map_err(|e| e.to_string())?
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !response.ok() {
        return Err(error_message(response).await);
    }
    response.json().await.map_err(|e| e.to_string())
}

/// Erases a contact and everything of theirs (admins); the relay's error message when refused.
pub async fn erase_contact(id: &str) -> Result<(), String> {
    let id = String::from(js_sys::encode_uri_component(id));
    send_checked(Request::delete(&format!("/api/v1/contacts/{id}")).build()).await
}

/// The audit trail's entries matching `query` (`from=…&to=…&actor=…&action=…`), newest
/// first; the relay's error message when refused.
pub async fn audit_entries(query: &str) -> Result<Vec<tandem_shared::audit::AuditEntry>, String> {
    read_checked(Request::get(&format!("/api/v1/audit?{query}")).build()).await
}

/// One session in full: transcript, wrap-up, hand-overs, notes, survey, co-browsing.
pub async fn session_record(id: &str) -> Option<serde_json::Value> {
    let id = String::from(js_sys::encode_uri_component(id));
    get(&format!("/api/v1/sessions/{id}")).await
}

/// Sends a request; the relay's error message when it refuses.
async fn send_checked(request: Result<Request, gloo_net::Error>) -> Result<(), String> {
    let request = request.map_err(|e| e.to_string())?;
    let response = request.send().await.map_err(|e| e.to_string())?;
    if response.ok() {
        Ok(())
    } else if response.status() == 413 {
        Err("this file is over 10 MB".into())
    } else {
        Err(error_message(response).await)
    }
}

async fn error_message(response: gloo_net::http::Response) -> String {
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    body["error"]["message"]
        .as_str()
        .unwrap_or("the relay refused")
        .to_owned()
}

/// Every site this relay serves.
pub async fn sites() -> Vec<tandem_shared::site::SiteSettings> {
    get("/api/v1/sites").await.unwrap_or_default()
}

/// Saves a site's settings; the relay's error message when refused.
pub async fn save_site(site: &tandem_shared::site::SiteSettings) -> Result<(), String> {
    let key = String::from(js_sys::encode_uri_component(&site.key));
    send_checked(Request::put(&format!("/api/v1/sites/{key}")).json(site)).await
}

/// Every knowledge-base article.
pub async fn articles() -> Vec<tandem_shared::faq::Article> {
    get("/api/v1/articles").await.unwrap_or_default()
}

/// Saves an article (a new one without id); the relay's error message when refused.
pub async fn save_article(article: &tandem_shared::faq::Article) -> Result<(), String> {
    send_checked(Request::post("/api/v1/articles").json(article)).await
}

/// Deletes an article.
pub async fn delete_article(id: &str) {
    let id = String::from(js_sys::encode_uri_component(id));
    let _ = Request::delete(&format!("/api/v1/articles/{id}"))
        .send()
        .await;
}

/// Shares a file in a chat the adviser holds; the relay's error message when refused.
pub async fn share_file(conversation: &str, file: web_sys::File) -> Result<(), String> {
    let url = format!(
        "/api/v1/conversations/{}/files?name={}",
        String::from(js_sys::encode_uri_component(conversation)),
        String::from(js_sys::encode_uri_component(&file.name()))
    );
    send_checked(
        Request::post(&url)
            .header("Content-Type", &file.type_())
            .body(file),
    )
    .await
}
