//! Co-browsing needs the visitor's consent: nothing of their page reaches the adviser before
//! they accept, and a refusal is told to the adviser.

use super::support::Bench;
use tandem_shared::cobrowse::{ElementNode, PageNode, PageSnapshot, Viewport};
use tandem_shared::{EventKind, ServerMsg};

fn snapshot() -> Box<PageSnapshot> {
    Box::new(PageSnapshot {
        url: "https://example.com/apply".into(),
        title: "Apply".into(),
        viewport: Viewport { w: 1024, h: 700 },
        scroll_x: 0,
        scroll_y: 0,
        mode: Default::default(),
        too_large: None,
        root: PageNode::Element(Box::new(ElementNode {
            id: 1,
            tag: "html".into(),
            attrs: Vec::new(),
            children: Vec::new(),
            shadow: None,
            svg: false,
            masked: false,
        })),
    })
}

#[tokio::test]
async fn the_page_reaches_the_adviser_only_after_the_visitor_accepts() -> anyhow::Result<()> {
    let bench = Bench::new().await?;
    let mut lea = bench.console("lea", 1).await?;
    lea.available(&bench, 1).await?;
    let mut ana = bench.visitor("Ana", "ana@example.com").await?;
    lea.next_assigned().await?;
    // Tried: a snapshot sent before any invitation.
    assert!(bench
        .hub
        .cobrowse_snapshot(&ana.id, snapshot())
        .await
        .is_err());
    bench.hub.cobrowse_request(&lea.id, &ana.id).await?;
    ana.client
        .next_where("the invitation", |m| {
            matches!(m, ServerMsg::CobrowseInvite { .. })
        })
        .await?;
    // Tried: a snapshot sent while the invitation is unanswered.
    assert!(bench
        .hub
        .cobrowse_snapshot(&ana.id, snapshot())
        .await
        .is_err());
    bench.hub.cobrowse_answer(&ana.id, true).await?;
    ana.client
        .next_where("the session started", |m| {
            matches!(m, ServerMsg::Event { event, .. } if event.kind == EventKind::CobrowseStarted)
        })
        .await?;
    bench.hub.cobrowse_snapshot(&ana.id, snapshot()).await?;
    lea.client
        .next_where("the page", |m| {
            matches!(m, ServerMsg::CobrowseSnapshot { .. })
        })
        .await?;
    Ok(())
}

#[tokio::test]
async fn a_declined_invitation_is_told_to_the_adviser_and_opens_nothing() -> anyhow::Result<()> {
    let bench = Bench::new().await?;
    let mut lea = bench.console("lea", 1).await?;
    lea.available(&bench, 1).await?;
    let ana = bench.visitor("Ana", "ana@example.com").await?;
    lea.next_assigned().await?;
    bench.hub.cobrowse_request(&lea.id, &ana.id).await?;
    bench.hub.cobrowse_answer(&ana.id, false).await?;
    lea.client
        .next_where("the refusal", |m| {
            matches!(m, ServerMsg::CobrowseDeclined { .. })
        })
        .await?;
    assert!(bench
        .hub
        .cobrowse_snapshot(&ana.id, snapshot())
        .await
        .is_err());
    // Tried: answering twice.
    assert!(bench.hub.cobrowse_answer(&ana.id, true).await.is_err());
    Ok(())
}
