//! The CRM record in the console: an adviser opens a returning visitor's record from the chat
//! and reads the previous session (told that a typed email proves nothing); contacts are
//! found by search.

use tandem_relay::webhooks::WebhookConfig;
use tandem_shared::model::{ChatRequest, Resolution, WrapUp};
use tandem_tests::browser::{
    click_in_widget, console_log_in, on_page, page_text, type_in_widget, wait_for_text, Browser,
};
use tandem_tests::clients::chat_request;
use tandem_tests::demo::DemoSite;
use tandem_tests::{Endpoint, TestRelay};

#[tokio::test]
async fn an_adviser_opens_a_returning_visitors_record_from_the_chat() -> anyhow::Result<()> {
    // The company's webhook receiver is down all along: the console shows it.
    let closed_port = tandem_tests::process::free_port()?;
    let relay = TestRelay::spawn_configured(|c| {
        c.webhook = Some(WebhookConfig {
            retry_base: std::time::Duration::from_millis(200),
            retry_max: std::time::Duration::from_secs(1),
            ..WebhookConfig::new(format!("http://127.0.0.1:{closed_port}/hook"), "s".into())
        })
    })
    .await?;
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
    // Only her email matches (she is not logged in on the site): the console says the match is
    // not proven and keeps her earlier session one deliberate click away.
    let pane = wait_for_text("the warning", "Not verified", || {
        page_text(&console, ".contact")
    })
    .await?;
    assert!(!pane.contains("Carte bloquée"), "history hidden: {pane}");
    on_page(&console, "[data-show-history]")
        .await?
        .click()
        .await?;
    wait_for_text("the earlier session", "Carte bloquée", || {
        page_text(&console, ".contact")
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
    let sync = wait_for_text("the failing webhook", "failing", || {
        page_text(&console, ".sync [data-destination=webhook]")
    })
    .await?;
    assert!(!sync.contains(" 0 failing"), "{sync}");
    let errors = page_text(&console, ".sync-errors").await?;
    assert!(
        errors.contains("webhook · session.started"),
        "the oldest event and its error: {errors}"
    );
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

    // Léa corrects the details: a malformed email is refused with the reason, a phone is saved.
    on_page(&console, "[data-edit-contact]")
        .await?
        .click()
        .await?;
    let email = on_page(&console, "#contact-email").await?;
    email.clear().await?;
    email.send_keys("ana.lima-at-example.com").await?;
    on_page(&console, ".contact-edit button[type=submit]")
        .await?
        .click()
        .await?;
    wait_for_text("the refusal", "email", || {
        page_text(&console, ".contact-edit [role=alert]")
    })
    .await?;
    email.clear().await?;
    email.send_keys("ana.lima@example.com").await?;
    on_page(&console, "#contact-phone")
        .await?
        .send_keys("06 12 34 56 78")
        .await?;
    on_page(&console, ".contact-edit button[type=submit]")
        .await?
        .click()
        .await?;
    wait_for_text("the saved phone", "0612345678", || {
        page_text(&console, ".record [data-field=phone]")
    })
    .await?;
    // And keeps a note on her for the next adviser.
    on_page(&console, "#contact-note")
        .await?
        .send_keys("Préfère être rappelée après 18 h")
        .await?;
    on_page(&console, "[data-add-note]").await?.click().await?;
    wait_for_text("the note", "Préfère être rappelée après 18 h", || {
        page_text(&console, ".contact-notes")
    })
    .await?;
    assert!(page_text(&console, ".contact-notes")
        .await?
        .contains("Léa Martin"));
    // The whole record downloads from the console as JSON (with the adviser's login only).
    let exported = console
        .execute(
            "const a = document.querySelector('a.export-record'); \
             return fetch(a.href).then(r => r.json());",
            vec![],
        )
        .await?;
    assert_eq!(
        exported["session_records"].as_array().map(Vec::len),
        Some(2),
        "{exported}"
    );
    assert_eq!(
        exported["notes"][0]["body"],
        "Préfère être rappelée après 18 h"
    );

    // The visitor's details are in no cookie and no storage the host page can read.
    let kept = page
        .execute(
            "return document.cookie + JSON.stringify(Object.assign({}, localStorage)) + \
             JSON.stringify(Object.assign({}, sessionStorage));",
            vec![],
        )
        .await?;
    let kept = kept.as_str().unwrap_or_default().to_lowercase();
    assert!(
        !kept.contains("ana lima")
            && !kept.contains("ana.lima")
            && !kept.contains("example.com")
            && !kept.contains("souci de carte"),
        "{kept}"
    );

    // The CRM has both.
    let token = relay.api_token().await?;
    let session = relay
        .get_json(&format!("/api/v1/sessions/{}", first.id.as_str()), &token)
        .await?;
    assert_eq!(session["contact"]["phone"], "0612345678");
    let contact_id = session["contact"]["id"].as_str().unwrap_or_default();
    let contact = relay
        .get_json(&format!("/api/v1/contacts/{contact_id}"), &token)
        .await?;
    assert_eq!(
        contact["notes"][0]["body"],
        "Préfère être rappelée après 18 h"
    );
    assert_eq!(contact["notes"][0]["author"], "Léa Martin");

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
