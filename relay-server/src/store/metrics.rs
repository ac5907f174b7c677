//! The facts of each request over a period, from which the dashboard's figures are computed.

use super::{Context, Store, StoreError};

/// What the dashboard needs to know about one request.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct SessionFacts {
    /// The topic's queue.
    pub queue: String,
    /// The last adviser's display name, once taken.
    pub adviser: Option<String>,
    /// Requested (ms).
    pub requested_at: i64,
    /// Taken by an adviser (ms).
    pub accepted_at: Option<i64>,
    /// The adviser's first message (ms).
    pub first_response_at: Option<i64>,
    /// Ended (ms).
    pub ended_at: Option<i64>,
    /// Left by the visitor before an adviser answered.
    #[sqlx(try_from = "super::Flag")]
    pub abandoned: bool,
    /// The wrap-up's resolution.
    pub resolution: Option<String>,
    /// The same contact asked again within 7 days of the end.
    #[sqlx(try_from = "super::Flag")]
    pub reopened: bool,
    /// Survey scores.
    pub csat: Option<i64>,
    /// Customer effort.
    pub ces: Option<i64>,
    /// Likelihood to recommend.
    pub nps: Option<i64>,
}

/// Seven days, in milliseconds: a new request within this time reopens the previous one.
pub const REOPEN_WINDOW_MS: i64 = 7 * 24 * 3600 * 1000;

impl Store {
    /// The facts of every chat request made in `[from_ms, to_ms)`.
    pub async fn session_facts(
        &self,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<SessionFacts>, StoreError> {
        sqlx::query_as(
            "SELECT c.queue,
                (SELECT d.display_name FROM conversation_advisers a JOIN advisers d ON d.id = a.adviser_id
                 WHERE a.conversation_id = c.id ORDER BY a.joined_at DESC LIMIT 1) AS adviser,
                c.requested_at, c.accepted_at, c.first_response_at, c.ended_at, c.abandoned AS abandoned,
                c.resolution,
                CASE WHEN EXISTS (SELECT 1 FROM conversations n WHERE n.contact_id = c.contact_id AND n.id != c.id
                        AND n.requested_at > c.requested_at
                        AND n.requested_at <= COALESCE(c.ended_at, c.requested_at) + $1) THEN 1 ELSE 0 END AS reopened,
                c.csat, c.ces, c.nps
             FROM conversations c WHERE c.requested_at >= $2 AND c.requested_at < $3 ORDER BY c.requested_at",
        )
        .bind(REOPEN_WINDOW_MS)
        .bind(from_ms)
        .bind(to_ms)
        .fetch_all(&self.pool)
        .await
        .context("reading the facts of a period")
    }
}
