//! A throw-away PostgreSQL cluster for tests: `initdb` in a temp dir, `postgres` on an
//! ephemeral loopback port, stopped (fast shutdown) and deleted on drop. Run as root (as CI
//! does), the cluster belongs to and runs as the unprivileged `postgres` user, since
//! PostgreSQL refuses to run as root.

use anyhow::{bail, Context};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The superuser `initdb` creates (trust authentication on loopback only).
const SUPERUSER: &str = "tandem";

/// The account the cluster runs as when the tests run as root.
const SERVICE_ACCOUNT: &str = "postgres";

/// How long the server may take to accept connections.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// Numbers the databases handed out by one cluster.
static DATABASES: AtomicUsize = AtomicUsize::new(0);

/// A running PostgreSQL server with its data directory.
pub struct PostgresCluster {
    server: Child,
    port: u16,
    bin: PathBuf,
    _dir: tempfile::TempDir,
}

impl PostgresCluster {
    /// Creates a cluster in a fresh temp dir and starts it on a free loopback port.
    pub fn start() -> anyhow::Result<PostgresCluster> {
        Self::start_with(false, false)
    }

    /// [`PostgresCluster::start`] with PostgreSQL's durable defaults (every commit flushed to
    /// disk), for benchmarks: the tests' clusters skip the flushes.
    pub fn start_durable() -> anyhow::Result<PostgresCluster> {
        Self::start_with(false, true)
    }

    /// [`PostgresCluster::start`]; with `die_with_thread`, the server is killed when the
    /// calling thread ends (also when the test process dies without dropping it).
    fn start_with(die_with_thread: bool, durable: bool) -> anyhow::Result<PostgresCluster> {
        let bin = server_binaries()?;
        let dir = tempfile::Builder::new()
            .prefix("tandem-pg-")
            .tempdir()
            .context("creating the cluster's temp dir")?;
        let data = dir.path().join("data");
        let as_root = is_root()?;
        if as_root {
            chown_to_service_account(dir.path())?;
        }
        let status = run_as(&bin.join("initdb"), as_root, false)
            .arg("--pgdata")
            .arg(&data)
            .args([
                "--username",
                SUPERUSER,
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
            ])
            .args(["--locale", "C", "--no-sync", "--no-instructions"])
            .stdout(Stdio::null())
            .status()
            .context("running initdb (Debian package `postgresql`)")?;
        if !status.success() {
            bail!("initdb failed ({status})");
        }
        let port = free_port()?;
        let mut server = run_as(&bin.join("postgres"), as_root, die_with_thread);
        if !durable {
            // Throw-away data: no need to survive a power cut.
            server.args(["-c", "fsync=off", "-c", "full_page_writes=off"]);
        }
        let server = server
            .arg("-D")
            .arg(&data)
            .args(["-p", &port.to_string(), "-k"])
            .arg(dir.path())
            .args([
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "max_connections=300",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting postgres")?;
        let cluster = PostgresCluster {
            server,
            port,
            bin,
            _dir: dir,
        };
        cluster.wait_until_ready()?;
        Ok(cluster)
    }

    /// Creates a new empty database and returns its URL.
    pub fn create_database(&self) -> anyhow::Result<String> {
        let name = format!(
            "tandem_{}_{}",
            std::process::id(),
            DATABASES.fetch_add(1, Ordering::Relaxed)
        );
        let status = Command::new(self.bin.join("createdb"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                SUPERUSER,
            ])
            .arg(&name)
            .status()
            .context("running createdb")?;
        if !status.success() {
            bail!("createdb {name} failed ({status})");
        }
        Ok(self.url(&name))
    }

    /// The URL of database `name` on this cluster.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/{name}", self.port)
    }

    /// Where the server listens.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    fn wait_until_ready(&self) -> anyhow::Result<()> {
        let started = Instant::now();
        while started.elapsed() < START_TIMEOUT {
            let ready = Command::new(self.bin.join("pg_isready"))
                .args(["-q", "-h", "127.0.0.1", "-p", &self.port.to_string()])
                .status()
                .map(|status| status.success())
                .unwrap_or(false);
            if ready && TcpStream::connect(self.addr()).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        bail!("postgres did not accept connections within {START_TIMEOUT:?}")
    }
}

impl Drop for PostgresCluster {
    fn drop(&mut self) {
        // SIGINT is PostgreSQL's fast shutdown: clients are disconnected, the server exits.
        let _ = Command::new("kill")
            .args(["-INT", &self.server.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.server.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// Every row of the PostgreSQL database at `location`, as `pg_dump` writes them.
pub fn dump(location: &tandem_relay::store::StoreLocation) -> anyhow::Result<String> {
    let tandem_relay::store::StoreLocation::Postgres(url) = location else {
        bail!("{location} is not a PostgreSQL database");
    };
    let output = Command::new(server_binaries()?.join("pg_dump"))
        .args(["--data-only", "--dbname", url])
        .output()
        .context("running pg_dump")?;
    if !output.status.success() {
        bail!(
            "pg_dump failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The folder of the newest installed PostgreSQL server (`/usr/lib/postgresql/N/bin`).
fn server_binaries() -> anyhow::Result<PathBuf> {
    let root = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .with_context(|| {
            format!(
                "reading {} (install the Debian package `postgresql`)",
                root.display()
            )
        })?
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, bin)| bin.join("postgres").exists())
        .collect();
    versions.sort();
    match versions.pop() {
        Some((_, bin)) => Ok(bin),
        None => bail!("no PostgreSQL server under {}", root.display()),
    }
}

fn is_root() -> anyhow::Result<bool> {
    let output = Command::new("id")
        .arg("-u")
        .output()
        .context("running id -u")?;
    Ok(String::from_utf8_lossy(&output.stdout).trim() == "0")
}

fn chown_to_service_account(dir: &Path) -> anyhow::Result<()> {
    let status = Command::new("chown")
        .arg(format!("{SERVICE_ACCOUNT}:{SERVICE_ACCOUNT}"))
        .arg(dir)
        .status()
        .context("running chown")?;
    if !status.success() {
        bail!(
            "chown {SERVICE_ACCOUNT} {} failed (does the account exist?)",
            dir.display()
        );
    }
    Ok(())
}

/// `program`, run as the service account (without root's groups) when the tests run as root,
/// and killed when the calling thread ends if `die_with_thread` (`setpriv` execs it, so the
/// child is the program itself).
fn run_as(program: &Path, as_root: bool, die_with_thread: bool) -> Command {
    if !as_root && !die_with_thread {
        return Command::new(program);
    }
    let mut command = Command::new("setpriv");
    if as_root {
        command
            .arg(format!("--reuid={SERVICE_ACCOUNT}"))
            .arg(format!("--regid={SERVICE_ACCOUNT}"))
            .arg("--clear-groups");
    }
    if die_with_thread {
        command.args(["--pdeathsig", "KILL"]);
    }
    command.arg("--").arg(program);
    command
}

/// One cluster for the whole test process, started on first use by a thread that lives as
/// long as the process, so the server dies with the process (see
/// `TANDEM_TEST_STORE=postgres`, which runs the relay tests on PostgreSQL).
pub fn shared_cluster() -> anyhow::Result<&'static PostgresCluster> {
    static SHARED: std::sync::OnceLock<Result<PostgresCluster, String>> =
        std::sync::OnceLock::new();
    let started = SHARED.get_or_init(|| {
        let (sender, receiver) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("postgres-owner".into())
            .spawn(move || {
                let _ = sender.send(PostgresCluster::start_with(true, false));
                // This thread's end would kill the server: it ends with the process.
                loop {
                    std::thread::park();
                }
            });
        match spawned {
            Ok(_) => match receiver.recv() {
                Ok(Ok(cluster)) => Ok(cluster),
                Ok(Err(error)) => Err(format!("{error:#}")),
                Err(_) => Err("the postgres owner thread ended".to_owned()),
            },
            Err(error) => Err(format!("starting the postgres owner thread: {error}")),
        }
    });
    started
        .as_ref()
        .map_err(|error| anyhow::anyhow!("the shared PostgreSQL cluster: {error}"))
}

/// A loopback port nobody listens on now.
fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}
