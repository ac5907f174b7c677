//! Pages made to be hard to mirror, shared by a visitor in Chromium and watched by an adviser
//! in the console: frames from other sites, pages without a doctype, very large pages, forms.

use tandem_tests::browser::{mirror_json, mirror_true, share_page};
use tandem_tests::demo::DemoSite;
use tandem_tests::recorder::Recorder;
use tandem_tests::scene::Scene;
use tandem_tests::Endpoint;

/// The usual stage, with the pages made for these tests served as the visitor's site.
async fn scene_on_test_pages() -> anyhow::Result<(Scene, DemoSite)> {
    let scene = Scene::start().await?;
    let site = DemoSite::serve_dir(&scene.relay.url(""), "tests/fixtures/pages").await?;
    Ok((scene, site))
}

/// Tried: a page embedding a video page of another origin whose address carries a token, and a
/// second such frame added while the adviser watches. The adviser sees a labelled box of each
/// frame's size; their browser fetches neither page and the token never reaches the console.
#[tokio::test]
async fn frames_from_other_sites_show_as_labelled_boxes_never_loaded() -> anyhow::Result<()> {
    let (scene, site) = scene_on_test_pages().await?;
    let (console, visitor) = (&scene.console, &scene.visitor);
    let other = Recorder::start().await?;
    let host = other.origin.trim_start_matches("http://").to_owned();
    let page = format!(
        "{}?embed={}/video.html%3Ftoken%3DSECRET-VIDEO",
        site.url("frames.html"),
        other.origin
    );
    share_page(visitor, console, &page, "Nos vidéos").await?;
    assert_eq!(other.count("/video.html"), 1, "the visitor's page loads it");
    let boxes = "return Array.from(doc.querySelectorAll('[data-tdm-frame]')).map(b => { \
                 const r = b.getBoundingClientRect(); \
                 return [b.getAttribute('data-tdm-frame'), Math.round(r.width), Math.round(r.height)]; });";
    mirror_true(
        console,
        "a box for the video",
        "return doc.querySelectorAll('[data-tdm-frame]').length === 1;",
    )
    .await?;
    let seen = mirror_json(console, boxes).await?;
    let first = &seen[0];
    assert!(
        first[0].as_str().is_some_and(|label| label.contains(&host)),
        "the box says where the frame comes from: {seen}"
    );
    assert_eq!(
        (first[1].as_i64(), first[2].as_i64()),
        (Some(320), Some(180)),
        "the box has the frame's size: {seen}"
    );

    // A map is embedded while the adviser watches.
    visitor
        .execute(
            "const f = document.createElement('iframe'); f.id = 'map'; \
             f.src = arguments[0] + '/map.html?token=SECRET-MAP'; f.width = '200'; f.height = '100'; \
             document.getElementById('slot').appendChild(f);",
            vec![serde_json::json!(other.origin)],
        )
        .await?;
    mirror_true(
        console,
        "a box for the map",
        "return doc.querySelectorAll('[data-tdm-frame]').length === 2;",
    )
    .await?;
    let seen = mirror_json(console, boxes).await?;
    assert!(
        seen[1][0]
            .as_str()
            .is_some_and(|label| label.contains(&host))
            && seen[1][1].as_i64() == Some(200)
            && seen[1][2].as_i64() == Some(100),
        "the map's box: {seen}"
    );
    let html = mirror_json(console, "return doc.documentElement.outerHTML;").await?;
    let html = html.as_str().unwrap_or_default();
    assert!(
        !html.contains("SECRET") && !html.contains("<iframe"),
        "no frame and no token in the mirror"
    );
    // Time for a fetch the adviser's browser would have made.
    tokio::time::sleep(std::time::Duration::from_millis(1_000)).await;
    assert_eq!(other.count("/video.html"), 1, "{:?}", other.seen());
    assert_eq!(other.count("/map.html"), 1, "{:?}", other.seen());
    Ok(())
}

/// The box of the element `css` as `[top, height]`, rounded, in the document `doc`.
const BOX: &str = "const el = doc.querySelector(arguments[0]); if (!el) return null; \
                   const r = el.getBoundingClientRect(); return [Math.round(r.top), Math.round(r.height)];";

async fn visitor_box(visitor: &fantoccini::Client, css: &str) -> anyhow::Result<serde_json::Value> {
    Ok(visitor
        .execute(
            &format!("const doc = document; {BOX}"),
            vec![serde_json::json!(css)],
        )
        .await?)
}

async fn mirror_box(console: &fantoccini::Client, css: &str) -> anyhow::Result<serde_json::Value> {
    tandem_tests::browser::in_mirror(console, BOX, vec![serde_json::json!(css)]).await
}

/// Tried: a page without a doctype (quirks mode: a 50% height fills half the window), then the
/// site's next page with an XHTML 1.0 Transitional doctype (almost standards: an image alone in
/// a table cell leaves no gap), in one session. The mirror is built in each page's mode, and
/// the boxes are where they are on the visitor's screen.
#[tokio::test]
async fn old_pages_are_mirrored_in_their_own_rendering_mode() -> anyhow::Result<()> {
    let (scene, site) = scene_on_test_pages().await?;
    let (console, visitor) = (&scene.console, &scene.visitor);
    share_page(visitor, console, &site.url("quirks.html"), "Ancienne page").await?;
    mirror_true(
        console,
        "the mirror in quirks mode",
        "return doc.compatMode === 'BackCompat';",
    )
    .await?;
    let seen = visitor_box(visitor, "#half").await?;
    assert!(
        seen[1].as_i64().unwrap_or_default() > 200,
        "quirks on the visitor's side: {seen}"
    );
    assert_eq!(
        mirror_box(console, "#half").await?,
        seen,
        "the half-window box"
    );

    // The next page of the site, in almost-standards mode.
    tandem_tests::browser::on_page(visitor, "a")
        .await?
        .click()
        .await?;
    tandem_tests::browser::wait_for_text("the next page mirrored", "Page de transition", || {
        tandem_tests::browser::mirror_text(console)
    })
    .await?;
    mirror_true(
        console,
        "the mirror in standards mode again",
        "return doc.compatMode === 'CSS1Compat' && !!doc.querySelector('#cell');",
    )
    .await?;
    let seen = visitor_box(visitor, "#cell").await?;
    assert_eq!(seen[1].as_i64(), Some(20), "no gap under the image: {seen}");
    assert_eq!(
        mirror_box(console, "#cell").await?,
        seen,
        "the image's cell"
    );
    // Still under the mirror's policy after the document was written again: an image of
    // another origin put into the mirror is not fetched.
    let other = Recorder::start().await?;
    tandem_tests::browser::in_mirror(
        console,
        "const img = doc.createElement('img'); img.src = arguments[0] + '/probe.gif'; \
         doc.body.appendChild(img); return true;",
        vec![serde_json::json!(other.origin)],
    )
    .await?;
    tokio::time::sleep(std::time::Duration::from_millis(1_000)).await;
    assert_eq!(other.count("/probe.gif"), 0, "the mirror's policy stays");
    Ok(())
}

/// Tried: a catalogue page of 32,000 lines (about 170 parts of snapshot, more than the relay
/// takes at once), then one of 80,000 lines (past what a mirror can show). The first arrives
/// whole; for the second both sides are told, instead of an adviser waiting for nothing.
#[tokio::test]
async fn large_pages_arrive_and_too_large_ones_are_told() -> anyhow::Result<()> {
    let (scene, site) = scene_on_test_pages().await?;
    let (console, visitor) = (&scene.console, &scene.visitor);
    let page = format!("{}?items=32000", site.url("large.html"));
    share_page(visitor, console, &page, "Catalogue complet").await?;
    tandem_tests::browser::wait_for_within(
        "every line in the mirror",
        std::time::Duration::from_secs(90),
        || async {
            let lines = mirror_json(
                console,
                "const items = doc.querySelectorAll('li'); \
                 return items.length === 32000 && items[31999].textContent.startsWith('Ligne 31999');",
            )
            .await?;
            Ok((lines.as_bool() == Some(true)).then_some(()))
        },
    )
    .await?;
    let bytes = visitor
        .execute(
            "return window.__tandemCobrowse ? window.__tandemCobrowse.snapshotBytes : null;",
            vec![],
        )
        .await?;
    println!("32,000-line page: snapshot of {bytes} bytes");

    // A page past what a mirror can show.
    let page = format!("{}?items=80000", site.url("large.html"));
    visitor.goto(&page).await?;
    tandem_tests::browser::wait_for_within(
        "the adviser told",
        std::time::Duration::from_secs(90),
        || async {
            let told = console
                .execute(
                    "const p = document.querySelector('[data-mirror-too-large]'); return p ? p.textContent : null;",
                    vec![],
                )
                .await?;
            Ok(told.as_str().map(str::to_owned))
        },
    )
    .await
    .map(|told| assert!(told.contains("80"), "the adviser is told the page's size: {told}"))?;
    let told = tandem_tests::browser::in_widget(visitor, "[data-cobrowse-too-large]").await?;
    assert!(!told.text().await?.is_empty(), "the visitor is told");
    Ok(())
}
