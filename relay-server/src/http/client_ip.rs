//! The visitor's address behind a reverse proxy: when the connection comes from a proxy the
//! owner trusts (`--trusted-proxies`), the address it appended to `X-Forwarded-For`; else the
//! connection's own address (a client cannot fake its address by sending the header).

use axum::http::HeaderMap;
use std::net::IpAddr;

/// The address rate limits are keyed by.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted_proxies: &[IpAddr]) -> IpAddr {
    if !trusted_proxies.contains(&peer) {
        return peer;
    }
    // Each proxy appends the address it received the request from: the last entry is the one
    // our trusted proxy saw; entries before it could have been sent by anyone.
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|entry| entry.trim().parse::<IpAddr>().ok())
        .next_back()
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(forwarded: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Ok(value) = forwarded.parse() {
            headers.insert("x-forwarded-for", value);
        }
        headers
    }

    #[test]
    fn a_trusted_proxy_gives_the_visitors_address() {
        let proxy: IpAddr = [127, 0, 0, 1].into();
        let visitor: IpAddr = [203, 0, 113, 7].into();
        assert_eq!(
            client_ip(proxy, &headers("10.0.0.9, 203.0.113.7"), &[proxy]),
            visitor,
            "the last entry, the one the proxy appended"
        );
        assert_eq!(client_ip(proxy, &headers("garbage"), &[proxy]), proxy);
    }

    #[test]
    fn anyone_else_cannot_choose_their_address() {
        let client: IpAddr = [198, 51, 100, 4].into();
        let proxy: IpAddr = [127, 0, 0, 1].into();
        assert_eq!(
            client_ip(client, &headers("203.0.113.7"), &[proxy]),
            client,
            "the header is ignored from an untrusted peer"
        );
    }
}
