//! The servers a run measures, each a child process on an ephemeral loopback port, optionally
//! pinned to one core (`taskset`) away from the load generator: Tandem's relay (release
//! binary, on its SQLite store or on a PostgreSQL cluster of its own), the bare
//! tokio-tungstenite ceiling and the socket.io 4.8 peer.

use super::proc_stats;
use crate::postgres::PostgresCluster;
use crate::process::free_port;
use crate::relay::TEST_PASSWORD;
use anyhow::{bail, Context};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tandem_relay::store::{NewAdviser, Store, StoreLocation};

/// What is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Tandem's relay: real protocol, queue, pairing, every message stored in SQLite.
    Tandem,
    /// The same relay with its CRM store in PostgreSQL (a durable cluster of its own, which
    /// runs on any core).
    TandemPostgres,
    /// A bare tokio-tungstenite relay: pairing by room, nothing else (the ceiling).
    Echo,
    /// A socket.io 4.8 relay on Node: a room per conversation (the peer).
    SocketIo,
}

impl Kind {
    /// Its name in tables.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Tandem => "Tandem",
            Kind::TandemPostgres => "Tandem, PostgreSQL",
            Kind::Echo => "bare echo",
            Kind::SocketIo => "socket.io 4.8",
        }
    }
}

impl Kind {
    /// Tandem's relay, whatever its store: it speaks Tandem's protocol.
    pub fn is_tandem(self) -> bool {
        matches!(self, Kind::Tandem | Kind::TandemPostgres)
    }
}

/// Where the servers' programs are.
#[derive(Clone, Debug)]
pub struct Programs {
    /// `tandem-relay`.
    pub relay: PathBuf,
    /// `echo-relay` (built with this crate).
    pub echo: PathBuf,
    /// `node`.
    pub node: PathBuf,
}

impl Programs {
    /// The socket.io relay script.
    fn socketio_script() -> PathBuf {
        crate::workspace_root().join("tests/load/socketio-relay.js")
    }
}

/// A running server.
pub struct Server {
    /// What it is.
    pub kind: Kind,
    /// Where it listens.
    pub addr: SocketAddr,
    child: Child,
    _dir: tempfile::TempDir,
    /// The PostgreSQL cluster of [`Kind::TandemPostgres`], stopped after the relay.
    _postgres: Option<PostgresCluster>,
}

/// Login of the `n`th adviser account a Tandem run creates.
pub fn adviser_login(n: usize) -> String {
    format!("load-{n}")
}

impl Server {
    /// Starts `kind` (with `advisers` adviser accounts for Tandem), pinned to the plan's server
    /// core if it names one.
    pub async fn start(
        kind: Kind,
        programs: &Programs,
        advisers: usize,
        plan: &super::Plan,
    ) -> anyhow::Result<Server> {
        let core = plan.server_core;
        let dir = tempfile::tempdir()?;
        let port = free_port()?;
        let mut postgres = None;
        let (program, args): (PathBuf, Vec<String>) = match kind {
            Kind::Tandem | Kind::TandemPostgres => {
                let store = if kind == Kind::TandemPostgres {
                    let cluster = if plan.durable_postgres {
                        PostgresCluster::start_durable()?
                    } else {
                        PostgresCluster::start()?
                    };
                    let url = cluster.create_database()?;
                    postgres = Some(cluster);
                    StoreLocation::Postgres(url)
                } else {
                    StoreLocation::Sqlite(dir.path().join("load.db"))
                };
                create_advisers(&store, advisers).await?;
                let store_arg = match &store {
                    StoreLocation::Sqlite(path) => path.to_string_lossy().into_owned(),
                    StoreLocation::Postgres(url) => url.clone(),
                };
                let args = [
                    "serve",
                    "--addr",
                    &format!("127.0.0.1:{port}"),
                    "--store",
                    &store_arg,
                    "--connections-per-minute",
                    "100000000",
                    "--logins-per-minute",
                    "100000000",
                    "--max-queue",
                    "1000000",
                    "--frames-per-sec",
                    "1000",
                    "--cobrowse-frames-per-sec",
                    "1000",
                    "--idle-timeout-secs",
                    "600",
                    // Every client of the harness comes from 127.0.0.1.
                    "--sockets-per-address",
                    "100000000",
                    "--tcp-connections-per-address",
                    "100000000",
                    "--chats-per-address-per-hour",
                    "100000000",
                    "--messages-left-per-address-per-hour",
                    "100000000",
                    "--hello-within-secs",
                    "600",
                ];
                (
                    programs.relay.clone(),
                    args.iter().map(|a| a.to_string()).collect(),
                )
            }
            Kind::Echo => (programs.echo.clone(), vec![port.to_string()]),
            Kind::SocketIo => (
                programs.node.clone(),
                vec![
                    Programs::socketio_script().to_string_lossy().into_owned(),
                    port.to_string(),
                ],
            ),
        };
        let log = std::fs::File::create(dir.path().join("server.log"))?;
        let mut command = match core.filter(|_| has_taskset()) {
            Some(core) => {
                let mut command = Command::new("taskset");
                command.arg("-c").arg(core.to_string()).arg(&program);
                command
            }
            None => Command::new(&program),
        };
        let child = command
            .args(&args)
            // `LOAD_SERVER_LOG` (e.g. `info`) to see more of the server's log when a run fails.
            .env(
                "RUST_LOG",
                std::env::var("LOAD_SERVER_LOG").unwrap_or_else(|_| "warn".to_owned()),
            )
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", program.display()))?;
        let mut server = Server {
            kind,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            child,
            _dir: dir,
            _postgres: postgres,
        };
        server.wait_listening().await?;
        Ok(server)
    }

    async fn wait_listening(&mut self) -> anyhow::Result<()> {
        for _ in 0..200 {
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "{} exited at start ({status}): {}",
                    self.kind.label(),
                    self.log()
                );
            }
            if tokio::net::TcpStream::connect(self.addr).await.is_ok() {
                tokio::time::sleep(Duration::from_millis(300)).await;
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!("{} did not listen within 10 s", self.kind.label())
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        let log = std::fs::read_to_string(self._dir.path().join("server.log")).unwrap_or_default();
        // The end says what went wrong; a long log would bury it.
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory in KiB.
    pub fn rss_kib(&self) -> anyhow::Result<u64> {
        proc_stats::rss_kib(self.pid())
    }

    /// CPU time used so far, in microseconds.
    pub fn cpu_us(&self) -> anyhow::Result<u64> {
        proc_stats::cpu_us(self.pid())
    }

    /// `ws://addr{path}`.
    pub fn ws_url(&self, path: &str) -> String {
        format!("ws://{}{path}", self.addr)
    }

    /// `http://addr{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn has_taskset() -> bool {
    Command::new("taskset")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Pins this process (every thread) to `core`.
pub fn pin_self(core: usize) {
    if has_taskset() {
        let _ = Command::new("taskset")
            .args([
                "-a",
                "-cp",
                &core.to_string(),
                &std::process::id().to_string(),
            ])
            .stdout(Stdio::null())
            .status();
    }
}

/// Creates `count` adviser accounts with [`TEST_PASSWORD`] and room for 8 chats each (one
/// password hash for all: hashing is slow on purpose).
pub async fn create_advisers(location: &StoreLocation, count: usize) -> anyhow::Result<()> {
    let store = Store::connect(location).await?;
    let hash = tandem_relay::auth::password::hash_password(TEST_PASSWORD)
        .map_err(|e| anyhow::anyhow!("hashing: {e}"))?;
    for n in 0..count {
        let login = adviser_login(n);
        let id = store
            .upsert_adviser(
                NewAdviser {
                    login: &login,
                    display_name: &format!("Adviser {n}"),
                    password_hash: &hash,
                    role: tandem_shared::access::AdviserRole::Adviser,
                },
                &tandem_relay::store::Actor::command_line(),
                0,
            )
            .await?
            .id;
        store
            .set_adviser_capacity(&id, tandem_shared::limits::MAX_CHATS_PER_ADVISER)
            .await?;
    }
    store.close().await;
    Ok(())
}
