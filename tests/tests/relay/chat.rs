//! A visitor and an adviser chat, and the session lands on the CRM record.

use serde_json::Value;
use tandem_shared::model::{ConversationStatus, Resolution, WrapUp};
use tandem_shared::{AdviserMsg, ErrorCode, EventKind, Role, ServerMsg, VisitorMsg};
use tandem_tests::clients::chat_request;
use tandem_tests::{Endpoint, TestRelay};

fn wrap_up() -> WrapUp {
    WrapUp {
        resolution: Resolution::Resolved,
        answer: Some("The refund was sent on Monday".into()),
        agreed_solution: Some("Wait 3 days".into()),
        actions_taken: Some("Checked the payment".into()),
        follow_up_date: Some("2026-12-01".into()),
        compensation: Some("10 € voucher".into()),
        prevention: Some("Send the refund email automatically".into()),
    }
}

#[tokio::test]
async fn visitor_and_adviser_chat_both_ways_and_the_crm_keeps_it() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut adviser = relay.adviser("lea", "Léa Martin").await?;
    adviser.set_presence(true, 2).await?;
    let mut visitor = relay.visitor().await?;

    let conversation = visitor
        .start_chat(chat_request(
            "Ana Lima",
            "ana@example.com",
            "Where is my refund?",
        ))
        .await?;
    let detail = adviser.next_assigned().await?;
    assert_eq!(
        detail.id, conversation.id,
        "the only waiting visitor goes to the available adviser"
    );
    assert_eq!(detail.reason, "Where is my refund?");
    assert_eq!(detail.contact.email.as_deref(), Some("ana@example.com"));
    let joined = visitor.next_event().await?;
    assert_eq!(
        joined.kind,
        EventKind::AdviserJoined {
            name: "Léa Martin".into()
        }
    );

    let sent = visitor.say("Hello, I am waiting for a refund").await?;
    let received = adviser.next_event().await?;
    assert_eq!(
        received, sent,
        "the adviser receives exactly what the visitor sent"
    );
    assert_eq!(sent.seq, 2, "events are numbered without gaps");

    visitor.send(&VisitorMsg::Typing { active: true }).await?;
    let typing = adviser
        .recv_until("typing", |f| matches!(f, ServerMsg::Typing { .. }))
        .await?;
    assert!(
        matches!(typing, ServerMsg::Typing { role: Role::Visitor, active: true, ref name, .. } if name == "Ana Lima")
    );

    let reply = adviser.say(&conversation.id, "It left on Monday").await?;
    let seen = visitor.next_event().await?;
    assert_eq!(seen, reply);
    assert!(
        matches!(seen.kind, EventKind::Message { ref author, .. } if author.role == Role::Adviser && author.name == "Léa Martin")
    );

    adviser.end_and_wrap_up(&conversation.id, wrap_up()).await?;
    let ended = visitor.next_event().await?;
    assert_eq!(
        ended.kind,
        EventKind::Ended { by: Role::Adviser },
        "the visitor is told the chat ended"
    );

    let token = relay.api_token().await?;
    let record: Value = relay
        .get_json(&format!("/api/v1/sessions/{}", conversation.id), &token)
        .await?;
    assert_eq!(record["status"], "ended");
    assert_eq!(record["channel"], "chat");
    assert_eq!(record["reason"], "Where is my refund?");
    assert_eq!(record["contact"]["name"], "Ana Lima");
    assert_eq!(record["advisers"][0]["name"], "Léa Martin");
    assert_eq!(record["ended_by"], "adviser");
    assert!(record["wait_secs"].as_f64().is_some_and(|s| s >= 0.0));
    assert!(record["handling_secs"].as_f64().is_some_and(|s| s >= 0.0));
    assert_eq!(record["wrap_up"]["resolution"], "resolved");
    assert_eq!(record["wrap_up"]["compensation"], "10 € voucher");
    assert_eq!(record["wrap_up"]["follow_up_date"], "2026-12-01");
    let lines: Vec<&str> = record["transcript"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        lines,
        [
            "Léa Martin joined",
            "Hello, I am waiting for a refund",
            "It left on Monday",
            "ended by the adviser"
        ]
    );
    assert_eq!(record["message_count"], 2);
    Ok(())
}

#[tokio::test]
async fn the_session_is_in_the_crm_from_the_moment_it_is_requested() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut visitor = relay.visitor().await?;
    let conversation = visitor
        .start_chat(chat_request("Bo", "bo@example.com", "Opening hours"))
        .await?;
    assert_eq!(conversation.status, ConversationStatus::Queued);

    let token = relay.api_token().await?;
    let page: Value = relay.get_json("/api/v1/sessions", &token).await?;
    let sessions = page["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0]["id"], conversation.id.as_str());
    assert_eq!(sessions[0]["status"], "queued");
    assert_eq!(sessions[0]["page_url"], "https://example.com/apply");
    assert!(sessions[0]["accepted_at"].is_null());
    Ok(())
}

#[tokio::test]
async fn a_returning_visitor_is_filed_under_their_contact_as_an_unverified_match(
) -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut adviser = relay.adviser("lea", "Léa").await?;
    adviser.set_presence(true, 1).await?;

    let mut first = relay.visitor().await?;
    let earlier = first
        .start_chat(chat_request("Ana", "ana@example.com", "Delivery late"))
        .await?;
    adviser.next_assigned().await?;
    adviser.end_and_wrap_up(&earlier.id, wrap_up()).await?;

    let mut again = relay.visitor().await?;
    let mut request = chat_request("Ana L.", "ANA@example.com ", "Refund");
    request.phone = Some("+33 6 12 34 56 78".into());
    again.start_chat(request).await?;
    let detail = adviser.next_assigned().await?;
    assert_eq!(detail.history.len(), 1, "the earlier session is shown");
    assert_eq!(detail.history[0].id, earlier.id);
    assert_eq!(detail.history[0].reason, "Delivery late");
    assert_eq!(detail.history[0].advisers, ["Léa"]);
    assert_eq!(
        detail.history[0].wrap_up.as_ref().map(|w| w.resolution),
        Some(Resolution::Resolved)
    );
    assert_eq!(
        detail.contact_match,
        tandem_shared::model::ContactMatch::Typed,
        "an email typed again proves nothing: the console says so"
    );
    assert_eq!(
        (
            detail.contact.name.as_str(),
            detail.contact.phone.as_deref()
        ),
        ("Ana", None),
        "and what was typed changes nothing of the contact"
    );

    let token = relay.api_token().await?;
    let contact: Value = relay
        .get_json(&format!("/api/v1/contacts/{}", detail.contact.id), &token)
        .await?;
    assert_eq!(contact["sessions"].as_array().map(Vec::len), Some(2));
    assert_eq!(contact["email"], "ana@example.com");
    Ok(())
}

#[tokio::test]
async fn the_visitor_can_end_the_chat_and_the_adviser_still_wraps_up() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut adviser = relay.adviser("lea", "Léa").await?;
    adviser.set_presence(true, 1).await?;
    let mut visitor = relay.visitor().await?;
    let conversation = visitor
        .start_chat(chat_request("Ana", "ana@example.com", "Question"))
        .await?;
    adviser.next_assigned().await?;

    visitor.send(&VisitorMsg::EndChat).await?;
    let ended = adviser.recv_until("the end", |f| matches!(f, ServerMsg::Event { event, .. } if matches!(event.kind, EventKind::Ended { .. }))).await?;
    assert!(
        matches!(ended, ServerMsg::Event { event, .. } if event.kind == EventKind::Ended { by: Role::Visitor })
    );

    visitor
        .send(&VisitorMsg::Send {
            client_msg_id: "late".into(),
            body: "one more thing".into(),
        })
        .await?;
    visitor.expect_error(ErrorCode::NotFound).await?;

    adviser
        .send(&AdviserMsg::WrapUp {
            conversation_id: conversation.id.clone(),
            wrap_up: wrap_up(),
        })
        .await?;
    adviser
        .recv_until("closed", |f| matches!(f, ServerMsg::Closed { .. }))
        .await?;
    let record = relay
        .state
        .store
        .session_record(&conversation.id)
        .await?
        .unwrap();
    assert_eq!(record.summary.ended_by.as_deref(), Some("visitor"));
    assert_eq!(
        record.summary.wrap_up.map(|w| w.resolution).as_deref(),
        Some("resolved")
    );
    Ok(())
}
