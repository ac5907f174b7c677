//! The texts of the widget and the console, in French and English.
//!
//! Each language has two JSON files in `shared/locales/` mapping a key to a text: what visitors
//! see (`en.json`: the widget, mails) and what only advisers see (`console.en.json`, keys under
//! `console.`). The widget embeds only the first ([`Texts::get`]); the console both
//! ([`Texts::console`]). `build.rs` builds each file into one string of keys and texts: no JSON
//! parser nor hash map in the browsers' downloads. `{name}` placeholders are filled by [`Texts::format`]. Adding a
//! language is adding two files, their lines in `build.rs` and the language to [`Locale`]. A key missing from a language
//! falls back to English.

include!(concat!(env!("OUT_DIR"), "/texts.rs"));

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
}

/// The texts of one language.
#[derive(Debug)]
pub struct Texts {
    locale: Locale,
    /// What visitors see (see [`texts_of`]).
    visitor: &'static str,
    /// The console's own texts (none for visitors).
    own: &'static str,
    /// The same set of texts in English, for keys this language lacks (none for English).
    english: Option<&'static Texts>,
}

/// What visitors see in English.
static VISITOR_EN: Texts = Texts {
    locale: Locale::En,
    visitor: EN,
    own: "",
    english: None,
};

/// What visitors see in French.
static VISITOR_FR: Texts = Texts {
    locale: Locale::Fr,
    visitor: FR,
    own: "",
    english: Some(&VISITOR_EN),
};

/// What the console shows in English.
static CONSOLE_IN_EN: Texts = Texts {
    locale: Locale::En,
    visitor: EN,
    own: CONSOLE_EN,
    english: None,
};

/// What the console shows in French.
static CONSOLE_IN_FR: Texts = Texts {
    locale: Locale::Fr,
    visitor: FR,
    own: CONSOLE_FR,
    english: Some(&CONSOLE_IN_EN),
};

impl Texts {
    /// The texts visitors see in `locale` (the widget's and the mails').
    pub fn get(locale: Locale) -> &'static Texts {
        match locale {
            Locale::En => &VISITOR_EN,
            Locale::Fr => &VISITOR_FR,
        }
    }

    /// The adviser console's texts in `locale`: those of [`Texts::get`] and the console's own.
    /// Only the console calls this, so the widget does not carry them.
    pub fn console(locale: Locale) -> &'static Texts {
        match locale {
            Locale::En => &CONSOLE_IN_EN,
            Locale::Fr => &CONSOLE_IN_FR,
        }
    }

    /// This language's own text for `key`, if it has one.
    fn lookup(&self, key: &str) -> Option<&str> {
        // The keys are in order (`build.rs`): the search stops at the first key past `key`.
        let find = |table| {
            texts_of(table)
                .take_while(|(k, _)| *k <= key)
                .find_map(|(k, text)| (k == key).then_some(text))
        };
        find(self.own).or_else(|| find(self.visitor))
    }

    /// The language of these texts.
    pub fn locale(&self) -> Locale {
        self.locale
    }

    /// The text for `key`, in English when this language lacks it, or the key itself.
    pub fn t<'a>(&'a self, key: &'a str) -> &'a str {
        self.lookup(key)
            .or_else(|| self.english.and_then(|english| english.lookup(key)))
            .unwrap_or(key)
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
        let keys = |table| texts_of(table).map(|(key, _)| key);
        keys(self.own).chain(keys(self.visitor))
    }
}

/// The keys and texts of a string built by `build.rs`, in the keys' order: each key is followed
/// by U+001F and its text, each text by U+001E.
fn texts_of(table: &'static str) -> impl Iterator<Item = (&'static str, &'static str)> {
    table
        .split('\u{1e}')
        .filter_map(|pair| pair.split_once('\u{1f}'))
}
