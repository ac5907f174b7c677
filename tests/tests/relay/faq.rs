//! The knowledge base: articles written through the API are suggested to visitors for what
//! they type, in their language, best first; changes and deletions apply at once. Tried:
//! an unknown language, an empty title, a text longer than searched, a deleted article.

use serde_json::{json, Value};
use tandem_shared::faq::Suggestion;
use tandem_shared::{ServerMsg, VisitorMsg};
use tandem_tests::clients::VisitorClient;
use tandem_tests::{Endpoint, TestRelay};

async fn post_article(
    relay: &TestRelay,
    token: &str,
    article: Value,
) -> anyhow::Result<(u16, Value)> {
    let response = reqwest::Client::new()
        .post(relay.url("/api/v1/articles"))
        .bearer_auth(token)
        .json(&article)
        .send()
        .await?;
    Ok((response.status().as_u16(), response.json().await?))
}

async fn suggest(
    visitor: &mut VisitorClient,
    text: &str,
    locale: &str,
) -> anyhow::Result<(String, Vec<Suggestion>)> {
    visitor
        .send(&VisitorMsg::SuggestArticles {
            text: text.into(),
            locale: locale.into(),
        })
        .await?;
    match visitor
        .recv_until("suggestions", |f| {
            matches!(f, ServerMsg::Suggestions { .. })
        })
        .await?
    {
        ServerMsg::Suggestions { text, articles } => Ok((text, articles)),
        other => anyhow::bail!("expected suggestions, got {other:?}"),
    }
}

fn titles(articles: &[Suggestion]) -> Vec<&str> {
    articles.iter().map(|a| a.title.as_str()).collect()
}

#[tokio::test]
async fn visitors_are_offered_matching_articles_in_their_language() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let token = relay.api_token().await?;

    let (status, answer) = post_article(
        &relay,
        &token,
        json!({ "locale": "de", "title": "Konto", "body": "…" }),
    )
    .await?;
    assert_eq!(status, 400, "{answer}");
    assert!(answer["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("locale"));
    let (status, answer) = post_article(
        &relay,
        &token,
        json!({ "locale": "fr", "title": " ", "body": "…" }),
    )
    .await?;
    assert_eq!(status, 400, "{answer}");
    assert!(answer["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("title"));

    let mut ids = Vec::new();
    for (locale, title, body) in [
        (
            "fr",
            "Changer de RIB",
            "Dans votre espace, rubrique Coordonnées bancaires, déposez votre nouveau RIB.",
        ),
        (
            "fr",
            "Délai de remboursement",
            "Vos soins sont remboursés sous 48 heures.",
        ),
        (
            "fr",
            "Obtenir une attestation",
            "Téléchargez votre attestation de droits depuis votre espace.",
        ),
        (
            "en",
            "How long does a refund take?",
            "Claims are refunded within 48 hours.",
        ),
    ] {
        let (status, saved) = post_article(
            &relay,
            &token,
            json!({ "locale": locale, "title": title, "body": body }),
        )
        .await?;
        assert_eq!(status, 201, "{saved}");
        ids.push(saved["id"].as_str().unwrap_or_default().to_owned());
    }

    let mut visitor = relay.visitor().await?;
    let (text, found) = suggest(&mut visitor, "Bonjour, je voudrais changer mon RIB", "fr").await?;
    assert_eq!(text, "Bonjour, je voudrais changer mon RIB");
    assert_eq!(titles(&found).first(), Some(&"Changer de RIB"), "{found:?}");
    let (_, found) = suggest(&mut visitor, "quand serai-je rembourse ?", "fr").await?;
    assert_eq!(
        titles(&found).first(),
        Some(&"Délai de remboursement"),
        "without the accent: {found:?}"
    );
    let (_, found) = suggest(&mut visitor, "refund", "fr").await?;
    assert!(
        found.is_empty(),
        "an English article is not offered in French: {found:?}"
    );
    let (_, found) = suggest(&mut visitor, "refund", "en").await?;
    assert_eq!(titles(&found), ["How long does a refund take?"]);

    // Longer than what is searched: cut, still answered.
    let long = format!("attestation {}", "x".repeat(600));
    let (text, found) = suggest(&mut visitor, &long, "fr").await?;
    assert_eq!(text.chars().count(), 500);
    assert_eq!(titles(&found), ["Obtenir une attestation"]);

    // A change and a deletion apply at once.
    let (status, _) = post_article(&relay, &token, json!({
        "id": ids[0], "locale": "fr", "title": "Modifier mes coordonnées bancaires", "body": "Déposez votre nouveau RIB dans votre espace."
    })).await?;
    assert_eq!(status, 201);
    let (_, found) = suggest(&mut visitor, "changer mon RIB", "fr").await?;
    assert_eq!(
        titles(&found).first(),
        Some(&"Modifier mes coordonnées bancaires")
    );
    let deleted = reqwest::Client::new()
        .delete(relay.url(&format!("/api/v1/articles/{}", ids[0])))
        .bearer_auth(&token)
        .send()
        .await?;
    assert_eq!(deleted.status().as_u16(), 204);
    let (_, found) = suggest(&mut visitor, "changer mon RIB", "fr").await?;
    assert!(found.is_empty(), "the deleted article is gone: {found:?}");
    let again = reqwest::Client::new()
        .delete(relay.url(&format!("/api/v1/articles/{}", ids[0])))
        .bearer_auth(&token)
        .send()
        .await?;
    assert_eq!(again.status().as_u16(), 404);

    let listed: Value = reqwest::Client::new()
        .get(relay.url("/api/v1/articles"))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(listed.as_array().map(Vec::len), Some(3));

    // The articles survive a restart (index rebuilt from the store).
    drop(visitor);
    let relay = relay.restart().await?;
    let mut visitor = relay.visitor().await?;
    let (_, found) = suggest(&mut visitor, "attestation", "fr").await?;
    assert_eq!(titles(&found), ["Obtenir une attestation"]);
    Ok(())
}
