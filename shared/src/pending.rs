//! The client side of "stored before sent": a message the widget or the console sent shows
//! at once as pending, and becomes a numbered event when the relay's echo (the stored event
//! with the same client id) arrives. Events are kept in number order, each once, whatever
//! order replays and live frames arrive in.

use crate::event::{ConversationEvent, EventKind};

/// A message sent that the relay has not confirmed yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    /// The id that makes resending harmless.
    pub client_msg_id: String,
    /// The text.
    pub body: String,
}

/// Adds `event` to `events` in number order unless one with its number is held, and drops
/// the pending message it confirms. True when the event was new.
pub fn insert_event(
    events: &mut Vec<ConversationEvent>,
    pending: &mut Vec<Pending>,
    event: ConversationEvent,
) -> bool {
    if let EventKind::Message {
        client_msg_id: Some(id),
        ..
    } = &event.kind
    {
        pending.retain(|p| &p.client_msg_id != id);
    }
    match events.binary_search_by_key(&event.seq, |e| e.seq) {
        Ok(_) => false,
        Err(index) => {
            events.insert(index, event);
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Author, Role};

    fn message(seq: u64, client_id: &str) -> ConversationEvent {
        ConversationEvent {
            seq,
            at_ms: 0,
            kind: EventKind::Message {
                author: Author {
                    role: Role::Visitor,
                    name: "Ana".into(),
                },
                body: format!("m{seq}"),
                client_msg_id: Some(client_id.into()),
                file: None,
            },
        }
    }

    #[test]
    fn events_are_kept_in_order_once_and_confirm_what_was_pending() {
        let mut events = Vec::new();
        let mut pending = vec![Pending {
            client_msg_id: "b".into(),
            body: "m2".into(),
        }];
        assert!(insert_event(&mut events, &mut pending, message(2, "b")));
        assert!(insert_event(&mut events, &mut pending, message(1, "a")));
        assert!(
            !insert_event(&mut events, &mut pending, message(2, "b")),
            "a replayed event is held once"
        );
        let order: Vec<u64> = events.iter().map(|e| e.seq).collect();
        assert_eq!(order, [1, 2]);
        assert!(pending.is_empty(), "the echo confirmed the pending message");
    }
}
