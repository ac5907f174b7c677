//! Finding and exporting the CRM record: contact search, a contact's record as JSON, the
//! sessions of a period as CSV.

use tandem_shared::model::ChatRequest;
use tandem_tests::clients::chat_request;
use tandem_tests::{Endpoint, TestRelay};

#[tokio::test]
async fn contacts_are_found_by_name_email_phone_or_company_and_sessions_export_as_csv(
) -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut adviser = relay.adviser("lea", "Léa").await?;
    adviser.set_presence(true, 2).await?;
    for (name, email, phone, company, reason) in [
        (
            "Zoé Martin",
            "zoe@example.com",
            "+33 6 12 34 56 78",
            "Boulangerie Martin",
            "Devis, \"urgent\"\nsur deux lignes",
        ),
        (
            "Paul Durand",
            "paul@example.org",
            "+33 7 00 00 00 01",
            "Durand & fils",
            "Attestation",
        ),
    ] {
        let mut visitor = relay.visitor().await?;
        visitor
            .start_chat(ChatRequest {
                phone: Some(phone.into()),
                company: Some(company.into()),
                ..chat_request(name, email, reason)
            })
            .await?;
        adviser.next_assigned().await?;
    }
    let token = relay.api_token().await?;
    let found = |q: &str| {
        let path = format!(
            "/api/v1/contacts?q={}",
            q.replace(' ', "%20").replace('+', "%2B")
        );
        let relay = &relay;
        let token = token.clone();
        async move {
            let list = relay.get_json(&path, &token).await?;
            let names: Vec<String> = list["contacts"]
                .as_array()
                .map(|c| {
                    c.iter()
                        .filter_map(|c| c["name"].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            anyhow::Ok(names)
        }
    };
    assert_eq!(found("zoé").await?, ["Zoé Martin"], "by name");
    assert_eq!(
        found("EXAMPLE.ORG").await?,
        ["Paul Durand"],
        "by email, any case"
    );
    assert_eq!(
        found("6 1234 5678").await?,
        ["Zoé Martin"],
        "by phone, spaces ignored"
    );
    assert_eq!(found("Durand & fils").await?, ["Paul Durand"], "by company");
    assert_eq!(
        found("%25%25").await?,
        Vec::<String>::new(),
        "wildcards are taken literally"
    );
    // Tried: a one-letter query.
    let short = reqwest::Client::new()
        .get(relay.url("/api/v1/contacts?q=z"))
        .bearer_auth(&token)
        .send()
        .await?;
    assert_eq!(short.status(), 400);

    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let response = reqwest::Client::new()
        .get(relay.url(&format!("/api/v1/sessions.csv?from={today}&to={today}")))
        .bearer_auth(&token)
        .send()
        .await?;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()?
        .starts_with("text/csv"));
    let text = response.text().await?;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers()?.clone();
    assert_eq!(&headers[0], "session_id");
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>()?;
    assert_eq!(rows.len(), 2, "{text}");
    let reason = headers.iter().position(|h| h == "reason").unwrap_or(0);
    assert_eq!(
        &rows[0][reason], "Devis, \"urgent\"\nsur deux lignes",
        "quotes, commas and lines survive"
    );
    assert_eq!(
        &rows[1][headers.iter().position(|h| h == "company").unwrap_or(0)],
        "Durand & fils"
    );
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    let empty = reqwest::Client::new()
        .get(relay.url(&format!(
            "/api/v1/sessions.csv?from={yesterday}&to={yesterday}"
        )))
        .bearer_auth(&token)
        .send()
        .await?
        .text()
        .await?;
    assert_eq!(empty.lines().count(), 1, "only the header: {empty}");
    Ok(())
}
