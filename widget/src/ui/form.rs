//! The pre-chat form: name, email or phone, company, reason. Checked as the relay checks it,
//! with the error next to the field.

use super::{SiteIdentity, Ui};
use crate::chat::Chat;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use tandem_shared::model::ChatRequest;

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

/// The form a visitor fills in before chatting.
#[component]
pub(crate) fn PreChatForm() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let texts = expect_context::<Ui>().texts;
    let identity = expect_context::<SiteIdentity>().0;
    let [name, email, phone, company, reason] =
        std::array::from_fn(|_| RwSignal::new(String::new()));
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
            page_url: web_sys::window().and_then(|w| w.location().href().ok()),
            locale: Some(texts.locale().code().to_owned()),
            identity: identity.clone(),
        };
        match request.validated() {
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
        <form class="prechat" on:submit=submit novalidate>
            <p class="intro">{texts.t("widget.intro")}</p>
            <Field name="name" label=texts.t("form.name") autocomplete="name" value=name error=error/>
            <Field name="email" label=texts.t("form.email") kind="email" autocomplete="email" value=email error=error/>
            <Field name="phone" label=texts.t("form.phone") kind="tel" autocomplete="tel" value=phone error=error/>
            <p class="hint">{texts.t("form.contact_hint")}</p>
            <Field name="company" label=texts.t("form.company") autocomplete="organization" value=company error=error/>
            <label for="tandem-reason">{texts.t("form.reason")}</label>
            <textarea id="tandem-reason" name="reason" rows="3"
                aria-invalid=move || if error.get().is_some_and(|(f, _)| f == "reason") { "true" } else { "false" }
                prop:value=move || reason.get()
                on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
            <p class="field-error">{move || error.get().filter(|(f, _)| *f == "reason").map(|(_, t)| t)}</p>
            <p class="field-error" role="alert">{server_error}</p>
            <button type="submit" class="primary">{texts.t("form.submit")}</button>
        </form>
    }
}
