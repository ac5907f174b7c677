//! Origin checks: browsers send `Origin` on WebSocket upgrades and cross-site POSTs, so a page
//! on another site can neither use an adviser's cookie (cross-site request forgery, WebSocket
//! hijacking) nor open visitor connections when the owner lists the allowed sites.

use axum::http::header::{HOST, ORIGIN};
use axum::http::HeaderMap;

/// The request's `Origin`, if any.
pub fn origin(headers: &HeaderMap) -> Option<&str> {
    headers.get(ORIGIN).and_then(|v| v.to_str().ok())
}

/// True when the request comes from the relay's own pages (or from no browser page at all,
/// like `curl`): the `Origin`'s host equals the `Host` header, and its scheme is `https`, or
/// `http` unless the relay is served over HTTPS (`https`: its cookies are `Secure`), so a
/// page injected into plain HTTP on the relay's host name does not pass for the console.
pub fn is_same_origin(headers: &HeaderMap, https: bool) -> bool {
    let Some(origin) = origin(headers) else {
        return true;
    };
    let host = headers
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Some((scheme, origin_host)) = origin.split_once("://") else {
        return false;
    };
    let scheme_fits =
        scheme.eq_ignore_ascii_case("https") || (!https && scheme.eq_ignore_ascii_case("http"));
    scheme_fits && !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(origin: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(HOST, HeaderValue::from_static("chat.example.com"));
        if let Ok(value) = HeaderValue::from_str(origin) {
            headers.insert(ORIGIN, value);
        }
        headers
    }

    #[test]
    fn the_scheme_counts_when_the_relay_is_served_over_https() {
        assert!(is_same_origin(&headers("https://chat.example.com"), true));
        assert!(
            !is_same_origin(&headers("http://chat.example.com"), true),
            "plain HTTP on the relay's name"
        );
        assert!(is_same_origin(&headers("http://chat.example.com"), false));
        assert!(!is_same_origin(&headers("ws://chat.example.com"), false));
        assert!(!is_same_origin(&headers("chat.example.com"), false));
        assert!(!is_same_origin(&headers("https://evil.example"), false));
        assert!(is_same_origin(&HeaderMap::new(), true), "no browser page");
    }
}
