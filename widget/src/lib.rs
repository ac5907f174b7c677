//! Tandem's visitor widget: Leptos compiled to WebAssembly, mounted by the loader
//! (`/widget.js`) inside a shadow root so the host page's CSS cannot break it, nor it the page.
//!
//! Layout:
//! - [`config`]: settings passed by the loader (relay address, language, launcher text).
//! - [`control`]: the page's JavaScript API as the widget sees it (commands in, events out).
//! - [`model`]: the chat's state and how relay frames change it (plain Rust, unit-tested).
//! - [`chat`]: the chat as components use it: the model signal, the visitor's actions.
//! - `engine`: the connection (socket, frames read and written), a module fetched after the
//!   panel is drawn.
//! - [`cobrowse`]: co-browsing: consent, redacted capture of the page, the adviser's guidance.
//! - [`ui`]: what the visitor sees: the launcher, the panel and the pre-chat form (drawn with the
//!   DOM's own calls), the queue, conversation and end screen (Leptos, fetched later).
//! - [`transcript`]: the downloadable transcript.
//! - `visit`: the visitor's context (pages of the visit, browser, local time) for the adviser.

mod attention;
pub mod chat;
pub mod cobrowse;
pub mod config;
pub mod control;
mod engine;
pub mod model;
pub mod transcript;
mod ui;
mod upload;
mod visit;

use std::cell::Cell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

thread_local! {
    static MOUNTED: Cell<bool> = const { Cell::new(false) };
}

/// The widget's style, scoped to its shadow root.
const STYLE: &str = include_str!("style.css");

/// Mounts the widget in `root` (the loader's shadow root), replacing the loader's launcher.
/// With `open`, the chat panel opens at once (the visitor clicked the launcher). `events` is
/// called with `(name, detail)` for what the page may listen to (`Tandem.on`). Returns the
/// handle behind the page's `Tandem.open()`, `close()`, `setLocale()` and `identify()`.
///
/// The widget is drawn over short tasks, so that a phone's main thread never waits long on it
/// (the page stays responsive while the chat opens): the settings and the style, then the chat
/// and the panel's frame, then the panel's body (see `ui::start`). Calls on the handle made
/// meanwhile wait for the panel (see [`control`]); the loader's frame stays until then.
#[wasm_bindgen]
pub fn mount(
    root: web_sys::ShadowRoot,
    config: JsValue,
    open: bool,
    events: JsValue,
) -> control::WidgetHandle {
    control::set_event_sink(events.dyn_into::<js_sys::Function>().ok());
    if !MOUNTED.with(|m| m.replace(true)) {
        web_client::browser::after(0, move || {
            let config = config::WidgetConfig::from_js(&config);
            if let Some(frame) = add_style_and_container(&root) {
                web_client::browser::after(0, move || draw(&root, frame, config, open));
            }
        });
    }
    control::WidgetHandle
}

/// The widget's own elements in the shadow root: its style and its container.
struct Frame {
    style: web_sys::Element,
    container: web_sys::HtmlElement,
}

/// Adds the widget's style and its (empty) container beside what the loader drew.
fn add_style_and_container(root: &web_sys::ShadowRoot) -> Option<Frame> {
    let document = web_sys::window()?.document()?;
    let style = document.create_element("style").ok()?;
    style.set_text_content(Some(STYLE));
    let container = document.create_element("div").ok()?;
    container.set_class_name("tandem");
    root.append_child(&style).ok()?;
    root.append_child(&container).ok()?;
    Some(Frame {
        style,
        container: container.unchecked_into(),
    })
}

/// Removes what the loader drew (its launcher, the panel's frame, an invitation) and draws the
/// widget in its place.
fn draw(root: &web_sys::ShadowRoot, frame: Frame, config: config::WidgetConfig, open: bool) {
    let children = root.children();
    for index in (0..children.length()).rev() {
        let Some(child) = children.item(index) else {
            continue;
        };
        if child != frame.style && child != *frame.container {
            child.remove();
        }
    }
    ui::start(frame.container, config, open);
}
