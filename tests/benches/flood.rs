//! Floods the release relay the ways an anonymous attacker would, one kind after another,
//! from other addresses (127.0.0.2 and up) than a real visitor and adviser (127.0.0.1) who keep
//! chatting meanwhile. After each flood it prints the relay's memory, its open descriptors
//! and how the real chat fared; at the end, what is left once the relay's timeouts ran.
//!
//! `cargo build --release -p tandem-relay && cargo bench -p tandem-tests --bench flood`
//! (the relay runs with its default limits, on an SQLite file).

use futures_util::{SinkExt, StreamExt};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};
use tandem_shared::model::ChatRequest;
use tandem_shared::{ServerMsg, VisitorMsg, PROTOCOL_VERSION};
use tandem_tests::clients::{chat_request, AdviserClient, VisitorClient};
use tandem_tests::load::proc_stats::rss_kib;
use tandem_tests::process::{add_adviser, free_port, RelayProcess};
use tandem_tests::Endpoint;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

/// Where each flood comes from: a loopback address of its own (127.0.0.2, .3, …), not the real
/// users' 127.0.0.1, so that one flood's held connections don't count against the next.
fn attacker(flood: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2 + flood))
}

/// A TCP connection to the relay from `from`.
async fn attacker_tcp(relay: SocketAddr, from: IpAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(from, 0))?;
    socket.connect(relay).await
}

/// "401 × 3, 413 × 2, no answer × 1": how many requests got each status.
fn statuses(codes: &[u16]) -> String {
    let mut counts = std::collections::BTreeMap::new();
    for code in codes {
        *counts.entry(*code).or_insert(0) += 1;
    }
    counts
        .iter()
        .map(|(code, n)| match code {
            0 => format!("closed unanswered × {n}"),
            _ => format!("{code} × {n}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The relay's open file descriptors (sockets, the database, the log).
fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|dir| dir.count())
        .unwrap_or(0)
}

/// The real users, chatting through the relay while it is flooded.
struct RealChat {
    visitor: VisitorClient,
    adviser: AdviserClient,
}

impl RealChat {
    /// `rounds` messages from the visitor to the adviser: how many arrived, and the slowest.
    async fn exchange(&mut self, rounds: usize) -> (usize, Duration) {
        let (mut arrived, mut slowest) = (0, Duration::ZERO);
        for n in 0..rounds {
            let sent = Instant::now();
            let delivered = async {
                self.visitor.say(&format!("still there? {n}")).await?;
                self.adviser.next_event().await
            };
            if tokio::time::timeout(Duration::from_secs(5), delivered)
                .await
                .is_ok_and(|r| r.is_ok())
            {
                arrived += 1;
                slowest = slowest.max(sent.elapsed());
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        (arrived, slowest)
    }
}

/// 2,000 logins with distinct 200-character names, and 20 with a 2 MB body.
async fn flood_logins(relay: &RelayProcess) -> anyhow::Result<String> {
    let client = reqwest::Client::builder()
        .local_address(attacker(0))
        .build()?;
    let mut names = Vec::new();
    for n in 0..2000 {
        let name = format!("{n:0>200}");
        let status = client
            .post(relay.url("/api/v1/auth/login"))
            .json(&serde_json::json!({ "login": name, "password": "guess" }))
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0);
        names.push(status);
    }
    let huge = "x".repeat(2 * 1024 * 1024);
    let mut bodies = Vec::new();
    for _ in 0..20 {
        let status = client
            .post(relay.url("/api/v1/auth/login"))
            .header("Content-Type", "application/json")
            .body(huge.clone())
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0);
        bodies.push(status);
    }
    Ok(format!(
        "2,000 names: {}; 20 × 2 MB: {}",
        statuses(&names),
        statuses(&bodies)
    ))
}

/// 300 WebSockets that never say hello.
async fn flood_silent_sockets(
    relay: &RelayProcess,
) -> anyhow::Result<(String, Vec<WebSocketStream<TcpStream>>)> {
    let mut held = Vec::new();
    let mut refused = 0;
    for _ in 0..300 {
        let Ok(tcp) = attacker_tcp(relay.addr(), attacker(1)).await else {
            refused += 1;
            continue;
        };
        match tokio_tungstenite::client_async(relay.ws_url("/ws/visitor"), tcp).await {
            Ok((ws, _)) => held.push(ws),
            Err(_) => refused += 1,
        }
    }
    Ok((format!("{} opened, {refused} refused", held.len()), held))
}

/// 400 TCP connections that send half a request line and then nothing.
async fn flood_slow_headers(relay: &RelayProcess) -> anyhow::Result<(String, Vec<TcpStream>)> {
    let mut held = Vec::new();
    for _ in 0..400 {
        if let Ok(mut tcp) = attacker_tcp(relay.addr(), attacker(2)).await {
            let _ = tcp.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await;
            held.push(tcp);
        }
    }
    Ok((format!("{} connections held open", held.len()), held))
}

/// One socket asks for 100 chats; another leaves 100 messages.
async fn flood_requests(relay: &RelayProcess) -> anyhow::Result<String> {
    let tcp = attacker_tcp(relay.addr(), attacker(3)).await?;
    let (mut ws, _) = tokio_tungstenite::client_async(relay.ws_url("/ws/visitor"), tcp).await?;
    let hello = serde_json::to_string(&VisitorMsg::Hello {
        protocol: PROTOCOL_VERSION,
        resume: None,
        last_seq: 0,
        tickets: Vec::new(),
    })?;
    ws.send(Message::Text(hello.into())).await?;
    let request = |n: usize| -> ChatRequest {
        chat_request(&format!("Bot {n}"), &format!("bot{n}@example.com"), "spam")
    };
    for n in 0..100 {
        let frame = serde_json::to_string(&VisitorMsg::StartChat {
            request: request(n),
        })?;
        if ws.send(Message::Text(frame.into())).await.is_err() {
            break;
        }
        let frame = serde_json::to_string(&VisitorMsg::LeaveMessage {
            request: request(n),
            callback_at_ms: None,
        })?;
        if ws.send(Message::Text(frame.into())).await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
    let (mut started, mut tickets, mut errors) = (0, 0, std::collections::BTreeMap::new());
    while let Ok(Some(Ok(frame))) =
        tokio::time::timeout(Duration::from_millis(500), ws.next()).await
    {
        let Ok(text) = frame.to_text() else { continue };
        match serde_json::from_str::<ServerMsg>(text) {
            Ok(ServerMsg::ChatStarted { .. }) => started += 1,
            Ok(ServerMsg::Ticket { new: true, .. }) => tickets += 1,
            Ok(ServerMsg::Error { code, .. }) => {
                *errors.entry(format!("{code:?}")).or_insert(0) += 1
            }
            _ => {}
        }
    }
    Ok(format!(
        "100 chats + 100 messages asked on one socket: {started} chat, {tickets} tickets, errors {errors:?}"
    ))
}

/// 2,000 frames of 60 KB as fast as the socket takes them, then 500 binary ones.
async fn flood_frames(relay: &RelayProcess) -> anyhow::Result<String> {
    let tcp = attacker_tcp(relay.addr(), attacker(4)).await?;
    let (mut ws, _) = tokio_tungstenite::client_async(relay.ws_url("/ws/visitor"), tcp).await?;
    let typing = serde_json::to_string(&VisitorMsg::Typing { active: true })?;
    let padding = " ".repeat(60 * 1024 - typing.len());
    let mut sent = 0;
    for _ in 0..2000 {
        let frame = format!("{typing}{padding}");
        if ws.send(Message::Text(frame.into())).await.is_err() {
            break;
        }
        sent += 1;
    }
    for _ in 0..500 {
        if ws
            .send(Message::Binary(vec![0u8; 1024].into()))
            .await
            .is_err()
        {
            break;
        }
        sent += 1;
    }
    Ok(format!(
        "{sent} of 2,500 frames written (2,000 × 60 KB text, then 1 KB binary)"
    ))
}

/// 50 uploads of 10 MiB without a token.
async fn flood_uploads(relay: &RelayProcess) -> anyhow::Result<String> {
    let client = reqwest::Client::builder()
        .local_address(attacker(5))
        .build()?;
    let body = vec![0u8; 10 * 1024 * 1024];
    let mut codes = Vec::new();
    for _ in 0..50 {
        let status = client
            .post(relay.url("/api/v1/visitor/files"))
            .header("Content-Type", "application/pdf")
            .body(body.clone())
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0);
        codes.push(status);
    }
    Ok(format!("50 × 10 MiB: {}", statuses(&codes)))
}

fn row(phase: &str, outcome: &str, pid: u32, chat: (usize, Duration), rounds: usize) {
    let rss = rss_kib(pid).unwrap_or(0);
    println!(
        "{phase:<22} {rss:>9} KiB {:>6} fds   chat {}/{rounds} delivered, slowest {:>5} ms   {outcome}",
        open_fds(pid),
        chat.0,
        chat.1.as_millis()
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("flood.db");
    add_adviser(&db, "lea", "Léa")?;
    let port = free_port()?;
    let relay = RelayProcess::start_logging(&db, port, &[], "warn").await?;
    let pid = relay.pid();
    let mut adviser = AdviserClient::connect(&relay, "lea").await?;
    adviser.set_presence(true, 4).await?;
    let mut visitor = VisitorClient::connect(&relay, None, 0).await?;
    visitor
        .start_chat(chat_request("Ana", "ana@example.com", "A real question"))
        .await?;
    adviser.next_assigned().await?;
    let mut chat = RealChat { visitor, adviser };
    let rounds = 8;
    println!(
        "flood benchmark: release relay, default limits, SQLite; each flood from its own 127.0.0.x"
    );
    let quiet = chat.exchange(rounds).await;
    row("before", "-", pid, quiet, rounds);

    let (outcome, during) = tokio::join!(flood_logins(&relay), chat.exchange(rounds));
    row("logins", &outcome?, pid, during, rounds);
    let ((outcome, silent), during) = {
        let (flood, during) = tokio::join!(flood_silent_sockets(&relay), chat.exchange(rounds));
        (flood?, during)
    };
    row("silent sockets", &outcome, pid, during, rounds);
    let ((outcome, slow), during) = {
        let (flood, during) = tokio::join!(flood_slow_headers(&relay), chat.exchange(rounds));
        (flood?, during)
    };
    row("slow headers", &outcome, pid, during, rounds);
    let (outcome, during) = tokio::join!(flood_requests(&relay), chat.exchange(rounds));
    row("chat/message requests", &outcome?, pid, during, rounds);
    let (outcome, during) = tokio::join!(flood_frames(&relay), chat.exchange(rounds));
    row("frames", &outcome?, pid, during, rounds);
    let (outcome, during) = tokio::join!(flood_uploads(&relay), chat.exchange(rounds));
    row("uploads", &outcome?, pid, during, rounds);

    // The relay's own deadlines (hello 10 s, headers 10 s) close what the attacker holds.
    tokio::time::sleep(Duration::from_secs(12)).await;
    let after = chat.exchange(rounds).await;
    row("12 s later", "attacker still holding", pid, after, rounds);
    drop((silent, slow));
    tokio::time::sleep(Duration::from_secs(1)).await;
    let end = chat.exchange(rounds).await;
    row("attacker gone", "-", pid, end, rounds);
    Ok(())
}
