//! The run's table, in Markdown (pasted as is into BENCHMARKS.md): one column per server, each
//! figure next to issue 9's target, then Tandem's ratios against the peer and the ceiling.

use super::recorder::SLOW_MS;
use super::{Figures, Kind, Plan};
use std::fmt::Write;

/// The table for `figures` (Tandem first if present).
pub fn table(plan: &Plan, figures: &[Figures]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} pairs, chat {} msg/s of {} B per visitor for {} s, idle {} s, slow adviser {} s{}\n",
        plan.pairs,
        plan.rate_per_sec,
        plan.message_bytes,
        plan.chat_secs,
        plan.idle_secs,
        plan.slow_secs,
        match plan.server_core {
            Some(core) => format!(
                "; servers on core {core}, generator on core {}",
                super::generator_core(core)
            ),
            None => String::new(),
        }
    );
    let header: Vec<&str> = figures.iter().map(|f| f.kind.label()).collect();
    let _ = writeln!(out, "| figure | target | {} |", header.join(" | "));
    let _ = writeln!(out, "|---|---|{}", "---|".repeat(figures.len()));
    let mut row = |name: &str, target: &str, cell: &dyn Fn(&Figures) -> String| {
        let cells: Vec<String> = figures.iter().map(cell).collect();
        let _ = writeln!(out, "| {name} | {target} | {} |", cells.join(" | "));
    };
    row("connections (visitors + advisers)", "", &|f| {
        f.connections.to_string()
    });
    row("connect ramp: pairs per second", "", &|f| {
        format!("{:.0}", plan.pairs as f64 / f.ramp_secs.max(1e-9))
    });
    row("idle: server RSS per connection (KiB)", "≤ 8", &|f| {
        format!("{:.1}", f.kib_per_connection())
    });
    row(
        "idle: server RSS, no connection → all open (MiB)",
        "",
        &|f| format!("{:.1} → {:.1}", mib(f.rss_base_kib), mib(f.rss_idle_kib)),
    );
    row("idle: CPU-µs per connection per second", "≤ 2", &|f| {
        format!("{:.2}", f.idle_cpu_us_per_conn_sec)
    });
    row("chat: latency p50 / p99 / p99.9 (ms)", "p99 ≤ 5", &|f| {
        format!(
            "{:.2} / {:.2} / {:.2}",
            f.chat.p50_ms, f.chat.p99_ms, f.chat.p999_ms
        )
    });
    row("chat: delivered msgs/s", "", &|f| {
        format!("{:.0}", f.chat.msgs_per_sec)
    });
    row("chat: generator's share of its core", "", &|f| {
        format!("{:.0}%", f.chat.generator_core_share * 100.0)
    });
    row(
        &format!("chat: messages over {SLOW_MS} ms, by second of the phase"),
        "",
        &|f| per_second_series(&f.chat.slow_by_second, 0, "none"),
    );
    row(
        "chat: the generator's own stalls (late wake-ups): p99 / max (ms)",
        "",
        &|f| {
            let hiccups = &f.chat.generator_hiccups;
            format!("{:.2} / {:.1}", hiccups.p99_ms, hiccups.max_ms)
        },
    );
    row(
        "chat: the generator's longest stall, by second of the phase (ms)",
        "",
        &|f| {
            per_second_series(
                &f.chat.generator_hiccups.max_ms_by_second,
                5,
                "none over 5 ms",
            )
        },
    );
    row("chat: server CPU-µs per delivered msg", "", &|f| {
        format!("{:.1}", f.chat.cpu_us_per_msg)
    });
    row(
        "chat: delivered msgs per server CPU-second",
        "≥ 3× socket.io, ≥ 0.6× echo",
        &|f| format!("{:.0}", f.msgs_per_cpu_sec()),
    );
    row("chat: missing / duplicated", "0 / 0", &|f| {
        format!("{} / {}", f.chat.missing, f.chat.duplicates)
    });
    row("chat: server RSS at the end (MiB)", "", &|f| {
        format!("{:.1}", mib(f.rss_chat_kib))
    });
    row(
        "reconnect storm: 99% / all resumed (s)",
        "99% ≤ 5 s",
        &|f| {
            phase(&f.storm, |s| {
                format!(
                    "{:.2} / {:.2} ({} clients)",
                    s.secs_to_99, s.secs_to_all, s.clients
                )
            })
        },
    );
    row(
        "reconnect storm: failed / gaps / duplicates",
        "0 / 0 / 0",
        &|f| {
            phase(&f.storm, |s| {
                format!("{} / {} / {}", s.failed, s.gaps, s.duplicates)
            })
        },
    );
    row(
        "slow adviser: server RSS growth while 8 visitors send 30 × 3.9 KB/s to a console that reads nothing (MiB)",
        "bounded",
        &|f| phase(&f.slow, |s| format!("{:.1} ({:.1} MiB sent)", s.growth_mib(), s.bytes_sent as f64 / 1_048_576.0)),
    );
    row(
        "slow adviser: unread connection let go / writers unaffected",
        "yes / yes",
        &|f| {
            phase(&f.slow, |s| {
                format!(
                    "{} / {}",
                    yes_no(s.reader_closed),
                    yes_no(s.writers_unaffected)
                )
            })
        },
    );
    row(
        "co-browse: pairs × 30 change batches/s of 1–4 KB, one 256 KB–1 MB snapshot each",
        "",
        &|f| {
            phase(&f.cobrowse, |c| {
                format!(
                    "{} pairs, {:.1} MB/s (generator at {:.0}% of its core)",
                    c.pairs,
                    c.megabytes_per_sec,
                    c.generator_core_share * 100.0
                )
            })
        },
    );
    row(
        "co-browse: batch delay p50 / p99 / p99.9 (ms)",
        "p99 ≤ 20 at 500 pairs",
        &|f| {
            phase(&f.cobrowse, |c| {
                format!(
                    "{:.2} / {:.2} / {:.2}",
                    c.batch_p50_ms, c.batch_p99_ms, c.batch_p999_ms
                )
            })
        },
    );
    row(
        "co-browse: snapshot delay p50 / slowest (ms)",
        "1 MB ≤ 100",
        &|f| {
            phase(&f.cobrowse, |c| {
                format!("{:.1} / {:.1}", c.snapshot_p50_ms, c.snapshot_max_ms)
            })
        },
    );
    row(
        "co-browse: batches missing / duplicated; snapshots missing",
        "0 / 0; 0",
        &|f| {
            phase(&f.cobrowse, |c| {
                format!(
                    "{} / {}; {}",
                    c.batches_missing, c.batches_duplicated, c.snapshots_missing
                )
            })
        },
    );
    row(
        "co-browse: server CPU-µs per delivered batch; RSS growth (MiB)",
        "",
        &|f| {
            phase(&f.cobrowse, |c| {
                format!(
                    "{:.1}; {:.1}",
                    c.cpu_us_per_batch,
                    c.rss_peak_kib.saturating_sub(c.rss_before_kib) as f64 / 1024.0
                )
            })
        },
    );
    let of = |kind: Kind| figures.iter().find(|f| f.kind == kind);
    if let Some(tandem) = of(Kind::Tandem) {
        out.push('\n');
        for (kind, target) in [(Kind::SocketIo, 3.0), (Kind::Echo, 0.6)] {
            if let Some(other) = of(kind) {
                let ratio = tandem.msgs_per_cpu_sec() / other.msgs_per_cpu_sec().max(1e-9);
                let _ = writeln!(
                    out,
                    "Tandem delivers {ratio:.2}× the messages per server CPU-second of {} (target ≥ {target}×).",
                    kind.label()
                );
            }
        }
        if let Some(postgres) = of(Kind::TandemPostgres) {
            let _ = writeln!(
                out,
                "On PostgreSQL (every message committed there before it is delivered): chat p99 {:.1} ms \
                 vs {:.1} on SQLite, {:.2}× SQLite's messages per relay CPU-second (PostgreSQL's own \
                 processes not counted).",
                postgres.chat.p99_ms,
                tandem.chat.p99_ms,
                postgres.msgs_per_cpu_sec() / tandem.msgs_per_cpu_sec().max(1e-9)
            );
        }
    }
    out
}

/// A phase's cell: "—" when the phase did not run.
fn phase<T>(figures: &Option<T>, show: impl FnOnce(&T) -> String) -> String {
    figures.as_ref().map_or_else(|| "—".into(), show)
}

fn yes_no(value: bool) -> &'static str {
    if value {
        "yes"
    } else {
        "no"
    }
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// One figure per second of the chat phase, `0 0 12 340 0 …` (a stall shows as one large
/// number, a steady tail as many small ones), or `when_quiet` when none is over `quiet_up_to`.
fn per_second_series(by_second: &[u32], quiet_up_to: u32, when_quiet: &str) -> String {
    if by_second.iter().all(|&value| value <= quiet_up_to) {
        return when_quiet.to_owned();
    }
    let values: Vec<String> = by_second.iter().map(u32::to_string).collect();
    values.join(" ")
}
