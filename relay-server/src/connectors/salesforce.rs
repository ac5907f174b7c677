//! Salesforce connector (REST API v62.0, Winter '25, as documented at developer.salesforce.com):
//! signs in with the OAuth 2.0 client-credentials flow of a connected app (the token response's
//! `instance_url` is where the API is), finds the visitor as a Contact by email (or phone),
//! else as an unconverted Lead, else creates a Lead; then logs each wrapped-up session as a
//! completed Task on them — or as a Case for the queues the site names complaints — upserted
//! by the external-id field holding Tandem's session id, so a retried delivery updates the
//! same record instead of creating a second one.

use super::api::CrmApi;
use super::auth::Credentials;
use super::dispatch::{DeliveryError, Destination, RetryPolicy};
use super::hubspot::store_error;
use super::person::Person;
use super::summary::Activity;
use crate::store::{OutboxItem, SessionRecord, Store};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;
use tandem_shared::{ContactId, ConversationId};

/// The events Salesforce takes.
pub const EVENTS: &[&str] = &["session.wrapped_up", "contact.updated"];

/// The REST API version followed.
pub const API_VERSION: &str = "v62.0";

/// Longest Description of a Task or Case (a 32,000-character long text area).
const DESCRIPTION_CHARS: usize = 32_000;

/// Where Salesforce is and how to sign in.
#[derive(Clone, Debug)]
pub struct SalesforceConfig {
    /// The org's My Domain URL, `https://acme.my.salesforce.com` (token endpoint and, until a
    /// token says otherwise, the API).
    pub base_url: String,
    /// The connected app's client credentials.
    pub credentials: Credentials,
    /// The external-id text field on Task and Case that holds Tandem's session id.
    pub session_field: String,
    /// Queues whose sessions are complaints, logged as Cases.
    pub case_queues: Vec<String>,
    /// Retry policy.
    pub retry: RetryPolicy,
    /// How long one call may take.
    pub timeout: Duration,
}

impl SalesforceConfig {
    /// The default external-id field for the session id.
    pub const DEFAULT_SESSION_FIELD: &'static str = "Tandem_Session_Id__c";

    /// A configuration for the org at `base_url` signing in with a connected app's client id
    /// and secret.
    pub fn new(base_url: &str, client_id: String, client_secret: String) -> Self {
        let base_url = base_url.trim_end_matches('/').to_owned();
        SalesforceConfig {
            credentials: Credentials::ClientCredentials {
                token_url: format!("{base_url}/services/oauth2/token"),
                client_id,
                client_secret,
            },
            base_url,
            session_field: Self::DEFAULT_SESSION_FIELD.to_owned(),
            case_queues: vec!["complaints".to_owned()],
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(15),
        }
    }
}

/// A person found or created in Salesforce.
enum Who {
    Contact(String),
    Lead(String),
}

impl Who {
    fn id(&self) -> &str {
        match self {
            Who::Contact(id) | Who::Lead(id) => id,
        }
    }
}

/// The Salesforce destination of the outbox.
pub struct Salesforce {
    api: CrmApi,
    store: Store,
    config: SalesforceConfig,
}

impl Salesforce {
    /// A connector that reads sessions from `store`.
    pub fn new(config: SalesforceConfig, store: Store) -> Result<Salesforce, reqwest::Error> {
        Ok(Salesforce {
            api: CrmApi::new(
                "Salesforce",
                &config.base_url,
                config.credentials.clone(),
                config.timeout,
            )?,
            store,
            config,
        })
    }

    fn path(rest: &str) -> String {
        format!("/services/data/{API_VERSION}{rest}")
    }

    async fn log_session(&self, id: &ConversationId) -> Result<(), DeliveryError> {
        let Some(record) = self.store.session_record(id).await.map_err(store_error)? else {
            return Ok(());
        };
        let person = Person::from_contact(&record.summary.contact);
        let who = self.upsert_person(&person).await?;
        let is_case = self.config.case_queues.contains(&record.queue);
        let (object, body) = if is_case {
            ("Case", case_fields(&record, &who))
        } else {
            ("Task", task_fields(&record, &who))
        };
        let path = Self::path(&format!(
            "/sobjects/{object}/{}/{}",
            self.config.session_field,
            urlencoding(&record.summary.id)
        ));
        self.api.call(Method::PATCH, &path, Some(&body)).await?;
        Ok(())
    }

    async fn sync_contact(&self, id: &ContactId) -> Result<(), DeliveryError> {
        let Some(record) = self.store.contact_record(id).await.map_err(store_error)? else {
            return Ok(());
        };
        self.upsert_person(&Person::from_contact(&record.contact))
            .await?;
        Ok(())
    }

    /// The person's Contact (updated) or Lead (updated or created).
    async fn upsert_person(&self, person: &Person) -> Result<Who, DeliveryError> {
        let (field, value) = match (&person.email, &person.phone) {
            (Some(email), _) => ("Email", email.as_str()),
            (None, Some(phone)) => ("Phone", phone.as_str()),
            (None, None) => ("Email", ""),
        };
        let mut fields = json!({ "FirstName": person.first_name, "LastName": person.last_name });
        if let Some(phone) = &person.phone {
            fields["Phone"] = json!(phone);
        }
        if !value.is_empty() {
            if let Some(id) = self.find("Contact", field, value, "").await? {
                self.update("Contact", &id, &fields).await?;
                return Ok(Who::Contact(id));
            }
            if let Some(id) = self
                .find("Lead", field, value, " AND IsConverted = false")
                .await?
            {
                self.update("Lead", &id, &fields).await?;
                return Ok(Who::Lead(id));
            }
        }
        if let Some(email) = &person.email {
            fields["Email"] = json!(email);
        }
        // Company is required on a Lead.
        fields["Company"] = json!(person.company.as_deref().unwrap_or("[not provided]"));
        fields["LeadSource"] = json!("Chat");
        let answer = self
            .api
            .call(Method::POST, &Self::path("/sobjects/Lead"), Some(&fields))
            .await?;
        answer.body["id"]
            .as_str()
            .map(|id| Who::Lead(id.to_owned()))
            .ok_or_else(|| DeliveryError::Failed("Salesforce gave no id for the new Lead".into()))
    }

    /// The id of the first `object` whose `field` equals `value` (SOQL).
    async fn find(
        &self,
        object: &str,
        field: &str,
        value: &str,
        extra: &str,
    ) -> Result<Option<String>, DeliveryError> {
        let soql = format!(
            "SELECT Id FROM {object} WHERE {field} = '{}'{extra} LIMIT 1",
            soql_escape(value)
        );
        let path = Self::path(&format!("/query?q={}", urlencoding(&soql)));
        let answer = self.api.call(Method::GET, &path, None).await?;
        Ok(answer.body["records"][0]["Id"].as_str().map(str::to_owned))
    }

    async fn update(&self, object: &str, id: &str, fields: &Value) -> Result<(), DeliveryError> {
        let path = Self::path(&format!("/sobjects/{object}/{id}"));
        self.api.call(Method::PATCH, &path, Some(fields)).await?;
        Ok(())
    }
}

impl Destination for Salesforce {
    fn name(&self) -> &'static str {
        "salesforce"
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

/// A completed Task on the person.
fn task_fields(record: &SessionRecord, who: &Who) -> Value {
    let activity = Activity::new(record);
    let date = record
        .summary
        .ended_at
        .as_deref()
        .unwrap_or(&record.summary.requested_at)
        .get(..10)
        .unwrap_or_default()
        .to_owned();
    json!({
        "Subject": activity.subject(),
        "Description": activity.plain_text(DESCRIPTION_CHARS),
        "WhoId": who.id(),
        "Status": "Completed",
        "Priority": "Normal",
        "ActivityDate": date,
        "TaskSubtype": "Task",
    })
}

/// A Case for a complaint, closed when the adviser resolved it.
fn case_fields(record: &SessionRecord, who: &Who) -> Value {
    let activity = Activity::new(record);
    let resolved = record
        .summary
        .wrap_up
        .as_ref()
        .is_some_and(|w| w.resolution == "resolved");
    let mut fields = json!({
        "Subject": activity.subject(),
        "Description": activity.plain_text(DESCRIPTION_CHARS),
        "Origin": "Chat",
        "Status": if resolved { "Closed" } else { "New" },
    });
    match who {
        Who::Contact(id) => fields["ContactId"] = json!(id),
        Who::Lead(_) => {
            let c = &record.summary.contact;
            fields["SuppliedName"] = json!(c.name);
            fields["SuppliedEmail"] = json!(c.email);
            fields["SuppliedPhone"] = json!(c.phone);
        }
    }
    fields
}

/// A SOQL string literal's content: quotes and backslashes escaped.
fn soql_escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('\'', "\\'")
}

fn urlencoding(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soql_literals_cannot_be_escaped_from() {
        assert_eq!(soql_escape("o'hara@x.fr"), "o\\'hara@x.fr");
        assert_eq!(soql_escape("a\\' OR Id != '"), "a\\\\\\' OR Id != \\'");
    }
}
