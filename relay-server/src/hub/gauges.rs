//! The live figures for `GET /metrics`: counters are kept as things happen; gauges are read
//! from the hub's state when Prometheus asks.

use super::Hub;
use crate::metrics::{QueueLabel, Telemetry};
use crate::time::now_ms;
use tandem_shared::model::ConversationStatus;

impl Hub {
    /// Live counters and gauges, refreshed from the hub's state.
    pub fn telemetry(&self) -> &Telemetry {
        let state = self.lock();
        let now = now_ms();
        for schedule in &state.schedules {
            let label = QueueLabel {
                queue: schedule.key().to_owned(),
            };
            let waiting: Vec<i64> = state
                .queue
                .iter()
                .filter_map(|id| state.conversations.get(id))
                .filter(|c| c.queue == schedule.key())
                .map(|c| c.requested_at_ms)
                .collect();
            self.telemetry
                .waiting
                .get_or_create(&label)
                .set(i64::try_from(waiting.len()).unwrap_or(i64::MAX));
            let oldest = waiting
                .iter()
                .min()
                .map_or(0, |at| (now - at).max(0) / 1000);
            self.telemetry.oldest_wait.get_or_create(&label).set(oldest);
        }
        let colleagues = state.colleagues();
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        self.telemetry
            .advisers_online
            .set(count(colleagues.iter().filter(|c| c.online).count()));
        self.telemetry
            .advisers_available
            .set(count(colleagues.iter().filter(|c| c.available).count()));
        self.telemetry.chats_active.set(count(
            state
                .conversations
                .values()
                .filter(|c| c.status == ConversationStatus::Active)
                .count(),
        ));
        drop(state);
        self.telemetry
            .connections
            .set(count(self.connection_count()));
        &self.telemetry
    }
}
