//! Headers that tell browsers what the relay's pages may do: every response is `nosniff` and
//! sends no `Referer` onwards; the console page has a strict Content-Security-Policy (its own
//! scripts only, no plugins, no `<base>`, never framed by another site) under which the
//! co-browsing mirror draws the visitor's page. The mirror keeps to the visitor's site itself
//! (console `cobrowse::policy`); this policy is the browser's own backstop: no script, no
//! plugin, no frame and no connection off the relay, whatever a snapshot holds.

use axum::http::{header, HeaderValue};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use sha2::{Digest, Sha256};
use tower_http::set_header::SetResponseHeaderLayer;

/// The console's Content-Security-Policy, allowing its one inline script (`'sha256-…'`).
pub fn console_policy(inline_script: &str) -> String {
    let hash = B64.encode(Sha256::digest(inline_script.as_bytes()));
    [
        "default-src 'none'".to_owned(),
        format!("script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}'"),
        // The mirror shows the visitor's page: its styles, images, fonts and media come from
        // the visitor's site (the mirror drops any other address before the browser sees it).
        "style-src 'self' 'unsafe-inline' http: https:".to_owned(),
        "img-src 'self' data: blob: http: https:".to_owned(),
        "font-src 'self' data: http: https:".to_owned(),
        "media-src 'self' http: https:".to_owned(),
        "connect-src 'self'".to_owned(),
        "frame-src 'self'".to_owned(),
        "object-src 'none'".to_owned(),
        "base-uri 'none'".to_owned(),
        "form-action 'self'".to_owned(),
        "frame-ancestors 'none'".to_owned(),
    ]
    .join("; ")
}

/// The script of the console page, between `<script type="module">` and `</script>`.
pub fn inline_script(page: &str) -> &str {
    let start = page
        .find("<script type=\"module\">")
        .map(|at| at + "<script type=\"module\">".len());
    match start {
        Some(start) => {
            let end = page[start..]
                .find("</script>")
                .map_or(page.len(), |e| start + e);
            &page[start..end]
        }
        None => "",
    }
}

/// `X-Content-Type-Options: nosniff` on every response: a file is never run as a script or
/// shown as a page because of what it looks like.
pub fn nosniff() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    )
}

/// `Referrer-Policy: no-referrer` on every response: neither the console nor a mirrored page
/// tells another server where the adviser is.
pub fn no_referrer() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_names_the_inline_script_by_its_hash_and_forbids_plugins_and_base() {
        let page = "<html><script type=\"module\">init();</script></html>";
        assert_eq!(inline_script(page), "init();");
        let policy = console_policy(inline_script(page));
        let expected = B64.encode(Sha256::digest(b"init();"));
        assert!(policy.contains(&format!("'sha256-{expected}'")), "{policy}");
        for directive in [
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(policy.contains(directive), "{directive} missing: {policy}");
        }
        assert!(!policy.contains("script-src 'self' 'unsafe-inline'"));
    }
}
