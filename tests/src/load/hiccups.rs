//! How late the generator itself runs (the idea of jHiccup): a task on the generator's runtime
//! asks to wake every millisecond and records how late each wake-up comes. While the
//! generator's core is taken from it (by the kernel's own threads, say) it neither sends nor
//! reads, and every message it receives meanwhile looks that much slower: this says how much
//! of a latency tail is the generator's own. Tokio's timer wakes on whole milliseconds, so a
//! wake-up up to about 2 ms late is its granularity, not a stall.

use hdrhistogram::Histogram;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How often the meter asks to wake.
const TICK: Duration = Duration::from_millis(1);

/// The generator's stalls over a phase.
#[derive(Clone, Debug, Default)]
pub struct Hiccups {
    /// 99th percentile of how late a wake-up came, milliseconds.
    pub p99_ms: f64,
    /// The latest wake-up, milliseconds.
    pub max_ms: f64,
    /// Per second of the phase, the latest wake-up in whole milliseconds.
    pub max_ms_by_second: Vec<u32>,
    /// Wake-ups measured.
    pub samples: u64,
}

/// A running meter; [`HiccupMeter::finish`] stops it and gives its figures.
pub struct HiccupMeter {
    stop: oneshot::Sender<()>,
    task: JoinHandle<anyhow::Result<Hiccups>>,
}

impl HiccupMeter {
    /// Starts measuring now, on the current runtime.
    pub fn start() -> HiccupMeter {
        let (stop, stopped) = oneshot::channel();
        let task = tokio::spawn(measure(stopped));
        HiccupMeter { stop, task }
    }

    /// Stops measuring: the figures since [`HiccupMeter::start`].
    pub async fn finish(self) -> anyhow::Result<Hiccups> {
        let _ = self.stop.send(());
        self.task.await?
    }
}

/// Sleeps [`TICK`] at a time until `stopped`, recording how late each wake-up is.
async fn measure(mut stopped: oneshot::Receiver<()>) -> anyhow::Result<Hiccups> {
    let mut late_us = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let mut max_us_by_second: Vec<u64> = Vec::new();
    let start = Instant::now();
    loop {
        let asked = Instant::now();
        tokio::select! {
            _ = &mut stopped => break,
            () = tokio::time::sleep(TICK) => {}
        }
        let woke = Instant::now();
        let late = woke.duration_since(asked).saturating_sub(TICK);
        let late = u64::try_from(late.as_micros()).unwrap_or(u64::MAX);
        late_us.saturating_record(late.max(1));
        let second = usize::try_from(woke.duration_since(start).as_secs()).unwrap_or(usize::MAX);
        if max_us_by_second.len() <= second {
            max_us_by_second.resize(second + 1, 0);
        }
        if let Some(max) = max_us_by_second.get_mut(second) {
            *max = (*max).max(late);
        }
    }
    let ms = |us: u64| us as f64 / 1000.0;
    Ok(Hiccups {
        p99_ms: ms(late_us.value_at_quantile(0.99)),
        max_ms: ms(late_us.max()),
        max_ms_by_second: max_us_by_second
            .iter()
            .map(|&us| u32::try_from(us / 1000).unwrap_or(u32::MAX))
            .collect(),
        samples: late_us.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A runtime blocked for 30 ms shows as a wake-up at least 30 ms late, in the second it
    /// happened, and one stall among a thousand wake-ups stays out of the 99th percentile.
    #[tokio::test(flavor = "current_thread")]
    async fn a_blocked_generator_shows_as_a_late_wake_up() -> anyhow::Result<()> {
        let meter = HiccupMeter::start();
        tokio::time::sleep(Duration::from_millis(1100)).await;
        std::thread::sleep(Duration::from_millis(30));
        tokio::time::sleep(Duration::from_millis(200)).await;
        let hiccups = meter.finish().await?;
        assert!(hiccups.samples > 100, "the meter ran: {hiccups:?}");
        assert!(hiccups.max_ms >= 29.0, "the stall was seen: {hiccups:?}");
        assert_eq!(hiccups.max_ms_by_second.len(), 2, "{hiccups:?}");
        assert!(hiccups.max_ms_by_second[1] >= 29, "{hiccups:?}");
        assert!(
            hiccups.p99_ms < 29.0,
            "one stall is not the 99th percentile: {hiccups:?}"
        );
        Ok(())
    }
}
