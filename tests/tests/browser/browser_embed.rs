//! Embedding: the page drives the widget through `window.Tandem` — calls queued before the
//! widget's script ran, then open/close/setLocale/identify after it loaded, and the events the
//! page listens to — and a widget that cannot load leaves a way to write instead.

use fantoccini::{Client, Locator};
use tandem_shared::model::{Resolution, WrapUp};
use tandem_tests::browser::{
    click_in_widget, count_in_widget, in_widget, page_text, wait_for, wait_for_text, widget_text,
    Browser,
};
use tandem_tests::demo::DemoSite;
use tandem_tests::{Endpoint, TestRelay};

async fn field_value(client: &Client, css: &str) -> anyhow::Result<String> {
    Ok(in_widget(client, css)
        .await?
        .prop("value")
        .await?
        .unwrap_or_default())
}

#[tokio::test]
async fn the_page_drives_the_widget_through_its_javascript_api() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut adviser = relay.adviser("lea", "Léa Martin").await?;
    adviser.set_presence(true, 1).await?;
    let site = DemoSite::serve(&relay.url("")).await?;
    let mut browser = Browser::start().await?;
    let page = browser.session(1100, 800).await?;
    page.goto(&site.url("compte.html")).await?;

    // The page's own button calls Tandem.open(): the widget loads, tells "ready" and "open",
    // and the identify() queued before the loader ran has filled the form.
    page.find(Locator::Css("#help")).await?.click().await?;
    wait_for_text("the events", "open", || page_text(&page, "#events")).await?;
    assert_eq!(page_text(&page, "#events").await?, "ready\nopen");
    assert_eq!(field_value(&page, "#tandem-name").await?, "Claire Moreau");
    assert_eq!(
        field_value(&page, "#tandem-email").await?,
        "claire.moreau@example.com"
    );
    assert!(widget_text(&page).await?.contains("Démarrer la discussion"));

    // setLocale after load: every text switches, what was typed in the form stays, and stays
    // again when the panel is closed and opened.
    in_widget(&page, "#tandem-reason")
        .await?
        .send_keys("Changer mon RIB")
        .await?;
    page.find(Locator::Css("#english")).await?.click().await?;
    wait_for_text("English texts", "Start the chat", || widget_text(&page)).await?;
    assert_eq!(field_value(&page, "#tandem-name").await?, "Claire Moreau");
    assert_eq!(
        field_value(&page, "#tandem-reason").await?,
        "Changer mon RIB"
    );
    page.find(Locator::Css("#hide")).await?.click().await?;
    wait_for("the panel to close", || async {
        Ok((count_in_widget(&page, "#tandem-reason").await? == 0).then_some(()))
    })
    .await?;
    page.find(Locator::Css("#help")).await?.click().await?;
    assert_eq!(
        field_value(&page, "#tandem-reason").await?,
        "Changer mon RIB"
    );

    // A chat: the adviser's message and the end reach the page's handlers.
    click_in_widget(&page, "button[type=submit]").await?;
    let chat = adviser.next_assigned().await?;
    adviser.say(&chat.id, "Bonjour Claire, je regarde").await?;
    wait_for_text("the message event", "je regarde", || {
        page_text(&page, "#events")
    })
    .await?;
    assert!(page_text(&page, "#events")
        .await?
        .contains("message — Léa Martin : Bonjour Claire, je regarde"));
    // Closed panel: a new message shows as an unread count on the launcher until it opens.
    page.find(Locator::Css("#hide")).await?.click().await?;
    wait_for_text("the close event", "close", || page_text(&page, "#events")).await?;
    adviser.say(&chat.id, "Vous êtes toujours là ?").await?;
    in_widget(&page, "[data-tandem-launcher] .badge").await?;
    let badge = page
        .execute(
            "return document.querySelector('[data-tandem]').shadowRoot \
             .querySelector('[data-tandem-launcher] .badge').textContent;",
            vec![],
        )
        .await?;
    assert_eq!(
        badge.as_str(),
        Some("1 new messages"),
        "count and words for screen readers"
    );
    // The tab's title flashes the count (the page is in English since setLocale) …
    let title = || async { Ok(page.title().await?) };
    let page_title = wait_for_text("the flashing title", "(1) New message", title).await?;
    assert_eq!(page_title, "(1) New message");
    page.find(Locator::Css("#help")).await?.click().await?;
    wait_for_text("the message in the panel", "toujours là", || {
        widget_text(&page)
    })
    .await?;
    // … and stops on the page's own title once the panel is open.
    let own_title = wait_for_text("the page's own title", "Mon compte", title).await?;
    assert_eq!(own_title, "Mon compte — Mutuelle Horizon");
    let wrap_up = WrapUp {
        resolution: Resolution::Resolved,
        answer: Some("RIB changé".into()),
        agreed_solution: None,
        actions_taken: None,
        follow_up_date: None,
        compensation: None,
        prevention: None,
    };
    adviser.end_and_wrap_up(&chat.id, wrap_up).await?;
    wait_for_text("the end event", "chat-ended by adviser", || {
        page_text(&page, "#events")
    })
    .await?;

    // close() hides the panel; a reload does not replay old messages as new.
    page.find(Locator::Css("#hide")).await?.click().await?;
    wait_for("the panel to close", || async {
        Ok(widget_text(&page)
            .await
            .map(|t| !t.contains("RIB"))
            .unwrap_or(false)
            .then_some(()))
    })
    .await?;
    page.refresh().await?;
    page.find(Locator::Css("#help")).await?.click().await?;
    wait_for_text("the events after a reload", "open", || {
        page_text(&page, "#events")
    })
    .await?;
    // An absence: the replayed history arrives with the reload, before "open" is shown.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        !page_text(&page, "#events").await?.contains("message"),
        "history is not news"
    );
    Ok(())
}

#[tokio::test]
async fn a_widget_that_cannot_load_offers_to_write_instead() -> anyhow::Result<()> {
    // The relay serves the loader but its widget files are missing (a broken deployment).
    let empty = tempfile::tempdir()?;
    let dir = empty.path().to_path_buf();
    let relay = TestRelay::spawn_configured(move |c| c.assets_dir = dir).await?;
    let site = DemoSite::serve(&relay.url("")).await?;
    let mut browser = Browser::start().await?;
    let page = browser.session(1100, 800).await?;
    page.goto(&site.url("compte.html")).await?;
    click_in_widget(&page, "[data-tandem-launcher]").await?;
    let link = in_widget(&page, "[data-tandem-fallback]").await?;
    assert_eq!(link.text().await?, "Écrivez-nous");
    assert_eq!(
        link.attr("href").await?.as_deref(),
        Some("mailto:contact@mutuelle-horizon.example")
    );
    // The panel's frame drawn at the click is gone: no skeleton waits for nothing.
    let frames = tandem_tests::browser::count_in_widget(&page, "section[aria-busy]").await?;
    assert_eq!(frames, 0);
    Ok(())
}
