//! Tandem's visitor widget: Leptos compiled to WebAssembly, mounted by the loader
//! (`/widget.js`) inside a shadow root so the host page's CSS cannot break it, nor it the page.
//!
//! Layout:
//! - [`config`]: settings passed by the loader (relay address, language, launcher text).
//! - [`control`]: the page's JavaScript API as the widget sees it (commands in, events out).
//! - [`model`]: the chat's state and how relay frames change it (plain Rust, unit-tested).
//! - [`chat`]: the controller: the socket, the model signal, the visitor's actions.
//! - [`cobrowse`]: co-browsing: consent, redacted capture of the page, the adviser's guidance.
//! - [`ui`]: the components (launcher, pre-chat form, queue, conversation, end screen).
//! - [`transcript`]: the downloadable transcript.
//! - `visit`: the visitor's context (pages of the visit, browser, local time) for the adviser.

mod attention;
pub mod chat;
pub mod cobrowse;
pub mod config;
pub mod control;
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
#[wasm_bindgen]
pub fn mount(
    root: web_sys::ShadowRoot,
    config: JsValue,
    open: bool,
    events: JsValue,
) -> Result<control::WidgetHandle, JsValue> {
    control::set_event_sink(events.dyn_into::<js_sys::Function>().ok());
    if MOUNTED.with(|m| m.replace(true)) {
        return Ok(control::WidgetHandle);
    }
    let config = config::WidgetConfig::from_js(&config);
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))?;
    root.set_inner_html("");
    let style = document.create_element("style")?;
    style.set_text_content(Some(STYLE));
    root.append_child(&style)?;
    let container = document.create_element("div")?;
    container.set_class_name("tandem");
    root.append_child(&container)?;
    let container: web_sys::HtmlElement = container.unchecked_into();
    leptos::mount::mount_to(container, move || ui::App(ui::AppProps { config, open })).forget();
    Ok(control::WidgetHandle)
}
