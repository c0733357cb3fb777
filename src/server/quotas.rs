//! Quotas: what one source address or one customer may spend, so no single client can fill the
//! queues or the database. Per address (IPv6 by its /64, [`limit_key`]): conversations open at
//! once and new conversations per minute; per customer: bytes of message text stored per
//! minute. The accounting is pure (time is a parameter); the hub asks before it opens a
//! conversation or stores a message, and prunes the books on its housekeeping tick so they stay
//! as small as the live traffic.

use super::listen::limit_key;
use crate::config::QuotasConfig;
use crate::model::{CustomerId, Millis, SessionId};
use crate::protocol::{ApiError, ErrorCode};
use std::collections::HashMap;
use std::net::IpAddr;

const MINUTE_MS: f64 = 60_000.0;
/// What a stored message costs besides its text (its row, its events and their indexes take
/// about 170 bytes on disk), charged against `customer_bytes_per_minute` with every message.
pub const MESSAGE_COST_BYTES: usize = 256;

/// A token bucket refilled continuously: `capacity` tokens per minute.
#[derive(Debug, Clone)]
struct Bucket {
    tokens: f64,
    last: Millis,
}

impl Bucket {
    fn full(capacity: f64, now: Millis) -> Bucket {
        Bucket {
            tokens: capacity,
            last: now,
        }
    }

    fn refill(&mut self, capacity: f64, now: Millis) {
        let elapsed = (now - self.last).max(0) as f64;
        self.tokens = (self.tokens + elapsed * capacity / MINUTE_MS).min(capacity);
        self.last = now;
    }

    /// Whole seconds until the bucket holds `need` tokens again (at least 1).
    fn wait_secs(&self, capacity: f64, need: f64) -> u64 {
        let ms = (need - self.tokens).max(0.0) * MINUTE_MS / capacity;
        ((ms / 1000.0).ceil() as u64).max(1)
    }
}

/// Which limit refused a request, and when to try again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuotaError {
    OpenPerAddress { limit: u32 },
    NewPerAddress { limit: u32, retry_secs: u64 },
    CustomerBytes { limit: u64, retry_secs: u64 },
}

impl From<QuotaError> for ApiError {
    fn from(e: QuotaError) -> ApiError {
        let message = match e {
            QuotaError::OpenPerAddress { limit } => format!(
                "too many open conversations from your address (limit {limit}, \
                 quotas.open_per_address); retry when one of them has ended"
            ),
            QuotaError::NewPerAddress { limit, retry_secs } => format!(
                "too many new conversations from your address (limit {limit} per minute, \
                 quotas.new_per_address_per_minute); retry in {retry_secs} s"
            ),
            QuotaError::CustomerBytes { limit, retry_secs } => format!(
                "you are sending too much text (limit {limit} bytes per minute, \
                 quotas.customer_bytes_per_minute); retry in {retry_secs} s"
            ),
        };
        ApiError::new(ErrorCode::RateLimited, message)
    }
}

/// The books: who opened what and spent how much lately.
#[derive(Debug, Default)]
pub struct Quotas {
    config: QuotasConfig,
    /// Conversations started from each address that may still be open.
    open: HashMap<IpAddr, Vec<SessionId>>,
    starts: HashMap<IpAddr, Bucket>,
    bytes: HashMap<CustomerId, Bucket>,
}

impl Quotas {
    pub fn new(config: QuotasConfig) -> Quotas {
        Quotas {
            config,
            ..Default::default()
        }
    }

    /// Whether `peer` may open one more conversation at `now`; charges nothing. `is_open`
    /// tells which of its earlier conversations are still open.
    pub fn may_open(
        &mut self,
        peer: IpAddr,
        now: Millis,
        is_open: impl Fn(SessionId) -> bool,
    ) -> Result<(), QuotaError> {
        let peer = limit_key(peer);
        let limit = self.config.open_per_address;
        if limit > 0
            && let Some(open) = self.open.get_mut(&peer)
        {
            open.retain(|s| is_open(*s));
            if open.len() >= limit as usize {
                return Err(QuotaError::OpenPerAddress { limit });
            }
        }
        let per_minute = self.config.new_per_address_per_minute;
        if per_minute > 0
            && let Some(b) = self.starts.get_mut(&peer)
        {
            let capacity = f64::from(per_minute);
            b.refill(capacity, now);
            if b.tokens < 1.0 {
                return Err(QuotaError::NewPerAddress {
                    limit: per_minute,
                    retry_secs: b.wait_secs(capacity, 1.0),
                });
            }
        }
        Ok(())
    }

    /// Books a conversation `peer` just opened (after [`may_open`](Self::may_open) allowed it).
    pub fn opened(&mut self, peer: IpAddr, session: SessionId, now: Millis) {
        let peer = limit_key(peer);
        if self.config.open_per_address > 0 {
            self.open.entry(peer).or_default().push(session);
        }
        let per_minute = self.config.new_per_address_per_minute;
        if per_minute > 0 {
            let capacity = f64::from(per_minute);
            let b = self
                .starts
                .entry(peer)
                .or_insert_with(|| Bucket::full(capacity, now));
            b.refill(capacity, now);
            b.tokens -= 1.0;
        }
    }

    /// Charges a customer for one message with `text_bytes` of text: the text plus
    /// [`MESSAGE_COST_BYTES`], so a flood of one-byte messages is limited too. A message is let
    /// through while the customer has any allowance left, and may overdraw it: then they wait
    /// until the debt is paid off, so the rate holds on average and no single message is
    /// impossible to send.
    pub fn charge_message(
        &mut self,
        customer: CustomerId,
        text_bytes: usize,
        now: Millis,
    ) -> Result<(), QuotaError> {
        let bytes = text_bytes + MESSAGE_COST_BYTES;
        let limit = self.config.customer_bytes_per_minute;
        if limit == 0 {
            return Ok(());
        }
        let capacity = limit as f64;
        let b = self
            .bytes
            .entry(customer)
            .or_insert_with(|| Bucket::full(capacity, now));
        b.refill(capacity, now);
        if b.tokens <= 0.0 {
            return Err(QuotaError::CustomerBytes {
                limit,
                retry_secs: b.wait_secs(capacity, 1.0),
            });
        }
        b.tokens -= bytes as f64;
        Ok(())
    }

    /// Forgets what no longer matters: buckets that have refilled and ended conversations.
    pub fn prune(&mut self, now: Millis, is_open: impl Fn(SessionId) -> bool) {
        let c = &self.config;
        let (starts_cap, bytes_cap) = (
            f64::from(c.new_per_address_per_minute),
            c.customer_bytes_per_minute as f64,
        );
        self.starts.retain(|_, b| {
            b.refill(starts_cap, now);
            b.tokens < starts_cap
        });
        self.bytes.retain(|_, b| {
            b.refill(bytes_cap, now);
            b.tokens < bytes_cap
        });
        self.open.retain(|_, v| {
            v.retain(|s| is_open(*s));
            !v.is_empty()
        });
    }

    /// Entries held, for tests of boundedness.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.open.len() + self.starts.len() + self.bytes.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quotas(open: u32, per_minute: u32, bytes: u64) -> Quotas {
        Quotas::new(QuotasConfig {
            open_per_address: open,
            new_per_address_per_minute: per_minute,
            customer_bytes_per_minute: bytes,
            queue_timeout_secs: 0,
        })
    }

    const A: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));
    const B: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 2));

    #[test]
    fn open_conversations_per_address_count_until_they_end() {
        let mut q = quotas(2, 0, 0);
        let open = std::cell::RefCell::new(vec![1, 2]);
        let is_open = |s| open.borrow().contains(&s);
        q.may_open(A, 0, is_open).unwrap();
        q.opened(A, 1, 0);
        q.opened(A, 2, 0);
        assert_eq!(
            q.may_open(A, 0, is_open),
            Err(QuotaError::OpenPerAddress { limit: 2 })
        );
        // Another address is not affected.
        q.may_open(B, 0, is_open).unwrap();
        // One ends: room again.
        open.borrow_mut().retain(|s| *s != 1);
        q.may_open(A, 0, |s| open.borrow().contains(&s)).unwrap();
    }

    #[test]
    fn new_conversations_per_minute_refill_and_say_when() {
        let mut q = quotas(0, 3, 0);
        for s in 0..3 {
            q.may_open(A, 0, |_| true).unwrap();
            q.opened(A, s, 0);
        }
        let e = q.may_open(A, 0, |_| true).unwrap_err();
        assert_eq!(
            e,
            QuotaError::NewPerAddress {
                limit: 3,
                retry_secs: 20
            }
        );
        let msg = ApiError::from(e).message;
        assert!(msg.contains("retry in 20 s"), "{msg}");
        assert!(q.may_open(A, 19_000, |_| true).is_err());
        q.may_open(A, 20_000, |_| true).unwrap();
    }

    #[test]
    fn bytes_per_customer_may_overdraw_once_then_wait() {
        let mut q = quotas(0, 0, 6_000);
        let text = 4_000 - MESSAGE_COST_BYTES;
        q.charge_message(7, text, 0).unwrap();
        q.charge_message(7, text, 0).unwrap(); // overdraws to -2,000
        let e = q.charge_message(7, 10, 0).unwrap_err();
        // 2,000 bytes of debt at 100 bytes/s: 20 s (plus the one byte that makes it positive).
        assert_eq!(
            e,
            QuotaError::CustomerBytes {
                limit: 6_000,
                retry_secs: 21
            }
        );
        q.charge_message(8, 10, 0).unwrap(); // someone else
        assert!(q.charge_message(7, 10, 20_000).is_err());
        q.charge_message(7, 10, 20_100).unwrap();
    }

    #[test]
    fn every_message_costs_something_however_short() {
        let mut q = quotas(0, 0, 8_192);
        let accepted = (0..1_000)
            .take_while(|_| q.charge_message(7, 1, 0).is_ok())
            .count();
        // 8,192 / 257 = 31.9: 31 fit, the 32nd overdraws.
        assert_eq!(accepted, 32);
    }

    #[test]
    fn an_ipv6_network_counts_as_one_address() {
        let mut q = quotas(2, 0, 0);
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        q.opened(ip("2001:db8:1:2::1"), 1, 0);
        q.opened(ip("2001:db8:1:2:ffff::9"), 2, 0);
        assert!(q.may_open(ip("2001:db8:1:2::77"), 0, |_| true).is_err());
        q.may_open(ip("2001:db8:1:3::1"), 0, |_| true).unwrap();
        // IPv4 written as IPv4-mapped IPv6 is the IPv4 address.
        q.opened(ip("::ffff:192.0.2.1"), 3, 0);
        q.opened(A, 4, 0);
        assert!(q.may_open(A, 0, |_| true).is_err());
        q.may_open(B, 0, |_| true).unwrap();
    }

    #[test]
    fn zero_turns_every_limit_off() {
        let mut q = quotas(0, 0, 0);
        for s in 0..1000 {
            q.may_open(A, 0, |_| true).unwrap();
            q.opened(A, s, 0);
            q.charge_message(1, 1 << 20, 0).unwrap();
        }
        assert_eq!(q.len(), 0);
    }

    #[test]
    fn pruning_keeps_only_what_still_limits() {
        let mut q = quotas(5, 5, 1_000);
        q.opened(A, 1, 0);
        q.charge_message(1, 500 - MESSAGE_COST_BYTES, 0).unwrap();
        assert_eq!(q.len(), 3);
        q.prune(6_000, |_| true);
        assert_eq!(q.len(), 3, "nothing refilled yet");
        q.prune(60_000, |_| true);
        assert_eq!(
            q.len(),
            1,
            "both buckets refilled; the conversation is open"
        );
        q.prune(60_000, |_| false);
        assert_eq!(q.len(), 0);
    }
}
