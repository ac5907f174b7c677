//! The chat's connection to the relay: the socket, the relay's frames read into the model,
//! the visitor's frames written, the pages of the visit followed. Its code (the frame readers
//! and writers above all) is a WebAssembly module of its own, fetched once the panel is drawn:
//! the launcher's click fetches what draws the form, and this module comes while the visitor
//! reads it. A page loaded mid-chat fetches it as the widget starts, as every page does.

use crate::chat::{Chat, TICKETS_KEY, TOKEN_KEY};
use crate::model::{ChatModel, Effect};
use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;
use std::rc::Rc;
use tandem_shared::model::ConversationStatus;
use tandem_shared::{VisitorFrame, VisitorMsg, PROTOCOL_VERSION};
use web_client::browser::{after, forget, load, save};
use web_client::socket::{backoff_ms, Handlers};
use web_client::{ConnState, Socket};

/// Failed fetches of this module after which the wait between tries stops growing (then
/// 4 to 6 s): a visitor whose network comes back is connected soon.
const MAX_BACKOFF_STEP: u32 = 3;

/// Tickets remembered at most (the oldest are forgotten).
const MAX_REMEMBERED_TICKETS: usize = 10;

/// Fetches the connection's module and connects `chat` to the relay at `url`. A fetch that
/// fails is tried again with the socket's backoff (capped lower), the panel saying the chat is
/// offline meanwhile; what the visitor sends waits for the connection (see [`crate::chat`]).
pub(crate) fn start(chat: Chat, url: String) {
    start_attempt(chat, url, 0);
}

fn start_attempt(chat: Chat, url: String, attempt: u32) {
    leptos::task::spawn_local(async move {
        if connect(chat, url.clone()).await.is_err() {
            chat.conn.set(ConnState::Reconnecting);
            let delay = backoff_ms(attempt.min(MAX_BACKOFF_STEP), js_sys::Math::random());
            after(delay, move || {
                start_attempt(chat, url, attempt.saturating_add(1))
            });
        }
    });
}

/// Opens the socket (the first call fetches this module). An error when the module could not
/// be fetched.
#[leptos::wasm_split::wasm_split(engine, wasm_split_path = ::leptos::wasm_split, fallible)]
fn connect(chat: Chat, url: String) -> Result<(), SplitLoaderError> {
    let handlers = Handlers {
        on_open: Box::new(move |socket| greet(chat, socket)),
        on_frame: Box::new(move |frame| on_frame(chat, frame)),
        on_state: Box::new(move |state| chat.conn.set(state)),
    };
    let socket = Socket::connect(&url, handlers);
    let link: crate::chat::Link = Rc::new(move |frame: &VisitorMsg| socket.send(frame));
    chat.cobrowse.set_sender(link.clone());
    chat.link.set_value(Some(link));
    follow_the_address(chat);
    Ok(())
}

/// Says hello after each (re)connection, then sends what waited for it: unconfirmed
/// messages, and the chat request made while offline.
fn greet(chat: Chat, socket: &Socket) {
    let last_seq = chat.model.with_untracked(ChatModel::last_seq);
    socket.send(&VisitorMsg::Hello {
        protocol: PROTOCOL_VERSION,
        resume: load(TOKEN_KEY),
        last_seq,
        tickets: remembered_tickets(),
    });
    for pending in chat.model.with_untracked(|m| m.pending.clone()) {
        socket.send(&VisitorMsg::Send {
            client_msg_id: pending.client_msg_id,
            body: pending.body,
        });
    }
    if let Some(request) = chat.unsent() {
        if socket.send(&request) {
            chat.keep_unsent(None);
        }
    }
}

/// A frame from the relay: co-browsing's to co-browsing, the others into the model, with
/// what they imply (the page told, the token kept, the visit sent, a code's lapse timed).
fn on_frame(chat: Chat, frame: VisitorFrame) {
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
        send_visit(chat);
    }
    if let Some((code, lapses_in_ms)) = lapses {
        after(lapses_in_ms, move || {
            chat.model.update(|m| m.code_lapsed(&code))
        });
    }
}

/// Tells the adviser where the visitor is now (see [`crate::visit`]).
fn send_visit(chat: Chat) {
    let href = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    chat.visit_href.set_value(href);
    let context = crate::visit::context(chat.cobrowse.page_url());
    chat.send(&VisitorMsg::Visit { context });
}

/// Single-page sites change their address without a load: while a chat runs, a new address
/// is noted as a page of the visit and sent to the adviser.
fn follow_the_address(chat: Chat) {
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
            send_visit(chat);
        }
    };
    // The interval lives as long as the page (the widget is mounted once).
    let _ = set_interval_with_handle(check, std::time::Duration::from_secs(2));
}

/// The tokens of the tickets this visitor left (the relay tells how each was answered).
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
