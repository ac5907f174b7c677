//! The wrap-up of an ended conversation: resolution (required) and the CRM fields.

use super::Ui;
use crate::desk::DeskHandle;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use tandem_shared::model::{Resolution, WrapUp};
use tandem_shared::ConversationId;

/// One optional text field of the wrap-up.
#[component]
fn WrapField(
    /// Field name.
    name: &'static str,
    /// Label.
    label: &'static str,
    /// Value.
    value: RwSignal<String>,
) -> impl IntoView {
    view! {
        <label for=name>{label}</label>
        <textarea id=name name=name rows="2" prop:value=move || value.get()
            on:input=move |ev| value.set(event_target_value(&ev))></textarea>
    }
}

/// Records how the conversation ended.
#[component]
pub(crate) fn WrapUpForm(
    /// The ended conversation.
    id: ConversationId,
) -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let handle = expect_context::<DeskHandle>();
    let resolution = RwSignal::new(Resolution::Resolved);
    let [answer, agreed, actions, compensation, prevention] =
        std::array::from_fn(|_| RwSignal::new(String::new()));
    let follow_up = RwSignal::new(String::new());
    let error = RwSignal::new(None::<&'static str>);
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let text = |s: RwSignal<String>| Some(s.get_untracked());
        let wrap_up = WrapUp {
            resolution: resolution.get_untracked(),
            answer: text(answer),
            agreed_solution: text(agreed),
            actions_taken: text(actions),
            follow_up_date: text(follow_up),
            compensation: text(compensation),
            prevention: text(prevention),
        };
        match wrap_up.validated() {
            Ok(wrap_up) => {
                error.set(None);
                handle.wrap_up(id.clone(), wrap_up);
            }
            Err(problem) => error.set(Some(texts.t(problem.text_key()))),
        }
    };
    view! {
        <form class="wrap-up" on:submit=submit>
            <h3>{texts.t("console.wrap_up")}</h3>
            <label for="resolution">{texts.t("console.resolution")}</label>
            <select id="resolution" name="resolution" on:change=move |ev| {
                if let Some(r) = Resolution::parse(&event_target_value(&ev)) {
                    resolution.set(r);
                }
            }>
                {Resolution::ALL.map(|r| view! {
                    <option value=r.as_str()>{texts.t(&format!("console.resolution.{}", r.as_str())).to_owned()}</option>
                }).collect_view()}
            </select>
            <WrapField name="answer" label=texts.t("console.answer") value=answer/>
            <WrapField name="agreed_solution" label=texts.t("console.agreed_solution") value=agreed/>
            <WrapField name="actions_taken" label=texts.t("console.actions_taken") value=actions/>
            <label for="follow_up_date">{texts.t("console.follow_up_date")}</label>
            <input id="follow_up_date" name="follow_up_date" type="date" prop:value=move || follow_up.get()
                on:input=move |ev| follow_up.set(event_target_value(&ev))/>
            <WrapField name="compensation" label=texts.t("console.compensation") value=compensation/>
            <WrapField name="prevention" label=texts.t("console.prevention") value=prevention/>
            <p class="error" role="alert">{move || error.get()}</p>
            <button type="submit" class="primary">{texts.t("console.save_wrap_up")}</button>
        </form>
    }
}
