//! Opening Tandem connections as the widget and the console do: an adviser logs in, says hello
//! and becomes available for 8 chats; a visitor says hello, sends the pre-chat form and waits
//! until an adviser has joined.

use super::net::{self, Socket};
use super::server::{adviser_login, Server};
use super::wire::{next_tandem, send_text};
use crate::clients::{chat_request, session_cookie};
use crate::relay::TEST_PASSWORD;
use anyhow::Context;
use tandem_shared::model::Presence;
use tandem_shared::{AdviserMsg, EventKind, ServerMsg, VisitorMsg, PROTOCOL_VERSION};

/// A visitor paired with an adviser.
pub struct PairedVisitor {
    /// The connection.
    pub socket: Socket,
    /// The conversation's resume token.
    pub token: String,
    /// The highest event number received.
    pub last_seq: u64,
}

/// Logs in adviser `n` and opens their console connection, available for 8 chats.
pub async fn open_adviser(
    server: &Server,
    http: &reqwest::Client,
    n: usize,
) -> anyhow::Result<Socket> {
    let response = http
        .post(server.url("/api/v1/auth/login"))
        .json(&serde_json::json!({ "login": adviser_login(n), "password": TEST_PASSWORD }))
        .send()
        .await?
        .error_for_status()
        .with_context(|| format!("logging in {}", adviser_login(n)))?;
    let cookie = session_cookie(&response)?;
    let mut socket = net::open(&server.ws_url("/ws/adviser"), Some(&cookie), n).await?;
    let hello = AdviserMsg::Hello {
        protocol: PROTOCOL_VERSION,
    };
    send_text(&mut socket, serde_json::to_string(&hello)?).await?;
    next_tandem(&mut socket, "the adviser welcome", |f| {
        matches!(f, ServerMsg::AdviserWelcome { .. })
    })
    .await?;
    let presence = AdviserMsg::SetPresence {
        presence: Presence {
            available: true,
            max_chats: tandem_shared::limits::MAX_CHATS_PER_ADVISER,
        },
    };
    send_text(&mut socket, serde_json::to_string(&presence)?).await?;
    next_tandem(&mut socket, "presence_changed", |f| {
        matches!(f, ServerMsg::PresenceChanged { .. })
    })
    .await?;
    Ok(socket)
}

/// Opens visitor `n`, starts a chat and waits until an adviser joins it.
pub async fn open_visitor(server: &Server, n: usize) -> anyhow::Result<PairedVisitor> {
    let mut socket = net::open(&server.ws_url("/ws/visitor"), None, n).await?;
    let hello = VisitorMsg::Hello {
        protocol: PROTOCOL_VERSION,
        resume: None,
        last_seq: 0,
        tickets: Vec::new(),
    };
    send_text(&mut socket, serde_json::to_string(&hello)?).await?;
    next_tandem(&mut socket, "the visitor welcome", |f| {
        matches!(f, ServerMsg::VisitorWelcome { .. })
    })
    .await?;
    let request = chat_request(
        &format!("Visitor {n}"),
        &format!("visitor{n}@load.example"),
        "Load test: where is my application?",
    );
    send_text(
        &mut socket,
        serde_json::to_string(&VisitorMsg::StartChat { request })?,
    )
    .await?;
    let started = next_tandem(&mut socket, "chat_started", |f| {
        matches!(f, ServerMsg::ChatStarted { .. })
    })
    .await?;
    let ServerMsg::ChatStarted { conversation } = started else {
        anyhow::bail!("expected chat_started");
    };
    let joined = next_tandem(&mut socket, "an adviser joining", |f| {
        matches!(f, ServerMsg::Event { event, .. } if matches!(event.kind, EventKind::AdviserJoined { .. }))
    })
    .await?;
    let last_seq = match joined {
        ServerMsg::Event { event, .. } => event.seq,
        _ => 0,
    };
    Ok(PairedVisitor {
        socket,
        token: conversation.token,
        last_seq,
    })
}
