//! A visitor's connection: hello (with resume), pre-chat request, messages, typing, end.

use super::socket::{self, Session};
use crate::http::AppState;
use crate::hub::{Hub, HubError, Peer};
use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use std::sync::Arc;
use tandem_shared::limits::{validate_body, validate_client_msg_id};
use tandem_shared::{ConversationId, ErrorCode, ServerMsg, VisitorMsg, PROTOCOL_VERSION};

/// `GET /ws/visitor`: upgrades to a visitor connection.
pub async fn upgrade(ws: WebSocketUpgrade, State(app): State<AppState>) -> Response {
    let limits = app.config.limits;
    socket::configure(ws, &limits).on_upgrade(move |socket| serve(socket, app))
}

async fn serve(socket: WebSocket, app: AppState) {
    let (peer, inbox) = Peer::new();
    let limits = app.config.limits;
    let session = VisitorSession {
        hub: app.hub,
        peer: peer.clone(),
        greeted: false,
        conversation: None,
    };
    socket::run(socket, peer, inbox, session, limits).await;
}

/// One visitor connection's state.
struct VisitorSession {
    hub: Arc<Hub>,
    peer: Peer,
    greeted: bool,
    /// The open conversation this connection is attached to.
    conversation: Option<ConversationId>,
}

impl VisitorSession {
    fn conversation(&self) -> Result<ConversationId, ServerMsg> {
        self.conversation
            .clone()
            .ok_or_else(|| ServerMsg::error(ErrorCode::NotFound, "start a chat first"))
    }

    async fn hello(
        &mut self,
        protocol: u32,
        resume: Option<String>,
        last_seq: u64,
    ) -> Result<(), ServerMsg> {
        if protocol != PROTOCOL_VERSION {
            return Err(ServerMsg::error(
                ErrorCode::ProtocolVersion,
                format!("this relay speaks protocol {PROTOCOL_VERSION}, not {protocol}; reload the page"),
            ));
        }
        self.greeted = true;
        if let Some(previous) = self.conversation.take() {
            self.hub.detach_visitor(&previous, &self.peer);
        }
        let Some(token) = resume else {
            self.peer.send(ServerMsg::VisitorWelcome {
                protocol: PROTOCOL_VERSION,
                conversation: None,
            });
            return Ok(());
        };
        match self.hub.resume_visitor(&token, last_seq, &self.peer).await {
            Ok(conversation) => {
                self.conversation = conversation;
                Ok(())
            }
            Err(error @ (HubError::Unauthorized | HubError::NotFound(_))) => {
                tracing::info!(%error, "a visitor's resume was refused");
                self.peer.send(ServerMsg::VisitorWelcome {
                    protocol: PROTOCOL_VERSION,
                    conversation: None,
                });
                Err(ServerMsg::error(
                    ErrorCode::Unauthorized,
                    "that conversation cannot be resumed; start a new one",
                ))
            }
            Err(error) => Err(error.to_frame()),
        }
    }

    async fn handle(&mut self, frame: VisitorMsg) -> Result<(), ServerMsg> {
        if let VisitorMsg::Hello {
            protocol,
            resume,
            last_seq,
        } = frame
        {
            return self.hello(protocol, resume, last_seq).await;
        }
        if !self.greeted {
            return Err(ServerMsg::error(
                ErrorCode::HelloRequired,
                "send hello first",
            ));
        }
        match frame {
            VisitorMsg::Hello { .. } | VisitorMsg::Unknown => {
                Err(ServerMsg::error(ErrorCode::UnknownType, "unexpected frame"))
            }
            VisitorMsg::StartChat { request } => {
                if self.conversation.is_some() {
                    return Err(ServerMsg::error(
                        ErrorCode::Conflict,
                        "a chat is already open; end it first",
                    ));
                }
                let request = request
                    .validated()
                    .map_err(|e| HubError::Invalid(e).to_frame())?;
                let id = self
                    .hub
                    .start_chat(&request, &self.peer)
                    .await
                    .map_err(|e| e.to_frame())?;
                self.conversation = Some(id);
                Ok(())
            }
            VisitorMsg::Send {
                client_msg_id,
                body,
            } => {
                let id = self.conversation()?;
                validate_client_msg_id(&client_msg_id)
                    .map_err(|e| HubError::Invalid(e).to_frame())?;
                let body = validate_body(&body).map_err(|e| HubError::Invalid(e).to_frame())?;
                self.hub
                    .visitor_send(&id, client_msg_id, body, &self.peer)
                    .await
                    .map_err(|e| e.to_frame())
            }
            VisitorMsg::Typing { active } => {
                self.hub.visitor_typing(&self.conversation()?, active);
                Ok(())
            }
            VisitorMsg::EndChat => {
                let id = self.conversation()?;
                self.hub.visitor_end(&id).await.map_err(|e| e.to_frame())?;
                self.hub.detach_visitor(&id, &self.peer);
                self.conversation = None;
                Ok(())
            }
        }
    }
}

impl Session for VisitorSession {
    type Frame = VisitorMsg;

    async fn on_frame(&mut self, frame: VisitorMsg) {
        if let Err(reply) = self.handle(frame).await {
            self.peer.send(reply);
        }
    }

    async fn on_close(&mut self) {
        if let Some(id) = self.conversation.take() {
            self.hub.detach_visitor(&id, &self.peer);
        }
    }
}
