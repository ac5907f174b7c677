//! The widget's components. Each screen is its own file; this one holds the frame: the
//! launcher, the panel, its header and the connection banner.

mod cobrowse;
mod conversation;
mod ended;
mod form;
mod queue;
mod screens;
mod share;
mod ticket;

use crate::chat::Chat;
use crate::cobrowse::Cobrowse;
use crate::config::WidgetConfig;
use crate::model::Screen;
use leptos::prelude::*;
use tandem_shared::i18n::{Locale, Texts};
use web_client::browser::{forget, load, save};
use web_client::ConnState;

/// Remembers across pages that the visitor left the panel open.
const OPEN_KEY: &str = "tandem.open";

/// The texts of the visitor's language, shared by every component.
#[derive(Clone, Copy)]
pub(crate) struct Ui {
    pub texts: &'static Texts,
}

/// What the site told about the visitor: pre-chat form values and the signed identity sent
/// with the request (`data-user-*` attributes or `Tandem.identify`).
#[derive(Clone, Copy)]
pub(crate) struct SiteHints(pub RwSignal<crate::config::VisitorHints>);

/// The relay's origin (`https://chat.example.com`), for file links and uploads.
#[derive(Clone)]
pub(crate) struct RelayOrigin(pub String);

/// The topic of the invitation the visitor opened the chat from: the form starts on it.
#[derive(Clone)]
pub(crate) struct InvitedTopic(pub Option<String>);

/// The site's greeting in the visitor's language, shown instead of the built-in intro.
#[derive(Clone)]
pub(crate) struct SiteGreeting(pub Option<String>);

/// The whole widget: launcher button and chat panel.
#[component]
pub(crate) fn App(
    /// Settings from the loader.
    config: WidgetConfig,
    /// Open the panel at once.
    open: bool,
) -> impl IntoView {
    let locale = RwSignal::new(Locale::from_tag(&config.locale));
    let hints = RwSignal::new(config.hints());
    let chat = Chat::new(Cobrowse::new(config.privacy()));
    let socket_url = config.socket_url();
    // A chat in progress (a new page of the site, a reload) shows its conversation at once:
    // its module is fetched alongside the drawing.
    if load(crate::chat::TOKEN_KEY).is_some() {
        screens::prefetch();
    }
    provide_context(chat);
    provide_context(RelayOrigin(config.relay.trim_end_matches('/').to_owned()));
    provide_context(SiteHints(hints));
    provide_context(InvitedTopic(config.queue.clone()));
    // The visitor asked for the panel (clicked the launcher) rather than it coming back open.
    let asked = open;
    let open = RwSignal::new(open || load(OPEN_KEY).is_some());
    let launcher = NodeRef::<leptos::html::Button>::new();
    let unread = RwSignal::new(0u32);
    let panel = NodeRef::<leptos::html::Section>::new();
    crate::attention::call_attention(unread, config.title_flash, config.sound, move |count| {
        let texts = Texts::get(locale.get_untracked());
        format!("({count}) {}", texts.t("widget.new_message"))
    });
    crate::control::register(crate::control::Control {
        chat,
        open,
        locale,
        hints,
        unread,
    });
    Effect::new(move |previous: Option<bool>| {
        let now = open.get();
        if now {
            save(OPEN_KEY, "1")
        } else {
            forget(OPEN_KEY)
        }
        let changed = previous.is_some_and(|was| was != now);
        if now {
            unread.set(0);
        }
        if changed {
            let name = if now { "open" } else { "close" };
            crate::control::emit(name, wasm_bindgen::JsValue::UNDEFINED);
        }
        // Focus follows the visitor: into the panel when they open it, back to the launcher
        // when they close it (never stolen when the panel comes back open with a new page).
        // The click that loaded the widget is followed once the panel's body is drawn.
        if changed {
            request_animation_frame(move || {
                if now {
                    focus_first_field(panel.get_untracked());
                } else if let Some(button) = launcher.get_untracked() {
                    let _ = button.focus();
                }
            });
        }
        now
    });
    // Read receipts: what the open panel shows in a visible tab counts as seen.
    let visible = page_visibility();
    Effect::new(move |_| {
        let latest = chat.model.with(|m| m.latest_adviser_message());
        if open.get() && visible.get() {
            chat.saw(latest);
        }
    });
    // The panel's body and the co-browsing layer are drawn in a task of their own, after the
    // panel's frame: neither keeps a phone's main thread long. The connection's module is
    // fetched next, while the visitor reads the form.
    let body_drawn = RwSignal::new(false);
    web_client::browser::after(0, move || {
        body_drawn.set(true);
        let connect = move || crate::engine::start(chat, socket_url);
        if asked && open.get_untracked() {
            // The click's form is focused first: the module's arrival never delays it.
            request_animation_frame(move || {
                focus_first_field(panel.get_untracked());
                web_client::browser::after(0, connect);
            });
        } else {
            // No click waits (a page loaded mid-chat, maybe in a background tab, where
            // animation frames do not run): connect at once.
            connect();
        }
    });
    let screen = Memo::new(move |_| chat.model.with(|m| m.screen()));
    // A new screen replaces the focused field (the form becomes the conversation): focus moves
    // to the new screen's first field, unless the visitor is busy elsewhere on the page.
    Effect::new(move |previous: Option<Screen>| {
        let now = screen.get();
        if previous.is_some_and(|was| was != now) && open.get_untracked() && focus_is_lost() {
            request_animation_frame(move || focus_first_field(panel.get_untracked()));
        }
        now
    });
    // Everything below is drawn again in the new language when the page changes it; the chat
    // itself (socket, messages) lives above and goes on.
    move || {
        let texts = Texts::get(locale.get());
        provide_context(Ui { texts });
        let code = texts.locale().code();
        provide_context(SiteGreeting(config.greeting(code)));
        let launcher_text = config
            .launcher_text(code)
            .unwrap_or_else(|| texts.t("widget.launcher").to_owned());
        view! {
            {move || body_drawn.get().then(|| view! { <cobrowse::CobrowseLayer/> })}
            <Show when=move || !open.get()>
                <button type="button" class="launcher" data-tandem-launcher="" aria-haspopup="dialog"
                    node_ref=launcher on:click=move |_| open.set(true)>
                    {launcher_text.clone()}
                    {move || (unread.get() > 0).then(|| view! {
                        <span class="badge">{unread.get()}
                            <span class="sr-only">{texts.t("widget.unread")}</span></span>
                    })}
                </button>
            </Show>
            <Show when=move || open.get()>
                <section class="panel" role="dialog" aria-modal="false" aria-labelledby="tandem-title"
                    node_ref=panel on:keydown=move |ev| if ev.key() == "Escape" { open.set(false) }>
                    <header class="head">
                        <h2 id="tandem-title">{texts.t("widget.title")}</h2>
                        <button type="button" class="close" aria-label=texts.t("widget.close")
                            on:click=move |_| open.set(false)>"×"</button>
                    </header>
                    <ConnectionBanner/>
                    <div class="body">
                        {move || body_drawn.get().then(|| match screen.get() {
                            Screen::Form => view! { <screens::EarlierTickets/> <form::PreChatForm/> }.into_any(),
                            later => view! { <screens::LaterScreen screen=later/> }.into_any(),
                        })}
                    </div>
                </section>
            </Show>
        }
    }
}

/// Whether the page's tab is shown, kept current.
fn page_visibility() -> RwSignal<bool> {
    let visible = RwSignal::new(web_client::browser::page_is_visible());
    web_client::browser::on_visibility_change(move |now| visible.set(now));
    visible
}

/// True when nothing outside the widget has the focus (it is on the page's body, or on the
/// widget, whose focused element was just removed).
fn focus_is_lost() -> bool {
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    active.is_none_or(|a| a.has_attribute("data-tandem") || a.tag_name() == "BODY")
}

/// Focuses the panel's first field (the form's name, the message box), else its close button.
fn focus_first_field(panel: Option<web_sys::HtmlElement>) {
    use wasm_bindgen::JsCast;
    let Some(panel) = panel else { return };
    let target = panel
        .query_selector(
            "input:not([type=hidden]):not([disabled]), textarea:not([disabled]), select",
        )
        .ok()
        .flatten()
        .or_else(|| panel.query_selector("button.close").ok().flatten());
    if let Some(element) = target.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = element.focus();
    }
}

/// Says so when the connection is being (re)established.
#[component]
fn ConnectionBanner() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let ui = expect_context::<Ui>();
    move || {
        let text = match chat.conn.get() {
            ConnState::Open | ConnState::Closed => return None,
            ConnState::Connecting => ui.texts.t("conn.connecting"),
            ConnState::Reconnecting => ui.texts.t("conn.offline"),
        };
        Some(view! { <p class="banner" role="status">{text}</p> })
    }
}
