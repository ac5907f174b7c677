//! Roles: docs/roles.md's tables walked against a running relay. Tried: every route as an
//! adviser, a supervisor, an admin and API tokens of each scope; every console frame as each
//! role. Each refusal must be a 403 (`forbidden` frame) with nothing changed; each allowed
//! call must get past the check.

use reqwest::{Method, StatusCode};
use tandem_relay::auth::scope::TokenScope;
use tandem_shared::access::AdviserRole;
use tandem_shared::cobrowse::Guidance;
use tandem_shared::desk::TransferTarget;
use tandem_shared::model::Presence;
use tandem_shared::{AdviserId, AdviserMsg, ConversationId, ErrorCode, ServerMsg};
use tandem_tests::clients::{chat_request, resolved, AdviserClient};
use tandem_tests::{Endpoint, TestRelay};

const ROLES_DOC: &str = include_str!("../../../docs/roles.md");

/// A row of one of the doc's tables: its first cell and the others.
fn rows(header: &str) -> Vec<(String, Vec<String>)> {
    let table = ROLES_DOC
        .split(header)
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .unwrap_or_default();
    table
        .lines()
        .filter(|line| line.starts_with("| `"))
        .map(|line| {
            let cells: Vec<String> = line
                .trim_matches('|')
                .split('|')
                .map(|cell| cell.trim().trim_matches('`').to_owned())
                .collect();
            (cells[0].clone(), cells[1..].to_vec())
        })
        .collect()
}

/// Who calls.
#[derive(Clone, Debug)]
enum Who {
    Cookie(&'static str, String),
    Token(TokenScope, String),
}

/// What the relay holds that a refused request must not change.
async fn holdings(relay: &TestRelay, admin_token: &str, contact: &str) -> anyhow::Result<String> {
    let client = reqwest::Client::new();
    let mut all = String::new();
    for path in [
        "/api/v1/sessions".to_owned(),
        format!("/api/v1/contacts/{contact}"),
        "/api/v1/queues".to_owned(),
        "/api/v1/canned".to_owned(),
        "/api/v1/articles".to_owned(),
        "/api/v1/sites".to_owned(),
        "/api/v1/tickets".to_owned(),
    ] {
        let response = client
            .get(relay.url(&path))
            .bearer_auth(admin_token)
            .send()
            .await?;
        all.push_str(&format!(
            "{path} {} {}\n",
            response.status(),
            response.text().await?
        ));
    }
    Ok(all)
}

#[tokio::test]
async fn every_route_refuses_what_the_roles_table_refuses() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    relay.add_team().await?;
    let ada = AdviserClient::connect(&relay, "ada").await?;
    let sam = AdviserClient::connect(&relay, "sam").await?;
    let mut lea = AdviserClient::connect(&relay, "lea").await?;
    assert_eq!(ada.profile.role, AdviserRole::Admin);
    assert_eq!(sam.profile.role, AdviserRole::Supervisor);
    assert_eq!(lea.profile.role, AdviserRole::Adviser);
    lea.set_presence(true, 2).await?;
    let mut visitor = relay.visitor().await?;
    visitor
        .start_chat(chat_request("Ana Lima", "ana@example.com", "My contract"))
        .await?;
    let chat = lea.next_assigned().await?;
    let (conversation, contact) = (chat.id.0.clone(), chat.contact.id.0.clone());
    let admin_token = relay.api_token_scoped(TokenScope::Admin).await?;
    let callers = vec![
        Who::Cookie("adviser", lea.cookie.clone()),
        Who::Cookie("supervisor", sam.cookie.clone()),
        Who::Cookie("admin", ada.cookie.clone()),
        Who::Token(
            TokenScope::Read,
            relay.api_token_scoped(TokenScope::Read).await?,
        ),
        Who::Token(
            TokenScope::Write,
            relay.api_token_scoped(TokenScope::Write).await?,
        ),
        Who::Token(TokenScope::Admin, admin_token.clone()),
    ];
    let routes = rows("## Routes");
    assert!(
        routes.len() > 30,
        "the routes table was read: {}",
        routes.len()
    );
    let client = reqwest::Client::new();
    let (mut refused, mut allowed) = (0, 0);
    for (route, cells) in &routes {
        let (method, path) = route.split_once(' ').unwrap();
        if cells[0] == "anyone" {
            continue;
        }
        let path = path
            .replace("/contacts/{id}", &format!("/contacts/{contact}"))
            .replace("/sessions/{id}", &format!("/sessions/{conversation}"))
            .replace("/queues/{key}", "/queues/general")
            .replace("/sites/{key}", "/sites/demo")
            .replace("{login}", "nobody")
            .replace("{id}", "nothing-here");
        for who in &callers {
            let may = match who {
                Who::Cookie(role, _) => {
                    let column = ["adviser", "supervisor", "admin"]
                        .iter()
                        .position(|r| r == role)
                        .unwrap();
                    cells[column] == "✓"
                }
                Who::Token(scope, _) => {
                    TokenScope::parse(&cells[3]).is_some_and(|needed| scope.includes(needed))
                }
            };
            let mut request =
                client.request(Method::from_bytes(method.as_bytes())?, relay.url(&path));
            request = match who {
                Who::Cookie(_, cookie) => request.header("cookie", cookie),
                Who::Token(_, token) => request.bearer_auth(token),
            };
            if method != "GET" && method != "DELETE" {
                request = request.json(&serde_json::json!({}));
            }
            let before = if may {
                String::new()
            } else {
                holdings(&relay, &admin_token, &contact).await?
            };
            let response = request.send().await?;
            let status = response.status();
            let body = response.text().await?;
            if may {
                allowed += 1;
                assert!(
                    status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED,
                    "{route} as {who:?} is allowed by the table, got {status}: {body}"
                );
            } else {
                refused += 1;
                assert_eq!(status, StatusCode::FORBIDDEN, "{route} as {who:?}: {body}");
                assert!(body.contains("\"forbidden\""), "{route} as {who:?}: {body}");
                let after = holdings(&relay, &admin_token, &contact).await?;
                assert_eq!(before, after, "{route} as {who:?} changed something");
            }
        }
    }
    assert!(
        refused > 50 && allowed > 50,
        "{refused} refused, {allowed} allowed"
    );
    Ok(())
}

/// The frame named `name`, about `conversation`.
fn sample(name: &str, conversation: &ConversationId) -> AdviserMsg {
    let conversation_id = conversation.clone();
    match name {
        "hello" => AdviserMsg::Hello {
            protocol: tandem_shared::PROTOCOL_VERSION,
        },
        "set_presence" => AdviserMsg::SetPresence {
            presence: Presence {
                available: false,
                max_chats: 2,
            },
        },
        "take" => AdviserMsg::Take { conversation_id },
        "send" => AdviserMsg::Send {
            conversation_id,
            client_msg_id: tandem_tests::clients::client_msg_id(),
            body: "Bonjour".into(),
        },
        "typing" => AdviserMsg::Typing {
            conversation_id,
            active: true,
        },
        "seen" => AdviserMsg::Seen {
            conversation_id,
            seq: 1,
        },
        "sync" => AdviserMsg::Sync {
            conversation_id,
            after_seq: 0,
        },
        "end_chat" => AdviserMsg::EndChat { conversation_id },
        "wrap_up" => AdviserMsg::WrapUp {
            conversation_id,
            wrap_up: resolved(),
        },
        "transfer" => AdviserMsg::Transfer {
            conversation_id,
            target: TransferTarget::Level { level: 2 },
            note: "over to you".into(),
        },
        "add_note" => AdviserMsg::AddNote {
            conversation_id,
            body: "a note".into(),
        },
        "ask_colleague" => AdviserMsg::AskColleague {
            to: AdviserId::from("nobody"),
            conversation_id: Some(conversation_id),
            body: "a question".into(),
        },
        "cobrowse_request" => AdviserMsg::CobrowseRequest { conversation_id },
        "cobrowse_guide" => AdviserMsg::CobrowseGuide {
            conversation_id,
            guidance: Guidance::PointerHidden,
        },
        "cobrowse_resync" => AdviserMsg::CobrowseResync { conversation_id },
        "cobrowse_stop" => AdviserMsg::CobrowseStop { conversation_id },
        "join_by_code" => AdviserMsg::JoinByCode {
            code: "000 000".into(),
        },
        "watch" => AdviserMsg::Watch { conversation_id },
        "unwatch" => AdviserMsg::Unwatch { conversation_id },
        "whisper" => AdviserMsg::Whisper {
            conversation_id,
            body: "psst".into(),
        },
        "take_over" => AdviserMsg::TakeOver { conversation_id },
        "reassign" => AdviserMsg::Reassign {
            conversation_id,
            target: TransferTarget::Level { level: 2 },
        },
        other => panic!("docs/roles.md lists a frame this test cannot build: {other}"),
    }
}

/// The name the table gives a frame: adding a frame to the protocol breaks this match until
/// the table (and [`sample`]) know it.
fn name_of(frame: &AdviserMsg) -> &'static str {
    match frame {
        AdviserMsg::Hello { .. } => "hello",
        AdviserMsg::SetPresence { .. } => "set_presence",
        AdviserMsg::Take { .. } => "take",
        AdviserMsg::Send { .. } => "send",
        AdviserMsg::Typing { .. } => "typing",
        AdviserMsg::Seen { .. } => "seen",
        AdviserMsg::Sync { .. } => "sync",
        AdviserMsg::EndChat { .. } => "end_chat",
        AdviserMsg::WrapUp { .. } => "wrap_up",
        AdviserMsg::Transfer { .. } => "transfer",
        AdviserMsg::AddNote { .. } => "add_note",
        AdviserMsg::AskColleague { .. } => "ask_colleague",
        AdviserMsg::CobrowseRequest { .. } => "cobrowse_request",
        AdviserMsg::CobrowseGuide { .. } => "cobrowse_guide",
        AdviserMsg::CobrowseResync { .. } => "cobrowse_resync",
        AdviserMsg::CobrowseStop { .. } => "cobrowse_stop",
        AdviserMsg::JoinByCode { .. } => "join_by_code",
        AdviserMsg::Watch { .. } => "watch",
        AdviserMsg::Unwatch { .. } => "unwatch",
        AdviserMsg::Whisper { .. } => "whisper",
        AdviserMsg::TakeOver { .. } => "take_over",
        AdviserMsg::Reassign { .. } => "reassign",
        AdviserMsg::Unknown => "unknown",
    }
}

/// Sends `frame`, then a presence change as a marker: the frames in between answer it.
async fn answers_to(
    console: &mut AdviserClient,
    frame: &AdviserMsg,
) -> anyhow::Result<Vec<ServerMsg>> {
    console.send(frame).await?;
    let marker = Presence {
        available: false,
        max_chats: 3,
    };
    console
        .send(&AdviserMsg::SetPresence { presence: marker })
        .await?;
    let mut answers = Vec::new();
    loop {
        let frame = console.recv().await?;
        if matches!(&frame, ServerMsg::PresenceChanged { presence } if *presence == marker) {
            return Ok(answers);
        }
        answers.push(frame);
    }
}

fn forbidden(answers: &[ServerMsg]) -> bool {
    answers.iter().any(|f| {
        matches!(
            f,
            ServerMsg::Error {
                code: ErrorCode::Forbidden,
                ..
            }
        )
    })
}

#[tokio::test]
async fn every_console_frame_refuses_what_the_roles_table_refuses() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    relay.add_team().await?;
    let mut holder = relay.adviser("max", "Max").await?;
    holder.set_presence(true, 2).await?;
    let mut visitor = relay.visitor().await?;
    visitor
        .start_chat(chat_request("Ana Lima", "ana@example.com", "My contract"))
        .await?;
    let held = holder.next_assigned().await?.id;
    let mut consoles = [
        AdviserClient::connect(&relay, "lea").await?,
        AdviserClient::connect(&relay, "sam").await?,
        AdviserClient::connect(&relay, "ada").await?,
    ];
    let nowhere = ConversationId::from("nothing-here");
    let frames = rows("## Socket frames");
    assert!(
        frames.len() >= 21,
        "the frames table was read: {}",
        frames.len()
    );
    let token = relay.api_token().await?;
    let record = |relay: &TestRelay| {
        let url = relay.url(&format!("/api/v1/sessions/{}", held.0));
        let token = token.clone();
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .send()
                .await?
                .text()
                .await
        }
    };
    for (name, cells) in &frames {
        for (column, console) in consoles.iter_mut().enumerate() {
            let may = cells[column] == "✓";
            // A refused frame aims at a real chat (it must stay as it is); an allowed one at
            // none, so that it changes nothing the next rows need.
            let frame = sample(name, if may { &nowhere } else { &held });
            assert_eq!(name_of(&frame), name);
            let before = record(&relay).await?;
            let answers = answers_to(console, &frame).await?;
            let role = console.profile.role;
            if may {
                assert!(!forbidden(&answers), "{name} as {role:?}: {answers:?}");
                assert!(
                    !answers.iter().any(|f| matches!(
                        f,
                        ServerMsg::Error {
                            code: ErrorCode::MalformedFrame | ErrorCode::UnknownType,
                            ..
                        }
                    )),
                    "{name} as {role:?} was not read: {answers:?}"
                );
            } else {
                assert!(forbidden(&answers), "{name} as {role:?}: {answers:?}");
                assert!(
                    !answers.iter().any(|f| matches!(
                        f,
                        ServerMsg::Watching { .. }
                            | ServerMsg::Assigned { .. }
                            | ServerMsg::Note { .. }
                    )),
                    "{name} as {role:?} got something: {answers:?}"
                );
                assert_eq!(
                    before,
                    record(&relay).await?,
                    "{name} as {role:?} changed the chat"
                );
            }
        }
    }
    // The chat is still Max's, and the visitor heard of nothing.
    holder
        .send(&AdviserMsg::Sync {
            conversation_id: held.clone(),
            after_seq: 0,
        })
        .await?;
    assert!(!forbidden(
        &holder
            .frames_during(std::time::Duration::from_millis(300))
            .await
    ));
    assert!(visitor.frames_during(std::time::Duration::from_millis(100)).await.iter().all(
        |f| !matches!(f, ServerMsg::Event { event, .. } if matches!(event.kind, tandem_shared::EventKind::Transferred { .. }))
    ));
    Ok(())
}
