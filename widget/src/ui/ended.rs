//! After the chat: a thank-you, the transcript to download, and a way to start again.

use super::Ui;
use crate::chat::Chat;
use crate::transcript;
use leptos::prelude::*;
use tandem_shared::desk::Survey;

/// Shown once the chat has ended.
#[component]
pub(crate) fn EndedPanel() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let texts = expect_context::<Ui>().texts;
    let href = move || {
        let text = chat
            .model
            .with(|m| transcript::text(texts, texts.t("widget.title"), &m.events));
        transcript::download_url(&text)
    };
    view! {
        <div class="ended" role="status">
            <p>{texts.t("chat.ended")}</p>
            <a class="transcript" href=href download="transcript.txt">{texts.t("chat.transcript")}</a>
            {move || match chat.model.with(|m| m.transcript_sent_to.clone()) {
                Some(to) => view! {
                    <p class="transcript-sent">{texts.format("chat.transcript_sent", &[("to", &to)])}</p>
                }.into_any(),
                None => view! {
                    <button type="button" class="link email-transcript"
                        on:click=move |_| chat.email_transcript()>{texts.t("chat.email_transcript")}</button>
                }.into_any(),
            }}
            <p class="field-error" role="alert">{move || chat.model.with(|m| m.error.as_ref().map(|(_, _, message)| message.clone()))}</p>
            <Show when=move || chat.model.with(|m| m.events.iter().any(|e| matches!(e.kind, tandem_shared::EventKind::AdviserJoined { .. })))>
                <SurveyForm/>
            </Show>
            <button type="button" class="primary" on:click=move |_| chat.new_chat()>{texts.t("chat.new")}</button>
        </div>
    }
}

/// One score as a row of choices.
#[component]
fn Scale(
    /// The question.
    label: &'static str,
    /// The field name.
    name: &'static str,
    /// Lowest score.
    low: u8,
    /// Highest score.
    high: u8,
    /// The chosen score.
    value: RwSignal<Option<u8>>,
) -> impl IntoView {
    view! {
        <fieldset class="scale">
            <legend>{label}</legend>
            {(low..=high).map(|score| view! {
                <label class="score">
                    <input type="radio" name=name value=score.to_string()
                        on:change=move |_| value.set(Some(score))/>
                    <span>{score}</span>
                </label>
            }).collect_view()}
        </fieldset>
    }
}

/// The satisfaction survey: CSAT, CES, NPS and a comment, all optional.
#[component]
fn SurveyForm() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let texts = expect_context::<Ui>().texts;
    let (csat, ces, nps) = (
        RwSignal::new(None),
        RwSignal::new(None),
        RwSignal::new(None),
    );
    let comment = RwSignal::new(String::new());
    let saved = move || chat.model.with(|m| m.survey_saved);
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let comment = comment.get_untracked();
        chat.rate(Survey {
            csat: csat.get_untracked(),
            ces: ces.get_untracked(),
            nps: nps.get_untracked(),
            comment: (!comment.trim().is_empty()).then_some(comment),
        });
    };
    view! {
        <Show when=move || !saved() fallback=move || view! { <p class="survey-thanks">{texts.t("survey.thanks")}</p> }>
            <form class="survey" on:submit=send>
                <h3>{texts.t("survey.title")}</h3>
                <Scale label=texts.t("survey.csat") name="csat" low=1 high=5 value=csat/>
                <Scale label=texts.t("survey.ces") name="ces" low=1 high=7 value=ces/>
                <Scale label=texts.t("survey.nps") name="nps" low=0 high=10 value=nps/>
                <label for="tandem-survey-comment">{texts.t("survey.comment")}</label>
                <textarea id="tandem-survey-comment" rows="2"
                    on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                <button type="submit" class="primary">{texts.t("survey.send")}</button>
            </form>
        </Show>
    }
}
