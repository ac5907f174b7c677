//! The CRM record in the console: an adviser opens a returning visitor's record from the chat
//! and reads the previous session; contacts are found by search.

use fantoccini::{Client, Locator};
use tandem_shared::model::{ChatRequest, Resolution, WrapUp};
use tandem_tests::browser::{
    click_in_widget, console_log_in, on_page, type_in_widget, wait_for_text, Browser,
};
use tandem_tests::clients::chat_request;
use tandem_tests::demo::DemoSite;
use tandem_tests::{Endpoint, TestRelay};

async fn page_text(client: &Client, css: &str) -> anyhow::Result<String> {
    Ok(client.find(Locator::Css(css)).await?.text().await?)
}

#[tokio::test]
async fn an_adviser_opens_a_returning_visitors_record_from_the_chat() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    relay.add_adviser("lea", "Léa Martin").await?;
    // The visitor's first session, with another adviser: a message and a wrap-up.
    let mut max = relay.adviser("max", "Max Petit").await?;
    max.set_presence(true, 1).await?;
    let mut visitor = relay.visitor().await?;
    let first = visitor
        .start_chat(ChatRequest {
            company: Some("Boulangerie Lima".into()),
            ..chat_request("Ana Lima", "ana.lima@example.com", "Carte bloquée")
        })
        .await?;
    max.next_assigned().await?;
    visitor.say("Ma carte est bloquée depuis hier").await?;
    let wrap_up = WrapUp {
        resolution: Resolution::Resolved,
        answer: Some("Carte débloquée".into()),
        agreed_solution: None,
        actions_taken: None,
        follow_up_date: None,
        compensation: None,
        prevention: None,
    };
    max.end_and_wrap_up(&first.id, wrap_up).await?;
    max.set_presence(false, 1).await?;

    // She comes back on the site; Léa takes the chat and opens her record.
    let site = DemoSite::serve(&relay.url("")).await?;
    let mut browser = Browser::start().await?;
    let console = browser.session(1400, 1000).await?;
    let page = browser.session(1100, 800).await?;
    console_log_in(&console, &relay.url(""), "lea").await?;
    page.goto(&site.url("index.html")).await?;
    click_in_widget(&page, "[data-tandem-launcher]").await?;
    type_in_widget(&page, "#tandem-name", "Ana Lima").await?;
    type_in_widget(&page, "#tandem-email", "ana.lima@example.com").await?;
    type_in_widget(&page, "#tandem-reason", "Toujours un souci de carte").await?;
    click_in_widget(&page, "button[type=submit]").await?;
    wait_for_text("the console", "Toujours un souci de carte", || {
        page_text(&console, ".chat-pane")
    })
    .await?;
    on_page(&console, "[data-open-record]")
        .await?
        .click()
        .await?;
    wait_for_text("the record", "Sessions (2)", || {
        page_text(&console, ".record")
    })
    .await?;
    let record = page_text(&console, ".record").await?;
    assert!(
        record.contains("Boulangerie Lima") && record.contains("Carte bloquée"),
        "{record}"
    );
    on_page(&console, &format!("[data-session='{}']", first.id.as_str()))
        .await?
        .click()
        .await?;
    wait_for_text(
        "the previous transcript",
        "Ma carte est bloquée depuis hier",
        || page_text(&console, ".record"),
    )
    .await?;
    assert!(page_text(&console, ".record")
        .await?
        .contains("Carte débloquée"));

    // Search finds her by phone-less fields: company and email.
    let search = on_page(&console, "#contact-search").await?;
    search.send_keys("boulangerie").await?;
    on_page(&console, ".contact-search button[type=submit]")
        .await?
        .click()
        .await?;
    wait_for_text("the search result", "Ana Lima", || {
        page_text(&console, ".found")
    })
    .await?;
    Ok(())
}
