//! Helpers for the HTTP channel API tests: a tiny HTTP client (hyper, as the server's own
//! webhook client is not what is under test here), signing, and a real webhook receiver on
//! 127.0.0.1 that records what it gets and answers with a status the test chooses.
#![allow(dead_code)]

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Request, StatusCode};
use hmac::{Hmac, Mac};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use sha2::Sha256;
use std::path::Path;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// HMAC-SHA256 as the document says, computed here independently of the server's code.
pub fn sign(secret: &str, ts: i64, payload: &[u8]) -> String {
    let mut m = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    m.update(format!("{ts}.").as_bytes());
    m.update(payload);
    let hex: String = m
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

/// Creates an integration on the data dir; returns its secret.
pub fn add_integration(dir: &Path, name: &str, webhook: &str) -> String {
    let mut store = kefu::server::open_store(dir, &kefu::config::ServerConfig::default()).unwrap();
    kefu::admin::add_integration(&mut store, name, kefu::model::Channel::App, webhook).unwrap()
}

/// One HTTP/1.1 request: (status, body).
pub async fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: Vec<u8>,
) -> (u16, String) {
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tcp))
        .await
        .unwrap();
    tokio::spawn(conn);
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr);
    for (k, v) in headers {
        req = req.header(*k, v.as_str());
    }
    let resp = sender
        .send_request(req.body(Full::new(Bytes::from(body))).unwrap())
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// A signed POST of `body` to `/api/v1/messages`.
pub async fn post_message(addr: &str, name: &str, secret: &str, body: &Value) -> (u16, Value) {
    let raw = serde_json::to_vec(body).unwrap();
    let ts = now_secs();
    let headers = [
        ("content-type", "application/json".to_string()),
        ("x-kefu-integration", name.to_string()),
        ("x-kefu-timestamp", ts.to_string()),
        ("x-kefu-signature", sign(secret, ts, &raw)),
    ];
    let (status, text) = request(addr, "POST", "/api/v1/messages", &headers, raw).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A signed GET (signed over the path with its query).
pub async fn signed_get(addr: &str, name: &str, secret: &str, path: &str) -> (u16, Value) {
    let ts = now_secs();
    let headers = [
        ("x-kefu-integration", name.to_string()),
        ("x-kefu-timestamp", ts.to_string()),
        ("x-kefu-signature", sign(secret, ts, path.as_bytes())),
    ];
    let (status, text) = request(addr, "GET", path, &headers, Vec::new()).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// What the receiver got: headers and body of each POST, in arrival order.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// The status the receiver answered with.
    pub status: u16,
}

impl Delivery {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    /// Whether the signature verifies under `secret` and the timestamp is fresh.
    pub fn verifies(&self, secret: &str) -> bool {
        let h = |n: &str| self.headers.get(n).unwrap().to_str().unwrap().to_string();
        let ts: i64 = h("x-kefu-timestamp").parse().unwrap();
        (now_secs() - ts).abs() <= 300 && sign(secret, ts, &self.body) == h("x-kefu-signature")
    }
}

#[derive(Clone)]
pub struct Receiver {
    pub addr: std::net::SocketAddr,
    pub got: Arc<Mutex<Vec<Delivery>>>,
    /// What the next POSTs are answered with.
    pub status: Arc<AtomicU16>,
    task: Arc<tokio::task::JoinHandle<()>>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        Self::start_on("127.0.0.1:0").await
    }

    pub async fn start_on(addr: &str) -> Receiver {
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let got = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(AtomicU16::new(200));
        let state = (got.clone(), status.clone());
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(state);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver {
            addr,
            got,
            status,
            task: Arc::new(task),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    pub fn stop(&self) {
        self.task.abort();
    }

    /// Deliveries answered 2xx, as JSON.
    pub fn accepted(&self) -> Vec<Value> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .filter(|d| (200..300).contains(&d.status))
            .map(Delivery::json)
            .collect()
    }

    pub fn all(&self) -> Vec<Delivery> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until `pred` holds for the accepted deliveries.
    pub async fn wait_accepted(&self, what: &str, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let got = self.accepted();
            if pred(&got) {
                return got;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "timed out waiting for {what}; got {got:#?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// The receiver's state: what it got, and the status it answers with.
type Inbox = (Arc<Mutex<Vec<Delivery>>>, Arc<AtomicU16>);

async fn receive(
    State((got, status)): State<Inbox>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let s = status.load(Ordering::SeqCst);
    got.lock().unwrap().push(Delivery {
        headers,
        body: body.to_vec(),
        status: s,
    });
    StatusCode::from_u16(s).unwrap()
}

/// The `event.kind`s of deliveries, with the message bodies for messages.
pub fn kinds(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e["event"]["kind"].as_str().unwrap() {
            "message" => format!(
                "message:{}",
                e["event"]["message"]["body"].as_str().unwrap()
            ),
            k => k.to_string(),
        })
        .collect()
}
