//! A conversation as plain text: what the visitor downloads from the widget, or receives by
//! email from the relay.

use crate::event::{ConversationEvent, EventKind, Role};
use crate::i18n::Texts;

/// The transcript: `title`, then one line per event, each stamped by `clock` (the time of day
/// of a millisecond timestamp, as the reader's clock shows it).
pub fn text(
    texts: &Texts,
    title: &str,
    events: &[ConversationEvent],
    clock: impl Fn(i64) -> String,
) -> String {
    let mut out = format!("{title}\n\n");
    for event in events {
        let line = match &event.kind {
            EventKind::Message { author, body, .. } => format!("{}: {body}", author.name),
            EventKind::AdviserJoined { name } => texts.format("chat.joined", &[("name", name)]),
            EventKind::Transferred { from } => texts.format("chat.transferred", &[("from", from)]),
            EventKind::CobrowseStarted => texts.t("cobrowse.started").to_owned(),
            EventKind::CobrowseEnded { by: Role::Visitor } => {
                texts.t("cobrowse.stopped_by_you").to_owned()
            }
            EventKind::CobrowseEnded { .. } => texts.t("cobrowse.stopped").to_owned(),
            EventKind::Ended { by: Role::Visitor } => texts.t("chat.ended_by_visitor").to_owned(),
            EventKind::Ended { .. } => texts.t("chat.ended_by_adviser").to_owned(),
        };
        out.push_str(&format!("[{}] {line}\n", clock(event.at_ms)));
    }
    out
}

/// `HH:MM` of `at_ms` at `offset_minutes` from UTC.
pub fn clock_at_offset(at_ms: i64, offset_minutes: i32) -> String {
    let minutes_of_day = (at_ms.div_euclid(60_000) + i64::from(offset_minutes)).rem_euclid(1_440);
    format!("{:02}:{:02}", minutes_of_day / 60, minutes_of_day % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Author;
    use crate::i18n::{Locale, Texts};

    #[test]
    fn one_line_per_event_stamped_with_the_readers_clock() {
        let events = vec![
            ConversationEvent {
                seq: 1,
                at_ms: 3_600_000,
                kind: EventKind::Message {
                    author: Author {
                        role: Role::Visitor,
                        name: "Ana".into(),
                    },
                    body: "Bonjour".into(),
                    client_msg_id: None,
                    file: None,
                },
            },
            ConversationEvent {
                seq: 2,
                at_ms: 3_660_000,
                kind: EventKind::Ended { by: Role::Visitor },
            },
        ];
        let texts = Texts::get(Locale::from_tag("en"));
        let text = text(texts, "Chat", &events, |at| clock_at_offset(at, 60));
        assert!(
            text.starts_with("Chat\n\n[02:00] Ana: Bonjour\n[02:01] "),
            "{text}"
        );
    }

    #[test]
    fn clock_wraps_around_midnight() {
        assert_eq!(clock_at_offset(0, -60), "23:00");
        assert_eq!(clock_at_offset(86_399_000, 0), "23:59");
    }
}
