//! A supervisor's live view: the chats in progress (to watch one), and the bar under a
//! watched chat (take it over, stop watching). Whispers go through the notes form.

use super::Ui;
use crate::desk::DeskHandle;
use leptos::prelude::*;
use tandem_shared::desk::TransferTarget;
use tandem_shared::{AdviserId, ConversationId};

/// How often the list of chats in progress is read again.
const LIVE_REFRESH: std::time::Duration = std::time::Duration::from_secs(10);

/// The chats advisers hold now, each with a watch button (supervisors and admins).
#[component]
pub(crate) fn LiveChats() -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let handle = expect_context::<DeskHandle>();
    let chats = RwSignal::new(Vec::new());
    let refresh =
        move || leptos::task::spawn_local(async move { chats.set(crate::api::live_chats().await) });
    refresh();
    if let Ok(ticker) = set_interval_with_handle(refresh, LIVE_REFRESH) {
        on_cleanup(move || ticker.clear());
    }
    // A chat taken or handed over changes the list: read it again.
    let on_desk = Memo::new(move |_| handle.desk.with(|d| d.chats.len()));
    Effect::new(move |_| {
        on_desk.track();
        refresh();
    });
    let on_screen = move |id: &ConversationId| handle.desk.with(|d| d.chat(id).is_some());
    view! {
        <section class="live-chats" data-live-chats="">
            <h2>{texts.t("console.live_chats")}" "<span class="count">{move || chats.with(Vec::len)}</span></h2>
            <Show when=move || chats.with(|c| !c.is_empty()) fallback=move || view! { <p class="empty">{texts.t("console.no_live_chats")}</p> }>
                <ul class="live">
                    <For each=move || chats.get() key=|c| (c.conversation_id.clone(), c.adviser_name.clone(), c.ended) children=move |chat| {
                        let id = chat.conversation_id.clone();
                        let shown = id.clone();
                        view! {
                            <li class="live-chat">
                                <strong>{chat.visitor_name.clone()}</strong>
                                " "<span class="held-by">{texts.format("console.held_by", &[("name", &chat.adviser_name)])}</span>
                                <p class="reason">{chat.reason.clone()}</p>
                                <span class="tag">{chat.queue.clone()}</span>
                                {chat.ended.then(|| view! { <span class="tag">{texts.t("console.ended")}</span> })}
                                <button type="button" class="secondary watch" data-watch=id.to_string()
                                    disabled=move || on_screen(&shown)
                                    on:click=move |_| handle.watch(id.clone())>{texts.t("console.watch")}</button>
                            </li>
                        }
                    }/>
                </ul>
            </Show>
        </section>
    }
}

/// Under a watched chat: what watching means, take over, stop watching.
#[component]
pub(crate) fn WatchBar(
    /// The chat watched.
    id: ConversationId,
) -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let handle = expect_context::<DeskHandle>();
    let take_id = id.clone();
    let give_id = id.clone();
    let to = RwSignal::new(String::new());
    // Online colleagues other than me (the chat's adviser refuses it with a clear error).
    let colleagues = Memo::new(move |_| {
        handle.desk.with(|d| {
            let me = d.me.as_ref().map(|m| m.id.clone());
            d.colleagues
                .iter()
                .filter(|c| c.online && Some(&c.id) != me.as_ref())
                .map(|c| (c.id.to_string(), c.display_name.clone()))
                .collect::<Vec<_>>()
        })
    });
    let reassign = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let chosen = to.get_untracked();
        if !chosen.is_empty() {
            let target = TransferTarget::Adviser {
                adviser_id: AdviserId(chosen),
            };
            handle.reassign(give_id.clone(), target);
        }
    };
    view! {
        <div class="watch-bar" data-watch-bar="">
            <p class="hint" role="status">{texts.t("console.watching_hint")}</p>
            <form class="reassign" on:submit=reassign>
                <label for="reassign-to">{texts.t("console.reassign")}</label>
                <select id="reassign-to" on:change=move |ev| to.set(event_target_value(&ev))>
                    <option value="">"—"</option>
                    {move || colleagues.get().into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                </select>
                <button type="submit" class="secondary">{texts.t("console.reassign_send")}</button>
            </form>
            <button type="button" class="primary take-over" data-take-over=""
                on:click=move |_| handle.take_over(take_id.clone())>{texts.t("console.take_over")}</button>
            <button type="button" class="secondary"
                on:click=move |_| handle.unwatch(id.clone())>{texts.t("console.stop_watching")}</button>
        </div>
    }
}
