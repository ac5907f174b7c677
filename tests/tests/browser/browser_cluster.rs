//! People in real browsers, served by several nodes: the visitor's widget talks to one node,
//! the adviser's console to another, and the node that leads is killed mid-chat (SIGKILL).
//! The widget and the console reconnect by themselves and the chat goes on, nothing lost; the
//! adviser, available before, is still available after (the next visitor is hers).

use tandem_shared::{EventKind, ServerMsg};
use tandem_tests::browser::{
    ask_for_a_chat, console_log_in, in_widget, on_page, page_text, wait_for_text, widget_text,
    Browser,
};
use tandem_tests::clients::chat_request;
use tandem_tests::demo::DemoSite;
use tandem_tests::nodes::{visitor_on, ThreeNodes};
use tandem_tests::Endpoint;

const ENTER: &str = "\u{E007}";

#[tokio::test]
async fn browser_chat_through_two_nodes_survives_the_leading_node_dying() -> anyhow::Result<()> {
    let wasm = tandem_tests::workspace_root().join("dist/widget/widget_bg.wasm");
    assert!(
        wasm.exists(),
        "the widget is not built: run scripts/build-widget.sh"
    );
    let mut nodes = ThreeNodes::start().await?;
    let site = DemoSite::serve(&nodes.node(1).url("")).await?;
    let mut browser = Browser::start().await?;
    let console = browser.session(1280, 900).await?;
    let visitor = browser.session(1100, 900).await?;
    console_log_in(&console, &nodes.node(2).url(""), "lea").await?;

    ask_for_a_chat(
        &visitor,
        &site.url("index.html"),
        "Ana Lima",
        "ana@example.com",
        "Je voudrais changer de formule",
    )
    .await?;
    wait_for_text("the console", "Je voudrais changer de formule", || {
        page_text(&console, ".chat-pane")
    })
    .await?;
    let draft = in_widget(&visitor, "#tandem-draft").await?;
    draft.send_keys("Bonjour depuis le nœud B").await?;
    draft.send_keys(ENTER).await?;
    wait_for_text("the console", "Bonjour depuis le nœud B", || {
        page_text(&console, ".messages")
    })
    .await?;

    // The leading node dies; another takes over and both browsers reconnect by themselves.
    if let Some(mut leader) = nodes.nodes[0].take() {
        leader.kill_hard()?;
    }
    nodes.leader().await?;
    let draft = in_widget(&visitor, "#tandem-draft").await?;
    draft.send_keys("Toujours là après la panne ?").await?;
    draft.send_keys(ENTER).await?;
    wait_for_text(
        "the console, after the failover",
        "Toujours là après la panne ?",
        || page_text(&console, ".messages"),
    )
    .await?;
    on_page(&console, "#draft")
        .await?
        .send_keys("Oui, la conversation continue")
        .await?;
    on_page(&console, ".send").await?.click().await?;
    let seen = wait_for_text("the widget", "Oui, la conversation continue", || {
        widget_text(&visitor)
    })
    .await?;
    assert_eq!(
        seen.matches("Toujours là après la panne ?").count(),
        1,
        "the message sent across the failover is shown once: {seen}"
    );

    // Léa was available before the failover and still is: the next visitor is hers at once.
    let mut next = visitor_on(nodes.node(1), None, 0).await?;
    next.start_chat(chat_request(
        "Bruno Ortega",
        "bo@example.com",
        "Une autre question",
    ))
    .await?;
    next.recv_until("Léa joining", |f| {
        matches!(f, ServerMsg::Event { event, .. } if matches!(event.kind, EventKind::AdviserJoined { .. }))
    })
    .await?;
    wait_for_text("the console's chats", "Bruno Ortega", || {
        page_text(&console, ".chats")
    })
    .await?;
    Ok(())
}
