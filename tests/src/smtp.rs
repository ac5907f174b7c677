//! A real local SMTP server (Python's aiosmtpd) that stores what it receives in a Maildir.

use anyhow::Context;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

/// A running aiosmtpd on a loopback port; stopped when dropped.
pub struct SmtpServer {
    /// Its port on 127.0.0.1.
    pub port: u16,
    dir: tempfile::TempDir,
    _child: Child,
}

/// A Python interpreter that has aiosmtpd (the system one on Debian, or the first on PATH).
fn python_with_aiosmtpd() -> anyhow::Result<&'static str> {
    ["python3", "/usr/bin/python3"]
        .into_iter()
        .find(|python| {
            std::process::Command::new(python)
                .args(["-c", "import aiosmtpd"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
        .context("no python3 with aiosmtpd: run scripts/setup.sh (apt install python3-aiosmtpd)")
}

impl SmtpServer {
    /// Starts the server and waits until it accepts connections.
    pub async fn start() -> anyhow::Result<SmtpServer> {
        let python = python_with_aiosmtpd()?;
        let port = crate::process::free_port()?;
        let dir = tempfile::tempdir().context("creating the maildir")?;
        let child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            // Maildir creates its folders only when the top one is missing.
            .arg(dir.path().join("maildir"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .context("starting aiosmtpd")?;
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Ok(SmtpServer {
                    port,
                    dir,
                    _child: child,
                });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        anyhow::bail!("aiosmtpd did not start on port {port}")
    }

    /// `smtp://127.0.0.1:port`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The raw messages received so far.
    pub fn messages(&self) -> Vec<String> {
        let new: PathBuf = self.dir.path().join("maildir").join("new");
        let Ok(entries) = std::fs::read_dir(new) else {
            return Vec::new();
        };
        entries
            .filter_map(Result::ok)
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .collect()
    }

    /// Waits until a message has arrived, up to 10 seconds.
    pub async fn wait_for_message(&self) -> anyhow::Result<String> {
        for _ in 0..100 {
            if let Some(message) = self.messages().into_iter().next() {
                return Ok(message);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        anyhow::bail!("no email arrived")
    }
}
