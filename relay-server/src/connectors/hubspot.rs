//! HubSpot connector (CRM API v3, as documented at developers.hubspot.com, "legacy" v3 paths):
//! upserts the visitor as a contact by email (batch upsert with `idProperty=email`; by phone
//! search when there is no email), links them to their company (found by name or created;
//! v4 default association), and logs each wrapped-up session as a note on the contact and
//! company with the transcript and wrap-up. A note is created only after a search for the
//! session's marker finds none, so a retried delivery never logs a session twice.

use super::api::CrmApi;
use super::auth::Credentials;
use super::dispatch::{DeliveryError, Destination, RetryPolicy};
use super::person::Person;
use super::summary::{marker, Activity};
use crate::store::{OutboxItem, Store};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;
use tandem_shared::{ContactId, ConversationId};

/// HubSpot's association type "note to contact".
const NOTE_TO_CONTACT: u32 = 202;
/// HubSpot's association type "note to company".
const NOTE_TO_COMPANY: u32 = 190;

/// The events HubSpot takes.
pub const EVENTS: &[&str] = &["session.wrapped_up", "contact.updated"];

/// Where HubSpot is and how to sign in.
#[derive(Clone, Debug)]
pub struct HubSpotConfig {
    /// API root, `https://api.hubapi.com`.
    pub base_url: String,
    /// A private app token, or an OAuth app's refresh token.
    pub credentials: Credentials,
    /// Retry policy.
    pub retry: RetryPolicy,
    /// How long one call may take.
    pub timeout: Duration,
}

impl HubSpotConfig {
    /// The public HubSpot API root.
    pub const DEFAULT_URL: &'static str = "https://api.hubapi.com";

    /// A configuration at `base_url` with the default retry policy and a 15 s timeout.
    pub fn new(base_url: &str, credentials: Credentials) -> Self {
        HubSpotConfig {
            base_url: base_url.trim_end_matches('/').to_owned(),
            credentials,
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(15),
        }
    }

    /// The OAuth token endpoint of HubSpot at `base_url`.
    pub fn token_url(base_url: &str) -> String {
        format!("{}/oauth/v1/token", base_url.trim_end_matches('/'))
    }
}

/// The HubSpot destination of the outbox.
pub struct HubSpot {
    api: CrmApi,
    store: Store,
}

impl HubSpot {
    /// A connector that reads sessions from `store`.
    pub fn new(config: &HubSpotConfig, store: Store) -> Result<HubSpot, reqwest::Error> {
        Ok(HubSpot {
            api: CrmApi::new(
                "HubSpot",
                &config.base_url,
                config.credentials.clone(),
                config.timeout,
            )?,
            store,
        })
    }

    async fn log_session(&self, id: &ConversationId) -> Result<(), DeliveryError> {
        let Some(record) = self.store.session_record(id).await.map_err(store_error)? else {
            // Erased since: nothing to log.
            return Ok(());
        };
        let person = Person::from_contact(&record.summary.contact);
        let contact = self.upsert_contact(&person).await?;
        let company = match &person.company {
            Some(name) => Some(self.company(name, &contact).await?),
            None => None,
        };
        let marker = marker(&record.summary.id);
        if self.note_exists(&marker).await? {
            return Ok(());
        }
        let activity = Activity::new(&record);
        let at = record
            .summary
            .ended_at
            .clone()
            .unwrap_or_else(|| record.summary.requested_at.clone());
        let mut associations = vec![association(&contact, NOTE_TO_CONTACT)];
        if let Some(company) = &company {
            associations.push(association(company, NOTE_TO_COMPANY));
        }
        let body = format!(
            "<p><strong>{}</strong></p>{}",
            html_escape::encode_text(&activity.subject()),
            activity.html()
        );
        let note = json!({
            "properties": { "hs_timestamp": at, "hs_note_body": body },
            "associations": associations,
        });
        self.api
            .call(Method::POST, "/crm/v3/objects/notes", Some(&note))
            .await?;
        Ok(())
    }

    async fn sync_contact(&self, id: &ContactId) -> Result<(), DeliveryError> {
        let Some(record) = self.store.contact_record(id).await.map_err(store_error)? else {
            return Ok(());
        };
        let person = Person::from_contact(&record.contact);
        let contact = self.upsert_contact(&person).await?;
        if let Some(name) = &person.company {
            self.company(name, &contact).await?;
        }
        Ok(())
    }

    /// The HubSpot id of the person's contact, created or updated.
    async fn upsert_contact(&self, person: &Person) -> Result<String, DeliveryError> {
        let mut properties =
            json!({ "firstname": person.first_name, "lastname": person.last_name });
        if let Some(phone) = &person.phone {
            properties["phone"] = json!(phone);
        }
        if let Some(company) = &person.company {
            properties["company"] = json!(company);
        }
        if let Some(email) = &person.email {
            let body = json!({ "inputs": [{ "idProperty": "email", "id": email, "properties": properties }] });
            let answer = self
                .api
                .call(
                    Method::POST,
                    "/crm/v3/objects/contacts/batch/upsert",
                    Some(&body),
                )
                .await?;
            return first_id(&answer.body, "the contact upsert");
        }
        let phone = person.phone.as_deref().unwrap_or_default();
        if let Some(id) = self.search("contacts", "phone", "EQ", phone).await? {
            self.api
                .call(
                    Method::PATCH,
                    &format!("/crm/v3/objects/contacts/{id}"),
                    Some(&json!({ "properties": properties })),
                )
                .await?;
            return Ok(id);
        }
        let answer = self
            .api
            .call(
                Method::POST,
                "/crm/v3/objects/contacts",
                Some(&json!({ "properties": properties })),
            )
            .await?;
        id_of(&answer.body, "the contact creation")
    }

    /// The id of the company named `name` (created when HubSpot has none), linked to `contact`.
    async fn company(&self, name: &str, contact: &str) -> Result<String, DeliveryError> {
        let id = match self.search("companies", "name", "EQ", name).await? {
            Some(id) => id,
            None => {
                let body = json!({ "properties": { "name": name } });
                let answer = self
                    .api
                    .call(Method::POST, "/crm/v3/objects/companies", Some(&body))
                    .await?;
                id_of(&answer.body, "the company creation")?
            }
        };
        self.api
            .call(
                Method::PUT,
                &format!("/crm/v4/objects/contact/{contact}/associations/default/company/{id}"),
                None,
            )
            .await?;
        Ok(id)
    }

    async fn note_exists(&self, marker: &str) -> Result<bool, DeliveryError> {
        Ok(self
            .search("notes", "hs_note_body", "CONTAINS_TOKEN", marker)
            .await?
            .is_some())
    }

    /// The id of the first `object` whose `property` matches `value`.
    async fn search(
        &self,
        object: &str,
        property: &str,
        operator: &str,
        value: &str,
    ) -> Result<Option<String>, DeliveryError> {
        let body = json!({
            "filterGroups": [{ "filters": [{ "propertyName": property, "operator": operator, "value": value }] }],
            "properties": [property],
            "limit": 1,
        });
        let answer = self
            .api
            .call(
                Method::POST,
                &format!("/crm/v3/objects/{object}/search"),
                Some(&body),
            )
            .await?;
        Ok(answer.body["results"][0]["id"].as_str().map(str::to_owned))
    }
}

impl Destination for HubSpot {
    fn name(&self) -> &'static str {
        "hubspot"
    }

    async fn deliver(&self, item: &OutboxItem) -> Result<(), DeliveryError> {
        let payload: Value = serde_json::from_str(&item.payload)
            .map_err(|e| DeliveryError::Failed(format!("unreadable outbox event: {e}")))?;
        let data = &payload["data"];
        match item.kind.as_str() {
            "session.wrapped_up" => {
                let id = data["session_id"].as_str().unwrap_or_default();
                self.log_session(&ConversationId(id.to_owned())).await
            }
            "contact.updated" => {
                let id = data["contact"]["id"].as_str().unwrap_or_default();
                self.sync_contact(&ContactId(id.to_owned())).await
            }
            _ => Ok(()),
        }
    }
}

fn association(id: &str, type_id: u32) -> Value {
    json!({ "to": { "id": id }, "types": [{ "associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id }] })
}

fn id_of(body: &Value, what: &str) -> Result<String, DeliveryError> {
    body["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| DeliveryError::Failed(format!("HubSpot gave no id for {what}")))
}

fn first_id(body: &Value, what: &str) -> Result<String, DeliveryError> {
    id_of(&body["results"][0], what)
}

/// A store error as a delivery error (retried).
pub(super) fn store_error(error: crate::store::StoreError) -> DeliveryError {
    DeliveryError::Failed(format!("reading the CRM store: {error}"))
}
