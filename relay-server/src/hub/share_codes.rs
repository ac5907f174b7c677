//! Co-browsing by phone: a visitor's widget asks for a share code, the visitor reads it out,
//! the adviser types it and gets a conversation of channel `phone` with that visitor, who is
//! asked for their consent as in a chat.
//!
//! Codes live only in the hub's memory (a relay restart gives the visitor a new one when their
//! widget reconnects). They are bounded three ways: one per connection, [`MAX_LIVE_CODES`] in
//! all, and a quota per address (`limits::Action::ShareCode`). Typing them is bounded too
//! ([`CodeAttempts`]): a code is one in a million, so guessing needs many tries.

use super::state::Live;
use super::{ConnId, Hub, HubError, Peer};
use crate::limits::keyed::BoundedLimiter;
use crate::time::now_ms;
use governor::Quota;
use rand::Rng;
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::time::Duration;
use tandem_shared::limits::{FieldError, Problem};
use tandem_shared::model::{Channel, ChatRequest};
use tandem_shared::share_code::{normalize_code, CODE_LIFETIME_MS};
use tandem_shared::{AdviserId, ConversationId, ErrorCode, ServerMsg};
use tokio::sync::oneshot;

/// Codes waiting at once, relay-wide; a visitor asking beyond it is told to try later.
pub const MAX_LIVE_CODES: usize = 10_000;

/// Codes one adviser may type in a row; then one more every [`ATTEMPT_REFILL`].
const ATTEMPTS_PER_ADVISER: NonZeroU32 = NonZeroU32::MIN.saturating_add(9);

/// Codes all advisers together may type in a row; then one more every second.
const ATTEMPTS_EVERYWHERE: NonZeroU32 = NonZeroU32::MIN.saturating_add(59);

/// How often an adviser who typed too many codes gets one more try.
const ATTEMPT_REFILL: Duration = Duration::from_secs(30);

/// A visitor waiting for an adviser to type their code.
#[derive(Debug)]
pub(crate) struct WaitingShare {
    /// The visitor's connection.
    pub peer: Peer,
    /// What the site told about the visitor, validated, with the site, queue and reason set.
    pub request: ChatRequest,
    /// The site's user id, when its signature was checked.
    pub verified_user: Option<String>,
    /// When the code stops working.
    pub expires_at_ms: i64,
    /// Tells the visitor's session which conversation it joined.
    pub joined: oneshot::Sender<ConversationId>,
}

/// The codes given and not yet typed, lapsed or withdrawn.
#[derive(Debug, Default)]
pub(crate) struct ShareCodes {
    by_code: HashMap<String, WaitingShare>,
    by_connection: HashMap<ConnId, String>,
}

impl ShareCodes {
    /// Gives `share` a fresh code, replacing its connection's earlier one. `None` when
    /// [`MAX_LIVE_CODES`] are waiting.
    fn issue(&mut self, share: WaitingShare, now_ms: i64) -> Option<String> {
        self.withdraw(share.peer.id);
        if self.by_code.len() >= MAX_LIVE_CODES {
            self.forget_lapsed(now_ms);
            if self.by_code.len() >= MAX_LIVE_CODES {
                return None;
            }
        }
        let mut random = rand::thread_rng();
        let code = loop {
            let code = format!("{:06}", random.gen_range(0..1_000_000u32));
            if !self.by_code.contains_key(&code) {
                break code;
            }
        };
        self.by_connection.insert(share.peer.id, code.clone());
        self.by_code.insert(code.clone(), share);
        Some(code)
    }

    /// Takes the share behind `code` (a code works once); `None` when no visitor holds it
    /// now, or it lapsed.
    fn claim(&mut self, code: &str, now_ms: i64) -> Option<WaitingShare> {
        let share = self.by_code.remove(code)?;
        self.by_connection.remove(&share.peer.id);
        (share.expires_at_ms > now_ms && !share.joined.is_closed()).then_some(share)
    }

    /// Forgets the code of connection `id`, if any.
    pub fn withdraw(&mut self, id: ConnId) {
        if let Some(code) = self.by_connection.remove(&id) {
            self.by_code.remove(&code);
        }
    }

    fn forget_lapsed(&mut self, now_ms: i64) {
        self.by_code.retain(|_, share| share.expires_at_ms > now_ms);
        let live = &self.by_code;
        self.by_connection.retain(|_, code| live.contains_key(code));
    }

    /// Codes waiting now.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.by_code.len()
    }
}

/// How many codes advisers may type: each adviser a few in a row, all of them together a
/// bounded rate, so nobody can try the million codes.
#[derive(Debug)]
pub(crate) struct CodeAttempts {
    per_adviser: BoundedLimiter<AdviserId>,
    everywhere: governor::DefaultDirectRateLimiter,
}

impl Default for CodeAttempts {
    fn default() -> Self {
        let per_adviser = Quota::with_period(ATTEMPT_REFILL)
            .unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN))
            .allow_burst(ATTEMPTS_PER_ADVISER);
        CodeAttempts {
            per_adviser: BoundedLimiter::new(per_adviser, crate::limits::keyed::MAX_KEYS),
            everywhere: governor::RateLimiter::direct(
                Quota::per_second(NonZeroU32::MIN).allow_burst(ATTEMPTS_EVERYWHERE),
            ),
        }
    }
}

impl CodeAttempts {
    /// True when `adviser` may type one more code now (and counts it).
    fn allow(&self, adviser: &AdviserId) -> bool {
        self.per_adviser.check(adviser) && self.everywhere.check().is_ok()
    }
}

impl Hub {
    /// Gives the visitor on `peer` a code to read out (sent as `share_code`). The returned
    /// receiver gets the conversation once an adviser typed the code. `request` is validated
    /// and names its site and queue.
    pub fn request_share_code(
        &self,
        request: ChatRequest,
        verified_user: Option<String>,
        peer: &Peer,
    ) -> Result<oneshot::Receiver<ConversationId>, HubError> {
        let now = now_ms();
        let (joined, joining) = oneshot::channel();
        let expires_at_ms = now + CODE_LIFETIME_MS;
        let share = WaitingShare {
            peer: peer.clone(),
            request,
            verified_user,
            expires_at_ms,
            joined,
        };
        let code = self.lock().share_codes.issue(share, now).ok_or_else(|| {
            tracing::warn!("refused a share code: too many are waiting");
            HubError::Protocol(
                ErrorCode::Unavailable,
                "too many visitors are waiting for a code right now; try again in a minute".into(),
            )
        })?;
        peer.send(ServerMsg::ShareCode {
            share_code: code,
            expires_at_ms,
        });
        Ok(joining)
    }

    /// Withdraws the code of the visitor on `peer` (they cancelled, or left).
    pub fn withdraw_share_code(&self, peer: &Peer) {
        self.lock().share_codes.withdraw(peer.id);
    }

    /// `adviser` typed `typed`: the visitor who holds that code gets a conversation of channel
    /// `phone` held by the adviser, and is asked to let them see the page.
    pub async fn join_by_code(&self, adviser: &AdviserId, typed: &str) -> Result<(), HubError> {
        let code = normalize_code(typed).ok_or(HubError::Invalid(FieldError {
            field: "code",
            problem: Problem::Invalid,
        }))?;
        if !self.code_attempts.allow(adviser) {
            tracing::warn!(%adviser, "refused a share code: too many typed");
            return Err(HubError::Protocol(
                ErrorCode::RateLimited,
                "too many codes typed; wait a minute and try again".into(),
            ));
        }
        if !self.lock().advisers.contains_key(adviser) {
            return Err(HubError::Forbidden("this adviser is not connected"));
        }
        let now = now_ms();
        let share = self.lock().share_codes.claim(&code, now).ok_or_else(|| {
            tracing::info!(%adviser, "a share code was typed that no visitor holds");
            HubError::NotFound(
                "no visitor holds this code now: check it with them, or ask them for a new one",
            )
        })?;
        let contact = self
            .store
            .upsert_contact(&share.request, share.verified_user.as_deref(), now)
            .await?;
        let id = ConversationId(uuid::Uuid::new_v4().to_string());
        self.store
            .create_conversation(&id, &contact, &share.request, Channel::Phone, now)
            .await?;
        {
            let mut state = self.lock();
            let mut live =
                Live::requested(contact, &share.request, Channel::Phone, now, share.peer);
            // The visitor's session learns its conversation before the visitor can answer;
            // a page closed meanwhile leaves the chat waiting for them, as any chat would.
            if share.joined.send(id.clone()).is_err() {
                live.visitors.clear();
                live.detached_at_ms = Some(now);
            }
            for visitor in &live.visitors {
                visitor.send(ServerMsg::ChatStarted {
                    conversation: self.visitor_view(&id, &live),
                });
            }
            state.conversations.insert(id.clone(), live);
        }
        tracing::info!(conversation = %id, %adviser, "an adviser joined a visitor by share code");
        self.take(adviser, &id).await?;
        self.cobrowse_request(adviser, &id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share(expires_at_ms: i64) -> (WaitingShare, oneshot::Receiver<ConversationId>) {
        let (joined, joining) = oneshot::channel();
        let share = WaitingShare {
            peer: Peer::new().0,
            request: ChatRequest::default(),
            verified_user: None,
            expires_at_ms,
            joined,
        };
        (share, joining)
    }

    #[test]
    fn a_code_is_six_digits_and_works_once() {
        let mut codes = ShareCodes::default();
        let (waiting, _joining) = share(1_000);
        let code = codes.issue(waiting, 0).unwrap_or_default();
        assert_eq!(code.len(), 6);
        assert!(code.bytes().all(|b| b.is_ascii_digit()));
        assert!(codes.claim(&code, 10).is_some());
        assert!(
            codes.claim(&code, 10).is_none(),
            "a second use finds nothing"
        );
    }

    #[test]
    fn a_lapsed_code_or_a_gone_visitor_opens_nothing() {
        let mut codes = ShareCodes::default();
        let (waiting, _joining) = share(1_000);
        let code = codes.issue(waiting, 0).unwrap_or_default();
        assert!(codes.claim(&code, 1_000).is_none());
        let (waiting, joining) = share(1_000);
        let code = codes.issue(waiting, 0).unwrap_or_default();
        drop(joining);
        assert!(codes.claim(&code, 10).is_none());
    }

    #[test]
    fn a_new_code_replaces_the_connections_earlier_one() {
        let mut codes = ShareCodes::default();
        let (first, _a) = share(1_000);
        let peer = first.peer.clone();
        let old = codes.issue(first, 0).unwrap_or_default();
        let (mut second, _b) = share(1_000);
        second.peer = peer;
        let new = codes.issue(second, 0).unwrap_or_default();
        assert_eq!(codes.len(), 1);
        assert!(codes.claim(&old, 10).is_none() || old == new);
    }

    #[test]
    fn the_table_of_codes_is_bounded() {
        let mut codes = ShareCodes::default();
        let mut keep = Vec::new();
        for _ in 0..MAX_LIVE_CODES {
            let (waiting, joining) = share(1_000);
            keep.push(joining);
            assert!(codes.issue(waiting, 0).is_some());
        }
        let (waiting, _joining) = share(1_000);
        assert!(codes.issue(waiting, 0).is_none(), "full of live codes");
        let (waiting, _joining) = share(5_000);
        assert!(
            codes.issue(waiting, 2_000).is_some(),
            "lapsed ones make room"
        );
        assert_eq!(codes.len(), 1);
    }

    #[test]
    fn an_adviser_may_type_ten_codes_in_a_row() {
        let attempts = CodeAttempts::default();
        let adviser = AdviserId::from("a1");
        for _ in 0..10 {
            assert!(attempts.allow(&adviser));
        }
        assert!(!attempts.allow(&adviser));
        assert!(
            attempts.allow(&AdviserId::from("a2")),
            "others are not locked out"
        );
    }
}
