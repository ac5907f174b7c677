//! Rate limits shared by all connections: new WebSocket connections per IP address, and console
//! login attempts per IP address and per login name.

use crate::config::Limits;
use governor::{DefaultKeyedRateLimiter, Quota};
use std::net::IpAddr;

/// The relay's keyed rate limiters.
#[derive(Debug)]
pub struct Limiters {
    connections: DefaultKeyedRateLimiter<IpAddr>,
    logins_by_ip: DefaultKeyedRateLimiter<IpAddr>,
    logins_by_name: DefaultKeyedRateLimiter<String>,
}

impl Limiters {
    /// Limiters for these limits.
    pub fn new(limits: &Limits) -> Limiters {
        let per_minute = |n| Quota::per_minute(n).allow_burst(n);
        Limiters {
            connections: DefaultKeyedRateLimiter::keyed(per_minute(
                limits.connections_per_ip_per_min,
            )),
            logins_by_ip: DefaultKeyedRateLimiter::keyed(per_minute(limits.logins_per_min)),
            logins_by_name: DefaultKeyedRateLimiter::keyed(per_minute(limits.logins_per_min)),
        }
    }

    /// True when `ip` may open another connection now.
    pub fn allow_connection(&self, ip: IpAddr) -> bool {
        self.connections.check_key(&ip).is_ok()
    }

    /// True when a login attempt from `ip` for `login` may be checked now.
    pub fn allow_login(&self, ip: IpAddr, login: &str) -> bool {
        let by_ip = self.logins_by_ip.check_key(&ip).is_ok();
        let by_name = self.logins_by_name.check_key(&login.to_lowercase()).is_ok();
        by_ip && by_name
    }
}
