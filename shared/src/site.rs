//! Sites: one relay serves several websites, each with its own key, allowed origins, queues
//! and look (colour, position, launcher text, greeting).

use crate::limits::{validate_key, FieldError, Problem};
use serde::{Deserialize, Serialize};

/// The site of a tag without `data-site`, and of every chat before sites existed.
pub const DEFAULT_SITE: &str = "default";
/// Colour of the launcher and the widget's buttons unless a site sets one.
pub const DEFAULT_COLOR: &str = "#1d4ed8";
/// Longest launcher text.
pub const MAX_LAUNCHER_TEXT_CHARS: usize = 60;
/// Longest greeting.
pub const MAX_GREETING_CHARS: usize = 300;
/// Longest site name.
pub const MAX_SITE_NAME_CHARS: usize = 80;
/// Most allowed origins per site.
pub const MAX_ORIGINS: usize = 20;

/// Which bottom corner the launcher and the panel sit in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Corner {
    /// Bottom right (the default).
    #[default]
    Right,
    /// Bottom left.
    Left,
}

/// A site's settings, as managed in the console (or with `tandem-relay site set`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteSettings {
    /// The public key the script tag names (`data-site="acme"`).
    pub key: String,
    /// Name shown to advisers.
    pub name: String,
    /// Origins whose pages may open chats for this site (`https://www.acme.com`); empty
    /// allows any.
    #[serde(default)]
    pub origins: Vec<String>,
    /// Keys of the queues offered on this site; empty offers every queue.
    #[serde(default)]
    pub queues: Vec<String>,
    /// The look of the widget on this site.
    #[serde(default)]
    pub appearance: Appearance,
    /// Proactive invitations: when to offer a chat before the visitor asks.
    #[serde(default)]
    pub invitations: Vec<crate::invitation::InvitationRule>,
    /// Only visitors whose user id the site signed (identity verification) may start a chat
    /// or leave a message; the others are told to log in.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub verified_only: bool,
    /// The secret this site signs user ids with (else the relay's `--identity-secret`). Never
    /// sent or read as JSON: set with `tandem-relay site secret` or its own route.
    #[serde(skip)]
    pub identity_secret: Option<IdentitySecret>,
}

/// A site's identity secret: shown as `…` in debug output, never serialized.
#[derive(Clone, PartialEq, Eq)]
pub struct IdentitySecret(pub String);

impl std::fmt::Debug for IdentitySecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdentitySecret(…)")
    }
}

/// What visitors see of a site's settings (served to any page, no secret in it). Missing
/// parts take their defaults, so an empty object is a valid look.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Appearance {
    /// Launcher and button colour, `#rrggbb`.
    pub color: String,
    /// Corner of the launcher and panel.
    #[serde(default)]
    pub position: Corner,
    /// Launcher label per language; the built-in text where absent.
    #[serde(default)]
    pub launcher_text: Texts,
    /// Line shown at the top of the panel per language, if any.
    #[serde(default)]
    pub greeting: Texts,
}

impl Default for Appearance {
    fn default() -> Self {
        Appearance {
            color: DEFAULT_COLOR.to_owned(),
            position: Corner::Right,
            launcher_text: Texts::default(),
            greeting: Texts::default(),
        }
    }
}

/// A text in French and English (either may be absent).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Texts {
    /// French.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fr: Option<String>,
    /// English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl Texts {
    /// The text in `locale` (`fr` or anything else for English).
    pub fn get(&self, locale: &str) -> Option<&str> {
        if locale == "fr" {
            self.fr.as_deref()
        } else {
            self.en.as_deref()
        }
    }

    pub(crate) fn validated(self, field: &'static str, max: usize) -> Result<Texts, FieldError> {
        let check = |text: Option<String>| -> Result<Option<String>, FieldError> {
            let Some(text) = text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()) else {
                return Ok(None);
            };
            if text.chars().count() > max {
                return Err(FieldError {
                    field,
                    problem: Problem::TooLong,
                });
            }
            Ok(Some(text))
        };
        Ok(Texts {
            fr: check(self.fr)?,
            en: check(self.en)?,
        })
    }
}

impl SiteSettings {
    /// New settings for `key` with the default look.
    pub fn new(key: &str, name: &str) -> SiteSettings {
        SiteSettings {
            key: key.to_owned(),
            name: name.to_owned(),
            origins: Vec::new(),
            queues: Vec::new(),
            appearance: Appearance::default(),
            invitations: Vec::new(),
            verified_only: false,
            identity_secret: None,
        }
    }

    /// Trimmed and checked: key, name, origins (`scheme://host[:port]`, no path), queue keys,
    /// colour `#rrggbb`, text lengths. The first field in error is named.
    pub fn validated(self) -> Result<SiteSettings, FieldError> {
        let key = validate_key(&self.key)?;
        let name = crate::limits::required(&self.name, "name", MAX_SITE_NAME_CHARS)?;
        if self.origins.len() > MAX_ORIGINS {
            return Err(FieldError {
                field: "origins",
                problem: Problem::TooLong,
            });
        }
        let mut origins = Vec::new();
        for origin in self
            .origins
            .iter()
            .map(|o| o.trim())
            .filter(|o| !o.is_empty())
        {
            origins.push(normalized_origin(origin).ok_or(FieldError {
                field: "origins",
                problem: Problem::Invalid,
            })?);
        }
        let mut queues = Vec::new();
        for queue in self.queues.iter().filter(|q| !q.trim().is_empty()) {
            queues.push(validate_key(queue).map_err(|e| FieldError {
                field: "queues",
                problem: e.problem,
            })?);
        }
        let appearance = Appearance {
            color: valid_color(&self.appearance.color)
                .filter(|color| contrast_with_white(color) >= MIN_CONTRAST)
                .ok_or(FieldError {
                    field: "color",
                    problem: Problem::Invalid,
                })?,
            position: self.appearance.position,
            launcher_text: self
                .appearance
                .launcher_text
                .validated("launcher_text", MAX_LAUNCHER_TEXT_CHARS)?,
            greeting: self
                .appearance
                .greeting
                .validated("greeting", MAX_GREETING_CHARS)?,
        };
        if self.invitations.len() > crate::invitation::MAX_INVITATIONS_PER_SITE {
            return Err(FieldError {
                field: "invitations",
                problem: Problem::TooLong,
            });
        }
        let mut invitations: Vec<crate::invitation::InvitationRule> = Vec::new();
        for rule in self.invitations {
            let rule = rule.validated()?;
            if invitations.iter().any(|r| r.id == rule.id) {
                return Err(FieldError {
                    field: "invitations",
                    problem: Problem::Invalid,
                });
            }
            invitations.push(rule);
        }
        Ok(SiteSettings {
            key,
            name,
            origins,
            queues,
            appearance,
            invitations,
            verified_only: self.verified_only,
            identity_secret: self.identity_secret,
        })
    }

    /// True when a page at `origin` may open chats for this site.
    pub fn allows_origin(&self, origin: Option<&str>) -> bool {
        self.origins.is_empty()
            || origin.is_some_and(|origin| {
                self.origins
                    .iter()
                    .any(|allowed| allowed.eq_ignore_ascii_case(origin.trim_end_matches('/')))
            })
    }

    /// True when visitors of this site may pick the queue `key`.
    pub fn offers_queue(&self, key: &str) -> bool {
        self.queues.is_empty() || self.queues.iter().any(|q| q == key)
    }

    /// The script tag to paste in the site's pages, for a relay at `relay_origin`.
    pub fn snippet(&self, relay_origin: &str) -> String {
        let relay = relay_origin.trim_end_matches('/');
        if self.key == DEFAULT_SITE {
            format!("<script src=\"{relay}/widget.js\" async></script>")
        } else {
            format!(
                "<script src=\"{relay}/widget.js\" data-site=\"{}\" async></script>",
                self.key
            )
        }
    }
}

/// Contrast white text must keep on the site's colour (WCAG AA for normal text).
pub const MIN_CONTRAST: f64 = 4.5;

/// The WCAG contrast ratio of white on `#rrggbb` (1 to 21); 1 for anything else.
pub fn contrast_with_white(color: &str) -> f64 {
    let channel = |range: std::ops::Range<usize>| {
        let value = color
            .get(range)
            .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            .map_or(1.0, |v| f64::from(v) / 255.0);
        if value <= 0.039_28 {
            value / 12.92
        } else {
            ((value + 0.055) / 1.055).powf(2.4)
        }
    };
    if color.len() != 7 {
        return 1.0;
    }
    let luminance = 0.2126 * channel(1..3) + 0.7152 * channel(3..5) + 0.0722 * channel(5..7);
    1.05 / (luminance + 0.05)
}

/// `#rgb` or `#rrggbb` (any case) as lower-case `#rrggbb`.
pub fn valid_color(color: &str) -> Option<String> {
    let hex = color.trim().strip_prefix('#')?;
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    match hex.len() {
        6 => Some(format!("#{}", hex.to_ascii_lowercase())),
        3 => Some(format!(
            "#{}",
            hex.chars()
                .flat_map(|c| [c, c])
                .collect::<String>()
                .to_ascii_lowercase()
        )),
        _ => None,
    }
}

/// `https://Example.com:8443/` as `https://example.com:8443`; none for anything with a path,
/// query, user info or another scheme.
pub fn normalized_origin(origin: &str) -> Option<String> {
    let origin = origin.trim().trim_end_matches('/');
    let (scheme, rest) = origin.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let host_ok = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']');
    if rest.is_empty() || !rest.chars().all(host_ok) {
        return None;
    }
    Some(format!("{scheme}://{}", rest.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> SiteSettings {
        SiteSettings::new("brico", "Brico Services")
    }

    #[test]
    fn origins_are_normalised_and_paths_refused() {
        let mut settings = site();
        settings.origins = vec!["HTTPS://Shop.Example.com/".into(), " ".into()];
        let checked = settings.clone().validated().map_err(|e| e.to_string());
        assert_eq!(
            checked.map(|s| s.origins),
            Ok(vec!["https://shop.example.com".to_owned()])
        );
        settings.origins = vec!["https://shop.example.com/path".into()];
        assert_eq!(
            settings.validated().map_err(|e| e.field),
            Err("origins"),
            "an origin with a path is refused"
        );
    }

    #[test]
    fn colours_are_checked() {
        assert_eq!(valid_color("#0A7"), Some("#00aa77".to_owned()));
        assert_eq!(valid_color("#15803D"), Some("#15803d".to_owned()));
        assert_eq!(valid_color("red"), None);
        assert_eq!(valid_color("#12345"), None);
        assert!(contrast_with_white("#1d4ed8") > 6.0);
        assert!(contrast_with_white("#ffff00") < 1.1);
        let mut yellow = site();
        yellow.appearance.color = "#facc15".into();
        assert_eq!(
            yellow.validated().map_err(|e| e.field),
            Err("color"),
            "white text on yellow is unreadable: refused"
        );
        let mut settings = site();
        settings.appearance.color = "url(x)".into();
        assert_eq!(settings.validated().map_err(|e| e.field), Err("color"));
    }

    #[test]
    fn a_site_allows_only_its_origins_and_offers_only_its_queues() {
        let mut settings = site();
        assert!(settings.allows_origin(None), "no origin listed: any page");
        settings.origins = vec!["https://brico.example".into()];
        settings.queues = vec!["sales".into()];
        assert!(settings.allows_origin(Some("https://brico.example")));
        assert!(!settings.allows_origin(Some("https://evil.example")));
        assert!(!settings.allows_origin(None));
        assert!(settings.offers_queue("sales"));
        assert!(!settings.offers_queue("general"));
    }

    #[test]
    fn long_texts_are_refused_and_blank_ones_dropped() {
        let mut settings = site();
        settings.appearance.greeting.fr = Some("x".repeat(MAX_GREETING_CHARS + 1));
        assert_eq!(
            settings.clone().validated().map_err(|e| e.field),
            Err("greeting")
        );
        settings.appearance.greeting.fr = Some("   ".into());
        assert_eq!(
            settings.validated().map(|s| s.appearance.greeting.fr),
            Ok(None)
        );
    }

    #[test]
    fn an_empty_look_is_the_default_look() {
        let look: Result<Appearance, _> = serde_json::from_str("{}");
        assert_eq!(look.ok(), Some(Appearance::default()));
    }

    #[test]
    fn the_snippet_names_the_site() {
        assert_eq!(
            site().snippet("https://chat.example.com/"),
            "<script src=\"https://chat.example.com/widget.js\" data-site=\"brico\" async></script>"
        );
    }
}
