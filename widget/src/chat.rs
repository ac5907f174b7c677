//! The chat as the components use it: the model signal, the connection's state, and the
//! visitor's actions turned into frames. The connection itself (the socket, reading the
//! relay's frames, writing the visitor's) is in [`crate::engine`], a module fetched once the
//! panel is drawn: until it is here, and whenever the connection is lost, frames are not sent;
//! messages stay pending and the chat request waits, both sent after the next `hello`.

use crate::cobrowse::Cobrowse;
use crate::model::{ChatModel, Pending};
use leptos::prelude::*;
use std::rc::Rc;
use tandem_shared::desk::Survey;
use tandem_shared::model::ChatRequest;
use tandem_shared::model::ConversationStatus;
use tandem_shared::{VisitorMsg, PROTOCOL_VERSION};
use web_client::browser::{after, forget, unique_id};
use web_client::ConnState;

/// Where the resume token is kept (the loader reads it too, to restore the chat on load).
pub const TOKEN_KEY: &str = "tandem.conversation";

/// Where the tokens of tickets left by this visitor are kept (a JSON list).
pub const TICKETS_KEY: &str = "tandem.tickets";

/// Sends a frame to the relay; false when it could not be sent (not connected).
pub(crate) type Link = Rc<dyn Fn(&VisitorMsg) -> bool>;

/// The visitor's chat; a cheap `Copy` handle for the components.
#[derive(Clone, Copy)]
pub struct Chat {
    /// Everything the widget shows.
    pub model: RwSignal<ChatModel>,
    /// The connection's state.
    pub conn: RwSignal<ConnState>,
    /// How frames reach the relay, once the connection's module is here.
    pub(crate) link: StoredValue<Option<Link>, LocalStorage>,
    /// The chat request (or message left) that could not be sent yet: sent after the next
    /// `hello` (see [`Chat::keep_unsent`]).
    unsent: StoredValue<Option<VisitorMsg>, LocalStorage>,
    /// A chat request (or message left) waits for the connection: the form says so.
    pub waiting: RwSignal<bool>,
    /// Whether the adviser was told the visitor is typing.
    typing: StoredValue<bool>,
    /// Counts keystrokes, to notice when typing stops.
    keystrokes: StoredValue<u32>,
    /// Co-browsing within the conversation.
    pub cobrowse: Cobrowse,
    /// The highest event number this screen already said it showed (read receipts).
    seen_sent: StoredValue<u64>,
    /// The page address last sent to the adviser.
    pub(crate) visit_href: StoredValue<String>,
    /// What was sent to ask for a share code (sent again after a reconnection).
    share_request: StoredValue<Option<ChatRequest>>,
}

impl Chat {
    /// The chat of this page, not connected yet ([`crate::engine::start`] connects it).
    pub fn new(cobrowse: Cobrowse) -> Chat {
        Chat {
            model: RwSignal::new(ChatModel::default()),
            conn: RwSignal::new(ConnState::Connecting),
            link: StoredValue::new_local(None),
            unsent: StoredValue::new_local(None),
            waiting: RwSignal::new(false),
            typing: StoredValue::new(false),
            keystrokes: StoredValue::new(0),
            cobrowse,
            seen_sent: StoredValue::new(0),
            visit_href: StoredValue::new(String::new()),
            share_request: StoredValue::new(None),
        }
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

    /// Sends a frame; false when not connected.
    pub(crate) fn send(&self, frame: &VisitorMsg) -> bool {
        self.link
            .with_value(|link| link.as_ref().is_some_and(|send| send(frame)))
    }

    /// Sends a chat request or a message left; kept for the next connection when it cannot
    /// be sent now (so a form sent while offline is not lost).
    fn send_request(&self, frame: VisitorMsg) {
        let sent = self.send(&frame);
        self.keep_unsent((!sent).then_some(frame));
    }

    /// Keeps `frame` to send after the next `hello` (none: nothing waits any more).
    pub(crate) fn keep_unsent(&self, frame: Option<VisitorMsg>) {
        self.waiting.set(frame.is_some());
        self.unsent.set_value(frame);
    }

    /// The chat request (or message left) waiting for the connection, if any.
    pub(crate) fn unsent(&self) -> Option<VisitorMsg> {
        self.unsent.get_value()
    }

    /// Sends the pre-chat form (already validated).
    pub fn start(&self, request: ChatRequest) {
        self.model.update(|m| m.error = None);
        self.send_request(VisitorMsg::StartChat { request });
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
        self.keep_unsent(None);
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
        self.send_request(VisitorMsg::LeaveMessage {
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
