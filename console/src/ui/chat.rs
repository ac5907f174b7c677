//! The conversation on screen: messages, visitor typing, composer, end, then wrap-up.

use super::wrap_up::WrapUpForm;
use super::Ui;
use crate::desk::DeskHandle;
use crate::model::HeldChat;
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use tandem_shared::files::{human_size, SharedFile, ACCEPTED_TYPES};
use tandem_shared::{ConversationEvent, ConversationId, EventKind, Role};
use wasm_bindgen::JsCast;
use web_client::browser::clock;

/// The selected conversation, or a hint to pick one.
#[component]
pub(crate) fn ChatPane() -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let handle = expect_context::<DeskHandle>();
    let selected = Memo::new(move |_| handle.desk.with(|d| d.selected.clone()));
    view! {
        <section class="chat-pane">
            {move || match selected.get() {
                Some(id) => view! { <ChatView id/> }.into_any(),
                None => view! {
                    <p class="notice" role="status">{move || handle.desk.with(|d| d.notice.clone())
                        .map(|to| texts.format("console.transferred_away", &[("to", &to)]))}</p>
                    <p class="empty">{texts.t("console.pick_chat")}</p>
                }.into_any(),
            }}
        </section>
    }
}

/// A shared file: a picture shown small (opens full size), a PDF as a link with its size.
fn file_view(file: SharedFile, ui: Ui) -> impl IntoView {
    let size = human_size(file.bytes, ui.texts.locale().code());
    if file.is_image() {
        view! {
            <a class="file" href=file.path.clone() target="_blank" rel="noopener">
                <img class="shot" src=file.path.clone() alt=file.name.clone()/>
            </a>
        }
        .into_any()
    } else {
        view! {
            <a class="file" href=file.path.clone() target="_blank" rel="noopener" download=file.name.clone()>
                "📄 "{file.name.clone()}" ("{size}")"
            </a>
        }
        .into_any()
    }
}

fn line(event: ConversationEvent, ui: Ui) -> impl IntoView {
    let time = clock(event.at_ms);
    match event.kind {
        EventKind::Message {
            author, body, file, ..
        } => {
            let mine = author.role == Role::Adviser;
            let content = match file {
                Some(file) => file_view(file, ui).into_any(),
                None => view! { <p class="text">{body}</p> }.into_any(),
            };
            view! {
                <li class="msg" class:mine=mine class:theirs=!mine>
                    <span class="who">{author.name}" · "{time}</span>
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
            view! { <li class="note">{ui.texts.t("cobrowse.started_console")}</li> }.into_any()
        }
        EventKind::CobrowseEnded { by } => {
            let key = match by {
                Role::Visitor => "cobrowse.visitor_stopped",
                Role::Adviser => "cobrowse.you_stopped",
                Role::System => "console.cobrowse.ended",
            };
            view! { <li class="note">{ui.texts.t(key)}</li> }.into_any()
        }
        EventKind::Ended { by } => {
            let key = if by == Role::Visitor {
                "console.visitor_ended"
            } else {
                "chat.ended_by_adviser"
            };
            view! { <li class="note">{ui.texts.t(key)}</li> }.into_any()
        }
    }
}

/// One conversation.
#[component]
fn ChatView(
    /// The conversation shown.
    id: ConversationId,
) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let texts = ui.texts;
    let handle = expect_context::<DeskHandle>();
    let chat_id = id.clone();
    let chat = Memo::new(move |_| handle.desk.with(|d| d.chat(&chat_id).cloned()));
    let read =
        move |f: fn(&HeldChat) -> String| chat.with(|c| c.as_ref().map(f).unwrap_or_default());
    let ended = Memo::new(move |_| chat.with(|c| c.as_ref().is_some_and(HeldChat::ended)));
    let watching = Memo::new(move |_| chat.with(|c| c.as_ref().is_some_and(|c| c.watching)));
    let watch_id = id.clone();
    let events = move || {
        chat.with(|c| {
            c.as_ref()
                .map(|c| c.detail.events.clone())
                .unwrap_or_default()
        })
    };
    let pending = move || chat.with(|c| c.as_ref().map(|c| c.pending.clone()).unwrap_or_default());
    let typing = move || {
        chat.with(|c| {
            c.as_ref()
                .filter(|c| c.visitor_typing)
                .map(|c| texts.format("chat.typing", &[("name", &c.detail.contact.name)]))
        })
    };
    let draft = RwSignal::new(String::new());
    let send = {
        let id = id.clone();
        move || {
            let body = draft.get_untracked().trim().to_owned();
            if !body.is_empty() {
                handle.say(id.clone(), body);
                draft.set(String::new());
            }
        }
    };
    let canned = expect_context::<super::CannedAnswers>().0;
    let on_key = {
        let send = send.clone();
        move |ev: KeyboardEvent| {
            if ev.key() == "Tab" && draft.get_untracked().starts_with('/') {
                let locale =
                    chat.with_untracked(|c| c.as_ref().and_then(|c| c.detail.locale.clone()));
                let expanded = canned.with_untracked(|answers| {
                    super::canned::expand(answers, &draft.get_untracked(), locale.as_deref())
                });
                if let Some(text) = expanded {
                    ev.prevent_default();
                    draft.set(text);
                }
                return;
            }
            if ev.key() == "Enter" && !ev.shift_key() {
                ev.prevent_default();
                send();
            }
        }
    };
    let typed_id = id.clone();
    let file_id = id.clone();
    let file_error = RwSignal::new(None::<String>);
    let end_id = id.clone();
    let cobrowse_id = id.clone();
    let cobrowse_running =
        Signal::derive(move || chat.with(|c| c.as_ref().is_some_and(HeldChat::cobrowse_running)));
    // Read receipts: what this chat shows in a visible tab counts as seen by the adviser.
    let visible = expect_context::<super::PageVisible>().0;
    let seen_id = id.clone();
    Effect::new(move |_| {
        let latest = chat.with(|c| c.as_ref().map_or(0, HeldChat::latest_visitor_message));
        if visible.get() && latest > 0 {
            handle.saw(&seen_id, latest);
        }
    });
    let list = NodeRef::<leptos::html::Ol>::new();
    Effect::new(move |_| {
        handle.desk.track();
        if let Some(list) = list.get() {
            list.set_scroll_top(list.scroll_height());
        }
    });
    view! {
        <header class="chat-head">
            <h2>{move || read(|c| c.detail.contact.name.clone())}</h2>
            <p><strong>{texts.t("console.reason")}": "</strong>{move || read(|c| c.detail.reason.clone())}
                " "<span class="tag queue-tag">{move || read(|c| c.detail.queue.clone())}</span>
                " "<span class="tag level-tag">{move || chat.with(|c| c.as_ref().map(|c| texts.format("console.level", &[("level", &c.detail.level.to_string())])))}</span></p>
            <p class="page" data-current-page="">{move || read(|c| c.current_page().unwrap_or_default())}</p>
        </header>
        {move || (!watching.get()).then(|| view! { <super::cobrowse::Cobrowse id=cobrowse_id.clone() running=cobrowse_running/> })}
        <ol class="messages" aria-live="polite" aria-relevant="additions" node_ref=list>
            <For each=events key=|e| e.seq children=move |event| line(event, ui)/>
            <For each=pending key=|p| p.client_msg_id.clone() children=move |p| view! {
                <li class="msg mine pending"><span class="who">{texts.t("chat.sending")}</span><p class="text">{p.body}</p></li>
            }/>
            {move || chat.with(|c| c.as_ref().is_some_and(HeldChat::own_message_seen))
                .then(|| view! { <li class="seen" data-seen="">{texts.t("chat.seen")}</li> })}
        </ol>
        <p class="typing" aria-live="polite">{typing}</p>
        {move || watching.get().then(|| view! { <super::supervise::WatchBar id=watch_id.clone()/> })}
        <Show when=move || !ended.get() && !watching.get() fallback=move || (!watching.get()).then(|| view! { <WrapUpForm id=id.clone()/> })>
            <div class="composer">
                <label class="sr-only" for="draft">{texts.t("chat.placeholder")}</label>
                <textarea id="draft" rows="3" placeholder=texts.t("chat.placeholder")
                    prop:value=move || draft.get()
                    on:input={
                        let typed_id = typed_id.clone();
                        move |ev| {
                            draft.set(event_target_value(&ev));
                            handle.typed(typed_id.clone());
                        }
                    }
                    on:keydown=on_key.clone()></textarea>
                <label class="attach secondary" title=texts.t("chat.attach")>
                    <input type="file" class="file-input" accept=ACCEPTED_TYPES on:change={
                        let file_id = file_id.clone();
                        move |ev| share_picked_file(ev, file_id.clone(), file_error)
                    }/>
                    <svg class="icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
                        <path d="M21.44 11.05l-9.19 9.19a6 6 0 0 1-8.49-8.49l9.19-9.19a4 4 0 0 1 5.66 5.66l-9.2 9.19a2 2 0 0 1-2.83-2.83l8.49-8.48"
                            fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>
                    </svg>
                    <span class="sr-only">{texts.t("chat.attach")}</span>
                </label>
                <button type="button" class="primary send" on:click={
                    let send = send.clone();
                    move |_| send()
                }>{texts.t("chat.send")}</button>
            </div>
            <p class="field-error" role="alert">{move || file_error.get()}</p>
            <button type="button" class="secondary end" on:click={
                let end_id = end_id.clone();
                move |_| handle.end(end_id.clone())
            }>{texts.t("console.end_chat")}</button>
        </Show>
    }
}

/// Sends the file picked in the composer to the chat; the relay's refusal is shown.
fn share_picked_file(ev: leptos::ev::Event, id: ConversationId, error: RwSignal<Option<String>>) {
    let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    let file = input.files().and_then(|files| files.get(0));
    input.set_value("");
    let Some(file) = file else { return };
    leptos::task::spawn_local(async move {
        error.set(crate::api::share_file(id.as_str(), file).await.err());
    });
}
