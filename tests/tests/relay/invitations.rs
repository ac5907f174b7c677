//! Proactive invitations: a site's rules, offered to a page only while an adviser of the
//! rule's queue is available, and what visitors did with them counted for the dashboard.
//! Tried: a rule the site does not have, an event that does not exist, a rule that must be
//! refused, and one address reporting far more than a visitor could.

use serde_json::{json, Value};
use tandem_tests::{Endpoint, TestRelay};

fn shop_with_invitation() -> Value {
    json!({
        "key": "shop",
        "name": "Shop",
        "invitations": [{
            "id": "pricing",
            "url_pattern": "/pricing*",
            "after_secs": 20,
            "message": { "fr": "Une question sur nos tarifs ?", "en": "A question about our prices?" }
        }]
    })
}

async fn put_site(relay: &TestRelay, token: &str, body: &Value) -> anyhow::Result<(u16, Value)> {
    let response = reqwest::Client::new()
        .put(relay.url("/api/v1/sites/shop"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await?;
    Ok((response.status().as_u16(), response.json().await?))
}

/// The invitation offered to a page at `path` (anonymous, as the loader asks).
async fn offered(relay: &TestRelay, path: &str) -> anyhow::Result<Value> {
    Ok(
        reqwest::get(relay.url(&format!("/api/v1/sites/shop/invitations?path={path}")))
            .await?
            .error_for_status()?
            .json()
            .await?,
    )
}

async fn report_event(relay: &TestRelay, rule: &str, event: &str) -> anyhow::Result<u16> {
    Ok(reqwest::Client::new()
        .post(relay.url(&format!("/api/v1/sites/shop/invitations/{rule}/{event}")))
        .send()
        .await?
        .status()
        .as_u16())
}

#[tokio::test]
async fn invitations_are_offered_while_someone_can_answer_and_counted() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let token = relay.api_token().await?;
    let mut refused = shop_with_invitation();
    refused["invitations"][0]["url_pattern"] = json!("javascript:alert(1)");
    let (status, body) = put_site(&relay, &token, &refused).await?;
    assert_eq!(status, 400, "{body}");
    assert!(body.to_string().contains("url_pattern"), "{body}");
    let look = |relay: &TestRelay| {
        let url = relay.url("/api/v1/sites/shop/appearance");
        async move { anyhow::Ok(reqwest::get(url).await?.json::<Value>().await?) }
    };
    // The loader fetches the invitations' code only for a site that has some.
    let mut without_rules = shop_with_invitation();
    without_rules["invitations"] = json!([]);
    let (status, body) = put_site(&relay, &token, &without_rules).await?;
    assert_eq!(status, 200, "{body}");
    assert_eq!(look(&relay).await?["invitations"], false);
    let (status, body) = put_site(&relay, &token, &shop_with_invitation()).await?;
    assert_eq!(status, 200, "{body}");
    assert_eq!(look(&relay).await?["invitations"], true);

    // Nobody available: nothing is offered, whatever the page.
    assert_eq!(offered(&relay, "/pricing/team").await?, Value::Null);
    let mut lea = relay.adviser("lea", "Léa").await?;
    lea.set_presence(true, 2).await?;
    let rule = tandem_tests::eventually("the invitation offered", || async {
        let rule = offered(&relay, "/pricing/team").await?;
        anyhow::ensure!(!rule.is_null(), "not offered yet");
        Ok(rule)
    })
    .await?;
    assert_eq!(rule["id"], "pricing");
    assert_eq!(rule["after_secs"], 20);
    assert_eq!(rule["message"]["fr"], "Une question sur nos tarifs ?");
    assert_eq!(
        offered(&relay, "/about").await?,
        Value::Null,
        "a page the pattern does not match"
    );

    for event in ["shown", "shown", "opened", "dismissed"] {
        assert_eq!(report_event(&relay, "pricing", event).await?, 204);
    }
    assert_eq!(report_event(&relay, "nonexistent", "shown").await?, 404);
    assert_eq!(report_event(&relay, "pricing", "clicked").await?, 400);

    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let report = relay
        .get_json(&format!("/api/v1/report?from={today}&to={today}"), &token)
        .await?;
    assert_eq!(
        report["invitations"],
        json!([{"site": "shop", "rule": "pricing", "shown": 2, "opened": 1, "dismissed": 1}])
    );

    // One address cannot inflate the counts without bound.
    let mut statuses = Vec::new();
    for _ in 0..70 {
        statuses.push(report_event(&relay, "pricing", "shown").await?);
    }
    assert!(statuses.contains(&429), "{statuses:?}");
    let counted = relay
        .get_json(&format!("/api/v1/report?from={today}&to={today}"), &token)
        .await?;
    assert!(
        counted["invitations"][0]["shown"]
            .as_u64()
            .is_some_and(|n| n <= 60),
        "{counted}"
    );

    // The adviser leaves: the invitation is no longer offered.
    lea.set_presence(false, 2).await?;
    tandem_tests::eventually("the invitation withdrawn", || async {
        anyhow::ensure!(
            offered(&relay, "/pricing").await?.is_null(),
            "still offered"
        );
        Ok(())
    })
    .await?;
    Ok(())
}
