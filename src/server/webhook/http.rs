//! One webhook POST: hyper's HTTP/1 client connection over a TCP (or TLS) stream, a fresh
//! connection per request, with a connect and a total timeout. Only the status is read,
//! except for the menus' lookups, which read a capped body. URLs are trusted configuration
//! (set by an admin), so they may name private addresses; only `http` and `https` are
//! accepted.

use crate::http_url::target;
use axum::body::Bytes;
use axum::http::{Request, header};
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::net::TcpStream;

/// POSTs `body` to `url`; the response's status, or why there is none (its body is not read).
pub async fn post(
    url: &str,
    headers: &[(&str, String)],
    body: Vec<u8>,
    connect_timeout: Duration,
    total_timeout: Duration,
) -> Result<u16, String> {
    exchange(url, headers, body, (connect_timeout, total_timeout), None)
        .await
        .map(|(status, _)| status)
}

/// POSTs `body` to `url` and reads the response: its status and body, the body at most
/// `max_body` bytes (a longer one is an error, not cut). Same timeouts as [`post`]; used by
/// the self-service menus' lookups (`server::menu_lookup`).
pub async fn post_reading(
    url: &str,
    headers: &[(&str, String)],
    body: Vec<u8>,
    timeouts: (Duration, Duration),
    max_body: usize,
) -> Result<(u16, Bytes), String> {
    exchange(url, headers, body, timeouts, Some(max_body)).await
}

/// One POST over a fresh connection; the body is read (capped) only when `max_body` is given.
async fn exchange(
    url: &str,
    headers: &[(&str, String)],
    body: Vec<u8>,
    (connect_timeout, total_timeout): (Duration, Duration),
    max_body: Option<usize>,
) -> Result<(u16, Bytes), String> {
    let t = target(url)?;
    let mut req = Request::post(t.path.as_str()).header(header::HOST, t.authority.as_str());
    for (k, v) in headers {
        req = req.header(*k, v.as_str());
    }
    let req = req
        .header(header::CONNECTION, "close")
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| format!("bad request: {e}"))?;
    let exchange = async {
        let tcp = tokio::time::timeout(
            connect_timeout,
            TcpStream::connect((t.host.as_str(), t.port)),
        )
        .await
        .map_err(|_| "connect timed out".to_string())?
        .map_err(|e| format!("connect: {e}"))?;
        let _ = tcp.set_nodelay(true);
        if t.tls {
            let name = rustls::pki_types::ServerName::try_from(t.host.clone())
                .map_err(|e| format!("bad host name: {e}"))?;
            let tls = tokio_rustls::TlsConnector::from(tls_config())
                .connect(name, tcp)
                .await
                .map_err(|e| format!("TLS: {e}"))?;
            send(TokioIo::new(tls), req, max_body).await
        } else {
            send(TokioIo::new(tcp), req, max_body).await
        }
    };
    tokio::time::timeout(total_timeout, exchange)
        .await
        .map_err(|_| "timed out".to_string())?
}

async fn send<T>(
    io: TokioIo<T>,
    req: Request<Full<Bytes>>,
    max_body: Option<usize>,
) -> Result<(u16, Bytes), String>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    use http_body_util::BodyExt;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| format!("HTTP: {e}"))?;
    // The connection is driven beside the request and dropped with it.
    let driver = tokio::spawn(conn);
    let result = async {
        let response = sender
            .send_request(req)
            .await
            .map_err(|e| format!("HTTP: {e}"))?;
        let status = response.status().as_u16();
        let Some(max_body) = max_body else {
            return Ok((status, Bytes::new()));
        };
        let body = http_body_util::Limited::new(response.into_body(), max_body)
            .collect()
            .await
            .map_err(|e| format!("response body: {e}"))?
            .to_bytes();
        Ok((status, body))
    }
    .await;
    driver.abort();
    result
}

fn tls_config() -> Arc<rustls::ClientConfig> {
    static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let roots = rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map(|b| b.with_root_certificates(roots).with_no_client_auth());
            match config {
                Ok(c) => Arc::new(c),
                // ring supports the default versions; this is not reached.
                Err(_) => Arc::new(
                    rustls::ClientConfig::builder()
                        .with_root_certificates(rustls::RootCertStore::empty())
                        .with_no_client_auth(),
                ),
            }
        })
        .clone()
}
