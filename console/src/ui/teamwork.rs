//! Teamwork on the chat on screen: hand-overs and internal notes (only advisers see them),
//! transfer to a queue, a level or a colleague, and questions to a colleague.

use super::{Queues, Ui};
use crate::desk::DeskHandle;
use leptos::prelude::*;
use tandem_shared::desk::{TransferTarget, MAX_LEVEL, MIN_LEVEL};
use tandem_shared::{AdviserId, ConversationId};
use web_client::browser::clock;

/// Reads a transfer choice (`queue:billing`, `level:2`, `adviser:<id>`).
fn target(choice: &str) -> Option<TransferTarget> {
    let (kind, value) = choice.split_once(':')?;
    match kind {
        "queue" => Some(TransferTarget::Queue {
            queue: value.to_owned(),
        }),
        "level" => value
            .parse()
            .ok()
            .map(|level| TransferTarget::Level { level }),
        "adviser" => Some(TransferTarget::Adviser {
            adviser_id: AdviserId(value.to_owned()),
        }),
        _ => None,
    }
}

/// Notes, hand-overs, transfer and questions for one chat.
#[component]
pub(crate) fn TeamPanel(
    /// The chat.
    id: ConversationId,
) -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let handle = expect_context::<DeskHandle>();
    let queues = expect_context::<Queues>().0;
    let locale = texts.locale().code();
    let chat_id = id.clone();
    let detail = Memo::new(move |_| {
        handle
            .desk
            .with(|d| d.chat(&chat_id).map(|c| c.detail.clone()))
    });
    let detail = move || detail.get();
    let watch_id = id.clone();
    let watching = Memo::new(move |_| {
        handle
            .desk
            .with(|d| d.chat(&watch_id).is_some_and(|c| c.watching))
    });
    let me = move || handle.desk.with(|d| d.me.as_ref().map(|m| m.id.clone()));
    // Rebuilt only when the list itself changes, so a choice in the selects below stays.
    let colleagues = Memo::new(move |_| {
        let me = me();
        handle.desk.with(|d| {
            d.colleagues
                .iter()
                .filter(|c| c.online && Some(&c.id) != me.as_ref())
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let colleagues = move || colleagues.get();
    let note = RwSignal::new(String::new());
    let choice = RwSignal::new(String::new());
    let transfer_note = RwSignal::new(String::new());
    let question = RwSignal::new(String::new());
    let ask_to = RwSignal::new(String::new());
    let add_note = {
        let id = id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let body = note.get_untracked();
            if !body.trim().is_empty() {
                handle.add_note(id.clone(), body);
                note.set(String::new());
            }
        }
    };
    let transfer = {
        let id = id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let body = transfer_note.get_untracked();
            if let Some(target) = target(&choice.get_untracked()) {
                if !body.trim().is_empty() {
                    handle.transfer(id.clone(), target, body);
                }
            }
        }
    };
    let ask = {
        let id = id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let body = question.get_untracked();
            let to = ask_to.get_untracked();
            if !body.trim().is_empty() && !to.is_empty() {
                handle.ask(AdviserId(to), Some(id.clone()), body);
                question.set(String::new());
            }
        }
    };
    let messages = move || handle.desk.with(|d| d.colleague_messages.clone());
    view! {
        <section class="team">
            <h2>{texts.t("console.notes")}</h2>
            <ul class="notes">
                {move || detail().map(|d| d.handovers.into_iter().map(|h| view! {
                    <li class="handover">{texts.format("console.handed_over", &[("from", &h.from), ("to", &h.to), ("note", &h.note)])}</li>
                }).collect_view())}
                {move || detail().map(|d| d.notes.into_iter().map(|n| view! {
                    <li class="internal-note"><span class="who">{n.author}" · "{clock(n.at_ms)}</span><p>{n.body}</p></li>
                }).collect_view())}
            </ul>
            <form class="add-note" on:submit=add_note>
                <label class="sr-only" for="note">{move || texts.t(if watching.get() { "console.whisper" } else { "console.notes" })}</label>
                <textarea id="note" rows="2"
                    placeholder=move || texts.t(if watching.get() { "console.whisper_placeholder" } else { "console.note_placeholder" })
                    prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                <button type="submit" class="secondary">{move || texts.t(if watching.get() { "console.whisper" } else { "console.add_note" })}</button>
            </form>
            <Show when=move || !watching.get() && detail().is_some_and(|d| d.status == tandem_shared::model::ConversationStatus::Active)>
                <form class="transfer" on:submit=transfer.clone()>
                    <h2>{texts.t("console.transfer")}</h2>
                    <label for="transfer-to">{texts.t("console.transfer_to")}</label>
                    <select id="transfer-to" on:change=move |ev| choice.set(event_target_value(&ev))>
                        <option value="">"—"</option>
                        {(MIN_LEVEL..=MAX_LEVEL).map(|level| view! {
                            <option value=format!("level:{level}")>{texts.format("console.level", &[("level", &level.to_string())])}</option>
                        }).collect_view()}
                        {move || queues.get().into_iter().map(|q| view! {
                            <option value=format!("queue:{}", q.key)>{texts.t("console.queue_label")}" "{q.name(locale).to_owned()}</option>
                        }).collect_view()}
                        {move || colleagues().into_iter().map(|c| {
                            let value = format!("adviser:{}", c.id);
                            let chosen = value.clone();
                            view! {
                                <option value=value selected=move || choice.get() == chosen>{c.display_name}</option>
                            }
                        }).collect_view()}
                    </select>
                    <label for="transfer-note">{texts.t("console.transfer_note")}</label>
                    <textarea id="transfer-note" rows="2" prop:value=move || transfer_note.get()
                        on:input=move |ev| transfer_note.set(event_target_value(&ev))></textarea>
                    <button type="submit" class="primary">{texts.t("console.transfer_send")}</button>
                </form>
            </Show>
            <form class="ask" on:submit=ask>
                <h2>{texts.t("console.ask_colleague")}</h2>
                <select aria-label=texts.t("console.ask_colleague") on:change=move |ev| ask_to.set(event_target_value(&ev))>
                    <option value="">"—"</option>
                    {move || colleagues().into_iter().map(|c| {
                        let value = c.id.to_string();
                        let chosen = value.clone();
                        view! {
                            <option value=value selected=move || ask_to.get() == chosen>{c.display_name}</option>
                        }
                    }).collect_view()}
                </select>
                <input type="text" aria-label=texts.t("console.question_for_colleague") prop:value=move || question.get() on:input=move |ev| question.set(event_target_value(&ev))/>
                <button type="submit" class="secondary">{texts.t("console.ask")}</button>
            </form>
            <ul class="colleague-messages" aria-live="polite">
                {move || messages().into_iter().map(|m| view! {
                    <li><span class="who">{texts.format("console.colleague_from", &[("name", &m.from_name)])}" · "{clock(m.at_ms)}</span><p>{m.body}</p></li>
                }).collect_view()}
            </ul>
        </section>
    }
}
