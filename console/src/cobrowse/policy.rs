//! What the mirror may draw of a snapshot: a visitor (or anyone speaking the widget's
//! protocol) chooses every tag, attribute and address in it, and the adviser's browser must
//! fetch, run and show nothing the visitor's site did not put there.
//!
//! - Tags that run, embed or redirect (`script`, `object`, `embed`, `base`, `meta`, frames'
//!   sources, links other than style sheets) are not built.
//! - Event handlers and attributes that submit, ping or carry a document are dropped.
//! - Addresses in attributes are kept only when absolute and on the page's own origin (the
//!   origin the relay checked against the site's allowed origins), or `data:` images.
//! - The mirror document gets a Content-Security-Policy naming that origin alone
//!   ([`mirror_policy`]), which also covers addresses inside CSS, whatever their escapes.

/// Tags whose element is not built at all (nor anything inside it).
const DROPPED_TAGS: [&str; 11] = [
    "script", "noscript", "object", "embed", "applet", "base", "meta", "frame", "frameset",
    "portal", "param",
];

/// Attributes dropped whatever their value: they submit, ping, refresh or carry a document.
const DROPPED_ATTRS: [&str; 8] = [
    "srcdoc",
    "formaction",
    "action",
    "ping",
    "http-equiv",
    "integrity",
    "nonce",
    "attributionsrc",
];

/// Attributes holding one address.
const URL_ATTRS: [&str; 11] = [
    "src",
    "href",
    "xlink:href",
    "poster",
    "background",
    "data",
    "cite",
    "longdesc",
    "lowsrc",
    "manifest",
    "codebase",
];

/// Attributes holding a list of addresses with sizes (`a.png 1x, b.png 2x`).
const SRCSET_ATTRS: [&str; 2] = ["srcset", "imagesrcset"];

/// `scheme://host[:port]` of an absolute http(s) address, lower-cased.
pub fn origin_of(url: &str) -> Option<String> {
    let url = url.trim();
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains(['@', '\\']) {
        return None;
    }
    Some(format!("{scheme}://{}", authority.to_ascii_lowercase()))
}

/// True when the mirror builds elements of this tag.
pub fn builds_tag(tag: &str) -> bool {
    !DROPPED_TAGS.contains(&tag.to_ascii_lowercase().as_str())
}

/// True when the mirror builds this element: `link` only as a style sheet.
pub fn builds_element(tag: &str, attrs: &[(String, String)]) -> bool {
    if !builds_tag(tag) {
        return false;
    }
    if tag.eq_ignore_ascii_case("link") {
        return attrs.iter().any(|(name, value)| {
            name.eq_ignore_ascii_case("rel")
                && value
                    .split_ascii_whitespace()
                    .any(|token| token.eq_ignore_ascii_case("stylesheet"))
        });
    }
    true
}

/// True when `url` may be fetched by the mirror of a page on `origin`.
pub fn allowed_url(url: &str, origin: Option<&str>, data_allowed: bool) -> bool {
    let url = url.trim();
    if url.starts_with('#') {
        return true;
    }
    if url.len() >= 5 && url[..5].eq_ignore_ascii_case("data:") {
        return data_allowed;
    }
    match (origin_of(url), origin) {
        (Some(of_url), Some(origin)) => of_url == origin,
        _ => false,
    }
}

/// The value the mirror sets for attribute `name` of a `tag` element of a page on `origin`,
/// or `None` when the attribute is not set at all.
pub fn clean_attribute(tag: &str, name: &str, value: &str, origin: Option<&str>) -> Option<String> {
    let name = name.to_ascii_lowercase();
    let tag = tag.to_ascii_lowercase();
    if name.starts_with("on") || DROPPED_ATTRS.contains(&name.as_str()) {
        return None;
    }
    if tag == "iframe" && name == "src" {
        // A frame's page is mirrored inside it (same-origin frames) or not at all.
        return None;
    }
    if URL_ATTRS.contains(&name.as_str()) {
        let navigation = matches!(tag.as_str(), "a" | "area");
        return allowed_url(value, origin, !navigation).then(|| value.to_owned());
    }
    if SRCSET_ATTRS.contains(&name.as_str()) {
        let kept: Vec<&str> = value
            .split(',')
            .map(str::trim)
            .filter(|candidate| {
                let url = candidate.split_whitespace().next().unwrap_or_default();
                allowed_url(url, origin, true)
            })
            .collect();
        return (!kept.is_empty()).then(|| kept.join(", "));
    }
    Some(value.to_owned())
}

/// The Content-Security-Policy of the mirror document of a page on `origin`: style sheets,
/// images, fonts and media from that origin (and inline styles, `data:` images and fonts);
/// nothing else, no script, no frame's page, no form.
pub fn mirror_policy(origin: Option<&str>) -> String {
    let site = origin.unwrap_or("'none'");
    let site = if site.contains([';', ',', ' ', '\'']) && origin.is_some() {
        "'none'"
    } else {
        site
    };
    format!(
        "default-src 'none'; style-src {site} 'unsafe-inline'; img-src {site} data:; \
         font-src {site} data:; media-src {site}; frame-src 'none'; object-src 'none'; \
         base-uri 'none'; form-action 'none'"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: Option<&str> = Some("https://www.example.com");

    #[test]
    fn the_origin_is_scheme_host_and_port() {
        assert_eq!(
            origin_of("HTTPS://WWW.Example.com:8443/a?b#c").as_deref(),
            Some("https://www.example.com:8443")
        );
        assert_eq!(origin_of("javascript:alert(1)"), None);
        assert_eq!(origin_of("//evil.example/x"), None);
        assert_eq!(origin_of("https://user@evil.example/"), None);
    }

    #[test]
    fn only_the_pages_own_origin_is_fetched() {
        assert!(allowed_url("https://www.example.com/logo.png", SITE, true));
        assert!(!allowed_url("https://evil.example/track.gif", SITE, true));
        assert!(
            !allowed_url("http://www.example.com/logo.png", SITE, true),
            "scheme"
        );
        assert!(
            !allowed_url("/api/v1/sessions.csv", SITE, true),
            "relative: the relay's"
        );
        assert!(!allowed_url("//evil.example/x", SITE, true));
        assert!(allowed_url("data:image/png;base64,AAAA", SITE, true));
        assert!(!allowed_url("data:text/html,hi", SITE, false));
        assert!(
            !allowed_url("https://www.example.com/", None, true),
            "no origin known"
        );
    }

    #[test]
    fn hostile_tags_and_attributes_are_not_built() {
        for tag in [
            "script", "OBJECT", "embed", "base", "meta", "frame", "portal",
        ] {
            assert!(!builds_tag(tag), "{tag}");
        }
        let preload = vec![
            ("rel".to_owned(), "preload".to_owned()),
            ("href".to_owned(), "https://evil.example/x".to_owned()),
        ];
        assert!(!builds_element("link", &preload));
        let sheet = vec![("rel".to_owned(), "stylesheet".to_owned())];
        assert!(builds_element("link", &sheet));
        assert_eq!(clean_attribute("img", "onerror", "x()", SITE), None);
        assert_eq!(clean_attribute("iframe", "srcdoc", "<p>", SITE), None);
        assert_eq!(
            clean_attribute("iframe", "src", "https://www.example.com/f", SITE),
            None
        );
        assert_eq!(
            clean_attribute("button", "formaction", "https://x", SITE),
            None
        );
        assert_eq!(clean_attribute("a", "ping", "https://x", SITE), None);
        assert_eq!(
            clean_attribute("img", "src", "https://evil.example/a.png", SITE),
            None
        );
        assert_eq!(
            clean_attribute("video", "poster", "https://evil.example/a.png", SITE),
            None
        );
        assert_eq!(
            clean_attribute(
                "img",
                "srcset",
                "https://evil.example/a.png 1x, https://www.example.com/b.png 2x",
                SITE
            )
            .as_deref(),
            Some("https://www.example.com/b.png 2x")
        );
        assert_eq!(clean_attribute("a", "href", "data:text/html,x", SITE), None);
        assert_eq!(
            clean_attribute("p", "class", "intro", SITE).as_deref(),
            Some("intro")
        );
    }

    #[test]
    fn the_mirrors_policy_names_the_page_origin_alone() {
        let policy = mirror_policy(SITE);
        assert!(
            policy.contains("img-src https://www.example.com data:"),
            "{policy}"
        );
        assert!(policy.starts_with("default-src 'none'"));
        assert!(policy.contains("frame-src 'none'"));
        let injected = mirror_policy(Some("https://x; img-src *"));
        assert!(!injected.contains("img-src *"), "{injected}");
        assert!(mirror_policy(None).contains("img-src 'none'"));
    }
}
