//! The real `tandem-relay` binary as a child process, for fault injection: kill -9, SIGTERM,
//! restart on the same port and database.

use crate::relay::{Endpoint, TEST_PASSWORD};
use anyhow::{bail, Context};
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

/// A relay process.
pub struct RelayProcess {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
    log: PathBuf,
}

/// The relay binary cargo built next to the test binaries (`cargo test --workspace` builds it).
pub fn relay_binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .context("locating the target folder")?;
    let bin = dir.join("tandem-relay");
    if !bin.exists() {
        bail!(
            "{} is missing: run cargo build -p tandem-relay (the test command does)",
            bin.display()
        );
    }
    Ok(bin)
}

/// A free loopback port.
pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Creates an adviser with [`TEST_PASSWORD`] through the CLI, as a site owner would.
pub fn add_adviser(
    store: impl AsRef<std::ffi::OsStr>,
    login: &str,
    name: &str,
) -> anyhow::Result<()> {
    let mut child = Command::new(relay_binary()?)
        .args(["adviser", "add", "--login", login, "--name", name])
        .arg("--store")
        .arg(store)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()?;
    child
        .stdin
        .take()
        .context("stdin")?
        .write_all(TEST_PASSWORD.as_bytes())?;
    let status = child.wait()?;
    if !status.success() {
        bail!("adviser add failed: {status}");
    }
    Ok(())
}

/// The log level of relays started by tests.
pub const DEFAULT_LOG: &str = "debug,sqlx=warn,hyper=info,tungstenite=info,tokio_tungstenite=info";

impl RelayProcess {
    /// Starts `tandem-relay serve` on `port` with the database `db`, and waits until healthy.
    pub async fn start(db: &Path, port: u16, extra: &[&str]) -> anyhow::Result<RelayProcess> {
        Self::start_logging(db, port, extra, DEFAULT_LOG).await
    }

    /// Like [`RelayProcess::start`], with `RUST_LOG` set to `log`.
    pub async fn start_logging(
        db: &Path,
        port: u16,
        extra: &[&str],
        log_filter: &str,
    ) -> anyhow::Result<RelayProcess> {
        let log = db.with_extension(format!("{port}.log"));
        Self::start_on_store(db.as_os_str(), log, port, extra, log_filter).await
    }

    /// Starts `tandem-relay serve` on `port` with the store `store` (a file or a PostgreSQL
    /// URL), logging to `log`, and waits until healthy.
    pub async fn start_on_store(
        store: &std::ffi::OsStr,
        log: PathBuf,
        port: u16,
        extra: &[&str],
        log_filter: &str,
    ) -> anyhow::Result<RelayProcess> {
        let log_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)?;
        let child = Command::new(relay_binary()?)
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .arg("--store")
            .arg(store)
            .arg("--assets")
            .arg(crate::workspace_root().join("dist"))
            .args(extra)
            .env("RUST_LOG", log_filter)
            .stdout(Stdio::null())
            .stderr(log_file)
            .spawn()
            .context("starting the relay")?;
        let relay = RelayProcess {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            log,
        };
        let health = relay.url("/healthz");
        for _ in 0..200 {
            if reqwest::get(&health)
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return Ok(relay);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!(
            "the relay did not become healthy; its log:\n{}",
            relay.log()
        )
    }

    /// The relay's process id (to read its memory and descriptors from /proc).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the process at once (SIGKILL): no drain, no flush.
    pub fn kill_hard(&mut self) -> anyhow::Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }

    /// Asks the process to stop (SIGTERM) and waits for it to exit.
    pub async fn terminate(&mut self) -> anyhow::Result<ExitStatus> {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()?;
        if !status.success() {
            bail!("kill -TERM failed");
        }
        for _ in 0..200 {
            if let Some(status) = self.child.try_wait()? {
                return Ok(status);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!("the relay did not stop within 10 s of SIGTERM")
    }

    /// Everything the relay logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Endpoint for RelayProcess {
    fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for RelayProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
