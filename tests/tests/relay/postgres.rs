//! The CRM store on a real PostgreSQL (a throw-away cluster per test): an SQLite store moved
//! into it with `tandem-relay store copy`, and the guarantee several relay nodes will rest on,
//! that one waiting visitor is given to one adviser even when two take them at the same
//! instant through two connections. (The whole relay suite also runs on PostgreSQL: see
//! `TANDEM_TEST_STORE` in `scripts/test.sh`.)

use serde_json::Value;
use std::net::SocketAddr;
use std::process::Command;
use tandem_relay::store::{NewAdviser, Store, StoreLocation};
use tandem_shared::model::{Channel, ChatRequest};
use tandem_shared::{AdviserId, ConversationId};
use tandem_tests::clients::{chat_request, AdviserClient, VisitorClient};
use tandem_tests::postgres::PostgresCluster;
use tandem_tests::process::relay_binary;
use tandem_tests::relay::test_config;
use tandem_tests::{Endpoint, TestRelay};

fn any_port() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

#[tokio::test]
async fn an_sqlite_store_moves_into_postgresql_and_the_chat_goes_on_there() -> anyhow::Result<()> {
    // A relay on the default SQLite file, with a chat in progress.
    let dir = tempfile::tempdir()?;
    let sqlite = dir.path().join("tandem.db");
    let mut relay = TestRelay::start(&sqlite, test_config()).await?;
    let mut adviser = relay.adviser("lea", "Léa Martin").await?;
    adviser.set_presence(true, 2).await?;
    let mut visitor = relay.visitor().await?;
    let conversation = visitor
        .start_chat(chat_request(
            "Ana Lima",
            "ana@example.com",
            "Where is my refund?",
        ))
        .await?;
    adviser.next_assigned().await?;
    visitor.say("Hello, I am waiting for a refund").await?;
    let answer = adviser.say(&conversation.id, "It left on Monday").await?;
    let visitor_token = visitor.token()?;
    let api_token = relay.api_token().await?;
    let session_path = format!("/api/v1/sessions/{}", conversation.id);
    let before: Value = relay.get_json(&session_path, &api_token).await?;
    let contact_path = format!(
        "/api/v1/contacts/{}",
        before["contact"]["id"].as_str().unwrap()
    );
    let contact_before: Value = relay.get_json(&contact_path, &api_token).await?;
    visitor.close().await;
    drop(adviser);
    relay.shutdown().await;

    // The documented one-off command moves it into a new PostgreSQL database.
    let cluster = PostgresCluster::start()?;
    let url = cluster.create_database()?;
    let copy = Command::new(relay_binary()?)
        .args(["store", "copy", "--store"])
        .arg(&sqlite)
        .args(["--to", &url])
        .output()?;
    let printed = String::from_utf8_lossy(&copy.stdout);
    assert!(
        copy.status.success(),
        "the copy succeeds: {printed} {}",
        String::from_utf8_lossy(&copy.stderr)
    );
    assert!(
        printed.contains("events"),
        "the copy lists what it moved: {printed}"
    );

    // A relay on PostgreSQL serves the same record, to the same API token, byte for byte.
    let relay = TestRelay::start_at(
        &StoreLocation::Postgres(url.clone()),
        test_config(),
        any_port(),
    )
    .await?;
    let after: Value = relay.get_json(&session_path, &api_token).await?;
    assert_eq!(
        after, before,
        "the session record is the same after the move"
    );
    let contact_after: Value = relay.get_json(&contact_path, &api_token).await?;
    assert_eq!(contact_after, contact_before, "so is the contact's record");

    // The visitor's page resumes with its token, the adviser logs in with their password,
    // and the conversation goes on, numbered after what was moved.
    let mut visitor = VisitorClient::connect(&relay, Some(&visitor_token), answer.seq).await?;
    let mut adviser = AdviserClient::connect(&relay, "lea").await?;
    let more = visitor.say("Thank you, received!").await?;
    assert_eq!(
        more.seq,
        answer.seq + 1,
        "numbering continues without a gap"
    );
    assert_eq!(adviser.next_event().await?, more, "the adviser receives it");

    // A second copy into a store in use is refused and changes nothing.
    let again = Command::new(relay_binary()?)
        .args(["store", "copy", "--store"])
        .arg(&sqlite)
        .args(["--to", &url])
        .output()?;
    assert!(!again.status.success(), "copying into a store in use fails");
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already holds data"),
        "and says why: {}",
        String::from_utf8_lossy(&again.stderr)
    );
    let still: Value = relay.get_json(&session_path, &api_token).await?;
    assert_eq!(
        still["transcript"].as_array().map(Vec::len),
        after["transcript"].as_array().map(|lines| lines.len() + 1),
        "the target keeps its conversation, one message longer"
    );
    Ok(())
}

#[tokio::test]
async fn two_connections_taking_the_same_visitor_at_once_give_them_to_one_adviser_only(
) -> anyhow::Result<()> {
    // Two stores on one database, as two relay nodes will have.
    let cluster = PostgresCluster::start()?;
    let location = StoreLocation::Postgres(cluster.create_database()?);
    let node_a = Store::connect(&location).await?;
    let node_b = Store::connect(&location).await?;
    let lea = adviser(&node_a, "lea").await?;
    let tom = adviser(&node_b, "tom").await?;
    let request = ChatRequest {
        name: "Ana".into(),
        email: Some("ana@example.com".into()),
        ..Default::default()
    };
    let contact = node_a.upsert_contact(&request, None, 1).await?;
    const VISITORS: usize = 40;
    for n in 0..VISITORS {
        node_a
            .create_conversation(
                &ConversationId(format!("c{n}")),
                &contact,
                &request,
                Channel::Chat,
                1,
            )
            .await?;
    }

    // Each waiting visitor is taken by both advisers at the same instant.
    let mut races = Vec::new();
    for n in 0..VISITORS {
        let id = ConversationId(format!("c{n}"));
        let (a, b) = (node_a.clone(), node_b.clone());
        let (lea, tom) = (lea.clone(), tom.clone());
        races.push(tokio::spawn(async move {
            let (by_lea, by_tom) = tokio::join!(a.assign(&id, &lea, 2), b.assign(&id, &tom, 2));
            (id, by_lea, by_tom)
        }));
    }
    for race in races {
        let (id, by_lea, by_tom) = race.await?;
        let (by_lea, by_tom) = (by_lea?, by_tom?);
        assert!(
            by_lea ^ by_tom,
            "{id:?} went to exactly one adviser (Léa {by_lea}, Tom {by_tom})"
        );
        let winner = if by_lea { &lea } else { &tom };
        let open = node_b
            .conversation(&id)
            .await?
            .expect("the conversation exists");
        assert_eq!(
            open.adviser_id.as_deref(),
            Some(winner.as_str()),
            "{id:?} has the winner on record"
        );
    }
    Ok(())
}

async fn adviser(store: &Store, login: &str) -> anyhow::Result<AdviserId> {
    let hash = tandem_relay::auth::password::hash_password("a long enough password")?;
    Ok(store
        .upsert_adviser(
            NewAdviser {
                login,
                display_name: login,
                password_hash: &hash,
                role: tandem_shared::access::AdviserRole::Adviser,
            },
            &tandem_relay::store::Actor::command_line(),
            1,
        )
        .await?
        .id)
}
