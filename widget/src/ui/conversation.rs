//! The conversation: messages (shown as text, never HTML), the adviser's typing indicator,
//! the composer and the end button.

use super::Ui;
use crate::chat::Chat;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use tandem_shared::{ConversationEvent, EventKind, Role};
use web_client::browser::clock;

/// One line of the conversation.
fn event_view(event: ConversationEvent, ui: Ui) -> impl IntoView {
    let time = clock(event.at_ms);
    match event.kind {
        EventKind::Message { author, body, .. } => {
            let mine = author.role == Role::Visitor;
            let who = if mine {
                ui.texts.t("chat.you").to_owned()
            } else {
                author.name
            };
            view! {
                <li class="msg" class:mine=mine class:theirs=!mine>
                    <span class="who">{who}" · "{time}</span>
                    <p class="text">{body}</p>
                </li>
            }
            .into_any()
        }
        EventKind::AdviserJoined { name } => {
            view! { <li class="note">{ui.texts.format("chat.joined", &[("name", &name)])}</li> }
                .into_any()
        }
        EventKind::Transferred { from } => view! {
            <li class="note">{ui.texts.format("chat.transferred", &[("from", &from)])}</li>
        }
        .into_any(),
        EventKind::CobrowseStarted => {
            view! { <li class="note">{ui.texts.t("cobrowse.started")}</li> }.into_any()
        }
        EventKind::CobrowseEnded { by } => {
            let key = match by {
                Role::Visitor => "cobrowse.stopped_by_you",
                Role::Adviser => "cobrowse.stopped_by_adviser",
                Role::System => "cobrowse.stopped",
            };
            view! { <li class="note">{ui.texts.t(key)}</li> }.into_any()
        }
        EventKind::Ended { by } => {
            let key = if by == Role::Visitor {
                "chat.ended_by_visitor"
            } else {
                "chat.ended_by_adviser"
            };
            view! { <li class="note">{ui.texts.t(key)}</li> }.into_any()
        }
    }
}

/// The messages, newest last, announced to screen readers as they arrive.
#[component]
pub(crate) fn Messages() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let ui = expect_context::<Ui>();
    let list = NodeRef::<leptos::html::Ol>::new();
    Effect::new(move |_| {
        chat.model.track();
        if let Some(list) = list.get() {
            list.set_scroll_top(list.scroll_height());
        }
    });
    view! {
        <ol class="messages" aria-live="polite" aria-relevant="additions" node_ref=list>
            <For each=move || chat.model.with(|m| m.events.clone()) key=|event| event.seq
                children=move |event| event_view(event, ui)/>
            <For each=move || chat.model.with(|m| m.pending.clone()) key=|p| p.client_msg_id.clone()
                children=move |pending| view! {
                    <li class="msg mine pending">
                        <span class="who">{ui.texts.t("chat.you")}" · "{ui.texts.t("chat.sending")}</span>
                        <p class="text">{pending.body}</p>
                    </li>
                }/>
        </ol>
    }
}

/// Messages, typing indicator, composer and end button.
#[component]
pub(crate) fn Conversation() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let texts = expect_context::<Ui>().texts;
    let draft = RwSignal::new(String::new());
    let send = move || {
        let body = draft.get_untracked().trim().to_owned();
        if !body.is_empty() {
            chat.say(body);
            draft.set(String::new());
        }
    };
    let on_key = move |ev: KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() {
            ev.prevent_default();
            send();
        }
    };
    let typing = move || {
        chat.model
            .with(|m| m.adviser_typing.clone())
            .map(|name| texts.format("chat.typing", &[("name", &name)]))
    };
    view! {
        <Messages/>
        <p class="typing" aria-live="polite">{typing}</p>
        <div class="composer">
            <label class="sr-only" for="tandem-draft">{texts.t("chat.placeholder")}</label>
            <textarea id="tandem-draft" rows="2" placeholder=texts.t("chat.placeholder")
                prop:value=move || draft.get()
                on:input=move |ev| {
                    draft.set(event_target_value(&ev));
                    chat.typed();
                }
                on:keydown=on_key></textarea>
            <button type="button" class="primary send" on:click=move |_| send()>{texts.t("chat.send")}</button>
        </div>
        <button type="button" class="link end" on:click=move |_| chat.end()>{texts.t("chat.end")}</button>
    }
}
