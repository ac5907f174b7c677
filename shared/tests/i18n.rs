//! Every language has every text.

use std::collections::BTreeSet;
use tandem_shared::i18n::{Locale, Texts};

#[test]
fn every_locale_has_the_same_keys_as_english() {
    for texts in [Texts::get, Texts::console] {
        let english: BTreeSet<&str> = texts(Locale::En).keys().collect();
        assert!(english.len() > 50, "the English file did not parse");
        for locale in Locale::ALL {
            let keys: BTreeSet<&str> = texts(locale).keys().collect();
            assert_eq!(keys, english, "{locale:?} differs from English");
        }
    }
}

/// The widget carries only the visitor texts: the console's stay out of it, and the console
/// has both.
#[test]
fn console_texts_stay_out_of_the_visitor_set() {
    for locale in Locale::ALL {
        let visitor: BTreeSet<&str> = Texts::get(locale).keys().collect();
        let console: BTreeSet<&str> = Texts::console(locale).keys().collect();
        assert!(
            visitor.iter().all(|key| !key.starts_with("console.")),
            "{locale:?}: a console text among the visitor texts"
        );
        assert!(
            console.is_superset(&visitor),
            "{locale:?}: console lacks visitor texts"
        );
        assert!(
            console.iter().any(|key| key.starts_with("console.")),
            "{locale:?}: the console's own texts did not parse"
        );
        assert_eq!(
            Texts::console(locale).t("chat.send"),
            Texts::get(locale).t("chat.send"),
            "the console shows visitor texts the same way"
        );
    }
    assert_eq!(Texts::get(Locale::Fr).t("console.title"), "console.title");
}

#[test]
fn texts_are_translated_and_filled() {
    let fr = Texts::get(Locale::from_tag("fr-CA"));
    assert_eq!(fr.locale(), Locale::Fr);
    assert_eq!(
        fr.format("queue.position", &[("position", "3")]),
        "Vous êtes en position 3 dans la file d'attente."
    );
    assert_eq!(Locale::from_tag("de"), Locale::En);
    assert_eq!(fr.t("no.such.key"), "no.such.key");
}
