//! The pre-chat form: name, email or phone, company, reason. Checked as the relay checks it,
//! with the error next to the field. Drawn with the DOM's own calls (see [`super::dom`]): it
//! is what the launcher's click shows, so it comes in the click's module without Leptos's
//! views.

use super::dom::{
    bind_attribute, bind_text, child, effect, element, field_value, listen, show_when,
};
use super::Ui;
use crate::chat::Chat;
use crate::config::VisitorHints;
use leptos::leptos_dom::helpers::TimeoutHandle;
use leptos::prelude::*;
use tandem_shared::desk::QueueInfo;
use tandem_shared::model::ChatRequest;
use web_client::browser::date_time;

/// The pause in typing after which suggestions are asked for.
const SUGGEST_AFTER: std::time::Duration = std::time::Duration::from_millis(350);

/// What the visitor typed in the form: kept while the panel closes, reopens or changes
/// language.
#[derive(Clone, Copy)]
pub(crate) struct FormValues {
    name: RwSignal<String>,
    email: RwSignal<String>,
    phone: RwSignal<String>,
    company: RwSignal<String>,
    reason: RwSignal<String>,
    /// The topic picked (a queue's key; empty: the first one).
    topic: RwSignal<String>,
    /// The callback slot picked (ms since the epoch; empty: none).
    slot: RwSignal<String>,
    /// The field with an error, if any, and the error's text.
    error: RwSignal<Option<(&'static str, String)>>,
}

impl FormValues {
    /// An empty form, starting on `invited_topic` (the invitation the chat was opened from),
    /// filled with what the site tells about the visitor (again when it tells more).
    pub(crate) fn new(invited_topic: Option<String>, hints: RwSignal<VisitorHints>) -> Self {
        let [name, email, phone, company, reason, slot] =
            std::array::from_fn(|_| RwSignal::new(String::new()));
        let values = FormValues {
            name,
            email,
            phone,
            company,
            reason,
            topic: RwSignal::new(invited_topic.unwrap_or_default()),
            slot,
            error: RwSignal::new(None),
        };
        effect(move || {
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
        values
    }
}

/// One labelled input with its error.
struct Field {
    name: &'static str,
    label: &'static str,
    kind: &'static str,
    autocomplete: &'static str,
    value: RwSignal<String>,
}

fn draw_field(
    form: &web_sys::Element,
    field: Field,
    error: RwSignal<Option<(&'static str, String)>>,
) {
    let id = format!("tandem-{}", field.name);
    let error_id = format!("tandem-{}-error", field.name);
    child(form, "label", &[("for", &id)], field.label);
    let input = child(
        form,
        "input",
        &[
            ("id", &id),
            ("name", field.name),
            ("type", field.kind),
            ("autocomplete", field.autocomplete),
            ("aria-describedby", &error_id),
        ],
        "",
    );
    bind_value(&input, field.value);
    draw_error(form, &input, field.name, Some(&error_id), error);
}

/// Marks `input` invalid while `error` is about the field `name`, and says why at the end of
/// `form` (in an element with `id`, when given).
fn draw_error(
    form: &web_sys::Element,
    input: &web_sys::Element,
    name: &'static str,
    id: Option<&str>,
    error: RwSignal<Option<(&'static str, String)>>,
) {
    let message = move || {
        error
            .get()
            .filter(|(field, _)| *field == name)
            .map(|(_, text)| text)
    };
    bind_attribute(input, "aria-invalid", move || {
        message().is_some().to_string()
    });
    let shown = match id {
        Some(id) => child(form, "p", &[("class", "field-error"), ("id", id)], ""),
        None => child(form, "p", &[("class", "field-error")], ""),
    };
    bind_text(&shown, move || message().unwrap_or_default());
}

/// Keeps the field's value and `value` the same, both ways.
fn bind_value(field: &web_sys::Element, value: RwSignal<String>) {
    use wasm_bindgen::JsCast;
    let input = field.clone();
    effect(move || {
        let now = value.get();
        if let Some(input) = input.dyn_ref::<web_sys::HtmlInputElement>() {
            if input.value() != now {
                input.set_value(&now);
            }
        } else if let Some(area) = input.dyn_ref::<web_sys::HtmlTextAreaElement>() {
            if area.value() != now {
                area.set_value(&now);
            }
        }
    });
    listen(field, "input", move |event| value.set(field_value(&event)));
}

/// Draws the form a visitor fills in before chatting into `body`.
pub(crate) fn draw_pre_chat_form(
    body: &web_sys::Element,
    values: FormValues,
    greeting: Option<String>,
    hints: RwSignal<VisitorHints>,
) {
    let chat = expect_context::<Chat>();
    let texts = expect_context::<Ui>().texts;
    // What follows the form comes while the visitor fills it in.
    super::screens::prefetch_soon();
    let FormValues {
        name,
        email,
        phone,
        company,
        reason,
        topic,
        slot,
        error,
    } = values;
    let locale = texts.locale().code();
    // The chosen topic (the first one until the visitor picks).
    let chosen = move || -> Option<QueueInfo> {
        let picked = topic.get();
        chat.model.with(|m| {
            m.queues
                .iter()
                .find(|q| q.key == picked)
                .or(m.queues.first())
                .cloned()
        })
    };
    // Offline when the topic cannot be answered now, or the wait passes the site's threshold.
    let offline = move || chosen().is_some_and(|q| !q.available);

    let form = child(
        body,
        "form",
        &[("class", "prechat"), ("novalidate", "")],
        "",
    );
    listen(&form, "input", |_| super::screens::prefetch());
    let intro = greeting.unwrap_or_else(|| texts.t("widget.intro").to_owned());
    child(&form, "p", &[("class", "intro")], &intro);
    for field in [
        Field {
            name: "name",
            label: texts.t("form.name"),
            kind: "text",
            autocomplete: "name",
            value: name,
        },
        Field {
            name: "email",
            label: texts.t("form.email"),
            kind: "email",
            autocomplete: "email",
            value: email,
        },
        Field {
            name: "phone",
            label: texts.t("form.phone"),
            kind: "tel",
            autocomplete: "tel",
            value: phone,
        },
    ] {
        draw_field(&form, field, error);
    }
    child(
        &form,
        "p",
        &[("class", "hint")],
        texts.t("form.contact_hint"),
    );
    let company_field = Field {
        name: "company",
        label: texts.t("form.company"),
        kind: "text",
        autocomplete: "organization",
        value: company,
    };
    draw_field(&form, company_field, error);

    child(
        &form,
        "label",
        &[("for", "tandem-reason")],
        texts.t("form.reason"),
    );
    let area = child(
        &form,
        "textarea",
        &[("id", "tandem-reason"), ("name", "reason"), ("rows", "3")],
        "",
    );
    bind_value(&area, reason);
    // As the visitor types their reason, matching knowledge-base articles are suggested (asked
    // once they pause, so a fast typist sends one request, not one per key).
    let pending_suggest = StoredValue::new(None::<TimeoutHandle>);
    listen(&area, "input", move |event| {
        let text = field_value(&event);
        if let Some(handle) = pending_suggest.get_value() {
            handle.clear();
        }
        let handle =
            set_timeout_with_handle(move || chat.suggest(text, locale), SUGGEST_AFTER).ok();
        pending_suggest.set_value(handle);
    });
    draw_error(&form, &area, "reason", None, error);
    super::screens::draw_suggested_articles(&form);

    draw_topics(&form, topic, locale);
    draw_offline(&form, slot, chosen, offline);

    let server_error = child(
        &form,
        "p",
        &[("class", "field-error"), ("role", "alert")],
        "",
    );
    bind_text(&server_error, move || {
        chat.model
            .with(|m| m.error.clone())
            .map(|(_, _, message)| texts.format("error.server", &[("message", &message)]))
            .unwrap_or_default()
    });
    let waiting = element(
        "p",
        &[
            ("class", "hint"),
            ("role", "status"),
            ("data-request-waiting", ""),
        ],
    );
    waiting.set_text_content(Some(texts.t("form.waiting_connection")));
    show_when(&form, &waiting, move || chat.waiting.get());
    let submit_button = child(
        &form,
        "button",
        &[("type", "submit"), ("class", "primary")],
        "",
    );
    bind_text(&submit_button, move || {
        let key = if !offline() {
            "form.submit"
        } else if slot.get().is_empty() {
            "form.leave_message"
        } else {
            "form.book_callback"
        };
        texts.t(key).to_owned()
    });

    listen(&form, "submit", move |event| {
        event.prevent_default();
        let request = ChatRequest {
            name: name.get_untracked(),
            email: Some(email.get_untracked()),
            phone: Some(phone.get_untracked()),
            company: Some(company.get_untracked()),
            reason: reason.get_untracked(),
            page_url: chat.cobrowse.page_url(),
            locale: Some(locale.to_owned()),
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
    });
}

/// The topic's list, when the site has more than one.
fn draw_topics(form: &web_sys::Element, topic: RwSignal<String>, locale: &'static str) {
    let chat = expect_context::<Chat>();
    let texts = expect_context::<Ui>().texts;
    let several = move || chat.model.with(|m| m.queues.len() > 1);
    let list = draw_choice(
        form,
        "topic",
        "queue",
        texts.t("form.topic"),
        topic,
        several,
    );
    effect(move || {
        list.set_text_content(None);
        let picked = topic.get_untracked();
        chat.model.with(|m| {
            for queue in &m.queues {
                let option = child(
                    &list,
                    "option",
                    &[("value", &queue.key)],
                    queue.name(locale),
                );
                if queue.key == picked {
                    let _ = option.set_attribute("selected", "");
                }
            }
        });
    });
}

/// A labelled list (`tandem-{id}`, named `name`) shown while `when` holds; the choice goes to
/// `value`. Gives the list, for its options.
fn draw_choice(
    form: &web_sys::Element,
    id: &str,
    name: &str,
    label: &str,
    value: RwSignal<String>,
    when: impl Fn() -> bool + Copy + 'static,
) -> web_sys::Element {
    let id = format!("tandem-{id}");
    let caption = element("label", &[("for", &id)]);
    caption.set_text_content(Some(label));
    show_when(form, &caption, when);
    let select = element("select", &[("id", &id), ("name", name)]);
    show_when(form, &select, when);
    listen(&select, "change", move |event| {
        value.set(field_value(&event))
    });
    select
}

/// Says why no adviser can answer now, and offers a callback instead.
fn draw_offline(
    form: &web_sys::Element,
    slot: RwSignal<String>,
    chosen: impl Fn() -> Option<QueueInfo> + Copy + 'static,
    offline: impl Fn() -> bool + Copy + 'static,
) {
    let texts = expect_context::<Ui>().texts;
    let why = element("p", &[("class", "offline"), ("role", "status")]);
    bind_text(&why, move || match chosen() {
        Some(q) if q.open_now && q.estimated_wait_secs.is_some() => texts.format(
            "form.wait_long",
            &[(
                "minutes",
                &q.estimated_wait_secs.unwrap_or(0).div_ceil(60).to_string(),
            )],
        ),
        _ => texts.t("form.unavailable").to_owned(),
    });
    show_when(form, &why, offline);
    let list = draw_choice(
        form,
        "callback",
        "callback",
        texts.t("form.callback"),
        slot,
        offline,
    );
    effect(move || {
        list.set_text_content(None);
        child(
            &list,
            "option",
            &[("value", "")],
            texts.t("form.callback_none"),
        );
        for at in chosen().map(|q| q.callback_slots_ms).unwrap_or_default() {
            child(
                &list,
                "option",
                &[("value", &at.to_string())],
                &date_time(at),
            );
        }
    });
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
