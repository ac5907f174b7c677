//! Finds knowledge-base articles for what a visitor types: a tantivy index in memory with
//! French and English analysis (lower case, stop words, stemming, accents folded, so
//! « remboursé », « rembourser » and « remboursement » meet), rebuilt whenever an article
//! changes. Titles count twice as much as bodies.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use tandem_shared::faq::{Article, Suggestion, MAX_SUGGESTIONS, MAX_SUGGEST_QUERY_CHARS};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, STORED, STRING,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer,
};
use tantivy::{doc, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

/// The index could not be built.
#[derive(Debug, thiserror::Error)]
#[error("the knowledge base index failed: {0}")]
pub struct FaqError(#[from] tantivy::TantivyError);

/// The memory the one-off indexing thread may use (tantivy's minimum).
const WRITER_MEMORY: usize = 15_000_000;

/// The fields of one language.
struct LanguageFields {
    title: Field,
    body: Field,
    analyzer: &'static str,
}

/// One built index and the articles it holds.
struct Built {
    reader: IndexReader,
    index: Index,
    id: Field,
    fr: LanguageFields,
    en: LanguageFields,
    articles: HashMap<String, Article>,
}

/// The knowledge base, searchable.
pub struct FaqIndex {
    built: RwLock<Arc<Built>>,
}

impl std::fmt::Debug for FaqIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = self.current().articles.len();
        f.debug_struct("FaqIndex")
            .field("articles", &count)
            .finish()
    }
}

/// Lower case, stop words, stems, accents folded.
fn analyzer(language: Language) -> TextAnalyzer {
    let base = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser);
    match StopWordFilter::new(language) {
        Some(stop_words) => base
            .filter(stop_words)
            .filter(Stemmer::new(language))
            .filter(AsciiFoldingFilter)
            .build(),
        None => base
            .filter(Stemmer::new(language))
            .filter(AsciiFoldingFilter)
            .build(),
    }
}

fn build(articles: Vec<Article>) -> Result<Built, FaqError> {
    let mut schema = Schema::builder();
    let id = schema.add_text_field("id", STRING | STORED);
    let text = |analyzer: &str| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(analyzer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let fr = LanguageFields {
        title: schema.add_text_field("title_fr", text("tandem_fr")),
        body: schema.add_text_field("body_fr", text("tandem_fr")),
        analyzer: "tandem_fr",
    };
    let en = LanguageFields {
        title: schema.add_text_field("title_en", text("tandem_en")),
        body: schema.add_text_field("body_en", text("tandem_en")),
        analyzer: "tandem_en",
    };
    let index = Index::create_in_ram(schema.build());
    index
        .tokenizers()
        .register("tandem_fr", analyzer(Language::French));
    index
        .tokenizers()
        .register("tandem_en", analyzer(Language::English));
    let mut writer: IndexWriter = index.writer_with_num_threads(1, WRITER_MEMORY)?;
    for article in &articles {
        let fields = if article.locale == "fr" { &fr } else { &en };
        writer.add_document(doc!(
            id => article.id.clone(),
            fields.title => article.title.clone(),
            fields.body => article.body.clone(),
        ))?;
    }
    writer.commit()?;
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    Ok(Built {
        reader,
        index,
        id,
        fr,
        en,
        articles: articles.into_iter().map(|a| (a.id.clone(), a)).collect(),
    })
}

impl FaqIndex {
    /// Indexes `articles`.
    pub fn new(articles: Vec<Article>) -> Result<FaqIndex, FaqError> {
        Ok(FaqIndex {
            built: RwLock::new(Arc::new(build(articles)?)),
        })
    }

    /// Replaces the whole index (a knowledge base is small: rebuilding takes milliseconds).
    pub fn rebuild(&self, articles: Vec<Article>) -> Result<(), FaqError> {
        let built = Arc::new(build(articles)?);
        *self.built.write().unwrap_or_else(|p| p.into_inner()) = built;
        Ok(())
    }

    fn current(&self) -> Arc<Built> {
        self.built.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The articles in `locale` that best match `text` (best first, at most three); none
    /// when nothing in it is a meaningful word of an article.
    pub fn suggest(&self, text: &str, locale: &str) -> Vec<Suggestion> {
        let built = self.current();
        let fields = if locale == "fr" { &built.fr } else { &built.en };
        let text: String = text.chars().take(MAX_SUGGEST_QUERY_CHARS).collect();
        let Some(mut analyzer) = built.index.tokenizers().get(fields.analyzer) else {
            return Vec::new();
        };
        let mut words = Vec::new();
        let mut stream = analyzer.token_stream(&text);
        while stream.advance() {
            words.push(stream.token().text.clone());
        }
        words.sort();
        words.dedup();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for word in &words {
            for (field, boost) in [(fields.title, 2.0), (fields.body, 1.0)] {
                let term = TermQuery::new(
                    Term::from_field_text(field, word),
                    IndexRecordOption::WithFreqs,
                );
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(term), boost)),
                ));
            }
        }
        if clauses.is_empty() {
            return Vec::new();
        }
        let searcher = built.reader.searcher();
        let query = BooleanQuery::new(clauses);
        let found = match searcher.search(
            &query,
            &TopDocs::with_limit(MAX_SUGGESTIONS).order_by_score(),
        ) {
            Ok(found) => found,
            Err(error) => {
                tracing::warn!(%error, "knowledge base search failed");
                return Vec::new();
            }
        };
        found
            .into_iter()
            .filter_map(|(_, address)| {
                let document: TantivyDocument = searcher.doc(address).ok()?;
                let id = document.get_first(built.id)?.as_str()?.to_owned();
                let article = built.articles.get(&id)?;
                Some(Suggestion {
                    id,
                    title: article.title.clone(),
                    body: article.body.clone(),
                })
            })
            .collect()
    }
}

/// Rebuilds `index` from the articles in `store`, off the async threads.
pub async fn rebuild_from_store(
    store: &crate::store::Store,
    index: &std::sync::Arc<FaqIndex>,
) -> Result<(), crate::store::StoreError> {
    let articles = store.articles().await?;
    let index = index.clone();
    match tokio::task::spawn_blocking(move || index.rebuild(articles)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(crate::store::StoreError::Index(error.to_string())),
        Err(error) => Err(crate::store::StoreError::Index(error.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(id: &str, locale: &str, title: &str, body: &str) -> Article {
        Article {
            id: id.into(),
            locale: locale.into(),
            title: title.into(),
            body: body.into(),
        }
    }

    fn knowledge_base() -> Result<FaqIndex, FaqError> {
        FaqIndex::new(vec![
            article(
                "rib",
                "fr",
                "Changer de RIB",
                "Depuis votre espace, rubrique Mes coordonnées bancaires, déposez le nouveau RIB.",
            ),
            article(
                "delai",
                "fr",
                "Délai de remboursement",
                "Vos soins sont remboursés sous 48 heures après réception de la télétransmission.",
            ),
            article(
                "card",
                "fr",
                "Carte de tiers payant perdue",
                "Téléchargez une attestation depuis votre espace en attendant la nouvelle carte.",
            ),
            article(
                "refund",
                "en",
                "How long does a refund take?",
                "Claims are refunded within 48 hours.",
            ),
        ])
    }

    fn ids(found: &[Suggestion]) -> Vec<&str> {
        found.iter().map(|s| s.id.as_str()).collect()
    }

    #[test]
    fn inflections_and_missing_accents_still_match() -> Result<(), FaqError> {
        let faq = knowledge_base()?;
        let found = faq.suggest("Quand serai-je rembourse de ma consultation ?", "fr");
        assert_eq!(ids(&found).first(), Some(&"delai"), "{found:?}");
        let found = faq.suggest("j'ai perdu ma carte", "fr");
        assert_eq!(ids(&found).first(), Some(&"card"), "{found:?}");
        Ok(())
    }

    #[test]
    fn only_the_visitors_language_and_real_words_count() -> Result<(), FaqError> {
        let faq = knowledge_base()?;
        let found = faq.suggest("refund", "fr");
        assert!(
            found.is_empty(),
            "an English article is not offered in French: {found:?}"
        );
        assert_eq!(ids(&faq.suggest("refunded claims", "en")), ["refund"]);
        assert!(
            faq.suggest("je le la les de", "fr").is_empty(),
            "stop words alone match nothing"
        );
        assert!(faq.suggest("", "fr").is_empty());
        Ok(())
    }

    #[test]
    fn a_rebuild_replaces_the_articles() -> Result<(), FaqError> {
        let faq = knowledge_base()?;
        faq.rebuild(vec![article(
            "new",
            "fr",
            "Résilier mon contrat",
            "Envoyez-nous un courrier.",
        )])?;
        assert!(faq.suggest("RIB", "fr").is_empty());
        assert_eq!(ids(&faq.suggest("résiliation du contrat", "fr")), ["new"]);
        Ok(())
    }
}
