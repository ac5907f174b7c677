//! Files in a chat: the visitor shares a picture, the adviser a PDF; both sides receive the
//! message with the file and download it. Tried: HTML disguised as a PDF, a file over
//! 10 MiB, a forged or missing token, a wrong link key, a colleague's chat, an ended chat;
//! and the file leaves with the transcript when the contact is erased.

use std::path::PathBuf;
use tandem_shared::files::SharedFile;
use tandem_shared::{EventKind, Role, ServerMsg};
use tandem_tests::clients::chat_request;
use tandem_tests::{Endpoint, TestRelay};

fn fixture(name: &str) -> anyhow::Result<Vec<u8>> {
    let path: PathBuf = tandem_tests::workspace_root()
        .join("tests/fixtures")
        .join(name);
    Ok(std::fs::read(path)?)
}

async fn visitor_upload(
    relay: &TestRelay,
    token: Option<&str>,
    name: &str,
    body: Vec<u8>,
) -> anyhow::Result<(u16, String)> {
    let mut request = reqwest::Client::new()
        .post(relay.url(&format!("/api/v1/visitor/files?name={name}")))
        .body(body);
    if let Some(token) = token {
        request = request.header("X-Tandem-Token", token);
    }
    let response = request.send().await?;
    Ok((response.status().as_u16(), response.text().await?))
}

fn file_of(frame: &ServerMsg) -> Option<(Role, SharedFile)> {
    match frame {
        ServerMsg::Event { event, .. } => match &event.kind {
            EventKind::Message {
                author,
                file: Some(file),
                ..
            } => Some((author.role, file.clone())),
            _ => None,
        },
        _ => None,
    }
}

#[tokio::test]
async fn pictures_and_pdfs_are_shared_and_everything_else_is_refused() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut adviser = relay.adviser("lea", "Léa Martin").await?;
    adviser.set_presence(true, 2).await?;
    let mut visitor = relay.visitor().await?;
    let conversation = visitor
        .start_chat(chat_request("Inès", "ines@example.com", "Message d'erreur"))
        .await?;
    let chat = adviser.next_assigned().await?;
    let token = conversation.token.clone();

    // The visitor shares a screenshot: both sides get it, as a numbered message.
    let png = fixture("error-screenshot.png")?;
    let (status, answer) = visitor_upload(
        &relay,
        Some(&token),
        "C%3A%5Cscans%5Cerreur.png",
        png.clone(),
    )
    .await?;
    assert_eq!(status, 201, "{answer}");
    let frame = adviser
        .recv_until("the file in the console", |f| file_of(f).is_some())
        .await?;
    let (role, file) = file_of(&frame).ok_or_else(|| anyhow::anyhow!("no file"))?;
    assert_eq!(role, Role::Visitor);
    assert_eq!(file.name, "erreur.png", "folders are dropped from the name");
    assert_eq!(file.content_type, "image/png");
    assert_eq!(file.bytes, png.len() as u64);
    visitor
        .recv_until("the file echoed to the visitor", |f| file_of(f).is_some())
        .await?;
    let download = reqwest::get(relay.url(&file.path)).await?;
    assert_eq!(download.status().as_u16(), 200);
    assert_eq!(download.headers()["content-type"], "image/png");
    assert_eq!(download.headers()["x-content-type-options"], "nosniff");
    assert!(download.headers()["content-disposition"]
        .to_str()?
        .starts_with("inline"));
    assert_eq!(
        download.bytes().await?.to_vec(),
        png,
        "the same bytes come back"
    );
    let wrong_key = format!("{}x", file.path);
    assert_eq!(
        reqwest::get(relay.url(&wrong_key)).await?.status().as_u16(),
        404
    );

    // The site's pages may upload (CORS preflight from another origin).
    let preflight = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, relay.url("/api/v1/visitor/files"))
        .header("Origin", "https://www.example.com")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "x-tandem-token,content-type",
        )
        .send()
        .await?;
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");

    // Refused, and nothing announced: HTML named .pdf, over 10 MiB, forged or no token.
    let (status, answer) = visitor_upload(
        &relay,
        Some(&token),
        "facture.pdf",
        fixture("not-really.pdf")?,
    )
    .await?;
    assert_eq!(status, 415, "{answer}");
    assert!(
        answer.contains("PDF"),
        "the refusal says what is accepted: {answer}"
    );
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(10 * 1024 * 1024 + 1, b' ');
    let (status, _) = visitor_upload(&relay, Some(&token), "gros.pdf", big).await?;
    assert_eq!(status, 413);
    let (status, _) = visitor_upload(&relay, Some("forged"), "a.png", png.clone()).await?;
    assert_eq!(status, 401);
    let (status, _) = visitor_upload(&relay, None, "a.png", png.clone()).await?;
    assert_eq!(status, 401);

    // The adviser holding the chat shares a PDF (downloaded, not shown inline).
    let upload = |cookie: String, body: Vec<u8>| {
        let url = relay.url(&format!(
            "/api/v1/conversations/{}/files?name=releve.pdf",
            chat.id.as_str()
        ));
        async move {
            let response = reqwest::Client::new()
                .post(url)
                .header("Cookie", cookie)
                .body(body)
                .send()
                .await?;
            anyhow::Ok(response.status().as_u16())
        }
    };
    let pdf = fixture("releve.pdf")?;
    assert_eq!(upload(adviser.cookie.clone(), pdf.clone()).await?, 201);
    let frame = visitor
        .recv_until("the adviser's PDF", |f| {
            file_of(f).is_some_and(|(role, _)| role == Role::Adviser)
        })
        .await?;
    let (_, shared_pdf) = file_of(&frame).ok_or_else(|| anyhow::anyhow!("no file"))?;
    let download = reqwest::get(relay.url(&shared_pdf.path)).await?;
    assert!(download.headers()["content-disposition"]
        .to_str()?
        .starts_with("attachment"));
    let colleague = relay.adviser("max", "Max").await?;
    assert_eq!(
        upload(colleague.cookie.clone(), pdf.clone()).await?,
        403,
        "a colleague cannot share in Léa's chat"
    );

    // The file is in the session's transcript (by name), and leaves with the contact.
    let api = relay.api_token().await?;
    let record: serde_json::Value = reqwest::Client::new()
        .get(relay.url(&format!("/api/v1/sessions/{}", chat.id.as_str())))
        .bearer_auth(&api)
        .send()
        .await?
        .json()
        .await?;
    assert!(record.to_string().contains("erreur.png"), "{record}");
    adviser
        .end_and_wrap_up(&chat.id, tandem_tests::clients::resolved())
        .await?;
    let (status, _) = visitor_upload(&relay, Some(&token), "apres.png", png.clone()).await?;
    assert_eq!(status, 404, "no file into an ended chat");
    let contact = record["contact"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let erased = reqwest::Client::new()
        .delete(relay.url(&format!("/api/v1/contacts/{contact}")))
        .bearer_auth(&api)
        .send()
        .await?;
    assert!(erased.status().is_success(), "{}", erased.status());
    assert_eq!(
        reqwest::get(relay.url(&file.path)).await?.status().as_u16(),
        404,
        "the erased contact's files are gone"
    );
    Ok(())
}
