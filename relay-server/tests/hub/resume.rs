//! A visitor who reloads or reconnects gets their conversation back, and only theirs.

use super::support::{Bench, Client};
use tandem_shared::site::SiteSettings;
use tandem_shared::{EventKind, ServerMsg};

fn site(key: &str) -> SiteSettings {
    SiteSettings::new(key, key)
}

fn message_bodies(frames: &[ServerMsg]) -> Vec<String> {
    frames
        .iter()
        .filter_map(|m| match m {
            ServerMsg::Event { event, .. } => match &event.kind {
                EventKind::Message { body, .. } => Some(body.clone()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_reconnecting_visitor_gets_what_they_missed_and_nothing_twice() -> anyhow::Result<()> {
    let bench = Bench::new().await?;
    let mut lea = bench.console("lea", 1).await?;
    lea.available(&bench, 1).await?;
    let mut ana = bench.visitor("Ana", "ana@example.com").await?;
    lea.next_assigned().await?;
    bench
        .hub
        .visitor_send(&ana.id, "v1".into(), "first".into(), &ana.client.peer)
        .await?;
    let seen = ana
        .client
        .next_where("her message stored", |m| {
            matches!(m, ServerMsg::Event { event, .. }
                if matches!(&event.kind, EventKind::Message { body, .. } if body == "first"))
        })
        .await?;
    let ServerMsg::Event { event: first, .. } = seen else {
        unreachable!()
    };
    bench.hub.detach_visitor(&ana.id, &ana.client.peer);
    bench
        .hub
        .adviser_send(
            &lea.id,
            &ana.id,
            "a1".into(),
            "while you were away".into(),
            &lea.client.peer,
        )
        .await?;

    let mut back = Client::new();
    let resumed = bench
        .hub
        .resume_visitor(&ana.token, first.seq, &site("default"), &back.peer)
        .await?;
    assert_eq!(resumed, Some(ana.id.clone()));
    let frames = back
        .frames_until("the missed reply", |m| {
            matches!(m, ServerMsg::Event { event, .. }
                if matches!(&event.kind, EventKind::Message { body, .. } if body == "while you were away"))
        })
        .await?;
    assert_eq!(
        message_bodies(&frames),
        ["while you were away"],
        "what she had already seen is not sent again"
    );
    Ok(())
}

#[tokio::test]
async fn a_token_opens_its_own_conversation_on_its_own_site_only() -> anyhow::Result<()> {
    let bench = Bench::new().await?;
    let ana = bench.visitor("Ana", "ana@example.com").await?;
    let other = Client::new();
    // Tried: the token on another site, a forged token.
    let elsewhere = bench
        .hub
        .resume_visitor(&ana.token, 0, &site("other"), &other.peer)
        .await;
    assert!(elsewhere.is_err(), "{elsewhere:?}");
    let forged = ana.token.replace(ana.id.as_str(), "someone-else");
    assert!(bench
        .hub
        .resume_visitor(&forged, 0, &site("default"), &other.peer)
        .await
        .is_err());
    let home = bench
        .hub
        .resume_visitor(&ana.token, 0, &site("default"), &other.peer)
        .await?;
    assert_eq!(home, Some(ana.id));
    Ok(())
}
