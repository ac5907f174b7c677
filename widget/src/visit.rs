//! The visitor's context for their adviser: the pages of this visit (which the loader notes in
//! session storage on every page, chat or not), where they came from, the browser, screen,
//! language and local time. Sent when a chat starts or resumes and whenever the address
//! changes while it runs (single-page sites included).
//!
//! Earlier pages are noted by the loader without their query; the current page is sent
//! without the values of its private fields, as co-browsing does.

use tandem_shared::visit::{VisitContext, VisitedPage, MAX_VISIT_PAGES};

/// Where the loader notes the pages of this visit (a JSON list of [`VisitedPage`]).
const PAGES_KEY: &str = "tandem.pages";
/// Where the loader notes the page that brought the visitor to the site.
const REFERRER_KEY: &str = "tandem.referrer";
/// Where the loader counts this browser's visits to the site.
const VISITS_KEY: &str = "tandem.visits";

fn session() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.session_storage().ok().flatten())
}

/// The pages the loader noted, read with the browser's JSON (no decoder shipped for them).
fn noted_pages() -> Vec<VisitedPage> {
    let Some(list) = session()
        .and_then(|s| s.get_item(PAGES_KEY).ok().flatten())
        .and_then(|json| js_sys::JSON::parse(&json).ok())
    else {
        return Vec::new();
    };
    js_sys::Array::from(&list)
        .iter()
        .filter_map(|page| {
            let field = |name: &str| js_sys::Reflect::get(&page, &name.into()).ok();
            Some(VisitedPage {
                url: field("url")?.as_string()?,
                title: field("title").and_then(|t| t.as_string()),
                at_ms: field("at_ms")?.as_f64()? as i64,
            })
        })
        .collect()
}

/// The context now; `current_url` is this page's redacted address.
pub fn context(current_url: Option<String>) -> VisitContext {
    let window = web_sys::window();
    let navigator = window.as_ref().map(|w| w.navigator());
    let mut pages = noted_pages();
    if let Some(url) = current_url {
        let title = window
            .as_ref()
            .and_then(|w| w.document())
            .map(|d| d.title())
            .filter(|t| !t.is_empty());
        // The loader noted this page without its query: the redacted full address replaces it.
        let same_page = pages
            .last()
            .is_some_and(|last| url.split(['?', '#']).next() == Some(last.url.as_str()));
        if same_page {
            pages.pop();
        }
        let at_ms = js_sys::Date::now() as i64;
        pages.push(VisitedPage { url, title, at_ms });
        let excess = pages.len().saturating_sub(MAX_VISIT_PAGES);
        pages.drain(..excess);
    }
    let screen = window
        .as_ref()
        .and_then(|w| w.screen().ok())
        .and_then(|s| Some(format!("{}×{}", s.width().ok()?, s.height().ok()?)));
    VisitContext {
        pages,
        referrer: referrer(window.as_ref()),
        user_agent: navigator.as_ref().and_then(|n| n.user_agent().ok()),
        device: None,
        screen,
        time_zone: time_zone(),
        utc_offset_minutes: Some(-(js_sys::Date::new_0().get_timezone_offset() as i32)),
        language: navigator.as_ref().and_then(|n| n.language()),
        visits: web_client::browser::load(VISITS_KEY).and_then(|n| n.parse().ok()),
        sent_at_ms: Some(js_sys::Date::now() as i64),
    }
}

/// Notes a page reached without a load (a single-page site changed its address), as the
/// loader notes the others.
pub fn note_page(url: &str) {
    let Some(storage) = session() else { return };
    let list = storage
        .get_item(PAGES_KEY)
        .ok()
        .flatten()
        .and_then(|json| js_sys::JSON::parse(&json).ok())
        .filter(js_sys::Array::is_array)
        .map(|list| js_sys::Array::from(&list))
        .unwrap_or_default();
    let page = js_sys::Object::new();
    let title = web_sys::window()
        .and_then(|w| w.document())
        .map(|d| d.title())
        .unwrap_or_default();
    let address = url.split(['?', '#']).next().unwrap_or_default();
    let _ = js_sys::Reflect::set(&page, &"url".into(), &address.into());
    let _ = js_sys::Reflect::set(&page, &"title".into(), &title.into());
    let _ = js_sys::Reflect::set(&page, &"at_ms".into(), &js_sys::Date::now().into());
    list.push(&page);
    let kept = list.slice(
        list.length().saturating_sub(MAX_VISIT_PAGES as u32),
        list.length(),
    );
    if let Some(json) = js_sys::JSON::stringify(&kept)
        .ok()
        .and_then(|j| j.as_string())
    {
        let _ = storage.set_item(PAGES_KEY, &json);
    }
}

/// The page that brought the visitor to the site, without its query; none when it was a page
/// of this site (or none at all).
fn referrer(window: Option<&web_sys::Window>) -> Option<String> {
    let noted = session().and_then(|s| s.get_item(REFERRER_KEY).ok().flatten())?;
    let origin = window.and_then(|w| w.location().origin().ok())?;
    let address = noted.split(['?', '#']).next().unwrap_or_default();
    let same_site = address == origin || address.starts_with(&format!("{origin}/"));
    (!address.is_empty() && !same_site).then(|| address.to_owned())
}

/// The browser's time zone (`Europe/Paris`).
fn time_zone() -> Option<String> {
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    js_sys::Reflect::get(&format.resolved_options(), &"timeZone".into())
        .ok()
        .and_then(|zone| zone.as_string())
}
