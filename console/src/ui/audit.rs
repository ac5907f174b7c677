//! The Audit page (admins): who did what, when, from which address — filtered by period,
//! login and kind of action, and downloaded as CSV. Nothing here changes the trail.

use super::dashboard::{today_minus, utc_offset_minutes};
use super::Ui;
use leptos::prelude::*;
use leptos::task::spawn_local;
use tandem_shared::audit::AuditEntry;
use web_client::browser::clock;

/// The kinds of action offered as a filter (a family ends with a dot).
const FAMILIES: [&str; 9] = [
    "login.",
    "contact.",
    "session.",
    "sessions.",
    "site.",
    "queue.",
    "adviser.",
    "token.",
    "cobrowse.",
];

fn encode(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}

/// The trail and its filters.
#[component]
pub(crate) fn AuditView() -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let from = RwSignal::new(today_minus(6));
    let to = RwSignal::new(today_minus(0));
    let actor = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let entries = RwSignal::new(None::<Vec<AuditEntry>>);
    let error = RwSignal::new(None::<String>);
    let query = move || {
        format!(
            "from={}&to={}&utc_offset={}&actor={}&action={}",
            encode(&from.get()),
            encode(&to.get()),
            utc_offset_minutes(),
            encode(actor.get().trim()),
            encode(&action.get())
        )
    };
    let load = move || {
        let query = query();
        spawn_local(async move {
            match crate::api::audit_entries(&query).await {
                Ok(found) => {
                    error.set(None);
                    entries.set(Some(found));
                }
                Err(message) => error.set(Some(message)),
            }
        });
    };
    load();
    view! {
        <section class="audit" data-audit="">
            <h2>{texts.t("console.audit_title")}</h2>
            <form class="period" on:submit=move |ev| { ev.prevent_default(); load(); }>
                <label>{texts.t("console.period_from")}" "<input type="date" prop:value=move || from.get() on:change=move |ev| from.set(event_target_value(&ev))/></label>
                <label>{texts.t("console.period_to")}" "<input type="date" prop:value=move || to.get() on:change=move |ev| to.set(event_target_value(&ev))/></label>
                <label>{texts.t("console.audit_actor")}" "<input type="text" maxlength="64" prop:value=move || actor.get() on:input=move |ev| actor.set(event_target_value(&ev))/></label>
                <label>{texts.t("console.audit_action")}" "
                    <select on:change=move |ev| action.set(event_target_value(&ev))>
                        <option value="">{texts.t("console.audit_any")}</option>
                        {FAMILIES.iter().map(|family| view! { <option value=*family>{family.trim_end_matches('.')}</option> }).collect_view()}
                    </select>
                </label>
                <button type="submit" class="primary">{texts.t("console.audit_show")}</button>
                <a class="csv audit-csv" href=move || format!("/api/v1/audit.csv?{}", query()) download="">{texts.t("console.audit_csv")}</a>
            </form>
            <p class="field-error" role="alert">{move || error.get()}</p>
            {move || entries.get().map(|found| if found.is_empty() {
                view! { <p class="empty">{texts.t("console.audit_empty")}</p> }.into_any()
            } else {
                view! {
                    <table class="audit-entries">
                        <thead><tr>
                            <th scope="col">{texts.t("console.audit_when")}</th>
                            <th scope="col">{texts.t("console.audit_actor")}</th>
                            <th scope="col">{texts.t("console.audit_address")}</th>
                            <th scope="col">{texts.t("console.audit_action")}</th>
                            <th scope="col">{texts.t("console.audit_target")}</th>
                            <th scope="col">{texts.t("console.audit_detail")}</th>
                        </tr></thead>
                        <tbody>
                            {found.into_iter().map(|entry| {
                                let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(entry.at_ms as f64))
                                    .to_locale_date_string("default", &wasm_bindgen::JsValue::UNDEFINED);
                                let target = match (entry.target_kind, entry.target_id) {
                                    (Some(kind), Some(id)) => format!("{kind} {id}"),
                                    (Some(kind), None) => kind,
                                    _ => String::new(),
                                };
                                let action = entry.action.clone();
                                view! {
                                    <tr data-action=action>
                                        <td>{String::from(date)}" "{clock(entry.at_ms)}</td>
                                        <td>{entry.actor}</td>
                                        <td>{entry.address.unwrap_or_default()}</td>
                                        <td>{entry.action}</td>
                                        <td>{target}</td>
                                        <td>{entry.detail.unwrap_or_default()}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            })}
        </section>
    }
}
