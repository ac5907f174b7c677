//! Chat through several nodes (issue 6): message latency and throughput when the visitor and
//! the adviser are on the node that leads, against when each is on another node (their frames
//! then cross NATS to the leader and back). Three release relay processes, a real
//! `nats-server`, a durable PostgreSQL cluster in a temp dir.
//!
//! `cargo build --release -p tandem-relay && cargo bench -p tandem-tests --bench cluster`
//! (`CLUSTER_PAIRS`, default 200; `CLUSTER_RATES`, messages per second per visitor, one run
//! each, default `5,40,100`: latency under a normal and a heavy load, then what the
//! cluster delivers at most (all on one machine); `CLUSTER_SECS`, default 10).

use hdrhistogram::Histogram;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tandem_relay::store::StoreLocation;
use tandem_shared::{EventKind, Role, ServerMsg, VisitorMsg};
use tandem_tests::clients::{chat_request, AdviserClient, VisitorClient};
use tandem_tests::load::server::{adviser_login, create_advisers};
use tandem_tests::nodes::ThreeNodes;
use tandem_tests::postgres::PostgresCluster;

/// Chats one adviser takes at once in this benchmark.
const CHATS_PER_ADVISER: usize = 8;

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What one phase measured.
struct Measured {
    latency_us: Histogram<u64>,
    delivered: u64,
    secs: f64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let pairs = usize::try_from(setting("CLUSTER_PAIRS", 200))?;
    let rates: Vec<u64> = std::env::var("CLUSTER_RATES")
        .unwrap_or_else(|_| "5,40,100".into())
        .split(',')
        .filter_map(|r| r.trim().parse().ok())
        .filter(|r| *r > 0)
        .collect();
    let secs = setting("CLUSTER_SECS", 10).max(1);
    let postgres = PostgresCluster::start_durable()?;
    let store = postgres.create_database()?;
    let advisers_per_phase = pairs.div_ceil(CHATS_PER_ADVISER);
    let phases = rates.len() * 2;
    create_advisers(
        &StoreLocation::Postgres(store.clone()),
        advisers_per_phase * phases,
    )
    .await?;
    let nodes = ThreeNodes::start_on(
        store,
        "warn",
        &[
            "--logins-per-minute",
            "100000",
            "--connections-per-minute",
            "100000",
            "--frames-per-sec",
            "1000",
        ],
    )
    .await?;
    println!(
        "Chat through a cluster of 3 nodes: {pairs} pairs, visitor → adviser, {secs} s per row"
    );
    println!(
        "| {:<44} | {:>8} | {:>9} | {:>9} | {:>9} | {:>12} |",
        "where the two sides are", "offered", "p50 (ms)", "p99 (ms)", "max (ms)", "delivered/s"
    );
    let placements = [
        ("same node (both on the leader)", 0, 0),
        ("cross-node (visitor on B, adviser on C)", 1, 2),
    ];
    let runs = rates
        .iter()
        .flat_map(|rate| placements.iter().map(move |placement| (*rate, *placement)));
    for (index, (rate, (label, visitor_node, adviser_node))) in runs.enumerate() {
        let first_adviser = index * advisers_per_phase;
        let advisers = (first_adviser..first_adviser + advisers_per_phase)
            .map(adviser_login)
            .collect::<Vec<_>>();
        let measured = run_phase(
            &nodes,
            visitor_node,
            adviser_node,
            &advisers,
            pairs,
            rate,
            Duration::from_secs(secs),
        )
        .await?;
        let ms = |q: f64| measured.latency_us.value_at_quantile(q) as f64 / 1000.0;
        println!(
            "| {label:<44} | {:>8} | {:>9.2} | {:>9.2} | {:>9.2} | {:>12.0} |",
            pairs as u64 * rate,
            ms(0.5),
            ms(0.99),
            measured.latency_us.max() as f64 / 1000.0,
            measured.delivered as f64 / measured.secs
        );
    }
    Ok(())
}

/// Pairs `pairs` visitors on `visitor_node` with `advisers` on `adviser_node`, then has every
/// visitor send `rate` messages a second for `length`, timing each until its adviser gets it.
async fn run_phase(
    nodes: &ThreeNodes,
    visitor_node: usize,
    adviser_node: usize,
    advisers: &[String],
    pairs: usize,
    rate: u64,
    length: Duration,
) -> anyhow::Result<Measured> {
    let mut consoles = Vec::new();
    for login in advisers {
        let mut console = AdviserClient::connect(nodes.node(adviser_node), login).await?;
        console
            .set_presence(true, u8::try_from(CHATS_PER_ADVISER)?)
            .await?;
        consoles.push(console);
    }
    let mut visitors = Vec::new();
    for n in 0..pairs {
        let mut visitor = VisitorClient::connect(nodes.node(visitor_node), None, 0).await?;
        visitor
            .start_chat(chat_request(
                &format!("Visitor {n}"),
                "v@example.com",
                "Bench",
            ))
            .await?;
        visitor
            .recv_until("an adviser", |f| {
                matches!(f, ServerMsg::Event { event, .. } if matches!(event.kind, EventKind::AdviserJoined { .. }))
            })
            .await?;
        visitors.push(visitor);
    }
    let start = Instant::now();
    let until = start + length;
    let latency = Arc::new(Mutex::new(Histogram::<u64>::new(3)?));
    let delivered = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for mut console in consoles {
        let latency = latency.clone();
        let delivered = delivered.clone();
        tasks.push(tokio::spawn(async move {
            let stop = tokio::time::Instant::from_std(until + Duration::from_secs(2));
            loop {
                let frame = tokio::select! {
                    frame = console.recv() => frame,
                    () = tokio::time::sleep_until(stop) => break,
                };
                let Ok(ServerMsg::Event { event, .. }) = frame else {
                    continue;
                };
                if let EventKind::Message { author, body, .. } = &event.kind {
                    let sent = body.strip_prefix("t:").and_then(|t| t.parse::<u64>().ok());
                    if let (Role::Visitor, Some(sent)) = (author.role, sent) {
                        let now = u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX);
                        let _ = latency
                            .lock()
                            .map(|mut h| h.record(now.saturating_sub(sent).max(1)));
                        delivered.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    for (n, mut visitor) in visitors.into_iter().enumerate() {
        tasks.push(tokio::spawn(async move {
            let period = Duration::from_micros(1_000_000 / rate);
            // Spread the visitors over the period so that sends do not all fall at once.
            let offset = period.mul_f64((n % 100) as f64 / 100.0);
            let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + offset, period);
            let mut sent = 0u64;
            while Instant::now() < until {
                tokio::select! {
                    _ = tick.tick() => {
                        sent += 1;
                        let at = start.elapsed().as_micros();
                        let frame = VisitorMsg::Send {
                            client_msg_id: format!("bench-{n}-{sent}"),
                            body: format!("t:{at}"),
                        };
                        if visitor.send(&frame).await.is_err() {
                            break;
                        }
                    }
                    frame = visitor.recv() => if frame.is_err() { break },
                }
            }
        }));
    }
    for task in tasks {
        task.await?;
    }
    let latency_us = latency
        .lock()
        .map_err(|_| anyhow::anyhow!("a task panicked"))?
        .clone();
    Ok(Measured {
        latency_us,
        delivered: delivered.load(Ordering::Relaxed),
        secs: length.as_secs_f64(),
    })
}
