//! Stylesheets as text, so the mirror is styled even by sheets it could not load itself
//! (behind the site's login, built by CSS-in-JS through `insertRule`, adopted stylesheets).
//! Cross-origin sheets the page cannot read stay links, which the mirror loads.

use wasm_bindgen::JsCast;
use web_sys::CssStyleSheet;

/// The rules of a readable sheet, with relative `url(…)`s made absolute against `base`.
pub fn sheet_text(sheet: &CssStyleSheet, base: &str) -> Option<String> {
    let rules = sheet.css_rules().ok()?;
    let mut text = String::new();
    for index in 0..rules.length() {
        if let Some(rule) = rules.item(index) {
            text.push_str(&rule.css_text());
            text.push('\n');
        }
    }
    let base = sheet
        .href()
        .ok()
        .flatten()
        .unwrap_or_else(|| base.to_owned());
    Some(absolute_css_urls(&text, &base))
}

/// The number of rules of a sheet (to notice rules inserted by script).
pub fn rule_count(sheet: &CssStyleSheet) -> u32 {
    sheet.css_rules().map(|rules| rules.length()).unwrap_or(0)
}

/// The sheets a document or shadow root adopted (`adoptedStyleSheets`).
pub fn adopted_sheets(root: &wasm_bindgen::JsValue) -> Vec<CssStyleSheet> {
    js_sys::Reflect::get(root, &"adoptedStyleSheets".into())
        .ok()
        .filter(js_sys::Array::is_array)
        .map(|value| {
            js_sys::Array::from(&value)
                .iter()
                .filter_map(|sheet| sheet.dyn_into::<CssStyleSheet>().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// `url` resolved against `base`; none for `javascript:` addresses.
pub fn absolute_url(url: &str, base: &str) -> Option<String> {
    let trimmed = url.trim();
    if trimmed.len() >= 11 && trimmed[..11].eq_ignore_ascii_case("javascript:") {
        return None;
    }
    if trimmed.starts_with("data:") || trimmed.starts_with('#') || trimmed.is_empty() {
        return Some(trimmed.to_owned());
    }
    Some(
        web_sys::Url::new_with_base(trimmed, base)
            .map(|u| u.href())
            .unwrap_or_else(|_| trimmed.to_owned()),
    )
}

/// Rewrites every `url(…)` of a stylesheet or `style` attribute to an absolute address.
pub fn absolute_css_urls(css: &str, base: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("url(") {
        out.push_str(&rest[..start + 4]);
        rest = &rest[start + 4..];
        let Some(end) = rest.find(')') else { break };
        let inner = rest[..end].trim();
        let quote = inner.chars().next().filter(|c| *c == '"' || *c == '\'');
        let bare = match quote {
            Some(q) => inner.trim_matches(q),
            None => inner,
        };
        let resolved = absolute_url(bare, base).unwrap_or_default();
        out.push('"');
        out.push_str(&resolved.replace('"', "%22"));
        out.push('"');
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}
