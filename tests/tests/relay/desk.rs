//! The service desk: routing by queue and service level, transfers with their history and
//! note, internal notes, questions to a colleague.

use tandem_shared::desk::TransferTarget;
use tandem_shared::model::ChatRequest;
use tandem_shared::{AdviserMsg, ErrorCode, EventKind, ServerMsg};
use tandem_tests::clients::{chat_request, AdviserClient};
use tandem_tests::relay::queue;
use tandem_tests::{Endpoint, TestRelay};

fn billing_request(name: &str, email: &str) -> ChatRequest {
    ChatRequest {
        queue: Some("billing".into()),
        ..chat_request(name, email, "My invoice is wrong")
    }
}

async fn online(
    relay: &TestRelay,
    login: &str,
    level: u8,
    queues: &[&str],
) -> anyhow::Result<AdviserClient> {
    relay
        .add_adviser_serving(login, login, level, queues)
        .await?;
    let mut adviser = AdviserClient::connect(relay, login).await?;
    adviser.set_presence(true, 2).await?;
    Ok(adviser)
}

#[tokio::test]
async fn a_request_goes_to_an_adviser_of_its_queue_and_level() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    relay.set_queue(queue("billing")).await?;
    // Tried: a general adviser with more free capacity is online, but does not serve billing.
    let mut general = online(&relay, "gen", 1, &["general"]).await?;
    general.set_presence(true, 8).await?;
    let mut billing = online(&relay, "bill", 1, &["billing"]).await?;
    let mut visitor = relay.visitor().await?;
    visitor
        .start_chat(billing_request("Ana", "ana@example.com"))
        .await?;
    let detail = billing.next_assigned().await?;
    assert_eq!(detail.queue, "billing");
    let general_frames = general
        .frames_during(std::time::Duration::from_millis(300))
        .await;
    assert!(
        !general_frames
            .iter()
            .any(|f| matches!(f, ServerMsg::Assigned { .. })),
        "the general adviser does not serve billing"
    );
    assert!(
        general_frames
            .iter()
            .all(|f| !matches!(f, ServerMsg::Queue { entries } if !entries.is_empty())),
        "nor sees billing's queue"
    );
    // Tried: a general request while the general adviser is the only one who serves it.
    let mut second = relay.visitor().await?;
    second
        .start_chat(chat_request("Bob", "bob@example.com", "Hello"))
        .await?;
    assert_eq!(general.next_assigned().await?.queue, "general");
    // Tried: a request for a queue that does not exist.
    let mut third = relay.visitor().await?;
    third
        .send(&tandem_shared::VisitorMsg::StartChat {
            request: ChatRequest {
                queue: Some("nope".into()),
                ..chat_request("Cy", "cy@example.com", "Hi")
            },
        })
        .await?;
    third.expect_error(ErrorCode::InvalidInput).await?;
    Ok(())
}

#[tokio::test]
async fn an_escalation_reaches_a_level_two_adviser_with_the_history_and_the_note(
) -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut first = online(&relay, "lea", 1, &[]).await?;
    let mut visitor = relay.visitor().await?;
    visitor
        .start_chat(chat_request("Ana", "ana@example.com", "Contract clause"))
        .await?;
    let detail = first.next_assigned().await?;
    let id = detail.id.clone();
    visitor.say("Clause 7 of my contract is unclear").await?;
    first.say(&id, "Let me ask an expert").await?;
    first
        .send(&AdviserMsg::AddNote {
            conversation_id: id.clone(),
            body: "Customer since 2019".into(),
        })
        .await?;
    first
        .recv_until("the note", |f| matches!(f, ServerMsg::Note { .. }))
        .await?;
    // Tried: escalating while nobody at level 2 is online: the visitor waits, and no level-1
    // adviser (not even the one who escalated) gets it back.
    first
        .send(&AdviserMsg::Transfer {
            conversation_id: id.clone(),
            target: TransferTarget::Level { level: 2 },
            note: "Needs a contract expert".into(),
        })
        .await?;
    let closed = first
        .recv_until("closed", |f| matches!(f, ServerMsg::Closed { .. }))
        .await?;
    assert!(
        matches!(closed, ServerMsg::Closed { transferred_to: Some(to), .. } if to == "level 2")
    );
    let handed = visitor
        .recv_until("the hand-over", |f| {
            matches!(f, ServerMsg::Event { event, .. } if matches!(event.kind, EventKind::Transferred { .. }))
        })
        .await?;
    assert!(matches!(handed, ServerMsg::Event { .. }));
    visitor
        .recv_until("back in the queue", |f| {
            matches!(f, ServerMsg::QueueStatus { position: 1, .. })
        })
        .await?;
    let first_frames = first
        .frames_during(std::time::Duration::from_millis(300))
        .await;
    assert!(!first_frames
        .iter()
        .any(|f| matches!(f, ServerMsg::Assigned { .. })));
    // A level-2 adviser comes online and gets it, with everything.
    let mut expert = online(&relay, "max", 2, &[]).await?;
    let detail = expert.next_assigned().await?;
    assert_eq!(detail.id, id);
    assert_eq!(detail.level, 2);
    let texts: Vec<String> = detail
        .events
        .iter()
        .filter_map(|e| e.as_message().map(|(_, body)| body.to_owned()))
        .collect();
    assert_eq!(
        texts,
        ["Clause 7 of my contract is unclear", "Let me ask an expert"]
    );
    assert_eq!(detail.notes.len(), 1);
    assert_eq!(detail.notes[0].body, "Customer since 2019");
    assert_eq!(detail.handovers.len(), 1);
    assert_eq!(detail.handovers[0].from, "lea");
    assert_eq!(detail.handovers[0].to, "level 2");
    assert_eq!(detail.handovers[0].note, "Needs a contract expert");
    // The visitor is told who joined and never sees notes.
    let joined = visitor
        .recv_until("the expert joins", |f| {
            matches!(f, ServerMsg::Event { event, .. } if matches!(&event.kind, EventKind::AdviserJoined { name } if name == "max"))
        })
        .await?;
    assert!(matches!(joined, ServerMsg::Event { .. }));
    let seen = visitor
        .frames_during(std::time::Duration::from_millis(200))
        .await;
    assert!(!format!("{seen:?}").contains("Customer since 2019"));
    expert.say(&id, "Clause 7 means this").await?;
    let reply = visitor.next_event().await?;
    assert_eq!(
        reply.as_message().map(|(_, b)| b),
        Some("Clause 7 means this")
    );
    // The record keeps the hand-over.
    let token = relay.api_token().await?;
    let record = relay
        .get_json(&format!("/api/v1/sessions/{id}"), &token)
        .await?;
    let advisers = record["advisers"].as_array().map(Vec::len);
    assert_eq!(advisers, Some(2), "{record}");
    assert_eq!(record["handovers"][0]["note"], "Needs a contract expert");
    Ok(())
}

#[tokio::test]
async fn a_transfer_to_a_named_colleague_is_immediate_and_to_a_queue_keeps_the_place(
) -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    relay.set_queue(queue("billing")).await?;
    let mut lea = online(&relay, "lea", 1, &["general"]).await?;
    let mut tom = online(&relay, "tom", 1, &["general"]).await?;
    tom.set_presence(false, 2).await?;
    let mut visitor = relay.visitor().await?;
    visitor
        .start_chat(chat_request("Ana", "ana@example.com", "Refund"))
        .await?;
    let id = lea.next_assigned().await?.id;
    // Tried: transferring to oneself, and to an unknown queue.
    let lea_id = lea.profile.id.clone();
    lea.send(&AdviserMsg::Transfer {
        conversation_id: id.clone(),
        target: TransferTarget::Adviser { adviser_id: lea_id },
        note: "x".into(),
    })
    .await?;
    lea.expect_error(ErrorCode::Conflict).await?;
    lea.send(&AdviserMsg::Transfer {
        conversation_id: id.clone(),
        target: TransferTarget::Queue {
            queue: "nope".into(),
        },
        note: "x".into(),
    })
    .await?;
    lea.expect_error(ErrorCode::InvalidInput).await?;
    // Tom is away but online: a named transfer reaches him at once.
    lea.send(&AdviserMsg::Transfer {
        conversation_id: id.clone(),
        target: TransferTarget::Adviser {
            adviser_id: tom.profile.id.clone(),
        },
        note: "You know this customer".into(),
    })
    .await?;
    let detail = tom.next_assigned().await?;
    assert_eq!(detail.id, id);
    assert_eq!(detail.handovers[0].to, "tom");
    // Tried: Léa writing in the chat she handed over.
    lea.send(&AdviserMsg::Send {
        conversation_id: id.clone(),
        client_msg_id: "late".into(),
        body: "still here?".into(),
    })
    .await?;
    lea.expect_error(ErrorCode::Forbidden).await?;
    // Tom sends it to billing, which nobody serves yet: it waits there, first in line.
    tom.send(&AdviserMsg::Transfer {
        conversation_id: id.clone(),
        target: TransferTarget::Queue {
            queue: "billing".into(),
        },
        note: "Invoice question".into(),
    })
    .await?;
    visitor
        .recv_until("waiting for billing", |f| {
            matches!(f, ServerMsg::QueueStatus { position: 1, .. })
        })
        .await?;
    let mut billing = online(&relay, "bill", 1, &["billing"]).await?;
    let detail = billing.next_assigned().await?;
    assert_eq!((detail.id.clone(), detail.queue.as_str()), (id, "billing"));
    assert_eq!(detail.handovers.len(), 2);
    Ok(())
}

/// Consoles are told only who changed: a desk of n advisers logging in must not send n lists
/// of n (the load harness saw consoles closed as slow consumers at 1,250 advisers).
#[tokio::test]
async fn a_console_gets_the_whole_desk_once_then_only_who_changed() -> anyhow::Result<()> {
    // Six advisers log in from one address within a second.
    let relay = TestRelay::spawn_configured(|config| {
        config.limits.logins_per_min = std::num::NonZeroU32::new(60).expect("not zero");
    })
    .await?;
    let mut lea = online(&relay, "lea", 1, &[]).await?;
    let mut others = Vec::new();
    for login in ["ana", "bob", "eve", "max"] {
        others.push(online(&relay, login, 1, &[]).await?);
    }
    // Once the arrivals have been announced (changes go out at most every 150 ms)…
    lea.recv_until("the four colleagues online and available", |f| {
        matches!(f, ServerMsg::ColleaguesChanged { advisers } if advisers.iter().any(|a| a.display_name == "max" && a.available))
    })
    .await?;
    let quiet = lea
        .frames_during(std::time::Duration::from_millis(400))
        .await;
    assert!(
        !quiet
            .iter()
            .any(|f| matches!(f, ServerMsg::ColleaguesChanged { .. })),
        "nothing changed, nothing is sent: {quiet:?}"
    );

    // …a newcomer gets the whole desk, and the others hear of the newcomer alone.
    relay.add_adviser_serving("zoe", "zoe", 2, &[]).await?;
    let mut zoe = AdviserClient::connect(&relay, "zoe").await?;
    let whole = zoe
        .recv_until("the whole desk", |f| {
            matches!(f, ServerMsg::Colleagues { .. })
        })
        .await?;
    let ServerMsg::Colleagues { advisers } = whole else {
        unreachable!()
    };
    let mut names: Vec<&str> = advisers.iter().map(|a| a.display_name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["ana", "bob", "eve", "lea", "max", "zoe"]);
    let change = lea
        .recv_until("zoe's arrival", |f| {
            matches!(f, ServerMsg::ColleaguesChanged { .. })
        })
        .await?;
    let ServerMsg::ColleaguesChanged { advisers } = change else {
        unreachable!()
    };
    let changed: Vec<(&str, bool)> = advisers
        .iter()
        .map(|a| (a.display_name.as_str(), a.online))
        .collect();
    assert_eq!(changed, [("zoe", true)], "only the newcomer travels");

    // Leaving is a change too.
    zoe.close().await;
    let left = lea
        .recv_until("zoe leaving", |f| {
            matches!(f, ServerMsg::ColleaguesChanged { .. })
        })
        .await?;
    assert!(
        matches!(&left, ServerMsg::ColleaguesChanged { advisers } if advisers.len() == 1 && advisers[0].display_name == "zoe" && !advisers[0].online),
        "{left:?}"
    );
    drop(others);
    Ok(())
}

#[tokio::test]
async fn advisers_can_ask_a_colleague_while_staying_in_the_chat() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut lea = online(&relay, "lea", 1, &[]).await?;
    let mut max = online(&relay, "max", 3, &[]).await?;
    lea.recv_until("Max coming online", |f| {
        matches!(f, ServerMsg::ColleaguesChanged { advisers } if advisers.iter().any(|a| a.display_name == "max" && a.online && a.level == 3))
    })
    .await?;
    lea.send(&AdviserMsg::AskColleague {
        to: max.profile.id.clone(),
        conversation_id: None,
        body: "Is clause 7 negotiable?".into(),
    })
    .await?;
    let received = max
        .recv_until("the question", |f| {
            matches!(f, ServerMsg::ColleagueMessage { .. })
        })
        .await?;
    let ServerMsg::ColleagueMessage { message } = received else {
        unreachable!()
    };
    assert_eq!(
        (message.from_name.as_str(), message.body.as_str()),
        ("lea", "Is clause 7 negotiable?")
    );
    lea.recv_until("the echo", |f| {
        matches!(f, ServerMsg::ColleagueMessage { .. })
    })
    .await?;
    Ok(())
}

#[tokio::test]
async fn canned_answers_and_queues_are_managed_with_checks() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let lea = relay.adviser("lea", "Léa").await?;
    let origin = relay.url("");
    let post = |body: serde_json::Value, origin: String| {
        reqwest::Client::new()
            .post(relay.url("/api/v1/canned"))
            .header("cookie", &lea.cookie)
            .header("origin", origin)
            .json(&body)
            .send()
    };
    let fr = |shortcut: &str, body: &str| serde_json::json!({"shortcut": shortcut, "locale": "fr", "body": body});
    let saved = post(
        fr("refund", "Le remboursement part sous 5 jours."),
        origin.clone(),
    )
    .await?;
    assert_eq!(saved.status(), 201);
    // Tried: a shortcut with a space, an empty text, and a change from another site's page.
    assert_eq!(
        post(fr("re fund", "x"), origin.clone()).await?.status(),
        400
    );
    assert_eq!(
        post(fr("refund", "  "), origin.clone()).await?.status(),
        400
    );
    let forged = post(fr("evil", "x"), "https://evil.example".into()).await?;
    assert_eq!(forged.status(), 403);
    // Saving the same shortcut and language again replaces the text.
    post(fr("refund", "Sous 3 jours."), origin.clone()).await?;
    let token = relay.api_token().await?;
    let list = relay.get_json("/api/v1/canned", &token).await?;
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list[0]["body"], "Sous 3 jours.");
    let id = list[0]["id"].as_str().unwrap_or_default().to_owned();
    let deleted = reqwest::Client::new()
        .delete(relay.url(&format!("/api/v1/canned/{id}")))
        .header("cookie", &lea.cookie)
        .header("origin", origin)
        .send()
        .await?;
    assert_eq!(deleted.status(), 204);
    // Queues: hours and time zone are checked before anything is saved.
    let put = |hours: &str, timezone: &str| {
        let body = serde_json::json!({"key": "sales", "name_en": "Sales", "name_fr": "Ventes",
            "hours": hours, "timezone": timezone, "max_wait_secs": null, "reply_within_hours": 8, "position": 2});
        reqwest::Client::new()
            .put(relay.url("/api/v1/queues/sales"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let bad_hours = put("whenever", "Europe/Paris").await?;
    assert_eq!(bad_hours.status(), 400);
    assert!(bad_hours.text().await?.contains("opening_hours"));
    assert_eq!(
        put("Mo-Fr 09:00-17:00", "Mars/Olympus").await?.status(),
        400
    );
    assert_eq!(
        put("Mo-Fr 09:00-17:00", "Europe/Paris").await?.status(),
        200
    );
    let queues = relay.get_json("/api/v1/queues", &token).await?;
    assert_eq!(queues.as_array().map(Vec::len), Some(2), "{queues}");
    // A visitor now sees it in the welcome.
    let mut visitor = tandem_tests::WsClient::open(&relay.ws_url("/ws/visitor"), None).await?;
    visitor
        .send(&tandem_shared::VisitorMsg::Hello {
            protocol: tandem_shared::PROTOCOL_VERSION,
            resume: None,
            last_seq: 0,
            tickets: vec![],
        })
        .await?;
    let welcome = visitor
        .recv_until("welcome", |f| matches!(f, ServerMsg::VisitorWelcome { .. }))
        .await?;
    let ServerMsg::VisitorWelcome { queues, .. } = welcome else {
        unreachable!()
    };
    assert!(queues
        .iter()
        .any(|q| q.key == "sales" && q.reply_within_hours == 8));
    Ok(())
}
