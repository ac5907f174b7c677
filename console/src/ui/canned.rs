//! Canned answers: advisers manage them here and insert them in a chat by typing
//! `/shortcut` then Tab.

use super::{CannedAnswers, Ui};
use crate::api;
use leptos::prelude::*;
use leptos::task::spawn_local;
use tandem_shared::desk::CannedAnswer;
use tandem_shared::i18n::Locale;

/// The canned answer for `draft` (`/shortcut`), in `locale` if there is one, else any.
pub(crate) fn expand(
    answers: &[CannedAnswer],
    draft: &str,
    locale: Option<&str>,
) -> Option<String> {
    let shortcut = draft.trim().strip_prefix('/')?;
    let matching = || answers.iter().filter(|a| a.shortcut == shortcut);
    matching()
        .find(|a| Some(a.locale.as_str()) == locale)
        .or_else(|| matching().next())
        .map(|a| a.body.clone())
}

/// The canned answers page.
#[component]
pub(crate) fn CannedView() -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let answers = expect_context::<CannedAnswers>().0;
    let refresh = move || spawn_local(async move { answers.set(api::canned_answers().await) });
    let (shortcut, locale, body) = (
        RwSignal::new(String::new()),
        RwSignal::new(texts.locale().code().to_owned()),
        RwSignal::new(String::new()),
    );
    let error = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let answer = CannedAnswer {
            id: String::new(),
            shortcut: shortcut.get_untracked(),
            locale: locale.get_untracked(),
            body: body.get_untracked(),
        };
        spawn_local(async move {
            match api::save_canned(&answer).await {
                Ok(()) => {
                    error.set(None);
                    shortcut.set(String::new());
                    body.set(String::new());
                    refresh();
                }
                Err(message) => error.set(Some(message)),
            }
        });
    };
    view! {
        <section class="canned">
            <h2>{texts.t("console.canned")}</h2>
            <p class="hint">{texts.t("console.canned_hint")}</p>
            <ul class="canned-list">
                <For each=move || answers.get() key=|a| (a.id.clone(), a.body.clone()) children=move |a| {
                    let id = a.id.clone();
                    view! {
                        <li><code>"/"{a.shortcut}</code>" "<span class="tag">{a.locale}</span><p>{a.body}</p>
                            <button type="button" class="link" on:click=move |_| {
                                let id = id.clone();
                                spawn_local(async move { api::delete_canned(&id).await; refresh(); });
                            }>{texts.t("console.canned_delete")}</button>
                        </li>
                    }
                }/>
            </ul>
            <form class="canned-form" on:submit=save>
                <label for="canned-shortcut">{texts.t("console.canned_shortcut")}</label>
                <input id="canned-shortcut" prop:value=move || shortcut.get() on:input=move |ev| shortcut.set(event_target_value(&ev))/>
                <label for="canned-locale">{texts.t("console.canned_locale")}</label>
                <select id="canned-locale" prop:value=move || locale.get() on:change=move |ev| locale.set(event_target_value(&ev))>
                    {Locale::ALL.iter().map(|l| view! { <option value=l.code()>{l.code()}</option> }).collect_view()}
                </select>
                <label for="canned-body">{texts.t("console.canned_body")}</label>
                <textarea id="canned-body" rows="3" prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                <button type="submit" class="primary">{texts.t("console.canned_save")}</button>
                <p class="field-error" role="alert">{move || error.get()}</p>
            </form>
        </section>
    }
}
