//! Reading and writing frames on the generator's connections: text with a deadline, and each
//! protocol's way to carry a message body (Tandem's JSON frames, socket.io's packets, the echo
//! relay's bare text).

use super::net::{Socket, Stream};
use super::server::Kind;
use anyhow::{anyhow, bail};
use futures_util::{SinkExt, StreamExt};
use std::time::Duration;
use tandem_shared::cobrowse::{
    ElementNode, PageChange, PageChanges, PageNode, PageSnapshot, Viewport,
};
use tandem_shared::cobrowse_parts::PageFrame;
use tandem_shared::{EventKind, Role, ServerMsg, VisitorMsg};
use tokio_tungstenite::tungstenite::Message;

/// How long setup waits for an expected frame (the relay may be busy with thousands).
pub const SETUP_TIMEOUT: Duration = Duration::from_secs(60);

/// The next text frame; fails on timeout or when the connection ends.
pub async fn next_text(socket: &mut Socket) -> anyhow::Result<String> {
    loop {
        let next = tokio::time::timeout(SETUP_TIMEOUT, socket.next())
            .await
            .map_err(|_| anyhow!("no frame within {SETUP_TIMEOUT:?}"))?;
        match next {
            Some(Ok(Message::Text(text))) => return Ok(text.as_str().to_owned()),
            Some(Ok(Message::Close(frame))) => bail!("closed by the server: {frame:?}"),
            Some(Ok(_)) => continue,
            Some(Err(error)) => bail!("socket error: {error}"),
            None => bail!("the connection ended"),
        }
    }
}

/// Skips Tandem frames until one matches.
pub async fn next_tandem(
    socket: &mut Socket,
    what: &str,
    wanted: impl Fn(&ServerMsg) -> bool,
) -> anyhow::Result<ServerMsg> {
    loop {
        let text = next_text(socket)
            .await
            .map_err(|e| anyhow!("waiting for {what}: {e}"))?;
        let frame: ServerMsg = serde_json::from_str(&text)?;
        if let ServerMsg::Error { code, message, .. } = &frame {
            bail!("waiting for {what}: error {code:?}: {message}");
        }
        if wanted(&frame) {
            return Ok(frame);
        }
    }
}

/// Sends a text frame.
pub async fn send_text(socket: &mut Socket, text: String) -> anyhow::Result<()> {
    socket.send(Message::Text(text.into())).await?;
    Ok(())
}

/// The frame a visitor sends to carry `body` (whose `seq:pair:` prefix names it).
pub fn visitor_frame(kind: Kind, body: &str) -> anyhow::Result<String> {
    Ok(match kind {
        Kind::Tandem | Kind::TandemPostgres => {
            let mut parts = body.splitn(3, ':');
            // In time order, as the widget's: the sending time first.
            let now_ms = u64::try_from(tandem_relay::time::now_ms()).unwrap_or(0);
            let client_msg_id = tandem_shared::ids::time_ordered_message_id(
                now_ms,
                &format!(
                    "m{}-{}",
                    parts.next().unwrap_or_default(),
                    parts.next().unwrap_or_default()
                ),
            );
            serde_json::to_string(&VisitorMsg::Send {
                client_msg_id,
                body: body.to_owned(),
            })?
        }
        Kind::Echo => body.to_owned(),
        Kind::SocketIo => format!("42{}", serde_json::json!(["msg", body])),
    })
}

/// Marks a body carried by a page snapshot (a change batch's body has no mark).
pub const SNAPSHOT_MARK: char = 'S';

/// The frames a visitor sends to carry `body` as one batch of page changes (a text node's new
/// text) or, when `body` starts with [`SNAPSHOT_MARK`], as a whole page snapshot: on Tandem in
/// parts when it is large, as the widget does. The peers carry the same bytes as one message.
pub fn cobrowse_frames(kind: Kind, body: String, frame: u32) -> anyhow::Result<Vec<String>> {
    if !kind.is_tandem() {
        return Ok(vec![visitor_frame(kind, &body)?]);
    }
    let page = if body.starts_with(SNAPSHOT_MARK) {
        let root = PageNode::Element(Box::new(ElementNode {
            id: 0,
            tag: "html".into(),
            attrs: Vec::new(),
            children: vec![PageNode::Text { id: 1, text: body }],
            shadow: None,
            svg: false,
            masked: false,
        }));
        PageFrame::Snapshot {
            snapshot: Box::new(PageSnapshot {
                url: "https://load.example/application".into(),
                title: "Application".into(),
                viewport: Viewport { w: 1280, h: 800 },
                scroll_x: 0,
                scroll_y: 0,
                mode: Default::default(),
                too_large: None,
                root,
            }),
        }
    } else {
        PageFrame::Changes {
            changes: PageChanges {
                changes: vec![PageChange::Text { id: 1, text: body }],
                at_ms: 0,
            },
        }
    };
    page.into_visitor_frames(frame)?
        .iter()
        .map(|frame| Ok(serde_json::to_string(frame)?))
        .collect()
}

/// The body a page frame carries: a change batch's first changed text, or a snapshot's first
/// text.
pub fn page_body(frame: &PageFrame) -> Option<&str> {
    match frame {
        PageFrame::Changes { changes } => changes_text(changes),
        PageFrame::Snapshot { snapshot } => snapshot_text(snapshot),
    }
}

/// The body carried by a whole Tandem co-browsing frame the adviser receives.
pub fn cobrowse_body(frame: &ServerMsg) -> Option<&str> {
    match frame {
        ServerMsg::CobrowseChanges { changes, .. } => changes_text(changes),
        ServerMsg::CobrowseSnapshot { snapshot, .. } => snapshot_text(snapshot),
        _ => None,
    }
}

fn changes_text(changes: &PageChanges) -> Option<&str> {
    changes.changes.iter().find_map(|change| match change {
        PageChange::Text { text, .. } => Some(text.as_str()),
        _ => None,
    })
}

fn snapshot_text(snapshot: &PageSnapshot) -> Option<&str> {
    match &snapshot.root {
        PageNode::Element(root) => root.children.iter().find_map(|child| match child {
            PageNode::Text { text, .. } => Some(text.as_str()),
            PageNode::Element(_) => None,
        }),
        PageNode::Text { .. } => None,
    }
}

/// What a frame received by the generator means to it.
pub enum Received {
    /// A visitor's message body (echo relay and socket.io).
    Body(String),
    /// A frame the generator must answer (socket.io's ping).
    Answer(&'static str),
    /// A Tandem frame.
    Tandem(Box<ServerMsg>),
    /// Nothing of interest.
    Nothing,
}

/// Decodes a frame received on either side of a pair.
pub fn decode(kind: Kind, text: &str) -> Received {
    match kind {
        Kind::Tandem | Kind::TandemPostgres => serde_json::from_str::<ServerMsg>(text)
            .map_or(Received::Nothing, |frame| Received::Tandem(Box::new(frame))),
        Kind::Echo if text == "joined" => Received::Nothing,
        Kind::Echo => Received::Body(text.to_owned()),
        Kind::SocketIo if text == "2" => Received::Answer("3"),
        Kind::SocketIo => text
            .strip_prefix("42")
            .and_then(|packet| serde_json::from_str::<(String, String)>(packet).ok())
            .filter(|(event, _)| event == "msg")
            .map_or(Received::Nothing, |(_, body)| Received::Body(body)),
    }
}

/// The body of a Tandem event frame carrying a visitor's message.
pub fn visitor_body(frame: &ServerMsg) -> Option<&str> {
    match frame {
        ServerMsg::Event { event, .. } => match &event.kind {
            EventKind::Message { author, body, .. } if author.role == Role::Visitor => {
                Some(body.as_str())
            }
            _ => None,
        },
        _ => None,
    }
}

/// Reads `stream` until it ends, handing each text frame to `on_text`.
pub async fn read_all(mut stream: Stream, mut on_text: impl FnMut(&str)) {
    while let Some(Ok(message)) = stream.next().await {
        if let Message::Text(text) = message {
            on_text(text.as_str());
        }
    }
}
