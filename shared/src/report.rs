//! The service-desk dashboard's figures, as the relay computes them and the console draws
//! them.

use serde::{Deserialize, Serialize};

/// Figures over a set of requests.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// Chat requests made.
    pub requests: u32,
    /// Requests an adviser took.
    pub answered: u32,
    /// Requests the visitor left before an adviser answered.
    pub abandoned: u32,
    /// `abandoned / requests`, 0 to 1.
    pub abandonment_rate: Option<f64>,
    /// Mean wait from request to an adviser taking it, in seconds.
    pub mean_wait_secs: Option<f64>,
    /// Mean time from an adviser taking it to their first message, in seconds.
    pub mean_first_response_secs: Option<f64>,
    /// Mean time from an adviser taking it to its end, in seconds.
    pub mean_handling_secs: Option<f64>,
    /// Wrapped-up requests resolved and not reopened by the same contact within 7 days,
    /// over wrapped-up requests, 0 to 1.
    pub first_contact_resolution: Option<f64>,
    /// Mean customer satisfaction (1 to 5).
    pub csat: Option<f64>,
    /// Mean customer effort score (1 to 7).
    pub ces: Option<f64>,
    /// Net promoter score: % promoters (9–10) minus % detractors (0–6), -100 to 100.
    pub nps: Option<f64>,
    /// Surveys answered.
    pub surveys: u32,
}

/// Figures for one queue or one adviser.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupFigures {
    /// The queue's key or the adviser's display name.
    pub key: String,
    /// Its figures.
    pub figures: Figures,
}

/// The dashboard over a period.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Start of the period (ms since the epoch, included).
    pub from_ms: i64,
    /// End of the period (ms since the epoch, excluded).
    pub to_ms: i64,
    /// Every request of the period.
    pub overall: Figures,
    /// Per queue.
    pub by_queue: Vec<GroupFigures>,
    /// Per adviser (the last adviser of each request).
    pub by_adviser: Vec<GroupFigures>,
    /// Requests per hour of the day (UTC offset of the request: see `utc_offset_minutes`).
    pub requests_by_hour: Vec<u32>,
    /// The offset applied to hours, in minutes east of UTC.
    pub utc_offset_minutes: i32,
    /// Proactive invitations: each rule's bubbles shown, opened and closed (counted per UTC
    /// day: the days whose start falls in the period).
    #[serde(default)]
    pub invitations: Vec<crate::invitation::InvitationFigures>,
}
