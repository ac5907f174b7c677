//! Code fetched only when it is needed: the widget's co-browsing module when a session starts
//! on the page (the chat's module comes with the launcher's click, its connection once the
//! form is drawn, the screens after the form while the visitor fills it in), the invitations' code on sites that have some, the
//! console's co-browsing mirror when the adviser first asks, its dashboard, contacts, sites
//! and articles when their page is first opened.

use fantoccini::Client;
use tandem_tests::browser::{
    accept_sharing, ask_for_a_chat, ask_to_share, chat_reaches_the_adviser, click_in_widget,
    count_in_widget, host_errors, in_widget, mirror_text, on_page, page_text, start_sharing,
    strings, wait_for, wait_for_no_sharing_bar, wait_for_text, widget_text,
};
use tandem_tests::demo::DemoSite;
use tandem_tests::devtools::block_urls;
use tandem_tests::scene::Scene;
use tandem_tests::Endpoint;

/// The name of the co-browsing module's file.
const COBROWSE_MODULE: &str = "split_cobrowse";

/// The name of the file of the chat's screens after the form.
const SCREENS_MODULE: &str = "split_screens";

/// The name of the file of the chat's connection (socket, frames read and written).
const ENGINE_MODULE: &str = "split_engine";

/// The Enter key, for WebDriver.
const ENTER: &str = "\u{E007}";

/// The addresses this page has fetched so far (its performance resource entries).
async fn fetched(page: &Client) -> anyhow::Result<Vec<String>> {
    strings(
        page,
        "return performance.getEntriesByType('resource').map(e => e.name);",
    )
    .await
}

/// Whether this page has fetched a file whose address contains `name`.
async fn has_fetched(page: &Client, name: &str) -> anyhow::Result<bool> {
    Ok(fetched(page).await?.iter().any(|file| file.contains(name)))
}

/// Tried: a chat (the form sent, the adviser has it) without co-browsing, then the adviser
/// asks to co-browse (the module comes with the invitation) and the visitor accepts, then the
/// visitor goes to another page of the site while the session runs.
#[tokio::test]
async fn co_browsing_code_is_fetched_only_when_the_adviser_invites() -> anyhow::Result<()> {
    let scene = Scene::start().await?;
    let (console, visitor) = (&scene.console, &scene.visitor);
    let reason = "Une question sur ma cotisation";
    let page = scene.site.url("apply.html");
    chat_reaches_the_adviser(visitor, console, &page, reason).await?;
    let files = fetched(visitor).await?;
    assert!(
        files.iter().any(|f| f.contains("widget_bg.wasm")),
        "the chat's module was fetched: {files:#?}"
    );
    assert!(
        !has_fetched(visitor, COBROWSE_MODULE).await?,
        "a chat without co-browsing fetches no co-browsing code: {files:#?}"
    );
    assert!(
        !files.iter().any(|f| f.contains("invit")),
        "a site without invitation rules fetches neither their code nor an offer: {files:#?}"
    );

    assert!(
        !has_fetched(console, "split_mirror").await?,
        "the console's desk comes without the mirror's code"
    );

    start_sharing(visitor, console, "Demande d'adhésion").await?;
    assert!(has_fetched(visitor, COBROWSE_MODULE).await?);
    assert!(
        has_fetched(console, "split_mirror").await?,
        "the mirror's code came with the first session"
    );

    // Another page of the site, the session still running: the module comes with it.
    visitor.goto(&scene.site.url("garanties.html")).await?;
    in_widget(visitor, "[data-cobrowse-bar]").await?;
    wait_for_text(
        "the new page in the mirror",
        "Tableau des garanties",
        || mirror_text(console),
    )
    .await?;
    assert!(has_fetched(visitor, COBROWSE_MODULE).await?);
    Ok(())
}

/// Tried: the co-browsing module cannot be fetched (its requests fail, as on a connection
/// that dropped) when the adviser's invitation arrives. The visitor is told, with "Try
/// again", and nothing of the page is shared; the site's error monitoring sees nothing. Once
/// the network is back, "Try again" shows the invitation and the session runs. Then the
/// module fails again on a page loaded inside the running session: the widget tries again,
/// then ends the session and says why, and the adviser sees it ended.
#[tokio::test]
async fn a_co_browsing_module_that_cannot_load_ends_the_session_and_says_so() -> anyhow::Result<()>
{
    let scene = Scene::start().await?;
    let (console, visitor) = (&scene.console, &scene.visitor);
    let site = DemoSite::serve_dir(&scene.relay.url(""), "tests/fixtures/host-errors").await?;
    let page = site.url("page.html");
    chat_reaches_the_adviser(visitor, console, &page, "Mon espace").await?;
    block_urls(visitor, &[&format!("*{COBROWSE_MODULE}*")]).await?;
    ask_to_share(console).await?;
    in_widget(visitor, "[data-cobrowse-layer-failed]").await?;
    wait_for_text("the visitor told", "n'a pas pu démarrer", || {
        widget_text(visitor)
    })
    .await?;
    let errors = host_errors(visitor).await?;
    assert!(errors.is_empty(), "the site's pages saw: {errors:#?}");
    let bars = count_in_widget(visitor, "[data-cobrowse-bar], [data-cobrowse-accept]").await?;
    assert_eq!(
        bars, 0,
        "neither a session nor an answer without the module"
    );

    block_urls(visitor, &[]).await?;
    click_in_widget(visitor, "[data-cobrowse-layer-failed] button").await?;
    accept_sharing(visitor, console, "Mon espace").await?;

    // A page loaded inside the session while the module cannot come.
    block_urls(visitor, &[&format!("*{COBROWSE_MODULE}*")]).await?;
    visitor.goto(&page).await?;
    in_widget(visitor, "[data-cobrowse-load-failed]").await?;
    wait_for_text("the visitor told", "n'a pas pu démarrer", || {
        widget_text(visitor)
    })
    .await?;
    wait_for_no_sharing_bar(visitor).await?;
    // The adviser can ask again: the session ended on the relay too.
    wait_for("the adviser free to ask again", || async {
        Ok(console
            .find(fantoccini::Locator::Css("[data-cobrowse-ask]"))
            .await
            .ok())
    })
    .await?;
    let errors = host_errors(visitor).await?;
    assert!(errors.is_empty(), "the site's pages saw: {errors:#?}");
    Ok(())
}

/// Tried: a visitor fills in the form and sends it while the module of the chat's later
/// screens cannot be fetched (its requests fail, as on a connection that dropped). The form
/// works without it and the request reaches the adviser; the panel says the conversation could
/// not be shown, and "Try again" shows it once the network is back. Then, on a fresh page, the
/// module comes while the visitor types, before the form is sent.
#[tokio::test]
async fn the_chat_screens_come_while_the_visitor_fills_the_form_in() -> anyhow::Result<()> {
    let scene = Scene::start().await?;
    let (console, visitor) = (&scene.console, &scene.visitor);
    block_urls(visitor, &[&format!("*{SCREENS_MODULE}*")]).await?;
    let reason = "Ma carte est bloquée";
    let page = scene.site.url("index.html");
    chat_reaches_the_adviser(visitor, console, &page, reason).await?;
    wait_for_text("the visitor told", "n'a pas pu être chargée", || {
        widget_text(visitor)
    })
    .await?;
    let errors = host_errors(visitor).await?;
    assert!(errors.is_empty(), "the site's pages saw: {errors:#?}");

    block_urls(visitor, &[]).await?;
    click_in_widget(visitor, "[data-page-failed] button").await?;
    let draft = in_widget(visitor, "#tandem-draft").await?;
    draft.send_keys("Bonjour, me voici").await?;
    draft.send_keys(ENTER).await?;
    wait_for_text("the console", "Bonjour, me voici", || {
        page_text(console, ".messages")
    })
    .await?;

    // Another visitor's first visit: the module comes as they fill the form in.
    visitor.delete_all_cookies().await?;
    visitor.goto(&page).await?;
    visitor
        .execute("localStorage.clear(); sessionStorage.clear();", vec![])
        .await?;
    visitor.goto(&page).await?;
    click_in_widget(visitor, "[data-tandem-launcher]").await?;
    tandem_tests::browser::type_in_widget(visitor, "#tandem-name", "Paul").await?;
    wait_for(
        "the screens' module fetched before the form is sent",
        || async { Ok(has_fetched(visitor, SCREENS_MODULE).await?.then_some(())) },
    )
    .await?;
    Ok(())
}

/// Tried: the chat's connection module cannot be fetched (the network dropped just after the
/// click). The form is drawn and usable all the same; the visitor fills it in and sends it;
/// the panel says the chat is offline and the request will leave once it is back. Once the network is back the module comes, the chat
/// connects, and the request sent meanwhile reaches the adviser: nothing is lost.
#[tokio::test]
async fn a_request_sent_before_the_connection_module_comes_is_not_lost() -> anyhow::Result<()> {
    let scene = Scene::start().await?;
    let (console, visitor) = (&scene.console, &scene.visitor);
    let page = scene.site.url("index.html");
    visitor.goto(&page).await?;
    in_widget(visitor, "[data-tandem-launcher]").await?;
    block_urls(visitor, &[&format!("*{ENGINE_MODULE}*")]).await?;
    let reason = "Envoyé hors connexion";
    ask_for_a_chat(
        visitor,
        &page,
        "Jeanne Martin",
        "jeanne@example.com",
        reason,
    )
    .await?;
    wait_for_text("the visitor told", "reconnexion en cours", || {
        widget_text(visitor)
    })
    .await?;
    wait_for_text(
        "the form",
        "Votre demande partira dès que la connexion sera rétablie",
        || widget_text(visitor),
    )
    .await?;
    let console_text = page_text(console, "body").await?;
    assert!(
        !console_text.contains(reason),
        "nothing could have reached the adviser yet: {console_text}"
    );
    let errors = host_errors(visitor).await?;
    assert!(errors.is_empty(), "the site's pages saw: {errors:#?}");

    block_urls(visitor, &[]).await?;
    wait_for_text("the console", reason, || page_text(console, ".chat-pane")).await?;
    let draft = in_widget(visitor, "#tandem-draft").await?;
    draft.send_keys("Me revoici").await?;
    draft.send_keys(ENTER).await?;
    wait_for_text("the console", "Me revoici", || {
        page_text(console, ".messages")
    })
    .await?;
    Ok(())
}

/// Tried: an adviser logs in and works at the desk, then opens the dashboard; then the
/// contacts page while its module cannot be fetched, then again once it can; then the canned
/// answers' page, where they save one.
#[tokio::test]
async fn the_console_fetches_a_pages_code_when_the_page_is_first_opened() -> anyhow::Result<()> {
    let scene = Scene::start().await?;
    let console = &scene.console;
    on_page(console, "[data-page='console.dashboard']").await?;
    let files = fetched(console).await?;
    assert!(
        files.iter().any(|f| f.contains("console_bg.wasm")),
        "the desk's module was fetched: {files:#?}"
    );
    assert!(
        !files.iter().any(|f| f.contains("split_")),
        "the desk fetches no page's module: {files:#?}"
    );

    on_page(console, "[data-page='console.dashboard']")
        .await?
        .click()
        .await?;
    on_page(console, "section.dashboard").await?;
    let files = fetched(console).await?;
    assert!(files.iter().any(|f| f.contains("split_dashboard")));
    assert!(!files.iter().any(|f| f.contains("split_contacts")));

    block_urls(console, &["*split_contacts*"]).await?;
    on_page(console, "[data-page='console.contacts']")
        .await?
        .click()
        .await?;
    on_page(console, "[data-page-failed]").await?;
    block_urls(console, &[]).await?;
    on_page(console, "[data-page-failed] button")
        .await?
        .click()
        .await?;
    on_page(console, "form.contact-search").await?;
    assert!(has_fetched(console, "split_contacts").await?);

    // The canned answers' page, an admin's: its module comes with it, and it works.
    assert!(!has_fetched(console, "split_canned").await?);
    on_page(console, "[data-page='console.canned']")
        .await?
        .click()
        .await?;
    on_page(console, "#canned-shortcut")
        .await?
        .send_keys("horaires")
        .await?;
    on_page(console, "#canned-body")
        .await?
        .send_keys("Nous répondons de 9 h à 18 h.")
        .await?;
    on_page(console, "section.canned button[type=submit]")
        .await?
        .click()
        .await?;
    wait_for_text(
        "the saved answer",
        "Nous répondons de 9 h à 18 h.",
        || page_text(console, ".canned-list"),
    )
    .await?;
    assert!(has_fetched(console, "split_canned").await?);
    Ok(())
}

/// Tried: a visitor on a slow connection (50 KB/s) clicks the launcher; the chat takes seconds
/// to download. The launcher answers and the panel's frame shows at once.
#[tokio::test]
async fn the_launcher_answers_at_once_while_the_chat_downloads() -> anyhow::Result<()> {
    let scene = Scene::start().await?;
    let visitor = &scene.visitor;
    visitor.goto(&scene.site.url("index.html")).await?;
    in_widget(visitor, "[data-tandem-launcher]").await?;
    tandem_tests::devtools::devtools(visitor, "Network.enable", serde_json::json!({})).await?;
    tandem_tests::devtools::devtools(
        visitor,
        "Network.emulateNetworkConditions",
        serde_json::json!({
            "offline": false,
            "latency": 100,
            "downloadThroughput": 50_000,
            "uploadThroughput": 50_000,
        }),
    )
    .await?;
    let answered = visitor
        .execute(
            "const root = document.querySelector('[data-tandem]').shadowRoot;
             const b = root.querySelector('[data-tandem-launcher]');
             b.click();
             const frame = root.querySelector('section[aria-busy=true]');
             const box = frame && frame.getBoundingClientRect();
             return [b.textContent, b.disabled, frame && frame.querySelector('h2').textContent,
                     box && box.height >= 300, frame && frame.querySelectorAll('i').length];",
            vec![],
        )
        .await?;
    assert_eq!(answered[0], "Discuter avec un conseiller …", "{answered}");
    assert_eq!(answered[1], true, "one click is enough: {answered}");
    // The panel's frame shows at once, with its title and a light skeleton.
    assert_eq!(answered[2], "Discuter avec un conseiller", "{answered}");
    assert_eq!(
        answered[3], true,
        "the frame has the panel's size: {answered}"
    );
    assert_eq!(answered[4], 3, "{answered}");
    in_widget(visitor, "#tandem-name").await?;
    // The chat's own panel took its place.
    let frames = count_in_widget(visitor, "section[aria-busy]").await?;
    assert_eq!(frames, 0, "the skeleton is gone once the chat is there");
    Ok(())
}

/// Tried: the page calls the widget's API the moment it says "ready", before the widget has
/// drawn its panel (it draws over a few short tasks): the calls wait and apply in order.
#[tokio::test]
async fn calls_made_as_the_widget_gets_ready_wait_for_its_panel() -> anyhow::Result<()> {
    let scene = Scene::start().await?;
    let visitor = &scene.visitor;
    visitor.goto(&scene.site.url("index.html")).await?;
    in_widget(visitor, "[data-tandem-launcher]").await?;
    visitor
        .execute(
            "Tandem.on('ready', function () {
               Tandem.setLocale('en');
               Tandem.identify({ name: 'Ann Lee', email: 'ann@example.com' });
               Tandem.close();
               Tandem.open();
             });
             Tandem.open();",
            vec![],
        )
        .await?;
    wait_for_text("the English form", "Start the chat", || {
        widget_text(visitor)
    })
    .await?;
    let name = in_widget(visitor, "#tandem-name")
        .await?
        .prop("value")
        .await?;
    assert_eq!(name.as_deref(), Some("Ann Lee"));
    Ok(())
}
