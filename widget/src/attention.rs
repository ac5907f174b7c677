//! Draws the visitor's eye to messages that arrive while the panel is closed: the page's tab
//! title alternates with "(2) New message" until they open the panel, and, when the site asks
//! for it (`data-sound="on"`), a short soft tone plays. The site can turn the title off with
//! `data-title-flash="off"`.

use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

/// How often the title alternates.
const FLASH_EVERY: Duration = Duration::from_millis(1500);

/// The page's own title while it is being flashed, and the timer.
struct Flashing {
    original: String,
    timer: leptos::leptos_dom::helpers::IntervalHandle,
}

fn document() -> Option<web_sys::Document> {
    web_sys::window().and_then(|w| w.document())
}

/// Flashes the title while `unread` is above zero (`text` gives the alternate title), and
/// plays a tone for each new unread message when `sound` is on.
pub(crate) fn call_attention(
    unread: RwSignal<u32>,
    flash: bool,
    sound: bool,
    text: impl Fn(u32) -> String + 'static,
) {
    let flashing: Rc<RefCell<Option<Flashing>>> = Rc::default();
    let text = Rc::new(text);
    let previous = std::cell::Cell::new(None::<u32>);
    crate::ui::dom::effect(move || {
        let count = unread.get();
        let previous = previous.replace(Some(count));
        if sound && count > previous.unwrap_or(0) {
            web_client::tone::play_tone();
        }
        let mut state = flashing.borrow_mut();
        if count == 0 || !flash {
            if let Some(done) = state.take() {
                done.timer.clear();
                if let Some(doc) = document() {
                    doc.set_title(&done.original);
                }
            }
            return;
        }
        if state.is_none() {
            let original = document().map(|d| d.title()).unwrap_or_default();
            let shown_original = Rc::new(RefCell::new(true));
            let (text, page_title) = (text.clone(), original.clone());
            let tick = move || {
                let Some(doc) = document() else { return };
                let mut showing_page = shown_original.borrow_mut();
                if *showing_page {
                    doc.set_title(&text(unread.get_untracked()));
                } else {
                    doc.set_title(&page_title);
                }
                *showing_page = !*showing_page;
            };
            if let Ok(timer) = set_interval_with_handle(tick, FLASH_EVERY) {
                *state = Some(Flashing { original, timer });
            }
        }
    });
}
