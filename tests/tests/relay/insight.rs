//! Satisfaction and metrics: the survey stored on the record, the dashboard's figures on a
//! known set of sessions, the CSV export, and `GET /metrics` for Prometheus.

use tandem_shared::desk::Survey;
use tandem_shared::model::{Resolution, WrapUp};
use tandem_shared::{ErrorCode, ServerMsg, VisitorMsg};
use tandem_tests::clients::chat_request;
use tandem_tests::{Endpoint, TestRelay};

fn resolved() -> WrapUp {
    WrapUp {
        resolution: Resolution::Resolved,
        answer: None,
        agreed_solution: None,
        actions_taken: None,
        follow_up_date: None,
        compensation: None,
        prevention: None,
    }
}

#[tokio::test]
async fn the_survey_is_stored_and_the_dashboard_counts_a_known_day() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut lea = relay.adviser("lea", "Léa").await?;
    lea.set_presence(true, 2).await?;
    // 1: answered, resolved, rated 5 / 7 / 10.
    let mut ana = relay.visitor().await?;
    let conversation = ana
        .start_chat(chat_request("Ana", "ana@example.com", "Refund"))
        .await?;
    let id = lea.next_assigned().await?.id;
    lea.say(&id, "Hello Ana").await?;
    lea.end_and_wrap_up(&id, resolved()).await?;
    // Tried: a score off its scale, then a forged token, then the real survey, then twice.
    ana.send(&VisitorMsg::Survey {
        token: conversation.token.clone(),
        survey: Survey {
            csat: Some(6),
            ..Survey::default()
        },
    })
    .await?;
    ana.expect_error(ErrorCode::InvalidInput).await?;
    ana.send(&VisitorMsg::Survey {
        token: "v1.x.y".into(),
        survey: Survey {
            csat: Some(1),
            ..Survey::default()
        },
    })
    .await?;
    ana.expect_error(ErrorCode::Unauthorized).await?;
    let survey = Survey {
        csat: Some(5),
        ces: Some(7),
        nps: Some(10),
        comment: Some("Quick and kind".into()),
    };
    ana.send(&VisitorMsg::Survey {
        token: conversation.token.clone(),
        survey: survey.clone(),
    })
    .await?;
    ana.recv_until("saved", |f| matches!(f, ServerMsg::SurveySaved { .. }))
        .await?;
    ana.send(&VisitorMsg::Survey {
        token: conversation.token.clone(),
        survey: survey.clone(),
    })
    .await?;
    ana.expect_error(ErrorCode::Conflict).await?;
    // 2: the same contact comes back (so 1 is reopened), answered, rated 2 / 3 / 4.
    let mut again = relay.visitor().await?;
    let second = again
        .start_chat(chat_request("Ana", "ana@example.com", "Refund again"))
        .await?;
    let id2 = lea.next_assigned().await?.id;
    lea.end_and_wrap_up(&id2, resolved()).await?;
    again
        .send(&VisitorMsg::Survey {
            token: second.token,
            survey: Survey {
                csat: Some(2),
                ces: Some(3),
                nps: Some(4),
                comment: None,
            },
        })
        .await?;
    again
        .recv_until("saved", |f| matches!(f, ServerMsg::SurveySaved { .. }))
        .await?;
    // 3: abandoned in the queue.
    lea.set_presence(false, 2).await?;
    let mut bob = relay.visitor().await?;
    bob.start_chat(chat_request("Bob", "bob@example.com", "Hello"))
        .await?;
    bob.send(&VisitorMsg::EndChat).await?;
    bob.recv_until("ticket", |f| matches!(f, ServerMsg::Ticket { .. }))
        .await?;

    let token = relay.api_token().await?;
    let record = relay
        .get_json(&format!("/api/v1/sessions/{id}"), &token)
        .await?;
    assert_eq!(record["survey"]["csat"], 5);
    assert_eq!(record["survey"]["comment"], "Quick and kind");
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let report = relay
        .get_json(&format!("/api/v1/report?from={today}&to={today}"), &token)
        .await?;
    let all = &report["overall"];
    assert_eq!(
        (
            all["requests"].as_u64(),
            all["answered"].as_u64(),
            all["abandoned"].as_u64()
        ),
        (Some(3), Some(2), Some(1))
    );
    assert!((all["abandonment_rate"].as_f64().unwrap_or_default() - 1.0 / 3.0).abs() < 1e-9);
    assert_eq!(
        all["first_contact_resolution"], 0.5,
        "the first was reopened by the second"
    );
    assert_eq!(all["csat"], 3.5);
    assert_eq!(all["ces"], 5.0);
    assert_eq!(all["nps"], 0.0, "one promoter, one detractor");
    assert_eq!(all["surveys"], 2);
    assert!(all["mean_first_response_secs"].as_f64().is_some());
    assert_eq!(report["by_adviser"][0]["key"], "Léa");
    assert_eq!(report["by_adviser"][0]["figures"]["answered"], 2);
    let hours: u64 = report["requests_by_hour"]
        .as_array()
        .map(|h| h.iter().filter_map(|v| v.as_u64()).sum())
        .unwrap_or(0);
    assert_eq!(hours, 3);
    // Tried: a period that runs backwards.
    let backwards = reqwest::Client::new()
        .get(relay.url("/api/v1/report?from=2026-02-01&to=2026-01-01"))
        .bearer_auth(&token)
        .send()
        .await?;
    assert_eq!(backwards.status(), 400);
    // CSV export.
    let csv = reqwest::Client::new()
        .get(relay.url(&format!("/api/v1/report.csv?from={today}&to={today}")))
        .bearer_auth(&token)
        .send()
        .await?;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await?;
    assert!(
        csv.lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("all,,3,2,1,")),
        "{csv}"
    );
    assert!(csv.contains("adviser,Léa,2,2,0"), "{csv}");
    // Prometheus: live figures; refused without a token.
    let anonymous = reqwest::get(relay.url("/metrics")).await?;
    assert_eq!(anonymous.status(), 401);
    let metrics = reqwest::Client::new()
        .get(relay.url("/metrics"))
        .bearer_auth(&token)
        .send()
        .await?
        .text()
        .await?;
    assert!(
        metrics.contains("tandem_requests_total{queue=\"general\"} 3"),
        "{metrics}"
    );
    assert!(
        metrics.contains("tandem_abandoned_total{queue=\"general\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("tandem_advisers_online 1"), "{metrics}");
    assert!(
        metrics.contains("tandem_messages_total{kind=\"adviser\"} 1"),
        "{metrics}"
    );
    Ok(())
}

#[tokio::test]
async fn metrics_show_every_family_at_zero_before_anything_happens() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let token = relay.api_token().await?;
    let metrics = || async {
        let text = reqwest::Client::new()
            .get(relay.url("/metrics"))
            .bearer_auth(&token)
            .send()
            .await?
            .text()
            .await?;
        anyhow::Ok(text)
    };
    let fresh = metrics().await?;
    for series in [
        "tandem_requests_total{queue=\"general\"} 0",
        "tandem_abandoned_total{queue=\"general\"} 0",
        "tandem_messages_total{kind=\"visitor\"} 0",
        "tandem_tickets_total{kind=\"callback\"} 0",
        "tandem_transfers_total 0",
        "tandem_waiting{queue=\"general\"} 0",
    ] {
        assert!(fresh.contains(series), "{series} missing from:\n{fresh}");
    }
    // A queue added while the relay runs shows at once.
    relay
        .set_queue(tandem_tests::relay::queue("billing"))
        .await?;
    let later = metrics().await?;
    assert!(
        later.contains("tandem_requests_total{queue=\"billing\"} 0"),
        "{later}"
    );
    Ok(())
}
