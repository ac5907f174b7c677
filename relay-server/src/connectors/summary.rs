//! A session of the CRM told as a CRM activity: a subject and a plain-text body with the
//! reason, times, advisers, wrap-up, survey, co-browsing and transcript — what HubSpot notes
//! and Salesforce tasks/cases show. French or English after the visitor's language.

use crate::store::SessionRecord;

/// The line that names the session in the activity: connectors search for it to never log the
/// same session twice.
pub fn marker(session_id: &str) -> String {
    format!("tandem-session-{session_id}")
}

/// Labels in one language.
struct Labels {
    subject: &'static str,
    reason: &'static str,
    requested: &'static str,
    advisers: &'static str,
    wait: &'static str,
    handling: &'static str,
    resolution: &'static str,
    answer: &'static str,
    agreed: &'static str,
    actions: &'static str,
    follow_up: &'static str,
    compensation: &'static str,
    prevention: &'static str,
    survey: &'static str,
    cobrowse: &'static str,
    transcript: &'static str,
}

const FRENCH: Labels = Labels {
    subject: "Discussion en ligne",
    reason: "Motif",
    requested: "Demande",
    advisers: "Conseillers",
    wait: "Attente",
    handling: "Traitement",
    resolution: "Résolution",
    answer: "Réponse",
    agreed: "Solution convenue",
    actions: "Actions",
    follow_up: "Date de suivi",
    compensation: "Geste commercial",
    prevention: "Suggestion",
    survey: "Enquête",
    cobrowse: "Pages vues ensemble",
    transcript: "Transcription",
};

const ENGLISH: Labels = Labels {
    subject: "Live chat",
    reason: "Reason",
    requested: "Requested",
    advisers: "Advisers",
    wait: "Wait",
    handling: "Handling",
    resolution: "Resolution",
    answer: "Answer",
    agreed: "Agreed solution",
    actions: "Actions",
    follow_up: "Follow-up date",
    compensation: "Compensation",
    prevention: "Suggestion",
    survey: "Survey",
    cobrowse: "Pages co-browsed",
    transcript: "Transcript",
};

/// A session ready to be logged in a CRM.
pub struct Activity<'a> {
    record: &'a SessionRecord,
    labels: &'static Labels,
}

impl<'a> Activity<'a> {
    /// The activity of `record`.
    pub fn new(record: &'a SessionRecord) -> Self {
        let french = record
            .summary
            .locale
            .as_deref()
            .is_some_and(|l| l.starts_with("fr"));
        Activity {
            record,
            labels: if french { &FRENCH } else { &ENGLISH },
        }
    }

    /// "Live chat — <reason>".
    pub fn subject(&self) -> String {
        let reason: String = self.record.summary.reason.chars().take(200).collect();
        format!("{} — {}", self.labels.subject, reason)
    }

    /// Every line of the body, in order; the last line is the session's [`marker`].
    pub fn lines(&self) -> Vec<String> {
        let s = &self.record.summary;
        let l = self.labels;
        let mut lines = vec![
            format!("{}: {}", l.reason, s.reason),
            format!("{}: {}", l.requested, s.requested_at),
        ];
        let advisers: Vec<&str> = s.advisers.iter().map(|a| a.name.as_str()).collect();
        if !advisers.is_empty() {
            lines.push(format!("{}: {}", l.advisers, advisers.join(", ")));
        }
        if let Some(wait) = s.wait_secs {
            lines.push(format!("{}: {} s", l.wait, wait.round()));
        }
        if let Some(handling) = s.handling_secs {
            lines.push(format!("{}: {} s", l.handling, handling.round()));
        }
        if let Some(w) = &s.wrap_up {
            lines.push(format!("{}: {}", l.resolution, w.resolution));
            let fields = [
                (l.answer, &w.answer),
                (l.agreed, &w.agreed_solution),
                (l.actions, &w.actions_taken),
                (l.follow_up, &w.follow_up_date),
                (l.compensation, &w.compensation),
                (l.prevention, &w.prevention),
            ];
            for (label, value) in fields {
                if let Some(value) = value.as_deref().filter(|v| !v.trim().is_empty()) {
                    lines.push(format!("{label}: {value}"));
                }
            }
        }
        if let Some(survey) = &self.record.survey {
            let score = |name: &str, value: Option<u8>| value.map(|v| format!("{name} {v}"));
            let scores: Vec<String> = [
                score("CSAT", survey.csat),
                score("CES", survey.ces),
                score("NPS", survey.nps),
            ]
            .into_iter()
            .flatten()
            .chain(survey.comment.clone())
            .collect();
            lines.push(format!("{}: {}", l.survey, scores.join(" · ")));
        }
        let pages: Vec<&str> = self
            .record
            .cobrowse
            .iter()
            .flat_map(|c| c.pages.iter().map(|p| p.url.as_str()))
            .collect();
        if !pages.is_empty() {
            lines.push(format!("{}: {}", l.cobrowse, pages.join(" ")));
        }
        lines.push(String::new());
        lines.push(format!("{}:", l.transcript));
        for line in self
            .record
            .transcript
            .iter()
            .filter(|t| t.kind == "message")
        {
            let time = line.at.get(11..16).unwrap_or_default();
            lines.push(format!("[{time}] {}: {}", line.name, line.text));
        }
        lines.push(String::new());
        lines.push(marker(&s.id));
        lines
    }

    /// The body as plain text, cut to `max_chars` (the marker is always kept).
    pub fn plain_text(&self, max_chars: usize) -> String {
        let mut lines = self.lines();
        let marker = lines.pop().unwrap_or_default();
        let text = lines.join("\n");
        let room = max_chars.saturating_sub(marker.len() + 2);
        let mut cut: String = text.chars().take(room).collect();
        if cut.len() < text.len() {
            cut.push('…');
        }
        format!("{cut}\n{marker}")
    }

    /// The body as HTML paragraphs (HubSpot notes are rich text), every line escaped.
    pub fn html(&self) -> String {
        self.lines()
            .iter()
            .map(|line| format!("<p>{}</p>", html_escape::encode_text(line)))
            .collect()
    }
}
