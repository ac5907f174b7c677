//! What visitors did with proactive invitations, counted per site, rule and UTC day.

use super::{Context, Store, StoreError};
use tandem_shared::invitation::{InvitationEvent, InvitationFigures};

const DAY_MS: i64 = 86_400_000;

impl Store {
    /// Counts one event of the rule `rule` of `site` at `now_ms`.
    pub async fn count_invitation(
        &self,
        site: &str,
        rule: &str,
        event: InvitationEvent,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let column = match event {
            InvitationEvent::Shown => "shown",
            InvitationEvent::Opened => "opened",
            InvitationEvent::Dismissed => "dismissed",
        };
        let day_ms = now_ms - now_ms.rem_euclid(DAY_MS);
        sqlx::query(&format!(
            "INSERT INTO invitation_counts (site, rule, day_ms, {column}) VALUES ($1, $2, $3, 1)
             ON CONFLICT (site, rule, day_ms) DO UPDATE SET {column} = invitation_counts.{column} + 1"
        ))
        .bind(site)
        .bind(rule)
        .bind(day_ms)
        .execute(&self.pool)
        .await
        .context("counting an invitation")?;
        Ok(())
    }

    /// Each rule's counts over the days starting in `[from_ms, to_ms)`, by site and rule.
    pub async fn invitation_figures(
        &self,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<InvitationFigures>, StoreError> {
        let rows: Vec<(String, String, i64, i64, i64)> = sqlx::query_as(
            "SELECT site, rule, CAST(SUM(shown) AS BIGINT), CAST(SUM(opened) AS BIGINT),
                    CAST(SUM(dismissed) AS BIGINT)
             FROM invitation_counts WHERE day_ms >= $1 AND day_ms < $2
             GROUP BY site, rule ORDER BY site, rule",
        )
        .bind(from_ms - from_ms.rem_euclid(DAY_MS))
        .bind(to_ms)
        .fetch_all(&self.pool)
        .await
        .context("reading invitation counts")?;
        let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
        Ok(rows
            .into_iter()
            .map(|(site, rule, shown, opened, dismissed)| InvitationFigures {
                site,
                rule,
                shown: count(shown),
                opened: count(opened),
                dismissed: count(dismissed),
            })
            .collect())
    }
}
