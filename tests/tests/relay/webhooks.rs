//! CRM events go out through a durable outbox: signed, in order, retried while the receiver
//! is down or failing, across relay restarts, and each arrives once by its idempotency key.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use serde_json::Value;
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tandem_relay::webhooks::{signature, WebhookConfig};
use tandem_shared::model::{Resolution, WrapUp};
use tandem_tests::clients::chat_request;
use tandem_tests::process::free_port;
use tandem_tests::{Endpoint, TestRelay};

const SECRET: &str = "whsec-test-1";

/// A CRM's webhook endpoint: records what it accepts, refuses the first `fail_first` requests.
#[derive(Clone, Default)]
struct Receiver {
    accepted: Arc<Mutex<Vec<(HeaderMap, Value)>>>,
    fail_first: Arc<AtomicUsize>,
    requests: Arc<AtomicUsize>,
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    receiver.requests.fetch_add(1, Ordering::SeqCst);
    if receiver.fail_first.load(Ordering::SeqCst) > 0 {
        receiver.fail_first.fetch_sub(1, Ordering::SeqCst);
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let signed = headers
        .get("x-tandem-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if signed != signature(SECRET, &body) {
        return StatusCode::UNAUTHORIZED;
    }
    let Ok(json) = serde_json::from_slice(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    receiver.accepted.lock().unwrap().push((headers, json));
    StatusCode::NO_CONTENT
}

impl Receiver {
    async fn listen(&self, port: u16) -> anyhow::Result<tokio::task::JoinHandle<()>> {
        let app = Router::new()
            .route("/hook", post(receive))
            .with_state(self.clone());
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        Ok(tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        }))
    }

    fn kinds(&self) -> Vec<String> {
        self.accepted
            .lock()
            .unwrap()
            .iter()
            .map(|(_, v)| v["type"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    fn keys(&self) -> Vec<String> {
        let accepted = self.accepted.lock().unwrap();
        accepted
            .iter()
            .map(|(h, _)| {
                h["x-tandem-delivery"]
                    .to_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect()
    }

    async fn wait_for(&self, count: usize) -> anyhow::Result<()> {
        let within = Duration::from_secs(15);
        tandem_tests::eventually_within("the webhook deliveries", within, || async {
            anyhow::ensure!(
                self.accepted.lock().unwrap().len() >= count,
                "the receiver got {:?}, expected {count} events",
                self.kinds()
            );
            Ok(())
        })
        .await
    }
}

fn fast_retries(port: u16) -> WebhookConfig {
    WebhookConfig {
        retry_base: Duration::from_millis(100),
        retry_max: Duration::from_millis(400),
        ..WebhookConfig::new(format!("http://127.0.0.1:{port}/hook"), SECRET.into())
    }
}

/// One full chat: started, two messages, ended, wrapped up = 5 events.
async fn one_chat(relay: &TestRelay) -> anyhow::Result<()> {
    let mut adviser = relay.adviser("lea", "Léa").await?;
    adviser.set_presence(true, 1).await?;
    let mut visitor = relay.visitor().await?;
    let chat = visitor
        .start_chat(chat_request("Ana", "ana@example.com", "Refund"))
        .await?;
    adviser.next_assigned().await?;
    visitor.say("first").await?;
    adviser.say(&chat.id, "second").await?;
    let wrap_up = WrapUp {
        resolution: Resolution::Resolved,
        answer: Some("done".into()),
        agreed_solution: None,
        actions_taken: None,
        follow_up_date: None,
        compensation: None,
        prevention: None,
    };
    adviser.end_and_wrap_up(&chat.id, wrap_up).await
}

const KINDS: [&str; 5] = [
    "session.started",
    "message.created",
    "message.created",
    "session.ended",
    "session.wrapped_up",
];

/// Waits until the outbox holds nothing: every event was delivered, none will be sent again.
async fn outbox_empty(relay: &TestRelay) -> anyhow::Result<()> {
    let token = relay.api_token().await?;
    tandem_tests::eventually("the outbox empty", || async {
        let status: Value = relay.get_json("/api/v1/webhooks", &token).await?;
        anyhow::ensure!(
            status["pending"].as_array().is_some_and(Vec::is_empty),
            "{status}"
        );
        Ok(())
    })
    .await
}

#[tokio::test]
async fn events_wait_while_the_crm_is_down_and_arrive_once_in_order_when_it_is_back(
) -> anyhow::Result<()> {
    let port = free_port()?;
    let relay = TestRelay::spawn_configured(|c| c.webhook = Some(fast_retries(port))).await?;
    one_chat(&relay).await?;

    // Nothing listens on the port: every attempt is refused, and the owner can see it.
    let token = relay.api_token().await?;
    let status: Value = tandem_tests::eventually("the retries shown", || async {
        let status: Value = relay.get_json("/api/v1/webhooks", &token).await?;
        anyhow::ensure!(
            status["pending"][0]["attempts"]
                .as_i64()
                .is_some_and(|a| a >= 2),
            "{status}"
        );
        Ok(status)
    })
    .await?;
    assert_eq!(
        status["pending"].as_array().map(Vec::len),
        Some(5),
        "{status}"
    );
    assert_eq!(
        status["failing"], 1,
        "the head of the queue is failing: {status}"
    );
    assert!(
        status["pending"][0]["last_error"]
            .as_str()
            .is_some_and(|e| !e.is_empty()),
        "{status}"
    );
    assert!(
        status["pending"][0]["attempts"]
            .as_i64()
            .is_some_and(|a| a >= 2),
        "it keeps retrying: {status}"
    );

    let receiver = Receiver::default();
    let _server = receiver.listen(port).await?;
    receiver.wait_for(5).await?;
    outbox_empty(&relay).await?;
    assert_eq!(receiver.kinds(), KINDS, "every event, in order");
    let keys = receiver.keys();
    assert_eq!(
        keys.iter().collect::<HashSet<_>>().len(),
        5,
        "each event once"
    );
    let first = receiver.accepted.lock().unwrap()[0].1.clone();
    assert_eq!(first["version"], 1);
    assert_eq!(first["data"]["contact"]["email"], "ana@example.com");
    assert_eq!(
        first["id"], keys[0],
        "the body carries the idempotency key too"
    );
    let status: Value = relay.get_json("/api/v1/webhooks", &token).await?;
    assert_eq!(
        (
            status["delivered"].as_i64(),
            status["pending"].as_array().map(Vec::len)
        ),
        (Some(5), Some(0))
    );
    Ok(())
}

#[tokio::test]
async fn server_errors_are_retried_and_the_outbox_survives_a_relay_restart() -> anyhow::Result<()> {
    let port = free_port()?;
    let receiver = Receiver::default();
    receiver.fail_first.store(1_000_000, Ordering::SeqCst);
    let _server = receiver.listen(port).await?;
    let relay = TestRelay::spawn_configured(|c| c.webhook = Some(fast_retries(port))).await?;
    one_chat(&relay).await?;
    tandem_tests::eventually("503 answers retried", || async {
        anyhow::ensure!(receiver.requests.load(Ordering::SeqCst) >= 2);
        Ok(())
    })
    .await?;
    assert!(receiver.accepted.lock().unwrap().is_empty());

    // The relay restarts while the CRM still fails; then the CRM recovers.
    let relay = relay.restart().await?;
    receiver.fail_first.store(2, Ordering::SeqCst);
    receiver.wait_for(5).await?;
    outbox_empty(&relay).await?;
    assert_eq!(receiver.kinds(), KINDS);
    assert_eq!(
        receiver.keys().iter().collect::<HashSet<_>>().len(),
        5,
        "nothing twice"
    );
    drop(relay);
    Ok(())
}
