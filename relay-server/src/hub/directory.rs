//! What the hub tells people about the desk as a whole: the queues a visitor can pick (open,
//! available, wait, callback slots) and the colleagues an adviser can hand over to or ask.

use super::peer::Frame;
use super::state::HubState;
use tandem_shared::desk::{Colleague, QueueInfo};
use tandem_shared::ServerMsg;

impl HubState {
    /// Every queue as visitors see it at `now_ms`.
    pub fn queue_infos(&self, now_ms: i64) -> Vec<QueueInfo> {
        let counts = self.active_counts();
        self.schedules
            .iter()
            .map(|schedule| {
                let key = schedule.key();
                let waiting = self
                    .queue
                    .iter()
                    .filter(|id| self.conversations.get(id).is_some_and(|c| c.queue == key))
                    .count();
                let position = u32::try_from(waiting + 1).unwrap_or(u32::MAX);
                let open_now = schedule.is_open(now_ms);
                let estimate = self.wait_estimate(counts, key, 1, position);
                let short_enough = match (estimate, schedule.row.max_wait_secs) {
                    (Some(wait), Some(max)) => i64::from(wait) <= max,
                    (Some(_), None) => true,
                    (None, _) => false,
                };
                QueueInfo {
                    key: key.to_owned(),
                    names: schedule.names(),
                    available: open_now && short_enough,
                    open_now,
                    estimated_wait_secs: estimate.filter(|_| open_now),
                    callback_slots_ms: schedule.callback_slots(now_ms),
                    reply_within_hours: u32::try_from(schedule.row.reply_within_hours)
                        .unwrap_or(24),
                }
            })
            .collect()
    }

    /// Every adviser seen since the relay started, for transfers and questions.
    pub fn colleagues(&self) -> Vec<Colleague> {
        let mut colleagues: Vec<Colleague> = self
            .advisers
            .values()
            .map(|a| Colleague {
                id: a.profile.id.clone(),
                display_name: a.profile.display_name.clone(),
                level: a.profile.level,
                queues: a.profile.queues.clone(),
                online: !a.peers.is_empty(),
                available: a.presence.available && !a.peers.is_empty(),
            })
            .collect();
        colleagues.sort_by(|a, b| a.display_name.cmp(&b.display_name));
        colleagues
    }

    /// Has the colleague list's changes sent out, folded together as the queue's are, and
    /// only the advisers who changed: a whole list per change would grow with the square of
    /// the desk.
    pub fn publish_colleagues(&self) {
        self.colleagues_changed.notify_one();
    }

    /// Sends every console the colleagues who changed since the last time, now (a console
    /// that connects gets the whole list from [`HubState::colleagues_frames`]).
    pub fn publish_colleagues_now(&mut self) {
        let changed: Vec<Colleague> = self
            .colleagues()
            .into_iter()
            .filter(|colleague| self.colleagues_sent.get(&colleague.id) != Some(colleague))
            .collect();
        if changed.is_empty() {
            return;
        }
        for colleague in &changed {
            self.colleagues_sent
                .insert(colleague.id.clone(), colleague.clone());
        }
        let Some(frame) = Frame::encode(&ServerMsg::ColleaguesChanged { advisers: changed }) else {
            return;
        };
        for adviser in self.advisers.values() {
            for peer in &adviser.peers {
                peer.send_frame(&frame);
            }
        }
    }

    /// The whole colleague list, for a console that just connected, in frames of at most
    /// [`COLLEAGUES_PER_FRAME`] (see [`colleague_frames`]).
    pub fn colleagues_frames(&self) -> Vec<ServerMsg> {
        colleague_frames(self.colleagues())
    }
}

/// The most colleagues one frame to a console carries.
pub const COLLEAGUES_PER_FRAME: usize = 25;

/// `colleagues` as frames a console reads as the whole list: `Colleagues` (the list starts
/// over) with the first [`COLLEAGUES_PER_FRAME`], then `ColleaguesChanged` (added to it) for
/// the rest, because the WebSocket library keeps a buffer as large as the largest frame it
/// wrote for the connection's whole life.
pub fn colleague_frames(mut colleagues: Vec<Colleague>) -> Vec<ServerMsg> {
    let rest = if colleagues.len() > COLLEAGUES_PER_FRAME {
        colleagues.split_off(COLLEAGUES_PER_FRAME)
    } else {
        Vec::new()
    };
    let mut frames = vec![ServerMsg::Colleagues {
        advisers: colleagues,
    }];
    let mut rest = rest.into_iter().peekable();
    while rest.peek().is_some() {
        frames.push(ServerMsg::ColleaguesChanged {
            advisers: rest.by_ref().take(COLLEAGUES_PER_FRAME).collect(),
        });
    }
    frames
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_shared::AdviserId;

    fn colleague(n: usize) -> Colleague {
        Colleague {
            id: AdviserId(format!("adviser-{n}")),
            display_name: format!("Adviser {n:04}"),
            level: 1,
            queues: Vec::new(),
            online: true,
            available: n.is_multiple_of(2),
        }
    }

    fn carried(frame: &ServerMsg) -> &[Colleague] {
        match frame {
            ServerMsg::Colleagues { advisers } | ServerMsg::ColleaguesChanged { advisers } => {
                advisers
            }
            other => panic!("not a colleague frame: {other:?}"),
        }
    }

    #[test]
    fn a_large_desk_reaches_a_console_in_bounded_frames_that_start_the_list_over() {
        let desk: Vec<Colleague> = (0..260).map(colleague).collect();
        let frames = colleague_frames(desk.clone());
        assert_eq!(frames.len(), 11, "10 × 25 + 10");
        assert!(
            matches!(frames[0], ServerMsg::Colleagues { .. }),
            "the list starts over"
        );
        assert!(frames[1..]
            .iter()
            .all(|f| matches!(f, ServerMsg::ColleaguesChanged { .. })));
        assert!(frames
            .iter()
            .all(|f| carried(f).len() <= COLLEAGUES_PER_FRAME));
        let received: Vec<Colleague> = frames.iter().flat_map(|f| carried(f).to_vec()).collect();
        assert_eq!(received, desk, "every colleague once, in order");
    }

    #[test]
    fn an_empty_or_small_desk_is_one_frame_that_still_clears_the_console_list() {
        let empty = colleague_frames(Vec::new());
        assert_eq!(empty.len(), 1);
        assert!(matches!(&empty[0], ServerMsg::Colleagues { advisers } if advisers.is_empty()));
        let small: Vec<Colleague> = (0..COLLEAGUES_PER_FRAME).map(colleague).collect();
        let frames = colleague_frames(small.clone());
        assert_eq!(frames.len(), 1);
        assert_eq!(carried(&frames[0]), small.as_slice());
    }
}
