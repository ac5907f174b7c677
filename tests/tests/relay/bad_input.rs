//! Bad input gets a clear error frame and breaks nothing: each test says what is tried.

use tandem_relay::config::Limits;
use tandem_shared::model::ChatRequest;
use tandem_shared::{AdviserMsg, ConversationId, ErrorCode, ServerMsg, VisitorMsg};
use tandem_tests::clients::{chat_request, VisitorClient, WsClient};
use tandem_tests::{Endpoint, TestRelay};
use tokio_tungstenite::tungstenite::Message;

async fn raw_visitor(relay: &TestRelay) -> anyhow::Result<WsClient> {
    WsClient::open(&relay.ws_url("/ws/visitor"), None).await
}

/// The connection still works: a hello is answered.
async fn still_usable(ws: &mut WsClient) -> anyhow::Result<()> {
    ws.send(&tandem_tests::clients::fresh_hello()).await?;
    ws.recv_until("welcome", |f| matches!(f, ServerMsg::VisitorWelcome { .. }))
        .await?;
    Ok(())
}

#[tokio::test]
async fn malformed_json_is_answered_and_the_connection_survives() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut ws = raw_visitor(&relay).await?;
    for garbage in [
        "{not json",
        "[]",
        "42",
        r#"{"type":"send","body":7}"#,
        r#"{"protocol":1}"#,
    ] {
        ws.send_raw(garbage).await?;
        ws.expect_error(ErrorCode::MalformedFrame).await?;
    }
    ws.send_message(Message::Binary(vec![0, 1, 2].into()))
        .await?;
    ws.expect_error(ErrorCode::MalformedFrame).await?;
    still_usable(&mut ws).await
}

#[tokio::test]
async fn an_unknown_frame_type_is_named_in_the_error() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut ws = raw_visitor(&relay).await?;
    ws.send_raw(r#"{"type":"teleport","where":"mars"}"#).await?;
    let message = ws.expect_error(ErrorCode::UnknownType).await?;
    assert!(message.contains("teleport"), "{message}");
    still_usable(&mut ws).await
}

#[tokio::test]
async fn an_oversized_frame_is_refused_and_a_huge_one_closes_the_connection() -> anyhow::Result<()>
{
    // Co-browsing frames may be 4 MiB by default; smaller limits keep the huge frame within
    // the socket buffers, so the close frame is read rather than a reset.
    let limits = Limits {
        cobrowse_frame_bytes: 128 * 1024,
        hard_frame_bytes: 256 * 1024,
        ..Limits::default()
    };
    let relay = TestRelay::spawn_with(limits).await?;
    let mut ws = raw_visitor(&relay).await?;
    still_usable(&mut ws).await?;
    let big = format!(
        r#"{{"type":"send","client_msg_id":"x","body":"{}"}}"#,
        "a".repeat(100 * 1024)
    );
    ws.send_raw(big).await?;
    let message = ws.expect_error(ErrorCode::FrameTooLarge).await?;
    assert!(message.contains("limit"), "{message}");
    still_usable(&mut ws).await?;

    let huge = "a".repeat(limits.hard_frame_bytes + 1);
    ws.send_raw(huge).await?;
    let close = ws.recv_close().await?;
    assert_eq!(
        close.map(|c| u16::from(c.code)),
        Some(1009),
        "closed with 'message too big'"
    );
    Ok(())
}

#[tokio::test]
async fn frames_before_hello_and_wrong_protocol_versions_are_refused() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut ws = raw_visitor(&relay).await?;
    ws.send(&VisitorMsg::StartChat {
        request: chat_request("Ana", "ana@example.com", "Refund"),
    })
    .await?;
    ws.expect_error(ErrorCode::HelloRequired).await?;
    ws.send(&VisitorMsg::Hello {
        protocol: 99,
        resume: None,
        last_seq: 0,
        tickets: Vec::new(),
    })
    .await?;
    let message = ws.expect_error(ErrorCode::ProtocolVersion).await?;
    assert!(message.contains("protocol 1"), "{message}");
    still_usable(&mut ws).await
}

#[tokio::test]
async fn an_incomplete_pre_chat_form_names_the_field_and_creates_nothing() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut visitor = relay.visitor().await?;
    let request = ChatRequest {
        name: "Ana".into(),
        reason: "Refund".into(),
        ..Default::default()
    };
    visitor.send(&VisitorMsg::StartChat { request }).await?;
    let error = visitor
        .recv_until("error", |f| matches!(f, ServerMsg::Error { .. }))
        .await?;
    assert!(
        matches!(error, ServerMsg::Error { code: ErrorCode::InvalidInput, field: Some(ref f), .. } if f == "contact")
    );
    let mut bad_email = chat_request("Ana", "not-an-email", "Refund");
    bad_email.name = "x".repeat(101);
    visitor
        .send(&VisitorMsg::StartChat { request: bad_email })
        .await?;
    let error = visitor
        .recv_until("error", |f| matches!(f, ServerMsg::Error { .. }))
        .await?;
    assert!(matches!(error, ServerMsg::Error { field: Some(ref f), .. } if f == "name"));
    assert!(relay.state.store.list_sessions(10, 0).await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn empty_and_oversized_messages_are_refused() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut visitor = relay.visitor().await?;
    visitor
        .send(&VisitorMsg::Send {
            client_msg_id: "1".into(),
            body: "hi".into(),
        })
        .await?;
    visitor.expect_error(ErrorCode::NotFound).await?;
    visitor
        .start_chat(chat_request("Ana", "ana@example.com", "Refund"))
        .await?;
    visitor
        .send(&VisitorMsg::Send {
            client_msg_id: "1".into(),
            body: "   ".into(),
        })
        .await?;
    visitor.expect_error(ErrorCode::InvalidInput).await?;
    visitor
        .send(&VisitorMsg::Send {
            client_msg_id: "2".into(),
            body: "é".repeat(4001),
        })
        .await?;
    visitor.expect_error(ErrorCode::InvalidInput).await?;
    visitor
        .send(&VisitorMsg::Send {
            client_msg_id: "x".repeat(65),
            body: "hi".into(),
        })
        .await?;
    visitor.expect_error(ErrorCode::InvalidInput).await?;
    Ok(())
}

#[tokio::test]
async fn a_forged_or_foreign_token_resumes_nothing() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut owner = relay.visitor().await?;
    let conversation = owner
        .start_chat(chat_request("Ana", "ana@example.com", "Refund"))
        .await?;
    let forged = format!(
        "v1.{}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        conversation.id
    );

    let intruder = VisitorClient::connect(&relay, Some(&forged), 0).await?;
    assert!(
        intruder.conversation.is_none(),
        "a forged token opens nothing"
    );
    let mut intruder = intruder;
    intruder.expect_error(ErrorCode::Unauthorized).await?;
    intruder
        .send(&VisitorMsg::Send {
            client_msg_id: "1".into(),
            body: "hijack".into(),
        })
        .await?;
    intruder.expect_error(ErrorCode::NotFound).await?;
    assert!(relay
        .state
        .store
        .events_after(&conversation.id, 0)
        .await?
        .is_empty());
    Ok(())
}

#[tokio::test]
async fn a_flood_is_rate_limited_without_closing_the_connection() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut visitor = relay.visitor().await?;
    visitor
        .start_chat(chat_request("Ana", "ana@example.com", "Refund"))
        .await?;
    for _ in 0..120 {
        visitor.send(&VisitorMsg::Typing { active: true }).await?;
    }
    let message = visitor.expect_error(ErrorCode::RateLimited).await?;
    assert!(message.contains("too many"), "{message}");
    // The frame rate refills with time (a token bucket): two seconds give it back.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    // The chat goes on (a second hello would be refused: the connection holds its chat).
    visitor.say("still here").await?;
    Ok(())
}

#[tokio::test]
async fn an_adviser_cannot_connect_without_login_nor_write_in_another_advisers_chat(
) -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let anonymous = WsClient::open(&relay.ws_url("/ws/adviser"), None).await;
    let error = anonymous
        .err()
        .map(|e| format!("{e:#}"))
        .unwrap_or_default();
    assert!(
        error.contains("401"),
        "the upgrade is refused with 401: {error}"
    );
    let forged = WsClient::open(&relay.ws_url("/ws/adviser"), Some("tandem_session=forged")).await;
    assert!(forged.is_err(), "a forged cookie is refused");

    let mut lea = relay.adviser("lea", "Léa").await?;
    let mut tom = relay.adviser("tom", "Tom").await?;
    lea.set_presence(true, 1).await?;
    let mut visitor = relay.visitor().await?;
    let conversation = visitor
        .start_chat(chat_request("Ana", "ana@example.com", "Refund"))
        .await?;
    lea.next_assigned().await?;
    let frame = AdviserMsg::Send {
        conversation_id: conversation.id.clone(),
        client_msg_id: "t".into(),
        body: "hi".into(),
    };
    tom.send(&frame).await?;
    tom.expect_error(ErrorCode::Forbidden).await?;
    tom.send(&AdviserMsg::EndChat {
        conversation_id: ConversationId::from("nope"),
    })
    .await?;
    tom.expect_error(ErrorCode::NotFound).await?;
    Ok(())
}

#[tokio::test]
async fn an_address_opening_connections_too_fast_gets_429() -> anyhow::Result<()> {
    let relay = TestRelay::spawn_configured(|c| {
        c.limits.connections_per_ip_per_min = std::num::NonZeroU32::new(3).unwrap();
    })
    .await?;
    let mut open = Vec::new();
    for _ in 0..3 {
        open.push(raw_visitor(&relay).await?);
    }
    let refused = raw_visitor(&relay)
        .await
        .err()
        .map(|e| format!("{e:#}"))
        .unwrap_or_default();
    assert!(
        refused.contains("429"),
        "the fourth connection in a minute is refused: {refused}"
    );
    let mut first = open.remove(0);
    still_usable(&mut first).await
}

/// Opens a visitor socket as if through a proxy that says the visitor is `forwarded_for`.
async fn through_proxy(relay: &TestRelay, forwarded_for: &str) -> Result<(), String> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = relay
        .ws_url("/ws/visitor")
        .into_client_request()
        .map_err(|e| e.to_string())?;
    let value = forwarded_for.parse().map_err(|_| "bad header".to_owned())?;
    request.headers_mut().insert("X-Forwarded-For", value);
    tokio_tungstenite::connect_async(request)
        .await
        .map(drop)
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn behind_a_trusted_proxy_limits_count_each_visitor_not_the_proxy() -> anyhow::Result<()> {
    // Tried: three visitors behind one proxy, then a fourth connection from the first visitor,
    // then the same header from a peer that is not a trusted proxy.
    let relay = TestRelay::spawn_configured(|c| {
        c.limits.connections_per_ip_per_min = std::num::NonZeroU32::MIN.saturating_add(1);
        c.trusted_proxies = vec![std::net::IpAddr::from([127, 0, 0, 1])];
    })
    .await?;
    for visitor in ["203.0.113.1", "203.0.113.2", "203.0.113.3"] {
        let opened = through_proxy(&relay, &format!("10.9.9.9, {visitor}")).await;
        assert!(
            opened.is_ok(),
            "{visitor} has their own allowance: {opened:?}"
        );
    }
    through_proxy(&relay, "203.0.113.1")
        .await
        .map_err(|e| anyhow::anyhow!("the first visitor's second connection: {e}"))?;
    let third = through_proxy(&relay, "203.0.113.1").await;
    assert!(
        third.as_ref().is_err_and(|e| e.contains("429")),
        "the visitor's third connection in a minute is refused: {third:?}"
    );

    let untrusted = TestRelay::spawn_configured(|c| {
        c.limits.connections_per_ip_per_min = std::num::NonZeroU32::MIN.saturating_add(1);
    })
    .await?;
    through_proxy(&untrusted, "203.0.113.1")
        .await
        .map_err(|e| anyhow::anyhow!("first: {e}"))?;
    through_proxy(&untrusted, "203.0.113.2")
        .await
        .map_err(|e| anyhow::anyhow!("second: {e}"))?;
    let faked = through_proxy(&untrusted, "203.0.113.3").await;
    assert!(
        faked.as_ref().is_err_and(|e| e.contains("429")),
        "without a trusted proxy the header cannot buy more connections: {faked:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_full_queue_refuses_new_requests_with_a_clear_error() -> anyhow::Result<()> {
    let relay = TestRelay::spawn_configured(|c| c.limits.max_queue = 1).await?;
    let mut first = relay.visitor().await?;
    first
        .start_chat(chat_request("Ana", "ana@example.com", "Refund"))
        .await?;
    let mut second = relay.visitor().await?;
    second
        .send(&VisitorMsg::StartChat {
            request: chat_request("Bo", "bo@example.com", "Invoice"),
        })
        .await?;
    let message = second.expect_error(ErrorCode::QueueFull).await?;
    assert!(message.contains("try again"), "{message}");
    assert_eq!(relay.state.store.list_sessions(10, 0).await?.len(), 1);
    Ok(())
}

#[tokio::test]
async fn pages_of_sites_not_allowed_cannot_open_visitor_connections() -> anyhow::Result<()> {
    let relay =
        TestRelay::spawn_configured(|c| c.allowed_origins = vec!["https://www.example.com".into()])
            .await?;
    let open_from = |origin: &'static str| {
        let url = relay.ws_url("/ws/visitor");
        async move {
            use tokio_tungstenite::tungstenite::client::IntoClientRequest;
            let mut request = url.into_client_request()?;
            request.headers_mut().insert("Origin", origin.parse()?);
            anyhow::Ok(
                tokio_tungstenite::connect_async(request)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string()),
            )
        }
    };
    let evil = open_from("https://evil.example").await?;
    assert!(evil.as_ref().is_err_and(|e| e.contains("403")), "{evil:?}");
    assert!(
        open_from("https://www.example.com").await?.is_ok(),
        "the site's own pages connect"
    );
    Ok(())
}
