//! Handing a chat over: to a colleague, to a service level.

use super::support::Bench;
use tandem_shared::desk::TransferTarget;
use tandem_shared::{EventKind, ServerMsg};

#[tokio::test]
async fn a_chat_handed_to_a_colleague_arrives_with_the_note_and_leaves_the_first_adviser(
) -> anyhow::Result<()> {
    let bench = Bench::new().await?;
    let mut lea = bench.console("lea", 1).await?;
    let mut tom = bench.console("tom", 1).await?;
    lea.available(&bench, 2).await?;
    let mut ana = bench.visitor("Ana", "ana@example.com").await?;
    assert_eq!(lea.next_assigned().await?, ana.id);
    tom.available(&bench, 2).await?;
    let target = TransferTarget::Adviser {
        adviser_id: tom.id.clone(),
    };
    bench
        .hub
        .transfer(
            &lea.id,
            &ana.id,
            &target,
            "Contract question, see the notes",
        )
        .await?;
    let handed = tom
        .client
        .next_where("the chat handed over", |m| {
            matches!(m, ServerMsg::Assigned { .. })
        })
        .await?;
    let ServerMsg::Assigned { conversation } = handed else {
        unreachable!()
    };
    assert_eq!(conversation.id, ana.id);
    assert!(
        conversation
            .handovers
            .iter()
            .any(|h| h.note == "Contract question, see the notes"),
        "{:?}",
        conversation.handovers
    );
    lea.client
        .next_where("the chat leaving", |m| {
            matches!(m, ServerMsg::Closed { conversation_id, transferred_to: Some(_) }
                if *conversation_id == ana.id)
        })
        .await?;
    ana.client
        .next_where("the hand-over in the transcript", |m| {
            matches!(m, ServerMsg::Event { event, .. }
                if matches!(event.kind, EventKind::Transferred { .. }))
        })
        .await?;
    // Tried: the first adviser acting on the chat they no longer hold.
    let error = bench
        .hub
        .adviser_send(
            &lea.id,
            &ana.id,
            "m1".into(),
            "still mine?".into(),
            &lea.client.peer,
        )
        .await;
    assert!(error.is_err(), "{error:?}");
    Ok(())
}

#[tokio::test]
async fn an_escalation_waits_for_an_adviser_of_that_level() -> anyhow::Result<()> {
    let bench = Bench::new().await?;
    let mut lea = bench.console("lea", 1).await?;
    let mut max = bench.console("max", 1).await?;
    let mut expert = bench.console("expert", 3).await?;
    lea.available(&bench, 2).await?;
    let ana = bench.visitor("Ana", "ana@example.com").await?;
    assert_eq!(lea.next_assigned().await?, ana.id);
    max.available(&bench, 2).await?;
    bench
        .hub
        .transfer(
            &lea.id,
            &ana.id,
            &TransferTarget::Level { level: 3 },
            "Expert needed",
        )
        .await?;
    assert!(
        !max.client
            .receives_within(std::time::Duration::from_millis(300), |m| matches!(
                m,
                ServerMsg::Assigned { .. }
            ))
            .await,
        "a level-1 adviser is not given a level-3 chat"
    );
    expert.available(&bench, 2).await?;
    assert_eq!(expert.next_assigned().await?, ana.id);
    Ok(())
}
