//! The CRM record as the API returns it: sessions with their contact, advisers, times,
//! wrap-up and transcript; contacts with their sessions.

use super::{Context, Store, StoreError};
use serde::Serialize;
use tandem_shared::{ContactId, ConversationId, EventKind};

/// A timestamp (ms since the epoch) as RFC 3339 text.
fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

/// Who a session was with.
#[derive(Debug, Serialize)]
pub struct ContactRef {
    /// Contact id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Company.
    pub company: Option<String>,
    /// The site's user id, when the site vouched for this contact.
    pub verified_user_id: Option<String>,
}

/// An adviser involved in a session.
#[derive(Debug, Serialize)]
pub struct AdviserRef {
    /// Adviser id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// When they joined (RFC 3339).
    pub joined_at: String,
}

/// What the adviser recorded at the end.
#[derive(Debug, Serialize)]
pub struct WrapUpRecord {
    /// `resolved`, `follow_up` or `unresolved`.
    pub resolution: String,
    /// Answer given.
    pub answer: Option<String>,
    /// Agreed solution.
    pub agreed_solution: Option<String>,
    /// Actions taken.
    pub actions_taken: Option<String>,
    /// Follow-up date (YYYY-MM-DD).
    pub follow_up_date: Option<String>,
    /// Compensation.
    pub compensation: Option<String>,
    /// Suggestion to prevent it next time.
    pub prevention: Option<String>,
    /// When it was recorded (RFC 3339).
    pub recorded_at: Option<String>,
}

/// One session of the CRM, without its transcript.
#[derive(Debug, Serialize)]
pub struct SessionSummary {
    /// Session (conversation) id.
    pub id: String,
    /// The visitor.
    pub contact: ContactRef,
    /// The name the visitor typed for this session.
    pub visitor_name: String,
    /// How the visitor was matched to the contact: `verified` (the site signed their id),
    /// `new` (this session created the contact) or `typed` (they typed the contact's email or
    /// phone: not proven to be the same person).
    pub contact_match: String,
    /// How the request came in: `chat`, or `phone` (a share code read out to an adviser).
    pub channel: String,
    /// The site the visitor wrote from (`data-site`; `default` without one).
    pub site: String,
    /// Reason given in the pre-chat form.
    pub reason: String,
    /// Page the visitor asked from.
    pub page_url: Option<String>,
    /// Visitor's language.
    pub locale: Option<String>,
    /// `queued`, `active` or `ended`.
    pub status: String,
    /// Time of the request (RFC 3339).
    pub requested_at: String,
    /// When an adviser took it (RFC 3339).
    pub accepted_at: Option<String>,
    /// When it ended (RFC 3339).
    pub ended_at: Option<String>,
    /// `visitor`, `adviser` or `system`.
    pub ended_by: Option<String>,
    /// Seconds from request to an adviser taking it.
    pub wait_secs: Option<f64>,
    /// Seconds from an adviser taking it to its end.
    pub handling_secs: Option<f64>,
    /// Advisers involved, in order.
    pub advisers: Vec<AdviserRef>,
    /// Number of chat messages.
    pub message_count: i64,
    /// The wrap-up, once recorded.
    pub wrap_up: Option<WrapUpRecord>,
}

/// One line of a transcript.
#[derive(Debug, Serialize)]
pub struct TranscriptLine {
    /// Event number.
    pub seq: u64,
    /// When (RFC 3339).
    pub at: String,
    /// `message`, `adviser_joined` or `ended`.
    pub kind: String,
    /// `visitor`, `adviser` or `system`.
    pub role: String,
    /// Author's name.
    pub name: String,
    /// Message text, or a description of the event.
    pub text: String,
}

/// A session with its transcript.
#[derive(Debug, Serialize)]
pub struct SessionRecord {
    /// The session.
    #[serde(flatten)]
    pub summary: SessionSummary,
    /// Every event, in order.
    pub transcript: Vec<TranscriptLine>,
    /// The topic's queue.
    pub queue: String,
    /// The service level it ended at.
    pub level: i64,
    /// The visitor left before an adviser answered.
    pub abandoned: bool,
    /// Every hand-over between advisers.
    pub handovers: Vec<tandem_shared::desk::Handover>,
    /// Notes only advisers see.
    pub notes: Vec<tandem_shared::desk::InternalNote>,
    /// The visitor's survey, once answered.
    pub survey: Option<tandem_shared::desk::Survey>,
    /// Co-browsing sessions: when, who ended them, pages seen, fields the adviser filled.
    pub cobrowse: Vec<tandem_shared::cobrowse::CobrowseRecord>,
    /// The visit: pages with their times, referrer, device, screen, time zone, language.
    pub visit: Option<tandem_shared::visit::VisitContext>,
}

/// A contact with every session.
#[derive(Debug, Serialize)]
pub struct ContactRecord {
    /// The contact.
    #[serde(flatten)]
    pub contact: ContactRef,
    /// When first seen (RFC 3339).
    pub created_at: String,
    /// Sessions, newest first.
    pub sessions: Vec<SessionSummary>,
    /// Advisers' notes on the contact, newest first.
    pub notes: Vec<super::ContactNote>,
    /// An unverified contact that may be this verified one (same email or phone typed), for
    /// an adviser to merge or leave.
    pub merge_candidate: Option<ContactRef>,
}

/// A contact as read for its record: id, name, email, phone, company, verified user id,
/// created at, merge candidate.
type ContactRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    Option<String>,
);

#[derive(sqlx::FromRow)]
pub(super) struct SessionRow {
    id: String,
    contact_id: String,
    contact_name: String,
    email: Option<String>,
    phone: Option<String>,
    company: Option<String>,
    external_id: Option<String>,
    channel: String,
    site: String,
    reason: String,
    page_url: Option<String>,
    locale: Option<String>,
    status: String,
    requested_at: i64,
    accepted_at: Option<i64>,
    ended_at: Option<i64>,
    ended_by: Option<String>,
    resolution: Option<String>,
    answer: Option<String>,
    agreed_solution: Option<String>,
    actions_taken: Option<String>,
    follow_up_date: Option<String>,
    compensation: Option<String>,
    prevention: Option<String>,
    wrapped_up_at: Option<i64>,
    message_count: i64,
    visitor_name: String,
    contact_match: String,
}

pub(super) const SESSION_SELECT: &str = "SELECT c.id, c.contact_id, p.name AS contact_name, p.email, p.phone, p.company, p.external_id,
    c.channel, c.site, c.reason, c.page_url, c.locale, c.status, c.requested_at, c.accepted_at, c.ended_at, c.ended_by,
    c.resolution, c.answer, c.agreed_solution, c.actions_taken, c.follow_up_date, c.compensation, c.prevention,
    c.wrapped_up_at,
    (SELECT COUNT(*) FROM events e WHERE e.conversation_id = c.id AND e.kind = 'message') AS message_count,
    c.visitor_name, c.contact_match
    FROM conversations c JOIN contacts p ON p.id = c.contact_id";

impl Store {
    /// Sessions, newest first.
    pub async fn list_sessions(
        &self,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<SessionSummary>, StoreError> {
        let rows: Vec<SessionRow> = sqlx::query_as(&format!(
            "{SESSION_SELECT} ORDER BY c.requested_at DESC, c.id LIMIT $1 OFFSET $2"
        ))
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await
        .context("listing sessions")?;
        self.summaries(rows).await
    }

    /// One session with its transcript.
    pub async fn session_record(
        &self,
        id: &ConversationId,
    ) -> Result<Option<SessionRecord>, StoreError> {
        let row: Option<SessionRow> = sqlx::query_as(&format!("{SESSION_SELECT} WHERE c.id = $1"))
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await
            .context("reading a session")?;
        let Some(row) = row else { return Ok(None) };
        let summary = self.summary(row).await?;
        let transcript = self
            .events_after(id, 0)
            .await?
            .into_iter()
            .map(transcript_line)
            .collect();
        let (queue, level, abandoned): (String, i64, i64) =
            sqlx::query_as("SELECT queue, level, abandoned FROM conversations WHERE id = $1")
                .bind(id.as_str())
                .fetch_one(&self.pool)
                .await
                .context("reading a session's queue")?;
        Ok(Some(SessionRecord {
            summary,
            transcript,
            queue,
            level,
            abandoned: abandoned != 0,
            handovers: self.handovers(id).await?,
            notes: self.notes(id).await?,
            survey: self.survey(id).await?,
            cobrowse: self.cobrowse_records(id).await?,
            visit: self.visit(id).await?,
        }))
    }

    /// One contact with all their sessions.
    pub async fn contact_record(
        &self,
        id: &ContactId,
    ) -> Result<Option<ContactRecord>, StoreError> {
        let row: Option<ContactRow> = sqlx::query_as(
            "SELECT id, name, email, phone, company, external_id, created_at, merge_candidate FROM contacts WHERE id = $1",
        )
        .bind(id.as_str())
        .fetch_optional(&self.pool)
        .await
        .context("reading a contact")?;
        let Some((id, name, email, phone, company, verified_user_id, created_at, candidate)) = row
        else {
            return Ok(None);
        };
        let merge_candidate = match candidate {
            Some(candidate) => {
                self.contact_card(&ContactId(candidate))
                    .await?
                    .map(|card| ContactRef {
                        id: card.id.0,
                        name: card.name,
                        email: card.email,
                        phone: card.phone,
                        company: card.company,
                        verified_user_id: card.verified_user_id,
                    })
            }
            None => None,
        };
        let id_for_notes = id.clone();
        let rows: Vec<SessionRow> = sqlx::query_as(&format!(
            "{SESSION_SELECT} WHERE c.contact_id = $1 ORDER BY c.requested_at DESC"
        ))
        .bind(&id)
        .fetch_all(&self.pool)
        .await
        .context("reading a contact's sessions")?;
        Ok(Some(ContactRecord {
            contact: ContactRef {
                id,
                name,
                email,
                phone,
                company,
                verified_user_id,
            },
            created_at: rfc3339(created_at),
            sessions: self.summaries(rows).await?,
            notes: self.contact_notes(&ContactId(id_for_notes)).await?,
            merge_candidate,
        }))
    }

    pub(super) async fn summaries(
        &self,
        rows: Vec<SessionRow>,
    ) -> Result<Vec<SessionSummary>, StoreError> {
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(self.summary(row).await?);
        }
        Ok(out)
    }

    async fn summary(&self, row: SessionRow) -> Result<SessionSummary, StoreError> {
        let advisers: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT a.id, a.display_name, ca.joined_at FROM conversation_advisers ca
             JOIN advisers a ON a.id = ca.adviser_id WHERE ca.conversation_id = $1 ORDER BY ca.joined_at",
        )
        .bind(&row.id)
        .fetch_all(&self.pool)
        .await
        .context("reading a session's advisers")?;
        let seconds = |from: i64, to: Option<i64>| to.map(|to| (to - from) as f64 / 1000.0);
        let wrap_up = row.resolution.map(|resolution| WrapUpRecord {
            resolution,
            answer: row.answer,
            agreed_solution: row.agreed_solution,
            actions_taken: row.actions_taken,
            follow_up_date: row.follow_up_date,
            compensation: row.compensation,
            prevention: row.prevention,
            recorded_at: row.wrapped_up_at.map(rfc3339),
        });
        Ok(SessionSummary {
            contact: ContactRef {
                id: row.contact_id,
                name: row.contact_name,
                email: row.email,
                phone: row.phone,
                company: row.company,
                verified_user_id: row.external_id,
            },
            visitor_name: row.visitor_name,
            contact_match: row.contact_match,
            channel: row.channel,
            site: row.site,
            reason: row.reason,
            page_url: row.page_url,
            locale: row.locale,
            status: row.status,
            requested_at: rfc3339(row.requested_at),
            accepted_at: row.accepted_at.map(rfc3339),
            ended_at: row.ended_at.map(rfc3339),
            ended_by: row.ended_by,
            wait_secs: seconds(row.requested_at, row.accepted_at),
            handling_secs: row
                .accepted_at
                .and_then(|accepted| seconds(accepted, row.ended_at)),
            advisers: advisers
                .into_iter()
                .map(|(id, name, joined)| AdviserRef {
                    id,
                    name,
                    joined_at: rfc3339(joined),
                })
                .collect(),
            message_count: row.message_count,
            wrap_up,
            id: row.id,
        })
    }
}

fn transcript_line(event: tandem_shared::ConversationEvent) -> TranscriptLine {
    let (kind, role, name, text) = match event.kind {
        EventKind::Message { author, body, .. } => (
            "message",
            author.role.as_str().to_owned(),
            author.name,
            body,
        ),
        EventKind::AdviserJoined { name } => (
            "adviser_joined",
            "adviser".to_owned(),
            name.clone(),
            format!("{name} joined"),
        ),
        EventKind::Transferred { from } => (
            "transferred",
            "adviser".to_owned(),
            from.clone(),
            format!("{from} handed the conversation over"),
        ),
        EventKind::CobrowseStarted => (
            "cobrowse_started",
            "visitor".to_owned(),
            String::new(),
            "co-browsing started".to_owned(),
        ),
        EventKind::CobrowseEnded { by } => {
            let by = by.as_str().to_owned();
            (
                "cobrowse_ended",
                by.clone(),
                String::new(),
                format!("co-browsing stopped by the {by}"),
            )
        }
        EventKind::Ended { by } => {
            let by = by.as_str().to_owned();
            (
                "ended",
                by.clone(),
                String::new(),
                format!("ended by the {by}"),
            )
        }
    };
    TranscriptLine {
        seq: event.seq,
        at: rfc3339(event.at_ms),
        kind: kind.to_owned(),
        role,
        name,
        text,
    }
}
