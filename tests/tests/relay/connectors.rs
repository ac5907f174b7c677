//! The CRM connectors against local servers that implement HubSpot's and Salesforce's
//! documented contracts: each wrapped-up session lands once in the CRM with the contact,
//! company, transcript and wrap-up — through an outage (503 for a while), rate limits (429 with
//! Retry-After), an expired token (401 then refresh) and an answer lost after the CRM made the
//! change (the case that creates duplicates).

use serde_json::Value;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tandem_relay::connectors::auth::Credentials;
use tandem_relay::connectors::dispatch::RetryPolicy;
use tandem_relay::connectors::hubspot::HubSpotConfig;
use tandem_relay::connectors::salesforce::SalesforceConfig;
use tandem_shared::model::{ChatRequest, Resolution, WrapUp};
use tandem_tests::clients::{chat_request, AdviserClient};
use tandem_tests::contract::hubspot::{self, HubSpotServer};
use tandem_tests::contract::salesforce::{self, SalesforceServer};
use tandem_tests::relay::queue;
use tandem_tests::{eventually, eventually_within, Endpoint, TestRelay};

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        base: Duration::from_millis(100),
        max: Duration::from_millis(500),
    }
}

/// A chat with two messages, ended and wrapped up; returns the session id.
async fn chat(
    relay: &TestRelay,
    adviser: &mut AdviserClient,
    request: ChatRequest,
    resolution: Resolution,
) -> anyhow::Result<String> {
    let mut visitor = relay.visitor().await?;
    let started = visitor.start_chat(request).await?;
    adviser.next_assigned().await?;
    visitor.say("Bonjour, ma facture <b>double</b>").await?;
    adviser.say(&started.id, "Je regarde votre dossier").await?;
    let wrap_up = WrapUp {
        resolution,
        answer: Some("Remboursement de 42 € lancé".into()),
        agreed_solution: None,
        actions_taken: None,
        follow_up_date: Some("2026-12-01".into()),
        compensation: None,
        prevention: None,
    };
    adviser.end_and_wrap_up(&started.id, wrap_up).await?;
    Ok(started.id.as_str().to_owned())
}

/// How long a connector's retries may take to get through in these tests.
const RETRIES_WITHIN: Duration = Duration::from_secs(20);

/// Waits until `check` holds (retries with backoff take their time).
async fn until(what: &str, mut check: impl FnMut() -> bool) -> anyhow::Result<()> {
    eventually_within(what, RETRIES_WITHIN, || {
        let held = check();
        async move {
            anyhow::ensure!(held, "not yet");
            Ok(())
        }
    })
    .await
}

/// The outbox counts of one destination, as the site owner sees them.
async fn destination(relay: &TestRelay, name: &str) -> anyhow::Result<(Value, Value)> {
    let token = relay.api_token().await?;
    let status: Value = relay.get_json("/api/v1/webhooks", &token).await?;
    let counts = status["destinations"]
        .as_array()
        .and_then(|all| all.iter().find(|d| d["destination"] == name))
        .cloned()
        .unwrap_or(Value::Null);
    Ok((counts, status["pending"].clone()))
}

/// Waits until `name` has nothing pending (and has delivered something).
async fn drained(relay: &TestRelay, name: &str) -> anyhow::Result<()> {
    eventually_within(&format!("{name} drained"), RETRIES_WITHIN, || async {
        let (counts, _) = destination(relay, name).await?;
        anyhow::ensure!(
            counts["pending"] == 0 && counts["delivered"].as_i64().unwrap_or(0) > 0,
            "{name} still has events pending: {counts}"
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn hubspot_gets_each_session_once_through_an_outage_rate_limits_and_a_lost_answer(
) -> anyhow::Result<()> {
    let (hubspot, url, _server) = HubSpotServer::start().await?;
    hubspot.faults.down.store(true, Ordering::SeqCst);
    let relay = TestRelay::spawn_configured(|c| {
        c.hubspot = Some(HubSpotConfig {
            retry: fast_retries(),
            ..HubSpotConfig::new(&url, Credentials::Fixed(hubspot::PRIVATE_APP_TOKEN.into()))
        })
    })
    .await?;
    let mut adviser = relay.adviser("lea", "Léa Martin").await?;
    adviser.set_presence(true, 1).await?;
    let request = ChatRequest {
        company: Some("Optique Lumière".into()),
        ..chat_request("Ana Duval", "ana@example.com", "Remboursement lunettes")
    };
    let first = chat(&relay, &mut adviser, request.clone(), Resolution::Resolved).await?;

    // HubSpot is down: the session waits in the outbox and the owner sees why.
    eventually("the failure shown", || async {
        let (counts, _) = destination(&relay, "hubspot").await?;
        anyhow::ensure!(counts["failing"] == 1, "{counts}");
        Ok(())
    })
    .await?;
    let (counts, pending) = destination(&relay, "hubspot").await?;
    assert_eq!(
        (counts["pending"].as_i64(), counts["failing"].as_i64()),
        (Some(1), Some(1)),
        "{counts}"
    );
    let error = pending[0]["last_error"].as_str().unwrap_or_default();
    assert!(
        error.contains("503"),
        "the error says what HubSpot answered: {error}"
    );
    assert!(hubspot.objects("notes").is_empty());

    // Back, but rate limiting: the connector waits as asked and gets through.
    hubspot.faults.rate_limit_next.store(2, Ordering::SeqCst);
    hubspot.faults.down.store(false, Ordering::SeqCst);
    until("the note in HubSpot", || {
        hubspot.objects("notes").len() == 1
    })
    .await?;
    assert_eq!(hubspot.faults.rate_limited.load(Ordering::SeqCst), 2);

    let contacts = hubspot.objects("contacts");
    assert_eq!(contacts.len(), 1);
    let contact = &contacts[0];
    assert_eq!(contact.properties["email"], "ana@example.com");
    assert_eq!(contact.properties["firstname"], "Ana");
    assert_eq!(contact.properties["lastname"], "Duval");
    let companies = hubspot.objects("companies");
    assert_eq!(companies.len(), 1);
    assert_eq!(companies[0].properties["name"], "Optique Lumière");
    let linked = hubspot
        .crm
        .lock()
        .map(|crm| crm.contact_companies.clone())
        .unwrap_or_default();
    assert_eq!(linked, vec![(contact.id.clone(), companies[0].id.clone())]);
    let note = &hubspot.objects("notes")[0];
    let body = note.properties["hs_note_body"].as_str().unwrap_or_default();
    for expected in [
        "Remboursement lunettes",
        "ma facture &lt;b&gt;double&lt;/b&gt;",
        "Je regarde votre dossier",
        "Remboursement de 42 € lancé",
        "2026-12-01",
        "Léa Martin",
        &format!("tandem-session-{first}"),
    ] {
        assert!(body.contains(expected), "{expected:?} in the note: {body}");
    }
    assert!(
        !body.contains("<b>double"),
        "visitor text is escaped: {body}"
    );
    assert!(note.associations.contains(&(contact.id.clone(), 202)));
    assert!(note.associations.contains(&(companies[0].id.clone(), 190)));

    // The next session's note is made but HubSpot's answer is lost: the retry finds it.
    hubspot
        .faults
        .lose_next_create_answer
        .store(true, Ordering::SeqCst);
    let second = chat(&relay, &mut adviser, request, Resolution::FollowUp).await?;
    drained(&relay, "hubspot").await?;
    assert!(
        !hubspot
            .faults
            .lose_next_create_answer
            .load(Ordering::SeqCst),
        "an answer was lost"
    );
    let notes = hubspot.objects("notes");
    assert_eq!(notes.len(), 2, "one note per session, none twice");
    assert!(notes.iter().any(|n| n.properties["hs_note_body"]
        .as_str()
        .is_some_and(|b| b.contains(&format!("tandem-session-{second}")))));
    assert_eq!(
        hubspot.objects("contacts").len(),
        1,
        "the returning visitor is the same contact"
    );
    assert_eq!(hubspot.objects("companies").len(), 1);

    // The contact's details are corrected in Tandem: HubSpot gets them (contact.updated).
    let token = relay.api_token().await?;
    let session = relay
        .get_json(&format!("/api/v1/sessions/{first}"), &token)
        .await?;
    let contact_id = session["contact"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let edit = |details: Value| {
        reqwest::Client::new()
            .patch(relay.url(&format!("/api/v1/contacts/{contact_id}")))
            .bearer_auth(&token)
            .json(&details)
            .send()
    };
    let malformed =
        edit(serde_json::json!({ "name": "Ana Duval", "email": "ana-at-example" })).await?;
    assert_eq!(malformed.status(), 400, "a malformed email is refused");
    let saved = edit(serde_json::json!({
        "name": "Ana Duval", "email": "ana@example.com", "phone": "+33 6 12 34 56 78", "company": "Optique Lumière"
    }))
    .await?;
    assert_eq!(saved.status(), 204);
    until("the new phone in HubSpot", || {
        hubspot
            .objects("contacts")
            .first()
            .and_then(|c| c.properties.get("phone").cloned())
            == Some(serde_json::json!("+33612345678"))
    })
    .await?;
    assert_eq!(hubspot.objects("contacts").len(), 1);
    Ok(())
}

#[tokio::test]
async fn hubspot_oauth_tokens_are_refreshed_when_they_expire_and_bad_credentials_are_shown(
) -> anyhow::Result<()> {
    let (hubspot, url, _server) = HubSpotServer::start().await?;
    let oauth = |secret: &str| Credentials::RefreshToken {
        token_url: HubSpotConfig::token_url(&url),
        client_id: hubspot::CLIENT_ID.into(),
        client_secret: secret.into(),
        refresh_token: hubspot::REFRESH_TOKEN.into(),
    };
    let good = oauth(hubspot::CLIENT_SECRET);
    let relay = TestRelay::spawn_configured(|c| {
        c.hubspot = Some(HubSpotConfig {
            retry: fast_retries(),
            ..HubSpotConfig::new(&url, good)
        })
    })
    .await?;
    let mut adviser = relay.adviser("lea", "Léa Martin").await?;
    adviser.set_presence(true, 1).await?;
    chat(
        &relay,
        &mut adviser,
        chat_request("Ana Duval", "ana@example.com", "Résiliation"),
        Resolution::Resolved,
    )
    .await?;
    until("the first note", || hubspot.objects("notes").len() == 1).await?;
    assert_eq!(hubspot.tokens.issued(), 1, "one token for every call");

    // The access token expires: the next call gets 401, a new token, and goes through.
    hubspot.tokens.expire_all();
    chat(
        &relay,
        &mut adviser,
        chat_request("Ana Duval", "ana@example.com", "Résiliation"),
        Resolution::Resolved,
    )
    .await?;
    until("the second note", || hubspot.objects("notes").len() == 2).await?;
    assert_eq!(hubspot.tokens.issued(), 2);
    assert!(hubspot.faults.unauthorized.load(Ordering::SeqCst) >= 1);
    drained(&relay, "hubspot").await?;
    let (counts, _) = destination(&relay, "hubspot").await?;
    assert_eq!(
        counts["failing"], 0,
        "a refreshed token is not a failure: {counts}"
    );

    // Credentials HubSpot refuses: nothing is sent, nothing is lost, the owner reads why.
    let wrong = oauth("not-the-secret");
    let refused = TestRelay::spawn_configured(|c| {
        c.hubspot = Some(HubSpotConfig {
            retry: fast_retries(),
            ..HubSpotConfig::new(&url, wrong)
        })
    })
    .await?;
    let mut adviser = refused.adviser("lea", "Léa Martin").await?;
    adviser.set_presence(true, 1).await?;
    chat(
        &refused,
        &mut adviser,
        chat_request("Bob Roy", "bob@example.com", "Devis"),
        Resolution::Resolved,
    )
    .await?;
    let error = eventually("the refusal recorded", || async {
        let (_, pending) = destination(&refused, "hubspot").await?;
        let error = pending[0]["last_error"].as_str().unwrap_or_default();
        anyhow::ensure!(!error.is_empty(), "no error recorded yet");
        Ok(error.to_owned())
    })
    .await?;
    assert!(error.contains("refused the credentials"), "{error}");
    assert!(
        !error.contains("not-the-secret"),
        "the secret is not in the error: {error}"
    );
    assert_eq!(hubspot.objects("notes").len(), 2);
    Ok(())
}

#[tokio::test]
async fn salesforce_logs_tasks_and_complaint_cases_once_and_renews_an_expired_token(
) -> anyhow::Result<()> {
    let (salesforce, url, _server) = SalesforceServer::start().await?;
    // The company already knows Ana as a Contact.
    let known =
        serde_json::json!({ "FirstName": "Ana", "LastName": "Duval", "Email": "ana@example.com" });
    let ana = salesforce
        .org
        .lock()
        .map(|mut org| org.insert("Contact", known.as_object().cloned().unwrap_or_default()))
        .unwrap_or_default();
    salesforce.faults.down.store(true, Ordering::SeqCst);
    let relay = TestRelay::spawn_configured(|c| {
        c.salesforce = Some(SalesforceConfig {
            retry: fast_retries(),
            ..SalesforceConfig::new(
                &url,
                salesforce::CLIENT_ID.into(),
                salesforce::CLIENT_SECRET.into(),
            )
        })
    })
    .await?;
    relay.set_queue(queue("complaints")).await?;
    let mut adviser = relay.adviser("lea", "Léa Martin").await?;
    adviser.set_presence(true, 1).await?;
    let first = chat(
        &relay,
        &mut adviser,
        chat_request("Ana Duval", "ana@example.com", "Changer d'adresse"),
        Resolution::Resolved,
    )
    .await?;

    // Salesforce is down, then rate limits: the Task waits, then arrives once.
    let (counts, pending) = eventually("the failure recorded", || async {
        let (counts, pending) = destination(&relay, "salesforce").await?;
        anyhow::ensure!(
            pending[0]["last_error"]
                .as_str()
                .is_some_and(|e| !e.is_empty()),
            "{pending}"
        );
        Ok((counts, pending))
    })
    .await?;
    assert_eq!(counts["pending"], 1, "{counts}");
    assert!(
        pending[0]["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("503")),
        "{pending}"
    );
    salesforce.faults.rate_limit_next.store(1, Ordering::SeqCst);
    salesforce.faults.down.store(false, Ordering::SeqCst);
    until("the Task", || salesforce.records("Task").len() == 1).await?;
    assert_eq!(salesforce.faults.rate_limited.load(Ordering::SeqCst), 1);
    let task = &salesforce.records("Task")[0];
    assert_eq!(
        task.fields["WhoId"],
        ana.as_str(),
        "logged on the known Contact"
    );
    assert_eq!(task.fields["Status"], "Completed");
    assert_eq!(task.fields[salesforce::SESSION_FIELD], first.as_str());
    assert!(task.fields["Subject"]
        .as_str()
        .is_some_and(|s| s.contains("Changer d'adresse")));
    let description = task.fields["Description"].as_str().unwrap_or_default();
    for expected in [
        "Bonjour, ma facture <b>double</b>",
        "Je regarde votre dossier",
        "Remboursement de 42 € lancé",
    ] {
        assert!(
            description.contains(expected),
            "{expected:?} in {description}"
        );
    }
    assert!(
        salesforce.records("Lead").is_empty(),
        "a known Contact is not a Lead"
    );

    // The token expires; a complaint from someone Salesforce does not know: a Lead and a Case,
    // and the Lead's creation answer is lost — the retry finds the Lead instead of a second one.
    salesforce.tokens.expire_all();
    salesforce
        .faults
        .lose_next_create_answer
        .store(true, Ordering::SeqCst);
    let complaint = ChatRequest {
        queue: Some("complaints".into()),
        company: Some("Garage Petit".into()),
        ..chat_request(
            "Marc Petit",
            "marc@example.com",
            "Réclamation sur un sinistre",
        )
    };
    let second = chat(&relay, &mut adviser, complaint, Resolution::Unresolved).await?;
    until("the Case", || salesforce.records("Case").len() == 1).await?;
    // Drained: nothing is pending, so nothing more will be sent.
    drained(&relay, "salesforce").await?;
    let leads = salesforce.records("Lead");
    assert_eq!(leads.len(), 1, "one Lead despite the lost answer");
    assert_eq!(leads[0].fields["Email"], "marc@example.com");
    assert_eq!(leads[0].fields["Company"], "Garage Petit");
    assert_eq!(leads[0].fields["LeadSource"], "Chat");
    let case = &salesforce.records("Case")[0];
    assert_eq!(case.fields[salesforce::SESSION_FIELD], second.as_str());
    assert_eq!(case.fields["Origin"], "Chat");
    assert_eq!(case.fields["Status"], "New", "unresolved stays open");
    assert_eq!(case.fields["SuppliedEmail"], "marc@example.com");
    assert_eq!(
        salesforce.records("Task").len(),
        1,
        "a complaint is a Case, not a Task"
    );
    assert!(salesforce.tokens.issued() >= 2, "a new token after the 401");
    assert!(salesforce.faults.unauthorized.load(Ordering::SeqCst) >= 1);
    Ok(())
}
