//! A site's proactive invitations, edited in its form: where (a page pattern), after how many
//! seconds, what the bubble says in French and English, and which queue answers.

use super::Ui;
use crate::api::QueueSummary;
use leptos::prelude::*;
use tandem_shared::invitation::{InvitationRule, MAX_INVITATIONS_PER_SITE};
use tandem_shared::site::Texts;

/// A fresh rule, numbered after the others.
fn new_rule(n: usize) -> InvitationRule {
    InvitationRule {
        id: format!("invitation-{n}"),
        url_pattern: String::new(),
        after_secs: 30,
        message: Texts::default(),
        queue: None,
    }
}

/// The rules of the site being edited (saved with the site).
#[component]
pub(crate) fn InvitationRules(
    /// The rules, edited in place.
    rules: RwSignal<Vec<InvitationRule>>,
    /// Every queue, for the choice of who answers.
    queues: RwSignal<Vec<QueueSummary>>,
) -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let count = move || rules.with(Vec::len);
    let edit = move |i: usize, change: Box<dyn Fn(&mut InvitationRule)>| {
        rules.update(|rules| {
            if let Some(rule) = rules.get_mut(i) {
                change(rule);
            }
        });
    };
    let read = move |i: usize, f: fn(&InvitationRule) -> String| {
        rules.with(|rules| rules.get(i).map(f).unwrap_or_default())
    };
    view! {
        <fieldset class="invitations" data-invitations="">
            <legend>{texts.t("invite.title")}</legend>
            <p class="hint">{texts.t("invite.hint")}</p>
            <For each=move || 0..count() key=|i| *i children=move |i| {
                let id = |field: &str| format!("invitation-{i}-{field}");
                view! {
                    <div class="invitation" data-invitation=i.to_string()>
                        <label for=id("id")>{texts.t("invite.id")}</label>
                        <input id=id("id") prop:value=move || read(i, |r| r.id.clone())
                            on:input=move |ev| { let v = event_target_value(&ev); edit(i, Box::new(move |r| r.id = v.clone())) }/>
                        <label for=id("pattern")>{texts.t("invite.pattern")}</label>
                        <input id=id("pattern") placeholder="/pricing*" prop:value=move || read(i, |r| r.url_pattern.clone())
                            on:input=move |ev| { let v = event_target_value(&ev); edit(i, Box::new(move |r| r.url_pattern = v.clone())) }/>
                        <label for=id("after")>{texts.t("invite.after")}</label>
                        <input id=id("after") type="number" min="0" max="3600" prop:value=move || read(i, |r| r.after_secs.to_string())
                            on:input=move |ev| { let v = event_target_value(&ev).parse().unwrap_or(0); edit(i, Box::new(move |r| r.after_secs = v)) }/>
                        <label for=id("fr")>{texts.t("invite.message")}" (fr)"</label>
                        <input id=id("fr") prop:value=move || read(i, |r| r.message.fr.clone().unwrap_or_default())
                            on:input=move |ev| { let v = event_target_value(&ev); edit(i, Box::new(move |r| r.message.fr = Some(v.clone()))) }/>
                        <label for=id("en")>{texts.t("invite.message")}" (en)"</label>
                        <input id=id("en") prop:value=move || read(i, |r| r.message.en.clone().unwrap_or_default())
                            on:input=move |ev| { let v = event_target_value(&ev); edit(i, Box::new(move |r| r.message.en = Some(v.clone()))) }/>
                        <label for=id("queue")>{texts.t("invite.queue")}</label>
                        <select id=id("queue") prop:value=move || read(i, |r| r.queue.clone().unwrap_or_default())
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                edit(i, Box::new(move |r| r.queue = (!v.is_empty()).then(|| v.clone())))
                            }>
                            <option value="">{texts.t("invite.any_queue")}</option>
                            {move || queues.get().into_iter().map(|q| {
                                let name = q.name(texts.locale().code()).to_owned();
                                view! { <option value=q.key.clone()>{name}</option> }
                            }).collect_view()}
                        </select>
                        <button type="button" class="link" data-remove-invitation=""
                            on:click=move |_| rules.update(|rules| { if i < rules.len() { rules.remove(i); } })>
                            {texts.t("invite.remove")}</button>
                    </div>
                }
            }/>
            <Show when=move || { count() < MAX_INVITATIONS_PER_SITE }>
                <button type="button" class="secondary" data-add-invitation=""
                    on:click=move |_| rules.update(|rules| { let n = rules.len() + 1; rules.push(new_rule(n)); })>
                    {texts.t("invite.add")}</button>
            </Show>
        </fieldset>
    }
}
