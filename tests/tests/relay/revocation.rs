//! Taking access away, from the command line, while the relay runs: an adviser disabled or
//! given a new password is logged out everywhere and their open console closes; a revoked API
//! token stops working at once.

use std::io::Write;
use std::process::{Command, Stdio};
use tandem_relay::store::StoreLocation;
use tandem_tests::clients::WsClient;
use tandem_tests::process::relay_binary;
use tandem_tests::relay::TEST_PASSWORD;
use tandem_tests::{Endpoint, TestRelay};

/// Runs `tandem-relay <args> --store <the relay's store>` with `stdin`; its standard output.
fn run_cli(relay: &TestRelay, args: &[&str], stdin: &str) -> anyhow::Result<String> {
    let store = match relay.store_location() {
        StoreLocation::Sqlite(path) => path.display().to_string(),
        StoreLocation::Postgres(url) => url.clone(),
    };
    let mut child = Command::new(relay_binary()?)
        .args(args)
        .args(["--store", &store])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin.as_bytes())?;
    }
    let output = child.wait_with_output()?;
    anyhow::ensure!(
        output.status.success(),
        "tandem-relay {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The status of a console login with `password`.
async fn login_status(relay: &TestRelay, password: &str) -> anyhow::Result<u16> {
    let response = reqwest::Client::new()
        .post(relay.url("/api/v1/auth/login"))
        .json(&serde_json::json!({ "login": "lea", "password": password }))
        .send()
        .await?;
    Ok(response.status().as_u16())
}

/// Whether the console's socket opens with `cookie`.
async fn console_opens(relay: &TestRelay, cookie: &str) -> bool {
    WsClient::open(&relay.ws_url("/ws/adviser"), Some(cookie))
        .await
        .is_ok()
}

#[tokio::test]
async fn a_disabled_adviser_is_logged_out_everywhere_and_cannot_log_in() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    relay.add_adviser("ada", "Ada").await?;
    let mut adviser = relay.adviser("lea", "Léa").await?;
    let cookie = adviser.cookie.clone();
    // Tried: disabling the last admin (nobody could manage the others).
    let refused = run_cli(&relay, &["adviser", "disable", "ada"], "");
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.to_string().contains("last enabled admin")),
        "{refused:?}"
    );
    let said = run_cli(&relay, &["adviser", "disable", "lea"], "")?;
    assert!(said.contains("disabled"), "{said}");
    let close = adviser.recv_close().await?;
    assert_eq!(
        close.map(|c| u16::from(c.code)),
        Some(4001),
        "the open console closes"
    );
    assert!(
        !console_opens(&relay, &cookie).await,
        "the old cookie opens nothing"
    );
    assert_eq!(login_status(&relay, TEST_PASSWORD).await?, 401);

    run_cli(&relay, &["adviser", "enable", "lea"], "")?;
    assert_eq!(login_status(&relay, TEST_PASSWORD).await?, 200);
    // Tried: a login nobody has.
    assert!(run_cli(&relay, &["adviser", "disable", "nobody"], "").is_err());
    Ok(())
}

#[tokio::test]
async fn a_new_password_ends_every_login_of_the_adviser() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let mut adviser = relay.adviser("lea", "Léa").await?;
    let cookie = adviser.cookie.clone();
    let new_password = "another long passphrase";
    let said = run_cli(
        &relay,
        &["adviser", "add", "--login", "lea", "--name", "Léa"],
        new_password,
    )?;
    assert!(said.contains("password changed"), "{said}");
    let close = adviser.recv_close().await?;
    assert_eq!(close.map(|c| u16::from(c.code)), Some(4001));
    assert!(!console_opens(&relay, &cookie).await);
    assert_eq!(login_status(&relay, TEST_PASSWORD).await?, 401);
    assert_eq!(login_status(&relay, new_password).await?, 200);
    Ok(())
}

#[tokio::test]
async fn a_revoked_api_token_stops_working_at_once() -> anyhow::Result<()> {
    let relay = TestRelay::spawn().await?;
    let token = relay.api_token().await?;
    relay.get_json("/api/v1/sessions", &token).await?;
    let listed = run_cli(&relay, &["token", "list"], "")?;
    assert!(listed.contains("tests"), "{listed}");
    assert!(!listed.contains(&token), "the token itself is never shown");
    run_cli(&relay, &["token", "revoke", "tests"], "")?;
    let refused = reqwest::Client::new()
        .get(relay.url("/api/v1/sessions"))
        .bearer_auth(&token)
        .send()
        .await?;
    assert_eq!(refused.status(), 401);
    // Tried: revoking a token that does not exist.
    assert!(run_cli(&relay, &["token", "revoke", "tests"], "").is_err());
    Ok(())
}
