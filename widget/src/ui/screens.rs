//! The screens after the pre-chat form (the queue, the conversation, the end and its survey,
//! the acknowledgement of a message left, the phone code), and what the form shows once the
//! relay sends it (answers to messages left on earlier visits, articles suggested for the
//! reason typed), in a WebAssembly module of their own: the launcher's click fetches the form
//! alone, and this module follows while the visitor types. On a page loaded mid-chat it is
//! fetched as the widget starts.

use super::fetched::{draw_fetched, draw_fetched_while, failure_line, mount_in, slot, Mounted};
use super::{conversation, ended, form, queue, share, ticket, Ui};
use crate::chat::Chat;
use crate::model::Screen;
use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;

/// How long after the form shows its module is fetched, unless the visitor types first, in ms.
const PREFETCH_AFTER_MS: i32 = 1_000;

/// Draws `screen` (any but the form) into `body` once its module is here.
pub(crate) fn draw_later_screen(body: &web_sys::Element, screen: Screen) {
    let loading = expect_context::<Ui>().texts.t("widget.loading");
    draw_fetched(
        slot(body),
        Some(loading),
        failure_line,
        move |owner, slot| screen_view(owner, slot, screen),
    );
}

/// Draws, at the end of `form`, the knowledge-base articles suggested as the visitor types the
/// reason, once there are some.
pub(crate) fn draw_suggested_articles(form: &web_sys::Element) {
    let chat = expect_context::<Chat>();
    let any = Memo::new(move |_| chat.model.with(|m| !m.suggestions.is_empty()));
    draw_when(form, any, suggestions_view);
}

/// Draws, at the end of `body`, the messages the visitor left on earlier visits and their
/// answers, once the relay has sent some.
pub(crate) fn draw_earlier_tickets(body: &web_sys::Element) {
    let chat = expect_context::<Chat>();
    let any = Memo::new(move |_| chat.model.with(|m| !m.tickets.is_empty()));
    draw_when(body, any, tickets_view);
}

/// Draws the view `mount` gives at the end of `parent` while `when` holds, saying "Loading…"
/// while its module comes.
fn draw_when<Fetching>(
    parent: &web_sys::Element,
    when: Memo<bool>,
    mount: fn(Owner, web_sys::HtmlElement) -> Fetching,
) where
    Fetching: std::future::Future<Output = Result<Mounted, SplitLoaderError>> + 'static,
{
    let loading = expect_context::<Ui>().texts.t("widget.loading");
    draw_fetched_while(parent, when, Some(loading), failure_line, mount);
}

/// Fetches the screens' module ahead of need: at the visitor's first keystroke in the form,
/// or a moment after it shows.
pub(crate) fn prefetch_soon() {
    web_client::browser::after(PREFETCH_AFTER_MS, prefetch);
}

/// Fetches the screens' module now. Asked once per page: every keystroke calls this, and the
/// loader retries a failed fetch on each call; after a failure the screen itself fetches it
/// again (with "Try again"), not each key the visitor types.
pub(crate) fn prefetch() {
    thread_local! {
        static ASKED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }
    if ASKED.with(|asked| asked.replace(true)) {
        return;
    }
    leptos::task::spawn_local(async {
        // A failure shows where the screen is drawn, with "Try again".
        let _ = fetch_screens_module().await;
    });
}

#[leptos::wasm_split::wasm_split(
    screens,
    wasm_split_path = ::leptos::wasm_split,
    fallible,
    preload(fetch_screens_module)
)]
fn screen_view(
    owner: Owner,
    slot: web_sys::HtmlElement,
    screen: Screen,
) -> Result<Mounted, SplitLoaderError> {
    Ok(mount_in(owner, slot, move || {
        let chat = expect_context::<Chat>();
        match screen {
            Screen::Form => ().into_any(),
            Screen::TicketLeft => view! { <ticket::Acknowledgement/> }.into_any(),
            Screen::ShareCode => view! { <share::ShareCode/> }.into_any(),
            Screen::Waiting => {
                view! { <queue::QueueBanner/> <conversation::Conversation/> }.into_any()
            }
            Screen::Chatting => view! { <conversation::Conversation/> }.into_any(),
            Screen::Ended => view! {
                <conversation::Messages/> <ended::EndedPanel/>
                <Show when=move || chat.model.with(|m| m.acknowledged.is_some())><ticket::Acknowledgement/></Show>
            }
            .into_any(),
        }
    }))
}

#[leptos::wasm_split::wasm_split(screens, wasm_split_path = ::leptos::wasm_split, fallible)]
fn tickets_view(owner: Owner, slot: web_sys::HtmlElement) -> Result<Mounted, SplitLoaderError> {
    Ok(mount_in(
        owner,
        slot,
        || view! { <ticket::EarlierTickets/> },
    ))
}

#[leptos::wasm_split::wasm_split(screens, wasm_split_path = ::leptos::wasm_split, fallible)]
fn suggestions_view(owner: Owner, slot: web_sys::HtmlElement) -> Result<Mounted, SplitLoaderError> {
    Ok(mount_in(owner, slot, || view! { <form::Suggestions/> }))
}
