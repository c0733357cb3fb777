//! The accept loop: every TCP connection gets `TCP_NODELAY`, a place under the global and
//! per-address connection caps (a [`Slot`], held through its WebSocket if it upgrades), and an
//! HTTP/1.1 server with a header-read timeout — inside TLS when `[tls]` is set, its handshake
//! bounded by the same timeout. Behind a trusted proxy each request's address is the
//! client's from `X-Forwarded-For` (`config::TrustedProxies`). On shutdown it stops accepting, lets idle
//! connections go at once, and drops the rest when told to (`hard_stop`, after the grace).

use crate::config::TrustedProxies;
use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::Service as _;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio_rustls::TlsAcceptor;

/// Descriptors kept out of the connection cap: the database and its WAL, read connections,
/// logs, the listener itself.
const DESCRIPTOR_RESERVE: u64 = 128;
/// The automatic connection cap never goes above this (about 8 KiB of memory each when idle).
const AUTO_MAX_CONNECTIONS: u64 = 50_000;
/// Connections from one address beyond its cap that are answered 429; past that they are
/// closed at once, so refusing cannot itself use up the server.
const REFUSING_PER_ADDRESS: u32 = 16;

/// Raises the soft `RLIMIT_NOFILE` to the hard limit and returns the soft limit now in force.
pub fn raise_descriptor_limit() -> Option<u64> {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
        let lim = getrlimit(Resource::Nofile);
        if lim.current != lim.maximum {
            let raised = Rlimit {
                current: lim.maximum,
                maximum: lim.maximum,
            };
            if let Err(e) = setrlimit(Resource::Nofile, raised) {
                tracing::warn!(error = %e, "cannot raise the open-file limit to the hard limit");
            }
        }
        let now = getrlimit(Resource::Nofile);
        tracing::info!(
            soft = ?now.current, hard = ?now.maximum, was = ?lim.current,
            "open-file limit (`None` is unlimited)"
        );
        // `None` is "unlimited"; treat it as a large number.
        Some(now.current.unwrap_or(u64::MAX))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// The global cap for `max_connections` (0: automatic) under a descriptor limit.
pub fn connection_cap(configured: u32, descriptors: Option<u64>) -> usize {
    let room = descriptors.map(|d| d.saturating_sub(DESCRIPTOR_RESERVE).max(16));
    let cap = match (configured, room) {
        (0, Some(room)) => room.min(AUTO_MAX_CONNECTIONS),
        (0, None) => 10_000,
        (n, Some(room)) if u64::from(n) > room => {
            tracing::warn!(
                configured = n,
                descriptors = ?descriptors,
                "limits.max_connections is above what the open-file limit allows; using {room}"
            );
            room
        }
        (n, _) => u64::from(n),
    };
    usize::try_from(cap).unwrap_or(usize::MAX)
}

/// The address the per-address limits count: an IPv4 address (also written IPv4-mapped IPv6) as
/// it is, an IPv6 address by its /64 network. A /64 is what one subscriber gets, and its holder
/// may use any of its 2^64 addresses: counted one by one, an IPv6 client would have no limit.
pub fn limit_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let network = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(std::net::Ipv6Addr::from(network))
        }
        v4 => v4,
    }
}

/// The connection caps shared by the accept loop and the handlers.
pub struct Gate {
    conns: Arc<Semaphore>,
    max: usize,
    per_address: u32,
    exempt: Vec<IpAddr>,
    by_address: Mutex<HashMap<IpAddr, u32>>,
    agent_reserve: usize,
}

/// One TCP connection's place under the caps; given back when the last holder drops it.
pub struct Slot {
    _permit: OwnedSemaphorePermit,
    /// The address counted against the per-address cap (`None`: exempt).
    ip: Option<IpAddr>,
    gate: Arc<Gate>,
    /// Over its address's cap: every request on it is answered 429.
    refused: bool,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some(ip) = self.ip
            && let Ok(mut map) = self.gate.by_address.lock()
            && let Some(n) = map.get_mut(&ip)
        {
            *n -= 1;
            if *n == 0 {
                map.remove(&ip);
            }
        }
    }
}

impl Slot {
    /// Whether a customer may take this connection: not when that would leave fewer free
    /// places than are kept for agents.
    pub fn room_for_customer(&self) -> bool {
        self.gate.conns.available_permits() >= self.gate.agent_reserve
    }
}

impl Gate {
    pub fn new(max: usize, per_address: u32, exempt: &[IpAddr], agent_reserve: u32) -> Arc<Gate> {
        let agent_reserve = (agent_reserve as usize).min(max / 2);
        tracing::info!(
            max_connections = max,
            per_address,
            agent_reserve,
            "connection caps"
        );
        Arc::new(Gate {
            conns: Arc::new(Semaphore::new(max)),
            max,
            per_address,
            exempt: exempt.iter().map(|ip| limit_key(*ip)).collect(),
            by_address: Mutex::new(HashMap::new()),
            agent_reserve,
        })
    }

    /// A place for a new connection from `ip` (counted by [`limit_key`]), or `None` to close
    /// it at once. A trusted proxy (`proxy`) carries many clients: it is not counted.
    fn admit(self: &Arc<Self>, ip: IpAddr, proxy: bool) -> Option<Slot> {
        let ip = limit_key(ip);
        let permit = self.conns.clone().try_acquire_owned().ok()?;
        if self.per_address == 0 || proxy || self.exempt.contains(&ip) {
            return Some(Slot {
                _permit: permit,
                ip: None,
                gate: self.clone(),
                refused: false,
            });
        }
        let mut map = self.by_address.lock().ok()?;
        let n = map.entry(ip).or_insert(0);
        if *n >= self.per_address.saturating_add(REFUSING_PER_ADDRESS) {
            return None;
        }
        *n += 1;
        let refused = *n > self.per_address;
        Some(Slot {
            _permit: permit,
            ip: Some(ip),
            gate: self.clone(),
            refused,
        })
    }

    /// Waits until every connection has given its place back, or `deadline`.
    pub async fn drained(&self, deadline: tokio::time::Instant) -> bool {
        let all = u32::try_from(self.max).unwrap_or(u32::MAX);
        tokio::time::timeout_at(deadline, self.conns.acquire_many(all))
            .await
            .is_ok()
    }
}

/// Socket options for an accepted connection: no Nagle, since every frame is a request or a
/// reply someone waits for (with Nagle and delayed ACKs a send→ack round trip took ~44 ms).
pub fn configure(stream: &TcpStream) -> std::io::Result<()> {
    stream.set_nodelay(true)
}

/// How connections are spoken to: TLS or plain, and which proxies are believed.
#[derive(Clone, Default)]
pub struct Front {
    /// Set with `[tls] cert` and `key`: every connection is TLS (a plain one fails its
    /// handshake and is closed).
    pub tls: Option<TlsAcceptor>,
    pub trusted: Arc<TrustedProxies>,
    /// The certificate SIGHUP reloads (with `tls`).
    pub certs: Option<Arc<super::tls::Reloading>>,
}

/// Accepts until `stop` turns true; each connection runs on its own task until it ends, or
/// `stop` (idle ones end at once) or `hard_stop` (every one ends).
pub async fn accept_loop(
    listener: TcpListener,
    app: Router,
    gate: Arc<Gate>,
    header_timeout: Duration,
    front: Front,
    mut stop: watch::Receiver<bool>,
    hard_stop: watch::Receiver<bool>,
) {
    let mut warned = Warned::default();
    loop {
        let accepted = tokio::select! {
            _ = until_true(&mut stop) => break,
            a = listener.accept() => a,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) if is_per_connection(&e) => continue,
            Err(e) => {
                // EMFILE and the like: log, give connections time to close, try again.
                warned.warn(|| tracing::warn!(error = %e, "cannot accept connections"));
                tokio::select! {
                    _ = until_true(&mut stop) => break,
                    _ = tokio::time::sleep(Duration::from_millis(100)) => continue,
                }
            }
        };
        if let Err(e) = configure(&stream) {
            tracing::debug!(error = %e, %peer, "cannot set TCP_NODELAY");
        }
        let Some(slot) = gate.admit(peer.ip(), front.trusted.trusts(peer.ip())) else {
            warned
                .warn(|| tracing::warn!(%peer, "connection cap reached; closing new connections"));
            if front.tls.is_none() {
                refuse_at_once(&stream);
            }
            continue;
        };
        let conn = Accepted {
            peer,
            slot: Arc::new(slot),
            app: app.clone(),
            trusted: front.trusted.clone(),
            header_timeout,
            stop: stop.clone(),
            hard_stop: hard_stop.clone(),
        };
        match &front.tls {
            None => {
                tokio::spawn(serve_http(stream, conn));
            }
            Some(acceptor) => {
                tokio::spawn(serve_tls(acceptor.clone(), stream, conn));
            }
        }
    }
}

/// The handshake, within the header timeout (a peer that opens a socket and says nothing
/// holds a place for no longer than one that sends no headers), then HTTP inside it.
async fn serve_tls(acceptor: TlsAcceptor, stream: TcpStream, conn: Accepted) {
    match tokio::time::timeout(conn.header_timeout, acceptor.accept(stream)).await {
        Ok(Ok(tls)) => serve_http(tls, conn).await,
        Ok(Err(e)) => tracing::debug!(peer = %conn.peer, error = %e, "tls handshake failed"),
        Err(_) => tracing::debug!(peer = %conn.peer, "tls handshake timed out"),
    }
}

/// One accepted connection and what serving it needs.
struct Accepted {
    peer: SocketAddr,
    slot: Arc<Slot>,
    app: Router,
    trusted: Arc<TrustedProxies>,
    header_timeout: Duration,
    stop: watch::Receiver<bool>,
    hard_stop: watch::Receiver<bool>,
}

/// Resolves once the flag turns true (or its sender is gone, which means the server is).
pub async fn until_true(flag: &mut watch::Receiver<bool>) {
    let _ = flag.wait_for(|s| *s).await;
}

/// Errors that concern one connection, not the listener.
fn is_per_connection(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionAborted | ConnectionReset | ConnectionRefused | Interrupted
    )
}

/// Logs a repeated condition at most once a second.
#[derive(Default)]
struct Warned(Option<Instant>);

impl Warned {
    fn warn(&mut self, log: impl FnOnce()) {
        if self.0.is_none_or(|t| t.elapsed() >= Duration::from_secs(1)) {
            self.0 = Some(Instant::now());
            log();
        }
    }
}

/// Over the global cap: a 503 if the socket takes it at once, without reading the request, and
/// the socket closed right away (waiting would hold descriptors past the cap under a flood).
fn refuse_at_once(stream: &TcpStream) {
    let _ = stream.try_write(FULL_RESPONSE);
}

const FULL_RESPONSE: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\
    Content-Type: text/plain\r\nContent-Length: 55\r\n\r\n\
    the server is at its connection limit; try again later\n";

async fn serve_http<S>(stream: S, conn: Accepted)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let Accepted {
        peer,
        slot,
        app,
        trusted,
        header_timeout,
        mut stop,
        mut hard_stop,
    } = conn;
    let app = TowerToHyperService::new(app);
    let held = slot.clone();
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        let app = app.clone();
        let slot = held.clone();
        // The address every handler sees (`Conn.peer`: per-address limits, login throttling).
        let client = trusted.client(peer, req.headers());
        async move {
            if slot.refused {
                return Ok(too_many_from_address());
            }
            req.extensions_mut().insert(ConnectInfo(client));
            req.extensions_mut().insert(slot);
            app.call(req).await
        }
    });
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades();
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = until_true(&mut stop) => conn.as_mut().graceful_shutdown(),
        _ = until_true(&mut hard_stop) => return,
    }
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = until_true(&mut hard_stop) => {}
    }
}

fn too_many_from_address() -> axum::response::Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::CONNECTION, "close")],
        "too many connections from your address\n",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_count_ipv6_by_network_and_mapped_ipv4_as_ipv4() {
        let key = |s: &str| limit_key(s.parse().unwrap()).to_string();
        assert_eq!(key("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::");
        assert_eq!(key("2001:db8:1:2::"), "2001:db8:1:2::");
        assert_eq!(key("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(key("192.0.2.7"), "192.0.2.7");
        assert_eq!(key("::1"), "::");
        let gate = Gate::new(10, 1, &[], 0);
        let first = gate.admit("2001:db8::1".parse().unwrap(), false).unwrap();
        let second = gate.admit("2001:db8::2".parse().unwrap(), false).unwrap();
        assert!(!first.refused);
        assert!(second.refused, "the same /64 is over its cap of one");
        assert!(
            !gate
                .admit("2001:db8:0:1::2".parse().unwrap(), false)
                .unwrap()
                .refused
        );
    }

    #[tokio::test]
    async fn accepted_sockets_get_no_delay() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let _client = TcpStream::connect(addr).await.unwrap();
        let (accepted, _) = listener.accept().await.unwrap();
        assert!(
            !accepted.nodelay().unwrap(),
            "the kernel's default has Nagle on"
        );
        configure(&accepted).unwrap();
        assert!(accepted.nodelay().unwrap());
    }

    #[test]
    fn the_canned_503_has_the_right_length() {
        let text = std::str::from_utf8(FULL_RESPONSE).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(
            head.contains(&format!("Content-Length: {}", body.len())),
            "{text}"
        );
    }

    #[test]
    fn the_connection_cap_leaves_descriptors_for_the_rest() {
        assert_eq!(connection_cap(0, Some(1024)), 896);
        assert_eq!(connection_cap(5000, Some(1024)), 896, "lowered to fit");
        assert_eq!(connection_cap(500, Some(1024)), 500);
        assert_eq!(connection_cap(0, Some(10_000_000)), 50_000);
        assert_eq!(connection_cap(0, Some(u64::MAX)), 50_000);
        assert_eq!(connection_cap(0, Some(64)), 16);
    }
}
