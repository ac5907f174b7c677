//! Who gets which waiting visitor, and when.

use super::support::Bench;
use std::time::Duration;
use tandem_shared::model::{Resolution, WrapUp};
use tandem_shared::{EventKind, ServerMsg};

/// A plain wrap-up.
pub fn resolved() -> WrapUp {
    WrapUp {
        resolution: Resolution::Resolved,
        answer: Some("Done".into()),
        agreed_solution: None,
        actions_taken: None,
        follow_up_date: None,
        compensation: None,
        prevention: None,
    }
}

#[tokio::test]
async fn a_visitor_waits_until_an_adviser_goes_available_then_both_are_told() -> anyhow::Result<()>
{
    let bench = Bench::new().await?;
    let mut lea = bench.console("lea", 1).await?;
    let mut ana = bench.visitor("Ana", "ana@example.com").await?;
    assert!(
        !lea.client
            .receives_within(Duration::from_millis(300), |m| matches!(
                m,
                ServerMsg::Assigned { .. }
            ))
            .await,
        "an adviser who is away is given nothing"
    );
    lea.available(&bench, 1).await?;
    assert_eq!(lea.next_assigned().await?, ana.id);
    ana.client
        .next_where("the adviser joining", |m| {
            matches!(m, ServerMsg::Event { event, .. }
                if matches!(event.kind, EventKind::AdviserJoined { .. }))
        })
        .await?;
    Ok(())
}

#[tokio::test]
async fn an_adviser_at_capacity_gets_the_next_visitor_only_once_a_chat_is_wrapped_up(
) -> anyhow::Result<()> {
    let bench = Bench::new().await?;
    let mut lea = bench.console("lea", 1).await?;
    lea.available(&bench, 1).await?;
    let ana = bench.visitor("Ana", "ana@example.com").await?;
    assert_eq!(lea.next_assigned().await?, ana.id);
    let bob = bench.visitor("Bob", "bob@example.com").await?;
    assert!(
        !lea.client
            .receives_within(Duration::from_millis(300), |m| matches!(
                m,
                ServerMsg::Assigned { .. }
            ))
            .await,
        "one chat at a time"
    );
    bench.hub.adviser_end(&lea.id, &ana.id).await?;
    bench.hub.wrap_up(&lea.id, &ana.id, &resolved()).await?;
    assert_eq!(lea.next_assigned().await?, bob.id, "then the next in line");
    Ok(())
}

#[tokio::test]
async fn the_longest_waiting_visitor_is_served_first() -> anyhow::Result<()> {
    let bench = Bench::new().await?;
    let mut lea = bench.console("lea", 1).await?;
    let first = bench.visitor("Ana", "ana@example.com").await?;
    let _second = bench.visitor("Bob", "bob@example.com").await?;
    lea.available(&bench, 1).await?;
    assert_eq!(lea.next_assigned().await?, first.id);
    Ok(())
}

#[tokio::test]
async fn a_visitor_on_the_form_is_told_when_an_adviser_comes_and_goes() -> anyhow::Result<()> {
    let bench = Bench::new().await?;
    let lea = bench.console("lea", 1).await?;
    let mut form = super::support::Client::new();
    let site = std::sync::Arc::new(tandem_shared::site::SiteSettings::new("default", "Site"));
    bench.hub.enter_lobby(&form.peer, site);
    let general_available = |m: &ServerMsg, wanted: bool| {
        matches!(m, ServerMsg::QueuesChanged { queues }
            if queues.iter().any(|q| q.key == "general" && q.available == wanted))
    };
    lea.available(&bench, 1).await?;
    form.next_where("the topic answerable", |m| general_available(m, true))
        .await?;
    let away = tandem_shared::model::Presence {
        available: false,
        max_chats: 1,
    };
    bench.hub.set_presence(&lea.id, away).await?;
    form.next_where("the topic no longer answerable", |m| {
        general_available(m, false)
    })
    .await?;
    // A visitor who left the form hears nothing more.
    bench.hub.leave_lobby(&form.peer);
    lea.available(&bench, 1).await?;
    assert!(
        !form
            .receives_within(Duration::from_millis(400), |m| matches!(
                m,
                ServerMsg::QueuesChanged { .. }
            ))
            .await
    );
    Ok(())
}
