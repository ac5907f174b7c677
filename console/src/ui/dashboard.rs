//! The dashboard: requests, waits, handling, abandonment, first-contact resolution and
//! CSAT/CES/NPS over a chosen period, per queue and per adviser, with a CSV export.

use super::Ui;
use crate::api;
use leptos::prelude::*;
use leptos::task::spawn_local;
use tandem_shared::access::AdviserRole;
use tandem_shared::i18n::Texts;
use tandem_shared::report::{Figures, Report};

pub(super) fn today_minus(days: i64) -> String {
    let now = js_sys::Date::now() - (days as f64) * 86_400_000.0;
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(now));
    format!(
        "{}-{:02}-{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date()
    )
}

pub(super) fn utc_offset_minutes() -> i32 {
    -(js_sys::Date::new_0().get_timezone_offset() as i32)
}

fn seconds(value: Option<f64>) -> String {
    match value {
        Some(s) if s >= 60.0 => format!("{:.1} min", s / 60.0),
        Some(s) => format!("{s:.0} s"),
        None => "—".into(),
    }
}

fn ratio(value: Option<f64>) -> String {
    value.map_or("—".into(), |r| format!("{:.0} %", r * 100.0))
}

fn score(value: Option<f64>) -> String {
    value.map_or("—".into(), |v| format!("{v:.1}"))
}

fn row(texts: &'static Texts, key: String, f: Figures) -> impl IntoView {
    let _ = texts;
    view! {
        <tr>
            <th scope="row">{key}</th>
            <td>{f.requests}</td><td>{f.answered}</td><td>{ratio(f.abandonment_rate)}</td>
            <td>{seconds(f.mean_wait_secs)}</td><td>{seconds(f.mean_first_response_secs)}</td>
            <td>{seconds(f.mean_handling_secs)}</td><td>{ratio(f.first_contact_resolution)}</td>
            <td>{score(f.csat)}</td><td>{score(f.ces)}</td><td>{score(f.nps)}</td>
        </tr>
    }
}

/// The dashboard page.
#[component]
pub(crate) fn DashboardView() -> impl IntoView {
    let texts = expect_context::<Ui>().texts;
    let from = RwSignal::new(today_minus(6));
    let to = RwSignal::new(today_minus(0));
    let report = RwSignal::new(None::<Report>);
    let error = RwSignal::new(None::<String>);
    let load = move || {
        let (f, t) = (from.get_untracked(), to.get_untracked());
        spawn_local(async move {
            match api::report(&f, &t, utc_offset_minutes()).await {
                Ok(r) => {
                    error.set(None);
                    report.set(Some(r));
                }
                Err(message) => error.set(Some(message)),
            }
        });
    };
    load();
    let csv = move || {
        format!(
            "/api/v1/report.csv?from={}&to={}&utc_offset={}",
            from.get(),
            to.get(),
            utc_offset_minutes()
        )
    };
    let sessions_csv = move || {
        format!(
            "/api/v1/sessions.csv?from={}&to={}&utc_offset={}",
            from.get(),
            to.get(),
            utc_offset_minutes()
        )
    };
    let headings = [
        "console.requests",
        "console.answered",
        "console.abandonment",
        "console.wait",
        "console.first_response",
        "console.handling",
        "console.fcr",
    ];
    view! {
        <section class="dashboard">
            <h2>{texts.t("console.dashboard")}</h2>
            <form class="period" on:submit=move |ev| { ev.prevent_default(); load(); }>
                <label>{texts.t("console.period_from")}" "<input type="date" prop:value=move || from.get() on:change=move |ev| from.set(event_target_value(&ev))/></label>
                <label>{texts.t("console.period_to")}" "<input type="date" prop:value=move || to.get() on:change=move |ev| to.set(event_target_value(&ev))/></label>
                <button type="submit" class="primary">"OK"</button>
                <a class="csv" href=csv download="">{texts.t("console.export_csv")}</a>
                {super::role_allows(AdviserRole::Admin).then(|| view! {
                    <a class="csv sessions-csv" href=sessions_csv download="">{texts.t("console.export_sessions_csv")}</a>
                })}
            </form>
            <p class="field-error" role="alert">{move || error.get()}</p>
            {move || report.get().map(|r| {
                let max = r.requests_by_hour.iter().copied().max().unwrap_or(0).max(1);
                view! {
                    <h3>{texts.t("console.by_hour")}</h3>
                    <div class="bars" role="img" aria-label=texts.t("console.by_hour")>
                        {r.requests_by_hour.iter().enumerate().map(|(hour, n)| {
                            let height = format!("height: {}%", n * 100 / max);
                            view! { <div class="bar" title=format!("{hour:02}h: {n}")><span style=height></span><small>{hour}</small></div> }
                        }).collect_view()}
                    </div>
                    <table class="figures">
                        <thead><tr><th></th>
                            {headings.iter().map(|h| view! { <th scope="col">{texts.t(h)}</th> }).collect_view()}
                            <th scope="col">"CSAT"</th><th scope="col">"CES"</th><th scope="col">"NPS"</th>
                        </tr></thead>
                        <tbody>
                            {row(texts, "Σ".into(), r.overall.clone())}
                            <tr><th colspan="11">{texts.t("console.by_queue")}</th></tr>
                            {r.by_queue.iter().map(|g| row(texts, g.key.clone(), g.figures.clone())).collect_view()}
                            <tr><th colspan="11">{texts.t("console.by_adviser")}</th></tr>
                            {r.by_adviser.iter().map(|g| row(texts, g.key.clone(), g.figures.clone())).collect_view()}
                        </tbody>
                    </table>
                    <h3>{texts.t("dash.invitations")}</h3>
                    {if r.invitations.is_empty() {
                        view! { <p class="empty">{texts.t("dash.no_invitations")}</p> }.into_any()
                    } else {
                        view! {
                            <table class="figures invitations-figures" data-invitation-figures="">
                                <thead><tr>
                                    <th scope="col">{texts.t("dash.invitation")}</th>
                                    <th scope="col">{texts.t("dash.shown")}</th>
                                    <th scope="col">{texts.t("dash.opened")}</th>
                                    <th scope="col">{texts.t("dash.dismissed")}</th>
                                </tr></thead>
                                <tbody>
                                    {r.invitations.iter().map(|i| view! {
                                        <tr data-rule=i.rule.clone()>
                                            <th scope="row">{format!("{} · {}", i.site, i.rule)}</th>
                                            <td data-count="shown">{i.shown}</td>
                                            <td data-count="opened">{i.opened}</td>
                                            <td data-count="dismissed">{i.dismissed}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any()
                    }}
                }
            })}
        </section>
    }
}
