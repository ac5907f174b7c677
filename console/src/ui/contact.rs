//! The right column: the visitor's contact card and their previous sessions.

use super::Ui;
use crate::desk::DeskHandle;
use leptos::prelude::*;
use tandem_shared::model::{ContactMatch, ConversationStatus};
use web_client::browser::date_time;

/// Who the visitor is and what happened before.
#[component]
pub(crate) fn ContactPane() -> impl IntoView {
    let ui = expect_context::<Ui>();
    let texts = ui.texts;
    let handle = expect_context::<DeskHandle>();
    let record = expect_context::<super::OpenRecord>().0;
    let visit = Memo::new(move |_| {
        handle.desk.with(|d| {
            d.selected
                .as_ref()
                .and_then(|id| d.chat(id))
                .and_then(|c| c.detail.visit.clone())
        })
    });
    let page = expect_context::<RwSignal<super::Page>>();
    // Only what this pane shows: a new message, a typing indicator or a colleague's
    // presence must not rebuild it (that would wipe a note or transfer being written).
    let card = Memo::new(move |_| {
        handle.desk.with(|d| {
            d.selected.as_ref().and_then(|id| d.chat(id)).map(|c| {
                (
                    c.detail.id.clone(),
                    c.detail.contact.clone(),
                    c.detail.contact_match,
                    c.detail.history.clone(),
                )
            })
        })
    });
    let status = move |s: ConversationStatus| match s {
        ConversationStatus::Queued => texts.t("console.queued"),
        ConversationStatus::Active => texts.t("console.active"),
        ConversationStatus::Ended => texts.t("console.ended"),
    };
    view! {
        <aside class="contact">
            {move || card.get().map(|(id, contact, matched, history)| {
                // A typed match is not proof: the earlier sessions stay one click away.
                let unproven = matched == ContactMatch::Typed && !history.is_empty();
                let history_shown = RwSignal::new(!unproven);
                let earlier = history.len().to_string();
                let contact_id = contact.id.as_str().to_owned();
                let open_record = move |_| {
                    record.set(Some(contact_id.clone()));
                    page.set(super::Page::Contacts);
                };
                view! {
                    <h2>{texts.t("console.contact")}</h2>
                    <button type="button" class="link" data-open-record="" on:click=open_record>{texts.t("console.open_record")}</button>
                    <dl>
                        <dt>{texts.t("console.name")}</dt>
                        <dd>{contact.name}{contact.verified_user_id.map(|id| view! {
                            <span class="verified" title=id>" ✓ "{texts.t("console.verified")}</span>
                        })}</dd>
                        {contact.email.map(|e| view! { <dt>{texts.t("form.email")}</dt><dd>{e}</dd> })}
                        {contact.phone.map(|p| view! { <dt>{texts.t("form.phone")}</dt><dd>{p}</dd> })}
                        {contact.company.map(|c| view! { <dt>{texts.t("console.company")}</dt><dd>{c}</dd> })}
                    </dl>
                    {(matched == ContactMatch::Typed).then(|| view! {
                        <p class="unverified-match" role="note" data-unverified-match="">{texts.t("console.unverified_match")}</p>
                    })}
                    {move || visit.get().map(|v| super::visit::visit_view(v, ui, true))}
                    <h2>{texts.t("console.history")}</h2>
                    {move || (!history_shown.get()).then(|| view! {
                        <button type="button" class="secondary" data-show-history="" on:click=move |_| history_shown.set(true)>
                            {texts.format("console.show_history", &[("count", &earlier)])}
                        </button>
                    })}
                    {let history = history.clone(); move || history_shown.get().then(|| { let history = history.clone(); if history.is_empty() {
                        view! { <p class="empty">{texts.t("console.no_history")}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="history">
                                {history.into_iter().map(|past| {
                                    let resolution = past.wrap_up.as_ref().map(|w| {
                                        texts.t(&format!("console.resolution.{}", w.resolution.as_str())).to_owned()
                                    });
                                    let answer = past.wrap_up.and_then(|w| w.answer);
                                    view! {
                                        <li class="past">
                                            <span class="when">{date_time(past.requested_at_ms)}</span>
                                            " · "<span>{status(past.status)}</span>
                                            <p class="reason">{past.reason}</p>
                                            <p class="by">{past.advisers.join(", ")}{resolution.map(|r| format!(" — {r}"))}</p>
                                            {answer.map(|a| view! { <p class="answer">{a}</p> })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }})}
                    <super::teamwork::TeamPanel id=id/>
                }
            })}
        </aside>
    }
}
