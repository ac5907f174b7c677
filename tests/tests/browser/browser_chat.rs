//! A person chats in a browser: a visitor on the demo site (which has only the script tag) and
//! an adviser in the console, each in headless Chromium.

use fantoccini::{Client, Locator};
use serde_json::Value;
use tandem_tests::browser::{
    click_in_widget, in_widget, on_page, page_text, type_in_widget, wait_for, wait_for_text,
    widget_text, Browser,
};
use tandem_tests::demo::DemoSite;
use tandem_tests::relay::TEST_PASSWORD;
use tandem_tests::{Endpoint, TestRelay};

const ENTER: &str = "\u{E007}";

fn assert_widget_built() {
    let wasm = tandem_tests::workspace_root().join("dist/widget/widget_bg.wasm");
    assert!(
        wasm.exists(),
        "the widget is not built: run scripts/build-widget.sh (the test command does)"
    );
}

/// Saves a screenshot when `TANDEM_SCREENSHOTS` names a folder (to look at the UI).
async fn screenshot(client: &Client, name: &str) {
    if let Ok(dir) = std::env::var("TANDEM_SCREENSHOTS") {
        if let Ok(png) = client.screenshot().await {
            let _ = std::fs::write(format!("{dir}/{name}.png"), png);
        }
    }
}

async fn adviser_logs_in(adviser: &Client, relay: &TestRelay) -> anyhow::Result<()> {
    adviser.goto(&relay.url("/console?lang=en")).await?;
    on_page(adviser, "#login").await?.send_keys("lea").await?;
    on_page(adviser, "#password")
        .await?
        .send_keys(TEST_PASSWORD)
        .await?;
    on_page(adviser, "button[type=submit]")
        .await?
        .click()
        .await?;
    on_page(adviser, "[data-presence=available]")
        .await?
        .click()
        .await?;
    wait_for("the adviser to be available", || async {
        let pressed = adviser
            .find(Locator::Css("[data-presence=available]"))
            .await?
            .attr("aria-pressed")
            .await?;
        Ok((pressed.as_deref() == Some("true")).then_some(()))
    })
    .await
}

#[tokio::test]
async fn a_visitor_and_an_adviser_chat_in_real_browsers() -> anyhow::Result<()> {
    assert_widget_built();
    let relay = TestRelay::spawn().await?;
    relay.add_adviser("lea", "Léa Martin").await?;
    let site = DemoSite::serve(&relay.url("")).await?;
    let mut browser = Browser::start().await?;
    let adviser = browser.session(1280, 900).await?;
    let visitor = browser.session(1100, 900).await?;

    adviser_logs_in(&adviser, &relay).await?;
    screenshot(&adviser, "console-empty").await;

    // The visitor's page has nothing but the script tag; the loader draws the launcher.
    visitor.goto(&site.url("index.html")).await?;
    let launcher = in_widget(&visitor, "[data-tandem-launcher]").await?;
    assert_eq!(
        launcher.text().await?,
        "Discuter avec un conseiller",
        "French page, French widget"
    );
    launcher.click().await?;
    type_in_widget(&visitor, "#tandem-name", "Ana Lima").await?;
    type_in_widget(&visitor, "#tandem-email", "ana@example.com").await?;
    type_in_widget(&visitor, "#tandem-reason", "Je voudrais changer de formule").await?;
    screenshot(&visitor, "widget-form").await;
    click_in_widget(&visitor, "button[type=submit]").await?;

    // The available adviser is given the chat; both sides see each other's words.
    wait_for_text("the console", "Je voudrais changer de formule", || {
        page_text(&adviser, ".chat-pane")
    })
    .await?;
    wait_for_text("the widget", "Léa Martin", || widget_text(&visitor)).await?;
    let draft = in_widget(&visitor, "#tandem-draft").await?;
    draft.send_keys("Bonjour, je suis en Essentielle").await?;
    wait_for_text("the typing indicator", "Ana Lima is typing", || {
        page_text(&adviser, ".chat-pane")
    })
    .await?;
    draft.send_keys(ENTER).await?;
    wait_for_text("the console", "Bonjour, je suis en Essentielle", || {
        page_text(&adviser, ".messages")
    })
    .await?;

    on_page(&adviser, "#draft")
        .await?
        .send_keys("Je vous guide vers la formule Équilibre")
        .await?;
    on_page(&adviser, ".send").await?.click().await?;
    wait_for_text(
        "the widget",
        "Je vous guide vers la formule Équilibre",
        || widget_text(&visitor),
    )
    .await?;

    // What visitors type is shown as text, never run as HTML.
    draft
        .send_keys("<img src=x onerror=\"document.title='pwned'\">")
        .await?;
    draft.send_keys(ENTER).await?;
    wait_for_text("the console", "<img src=x", || {
        page_text(&adviser, ".messages")
    })
    .await?;
    assert!(adviser
        .find_all(Locator::Css(".messages img"))
        .await?
        .is_empty());
    assert_ne!(adviser.title().await?, "pwned");
    screenshot(&visitor, "widget-chat").await;
    screenshot(&adviser, "console-chat").await;

    // Reloading the page, or opening another page of the site, keeps the conversation.
    visitor.goto(&site.url("apply.html")).await?;
    wait_for_text(
        "the widget after navigation",
        "Je vous guide vers la formule Équilibre",
        || widget_text(&visitor),
    )
    .await?;

    // The adviser ends the chat and records the wrap-up; the visitor is told and offered the transcript.
    on_page(&adviser, ".end").await?.click().await?;
    wait_for_text(
        "the widget",
        "Le conseiller a terminé la discussion",
        || widget_text(&visitor),
    )
    .await?;
    let transcript = in_widget(&visitor, "a.transcript").await?;
    assert!(transcript
        .attr("href")
        .await?
        .is_some_and(|h| h.starts_with("blob:")));
    on_page(&adviser, "#answer")
        .await?
        .send_keys("Passage à Équilibre au 1er du mois")
        .await?;
    on_page(&adviser, ".wrap-up button[type=submit]")
        .await?
        .click()
        .await?;
    wait_for("the chat to leave the console", || async {
        Ok(adviser
            .find(Locator::Css(".wrap-up"))
            .await
            .is_err()
            .then_some(()))
    })
    .await?;

    // The session and its transcript are in the CRM API.
    let token = relay.api_token().await?;
    let page: Value = relay.get_json("/api/v1/sessions", &token).await?;
    let id = page["sessions"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let session: Value = relay
        .get_json(&format!("/api/v1/sessions/{id}"), &token)
        .await?;
    assert_eq!(session["contact"]["name"], "Ana Lima");
    assert_eq!(
        session["wrap_up"]["answer"],
        "Passage à Équilibre au 1er du mois"
    );
    let texts: Vec<&str> = session["transcript"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["text"].as_str())
        .collect();
    assert!(
        texts.contains(&"Bonjour, je suis en Essentielle"),
        "{texts:?}"
    );
    assert!(
        texts.contains(&"Je vous guide vers la formule Équilibre"),
        "{texts:?}"
    );

    // The visitor answers the survey; it lands on the record and in the dashboard.
    click_in_widget(&visitor, "input[name=csat][value='5']").await?;
    click_in_widget(&visitor, "input[name=nps][value='9']").await?;
    type_in_widget(&visitor, "#tandem-survey-comment", "Très clair").await?;
    click_in_widget(&visitor, ".survey button[type=submit]").await?;
    wait_for_text("the thanks", "Merci pour votre avis", || {
        widget_text(&visitor)
    })
    .await?;
    let session: Value = relay
        .get_json(&format!("/api/v1/sessions/{id}"), &token)
        .await?;
    assert_eq!(session["survey"]["csat"], 5);
    assert_eq!(session["survey"]["nps"], 9);
    assert_eq!(session["survey"]["comment"], "Très clair");
    on_page(&adviser, "[data-page='console.dashboard']")
        .await?
        .click()
        .await?;
    let dashboard = wait_for_text("the dashboard", "Léa Martin", || {
        page_text(&adviser, ".dashboard")
    })
    .await?;
    assert!(dashboard.contains("5.0"), "the CSAT shows: {dashboard}");
    screenshot(&adviser, "console-dashboard").await;

    visitor.close().await?;
    adviser.close().await?;
    Ok(())
}

#[tokio::test]
async fn the_pre_chat_form_says_what_is_missing_in_the_visitors_language() -> anyhow::Result<()> {
    assert_widget_built();
    let relay = TestRelay::spawn().await?;
    let site = DemoSite::serve(&relay.url("")).await?;
    let mut browser = Browser::start().await?;
    let visitor = browser.session(1100, 900).await?;
    visitor.goto(&site.url("index.html")).await?;
    click_in_widget(&visitor, "[data-tandem-launcher]").await?;
    type_in_widget(&visitor, "#tandem-name", "Ana").await?;
    type_in_widget(&visitor, "#tandem-reason", "Question").await?;
    click_in_widget(&visitor, "button[type=submit]").await?;
    wait_for_text(
        "the form error",
        "Indiquez une adresse e-mail ou un numéro de téléphone",
        || widget_text(&visitor),
    )
    .await?;
    assert!(
        relay.state.store.list_sessions(10, 0).await?.is_empty(),
        "nothing was sent"
    );

    // With no adviser online, the visitor is told so before sending, and the request is kept
    // as a message with a promise of when it will be answered.
    let notice = widget_text(&visitor).await?;
    assert!(
        notice.contains("Aucun conseiller ne peut répondre"),
        "{notice}"
    );
    type_in_widget(&visitor, "#tandem-phone", "06 12 34 56 78").await?;
    click_in_widget(&visitor, "button[type=submit]").await?;
    wait_for_text(
        "the acknowledgement",
        "Un conseiller vous répondra d'ici le",
        || widget_text(&visitor),
    )
    .await?;
    screenshot(&visitor, "widget-message-left").await;
    let token = relay.api_token().await?;
    let tickets: Value = relay.get_json("/api/v1/tickets", &token).await?;
    assert_eq!(tickets[0]["phone"], "0612345678", "{tickets}");
    assert_eq!(tickets[0]["message"], "Question");
    visitor.close().await?;
    Ok(())
}

#[tokio::test]
async fn the_widget_and_console_ride_out_a_relay_restart() -> anyhow::Result<()> {
    assert_widget_built();
    let relay = TestRelay::spawn().await?;
    relay.add_adviser("lea", "Léa Martin").await?;
    let site = DemoSite::serve(&relay.url("")).await?;
    let mut browser = Browser::start().await?;
    let adviser = browser.session(1280, 900).await?;
    let visitor = browser.session(1100, 900).await?;
    adviser_logs_in(&adviser, &relay).await?;
    visitor.goto(&site.url("apply.html")).await?;
    click_in_widget(&visitor, "[data-tandem-launcher]").await?;
    type_in_widget(&visitor, "#tandem-name", "Ana Lima").await?;
    type_in_widget(&visitor, "#tandem-phone", "0612345678").await?;
    type_in_widget(&visitor, "#tandem-reason", "Aide pour le formulaire").await?;
    click_in_widget(&visitor, "button[type=submit]").await?;
    wait_for_text("the widget", "Léa Martin", || widget_text(&visitor)).await?;

    // The relay restarts (a deploy): both sides reconnect by themselves and resume.
    let relay = relay.restart().await?;
    wait_for_text("the widget to reconnect", "Léa Martin", || {
        widget_text(&visitor)
    })
    .await?;
    let draft = in_widget(&visitor, "#tandem-draft").await?;
    draft.send_keys("Message après le redémarrage").await?;
    draft.send_keys(ENTER).await?;
    wait_for_text("the console", "Message après le redémarrage", || {
        page_text(&adviser, ".messages")
    })
    .await?;
    on_page(&adviser, "#draft")
        .await?
        .send_keys("Bien reçu")
        .await?;
    on_page(&adviser, ".send").await?.click().await?;
    wait_for_text("the widget", "Bien reçu", || widget_text(&visitor)).await?;
    let stored = relay.state.store.list_sessions(10, 0).await?;
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].message_count, 2, "each message stored once");
    visitor.close().await?;
    adviser.close().await?;
    Ok(())
}

#[tokio::test]
async fn the_form_offers_the_chat_as_soon_as_an_adviser_is_available_and_not_after(
) -> anyhow::Result<()> {
    assert_widget_built();
    let relay = TestRelay::spawn().await?;
    // The adviser's console is open but away when the visitor opens the form.
    let mut adviser = relay.adviser("lea", "Léa").await?;
    let site = DemoSite::serve(&relay.url("")).await?;
    let mut browser = Browser::start().await?;
    let visitor = browser.session(1100, 800).await?;
    visitor.goto(&site.url("index.html")).await?;
    click_in_widget(&visitor, "[data-tandem-launcher]").await?;
    let submit = || async {
        in_widget(&visitor, "form button[type=submit]")
            .await?
            .text()
            .await
            .map_err(anyhow::Error::from)
    };
    wait_for("the form offering a message", || async {
        Ok((submit().await? == "Envoyer mon message").then_some(()))
    })
    .await?;
    // The adviser clicks Available: the same form offers the chat, without a reload.
    adviser.set_presence(true, 2).await?;
    wait_for("the form offering the chat", || async {
        Ok((submit().await? == "Démarrer la discussion").then_some(()))
    })
    .await?;
    // And back when they go away.
    adviser.set_presence(false, 2).await?;
    wait_for("the form offering a message again", || async {
        Ok((submit().await? == "Envoyer mon message").then_some(()))
    })
    .await?;
    Ok(())
}
