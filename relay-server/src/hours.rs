//! Business hours of a queue: an OpenStreetMap `opening_hours` expression
//! (`Mo-Fr 09:00-18:00; Sa 10:00-12:00; PH off`) read in the queue's IANA time zone, by the
//! `opening-hours` crate. Tells whether the queue is open and which callback slots to offer.

use crate::store::QueueRow;
use chrono::{DateTime, Duration, DurationRound, Utc};
use chrono_tz::Tz;
use opening_hours::localization::TzLocation;
use opening_hours::{Context, OpeningHours, RuleKind};
use std::collections::BTreeMap;

/// Length of a callback slot, in minutes.
pub const SLOT_MINUTES: i64 = 30;
/// Callback slots offered at most.
pub const MAX_SLOTS: usize = 24;
/// How far ahead callback slots are looked for.
const SLOT_HORIZON_DAYS: i64 = 7;

/// Why a queue's settings were refused.
#[derive(Debug, thiserror::Error)]
pub enum HoursError {
    /// The time zone is not an IANA name.
    #[error("unknown time zone `{0}` (use an IANA name such as Europe/Paris)")]
    TimeZone(String),
    /// The hours do not parse.
    #[error("business hours `{expression}` are not an opening_hours expression: {reason}")]
    Expression {
        /// The expression given.
        expression: String,
        /// The parser's explanation.
        reason: String,
    },
}

/// A queue with its hours ready to evaluate.
#[derive(Debug, Clone)]
pub struct QueueSchedule {
    /// The stored settings.
    pub row: QueueRow,
    hours: Option<OpeningHours<TzLocation<Tz>>>,
    tz: Tz,
}

impl QueueSchedule {
    /// Reads a queue's hours and time zone.
    pub fn new(row: QueueRow) -> Result<QueueSchedule, HoursError> {
        let tz: Tz = row
            .timezone
            .parse()
            .map_err(|_| HoursError::TimeZone(row.timezone.clone()))?;
        let hours = match row.hours.as_deref().map(str::trim) {
            None | Some("") | Some("24/7") => None,
            Some(expression) => {
                let parsed: OpeningHours =
                    expression.parse().map_err(|error| HoursError::Expression {
                        expression: expression.to_owned(),
                        reason: format!("{error}"),
                    })?;
                Some(parsed.with_context(Context::default().with_locale(TzLocation::new(tz))))
            }
        };
        Ok(QueueSchedule { row, hours, tz })
    }

    /// The queue's key.
    pub fn key(&self) -> &str {
        &self.row.key
    }

    /// Names per language code.
    pub fn names(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("en".to_owned(), self.row.name_en.clone()),
            ("fr".to_owned(), self.row.name_fr.clone()),
        ])
    }

    fn local(&self, at_ms: i64) -> DateTime<Tz> {
        DateTime::<Utc>::from_timestamp_millis(at_ms)
            .unwrap_or_default()
            .with_timezone(&self.tz)
    }

    /// True within business hours (always, without hours).
    pub fn is_open(&self, at_ms: i64) -> bool {
        self.hours
            .as_ref()
            .is_none_or(|hours| hours.is_open(self.local(at_ms)))
    }

    /// Start times of the next callback slots within business hours, after `now_ms` plus a
    /// little time to prepare (ms since the epoch).
    pub fn callback_slots(&self, now_ms: i64) -> Vec<i64> {
        let step = Duration::minutes(SLOT_MINUTES);
        let start = self.local(now_ms) + Duration::minutes(15);
        let Ok(first) = start.duration_trunc(step).map(|t| t + step) else {
            return Vec::new();
        };
        let end = first + Duration::days(SLOT_HORIZON_DAYS);
        let Some(hours) = &self.hours else {
            return slots_between(first, end, step);
        };
        hours
            .iter_range(first, end)
            .filter(|range| range.kind == RuleKind::Open)
            .flat_map(|range| {
                let aligned = range
                    .range
                    .start
                    .duration_round_up(step)
                    .unwrap_or(range.range.start);
                slots_between(aligned, range.range.end - step + Duration::seconds(1), step)
            })
            .take(MAX_SLOTS)
            .collect()
    }

    /// True when `at_ms` is one of the slots offered now (or was a moment ago).
    pub fn is_bookable(&self, now_ms: i64, at_ms: i64) -> bool {
        let earlier = now_ms - Duration::minutes(SLOT_MINUTES).num_milliseconds();
        self.callback_slots(earlier).contains(&at_ms) && at_ms > now_ms
    }

    /// When a message left at `now_ms` must be answered by.
    pub fn due_at(&self, now_ms: i64) -> i64 {
        now_ms + self.row.reply_within_hours.max(1) * 3_600_000
    }
}

fn slots_between(from: DateTime<Tz>, to: DateTime<Tz>, step: Duration) -> Vec<i64> {
    let mut slots = Vec::new();
    let mut at = from;
    while at < to && slots.len() < MAX_SLOTS {
        slots.push(at.timestamp_millis());
        at += step;
    }
    slots
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn queue(hours: Option<&str>, timezone: &str) -> QueueSchedule {
        let row = QueueRow {
            key: "billing".into(),
            name_en: "Billing".into(),
            name_fr: "Facturation".into(),
            hours: hours.map(str::to_owned),
            timezone: timezone.into(),
            max_wait_secs: None,
            reply_within_hours: 24,
            position: 0,
        };
        match QueueSchedule::new(row) {
            Ok(schedule) => schedule,
            Err(error) => panic!("{error}"),
        }
    }

    fn paris(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
        chrono_tz::Europe::Paris
            .with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .map(|t| t.timestamp_millis())
            .unwrap_or_default()
    }

    #[test]
    fn hours_are_read_in_the_queue_time_zone() {
        let office = queue(Some("Mo-Fr 09:00-18:00"), "Europe/Paris");
        // Monday 2026-11-23.
        assert!(office.is_open(paris(2026, 11, 23, 9, 30)));
        assert!(!office.is_open(paris(2026, 11, 23, 8, 59)));
        assert!(!office.is_open(paris(2026, 11, 23, 18, 0)));
        assert!(
            !office.is_open(paris(2026, 11, 28, 10, 0)),
            "closed on Saturday"
        );
        let always = queue(None, "UTC");
        assert!(always.is_open(paris(2026, 11, 28, 3, 0)));
    }

    #[test]
    fn callback_slots_fall_within_hours() {
        let office = queue(Some("Mo-Fr 09:00-12:00"), "Europe/Paris");
        // Friday evening: the next slots are on Monday morning.
        let slots = office.callback_slots(paris(2026, 11, 27, 19, 0));
        assert_eq!(slots.first(), Some(&paris(2026, 11, 30, 9, 0)));
        assert_eq!(slots.get(5), Some(&paris(2026, 11, 30, 11, 30)));
        assert_eq!(
            slots.get(6),
            Some(&paris(2026, 12, 1, 9, 0)),
            "no slot starts at closing time"
        );
        assert!(office.is_bookable(paris(2026, 11, 27, 19, 0), paris(2026, 11, 30, 9, 30)));
        assert!(!office.is_bookable(paris(2026, 11, 27, 19, 0), paris(2026, 11, 29, 9, 30)));
    }

    #[test]
    fn bad_settings_are_refused_with_the_reason() {
        let mut row = queue(None, "UTC").row;
        row.timezone = "Mars/Olympus".into();
        assert!(matches!(
            QueueSchedule::new(row.clone()),
            Err(HoursError::TimeZone(_))
        ));
        row.timezone = "UTC".into();
        row.hours = Some("when we feel like it".into());
        assert!(matches!(
            QueueSchedule::new(row),
            Err(HoursError::Expression { .. })
        ));
    }
}
