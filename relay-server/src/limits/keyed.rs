//! A rate limiter keyed by client input whose memory is bounded: it holds at most a fixed
//! number of keys, forgets keys whose bucket is full again, and refuses new keys while it is
//! full of active ones (a flood of distinct keys is refused, not remembered).

use governor::{DefaultKeyedRateLimiter, Quota};
use std::hash::Hash;

/// Keys one limiter holds at most. A key is a few dozen bytes plus the map's overhead, so
/// a full limiter stays within a few MiB.
pub const MAX_KEYS: usize = 50_000;

/// A keyed rate limiter holding at most `max_keys` keys.
#[derive(Debug)]
pub struct BoundedLimiter<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
    max_keys: usize,
}

impl<K: Hash + Eq + Clone> BoundedLimiter<K> {
    /// A limiter with `quota` per key, holding at most `max_keys` keys.
    pub fn new(quota: Quota, max_keys: usize) -> Self {
        BoundedLimiter {
            limiter: DefaultKeyedRateLimiter::keyed(quota),
            max_keys,
        }
    }

    /// True when `key` may act now (and counts it); false when its quota is spent, or when
    /// the limiter is full of other active keys.
    pub fn check(&self, key: &K) -> bool {
        if self.limiter.len() >= self.max_keys {
            self.prune();
            if self.limiter.len() >= self.max_keys {
                return false;
            }
        }
        self.limiter.check_key(key).is_ok()
    }

    /// Forgets the keys whose quota is whole again (they behave as new keys would).
    pub fn prune(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }

    /// How many keys it holds now.
    pub fn len(&self) -> usize {
        self.limiter.len()
    }

    /// True when it holds no key.
    pub fn is_empty(&self) -> bool {
        self.limiter.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::num::NonZeroU32;

    fn per_minute(n: u32) -> Quota {
        let n = NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        Quota::per_minute(n).allow_burst(n)
    }

    #[test]
    fn a_key_gets_its_quota_and_no_more() {
        let limiter = BoundedLimiter::new(per_minute(3), 10);
        let key = "a".to_owned();
        assert!((0..3).all(|_| limiter.check(&key)));
        assert!(
            !limiter.check(&key),
            "the fourth within the minute is refused"
        );
        assert!(
            limiter.check(&"b".to_owned()),
            "another key has its own quota"
        );
    }

    #[test]
    fn a_flood_of_distinct_keys_is_not_remembered() {
        let limiter = BoundedLimiter::new(per_minute(1), 100);
        let refused = (0..10_000)
            .filter(|i| !limiter.check(&format!("attacker-{i}")))
            .count();
        assert!(limiter.len() <= 100, "holds {} keys", limiter.len());
        assert_eq!(refused, 10_000 - 100, "keys past the bound are refused");
    }
}
