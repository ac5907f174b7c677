//! The visitor's context as their adviser sees it: the page they are on now, the pages of this
//! visit, where they came from, their device, screen, language and local time.
//!
//! The widget sends it when a chat starts and again on each page the visitor opens while it
//! runs; the relay bounds it ([`VisitContext::bounded`]), names the device from the user agent
//! and keeps it on the conversation (the CRM record shows it too). Page addresses are redacted
//! in the browser: the current page without the values of its private fields (as co-browsing
//! does), earlier pages without any query at all.

use serde::{Deserialize, Serialize};

/// Pages of a visit kept at most (the oldest are dropped).
pub const MAX_VISIT_PAGES: usize = 30;

/// Longest page address kept, in bytes (longer ones are cut at a character boundary).
pub const MAX_VISIT_URL_BYTES: usize = 2048;

/// Longest page title, referrer-free text field or user agent kept, in characters.
pub const MAX_VISIT_TEXT_CHARS: usize = 300;

/// One page of the visit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitedPage {
    /// Its address (redacted in the browser).
    pub url: String,
    /// Its title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// When the visitor opened it, in milliseconds since the Unix epoch (relay's clock).
    pub at_ms: i64,
}

/// What the adviser knows of the visitor's visit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitContext {
    /// The pages of this visit, oldest first; the last is the page the visitor is on now.
    #[serde(default)]
    pub pages: Vec<VisitedPage>,
    /// The page that sent the visitor to the site (another site's address), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer: Option<String>,
    /// The browser's user agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// Browser, system and kind of device, named by the relay from the user agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// Screen size in CSS pixels, e.g. `390×844`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen: Option<String>,
    /// The visitor's time zone, e.g. `Europe/Paris`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// Minutes to add to UTC for the visitor's local time (`+60` in Paris in winter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utc_offset_minutes: Option<i32>,
    /// The browser's language, e.g. `fr-FR`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Visits this browser made to the site, this one included (1: first visit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visits: Option<u32>,
    /// The visitor's clock when the widget sent this, so the relay can put the pages' times
    /// on its own clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at_ms: Option<i64>,
}

impl VisitContext {
    /// The page the visitor is on now.
    pub fn current_page(&self) -> Option<&VisitedPage> {
        self.pages.last()
    }

    /// True for a returning visitor (an earlier visit from this browser).
    pub fn is_returning(&self) -> bool {
        self.visits.is_some_and(|n| n > 1)
    }

    /// The context cut to the limits, its times moved to the relay's clock (`now_ms`): what a
    /// visitor sends is never kept beyond [`MAX_VISIT_PAGES`] pages of bounded text.
    pub fn bounded(mut self, now_ms: i64) -> VisitContext {
        let excess = self.pages.len().saturating_sub(MAX_VISIT_PAGES);
        self.pages.drain(..excess);
        // The visitor's clock may be off: shift by the difference, and never into the future.
        let skew = self
            .sent_at_ms
            .map_or(0, |sent| now_ms.saturating_sub(sent));
        for page in &mut self.pages {
            cut_bytes(&mut page.url, MAX_VISIT_URL_BYTES);
            page.title = page.title.take().map(cut_chars).filter(|t| !t.is_empty());
            page.at_ms = page.at_ms.saturating_add(skew).min(now_ms);
        }
        self.pages.retain(|page| is_web_address(&page.url));
        self.referrer = self
            .referrer
            .take()
            .filter(|r| is_web_address(r))
            .map(|mut r| {
                cut_bytes(&mut r, MAX_VISIT_URL_BYTES);
                r
            });
        for text in [
            &mut self.user_agent,
            &mut self.screen,
            &mut self.time_zone,
            &mut self.language,
        ] {
            *text = text.take().map(cut_chars).filter(|t| !t.is_empty());
        }
        self.device = None;
        self.utc_offset_minutes = self
            .utc_offset_minutes
            .filter(|minutes| minutes.abs() <= 14 * 60);
        self.sent_at_ms = None;
        self
    }
}

/// An `http(s)` address: anything else (`javascript:`, `data:`) is never kept or shown.
fn is_web_address(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

fn cut_chars(text: String) -> String {
    text.trim().chars().take(MAX_VISIT_TEXT_CHARS).collect()
}

fn cut_bytes(text: &mut String, max: usize) {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(url: &str, at_ms: i64) -> VisitedPage {
        VisitedPage {
            url: url.into(),
            title: Some("  Title  ".into()),
            at_ms,
        }
    }

    #[test]
    fn bounded_keeps_the_latest_pages_and_moves_times_to_the_relay_clock() {
        let pages = (0..40)
            .map(|i| page(&format!("https://shop.example/p{i}"), 1_000 + i))
            .collect();
        let context = VisitContext {
            pages,
            sent_at_ms: Some(1_040),
            ..VisitContext::default()
        }
        .bounded(5_040);
        assert_eq!(context.pages.len(), MAX_VISIT_PAGES);
        assert_eq!(
            context.current_page().map(|p| p.url.as_str()),
            Some("https://shop.example/p39")
        );
        assert_eq!(context.pages[0].at_ms, 5_010);
        assert_eq!(context.pages[0].title.as_deref(), Some("Title"));
        assert_eq!(context.sent_at_ms, None);
    }

    #[test]
    fn bounded_drops_what_is_not_a_web_address_and_cuts_long_text() {
        let context = VisitContext {
            pages: vec![
                page("javascript:alert(1)", 1),
                page(&format!("https://a.example/{}", "é".repeat(3_000)), 2),
            ],
            referrer: Some("data:text/html,<b>x</b>".into()),
            user_agent: Some("x".repeat(1_000)),
            device: Some("forged".into()),
            utc_offset_minutes: Some(100_000),
            ..VisitContext::default()
        }
        .bounded(10);
        assert_eq!(context.pages.len(), 1);
        assert!(context.pages[0].url.len() <= MAX_VISIT_URL_BYTES);
        assert_eq!(context.referrer, None);
        assert_eq!(
            context.user_agent.map(|ua| ua.chars().count()),
            Some(MAX_VISIT_TEXT_CHARS)
        );
        assert_eq!(context.device, None);
        assert_eq!(context.utc_offset_minutes, None);
    }

    #[test]
    fn a_second_visit_is_returning() {
        let mut context = VisitContext {
            visits: Some(1),
            ..VisitContext::default()
        };
        assert!(!context.is_returning());
        context.visits = Some(2);
        assert!(context.is_returning());
    }
}
