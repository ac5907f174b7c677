//! Co-browsing by phone: the visitor's code opens, once, a conversation of channel `phone` held
//! by the adviser who typed it, with the visitor's consent asked.

use super::support::{Bench, Client};
use tandem_relay::hub::HubError;
use tandem_shared::model::{Channel, ChatRequest};
use tandem_shared::ServerMsg;

fn caller() -> ChatRequest {
    ChatRequest {
        name: "Appelant".into(),
        reason: "Page partagée pendant un appel".into(),
        page_url: Some("https://example.com/".into()),
        locale: Some("fr".into()),
        queue: Some("general".into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_typed_code_opens_a_phone_conversation_once() -> anyhow::Result<()> {
    let bench = Bench::new().await?;
    let mut lea = bench.console("lea", 1).await?;
    let mut visitor = Client::new();
    let mut joined = bench
        .hub
        .request_share_code(caller(), None, &visitor.peer)?;
    let ServerMsg::ShareCode { share_code, .. } = visitor
        .next_where("the code", |m| matches!(m, ServerMsg::ShareCode { .. }))
        .await?
    else {
        anyhow::bail!("not a code")
    };
    assert!(joined.try_recv().is_err(), "nobody typed it yet");

    bench.hub.join_by_code(&lea.id, &share_code).await?;
    let id = lea.next_assigned().await?;
    assert_eq!(
        joined.try_recv()?,
        id,
        "the visitor's session learns its conversation"
    );
    visitor
        .next_where("chat_started", |m| {
            matches!(m, ServerMsg::ChatStarted { .. })
        })
        .await?;
    visitor
        .next_where("the consent asked", |m| {
            matches!(m, ServerMsg::CobrowseInvite { .. })
        })
        .await?;
    let row = bench.store.conversation(&id).await?;
    assert_eq!(
        row.map(|r| r.channel).as_deref(),
        Some(Channel::Phone.as_str())
    );

    // Tried: the same code again.
    let again = bench.hub.join_by_code(&lea.id, &share_code).await;
    assert!(matches!(again, Err(HubError::NotFound(_))), "{again:?}");
    Ok(())
}
