//! What the loader tells the widget.

use serde::Deserialize;
use tandem_shared::site::Appearance;
use wasm_bindgen::JsValue;

/// Settings from the loader's script tag.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WidgetConfig {
    /// The relay's origin (`http://host:port`).
    pub relay: String,
    /// The page's language (`fr`, `en`).
    #[serde(default)]
    pub locale: String,
    /// The site key (`data-site`); the relay's default site when absent.
    #[serde(default)]
    pub site: Option<String>,
    /// The launcher's label, when the tag sets one (any language).
    #[serde(default)]
    pub launcher_text: Option<String>,
    /// The greeting at the top of the panel, when the tag sets one (any language).
    #[serde(default)]
    pub greeting: Option<String>,
    /// The site's look as the relay's settings give it (texts per language).
    #[serde(default)]
    pub look: Option<Appearance>,
    /// Flash the tab's title for messages that arrive while the panel is closed
    /// (`data-title-flash="off"` turns it off).
    #[serde(default = "on")]
    pub title_flash: bool,
    /// Chime for those messages (`data-sound="on"`).
    #[serde(default)]
    pub sound: bool,
    /// What the site tells about the visitor: `userId`/`userHash` from the tag's attributes
    /// (identity verification), and name, email, phone, company from `Tandem.identify`. Read
    /// from the same object on its own (serde's `flatten` costs the widget kilobytes of
    /// buffering code); hints that cannot be read are left out, the settings kept.
    #[serde(skip)]
    pub visitor: VisitorHints,
    /// CSS selectors of elements the adviser must never see (`data-private-selectors`).
    #[serde(default)]
    pub private_selectors: Option<String>,
    /// Only what the site marks public is shown while co-browsing (`data-privacy="private-by-default"`).
    #[serde(default)]
    pub private_by_default: bool,
    /// In private-by-default mode, CSS selectors of what may be shown (`data-public-selectors`).
    #[serde(default)]
    pub public_selectors: Option<String>,
    /// The topic of the proactive invitation the visitor opened the chat from, if any.
    #[serde(default)]
    pub queue: Option<String>,
}

fn on() -> bool {
    true
}

impl WidgetConfig {
    /// Reads the loader's settings object; falls back to this page's origin.
    pub fn from_js(value: &JsValue) -> WidgetConfig {
        let json = js_sys::JSON::stringify(value)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default();
        let mut config: WidgetConfig =
            serde_json::from_str(&json).unwrap_or_else(|_| WidgetConfig {
                relay: web_sys::window()
                    .and_then(|w| w.location().origin().ok())
                    .unwrap_or_default(),
                locale: String::new(),
                site: None,
                launcher_text: None,
                greeting: None,
                look: None,
                title_flash: true,
                sound: false,
                visitor: VisitorHints::default(),
                private_selectors: None,
                private_by_default: false,
                public_selectors: None,
                queue: None,
            });
        config.visitor = serde_json::from_str(&json).unwrap_or_default();
        config
    }

    /// The launcher's label in `locale`: the tag's, else the site's, else none (built-in).
    pub fn launcher_text(&self, locale: &str) -> Option<String> {
        self.launcher_text.clone().or_else(|| {
            self.look
                .as_ref()
                .and_then(|look| look.launcher_text.get(locale))
                .map(str::to_owned)
        })
    }

    /// The greeting in `locale`: the tag's, else the site's, else none (built-in intro).
    pub fn greeting(&self, locale: &str) -> Option<String> {
        self.greeting
            .clone()
            .filter(|text| !text.trim().is_empty())
            .or_else(|| {
                self.look
                    .as_ref()
                    .and_then(|look| look.greeting.get(locale))
                    .map(str::to_owned)
            })
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
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VisitorHints {
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Company.
    #[serde(default)]
    pub company: Option<String>,
    /// The site's user id.
    #[serde(default)]
    pub user_id: Option<String>,
    /// The site server's signature of `user_id`.
    #[serde(default)]
    pub user_hash: Option<String>,
}

impl VisitorHints {
    /// Reads the object passed to `Tandem.identify`; nothing usable gives no hints.
    pub fn from_js(value: &JsValue) -> VisitorHints {
        js_sys::JSON::stringify(value)
            .ok()
            .and_then(|s| s.as_string())
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default()
    }

    /// The signed identity, when the site gave both the id and its signature.
    pub fn identity(&self) -> Option<tandem_shared::model::SignedIdentity> {
        let user_id = self.user_id.clone().filter(|id| !id.is_empty())?;
        let signature = self.user_hash.clone().filter(|hash| !hash.is_empty())?;
        Some(tandem_shared::model::SignedIdentity { user_id, signature })
    }
}
