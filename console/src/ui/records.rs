//! The Contacts page: search contacts by name, email, phone or company, and read a contact's
//! whole record — details, every session with its transcript, wrap-up, survey, hand-overs,
//! notes and co-browsing summary.

use super::{OpenRecord, Ui};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;
use tandem_shared::access::AdviserRole;

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Search and record.
#[component]
pub(crate) fn RecordsView() -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let open = expect_context::<OpenRecord>().0;
    let query = RwSignal::new(String::new());
    let found = RwSignal::new(None::<Vec<Value>>);
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let q = query.get_untracked();
        spawn_local(async move {
            found.set(Some(crate::api::search_contacts(q.trim()).await));
        });
    };
    view! {
        <h1>{texts.t("console.contacts")}</h1>
        {super::role_allows(AdviserRole::Admin).then(|| view! { <super::sync::SyncStatus/> })}
        <form class="contact-search" role="search" on:submit=search>
            <label for="contact-search">{texts.t("console.search_contacts")}</label>
            <input id="contact-search" type="search" minlength="2" maxlength="100"
                prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev))/>
            <button type="submit" class="primary">{texts.t("console.search")}</button>
        </form>
        {move || found.get().map(|contacts| if contacts.is_empty() {
            view! { <p class="empty">{texts.t("console.no_contacts")}</p> }.into_any()
        } else {
            view! {
                <ul class="found">
                    {contacts.into_iter().map(|c| {
                        let id = text(&c["id"]);
                        let line = [text(&c["email"]), text(&c["phone"]), text(&c["company"])]
                            .into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ");
                        view! {
                            <li><button type="button" class="link" data-contact=id.clone()
                                on:click=move |_| open.set(Some(id.clone()))>{text(&c["name"])}</button>
                                " "<span class="muted">{line}</span></li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        })}
        {move || open.get().map(|id| view! { <ContactRecord id/> })}
    }
}

/// One contact's record.
#[component]
fn ContactRecord(id: String) -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let record = RwSignal::new(None::<Value>);
    // Bumped after an edit or a note: the record is read again.
    let version = RwSignal::new(0u32);
    let record_id = id.clone();
    Effect::new(move |_| {
        version.get();
        let id = record_id.clone();
        spawn_local(async move {
            record.set(crate::api::contact_record(&id).await);
        });
    });
    move || {
        let id = id.clone();
        record.get().map(|r| {
            // The contact's fields sit at the top level of the record.
            let contact = r.clone();
            let sessions = r["sessions"].as_array().cloned().unwrap_or_default();
            let notes = r["notes"].as_array().cloned().unwrap_or_default();
            view! {
                <section class="record" aria-labelledby="record-title">
                    <h2 id="record-title">{text(&contact["name"])}</h2>
                    {super::role_allows(AdviserRole::Admin).then(|| view! {
                        <a class="export-record" download=format!("contact-{id}.json")
                            href=format!("/api/v1/contacts/{}/export", String::from(js_sys::encode_uri_component(&id)))>
                            {texts.t("console.export_record")}
                        </a>
                    })}
                    <ContactDetails id=id.clone() contact=contact.clone() version/>
                    {(!r["merge_candidate"].is_null() && super::role_allows(AdviserRole::Supervisor)).then(|| view! {
                        <MergeCandidate into=id.clone() candidate=r["merge_candidate"].clone() version/>
                    })}
                    <ContactNotes id=id.clone() notes version/>
                    <h3>{texts.format("console.session_count", &[("count", &sessions.len().to_string())])}</h3>
                    <ol class="sessions">
                        {sessions.into_iter().map(|s| view! { <SessionLine session=s/> }).collect_view()}
                    </ol>
                    {super::role_allows(AdviserRole::Admin).then(|| view! { <EraseContact id=id.clone()/> })}
                </section>
            }
        })
    }
}

/// An admin's "Erase this contact", asked twice; the relay's refusal is shown (a chat still
/// in progress).
#[component]
fn EraseContact(id: String) -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let open = expect_context::<OpenRecord>().0;
    let problem = RwSignal::new(None::<String>);
    let done = RwSignal::new(false);
    let erase = move |_| {
        let sure = web_sys::window()
            .and_then(|w| {
                w.confirm_with_message(texts.t("console.erase_confirm"))
                    .ok()
            })
            .unwrap_or(false);
        if !sure {
            return;
        }
        let id = id.clone();
        spawn_local(async move {
            match crate::api::erase_contact(&id).await {
                Ok(()) => {
                    done.set(true);
                    problem.set(None);
                }
                Err(message) => problem.set(Some(message)),
            }
        });
    };
    view! {
        <div class="erase">
            <Show when=move || !done.get() fallback=move || view! {
                <p role="status" data-erased="">{texts.t("console.erased")}" "
                    <button type="button" class="link" on:click=move |_| open.set(None)>"OK"</button></p>
            }>
                <button type="button" class="danger secondary" data-erase-contact="" on:click=erase.clone()>{texts.t("console.erase_contact")}</button>
            </Show>
            <p class="field-error" role="alert">{move || problem.get()}</p>
        </div>
    }
}

/// The contact's details, and a form to correct them.
#[component]
fn ContactDetails(id: String, contact: Value, version: RwSignal<u32>) -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let editing = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let field = |name: &str| RwSignal::new(text(&contact[name]));
    let (name, email, phone, company) = (
        field("name"),
        field("email"),
        field("phone"),
        field("company"),
    );
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let id = id.clone();
        let details = serde_json::json!({
            "name": name.get_untracked(), "email": email.get_untracked(),
            "phone": phone.get_untracked(), "company": company.get_untracked(),
        });
        spawn_local(async move {
            match crate::api::update_contact(&id, &details).await {
                Ok(()) => {
                    problem.set(None);
                    editing.set(false);
                    version.update(|v| *v += 1);
                }
                Err(message) => problem.set(Some(message)),
            }
        });
    };
    let input = move |id: &'static str, label: &'static str, value: RwSignal<String>| {
        view! {
            <label for=id>{label}</label>
            <input id=id prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))/>
        }
    };
    view! {
        <dl>
            <dt>{texts.t("form.email")}</dt><dd data-field="email">{text(&contact["email"])}</dd>
            <dt>{texts.t("form.phone")}</dt><dd data-field="phone">{text(&contact["phone"])}</dd>
            <dt>{texts.t("console.company")}</dt><dd data-field="company">{text(&contact["company"])}</dd>
        </dl>
        {move || if editing.get() {
            view! {
                <form class="contact-edit" on:submit=save.clone()>
                    {input("contact-name", texts.t("console.contact_name"), name)}
                    {input("contact-email", texts.t("form.email"), email)}
                    {input("contact-phone", texts.t("form.phone"), phone)}
                    {input("contact-company", texts.t("console.company"), company)}
                    {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
                    <button type="submit" class="primary">{texts.t("console.save_contact")}</button>
                </form>
            }.into_any()
        } else {
            view! {
                <button type="button" class="secondary" data-edit-contact on:click=move |_| editing.set(true)>
                    {texts.t("console.edit_contact")}
                </button>
            }.into_any()
        }}
    }
}

/// An unverified contact that may be this verified one: the adviser decides, never the
/// email alone.
#[component]
fn MergeCandidate(into: String, candidate: Value, version: RwSignal<u32>) -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let problem = RwSignal::new(None::<String>);
    let name = text(&candidate["name"]);
    let address = [text(&candidate["email"]), text(&candidate["phone"])]
        .into_iter()
        .filter(|a| !a.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    let from = text(&candidate["id"]);
    let merge = move |_| {
        let (into, from) = (into.clone(), from.clone());
        spawn_local(async move {
            match crate::api::merge_contacts(&into, &from).await {
                Ok(()) => {
                    problem.set(None);
                    version.update(|v| *v += 1);
                }
                Err(message) => problem.set(Some(message)),
            }
        });
    };
    view! {
        <div class="merge-candidate" role="note">
            <p>{texts.format("console.merge_candidate", &[("name", &name), ("address", &address)])}</p>
            <button type="button" class="secondary" data-merge-contact="" on:click=merge>
                {texts.format("console.merge", &[("name", &name)])}
            </button>
            {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
        </div>
    }
}

/// Advisers' notes on the contact, and a box to add one.
#[component]
fn ContactNotes(id: String, notes: Vec<Value>, version: RwSignal<u32>) -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let draft = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<String>);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let id = id.clone();
        let body = draft.get_untracked();
        spawn_local(async move {
            match crate::api::add_contact_note(&id, &body).await {
                Ok(()) => {
                    draft.set(String::new());
                    problem.set(None);
                    version.update(|v| *v += 1);
                }
                Err(message) => problem.set(Some(message)),
            }
        });
    };
    let empty = notes.is_empty();
    view! {
        <h3>{texts.t("console.contact_notes")}</h3>
        {empty.then(|| view! { <p class="empty">{texts.t("console.no_notes")}</p> })}
        <ul class="contact-notes">
            {notes.into_iter().map(|n| view! {
                <li><span class="who">{text(&n["author"])}</span>" "{text(&n["body"])}</li>
            }).collect_view()}
        </ul>
        <form class="contact-note" on:submit=add>
            <label for="contact-note">{texts.t("console.add_note")}</label>
            <textarea id="contact-note" maxlength="2000" placeholder=texts.t("console.note_placeholder")
                prop:value=move || draft.get() on:input=move |ev| draft.set(event_target_value(&ev))></textarea>
            {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
            <button type="submit" class="secondary" data-add-note>{texts.t("console.add_note")}</button>
        </form>
    }
}

/// A session of the record, opened on demand.
#[component]
fn SessionLine(session: Value) -> impl IntoView {
    let ui = expect_context::<Ui>();
    let texts = ui.texts;
    let id = text(&session["id"]);
    let full = RwSignal::new(None::<Value>);
    let open = move |_| {
        let id = id.clone();
        spawn_local(async move {
            full.set(crate::api::session_record(&id).await);
        });
    };
    let advisers = session["advisers"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|a| text(&a["name"]))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let resolution = text(&session["wrap_up"]["resolution"]);
    let unverified = (text(&session["contact_match"]) == "typed").then(|| {
        texts.format(
            "console.typed_match",
            &[("name", &text(&session["visitor_name"]))],
        )
    });
    view! {
        <li class="session">
            <button type="button" class="link" data-session=text(&session["id"]) on:click=open>
                {text(&session["requested_at"]).replace('T', " ").chars().take(16).collect::<String>()}
                " — "{text(&session["reason"])}
            </button>
            <span class="muted">" · "{text(&session["status"])}" · "{advisers}
                {(!resolution.is_empty()).then(|| format!(" · {resolution}"))}</span>
            {unverified.map(|u| view! { <span class="tag unverified">{u}</span> })}
            {move || full.get().map(|f| {
                let lines = f["transcript"].as_array().cloned().unwrap_or_default();
                let answer = text(&f["wrap_up"]["answer"]);
                let survey = &f["survey"];
                let survey = (!survey.is_null()).then(|| format!(
                    "CSAT {} · CES {} · NPS {}", text(&survey["csat"]), text(&survey["ces"]), text(&survey["nps"])));
                let cobrowse = f["cobrowse"].as_array().cloned().unwrap_or_default();
                let visit = serde_json::from_value::<tandem_shared::visit::VisitContext>(f["visit"].clone()).ok();
                view! {
                    <div class="session-detail">
                        <ol class="transcript">
                            {lines.into_iter().map(|l| view! {
                                <li class=format!("line {}", text(&l["role"]))>
                                    <span class="who">{text(&l["name"])}</span>" "{text(&l["text"])}
                                </li>
                            }).collect_view()}
                        </ol>
                        {(!answer.is_empty()).then(|| view! { <p><strong>{texts.t("console.answer")}": "</strong>{answer}</p> })}
                        {survey.map(|s| view! { <p class="survey">{s}</p> })}
                        {cobrowse.into_iter().map(|c| {
                            let pages = c["pages"].as_array().map(|p| p.iter().map(|p| text(&p["url"])).collect::<Vec<_>>().join(", ")).unwrap_or_default();
                            let fields = c["fields_filled"].as_array().map(|p| p.iter().map(|p| text(&p["field"])).collect::<Vec<_>>().join(", ")).unwrap_or_default();
                            view! { <p class="cobrowse-summary">{texts.format("console.cobrowse_summary", &[("pages", &pages), ("fields", &fields)])}</p> }
                        }).collect_view()}
                        {visit.map(|v| super::visit::visit_view(v, ui, false))}
                    </div>
                }
            })}
        </li>
    }
}
