//! What the visitor sees. Each screen is its own file; this one draws the frame (the launcher,
//! the panel, its header and the connection banner) with the DOM's own calls (see [`dom`]),
//! and the screen the chat is on in the panel's body.

mod cobrowse;
mod conversation;
pub(crate) mod dom;
mod ended;
mod fetched;
mod form;
mod queue;
mod screens;
mod share;
mod ticket;

use crate::chat::Chat;
use crate::cobrowse::Cobrowse;
use crate::config::WidgetConfig;
use crate::model::Screen;
use dom::{bind_text, child, effect, element, listen, show_when, untracked};
use leptos::prelude::*;
use tandem_shared::i18n::{Locale, Texts};
use wasm_bindgen::JsCast;
use web_client::browser::{forget, load, save};
use web_client::ConnState;

/// Remembers across pages that the visitor left the panel open.
const OPEN_KEY: &str = "tandem.open";

/// The texts of the visitor's language, shared by every component.
#[derive(Clone, Copy)]
pub(crate) struct Ui {
    pub texts: &'static Texts,
}

/// The relay's origin (`https://chat.example.com`), for file links and uploads.
#[derive(Clone)]
pub(crate) struct RelayOrigin(pub String);

/// Draws the whole widget, launcher button and chat panel, in `container`; with `open`, the
/// panel is open at once (the visitor clicked the launcher).
///
/// The frame and the pre-chat form are drawn with the DOM's own calls (see [`dom`]); the
/// screens after the form and co-browsing, drawn by Leptos, come in modules fetched when
/// needed. Everything is drawn again in the new language when the page changes it; the chat
/// itself (socket, messages, what the form holds) lives above and goes on.
pub(crate) fn start(container: web_sys::HtmlElement, config: WidgetConfig, open: bool) {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    // The widget's root owner lives as long as the page (the thread-local current owner is a
    // weak reference: dropping the last handle would dispose every signal).
    let root = Owner::new();
    root.set();
    std::mem::forget(root);
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
    let values = form::FormValues::new(config.queue.clone(), hints);
    // The visitor asked for the panel (clicked the launcher) rather than it coming back open.
    let asked = open;
    let open = RwSignal::new(open || load(OPEN_KEY).is_some());
    let unread = RwSignal::new(0u32);
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
    let panel_of = {
        let container = container.clone();
        move || container.query_selector("section.panel").ok().flatten()
    };
    let launcher_of = {
        let container = container.clone();
        move || {
            container
                .query_selector("[data-tandem-launcher]")
                .ok()
                .flatten()
        }
    };
    let panel = panel_of.clone();
    let was_open = std::cell::Cell::new(None::<bool>);
    effect(move || {
        let now = open.get();
        let previous = was_open.replace(Some(now));
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
            let (panel, launcher) = (panel.clone(), launcher_of.clone());
            request_animation_frame(move || {
                if now {
                    focus_first_field(panel());
                } else if let Some(button) =
                    launcher().and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    let _ = button.focus();
                }
            });
        }
    });
    // Read receipts: what the open panel shows in a visible tab counts as seen.
    let visible = page_visibility();
    effect(move || {
        let latest = chat.model.with(|m| m.latest_adviser_message());
        if open.get() && visible.get() {
            chat.saw(latest);
        }
    });
    // The panel's body and the co-browsing layer are drawn in a task of their own, after the
    // panel's frame: neither keeps a phone's main thread long. The connection's module is
    // fetched next, while the visitor reads the form.
    let body_drawn = RwSignal::new(false);
    let panel = panel_of.clone();
    web_client::browser::after(0, move || {
        body_drawn.set(true);
        let connect = move || crate::engine::start(chat, socket_url);
        if asked && open.get_untracked() {
            // The click's form is focused first: the module's arrival never delays it.
            request_animation_frame(move || {
                focus_first_field(panel());
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
    let panel = panel_of;
    let shown = std::cell::Cell::new(None::<Screen>);
    effect(move || {
        let now = screen.get();
        let previous = shown.replace(Some(now));
        if previous.is_some_and(|was| was != now) && open.get_untracked() && focus_is_lost() {
            let panel = panel.clone();
            request_animation_frame(move || focus_first_field(panel()));
        }
    });
    let frame: web_sys::Element = container.unchecked_into();
    effect(move || {
        let texts = Texts::get(locale.get());
        let (frame, config) = (frame.clone(), config.clone());
        untracked(move || {
            provide_context(Ui { texts });
            let code = texts.locale().code();
            let look = Look {
                launcher_text: config
                    .launcher_text(code)
                    .unwrap_or_else(|| texts.t("widget.launcher").to_owned()),
                greeting: config.greeting(code),
            };
            draw_frame(
                &frame,
                look,
                Panel {
                    open,
                    unread,
                    body_drawn,
                    screen,
                    values,
                    hints,
                },
            );
        });
    });
}

/// The site's words for the launcher and the form, in the visitor's language.
struct Look {
    launcher_text: String,
    greeting: Option<String>,
}

/// The panel's state, as the frame draws it.
#[derive(Clone, Copy)]
struct Panel {
    open: RwSignal<bool>,
    unread: RwSignal<u32>,
    body_drawn: RwSignal<bool>,
    screen: Memo<Screen>,
    values: form::FormValues,
    hints: RwSignal<crate::config::VisitorHints>,
}

/// Draws the co-browsing layer, the launcher (while the panel is closed) and the panel (while
/// it is open) in `frame`.
fn draw_frame(frame: &web_sys::Element, look: Look, panel: Panel) {
    let texts = expect_context::<Ui>().texts;
    let Panel {
        open,
        unread,
        body_drawn,
        ..
    } = panel;
    let layer = child(frame, "div", &[("class", "slot")], "");
    effect(move || {
        if body_drawn.get() {
            cobrowse::draw_cobrowse_layer(&layer);
        }
    });
    let launcher = element(
        "button",
        &[
            ("type", "button"),
            ("class", "launcher"),
            ("data-tandem-launcher", ""),
            ("aria-haspopup", "dialog"),
        ],
    );
    launcher.set_text_content(Some(&look.launcher_text));
    listen(&launcher, "click", move |_| open.set(true));
    let badge = element("span", &[("class", "badge")]);
    let count = child(&badge, "span", &[], "");
    bind_text(&count, move || unread.get().to_string());
    child(
        &badge,
        "span",
        &[("class", "sr-only")],
        texts.t("widget.unread"),
    );
    show_when(&launcher, &badge, move || unread.get() > 0);
    show_when(frame, &launcher, move || !open.get());
    let place = child(frame, "div", &[("class", "slot")], "");
    effect(move || {
        if open.get() {
            let (place, greeting) = (place.clone(), look.greeting.clone());
            untracked(move || draw_panel(&place, greeting, panel));
        }
    });
}

/// Draws the open panel into `place`: its header, the connection's state and the screen.
fn draw_panel(place: &web_sys::Element, greeting: Option<String>, panel: Panel) {
    let texts = expect_context::<Ui>().texts;
    let Panel {
        open,
        body_drawn,
        screen,
        values,
        hints,
        ..
    } = panel;
    let section = child(
        place,
        "section",
        &[
            ("class", "panel"),
            ("role", "dialog"),
            ("aria-modal", "false"),
            ("aria-labelledby", "tandem-title"),
        ],
        "",
    );
    listen(&section, "keydown", move |event| {
        if event
            .dyn_ref::<web_sys::KeyboardEvent>()
            .is_some_and(|key| key.key() == "Escape")
        {
            open.set(false);
        }
    });
    let head = child(&section, "header", &[("class", "head")], "");
    child(
        &head,
        "h2",
        &[("id", "tandem-title")],
        texts.t("widget.title"),
    );
    let close = child(
        &head,
        "button",
        &[
            ("type", "button"),
            ("class", "close"),
            ("aria-label", texts.t("widget.close")),
        ],
        "×",
    );
    listen(&close, "click", move |_| open.set(false));
    draw_connection_banner(&section);
    let body = child(&section, "div", &[("class", "body")], "");
    effect(move || {
        if !body_drawn.get() {
            return;
        }
        let now = screen.get();
        let (body, greeting) = (body.clone(), greeting.clone());
        untracked(move || match now {
            Screen::Form => {
                screens::draw_earlier_tickets(&body);
                form::draw_pre_chat_form(&body, values, greeting, hints);
            }
            later => screens::draw_later_screen(&body, later),
        });
    });
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
fn focus_first_field(panel: Option<web_sys::Element>) {
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

/// Says so, at the end of `section`, when the connection is being (re)established.
fn draw_connection_banner(section: &web_sys::Element) {
    let chat = expect_context::<Chat>();
    let texts = expect_context::<Ui>().texts;
    let banner = element("p", &[("class", "banner"), ("role", "status")]);
    let text = move || match chat.conn.get() {
        ConnState::Open | ConnState::Closed => None,
        ConnState::Connecting => Some(texts.t("conn.connecting")),
        ConnState::Reconnecting => Some(texts.t("conn.offline")),
    };
    bind_text(&banner, move || text().unwrap_or_default().to_owned());
    show_when(section, &banner, move || text().is_some());
}
