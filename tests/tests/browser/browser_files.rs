//! Files in real browsers: the visitor picks a screenshot in the widget and the adviser sees
//! it in the console (and the visitor in the chat); a fake PDF picked in the widget is refused
//! by the relay and the visitor reads why.

use fantoccini::Client;
use tandem_tests::browser::{
    click_in_widget, in_widget, on_page, page_text, wait_for, wait_for_text, widget_text,
};
use tandem_tests::scene::Scene;

/// True once an `<img class=shot>` in `root_js` (an expression giving a node to search) has
/// loaded a real picture.
async fn picture_loaded(client: &Client, root_js: &str) -> anyhow::Result<bool> {
    let loaded = client
        .execute(
            &format!(
                "const root = {root_js}; const img = root && root.querySelector('img.shot');
                 return !!img && img.complete && img.naturalWidth === 48;"
            ),
            vec![],
        )
        .await?;
    Ok(loaded.as_bool().unwrap_or(false))
}

#[tokio::test]
async fn a_visitor_sends_a_screenshot_and_the_adviser_sees_it() -> anyhow::Result<()> {
    let Scene {
        relay: _relay,
        site,
        console,
        visitor,
        browser: _browser,
    } = Scene::start().await?;
    visitor.goto(&site.url("index.html")).await?;
    click_in_widget(&visitor, "[data-tandem-launcher]").await?;
    in_widget(&visitor, "#tandem-name")
        .await?
        .send_keys("Inès Garnier")
        .await?;
    in_widget(&visitor, "#tandem-email")
        .await?
        .send_keys("ines@example.com")
        .await?;
    in_widget(&visitor, "#tandem-reason")
        .await?
        .send_keys("Un message d'erreur")
        .await?;
    click_in_widget(&visitor, "button[type=submit]").await?;
    wait_for_text("the chat in the console", "Un message d'erreur", || {
        page_text(&console, ".chat-pane")
    })
    .await?;

    // The attach buttons draw their own icon (not an emoji, an empty box without an emoji
    // font): a visible shape on both sides.
    for (side, icon) in [
        ("widget", in_widget(&visitor, ".attach svg").await?),
        ("console", on_page(&console, ".attach svg").await?),
    ] {
        let (_, _, width, height) = icon.rectangle().await?;
        assert!(
            width >= 12.0 && height >= 12.0,
            "{side} icon {width}×{height}"
        );
    }

    let fixtures = tandem_tests::workspace_root()
        .join("tests/fixtures")
        .canonicalize()?;
    let screenshot = fixtures.join("error-screenshot.png");
    in_widget(&visitor, "input[type=file]")
        .await?
        .send_keys(&screenshot.to_string_lossy())
        .await?;
    wait_for("the picture in the console", || async {
        Ok(
            picture_loaded(&console, "document.querySelector('.chat-pane')")
                .await?
                .then_some(()),
        )
    })
    .await?;
    wait_for("the picture in the widget", || async {
        Ok(picture_loaded(
            &visitor,
            "document.querySelector('[data-tandem]').shadowRoot",
        )
        .await?
        .then_some(()))
    })
    .await?;

    // A page disguised as a PDF: the browser calls it a PDF, the relay reads its content.
    in_widget(&visitor, "input[type=file]")
        .await?
        .send_keys(&fixtures.join("not-really.pdf").to_string_lossy())
        .await?;
    wait_for_text("the refusal", "Seules les images", || widget_text(&visitor)).await?;
    let shown = console
        .execute(
            "return document.querySelectorAll('.chat-pane .file').length;",
            vec![],
        )
        .await?;
    assert_eq!(
        shown.as_u64(),
        Some(1),
        "only the picture reached the console"
    );
    Ok(())
}
