//! Prints the relay's memory when idle and with N idle visitor connections (each has said
//! hello), measured from /proc on the real release binary.
//!
//! `cargo build --release -p tandem-relay && cargo bench -p tandem-tests --bench idle_memory`
//! (`IDLE_CONNECTIONS`, default 1000; `TANDEM_RELAY_BIN`, default target/release/tandem-relay).

use futures_util::{SinkExt, StreamExt};
use std::process::{Command, Stdio};
use std::time::Duration;
use tandem_shared::{VisitorMsg, PROTOCOL_VERSION};
use tandem_tests::load::proc_stats::rss_kib;
use tokio_tungstenite::tungstenite::Message;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let root = tandem_tests::workspace_root();
    let bin = std::env::var("TANDEM_RELAY_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| root.join("target/release/tandem-relay"));
    let count: usize = std::env::var("IDLE_CONNECTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let dir = tempfile::tempdir()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut relay = Command::new(&bin)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        // One address opens every connection here: lift the per-address limit.
        .args(["--connections-per-minute", "100000000"])
        .args(["--sockets-per-address", "100000000"])
        .args(["--tcp-connections-per-address", "100000000"])
        .args(["--hello-within-secs", "600"])
        .arg("--db")
        .arg(dir.path().join("bench.db"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| {
            anyhow::anyhow!(
                "starting {}: {e} (build it with cargo build --release -p tandem-relay)",
                bin.display()
            )
        })?;
    let url = format!("ws://127.0.0.1:{port}/ws/visitor");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let idle = rss_kib(relay.id())?;

    let hello = serde_json::to_string(&VisitorMsg::Hello {
        protocol: PROTOCOL_VERSION,
        resume: None,
        last_seq: 0,
        tickets: Vec::new(),
    })?;
    let mut sockets = Vec::with_capacity(count);
    for _ in 0..count {
        let (mut ws, _) = tokio_tungstenite::connect_async(&url).await?;
        ws.send(Message::Text(hello.clone().into())).await?;
        let _welcome = ws.next().await;
        sockets.push(ws);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let loaded = rss_kib(relay.id())?;
    let per_connection = (loaded.saturating_sub(idle) as f64) / count as f64;

    println!("relay idle memory (release binary, SQLite store)");
    println!("  idle, no connection        {idle:>8} KiB RSS");
    println!("  with {count:>5} idle visitors {loaded:>8} KiB RSS");
    println!("  per idle connection        {per_connection:>8.1} KiB");
    drop(sockets);
    let _ = relay.kill();
    let _ = relay.wait();
    Ok(())
}
