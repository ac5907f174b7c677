//! A frame of the visitor's page that arrives in slices: its element in one change, what is
//! inside it in the next changes of the same batch (a large page is read over several
//! animation frames, and a busy connection delivers several slices at once). Sent straight
//! over the visitor socket, so the batch is exactly this one.

use tandem_shared::cobrowse::Viewport;
use tandem_shared::cobrowse::{ElementNode, PageChange, PageChanges, PageNode, PageSnapshot};
use tandem_shared::{ServerMsg, VisitorMsg};
use tandem_tests::browser::{
    console_log_in, mirror_text, mirror_true, on_page, page_text, wait_for_text, Browser,
};
use tandem_tests::clients::{accept_invitation, chat_request, fresh_hello, WsClient};
use tandem_tests::recorder::Recorder;
use tandem_tests::{Endpoint, TestRelay};

fn element(id: u32, tag: &str, children: Vec<PageNode>) -> PageNode {
    PageNode::Element(Box::new(ElementNode {
        id,
        tag: tag.into(),
        attrs: Vec::new(),
        children,
        shadow: None,
        svg: false,
        masked: false,
    }))
}

fn text(id: u32, text: &str) -> PageNode {
    PageNode::Text {
        id,
        text: text.into(),
    }
}

/// The page without its frame.
fn snapshot(site: &str) -> VisitorMsg {
    let body = element(
        3,
        "body",
        vec![element(4, "h1", vec![text(5, "Simulateur")])],
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
            root: element(1, "html", vec![element(2, "head", vec![]), body]),
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
                add(3, element(10, "iframe", vec![element(11, "html", vec![])])),
                add(11, element(12, "head", vec![])),
                add(
                    11,
                    element(
                        13,
                        "body",
                        vec![element(14, "p", vec![text(15, "Dépense 100 €")])],
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
    let site_origin = site.origin.clone();
    let relay = TestRelay::spawn_configured(|c| c.allowed_origins = vec![site_origin]).await?;
    relay.add_adviser("lea", "Léa Martin").await?;
    let mut browser = Browser::start().await?;
    let console = browser.session(1400, 1000).await?;
    console_log_in(&console, &relay.url(""), "lea").await?;

    let mut visitor = WsClient::open_from(&relay.ws_url("/ws/visitor"), &site.origin).await?;
    visitor.send(&fresh_hello()).await?;
    visitor
        .send(&VisitorMsg::StartChat {
            request: chat_request("Paul", "paul@example.com", "Mon simulateur"),
        })
        .await?;
    wait_for_text("the console", "Mon simulateur", || {
        page_text(&console, ".chat-pane")
    })
    .await?;
    on_page(&console, "[data-cobrowse-ask]")
        .await?
        .click()
        .await?;
    accept_invitation(&mut visitor).await?;
    // Each ask for a fresh page is answered as a widget would: the page, then the frame.
    let (page, frame) = (snapshot(&site.origin), frame_in_slices());
    let responder = tokio::spawn(async move {
        let _ = visitor.send(&page).await;
        let _ = visitor.send(&frame).await;
        loop {
            match visitor.recv().await {
                Ok(ServerMsg::CobrowseResync { .. }) => {
                    let _ = visitor.send(&page).await;
                    let _ = visitor.send(&frame).await;
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
    });
    wait_for_text("the mirror", "Simulateur", || mirror_text(&console)).await?;
    mirror_true(
        &console,
        "the frame's body in the mirror",
        "const f = doc.querySelector('iframe'); \
         return !!(f && f.contentDocument && f.contentDocument.body \
           && f.contentDocument.body.textContent.includes('Dépense 100 €'));",
    )
    .await?;
    responder.abort();
    Ok(())
}
