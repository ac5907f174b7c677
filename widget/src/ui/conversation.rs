//! The conversation: messages (shown as text, never HTML), the adviser's typing indicator,
//! the composer and the end button.

use super::{RelayOrigin, Ui};
use crate::chat::Chat;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use tandem_shared::files::{human_size, SharedFile, ACCEPTED_TYPES};
use tandem_shared::{ConversationEvent, EventKind, Role};
use wasm_bindgen::JsCast;
use web_client::browser::clock;

/// A shared file: a picture shown small (opens full size), a PDF as a link with its size.
fn file_view(file: SharedFile, ui: Ui) -> impl IntoView {
    let relay = use_context::<RelayOrigin>()
        .map(|r| r.0)
        .unwrap_or_default();
    let url = format!("{relay}{}", file.path);
    let size = human_size(file.bytes, ui.texts.locale().code());
    if file.is_image() {
        let full_size = url.clone();
        view! {
            <a class="file" href=full_size target="_blank" rel="noopener">
                <img class="shot" src=url alt=file.name.clone()/>
            </a>
        }
        .into_any()
    } else {
        view! {
            <a class="file" href=url target="_blank" rel="noopener" download=file.name.clone()>
                "📄 "{file.name.clone()}" ("{size}")"
            </a>
        }
        .into_any()
    }
}

/// One line of the conversation.
fn event_view(event: ConversationEvent, ui: Ui) -> impl IntoView {
    let time = clock(event.at_ms);
    match event.kind {
        EventKind::Message {
            author, body, file, ..
        } => {
            let mine = author.role == Role::Visitor;
            let who = if mine {
                ui.texts.t("chat.you").to_owned()
            } else {
                author.name
            };
            let content = match file {
                Some(file) => file_view(file, ui).into_any(),
                None => view! { <p class="text">{body}</p> }.into_any(),
            };
            view! {
                <li class="msg" class:mine=mine class:theirs=!mine>
                    <span class="who">{who}" · "{time}</span>
                    {content}
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
            {move || chat.model.with(|m| m.own_message_seen() && m.pending.is_empty())
                .then(|| view! { <li class="seen" data-tandem-seen="">{ui.texts.t("chat.seen")}</li> })}
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
    let relay = use_context::<RelayOrigin>()
        .map(|r| r.0)
        .unwrap_or_default();
    let sending_file = RwSignal::new(false);
    let file_error = RwSignal::new(None::<&'static str>);
    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let file = input.files().and_then(|files| files.get(0));
        input.set_value("");
        let (Some(file), Some(token)) = (
            file,
            chat.model
                .with_untracked(|m| m.conversation.as_ref().map(|c| c.token.clone())),
        ) else {
            return;
        };
        let relay = relay.clone();
        sending_file.set(true);
        file_error.set(None);
        leptos::task::spawn_local(async move {
            let sent = crate::upload::upload(&relay, &token, file).await;
            sending_file.set(false);
            file_error.set(sent.err().map(|e| e.text_key()));
        });
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
            <label class="attach" title=texts.t("chat.attach")>
                <input type="file" class="file-input" accept=ACCEPTED_TYPES on:change=on_file
                    disabled=move || sending_file.get()/>
                <svg class="icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
                    <path d="M21.44 11.05l-9.19 9.19a6 6 0 0 1-8.49-8.49l9.19-9.19a4 4 0 0 1 5.66 5.66l-9.2 9.19a2 2 0 0 1-2.83-2.83l8.49-8.48"
                        fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>
                </svg>
                <span class="sr-only">{texts.t("chat.attach")}</span>
            </label>
            <button type="button" class="primary send" on:click=move |_| send()>{texts.t("chat.send")}</button>
        </div>
        <p class="file-status" role="status">{move || sending_file.get().then(|| texts.t("chat.file_sending"))}</p>
        <p class="field-error" role="alert">{move || file_error.get().map(|key| texts.t(key))}</p>
        <button type="button" class="link end" on:click=move |_| chat.end()>{texts.t("chat.end")}</button>
    }
}
