//! Co-browsing by phone, in two Chromium windows: the visitor clicks the site's « Partager ma
//! page avec un conseiller », reads out the code the widget shows; the adviser types it in the
//! console, the visitor agrees, the mirror shows their page; the session is on the CRM record
//! as channel `phone`. Tried on the way: a wrong code typed first.

use fantoccini::{Client, Locator};
use serde_json::Value;
use tandem_tests::browser::{
    accessibility_violations, click_in_widget, host_errors, in_widget, mirror_text, on_page,
    page_text, press, wait_for, wait_for_text,
};
use tandem_tests::scene::Scene;
use tandem_tests::Endpoint;

/// Types `code` in the console's "Code read out by a caller" and presses Join.
async fn type_code(console: &Client, code: &str) -> anyhow::Result<()> {
    let field = on_page(console, "[data-join-code]").await?;
    field.send_keys(code).await?;
    console
        .find(Locator::Css(".join-code button[type=submit]"))
        .await?
        .click()
        .await?;
    Ok(())
}

#[tokio::test]
async fn a_caller_reads_out_a_code_and_the_adviser_sees_their_page() -> anyhow::Result<()> {
    let scene = Scene::start().await?;
    let (console, visitor) = (&scene.console, &scene.visitor);
    visitor.goto(&scene.site.url("index.html")).await?;
    press(visitor, "[data-share-page]").await?;
    let shown = in_widget(visitor, "[data-share-code]").await?;
    let read_out = wait_for("the code", || async {
        let text = shown.text().await?;
        Ok((!text.is_empty()).then_some(text))
    })
    .await?;
    let code = read_out.replace(' ', "");
    assert_eq!(code.len(), 6, "{code}");
    assert_eq!(
        read_out,
        format!("{} {}", &code[..3], &code[3..]),
        "spaced to be read out"
    );
    let violations = accessibility_violations(visitor).await?;
    assert!(violations.is_empty(), "the code screen: {violations:#?}");

    // A digit misheard: the console says so, nothing opens.
    let wrong = if code.starts_with('9') { "1" } else { "9" };
    type_code(console, &format!("{wrong}{}", &code[1..])).await?;
    wait_for_text("the refusal", "no visitor holds this code", || {
        page_text(console, "[data-join-error]")
    })
    .await?;
    let violations = accessibility_violations(console).await?;
    assert!(
        violations.is_empty(),
        "the code box and its refusal: {violations:#?}"
    );

    type_code(console, &read_out).await?;
    // The chat comes on screen, the visitor is asked, as from a chat.
    wait_for_text("the phone chat", "Appelant", || {
        page_text(console, ".chat-pane")
    })
    .await?;
    let sidebar = page_text(console, ".sidebar").await?;
    assert!(sidebar.contains("Phone"), "{sidebar}");
    let invite = in_widget(visitor, "[data-cobrowse-accept]").await?;
    assert!(invite.is_displayed().await?);
    let asked = visitor
        .execute(
            "return document.querySelector('[data-tandem]').shadowRoot.textContent",
            vec![],
        )
        .await?;
    assert!(
        asked.as_str().unwrap_or_default().contains("Léa Martin"),
        "the visitor sees who asks: {asked}"
    );
    click_in_widget(visitor, "[data-cobrowse-accept]").await?;
    in_widget(visitor, "[data-cobrowse-bar]").await?;
    wait_for_text("the mirror", "Nous contacter", || mirror_text(console)).await?;

    // The CRM record: a session of channel phone, with the page co-browsed.
    let token = scene.relay.api_token().await?;
    let session = wait_for("the phone session in the CRM", || async {
        let list: Value = scene
            .relay
            .get_json("/api/v1/sessions?limit=5", &token)
            .await?;
        Ok(list["sessions"]
            .as_array()
            .and_then(|all| all.iter().find(|s| s["channel"] == "phone").cloned()))
    })
    .await?;
    let id = session["id"].as_str().unwrap_or_default();
    let record: Value = scene
        .relay
        .get_json(&format!("/api/v1/sessions/{id}"), &token)
        .await?;
    assert_eq!(record["advisers"][0]["name"], "Léa Martin");
    assert!(
        record["cobrowse"][0]["pages"][0]["url"]
            .as_str()
            .is_some_and(|url| url.ends_with("/index.html")),
        "{record}"
    );
    assert_eq!(host_errors(visitor).await?, Vec::<String>::new());
    Ok(())
}
