//! Paces the co-browsing frames of a large page to what the relay accepts from one visitor
//! (a burst, then a steady rate; see the relay's `--cobrowse-frames-per-sec`): a snapshot of
//! a few hundred parts goes out over a few seconds instead of being refused part by part.
//! Frames keep their order, so later changes never overtake the snapshot they apply to.

use std::collections::VecDeque;

/// Frames sent at once before pacing starts (the relay allows a burst of twice its rate).
const BURST: f64 = 100.0;
/// Steady frames per second (the relay's default is 60).
const PER_SECOND: f64 = 50.0;

/// A queue of frames released at a bounded rate.
pub struct Pacer<T> {
    queue: VecDeque<T>,
    tokens: f64,
    refilled_at_ms: f64,
}

impl<T> Default for Pacer<T> {
    fn default() -> Self {
        Pacer {
            queue: VecDeque::new(),
            tokens: BURST,
            refilled_at_ms: 0.0,
        }
    }
}

impl<T> Pacer<T> {
    /// Queues a frame behind those waiting.
    pub fn push(&mut self, frame: T) {
        self.queue.push_back(frame);
    }

    /// Sends, in order, the frames the rate allows at `now_ms`; true when some still wait.
    pub fn release(&mut self, now_ms: f64, mut send: impl FnMut(T)) -> bool {
        let elapsed = (now_ms - self.refilled_at_ms).max(0.0);
        self.tokens = (self.tokens + elapsed * PER_SECOND / 1000.0).min(BURST);
        self.refilled_at_ms = now_ms;
        while self.tokens >= 1.0 {
            let Some(frame) = self.queue.pop_front() else {
                break;
            };
            self.tokens -= 1.0;
            send(frame);
        }
        !self.queue.is_empty()
    }

    /// Frames waiting.
    #[cfg(test)]
    fn waiting(&self) -> usize {
        self.queue.len()
    }

    /// Drops what waits (a new snapshot replaces the page).
    pub fn clear(&mut self) {
        self.queue.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn released(pacer: &mut Pacer<u32>, at_ms: f64) -> Vec<u32> {
        let mut sent = Vec::new();
        pacer.release(at_ms, |f| sent.push(f));
        sent
    }

    #[test]
    fn a_burst_goes_at_once_then_the_rest_at_the_steady_rate_in_order() {
        let mut pacer = Pacer::default();
        for frame in 0..300 {
            pacer.push(frame);
        }
        let first = released(&mut pacer, 1_000.0);
        assert_eq!(first, (0..100).collect::<Vec<_>>());
        // Half a second later: 25 more, in order.
        let next = released(&mut pacer, 1_500.0);
        assert_eq!(next, (100..125).collect::<Vec<_>>());
        assert_eq!(pacer.waiting(), 175);
        // Never more than the relay's burst, however long the wait.
        let later = released(&mut pacer, 100_000.0);
        assert_eq!(later.len(), 100);
    }

    #[test]
    fn a_small_page_is_never_held_back() {
        let mut pacer = Pacer::default();
        pacer.push(7);
        assert_eq!(released(&mut pacer, 0.0), vec![7]);
        assert!(!pacer.release(0.0, |_| {}));
    }
}
