//! The knowledge base: short articles advisers write in the console, suggested to visitors as
//! they type the reason of their request (self-service before chatting).

use crate::limits::{required, FieldError, Problem};
use serde::{Deserialize, Serialize};

/// Longest article title.
pub const MAX_TITLE_CHARS: usize = 120;
/// Longest article body.
pub const MAX_ARTICLE_CHARS: usize = 4000;
/// Longest text searched for suggestions (the rest is ignored).
pub const MAX_SUGGEST_QUERY_CHARS: usize = 500;
/// Suggestions shown at once.
pub const MAX_SUGGESTIONS: usize = 3;

/// An article of the knowledge base.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    /// Stable id (empty when creating).
    #[serde(default)]
    pub id: String,
    /// Its language (`fr`, `en`): suggested to visitors of that language.
    pub locale: String,
    /// The question it answers, as a visitor would ask it.
    pub title: String,
    /// The answer (plain text; blank lines separate paragraphs).
    pub body: String,
}

impl Article {
    /// Trimmed and checked: a known language, a title and a body within their lengths.
    pub fn validated(self) -> Result<Article, FieldError> {
        let locale = self.locale.trim().to_ascii_lowercase();
        if !crate::i18n::Locale::ALL.iter().any(|l| l.code() == locale) {
            return Err(FieldError {
                field: "locale",
                problem: Problem::Invalid,
            });
        }
        Ok(Article {
            id: self.id.trim().to_owned(),
            locale,
            title: required(&self.title, "title", MAX_TITLE_CHARS)?,
            body: required(&self.body, "body", MAX_ARTICLE_CHARS)?,
        })
    }
}

/// An article suggested to a visitor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    /// The article's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its answer.
    pub body: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(locale: &str, title: &str) -> Article {
        Article {
            id: String::new(),
            locale: locale.into(),
            title: title.into(),
            body: "Réponse".into(),
        }
    }

    #[test]
    fn articles_need_a_known_language_a_title_and_a_body() {
        assert_eq!(
            article("FR", " Changer de RIB ")
                .validated()
                .map(|a| (a.locale, a.title)),
            Ok(("fr".to_owned(), "Changer de RIB".to_owned()))
        );
        assert_eq!(
            article("de", "x").validated().map_err(|e| e.field),
            Err("locale")
        );
        assert_eq!(
            article("fr", "  ").validated().map_err(|e| e.field),
            Err("title")
        );
        let long = article("fr", &"x".repeat(MAX_TITLE_CHARS + 1));
        assert_eq!(
            long.validated().map_err(|e| e.problem),
            Err(Problem::TooLong)
        );
    }
}
