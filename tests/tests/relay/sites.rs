//! Several sites on one relay: each has its key, its allowed origins, its queues and its look;
//! a chat records the site it came from. Tried: a page of another origin, an unknown site key,
//! a queue of another site, and settings that must be refused (a colour white text cannot be
//! read on, an origin with a path, a queue that does not exist, a malformed key).

use serde_json::{json, Value};
use tandem_shared::desk::QueueInfo;
use tandem_shared::model::SignedIdentity;
use tandem_shared::{ErrorCode, ServerMsg, VisitorMsg, PROTOCOL_VERSION};
use tandem_tests::clients::{chat_request, WsClient};
use tandem_tests::relay::queue;
use tandem_tests::{Endpoint, TestRelay};

const BRICO: &str = "https://brico.example";

fn brico_settings() -> Value {
    json!({
        "key": "brico",
        "name": "Brico Dépannage",
        "origins": [format!("{BRICO}/")],
        "queues": ["travaux"],
        "appearance": {
            "color": "#15803D",
            "position": "left",
            "launcher_text": { "fr": "Une question sur vos travaux ?" },
            "greeting": { "fr": "Bonjour ! Un artisan vous répond.", "en": "Hello! A repair adviser answers." }
        }
    })
}

async fn put_site(
    relay: &TestRelay,
    token: &str,
    key: &str,
    body: &Value,
) -> anyhow::Result<(u16, Value)> {
    let response = reqwest::Client::new()
        .put(relay.url(&format!("/api/v1/sites/{key}")))
        .bearer_auth(token)
        .json(body)
        .send()
        .await?;
    Ok((response.status().as_u16(), response.json().await?))
}

/// Connects to `site` as a page of `origin` and returns the connection and the queues offered.
async fn open_site(
    relay: &TestRelay,
    site: &str,
    origin: &str,
) -> anyhow::Result<(WsClient, Vec<QueueInfo>)> {
    let mut ws =
        WsClient::open_from(&relay.ws_url(&format!("/ws/visitor?site={site}")), origin).await?;
    ws.send(&VisitorMsg::Hello {
        protocol: PROTOCOL_VERSION,
        resume: None,
        last_seq: 0,
        tickets: Vec::new(),
    })
    .await?;
    match ws
        .recv_until("the welcome", |f| {
            matches!(f, ServerMsg::VisitorWelcome { .. })
        })
        .await?
    {
        ServerMsg::VisitorWelcome { queues, .. } => Ok((ws, queues)),
        other => anyhow::bail!("expected a welcome, got {other:?}"),
    }
}

fn keys(queues: &[QueueInfo]) -> Vec<&str> {
    queues.iter().map(|q| q.key.as_str()).collect()
}

#[tokio::test]
async fn each_site_has_its_origins_queues_and_look_and_chats_record_their_site(
) -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    relay.set_queue(queue("travaux")).await?;
    let token = relay.api_token().await?;

    // Settings that must be refused, each with the field named.
    for (change, field) in [
        (json!({ "appearance": { "color": "#facc15" } }), "color"),
        (
            json!({ "origins": ["https://brico.example/shop"] }),
            "origins",
        ),
        (json!({ "queues": ["plomberie"] }), "plomberie"),
    ] {
        let mut body = brico_settings();
        for (k, v) in change.as_object().into_iter().flatten() {
            if k == "appearance" {
                body["appearance"]["color"] = v["color"].clone();
            } else {
                body[k] = v.clone();
            }
        }
        let (status, answer) = put_site(&relay, &token, "brico", &body).await?;
        assert_eq!(status, 400, "{change} must be refused: {answer}");
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(field),
            "the refusal names {field}: {message}"
        );
    }
    let (status, _) = put_site(&relay, &token, "Brico!", &brico_settings()).await?;
    assert_eq!(status, 400, "a malformed key is refused");

    let (status, saved) = put_site(&relay, &token, "brico", &brico_settings()).await?;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["origins"], json!([BRICO]), "origins are normalised");
    assert_eq!(saved["appearance"]["color"], "#15803d");

    // The look, readable by any page, cached a minute.
    let response = reqwest::get(relay.url("/api/v1/sites/brico/appearance")).await?;
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    let look: Value = response.json().await?;
    assert_eq!(look["position"], "left");
    assert_eq!(look["greeting"]["en"], "Hello! A repair adviser answers.");
    let unknown = reqwest::get(relay.url("/api/v1/sites/nope/appearance")).await?;
    assert_eq!(unknown.status().as_u16(), 404);

    // Pages of other origins and unknown site keys cannot open chats.
    let evil = open_site(&relay, "brico", "https://evil.example").await;
    assert!(
        evil.as_ref()
            .is_err_and(|e| format!("{e:#}").contains("403")),
        "a page of another origin is refused: {:?}",
        evil.map(|_| ())
    );
    let nope = open_site(&relay, "nope", BRICO).await;
    assert!(
        nope.as_ref()
            .is_err_and(|e| format!("{e:#}").contains("404")),
        "an unknown site key is refused: {:?}",
        nope.map(|_| ())
    );

    // The site offers only its queue; the default site still offers every queue.
    let (_, default_queues) = open_site(&relay, "default", "https://anything.example").await?;
    assert_eq!(keys(&default_queues), ["general", "travaux"]);
    let (mut visitor, queues) = open_site(&relay, "brico", BRICO).await?;
    assert_eq!(keys(&queues), ["travaux"]);

    // A queue of another site is refused; without a queue the chat goes to the site's own.
    let mut wrong = chat_request("Paul", "paul@example.com", "Fuite sous l'évier");
    wrong.queue = Some("general".into());
    visitor
        .send(&VisitorMsg::StartChat { request: wrong })
        .await?;
    let refused = visitor
        .recv_until("the refusal", |f| matches!(f, ServerMsg::Error { .. }))
        .await?;
    assert!(
        matches!(&refused, ServerMsg::Error { code: ErrorCode::InvalidInput, field: Some(f), .. } if f == "queue"),
        "{refused:?}"
    );
    let request = chat_request("Paul", "paul@example.com", "Fuite sous l'évier");
    visitor.send(&VisitorMsg::StartChat { request }).await?;
    let ServerMsg::ChatStarted { conversation } = visitor
        .recv_until("chat_started", |f| {
            matches!(f, ServerMsg::ChatStarted { .. })
        })
        .await?
    else {
        anyhow::bail!("no chat_started");
    };

    // The record says which site and queue.
    let session: Value = reqwest::Client::new()
        .get(relay.url(&format!("/api/v1/sessions/{}", conversation.id.as_str())))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(session["site"], "brico", "{session}");
    assert_eq!(session["queue"], "travaux");

    // The console lists both sites.
    let sites: Value = reqwest::Client::new()
        .get(relay.url("/api/v1/sites"))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    let listed: Vec<&str> = sites
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["key"].as_str())
        .collect();
    assert_eq!(listed, ["brico", "default"]);
    Ok(())
}

#[tokio::test]
async fn a_site_saved_once_is_served_after_a_restart() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    relay.set_queue(queue("travaux")).await?;
    let token = relay.api_token().await?;
    let (status, _) = put_site(&relay, &token, "brico", &brico_settings()).await?;
    assert_eq!(status, 200);
    let relay = relay.restart().await?;
    let (_, queues) = open_site(&relay, "brico", BRICO).await?;
    assert_eq!(
        keys(&queues),
        ["travaux"],
        "the site's settings came back from the store"
    );
    let evil = open_site(&relay, "brico", "https://evil.example").await;
    assert!(evil.is_err(), "and its origins still apply");
    Ok(())
}

/// `printf 42 | openssl dgst -sha256 -hmac bank-secret-0123456789`
const BANK_USER_42: &str = "8939dfdc099b89555f630915e3ffc57de4a76f336faa12457ec72a407e251aac";

/// `printf 42 | openssl dgst -sha256 -hmac relay-secret-0123456789`
const RELAY_USER_42: &str = "6511bc643cdca0c2a0f1065bf7b6e73210dc4c9266f8a96916b00be0392e5809";

/// Tried on a verified-only site: no signature (a chat, then a message), a signature made
/// with the relay's secret instead of the site's, a forged one; the right one opens the chat.
/// Another site of the same relay keeps taking anyone. The secret is never shown back.
#[tokio::test]
async fn a_verified_only_site_refuses_visitors_who_are_not_signed_in() -> anyhow::Result<()> {
    let relay = TestRelay::spawn_configured(|c| {
        c.identity_secret = Some("relay-secret-0123456789".into());
    })
    .await?;
    let token = relay.api_token().await?;
    let mut adviser = relay.adviser("lea", "Léa").await?;
    adviser.set_presence(true, 4).await?;
    let bank = json!({ "key": "bank", "name": "Banque", "verified_only": true });
    let (status, saved) = put_site(&relay, &token, "bank", &bank).await?;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["verified_only"], true);
    let set_secret = |secret: &str| {
        reqwest::Client::new()
            .put(relay.url("/api/v1/sites/bank/identity-secret"))
            .bearer_auth(&token)
            .json(&json!({ "secret": secret }))
            .send()
    };
    // Tried: a short, guessable secret.
    assert_eq!(set_secret("1234").await?.status(), 400);
    assert_eq!(set_secret("bank-secret-0123456789").await?.status(), 204);
    let listed = relay.get_json("/api/v1/sites", &token).await?;
    assert!(
        !listed.to_string().contains("bank-secret"),
        "the secret is never shown back: {listed}"
    );

    let (mut visitor, _) = open_site(&relay, "bank", "https://bank.example").await?;
    let mut request = chat_request("Ana Lima", "ana@example.com", "Mon prêt");
    request.locale = Some("fr".into());
    visitor
        .send(&VisitorMsg::StartChat {
            request: request.clone(),
        })
        .await?;
    let refused = visitor.expect_error(ErrorCode::Unauthorized).await?;
    assert!(refused.contains("connectez-vous"), "{refused}");
    visitor
        .send(&VisitorMsg::LeaveMessage {
            request: request.clone(),
            callback_at_ms: None,
        })
        .await?;
    visitor.expect_error(ErrorCode::Unauthorized).await?;
    // Signed with the relay's secret: not this site's.
    let signed = |signature: &str| SignedIdentity {
        user_id: "42".into(),
        signature: signature.into(),
    };
    request.identity = Some(signed(RELAY_USER_42));
    visitor
        .send(&VisitorMsg::StartChat {
            request: request.clone(),
        })
        .await?;
    visitor.expect_error(ErrorCode::InvalidInput).await?;
    assert!(
        adviser
            .frames_during(std::time::Duration::from_millis(200))
            .await
            .iter()
            .all(|f| !matches!(f, ServerMsg::Assigned { .. })),
        "nothing reached the desk"
    );

    request.identity = Some(signed(BANK_USER_42));
    visitor.send(&VisitorMsg::StartChat { request }).await?;
    let chat = adviser.next_assigned().await?;
    assert_eq!(chat.contact.verified_user_id.as_deref(), Some("42"));

    // The default site takes anyone, as before.
    let mut anyone = relay.visitor().await?;
    anyone
        .start_chat(chat_request("Bruno", "bruno@example.com", "Une question"))
        .await?;
    adviser.next_assigned().await?;
    Ok(())
}
