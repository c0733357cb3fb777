//! Who the client is behind a reverse proxy: `X-Forwarded-For` is believed only when the TCP
//! peer is one of `[tls] trusted_proxies` (addresses or CIDR ranges). Then the client is the
//! right-most address in the header that is not itself a trusted proxy — anything left of it
//! was written by the client and proves nothing. From anyone else the header is ignored.

use axum::http::HeaderMap;
use std::net::{IpAddr, SocketAddr};

/// One trusted address range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cidr {
    net: IpAddr,
    bits: u8,
}

impl Cidr {
    fn parse(s: &str) -> Option<Cidr> {
        let (ip, bits) = match s.split_once('/') {
            Some((ip, bits)) => (ip.trim(), Some(bits.trim().parse::<u8>().ok()?)),
            None => (s.trim(), None),
        };
        let net: IpAddr = ip.parse().ok()?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let bits = bits.unwrap_or(max);
        (bits <= max).then_some(Cidr { net, bits })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        match (self.net, ip.to_canonical()) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                prefix_eq(u32::from(n).into(), u32::from(a).into(), 32, self.bits)
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                prefix_eq(u128::from(n), u128::from(a), 128, self.bits)
            }
            _ => false,
        }
    }
}

fn prefix_eq(a: u128, b: u128, width: u8, bits: u8) -> bool {
    if bits == 0 {
        return true;
    }
    let shift = u32::from(width - bits);
    (a >> shift) == (b >> shift)
}

/// The configured trusted proxies.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<Cidr>);

/// At most this many hops of `X-Forwarded-For` are looked at (a longer header is not a real
/// proxy chain and would only cost time).
const MAX_HOPS: usize = 32;

impl TrustedProxies {
    /// Parses `[tls] trusted_proxies`; an entry that is not an address or CIDR is named.
    pub fn parse(list: &[String]) -> Result<TrustedProxies, String> {
        list.iter()
            .map(|s| {
                Cidr::parse(s).ok_or_else(|| {
                    format!("tls.trusted_proxies: `{s}` is not an IP address or CIDR range")
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|c| c.contains(ip))
    }

    /// The client's address: from `X-Forwarded-For` when `peer` is trusted, else `peer`. A
    /// header that does not parse is not believed (the proxy always writes a clean one).
    pub fn client(&self, peer: SocketAddr, headers: &HeaderMap) -> SocketAddr {
        if !self.trusts(peer.ip()) {
            return peer;
        }
        let mut hops: Vec<&str> = Vec::new();
        for value in headers.get_all("x-forwarded-for") {
            let Ok(v) = value.to_str() else {
                return peer;
            };
            hops.extend(v.split(',').map(str::trim));
            if hops.len() > MAX_HOPS * 4 {
                break;
            }
        }
        for hop in hops.iter().rev().take(MAX_HOPS) {
            let Some(ip) = parse_hop(hop) else {
                return peer;
            };
            if !self.trusts(ip) {
                return SocketAddr::new(ip.to_canonical(), 0);
            }
        }
        // Every hop was a trusted proxy (or there was no header): the nearest one stands.
        peer
    }
}

/// One hop: `1.2.3.4`, `2001:db8::1`, `[2001:db8::1]:443` or `1.2.3.4:5678`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip);
    }
    hop.parse::<SocketAddr>().ok().map(|s| s.ip())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn peer(s: &str) -> SocketAddr {
        SocketAddr::new(s.parse().unwrap(), 4000)
    }

    #[test]
    fn believed_only_from_trusted_proxies_right_most_untrusted_wins() {
        let t = TrustedProxies::parse(&["10.0.0.0/8".into(), "::1".into()]).unwrap();
        let h = headers(&["203.0.113.9, 198.51.100.7, 10.1.2.3"]);
        assert_eq!(
            t.client(peer("10.0.0.1"), &h).ip().to_string(),
            "198.51.100.7"
        );
        assert_eq!(
            t.client(peer("192.0.2.1"), &h),
            peer("192.0.2.1"),
            "untrusted peer"
        );
        let h = headers(&["203.0.113.9", "10.9.9.9"]);
        assert_eq!(t.client(peer("::1"), &h).ip().to_string(), "203.0.113.9");
        assert_eq!(t.client(peer("10.0.0.1"), &headers(&[])), peer("10.0.0.1"));
        assert_eq!(
            t.client(peer("10.0.0.1"), &headers(&["junk"])),
            peer("10.0.0.1")
        );
        let h = headers(&["[2001:db8::5]:443"]);
        assert_eq!(
            t.client(peer("10.0.0.1"), &h).ip().to_string(),
            "2001:db8::5"
        );
        assert!(t.trusts("::ffff:10.2.3.4".parse().unwrap()));
    }

    #[test]
    fn bad_entries_are_named() {
        let e = TrustedProxies::parse(&["10.0.0.0/33".into()]).unwrap_err();
        assert!(e.contains("10.0.0.0/33"), "{e}");
        assert!(TrustedProxies::parse(&["proxy.example".into()]).is_err());
        let t = TrustedProxies::parse(&["0.0.0.0/0".into()]).unwrap();
        assert!(t.trusts("8.8.8.8".parse().unwrap()));
    }
}
