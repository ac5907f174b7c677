//! The pre-chat form: name, email or phone, company, reason. Checked as the relay checks it,
//! with the error next to the field.

use super::{SiteGreeting, SiteHints, Ui};
use crate::chat::Chat;
use leptos::ev::SubmitEvent;
use leptos::leptos_dom::helpers::TimeoutHandle;
use leptos::prelude::*;
use tandem_shared::model::ChatRequest;
use web_client::browser::date_time;

/// One labelled input with its error.
#[component]
fn Field(
    /// The field's name (matches the protocol's field names).
    name: &'static str,
    /// The label's text.
    label: &'static str,
    /// The input's type.
    #[prop(default = "text")]
    kind: &'static str,
    /// The browser's autofill hint.
    #[prop(default = "off")]
    autocomplete: &'static str,
    /// The value.
    value: RwSignal<String>,
    /// The field with an error, if any, and the error's text.
    error: RwSignal<Option<(&'static str, String)>>,
) -> impl IntoView {
    let id = format!("tandem-{name}");
    let error_id = format!("tandem-{name}-error");
    let message = move || {
        error
            .get()
            .filter(|(field, _)| *field == name)
            .map(|(_, text)| text)
    };
    view! {
        <label for=id.clone()>{label}</label>
        <input id=id name=name type=kind autocomplete=autocomplete
            aria-invalid=move || if message().is_some() { "true" } else { "false" }
            aria-describedby=error_id.clone()
            prop:value=move || value.get()
            on:input=move |ev| value.set(event_target_value(&ev)) />
        <p class="field-error" id=error_id>{message}</p>
    }
}

/// The pause in typing after which suggestions are asked for.
const SUGGEST_AFTER: std::time::Duration = std::time::Duration::from_millis(350);

/// The form a visitor fills in before chatting.
#[component]
pub(crate) fn PreChatForm() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let texts = expect_context::<Ui>().texts;
    // What follows the form comes while the visitor fills it in.
    super::screens::prefetch_soon();
    // As the visitor types their reason, matching knowledge-base articles are suggested (asked
    // once they pause, so a fast typist sends one request, not one per key).
    let pending_suggest = StoredValue::new(None::<TimeoutHandle>);
    let ask_suggestions = move |text: String| {
        if let Some(handle) = pending_suggest.get_value() {
            handle.clear();
        }
        let code = texts.locale().code();
        let handle = set_timeout_with_handle(move || chat.suggest(text, code), SUGGEST_AFTER).ok();
        pending_suggest.set_value(handle);
    };
    let greeting = use_context::<SiteGreeting>().and_then(|greeting| greeting.0);
    let hints = expect_context::<SiteHints>().0;
    let [name, email, phone, company, reason] =
        std::array::from_fn(|_| RwSignal::new(String::new()));
    // What the site knows about the visitor fills the form (again when it tells more).
    Effect::new(move |_| {
        let known = hints.get();
        for (field, value) in [
            (name, known.name),
            (email, known.email),
            (phone, known.phone),
            (company, known.company),
        ] {
            if let Some(value) = value.filter(|v| !v.trim().is_empty()) {
                field.set(value);
            }
        }
    });
    let locale = texts.locale().code();
    let queues = move || chat.model.with(|m| m.queues.clone());
    let invited = use_context::<super::InvitedTopic>().and_then(|t| t.0);
    let topic = RwSignal::new(invited.unwrap_or_default());
    // The chosen topic (the first one until the visitor picks).
    let chosen = move || {
        let picked = topic.get();
        chat.model.with(|m| {
            m.queues
                .iter()
                .find(|q| q.key == picked)
                .or(m.queues.first())
                .cloned()
        })
    };
    let slot = RwSignal::new(String::new());
    // Offline when the topic cannot be answered now, or the wait passes the site's threshold.
    let offline = move || chosen().is_some_and(|q| !q.available);
    let error = RwSignal::new(None::<(&'static str, String)>);
    let server_error = move || {
        chat.model
            .with(|m| m.error.clone())
            .map(|(_, _, message)| texts.format("error.server", &[("message", &message)]))
    };
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let request = ChatRequest {
            name: name.get_untracked(),
            email: Some(email.get_untracked()),
            phone: Some(phone.get_untracked()),
            company: Some(company.get_untracked()),
            reason: reason.get_untracked(),
            page_url: chat.cobrowse.page_url(),
            locale: Some(texts.locale().code().to_owned()),
            identity: hints.with_untracked(|h| h.identity()),
            queue: chosen().map(|q| q.key),
            // The relay knows the site from the connection.
            site: None,
        };
        match request.validated() {
            Ok(request) if offline() => {
                error.set(None);
                let callback_at = slot.get_untracked().parse::<i64>().ok();
                chat.leave_message(request, callback_at);
            }
            Ok(request) => {
                error.set(None);
                chat.start(request);
            }
            Err(problem) => {
                let field = if problem.field == "contact" {
                    "email"
                } else {
                    problem.field
                };
                error.set(Some((field, texts.t(problem.text_key()).to_owned())));
            }
        }
    };
    view! {
        <form class="prechat" on:submit=submit on:input=|_| super::screens::prefetch() novalidate>
            <p class="intro">{greeting.unwrap_or_else(|| texts.t("widget.intro").to_owned())}</p>
            <Field name="name" label=texts.t("form.name") autocomplete="name" value=name error=error/>
            <Field name="email" label=texts.t("form.email") kind="email" autocomplete="email" value=email error=error/>
            <Field name="phone" label=texts.t("form.phone") kind="tel" autocomplete="tel" value=phone error=error/>
            <p class="hint">{texts.t("form.contact_hint")}</p>
            <Field name="company" label=texts.t("form.company") autocomplete="organization" value=company error=error/>
            <label for="tandem-reason">{texts.t("form.reason")}</label>
            <textarea id="tandem-reason" name="reason" rows="3"
                aria-invalid=move || if error.get().is_some_and(|(f, _)| f == "reason") { "true" } else { "false" }
                prop:value=move || reason.get()
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    reason.set(text.clone());
                    ask_suggestions(text);
                }></textarea>
            <p class="field-error">{move || error.get().filter(|(f, _)| *f == "reason").map(|(_, t)| t)}</p>
            <super::screens::SuggestedArticles/>
            <Show when=move || { queues().len() > 1 }>
                <label for="tandem-topic">{texts.t("form.topic")}</label>
                <select id="tandem-topic" name="queue" on:change=move |ev| topic.set(event_target_value(&ev))>
                    {move || queues().into_iter().map(|q| {
                        let name = q.name(locale).to_owned();
                        let selected = q.key == topic.get_untracked();
                        view! { <option value=q.key.clone() selected=selected>{name}</option> }
                    }).collect_view()}
                </select>
            </Show>
            <Show when=offline>
                <p class="offline" role="status">{move || match chosen() {
                    Some(q) if q.open_now && q.estimated_wait_secs.is_some() => texts.format(
                        "form.wait_long",
                        &[("minutes", &q.estimated_wait_secs.unwrap_or(0).div_ceil(60).to_string())],
                    ),
                    _ => texts.t("form.unavailable").to_owned(),
                }}</p>
                <label for="tandem-callback">{texts.t("form.callback")}</label>
                <select id="tandem-callback" name="callback" on:change=move |ev| slot.set(event_target_value(&ev))>
                    <option value="">{texts.t("form.callback_none")}</option>
                    {move || chosen().map(|q| q.callback_slots_ms).unwrap_or_default().into_iter().map(|at| {
                        view! { <option value=at.to_string()>{date_time(at)}</option> }
                    }).collect_view()}
                </select>
            </Show>
            <p class="field-error" role="alert">{server_error}</p>
            <Show when=move || chat.waiting.get()>
                <p class="hint" role="status" data-request-waiting="">{texts.t("form.waiting_connection")}</p>
            </Show>
            <button type="submit" class="primary">{move || if !offline() {
                texts.t("form.submit")
            } else if slot.get().is_empty() {
                texts.t("form.leave_message")
            } else {
                texts.t("form.book_callback")
            }}</button>
        </form>
    }
}

/// The knowledge-base articles matching the reason typed (drawn from the screens' module,
/// fetched by then: the form's first keystroke asks for it).
#[component]
pub(super) fn Suggestions() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let texts = expect_context::<Ui>().texts;
    let suggestions = move || chat.model.with(|m| m.suggestions.clone());
    view! {
        <section class="faq" aria-live="polite" aria-labelledby="tandem-faq-title">
            <p class="faq-title" id="tandem-faq-title">{texts.t("form.faq_title")}</p>
            <ul>{move || suggestions().into_iter().map(|article| view! {
                <li><details><summary>{article.title}</summary><p>{article.body}</p></details></li>
            }).collect_view()}</ul>
            <p class="hint">{texts.t("form.faq_hint")}</p>
        </section>
    }
}
