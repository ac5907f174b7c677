//! The service desk in real browsers: a level-1 adviser escalates a visitor to a level-2
//! colleague (two consoles and the widget in headless Chromium), and a message left outside
//! business hours becomes a ticket an adviser answers, which the visitor reads on returning.

use fantoccini::{Client, Locator};
use tandem_relay::store::QueueRow;
use tandem_tests::browser::{
    ask_for_a_chat, in_widget, on_page, page_text, type_in_widget, wait_for, wait_for_text,
    widget_text, Browser,
};
use tandem_tests::demo::DemoSite;
use tandem_tests::relay::{queue, TEST_PASSWORD};
use tandem_tests::{Endpoint, TestRelay};

async fn log_in(console: &Client, relay: &TestRelay, login: &str) -> anyhow::Result<()> {
    console.goto(&relay.url("/console?lang=en")).await?;
    on_page(console, "#login").await?.send_keys(login).await?;
    on_page(console, "#password")
        .await?
        .send_keys(TEST_PASSWORD)
        .await?;
    on_page(console, "button[type=submit]")
        .await?
        .click()
        .await?;
    on_page(console, "[data-presence=available]")
        .await?
        .click()
        .await?;
    wait_for("the adviser to be available", || async {
        let pressed = console
            .find(Locator::Css("[data-presence=available]"))
            .await?
            .attr("aria-pressed")
            .await?;
        Ok((pressed.as_deref() == Some("true")).then_some(()))
    })
    .await
}

#[tokio::test]
async fn a_level_one_adviser_escalates_a_visitor_to_a_level_two_colleague() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    relay
        .add_adviser_serving("lea", "Léa Martin", 1, &[])
        .await?;
    relay
        .add_adviser_serving("max", "Max Expert", 2, &[])
        .await?;
    let site = DemoSite::serve(&relay.url("")).await?;
    let mut browser = Browser::start().await?;
    let lea = browser.session(1280, 900).await?;
    let max = browser.session(1280, 900).await?;
    let visitor = browser.session(1100, 900).await?;
    log_in(&lea, &relay, "lea").await?;

    ask_for_a_chat(
        &visitor,
        &site.url("index.html"),
        "Ana Lima",
        "ana@example.com",
        "Clause 7 de mon contrat",
    )
    .await?;
    wait_for_text("Léa's console", "Clause 7 de mon contrat", || {
        page_text(&lea, ".chat-pane")
    })
    .await?;
    wait_for_text("the widget", "Léa Martin", || widget_text(&visitor)).await?;

    // The expert comes online; Léa escalates to level 2 with a note.
    let canned = tandem_shared::desk::CannedAnswer {
        id: String::new(),
        shortcut: "clause7".into(),
        locale: "fr".into(),
        body: "La clause 7 signifie ceci".into(),
    };
    let actor = tandem_relay::store::Actor::command_line();
    let audit = tandem_relay::store::Audit {
        actor: &actor,
        action: "canned.saved",
        target: None,
        detail: None,
    };
    relay.store().save_canned_answer(&canned, &audit, 0).await?;
    log_in(&max, &relay, "max").await?;
    wait_for("Max in Léa's transfer list", || async {
        Ok(lea
            .find(Locator::Css("#transfer-to option[value^='adviser:']"))
            .await
            .ok())
    })
    .await?;
    on_page(&lea, "#transfer-to option[value='level:2']")
        .await?
        .click()
        .await?;
    on_page(&lea, "#transfer-note")
        .await?
        .send_keys("Question juridique, client depuis 2019")
        .await?;
    // A message arriving while Léa writes the hand-over must not wipe what she chose and wrote.
    let draft = in_widget(&visitor, "#tandem-draft").await?;
    draft.send_keys("Je patiente").await?;
    draft.send_keys("\u{E007}").await?;
    wait_for_text("Léa's console", "Je patiente", || {
        page_text(&lea, ".chat-pane")
    })
    .await?;
    let kept_note = on_page(&lea, "#transfer-note").await?.prop("value").await?;
    assert_eq!(
        kept_note.as_deref(),
        Some("Question juridique, client depuis 2019")
    );
    let kept_target = on_page(&lea, "#transfer-to").await?.prop("value").await?;
    assert_eq!(kept_target.as_deref(), Some("level:2"));
    on_page(&lea, ".transfer button[type=submit]")
        .await?
        .click()
        .await?;

    // Max gets the chat with the reason, the history and Léa's note; Léa no longer has it.
    wait_for_text("Max's console", "Clause 7 de mon contrat", || {
        page_text(&max, ".chat-pane")
    })
    .await?;
    wait_for_text(
        "the hand-over note",
        "Question juridique, client depuis 2019",
        || page_text(&max, ".team"),
    )
    .await?;
    let team = page_text(&max, ".team").await?;
    assert!(team.contains("Léa Martin → level 2"), "{team}");
    wait_for("the chat to leave Léa's console", || async {
        Ok(lea
            .find(Locator::Css(".chat-link"))
            .await
            .is_err()
            .then_some(()))
    })
    .await?;
    // The visitor is told, in French, and sees the expert join; the note stays internal.
    wait_for_text(
        "the widget",
        "a confié votre conversation à un collègue",
        || widget_text(&visitor),
    )
    .await?;
    wait_for_text("the widget", "Max Expert", || widget_text(&visitor)).await?;
    assert!(!widget_text(&visitor).await?.contains("Question juridique"));
    // Max answers with the canned answer: `/clause7` then Tab.
    let draft = on_page(&max, "#draft").await?;
    draft.send_keys("/clause7").await?;
    draft.send_keys("\u{E004}").await?;
    wait_for("the canned answer in the draft", || async {
        let value = max
            .find(Locator::Css("#draft"))
            .await?
            .prop("value")
            .await?;
        Ok((value.as_deref() == Some("La clause 7 signifie ceci")).then_some(()))
    })
    .await?;
    on_page(&max, ".send").await?.click().await?;
    wait_for_text("the widget", "La clause 7 signifie ceci", || {
        widget_text(&visitor)
    })
    .await?;
    Ok(())
}

#[tokio::test]
async fn a_message_left_outside_hours_is_answered_and_read_on_the_next_visit() -> anyhow::Result<()>
{
    let relay = TestRelay::spawn().await?;
    relay
        .set_queue(QueueRow {
            hours: Some("2000 Jan 01 00:00-00:01".into()),
            ..queue("general")
        })
        .await?;
    relay.add_adviser("lea", "Léa Martin").await?;
    let site = DemoSite::serve(&relay.url("")).await?;
    let mut browser = Browser::start().await?;
    let visitor = browser.session(1100, 900).await?;
    let console = browser.session(1280, 900).await?;

    visitor.goto(&site.url("index.html")).await?;
    in_widget(&visitor, "[data-tandem-launcher]")
        .await?
        .click()
        .await?;
    wait_for_text(
        "the offline notice",
        "Aucun conseiller ne peut répondre",
        || widget_text(&visitor),
    )
    .await?;
    type_in_widget(&visitor, "#tandem-name", "Ana Lima").await?;
    type_in_widget(&visitor, "#tandem-email", "ana@example.com").await?;
    type_in_widget(&visitor, "#tandem-reason", "Ma facture 42 est fausse").await?;
    let button = in_widget(&visitor, "button[type=submit]").await?;
    assert_eq!(button.text().await?, "Envoyer mon message");
    button.click().await?;
    let ack = wait_for_text(
        "the acknowledgement",
        "Merci, nous avons bien reçu votre message",
        || widget_text(&visitor),
    )
    .await?;
    assert!(
        ack.contains("Un conseiller vous répondra d'ici le"),
        "{ack}"
    );

    // An adviser answers it from the console's tickets.
    log_in(&console, &relay, "lea").await?;
    on_page(&console, "[data-page='console.tickets']")
        .await?
        .click()
        .await?;
    wait_for_text("the ticket", "Ma facture 42 est fausse", || {
        page_text(&console, ".tickets")
    })
    .await?;
    on_page(&console, ".ticket textarea")
        .await?
        .send_keys("Nous l'avons corrigée : 0 € à payer.")
        .await?;
    on_page(&console, ".ticket button[type=submit]")
        .await?
        .click()
        .await?;
    wait_for_text("the emptied list", "No open ticket", || {
        page_text(&console, ".tickets")
    })
    .await?;

    // Ana comes back to the site: the answer is waiting in the widget.
    visitor.goto(&site.url("apply.html")).await?;
    let text = wait_for_text(
        "the answer",
        "Nous l'avons corrigée : 0 € à payer.",
        || async {
            if let Ok(launcher) = in_widget(&visitor, "[data-tandem-launcher]").await {
                let _ = launcher.click().await;
            }
            widget_text(&visitor).await
        },
    )
    .await?;
    assert!(text.contains("Notre réponse à votre message"), "{text}");
    assert!(text.contains("Léa Martin"), "{text}");
    Ok(())
}
