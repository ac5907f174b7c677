//! The site owner's commands against a running relay (the real binary): sites set from the
//! command line, refused when wrong (an unreadable colour, a queue that does not exist), listed
//! with their tags; and a backup taken while a visitor chats holds that chat.

use std::path::Path;
use std::process::Command;
use tandem_tests::clients::{chat_request, VisitorClient};
use tandem_tests::process::{free_port, relay_binary, RelayProcess};

/// Runs `tandem-relay --db DB args…`; (success, stdout, stderr).
fn run(db: &Path, args: &[&str]) -> anyhow::Result<(bool, String, String)> {
    let output = Command::new(relay_binary()?)
        .arg("--db")
        .arg(db)
        .args(args)
        .output()?;
    Ok((
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    ))
}

#[tokio::test]
async fn sites_and_backups_from_the_command_line() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("tandem.db");
    let relay = RelayProcess::start(&db, free_port()?, &[]).await?;

    let (ok, _, err) = run(&db, &["site", "set", "brico", "--color", "#ffff00"])?;
    assert!(
        !ok && err.contains("color"),
        "an unreadable colour is refused: {err}"
    );
    let (ok, _, err) = run(&db, &["site", "set", "brico", "--queues", "plomberie"])?;
    assert!(
        !ok && err.contains("plomberie"),
        "an unknown queue is refused: {err}"
    );
    let (ok, out, err) = run(
        &db,
        &[
            "site",
            "set",
            "brico",
            "--name",
            "Brico Dépannage",
            "--origins",
            "https://brico.example",
            "--color",
            "#15803d",
            "--position",
            "left",
        ],
    )?;
    assert!(ok, "{err}");
    assert!(
        out.contains("data-site=\"brico\""),
        "the tag is printed: {out}"
    );
    let (ok, _, err) = run(&db, &["site", "set", "brico", "--greeting-fr", "Bonjour !"])?;
    assert!(ok, "{err}");
    let (ok, listed, _) = run(
        &db,
        &["site", "list", "--relay-url", "https://chat.example.com"],
    )?;
    assert!(ok);
    assert!(
        listed.contains("Brico Dépannage")
            && listed.contains("https://brico.example")
            && listed.contains("#15803d"),
        "a later change keeps the earlier settings: {listed}"
    );
    assert!(listed.contains(
        "<script src=\"https://chat.example.com/widget.js\" data-site=\"brico\" async></script>"
    ));

    // A chat in progress, then a backup while the relay runs.
    let mut visitor = VisitorClient::connect(&relay, None, 0).await?;
    visitor
        .start_chat(chat_request("Inès", "ines@example.com", "Sauvegarde"))
        .await?;
    visitor.say("Mon message doit être dans la copie").await?;
    let copy = dir.path().join("copy.db");
    let copy_arg = copy.to_string_lossy().into_owned();
    let (ok, out, err) = run(&db, &["backup", "--to", &copy_arg])?;
    assert!(ok, "backup: {err}");
    assert!(out.contains("copy.db"));
    let (ok, _, err) = run(&db, &["backup", "--to", &copy_arg])?;
    assert!(
        !ok && err.contains("already exists"),
        "never overwrites: {err}"
    );

    // The copy is a complete CRM: the chat and its message are in it.
    let store = tandem_relay::store::Store::open(&copy).await?;
    let sessions = store.list_sessions(10, 0).await?;
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].reason, "Sauvegarde");
    assert_eq!(sessions[0].message_count, 1);
    store.close().await;
    Ok(())
}
