//! The adviser's day and the visitor's context, as two people in two Chromium windows live
//! them: the console shows where the visitor is as they move, both sides see «Seen» only once
//! the other's screen showed the message, an adviser in another tab is notified and the tab's
//! title counts, the survey fits a phone, the transcript arrives by email, and a proactive
//! invitation set in the Sites page shows on the site, opens the chat and is counted on the
//! dashboard.

use fantoccini::{Client, Locator};
use tandem_tests::browser::{
    accessibility_violations, ask_for_a_chat, click_in_widget, in_widget, notifications, on_page,
    page_text, record_notifications, set_tab_hidden, type_in_widget, wait_for, wait_for_text,
    widget_text, Browser,
};
use tandem_tests::demo::DemoSite;
use tandem_tests::scene::Scene;
use tandem_tests::smtp::SmtpServer;
use tandem_tests::{Endpoint, TestRelay};

/// The console's text at `css` once it contains `needle`.
async fn console_shows(console: &Client, css: &str, needle: &str) -> anyhow::Result<String> {
    wait_for_text(css, needle, || page_text(console, css)).await
}

/// True when the element `css` is in the widget now.
async fn widget_has(client: &Client, css: &str) -> anyhow::Result<bool> {
    let found = client
        .execute(
            "const root = document.querySelector('[data-tandem]').shadowRoot;
             return !!root.querySelector(arguments[0]);",
            vec![serde_json::json!(css)],
        )
        .await?;
    Ok(found.as_bool() == Some(true))
}

#[tokio::test]
async fn the_adviser_follows_the_visitor_is_called_back_and_both_see_seen() -> anyhow::Result<()> {
    let Scene {
        relay: _relay,
        site,
        console,
        visitor,
        browser: _browser,
    } = Scene::start().await?;
    // Léa switches notifications on (allowed once), then works in another tab.
    on_page(&console, "[data-attention=notify]")
        .await?
        .click()
        .await?;
    wait_for("notifications on", || async {
        let pressed = page_text_attr(&console, "[data-attention=notify]", "aria-pressed").await?;
        Ok((pressed.as_deref() == Some("true")).then_some(()))
    })
    .await?;
    record_notifications(&console).await?;
    let title = console.title().await?;
    set_tab_hidden(&console, true).await?;

    // Ana asks from the home page: Léa is notified, the title counts it.
    ask_for_a_chat(
        &visitor,
        &site.url("index.html"),
        "Ana Lima",
        "ana@example.com",
        "Ma garantie habitation",
    )
    .await?;
    wait_for("the new chat's notification", || async {
        let shown = notifications(&console).await?;
        Ok(shown
            .iter()
            .any(|n| n.contains("New chat: Ana Lima") && n.contains("Ma garantie habitation"))
            .then_some(()))
    })
    .await?;
    wait_for("the title to count", || async {
        Ok(console.title().await?.starts_with("(1) ").then_some(()))
    })
    .await?;
    type_in_widget(&visitor, "#tandem-draft", "Bonjour, une question\u{E007}").await?;
    wait_for("the message's notification", || async {
        let shown = notifications(&console).await?;
        Ok(shown
            .iter()
            .any(|n| n.contains("Ana Lima wrote") && n.contains("Bonjour, une question"))
            .then_some(()))
    })
    .await?;
    wait_for("the title to count two", || async {
        Ok(console.title().await?.starts_with("(2) ").then_some(()))
    })
    .await?;
    // Léa's tab is hidden: Ana's message is not «Lu» yet.
    tokio::time::sleep(std::time::Duration::from_millis(700)).await; // a receipt would be here by now
    assert!(
        !widget_has(&visitor, "[data-tandem-seen]").await?,
        "nothing is seen while the adviser's tab is hidden"
    );

    // Léa comes back: the title is the console's again, and Ana sees «Lu».
    set_tab_hidden(&console, false).await?;
    wait_for("the title restored", || async {
        Ok((console.title().await? == title).then_some(()))
    })
    .await?;
    let seen = in_widget(&visitor, "[data-tandem-seen]").await?;
    assert_eq!(seen.text().await?, "Lu");

    // The console shows where Ana is, and follows her to another page.
    console_shows(&console, "[data-current-page]", "/index.html").await?;
    on_page(&console, "[data-visit]").await?;
    assert!(page_text(&console, "[data-local-time]")
        .await?
        .contains(':'));
    visitor.goto(&site.url("garanties.html")).await?;
    console_shows(&console, "[data-current-page]", "/garanties.html").await?;
    let pages = console_shows(&console, "[data-visit-pages]", "garanties").await?;
    assert!(pages.contains("index"), "both pages of the visit: {pages}");

    // Léa answers; Ana's open panel shows it: Léa sees «Seen».
    on_page(&console, "#draft")
        .await?
        .send_keys("Bonjour Ana, je regarde\u{E007}")
        .await?;
    wait_for_text("the answer", "je regarde", || widget_text(&visitor)).await?;
    let seen = on_page(&console, "[data-seen]").await?;
    assert_eq!(seen.text().await?, "Seen");
    let violations = accessibility_violations(&console).await?;
    assert!(
        violations.is_empty(),
        "the console with the visit panel: {violations:#?}"
    );
    Ok(())
}

async fn page_text_attr(
    client: &Client,
    css: &str,
    attribute: &str,
) -> anyhow::Result<Option<String>> {
    Ok(client
        .find(Locator::Css(css))
        .await?
        .attr(attribute)
        .await?)
}

#[tokio::test]
async fn on_a_phone_the_survey_fits_and_the_transcript_comes_by_email() -> anyhow::Result<()> {
    let smtp = SmtpServer::start().await?;
    let url = smtp.url();
    let relay = TestRelay::spawn_configured(|config| {
        config.mail = Some(tandem_relay::mail::MailConfig {
            url,
            from: "Assurance <conseil@assurance.example>".into(),
        });
    })
    .await?;
    let site = DemoSite::serve(&relay.url("")).await?;
    let mut lea = relay.adviser("lea", "Léa").await?;
    lea.set_presence(true, 2).await?;
    let mut browser = Browser::start().await?;
    let phone = browser.phone_session(375, 667).await?;
    ask_for_a_chat(
        &phone,
        &site.url("index.html"),
        "Ana",
        "ana@example.com",
        "Mon contrat",
    )
    .await?;
    let detail = lea.next_assigned().await?;
    lea.say(&detail.id, "Voici la réponse").await?;
    lea.end_and_wrap_up(&detail.id, tandem_tests::clients::resolved())
        .await?;
    in_widget(&phone, "form.survey").await?;

    // Every control of the ended panel is inside the phone's width and can be scrolled to.
    let fit = phone
        .execute(
            "const root = document.querySelector('[data-tandem]').shadowRoot;
             const body = root.querySelector('.body');
             const controls = Array.from(root.querySelectorAll('.ended button, .ended a, .ended input, .ended textarea'));
             const out = [];
             for (const c of controls) {
               c.scrollIntoView({ block: 'nearest' });
               const r = c.getBoundingClientRect(), b = body.getBoundingClientRect();
               if (r.left < 0 || r.right > innerWidth + 0.5 || r.top < b.top - 0.5 || r.bottom > b.bottom + 0.5)
                 out.push((c.textContent || c.name || c.tagName).trim() + ' at ' + JSON.stringify([r.left, r.top, r.right, r.bottom]));
             }
             return { outside: out, controls: controls.length,
                      overflow: body.scrollWidth - body.clientWidth, page: document.documentElement.scrollWidth - innerWidth };",
            vec![],
        )
        .await?;
    assert!(fit["controls"].as_u64().unwrap_or(0) >= 14, "{fit}");
    assert_eq!(fit["outside"], serde_json::json!([]), "{fit}");
    assert_eq!(
        fit["overflow"], 0,
        "no sideways scrolling in the panel: {fit}"
    );
    assert_eq!(fit["page"], 0, "{fit}");

    // Ana rates the chat, then asks for the transcript by email.
    click_in_widget(&phone, "input[name=csat][value='5']").await?;
    click_in_widget(&phone, "form.survey button[type=submit]").await?;
    in_widget(&phone, ".survey-thanks").await?;
    click_in_widget(&phone, ".email-transcript").await?;
    wait_for_text(
        "the transcript sent",
        "La transcription a été envoyée à a•••@example.com",
        || widget_text(&phone),
    )
    .await?;
    let email = smtp.wait_for_message().await?;
    assert!(email.contains("ana@example.com"), "{email}");
    assert!(
        email.contains("Mon contrat") || email.contains("Ana"),
        "{email}"
    );
    assert!(
        email.contains("Voici la r"),
        "the adviser's answer is in it: {email}"
    );
    let violations = accessibility_violations(&phone).await?;
    assert!(violations.is_empty(), "the ended panel: {violations:#?}");
    Ok(())
}

#[tokio::test]
async fn an_invitation_set_in_the_console_opens_a_chat_and_is_counted() -> anyhow::Result<()> {
    let Scene {
        relay,
        site,
        console,
        visitor,
        mut browser,
    } = Scene::start().await?;
    // Léa adds an invitation to the default site in the Sites page.
    on_page(&console, "[data-page='console.sites']")
        .await?
        .click()
        .await?;
    on_page(&console, "[data-site=default]")
        .await?
        .click()
        .await?;
    on_page(&console, "[data-add-invitation]")
        .await?
        .click()
        .await?;
    on_page(&console, "#invitation-0-id").await?.clear().await?;
    on_page(&console, "#invitation-0-id")
        .await?
        .send_keys("garanties")
        .await?;
    on_page(&console, "#invitation-0-pattern")
        .await?
        .send_keys("/garanties*")
        .await?;
    on_page(&console, "#invitation-0-after")
        .await?
        .clear()
        .await?;
    on_page(&console, "#invitation-0-after")
        .await?
        .send_keys("1")
        .await?;
    on_page(&console, "#invitation-0-fr")
        .await?
        .send_keys("Une question sur nos garanties ?")
        .await?;
    on_page(&console, "#invitation-0-en")
        .await?
        .send_keys("A question about our cover?")
        .await?;
    let violations = accessibility_violations(&console).await?;
    assert!(
        violations.is_empty(),
        "the invitation editor: {violations:#?}"
    );
    on_page(&console, ".site-form button[type=submit]")
        .await?
        .click()
        .await?;
    let token = relay.api_token().await?;
    wait_for("the rule saved", || async {
        let sites = relay.get_json("/api/v1/sites", &token).await?;
        Ok(sites
            .to_string()
            .contains("Une question sur nos garanties ?")
            .then_some(()))
    })
    .await?;

    // A page the rule does not name: no bubble.
    visitor.goto(&site.url("index.html")).await?;
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await; // past the rule's second
    assert!(!widget_has(&visitor, "div[role=status]").await?);
    // The guarantees page: the bubble after a second; Ana opens the chat from it.
    visitor.goto(&site.url("garanties.html")).await?;
    let bubble = in_widget(&visitor, "div[role=status] button").await?;
    assert_eq!(bubble.text().await?, "Une question sur nos garanties ?");
    // A white bubble standing above the launcher (its style comes with the invitations' code).
    let placed = visitor
        .execute(
            "const root = document.querySelector('[data-tandem]').shadowRoot;
             const box = root.querySelector('div[role=status]');
             const launcher = root.querySelector('[data-tandem-launcher]').getBoundingClientRect();
             const style = getComputedStyle(box);
             return [style.position, style.backgroundColor,
                     box.getBoundingClientRect().bottom <= launcher.top];",
            vec![],
        )
        .await?;
    assert_eq!(
        placed,
        serde_json::json!(["fixed", "rgb(255, 255, 255)", true]),
        "the bubble's place and look"
    );
    let violations = accessibility_violations(&visitor).await?;
    assert!(violations.is_empty(), "the bubble: {violations:#?}");
    bubble.click().await?;
    in_widget(&visitor, "#tandem-name").await?;
    // Not again during this visit.
    visitor.goto(&site.url("garanties.html")).await?;
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await; // past the rule's second
    assert!(!widget_has(&visitor, "div[role=status]").await?);

    // Another visitor closes it: closed for the rest of their visit.
    let other = browser.session(1100, 800).await?;
    other.goto(&site.url("garanties.html")).await?;
    click_in_widget(&other, "div[role=status] button[aria-label]").await?;
    wait_for("the bubble closed", || async {
        Ok((!widget_has(&other, "div[role=status]").await?).then_some(()))
    })
    .await?;
    assert!(
        !widget_has(&other, ".panel").await?,
        "closing opens nothing"
    );

    // The dashboard counts it.
    on_page(&console, "[data-page='console.dashboard']")
        .await?
        .click()
        .await?;
    on_page(&console, ".period button[type=submit]")
        .await?
        .click()
        .await?;
    let shown = console_shows(
        &console,
        "[data-invitation-figures] [data-rule=garanties] [data-count=shown]",
        "2",
    )
    .await?;
    assert_eq!(shown, "2");
    let count = |what: &'static str| {
        let console = &console;
        async move {
            page_text(
                console,
                &format!("[data-invitation-figures] [data-rule=garanties] [data-count={what}]"),
            )
            .await
        }
    };
    assert_eq!(count("opened").await?, "1");
    assert_eq!(count("dismissed").await?, "1");
    let violations = accessibility_violations(&console).await?;
    assert!(violations.is_empty(), "the dashboard: {violations:#?}");
    Ok(())
}
