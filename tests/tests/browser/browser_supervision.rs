//! A supervisor's live view in three Chromium windows: a visitor chats with Léa (an
//! adviser); Sam (a supervisor) sees the chat among those in progress, watches it as it
//! happens, whispers to Léa (the visitor never sees it) and takes the chat over. Each role's
//! console shows what it may do: Léa no dashboard and no list of chats in progress.

use tandem_shared::access::AdviserRole;
use tandem_tests::browser::{
    accessibility_violations, ask_for_a_chat, console_log_in, in_widget, on_page, page_text,
    wait_for, wait_for_text, widget_text, Browser,
};
use tandem_tests::demo::DemoSite;
use tandem_tests::{Endpoint, TestRelay};

const ENTER: &str = "\u{E007}";

#[tokio::test]
async fn a_supervisor_watches_a_chat_whispers_and_takes_it_over() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    relay
        .add_adviser_with_role("ada", "Ada Admin", AdviserRole::Admin)
        .await?;
    relay
        .add_adviser_with_role("lea", "Léa Martin", AdviserRole::Adviser)
        .await?;
    relay
        .add_adviser_with_role("sam", "Sam Chef", AdviserRole::Supervisor)
        .await?;
    let site = DemoSite::serve(&relay.url("")).await?;
    let mut browser = Browser::start().await?;
    let lea = browser.session(1400, 1000).await?;
    let sam = browser.session(1400, 1000).await?;
    let visitor = browser.session(1100, 800).await?;
    console_log_in(&lea, &relay.url(""), "lea").await?;
    console_log_in(&sam, &relay.url(""), "sam").await?;
    // Sam stays away: the visitor must go to Léa.
    on_page(&sam, "[data-presence=away]").await?.click().await?;

    // Each role's pages.
    let tabs = page_text(&lea, "nav.pages").await?;
    assert!(
        !tabs.contains("Dashboard") && !tabs.contains("Sites") && tabs.contains("Tickets"),
        "an adviser's tabs: {tabs}"
    );
    let tabs = page_text(&sam, "nav.pages").await?;
    assert!(
        tabs.contains("Dashboard") && !tabs.contains("Sites"),
        "a supervisor's tabs: {tabs}"
    );

    ask_for_a_chat(
        &visitor,
        &site.url("index.html"),
        "Ana Lima",
        "ana@example.com",
        "Je conteste une facture",
    )
    .await?;
    wait_for_text("Léa's chat", "Je conteste une facture", || {
        page_text(&lea, ".chat-pane")
    })
    .await?;
    assert!(
        !page_text(&lea, ".sidebar")
            .await?
            .contains("Chats in progress"),
        "an adviser has no list of others' chats"
    );

    // Sam sees the chat in progress, with Léa, and watches it.
    wait_for_text("the chat in progress", "with Léa Martin", || {
        page_text(&sam, "[data-live-chats]")
    })
    .await?;
    on_page(&sam, "[data-live-chats] button.watch")
        .await?
        .click()
        .await?;
    wait_for_text("the watched chat", "Je conteste une facture", || {
        page_text(&sam, ".chat-pane")
    })
    .await?;
    on_page(&sam, "[data-watch-bar]").await?;
    assert!(
        sam.find(fantoccini::Locator::Css("#draft")).await.is_err(),
        "a watcher cannot write to the visitor"
    );
    let draft = in_widget(&visitor, "#tandem-draft").await?;
    draft.send_keys("Le montant est de 312 euros").await?;
    draft.send_keys(ENTER).await?;
    wait_for_text("the visitor's message, live", "312 euros", || {
        page_text(&sam, ".chat-pane")
    })
    .await?;
    let violations = accessibility_violations(&sam).await?;
    assert!(violations.is_empty(), "the watched chat: {violations:#?}");

    // A whisper reaches Léa's notes, never the visitor.
    on_page(&sam, "#note")
        .await?
        .send_keys("Propose un avoir de 20 euros")
        .await?;
    on_page(&sam, ".add-note button[type=submit]")
        .await?
        .click()
        .await?;
    wait_for_text("the whisper", "Propose un avoir de 20 euros", || {
        page_text(&lea, ".team")
    })
    .await?;
    assert!(!widget_text(&visitor).await?.contains("avoir"));

    // Sam takes over: the chat leaves Léa's desk, Sam writes, the visitor reads it.
    on_page(&sam, "[data-take-over]").await?.click().await?;
    wait_for_text("Léa told", "Sam Chef", || page_text(&lea, ".chat-pane")).await?;
    let composer = on_page(&sam, "#draft").await?;
    composer
        .send_keys("Bonjour, je suis le responsable de Léa.")
        .await?;
    on_page(&sam, ".send").await?.click().await?;
    wait_for_text("Sam's message", "je suis le responsable", || {
        widget_text(&visitor)
    })
    .await?;
    wait_for("Léa's sidebar without the chat", || async {
        let sidebar = page_text(&lea, ".sidebar").await?;
        Ok((!sidebar.contains("Ana Lima")).then_some(()))
    })
    .await?;
    Ok(())
}
