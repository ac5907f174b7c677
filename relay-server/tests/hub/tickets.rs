//! No request is dropped: a message left becomes a ticket the visitor can read again; a
//! visitor who leaves the queue leaves a ticket behind.

use super::support::{request, Bench, Client};
use tandem_shared::ServerMsg;

#[tokio::test]
async fn a_message_left_is_a_ticket_its_visitor_alone_reads_again() -> anyhow::Result<()> {
    let bench = Bench::new().await?;
    let mut ana = Client::new();
    let mut left = request("Ana", "ana@example.com");
    left.reason = "Please call me about my contract".into();
    bench
        .hub
        .leave_message(&left, None, None, &ana.peer)
        .await?;
    let frame = ana
        .next_where("the new ticket", |m| {
            matches!(m, ServerMsg::Ticket { new: true, .. })
        })
        .await?;
    let ServerMsg::Ticket { ticket, .. } = frame else {
        unreachable!()
    };
    assert_eq!(ticket.message, "Please call me about my contract");
    let stored = bench.store.ticket(&ticket.id).await?;
    assert_eq!(stored.map(|t| t.status), Some("open".to_owned()));

    // Back later, with their token and a forged one.
    let mut later = Client::new();
    let forged = format!("{}x", ticket.token);
    bench
        .hub
        .send_visitor_tickets(&[forged, ticket.token.clone()], &later.peer)
        .await?;
    let again = later
        .next_where("the ticket again", |m| {
            matches!(m, ServerMsg::Ticket { .. })
        })
        .await?;
    let ServerMsg::Ticket { ticket: again, new } = again else {
        unreachable!()
    };
    assert_eq!((again.id, new), (ticket.id, false));
    assert!(
        !later
            .receives_within(std::time::Duration::from_millis(200), |m| matches!(
                m,
                ServerMsg::Ticket { .. }
            ))
            .await,
        "the forged token opened nothing"
    );
    Ok(())
}

#[tokio::test]
async fn a_visitor_who_gives_up_waiting_leaves_a_ticket() -> anyhow::Result<()> {
    let bench = Bench::new().await?;
    let mut ana = bench.visitor("Ana", "ana@example.com").await?;
    bench.hub.visitor_end(&ana.id).await?;
    let frame = ana
        .client
        .next_where("the ticket", |m| matches!(m, ServerMsg::Ticket { .. }))
        .await?;
    let ServerMsg::Ticket { ticket, .. } = frame else {
        unreachable!()
    };
    let stored = bench
        .store
        .ticket(&ticket.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no ticket stored"))?;
    assert_eq!(
        stored.conversation_id.as_deref(),
        Some(ana.id.as_str()),
        "the ticket keeps the conversation"
    );
    Ok(())
}
