//! Every language has every text.

use std::collections::BTreeSet;
use tandem_shared::i18n::{Locale, Texts};

#[test]
fn every_locale_has_the_same_keys_as_english() {
    let english: BTreeSet<&str> = Texts::get(Locale::En).keys().collect();
    assert!(english.len() > 50, "the English file did not parse");
    for locale in Locale::ALL {
        let keys: BTreeSet<&str> = Texts::get(locale).keys().collect();
        assert_eq!(keys, english, "{locale:?} differs from English");
    }
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
