//! The address a limit counts: an IPv4 address, or the /64 network of an IPv6 one (one
//! subscriber gets a whole /64, so counting single IPv6 addresses would let one client pass for
//! billions).

use std::net::{IpAddr, Ipv6Addr};

/// The key per-address limits count `ip` under.
pub fn limit_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let network = u128::from(v6) & (u128::MAX << 64);
                IpAddr::V6(Ipv6Addr::from(network))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_addresses_of_one_network_count_as_one() {
        let a: IpAddr = "2001:db8:1:2::1".parse().expect("address");
        let b: IpAddr = "2001:db8:1:2:ffff:1:2:3".parse().expect("address");
        let other: IpAddr = "2001:db8:1:3::1".parse().expect("address");
        assert_eq!(limit_key(a), limit_key(b));
        assert_ne!(limit_key(a), limit_key(other));
    }

    #[test]
    fn ipv4_addresses_count_alone_also_when_mapped() {
        let v4: IpAddr = "203.0.113.7".parse().expect("address");
        let mapped: IpAddr = "::ffff:203.0.113.7".parse().expect("address");
        assert_eq!(limit_key(v4), v4);
        assert_eq!(limit_key(mapped), v4);
        assert_ne!(limit_key("203.0.113.8".parse().expect("address")), v4);
    }
}
