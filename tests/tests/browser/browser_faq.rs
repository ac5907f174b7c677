//! Self-service before chatting: an adviser writes an article in the console's knowledge
//! base; a visitor typing a matching reason in the widget sees it, opens it, and can still
//! ask for an adviser.

use tandem_tests::browser::{
    click_in_widget, in_widget, on_page, page_text, wait_for_text, widget_text,
};
use tandem_tests::scene::Scene;

#[tokio::test]
async fn a_visitor_finds_the_answer_an_adviser_wrote_before_asking() -> anyhow::Result<()> {
    let Scene {
        relay: _relay,
        site,
        console,
        visitor,
        browser: _browser,
    } = Scene::start().await?;

    // The adviser writes the article in the console.
    on_page(&console, "[data-page='console.articles']")
        .await?
        .click()
        .await?;
    on_page(&console, "#article-locale option[value=fr]")
        .await?
        .click()
        .await?;
    on_page(&console, "#article-title")
        .await?
        .send_keys("Obtenir une attestation de droits")
        .await?;
    on_page(&console, "#article-body")
        .await?
        .send_keys("Téléchargez-la dans votre espace, rubrique Mes documents : elle est prête tout de suite.")
        .await?;
    on_page(&console, ".article-form button[type=submit]")
        .await?
        .click()
        .await?;
    wait_for_text("the article in the list", "Obtenir une attestation", || {
        page_text(&console, ".article-list")
    })
    .await?;

    // The visitor types a reason that matches (different words, no accents).
    visitor.goto(&site.url("index.html")).await?;
    click_in_widget(&visitor, "[data-tandem-launcher]").await?;
    in_widget(&visitor, "#tandem-reason")
        .await?
        .send_keys("J'ai besoin d'une attestation pour la mutuelle")
        .await?;
    wait_for_text(
        "the suggestion",
        "Obtenir une attestation de droits",
        || widget_text(&visitor),
    )
    .await?;
    assert!(widget_text(&visitor)
        .await?
        .contains("Ces réponses peuvent vous aider"));
    click_in_widget(&visitor, ".faq summary").await?;
    let shown = visitor
        .execute(
            "const d = document.querySelector('[data-tandem]').shadowRoot.querySelector('.faq details');
             return [d.open, d.querySelector('p').getBoundingClientRect().height > 0];",
            vec![],
        )
        .await?;
    assert_eq!(
        shown,
        serde_json::json!([true, true]),
        "the answer opens in the widget"
    );

    // Unrelated words: the suggestion goes away.
    let reason = in_widget(&visitor, "#tandem-reason").await?;
    reason.clear().await?;
    reason.send_keys("Question sur le parrainage").await?;
    tandem_tests::browser::wait_for("the suggestion to go", || async {
        Ok((!widget_text(&visitor)
            .await?
            .contains("Obtenir une attestation"))
        .then_some(()))
    })
    .await?;
    Ok(())
}
