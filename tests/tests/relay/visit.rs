//! The visitor's side beyond the messages: where they are (live, and on the CRM record), read
//! receipts both ways, and the transcript by email.

use std::time::Duration;
use tandem_shared::visit::{VisitContext, VisitedPage};
use tandem_shared::{AdviserMsg, ErrorCode, Role, ServerMsg, VisitorMsg};
use tandem_tests::clients::{chat_request, resolved, VisitorClient};
use tandem_tests::smtp::SmtpServer;
use tandem_tests::{Endpoint, TestRelay};

const PHONE: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

fn page(url: &str, title: &str, at_ms: i64) -> VisitedPage {
    VisitedPage {
        url: url.into(),
        title: Some(title.into()),
        at_ms,
    }
}

async fn visit_changed(
    adviser: &mut tandem_tests::clients::AdviserClient,
) -> anyhow::Result<VisitContext> {
    match adviser
        .recv_until("visit_changed", |f| {
            matches!(f, ServerMsg::VisitChanged { .. })
        })
        .await?
    {
        ServerMsg::VisitChanged { visit, .. } => Ok(visit),
        _ => unreachable!(),
    }
}

/// Tried: a visitor's clock an hour late, a `javascript:` page and a page of another site in
/// the list, then a move to another page while the chat runs.
#[tokio::test]
async fn the_adviser_sees_where_the_visitor_is_and_the_record_keeps_it() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut adviser = relay.adviser("lea", "Léa").await?;
    adviser.set_presence(true, 2).await?;
    let mut visitor = VisitorClient::connect_from(&relay, "https://shop.example").await?;
    let conversation = visitor
        .start_chat(chat_request("Ana", "ana@example.com", "My order"))
        .await?;
    adviser.next_assigned().await?;

    let late = now_ms() - 3_600_000;
    visitor
        .send(&VisitorMsg::Visit {
            context: VisitContext {
                pages: vec![
                    page("javascript:alert(1)", "x", late - 90_000),
                    page("https://evil.example/phish", "Sign in", late - 80_000),
                    page("https://shop.example/", "Shop", late - 60_000),
                    page("https://shop.example/cart", "Cart", late - 15_000),
                ],
                referrer: Some("https://search.example/".into()),
                user_agent: Some(PHONE.into()),
                device: Some("forged by the visitor".into()),
                screen: Some("412×915".into()),
                time_zone: Some("Europe/Paris".into()),
                utc_offset_minutes: Some(60),
                language: Some("fr-FR".into()),
                visits: Some(3),
                sent_at_ms: Some(late),
            },
        })
        .await?;
    let visit = visit_changed(&mut adviser).await?;
    let urls: Vec<_> = visit.pages.iter().map(|p| p.url.as_str()).collect();
    assert_eq!(
        urls,
        ["https://shop.example/", "https://shop.example/cart"],
        "only web pages of the visitor's own site are kept"
    );
    let cart_at = visit.pages[1].at_ms;
    assert!(
        (now_ms() - 15_000 - cart_at).abs() < 10_000,
        "times are moved to the relay's clock: {cart_at}"
    );
    assert_eq!(visit.pages[1].at_ms - visit.pages[0].at_ms, 45_000);
    let device = visit.device.clone().unwrap_or_default();
    assert!(
        device.starts_with("Chrome 131") && device.contains("Android"),
        "the relay names the device, not the visitor: {device}"
    );
    assert!(visit.is_returning());

    // The visitor moves on: the adviser sees the new page at once.
    let mut moved = visit.clone();
    moved.sent_at_ms = Some(now_ms());
    moved
        .pages
        .push(page("https://shop.example/checkout", "Checkout", now_ms()));
    visitor.send(&VisitorMsg::Visit { context: moved }).await?;
    let visit = visit_changed(&mut adviser).await?;
    assert_eq!(
        visit.current_page().map(|p| p.url.as_str()),
        Some("https://shop.example/checkout")
    );

    // The CRM record keeps the visit.
    adviser
        .end_and_wrap_up(&conversation.id, resolved())
        .await?;
    let token = relay.api_token().await?;
    let record = relay
        .get_json(&format!("/api/v1/sessions/{}", conversation.id), &token)
        .await?;
    assert_eq!(record["visit"]["pages"].as_array().map(Vec::len), Some(3));
    assert_eq!(record["visit"]["time_zone"], "Europe/Paris");
    assert!(record["visit"]["device"]
        .as_str()
        .is_some_and(|d| d.contains("Android")));
    Ok(())
}

/// Tried: the same receipt twice, a receipt for an event that does not exist yet, and a
/// colleague who does not hold the chat sending one.
#[tokio::test]
async fn read_receipts_reach_the_other_side_once_per_message() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut lea = relay.adviser("lea", "Léa").await?;
    lea.set_presence(true, 2).await?;
    let mut visitor = relay.visitor().await?;
    let conversation = visitor
        .start_chat(chat_request("Ana", "ana@example.com", "My order"))
        .await?;
    let id = conversation.id.clone();
    lea.next_assigned().await?;
    let asked = visitor.say("Where is my parcel?").await?;

    let seen = |seq| AdviserMsg::Seen {
        conversation_id: id.clone(),
        seq,
    };
    lea.send(&seen(asked.seq)).await?;
    let receipt = visitor
        .recv_until("seen", |f| matches!(f, ServerMsg::Seen { .. }))
        .await?;
    assert_eq!(
        receipt,
        ServerMsg::Seen {
            conversation_id: id.clone(),
            role: Role::Adviser,
            seq: asked.seq
        }
    );
    lea.send(&seen(asked.seq)).await?;
    lea.send(&seen(asked.seq + 50)).await?;
    let mut max = relay.adviser("max", "Max").await?;
    max.send(&seen(asked.seq)).await?;
    max.expect_error(ErrorCode::Forbidden).await?;
    let again = visitor.frames_during(Duration::from_millis(500)).await;
    assert!(
        !again.iter().any(|f| matches!(f, ServerMsg::Seen { .. })),
        "no second receipt: {again:?}"
    );

    // The other way: the visitor's screen showed the adviser's answer.
    let answer = lea.say(&id, "It leaves today").await?;
    visitor.send(&VisitorMsg::Seen { seq: answer.seq }).await?;
    let receipt = lea
        .recv_until("seen", |f| matches!(f, ServerMsg::Seen { .. }))
        .await?;
    assert_eq!(
        receipt,
        ServerMsg::Seen {
            conversation_id: id.clone(),
            role: Role::Visitor,
            seq: answer.seq
        }
    );

    // Both marks survive a reload of either side.
    let token = visitor.token()?;
    visitor.close().await;
    let back = VisitorClient::connect(&relay, Some(&token), 0).await?;
    assert_eq!(
        back.conversation.as_ref().map(|c| c.adviser_seen_seq),
        Some(asked.seq)
    );
    lea.close().await;
    let mut lea = tandem_tests::clients::AdviserClient::connect(&relay, "lea").await?;
    let detail = lea.next_assigned().await?;
    assert_eq!(detail.visitor_seen_seq, answer.seq);
    assert_eq!(detail.adviser_seen_seq, asked.seq);
    Ok(())
}

/// Tried: asking while the chat runs, asking twice, and a relay without email.
#[tokio::test]
async fn the_transcript_is_emailed_once_to_the_address_typed() -> anyhow::Result<()> {
    let smtp = SmtpServer::start().await?;
    let url = smtp.url();
    let relay = TestRelay::spawn_configured(|config| {
        config.mail = Some(tandem_relay::mail::MailConfig {
            url,
            from: "Acme <support@acme.example>".into(),
        });
    })
    .await?;
    let mut lea = relay.adviser("lea", "Lea").await?;
    lea.set_presence(true, 2).await?;
    let mut visitor = relay.visitor().await?;
    let mut request = chat_request("Ana", "ana@example.com", "My order");
    request.locale = Some("en".into());
    let conversation = visitor.start_chat(request).await?;
    lea.next_assigned().await?;
    visitor.say("Where is my parcel 1234?").await?;
    lea.say(&conversation.id, "It leaves today").await?;
    let ask = VisitorMsg::EmailTranscript {
        token: visitor.token()?,
    };
    visitor.send(&ask).await?;
    let early = visitor.expect_error(ErrorCode::Conflict).await?;
    assert!(early.contains("over"), "{early}");

    lea.end_and_wrap_up(&conversation.id, resolved()).await?;
    visitor.send(&ask).await?;
    let sent = visitor
        .recv_until("transcript_sent", |f| {
            matches!(f, ServerMsg::TranscriptSent { .. })
        })
        .await?;
    assert_eq!(
        sent,
        ServerMsg::TranscriptSent {
            conversation_id: conversation.id.clone(),
            to: "a•••@example.com".into()
        }
    );
    let email = smtp.wait_for_message().await?;
    assert!(email.contains("ana@example.com"), "{email}");
    assert!(email.contains("The transcript of your chat"), "{email}");
    assert!(email.contains("Ana: Where is my parcel 1234?"), "{email}");
    assert!(email.contains("Lea: It leaves today"), "{email}");

    visitor.send(&ask).await?;
    let twice = visitor.expect_error(ErrorCode::Conflict).await?;
    assert!(twice.contains("already"), "{twice}");

    // A relay that sends no email says so.
    let quiet = TestRelay::spawn().await?;
    let mut bob = quiet.visitor().await?;
    bob.start_chat(chat_request("Bob", "bob@example.com", "Hi"))
        .await?;
    bob.send(&VisitorMsg::EndChat).await?;
    let token = bob.token()?;
    bob.send(&VisitorMsg::EmailTranscript { token }).await?;
    bob.expect_error(ErrorCode::Unavailable).await?;
    Ok(())
}
