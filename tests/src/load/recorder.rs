//! What the receivers saw: delivery latency (HDR histogram), messages delivered, and per pair
//! the sequence numbers, so a missing or repeated message is counted, not guessed.

use hdrhistogram::Histogram;
use std::time::Instant;

/// Latency and delivery bookkeeping for one run; send times are microseconds since `epoch`.
pub struct Recorder {
    epoch: Instant,
    latency_us: Histogram<u64>,
    delivered: u64,
    sent: Vec<u64>,
    next_expected: Vec<u64>,
    skipped: u64,
    duplicates: u64,
    /// When the current window started, in microseconds since `epoch`.
    window_start_us: u64,
    /// Per second of the window, the messages that took longer than [`SLOW_MS`].
    slow_by_second: Vec<u32>,
}

/// A message slower than this is counted in [`Recorder::slow_by_second`], to see whether the
/// slow ones are spread over the phase or come together (a stall).
pub const SLOW_MS: u64 = 10;

impl Recorder {
    /// A recorder for `pairs` pairs.
    pub fn new(pairs: usize) -> anyhow::Result<Recorder> {
        Ok(Recorder {
            epoch: Instant::now(),
            latency_us: Histogram::new_with_bounds(1, 120_000_000, 3)?,
            delivered: 0,
            sent: vec![0; pairs],
            next_expected: vec![1; pairs],
            skipped: 0,
            duplicates: 0,
            window_start_us: 0,
            slow_by_second: Vec::new(),
        })
    }

    /// The next message body of `pair`, `bytes` long: `seq:pair:sent_us:` then padding.
    pub fn next_body(&mut self, pair: usize, bytes: usize) -> String {
        let Some(sent) = self.sent.get_mut(pair) else {
            return String::new();
        };
        *sent += 1;
        let sent_us = self.epoch.elapsed().as_micros();
        let mut body = format!("{}:{pair}:{sent_us}:", *sent);
        let padding = bytes.saturating_sub(body.len());
        body.extend(std::iter::repeat_n('x', padding));
        body
    }

    /// Records a body a receiver got.
    pub fn record(&mut self, body: &str) {
        let mut parts = body.splitn(4, ':');
        let (Some(seq), Some(pair), Some(sent_us)) = (
            parts.next().and_then(|s| s.parse::<u64>().ok()),
            parts.next().and_then(|s| s.parse::<usize>().ok()),
            parts.next().and_then(|s| s.parse::<u64>().ok()),
        ) else {
            return;
        };
        let Some(expected) = self.next_expected.get_mut(pair) else {
            return;
        };
        if seq < *expected {
            self.duplicates += 1;
            return;
        }
        self.skipped += seq - *expected;
        *expected = seq + 1;
        self.delivered += 1;
        let now_us = self.epoch.elapsed().as_micros() as u64;
        let latency_us = now_us.saturating_sub(sent_us).max(1);
        let _ = self.latency_us.record(latency_us);
        if latency_us > SLOW_MS * 1000 {
            let second = (sent_us.saturating_sub(self.window_start_us) / 1_000_000) as usize;
            if self.slow_by_second.len() <= second {
                self.slow_by_second.resize(second + 1, 0);
            }
            if let Some(count) = self.slow_by_second.get_mut(second) {
                *count += 1;
            }
        }
    }

    /// Starts a new measuring window: latency and delivered count from zero (sequence
    /// bookkeeping carries on).
    pub fn new_window(&mut self) {
        self.latency_us.reset();
        self.delivered = 0;
        self.window_start_us = self.epoch.elapsed().as_micros() as u64;
        self.slow_by_second.clear();
    }

    /// Per second of this window (by send time), the messages slower than [`SLOW_MS`].
    pub fn slow_by_second(&self) -> &[u32] {
        &self.slow_by_second
    }

    /// Messages delivered in this window.
    pub fn delivered(&self) -> u64 {
        self.delivered
    }

    /// Latency at quantile `q` (0..1) in milliseconds.
    pub fn latency_ms(&self, q: f64) -> f64 {
        self.latency_us.value_at_quantile(q) as f64 / 1000.0
    }

    /// Messages sent and not (yet) received, over the whole run.
    pub fn missing(&self) -> u64 {
        let outstanding: u64 = self
            .sent
            .iter()
            .zip(&self.next_expected)
            .map(|(sent, next)| sent.saturating_sub(next - 1))
            .sum();
        outstanding + self.skipped
    }

    /// Messages received twice, over the whole run.
    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }

    /// Messages sent over the whole run.
    pub fn sent(&self) -> u64 {
        self.sent.iter().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn losses_and_repeats_are_counted() -> anyhow::Result<()> {
        let mut recorder = Recorder::new(2)?;
        let first = recorder.next_body(0, 200);
        let second = recorder.next_body(0, 200);
        let third = recorder.next_body(0, 200);
        let other = recorder.next_body(1, 200);
        assert_eq!(first.len(), 200);
        recorder.record(&first);
        recorder.record(&first);
        recorder.record(&third);
        recorder.record(&other);
        assert_eq!(recorder.delivered(), 3);
        assert_eq!(recorder.duplicates(), 1);
        assert_eq!(recorder.missing(), 1, "the second message never came");
        recorder.record(&second);
        assert_eq!(
            recorder.duplicates(),
            2,
            "late is counted as repeated, not as found"
        );
        Ok(())
    }
}
