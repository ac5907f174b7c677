//! Nobody is left without an answer: outside business hours a chat request becomes a message,
//! visitors leave messages or book callbacks, a visitor who leaves the queue becomes a ticket,
//! and the adviser's answer reaches them on the site and by email.

use std::time::Duration;
use tandem_relay::store::QueueRow;
use tandem_shared::desk::{TicketKind, VisitorTicket};
use tandem_shared::model::ChatRequest;
use tandem_shared::{ErrorCode, ServerMsg, VisitorMsg, PROTOCOL_VERSION};
use tandem_tests::clients::{chat_request, VisitorClient, WsClient};
use tandem_tests::relay::queue;
use tandem_tests::smtp::SmtpServer;
use tandem_tests::{AdviserClient, Endpoint, TestRelay};

async fn next_ticket(visitor: &mut WsClient) -> anyhow::Result<(VisitorTicket, bool)> {
    match visitor
        .recv_until("a ticket", |f| matches!(f, ServerMsg::Ticket { .. }))
        .await?
    {
        ServerMsg::Ticket { ticket, new } => Ok((ticket, new)),
        _ => unreachable!(),
    }
}

/// A queue closed now: open only for a minute on one day of year 2000.
fn closed_queue(key: &str) -> QueueRow {
    QueueRow {
        hours: Some("2000 Jan 01 00:00-00:01".into()),
        ..queue(key)
    }
}

async fn answer(
    relay: &TestRelay,
    adviser: &AdviserClient,
    ticket: &str,
    origin: &str,
    text: &str,
) -> anyhow::Result<reqwest::Response> {
    Ok(reqwest::Client::new()
        .post(relay.url(&format!("/api/v1/tickets/{ticket}/answer")))
        .header("cookie", &adviser.cookie)
        .header("origin", origin)
        .json(&serde_json::json!({ "answer": text }))
        .send()
        .await?)
}

#[tokio::test]
async fn outside_business_hours_a_chat_request_becomes_a_message_answered_later(
) -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    relay.set_queue(closed_queue("billing")).await?;
    let mut visitor = relay.visitor().await?;
    visitor
        .send(&VisitorMsg::StartChat {
            request: ChatRequest {
                queue: Some("billing".into()),
                ..chat_request("Ana", "ana@example.com", "Please check invoice 42")
            },
        })
        .await?;
    let (ticket, new) = next_ticket(&mut visitor).await?;
    assert!(new);
    assert_eq!(ticket.kind, TicketKind::Message);
    assert_eq!(ticket.message, "Please check invoice 42");
    assert_eq!(
        ticket.due_at_ms - ticket.created_at_ms,
        24 * 3_600_000,
        "answered within 24 hours"
    );
    assert!(visitor.conversation.is_none());
    // Advisers see it in their open tickets.
    let token = relay.api_token().await?;
    let open = relay.get_json("/api/v1/tickets", &token).await?;
    assert_eq!(open[0]["id"], ticket.id.as_str());
    assert_eq!(open[0]["queue"], "billing");
    assert_eq!(open[0]["email"], "ana@example.com");
    // The welcome tells the widget the queue is closed, with callback slots.
    let welcome = VisitorClient::connect(&relay, None, 0).await?;
    drop(welcome);
    let mut ws = WsClient::open(&relay.ws_url("/ws/visitor"), None).await?;
    ws.send(&VisitorMsg::Hello {
        protocol: PROTOCOL_VERSION,
        resume: None,
        last_seq: 0,
        tickets: vec![],
    })
    .await?;
    let ServerMsg::VisitorWelcome { queues, .. } = ws
        .recv_until("welcome", |f| matches!(f, ServerMsg::VisitorWelcome { .. }))
        .await?
    else {
        unreachable!()
    };
    let billing = queues
        .iter()
        .find(|q| q.key == "billing")
        .expect("billing is listed");
    assert!(!billing.open_now && !billing.available);
    assert_eq!(billing.name("fr"), "billing (fr)");
    assert!(billing.callback_slots_ms.is_empty(), "it never opens again");
    let general = queues
        .iter()
        .find(|q| q.key == "general")
        .expect("general is listed");
    assert!(general.open_now);
    assert!(!general.available, "open, but no adviser is online");
    assert!(!general.callback_slots_ms.is_empty());
    Ok(())
}

#[tokio::test]
async fn a_callback_is_booked_at_an_offered_slot_with_a_phone_number() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut ws = WsClient::open(&relay.ws_url("/ws/visitor"), None).await?;
    ws.send(&VisitorMsg::Hello {
        protocol: PROTOCOL_VERSION,
        resume: None,
        last_seq: 0,
        tickets: vec![],
    })
    .await?;
    let ServerMsg::VisitorWelcome { queues, .. } = ws
        .recv_until("welcome", |f| matches!(f, ServerMsg::VisitorWelcome { .. }))
        .await?
    else {
        unreachable!()
    };
    let slot = queues[0].callback_slots_ms[2];
    // Tried: a slot the relay never offered, and a callback without a phone number.
    ws.send(&VisitorMsg::LeaveMessage {
        request: ChatRequest {
            phone: Some("+33 6 12 34 56 78".into()),
            ..chat_request("Ana", "ana@example.com", "Call me")
        },
        callback_at_ms: Some(slot + 7),
    })
    .await?;
    let refused = ws
        .recv_until("error", |f| matches!(f, ServerMsg::Error { .. }))
        .await?;
    assert!(
        matches!(refused, ServerMsg::Error { code: ErrorCode::InvalidInput, field: Some(f), .. } if f == "callback_at_ms")
    );
    ws.send(&VisitorMsg::LeaveMessage {
        request: chat_request("Ana", "ana@example.com", "Call me"),
        callback_at_ms: Some(slot),
    })
    .await?;
    let refused = ws
        .recv_until("error", |f| matches!(f, ServerMsg::Error { .. }))
        .await?;
    assert!(matches!(refused, ServerMsg::Error { field: Some(f), .. } if f == "phone"));
    ws.send(&VisitorMsg::LeaveMessage {
        request: ChatRequest {
            phone: Some("+33 6 12 34 56 78".into()),
            ..chat_request("Ana", "ana@example.com", "Call me")
        },
        callback_at_ms: Some(slot),
    })
    .await?;
    let (ticket, _) = next_ticket(&mut ws).await?;
    assert_eq!(
        (ticket.kind, ticket.callback_at_ms),
        (TicketKind::Callback, Some(slot))
    );
    let token = relay.api_token().await?;
    let open = relay.get_json("/api/v1/tickets", &token).await?;
    assert_eq!(open[0]["phone"], "+33612345678");
    assert_eq!(open[0]["callback_at_ms"], slot);
    Ok(())
}

#[tokio::test]
async fn a_visitor_who_leaves_the_queue_is_abandoned_and_still_gets_an_answer() -> anyhow::Result<()>
{
    let smtp = SmtpServer::start().await?;
    let url = smtp.url();
    let relay = TestRelay::spawn_configured(|config| {
        config.mail = Some(tandem_relay::mail::MailConfig {
            url,
            from: "Acme <support@acme.example>".into(),
        });
        config.abandon_after = Duration::from_secs(1);
    })
    .await?;
    // Ana waits, writes, then gives up.
    let mut ana = relay.visitor().await?;
    ana.start_chat(chat_request("Ana", "ana@example.com", "Refund"))
        .await?;
    ana.say("Order 1234 arrived broken").await?;
    ana.send(&VisitorMsg::EndChat).await?;
    let (ticket, new) = next_ticket(&mut ana).await?;
    assert!(new);
    assert_eq!(ticket.kind, TicketKind::Abandoned);
    assert!(
        ticket.message.contains("Refund") && ticket.message.contains("Order 1234 arrived broken")
    );
    // Bob closes his tab while waiting and never comes back: after the absence limit his
    // request is abandoned too.
    let mut bob = relay.visitor().await?;
    bob.start_chat(chat_request("Bob", "bob@example.com", "Delivery"))
        .await?;
    bob.close().await;
    let token = relay.api_token().await?;
    let open = tandem_tests::eventually("both tickets", || async {
        let open = relay.get_json("/api/v1/tickets", &token).await?;
        anyhow::ensure!(open.as_array().is_some_and(|t| t.len() == 2), "{open}");
        Ok(open)
    })
    .await?;
    let session = relay
        .get_json(
            &format!(
                "/api/v1/sessions/{}",
                open[1]["conversation_id"].as_str().unwrap_or_default()
            ),
            &token,
        )
        .await?;
    assert_eq!(session["abandoned"], true);
    // An adviser answers Ana's ticket from the console. Tried: from another site's page.
    relay.add_adviser("lea", "Léa").await?;
    let lea = AdviserClient::connect(&relay, "lea").await?;
    let forged = answer(&relay, &lea, &ticket.id, "https://evil.example", "x").await?;
    assert_eq!(forged.status(), 403);
    let origin = relay.url("");
    let answered = answer(
        &relay,
        &lea,
        &ticket.id,
        &origin,
        "A new one is on its way.",
    )
    .await?;
    assert_eq!(answered.status(), 200);
    let again = answer(&relay, &lea, &ticket.id, &origin, "twice").await?;
    assert_eq!(again.status(), 409, "answered once");
    // Ana comes back to the site: the widget presents her ticket and gets the answer.
    let mut back = WsClient::open(&relay.ws_url("/ws/visitor"), None).await?;
    back.send(&VisitorMsg::Hello {
        protocol: PROTOCOL_VERSION,
        resume: None,
        last_seq: 0,
        tickets: vec![ticket.token.clone(), "t1.forged.AAAA".into()],
    })
    .await?;
    let (returned, new) = next_ticket(&mut back).await?;
    assert!(!new);
    assert_eq!(returned.answer.as_deref(), Some("A new one is on its way."));
    assert_eq!(returned.answered_by.as_deref(), Some("Léa"));
    // And by email, in French (her page's language).
    let email = match smtp.wait_for_message().await {
        Ok(email) => email,
        Err(error) => {
            let answered = relay
                .get_json("/api/v1/tickets?status=answered", &token)
                .await?;
            anyhow::bail!("{error}: {answered}");
        }
    };
    assert!(email.contains("ana@example.com"), "{email}");
    assert!(email.contains("A new one is on its way."), "{email}");
    assert!(email.contains("Bonjour Ana,"), "{email}");
    assert!(
        email.contains("Order 1234 arrived broken"),
        "her message is quoted: {email}"
    );
    Ok(())
}
