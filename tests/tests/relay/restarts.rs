//! Fault injection on the real relay binary: kill -9 mid-chat, SIGTERM drain. Nothing sent is
//! lost, nothing is stored twice, the queue is as it was.

use std::sync::{Arc, Mutex};
use tandem_shared::{ErrorCode, ServerMsg, VisitorMsg};
use tandem_tests::clients::{chat_request, AdviserClient, VisitorClient};
use tandem_tests::process::{add_adviser, free_port, RelayProcess};
use tandem_tests::Endpoint;

/// A relay process started with `flags`, with one adviser account, on a fresh database.
async fn relay_with_adviser(
    flags: &[&str],
) -> anyhow::Result<(tempfile::TempDir, std::path::PathBuf, u16, RelayProcess)> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("tandem.db");
    add_adviser(&db, "lea", "Léa")?;
    let port = free_port()?;
    let relay = RelayProcess::start(&db, port, flags).await?;
    Ok((dir, db, port, relay))
}

fn api_token(db: &std::path::Path) -> anyhow::Result<String> {
    let out = std::process::Command::new(tandem_tests::process::relay_binary()?)
        .args(["token", "create", "--name", "tests", "--db"])
        .arg(db)
        .output()?;
    Ok(String::from_utf8(out.stdout)?.trim().to_owned())
}

#[tokio::test]
async fn a_relay_killed_mid_chat_loses_nothing_and_keeps_its_queue() -> anyhow::Result<()> {
    let (_dir, db, port, mut relay) = relay_with_adviser(&[]).await?;
    let (mut adviser, mut visitor, chat) = paired(&relay, None).await?;
    visitor.say("before the crash").await?;
    adviser.say(&chat.id, "answer before the crash").await?;
    let seen = visitor.next_event().await?;
    let mut waiting = relay_visitor(&relay).await?;
    let queued = waiting
        .start_chat(chat_request("Bo", "bo@example.com", "Invoice"))
        .await?;

    // A message is in flight when the relay dies: sent, never acknowledged.
    let in_flight = VisitorMsg::Send {
        client_msg_id: "in-flight-1".into(),
        body: "sent during the crash".into(),
    };
    visitor.send(&in_flight).await?;
    relay.kill_hard()?;

    let relay = RelayProcess::start(&db, port, &[]).await?;
    // The widget reconnects, resumes from what it holds, and resends what was not confirmed.
    let mut visitor = VisitorClient::connect(&relay, Some(&visitor.token()?), seen.seq).await?;
    visitor.send(&in_flight).await?;
    let confirmed = visitor
        .recv_until("the in-flight message", |f| {
            matches!(f, ServerMsg::Event { event, .. } if event.as_message().is_some_and(|(_, b)| b == "sent during the crash"))
        })
        .await?;
    let ServerMsg::Event {
        event: confirmed, ..
    } = confirmed
    else {
        unreachable!()
    };

    let mut adviser = AdviserClient::connect(&relay, "lea").await?;
    let queue = adviser
        .recv_until("the queue", |f| matches!(f, ServerMsg::Queue { .. }))
        .await?;
    assert!(
        matches!(&queue, ServerMsg::Queue { entries } if entries.len() == 1 && entries[0].conversation_id == queued.id),
        "the queue is as it was: {queue:?}"
    );
    let detail = adviser.next_assigned().await?;
    assert_eq!(detail.id, chat.id, "the adviser gets the chat back");
    assert!(
        detail.events.iter().any(|e| e.seq == confirmed.seq),
        "and sees the message sent during the crash"
    );
    adviser.say(&chat.id, "answer after the restart").await?;
    // The next new event (a message the relay stored just before it died comes once with the
    // replay and once more as the acknowledgement of its resending: same number, which the
    // widget keeps once).
    let after = loop {
        let event = visitor.next_event().await?;
        if event.seq > confirmed.seq {
            break event;
        }
        assert_eq!(
            event.seq, confirmed.seq,
            "only the resent message comes again"
        );
    };
    assert_eq!(
        after.as_message().map(|(_, b)| b.to_owned()).as_deref(),
        Some("answer after the restart")
    );

    let token = api_token(&db)?;
    let lines = relay.transcript_messages(&token, chat.id.as_str()).await?;
    assert_eq!(
        lines,
        [
            "before the crash",
            "answer before the crash",
            "sent during the crash",
            "answer after the restart"
        ],
        "the CRM transcript is complete, each message once"
    );
    let mut waiting = VisitorClient::connect(&relay, Some(&waiting.token()?), 0).await?;
    let status = waiting
        .recv_until("queue status", |f| {
            matches!(f, ServerMsg::QueueStatus { .. })
        })
        .await?;
    assert!(matches!(status, ServerMsg::QueueStatus { position: 1, .. }));
    Ok(())
}

/// An available adviser (with a receive buffer of `small_buffer` bytes if given) chatting with
/// a visitor.
async fn paired(
    relay: &RelayProcess,
    small_buffer: Option<u32>,
) -> anyhow::Result<(
    AdviserClient,
    VisitorClient,
    tandem_shared::model::VisitorConversation,
)> {
    let mut adviser = AdviserClient::connect_with(relay, "lea", small_buffer).await?;
    adviser.set_presence(true, 1).await?;
    let mut visitor = relay_visitor(relay).await?;
    let chat = visitor
        .start_chat(chat_request("Ana", "ana@example.com", "Refund"))
        .await?;
    adviser.next_assigned().await?;
    Ok((adviser, visitor, chat))
}

async fn relay_visitor(relay: &RelayProcess) -> anyhow::Result<VisitorClient> {
    VisitorClient::connect(relay, None, 0).await
}

#[tokio::test]
async fn sigterm_drains_tells_clients_to_reconnect_and_they_resume() -> anyhow::Result<()> {
    let (_dir, db, port, mut relay) = relay_with_adviser(&[]).await?;
    let (mut adviser, mut visitor, chat) = paired(&relay, None).await?;
    let last = visitor.say("before the restart").await?;
    let idle = relay_visitor(&relay).await?;

    let status = relay.terminate().await?;
    assert!(status.success(), "a clean stop exits 0: {status}");
    for close in [visitor.recv_close().await?, adviser.recv_close().await?] {
        assert_eq!(
            close.map(|c| u16::from(c.code)),
            Some(1012),
            "clients are told the relay restarts"
        );
    }
    drop(idle);
    assert!(relay.log().contains("asking every client to reconnect"));

    let relay = RelayProcess::start(&db, port, &[]).await?;
    let mut visitor = VisitorClient::connect(&relay, Some(&visitor.token()?), last.seq).await?;
    let mut adviser = AdviserClient::connect(&relay, "lea").await?;
    adviser.next_assigned().await?;
    adviser.say(&chat.id, "back again").await?;
    assert_eq!(
        visitor.next_event().await?.seq,
        last.seq + 1,
        "nothing missing, nothing twice"
    );
    visitor.send(&VisitorMsg::Typing { active: true }).await?;
    assert!(visitor
        .frames_during(std::time::Duration::from_millis(200))
        .await
        .iter()
        .all(|f| !matches!(
            f,
            ServerMsg::Error {
                code: ErrorCode::Internal,
                ..
            }
        )));
    Ok(())
}

/// A CRM webhook endpoint on `port` that records the deliveries it accepts.
async fn webhook_receiver(
    port: u16,
) -> anyhow::Result<(
    Arc<Mutex<Vec<(String, String)>>>,
    tokio::task::JoinHandle<()>,
)> {
    use axum::http::HeaderMap;
    let seen: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let record = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let record = record.clone();
            async move {
                let signed = headers
                    .get("x-tandem-signature")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                if signed != tandem_relay::webhooks::signature("whsec", body.as_bytes()) {
                    return axum::http::StatusCode::UNAUTHORIZED;
                }
                let key = headers
                    .get("x-tandem-delivery")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                let kind = headers
                    .get("x-tandem-event")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                record
                    .lock()
                    .unwrap()
                    .push((key.to_owned(), kind.to_owned()));
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    Ok((
        seen,
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        }),
    ))
}

#[tokio::test]
async fn webhook_events_survive_a_crm_outage_and_a_kill_9_and_arrive_once() -> anyhow::Result<()> {
    let hook_port = free_port()?;
    let hook = format!("http://127.0.0.1:{hook_port}/hook");
    let flags = ["--webhook-url", hook.as_str(), "--webhook-secret", "whsec"];
    let (_dir, db, port, mut relay) = relay_with_adviser(&flags).await?;

    // The CRM is down (nothing listens) while a chat happens.
    let (mut adviser, mut visitor, chat) = paired(&relay, None).await?;
    visitor.say("one").await?;
    adviser.say(&chat.id, "two").await?;
    tandem_tests::eventually("the failures logged", || async {
        anyhow::ensure!(relay.log().contains("outbox delivery failed"));
        Ok(())
    })
    .await?;

    // The relay is killed with events pending, started again, and the CRM comes back.
    relay.kill_hard()?;
    let relay = RelayProcess::start(&db, port, &flags).await?;
    let status = std::process::Command::new(tandem_tests::process::relay_binary()?)
        .args(["webhooks", "--db"])
        .arg(&db)
        .output()?;
    let status = String::from_utf8(status.stdout)?;
    assert!(
        status.contains("pending 3"),
        "the owner sees what waits: {status}"
    );
    let (seen, _server) = webhook_receiver(hook_port).await?;
    let within = std::time::Duration::from_secs(20);
    tandem_tests::eventually_within("the three deliveries", within, || async {
        anyhow::ensure!(seen.lock().unwrap().len() >= 3);
        Ok(())
    })
    .await?;
    // An absence: a fourth (repeated) delivery would come within the retry interval.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let seen = seen.lock().unwrap().clone();
    let kinds: Vec<&str> = seen.iter().map(|(_, kind)| kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["session.started", "message.created", "message.created"],
        "in order"
    );
    let keys: std::collections::HashSet<&str> = seen.iter().map(|(key, _)| key.as_str()).collect();
    assert_eq!(keys.len(), 3, "each once by idempotency key");
    drop(relay);
    Ok(())
}

#[tokio::test]
async fn a_console_that_stops_reading_is_let_go_by_the_real_relay() -> anyhow::Result<()> {
    let (_dir, _db, _port, relay) = relay_with_adviser(&["--frames-per-sec", "100000"]).await?;
    let (_stalled_console, mut visitor, chat) = paired(&relay, Some(4096)).await?;

    // The console stops reading while the visitor writes 2,500 messages of 4 KB (10 MB).
    let body = "x".repeat(4000);
    for _ in 0..2500 {
        visitor.say(&body).await?;
    }
    assert!(
        relay.log().contains("closing a slow consumer"),
        "the relay gave up on the stalled console"
    );
    let last = visitor.say("the visitor is unaffected").await?;
    let mut adviser = AdviserClient::connect(&relay, "lea").await?;
    let detail = adviser.next_assigned().await?;
    assert_eq!(detail.id, chat.id);
    assert_eq!(
        detail.events.last().map(|e| e.seq),
        Some(last.seq),
        "and nothing was lost"
    );
    Ok(())
}

/// Tried: the idle limit set to 5 s, shorter than the relay's usual ping interval. A client
/// that reads nothing is closed as idle; one that reads (and so answers the relay's pings)
/// but sends nothing itself stays connected and is served.
#[tokio::test]
async fn a_silent_client_is_disconnected_after_the_idle_timeout() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let port = free_port()?;
    let relay = RelayProcess::start(
        &dir.path().join("tandem.db"),
        port,
        &["--idle-timeout-secs", "5"],
    )
    .await?;
    let silent = tandem_tests::WsClient::open(&relay.ws_url("/ws/visitor"), None).await?;
    let mut listening = tandem_tests::WsClient::open(&relay.ws_url("/ws/visitor"), None).await?;
    // Reading is what answers pings (the client library replies to each as it reads).
    let heard = listening
        .frames_during(std::time::Duration::from_secs(7))
        .await;
    assert!(heard.is_empty(), "nothing was said to it: {heard:?}");
    // A client that reads nothing answers no ping: after 5 s the relay closed it.
    assert_eq!(
        silent.close_code_unanswered().await?,
        Some(1001),
        "closed as idle"
    );
    listening
        .send(&tandem_shared::VisitorMsg::Hello {
            protocol: tandem_shared::PROTOCOL_VERSION,
            resume: None,
            last_seq: 0,
            tickets: Vec::new(),
        })
        .await?;
    let welcome = listening.recv().await?;
    assert!(
        matches!(welcome, tandem_shared::ServerMsg::VisitorWelcome { .. }),
        "the listening client, 7 s after it connected, is still served: {welcome:?}"
    );
    Ok(())
}
