//! The audit trail: each audited action writes exactly one entry naming its actor, address
//! and target; entries outlive an erasure without the contact's personal data; nothing edits
//! or deletes them but their own retention.

use reqwest::StatusCode;
use serde_json::{json, Value};
use tandem_relay::store::{Actor, Audit, AuditFilter};
use tandem_shared::access::AdviserRole;
use tandem_shared::audit::AuditEntry;
use tandem_shared::{ServerMsg, VisitorMsg};
use tandem_tests::clients::{chat_request, cobrowse_consented, resolved, AdviserClient};
use tandem_tests::{Endpoint, TestRelay};

async fn entries(relay: &TestRelay, token: &str, query: &str) -> anyhow::Result<Vec<AuditEntry>> {
    Ok(reqwest::Client::new()
        .get(relay.url(&format!("/api/v1/audit?{query}")))
        .bearer_auth(token)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?)
}

/// The one entry of `action`; fails when there is none or more than one.
fn one<'a>(all: &'a [AuditEntry], action: &str) -> &'a AuditEntry {
    let found: Vec<&AuditEntry> = all.iter().filter(|e| e.action == action).collect();
    assert_eq!(found.len(), 1, "{action}: {found:#?}");
    found[0]
}

#[tokio::test]
async fn each_audited_action_writes_one_entry_with_actor_address_and_target() -> anyhow::Result<()>
{
    let relay = TestRelay::spawn().await?;
    relay
        .add_adviser_with_role("ada", "Ada", AdviserRole::Admin)
        .await?;
    relay
        .add_adviser_with_role("lea", "Léa", AdviserRole::Adviser)
        .await?;
    let token = relay.api_token().await?;
    // Tried: a wrong password (the refusal is recorded, not the password).
    let refused = relay.login("ada", "not the password").await?;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let ada = AdviserClient::connect(&relay, "ada").await?;
    let mut lea = AdviserClient::connect(&relay, "lea").await?;
    lea.set_presence(true, 2).await?;
    let mut visitor = relay.visitor().await?;
    visitor
        .start_chat(chat_request(
            "Zoé Oubliée",
            "zoe.oubliee@example.com",
            "Mon contrat",
        ))
        .await?;
    let chat = lea.next_assigned().await?;
    let contact = chat.contact.id.0.clone();
    cobrowse_consented(&mut visitor, &mut lea, &chat.id).await?;
    visitor
        .send(&VisitorMsg::CobrowseFilled {
            field: "iban".into(),
        })
        .await?;
    lea.recv_until("the fill", |f| {
        matches!(f, ServerMsg::CobrowseFilled { .. })
    })
    .await?;
    lea.end_and_wrap_up(&chat.id, resolved()).await?;

    let http = reqwest::Client::new();
    let as_ada = |request: reqwest::RequestBuilder| request.header("cookie", ada.cookie.clone());
    let ok = |response: reqwest::Response| async move {
        let status = response.status();
        let body = response.text().await?;
        assert!(status.is_success(), "{status}: {body}");
        anyhow::Ok(body)
    };
    ok(
        as_ada(http.get(relay.url(&format!("/api/v1/contacts/{contact}"))))
            .send()
            .await?,
    )
    .await?;
    ok(
        as_ada(http.get(relay.url(&format!("/api/v1/sessions/{}", chat.id.0))))
            .send()
            .await?,
    )
    .await?;
    ok(
        as_ada(http.get(relay.url(&format!("/api/v1/contacts/{contact}/export"))))
            .send()
            .await?,
    )
    .await?;
    ok(
        as_ada(http.get(relay.url("/api/v1/sessions.csv?from=2026-01-01&to=2026-12-31")))
            .send()
            .await?,
    )
    .await?;
    ok(
        as_ada(http.patch(relay.url(&format!("/api/v1/contacts/{contact}"))))
            .json(&json!({"name": "Zoé O.", "email": "zoe.oubliee@example.com"}))
            .send()
            .await?,
    )
    .await?;
    ok(
        as_ada(http.post(relay.url(&format!("/api/v1/contacts/{contact}/notes"))))
            .json(&json!({"body": "Rappeler jeudi"}))
            .send()
            .await?,
    )
    .await?;
    ok(as_ada(http.put(relay.url("/api/v1/queues/sales")))
        .json(&json!({"key": "sales", "name_en": "Sales", "name_fr": "Ventes", "timezone": "Europe/Paris", "reply_within_hours": 24, "position": 2}))
        .send()
        .await?)
    .await?;
    ok(as_ada(http.put(relay.url("/api/v1/sites/brico")))
        .json(&json!({"key": "brico", "name": "Brico", "origins": ["https://brico.example"]}))
        .send()
        .await?)
    .await?;
    let canned: Value = serde_json::from_str(
        &ok(as_ada(http.post(relay.url("/api/v1/canned")))
            .json(&json!({"shortcut": "merci", "locale": "fr", "body": "Merci !"}))
            .send()
            .await?)
        .await?,
    )?;
    let canned_id = canned["id"].as_str().unwrap_or_default().to_owned();
    ok(
        as_ada(http.delete(relay.url(&format!("/api/v1/canned/{canned_id}"))))
            .send()
            .await?,
    )
    .await?;
    let article: Value = serde_json::from_str(
        &ok(http
            .post(relay.url("/api/v1/articles"))
            .bearer_auth(&token)
            .json(&json!({"locale": "fr", "title": "Changer de RIB", "body": "Dans votre espace."}))
            .send()
            .await?)
        .await?,
    )?;
    let article_id = article["id"].as_str().unwrap_or_default().to_owned();
    ok(http
        .delete(relay.url(&format!("/api/v1/articles/{article_id}")))
        .bearer_auth(&token)
        .send()
        .await?)
    .await?;
    ok(
        as_ada(http.delete(relay.url(&format!("/api/v1/contacts/{contact}"))))
            .send()
            .await?,
    )
    .await?;

    let all = entries(&relay, &token, "").await?;
    let ada_id = ada.profile.id.0.clone();
    let by_ada = |entry: &AuditEntry| {
        entry.actor == "ada"
            && entry.actor_id.as_deref() == Some(ada_id.as_str())
            && entry.address.as_deref() == Some("127.0.0.1")
    };
    for (action, kind, target) in [
        ("contact.viewed", "contact", contact.as_str()),
        ("session.viewed", "conversation", chat.id.0.as_str()),
        ("contact.exported", "contact", contact.as_str()),
        ("contact.updated", "contact", contact.as_str()),
        ("contact.note_added", "contact", contact.as_str()),
        ("queue.changed", "queue", "sales"),
        ("site.changed", "site", "brico"),
        ("canned.saved", "canned_answer", canned_id.as_str()),
        ("canned.deleted", "canned_answer", canned_id.as_str()),
        ("contact.erased", "contact", contact.as_str()),
    ] {
        let entry = one(&all, action);
        assert!(by_ada(entry), "{entry:#?}");
        assert_eq!(entry.target_kind.as_deref(), Some(kind), "{entry:#?}");
        assert_eq!(entry.target_id.as_deref(), Some(target), "{entry:#?}");
    }
    assert!(by_ada(one(&all, "sessions.exported")));
    for action in ["article.saved", "article.deleted"] {
        let entry = one(&all, action);
        assert_eq!(
            (entry.actor_kind.as_str(), entry.actor.as_str()),
            ("api", "tests")
        );
        assert_eq!(entry.target_id.as_deref(), Some(article_id.as_str()));
    }
    let refused = one(&all, "login.refused");
    assert_eq!(refused.actor, "ada");
    assert_eq!(refused.address.as_deref(), Some("127.0.0.1"));
    assert!(!format!("{refused:?}").contains("not the password"));
    let logins: Vec<&AuditEntry> = all
        .iter()
        .filter(|e| e.action == "login.succeeded")
        .collect();
    assert_eq!(logins.len(), 2, "Ada and Léa: {logins:#?}");
    assert!(logins
        .iter()
        .all(|e| e.detail.as_deref() == Some("password")));
    // The accounts and the token, made on the server's command line.
    let created: Vec<&AuditEntry> = all
        .iter()
        .filter(|e| e.action == "adviser.created")
        .collect();
    assert_eq!(created.len(), 2, "{created:#?}");
    assert!(created
        .iter()
        .all(|e| e.actor_kind == "cli" && e.address.is_none()));
    let token_made = one(&all, "token.created");
    assert_eq!(token_made.actor_kind, "cli");
    assert!(
        token_made
            .detail
            .as_deref()
            .is_some_and(|d| d.ends_with("admin")),
        "the scope, never the token: {token_made:?}"
    );
    // Co-browsing: asked and started by Léa's console, the field's name without its value.
    for action in [
        "cobrowse.requested",
        "cobrowse.started",
        "cobrowse.field_filled",
    ] {
        let entry = one(&all, action);
        assert_eq!(entry.actor, "lea", "{entry:#?}");
        assert_eq!(entry.address.as_deref(), Some("127.0.0.1"), "{entry:#?}");
        assert_eq!(entry.target_id.as_deref(), Some(chat.id.0.as_str()));
    }
    assert_eq!(
        one(&all, "cobrowse.field_filled").detail.as_deref(),
        Some("iban")
    );
    assert!(
        by_ada(&all[0]) && all[0].action == "contact.erased",
        "newest first"
    );

    // The erasure kept the entries about Zoé, without anything that names her.
    let about_her: Vec<&AuditEntry> = all
        .iter()
        .filter(|e| e.target_id.as_deref() == Some(contact.as_str()))
        .collect();
    assert_eq!(
        about_her.len(),
        5,
        "viewed, exported, updated, noted, erased: {about_her:#?}"
    );
    let text = serde_json::to_string(&all)?;
    assert!(
        !text.contains("Zoé") && !text.contains("zoe.oubliee"),
        "{text}"
    );

    // Filters: an actor, a family of actions, a period.
    let lea_only = entries(&relay, &token, "actor=lea").await?;
    assert!(!lea_only.is_empty() && lea_only.iter().all(|e| e.actor == "lea"));
    let contacts = entries(&relay, &token, "action=contact.").await?;
    assert!(contacts.iter().all(|e| e.action.starts_with("contact.")));
    assert_eq!(contacts.len(), 5, "{contacts:#?}");
    assert!(entries(&relay, &token, "from=2001-01-01&to=2001-01-31")
        .await?
        .is_empty());
    let csv = http
        .get(relay.url("/api/v1/audit.csv?action=contact.erased"))
        .bearer_auth(&token)
        .send()
        .await?
        .text()
        .await?;
    assert_eq!(csv.lines().count(), 2, "a header and the erasure: {csv}");
    assert!(csv.contains("contact.erased") && csv.contains(&contact));

    // Tried: changing or deleting entries over HTTP. Nothing changes.
    for method in [
        reqwest::Method::DELETE,
        reqwest::Method::PUT,
        reqwest::Method::PATCH,
    ] {
        let status = http
            .request(method.clone(), relay.url("/api/v1/audit"))
            .bearer_auth(&token)
            .json(&json!([]))
            .send()
            .await?
            .status();
        assert!(
            status == StatusCode::METHOD_NOT_ALLOWED || status == StatusCode::FORBIDDEN,
            "{method}: {status}"
        );
    }
    assert_eq!(entries(&relay, &token, "").await?, all);
    Ok(())
}

#[tokio::test]
async fn the_trail_keeps_its_own_retention_and_refuses_edits() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let store = relay.store();
    let actor = Actor::command_line();
    let day = 86_400_000;
    let now = tandem_relay::time::now_ms();
    for (age_days, target) in [(400, "old"), (10, "recent")] {
        let audit = Audit::of(&actor, "site.changed", "site", target);
        store.audit(&audit, now - age_days * day).await?;
    }
    assert_eq!(store.purge_audit(now - 365 * day).await?, 1);
    let kept = store
        .audit_entries(&AuditFilter {
            action: Some("site.changed".into()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await?;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].target_id.as_deref(), Some("recent"));
    // Tried: rewriting an entry in the database itself.
    let rewritten = store.try_rewrite_audit_for_tests(kept[0].id).await;
    assert!(
        rewritten.is_err(),
        "the trail is append-only in the database"
    );
    Ok(())
}
