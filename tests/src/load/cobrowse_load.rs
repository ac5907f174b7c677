//! The co-browse load: on a fresh server, each adviser asks each of their visitors to share
//! the page, every visitor accepts, then sends 30 batches of page changes a second (1 to 4 KB
//! each, as a busy form page does) and, once during the phase at a moment of its own, a whole
//! page snapshot of 256 KB to 1 MB (as after a navigation; on Tandem in 48 KiB parts, as the
//! widget sends it). The adviser side records the delay
//! of each batch and each snapshot; the server's CPU and memory come from /proc.

use super::pairs::{settle, Pairs, Receivers, SharedRecorder};
use super::proc_stats;
use super::server::{Kind, Programs, Server};
use super::wire::{cobrowse_frames, SNAPSHOT_MARK};
use super::Plan;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tandem_shared::AdviserMsg;
use tokio::task::JoinSet;
use tokio::time::{Instant, MissedTickBehavior};
use tokio_tungstenite::tungstenite::Message;

/// Change batches per second per visitor.
const BATCHES_PER_SEC: f64 = 30.0;
/// How long the visitors have to accept the invitations.
const CONSENT_LIMIT: Duration = Duration::from_secs(60);

/// What the co-browse phase showed.
#[derive(Clone, Debug, Default)]
pub struct CobrowseFigures {
    /// Pairs co-browsing.
    pub pairs: usize,
    /// Change batches sent.
    pub batches_sent: u64,
    /// Change batches delivered.
    pub batches_delivered: u64,
    /// Change batches never delivered, or delivered twice.
    pub batches_missing: u64,
    /// Change batches delivered twice.
    pub batches_duplicated: u64,
    /// Change batch delay percentiles, milliseconds.
    pub batch_p50_ms: f64,
    /// 99th percentile.
    pub batch_p99_ms: f64,
    /// 99.9th percentile.
    pub batch_p999_ms: f64,
    /// Snapshots sent.
    pub snapshots_sent: u64,
    /// Snapshots never delivered.
    pub snapshots_missing: u64,
    /// Snapshot delay: median, milliseconds.
    pub snapshot_p50_ms: f64,
    /// Snapshot delay: the slowest, milliseconds.
    pub snapshot_max_ms: f64,
    /// Page bytes the visitors sent per second (batches and snapshots).
    pub megabytes_per_sec: f64,
    /// Server CPU time over the phase per delivered batch (snapshots included), microseconds.
    pub cpu_us_per_batch: f64,
    /// Server RSS before the phase, KiB.
    pub rss_before_kib: u64,
    /// Highest server RSS during the phase, KiB.
    pub rss_peak_kib: u64,
    /// Share of one core the load generator itself used while sending (near 1.0: the
    /// figures are bounded by the generator, not the server).
    pub generator_core_share: f64,
}

/// The size of pair `pair`'s change batches: 1, 2, 3 or 4 KB.
fn batch_bytes(pair: usize) -> usize {
    1024 * (1 + pair % 4)
}

/// The size of pair `pair`'s snapshot: 256, 512, 768 or 1,024 KB.
fn snapshot_bytes(pair: usize) -> usize {
    256 * 1024 * (1 + pair % 4)
}

/// Starts a fresh `kind` server with `plan.cobrowse_pairs` pairs and runs the phase for
/// `plan.cobrowse_secs`.
pub async fn measure(
    kind: Kind,
    programs: &Programs,
    plan: &Plan,
) -> anyhow::Result<CobrowseFigures> {
    let count = plan.cobrowse_pairs;
    let advisers = count.div_ceil(usize::from(tandem_shared::limits::MAX_CHATS_PER_ADVISER));
    let server = Server::start(kind, programs, advisers, plan).await?;
    let receivers = Receivers::new(count)?;
    let pairs = Pairs::open(&server, count, receivers.clone())
        .await
        .map_err(|e| anyhow::anyhow!("{}: opening pairs: {e:#}\n{}", kind.label(), server.log()))?;
    if kind.is_tandem() {
        start_cobrowsing(&pairs).await.map_err(|e| {
            anyhow::anyhow!(
                "{}: starting co-browsing: {e:#}\n{}",
                kind.label(),
                server.log()
            )
        })?;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rss_before_kib = server.rss_kib()?;
    let cpu_before = server.cpu_us()?;
    let generator = proc_stats::OwnCoreShare::start()?;
    let duration = Duration::from_secs_f64(plan.cobrowse_secs);
    let sending = send_pages(&pairs, kind, &receivers, duration);
    tokio::pin!(sending);
    let mut rss_peak_kib = rss_before_kib;
    let bytes_sent = loop {
        tokio::select! {
            bytes = &mut sending => break bytes,
            () = tokio::time::sleep(Duration::from_millis(200)) => {
                rss_peak_kib = rss_peak_kib.max(server.rss_kib()?);
            }
        }
    };
    let generator_core_share = generator.so_far()?;
    settle(&receivers.messages, Duration::from_secs(15)).await;
    settle(&receivers.snapshots, Duration::from_secs(15)).await;
    rss_peak_kib = rss_peak_kib.max(server.rss_kib()?);
    let cpu_us = server.cpu_us()?.saturating_sub(cpu_before) as f64;
    let batches = receivers
        .messages
        .lock()
        .map_err(|_| anyhow::anyhow!("the recorder's lock is poisoned"))?;
    let snapshots = receivers
        .snapshots
        .lock()
        .map_err(|_| anyhow::anyhow!("the recorder's lock is poisoned"))?;
    Ok(CobrowseFigures {
        pairs: count,
        batches_sent: batches.sent(),
        batches_delivered: batches.delivered(),
        batches_missing: batches.missing(),
        batches_duplicated: batches.duplicates(),
        batch_p50_ms: batches.latency_ms(0.5),
        batch_p99_ms: batches.latency_ms(0.99),
        batch_p999_ms: batches.latency_ms(0.999),
        snapshots_sent: snapshots.sent(),
        snapshots_missing: snapshots.missing(),
        snapshot_p50_ms: snapshots.latency_ms(0.5),
        snapshot_max_ms: snapshots.latency_ms(1.0),
        megabytes_per_sec: bytes_sent as f64 / 1_048_576.0 / plan.cobrowse_secs.max(1e-9),
        cpu_us_per_batch: cpu_us / batches.delivered().max(1) as f64,
        rss_before_kib,
        rss_peak_kib,
        generator_core_share,
    })
}

/// Each Tandem adviser asks each of their visitors to share the page; waits until every
/// visitor has accepted and the session has started.
async fn start_cobrowsing(pairs: &Pairs) -> anyhow::Result<()> {
    // A visitor counts as paired once told the adviser joined; the console is given the
    // conversation just after (the relay reads its history first, slower on PostgreSQL), so
    // wait until every console holds its chats before asking to co-browse in them.
    let deadline = Instant::now() + CONSENT_LIMIT;
    loop {
        let mut held = 0;
        for list in &pairs.conversations {
            held += list
                .lock()
                .map_err(|_| anyhow::anyhow!("a conversation list's lock is poisoned"))?
                .len();
        }
        if held >= pairs.visitors.len() {
            break;
        }
        if Instant::now() > deadline {
            anyhow::bail!(
                "the consoles hold {held} of {} chats after {CONSENT_LIMIT:?}",
                pairs.visitors.len()
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for (adviser, held) in pairs.advisers.iter().zip(&pairs.conversations) {
        let conversations = held
            .lock()
            .map_err(|_| anyhow::anyhow!("a conversation list's lock is poisoned"))?
            .clone();
        for conversation_id in conversations {
            let request = AdviserMsg::CobrowseRequest { conversation_id };
            adviser
                .tx
                .send(Message::Text(serde_json::to_string(&request)?.into()))
                .map_err(|_| anyhow::anyhow!("an adviser connection ended"))?;
        }
    }
    let deadline = Instant::now() + CONSENT_LIMIT;
    loop {
        let started = pairs
            .cobrowsing
            .iter()
            .filter(|flag| flag.load(Ordering::Relaxed))
            .count();
        if started == pairs.cobrowsing.len() {
            return Ok(());
        }
        if Instant::now() > deadline {
            anyhow::bail!(
                "{started} of {} co-browsing sessions started within {CONSENT_LIMIT:?}",
                pairs.cobrowsing.len()
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Every visitor sends change batches at a steady rate for `duration` and one snapshot at
/// its own moment in it; returns the page bytes sent.
async fn send_pages(pairs: &Pairs, kind: Kind, receivers: &Receivers, duration: Duration) -> u64 {
    let period = Duration::from_secs_f64(1.0 / BATCHES_PER_SEC);
    let start = Instant::now() + Duration::from_millis(20);
    let end = start + duration;
    let count = pairs.visitors.len().max(1);
    let mut senders = JoinSet::new();
    for (pair, visitor) in pairs.visitors.iter().enumerate() {
        let spread = pair as f64 / count as f64;
        let tx = visitor.tx.clone();
        let receivers = receivers.clone();
        let snapshot_at = start + duration.mul_f64(0.1 + 0.8 * spread);
        senders.spawn(async move {
            let mut ticks = tokio::time::interval_at(start + period.mul_f64(spread), period);
            ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
            let mut snapshot_due = true;
            let mut bytes = 0u64;
            let mut frame_no = 0u32;
            loop {
                let now = ticks.tick().await;
                if now >= end {
                    break;
                }
                let body = if snapshot_due && now >= snapshot_at {
                    snapshot_due = false;
                    next_body(&receivers.snapshots, pair, snapshot_bytes(pair))
                        .map(|body| format!("{SNAPSHOT_MARK}{body}"))
                } else {
                    next_body(&receivers.messages, pair, batch_bytes(pair))
                };
                let Some(body) = body else { break };
                bytes += body.len() as u64;
                frame_no += 1;
                let Ok(frames) = cobrowse_frames(kind, body, frame_no) else {
                    break;
                };
                if frames
                    .into_iter()
                    .any(|frame| tx.send(Message::Text(frame.into())).is_err())
                {
                    break;
                }
            }
            bytes
        });
    }
    let mut bytes = 0;
    while let Some(sent) = senders.join_next().await {
        bytes += sent.unwrap_or(0);
    }
    bytes
}

fn next_body(recorder: &SharedRecorder, pair: usize, bytes: usize) -> Option<String> {
    recorder
        .lock()
        .ok()
        .map(|mut recorder| recorder.next_body(pair, bytes))
}
