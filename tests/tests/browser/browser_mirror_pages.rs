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

/// Tried: a page embedding a video page of another origin whose address carries a token, a
/// second such frame and an image of that origin added while the adviser watches. The adviser
/// sees a labelled box of each frame's size and a box of the image's size; their browser
/// fetches none of them and the tokens never reach the console.
#[tokio::test]
async fn frames_and_images_from_other_sites_keep_their_box_never_loaded() -> anyhow::Result<()> {
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
    // A photo of another origin, sized by its attributes, as news and shop pages have.
    visitor
        .execute(
            "const img = new Image(); img.id = 'branch'; img.alt = 'Notre agence de Lyon'; \
             img.width = 240; img.height = 160; img.src = arguments[0] + '/branch.gif?token=SECRET-IMG'; \
             document.getElementById('slot').appendChild(img);",
            vec![serde_json::json!(other.origin)],
        )
        .await?;
    mirror_true(
        console,
        "the photo's box",
        "const img = doc.getElementById('branch'); if (!img) return false; \
         const r = img.getBoundingClientRect(); \
         return img.hasAttribute('data-tdm-offsite') && !img.hasAttribute('src') \
           && Math.round(r.width) === 240 && Math.round(r.height) === 160;",
    )
    .await?;
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
    assert_eq!(other.count("/branch.gif"), 1, "{:?}", other.seen());
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

/// Changes the catalogue in every animation frame for 150 frames, cycling through what busy
/// pages do: a line added at the end, one inserted in the middle, one removed, one retitled,
/// a late line moved early, an early one moved to the end, a class changed.
const CHANGE_EVERY_FRAME: &str = "window.__changedAt = []; let n = 0; \
    const list = document.getElementById('list'); \
    function step() { const items = list.children; const count = items.length; \
      switch (n % 7) { \
        case 0: { const li = document.createElement('li'); li.textContent = 'Ajout ' + n; list.appendChild(li); break; } \
        case 1: { const li = document.createElement('li'); li.textContent = 'Milieu ' + n; list.insertBefore(li, items[(count >> 1) + n]); break; } \
        case 2: items[count - 3 - n].remove(); break; \
        case 3: items[count - 10 - n].textContent = 'Retitrée ' + n; break; \
        case 4: list.insertBefore(items[count - 20 - n], items[100 + n]); break; \
        case 5: list.appendChild(items[5 + n]); break; \
        default: items[count - 30 - n].className = 'vue-' + n; } \
      window.__changedAt.push(performance.now()); \
      if (++n < 150) requestAnimationFrame(step); } \
    requestAnimationFrame(step);";

/// The lines of the catalogue, as one text (their words and classes, in order).
const LINES: &str = "return [...doc.querySelectorAll('#list > li')].map(li => li.className + ':' + li.textContent).join('\\n');";

/// Tried: a 20,000-line page read over several animation frames while it changes in every
/// frame (lines added at the end and in the middle, removed, retitled, moved both ways,
/// restyled). Once the changes stop, the mirror holds exactly the visitor's lines, in order.
#[tokio::test]
async fn a_page_changing_while_it_is_read_ends_identical_in_the_mirror() -> anyhow::Result<()> {
    let (scene, site) = scene_on_test_pages().await?;
    let (console, visitor) = (&scene.console, &scene.visitor);
    let page = format!("{}?items=20000", site.url("large.html"));
    tandem_tests::browser::ask_for_a_chat(
        visitor,
        &page,
        "Jeanne Martin",
        "jeanne@example.com",
        "Catalogue complet",
    )
    .await?;
    tandem_tests::browser::wait_for_text("the console", "Catalogue complet", || {
        tandem_tests::browser::page_text(console, ".chat-pane")
    })
    .await?;
    tandem_tests::browser::ask_to_share(console).await?;
    let accept = tandem_tests::browser::in_widget(visitor, "[data-cobrowse-accept]").await?;
    visitor.execute(CHANGE_EVERY_FRAME, vec![]).await?;
    accept.click().await?;
    let page_lines = |client: &fantoccini::Client| {
        let client = client.clone();
        async move {
            let lines = client
                .execute(&LINES.replace("doc.", "document."), vec![])
                .await?;
            anyhow::Ok(lines.as_str().unwrap_or_default().to_owned())
        }
    };
    let stats = tandem_tests::browser::wait_for_within(
        "the page read and the changes done",
        std::time::Duration::from_secs(90),
        || async {
            let stats = visitor
                .execute(
                    "const s = window.__tandemCobrowse; \
                     return s && window.__changedAt.length === 150 ? s : null;",
                    vec![],
                )
                .await?;
            Ok((!stats.is_null()).then_some(stats))
        },
    )
    .await?;
    // The changes really came while the page was being read.
    let started = stats["snapshotAt"].as_f64().unwrap_or(f64::NAN);
    let finished = started + stats["snapshotMs"].as_f64().unwrap_or(f64::NAN);
    let during = visitor
        .execute(
            "return window.__changedAt.filter(t => t > arguments[0] && t < arguments[1]).length;",
            vec![started.into(), finished.into()],
        )
        .await?;
    assert!(
        during.as_u64().unwrap_or(0) >= 3,
        "changes made while the page was read: {during} (read from {started} to {finished} ms)"
    );
    let expected = page_lines(visitor).await?;
    assert!(expected.contains("Milieu 148") && expected.contains("Retitrée"));
    let mirrored = tandem_tests::browser::wait_for_within(
        "the mirror to hold the visitor's lines",
        std::time::Duration::from_secs(60),
        || async {
            let mirrored = mirror_json(console, LINES).await?;
            let mirrored = mirrored.as_str().unwrap_or_default().to_owned();
            Ok((mirrored == expected).then_some(mirrored))
        },
    )
    .await;
    if mirrored.is_err() {
        let mirrored = mirror_json(console, LINES).await?;
        let mirrored = mirrored.as_str().unwrap_or_default();
        let first_difference = expected
            .lines()
            .zip(mirrored.lines())
            .position(|(a, b)| a != b);
        let around = |text: &str| {
            let from = first_difference.unwrap_or(0).saturating_sub(2);
            text.lines()
                .skip(from)
                .take(5)
                .map(|line| line.chars().take(40).collect::<String>())
                .collect::<Vec<_>>()
                .join(" | ")
        };
        anyhow::bail!(
            "the mirror differs: {} lines on the page, {} in the mirror, first difference at \
             line {:?}: page [{}], mirror [{}]",
            expected.lines().count(),
            mirrored.lines().count(),
            first_difference,
            around(&expected),
            around(mirrored)
        );
    }
    Ok(())
}
