//! The texts of the widget and the console, in French and English.
//!
//! Each language is one JSON file in `shared/locales/` mapping a key to a text; `{name}`
//! placeholders are filled by [`Texts::format`]. Adding a language is adding one file and one
//! line to [`Locale::ALL`]. A key missing from a language falls back to English.

use std::collections::HashMap;
use std::sync::OnceLock;

/// A language Tandem ships.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Locale {
    /// English.
    En,
    /// French.
    Fr,
}

impl Locale {
    /// Every shipped language.
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Fr];

    /// The language's code (`en`, `fr`).
    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Fr => "fr",
        }
    }

    /// The best shipped language for a tag such as `fr-CA` or `en`; English otherwise.
    pub fn from_tag(tag: &str) -> Locale {
        let primary = tag
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        Locale::ALL
            .into_iter()
            .find(|l| l.code() == primary)
            .unwrap_or(Locale::En)
    }

    fn source(self) -> &'static str {
        match self {
            Locale::En => include_str!("../locales/en.json"),
            Locale::Fr => include_str!("../locales/fr.json"),
        }
    }
}

/// The texts of one language.
#[derive(Debug)]
pub struct Texts {
    locale: Locale,
    entries: HashMap<String, String>,
}

impl Texts {
    /// The texts of `locale`, parsed once.
    pub fn get(locale: Locale) -> &'static Texts {
        static EN: OnceLock<Texts> = OnceLock::new();
        static FR: OnceLock<Texts> = OnceLock::new();
        let cell = match locale {
            Locale::En => &EN,
            Locale::Fr => &FR,
        };
        cell.get_or_init(|| Texts::parse(locale))
    }

    fn parse(locale: Locale) -> Texts {
        // The files are part of the build and checked by a test, so a parse failure cannot
        // reach a user; an empty map would still fall back to the key itself.
        let entries = serde_json::from_str(locale.source()).unwrap_or_default();
        Texts { locale, entries }
    }

    /// The language of these texts.
    pub fn locale(&self) -> Locale {
        self.locale
    }

    /// The text for `key`, in English when this language lacks it, or the key itself.
    pub fn t<'a>(&'a self, key: &'a str) -> &'a str {
        if let Some(text) = self.entries.get(key) {
            return text;
        }
        if self.locale != Locale::En {
            if let Some(text) = Texts::get(Locale::En).entries.get(key) {
                return text;
            }
        }
        key
    }

    /// The text for `key` with each `{name}` replaced by its value.
    pub fn format(&self, key: &str, args: &[(&str, &str)]) -> String {
        let mut text = self.t(key).to_owned();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// Every key of this language.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }
}
