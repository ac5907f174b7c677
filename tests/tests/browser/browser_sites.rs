//! A second site on the same relay, set up in the console: the adviser creates it, allows its
//! origin, gives it its queue, colour, corner and greeting, and copies the tag; a visitor of
//! that site sees the launcher in the site's colour at the bottom left, the greeting in the
//! panel, only that site's queue, and chats with the same adviser. A page of the first site
//! cannot open chats as the second one.

use fantoccini::Client;
use tandem_tests::browser::{
    click_in_widget, in_widget, on_page, page_text, wait_for_text, widget_text,
};
use tandem_tests::demo::DemoSite;
use tandem_tests::relay::queue;
use tandem_tests::scene::Scene;
use tandem_tests::Endpoint;

/// Where the launcher sits and its background colour, read in the visitor's page.
async fn launcher_look(visitor: &Client) -> anyhow::Result<(f64, String)> {
    let found = visitor
        .execute(
            "const b = document.querySelector('[data-tandem]').shadowRoot.querySelector('[data-tandem-launcher]');
             const r = b.getBoundingClientRect();
             return [r.left, getComputedStyle(b).backgroundColor];",
            vec![],
        )
        .await?;
    let left = found[0].as_f64().unwrap_or(f64::MAX);
    let colour = found[1].as_str().unwrap_or_default().to_owned();
    Ok((left, colour))
}

#[tokio::test]
async fn an_adviser_sets_up_a_second_site_and_its_visitors_see_it() -> anyhow::Result<()> {
    let Scene {
        relay,
        site: first_site,
        console,
        visitor,
        browser: _browser,
    } = Scene::start().await?;
    relay.set_queue(queue("travaux")).await?;
    let second = DemoSite::serve_dir(&relay.url(""), "examples/second-site").await?;
    let second_origin = second.url("").trim_end_matches('/').to_owned();

    // The console: Sites, a new site "brico", its settings, saved; the tag to copy.
    on_page(&console, "[data-page='console.sites']")
        .await?
        .click()
        .await?;
    wait_for_text("the sites page", "Default site", || {
        page_text(&console, ".sites")
    })
    .await?;
    on_page(&console, "#site-new-key")
        .await?
        .send_keys("brico")
        .await?;
    on_page(&console, ".site-new button").await?.click().await?;
    on_page(&console, ".site-form[data-editing=brico]").await?;
    let name = on_page(&console, "#site-name").await?;
    name.clear().await?;
    name.send_keys("Brico Dépannage").await?;
    on_page(&console, "#site-origins")
        .await?
        .send_keys(&second_origin)
        .await?;
    on_page(&console, ".site-queues input[value=travaux]")
        .await?
        .click()
        .await?;
    console
        .execute(
            "const input = document.querySelector('#site-color');
             input.value = '#15803d';
             input.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![],
        )
        .await?;
    on_page(&console, "#site-position option[value=left]")
        .await?
        .click()
        .await?;
    on_page(&console, "#site-greeting-fr")
        .await?
        .send_keys("Bonjour ! Un artisan-conseiller vous répond.")
        .await?;
    on_page(&console, ".site-form button[type=submit]")
        .await?
        .click()
        .await?;
    wait_for_text("the save", "Saved.", || page_text(&console, ".site-form")).await?;
    let snippet = page_text(&console, ".snippet").await?;
    assert!(
        snippet.contains("data-site=\"brico\"") && snippet.contains(&relay.url("/widget.js")),
        "the tag to paste names the site and the relay: {snippet}"
    );

    // A visitor of the second site: green launcher at the bottom left, the greeting.
    visitor.goto(&second.url("index.html")).await?;
    in_widget(&visitor, "[data-tandem-launcher]").await?;
    let (left, colour) = launcher_look(&visitor).await?;
    assert!(left < 100.0, "the launcher is at the left: x = {left}");
    assert_eq!(colour, "rgb(21, 128, 61)", "the site's colour");
    click_in_widget(&visitor, "[data-tandem-launcher]").await?;
    wait_for_text("the greeting", "Un artisan-conseiller vous répond", || {
        widget_text(&visitor)
    })
    .await?;
    let offered = visitor
        .execute(
            "const s = document.querySelector('[data-tandem]').shadowRoot.querySelector('select');
             return s ? [...s.options].map(o => o.value) : [];",
            vec![],
        )
        .await?;
    assert!(
        offered.as_array().is_none_or(|o| o.len() <= 1),
        "one queue only, so no choice to make: {offered}"
    );

    // The chat reaches the adviser, who sees which site it came from in the record.
    in_widget(&visitor, "#tandem-name")
        .await?
        .send_keys("Paul Girard")
        .await?;
    in_widget(&visitor, "#tandem-email")
        .await?
        .send_keys("paul.girard@example.com")
        .await?;
    in_widget(&visitor, "#tandem-reason")
        .await?
        .send_keys("Fuite sous l'évier")
        .await?;
    click_in_widget(&visitor, "button[type=submit]").await?;
    on_page(&console, "[data-page='console.desk']")
        .await?
        .click()
        .await?;
    wait_for_text("the chat in the console", "Fuite sous l'évier", || {
        page_text(&console, ".chat-pane")
    })
    .await?;
    let sessions: serde_json::Value = reqwest::Client::new()
        .get(relay.url("/api/v1/sessions"))
        .bearer_auth(relay.api_token().await?)
        .send()
        .await?
        .json()
        .await?;
    let id = sessions["sessions"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let record: serde_json::Value = reqwest::Client::new()
        .get(relay.url(&format!("/api/v1/sessions/{id}")))
        .bearer_auth(relay.api_token().await?)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(record["site"], "brico");
    assert_eq!(record["queue"], "travaux");

    // The first site's pages (another origin) cannot open chats as "brico".
    let from_second = visitor
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const ws = new WebSocket(arguments[0]);
             ws.onopen = () => done('opened');
             ws.onerror = () => done('refused');",
            vec![serde_json::json!(relay.ws_url("/ws/visitor?site=brico"))],
        )
        .await;
    visitor.goto(&first_site.url("index.html")).await?;
    let from_first_site = visitor
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const ws = new WebSocket(arguments[0]);
             ws.onopen = () => done('opened');
             ws.onerror = () => done('refused');",
            vec![serde_json::json!(relay.ws_url("/ws/visitor?site=brico"))],
        )
        .await?;
    assert_eq!(
        from_second
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .as_deref(),
        Some("opened"),
        "the second site's own page may connect"
    );
    assert_eq!(
        from_first_site, "refused",
        "a page of the first site may not"
    );
    Ok(())
}
