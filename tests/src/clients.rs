//! WebSocket clients that speak Tandem's protocol, as a widget and a console would.

use crate::relay::{Endpoint, TEST_PASSWORD};
use anyhow::{anyhow, bail, Context};
use futures_util::{SinkExt, StreamExt};
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tandem_shared::cobrowse::{ElementNode, PageNode, PageSnapshot, Viewport};
use tandem_shared::model::{
    AdviserProfile, ChatRequest, ConversationDetail, Presence, VisitorConversation, WrapUp,
};
use tandem_shared::{
    AdviserMsg, ConversationEvent, ConversationId, ErrorCode, EventKind, ServerMsg, VisitorMsg,
    PROTOCOL_VERSION,
};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for an expected frame.
pub const FRAME_TIMEOUT: Duration = Duration::from_secs(5);

/// A unique client message id.
pub fn client_msg_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("test-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// A raw WebSocket connection to the relay that decodes the relay's frames.
pub struct WsClient {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// The WebSocket request for `url` (with `cookie` if given) and a TCP connection to its host,
/// from a socket `prepare` has set up (source address, buffer sizes) before connecting.
pub async fn connect_tcp(
    url: &str,
    cookie: Option<&str>,
    prepare: impl FnOnce(&tokio::net::TcpSocket) -> std::io::Result<()>,
) -> anyhow::Result<(
    tokio_tungstenite::tungstenite::handshake::client::Request,
    TcpStream,
)> {
    let mut request = url.into_client_request()?;
    if let Some(cookie) = cookie {
        request.headers_mut().insert("Cookie", cookie.parse()?);
    }
    let host = request
        .uri()
        .authority()
        .map(|a| a.as_str().to_owned())
        .context("no host in the URL")?;
    let addr = tokio::net::lookup_host(host)
        .await?
        .next()
        .context("no address")?;
    let socket = tokio::net::TcpSocket::new_v4()?;
    prepare(&socket)?;
    let tcp = socket
        .connect(addr)
        .await
        .with_context(|| format!("connecting to {addr}"))?;
    Ok((request, tcp))
}

/// The console session cookie (`name=value`) a login answer set.
pub fn session_cookie(response: &reqwest::Response) -> anyhow::Result<String> {
    Ok(response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .context("the login set no cookie")?
        .to_owned())
}

impl WsClient {
    /// Connects with a receive buffer of `bytes`, like a stalled phone on a slow link.
    pub async fn open_with_small_buffer(
        url: &str,
        cookie: Option<&str>,
        bytes: u32,
    ) -> anyhow::Result<WsClient> {
        let (request, tcp) =
            connect_tcp(url, cookie, |socket| socket.set_recv_buffer_size(bytes)).await?;
        let (stream, _) =
            tokio_tungstenite::client_async(request, MaybeTlsStream::Plain(tcp)).await?;
        Ok(WsClient { stream })
    }

    /// Connects, sending `cookie` if given.
    pub async fn open(url: &str, cookie: Option<&str>) -> anyhow::Result<WsClient> {
        let mut request = url.into_client_request()?;
        if let Some(cookie) = cookie {
            request.headers_mut().insert("Cookie", cookie.parse()?);
        }
        let (stream, _) = tokio_tungstenite::connect_async(request)
            .await
            .with_context(|| format!("connecting to {url}"))?;
        Ok(WsClient { stream })
    }

    /// Connects as a page at `origin` would (browsers send `Origin` on WebSocket upgrades).
    pub async fn open_from(url: &str, origin: &str) -> anyhow::Result<WsClient> {
        let mut request = url.into_client_request()?;
        request.headers_mut().insert("Origin", origin.parse()?);
        let (stream, _) = tokio_tungstenite::connect_async(request)
            .await
            .with_context(|| format!("connecting to {url} from a page of {origin}"))?;
        Ok(WsClient { stream })
    }

    /// Sends a frame as JSON text.
    pub async fn send<T: serde::Serialize>(&mut self, frame: &T) -> anyhow::Result<()> {
        self.send_raw(serde_json::to_string(frame)?).await
    }

    /// Sends any text, valid or not.
    pub async fn send_raw(&mut self, text: impl Into<String>) -> anyhow::Result<()> {
        self.stream.send(Message::Text(text.into().into())).await?;
        Ok(())
    }

    /// Sends a raw WebSocket message.
    pub async fn send_message(&mut self, message: Message) -> anyhow::Result<()> {
        self.stream.send(message).await?;
        Ok(())
    }

    /// The next frame from the relay; fails on timeout or close.
    pub async fn recv(&mut self) -> anyhow::Result<ServerMsg> {
        loop {
            let next = tokio::time::timeout(FRAME_TIMEOUT, self.stream.next())
                .await
                .map_err(|_| anyhow!("no frame from the relay within {FRAME_TIMEOUT:?}"))?;
            match next {
                Some(Ok(Message::Text(text))) => {
                    return serde_json::from_str(text.as_str())
                        .with_context(|| format!("decoding {text}"))
                }
                Some(Ok(Message::Close(frame))) => {
                    bail!("the relay closed the connection: {frame:?}")
                }
                Some(Ok(_)) => continue,
                Some(Err(error)) => bail!("socket error: {error}"),
                None => bail!("the connection ended"),
            }
        }
    }

    /// Skips frames until one matches; fails after [`FRAME_TIMEOUT`].
    pub async fn recv_until(
        &mut self,
        what: &str,
        matches: impl Fn(&ServerMsg) -> bool,
    ) -> anyhow::Result<ServerMsg> {
        let deadline = tokio::time::Instant::now() + FRAME_TIMEOUT;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.recv())
                .await
                .map_err(|_| anyhow!("waited {FRAME_TIMEOUT:?} for {what}"))?
                .with_context(|| format!("waiting for {what}"))?;
            if matches(&frame) {
                return Ok(frame);
            }
        }
    }

    /// Waits for an error frame with this code and returns its message.
    pub async fn expect_error(&mut self, code: ErrorCode) -> anyhow::Result<String> {
        match self
            .recv_until("an error frame", |f| matches!(f, ServerMsg::Error { .. }))
            .await?
        {
            ServerMsg::Error {
                code: got, message, ..
            } if got == code => Ok(message),
            other => bail!("expected a {code:?} error, got {other:?}"),
        }
    }

    /// Every frame received during `period`.
    pub async fn frames_during(&mut self, period: Duration) -> Vec<ServerMsg> {
        let mut frames = Vec::new();
        let deadline = tokio::time::Instant::now() + period;
        while let Ok(Ok(frame)) = tokio::time::timeout_at(deadline, self.recv()).await {
            frames.push(frame);
        }
        frames
    }

    /// Reads until the relay closes the connection and returns its close frame.
    pub async fn recv_close(&mut self) -> anyhow::Result<Option<CloseFrame>> {
        loop {
            let next = tokio::time::timeout(FRAME_TIMEOUT, self.stream.next())
                .await
                .map_err(|_| anyhow!("the relay did not close the connection"))?;
            match next {
                Some(Ok(Message::Close(frame))) => return Ok(frame),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Ok(None),
            }
        }
    }

    /// Reads what the relay sent, as raw bytes and answering nothing (the client library
    /// answers each ping as it reads: a client that does not read answers none), until the
    /// relay ends the connection; the code of its close frame, if it sent one.
    pub async fn close_code_unanswered(mut self) -> anyhow::Result<Option<u16>> {
        use tokio::io::AsyncReadExt;
        let MaybeTlsStream::Plain(tcp) = self.stream.get_mut() else {
            bail!("only a plain TCP connection can be read raw");
        };
        let mut bytes = Vec::new();
        tokio::time::timeout(FRAME_TIMEOUT, tcp.read_to_end(&mut bytes))
            .await
            .map_err(|_| anyhow!("the relay did not end the connection"))??;
        Ok(close_code_in(&bytes))
    }

    /// Closes the connection.
    pub async fn close(mut self) {
        let _ = self.stream.close(None).await;
    }
}

/// The code of the first close frame in `bytes`, frames the relay sent (headers read by
/// tungstenite's own parser).
fn close_code_in(bytes: &[u8]) -> Option<u16> {
    use tokio_tungstenite::tungstenite::protocol::frame::coding::{Control, OpCode};
    use tokio_tungstenite::tungstenite::protocol::frame::FrameHeader;
    let mut cursor = std::io::Cursor::new(bytes);
    while let Ok(Some((header, length))) = FrameHeader::parse(&mut cursor) {
        let start = usize::try_from(cursor.position()).ok()?;
        let end = start.checked_add(usize::try_from(length).ok()?)?;
        let payload = bytes.get(start..end)?;
        if header.opcode == OpCode::Control(Control::Close) {
            return payload
                .get(..2)
                .map(|code| u16::from_be_bytes([code[0], code[1]]));
        }
        cursor.set_position(end as u64);
    }
    None
}

/// A visitor's widget connection.
pub struct VisitorClient {
    ws: WsClient,
    /// The conversation, once started or resumed.
    pub conversation: Option<VisitorConversation>,
}

impl Deref for VisitorClient {
    type Target = WsClient;
    fn deref(&self) -> &WsClient {
        &self.ws
    }
}

impl DerefMut for VisitorClient {
    fn deref_mut(&mut self) -> &mut WsClient {
        &mut self.ws
    }
}

/// A valid pre-chat request.
pub fn chat_request(name: &str, email: &str, reason: &str) -> ChatRequest {
    ChatRequest {
        name: name.into(),
        email: Some(email.into()),
        reason: reason.into(),
        page_url: Some("https://example.com/apply".into()),
        locale: Some("fr".into()),
        ..Default::default()
    }
}

impl VisitorClient {
    /// Connects and says hello, resuming `resume` if given; waits for the welcome.
    pub async fn connect(
        relay: &impl Endpoint,
        resume: Option<&str>,
        last_seq: u64,
    ) -> anyhow::Result<VisitorClient> {
        let ws = WsClient::open(&relay.ws_url("/ws/visitor"), None).await?;
        Self::greet(ws, resume, last_seq).await
    }

    /// Connects as a page at `origin` would (its `Origin` header) and says hello.
    pub async fn connect_from(
        relay: &impl Endpoint,
        origin: &str,
    ) -> anyhow::Result<VisitorClient> {
        let ws = WsClient::open_from(&relay.ws_url("/ws/visitor"), origin).await?;
        Self::greet(ws, None, 0).await
    }

    async fn greet(
        mut ws: WsClient,
        resume: Option<&str>,
        last_seq: u64,
    ) -> anyhow::Result<VisitorClient> {
        ws.send(&VisitorMsg::Hello {
            protocol: PROTOCOL_VERSION,
            resume: resume.map(str::to_owned),
            last_seq,
            tickets: Vec::new(),
        })
        .await?;
        let welcome = ws
            .recv_until("the welcome", |f| {
                matches!(f, ServerMsg::VisitorWelcome { .. })
            })
            .await?;
        let ServerMsg::VisitorWelcome { conversation, .. } = welcome else {
            unreachable!()
        };
        Ok(VisitorClient { ws, conversation })
    }

    /// Sends the pre-chat form and waits for the conversation.
    pub async fn start_chat(
        &mut self,
        request: ChatRequest,
    ) -> anyhow::Result<VisitorConversation> {
        self.ws.send(&VisitorMsg::StartChat { request }).await?;
        let frame = self
            .ws
            .recv_until("chat_started", |f| {
                matches!(f, ServerMsg::ChatStarted { .. })
            })
            .await?;
        let ServerMsg::ChatStarted { conversation } = frame else {
            unreachable!()
        };
        self.conversation = Some(conversation.clone());
        Ok(conversation)
    }

    /// Sends a message and waits for it to come back stored, with its number.
    pub async fn say(&mut self, body: &str) -> anyhow::Result<ConversationEvent> {
        let id = client_msg_id();
        self.ws
            .send(&VisitorMsg::Send {
                client_msg_id: id.clone(),
                body: body.into(),
            })
            .await?;
        next_event_where(&mut self.ws, |e| has_client_id(e, &id)).await
    }

    /// The next stored event.
    pub async fn next_event(&mut self) -> anyhow::Result<ConversationEvent> {
        next_event_where(&mut self.ws, |_| true).await
    }

    /// Closes the connection, as a page being closed would.
    pub async fn close(self) {
        self.ws.close().await;
    }

    /// The conversation's resume token.
    pub fn token(&self) -> anyhow::Result<String> {
        self.conversation
            .as_ref()
            .map(|c| c.token.clone())
            .context("no conversation")
    }
}

fn has_client_id(event: &ConversationEvent, id: &str) -> bool {
    matches!(&event.kind, tandem_shared::EventKind::Message { client_msg_id: Some(c), .. } if c == id)
}

async fn next_event_where(
    ws: &mut WsClient,
    wanted: impl Fn(&ConversationEvent) -> bool,
) -> anyhow::Result<ConversationEvent> {
    let frame = ws
        .recv_until(
            "an event",
            |f| matches!(f, ServerMsg::Event { event, .. } if wanted(event)),
        )
        .await?;
    let ServerMsg::Event { event, .. } = frame else {
        unreachable!()
    };
    Ok(event)
}

/// An adviser's console connection.
pub struct AdviserClient {
    ws: WsClient,
    /// The logged-in adviser.
    pub profile: AdviserProfile,
    /// The login cookie (`tandem_session=…`), for console HTTP requests.
    pub cookie: String,
}

impl Deref for AdviserClient {
    type Target = WsClient;
    fn deref(&self) -> &WsClient {
        &self.ws
    }
}

impl DerefMut for AdviserClient {
    fn deref_mut(&mut self) -> &mut WsClient {
        &mut self.ws
    }
}

impl AdviserClient {
    /// Closes the console's connection, as closing its tab would.
    pub async fn close(self) {
        self.ws.close().await;
    }

    /// Logs in as `login` (with the test password), connects and says hello.
    pub async fn connect(relay: &impl Endpoint, login: &str) -> anyhow::Result<AdviserClient> {
        Self::connect_with(relay, login, None).await
    }

    /// Like [`AdviserClient::connect`], with a receive buffer of `small_buffer` bytes if given.
    pub async fn connect_with(
        relay: &impl Endpoint,
        login: &str,
        small_buffer: Option<u32>,
    ) -> anyhow::Result<AdviserClient> {
        let response = relay.login(login, TEST_PASSWORD).await?;
        let cookie = session_cookie(&response)?;
        let url = relay.ws_url("/ws/adviser");
        let mut ws = match small_buffer {
            Some(bytes) => WsClient::open_with_small_buffer(&url, Some(&cookie), bytes).await?,
            None => WsClient::open(&url, Some(&cookie)).await?,
        };
        ws.send(&AdviserMsg::Hello {
            protocol: PROTOCOL_VERSION,
        })
        .await?;
        let welcome = ws
            .recv_until("the welcome", |f| {
                matches!(f, ServerMsg::AdviserWelcome { .. })
            })
            .await?;
        let ServerMsg::AdviserWelcome { adviser, .. } = welcome else {
            unreachable!()
        };
        Ok(AdviserClient {
            ws,
            profile: adviser,
            cookie,
        })
    }

    /// Sets presence and waits for the confirmation.
    pub async fn set_presence(&mut self, available: bool, max_chats: u8) -> anyhow::Result<()> {
        self.ws
            .send(&AdviserMsg::SetPresence {
                presence: Presence {
                    available,
                    max_chats,
                },
            })
            .await?;
        self.ws
            .recv_until("presence_changed", |f| {
                matches!(f, ServerMsg::PresenceChanged { .. })
            })
            .await?;
        Ok(())
    }

    /// Waits for a conversation to be assigned.
    pub async fn next_assigned(&mut self) -> anyhow::Result<ConversationDetail> {
        let frame = self
            .ws
            .recv_until("an assignment", |f| matches!(f, ServerMsg::Assigned { .. }))
            .await?;
        let ServerMsg::Assigned { conversation } = frame else {
            unreachable!()
        };
        Ok(*conversation)
    }

    /// Takes a waiting visitor.
    pub async fn take(&mut self, id: &ConversationId) -> anyhow::Result<ConversationDetail> {
        self.ws
            .send(&AdviserMsg::Take {
                conversation_id: id.clone(),
            })
            .await?;
        self.next_assigned().await
    }

    /// Sends a message and waits for it to come back stored.
    pub async fn say(
        &mut self,
        id: &ConversationId,
        body: &str,
    ) -> anyhow::Result<ConversationEvent> {
        let client_id = client_msg_id();
        let frame = AdviserMsg::Send {
            conversation_id: id.clone(),
            client_msg_id: client_id.clone(),
            body: body.into(),
        };
        self.ws.send(&frame).await?;
        next_event_where(&mut self.ws, |e| has_client_id(e, &client_id)).await
    }

    /// The next stored event of any conversation.
    pub async fn next_event(&mut self) -> anyhow::Result<ConversationEvent> {
        next_event_where(&mut self.ws, |_| true).await
    }

    /// Ends a chat and records its wrap-up; waits until the relay closes it.
    pub async fn end_and_wrap_up(
        &mut self,
        id: &ConversationId,
        wrap_up: WrapUp,
    ) -> anyhow::Result<()> {
        self.ws
            .send(&AdviserMsg::EndChat {
                conversation_id: id.clone(),
            })
            .await?;
        self.ws
            .send(&AdviserMsg::WrapUp {
                conversation_id: id.clone(),
                wrap_up,
            })
            .await?;
        self.ws
            .recv_until("closed", |f| matches!(f, ServerMsg::Closed { .. }))
            .await?;
        Ok(())
    }
}

/// A plain "resolved" wrap-up with an answer.
pub fn resolved() -> WrapUp {
    WrapUp {
        resolution: tandem_shared::model::Resolution::Resolved,
        answer: Some("Answered in the chat".into()),
        agreed_solution: None,
        actions_taken: None,
        follow_up_date: None,
        compensation: None,
        prevention: None,
    }
}

/// A visitor's `hello` for a new conversation (nothing to resume, no tickets).
pub fn fresh_hello() -> VisitorMsg {
    VisitorMsg::Hello {
        protocol: PROTOCOL_VERSION,
        resume: None,
        last_seq: 0,
        tickets: Vec::new(),
    }
}

/// The visitor waits for the adviser's co-browsing invitation and accepts it.
pub async fn accept_invitation(visitor: &mut WsClient) -> anyhow::Result<()> {
    visitor
        .recv_until("the invitation", |f| {
            matches!(f, ServerMsg::CobrowseInvite { .. })
        })
        .await?;
    visitor
        .send(&VisitorMsg::CobrowseAnswer { accepted: true })
        .await
}

/// The adviser asks to co-browse, the visitor accepts, both are told it started.
pub async fn cobrowse_consented(
    visitor: &mut VisitorClient,
    adviser: &mut AdviserClient,
    id: &ConversationId,
) -> anyhow::Result<()> {
    adviser
        .send(&AdviserMsg::CobrowseRequest {
            conversation_id: id.clone(),
        })
        .await?;
    accept_invitation(visitor).await?;
    for side in [&mut **visitor, &mut **adviser] {
        side.recv_until("co-browsing started", |f| {
            matches!(f, ServerMsg::Event { event, .. } if event.kind == EventKind::CobrowseStarted)
        })
        .await?;
    }
    Ok(())
}

/// A small form page at `url`, as a visitor's first co-browsing frame.
pub fn page_snapshot(url: &str) -> VisitorMsg {
    let text = PageNode::Text {
        id: 3,
        text: "Demande d'adhésion".into(),
    };
    let body = PageNode::Element(Box::new(ElementNode {
        id: 2,
        tag: "body".into(),
        attrs: vec![("class".into(), "form".into())],
        children: vec![text],
        shadow: None,
        svg: false,
        masked: false,
    }));
    VisitorMsg::CobrowseSnapshot {
        snapshot: Box::new(PageSnapshot {
            url: url.into(),
            title: "Adhésion".into(),
            viewport: Viewport { w: 1024, h: 700 },
            scroll_x: 0,
            scroll_y: 0,
            mode: Default::default(),
            too_large: None,
            root: PageNode::Element(Box::new(ElementNode {
                id: 1,
                tag: "html".into(),
                attrs: Vec::new(),
                children: vec![body],
                shadow: None,
                svg: false,
                masked: false,
            })),
        }),
    }
}
