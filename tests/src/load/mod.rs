//! The load harness (issue 9): visitor/adviser pairs speaking each server's real protocol,
//! driven through phases (connect ramp, idle, chat load, reconnect storm, slow adviser,
//! co-browse load), measured side by
//! side on Tandem's relay, a bare tokio-tungstenite ceiling and a socket.io 4.8 peer.
//!
//! `cargo bench -p tandem-tests --bench load` runs it and prints the table; the e2e test
//! `load::the_harness_phases_run_at_small_scale` runs every phase small.

pub mod cobrowse_load;
pub mod hiccups;
mod net;
mod pairs;
mod peer_link;
pub mod proc_stats;
mod recorder;
pub mod report;
pub mod server;
pub mod slow_reader;
pub mod storm;
mod tandem_link;
mod wire;

pub use recorder::Recorder;
pub use server::{pin_self, Kind, Programs, Server};

/// The core the generator pins itself to, away from the servers' `server_core`.
pub fn generator_core(server_core: usize) -> usize {
    usize::from(server_core == 0)
}

use pairs::{settle, Pairs, Receivers};
use std::time::{Duration, Instant};
use storm::StormFigures;

/// What a run does.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Visitor/adviser pairs.
    pub pairs: usize,
    /// Messages per second each visitor sends during the chat phase.
    pub rate_per_sec: f64,
    /// Size of each message body.
    pub message_bytes: usize,
    /// Length of the chat phase.
    pub chat_secs: f64,
    /// Length of the idle phase.
    pub idle_secs: f64,
    /// The core the servers are pinned to (the generator pins itself to another); `None`
    /// leaves them free to run on any core.
    pub server_core: Option<usize>,
    /// Run the reconnect storm (Tandem only).
    pub storm: bool,
    /// Length of the slow adviser phase (0: skipped).
    pub slow_secs: f64,
    /// Pairs in the co-browse phase.
    pub cobrowse_pairs: usize,
    /// Length of the co-browse phase (0: skipped).
    pub cobrowse_secs: f64,
    /// PostgreSQL flushes every commit to disk, as in production (the benchmark); the
    /// small-scale CI test, whose data is thrown away, skips the flushes.
    pub durable_postgres: bool,
}

/// The chat phase's figures.
#[derive(Clone, Debug, Default)]
pub struct ChatFigures {
    /// Messages sent over the run.
    pub sent: u64,
    /// Messages delivered in the phase.
    pub delivered: u64,
    /// Messages never delivered.
    pub missing: u64,
    /// Messages delivered twice.
    pub duplicates: u64,
    /// Delivery latency percentiles, milliseconds.
    pub p50_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// 99.9th percentile.
    pub p999_ms: f64,
    /// Delivered messages per second.
    pub msgs_per_sec: f64,
    /// Server CPU time per delivered message, microseconds.
    pub cpu_us_per_msg: f64,
    /// Share of one core the load generator itself used during the phase (near 1.0, its
    /// own queueing shows in the latency).
    pub generator_core_share: f64,
    /// Per second of the phase, the messages slower than
    /// [`recorder::SLOW_MS`](recorder::SLOW_MS).
    pub slow_by_second: Vec<u32>,
    /// How late the generator itself ran meanwhile (its own stalls show in the latency).
    pub generator_hiccups: hiccups::Hiccups,
}

/// One server's figures.
#[derive(Clone, Debug)]
pub struct Figures {
    /// What was measured.
    pub kind: Kind,
    /// Connections open in the idle and chat phases.
    pub connections: usize,
    /// Seconds to open and pair every connection.
    pub ramp_secs: f64,
    /// Server RSS before any connection, KiB.
    pub rss_base_kib: u64,
    /// Server RSS with every pair open and idle, KiB.
    pub rss_idle_kib: u64,
    /// Server CPU while idle: microseconds per connection per second.
    pub idle_cpu_us_per_conn_sec: f64,
    /// Server RSS at the end of the chat phase, KiB.
    pub rss_chat_kib: u64,
    /// The chat phase.
    pub chat: ChatFigures,
    /// The reconnect storm (Tandem).
    pub storm: Option<StormFigures>,
    /// The slow adviser phase.
    pub slow: Option<slow_reader::SlowReaderFigures>,
    /// The co-browse phase.
    pub cobrowse: Option<cobrowse_load::CobrowseFigures>,
}

impl Figures {
    /// Relay memory per idle connection, KiB.
    pub fn kib_per_connection(&self) -> f64 {
        self.rss_idle_kib.saturating_sub(self.rss_base_kib) as f64 / self.connections.max(1) as f64
    }

    /// Delivered messages per second of server CPU.
    pub fn msgs_per_cpu_sec(&self) -> f64 {
        if self.chat.cpu_us_per_msg > 0.0 {
            1_000_000.0 / self.chat.cpu_us_per_msg
        } else {
            0.0
        }
    }
}

/// Starts `kind`, runs the plan's phases against it, stops it; then the slow adviser phase and
/// the co-browse phase, each on a fresh server.
pub async fn measure(kind: Kind, programs: &Programs, plan: &Plan) -> anyhow::Result<Figures> {
    let mut figures = measure_pairs(kind, programs, plan).await?;
    if plan.slow_secs > 0.0 {
        figures.slow = Some(slow_reader::measure(kind, programs, plan).await?);
    }
    if plan.cobrowse_secs > 0.0 && plan.cobrowse_pairs > 0 {
        figures.cobrowse = Some(cobrowse_load::measure(kind, programs, plan).await?);
    }
    Ok(figures)
}

/// The phases on the plan's pairs: ramp, idle, chat, storm.
async fn measure_pairs(kind: Kind, programs: &Programs, plan: &Plan) -> anyhow::Result<Figures> {
    let advisers = plan
        .pairs
        .div_ceil(usize::from(tandem_shared::limits::MAX_CHATS_PER_ADVISER));
    let server = Server::start(kind, programs, advisers, plan).await?;
    let rss_base_kib = server.rss_kib()?;
    let receivers = Receivers::new(plan.pairs)?;
    let recorder = receivers.messages.clone();

    let ramp = Instant::now();
    // A setup that stalls fails the run with the server's log instead of hanging it.
    let setup_limit = Duration::from_secs(60) + Duration::from_millis(50) * plan.pairs as u32;
    let pairs = match tokio::time::timeout(setup_limit, Pairs::open(&server, plan.pairs, receivers))
        .await
    {
        Ok(Ok(pairs)) => pairs,
        Ok(Err(e)) => anyhow::bail!("{}: opening pairs: {e:#}\n{}", kind.label(), server.log()),
        Err(_) => anyhow::bail!(
            "{}: opening {} pairs took over {setup_limit:?}\n{}",
            kind.label(),
            plan.pairs,
            server.log()
        ),
    };
    let ramp_secs = ramp.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_millis(500)).await;

    let rss_idle_kib = server.rss_kib()?;
    let idle_cpu = server.cpu_us()?;
    tokio::time::sleep(Duration::from_secs_f64(plan.idle_secs)).await;
    let idle_cpu_us = server.cpu_us()?.saturating_sub(idle_cpu) as f64;
    let connections = pairs.connections();

    if let Ok(mut recorder) = recorder.lock() {
        recorder.new_window();
    }
    let chat_cpu = server.cpu_us()?;
    let generator = proc_stats::OwnCoreShare::start()?;
    let hiccup_meter = hiccups::HiccupMeter::start();
    let chat_duration = Duration::from_secs_f64(plan.chat_secs);
    pairs
        .chat(
            &recorder,
            plan.rate_per_sec,
            plan.message_bytes,
            chat_duration,
        )
        .await;
    let generator_hiccups = hiccup_meter.finish().await?;
    settle(&recorder, Duration::from_secs(15)).await;
    let chat_cpu_us = server.cpu_us()?.saturating_sub(chat_cpu) as f64;
    let generator_core_share = generator.so_far()?;
    let rss_chat_kib = server.rss_kib()?;
    let chat = match recorder.lock() {
        Ok(recorder) => ChatFigures {
            sent: recorder.sent(),
            delivered: recorder.delivered(),
            missing: recorder.missing(),
            duplicates: recorder.duplicates(),
            p50_ms: recorder.latency_ms(0.5),
            p99_ms: recorder.latency_ms(0.99),
            p999_ms: recorder.latency_ms(0.999),
            msgs_per_sec: recorder.delivered() as f64 / plan.chat_secs,
            cpu_us_per_msg: chat_cpu_us / recorder.delivered().max(1) as f64,
            generator_core_share,
            slow_by_second: recorder.slow_by_second().to_vec(),
            generator_hiccups,
        },
        Err(_) => anyhow::bail!("the recorder's lock is poisoned"),
    };

    let storm = if plan.storm && kind.is_tandem() {
        Some(storm::reconnect_storm(&server, &pairs).await?)
    } else {
        None
    };
    Ok(Figures {
        kind,
        connections,
        ramp_secs,
        rss_base_kib,
        rss_idle_kib,
        idle_cpu_us_per_conn_sec: idle_cpu_us / connections.max(1) as f64 / plan.idle_secs,
        rss_chat_kib,
        chat,
        storm,
        slow: None,
        cobrowse: None,
    })
}
