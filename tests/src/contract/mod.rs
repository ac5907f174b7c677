//! Local servers that implement the documented HTTP contracts of the CRMs Tandem syncs to —
//! endpoints, request shapes, OAuth token endpoints, error codes — so connectors are tested
//! against the rules the real services apply, with faults a test can switch on: the whole API
//! down (503), rate limits (429 + `Retry-After`), expired tokens (401), and an answer lost after
//! the change was made (502 after commit, the case that creates duplicates).

pub mod hubspot;
pub mod salesforce;

use axum::http::{HeaderMap, StatusCode};
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

/// Faults a test switches on and what the server saw.
#[derive(Default)]
pub struct Faults {
    /// Every API call answers 503.
    pub down: AtomicBool,
    /// The next N API calls answer 429 with `Retry-After: 1`.
    pub rate_limit_next: AtomicUsize,
    /// The next record creation is made, then answered 502 (the answer is "lost").
    pub lose_next_create_answer: AtomicBool,
    /// Calls answered 429.
    pub rate_limited: AtomicUsize,
    /// Calls answered 401.
    pub unauthorized: AtomicUsize,
    /// Calls answered 503.
    pub unavailable: AtomicUsize,
}

impl Faults {
    /// Before any API call: the fault to answer, if one is on.
    pub fn before_call(&self) -> Option<(StatusCode, Option<&'static str>)> {
        if self.down.load(Ordering::SeqCst) {
            self.unavailable.fetch_add(1, Ordering::SeqCst);
            return Some((StatusCode::SERVICE_UNAVAILABLE, None));
        }
        let limited = self
            .rate_limit_next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if limited {
            self.rate_limited.fetch_add(1, Ordering::SeqCst);
            return Some((StatusCode::TOO_MANY_REQUESTS, Some("1")));
        }
        None
    }

    /// After a creation was made: true when its answer must be lost.
    pub fn lose_answer(&self) -> bool {
        self.lose_next_create_answer.swap(false, Ordering::SeqCst)
    }
}

/// Access tokens a contract server issued; a test can expire them all.
#[derive(Default)]
pub struct Tokens {
    valid: Mutex<HashSet<String>>,
    issued: AtomicUsize,
}

impl Tokens {
    /// Issues a new token.
    pub fn issue(&self, prefix: &str) -> String {
        let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
        let token = format!("{prefix}-{n}-{}", uuid_like(n));
        if let Ok(mut valid) = self.valid.lock() {
            valid.insert(token.clone());
        }
        token
    }

    /// Accepts `token` from now on (a fixed private-app token).
    pub fn accept(&self, token: &str) {
        if let Ok(mut valid) = self.valid.lock() {
            valid.insert(token.to_owned());
        }
    }

    /// Every token issued so far expires.
    pub fn expire_all(&self) {
        if let Ok(mut valid) = self.valid.lock() {
            valid.clear();
        }
    }

    /// How many tokens the token endpoint issued.
    pub fn issued(&self) -> usize {
        self.issued.load(Ordering::SeqCst)
    }

    /// True when the request carries a valid bearer token.
    pub fn authorizes(&self, headers: &HeaderMap) -> bool {
        let presented = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        match (presented, self.valid.lock()) {
            (Some(token), Ok(valid)) => valid.contains(token),
            _ => false,
        }
    }
}

fn uuid_like(n: usize) -> String {
    format!("{:08x}", n.wrapping_mul(2_654_435_761))
}

/// Binds a loopback port and serves `app` until the returned handle is dropped or aborted.
pub async fn serve(app: axum::Router) -> anyhow::Result<(u16, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((port, task))
}
