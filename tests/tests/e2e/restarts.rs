//! Fault injection on the real relay binary: kill -9 mid-chat, SIGTERM drain. Nothing sent is
//! lost, nothing is stored twice, the queue is as it was.

use serde_json::Value;
use tandem_shared::{ErrorCode, ServerMsg, VisitorMsg};
use tandem_tests::clients::{chat_request, AdviserClient, VisitorClient};
use tandem_tests::process::{add_adviser, free_port, RelayProcess};
use tandem_tests::Endpoint;

/// A relay process with one adviser account, on a fresh database.
async fn relay_with_adviser(
) -> anyhow::Result<(tempfile::TempDir, std::path::PathBuf, u16, RelayProcess)> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("tandem.db");
    add_adviser(&db, "lea", "Léa")?;
    let port = free_port()?;
    let relay = RelayProcess::start(&db, port, &[]).await?;
    Ok((dir, db, port, relay))
}

async fn transcript(relay: &RelayProcess, token: &str, id: &str) -> anyhow::Result<Vec<String>> {
    let record: Value = reqwest::Client::new()
        .get(relay.url(&format!("/api/v1/sessions/{id}")))
        .bearer_auth(token)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(record["transcript"]
        .as_array()
        .map(|lines| {
            lines
                .iter()
                .filter(|l| l["kind"] == "message")
                .map(|l| l["text"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default())
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
    let (_dir, db, port, mut relay) = relay_with_adviser().await?;
    let mut adviser = AdviserClient::connect(&relay, "lea").await?;
    adviser.set_presence(true, 1).await?;
    let mut visitor = relay_visitor(&relay).await?;
    let chat = visitor
        .start_chat(chat_request("Ana", "ana@example.com", "Refund"))
        .await?;
    adviser.next_assigned().await?;
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
    let after = visitor.next_event().await?;
    assert_eq!(
        after.as_message().map(|(_, b)| b.to_owned()).as_deref(),
        Some("answer after the restart")
    );

    let token = api_token(&db)?;
    let lines = transcript(&relay, &token, chat.id.as_str()).await?;
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

async fn relay_visitor(relay: &RelayProcess) -> anyhow::Result<VisitorClient> {
    VisitorClient::connect(relay, None, 0).await
}

#[tokio::test]
async fn sigterm_drains_tells_clients_to_reconnect_and_they_resume() -> anyhow::Result<()> {
    let (_dir, db, port, mut relay) = relay_with_adviser().await?;
    let mut adviser = AdviserClient::connect(&relay, "lea").await?;
    adviser.set_presence(true, 1).await?;
    let mut visitor = relay_visitor(&relay).await?;
    let chat = visitor
        .start_chat(chat_request("Ana", "ana@example.com", "Refund"))
        .await?;
    adviser.next_assigned().await?;
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
