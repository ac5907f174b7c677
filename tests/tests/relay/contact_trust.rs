//! The CRM record is not writable by whoever knows an email: what a visitor types never
//! changes an existing contact, a verified user never takes over a contact on email alone, and
//! an adviser merges two contacts only by choice. Visitor tokens open their chat only on their
//! own site. Tried: a stranger typing a customer's email with another name and company, a
//! verified user typing an unverified customer's email, merging a verified contact away, a
//! contact into itself, and a visitor token replayed on another site.

use serde_json::{json, Value};
use tandem_shared::model::{ChatRequest, ContactMatch, SignedIdentity};
use tandem_shared::{ErrorCode, ServerMsg, VisitorMsg, PROTOCOL_VERSION};
use tandem_tests::clients::{chat_request, resolved, WsClient};
use tandem_tests::{Endpoint, TestRelay};

const SITE_SECRET: &str = "site-secret";
/// `printf 42 | openssl dgst -sha256 -hmac site-secret`
const USER_42: &str = "b1ebef87a7a02c74616f19c84015d0f3895699d01c6629b27ce1ba9a24aab44b";

async fn post_json(
    relay: &TestRelay,
    path: &str,
    token: &str,
    body: &Value,
) -> anyhow::Result<u16> {
    let response = reqwest::Client::new()
        .post(relay.url(path))
        .bearer_auth(token)
        .json(body)
        .send()
        .await?;
    Ok(response.status().as_u16())
}

#[tokio::test]
async fn a_stranger_typing_a_customers_email_changes_nothing_of_the_contact() -> anyhow::Result<()>
{
    let relay = TestRelay::spawn().await?;
    let mut adviser = relay.adviser("lea", "Léa").await?;
    adviser.set_presence(true, 4).await?;
    let mut customer = relay.visitor().await?;
    customer
        .start_chat(ChatRequest {
            company: Some("Lima Assurances".into()),
            ..chat_request("Ana Lima", "ana@example.com", "My contract")
        })
        .await?;
    let first = adviser.next_assigned().await?;
    assert_eq!(first.contact_match, ContactMatch::New);
    adviser.end_and_wrap_up(&first.id, resolved()).await?;

    let mut stranger = relay.visitor().await?;
    stranger
        .start_chat(ChatRequest {
            company: Some("Mallory Ltd".into()),
            ..chat_request("Mallory", "ana@example.com", "Read me my history")
        })
        .await?;
    let second = adviser.next_assigned().await?;
    assert_eq!(
        second.contact.id, first.contact.id,
        "filed under the contact"
    );
    assert_eq!(
        second.contact_match,
        ContactMatch::Typed,
        "and said to be unproven"
    );
    assert_eq!(second.contact.name, "Ana Lima", "the name is not replaced");
    assert_eq!(second.contact.company.as_deref(), Some("Lima Assurances"));

    let token = relay.api_token().await?;
    let record = relay
        .get_json(
            &format!("/api/v1/contacts/{}", first.contact.id.as_str()),
            &token,
        )
        .await?;
    assert_eq!(record["name"], "Ana Lima");
    assert_eq!(record["company"], "Lima Assurances");
    let sessions = record["sessions"].as_array().cloned().unwrap_or_default();
    let typed: Vec<(&str, &str)> = sessions
        .iter()
        .filter_map(|s| Some((s["visitor_name"].as_str()?, s["contact_match"].as_str()?)))
        .collect();
    assert_eq!(
        typed,
        [("Mallory", "typed"), ("Ana Lima", "new")],
        "each session keeps who typed it"
    );
    Ok(())
}

#[tokio::test]
async fn a_verified_user_gets_their_own_contact_and_an_adviser_merges_by_choice(
) -> anyhow::Result<()> {
    let relay =
        TestRelay::spawn_configured(|c| c.identity_secret = Some(SITE_SECRET.into())).await?;
    let mut adviser = relay.adviser("lea", "Léa").await?;
    adviser.set_presence(true, 4).await?;
    let mut earlier = relay.visitor().await?;
    earlier
        .start_chat(chat_request(
            "Ana",
            "ana@example.com",
            "Before I had an account",
        ))
        .await?;
    let unverified = adviser.next_assigned().await?;
    adviser.end_and_wrap_up(&unverified.id, resolved()).await?;

    let mut customer = relay.visitor().await?;
    customer
        .start_chat(ChatRequest {
            identity: Some(SignedIdentity {
                user_id: "42".into(),
                signature: USER_42.into(),
            }),
            ..chat_request("Ana Lima", "ana@example.com", "Logged in now")
        })
        .await?;
    let verified = adviser.next_assigned().await?;
    assert_ne!(
        verified.contact.id, unverified.contact.id,
        "not absorbed on email alone"
    );
    assert_eq!(verified.contact.verified_user_id.as_deref(), Some("42"));
    assert_eq!(verified.contact_match, ContactMatch::Verified);
    assert!(verified.history.is_empty(), "{:?}", verified.history);
    adviser.end_and_wrap_up(&verified.id, resolved()).await?;

    let token = relay.api_token().await?;
    let verified_path = format!("/api/v1/contacts/{}", verified.contact.id.as_str());
    let record = relay.get_json(&verified_path, &token).await?;
    assert_eq!(
        record["merge_candidate"]["id"],
        unverified.contact.id.as_str(),
        "offered for an adviser to merge"
    );

    let merge = format!("{verified_path}/merge");
    let unverified_path = format!("/api/v1/contacts/{}", unverified.contact.id.as_str());
    // Tried: merging the verified contact away, and a contact into itself.
    assert_eq!(
        post_json(
            &relay,
            &format!("{unverified_path}/merge"),
            &token,
            &json!({ "from": verified.contact.id.as_str() })
        )
        .await?,
        409
    );
    assert_eq!(
        post_json(
            &relay,
            &merge,
            &token,
            &json!({ "from": verified.contact.id.as_str() })
        )
        .await?,
        400
    );
    assert_eq!(
        post_json(
            &relay,
            &merge,
            &token,
            &json!({ "from": unverified.contact.id.as_str() })
        )
        .await?,
        204
    );
    let merged = relay.get_json(&verified_path, &token).await?;
    assert_eq!(merged["sessions"].as_array().map(Vec::len), Some(2));
    assert!(merged["merge_candidate"].is_null());
    let gone = reqwest::Client::new()
        .get(relay.url(&unverified_path))
        .bearer_auth(&token)
        .send()
        .await?;
    assert_eq!(gone.status(), 404, "the merged contact is gone");
    Ok(())
}

#[tokio::test]
async fn a_visitor_token_opens_its_chat_on_its_own_site_only() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let token = relay.api_token().await?;
    let response = reqwest::Client::new()
        .put(relay.url("/api/v1/sites/other"))
        .bearer_auth(&token)
        .json(&json!({ "key": "other", "name": "Another site" }))
        .send()
        .await?;
    assert_eq!(response.status(), 200, "{}", response.text().await?);
    let mut visitor = relay.visitor().await?;
    visitor
        .start_chat(chat_request("Ana", "ana@example.com", "Hello"))
        .await?;
    let visitor_token = visitor.token()?;

    // Tried: the token replayed on another site served by the same relay.
    let mut elsewhere = WsClient::open(&relay.ws_url("/ws/visitor?site=other"), None).await?;
    elsewhere
        .send(&VisitorMsg::Hello {
            protocol: PROTOCOL_VERSION,
            resume: Some(visitor_token.clone()),
            last_seq: 0,
            tickets: Vec::new(),
        })
        .await?;
    let welcome = elsewhere
        .recv_until("the welcome", |f| {
            matches!(f, ServerMsg::VisitorWelcome { .. })
        })
        .await?;
    assert!(
        matches!(
            welcome,
            ServerMsg::VisitorWelcome {
                conversation: None,
                ..
            }
        ),
        "{welcome:?}"
    );
    elsewhere.expect_error(ErrorCode::Unauthorized).await?;

    let home =
        tandem_tests::clients::VisitorClient::connect(&relay, Some(&visitor_token), 0).await?;
    assert!(home.conversation.is_some(), "its own site still resumes it");
    Ok(())
}
