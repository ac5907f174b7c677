//! The admins' Team API: accounts, roles, enabling, API tokens — what the command line does,
//! from the console. Tried: a taken login, a short password, demoting the last admin, a token
//! used beyond its scope, a revoked token.

use reqwest::StatusCode;
use serde_json::{json, Value};
use tandem_shared::access::{AdviserRole, TeamMember};
use tandem_tests::clients::AdviserClient;
use tandem_tests::relay::TEST_PASSWORD;
use tandem_tests::{Endpoint, TestRelay};

#[tokio::test]
async fn an_admin_manages_accounts_roles_and_tokens_from_the_console() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    relay.add_adviser("ada", "Ada").await?;
    let ada = AdviserClient::connect(&relay, "ada").await?;
    let http = reqwest::Client::new();
    let as_ada = |request: reqwest::RequestBuilder| request.header("cookie", ada.cookie.clone());

    // A new supervisor.
    let added = as_ada(http.post(relay.url("/api/v1/team")))
        .json(&json!({"login": "sam", "name": "Sam", "password": TEST_PASSWORD, "role": "supervisor"}))
        .send()
        .await?;
    assert_eq!(added.status(), StatusCode::CREATED);
    let team: Vec<TeamMember> = added.json().await?;
    assert!(team
        .iter()
        .any(|m| m.login == "sam" && m.role == AdviserRole::Supervisor));
    for (body, status) in [
        (
            json!({"login": "sam", "name": "Other", "password": TEST_PASSWORD, "role": "admin"}),
            409,
        ),
        (
            json!({"login": "bob", "name": "Bob", "password": "short", "role": "adviser"}),
            400,
        ),
        (
            json!({"login": "bob", "name": "Bob", "password": TEST_PASSWORD, "role": "root"}),
            422,
        ),
    ] {
        let refused = as_ada(http.post(relay.url("/api/v1/team")))
            .json(&body)
            .send()
            .await?;
        assert_eq!(refused.status().as_u16(), status, "{body}");
    }
    let mut sam = AdviserClient::connect(&relay, "sam").await?;
    assert_eq!(sam.profile.role, AdviserRole::Supervisor);

    // Sam becomes an adviser: his console closes, his next login has the new role.
    let changed = as_ada(http.put(relay.url("/api/v1/team/sam/role")))
        .json(&json!({"role": "adviser"}))
        .send()
        .await?;
    assert_eq!(changed.status(), StatusCode::OK);
    let close = sam.recv_close().await?;
    assert_eq!(close.map(|c| u16::from(c.code)), Some(4001));
    let sam = AdviserClient::connect(&relay, "sam").await?;
    assert_eq!(sam.profile.role, AdviserRole::Adviser);

    // Tried: demoting or disabling the last admin.
    for (path, body) in [
        ("/api/v1/team/ada/role", json!({"role": "supervisor"})),
        ("/api/v1/team/ada/enabled", json!({"enabled": false})),
    ] {
        let refused = as_ada(http.put(relay.url(path))).json(&body).send().await?;
        assert_eq!(refused.status(), StatusCode::CONFLICT, "{path}");
    }
    let disabled = as_ada(http.put(relay.url("/api/v1/team/sam/enabled")))
        .json(&json!({"enabled": false}))
        .send()
        .await?;
    assert_eq!(disabled.status(), StatusCode::OK);
    assert_eq!(relay.login("sam", TEST_PASSWORD).await?.status(), 401);

    // A read token: reads, changes nothing, stops at once when revoked.
    let made: Value = as_ada(http.post(relay.url("/api/v1/tokens")))
        .json(&json!({"name": "bi", "scope": "read"}))
        .send()
        .await?
        .json()
        .await?;
    let token = made["token"].as_str().unwrap_or_default().to_owned();
    let id = made["tokens"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(made["tokens"][0]["scope"], "read");
    assert!(
        !made["tokens"].to_string().contains(&token),
        "listed without the token"
    );
    let read = http
        .get(relay.url("/api/v1/sessions"))
        .bearer_auth(&token)
        .send()
        .await?;
    assert_eq!(read.status(), StatusCode::OK);
    let write = http
        .put(relay.url("/api/v1/queues/sales"))
        .bearer_auth(&token)
        .json(&json!({}))
        .send()
        .await?;
    assert_eq!(write.status(), StatusCode::FORBIDDEN);
    let revoked = as_ada(http.delete(relay.url(&format!("/api/v1/tokens/{id}"))))
        .send()
        .await?;
    assert_eq!(revoked.status(), StatusCode::OK);
    let after = http
        .get(relay.url("/api/v1/sessions"))
        .bearer_auth(&token)
        .send()
        .await?;
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);

    // Each change is in the audit trail under Ada's name.
    let admin_token = relay.api_token().await?;
    let trail = relay
        .get_json("/api/v1/audit?actor=ada", &admin_token)
        .await?;
    let actions: Vec<&str> = trail
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for action in [
        "adviser.created",
        "adviser.role_changed",
        "adviser.disabled",
        "token.created",
        "token.revoked",
    ] {
        assert_eq!(
            actions.iter().filter(|a| **a == action).count(),
            1,
            "{action}: {actions:?}"
        );
    }
    Ok(())
}
