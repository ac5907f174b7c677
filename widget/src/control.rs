//! The widget's side of the page's JavaScript API (`window.Tandem`, see the loader): the
//! loader holds a [`WidgetHandle`] to open or close the panel, change the language and pass the
//! logged-in visitor's details; the widget reports what happens (`open`, `close`, `message`,
//! `chat-ended`) through the loader's event function.

use crate::config::VisitorHints;
use leptos::prelude::*;
use std::cell::RefCell;
use tandem_shared::i18n::Locale;
use wasm_bindgen::prelude::*;

/// What the page can change after the widget is mounted.
#[derive(Clone, Copy)]
pub(crate) struct Control {
    /// The chat.
    pub chat: crate::chat::Chat,
    /// The panel is open.
    pub open: RwSignal<bool>,
    /// The language of every text.
    pub locale: RwSignal<Locale>,
    /// What the site told about the visitor (pre-chat form values, signed identity).
    pub hints: RwSignal<VisitorHints>,
    /// Adviser messages that arrived while the panel was closed.
    pub unread: RwSignal<u32>,
}

/// A call on the handle made before the panel was drawn.
type Waiting = Box<dyn FnOnce(Control)>;

thread_local! {
    static CONTROL: RefCell<Option<Control>> = const { RefCell::new(None) };
    static WAITING: RefCell<Vec<Waiting>> = const { RefCell::new(Vec::new()) };
    static EVENTS: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

/// Registers the mounted widget's signals, and applies the calls that waited for them in the
/// order they were made.
pub(crate) fn register(control: Control) {
    CONTROL.with(|c| *c.borrow_mut() = Some(control));
    for call in WAITING.with(|w| std::mem::take(&mut *w.borrow_mut())) {
        call(control);
    }
}

/// Keeps the loader's event function.
pub(crate) fn set_event_sink(sink: Option<js_sys::Function>) {
    EVENTS.with(|e| *e.borrow_mut() = sink);
}

/// Tells the page's handlers of `name` (errors in handlers are the page's, not ours).
pub(crate) fn emit(name: &str, detail: JsValue) {
    EVENTS.with(|e| {
        if let Some(sink) = e.borrow().as_ref() {
            let _ = sink.call2(&JsValue::NULL, &JsValue::from_str(name), &detail);
        }
    });
}

/// Tells the page about a conversation event as it happens: `message` for the adviser's
/// messages (`{ body, author }`), `chat-ended` when the chat ends (`{ by }`). An adviser's
/// message that arrives while the panel is closed counts as unread.
pub(crate) fn emit_event(kind: &tandem_shared::EventKind) {
    if matches!(kind, tandem_shared::EventKind::Message { author, .. } if author.role == tandem_shared::Role::Adviser)
    {
        with_control(|c| {
            if !c.open.get_untracked() {
                c.unread.update(|n| *n = n.saturating_add(1));
            }
        });
    }
    use tandem_shared::{EventKind, Role};
    let detail = js_sys::Object::new();
    let set = |key: &str, value: &str| {
        let _ = js_sys::Reflect::set(&detail, &JsValue::from_str(key), &JsValue::from_str(value));
    };
    match kind {
        EventKind::Message { author, body, .. } if author.role == Role::Adviser => {
            set("body", body);
            set("author", &author.name);
            emit("message", detail.into());
        }
        EventKind::Ended { by } => {
            set("by", by.as_str());
            emit("chat-ended", detail.into());
        }
        _ => {}
    }
}

/// Runs `f` on the widget's signals, once they exist (the widget is drawn over a few tasks).
fn with_control(f: impl FnOnce(Control) + 'static) {
    match CONTROL.with(|c| *c.borrow()) {
        Some(control) => f(control),
        None => WAITING.with(|w| w.borrow_mut().push(Box::new(f))),
    }
}

/// The loader's handle on the mounted widget.
#[wasm_bindgen]
pub struct WidgetHandle;

#[wasm_bindgen]
impl WidgetHandle {
    /// Opens the chat panel.
    pub fn open(&self) {
        with_control(|c| c.open.set(true));
    }

    /// Closes the chat panel (the chat goes on).
    pub fn close(&self) {
        with_control(|c| c.open.set(false));
    }

    /// Opens the panel on a code the visitor reads out to an adviser on the phone, who types it
    /// to see this page (once the visitor agrees). Does nothing during a chat.
    pub fn share(&self) {
        with_control(|c| {
            c.open.set(true);
            let hints = c.hints.get_untracked();
            c.chat
                .share_by_phone(&hints, c.locale.get_untracked().code());
        });
    }

    /// Shows every text in `tag`'s language (`fr`, `en-GB`…); unknown languages fall back to
    /// English.
    #[wasm_bindgen(js_name = setLocale)]
    pub fn set_locale(&self, tag: &str) {
        let locale = Locale::from_tag(tag);
        with_control(move |c| c.locale.set(locale));
    }

    /// Takes the visitor's details from the site (`{ name, email, phone, company, userId,
    /// userHash }`): they fill the pre-chat form, and a signed user id is sent with the request.
    pub fn identify(&self, details: JsValue) {
        let hints = VisitorHints::from_js(&details);
        with_control(move |c| c.hints.set(hints));
    }
}
