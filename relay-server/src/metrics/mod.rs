//! Figures about the service desk: live counters and gauges for Prometheus (`GET /metrics`),
//! and the dashboard's report over a period ([`report`]).

pub mod report;

use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

/// A queue label.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct QueueLabel {
    /// The queue's key.
    pub queue: String,
}

/// A label naming who or what.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabel {
    /// `visitor`/`adviser` for messages, `message`/`callback`/`abandoned` for tickets.
    pub kind: String,
}

/// The live figures `GET /metrics` exposes.
#[derive(Debug)]
pub struct Telemetry {
    registry: Registry,
    /// Chat requests made, per queue.
    pub requests: Family<QueueLabel, Counter>,
    /// Requests the visitor left before an adviser answered, per queue.
    pub abandoned: Family<QueueLabel, Counter>,
    /// Messages stored, per author role.
    pub messages: Family<KindLabel, Counter>,
    /// Tickets created, per kind.
    pub tickets: Family<KindLabel, Counter>,
    /// Hand-overs between advisers.
    pub transfers: Counter,
    /// Visitors waiting now, per queue.
    pub waiting: Family<QueueLabel, Gauge>,
    /// Longest current wait, per queue, in seconds.
    pub oldest_wait: Family<QueueLabel, Gauge>,
    /// Advisers with a console open.
    pub advisers_online: Gauge,
    /// Advisers taking new chats.
    pub advisers_available: Gauge,
    /// Chats in progress.
    pub chats_active: Gauge,
    /// Open WebSocket connections.
    pub connections: Gauge,
}

impl Default for Telemetry {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("tandem");
        let requests = Family::<QueueLabel, Counter>::default();
        let abandoned = Family::<QueueLabel, Counter>::default();
        let messages = Family::<KindLabel, Counter>::default();
        let tickets = Family::<KindLabel, Counter>::default();
        let transfers = Counter::default();
        registry.register("requests", "Chat requests made", requests.clone());
        registry.register(
            "abandoned",
            "Requests left before an adviser answered",
            abandoned.clone(),
        );
        registry.register("messages", "Chat messages stored", messages.clone());
        registry.register("tickets", "Tickets created", tickets.clone());
        registry.register("transfers", "Conversations handed over", transfers.clone());
        let waiting = Family::<QueueLabel, Gauge>::default();
        let oldest_wait = Family::<QueueLabel, Gauge>::default();
        let (advisers_online, advisers_available, chats_active, connections) = (
            Gauge::default(),
            Gauge::default(),
            Gauge::default(),
            Gauge::default(),
        );
        registry.register("waiting", "Visitors waiting now", waiting.clone());
        registry.register(
            "oldest_wait_seconds",
            "Longest current wait",
            oldest_wait.clone(),
        );
        registry.register(
            "advisers_online",
            "Advisers with a console open",
            advisers_online.clone(),
        );
        registry.register(
            "advisers_available",
            "Advisers taking new chats",
            advisers_available.clone(),
        );
        registry.register("chats_active", "Chats in progress", chats_active.clone());
        registry.register(
            "connections",
            "Open WebSocket connections",
            connections.clone(),
        );
        // Every family shows its known series from the start, at zero: a dashboard or an
        // alert reads 0, not "no data", before the first chat.
        for role in ["visitor", "adviser"] {
            drop(messages.get_or_create(&kind_label(role)));
        }
        for kind in ["message", "callback", "abandoned"] {
            drop(tickets.get_or_create(&kind_label(kind)));
        }
        Telemetry {
            registry,
            requests,
            abandoned,
            messages,
            tickets,
            transfers,
            waiting,
            oldest_wait,
            advisers_online,
            advisers_available,
            chats_active,
            connections,
        }
    }
}

impl Telemetry {
    /// The figures in Prometheus' text format.
    pub fn render(&self) -> Result<String, std::fmt::Error> {
        let mut text = String::new();
        encode(&mut text, &self.registry)?;
        Ok(text)
    }

    /// Shows each of `queues` in the per-queue families, at zero until something happens.
    pub fn know_queues<'a>(&self, queues: impl IntoIterator<Item = &'a str>) {
        for queue in queues {
            let label = queue_label(queue);
            drop(self.requests.get_or_create(&label));
            drop(self.abandoned.get_or_create(&label));
            drop(self.waiting.get_or_create(&label));
            drop(self.oldest_wait.get_or_create(&label));
        }
    }

    /// Counts a chat request in `queue`.
    pub fn count_request(&self, queue: &str) {
        self.requests.get_or_create(&queue_label(queue)).inc();
    }

    /// Counts an abandoned request in `queue`.
    pub fn count_abandoned(&self, queue: &str) {
        self.abandoned.get_or_create(&queue_label(queue)).inc();
    }

    /// Counts a stored message from `role`.
    pub fn count_message(&self, role: &str) {
        self.messages.get_or_create(&kind_label(role)).inc();
    }

    /// Counts a ticket of `kind`.
    pub fn count_ticket(&self, kind: &str) {
        self.tickets.get_or_create(&kind_label(kind)).inc();
    }
}

fn queue_label(queue: &str) -> QueueLabel {
    QueueLabel {
        queue: queue.to_owned(),
    }
}

fn kind_label(kind: &str) -> KindLabel {
    KindLabel {
        kind: kind.to_owned(),
    }
}
