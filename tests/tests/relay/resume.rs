//! History survives reloads, reconnects and relay restarts; retransmissions are stored once.

use tandem_shared::model::ConversationStatus;
use tandem_shared::{EventKind, ServerMsg, VisitorMsg};
use tandem_tests::clients::{chat_request, AdviserClient, VisitorClient};
use tandem_tests::TestRelay;

#[tokio::test]
async fn a_reloaded_page_gets_the_whole_conversation_and_a_reconnect_only_what_it_missed(
) -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut adviser = relay.adviser("lea", "Léa").await?;
    adviser.set_presence(true, 1).await?;
    let mut visitor = relay.visitor().await?;
    let conversation = visitor
        .start_chat(chat_request("Ana", "ana@example.com", "Refund"))
        .await?;
    adviser.next_assigned().await?;
    let mine = visitor.say("first question").await?;
    let token = visitor.token()?;
    visitor.close().await;

    // While the visitor is away, the adviser answers twice.
    adviser.say(&conversation.id, "answer one").await?;
    adviser.say(&conversation.id, "answer two").await?;

    let mut back = VisitorClient::connect(&relay, Some(&token), mine.seq).await?;
    let resumed = back
        .conversation
        .clone()
        .expect("the token resumes the conversation");
    assert_eq!(resumed.id, conversation.id);
    assert_eq!(resumed.status, ConversationStatus::Active);
    assert_eq!(resumed.adviser_name.as_deref(), Some("Léa"));
    let missed = [back.next_event().await?, back.next_event().await?];
    let bodies: Vec<&str> = missed
        .iter()
        .filter_map(|e| e.as_message().map(|(_, b)| b))
        .collect();
    assert_eq!(
        bodies,
        ["answer one", "answer two"],
        "exactly what was missed, in order"
    );
    assert_eq!(missed[0].seq, mine.seq + 1);

    let mut reloaded = VisitorClient::connect(&relay, Some(&token), 0).await?;
    let mut all = Vec::new();
    for _ in 0..4 {
        all.push(reloaded.next_event().await?);
    }
    let seqs: Vec<u64> = all.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4], "a reloaded page gets the whole history");

    // Both tabs are attached: a new adviser message reaches both.
    let live = adviser.say(&conversation.id, "still there?").await?;
    assert_eq!(back.next_event().await?, live);
    assert_eq!(reloaded.next_event().await?, live);
    Ok(())
}

#[tokio::test]
async fn a_retransmitted_message_is_stored_once() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut visitor = relay.visitor().await?;
    let conversation = visitor
        .start_chat(chat_request("Ana", "ana@example.com", "Refund"))
        .await?;
    let frame = VisitorMsg::Send {
        client_msg_id: "same-id".into(),
        body: "hello".into(),
    };
    visitor.send(&frame).await?;
    let first = visitor.next_event().await?;
    visitor.send(&frame).await?;
    let again = visitor.next_event().await?;
    assert_eq!(
        first, again,
        "the retransmission is acknowledged with the stored event"
    );
    let stored = relay.state.store.events_after(&conversation.id, 0).await?;
    assert_eq!(stored.len(), 1, "and stored once");
    Ok(())
}

#[tokio::test]
async fn after_a_relay_restart_the_queue_and_chats_are_as_they_were() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    relay.add_adviser("lea", "Léa").await?;
    let mut adviser = AdviserClient::connect(&relay, "lea").await?;
    adviser.set_presence(true, 1).await?;
    let mut chatting = relay.visitor().await?;
    let active = chatting
        .start_chat(chat_request("Ana", "ana@example.com", "Refund"))
        .await?;
    adviser.next_assigned().await?;
    chatting.say("before the restart").await?;
    let mut waiting = relay.visitor().await?;
    let queued = waiting
        .start_chat(chat_request("Bo", "bo@example.com", "Invoice"))
        .await?;
    let (active_token, queued_token) = (chatting.token()?, waiting.token()?);

    let relay = relay.restart().await?;

    let mut adviser = AdviserClient::connect(&relay, "lea").await?;
    let queue = adviser
        .recv_until("the queue", |f| matches!(f, ServerMsg::Queue { .. }))
        .await?;
    assert!(
        matches!(queue, ServerMsg::Queue { ref entries } if entries.len() == 1 && entries[0].conversation_id == queued.id)
    );
    let detail = adviser.next_assigned().await?;
    assert_eq!(detail.id, active.id, "the adviser gets their chat back");
    assert!(detail.events.iter().any(|e| e
        .as_message()
        .is_some_and(|(_, b)| b == "before the restart")));

    let mut chatting = VisitorClient::connect(&relay, Some(&active_token), 0).await?;
    assert_eq!(
        chatting.conversation.as_ref().map(|c| c.status),
        Some(ConversationStatus::Active)
    );
    let said = adviser.say(&active.id, "after the restart").await?;
    let mut seen = chatting.next_event().await?;
    while seen.seq < said.seq {
        seen = chatting.next_event().await?;
    }
    assert_eq!(seen, said);
    let mut waiting = VisitorClient::connect(&relay, Some(&queued_token), 0).await?;
    let status = waiting
        .recv_until("queue status", |f| {
            matches!(f, ServerMsg::QueueStatus { .. })
        })
        .await?;
    assert!(
        matches!(status, ServerMsg::QueueStatus { position: 1, .. }),
        "no request is dropped: {status:?}"
    );
    Ok(())
}

#[tokio::test]
async fn an_ended_conversation_is_shown_again_but_cannot_continue() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut visitor = relay.visitor().await?;
    visitor
        .start_chat(chat_request("Ana", "ana@example.com", "Refund"))
        .await?;
    visitor.say("never mind").await?;
    visitor.send(&VisitorMsg::EndChat).await?;
    let ended = visitor.next_event().await?;
    assert!(matches!(ended.kind, EventKind::Ended { .. }));
    let token = visitor.token()?;

    let mut back = VisitorClient::connect(&relay, Some(&token), 0).await?;
    assert_eq!(
        back.conversation.as_ref().map(|c| c.status),
        Some(ConversationStatus::Ended)
    );
    assert_eq!(
        back.next_event()
            .await?
            .as_message()
            .map(|(_, b)| b.to_owned())
            .as_deref(),
        Some("never mind")
    );
    Ok(())
}
