//! Who may see and do what: identity verification, secrets kept out of logs, slow consumers.

use tandem_shared::model::SignedIdentity;
use tandem_shared::{ErrorCode, ServerMsg, VisitorMsg};
use tandem_tests::clients::{chat_request, AdviserClient, VisitorClient};
use tandem_tests::process::{add_adviser, free_port, RelayProcess};
use tandem_tests::relay::TEST_PASSWORD;
use tandem_tests::{Endpoint, TestRelay};

const SITE_SECRET: &str = "site-secret";
/// `printf 42 | openssl dgst -sha256 -hmac site-secret`
const USER_42: &str = "b1ebef87a7a02c74616f19c84015d0f3895699d01c6629b27ce1ba9a24aab44b";

#[tokio::test]
async fn only_a_signed_user_id_reaches_that_users_crm_record() -> anyhow::Result<()> {
    let relay =
        TestRelay::spawn_configured(|c| c.identity_secret = Some(SITE_SECRET.into())).await?;
    let mut adviser = relay.adviser("lea", "Léa").await?;
    adviser.set_presence(true, 4).await?;
    let signed = |user: &str, signature: &str| SignedIdentity {
        user_id: user.into(),
        signature: signature.into(),
    };

    // The logged-in customer 42.
    let mut customer = relay.visitor().await?;
    let mut request = chat_request("Ana Lima", "ana@example.com", "My contract");
    request.identity = Some(signed("42", USER_42));
    customer.start_chat(request).await?;
    let first = adviser.next_assigned().await?;
    assert_eq!(first.contact.verified_user_id.as_deref(), Some("42"));

    // Someone typing the customer's email, without the site's signature, is someone else.
    let mut impostor = relay.visitor().await?;
    impostor
        .start_chat(chat_request(
            "Ana Lima",
            "ana@example.com",
            "Read me her history",
        ))
        .await?;
    let other = adviser.next_assigned().await?;
    assert_ne!(
        other.contact.id, first.contact.id,
        "not attached to the verified contact"
    );
    assert!(other.history.is_empty(), "and sees none of its history");
    assert_eq!(other.contact.verified_user_id, None);

    // A forged signature is refused.
    let mut forger = relay.visitor().await?;
    let mut request = chat_request("Mallory", "m@example.com", "Hi");
    request.identity = Some(signed("43", USER_42));
    forger.send(&VisitorMsg::StartChat { request }).await?;
    let error = forger
        .recv_until("error", |f| matches!(f, ServerMsg::Error { .. }))
        .await?;
    assert!(
        matches!(error, ServerMsg::Error { code: ErrorCode::InvalidInput, field: Some(ref f), .. } if f == "identity")
    );

    // The same customer from another device, with another email, is the same contact.
    let mut again = relay.visitor().await?;
    let mut request = chat_request("Ana L.", "ana.work@example.com", "Follow-up");
    request.identity = Some(signed("42", USER_42));
    again.start_chat(request).await?;
    let third = adviser.next_assigned().await?;
    assert_eq!(third.contact.id, first.contact.id);
    assert_eq!(
        third.history.len(),
        1,
        "the customer's earlier session is shown"
    );
    Ok(())
}

#[tokio::test]
async fn no_secret_appears_in_the_logs() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("tandem.db");
    add_adviser(&db, "lea", "Léa")?;
    let port = free_port()?;
    let webhook_secret = "whsec-never-logged-7731";
    let hook = format!(
        "http://127.0.0.1:{}/hook?token=url-token-never-logged",
        free_port()?
    );
    let relay = RelayProcess::start(
        &db,
        port,
        &[
            "--webhook-url",
            &hook,
            "--webhook-secret",
            webhook_secret,
            "--identity-secret",
            SITE_SECRET,
            "--hubspot-token",
            "pat-never-logged-5521",
            "--hubspot-url",
            &format!("http://127.0.0.1:{}", free_port()?),
            "--salesforce-url",
            &format!("http://127.0.0.1:{}", free_port()?),
            "--salesforce-client-id",
            "sf-client",
            "--salesforce-client-secret",
            "sf-secret-never-logged",
        ],
    )
    .await?;

    // A wrong password, a right one, a console session, a visitor token, an API token.
    assert_eq!(
        relay
            .login("lea", "wrong-password-never-logged")
            .await?
            .status(),
        401
    );
    let mut adviser = AdviserClient::connect(&relay, "lea").await?;
    adviser.set_presence(true, 1).await?;
    let mut visitor = VisitorClient::connect(&relay, None, 0).await?;
    let mut request = chat_request("Ana", "ana@example.com", "Refund");
    request.identity = Some(SignedIdentity {
        user_id: "42".into(),
        signature: USER_42.into(),
    });
    visitor.start_chat(request).await?;
    let token = visitor.token()?;
    adviser.next_assigned().await?;
    visitor.say("hello").await?;
    let _resumed = VisitorClient::connect(&relay, Some(&token), 0).await?;
    let forged =
        VisitorClient::connect(&relay, Some("v1.abc.forged-token-never-logged"), 0).await?;
    drop(forged);
    let status = reqwest::Client::new()
        .get(relay.url("/api/v1/sessions"))
        .bearer_auth("api-token-never-logged")
        .send()
        .await?
        .status();
    assert_eq!(status, 401);
    // The forged resume is logged once it was handled: the log is read from then on.
    tandem_tests::eventually("the forged resume logged", || async {
        anyhow::ensure!(relay.log().contains("resume was refused"));
        Ok(())
    })
    .await?;

    let log = relay.log();
    assert!(
        log.contains("DEBUG") || log.contains("INFO"),
        "the relay logged at debug level"
    );
    assert!(
        !log.contains('\u{1b}'),
        "a log written to a file has no terminal colour codes"
    );
    assert!(
        log.contains("outbox delivery failed"),
        "webhook failures are logged"
    );
    for secret in [
        TEST_PASSWORD,
        "wrong-password-never-logged",
        webhook_secret,
        "url-token-never-logged",
        SITE_SECRET,
        USER_42,
        token.as_str(),
        "forged-token-never-logged",
        "api-token-never-logged",
        "pat-never-logged-5521",
        "sf-secret-never-logged",
    ] {
        assert!(!log.contains(secret), "{secret:?} appears in the log");
    }
    Ok(())
}
