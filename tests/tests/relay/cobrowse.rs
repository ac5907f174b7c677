//! Co-browsing through the relay, with WebSocket clients speaking the protocol: consent,
//! what is relayed while a session runs (and refused outside one), the permission to fill
//! in, the record, late joiners, the end of the chat, restarts and bad frames.

use tandem_shared::cobrowse::{Guidance, PageChange, PageChanges, PageNode, MAX_CHANGES_PER_BATCH};
use tandem_shared::cobrowse_parts::{PageFrame, PartAssembler};
use tandem_shared::desk::TransferTarget;
use tandem_shared::{
    AdviserMsg, ConversationId, ErrorCode, EventKind, Role, ServerMsg, VisitorMsg,
};
use tandem_tests::clients::{
    chat_request, client_msg_id, cobrowse_consented, page_snapshot, AdviserClient, VisitorClient,
};
use tandem_tests::{Endpoint, TestRelay};

fn typing(value: &str) -> VisitorMsg {
    VisitorMsg::CobrowseChanges {
        changes: PageChanges {
            changes: vec![PageChange::Value {
                id: 7,
                value: value.into(),
            }],
            at_ms: 0,
        },
    }
}

/// A visitor chatting with an adviser.
async fn chatting(
    relay: &TestRelay,
) -> anyhow::Result<(VisitorClient, AdviserClient, ConversationId)> {
    relay.add_adviser("lea", "Léa Martin").await?;
    let mut adviser = AdviserClient::connect(relay, "lea").await?;
    adviser.set_presence(true, 2).await?;
    let mut visitor = relay.visitor().await?;
    let conversation = visitor
        .start_chat(chat_request(
            "Jeanne",
            "jeanne@example.com",
            "Le formulaire",
        ))
        .await?;
    adviser.next_assigned().await?;
    visitor
        .recv_until("the adviser joining", |f| {
            matches!(f, ServerMsg::Event { event, .. } if matches!(event.kind, EventKind::AdviserJoined { .. }))
        })
        .await?;
    Ok((visitor, adviser, conversation.id))
}

fn guide(id: &ConversationId, guidance: Guidance) -> AdviserMsg {
    AdviserMsg::CobrowseGuide {
        conversation_id: id.clone(),
        guidance,
    }
}

#[tokio::test]
async fn co_browsing_needs_consent_and_relays_the_page_only_while_it_runs() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let (mut visitor, mut adviser, id) = chatting(&relay).await?;

    // Tried before any consent: a page, an answer with no invitation, guidance.
    visitor
        .send(&page_snapshot("https://site.test/apply"))
        .await?;
    visitor.expect_error(ErrorCode::Conflict).await?;
    visitor
        .send(&VisitorMsg::CobrowseAnswer { accepted: true })
        .await?;
    visitor.expect_error(ErrorCode::Conflict).await?;
    adviser
        .send(&guide(&id, Guidance::Pointer { x: 1, y: 1 }))
        .await?;
    adviser.expect_error(ErrorCode::Conflict).await?;

    // Declined: the adviser is told, nothing starts.
    adviser
        .send(&AdviserMsg::CobrowseRequest {
            conversation_id: id.clone(),
        })
        .await?;
    let invite = visitor
        .recv_until("the invitation", |f| {
            matches!(f, ServerMsg::CobrowseInvite { .. })
        })
        .await?;
    assert!(
        matches!(invite, ServerMsg::CobrowseInvite { ref adviser, .. } if adviser == "Léa Martin")
    );
    visitor
        .send(&VisitorMsg::CobrowseAnswer { accepted: false })
        .await?;
    adviser
        .recv_until("the refusal", |f| {
            matches!(f, ServerMsg::CobrowseDeclined { .. })
        })
        .await?;
    visitor
        .send(&page_snapshot("https://site.test/apply"))
        .await?;
    visitor.expect_error(ErrorCode::Conflict).await?;

    // Accepted: the page and its changes reach the adviser as sent.
    cobrowse_consented(&mut visitor, &mut adviser, &id).await?;
    let sent = page_snapshot("https://site.test/apply");
    visitor.send(&sent).await?;
    let received = adviser
        .recv_until("the snapshot", |f| {
            matches!(f, ServerMsg::CobrowseSnapshot { .. })
        })
        .await?;
    let (
        ServerMsg::CobrowseSnapshot { snapshot, .. },
        VisitorMsg::CobrowseSnapshot { snapshot: original },
    ) = (received, sent)
    else {
        unreachable!()
    };
    assert_eq!(snapshot, original);
    visitor.send(&typing("Jeanne")).await?;
    let changes = adviser
        .recv_until("the changes", |f| {
            matches!(f, ServerMsg::CobrowseChanges { .. })
        })
        .await?;
    assert!(
        matches!(changes, ServerMsg::CobrowseChanges { ref changes, .. }
        if changes.changes == vec![PageChange::Value { id: 7, value: "Jeanne".into() }])
    );

    // Guidance goes to the visitor; filling in needs the visitor's permission.
    adviser
        .send(&guide(&id, Guidance::Pointer { x: 40, y: 60 }))
        .await?;
    visitor
        .recv_until("the adviser's pointer", |f| {
            matches!(
                f,
                ServerMsg::CobrowseGuide {
                    guidance: Guidance::Pointer { x: 40, y: 60 },
                    ..
                }
            )
        })
        .await?;
    let fill = Guidance::Fill {
        id: 7,
        value: "jeanne@example.com".into(),
    };
    adviser.send(&guide(&id, fill.clone())).await?;
    let refused = adviser.expect_error(ErrorCode::Forbidden).await?;
    assert!(refused.contains("not allowed you to fill"), "{refused}");
    visitor
        .send(&VisitorMsg::CobrowseControl { granted: true })
        .await?;
    adviser
        .recv_until("the permission", |f| {
            matches!(f, ServerMsg::CobrowseControl { granted: true, .. })
        })
        .await?;
    adviser.send(&guide(&id, fill.clone())).await?;
    visitor
        .recv_until(
            "the fill",
            |f| matches!(f, ServerMsg::CobrowseGuide { guidance, .. } if *guidance == fill),
        )
        .await?;
    visitor
        .send(&VisitorMsg::CobrowseFilled {
            field: "E-mail".into(),
        })
        .await?;
    adviser
        .recv_until(
            "the fill confirmed",
            |f| matches!(f, ServerMsg::CobrowseFilled { field, .. } if field == "E-mail"),
        )
        .await?;
    visitor
        .send(&VisitorMsg::CobrowseControl { granted: false })
        .await?;
    adviser
        .recv_until("the permission taken back", |f| {
            matches!(f, ServerMsg::CobrowseControl { granted: false, .. })
        })
        .await?;
    adviser.send(&guide(&id, fill)).await?;
    adviser.expect_error(ErrorCode::Forbidden).await?;

    // The adviser stops: both sides see it, and the page is no longer accepted.
    adviser
        .send(&AdviserMsg::CobrowseStop {
            conversation_id: id.clone(),
        })
        .await?;
    for side in [&mut *visitor, &mut *adviser] {
        side.recv_until("co-browsing ended", |f| {
            matches!(f, ServerMsg::Event { event, .. } if event.kind == EventKind::CobrowseEnded { by: Role::Adviser })
        })
        .await?;
    }
    visitor.send(&typing("late")).await?;
    visitor.expect_error(ErrorCode::Conflict).await?;

    // The record: when, who ended it, the page, the field's name (never its value).
    let token = relay.api_token().await?;
    let record = relay
        .get_json(&format!("/api/v1/sessions/{}", id.as_str()), &token)
        .await?;
    let cobrowse = &record["cobrowse"][0];
    assert_eq!(cobrowse["ended_by"], "adviser");
    assert_eq!(cobrowse["pages"][0]["url"], "https://site.test/apply");
    assert_eq!(cobrowse["fields_filled"][0]["field"], "E-mail");
    assert!(cobrowse["ended_at_ms"].as_i64() >= cobrowse["started_at_ms"].as_i64());
    assert!(!record.to_string().contains("jeanne@example.com\"}"));
    let transcript = record["transcript"].to_string();
    assert!(transcript.contains("co-browsing started"), "{transcript}");
    Ok(())
}

#[tokio::test]
async fn a_console_that_comes_back_gets_a_fresh_snapshot_and_ending_the_chat_ends_co_browsing(
) -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let (mut visitor, mut adviser, id) = chatting(&relay).await?;
    cobrowse_consented(&mut visitor, &mut adviser, &id).await?;
    drop(adviser);

    // The console reconnects: the visitor's page is asked for the whole page again.
    let mut adviser = AdviserClient::connect(&relay, "lea").await?;
    adviser.next_assigned().await?;
    visitor
        .recv_until("the request for a snapshot", |f| {
            matches!(f, ServerMsg::CobrowseResync { .. })
        })
        .await?;
    visitor
        .send(&page_snapshot("https://site.test/apply"))
        .await?;
    adviser
        .recv_until("the snapshot", |f| {
            matches!(f, ServerMsg::CobrowseSnapshot { .. })
        })
        .await?;
    // The adviser may ask for one too.
    adviser
        .send(&AdviserMsg::CobrowseResync {
            conversation_id: id.clone(),
        })
        .await?;
    visitor
        .recv_until("the request for a snapshot", |f| {
            matches!(f, ServerMsg::CobrowseResync { .. })
        })
        .await?;

    // The visitor ends the chat: co-browsing ends first, by the visitor.
    visitor.send(&VisitorMsg::EndChat).await?;
    let stopped = visitor
        .recv_until("co-browsing ended", |f| {
            matches!(f, ServerMsg::Event { event, .. } if matches!(event.kind, EventKind::CobrowseEnded { .. }))
        })
        .await?;
    assert!(
        matches!(stopped, ServerMsg::Event { ref event, .. } if event.kind == EventKind::CobrowseEnded { by: Role::Visitor })
    );
    let token = relay.api_token().await?;
    let record = relay
        .get_json(&format!("/api/v1/sessions/{}", id.as_str()), &token)
        .await?;
    assert_eq!(record["cobrowse"][0]["ended_by"], "visitor");
    Ok(())
}

#[tokio::test]
async fn co_browsing_survives_a_relay_restart_and_ends_with_a_hand_over() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let (mut visitor, mut adviser, id) = chatting(&relay).await?;
    cobrowse_consented(&mut visitor, &mut adviser, &id).await?;
    let token = visitor.token()?;
    drop(visitor);
    drop(adviser);
    let relay = relay.restart().await?;

    // Still running after the restart: the page is accepted, the adviser gets it.
    let mut adviser = AdviserClient::connect(&relay, "lea").await?;
    adviser.next_assigned().await?;
    let mut visitor = VisitorClient::connect(&relay, Some(&token), 0).await?;
    visitor
        .send(&page_snapshot("https://site.test/apply?step=2"))
        .await?;
    adviser
        .recv_until("the snapshot after the restart", |f| {
            matches!(f, ServerMsg::CobrowseSnapshot { .. })
        })
        .await?;

    // Handing the chat over ends co-browsing: the visitor consented to this adviser only.
    adviser
        .send(&AdviserMsg::Transfer {
            conversation_id: id.clone(),
            target: TransferTarget::Level { level: 2 },
            note: "Question de tarif".into(),
        })
        .await?;
    visitor
        .recv_until("co-browsing ended", |f| {
            matches!(f, ServerMsg::Event { event, .. } if event.kind == EventKind::CobrowseEnded { by: Role::System })
        })
        .await?;
    visitor.send(&typing("after")).await?;
    visitor.expect_error(ErrorCode::Conflict).await?;
    Ok(())
}

#[tokio::test]
async fn bad_co_browsing_frames_are_refused_and_a_busy_page_does_not_block_the_chat(
) -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let (mut visitor, mut adviser, id) = chatting(&relay).await?;
    cobrowse_consented(&mut visitor, &mut adviser, &id).await?;

    // Tried: a batch over the change limit, a frame of the wrong shape, a label too long,
    // a proposed page that is not a web address.
    let flood = PageChanges {
        changes: vec![PageChange::Remove { id: 1 }; MAX_CHANGES_PER_BATCH + 1],
        at_ms: 0,
    };
    visitor
        .send(&VisitorMsg::CobrowseChanges { changes: flood })
        .await?;
    // 5,001 changes do not fit in one co-browsing frame (the widget would send them in parts).
    visitor.expect_error(ErrorCode::FrameTooLarge).await?;
    visitor
        .send_raw(
            r#"{"type":"cobrowse_changes","changes":{"changes":[{"op":"teleport"}],"at_ms":0}}"#,
        )
        .await?;
    visitor.expect_error(ErrorCode::MalformedFrame).await?;
    adviser
        .send(&guide(
            &id,
            Guidance::Highlight {
                id: 2,
                label: "x".repeat(200),
            },
        ))
        .await?;
    adviser.expect_error(ErrorCode::InvalidInput).await?;
    adviser
        .send(&guide(
            &id,
            Guidance::Navigate {
                url: "javascript:alert(1)".into(),
            },
        ))
        .await?;
    adviser.expect_error(ErrorCode::InvalidInput).await?;

    // A page much larger than a frame comes in parts, which reach the adviser one by one and
    // make the same page again.
    let VisitorMsg::CobrowseSnapshot { snapshot: mut page } =
        page_snapshot("https://site.test/big")
    else {
        anyhow::bail!("page_snapshot() makes a snapshot");
    };
    if let PageNode::Element(root) = &mut page.root {
        root.children.push(PageNode::Text {
            id: 99,
            text: "x\"é".repeat(200 * 1024),
        });
    }
    let big = PageFrame::Snapshot { snapshot: page };
    let frames = big.clone().into_visitor_frames(1)?;
    assert!(frames.len() > 10, "{} parts", frames.len());
    for frame in &frames {
        visitor.send(frame).await?;
    }
    let mut assembler = PartAssembler::default();
    let mut assembled = None;
    while assembled.is_none() {
        let part = adviser
            .recv_until("the next part of the 1 MB snapshot", |f| {
                matches!(f, ServerMsg::CobrowsePart { .. })
            })
            .await?;
        if let ServerMsg::CobrowsePart { part, .. } = part {
            assembled = assembler.push(&part)?;
        }
    }
    assert_eq!(assembled, Some(big.clone()));

    // Tried: the same page in one frame (over the co-browsing frame limit), and parts out of
    // order. Each gets an error; the connection stays usable.
    visitor
        .send(&VisitorMsg::CobrowseSnapshot {
            snapshot: match big {
                PageFrame::Snapshot { snapshot } => {
                    let mut smaller = snapshot;
                    if let PageNode::Element(root) = &mut smaller.root {
                        root.children.truncate(1);
                        root.children.push(PageNode::Text {
                            id: 99,
                            text: "x".repeat(100 * 1024),
                        });
                    }
                    smaller
                }
                PageFrame::Changes { .. } => anyhow::bail!("a snapshot was made"),
            },
        })
        .await?;
    visitor.expect_error(ErrorCode::FrameTooLarge).await?;
    visitor.send(&frames[0]).await?;
    visitor.send(&frames[2]).await?;
    visitor.expect_error(ErrorCode::InvalidInput).await?;

    // A busy page sends more frames than the chat allows, yet the chat still goes through.
    for n in 0..60 {
        visitor.send(&typing(&format!("v{n}"))).await?;
    }
    let body = "Vous voyez mon écran ?";
    visitor
        .send(&VisitorMsg::Send {
            client_msg_id: client_msg_id(),
            body: body.into(),
        })
        .await?;
    let stored = adviser
        .recv_until("the visitor's message", |f| {
            matches!(f, ServerMsg::Event { event, .. } if event.as_message().is_some_and(|(_, b)| b == body))
        })
        .await?;
    assert!(matches!(stored, ServerMsg::Event { .. }));
    Ok(())
}
