//! Where the CRM record is copied (webhook, HubSpot, Salesforce) and what is stuck: each
//! destination's delivered / pending / failing counts and the errors of the events waiting,
//! refreshed every 10 s, so a CRM that refuses Tandem's events does not go unnoticed.

use super::Ui;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The sync panel; shows nothing when no destination is configured.
#[component]
pub(crate) fn SyncStatus() -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let status = RwSignal::new(None::<Value>);
    let load = move || {
        spawn_local(async move {
            status.set(crate::api::sync_status().await);
        });
    };
    load();
    if let Ok(ticker) = set_interval_with_handle(load, std::time::Duration::from_secs(10)) {
        on_cleanup(move || ticker.clear());
    }
    move || {
        let status = status.get()?;
        let destinations = status["destinations"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if destinations.is_empty() {
            return None;
        }
        let failing: Vec<Value> = status["pending"]
            .as_array()
            .map(|p| {
                p.iter()
                    .filter(|e| !e["last_error"].is_null())
                    .take(5)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        Some(view! {
            <section class="sync" aria-labelledby="sync-title">
                <h2 id="sync-title">{texts.t("console.sync")}</h2>
                <ul>
                    {destinations.into_iter().map(|d| {
                        let failing = d["failing"].as_i64().unwrap_or(0) > 0;
                        view! {
                            <li class:failing=failing data-destination=text(&d["destination"])>
                                <strong>{text(&d["destination"])}</strong>" "
                                {texts.format("console.sync_counts", &[
                                    ("delivered", &text(&d["delivered"])),
                                    ("pending", &text(&d["pending"])),
                                    ("failing", &text(&d["failing"])),
                                ])}
                            </li>
                        }
                    }).collect_view()}
                </ul>
                {(!failing.is_empty()).then(|| view! {
                    <ul class="sync-errors" role="status">
                        {failing.into_iter().map(|e| view! {
                            <li>{text(&e["destination"])}" · "{text(&e["kind"])}" · "
                                {texts.format("console.sync_attempts", &[("attempts", &text(&e["attempts"]))])}
                                " — "{text(&e["last_error"])}</li>
                        }).collect_view()}
                    </ul>
                })}
            </section>
        })
    }
}
