//! The left column: the adviser's chats, then the waiting queue with a take button.

use super::Ui;
use crate::desk::DeskHandle;
use leptos::prelude::*;
use tandem_shared::access::AdviserRole;
use tandem_shared::model::Channel;
use web_client::browser::now_ms;

/// My chats and the queue.
#[component]
pub(crate) fn Sidebar() -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let handle = expect_context::<DeskHandle>();
    let chats = move || {
        handle.desk.with(|d| {
            d.chats
                .iter()
                .map(|c| {
                    (
                        c.detail.id.clone(),
                        c.detail.contact.name.clone(),
                        c.unread > 0,
                        c.ended(),
                        c.detail.channel == Channel::Phone,
                        c.watching,
                    )
                })
                .collect::<Vec<_>>()
        })
    };
    let selected = move || handle.desk.with(|d| d.selected.clone());
    let queue = move || handle.desk.with(|d| d.queue.clone());
    // Waiting times tick on their own, not only when the queue changes.
    let now = RwSignal::new(now_ms());
    if let Ok(ticker) = set_interval_with_handle(
        move || now.set(now_ms()),
        std::time::Duration::from_secs(15),
    ) {
        on_cleanup(move || ticker.clear());
    }
    view! {
        <nav class="sidebar">
            <JoinByCode/>
            <h2>{texts.t("console.my_chats")}</h2>
            <Show when=move || !chats().is_empty() fallback=move || view! { <p class="empty">{texts.t("console.no_chats")}</p> }>
                <ul class="chats">
                    <For each=chats key=|c| (c.0.clone(), c.2, c.3, c.5) children=move |(id, name, unread, ended, phone, watching)| {
                        let current = id.clone();
                        view! {
                            <li>
                                <button type="button" class="chat-link" class:unread=unread
                                    aria-current=move || if selected().as_ref() == Some(&current) { "true" } else { "false" }
                                    on:click=move |_| handle.desk.update(|d| d.select(&id))>
                                    {name}
                                    {phone.then(|| view! { <span class="tag">{texts.t("console.phone")}</span> })}
                                    {ended.then(|| view! { <span class="tag">{texts.t("console.ended")}</span> })}
                                    {watching.then(|| view! { <span class="tag watching-tag">{texts.t("console.watching")}</span> })}
                                </button>
                            </li>
                        }
                    }/>
                </ul>
            </Show>
            {move || super::role_allows(AdviserRole::Supervisor).then(|| view! { <super::supervise::LiveChats/> })}
            <h2>{texts.t("console.queue")}" "<span class="count">{move || queue().len()}</span></h2>
            <Show when=move || !queue().is_empty() fallback=move || view! { <p class="empty">{texts.t("console.queue_empty")}</p> }>
                <ol class="queue">
                    <For each=queue key=|e| e.conversation_id.clone() children=move |entry| {
                        let requested = entry.requested_at_ms;
                        let waited = move || {
                            let minutes = ((now.get() - requested).max(0) / 60_000).to_string();
                            texts.format("console.waiting_for", &[("minutes", &minutes)])
                        };
                        let id = entry.conversation_id.clone();
                        view! {
                            <li class="waiting">
                                <strong>{entry.visitor_name.clone()}</strong>
                                {entry.company.clone().map(|c| view! { <span class="company">{c}</span> })}
                                <p class="reason">{entry.reason.clone()}</p>
                                <span class="tag">{entry.queue.clone()}</span>
                                {(entry.level > 1).then(|| view! { <span class="tag level-tag">{texts.format("console.level", &[("level", &entry.level.to_string())])}</span> })}
                                <span class="since">{waited}</span>
                                <button type="button" class="primary take" on:click=move |_| handle.take(id.clone())>
                                    {texts.t("console.take")}
                                </button>
                            </li>
                        }
                    }/>
                </ol>
            </Show>
        </nav>
    }
}

/// The code a caller reads out after clicking « Share my page »: typing it opens their chat
/// here and asks them to let the adviser see their page.
#[component]
fn JoinByCode() -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let handle = expect_context::<DeskHandle>();
    let code = RwSignal::new(String::new());
    // The relay's answer to the code last typed here, when it refused it.
    let tried = RwSignal::new(false);
    // A chat that opens (the caller's) answers the code: later errors are not the code's.
    let chat_count = Memo::new(move |_| handle.desk.with(|d| d.chats.len()));
    Effect::new(move |_| {
        chat_count.track();
        tried.set(false);
    });
    let refused = move || {
        tried
            .get()
            .then(|| handle.desk.with(|d| d.error.clone()))
            .flatten()
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = code.get_untracked();
        if typed.trim().is_empty() {
            return;
        }
        tried.set(true);
        code.set(String::new());
        handle.join_by_code(typed);
    };
    view! {
        <form class="join-code" on:submit=submit>
            <label for="join-code">{texts.t("console.join_code")}</label>
            <div class="row">
                <input id="join-code" name="join-code" inputmode="numeric" autocomplete="off"
                    maxlength="11" placeholder="123 456" data-join-code=""
                    prop:value=move || code.get()
                    on:input=move |ev| { tried.set(false); code.set(event_target_value(&ev)) }/>
                <button type="submit" class="primary">{texts.t("console.join")}</button>
            </div>
            <p class="field-error" role="alert" data-join-error="">{refused}</p>
        </form>
    }
}
