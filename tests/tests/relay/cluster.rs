//! Several relay nodes joined by a real `nats-server`, on one real PostgreSQL database: three
//! `tandem-relay` processes on ephemeral ports, each started with `--store postgres://…
//! --cluster nats://…`. What is tried: a visitor on one node chatting with an adviser on
//! another (messages, typing, co-browsing, a file shared through a node that does not lead, a
//! site added on one node served by another); the queue seen alike from every node and two
//! advisers on two nodes taking the same visitor at the same instant; the leading node killed
//! with SIGKILL mid-chat with a message in flight, and stopped with SIGTERM; a node that does
//! not lead killed under a visitor; the NATS server killed and started again; `--cluster` on
//! an SQLite file. Nothing acknowledged is lost, nothing is stored twice.

use std::time::Duration;
use tandem_shared::cobrowse::Guidance;
use tandem_shared::model::VisitorConversation;
use tandem_shared::{AdviserMsg, ConversationId, ServerMsg, VisitorMsg};
use tandem_tests::clients::{
    chat_request, cobrowse_consented, page_snapshot, AdviserClient, VisitorClient,
};
use tandem_tests::nodes::{adviser_on, visitor_on, ThreeNodes};
use tandem_tests::Endpoint;

/// Léa, available on node `adviser_node`, chatting with the visitor Ana on node
/// `visitor_node`.
async fn chatting(
    nodes: &ThreeNodes,
    visitor_node: usize,
    adviser_node: usize,
) -> anyhow::Result<(AdviserClient, VisitorClient, VisitorConversation)> {
    let mut lea = adviser_on(nodes.node(adviser_node), "lea").await?;
    lea.set_presence(true, 2).await?;
    let mut visitor = visitor_on(nodes.node(visitor_node), None, 0).await?;
    let chat = visitor
        .start_chat(chat_request("Ana", "ana@example.com", "Refund"))
        .await?;
    lea.next_assigned().await?;
    Ok((lea, visitor, chat))
}

fn message_body(frame: &ServerMsg) -> Option<&str> {
    match frame {
        ServerMsg::Event { event, .. } => event.as_message().map(|(_, body)| body),
        _ => None,
    }
}

#[tokio::test]
async fn a_visitor_on_one_node_chats_with_an_adviser_on_another() -> anyhow::Result<()> {
    let nodes = ThreeNodes::start().await?;
    // Node 0 leads; the visitor is on node 1, Léa on node 2: both go through NATS.
    let mut lea = adviser_on(nodes.node(2), "lea").await?;
    lea.set_presence(true, 2).await?;
    let mut visitor = visitor_on(nodes.node(1), None, 0).await?;
    let chat = visitor
        .start_chat(chat_request(
            "Ana Lima",
            "ana@example.com",
            "Where is my refund?",
        ))
        .await?;
    let detail = lea.next_assigned().await?;
    assert_eq!(
        detail.id, chat.id,
        "Léa, on another node, is given the visitor"
    );
    assert_eq!(detail.reason, "Where is my refund?");

    let said = visitor.say("Hello from node 1").await?;
    let heard = lea
        .recv_until("the visitor's message", |f| {
            message_body(f) == Some("Hello from node 1")
        })
        .await?;
    assert!(
        matches!(&heard, ServerMsg::Event { event, .. } if event.seq == said.seq),
        "same number on both sides"
    );
    lea.send(&AdviserMsg::Typing {
        conversation_id: chat.id.clone(),
        active: true,
    })
    .await?;
    visitor
        .recv_until("Léa typing", |f| {
            matches!(f, ServerMsg::Typing { active: true, .. })
        })
        .await?;
    lea.say(&chat.id, "Answer from node 2").await?;
    visitor
        .recv_until("Léa's answer", |f| {
            message_body(f) == Some("Answer from node 2")
        })
        .await?;

    // Co-browsing across the nodes: consent, the page, the adviser's pointer.
    cobrowse_consented(&mut visitor, &mut lea, &chat.id).await?;
    visitor
        .send(&page_snapshot("https://shop.test/checkout"))
        .await?;
    let mirrored = lea
        .recv_until("the visitor's page", |f| {
            matches!(f, ServerMsg::CobrowseSnapshot { .. })
        })
        .await?;
    assert!(
        matches!(&mirrored, ServerMsg::CobrowseSnapshot { snapshot, .. } if snapshot.url == "https://shop.test/checkout")
    );
    lea.send(&AdviserMsg::CobrowseGuide {
        conversation_id: chat.id.clone(),
        guidance: Guidance::Pointer { x: 40, y: 80 },
    })
    .await?;
    visitor
        .recv_until("Léa's pointer", |f| {
            matches!(
                f,
                ServerMsg::CobrowseGuide {
                    guidance: Guidance::Pointer { x: 40, y: 80 },
                    ..
                }
            )
        })
        .await?;

    // A file shared through node 1, which does not lead: the leader announces it to both.
    let png =
        std::fs::read(tandem_tests::workspace_root().join("tests/fixtures/error-screenshot.png"))?;
    let upload = reqwest::Client::new()
        .post(nodes.node(1).url("/api/v1/visitor/files?name=capture.png"))
        .header("X-Tandem-Token", visitor.token()?)
        .body(png)
        .send()
        .await?;
    assert_eq!(upload.status().as_u16(), 201, "{}", upload.text().await?);
    lea.recv_until("the shared file", |f| {
        message_body(f) == Some("capture.png")
    })
    .await?;

    // A site added through node 1 is served by node 2 at once (nodes keep sites in memory).
    let token = nodes.api_token()?;
    let site = serde_json::json!({
        "key": "brico",
        "name": "Brico",
        "origins": ["https://brico.example/"],
        "appearance": { "color": "#15803D", "position": "left" }
    });
    let saved = reqwest::Client::new()
        .put(nodes.node(1).url("/api/v1/sites/brico"))
        .bearer_auth(&token)
        .json(&site)
        .send()
        .await?;
    assert_eq!(saved.status().as_u16(), 200, "{}", saved.text().await?);
    tandem_tests::eventually("another node serving the new site", || async {
        let served = reqwest::get(nodes.node(2).url("/api/v1/sites/brico/appearance"))
            .await?
            .status()
            .as_u16();
        anyhow::ensure!(served == 200, "node 2 answers {served}");
        Ok(())
    })
    .await?;

    for node in 0..3 {
        assert_eq!(
            nodes
                .node(node)
                .transcript_messages(&token, chat.id.as_str())
                .await?,
            ["Hello from node 1", "Answer from node 2", "capture.png"],
            "every node serves the same CRM record"
        );
    }
    Ok(())
}

#[tokio::test]
async fn the_queue_is_global_and_a_visitor_taken_at_once_on_two_nodes_goes_to_one(
) -> anyhow::Result<()> {
    let nodes = ThreeNodes::start().await?;
    // Léa on node 1, Tom on node 2, both away: visitors wait until taken by hand.
    let mut lea = adviser_on(nodes.node(1), "lea").await?;
    let mut tom = adviser_on(nodes.node(2), "tom").await?;
    let mut waiting = Vec::new();
    for index in 0..6 {
        let mut visitor = visitor_on(nodes.node(index % 3), None, 0).await?;
        let chat = visitor
            .start_chat(chat_request(
                &format!("Visitor {index}"),
                "v@example.com",
                "Question",
            ))
            .await?;
        waiting.push((visitor, chat.id));
    }
    let ids: Vec<ConversationId> = waiting.iter().map(|(_, id)| id.clone()).collect();
    for console in [&mut lea, &mut tom] {
        let queue = console
            .recv_until(
                "the whole queue",
                |f| matches!(f, ServerMsg::Queue { entries } if entries.len() == ids.len()),
            )
            .await?;
        let ServerMsg::Queue { entries } = queue else {
            unreachable!()
        };
        let seen: Vec<ConversationId> = entries.into_iter().map(|e| e.conversation_id).collect();
        assert_eq!(
            seen, ids,
            "every console sees every visitor, in order of arrival"
        );
    }

    // Each visitor is taken by both at the same instant: exactly one gets them.
    let mut taken = [0usize; 2];
    for id in &ids {
        let take = AdviserMsg::Take {
            conversation_id: id.clone(),
        };
        let (a, b) = tokio::join!(lea.send(&take), tom.send(&take));
        a?;
        b?;
        let mut winners = 0;
        for (index, console) in [&mut lea, &mut tom].into_iter().enumerate() {
            let answer = console
                .recv_until("assigned or refused", |f| {
                    matches!(f, ServerMsg::Assigned { conversation } if &conversation.id == id)
                        || matches!(f, ServerMsg::Error { .. })
                })
                .await?;
            if matches!(answer, ServerMsg::Assigned { .. }) {
                winners += 1;
                taken[index] += 1;
            }
        }
        assert_eq!(
            winners, 1,
            "conversation {id} is given to exactly one adviser"
        );
    }
    assert_eq!(taken[0] + taken[1], ids.len());
    for (visitor, _) in &mut waiting {
        visitor
            .recv_until("an adviser joined", |f| {
                matches!(f, ServerMsg::Event { event, .. } if matches!(event.kind, tandem_shared::EventKind::AdviserJoined { .. }))
            })
            .await?;
    }
    Ok(())
}

#[tokio::test]
async fn the_leading_node_killed_mid_chat_another_takes_over_and_nothing_is_lost(
) -> anyhow::Result<()> {
    let mut nodes = ThreeNodes::start().await?;
    let (mut lea, mut visitor, chat) = chatting(&nodes, 1, 2).await?;
    visitor.say("before the crash").await?;
    lea.say(&chat.id, "answer before the crash").await?;
    let seen = visitor
        .recv_until("the answer", |f| {
            message_body(f) == Some("answer before the crash")
        })
        .await?;
    let ServerMsg::Event { event: seen, .. } = seen else {
        unreachable!()
    };

    // A message in flight when the leading node dies: sent, never acknowledged.
    let in_flight = VisitorMsg::Send {
        client_msg_id: "in-flight-1".into(),
        body: "sent during the crash".into(),
    };
    visitor.send(&in_flight).await?;
    let leader = nodes.leader().await?;
    assert_eq!(leader, 0);
    if let Some(mut node) = nodes.nodes[0].take() {
        node.kill_hard()?;
    }

    // Both clients are asked to reconnect (1012); another node takes the lead.
    let close = visitor.recv_close().await?;
    assert_eq!(
        close.map(|c| u16::from(c.code)),
        Some(1012),
        "the visitor is told to reconnect"
    );
    let new_leader = nodes.leader().await?;
    assert_ne!(new_leader, 0, "another node leads");

    // The widget resumes from what it holds and resends what was not confirmed.
    let mut visitor = visitor_on(nodes.node(1), Some(&visitor.token()?), seen.seq).await?;
    visitor.send(&in_flight).await?;
    visitor
        .recv_until("the in-flight message, stored", |f| {
            message_body(f) == Some("sent during the crash")
        })
        .await?;
    let mut lea = adviser_on(nodes.node(2), "lea").await?;
    let detail = lea.next_assigned().await?;
    assert_eq!(detail.id, chat.id, "Léa gets her chat back");
    lea.say(&chat.id, "answer after the crash").await?;
    visitor
        .recv_until("the answer after the crash", |f| {
            message_body(f) == Some("answer after the crash")
        })
        .await?;

    // A node that joins later follows the new leader.
    nodes.nodes[0] = Some(nodes.start_node(0).await?);
    nodes
        .wait_until(|roles| roles[0].contains("forwards"))
        .await?;
    let token = nodes.api_token()?;
    assert_eq!(
        nodes
            .node(0)
            .transcript_messages(&token, chat.id.as_str())
            .await?,
        [
            "before the crash",
            "answer before the crash",
            "sent during the crash",
            "answer after the crash"
        ],
        "the CRM transcript is complete, each message once"
    );
    Ok(())
}

#[tokio::test]
async fn nats_restarts_and_the_chat_resumes_without_a_gap() -> anyhow::Result<()> {
    let mut nodes = ThreeNodes::start().await?;
    let (_first_console, mut visitor, chat) = chatting(&nodes, 1, 2).await?;
    let before = visitor.say("before NATS restarts").await?;

    nodes.nats.kill()?;
    let close = visitor.recv_close().await?;
    assert_eq!(
        close.map(|c| u16::from(c.code)),
        Some(1012),
        "clients of a node that lost NATS are told to reconnect"
    );
    // NATS stays down a moment (the outage under test), then comes back.
    tokio::time::sleep(Duration::from_millis(500)).await;
    nodes.nats.start_again()?;

    let mut visitor = visitor_on(nodes.node(1), Some(&visitor.token()?), before.seq).await?;
    let mut lea = adviser_on(nodes.node(2), "lea").await?;
    assert_eq!(lea.next_assigned().await?.id, chat.id);
    visitor.say("after NATS restarted").await?;
    lea.recv_until("the visitor's message", |f| {
        message_body(f) == Some("after NATS restarted")
    })
    .await?;
    lea.say(&chat.id, "heard you").await?;
    visitor
        .recv_until("Léa's answer", |f| message_body(f) == Some("heard you"))
        .await?;
    let token = nodes.api_token()?;
    assert_eq!(
        nodes
            .node(0)
            .transcript_messages(&token, chat.id.as_str())
            .await?,
        ["before NATS restarts", "after NATS restarted", "heard you"]
    );
    Ok(())
}

#[tokio::test]
async fn a_leader_stopped_with_sigterm_hands_over_and_its_clients_resume_elsewhere(
) -> anyhow::Result<()> {
    let mut nodes = ThreeNodes::start().await?;
    // The visitor is on the leader itself, Léa on node 1.
    let (_first_console, mut visitor, chat) = chatting(&nodes, 0, 1).await?;
    let before = visitor.say("before the leader stops").await?;

    let mut leader = nodes.nodes[0]
        .take()
        .ok_or_else(|| anyhow::anyhow!("node 0"))?;
    let stopped = tokio::spawn(async move { leader.terminate().await });
    let close = visitor.recv_close().await?;
    assert_eq!(
        close.map(|c| u16::from(c.code)),
        Some(1012),
        "the visitor is told to reconnect"
    );
    assert!(stopped.await??.success(), "the node stops cleanly");
    let new_leader = nodes.leader().await?;
    assert_ne!(new_leader, 0);

    // The widget reconnects to another node (the load balancer's choice) and resumes.
    let mut visitor = visitor_on(nodes.node(2), Some(&visitor.token()?), before.seq).await?;
    let mut lea = adviser_on(nodes.node(1), "lea").await?;
    assert_eq!(lea.next_assigned().await?.id, chat.id, "Léa keeps her chat");
    visitor.say("after the hand-over").await?;
    lea.recv_until("the visitor's message", |f| {
        message_body(f) == Some("after the hand-over")
    })
    .await?;
    Ok(())
}

#[tokio::test]
async fn joining_a_cluster_on_an_sqlite_store_is_refused_with_a_clear_error() -> anyhow::Result<()>
{
    let dir = tempfile::tempdir()?;
    let out = std::process::Command::new(tandem_tests::process::relay_binary()?)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--cluster",
            "nats://127.0.0.1:1",
            "--store",
        ])
        .arg(dir.path().join("tandem.db"))
        .output()?;
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the node does not start");
    assert!(
        said.contains("several nodes need a PostgreSQL store"),
        "and says why: {said}"
    );
    Ok(())
}

#[tokio::test]
async fn a_node_that_does_not_lead_dies_and_its_visitor_resumes_on_another() -> anyhow::Result<()> {
    let mut nodes = ThreeNodes::start().await?;
    let (mut lea, mut visitor, chat) = chatting(&nodes, 1, 2).await?;
    let before = visitor.say("before node B dies").await?;

    // Node B dies; the load balancer sends the widget's reconnection to node C.
    if let Some(mut node) = nodes.nodes[1].take() {
        node.kill_hard()?;
    }
    let mut visitor = visitor_on(nodes.node(2), Some(&visitor.token()?), before.seq).await?;
    visitor.say("after node B died").await?;
    // Léa's connection went through nodes that live: it carries on untouched.
    lea.recv_until("the visitor's message", |f| {
        message_body(f) == Some("after node B died")
    })
    .await?;
    lea.say(&chat.id, "still here").await?;
    visitor
        .recv_until("Léa's answer", |f| message_body(f) == Some("still here"))
        .await?;
    assert_eq!(nodes.leader().await?, 0, "the leader did not change");
    Ok(())
}
