//! The relay on the open internet: what an anonymous client tries in order to exhaust, flood,
//! impersonate or spy, and what it gets. Each test says what is tried; docs/security.md lists
//! them.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;
use tandem_relay::config::Limits;
use tandem_shared::{ErrorCode, ServerMsg, VisitorMsg};
use tandem_tests::clients::{chat_request, fresh_hello, AdviserClient, VisitorClient, WsClient};
use tandem_tests::relay::test_limits;
use tandem_tests::{eventually, Endpoint, TestRelay};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;

async fn greeted_visitor(relay: &TestRelay) -> anyhow::Result<WsClient> {
    let mut ws = WsClient::open(&relay.ws_url("/ws/visitor"), None).await?;
    ws.send(&fresh_hello()).await?;
    ws.recv_until("welcome", |f| matches!(f, ServerMsg::VisitorWelcome { .. }))
        .await?;
    Ok(ws)
}

/// How many sessions the CRM holds, read through the API.
async fn sessions_in_crm(relay: &TestRelay) -> anyhow::Result<usize> {
    let token = relay.api_token().await?;
    let sessions = relay.get_json("/api/v1/sessions", &token).await?;
    let list = sessions
        .as_array()
        .or_else(|| sessions["sessions"].as_array())
        .map_or(0, Vec::len);
    Ok(list)
}

/// Posts a login as a client at `address` behind the relay's trusted proxy.
async fn login_from(
    relay: &TestRelay,
    address: &str,
    login: &str,
    password: &str,
) -> anyhow::Result<u16> {
    let response = reqwest::Client::new()
        .post(relay.url("/api/v1/auth/login"))
        .header("X-Forwarded-For", address)
        .json(&serde_json::json!({ "login": login, "password": password }))
        .send()
        .await?;
    Ok(response.status().as_u16())
}

#[tokio::test]
async fn huge_and_many_login_names_cost_nothing_to_remember() -> anyhow::Result<()> {
    // Tried: a 1.8 MB login name, a 300-character one, then 1,000 distinct names from one
    // address.
    let relay = TestRelay::spawn().await?;
    let huge = relay.login(&"x".repeat(1_800_000), "password").await?;
    assert_eq!(huge.status(), 413, "the body is refused before it is read");
    let long = relay.login(&"x".repeat(300), "password").await?;
    assert_eq!(long.status(), 400, "a name over 254 characters is refused");
    let mut statuses = Vec::new();
    for i in 0..1000 {
        statuses.push(
            relay
                .login(&format!("someone-{i}@example.com"), "wrong")
                .await?
                .status()
                .as_u16(),
        );
    }
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 5);
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 995);
    let held = relay.state.limiters.keys_held();
    assert!(
        held <= 11,
        "only the checked names are remembered: {held} keys"
    );
    Ok(())
}

#[tokio::test]
async fn wrong_passwords_from_one_address_do_not_lock_the_adviser_out_elsewhere(
) -> anyhow::Result<()> {
    // Tried: twenty wrong passwords for the adviser's login from an attacker's address, then
    // the adviser logs in from their own.
    let relay = TestRelay::spawn_configured(|c| {
        c.trusted_proxies = vec![IpAddr::from([127, 0, 0, 1])];
    })
    .await?;
    relay.add_adviser("camille", "Camille").await?;
    let mut refused = 0;
    for _ in 0..20 {
        if login_from(&relay, "198.51.100.66", "camille", "guess").await? == 429 {
            refused += 1;
        }
    }
    assert_eq!(
        refused, 15,
        "the attacker's address gets five tries a minute"
    );
    let status = login_from(
        &relay,
        "203.0.113.5",
        "camille",
        tandem_tests::relay::TEST_PASSWORD,
    )
    .await?;
    assert_eq!(
        status, 200,
        "the adviser still logs in from their own address"
    );
    Ok(())
}

#[tokio::test]
async fn a_connection_holds_at_most_one_open_chat() -> anyhow::Result<()> {
    // Tried: hello + start_chat, then hello again and start_chat again on the same socket.
    let relay = TestRelay::spawn().await?;
    let mut ws = greeted_visitor(&relay).await?;
    let request = chat_request("Ana", "ana@example.com", "Refund");
    ws.send(&VisitorMsg::StartChat {
        request: request.clone(),
    })
    .await?;
    ws.recv_until("chat_started", |f| {
        matches!(f, ServerMsg::ChatStarted { .. })
    })
    .await?;
    for _ in 0..3 {
        ws.send(&fresh_hello()).await?;
        let refused = ws.expect_error(ErrorCode::Conflict).await?;
        assert!(refused.contains("already open"), "{refused}");
        ws.send(&VisitorMsg::StartChat {
            request: request.clone(),
        })
        .await?;
        ws.expect_error(ErrorCode::Conflict).await?;
    }
    assert_eq!(sessions_in_crm(&relay).await?, 1, "one chat, not four");
    // Ending it frees the connection for the next chat, as the widget's "new chat" does.
    ws.send(&VisitorMsg::EndChat).await?;
    ws.send(&fresh_hello()).await?;
    ws.recv_until("welcome", |f| matches!(f, ServerMsg::VisitorWelcome { .. }))
        .await?;
    Ok(())
}

#[tokio::test]
async fn chats_and_messages_left_are_counted_per_address() -> anyhow::Result<()> {
    // Tried: three chats from one address, each on a new socket, with a quota of two an
    // hour; then three messages left with a quota of two; then a visitor at another
    // address (behind the trusted proxy).
    let relay = TestRelay::spawn_configured(|c| {
        c.limits.chats_per_ip_per_hour = NonZeroU32::MIN.saturating_add(1);
        c.limits.tickets_per_ip_per_hour = NonZeroU32::MIN.saturating_add(1);
    })
    .await?;
    for attempt in 0..3 {
        let mut ws = greeted_visitor(&relay).await?;
        ws.send(&VisitorMsg::StartChat {
            request: chat_request("Bot", &format!("bot{attempt}@example.com"), "Spam"),
        })
        .await?;
        if attempt < 2 {
            ws.recv_until("chat_started", |f| {
                matches!(f, ServerMsg::ChatStarted { .. })
            })
            .await?;
        } else {
            let refused = ws.expect_error(ErrorCode::RateLimited).await?;
            assert!(refused.contains("too many chats"), "{refused}");
        }
    }
    let mut ws = greeted_visitor(&relay).await?;
    for attempt in 0..3 {
        ws.send(&VisitorMsg::LeaveMessage {
            request: chat_request("Bot", &format!("t{attempt}@example.com"), "Spam"),
            callback_at_ms: None,
        })
        .await?;
        if attempt < 2 {
            ws.recv_until("ticket", |f| matches!(f, ServerMsg::Ticket { .. }))
                .await?;
        } else {
            ws.expect_error(ErrorCode::RateLimited).await?;
        }
    }
    assert_eq!(
        sessions_in_crm(&relay).await?,
        2,
        "the refused chat left no row"
    );
    Ok(())
}

#[tokio::test]
async fn a_socket_that_never_says_hello_is_closed() -> anyhow::Result<()> {
    // Tried: a visitor socket that opens and sends nothing; one that sends typing only.
    let relay = TestRelay::spawn_with(Limits {
        hello_within: Duration::from_secs(1),
        ..test_limits()
    })
    .await?;
    let silent = WsClient::open(&relay.ws_url("/ws/visitor"), None).await?;
    assert_eq!(silent.close_code_unanswered().await?, Some(1008));
    let mut chatty = WsClient::open(&relay.ws_url("/ws/visitor"), None).await?;
    chatty.send(&VisitorMsg::Typing { active: true }).await?;
    chatty.expect_error(ErrorCode::HelloRequired).await?;
    assert_eq!(chatty.close_code_unanswered().await?, Some(1008));
    let mut greeted = greeted_visitor(&relay).await?;
    // Past the hello deadline: a socket that said hello is not closed by it.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    greeted.send(&fresh_hello()).await?;
    greeted
        .recv_until("a second welcome", |f| {
            matches!(f, ServerMsg::VisitorWelcome { .. })
        })
        .await?;
    Ok(())
}

#[tokio::test]
async fn one_address_holds_a_bounded_number_of_sockets() -> anyhow::Result<()> {
    // Tried: a fourth socket from an address allowed three at once; then one more after one
    // of them closed.
    let relay = TestRelay::spawn_with(Limits {
        sockets_per_ip: 3,
        ..test_limits()
    })
    .await?;
    let mut open = Vec::new();
    for _ in 0..3 {
        open.push(greeted_visitor(&relay).await?);
    }
    let refused = WsClient::open(&relay.ws_url("/ws/visitor"), None)
        .await
        .err()
        .map(|e| format!("{e:#}"))
        .unwrap_or_default();
    assert!(refused.contains("429"), "the fourth is refused: {refused}");
    if let Some(first) = open.pop() {
        first.close().await;
    }
    eventually("a socket is free again", || async {
        greeted_visitor(&relay).await.map(drop)
    })
    .await?;
    Ok(())
}

/// Reads until the relay closes `tcp`; the bytes it sent.
async fn read_until_closed(tcp: &mut tokio::net::TcpStream) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), tcp.read_to_end(&mut bytes))
        .await
        .map_err(|_| anyhow::anyhow!("the relay kept the connection open"))??;
    Ok(bytes)
}

#[tokio::test]
async fn slow_headers_and_silent_connections_are_dropped() -> anyhow::Result<()> {
    // Tried: a connection that sends nothing; one that sends half a request line and stops.
    let relay = TestRelay::spawn_with(Limits {
        header_read_timeout: Duration::from_secs(1),
        ..test_limits()
    })
    .await?;
    let mut silent = tokio::net::TcpStream::connect(relay.addr).await?;
    let mut slow = tokio::net::TcpStream::connect(relay.addr).await?;
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await?;
    let started = std::time::Instant::now();
    read_until_closed(&mut silent).await?;
    read_until_closed(&mut slow).await?;
    println!("both dropped after {:?}", started.elapsed());
    Ok(())
}

#[tokio::test]
async fn one_address_holds_a_bounded_number_of_tcp_connections() -> anyhow::Result<()> {
    // Tried: five silent connections from an address allowed four.
    let relay = TestRelay::spawn_with(Limits {
        tcp_per_ip: 4,
        ..test_limits()
    })
    .await?;
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(tokio::net::TcpStream::connect(relay.addr).await?);
    }
    let mut fifth = tokio::net::TcpStream::connect(relay.addr).await?;
    let answer = read_until_closed(&mut fifth).await?;
    assert!(answer.is_empty(), "closed at once, unanswered");
    drop(held);
    eventually("the address may connect again", || async {
        let response = reqwest::get(relay.url("/healthz")).await?;
        anyhow::ensure!(response.status().is_success());
        Ok(())
    })
    .await?;
    Ok(())
}

#[tokio::test]
async fn an_upload_without_a_token_is_refused_before_its_body_is_read() -> anyhow::Result<()> {
    // Tried: 10 MiB posted without a token, then with a forged one.
    let relay = TestRelay::spawn().await?;
    let client = reqwest::Client::new();
    for token in [None, Some("v1.forged.AAAA")] {
        let mut request = client
            .post(relay.url("/api/v1/visitor/files?name=big.png"))
            .body(vec![0u8; 10 * 1024 * 1024 + 1]);
        if let Some(token) = token {
            request = request.header("X-Tandem-Token", token);
        }
        let status = request.send().await?.status();
        assert_eq!(status, 401, "token {token:?}");
    }
    Ok(())
}

#[tokio::test]
async fn binary_frames_count_against_the_frame_rate() -> anyhow::Result<()> {
    // Tried: 60 binary frames at once (the burst is 40), then a hello.
    let relay = TestRelay::spawn().await?;
    let mut ws = WsClient::open(&relay.ws_url("/ws/visitor"), None).await?;
    for _ in 0..60 {
        ws.send_message(Message::Binary(vec![1, 2, 3].into()))
            .await?;
    }
    ws.send(&fresh_hello()).await?;
    let mut answered_binary = 0;
    loop {
        match ws.recv().await? {
            ServerMsg::Error {
                code: ErrorCode::MalformedFrame,
                ..
            } => answered_binary += 1,
            ServerMsg::Error {
                code: ErrorCode::RateLimited,
                ..
            } => break,
            other => anyhow::bail!("expected the hello to be refused, got {other:?}"),
        }
    }
    assert!(
        answered_binary <= 40,
        "{answered_binary} binary frames answered"
    );
    Ok(())
}

#[tokio::test]
async fn text_that_is_not_utf8_closes_with_1007() -> anyhow::Result<()> {
    // Tried: a text frame holding the bytes ff fe.
    use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
    use tokio_tungstenite::tungstenite::protocol::frame::Frame;
    let relay = TestRelay::spawn().await?;
    let mut ws = greeted_visitor(&relay).await?;
    let frame = Frame::message(vec![0xff, 0xfe], OpCode::Data(Data::Text), true);
    ws.send_message(Message::Frame(frame)).await?;
    let close = ws.recv_close().await?;
    assert_eq!(close.map(|c| u16::from(c.code)), Some(1007));
    Ok(())
}

#[tokio::test]
async fn typed_formulas_and_hidden_characters_do_not_reach_the_export() -> anyhow::Result<()> {
    // Tried: a company typed as a spreadsheet formula, a name with NUL and a right-to-left
    // override.
    let relay = TestRelay::spawn().await?;
    let mut visitor = tandem_tests::clients::VisitorClient::connect(&relay, None, 0).await?;
    let mut request = chat_request("Eve\u{0}\u{202E}lyn", "eve@example.com", "Hi");
    request.company = Some("=HYPERLINK(\"http://evil.example/\",\"Click\")".into());
    visitor.start_chat(request).await?;
    let token = relay.api_token().await?;
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let text = reqwest::Client::new()
        .get(relay.url(&format!("/api/v1/sessions.csv?from={today}&to={today}")))
        .bearer_auth(&token)
        .send()
        .await?
        .text()
        .await?;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers()?.clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap_or(0);
    let row = reader.records().next().transpose()?.expect("one row");
    assert_eq!(
        &row[column("company")],
        "'=HYPERLINK(\"http://evil.example/\",\"Click\")"
    );
    assert_eq!(&row[column("name")], "Evelyn");
    Ok(())
}

#[tokio::test]
async fn the_console_is_served_with_a_strict_policy() -> anyhow::Result<()> {
    // Tried: reading the console page's and an API answer's headers.
    let relay = TestRelay::spawn().await?;
    let console = reqwest::get(relay.url("/console")).await?;
    let header = |name: &str| {
        console
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let policy = header("content-security-policy");
    for directive in [
        "default-src 'none'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "connect-src 'self'",
    ] {
        assert!(policy.contains(directive), "{directive}: {policy}");
    }
    assert!(!policy.contains("'unsafe-eval'"), "{policy}");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("referrer-policy"), "no-referrer");
    let api = reqwest::get(relay.url("/api/v1/auth/me")).await?;
    assert_eq!(api.headers()["x-content-type-options"], "nosniff");
    Ok(())
}

#[tokio::test]
async fn another_site_cannot_change_a_queue_with_the_advisers_cookie() -> anyhow::Result<()> {
    // Tried: PUT /api/v1/queues/billing with a logged-in adviser's cookie from another origin.
    let relay = TestRelay::spawn().await?;
    relay.add_adviser("camille", "Camille").await?;
    let login = relay
        .login("camille", tandem_tests::relay::TEST_PASSWORD)
        .await?;
    let cookie = tandem_tests::clients::session_cookie(&login)?;
    let response = reqwest::Client::new()
        .put(relay.url("/api/v1/queues/billing"))
        .header("Cookie", cookie)
        .header("Origin", "https://evil.example")
        .json(&tandem_tests::relay::queue("billing"))
        .send()
        .await?;
    assert_eq!(response.status(), 403);
    Ok(())
}

/// Léa and a visitor in a chat, co-browsing (the visitor consented).
async fn co_browsing(
    relay: &TestRelay,
) -> anyhow::Result<(AdviserClient, VisitorClient, tandem_shared::ConversationId)> {
    let mut adviser = relay.adviser("lea", "Léa").await?;
    adviser.set_presence(true, 2).await?;
    let mut visitor = relay.visitor().await?;
    let conversation = visitor
        .start_chat(chat_request("Ana", "ana@example.com", "Aide"))
        .await?;
    let id = conversation.id.clone();
    adviser.next_assigned().await?;
    tandem_tests::clients::cobrowse_consented(&mut visitor, &mut adviser, &id).await?;
    Ok((adviser, visitor, id))
}

#[tokio::test]
async fn the_relay_sends_the_visitor_only_to_pages_of_the_site_shown() -> anyhow::Result<()> {
    // Tried: an adviser's navigate to another origin while the visitor shows
    // https://site.test; then to another page of that site.
    use tandem_shared::cobrowse::Guidance;
    use tandem_shared::AdviserMsg;
    let relay = TestRelay::spawn().await?;
    let (mut adviser, mut visitor, id) = co_browsing(&relay).await?;
    visitor
        .send(&tandem_tests::clients::page_snapshot(
            "https://site.test/apply",
        ))
        .await?;
    let navigate = |url: &str| AdviserMsg::CobrowseGuide {
        conversation_id: id.clone(),
        guidance: Guidance::Navigate { url: url.into() },
    };
    adviser
        .recv_until("the snapshot", |f| {
            matches!(f, ServerMsg::CobrowseSnapshot { .. })
        })
        .await?;
    adviser
        .send(&navigate("https://evil.example/phish"))
        .await?;
    adviser.expect_error(ErrorCode::InvalidInput).await?;
    adviser.send(&navigate("https://site.test/contact")).await?;
    visitor
        .recv_until("the navigation", |f| {
            matches!(f, ServerMsg::CobrowseGuide { guidance: Guidance::Navigate { url }, .. } if url == "https://site.test/contact")
        })
        .await?;
    Ok(())
}

#[tokio::test]
async fn drawings_past_their_limits_never_reach_the_visitor() -> anyhow::Result<()> {
    // Tried: an adviser's stroke of 5,000 points, one far off any screen, a circle of radius
    // 0; then a stroke within the limits, which the visitor gets.
    use tandem_shared::cobrowse::{Guidance, MAX_STROKE_POINTS};
    use tandem_shared::AdviserMsg;
    let relay = TestRelay::spawn().await?;
    let (mut adviser, mut visitor, id) = co_browsing(&relay).await?;
    let guide = |guidance: Guidance| AdviserMsg::CobrowseGuide {
        conversation_id: id.clone(),
        guidance,
    };
    let refused = [
        Guidance::Draw {
            points: vec![[10, 10]; 5_000],
        },
        Guidance::Draw {
            points: vec![[10, 10], [i32::MAX, 3]],
        },
        Guidance::Circle { x: 5, y: 5, r: 0 },
    ];
    for drawing in refused {
        adviser.send(&guide(drawing)).await?;
        adviser.expect_error(ErrorCode::InvalidInput).await?;
    }
    let stroke = vec![[10, 10]; MAX_STROKE_POINTS];
    adviser
        .send(&guide(Guidance::Draw {
            points: stroke.clone(),
        }))
        .await?;
    // The first guidance the visitor gets is the stroke within the limits.
    let received = visitor
        .recv_until("the stroke", |f| {
            matches!(f, ServerMsg::CobrowseGuide { .. })
        })
        .await?;
    assert!(
        matches!(received, ServerMsg::CobrowseGuide { guidance: Guidance::Draw { points }, .. } if points == stroke)
    );
    Ok(())
}

#[tokio::test]
async fn logging_out_ends_the_consoles_open_socket() -> anyhow::Result<()> {
    // Tried: an adviser logs out while their console's socket is open, then the socket
    // reconnects with the old cookie.
    let relay = TestRelay::spawn().await?;
    let mut adviser = relay.adviser("lea", "Léa").await?;
    let cookie = adviser.cookie.clone();
    let response = reqwest::Client::new()
        .post(relay.url("/api/v1/auth/logout"))
        .header("Cookie", &cookie)
        .send()
        .await?;
    assert_eq!(response.status(), 200);
    let close = adviser.recv_close().await?;
    assert_eq!(close.map(|c| u16::from(c.code)), Some(4001));
    let again = WsClient::open(&relay.ws_url("/ws/adviser"), Some(&cookie))
        .await
        .err()
        .map(|e| format!("{e:#}"))
        .unwrap_or_default();
    assert!(
        again.contains("401"),
        "the old cookie opens nothing: {again}"
    );
    Ok(())
}

#[tokio::test]
async fn the_version_segment_of_asset_paths_leads_nowhere_else() -> anyhow::Result<()> {
    // Tried: asset paths whose version segment is followed by `..` (plain and encoded) to
    // reach the workspace's Cargo.toml beside the built files; a version segment without a
    // file. Sent raw: HTTP clients tidy `..` away before sending.
    let relay = TestRelay::spawn().await?;
    let attempts = [
        "/assets/v-0123456789abcdef/../Cargo.toml",
        "/assets/v-0123456789abcdef/..%2fCargo.toml",
        "/assets/v-0123456789abcdef/widget/..%2f..%2fCargo.toml",
        "/assets/v-..%2f../Cargo.toml",
        "/assets/v-0123456789abcdef",
    ];
    for path in attempts {
        let mut tcp = tokio::net::TcpStream::connect(relay.addr).await?;
        tcp.write_all(
            format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await?;
        let answer = String::from_utf8_lossy(&read_until_closed(&mut tcp).await?).into_owned();
        let status = answer.lines().next().unwrap_or_default().to_owned();
        assert!(!status.contains(" 200 "), "{path}: {status}");
        assert!(
            !answer.contains("[workspace]"),
            "{path} reached the workspace"
        );
    }
    // The versioned path itself serves the widget.
    let widget = reqwest::get(relay.url("/assets/v-0123456789abcdef/widget/widget.js")).await?;
    assert_eq!(widget.status(), 200);
    Ok(())
}
