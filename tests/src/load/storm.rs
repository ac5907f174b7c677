//! The reconnect storm (Tandem): every visitor's connection is cut at once, each adviser
//! writes in each of their chats meanwhile, then every visitor reconnects at the same moment
//! with its resume token and the last event number it holds. Measured: time until 99% (and
//! all) have resumed and hold everything; checked: no event missing, none received twice.

use super::net;
use super::pairs::Pairs;
use super::server::Server;
use super::wire::{next_tandem, send_text};
use futures_util::StreamExt;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tandem_shared::{AdviserMsg, ServerMsg, VisitorMsg, PROTOCOL_VERSION};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

/// Reconnections in flight at once (a storm, not a queue).
const STORM_CONCURRENCY: usize = 4096;

/// What the storm showed.
#[derive(Clone, Debug, Default)]
pub struct StormFigures {
    /// Visitors that reconnected.
    pub clients: usize,
    /// Seconds until 99% had resumed with every event.
    pub secs_to_99: f64,
    /// Seconds until all had.
    pub secs_to_all: f64,
    /// Visitors that could not resume.
    pub failed: usize,
    /// Events missing from a replay.
    pub gaps: u64,
    /// Events received twice.
    pub duplicates: u64,
    /// Why the first failed visitor could not resume.
    pub first_failure: Option<String>,
}

struct Resumed {
    after: Duration,
    gaps: u64,
    duplicates: u64,
}

/// Cuts every visitor, has the advisers write, and reconnects every visitor at once.
pub async fn reconnect_storm(server: &Server, pairs: &Pairs) -> anyhow::Result<StormFigures> {
    for visitor in &pairs.visitors {
        visitor.cut();
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    let stored_before = pairs.adviser_messages_stored.load(Ordering::Relaxed);
    let mut written = 0u64;
    for (adviser, conversations) in pairs.advisers.iter().zip(&pairs.conversations) {
        let conversations = conversations.lock().map(|c| c.clone()).unwrap_or_default();
        for conversation_id in conversations {
            let frame = AdviserMsg::Send {
                client_msg_id: format!("storm-{}", conversation_id.as_str()),
                conversation_id,
                body: "Still there? Here is the form you asked for.".into(),
            };
            adviser
                .tx
                .send(Message::Text(serde_json::to_string(&frame)?.into()))?;
            written += 1;
        }
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while pairs.adviser_messages_stored.load(Ordering::Relaxed) < stored_before + written {
        if Instant::now() > deadline {
            anyhow::bail!("the advisers' messages were not all stored within 60 s");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let started = Instant::now();
    let outcomes: Vec<anyhow::Result<Resumed>> =
        futures_util::stream::iter(pairs.resume.iter().enumerate())
            .map(|(n, resume)| {
                let last_seq = resume.last_seq.load(Ordering::Relaxed);
                resume_one(server, n, &resume.token, last_seq, started)
            })
            .buffer_unordered(STORM_CONCURRENCY)
            .collect()
            .await;
    let mut figures = StormFigures {
        clients: outcomes.len(),
        ..StormFigures::default()
    };
    let mut times: Vec<Duration> = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok(resumed) => {
                figures.gaps += resumed.gaps;
                figures.duplicates += resumed.duplicates;
                times.push(resumed.after);
            }
            Err(error) => {
                figures.failed += 1;
                figures.first_failure.get_or_insert(format!("{error:#}"));
            }
        }
    }
    times.sort();
    let at = |share: f64| {
        let index = ((times.len() as f64 * share).ceil() as usize).saturating_sub(1);
        times.get(index).map_or(f64::NAN, Duration::as_secs_f64)
    };
    figures.secs_to_99 = at(0.99);
    figures.secs_to_all = at(1.0);
    Ok(figures)
}

/// Reconnects visitor `n` and reads the replay until it holds every event.
async fn resume_one(
    server: &Server,
    n: usize,
    token: &str,
    last_seq: u64,
    started: Instant,
) -> anyhow::Result<Resumed> {
    let mut socket = net::open(&server.ws_url("/ws/visitor"), None, n).await?;
    let hello = VisitorMsg::Hello {
        protocol: PROTOCOL_VERSION,
        resume: Some(token.to_owned()),
        last_seq,
        tickets: Vec::new(),
    };
    send_text(&mut socket, serde_json::to_string(&hello)?).await?;
    let welcome = next_tandem(&mut socket, "the welcome back", |f| {
        matches!(f, ServerMsg::VisitorWelcome { .. })
    })
    .await?;
    let target = match welcome {
        ServerMsg::VisitorWelcome {
            conversation: Some(conversation),
            ..
        } => conversation.last_seq,
        _ => anyhow::bail!("the relay did not resume the conversation"),
    };
    if target <= last_seq {
        anyhow::bail!("nothing to replay: the adviser's message is missing");
    }
    let (mut held, mut gaps, mut duplicates) = (last_seq, 0, 0);
    while held < target {
        let frame = next_tandem(&mut socket, "the replay", |f| {
            matches!(f, ServerMsg::Event { .. })
        })
        .await?;
        if let ServerMsg::Event { event, .. } = frame {
            if event.seq <= held {
                duplicates += 1;
            } else {
                gaps += event.seq - held - 1;
                held = event.seq;
            }
        }
    }
    Ok(Resumed {
        after: started.elapsed(),
        gaps,
        duplicates,
    })
}
