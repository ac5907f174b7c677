//! The visitor's visit as the adviser sees it, live in the chat's side column and on the CRM
//! record: the page they are on, the pages before with the time spent on each, where they came
//! from, their device, screen, language and local time, and whether they came before.
//! Addresses are shown as text (never as links the adviser's browser would follow unasked).

use super::Ui;
use leptos::prelude::*;
use tandem_shared::transcript::clock_at_offset;
use tandem_shared::visit::VisitContext;

/// `1 min 05 s`, `42 s`.
fn spent(ms: i64) -> String {
    let secs = (ms / 1000).max(0);
    if secs < 60 {
        format!("{secs} s")
    } else if secs < 3600 {
        format!("{} min {:02} s", secs / 60, secs % 60)
    } else {
        format!("{} h {:02} min", secs / 3600, (secs % 3600) / 60)
    }
}

/// The visit's details; `live` while the chat runs (the last page's time counts on, and the
/// visitor's local time is now), else as the CRM record keeps it.
pub(crate) fn visit_view(visit: VisitContext, ui: Ui, live: bool) -> impl IntoView {
    let texts = ui.texts;
    let now = js_sys::Date::now() as i64;
    let pages = visit.pages.clone();
    let rows: Vec<_> = pages
        .iter()
        .enumerate()
        .rev()
        .map(|(i, page)| {
            let time = match pages.get(i + 1) {
                Some(next) => spent(next.at_ms - page.at_ms),
                None if live => spent(now - page.at_ms),
                None => String::new(),
            };
            let current = i + 1 == pages.len();
            view! {
                <li class:current=current>
                    <span class="page-title">{page.title.clone().unwrap_or_else(|| page.url.clone())}</span>
                    <span class="page-url">{page.url.clone()}</span>
                    <span class="page-time">{time}</span>
                </li>
            }
        })
        .collect();
    let returning = match visit.visits {
        Some(n) if n > 1 => Some(texts.format("visit.returning", &[("n", &n.to_string())])),
        Some(_) => Some(texts.t("visit.first").to_owned()),
        None => None,
    };
    let local_time = visit.utc_offset_minutes.filter(|_| live).map(|offset| {
        let zone = visit.time_zone.clone().unwrap_or_default();
        format!("{} {zone}", clock_at_offset(now, offset))
    });
    let referrer = visit
        .referrer
        .clone()
        .unwrap_or_else(|| texts.t("visit.direct").to_owned());
    view! {
        <section class="visit" data-visit="">
            <h2>{texts.t("visit.title")}</h2>
            <dl>
                {visit.current_page().filter(|_| live).map(|page| view! {
                    <dt>{texts.t("visit.now_on")}</dt>
                    <dd class="now-on" data-now-on="">{page.url.clone()}</dd>
                })}
                <dt>{texts.t("visit.referrer")}</dt><dd class="referrer">{referrer}</dd>
                {visit.device.clone().map(|d| view! { <dt>{texts.t("visit.device")}</dt><dd data-device="">{d}</dd> })}
                {visit.screen.clone().map(|s| view! { <dt>{texts.t("visit.screen")}</dt><dd>{s}</dd> })}
                {local_time.map(|t| view! { <dt>{texts.t("visit.local_time")}</dt><dd data-local-time="">{t}</dd> })}
                {visit.time_zone.clone().filter(|_| !live).map(|z| view! { <dt>{texts.t("visit.time_zone")}</dt><dd>{z}</dd> })}
                {visit.language.clone().map(|l| view! { <dt>{texts.t("visit.language")}</dt><dd>{l}</dd> })}
            </dl>
            {returning.map(|r| view! { <p class="returning" data-returning="">{r}</p> })}
            <h3>{texts.t("visit.pages")}</h3>
            <ol class="visit-pages" data-visit-pages="">{rows}</ol>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::spent;

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(spent(42_400), "42 s");
        assert_eq!(spent(65_000), "1 min 05 s");
        assert_eq!(spent(3_720_000), "1 h 02 min");
        assert_eq!(spent(-5), "0 s");
    }
}
