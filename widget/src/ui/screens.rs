//! The screens after the pre-chat form (the queue, the conversation, the end and its survey,
//! the acknowledgement of a message left, the phone code), and what the form shows once the
//! relay sends it (answers to messages left on earlier visits, articles suggested for the
//! reason typed), in a WebAssembly module of their own: the launcher's click fetches the form
//! alone, and this module follows while the visitor types. On a page loaded mid-chat it is
//! fetched as the widget starts.

use super::{conversation, ended, form, queue, share, ticket, Ui};
use crate::chat::Chat;
use crate::model::Screen;
use leptos::prelude::*;
use leptos::wasm_split::SplitLoaderError;
use web_client::lazy::{LazyTexts, LazyView};

/// How long after the form shows its module is fetched, unless the visitor types first, in ms.
const PREFETCH_AFTER_MS: i32 = 1_000;

/// What a screen says while its module comes, or when it cannot come.
fn lazy_texts() -> LazyTexts {
    let texts = expect_context::<Ui>().texts;
    LazyTexts {
        loading: texts.t("widget.loading"),
        failed: texts.t("widget.load_failed"),
        try_again: texts.t("widget.try_again"),
    }
}

/// `screen` (any but the form), drawn once its module is here.
#[component]
pub(crate) fn LaterScreen(screen: Screen) -> impl IntoView {
    let texts = lazy_texts();
    view! { <LazyView load=move || screen_view(screen) texts=texts/> }
}

/// The knowledge-base articles suggested as the visitor types the reason, once there are some.
#[component]
pub(crate) fn SuggestedArticles() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let texts = lazy_texts();
    let any = Memo::new(move |_| chat.model.with(|m| !m.suggestions.is_empty()));
    move || {
        any.get()
            .then(|| view! { <LazyView load=suggestions_view texts=texts/> })
    }
}

/// The messages the visitor left on earlier visits and their answers, above the form, once
/// the relay has sent some. (Written out like `SuggestedArticles`: a shared generic helper
/// costs the click 0.4 KB.)
#[component]
pub(crate) fn EarlierTickets() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let texts = lazy_texts();
    let any = Memo::new(move |_| chat.model.with(|m| !m.tickets.is_empty()));
    move || {
        any.get()
            .then(|| view! { <LazyView load=tickets_view texts=texts/> })
    }
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
fn screen_view(screen: Screen) -> Result<AnyView, SplitLoaderError> {
    let chat = expect_context::<Chat>();
    Ok(match screen {
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
    })
}

#[leptos::wasm_split::wasm_split(screens, wasm_split_path = ::leptos::wasm_split, fallible)]
fn tickets_view() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <ticket::EarlierTickets/> }.into_any())
}

#[leptos::wasm_split::wasm_split(screens, wasm_split_path = ::leptos::wasm_split, fallible)]
fn suggestions_view() -> Result<AnyView, SplitLoaderError> {
    Ok(view! { <form::Suggestions/> }.into_any())
}
