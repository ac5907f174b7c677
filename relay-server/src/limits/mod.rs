//! Limits on what one client address may do, shared by all connections: new WebSockets per
//! minute, WebSockets and TCP connections open at once, console logins, and the quotas on
//! what creates CRM rows (chats, messages left, uploads).
//!
//! Every limiter keyed by client input holds a bounded number of keys ([`keyed`]), and IPv6
//! addresses count by their /64 network ([`address`]).

pub mod address;
pub mod keyed;
pub mod open;

use crate::config::Limits;
use governor::Quota;
use keyed::{BoundedLimiter, MAX_KEYS};
use open::{OpenCounts, OpenGuard};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

pub use address::limit_key;

/// Longest login name looked up; a longer one is refused before it is counted or logged.
pub const MAX_LOGIN_CHARS: usize = 254;

/// True when `login` (trimmed) may name a new account: not empty, at most
/// [`MAX_LOGIN_CHARS`], no control characters (a login is logged and shown).
pub fn usable_login(login: &str) -> bool {
    !login.is_empty()
        && login.chars().count() <= MAX_LOGIN_CHARS
        && !login.chars().any(char::is_control)
}

/// How many times the per-name login quota the whole internet may try one login name: a
/// single address cannot lock an adviser out, a crowd still cannot guess freely.
const LOGIN_NAME_FROM_EVERYWHERE: NonZeroU32 = NonZeroU32::MIN.saturating_add(19);

/// What a client address may do now.
#[derive(Debug)]
pub struct Limiters {
    connections: BoundedLimiter<IpAddr>,
    logins_by_ip: BoundedLimiter<IpAddr>,
    logins_by_name_and_ip: BoundedLimiter<(String, IpAddr)>,
    logins_by_name: BoundedLimiter<String>,
    chats: BoundedLimiter<IpAddr>,
    tickets: BoundedLimiter<IpAddr>,
    uploads: BoundedLimiter<IpAddr>,
    invitation_events: BoundedLimiter<IpAddr>,
    share_codes: BoundedLimiter<IpAddr>,
    /// WebSockets open now, per address.
    sockets: Arc<OpenCounts>,
    sockets_per_ip: u32,
}

/// Something a client may do only so often.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Start a chat.
    StartChat,
    /// Leave a message or book a callback.
    LeaveMessage,
    /// Upload a file.
    Upload,
    /// Report what was done with a proactive invitation (shown, opened, dismissed).
    InvitationEvent,
    /// Ask for a code to read out to an adviser on the phone.
    ShareCode,
}

/// Invitation events one address may report per hour: a visitor makes at most three per
/// visit (shown, then opened or dismissed); more is someone inflating the dashboard.
const INVITATION_EVENTS_PER_IP_PER_HOUR: NonZeroU32 = NonZeroU32::MIN.saturating_add(59);

/// Share codes one address may ask for per hour: a visitor asks for one per phone call (and
/// again when one lapses); more is someone filling the relay's table of codes.
const SHARE_CODES_PER_IP_PER_HOUR: NonZeroU32 = NonZeroU32::MIN.saturating_add(29);

fn per_minute(n: NonZeroU32) -> Quota {
    Quota::per_minute(n).allow_burst(n)
}

fn per_hour(n: NonZeroU32) -> Quota {
    Quota::per_hour(n).allow_burst(n)
}

impl Limiters {
    /// Limiters for these limits.
    pub fn new(limits: &Limits) -> Limiters {
        let everywhere = limits
            .logins_per_min
            .saturating_mul(LOGIN_NAME_FROM_EVERYWHERE);
        Limiters {
            connections: BoundedLimiter::new(
                per_minute(limits.connections_per_ip_per_min),
                MAX_KEYS,
            ),
            logins_by_ip: BoundedLimiter::new(per_minute(limits.logins_per_min), MAX_KEYS),
            logins_by_name_and_ip: BoundedLimiter::new(per_minute(limits.logins_per_min), MAX_KEYS),
            logins_by_name: BoundedLimiter::new(per_minute(everywhere), MAX_KEYS),
            chats: BoundedLimiter::new(per_hour(limits.chats_per_ip_per_hour), MAX_KEYS),
            tickets: BoundedLimiter::new(per_hour(limits.tickets_per_ip_per_hour), MAX_KEYS),
            uploads: BoundedLimiter::new(per_hour(limits.uploads_per_ip_per_hour), MAX_KEYS),
            invitation_events: BoundedLimiter::new(
                per_hour(INVITATION_EVENTS_PER_IP_PER_HOUR),
                MAX_KEYS,
            ),
            share_codes: BoundedLimiter::new(per_hour(SHARE_CODES_PER_IP_PER_HOUR), MAX_KEYS),
            sockets: OpenCounts::new(),
            sockets_per_ip: limits.sockets_per_ip,
        }
    }

    /// True when `ip` may open another WebSocket now (counted per minute).
    pub fn allow_connection(&self, ip: IpAddr) -> bool {
        self.connections.check(&limit_key(ip))
    }

    /// Counts one more open WebSocket of `ip`, unless it holds its share already.
    pub fn open_socket(&self, ip: IpAddr) -> Option<OpenGuard> {
        self.sockets.try_open(ip, self.sockets_per_ip)
    }

    /// True when a login attempt from `ip` for `login` may be checked now. The address is
    /// counted first, so a refused address adds no login name to remember; a login name
    /// counts per address and, more generously, from everywhere, so nobody locks an adviser
    /// out from their own address. `login` must be at most [`MAX_LOGIN_CHARS`] long.
    pub fn allow_login(&self, ip: IpAddr, login: &str) -> bool {
        let ip = limit_key(ip);
        if !self.logins_by_ip.check(&ip) {
            return false;
        }
        let name = login.to_lowercase();
        self.logins_by_name_and_ip.check(&(name.clone(), ip)) && self.logins_by_name.check(&name)
    }

    /// True when `ip` may start a single sign-on now: counted with its logins, per address
    /// only (a shared key would let one address throttle everyone's sign-ins).
    pub fn allow_sign_in(&self, ip: IpAddr) -> bool {
        self.logins_by_ip.check(&limit_key(ip))
    }

    /// True when `ip` may do `what` once more now (and counts it).
    pub fn allow(&self, what: Action, ip: IpAddr) -> bool {
        let limiter = match what {
            Action::StartChat => &self.chats,
            Action::LeaveMessage => &self.tickets,
            Action::Upload => &self.uploads,
            Action::InvitationEvent => &self.invitation_events,
            Action::ShareCode => &self.share_codes,
        };
        limiter.check(&limit_key(ip))
    }

    /// Forgets every key whose quota is whole again.
    pub fn prune(&self) {
        self.connections.prune();
        self.logins_by_ip.prune();
        self.logins_by_name_and_ip.prune();
        self.logins_by_name.prune();
        self.chats.prune();
        self.tickets.prune();
        self.uploads.prune();
        self.invitation_events.prune();
        self.share_codes.prune();
    }

    /// Keys held by all limiters together (for the flood benchmark and metrics).
    pub fn keys_held(&self) -> usize {
        self.connections.len()
            + self.logins_by_ip.len()
            + self.logins_by_name_and_ip.len()
            + self.logins_by_name.len()
            + self.chats.len()
            + self.tickets.len()
            + self.uploads.len()
            + self.invitation_events.len()
            + self.sockets.addresses()
    }
}

/// Prunes the limiters every minute for as long as they are in use.
pub async fn prune_every_minute(limiters: std::sync::Weak<Limiters>) {
    loop {
        tokio::time::sleep(Duration::from_secs(60)).await;
        let Some(limiters) = limiters.upgrade() else {
            return;
        };
        limiters.prune();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_address_cannot_lock_an_adviser_out_of_another() {
        let limiters = Limiters::new(&Limits::default());
        let attacker: IpAddr = [198, 51, 100, 66].into();
        let adviser: IpAddr = [203, 0, 113, 5].into();
        let tries = (0..50)
            .filter(|_| limiters.allow_login(attacker, "camille"))
            .count();
        assert_eq!(tries, 5, "the attacker's address is throttled");
        assert!(
            limiters.allow_login(adviser, "Camille"),
            "the adviser still logs in from their own address"
        );
    }

    /// Tried: one address starting single sign-ons in a loop. It is throttled; a colleague's
    /// address still signs in (no key shared by every address).
    #[test]
    fn one_address_starting_sign_ins_does_not_throttle_the_others() {
        let limiters = Limiters::new(&Limits::default());
        let attacker: IpAddr = [198, 51, 100, 66].into();
        let tries = (0..50).filter(|_| limiters.allow_sign_in(attacker)).count();
        assert_eq!(tries, 5, "the looping address is throttled");
        for n in 1..=20u8 {
            let adviser: IpAddr = [203, 0, 113, n].into();
            assert!(limiters.allow_sign_in(adviser), "adviser {n}");
        }
    }

    #[test]
    fn a_refused_address_adds_no_login_name() {
        let limiters = Limiters::new(&Limits::default());
        let ip: IpAddr = [198, 51, 100, 66].into();
        for i in 0..1000 {
            limiters.allow_login(ip, &format!("name-{i}"));
        }
        assert!(
            limiters.keys_held() <= 1 + 2 * 5,
            "{} keys held",
            limiters.keys_held()
        );
    }
}
