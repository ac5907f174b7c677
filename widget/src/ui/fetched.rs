//! Views drawn by Leptos from a module fetched when they are first shown (the screens after
//! the form, the articles suggested, the co-browsing layer), placed in the panel drawn without
//! Leptos (see [`super::dom`]).

use super::dom::{child, cleanup, effect, listen};
use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use wasm_bindgen::JsCast;

/// A view mounted by a fetched module; dropping it takes the view off the page.
pub(crate) type Mounted = Box<dyn std::any::Any>;

/// Mounts `view` in `slot` as a child of `owner` (whose contexts it reads).
pub(crate) fn mount_in<V: IntoView + 'static>(
    owner: Owner,
    slot: web_sys::HtmlElement,
    view: impl FnOnce() -> V + 'static,
) -> Mounted {
    owner.with(|| Box::new(leptos::mount::mount_to(slot, view)) as Mounted)
}

/// How a view that could not be fetched says so: draws the message into the slot and gives
/// the "Try again" button.
pub(crate) type DrawFailure = fn(&web_sys::Element) -> web_sys::Element;

/// Says the view could not come, on one line with "Try again" (a screen, the articles).
pub(crate) fn failure_line(slot: &web_sys::Element) -> web_sys::Element {
    let texts = expect_context::<super::Ui>().texts;
    let line = child(
        slot,
        "p",
        &[
            ("class", "error"),
            ("role", "alert"),
            ("data-page-failed", ""),
        ],
        &format!("{} ", texts.t("widget.load_failed")),
    );
    child(
        &line,
        "button",
        &[("type", "button"), ("class", "secondary")],
        texts.t("widget.try_again"),
    )
}

/// A slot for a fetched view at the end of `parent` (it lays its children out as `parent`'s).
pub(crate) fn slot(parent: &web_sys::Element) -> web_sys::HtmlElement {
    child(parent, "div", &[("class", "slot")], "").unchecked_into()
}

/// Draws in `slot` the view `mount` gives once its module is here (`loading`, when given, is
/// said meanwhile); when the module cannot be fetched (the connection dropped, the relay was
/// updated), `failure` says so, and its "Try again" fetches it again. The view is taken off
/// the page when the current owner is cleaned up, even if it comes after that.
pub(crate) fn draw_fetched<Fetch, Fetching>(
    slot: web_sys::HtmlElement,
    loading: Option<&'static str>,
    failure: DrawFailure,
    mount: Fetch,
) where
    Fetch: Fn(Owner, web_sys::HtmlElement) -> Fetching + Copy + 'static,
    Fetching: Future<Output = Result<Mounted, SplitLoaderError>> + 'static,
{
    let attempt = RwSignal::new(0u32);
    effect(move || {
        attempt.track();
        let Some(owner) = Owner::current() else {
            return;
        };
        let status =
            loading.map(|text| child(&slot, "p", &[("class", "hint"), ("role", "status")], text));
        // The view, kept until this owner is cleaned up; `None` inside once it is.
        let kept: Rc<RefCell<Option<Option<Mounted>>>> = Rc::new(RefCell::new(Some(None)));
        let dropped = kept.clone();
        cleanup(move || drop(dropped.borrow_mut().take()));
        let slot = slot.clone();
        leptos::task::spawn_local(async move {
            let result = mount(owner.clone(), slot.clone()).await;
            if let Some(status) = status {
                status.remove();
            }
            let mut kept = kept.borrow_mut();
            let Some(place) = kept.as_mut() else {
                // Cleaned up meanwhile: the view goes at once (dropped here).
                return;
            };
            match result {
                Ok(view) => *place = Some(view),
                Err(_) => owner.with(|| {
                    let button = failure(&slot);
                    listen(&button, "click", move |_| attempt.update(|n| *n += 1));
                }),
            }
        });
    });
}

/// Draws, at the end of `parent`, the view `mount` gives while `when` holds (see
/// [`draw_fetched`]); nothing, and no module fetched, while it does not.
pub(crate) fn draw_fetched_while<Fetch, Fetching>(
    parent: &web_sys::Element,
    when: Memo<bool>,
    loading: Option<&'static str>,
    failure: DrawFailure,
    mount: Fetch,
) where
    Fetch: Fn(Owner, web_sys::HtmlElement) -> Fetching + Copy + 'static,
    Fetching: Future<Output = Result<Mounted, SplitLoaderError>> + 'static,
{
    let slot = slot(parent);
    effect(move || {
        if when.get() {
            draw_fetched(slot.clone(), loading, failure, mount);
        }
    });
}
