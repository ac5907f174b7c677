//! `tandem-relay article`: the knowledge base.

use super::open_store;
use tandem_relay::store::StoreLocation;
use tandem_relay::time::now_ms;

/// Adds or replaces a knowledge-base article.
pub(crate) async fn add_article(
    store: &StoreLocation,
    id: String,
    locale: String,
    title: String,
    body: String,
) -> anyhow::Result<()> {
    let article = tandem_shared::faq::Article {
        id,
        locale,
        title,
        body,
    }
    .validated()
    .map_err(|e| anyhow::anyhow!("article {e}"))?;
    let actor = tandem_relay::store::Actor::command_line();
    let audit = tandem_relay::store::Audit {
        actor: &actor,
        action: "article.saved",
        target: None,
        detail: None,
    };
    let saved = open_store(store)
        .await?
        .save_article(article, &audit, now_ms())
        .await?;
    println!("article {} saved", saved.id);
    Ok(())
}

/// Prints the knowledge base.
pub(crate) async fn list_articles(store: &StoreLocation) -> anyhow::Result<()> {
    for article in open_store(store).await?.articles().await? {
        println!("{}\t{}\t{}", article.id, article.locale, article.title);
    }
    Ok(())
}
