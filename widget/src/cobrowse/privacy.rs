//! What never leaves the visitor's browser: values of password, card and one-time-code
//! fields, and everything inside elements the site marks private (`data-tandem-private` or
//! its own selectors). In "private by default" mode only what the site marks public
//! (`data-tandem-public` or its selectors) is shown.
//!
//! Masks are one fixed placeholder whatever the length of what they hide.

use web_sys::Element;

/// Shown in place of a private value or text: the same whatever it hides.
pub const MASK: &str = "•••";

/// Marks an element whose content stays in the visitor's browser.
const PRIVATE_ATTR: &str = "[data-tandem-private]";
/// Marks what may be shown in "private by default" mode.
const PUBLIC_ATTR: &str = "[data-tandem-public]";
/// Marks a field the adviser may not fill in.
pub const NO_REMOTE_ATTR: &str = "[data-tandem-no-remote]";

/// `autocomplete` tokens of fields whose values are secret.
const SECRET_AUTOCOMPLETE: [&str; 4] = ["cc-", "one-time-code", "current-password", "new-password"];

/// Attributes a private element keeps (its look, never its content).
const KEPT_ON_PRIVATE: [&str; 12] = [
    "id",
    "class",
    "style",
    "type",
    "name",
    "placeholder",
    "hidden",
    "width",
    "height",
    "role",
    "for",
    "aria-label",
];

/// The site's privacy rules.
#[derive(Clone, Debug, Default)]
pub struct Privacy {
    /// Selector matching private elements (the attribute plus the site's selectors).
    private_selector: String,
    /// In "private by default" mode, the selector of what may be shown.
    public_selector: Option<String>,
}

impl Privacy {
    /// Rules from the site's settings: extra private selectors (comma-separated CSS), and
    /// the public selectors when everything else is private.
    pub fn new(private_selectors: &str, private_by_default: bool, public_selectors: &str) -> Self {
        let join = |base: &str, extra: &str| {
            let extra = extra.trim();
            if extra.is_empty() || !is_valid_selector(extra) {
                base.to_owned()
            } else {
                format!("{base},{extra}")
            }
        };
        Privacy {
            private_selector: join(PRIVATE_ATTR, private_selectors),
            public_selector: private_by_default.then(|| join(PUBLIC_ATTR, public_selectors)),
        }
    }

    /// True for an element whose whole content is private (marked by the site, or inside
    /// something marked).
    pub fn is_private_element(&self, element: &Element) -> bool {
        element
            .closest(&self.private_selector)
            .ok()
            .flatten()
            .is_some()
    }

    /// True for a form field whose value must not leave the browser.
    pub fn is_private_field(&self, element: &Element) -> bool {
        if is_secret_field(element) || self.is_private_element(element) {
            return true;
        }
        self.public_selector.is_some() && !self.is_public(element)
    }

    /// True unless "private by default" is on (then text shows only inside what is public).
    pub fn shows_all_text(&self) -> bool {
        self.public_selector.is_none()
    }

    /// True when text inside `element` may be shown (always, unless "private by default").
    pub fn shows_text_of(&self, element: &Element) -> bool {
        self.public_selector.is_none() || self.is_public(element)
    }

    fn is_public(&self, element: &Element) -> bool {
        self.public_selector
            .as_deref()
            .is_some_and(|selector| element.closest(selector).ok().flatten().is_some())
    }

    /// The page's private elements and secret fields that are shown (to veil them for the
    /// visitor during co-browsing).
    pub fn private_elements(&self, document: &web_sys::Document) -> Vec<Element> {
        use wasm_bindgen::JsCast;
        let selector = format!("{},input,textarea", self.private_selector);
        let Ok(list) = document.query_selector_all(&selector) else {
            return Vec::new();
        };
        let mut found: Vec<Element> = Vec::new();
        for index in 0..list.length() {
            let Some(element) = list.item(index).and_then(|n| n.dyn_into::<Element>().ok()) else {
                continue;
            };
            let private = is_secret_field(&element)
                || element.matches(&self.private_selector).unwrap_or(false);
            // Only the outermost private element gets a veil.
            let inside = found.iter().any(|outer| outer.contains(Some(&element)));
            if private && !inside {
                found.push(element);
            }
        }
        found
    }

    /// Whether a private element keeps this attribute.
    pub fn keeps_on_private(name: &str) -> bool {
        KEPT_ON_PRIVATE.contains(&name)
    }
}

/// Password, card and one-time-code fields, whatever the site marks.
pub fn is_secret_field(element: &Element) -> bool {
    let tag = element.local_name();
    if tag != "input" && tag != "textarea" {
        return false;
    }
    if element
        .get_attribute("type")
        .is_some_and(|t| t.eq_ignore_ascii_case("password"))
    {
        return true;
    }
    element.get_attribute("autocomplete").is_some_and(|value| {
        let value = value.to_ascii_lowercase();
        value.split_ascii_whitespace().any(|token| {
            SECRET_AUTOCOMPLETE
                .iter()
                .any(|secret| token.starts_with(secret))
        })
    })
}

/// True when the browser accepts `selector` (a site's typo must not break co-browsing).
fn is_valid_selector(selector: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.query_selector(selector).is_ok())
}

/// Removes from `url` the query parameters named like a private field (a GET form of a
/// private field puts its value there).
pub fn strip_private_params(url: &str, private_names: &[String]) -> String {
    if private_names.is_empty() || !url.contains('?') {
        return url.to_owned();
    }
    let Ok(parsed) = web_sys::Url::new(url) else {
        return url.to_owned();
    };
    let params = parsed.search_params();
    for name in private_names {
        params.delete(name);
    }
    parsed.set_search(&params.to_string().as_string().unwrap_or_default());
    parsed.href()
}
