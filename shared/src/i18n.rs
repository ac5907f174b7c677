//! The texts of the widget and the console, in French and English.
//!
//! Each language has two JSON files in `shared/locales/` mapping a key to a text: what visitors
//! see (`en.json`: the widget, mails) and what only advisers see (`console.en.json`, keys under
//! `console.`). The widget embeds only the first ([`Texts::get`]); the console both
//! ([`Texts::console`]). `{name}` placeholders are filled by [`Texts::format`]. Adding a
//! language is adding two files and one line to [`Locale::ALL`]. A key missing from a language
//! falls back to English.

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

    /// The texts visitors see in this language (the widget's and the mails').
    fn visitor_source(self) -> &'static str {
        match self {
            Locale::En => include_str!("../locales/en.json"),
            Locale::Fr => include_str!("../locales/fr.json"),
        }
    }

    /// The texts only the adviser console shows, in this language.
    fn console_source(self) -> &'static str {
        match self {
            Locale::En => include_str!("../locales/console.en.json"),
            Locale::Fr => include_str!("../locales/console.fr.json"),
        }
    }
}

/// The texts of one language.
#[derive(Debug)]
pub struct Texts {
    locale: Locale,
    entries: HashMap<String, String>,
    /// The same set of texts in English, for keys this language lacks (none for English).
    english: Option<&'static Texts>,
}

/// One set of texts per language, each parsed on first use and kept.
struct PerLocale {
    en: OnceLock<Texts>,
    fr: OnceLock<Texts>,
}

impl PerLocale {
    const fn new() -> PerLocale {
        PerLocale {
            en: OnceLock::new(),
            fr: OnceLock::new(),
        }
    }

    /// The texts of `locale`, from `parse` the first time.
    fn get_or_parse(
        &'static self,
        locale: Locale,
        parse: impl FnOnce() -> Texts,
    ) -> &'static Texts {
        let cell = match locale {
            Locale::En => &self.en,
            Locale::Fr => &self.fr,
        };
        cell.get_or_init(parse)
    }
}

impl Texts {
    /// The texts visitors see in `locale` (the widget's and the mails'), parsed once.
    pub fn get(locale: Locale) -> &'static Texts {
        static PARSED: PerLocale = PerLocale::new();
        PARSED.get_or_parse(locale, || {
            let english = (locale != Locale::En).then(|| Texts::get(Locale::En));
            Texts::parse(locale, &[locale.visitor_source()], english)
        })
    }

    /// The adviser console's texts in `locale`: those of [`Texts::get`] and the console's own,
    /// parsed once. Only the console calls this, so the widget does not carry them.
    pub fn console(locale: Locale) -> &'static Texts {
        static PARSED: PerLocale = PerLocale::new();
        PARSED.get_or_parse(locale, || {
            let english = (locale != Locale::En).then(|| Texts::console(Locale::En));
            let sources = [locale.visitor_source(), locale.console_source()];
            Texts::parse(locale, &sources, english)
        })
    }

    fn parse(locale: Locale, sources: &[&str], english: Option<&'static Texts>) -> Texts {
        // The files are part of the build and checked by a test, so a parse failure cannot
        // reach a user; an empty map would still fall back to the key itself.
        let mut entries = HashMap::new();
        for source in sources {
            let parsed: HashMap<String, String> = serde_json::from_str(source).unwrap_or_default();
            entries.extend(parsed);
        }
        Texts {
            locale,
            entries,
            english,
        }
    }

    /// The language of these texts.
    pub fn locale(&self) -> Locale {
        self.locale
    }

    /// The text for `key`, in English when this language lacks it, or the key itself.
    pub fn t<'a>(&'a self, key: &'a str) -> &'a str {
        self.entries
            .get(key)
            .or_else(|| self.english.and_then(|english| english.entries.get(key)))
            .map_or(key, String::as_str)
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
