//! A supervisor's live view: the chats in progress, watching one (the visitor is not told),
//! whispering to its adviser, taking it over.

use std::time::Duration;
use tandem_shared::desk::LiveChat;
use tandem_shared::{AdviserMsg, EventKind, ServerMsg};
use tandem_tests::clients::{chat_request, AdviserClient};
use tandem_tests::{Endpoint, TestRelay};

#[tokio::test]
async fn a_supervisor_watches_whispers_and_takes_a_chat_over() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    relay.add_team().await?;
    let mut lea = AdviserClient::connect(&relay, "lea").await?;
    let mut sam = AdviserClient::connect(&relay, "sam").await?;
    lea.set_presence(true, 2).await?;
    let mut visitor = relay.visitor().await?;
    visitor
        .start_chat(chat_request("Ana Lima", "ana@example.com", "My contract"))
        .await?;
    let chat = lea.next_assigned().await?;
    visitor.say("Bonjour, mon contrat ?").await?;

    // The supervisor's list of chats in progress names it, with its adviser.
    let live: Vec<LiveChat> = reqwest::Client::new()
        .get(relay.url("/api/v1/live"))
        .header("cookie", &sam.cookie)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    assert_eq!(live.len(), 1, "{live:?}");
    assert_eq!(live[0].conversation_id, chat.id);
    assert_eq!(live[0].adviser_name, "Léa");
    assert!(!live[0].ended);
    // Tried: an adviser asking for it.
    let refused = reqwest::Client::new()
        .get(relay.url("/api/v1/live"))
        .header("cookie", &lea.cookie)
        .send()
        .await?;
    assert_eq!(refused.status(), 403);

    // Watching: the chat as it is, then what follows on both sides.
    sam.send(&AdviserMsg::Watch {
        conversation_id: chat.id.clone(),
    })
    .await?;
    let watching = sam
        .recv_until("watching", |f| matches!(f, ServerMsg::Watching { .. }))
        .await?;
    let ServerMsg::Watching { conversation } = watching else {
        unreachable!()
    };
    assert!(
        conversation
            .events
            .iter()
            .any(|e| matches!(&e.kind, EventKind::Message { body, .. } if body == "Bonjour, mon contrat ?")),
        "the history so far: {:?}",
        conversation.events
    );
    lea.say(&chat.id, "Je regarde votre contrat.").await?;
    let seen = sam.next_event().await?;
    assert!(
        matches!(&seen.kind, EventKind::Message { body, .. } if body == "Je regarde votre contrat."),
        "{seen:?}"
    );
    visitor.say("Merci").await?;
    let seen = sam.next_event().await?;
    assert!(matches!(&seen.kind, EventKind::Message { body, .. } if body == "Merci"));

    // A whisper reaches the adviser, never the visitor.
    sam.send(&AdviserMsg::Whisper {
        conversation_id: chat.id.clone(),
        body: "Propose le geste commercial".into(),
    })
    .await?;
    let note = lea
        .recv_until("the whisper", |f| matches!(f, ServerMsg::Note { .. }))
        .await?;
    let ServerMsg::Note { note, .. } = note else {
        unreachable!()
    };
    assert_eq!(note.author, "Sam");
    assert_eq!(note.body, "Propose le geste commercial");
    let heard = visitor.frames_during(Duration::from_millis(300)).await;
    assert!(
        !format!("{heard:?}").contains("geste commercial") && !format!("{heard:?}").contains("Sam"),
        "the visitor heard of the supervisor: {heard:?}"
    );

    // Taking over: the chat leaves Léa's console and lands on Sam's, history and notes kept.
    sam.send(&AdviserMsg::TakeOver {
        conversation_id: chat.id.clone(),
    })
    .await?;
    let closed = lea
        .recv_until("the chat leaving", |f| {
            matches!(f, ServerMsg::Closed { .. })
        })
        .await?;
    assert!(
        matches!(closed, ServerMsg::Closed { transferred_to: Some(ref to), .. } if to == "Sam")
    );
    let taken = sam.next_assigned().await?;
    assert_eq!(taken.id, chat.id);
    assert!(taken
        .notes
        .iter()
        .any(|n| n.body == "Propose le geste commercial"));
    assert!(
        taken
            .handovers
            .iter()
            .any(|h| h.note.contains("Taken over by Sam")),
        "{:?}",
        taken.handovers
    );
    sam.say(&chat.id, "Bonjour, je prends la suite.").await?;
    let event = visitor
        .recv_until("Sam's message", |f| {
            matches!(f, ServerMsg::Event { event, .. } if matches!(&event.kind, EventKind::Message { body, .. } if body == "Bonjour, je prends la suite."))
        })
        .await?;
    assert!(matches!(event, ServerMsg::Event { .. }));
    // Tried: Léa writing in the chat she no longer holds.
    lea.send(&AdviserMsg::Send {
        conversation_id: chat.id.clone(),
        client_msg_id: tandem_tests::clients::client_msg_id(),
        body: "encore moi".into(),
    })
    .await?;
    lea.expect_error(tandem_shared::ErrorCode::Forbidden)
        .await?;
    Ok(())
}

#[tokio::test]
async fn a_supervisor_reassigns_a_chat_to_a_colleague() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    relay.add_team().await?;
    let mut lea = AdviserClient::connect(&relay, "lea").await?;
    let mut max = relay.adviser("max", "Max").await?;
    let mut sam = AdviserClient::connect(&relay, "sam").await?;
    lea.set_presence(true, 2).await?;
    let mut visitor = relay.visitor().await?;
    visitor
        .start_chat(chat_request("Ana Lima", "ana@example.com", "Mon contrat"))
        .await?;
    let chat = lea.next_assigned().await?;
    // Tried: giving the chat to the adviser who holds it.
    sam.send(&AdviserMsg::Reassign {
        conversation_id: chat.id.clone(),
        target: tandem_shared::desk::TransferTarget::Adviser {
            adviser_id: lea.profile.id.clone(),
        },
    })
    .await?;
    sam.expect_error(tandem_shared::ErrorCode::Conflict).await?;
    sam.send(&AdviserMsg::Reassign {
        conversation_id: chat.id.clone(),
        target: tandem_shared::desk::TransferTarget::Adviser {
            adviser_id: max.profile.id.clone(),
        },
    })
    .await?;
    let closed = lea
        .recv_until("the chat leaving", |f| {
            matches!(f, ServerMsg::Closed { .. })
        })
        .await?;
    assert!(
        matches!(closed, ServerMsg::Closed { transferred_to: Some(ref to), .. } if to == "Max")
    );
    let given = max.next_assigned().await?;
    assert_eq!(given.id, chat.id);
    assert!(
        given
            .handovers
            .iter()
            .any(|h| h.note == "Reassigned by Sam" && h.from == "Léa"),
        "{:?}",
        given.handovers
    );
    Ok(())
}
