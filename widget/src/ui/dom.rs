//! Drawing without Leptos's views: the launcher, the panel's frame and the pre-chat form are
//! built with the DOM's own calls and kept current by effects, so that the launcher's click
//! fetches neither Leptos's renderer nor the views' generated code (the screens after the form
//! and co-browsing, drawn by Leptos, come in modules of their own).
//!
//! What is drawn belongs to the reactive owner current when it is drawn: when that owner is
//! cleaned up (the language changes, the panel closes, the screen changes), its effects stop,
//! its event listeners are dropped and its elements are removed.

use leptos::prelude::*;
use leptos::reactive::effect::RenderEffect;
use send_wrapper::SendWrapper;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Runs `run` now and again whenever a signal it read changes, until the current owner is
/// cleaned up. A render effect: its first run is now, as the element is drawn (not in a task
/// of its own). Every effect of the click's module goes through this one: each closure type
/// given to an effect adds its own copy of the effect's machinery (about 1 KB).
pub(crate) fn effect(run: impl FnMut() + 'static) {
    effect_boxed(Box::new(run));
}

fn effect_boxed(mut run: Box<dyn FnMut()>) {
    let effect = RenderEffect::new(move |_: Option<()>| run());
    cleanup(move || drop(effect));
}

/// Runs `done` when the current owner is cleaned up (one copy of `on_cleanup` for all).
pub(crate) fn cleanup(done: impl FnOnce() + 'static) {
    cleanup_boxed(Box::new(done));
}

fn cleanup_boxed(done: Box<dyn FnOnce()>) {
    let done = SendWrapper::new(done);
    on_cleanup(move || (done.take())());
}

/// Runs `run` without tracking what it reads (one copy of `untrack` for all).
pub(crate) fn untracked(run: impl FnOnce() + 'static) {
    untracked_boxed(Box::new(run));
}

fn untracked_boxed(run: Box<dyn FnOnce()>) {
    untrack(run);
}

/// The page's document (always there where the widget runs).
fn document() -> Option<web_sys::Document> {
    web_sys::window().and_then(|w| w.document())
}

/// A new `tag` element with `attributes`, owned by the current owner: removed from the page
/// when the owner is cleaned up.
pub(crate) fn element(tag: &str, attributes: &[(&str, &str)]) -> web_sys::Element {
    let element = document()
        .and_then(|d| d.create_element(tag).ok())
        .unwrap_or_else(|| JsValue::NULL.unchecked_into());
    for (name, value) in attributes {
        let _ = element.set_attribute(name, value);
    }
    let owned = element.clone();
    cleanup(move || owned.remove());
    element
}

/// A new `tag` element with `attributes` and `text`, appended to `parent`.
pub(crate) fn child(
    parent: &web_sys::Element,
    tag: &str,
    attributes: &[(&str, &str)],
    text: &str,
) -> web_sys::Element {
    let element = element(tag, attributes);
    if !text.is_empty() {
        element.set_text_content(Some(text));
    }
    let _ = parent.append_child(&element);
    element
}

/// Calls `handler` on each `event` of `target`, until the current owner is cleaned up.
pub(crate) fn listen(
    target: &web_sys::EventTarget,
    event: &str,
    handler: impl FnMut(web_sys::Event) + 'static,
) {
    let closure = Closure::<dyn FnMut(web_sys::Event)>::new(handler);
    if target
        .add_event_listener_with_callback(event, closure.as_ref().unchecked_ref())
        .is_ok()
    {
        let target = target.clone();
        let event = event.to_owned();
        cleanup(move || {
            let _ = target
                .remove_event_listener_with_callback(&event, closure.as_ref().unchecked_ref());
        });
    }
}

/// Keeps `element`'s text as `text` says.
pub(crate) fn bind_text(element: &web_sys::Element, text: impl Fn() -> String + 'static) {
    let element = element.clone();
    effect(move || element.set_text_content(Some(&text())));
}

/// Keeps `element`'s attribute `name` as `value` says.
pub(crate) fn bind_attribute(
    element: &web_sys::Element,
    name: &'static str,
    value: impl Fn() -> String + 'static,
) {
    let element = element.clone();
    effect(move || {
        let _ = element.set_attribute(name, &value());
    });
}

/// Keeps `element` in `parent`, at the place it is called, while `when` says so (out of the
/// page otherwise).
pub(crate) fn show_when(
    parent: &web_sys::Element,
    element: &web_sys::Element,
    when: impl Fn() -> bool + 'static,
) {
    let Some(place) = document().map(|d| d.create_comment("")) else {
        return;
    };
    let _ = parent.append_child(&place);
    let owned = place.clone();
    cleanup(move || owned.remove());
    let (parent, element) = (parent.clone(), element.clone());
    effect(move || {
        if when() {
            if !element.is_connected() {
                let _ = parent.insert_before(&element, Some(&place));
            }
        } else {
            element.remove();
        }
    });
}

/// The value of the form field the event came from.
pub(crate) fn field_value(event: &web_sys::Event) -> String {
    let Some(target) = event.target() else {
        return String::new();
    };
    if let Some(input) = target.dyn_ref::<web_sys::HtmlInputElement>() {
        input.value()
    } else if let Some(area) = target.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        area.value()
    } else if let Some(select) = target.dyn_ref::<web_sys::HtmlSelectElement>() {
        select.value()
    } else {
        String::new()
    }
}
