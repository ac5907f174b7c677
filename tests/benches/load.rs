//! The load harness at full scale: Tandem's relay, the bare echo ceiling and the socket.io 4.8
//! peer, each through the connect ramp, idle, chat load, (Tandem) reconnect storm, slow adviser
//! and co-browse load phases;
//! prints a Markdown table for BENCHMARKS.md.
//!
//! `cargo build --release -p tandem-relay && cargo bench -p tandem-tests --bench load`
//!
//! Settings (environment): `LOAD_PAIRS` (default 5000), `LOAD_RATE` (messages per second per
//! visitor, 1), `LOAD_BYTES` (200), `LOAD_CHAT_SECS` (20), `LOAD_IDLE_SECS` (10), `LOAD_SLOW_SECS` (20),
//! `LOAD_COBROWSE_PAIRS` (500), `LOAD_COBROWSE_SECS` (20),
//! `LOAD_TARGETS` (comma-separated: tandem,tandem-pg,echo,socketio; tandem-pg is the relay on a
//! PostgreSQL store), `LOAD_PIN` (1; 0 leaves the servers free to run on any core),
//! `LOAD_SERVER_CORE` (1: the core the servers are pinned to; the generator takes core 0, or
//! core 1 when the servers take 0), `TANDEM_RELAY_BIN`
//! (default target/release/tandem-relay). Raise the open-files limit first (`ulimit -n 20000`).

use tandem_tests::load::{self, Kind, Plan, Programs};

fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> anyhow::Result<()> {
    let server_core = std::env::var("LOAD_PIN")
        .map_or(true, |v| v != "0")
        .then(|| setting("LOAD_SERVER_CORE", 1));
    load::pin_self(server_core.map_or(0, load::generator_core));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(server_core))
}

async fn run(server_core: Option<usize>) -> anyhow::Result<()> {
    let root = tandem_tests::workspace_root();
    let programs = Programs {
        relay: std::env::var("TANDEM_RELAY_BIN")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|_| root.join("target/release/tandem-relay")),
        echo: std::path::PathBuf::from(env!("CARGO_BIN_EXE_echo-relay")),
        node: "node".into(),
    };
    let plan = Plan {
        pairs: setting("LOAD_PAIRS", 5000),
        rate_per_sec: setting("LOAD_RATE", 1.0),
        message_bytes: setting("LOAD_BYTES", 200),
        chat_secs: setting("LOAD_CHAT_SECS", 20.0),
        idle_secs: setting("LOAD_IDLE_SECS", 10.0),
        server_core,
        storm: true,
        slow_secs: setting("LOAD_SLOW_SECS", 20.0),
        cobrowse_pairs: setting("LOAD_COBROWSE_PAIRS", 500),
        cobrowse_secs: setting("LOAD_COBROWSE_SECS", 20.0),
        durable_postgres: true,
    };
    let targets: String = setting("LOAD_TARGETS", "tandem,tandem-pg,echo,socketio".to_owned());
    let mut figures = Vec::new();
    for name in targets.split(',') {
        let kind = match name.trim() {
            "tandem" => Kind::Tandem,
            "tandem-pg" => Kind::TandemPostgres,
            "echo" => Kind::Echo,
            "socketio" => Kind::SocketIo,
            other => anyhow::bail!("unknown target {other} (tandem, tandem-pg, echo, socketio)"),
        };
        eprintln!("measuring {} …", kind.label());
        let measured = load::measure(kind, &programs, &plan).await?;
        if let Some(failure) = measured
            .storm
            .as_ref()
            .and_then(|s| s.first_failure.as_ref())
        {
            eprintln!("first visitor that could not resume: {failure}");
        }
        figures.push(measured);
    }
    println!("{}", load::report::table(&plan, &figures));
    Ok(())
}
