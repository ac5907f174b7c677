//! The queue: positions, honest wait estimates, automatic assignment, manual takes.

use tandem_shared::model::QueueEntry;
use tandem_shared::{AdviserMsg, ErrorCode, ServerMsg};
use tandem_tests::clients::{chat_request, VisitorClient};
use tandem_tests::TestRelay;

/// The next queue status at `position`.
async fn queue_status(
    visitor: &mut VisitorClient,
    position: u32,
) -> anyhow::Result<(u32, Option<u32>, u32)> {
    let at =
        |f: &ServerMsg| matches!(f, ServerMsg::QueueStatus { position: p, .. } if *p == position);
    match visitor.recv_until("queue status", at).await? {
        ServerMsg::QueueStatus {
            position,
            estimated_wait_secs,
            advisers_online,
            ..
        } => Ok((position, estimated_wait_secs, advisers_online)),
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn waiting_visitors_see_their_place_and_an_honest_estimate() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut first = relay.visitor().await?;
    first
        .start_chat(chat_request("Ana", "ana@example.com", "Refund"))
        .await?;
    assert_eq!(
        queue_status(&mut first, 1).await?,
        (1, None, 0),
        "nobody online: no estimate is invented"
    );
    let mut second = relay.visitor().await?;
    second
        .start_chat(chat_request("Bo", "bo@example.com", "Invoice"))
        .await?;
    assert_eq!(queue_status(&mut second, 2).await?, (2, None, 0));

    let mut adviser = relay.adviser("lea", "Léa").await?;
    let queue = adviser
        .recv_until(
            "the queue",
            |f| matches!(f, ServerMsg::Queue { entries } if entries.len() == 2),
        )
        .await?;
    let ServerMsg::Queue { entries } = queue else {
        unreachable!()
    };
    let names: Vec<(&str, &str, u32)> = entries
        .iter()
        .map(|e: &QueueEntry| (e.visitor_name.as_str(), e.reason.as_str(), e.position))
        .collect();
    assert_eq!(
        names,
        [("Ana", "Refund", 1), ("Bo", "Invoice", 2)],
        "advisers see who waits and why"
    );

    adviser.set_presence(true, 1).await?;
    let detail = adviser.next_assigned().await?;
    assert_eq!(detail.contact.name, "Ana", "first come, first served");
    let (position, estimate, online) = queue_status(&mut second, 1).await?;
    assert_eq!((position, online), (1, 1), "Bo moves up");
    let estimate = estimate.expect("an adviser is available, so there is an estimate");
    assert!(
        estimate > 0,
        "the only slot is busy, so the wait is not zero"
    );
    Ok(())
}

#[tokio::test]
async fn an_away_adviser_takes_a_chat_and_two_cannot_take_the_same_one() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut lea = relay.adviser("lea", "Léa").await?;
    let mut tom = relay.adviser("tom", "Tom").await?;
    let mut visitor = relay.visitor().await?;
    let conversation = visitor
        .start_chat(chat_request("Ana", "ana@example.com", "Refund"))
        .await?;

    // Both press "take" at the same instant.
    let take = AdviserMsg::Take {
        conversation_id: conversation.id.clone(),
    };
    let (a, b) = tokio::join!(lea.send(&take), tom.send(&take));
    a?;
    b?;
    let outcome =
        |frame: &ServerMsg| matches!(frame, ServerMsg::Assigned { .. } | ServerMsg::Error { .. });
    let (lea_got, tom_got) = tokio::join!(
        lea.recv_until("outcome", outcome),
        tom.recv_until("outcome", outcome)
    );
    let results = [lea_got?, tom_got?];
    let assigned = results
        .iter()
        .filter(|f| matches!(f, ServerMsg::Assigned { .. }))
        .count();
    let refused = results
        .iter()
        .filter(|f| {
            matches!(
                f,
                ServerMsg::Error {
                    code: ErrorCode::Conflict,
                    ..
                }
            )
        })
        .count();
    assert_eq!(
        (assigned, refused),
        (1, 1),
        "exactly one adviser gets the visitor: {results:?}"
    );
    let record = relay
        .state
        .store
        .session_record(&conversation.id)
        .await?
        .unwrap();
    assert_eq!(record.summary.advisers.len(), 1);
    Ok(())
}

#[tokio::test]
async fn assignment_goes_to_the_adviser_with_most_free_capacity() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut lea = relay.adviser("lea", "Léa").await?;
    let mut tom = relay.adviser("tom", "Tom").await?;
    lea.set_presence(true, 1).await?;
    tom.set_presence(true, 3).await?;
    let mut visitor = relay.visitor().await?;
    visitor
        .start_chat(chat_request("Ana", "ana@example.com", "Refund"))
        .await?;
    tom.next_assigned().await?;
    let lea_frames = lea
        .frames_during(std::time::Duration::from_millis(300))
        .await;
    assert!(
        !lea_frames
            .iter()
            .any(|f| matches!(f, ServerMsg::Assigned { .. })),
        "Léa has less free capacity"
    );
    Ok(())
}
