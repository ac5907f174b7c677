//! A frame of the visitor's page that arrives in slices: its element in one change, what is
//! inside it in the next changes of the same batch (a large page is read over several
//! animation frames, and a busy connection delivers several slices at once). Sent straight
//! over the visitor socket, so the batch is exactly this one.

use tandem_shared::cobrowse::{PageChange, PageChanges, PageNode, PageSnapshot, Viewport};
use tandem_shared::VisitorMsg;
use tandem_tests::browser::{mirror_text, mirror_true, wait_for_text};
use tandem_tests::crafted::{answer_with, element, text, CraftedSession};
use tandem_tests::recorder::Recorder;

/// The page without its frame.
fn snapshot(site: &str) -> VisitorMsg {
    let body = element(
        3,
        "body",
        &[],
        vec![element(4, "h1", &[], vec![text(5, "Simulateur")])],
    );
    VisitorMsg::CobrowseSnapshot {
        snapshot: Box::new(PageSnapshot {
            url: format!("{site}/simulateur"),
            title: "Simulateur".into(),
            viewport: Viewport { w: 1024, h: 700 },
            scroll_x: 0,
            scroll_y: 0,
            mode: Default::default(),
            too_large: None,
            root: element(1, "html", &[], vec![element(2, "head", &[], vec![]), body]),
        }),
    }
}

/// One batch: the frame with its document's `html` element alone, then that element's head
/// and body.
fn frame_in_slices() -> VisitorMsg {
    let add = |parent: u32, node: PageNode| PageChange::Add {
        parent,
        before: None,
        shadow: false,
        node,
    };
    VisitorMsg::CobrowseChanges {
        changes: PageChanges {
            changes: vec![
                add(
                    3,
                    element(10, "iframe", &[], vec![element(11, "html", &[], vec![])]),
                ),
                add(11, element(12, "head", &[], vec![])),
                add(
                    11,
                    element(
                        13,
                        "body",
                        &[],
                        vec![element(14, "p", &[], vec![text(15, "Dépense 100 €")])],
                    ),
                ),
            ],
            at_ms: 0,
        },
    }
}

#[tokio::test]
async fn a_frame_sent_in_slices_shows_its_whole_document() -> anyhow::Result<()> {
    let site = Recorder::start().await?;
    let session = CraftedSession::start(&site.origin, "Mon simulateur").await?;
    let console = &session.console;
    let responder = answer_with(
        session.visitor,
        vec![snapshot(&site.origin), frame_in_slices()],
    );
    wait_for_text("the mirror", "Simulateur", || mirror_text(console)).await?;
    mirror_true(
        console,
        "the frame's body in the mirror",
        "const f = doc.querySelector('iframe'); \
         return !!(f && f.contentDocument && f.contentDocument.body \
           && f.contentDocument.body.textContent.includes('Dépense 100 €'));",
    )
    .await?;
    responder.abort();
    Ok(())
}
