//! Takes the README's screenshots in headless Chromium, from a real relay and the demo site:
//! the visitor's pre-chat form, the visitor's conversation, the adviser's console with the
//! chat, and the console's Sites page. Written to `docs/screenshots/`.
//!
//! `bash scripts/build-widget.sh && cargo bench -p tandem-tests --bench screenshots`

use fantoccini::Client;
use tandem_tests::browser::{
    click_in_widget, in_widget, on_page, page_text, type_in_widget, wait_for_text, widget_text,
};
use tandem_tests::scene::Scene;

async fn save(client: &Client, name: &str) -> anyhow::Result<()> {
    let dir = tandem_tests::workspace_root().join("docs/screenshots");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(name);
    std::fs::write(&path, client.screenshot().await?)?;
    println!("wrote {}", path.display());
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let Scene {
        relay: _relay,
        site,
        console,
        visitor,
        browser: _browser,
    } = Scene::start().await?;

    visitor.goto(&site.url("apply.html")).await?;
    click_in_widget(&visitor, "[data-tandem-launcher]").await?;
    type_in_widget(&visitor, "#tandem-name", "Claire Moreau").await?;
    type_in_widget(&visitor, "#tandem-email", "claire.moreau@example.com").await?;
    type_in_widget(
        &visitor,
        "#tandem-reason",
        "Je bloque à l'étape 2 du formulaire d'adhésion",
    )
    .await?;
    save(&visitor, "widget-form.png").await?;

    click_in_widget(&visitor, "button[type=submit]").await?;
    wait_for_text("the chat in the console", "étape 2", || {
        page_text(&console, ".chat-pane")
    })
    .await?;
    let reply = on_page(&console, ".composer textarea").await?;
    reply
        .send_keys(
            "Bonjour Claire, je suis Léa. Je peux voir la page avec vous si vous le souhaitez.",
        )
        .await?;
    on_page(&console, ".composer .send").await?.click().await?;
    wait_for_text("the reply", "je suis Léa", || widget_text(&visitor)).await?;
    type_in_widget(&visitor, "#tandem-draft", "Oui, volontiers !\n").await?;
    wait_for_text("the answer in the console", "volontiers", || {
        page_text(&console, ".chat-pane")
    })
    .await?;
    in_widget(&visitor, "#tandem-draft").await?;
    save(&visitor, "widget-chat.png").await?;
    save(&console, "console-chat.png").await?;

    on_page(&console, "[data-page='console.sites']")
        .await?
        .click()
        .await?;
    on_page(&console, ".site-form").await?;
    save(&console, "console-sites.png").await?;
    Ok(())
}
