//! The admins' Team page in Chromium: Ada adds an account, gives Léa another role, makes an
//! API token (shown once) and revokes it; the relay holds each change; an adviser has no Team
//! tab. Tried: demoting herself, the last admin (the relay's refusal is shown).

use fantoccini::Locator;
use tandem_shared::access::AdviserRole;
use tandem_tests::browser::{
    accessibility_violations, console_log_in, on_page, page_text, wait_for, wait_for_text, Browser,
};
use tandem_tests::relay::TEST_PASSWORD;
use tandem_tests::{Endpoint, TestRelay};

#[tokio::test]
async fn an_admin_manages_the_team_and_tokens_in_the_console() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    relay.add_team().await?;
    let mut browser = Browser::start().await?;
    let ada = browser.session(1400, 1000).await?;
    console_log_in(&ada, &relay.url(""), "ada").await?;
    on_page(&ada, "[data-page='console.team']")
        .await?
        .click()
        .await?;
    wait_for_text("the team", "lea", || page_text(&ada, "[data-team]")).await?;

    // A new account.
    on_page(&ada, "#member-login")
        .await?
        .send_keys("max")
        .await?;
    on_page(&ada, "#member-name")
        .await?
        .send_keys("Max Martin")
        .await?;
    on_page(&ada, "#member-password")
        .await?
        .send_keys(TEST_PASSWORD)
        .await?;
    on_page(&ada, ".new-member button[type=submit]")
        .await?
        .click()
        .await?;
    wait_for_text("the new account", "Max Martin", || {
        page_text(&ada, ".members")
    })
    .await?;
    assert_eq!(relay.login("max", TEST_PASSWORD).await?.status(), 200);

    // Léa becomes a supervisor.
    let select = on_page(&ada, "tr[data-member='lea'] select").await?;
    select.select_by_value("supervisor").await?;
    wait_for("Léa's new role", || async {
        let team = relay.store().team().await?;
        Ok(team
            .iter()
            .any(|m| m.login == "lea" && m.role == AdviserRole::Supervisor)
            .then_some(()))
    })
    .await?;

    // Tried: Ada demoting herself, the only admin.
    on_page(&ada, "tr[data-member='ada'] select")
        .await?
        .select_by_value("adviser")
        .await?;
    wait_for_text("the refusal", "last enabled admin", || {
        page_text(&ada, "[data-team] .field-error")
    })
    .await?;

    // A read token, shown once, then revoked.
    on_page(&ada, "#token-name")
        .await?
        .send_keys("reporting")
        .await?;
    on_page(&ada, ".new-token button[type=submit]")
        .await?
        .click()
        .await?;
    let shown = on_page(&ada, "[data-new-token]").await?.text().await?;
    let read = reqwest::Client::new()
        .get(relay.url("/api/v1/sessions"))
        .bearer_auth(&shown)
        .send()
        .await?;
    assert_eq!(read.status(), 200, "the token shown works");
    let violations = accessibility_violations(&ada).await?;
    assert!(violations.is_empty(), "the Team page: {violations:#?}");
    ada.find(Locator::Css(".tokens button"))
        .await?
        .click()
        .await?;
    wait_for("the token revoked", || async {
        let status = reqwest::Client::new()
            .get(relay.url("/api/v1/sessions"))
            .bearer_auth(&shown)
            .send()
            .await?
            .status();
        Ok((status == 401).then_some(()))
    })
    .await?;

    let lea = browser.session(1400, 1000).await?;
    relay
        .store()
        .set_adviser_role(
            "lea",
            AdviserRole::Adviser,
            &tandem_relay::store::Actor::command_line(),
        )
        .await?;
    console_log_in(&lea, &relay.url(""), "lea").await?;
    let tabs = page_text(&lea, "nav.pages").await?;
    assert!(!tabs.contains("Team"), "an adviser's tabs: {tabs}");
    Ok(())
}
