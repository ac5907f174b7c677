//! A hostile page snapshot, sent straight over the visitor socket (no widget), shown in the
//! adviser's console in headless Chromium: the adviser's browser fetches nothing from any
//! origin but the visitor's site, and sends no `Referer`.

use tandem_shared::cobrowse::{PageSnapshot, Viewport};
use tandem_shared::{ErrorCode, VisitorMsg};
use tandem_tests::browser::{mirror_text, wait_for_text};
use tandem_tests::crafted::{answer_with, element, text, CraftedSession};
use tandem_tests::eventually;
use tandem_tests::recorder::Recorder;

/// A page on `site` whose every way of fetching points at `evil`, and one image of its own.
fn hostile_snapshot(site: &str, evil: &str) -> VisitorMsg {
    let e = |path: &str| format!("{evil}/{path}");
    let style = format!(
        "@import url({evil}/import.css); @import '{evil}/import2.css'; \
         body {{ background: url({evil}/css-bg.png); }} \
         p {{ background-image: \\75 rl({evil}/escaped.png); }} \
         h1 {{ background-image: image-set('{evil}/image-set.png' 1x); }} \
         @font-face {{ font-family: x; src: url({evil}/font.woff2); }} h1 {{ font-family: x; }}"
    );
    let head = element(
        2,
        "head",
        &[],
        vec![
            element(3, "base", &[("href", e("base/"))], vec![]),
            element(
                4,
                "meta",
                &[
                    ("http-equiv", "refresh".into()),
                    ("content", format!("0;url={evil}/refresh")),
                ],
                vec![],
            ),
            element(
                5,
                "link",
                &[
                    ("rel", "preload".into()),
                    ("as", "image".into()),
                    ("href", e("preload.png")),
                ],
                vec![],
            ),
            element(
                6,
                "link",
                &[("rel", "prefetch".into()), ("href", e("prefetch"))],
                vec![],
            ),
            element(
                7,
                "link",
                &[("rel", "stylesheet".into()), ("href", e("sheet.css"))],
                vec![],
            ),
            element(8, "style", &[], vec![text(9, &style)]),
        ],
    );
    let body = element(
        10,
        "body",
        &[("background", e("body-bg.png"))],
        vec![
            element(11, "h1", &[], vec![text(12, "Bonjour, page piégée")]),
            element(
                13,
                "p",
                &[("style", format!("background:url('{evil}/inline.png')"))],
                vec![text(14, "texte")],
            ),
            element(
                15,
                "img",
                &[
                    ("src", e("img.png")),
                    ("srcset", format!("{evil}/srcset.png 2x")),
                ],
                vec![],
            ),
            element(16, "img", &[("src", "relative.png".into())], vec![]),
            element(17, "object", &[("data", e("object"))], vec![]),
            element(18, "embed", &[("src", e("embed"))], vec![]),
            element(19, "video", &[("poster", e("poster.png"))], vec![]),
            element(20, "iframe", &[("src", e("frame.html"))], vec![]),
            element(
                21,
                "iframe",
                &[("srcdoc", format!("<img src='{evil}/srcdoc.png'>"))],
                vec![],
            ),
            element(
                22,
                "img",
                &[("src", e("onerror")), ("onerror", "this.src='x'".into())],
                vec![],
            ),
            element(
                23,
                "a",
                &[("href", e("link")), ("ping", e("ping"))],
                vec![text(24, "lien")],
            ),
            element(25, "img", &[("src", format!("{site}/own.gif"))], vec![]),
        ],
    );
    VisitorMsg::CobrowseSnapshot {
        snapshot: Box::new(PageSnapshot {
            url: format!("{site}/page"),
            title: "Piège".into(),
            viewport: Viewport { w: 1024, h: 700 },
            scroll_x: 0,
            scroll_y: 0,
            mode: Default::default(),
            too_large: None,
            root: element(1, "html", &[], vec![head, body]),
        }),
    }
}

#[tokio::test]
async fn browser_a_hostile_snapshot_makes_the_console_fetch_nothing_off_site() -> anyhow::Result<()>
{
    // Tried: a snapshot naming another origin in base, meta refresh, preload, prefetch, style
    // sheet, @import (url and string), CSS url() (also escaped), image-set, @font-face,
    // background attribute, inline style, img src/srcset, relative src (the relay's own
    // origin), object, embed, poster, iframe src and srcdoc, onerror, a ping.
    let site = Recorder::start().await?;
    let evil = Recorder::start().await?;
    let CraftedSession {
        relay: _relay,
        browser: _browser,
        console,
        mut visitor,
    } = CraftedSession::start(&site.origin, "Regardez ma page").await?;

    // The relay refuses a page that names an origin the site does not allow.
    visitor
        .send(&hostile_snapshot(&evil.origin, &evil.origin))
        .await?;
    visitor.expect_error(ErrorCode::InvalidInput).await?;

    // A page of the site itself, full of addresses elsewhere, is shown without them.
    let responder = answer_with(visitor, vec![hostile_snapshot(&site.origin, &evil.origin)]);
    wait_for_text("the mirror", "Bonjour, page piégée", || {
        mirror_text(&console)
    })
    .await?;
    eventually("the site's own image", || async {
        anyhow::ensure!(
            site.seen().iter().any(|s| s.starts_with("/own.gif")),
            "the site saw {:?}",
            site.seen()
        );
        Ok(())
    })
    .await?;
    // An absence: the hostile sub-resources would be fetched with the site's own image,
    // already seen; two more seconds leave room for anything slower.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    responder.abort();
    assert_eq!(
        evil.seen(),
        Vec::<String>::new(),
        "the attacker's server saw requests"
    );
    for request in site.seen() {
        assert!(
            !request.contains("referer="),
            "a Referer was sent: {request}"
        );
    }
    Ok(())
}
