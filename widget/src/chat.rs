//! The controller: owns the socket, keeps the model signal current, and turns the visitor's
//! actions into frames. Messages are kept as pending until the relay echoes them stored, and
//! are sent again after a reconnect (their client id makes that harmless).

use crate::cobrowse::Cobrowse;
use crate::model::{ChatModel, Effect, Pending};
use leptos::prelude::*;
use std::rc::Rc;
use tandem_shared::desk::Survey;
use tandem_shared::model::ChatRequest;
use tandem_shared::model::ConversationStatus;
use tandem_shared::{VisitorFrame, VisitorMsg, PROTOCOL_VERSION};
use web_client::browser::{after, forget, load, save, unique_id};
use web_client::socket::Handlers;
use web_client::{ConnState, Socket};

/// Where the resume token is kept (the loader reads it too, to restore the chat on load).
pub const TOKEN_KEY: &str = "tandem.conversation";

/// Where the tokens of tickets left by this visitor are kept (a JSON list).
pub const TICKETS_KEY: &str = "tandem.tickets";

/// Tickets remembered at most (the oldest are forgotten).
const MAX_REMEMBERED_TICKETS: usize = 10;

fn remembered_tickets() -> Vec<String> {
    load(TICKETS_KEY)
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

fn remember_ticket(token: String) {
    let mut tokens = remembered_tickets();
    tokens.retain(|t| *t != token);
    tokens.push(token);
    let excess = tokens.len().saturating_sub(MAX_REMEMBERED_TICKETS);
    tokens.drain(..excess);
    if let Ok(json) = serde_json::to_string(&tokens) {
        save(TICKETS_KEY, &json);
    }
}

/// The visitor's chat; a cheap `Copy` handle for the components.
#[derive(Clone, Copy)]
pub struct Chat {
    /// Everything the widget shows.
    pub model: RwSignal<ChatModel>,
    /// The connection's state.
    pub conn: RwSignal<ConnState>,
    socket: StoredValue<Option<Socket>, LocalStorage>,
    /// Whether the adviser was told the visitor is typing.
    typing: StoredValue<bool>,
    /// Counts keystrokes, to notice when typing stops.
    keystrokes: StoredValue<u32>,
    /// Co-browsing within the conversation.
    pub cobrowse: Cobrowse,
    /// The highest event number this screen already said it showed (read receipts).
    seen_sent: StoredValue<u64>,
    /// The page address last sent to the adviser.
    visit_href: StoredValue<String>,
    /// What was sent to ask for a share code (sent again after a reconnection).
    share_request: StoredValue<Option<ChatRequest>>,
}

impl Chat {
    /// Connects to the relay, resuming the stored conversation if any.
    pub fn connect(url: &str, cobrowse: Cobrowse) -> Chat {
        let chat = Chat {
            model: RwSignal::new(ChatModel::default()),
            conn: RwSignal::new(ConnState::Connecting),
            socket: StoredValue::new_local(None),
            typing: StoredValue::new(false),
            keystrokes: StoredValue::new(0),
            cobrowse,
            seen_sent: StoredValue::new(0),
            visit_href: StoredValue::new(String::new()),
            share_request: StoredValue::new(None),
        };
        let socket = chat.socket;
        cobrowse.set_sender(Rc::new(move |frame: &VisitorMsg| {
            socket.with_value(|socket| socket.as_ref().is_some_and(|s| s.send(frame)))
        }));
        let handlers = Handlers {
            on_open: Box::new(move |socket| chat.greet(socket)),
            on_frame: Box::new(move |frame| {
                if chat.cobrowse.on_frame(&frame) {
                    return;
                }
                let live = chat
                    .model
                    .with_untracked(|m| m.live_event(&frame).map(|e| e.kind.clone()));
                let chat_opens = match &frame {
                    VisitorFrame::ChatStarted { .. } => true,
                    VisitorFrame::VisitorWelcome {
                        conversation: Some(c),
                        ..
                    } => c.status != ConversationStatus::Ended,
                    _ => false,
                };
                let lapses = match &frame {
                    VisitorFrame::ShareCode {
                        share_code,
                        expires_at_ms,
                    } => {
                        let left = expires_at_ms.saturating_sub(web_client::browser::now_ms());
                        Some((share_code.clone(), i32::try_from(left).unwrap_or(i32::MAX)))
                    }
                    _ => None,
                };
                let effect = chat.model.try_update(|model| model.apply(frame)).flatten();
                if let Some(kind) = live {
                    crate::control::emit_event(&kind);
                }
                let (running, adviser) = chat
                    .model
                    .with_untracked(|m| (m.cobrowse_running(), m.adviser_name()));
                chat.cobrowse.sync(running, adviser);
                match effect {
                    Some(Effect::RememberToken(token)) => save(TOKEN_KEY, &token),
                    Some(Effect::ForgetToken) => forget(TOKEN_KEY),
                    Some(Effect::RememberTicket(token)) => remember_ticket(token),
                    Some(Effect::AskShareCode) => chat.ask_share_code(),
                    None => {}
                }
                if chat_opens {
                    chat.send_visit();
                }
                if let Some((code, lapses_in_ms)) = lapses {
                    after(lapses_in_ms, move || {
                        chat.model.update(|m| m.code_lapsed(&code))
                    });
                }
            }),
            on_state: Box::new(move |state| chat.conn.set(state)),
        };
        let socket = Socket::connect(url, handlers);
        chat.socket.set_value(Some(socket));
        chat.follow_the_address();
        chat
    }

    /// Tells the adviser where the visitor is now (see [`crate::visit`]).
    fn send_visit(&self) {
        let href = web_sys::window()
            .and_then(|w| w.location().href().ok())
            .unwrap_or_default();
        self.visit_href.set_value(href);
        let context = crate::visit::context(self.cobrowse.page_url());
        self.send(&VisitorMsg::Visit { context });
    }

    /// Single-page sites change their address without a load: while a chat runs, a new
    /// address is noted as a page of the visit and sent to the adviser.
    fn follow_the_address(&self) {
        let chat = *self;
        let check = move || {
            let open = chat.model.with_untracked(|m| {
                m.conversation
                    .as_ref()
                    .is_some_and(|c| c.status != ConversationStatus::Ended)
            });
            let Some(href) = web_sys::window().and_then(|w| w.location().href().ok()) else {
                return;
            };
            if open && chat.visit_href.with_value(|sent| *sent != href) {
                crate::visit::note_page(&href);
                chat.send_visit();
            }
        };
        // The interval lives as long as the page (the widget is mounted once).
        let _ = set_interval_with_handle(check, std::time::Duration::from_secs(2));
    }

    /// The visitor's screen shows the conversation up to `seq`: the adviser is told once.
    pub fn saw(&self, seq: u64) {
        if seq > self.seen_sent.get_value() && self.send(&VisitorMsg::Seen { seq }) {
            self.seen_sent.set_value(seq);
        }
    }

    /// Asks for the ended chat's transcript by email (to the address of the pre-chat form).
    pub fn email_transcript(&self) {
        let token = self
            .model
            .with_untracked(|m| m.conversation.as_ref().map(|c| c.token.clone()));
        if let Some(token) = token {
            self.model.update(|m| m.error = None);
            self.send(&VisitorMsg::EmailTranscript { token });
        }
    }

    /// Says hello after each (re)connection and resends unconfirmed messages.
    fn greet(&self, socket: &Socket) {
        let last_seq = self.model.with_untracked(ChatModel::last_seq);
        socket.send(&VisitorMsg::Hello {
            protocol: PROTOCOL_VERSION,
            resume: load(TOKEN_KEY),
            last_seq,
            tickets: remembered_tickets(),
        });
        for pending in self.model.with_untracked(|m| m.pending.clone()) {
            socket.send(&VisitorMsg::Send {
                client_msg_id: pending.client_msg_id,
                body: pending.body,
            });
        }
    }

    fn send(&self, frame: &VisitorMsg) -> bool {
        self.socket
            .with_value(|socket| socket.as_ref().is_some_and(|s| s.send(frame)))
    }

    /// Sends the pre-chat form (already validated).
    pub fn start(&self, request: ChatRequest) {
        self.model.update(|m| m.error = None);
        self.send(&VisitorMsg::StartChat { request });
    }

    /// Sends a message; it shows as pending until the relay confirms it.
    pub fn say(&self, body: String) {
        let pending = Pending {
            client_msg_id: unique_id(),
            body,
        };
        let frame = VisitorMsg::Send {
            client_msg_id: pending.client_msg_id.clone(),
            body: pending.body.clone(),
        };
        self.model.update(|m| m.pending.push(pending));
        self.send(&frame);
        self.stop_typing();
    }

    /// The visitor typed: tell the adviser, and tell them again when typing stops for 3 s.
    pub fn typed(&self) {
        self.keystrokes.update_value(|n| *n = n.wrapping_add(1));
        if !self.typing.get_value() {
            self.typing.set_value(true);
            self.send(&VisitorMsg::Typing { active: true });
        }
        let seen = self.keystrokes.get_value();
        let chat = *self;
        after(3000, move || {
            if chat.keystrokes.get_value() == seen {
                chat.stop_typing();
            }
        });
    }

    fn stop_typing(&self) {
        if self.typing.get_value() {
            self.typing.set_value(false);
            self.send(&VisitorMsg::Typing { active: false });
        }
    }

    /// Ends the chat.
    pub fn end(&self) {
        self.send(&VisitorMsg::EndChat);
    }

    /// Clears the ended chat to start another.
    pub fn new_chat(&self) {
        forget(TOKEN_KEY);
        self.seen_sent.set_value(0);
        self.model.update(ChatModel::reset);
        self.send(&VisitorMsg::Hello {
            protocol: PROTOCOL_VERSION,
            resume: None,
            last_seq: 0,
            tickets: Vec::new(),
        });
    }

    /// Leaves a message (or books a callback at `callback_at_ms`) instead of chatting.
    pub fn leave_message(&self, request: ChatRequest, callback_at_ms: Option<i64>) {
        self.model.update(|m| m.error = None);
        self.send(&VisitorMsg::LeaveMessage {
            request,
            callback_at_ms,
        });
    }

    /// Asks for knowledge-base articles matching what the visitor is typing; an empty text
    /// clears the suggestions.
    pub fn suggest(&self, text: String, locale: &str) {
        let text: String = text
            .trim()
            .chars()
            .take(tandem_shared::faq::MAX_SUGGEST_QUERY_CHARS)
            .collect();
        if self.model.with_untracked(|m| m.suggest_text == text) {
            return;
        }
        self.model.update(|m| {
            m.suggest_text = text.clone();
            if text.is_empty() {
                m.suggestions.clear();
            }
        });
        if !text.is_empty() {
            self.send(&VisitorMsg::SuggestArticles {
                text,
                locale: locale.to_owned(),
            });
        }
    }

    /// Sends the satisfaction survey of the ended chat.
    pub fn rate(&self, survey: Survey) {
        let token = self
            .model
            .with_untracked(|m| m.conversation.as_ref().map(|c| c.token.clone()));
        if let Some(token) = token {
            self.send(&VisitorMsg::Survey { token, survey });
        }
    }

    /// Asks for a code the visitor reads out to an adviser on the phone (`Tandem.share()`):
    /// the panel shows it until the adviser types it. `hints` is what the site told about the
    /// visitor; nothing is asked while a chat is open.
    pub fn share_by_phone(&self, hints: &crate::config::VisitorHints, locale: &str) {
        let in_chat = self.model.with_untracked(|m| {
            m.conversation
                .as_ref()
                .is_some_and(|c| c.status != ConversationStatus::Ended)
        });
        if in_chat {
            return;
        }
        let request = ChatRequest {
            name: hints.name.clone().unwrap_or_default(),
            email: hints.email.clone(),
            phone: hints.phone.clone(),
            company: hints.company.clone(),
            reason: String::new(),
            page_url: self.cobrowse.page_url(),
            locale: Some(locale.to_owned()),
            identity: hints.identity(),
            queue: None,
            site: None,
        };
        self.share_request.set_value(Some(request));
        if self.model.with_untracked(|m| m.conversation.is_some()) {
            // The ended chat is left behind, as for a new chat.
            self.new_chat();
        }
        self.ask_share_code();
    }

    /// Asks again for a code (after one lapsed, or the connection that held it closed).
    pub fn ask_share_code(&self) {
        let Some(request) = self.share_request.get_value() else {
            return;
        };
        self.model.update(|m| {
            m.error = None;
            m.phone_share = Some(crate::model::PhoneShare::Asking);
        });
        self.send(&VisitorMsg::RequestShareCode { request });
    }

    /// Withdraws the share code, back to the form.
    pub fn cancel_share(&self) {
        self.share_request.set_value(None);
        self.model.update(|m| m.phone_share = None);
        self.send(&VisitorMsg::CancelShareCode);
    }

    /// Closes the acknowledgement of a ticket, back to the form.
    pub fn dismiss_acknowledgement(&self) {
        self.model.update(|m| m.acknowledged = None);
    }
}
