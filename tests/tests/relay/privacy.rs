//! Privacy: erasing a contact (right to be forgotten) leaves nothing of them in the CRM file,
//! its log or the webhook outbox, and touches no one else; retention deletes old transcripts.

use std::time::Duration;
use tandem_relay::webhooks::WebhookConfig;
use tandem_shared::model::{ChatRequest, Resolution, WrapUp};
use tandem_shared::{ConversationId, ServerMsg, VisitorMsg};
use tandem_tests::clients::{chat_request, AdviserClient};
use tandem_tests::{Endpoint, TestRelay};

fn wrap_up() -> WrapUp {
    WrapUp {
        resolution: Resolution::Resolved,
        answer: Some("Réponse donnée".into()),
        agreed_solution: None,
        actions_taken: None,
        follow_up_date: None,
        compensation: None,
        prevention: None,
    }
}

/// A whole chat: the visitor says `said`, the adviser ends and wraps up. Returns its id.
async fn chat(
    relay: &TestRelay,
    adviser: &mut AdviserClient,
    request: ChatRequest,
    said: &str,
) -> anyhow::Result<ConversationId> {
    let mut visitor = relay.visitor().await?;
    let conversation = visitor.start_chat(request).await?;
    adviser.next_assigned().await?;
    visitor.say(said).await?;
    adviser.end_and_wrap_up(&conversation.id, wrap_up()).await?;
    Ok(conversation.id)
}

/// Everything the relay keeps on disk, as text: the SQLite file and its logs, or a dump of
/// every row of the PostgreSQL database.
fn database_bytes(relay: &TestRelay) -> anyhow::Result<String> {
    let Some(db_path) = relay.db_path() else {
        return tandem_tests::postgres::dump(relay.store_location());
    };
    let mut bytes = Vec::new();
    let dir = db_path.parent().map(std::path::Path::to_path_buf);
    for entry in std::fs::read_dir(dir.unwrap_or_default())? {
        let path = entry?.path();
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("tandem.db"))
        {
            bytes.extend(std::fs::read(&path)?);
        }
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn erasing_a_contact_leaves_nothing_of_them_and_touches_no_one_else() -> anyhow::Result<()> {
    // The webhook receiver is down, so every event stays in the outbox.
    let dead_port = tandem_tests::process::free_port()?;
    let relay = TestRelay::spawn_configured(|c| {
        c.webhook = Some(WebhookConfig::new(
            format!("http://127.0.0.1:{dead_port}/hook"),
            "secret".into(),
        ))
    })
    .await?;
    relay.add_adviser("ada", "Ada").await?;
    let mut adviser = relay.adviser("lea", "Léa").await?;
    adviser.set_presence(true, 2).await?;
    let zoe = ChatRequest {
        phone: Some("+33 6 99 88 77 66".into()),
        company: Some("Effacement SARL".into()),
        ..chat_request(
            "Zoé Oubliée",
            "zoe.oubliee@example.com",
            "Résilier mon contrat",
        )
    };
    let first = chat(&relay, &mut adviser, zoe.clone(), "Mon IBAN finit par 4471").await?;
    let bruno = chat_request("Bruno Gardé", "bruno.garde@example.com", "Attestation");
    let kept = chat(&relay, &mut adviser, bruno, "Merci de garder ceci").await?;
    // Zoé also leaves a message (a ticket), and comes back for a chat still in progress.
    let mut visitor = relay.visitor().await?;
    visitor
        .send(&VisitorMsg::LeaveMessage {
            request: ChatRequest {
                reason: "Rappelez-moi au sujet du 4471".into(),
                ..zoe.clone()
            },
            callback_at_ms: None,
        })
        .await?;
    visitor
        .recv_until("the ticket", |f| matches!(f, ServerMsg::Ticket { .. }))
        .await?;
    let mut visitor = relay.visitor().await?;
    let open = visitor.start_chat(zoe).await?;
    adviser.next_assigned().await?;

    let token = relay.api_token().await?;
    let session = relay
        .get_json(&format!("/api/v1/sessions/{}", first.as_str()), &token)
        .await?;
    let contact = session["contact"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let export = relay
        .get_json(&format!("/api/v1/contacts/{contact}/export"), &token)
        .await?;
    assert_eq!(
        export["session_records"].as_array().map(Vec::len),
        Some(2),
        "{export}"
    );
    assert!(
        export.to_string().contains("Mon IBAN finit par 4471"),
        "the export has the transcripts"
    );

    let http = reqwest::Client::new();
    let erase = |token: Option<String>| {
        let request = http.delete(relay.url(&format!("/api/v1/contacts/{contact}")));
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    };
    // Tried: no token, a logged-in adviser's cookie, a chat still in progress.
    assert_eq!(erase(None).send().await?.status(), 401);
    let with_cookie = http
        .delete(relay.url(&format!("/api/v1/contacts/{contact}")))
        .header("cookie", adviser.cookie.clone())
        .send()
        .await?;
    assert_eq!(
        with_cookie.status(),
        403,
        "an adviser (not an admin) cannot erase"
    );
    assert_eq!(erase(Some(token.clone())).send().await?.status(), 409);

    adviser.end_and_wrap_up(&open.id, wrap_up()).await?;
    let erased = erase(Some(token.clone())).send().await?;
    assert_eq!(erased.status(), 200);
    let erased: serde_json::Value = erased.json().await?;
    assert_eq!(erased["sessions"], 2, "{erased}");
    assert_eq!(erased["tickets"], 1, "{erased}");
    assert!(erased["webhook_events"].as_i64() > Some(0), "{erased}");
    assert_eq!(erase(Some(token.clone())).send().await?.status(), 404);

    // Nothing of Zoé through the API, nor anywhere in the database file and its log.
    for path in [
        format!("/api/v1/contacts/{contact}"),
        format!("/api/v1/sessions/{}", first.as_str()),
    ] {
        let status = http
            .get(relay.url(&path))
            .bearer_auth(&token)
            .send()
            .await?
            .status();
        assert_eq!(status, 404, "{path}");
    }
    let stored = database_bytes(&relay)?;
    for trace in [
        "zoe.oubliee@example.com",
        "Zoé Oubliée",
        "Effacement SARL",
        "4471",
        "99 88 77 66",
    ] {
        assert!(
            !stored.contains(trace),
            "{trace} is still in the database file"
        );
    }
    // Bruno is untouched; the erasure is logged and announced without Zoé's data.
    let bruno = relay
        .get_json(&format!("/api/v1/sessions/{}", kept.as_str()), &token)
        .await?;
    assert!(bruno.to_string().contains("Merci de garder ceci"));
    assert!(stored.contains("bruno.garde@example.com"));
    let log = relay.store().erasures().await?;
    assert_eq!(log.len(), 1);
    assert_eq!((log[0].2.as_str(), log[0].3, log[0].4), ("api", 2, 1));
    assert!(
        !log[0].0.contains(&contact),
        "the log names a hash, not the contact"
    );
    let webhooks = relay.get_json("/api/v1/webhooks", &token).await?;
    let pending = webhooks["pending"].to_string();
    assert!(
        pending.contains("contact.erased") && pending.contains(&contact),
        "{pending}"
    );
    Ok(())
}

#[tokio::test]
async fn retention_deletes_old_transcripts_and_keeps_the_sessions() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut adviser = relay.adviser("lea", "Léa").await?;
    adviser.set_presence(true, 2).await?;
    let old = chat(
        &relay,
        &mut adviser,
        chat_request("Ana", "ana@example.com", "Ancienne question"),
        "Un vieux message",
    )
    .await?;
    // Times are in milliseconds: the cutoff must fall strictly between the two chats.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let cutoff = tandem_relay::time::now_ms();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let recent = chat(
        &relay,
        &mut adviser,
        chat_request("Ben", "ben@example.com", "Question récente"),
        "Un message récent",
    )
    .await?;
    let now = tandem_relay::time::now_ms();
    assert_eq!(relay.store().purge_transcripts(cutoff, now).await?, 1);
    assert_eq!(
        relay.store().purge_transcripts(cutoff, now).await?,
        0,
        "once"
    );

    let token = relay.api_token().await?;
    let purged = relay
        .get_json(&format!("/api/v1/sessions/{}", old.as_str()), &token)
        .await?;
    assert_eq!(purged["transcript"], serde_json::json!([]), "{purged}");
    assert_eq!(
        purged["reason"], "Ancienne question",
        "the session's facts stay"
    );
    let kept = relay
        .get_json(&format!("/api/v1/sessions/{}", recent.as_str()), &token)
        .await?;
    assert!(kept["transcript"].to_string().contains("Un message récent"));

    // With `--retention-days`, the relay applies it by itself when it starts.
    drop(adviser);
    let mut relay = relay;
    relay.set_retention(Duration::from_millis(1));
    let relay = relay.restart().await?;
    let token = relay.api_token().await?;
    let path = format!("/api/v1/sessions/{}", recent.as_str());
    tandem_tests::eventually("the retention period applied at start", || async {
        let record = relay.get_json(&path, &token).await?;
        anyhow::ensure!(
            record["transcript"] == serde_json::json!([]),
            "the transcript is still there"
        );
        Ok(())
    })
    .await
}
