//! Co-browsing in real browsers: a visitor on the demo site's multi-step application form and
//! an adviser in the console, each in headless Chromium.

use fantoccini::actions::InputSource;
use fantoccini::{Client, Locator};
use tandem_tests::browser::{
    ask_to_share, click_in_widget, console_log_in, host_errors, in_mirror, in_widget, mirror_json,
    mirror_text, mirror_true, on_page, page_text, pick_in_mirror, share_page, start_sharing,
    type_in_widget, wait_for, wait_for_no_sharing_bar, wait_for_text, wait_for_within, widget_text,
    Browser,
};
use tandem_tests::demo::DemoSite;
use tandem_tests::process::{add_adviser, free_port, RelayProcess, DEFAULT_LOG};
use tandem_tests::scene::Scene;
use tandem_tests::Endpoint;

/// How long the mirror may take to catch up with thousands of new elements while other browser
/// tests share the machine's two cores.
const BULK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// The visitor opens the application form and starts a chat; the adviser gets it.
async fn chat_on_the_form(
    visitor: &Client,
    console: &Client,
    site: &DemoSite,
) -> anyhow::Result<()> {
    visitor.goto(&site.url("apply.html")).await?;
    click_in_widget(visitor, "[data-tandem-launcher]").await?;
    type_in_widget(visitor, "#tandem-name", "Jeanne Martin").await?;
    type_in_widget(visitor, "#tandem-email", "jeanne@example.com").await?;
    type_in_widget(visitor, "#tandem-reason", "Je bloque sur le formulaire").await?;
    click_in_widget(visitor, "button[type=submit]").await?;
    wait_for_text("the console", "Je bloque sur le formulaire", || {
        page_text(console, ".chat-pane")
    })
    .await?;
    Ok(())
}

async fn mirror_value(console: &Client, css: &str) -> anyhow::Result<String> {
    let value = in_mirror(
        console,
        "const el = doc.querySelector(arguments[0]); return el ? String(el.value) : null;",
        vec![serde_json::json!(css)],
    )
    .await?;
    Ok(value.as_str().unwrap_or_default().to_owned())
}

async fn page_value(client: &Client, css: &str) -> anyhow::Result<String> {
    let value = client
        .execute(
            "const el = document.querySelector(arguments[0]); return el ? String(el.value) : null;",
            vec![serde_json::json!(css)],
        )
        .await?;
    Ok(value.as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn an_adviser_sees_the_visitors_page_live_and_helps_fill_the_form() -> anyhow::Result<()> {
    // Every part is bound so that it lives to the end of the test.
    let Scene {
        relay,
        site,
        console,
        visitor,
        browser: _browser,
    } = Scene::start().await?;
    chat_on_the_form(&visitor, &console, &site).await?;

    // Declined: nothing is shared and the adviser is told. (The demo site is in French.)
    ask_to_share(&console).await?;
    let invite = widget_text(&visitor).await?;
    wait_for_text(
        "the invitation",
        "Léa Martin souhaite voir cette page",
        || widget_text(&visitor),
    )
    .await?;
    assert!(!invite.contains("voit cette page"), "{invite}");
    click_in_widget(&visitor, "[data-cobrowse-decline]").await?;
    wait_for_text("the console", "declined to share", || {
        page_text(&console, ".chat-pane")
    })
    .await?;
    assert!(console.find(Locator::Css("iframe.mirror")).await.is_err());

    // Accepted: the visitor sees the bar; the mirror shows the page, styled by its sheet.
    start_sharing(&visitor, &console, "Demande d'adhésion").await?;
    // The site stays usable while shared: every link of its menu can be clicked, whatever
    // the window's width.
    for width in [800, 1100, 1400] {
        visitor.set_window_size(width, 800).await?;
        let covered = visitor
            .execute(
                "return Array.from(document.querySelectorAll('header nav a')).filter(a => {
                   const r = a.getBoundingClientRect();
                   const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                   return !(hit && (hit === a || a.contains(hit)));
                 }).map(a => a.textContent);",
                vec![],
            )
            .await?;
        assert_eq!(covered, serde_json::json!([]), "covered at {width} px");
    }
    visitor.set_window_size(1100, 800).await?;
    wait_for_text("the visitor's bar", "Léa Martin voit cette page", || {
        widget_text(&visitor)
    })
    .await?;
    let sandbox = on_page(&console, "iframe.mirror")
        .await?
        .attr("sandbox")
        .await?;
    assert_eq!(
        sandbox.as_deref(),
        Some("allow-same-origin"),
        "no script of the site runs"
    );
    let styled = in_mirror(
        &console,
        "return Array.from(doc.querySelectorAll('style')).some(s => s.textContent.includes('.steps'));",
        vec![],
    )
    .await?;
    assert_eq!(
        styled.as_bool(),
        Some(true),
        "the site's stylesheet is inlined in the mirror"
    );

    // Typing and choosing on the visitor's page appear in the mirror.
    on_page(&visitor, "#full-name")
        .await?
        .send_keys("Jeanne Martin")
        .await?;
    wait_for("the typed name in the mirror", || async {
        Ok((mirror_value(&console, "#full-name").await? == "Jeanne Martin").then_some(()))
    })
    .await?;
    on_page(&visitor, "#regime option[value=tns]")
        .await?
        .click()
        .await?;
    wait_for("the chosen regime in the mirror", || async {
        Ok((mirror_value(&console, "#regime").await? == "tns").then_some(()))
    })
    .await?;

    // Without permission the adviser cannot fill; with it, the value lands on the real page
    // and the site's own change handler runs.
    pick_in_mirror(&console, "#email").await?;
    assert!(console
        .find(Locator::Css("[data-cobrowse-fill]"))
        .await
        .is_err());
    click_in_widget(&visitor, "[data-cobrowse-control]").await?;
    wait_for_text("the console", "lets you fill in fields", || {
        page_text(&console, ".cobrowse")
    })
    .await?;
    pick_in_mirror(&console, "#email").await?;
    on_page(&console, "#fill-value")
        .await?
        .send_keys("jeanne.martin@example.com")
        .await?;
    on_page(&console, "[data-cobrowse-fill]")
        .await?
        .click()
        .await?;
    wait_for("the filled e-mail on the visitor's page", || async {
        Ok((page_value(&visitor, "#email").await? == "jeanne.martin@example.com").then_some(()))
    })
    .await?;
    wait_for_text(
        "the site's change handler",
        "Nous vous écrirons à jeanne.martin@example.com",
        || page_text(&visitor, "#email-hint"),
    )
    .await?;
    wait_for_text(
        "the visitor's notice",
        "Votre conseiller a rempli « E-mail »",
        || widget_text(&visitor),
    )
    .await?;

    // The adviser's pointer shows on the visitor's page.
    let overlay = on_page(&console, "[data-mirror-overlay]").await?;
    let point = fantoccini::actions::MouseActions::new("mouse".into())
        .then(fantoccini::actions::PointerAction::MoveToElement {
            element: overlay.clone(),
            duration: None,
            x: 0.0,
            y: 0.0,
        })
        .then(fantoccini::actions::PointerAction::MoveToElement {
            element: overlay,
            duration: Some(std::time::Duration::from_millis(200)),
            x: 30.0,
            y: 20.0,
        });
    console.perform_actions(point).await?;
    in_widget(&visitor, ".cb-pointer").await?;

    // The adviser highlights the regime field: the visitor sees the label.
    pick_in_mirror(&console, "#regime").await?;
    on_page(&console, "#highlight-label")
        .await?
        .send_keys("Choisissez ici")
        .await?;
    on_page(&console, "[data-cobrowse-highlight]")
        .await?
        .click()
        .await?;
    in_widget(&visitor, ".cb-highlight").await?;
    wait_for_text("the highlight", "Choisissez ici", || widget_text(&visitor)).await?;

    // The visitor goes to another page: the session follows by itself.
    on_page(&visitor, "header nav a[href='index.html']")
        .await?
        .click()
        .await?;
    wait_for_text(
        "the mirror of the home page",
        "des conseillers qui répondent",
        || mirror_text(&console),
    )
    .await?;
    in_widget(&visitor, "[data-cobrowse-bar]").await?;

    // The adviser proposes the form again; the visitor accepts and is taken there.
    on_page(&console, "#propose-url")
        .await?
        .send_keys(&site.url("apply.html"))
        .await?;
    on_page(&console, ".propose button[type=submit]")
        .await?
        .click()
        .await?;
    click_in_widget(&visitor, "[data-cobrowse-go]").await?;
    wait_for_text("the mirror of the form", "Demande d'adhésion", || {
        mirror_text(&console)
    })
    .await?;

    // The visitor stops: the mirror ends at once on both sides.
    click_in_widget(&visitor, "[data-cobrowse-stop]").await?;
    wait_for("the mirror to close", || async {
        Ok(console
            .find(Locator::Css("iframe.mirror"))
            .await
            .is_err()
            .then_some(()))
    })
    .await?;
    wait_for_text(
        "the console",
        "The visitor stopped sharing their page",
        || page_text(&console, ".chat-pane"),
    )
    .await?;
    assert!(!widget_text(&visitor).await?.contains("voit cette page"));

    // The CRM record has the session: pages, the field filled (its name only), who ended it.
    let token = relay.api_token().await?;
    let sessions = relay.get_json("/api/v1/sessions", &token).await?;
    let id = sessions["sessions"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let record = relay
        .get_json(&format!("/api/v1/sessions/{id}"), &token)
        .await?;
    let cobrowse = &record["cobrowse"][0];
    assert_eq!(cobrowse["ended_by"], "visitor", "{record}");
    let pages: Vec<&str> = cobrowse["pages"]
        .as_array()
        .map(|p| p.iter().filter_map(|p| p["url"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(pages.len(), 3, "form, home, form again: {pages:?}");
    assert!(
        pages[0].ends_with("/apply.html") && pages[1].ends_with("/index.html"),
        "{pages:?}"
    );
    assert_eq!(cobrowse["fields_filled"][0]["field"], "E-mail", "{record}");
    assert!(
        !record.to_string().contains("jeanne.martin@example.com\"}"),
        "no filled value kept"
    );
    Ok(())
}

#[tokio::test]
async fn secrets_typed_while_co_browsing_never_reach_the_relay() -> anyhow::Result<()> {
    // The real relay binary, logging every frame it receives.
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("crm.sqlite");
    add_adviser(&db, "lea", "Léa Martin")?;
    let port = free_port()?;
    let filter = format!("{DEFAULT_LOG},tandem_relay::frames=trace");
    let relay = RelayProcess::start_logging(&db, port, &[], &filter).await?;
    let site = DemoSite::serve(&relay.url("")).await?;
    let mut browser = Browser::start().await?;
    let console = browser.session(1400, 1000).await?;
    let visitor = browser.session(1100, 800).await?;
    console_log_in(&console, &relay.url(""), "lea").await?;
    chat_on_the_form(&visitor, &console, &site).await?;
    start_sharing(&visitor, &console, "Demande d'adhésion").await?;

    // To the payment step, where the IBAN (marked private by the site), the card number
    // (autocomplete cc-number) and the password are.
    tandem_tests::browser::press(&visitor, "fieldset[data-step='1'] [data-next='2']").await?;
    tandem_tests::browser::press(&visitor, "fieldset[data-step='2'] [data-next='3']").await?;
    let secrets = [
        ("#iban", "FR7630006000011234567890189"),
        ("#card", "4970101234567890"),
        ("#password", "Tr0ub4dor&3-horse"),
    ];
    for (field, secret) in secrets {
        on_page(&visitor, field).await?.send_keys(secret).await?;
    }
    // The visitor sees what the adviser cannot.
    wait_for_text("the veils", "Masqué pour votre conseiller", || {
        widget_text(&visitor)
    })
    .await?;
    let veils = visitor
        .execute(
            "return document.querySelector('[data-tandem]').shadowRoot.querySelectorAll('.cb-veil').length",
            vec![],
        )
        .await?;
    assert!(
        veils.as_u64().unwrap_or(0) >= 3,
        "a veil per private field: {veils}"
    );

    // A field that is not private goes through, which proves the frames are logged.
    tandem_tests::browser::press(&visitor, "fieldset[data-step='3'] [data-next='2']").await?;
    on_page(&visitor, "#start")
        .await?
        .send_keys("01022027")
        .await?;
    wait_for("the step-2 date in the mirror", || async {
        Ok((!mirror_value(&console, "#start").await?.is_empty()).then_some(()))
    })
    .await?;
    wait_for("the relay to log the frames", || async {
        Ok(relay.log().contains("cobrowse_changes").then_some(()))
    })
    .await?;

    let mirror = in_mirror(&console, "return doc.documentElement.outerHTML + JSON.stringify(Array.from(doc.querySelectorAll('input')).map(i => i.value));", vec![]).await?;
    let mirror = mirror.as_str().unwrap_or_default().to_owned();
    assert!(
        mirror.contains("data-tdm-masked"),
        "private fields are masked in the mirror"
    );
    let log = relay.log();
    let mut stored = Vec::new();
    for entry in std::fs::read_dir(dir.path())? {
        let path = entry?.path();
        if path.to_string_lossy().contains("crm.sqlite") {
            stored.extend(std::fs::read(&path)?);
        }
    }
    let stored = String::from_utf8_lossy(&stored);
    for (field, secret) in secrets {
        assert!(
            !log.contains(secret),
            "{field}'s value is in the relay's log (frames included)"
        );
        assert!(
            !mirror.contains(secret),
            "{field}'s value is in the adviser's mirror"
        );
        assert!(
            !stored.contains(secret),
            "{field}'s value is in the CRM database"
        );
    }
    Ok(())
}

#[tokio::test]
async fn hard_pages_are_mirrored_faithfully() -> anyhow::Result<()> {
    // Every part is bound so that it lives to the end of the test.
    let Scene {
        relay: _relay,
        site,
        console,
        visitor,
        browser: _browser,
    } = Scene::start().await?;
    // The coverage page: 850 table rows (5,000+ elements), a same-origin frame, an open
    // shadow root, a canvas, CSS-in-JS and adopted stylesheets, a relative image, a select,
    // radio buttons and a text area.
    visitor.goto(&site.url("garanties.html")).await?;
    click_in_widget(&visitor, "[data-tandem-launcher]").await?;
    type_in_widget(&visitor, "#tandem-name", "Paul Durand").await?;
    type_in_widget(&visitor, "#tandem-email", "paul@example.com").await?;
    type_in_widget(&visitor, "#tandem-reason", "Remboursement optique").await?;
    click_in_widget(&visitor, "button[type=submit]").await?;
    wait_for_text("the console", "Remboursement optique", || {
        page_text(&console, ".chat-pane")
    })
    .await?;
    ask_to_share(&console).await?;
    click_in_widget(&visitor, "[data-cobrowse-accept]").await?;
    wait_for_text("the mirror", "Tableau des garanties", || {
        mirror_text(&console)
    })
    .await?;

    // The rows arrive over a few animation frames.
    mirror_true(
        &console,
        "5,000+ elements in the mirror",
        "return doc.querySelectorAll('*').length > 5000;",
    )
    .await?;
    mirror_true(&console, "the frame's document", "const f = doc.querySelector('iframe'); return !!(f && f.contentDocument && f.contentDocument.body && f.contentDocument.body.textContent.includes('Simulateur de remboursement'));").await?;
    mirror_true(&console, "the shadow root", "const c = doc.querySelector('quote-card'); return !!(c && c.shadowRoot && c.shadowRoot.textContent.includes('42 €') && c.shadowRoot.querySelector('style'));").await?;
    mirror_true(
        &console,
        "the canvas as an image",
        "return !!doc.querySelector('img[src^=\"data:image/webp\"]');",
    )
    .await?;
    mirror_true(&console, "the CSS-in-JS rule", "return Array.from(doc.querySelectorAll('style')).some(s => s.textContent.includes('.cssinjs-badge'));").await?;
    mirror_true(&console, "the adopted stylesheet", "return Array.from(doc.querySelectorAll('style')).some(s => s.textContent.includes('.adopted-note'));").await?;
    let logo = mirror_json(
        &console,
        "return doc.querySelector('img.logo').getAttribute('src');",
    )
    .await?;
    assert_eq!(
        logo.as_str(),
        Some(site.url("logo.svg").as_str()),
        "relative image made absolute"
    );
    let badge = mirror_json(
        &console,
        "return doc.defaultView.getComputedStyle(doc.querySelector('#badge')).backgroundColor;",
    )
    .await?;
    assert_eq!(
        badge.as_str(),
        Some("rgb(253, 230, 138)"),
        "the CSS-in-JS rule styles the mirror"
    );

    // Select, radio buttons, text area, focus and hover.
    on_page(&visitor, "#level option[value=confort]")
        .await?
        .click()
        .await?;
    on_page(&visitor, "input[name=who][value=famille]")
        .await?
        .click()
        .await?;
    on_page(&visitor, "#question")
        .await?
        .send_keys("Combien pour des lunettes ?")
        .await?;
    mirror_true(
        &console,
        "the select",
        "return doc.querySelector('#level').value === 'confort';",
    )
    .await?;
    mirror_true(&console, "the radio group", "return doc.querySelector('input[value=famille]').checked && !doc.querySelector('input[value=seul]').checked;").await?;
    mirror_true(
        &console,
        "the text area",
        "return doc.querySelector('#question').value === 'Combien pour des lunettes ?';",
    )
    .await?;
    mirror_true(
        &console,
        "the focus",
        "return doc.querySelector('#question').classList.contains('tdm-focus');",
    )
    .await?;
    let button = on_page(&visitor, ".hover-me").await?;
    let hover = fantoccini::actions::MouseActions::new("mouse".into()).then(
        fantoccini::actions::PointerAction::MoveToElement {
            element: button,
            duration: None,
            x: 0.0,
            y: 0.0,
        },
    );
    visitor.perform_actions(hover).await?;
    mirror_true(&console, "the hover", "const b = doc.querySelector('.hover-me'); return b.classList.contains('tdm-hover') && doc.defaultView.getComputedStyle(b).color === 'rgb(255, 255, 255)';").await?;
    // Typing inside the same-origin frame.
    visitor
        .execute("const i = document.getElementById('simulator').contentDocument.getElementById('spend'); i.value = '250'; i.dispatchEvent(new Event('input', { bubbles: true }));", vec![])
        .await?;
    mirror_true(&console, "the frame's field", "return doc.querySelector('iframe').contentDocument.getElementById('spend').value === '250';").await?;

    // The visitor's scroll and pointer show in the console.
    visitor.execute("window.scrollTo(0, 600)", vec![]).await?;
    mirror_true(
        &console,
        "the scroll",
        "return Math.abs(doc.defaultView.scrollY - 600) < 2;",
    )
    .await?;
    on_page(&console, ".visitor-pointer").await?;

    // A burst of 2,000 new rows reaches the mirror.
    visitor.execute("addRows(2000)", vec![]).await?;
    let rows_in_mirror = "return doc.querySelectorAll('#grid tbody tr').length;";
    let caught_up = wait_for_within("the new rows", BULK_TIMEOUT, || async {
        Ok((mirror_json(&console, rows_in_mirror).await?.as_u64() == Some(2850)).then_some(()))
    })
    .await;
    if let Err(error) = caught_up {
        let rows = mirror_json(&console, rows_in_mirror).await?;
        anyhow::bail!("{error}: the mirror has {rows} of 2850 rows");
    }

    // A late joiner: the console reloads and gets the whole page, not an empty mirror.
    console.refresh().await?;
    on_page(&console, ".chat-link").await?.click().await?;
    wait_for_text("the mirror after a reload", "Tableau des garanties", || {
        mirror_text(&console)
    })
    .await?;
    mirror_true(&console, "the whole page after a reload", "return doc.querySelectorAll('#grid tbody tr').length === 2850 && doc.querySelector('#question').value === 'Combien pour des lunettes ?';").await?;
    Ok(())
}

#[tokio::test]
async fn a_private_by_default_page_shows_only_what_the_site_marks_public() -> anyhow::Result<()> {
    // Every part is bound so that it lives to the end of the test.
    let Scene {
        relay,
        site,
        console,
        visitor,
        browser: _browser,
    } = Scene::start().await?;
    // The member area, after a search: a private field's value is in the address.
    visitor
        .goto(&site.url("espace.html?ref=DOSSIER-SECRET-42&topic=remboursement"))
        .await?;
    click_in_widget(&visitor, "[data-tandem-launcher]").await?;
    type_in_widget(&visitor, "#tandem-name", "Hugo Blanc").await?;
    type_in_widget(&visitor, "#tandem-email", "hugo@example.com").await?;
    type_in_widget(&visitor, "#tandem-reason", "Mon dossier").await?;
    click_in_widget(&visitor, "button[type=submit]").await?;
    wait_for_text("the console", "Mon dossier", || {
        page_text(&console, ".chat-pane")
    })
    .await?;
    ask_to_share(&console).await?;
    click_in_widget(&visitor, "[data-cobrowse-accept]").await?;
    wait_for_text("the mirror", "Mon espace adhérent", || {
        mirror_text(&console)
    })
    .await?;

    let mirror = mirror_text(&console).await?;
    assert!(
        mirror.contains("ne voit que les parties publiques"),
        "public text shows: {mirror}"
    );
    for hidden in ["HZ-99812", "12 rue des Lilas", "Mes informations"] {
        assert!(
            !mirror.contains(hidden),
            "{hidden} is not marked public: {mirror}"
        );
    }
    on_page(&visitor, "#topic")
        .await?
        .send_keys(" dentaire")
        .await?;
    on_page(&visitor, "#ref").await?.send_keys("-BIS").await?;
    wait_for("the public field's value in the mirror", || async {
        Ok((mirror_value(&console, "#topic").await? == "remboursement dentaire").then_some(()))
    })
    .await?;
    let html = in_mirror(
        &console,
        "return doc.documentElement.outerHTML + doc.querySelector('#ref').value;",
        vec![],
    )
    .await?;
    assert!(!html.to_string().contains("DOSSIER-SECRET-42"), "{html}");
    // The visitor's own field holds the reference: only the adviser's copy lacks it.
    let real = visitor
        .execute("return document.getElementById('ref').value;", vec![])
        .await?;
    assert_eq!(real.as_str(), Some("DOSSIER-SECRET-42-BIS"));

    // The address recorded for the page has the private parameter removed.
    let token = relay.api_token().await?;
    let sessions = relay.get_json("/api/v1/sessions", &token).await?;
    let id = sessions["sessions"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let record = relay
        .get_json(&format!("/api/v1/sessions/{id}"), &token)
        .await?;
    let url = record["cobrowse"][0]["pages"][0]["url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(url.contains("topic=remboursement"), "{url}");
    assert!(!url.contains("DOSSIER-SECRET-42"), "{url}");
    let requested_from = record["page_url"].as_str().unwrap_or_default();
    assert!(
        !requested_from.contains("DOSSIER-SECRET-42"),
        "the chat request's page: {requested_from}"
    );
    Ok(())
}

/// Where the console's parts are on the adviser's screen, read in the console.
const LAYOUT: &str = r#"
const box = (el) => { if (!el) return null; const b = el.getBoundingClientRect();
  return [Math.round(b.left), Math.round(b.top), Math.round(b.right), Math.round(b.bottom)]; };
const msgs = document.querySelectorAll('.chat-pane .messages > li');
return { scroll_width: document.documentElement.scrollWidth, scroll_height: document.documentElement.scrollHeight,
  width: innerWidth, height: innerHeight,
  stage: box(document.querySelector('.mirror-stage')),
  mirror: box(document.querySelector('iframe.mirror')),
  last: box(msgs[msgs.length - 1]), draft: box(document.querySelector('#draft')),
  brand: box(document.querySelector('.top .brand')), sign_out: box(document.querySelector('.top .link')) };
"#;

#[tokio::test]
async fn the_console_fits_the_screen_while_co_browsing() -> anyhow::Result<()> {
    let Scene {
        relay: _relay,
        site,
        console,
        visitor,
        browser: _browser,
    } = Scene::start().await?;
    chat_on_the_form(&visitor, &console, &site).await?;
    start_sharing(&visitor, &console, "Demande d'adhésion").await?;
    for (width, height) in [(1280, 800), (1400, 1000), (1920, 1080)] {
        console.set_window_size(width, height).await?;
        // Read once the layout settled: the mirror scaled to its pane.
        let layout = wait_for(&format!("the console at {width}×{height}"), || async {
            let layout = console.execute(LAYOUT, vec![]).await?;
            let number = |v: &serde_json::Value| v.as_f64().unwrap_or(f64::MAX);
            let corner = |name: &str, i: usize| number(&layout[name][i]);
            let (w, h) = (number(&layout["width"]), number(&layout["height"]));
            let fits = number(&layout["scroll_width"]) <= w
                && corner("stage", 2) <= w
                && corner("mirror", 2) <= corner("stage", 2) + 1.0
                && corner("stage", 3) <= h
                && corner("last", 3) <= h
                && corner("last", 1) >= 0.0
                && corner("draft", 3) <= h
                && corner("sign_out", 1) <= corner("brand", 3);
            Ok(fits.then_some(layout))
        })
        .await;
        if let Err(error) = layout {
            if let Ok(dir) = std::env::var("TANDEM_SCREENSHOTS") {
                let png = console.screenshot().await?;
                std::fs::write(format!("{dir}/console-{width}x{height}.png"), png)?;
            }
            let seen = console.execute(LAYOUT, vec![]).await?;
            anyhow::bail!("{error:#}: at {width}×{height} the console was laid out as {seen}");
        }
    }
    Ok(())
}

/// Tried: stopping the share while the page changes, then the next page of the site; the page
/// at the start is counted as the console receives it.
#[tokio::test]
async fn a_session_sends_the_page_once_and_leaves_no_error_on_the_site() -> anyhow::Result<()> {
    let Scene {
        relay,
        console,
        visitor,
        browser: _browser,
        ..
    } = Scene::start().await?;
    let site = DemoSite::serve_dir(&relay.url(""), "tests/fixtures/host-errors").await?;
    share_page(&visitor, &console, &site.url("page.html"), "Mon espace").await?;
    // Past the console's grace for a snapshot that never came: it would have asked by now.
    tokio::time::sleep(std::time::Duration::from_millis(3_500)).await;
    let snapshots = console
        .execute("return window.__tandemMirror.snapshots;", vec![])
        .await?;
    assert_eq!(snapshots.as_u64(), Some(1), "one snapshot per start");
    // The page's refresh is not the mirror's; a blank canvas stays see-through.
    mirror_true(
        &console,
        "no meta refresh",
        "return !doc.querySelector('meta[http-equiv]');",
    )
    .await?;
    mirror_true(
        &console,
        "the blank canvas loaded",
        "const img = doc.querySelector('#blank'); return !!(img && img.complete && img.naturalWidth > 0);",
    )
    .await?;
    let alpha = mirror_json(
        &console,
        "const img = doc.querySelector('#blank'); const c = document.createElement('canvas'); \
         c.width = 20; c.height = 8; const g = c.getContext('2d'); g.drawImage(img, 0, 0, 20, 8); \
         return g.getImageData(10, 4, 1, 1).data[3];",
    )
    .await?;
    assert_eq!(
        alpha.as_u64(),
        Some(0),
        "a blank canvas is not a black block"
    );
    // Reading it gave the page's canvas no context: the site can still pick its own.
    let own_context = visitor
        .execute(
            "return !!document.querySelector('#blank').getContext('bitmaprenderer');",
            vec![],
        )
        .await?;
    assert_eq!(
        own_context,
        serde_json::json!(true),
        "the site's canvas is untouched"
    );

    // The visitor types (changes are on their way) and stops sharing.
    on_page(&visitor, "#city").await?.send_keys("Lyon").await?;
    click_in_widget(&visitor, "[data-cobrowse-stop]").await?;
    wait_for_no_sharing_bar(&visitor).await?;
    on_page(&visitor, "#name")
        .await?
        .send_keys("Jeanne")
        .await?;
    // The next page of the site, with the chat still open.
    visitor.goto(&site.url("next.html")).await?;
    in_widget(&visitor, "#tandem-draft").await?;
    on_page(&visitor, "a").await?.click().await?;
    in_widget(&visitor, "#tandem-draft").await?;
    let errors = host_errors(&visitor).await?;
    assert!(errors.is_empty(), "the site's pages saw: {errors:#?}");
    Ok(())
}

/// Tried: step 2 of the application form, radio buttons and a checkbox («J'ajoute mes
/// enfants») styled by the site as wide as the form. The checkbox stays a checkbox in the
/// mirror, where it sits on the visitor's screen, and both follow the visitor's ticks.
#[tokio::test]
async fn ticks_and_choices_show_as_the_visitor_sees_them() -> anyhow::Result<()> {
    let scene = Scene::start().await?;
    let (console, visitor) = (&scene.console, &scene.visitor);
    share_page(
        visitor,
        console,
        &scene.site.url("apply.html"),
        "Demande d'adhésion",
    )
    .await?;
    tandem_tests::browser::press(visitor, "fieldset[data-step='1'] [data-next='2']").await?;
    tandem_tests::browser::press(visitor, "input[name=dependants]").await?;
    tandem_tests::browser::press(visitor, "input[value=serenite]").await?;
    mirror_true(
        console,
        "the visitor's ticks in the mirror",
        "const box = doc.querySelector('input[name=dependants]'); \
         return box.type === 'checkbox' && box.checked \
           && doc.querySelector('input[value=serenite]').checked \
           && !doc.querySelector('input[value=equilibre]').checked;",
    )
    .await?;
    // Where it is on the page (not in the window: each side may be scrolled differently).
    let place = "const d = typeof doc === 'undefined' ? document : doc; \
                 const r = d.querySelector('input[name=dependants]').getBoundingClientRect(); \
                 const w = d.defaultView; \
                 return [r.x + w.scrollX, r.y + w.scrollY, r.width, r.height].map(Math.round);";
    let on_page = visitor.execute(place, vec![]).await?;
    let in_mirror = mirror_json(console, place).await?;
    assert_eq!(on_page, in_mirror, "the checkbox's box, page and mirror");
    tandem_tests::browser::press(visitor, "input[name=dependants]").await?;
    mirror_true(
        console,
        "the checkbox unticked in the mirror",
        "return !doc.querySelector('input[name=dependants]').checked;",
    )
    .await?;
    Ok(())
}
