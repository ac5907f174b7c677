//! The dashboard's figures over a period, computed from the facts of each request: the same
//! definitions for the console, the CSV export and the tests.

use crate::store::SessionFacts;
use std::collections::BTreeMap;
use tandem_shared::report::{Figures, GroupFigures, Report};

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, count) = values.fold((0.0, 0u32), |(sum, n), v| (sum + v, n + 1));
    (count > 0).then(|| sum / f64::from(count))
}

fn seconds_between(from: Option<i64>, to: Option<i64>) -> Option<f64> {
    match (from, to) {
        (Some(from), Some(to)) if to >= from => Some((to - from) as f64 / 1000.0),
        _ => None,
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The figures of a set of requests.
pub fn figures<'a>(facts: impl Iterator<Item = &'a SessionFacts> + Clone) -> Figures {
    let requests = count(facts.clone().count());
    let answered = count(facts.clone().filter(|f| f.accepted_at.is_some()).count());
    let abandoned = count(facts.clone().filter(|f| f.abandoned).count());
    let wrapped: Vec<&SessionFacts> = facts.clone().filter(|f| f.resolution.is_some()).collect();
    let resolved_first_time = wrapped
        .iter()
        .filter(|f| f.resolution.as_deref() == Some("resolved") && !f.reopened)
        .count();
    let nps_scores: Vec<i64> = facts.clone().filter_map(|f| f.nps).collect();
    let nps = (!nps_scores.is_empty()).then(|| {
        let promoters = nps_scores.iter().filter(|s| **s >= 9).count() as f64;
        let detractors = nps_scores.iter().filter(|s| **s <= 6).count() as f64;
        100.0 * (promoters - detractors) / nps_scores.len() as f64
    });
    Figures {
        requests,
        answered,
        abandoned,
        abandonment_rate: (requests > 0).then(|| f64::from(abandoned) / f64::from(requests)),
        mean_wait_secs: mean(
            facts
                .clone()
                .filter_map(|f| seconds_between(Some(f.requested_at), f.accepted_at)),
        ),
        mean_first_response_secs: mean(
            facts
                .clone()
                .filter_map(|f| seconds_between(f.accepted_at, f.first_response_at)),
        ),
        mean_handling_secs: mean(
            facts
                .clone()
                .filter_map(|f| seconds_between(f.accepted_at, f.ended_at)),
        ),
        first_contact_resolution: (!wrapped.is_empty())
            .then(|| resolved_first_time as f64 / wrapped.len() as f64),
        csat: mean(facts.clone().filter_map(|f| f.csat).map(|v| v as f64)),
        ces: mean(facts.clone().filter_map(|f| f.ces).map(|v| v as f64)),
        nps,
        surveys: count(
            facts
                .filter(|f| f.csat.is_some() || f.ces.is_some() || f.nps.is_some())
                .count(),
        ),
    }
}

fn grouped(
    facts: &[SessionFacts],
    key: impl Fn(&SessionFacts) -> Option<String>,
) -> Vec<GroupFigures> {
    let mut groups: BTreeMap<String, Vec<&SessionFacts>> = BTreeMap::new();
    for fact in facts {
        if let Some(key) = key(fact) {
            groups.entry(key).or_default().push(fact);
        }
    }
    groups
        .into_iter()
        .map(|(key, members)| GroupFigures {
            key,
            figures: figures(members.into_iter()),
        })
        .collect()
}

/// The dashboard over `[from_ms, to_ms)`; hours of the day are shifted by
/// `utc_offset_minutes`.
pub fn report(facts: &[SessionFacts], from_ms: i64, to_ms: i64, utc_offset_minutes: i32) -> Report {
    let mut requests_by_hour = vec![0u32; 24];
    for fact in facts {
        let local_ms = fact.requested_at + i64::from(utc_offset_minutes) * 60_000;
        let hour = local_ms.rem_euclid(86_400_000) / 3_600_000;
        if let Some(slot) = usize::try_from(hour)
            .ok()
            .and_then(|h| requests_by_hour.get_mut(h))
        {
            *slot += 1;
        }
    }
    Report {
        from_ms,
        to_ms,
        overall: figures(facts.iter()),
        by_queue: grouped(facts, |f| Some(f.queue.clone())),
        by_adviser: grouped(facts, |f| f.adviser.clone()),
        requests_by_hour,
        utc_offset_minutes,
        invitations: Vec::new(),
    }
}

/// The report as CSV: one line for the whole period, then one per queue and per adviser.
pub fn to_csv(report: &Report) -> String {
    let mut csv = String::from(
        "scope,key,requests,answered,abandoned,abandonment_rate,mean_wait_secs,mean_first_response_secs,\
         mean_handling_secs,first_contact_resolution,csat,ces,nps,surveys\n",
    );
    let number = |value: Option<f64>| value.map(|v| format!("{v:.3}")).unwrap_or_default();
    let mut line = |scope: &str, key: &str, f: &Figures| {
        let key = if key.contains([',', '"', '\n']) {
            format!("\"{}\"", key.replace('"', "\"\""))
        } else {
            key.to_owned()
        };
        csv.push_str(&format!(
            "{scope},{key},{},{},{},{},{},{},{},{},{},{},{},{}\n",
            f.requests,
            f.answered,
            f.abandoned,
            number(f.abandonment_rate),
            number(f.mean_wait_secs),
            number(f.mean_first_response_secs),
            number(f.mean_handling_secs),
            number(f.first_contact_resolution),
            number(f.csat),
            number(f.ces),
            number(f.nps),
            f.surveys
        ));
    };
    line("all", "", &report.overall);
    for group in &report.by_queue {
        line("queue", &group.key, &group.figures);
    }
    for group in &report.by_adviser {
        line("adviser", &group.key, &group.figures);
    }
    csv
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(queue: &str, requested: i64, accepted: Option<i64>) -> SessionFacts {
        SessionFacts {
            queue: queue.into(),
            adviser: accepted.map(|_| "Léa".into()),
            requested_at: requested,
            accepted_at: accepted,
            ..SessionFacts::default()
        }
    }

    #[test]
    fn figures_follow_their_definitions() {
        let mut a = fact("billing", 0, Some(30_000));
        a.first_response_at = Some(40_000);
        a.ended_at = Some(330_000);
        a.resolution = Some("resolved".into());
        a.csat = Some(5);
        a.nps = Some(10);
        let mut b = fact("billing", 0, Some(90_000));
        b.ended_at = Some(390_000);
        b.resolution = Some("resolved".into());
        b.reopened = true;
        b.csat = Some(2);
        b.nps = Some(3);
        let mut c = fact("general", 0, None);
        c.abandoned = true;
        let facts = [a, b, c];
        let all = figures(facts.iter());
        assert_eq!((all.requests, all.answered, all.abandoned), (3, 2, 1));
        assert_eq!(all.mean_wait_secs, Some(60.0));
        assert_eq!(all.mean_first_response_secs, Some(10.0));
        assert_eq!(all.mean_handling_secs, Some(300.0));
        assert_eq!(
            all.first_contact_resolution,
            Some(0.5),
            "one of two was reopened"
        );
        assert_eq!(all.csat, Some(3.5));
        assert_eq!(all.nps, Some(0.0), "one promoter, one detractor");
        let report = report(&facts, 0, 1, 60);
        assert_eq!(report.by_queue.len(), 2);
        assert_eq!(report.requests_by_hour[1], 3, "UTC+1: midnight UTC is 1 am");
        let csv = to_csv(&report);
        assert!(
            csv.lines()
                .nth(1)
                .is_some_and(|l| l.starts_with("all,,3,2,1,0.333,60.000")),
            "{csv}"
        );
    }
}
