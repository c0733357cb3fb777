//! Who may read `/metrics`, and the HTTP answer. The endpoint is unauthenticated, so it is
//! served only to the addresses in `[metrics] allow` (default: loopback), and never to a
//! request that came through a reverse proxy (it carries `Forwarded`, `X-Forwarded-For` or
//! `X-Real-IP`): behind a proxy on the same machine every request comes from loopback.

use super::{CONTENT_TYPE, Metrics};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::net::IpAddr;

/// Headers a reverse proxy adds.
const PROXY_HEADERS: [&str; 3] = ["forwarded", "x-forwarded-for", "x-real-ip"];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("/metrics is not served to {0}; add the address to [metrics] allow")]
    NotAllowed(IpAddr),
    #[error("/metrics is not served through a reverse proxy ({0} header); scrape kefu directly")]
    Proxied(&'static str),
}

#[derive(Debug, Clone, Default)]
pub struct MetricsAccess {
    allow: Vec<IpAddr>,
}

impl MetricsAccess {
    pub fn new(allow: &[IpAddr]) -> MetricsAccess {
        MetricsAccess {
            allow: allow.iter().map(|ip| ip.to_canonical()).collect(),
        }
    }

    /// Whether a request from `peer` with these headers may scrape.
    pub fn check(&self, peer: IpAddr, headers: &HeaderMap) -> Result<(), Refusal> {
        if let Some(h) = PROXY_HEADERS.into_iter().find(|h| headers.contains_key(*h)) {
            return Err(Refusal::Proxied(h));
        }
        // A dual-stack listener shows IPv4 peers as `::ffff:a.b.c.d`.
        let peer = peer.to_canonical();
        if self.allow.contains(&peer) {
            Ok(())
        } else {
            Err(Refusal::NotAllowed(peer))
        }
    }

    /// The answer to `GET /metrics`: the exposition, or 403 saying why not.
    pub fn scrape(&self, metrics: &Metrics, peer: IpAddr, headers: &HeaderMap) -> Response {
        match self.check(peer, headers) {
            Ok(()) => (
                StatusCode::OK,
                [(header::CONTENT_TYPE, CONTENT_TYPE)],
                metrics.render(),
            )
                .into_response(),
            Err(why) => {
                tracing::debug!(%peer, reason = %why, "refused a /metrics request");
                (StatusCode::FORBIDDEN, format!("{why}\n")).into_response()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn only_listed_addresses_may_scrape() {
        let access = MetricsAccess::new(&[ip("127.0.0.1"), ip("10.0.0.5")]);
        let none = HeaderMap::new();
        assert_eq!(access.check(ip("127.0.0.1"), &none), Ok(()));
        assert_eq!(access.check(ip("10.0.0.5"), &none), Ok(()));
        assert_eq!(access.check(ip("::ffff:10.0.0.5"), &none), Ok(()));
        assert_eq!(
            access.check(ip("10.0.0.6"), &none),
            Err(Refusal::NotAllowed(ip("10.0.0.6")))
        );
        assert!(
            MetricsAccess::new(&[])
                .check(ip("127.0.0.1"), &none)
                .is_err()
        );
    }

    #[test]
    fn proxied_requests_are_refused_even_from_loopback() {
        let access = MetricsAccess::new(&[ip("127.0.0.1")]);
        let mut h = HeaderMap::new();
        h.insert("X-Forwarded-For", "203.0.113.9".parse().unwrap());
        assert_eq!(
            access.check(ip("127.0.0.1"), &h),
            Err(Refusal::Proxied("x-forwarded-for"))
        );
    }
}
