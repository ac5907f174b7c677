//! Co-browsing by phone through the relay: the visitor asks for a code, the adviser types it,
//! a conversation of channel `phone` opens with the visitor's consent asked. Tried: a code
//! typed twice, a wrong one, one typed after its visitor left, one withdrawn, malformed ones,
//! an adviser guessing codes, and a visitor asking for codes in a loop.

use serde_json::Value;
use tandem_shared::model::{Channel, ChatRequest};
use tandem_shared::{AdviserMsg, ErrorCode, EventKind, ServerMsg, VisitorMsg};
use tandem_tests::clients::{page_snapshot, AdviserClient, VisitorClient};
use tandem_tests::{Endpoint, TestRelay};

/// What a site without identity tells about a visitor: nothing but the page and language.
fn anonymous(locale: &str) -> ChatRequest {
    ChatRequest {
        page_url: Some("https://site.test/apply".into()),
        locale: Some(locale.into()),
        ..ChatRequest::default()
    }
}

/// The visitor asks for a code and gets six digits.
async fn code_for(visitor: &mut VisitorClient, request: ChatRequest) -> anyhow::Result<String> {
    visitor
        .send(&VisitorMsg::RequestShareCode { request })
        .await?;
    let frame = visitor
        .recv_until("the share code", |f| {
            matches!(f, ServerMsg::ShareCode { .. })
        })
        .await?;
    let ServerMsg::ShareCode {
        share_code,
        expires_at_ms,
    } = frame
    else {
        unreachable!()
    };
    assert_eq!(share_code.len(), 6);
    assert!(
        share_code.bytes().all(|b| b.is_ascii_digit()),
        "{share_code}"
    );
    let lifetime = expires_at_ms - tandem_relay::time::now_ms();
    assert!(
        (590_000..=600_000).contains(&lifetime),
        "a code works for 10 minutes, not {lifetime} ms"
    );
    Ok(share_code)
}

async fn join(adviser: &mut AdviserClient, code: &str) -> anyhow::Result<()> {
    adviser
        .send(&AdviserMsg::JoinByCode { code: code.into() })
        .await
}

#[tokio::test]
async fn an_adviser_who_types_the_code_gets_a_phone_session_with_consent_asked(
) -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut adviser = relay.adviser("lea", "Léa Martin").await?;
    let mut visitor = relay.visitor().await?;
    let code = code_for(&mut visitor, anonymous("fr")).await?;

    // Read out with a space, as the widget shows it.
    join(&mut adviser, &format!("{} {}", &code[..3], &code[3..])).await?;
    let detail = adviser.next_assigned().await?;
    assert_eq!(detail.channel, Channel::Phone);
    assert_eq!(
        detail.contact.name, "Appelant",
        "named in the visitor's language"
    );
    assert_eq!(detail.reason, "Page partagée pendant un appel");
    let started = visitor
        .recv_until("chat_started", |f| {
            matches!(f, ServerMsg::ChatStarted { .. })
        })
        .await?;
    let ServerMsg::ChatStarted { conversation } = started else {
        unreachable!()
    };
    assert_eq!(conversation.id, detail.id);
    visitor
        .recv_until("the adviser joining", |f| {
            matches!(f, ServerMsg::Event { event, .. } if matches!(event.kind, EventKind::AdviserJoined { .. }))
        })
        .await?;
    let invite = visitor
        .recv_until("the consent asked", |f| {
            matches!(f, ServerMsg::CobrowseInvite { .. })
        })
        .await?;
    assert!(
        matches!(invite, ServerMsg::CobrowseInvite { ref adviser, .. } if adviser == "Léa Martin")
    );

    // Same consent and page checks as from a chat.
    visitor
        .send(&VisitorMsg::CobrowseAnswer { accepted: true })
        .await?;
    adviser
        .recv_until("co-browsing started", |f| {
            matches!(f, ServerMsg::Event { event, .. } if event.kind == EventKind::CobrowseStarted)
        })
        .await?;
    visitor
        .send(&page_snapshot("https://site.test/apply"))
        .await?;
    adviser
        .recv_until("the page", |f| {
            matches!(f, ServerMsg::CobrowseSnapshot { .. })
        })
        .await?;

    // A code works once.
    let mut colleague = relay.adviser("marc", "Marc Petit").await?;
    join(&mut colleague, &code).await?;
    colleague.expect_error(ErrorCode::NotFound).await?;

    adviser
        .end_and_wrap_up(&detail.id, tandem_tests::clients::resolved())
        .await?;
    let token = relay.api_token().await?;
    let record: Value = relay
        .get_json(&format!("/api/v1/sessions/{}", detail.id), &token)
        .await?;
    assert_eq!(record["channel"], "phone", "{record}");
    assert_eq!(record["advisers"][0]["name"], "Léa Martin");
    assert_eq!(
        record["cobrowse"][0]["pages"][0]["url"], "https://site.test/apply",
        "{record}"
    );
    Ok(())
}

#[tokio::test]
async fn a_site_that_identified_the_visitor_files_the_session_under_them() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut adviser = relay.adviser("lea", "Léa Martin").await?;
    let mut visitor = relay.visitor().await?;
    let request = ChatRequest {
        name: "Jeanne Roux".into(),
        email: Some("jeanne@example.com".into()),
        ..anonymous("en")
    };
    let code = code_for(&mut visitor, request).await?;
    join(&mut adviser, &code).await?;
    let detail = adviser.next_assigned().await?;
    assert_eq!(detail.contact.name, "Jeanne Roux");
    assert_eq!(detail.contact.email.as_deref(), Some("jeanne@example.com"));
    assert_eq!(detail.reason, "Page shared during a phone call");
    Ok(())
}

#[tokio::test]
async fn wrong_withdrawn_and_abandoned_codes_open_nothing() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut adviser = relay.adviser("lea", "Léa Martin").await?;

    // Malformed: refused with the field named, nothing looked up.
    for typed in ["12345", "1234567", "12a456", ""] {
        join(&mut adviser, typed).await?;
        adviser.expect_error(ErrorCode::InvalidInput).await?;
    }

    // A code the visitor withdrew (Cancel) and one whose page was closed.
    let mut cancelling = relay.visitor().await?;
    let withdrawn = code_for(&mut cancelling, anonymous("en")).await?;
    cancelling.send(&VisitorMsg::CancelShareCode).await?;
    let mut leaving = relay.visitor().await?;
    let abandoned = code_for(&mut leaving, anonymous("en")).await?;
    leaving.close().await;
    // A visitor asking again gets a new code; the old one stops working.
    let mut asking_twice = relay.visitor().await?;
    let replaced = code_for(&mut asking_twice, anonymous("en")).await?;
    let current = code_for(&mut asking_twice, anonymous("en")).await?;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    for code in [&withdrawn, &abandoned] {
        join(&mut adviser, code).await?;
        adviser.expect_error(ErrorCode::NotFound).await?;
    }
    if replaced != current {
        join(&mut adviser, &replaced).await?;
        adviser.expect_error(ErrorCode::NotFound).await?;
    }
    join(&mut adviser, &current).await?;
    let detail = adviser.next_assigned().await?;
    assert_eq!(detail.channel, Channel::Phone);
    Ok(())
}

#[tokio::test]
async fn guessing_codes_is_refused_after_ten_tries() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut adviser = relay.adviser("lea", "Léa Martin").await?;
    let mut visitor = relay.visitor().await?;
    let code = code_for(&mut visitor, anonymous("en")).await?;
    let mut wrong = (0..1_000_000u32)
        .map(|n| format!("{n:06}"))
        .filter(|guess| *guess != code);
    for _ in 0..10 {
        join(&mut adviser, &wrong.next().unwrap_or_default()).await?;
        adviser.expect_error(ErrorCode::NotFound).await?;
    }
    // Even the right code waits now: the adviser is told to slow down.
    join(&mut adviser, &code).await?;
    let message = adviser.expect_error(ErrorCode::RateLimited).await?;
    assert!(message.contains("too many codes"), "{message}");
    // A colleague is not locked out.
    let mut colleague = relay.adviser("marc", "Marc Petit").await?;
    join(&mut colleague, &code).await?;
    assert_eq!(colleague.next_assigned().await?.channel, Channel::Phone);
    Ok(())
}

#[tokio::test]
async fn an_address_asking_for_codes_in_a_loop_is_refused() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut visitor = relay.visitor().await?;
    let mut refused = None;
    for attempt in 0..40 {
        visitor
            .send(&VisitorMsg::RequestShareCode {
                request: anonymous("en"),
            })
            .await?;
        let frame = visitor
            .recv_until("a code or a refusal", |f| {
                matches!(f, ServerMsg::ShareCode { .. } | ServerMsg::Error { .. })
            })
            .await?;
        if let ServerMsg::Error { code, .. } = frame {
            assert_eq!(code, ErrorCode::RateLimited);
            refused = Some(attempt);
            break;
        }
    }
    assert_eq!(refused, Some(30), "30 codes an hour per address");
    Ok(())
}

#[tokio::test]
async fn no_code_during_a_chat() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut visitor = relay.visitor().await?;
    visitor
        .start_chat(tandem_tests::clients::chat_request(
            "Ana",
            "ana@example.com",
            "Help",
        ))
        .await?;
    visitor
        .send(&VisitorMsg::RequestShareCode {
            request: anonymous("en"),
        })
        .await?;
    visitor.expect_error(ErrorCode::Conflict).await?;
    Ok(())
}
