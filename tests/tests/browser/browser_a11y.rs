//! Accessibility and robustness of the widget on real pages: a keyboard-only chat with focus
//! moved where the visitor needs it, an axe-core audit of the widget and the console with no
//! serious violation, a 375-px phone screen, and a host page whose CSS attacks everything.

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::{Client, Locator};
use tandem_tests::browser::{
    accessibility_violations, click_in_widget, on_page, wait_for, wait_for_text, widget_text,
    Browser,
};
use tandem_tests::demo::DemoSite;
use tandem_tests::scene::Scene;
use tandem_tests::{Endpoint, TestRelay};

const TAB: char = '\u{E004}';
const ENTER: char = '\u{E007}';
const ESCAPE: char = '\u{E00C}';

/// Presses keys on whatever has the focus, as a keyboard does.
async fn keys(client: &Client, text: &str) -> anyhow::Result<()> {
    let mut actions = KeyActions::new("keyboard".into());
    for key in text.chars() {
        actions = actions
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
    }
    client.perform_actions(actions).await?;
    Ok(())
}

/// What has the focus inside the widget: its id, else its `data-*`/class description.
async fn focused_in_widget(client: &Client) -> anyhow::Result<String> {
    let found = client
        .execute(
            "const host = document.querySelector('[data-tandem]');
             const el = host && host.shadowRoot && host.shadowRoot.activeElement;
             if (!el) return '';
             if (el.id) return '#' + el.id;
             if (el.hasAttribute('data-tandem-launcher')) return 'launcher';
             return el.tagName.toLowerCase() + '.' + el.className + (el.type ? '[' + el.type + ']' : '');",
            vec![],
        )
        .await?;
    Ok(found.as_str().unwrap_or_default().to_owned())
}

/// Presses Tab until `target` has the focus in the widget.
async fn tab_to(client: &Client, target: &str) -> anyhow::Result<()> {
    for _ in 0..40 {
        if focused_in_widget(client).await? == target {
            return Ok(());
        }
        keys(client, &TAB.to_string()).await?;
    }
    anyhow::bail!(
        "Tab never reached {target}; the focus is on {:?}",
        focused_in_widget(client).await?
    )
}

async fn wait_for_focus(client: &Client, target: &str) -> anyhow::Result<()> {
    wait_for(&format!("the focus on {target}"), || async {
        Ok((focused_in_widget(client).await? == target).then_some(()))
    })
    .await
}

#[tokio::test]
async fn a_visitor_chats_with_the_keyboard_alone_and_nothing_fails_the_accessibility_audit(
) -> anyhow::Result<()> {
    // Every part is bound so that it lives to the end of the test.
    let Scene {
        relay: _relay,
        site,
        console,
        visitor,
        browser: _browser,
    } = Scene::start().await?;
    visitor.goto(&site.url("index.html")).await?;

    // Tab to the launcher, Enter: the panel opens with the focus in its first field.
    tab_to(&visitor, "launcher").await?;
    keys(&visitor, &ENTER.to_string()).await?;
    wait_for_focus(&visitor, "#tandem-name").await?;
    let violations = accessibility_violations(&visitor).await?;
    assert!(violations.is_empty(), "the pre-chat form: {violations:#?}");

    keys(&visitor, "Jeanne Clavier").await?;
    tab_to(&visitor, "#tandem-email").await?;
    keys(&visitor, "jeanne.clavier@example.com").await?;
    tab_to(&visitor, "#tandem-reason").await?;
    keys(&visitor, "Question au clavier").await?;
    tab_to(&visitor, "button.primary[submit]").await?;
    keys(&visitor, &ENTER.to_string()).await?;

    // The form gives way to the conversation: the focus is in the message box.
    wait_for_text("the console", "Question au clavier", || async {
        Ok(console
            .find(Locator::Css(".chat-pane"))
            .await?
            .text()
            .await?)
    })
    .await?;
    wait_for("the focus in the message box", || async {
        let focused = focused_in_widget(&visitor).await?;
        Ok((focused == "#tandem-draft").then_some(()))
    })
    .await?;
    keys(&visitor, "Bonjour, je n'utilise pas de souris").await?;
    keys(&visitor, &ENTER.to_string()).await?;
    wait_for_text("the message in the console", "pas de souris", || async {
        Ok(console
            .find(Locator::Css(".chat-pane"))
            .await?
            .text()
            .await?)
    })
    .await?;
    let reply = on_page(&console, ".composer textarea").await?;
    reply.send_keys("Bonjour Jeanne").await?;
    on_page(&console, ".composer .send").await?.click().await?;
    wait_for_text("the reply", "Bonjour Jeanne", || widget_text(&visitor)).await?;

    let violations = accessibility_violations(&visitor).await?;
    assert!(violations.is_empty(), "the conversation: {violations:#?}");
    let violations = accessibility_violations(&console).await?;
    assert!(
        violations.is_empty(),
        "the console with a chat: {violations:#?}"
    );

    // Escape closes the panel and gives the focus back to the launcher.
    keys(&visitor, &ESCAPE.to_string()).await?;
    wait_for_focus(&visitor, "launcher").await?;
    Ok(())
}

#[tokio::test]
async fn on_a_phone_the_panel_fills_the_screen_and_fields_do_not_zoom() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let site = DemoSite::serve(&relay.url("")).await?;
    let mut browser = Browser::start().await?;
    let phone = browser.phone_session(375, 740).await?;
    phone.goto(&site.url("apply.html")).await?;
    click_in_widget(&phone, "[data-tandem-launcher]").await?;
    wait_for_text("the form", "Votre nom", || widget_text(&phone)).await?;
    let measured = phone
        .execute(
            "const root = document.querySelector('[data-tandem]').shadowRoot;
             const panel = root.querySelector('.panel').getBoundingClientRect();
             const fields = Array.from(root.querySelectorAll('input, textarea, select'));
             return { width: panel.width, height: panel.height, left: panel.left, top: panel.top,
                      viewport: [innerWidth, innerHeight],
                      followed: getComputedStyle(document.querySelector('[data-tandem]'))
                          .getPropertyValue('--tandem-vh') === visualViewport.height + 'px',
                      smallest_font: Math.min(...fields.map(f => parseFloat(getComputedStyle(f).fontSize))) };",
            vec![],
        )
        .await?;
    let viewport = &measured["viewport"];
    assert_eq!(viewport[0], 375, "a phone's width: {measured}");
    assert_eq!(measured["width"], viewport[0], "full width: {measured}");
    assert_eq!(measured["height"], viewport[1], "full height: {measured}");
    assert_eq!(
        measured["followed"], true,
        "the panel follows the visual viewport (the on-screen keyboard shrinks it): {measured}"
    );
    assert_eq!(
        (measured["left"].as_f64(), measured["top"].as_f64()),
        (Some(0.0), Some(0.0))
    );
    assert!(
        measured["smallest_font"].as_f64().unwrap_or(0.0) >= 16.0,
        "fields under 16 px make phones zoom: {measured}"
    );
    let violations = accessibility_violations(&phone).await?;
    assert!(violations.is_empty(), "on a phone: {violations:#?}");
    Ok(())
}

#[tokio::test]
async fn a_host_page_with_hostile_css_does_not_change_the_widget() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let site = DemoSite::serve(&relay.url("")).await?;
    let mut browser = Browser::start().await?;
    let page = browser.session(1100, 800).await?;
    page.goto(&site.url("index.html")).await?;
    // Aggressive global rules, as some sites and CSS resets have.
    page.execute(
        "const s = document.createElement('style');
         s.textContent = '* { font-size: 40px !important; color: red !important; line-height: 3 !important; \
           letter-spacing: 4px !important; box-sizing: content-box !important; } \
           button, input, textarea { all: unset !important; display: none !important; } \
           div { position: static !important; } section { display: none !important; }';
         document.head.appendChild(s);",
        vec![],
    )
    .await?;
    click_in_widget(&page, "[data-tandem-launcher]").await?;
    wait_for_text("the form", "Votre nom", || widget_text(&page)).await?;
    let style = page
        .execute(
            "const root = document.querySelector('[data-tandem]').shadowRoot;
             const css = el => getComputedStyle(root.querySelector(el));
             const panel = root.querySelector('.panel').getBoundingClientRect();
             return { font: css('#tandem-name').fontSize, color: css('.head h2').color,
                      input_display: css('#tandem-name').display, panel_width: panel.width,
                      panel_position: css('.panel').position, spacing: css('.intro, .hint, label').letterSpacing };",
            vec![],
        )
        .await?;
    assert_eq!(style["font"], "16px", "{style}");
    assert_eq!(style["color"], "rgb(255, 255, 255)", "{style}");
    assert_eq!(style["input_display"], "inline-block", "{style}");
    assert_eq!(style["panel_position"], "fixed", "{style}");
    assert_eq!(style["panel_width"], 370, "{style}");
    assert_eq!(style["spacing"], "normal", "{style}");
    Ok(())
}
