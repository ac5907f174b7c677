//! What the loader tells the widget: read property by property from the loader's object
//! (the browser's own property access; no JSON parser in the download the click waits for).
//! A setting missing or of another type takes its default.

use tandem_shared::site::Texts;
use wasm_bindgen::JsValue;

/// Settings from the loader's script tag.
#[derive(Clone, Debug)]
pub struct WidgetConfig {
    /// The relay's origin (`http://host:port`); this page's origin when the loader gives none.
    pub relay: String,
    /// The page's language (`fr`, `en`).
    pub locale: String,
    /// The site key (`data-site`); the relay's default site when absent.
    pub site: Option<String>,
    /// The launcher's label, when the tag sets one (any language).
    pub launcher_text: Option<String>,
    /// The greeting at the top of the panel, when the tag sets one (any language).
    pub greeting: Option<String>,
    /// The launcher's label per language, as the site's settings give it (`look`).
    pub site_launcher_text: Texts,
    /// The greeting per language, as the site's settings give it (`look`).
    pub site_greeting: Texts,
    /// Flash the tab's title for messages that arrive while the panel is closed
    /// (`data-title-flash="off"` turns it off).
    pub title_flash: bool,
    /// Chime for those messages (`data-sound="on"`).
    pub sound: bool,
    /// What the site tells about the visitor: `userId`/`userHash` from the tag's attributes
    /// (identity verification), and name, email, phone, company from `Tandem.identify`.
    pub visitor: VisitorHints,
    /// CSS selectors of elements the adviser must never see (`data-private-selectors`).
    pub private_selectors: Option<String>,
    /// Only what the site marks public is shown while co-browsing (`data-privacy="private-by-default"`).
    pub private_by_default: bool,
    /// In private-by-default mode, CSS selectors of what may be shown (`data-public-selectors`).
    pub public_selectors: Option<String>,
    /// The topic of the proactive invitation the visitor opened the chat from, if any.
    pub queue: Option<String>,
}

/// A JavaScript object read property by property.
struct Fields<'a>(&'a JsValue);

impl Fields<'_> {
    /// The property `key` (undefined when absent, or when this is not an object).
    fn get(&self, key: &str) -> JsValue {
        if !self.0.is_object() {
            return JsValue::UNDEFINED;
        }
        js_sys::Reflect::get(self.0, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }

    /// The string property `key`, if it is one.
    fn string(&self, key: &str) -> Option<String> {
        self.get(key).as_string()
    }

    /// The boolean property `key`, if it is one.
    fn flag(&self, key: &str) -> Option<bool> {
        self.get(key).as_bool()
    }

    /// A text per language (`{ fr, en }`) under `key`.
    fn texts(&self, key: &str) -> Texts {
        let value = self.get(key);
        let texts = Fields(&value);
        Texts {
            fr: texts.string("fr"),
            en: texts.string("en"),
        }
    }
}

impl WidgetConfig {
    /// Reads the loader's settings object; the relay falls back to this page's origin.
    pub fn from_js(value: &JsValue) -> WidgetConfig {
        let fields = Fields(value);
        let look = fields.get("look");
        let look = Fields(&look);
        WidgetConfig {
            relay: fields.string("relay").unwrap_or_else(|| {
                web_sys::window()
                    .and_then(|w| w.location().origin().ok())
                    .unwrap_or_default()
            }),
            locale: fields.string("locale").unwrap_or_default(),
            site: fields.string("site"),
            launcher_text: fields.string("launcherText"),
            greeting: fields.string("greeting"),
            site_launcher_text: look.texts("launcher_text"),
            site_greeting: look.texts("greeting"),
            title_flash: fields.flag("titleFlash").unwrap_or(true),
            sound: fields.flag("sound").unwrap_or(false),
            visitor: VisitorHints::from_js(value),
            private_selectors: fields.string("privateSelectors"),
            private_by_default: fields.flag("privateByDefault").unwrap_or(false),
            public_selectors: fields.string("publicSelectors"),
            queue: fields.string("queue"),
        }
    }

    /// The launcher's label in `locale`: the tag's, else the site's, else none (built-in).
    pub fn launcher_text(&self, locale: &str) -> Option<String> {
        self.launcher_text
            .clone()
            .or_else(|| self.site_launcher_text.get(locale).map(str::to_owned))
    }

    /// The greeting in `locale`: the tag's, else the site's, else none (built-in intro).
    pub fn greeting(&self, locale: &str) -> Option<String> {
        self.greeting
            .clone()
            .filter(|text| !text.trim().is_empty())
            .or_else(|| self.site_greeting.get(locale).map(str::to_owned))
    }

    /// The site's co-browsing privacy rules.
    pub fn privacy(&self) -> crate::cobrowse::privacy::Privacy {
        crate::cobrowse::privacy::Privacy::new(
            self.private_selectors.as_deref().unwrap_or_default(),
            self.private_by_default,
            self.public_selectors.as_deref().unwrap_or_default(),
        )
    }

    /// What the site told about the visitor at load time.
    pub fn hints(&self) -> VisitorHints {
        self.visitor.clone()
    }

    /// The visitor WebSocket URL of the relay.
    pub fn socket_url(&self) -> String {
        let ws = if let Some(rest) = self.relay.strip_prefix("https://") {
            format!("wss://{rest}")
        } else if let Some(rest) = self.relay.strip_prefix("http://") {
            format!("ws://{rest}")
        } else {
            self.relay.clone()
        };
        let ws = ws.trim_end_matches('/');
        match self.site.as_deref().filter(|site| !site.is_empty()) {
            Some(site) => format!(
                "{ws}/ws/visitor?site={}",
                js_sys::encode_uri_component(site)
            ),
            None => format!("{ws}/ws/visitor"),
        }
    }
}

/// What the site tells about the visitor (`data-user-id`/`data-user-hash`, or
/// `Tandem.identify({...})`): pre-chat form values and the signed identity.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VisitorHints {
    /// Name.
    pub name: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Company.
    pub company: Option<String>,
    /// The site's user id.
    pub user_id: Option<String>,
    /// The site server's signature of `user_id`.
    pub user_hash: Option<String>,
}

impl VisitorHints {
    /// Reads the object passed to `Tandem.identify`; nothing usable gives no hints.
    pub fn from_js(value: &JsValue) -> VisitorHints {
        let fields = Fields(value);
        VisitorHints {
            name: fields.string("name"),
            email: fields.string("email"),
            phone: fields.string("phone"),
            company: fields.string("company"),
            user_id: fields.string("userId"),
            user_hash: fields.string("userHash"),
        }
    }

    /// The signed identity, when the site gave both the id and its signature.
    pub fn identity(&self) -> Option<tandem_shared::model::SignedIdentity> {
        let user_id = self.user_id.clone().filter(|id| !id.is_empty())?;
        let signature = self.user_hash.clone().filter(|hash| !hash.is_empty())?;
        Some(tandem_shared::model::SignedIdentity { user_id, signature })
    }
}
