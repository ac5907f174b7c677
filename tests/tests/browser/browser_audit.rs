//! The audit trail in two Chromium consoles: Max (an admin) exports a contact's record and
//! erases the contact; Ada (another admin) opens the Audit page and reads who did it, when and
//! from where, filters by login, and finds the CSV link. An adviser has no Audit tab.

use fantoccini::Locator;
use tandem_shared::access::AdviserRole;
use tandem_tests::browser::{
    accessibility_violations, console_log_in, on_page, page_text, wait_for, wait_for_text, Browser,
};
use tandem_tests::clients::{chat_request, resolved, AdviserClient};
use tandem_tests::{Endpoint, TestRelay};

#[tokio::test]
async fn an_admin_reads_who_exported_and_erased_a_contact() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    relay
        .add_adviser_with_role("ada", "Ada Admin", AdviserRole::Admin)
        .await?;
    relay
        .add_adviser_with_role("max", "Max Martin", AdviserRole::Admin)
        .await?;
    relay
        .add_adviser_with_role("lea", "Léa Martin", AdviserRole::Adviser)
        .await?;
    // A past chat: Zoé's record.
    let mut lea = AdviserClient::connect(&relay, "lea").await?;
    lea.set_presence(true, 2).await?;
    let mut visitor = relay.visitor().await?;
    visitor
        .start_chat(chat_request(
            "Zoé Oubliée",
            "zoe.oubliee@example.com",
            "Résilier",
        ))
        .await?;
    let chat = lea.next_assigned().await?;
    lea.end_and_wrap_up(&chat.id, resolved()).await?;
    lea.set_presence(false, 2).await?;

    let mut browser = Browser::start().await?;
    let max = browser.session(1400, 1000).await?;
    let ada = browser.session(1400, 1000).await?;
    let adviser = browser.session(1400, 1000).await?;
    console_log_in(&adviser, &relay.url(""), "lea").await?;
    let tabs = page_text(&adviser, "nav.pages").await?;
    assert!(!tabs.contains("Audit"), "an adviser's tabs: {tabs}");

    // Max exports the record, then erases the contact.
    console_log_in(&max, &relay.url(""), "max").await?;
    on_page(&max, "[data-page='console.contacts']")
        .await?
        .click()
        .await?;
    on_page(&max, "#contact-search")
        .await?
        .send_keys("oubliee")
        .await?;
    on_page(&max, ".contact-search button[type=submit]")
        .await?
        .click()
        .await?;
    on_page(&max, ".found button[data-contact]")
        .await?
        .click()
        .await?;
    wait_for_text("the record", "Zoé Oubliée", || page_text(&max, ".record")).await?;
    on_page(&max, ".export-record").await?.click().await?;
    let token = relay.api_token().await?;
    wait_for("the export to be fetched", || async {
        let trail = relay
            .get_json("/api/v1/audit?action=contact.exported", &token)
            .await?;
        Ok((trail.as_array().is_some_and(|a| a.len() == 1)).then_some(()))
    })
    .await?;
    on_page(&max, "[data-erase-contact]").await?.click().await?;
    max.accept_alert().await?;
    on_page(&max, "[data-erased]").await?;

    // Ada reads the trail.
    console_log_in(&ada, &relay.url(""), "ada").await?;
    on_page(&ada, "[data-page='console.audit']")
        .await?
        .click()
        .await?;
    wait_for_text("the erasure", "contact.erased", || {
        page_text(&ada, "[data-audit]")
    })
    .await?;
    let rows = |action: &'static str| {
        let ada = ada.clone();
        async move {
            let row = ada
                .find(Locator::Css(&format!("tr[data-action='{action}']")))
                .await?;
            anyhow::Ok(row.text().await?)
        }
    };
    for action in ["contact.erased", "contact.exported"] {
        let row = rows(action).await?;
        assert!(
            row.contains("max") && row.contains("127.0.0.1"),
            "{action}: {row}"
        );
        assert!(row.contains(&chat.contact.id.0), "{action}: {row}");
    }
    let table = page_text(&ada, "[data-audit]").await?;
    assert!(
        !table.contains("Zoé") && !table.contains("zoe.oubliee"),
        "{table}"
    );
    let violations = accessibility_violations(&ada).await?;
    assert!(violations.is_empty(), "the audit page: {violations:#?}");

    // Only Léa's doings: her login, no export, no erasure.
    let who = on_page(&ada, ".audit input[type=text]").await?;
    who.send_keys("lea").await?;
    on_page(&ada, ".audit button[type=submit]")
        .await?
        .click()
        .await?;
    wait_for("Léa's entries only", || async {
        let table = page_text(&ada, "[data-audit]").await?;
        Ok((table.contains("login.succeeded") && !table.contains("contact.erased")).then_some(()))
    })
    .await?;
    let csv = on_page(&ada, ".audit-csv")
        .await?
        .attr("href")
        .await?
        .unwrap_or_default();
    assert!(
        csv.starts_with("/api/v1/audit.csv?") && csv.contains("actor=lea"),
        "{csv}"
    );
    Ok(())
}
