//! Real receivers for the CC tests: a small SMTP server that speaks the protocol lettre uses
//! (greeting, EHLO, MAIL, RCPT, DATA with dot-stuffing, RSET, NOOP, QUIT) and keeps every
//! mail it accepts, and an HTTP/1.1 receiver that answers POSTs with scripted statuses and
//! keeps what it got. Both run on 127.0.0.1 ports the test picks.
#![allow(dead_code)]

use base64::Engine;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// One mail as the SMTP server received it.
#[derive(Debug, Clone)]
pub struct Mail {
    /// The name the client gave in EHLO.
    pub hello: String,
    pub from: String,
    pub to: Vec<String>,
    pub headers: BTreeMap<String, String>,
    /// The decoded body (base64 or 7bit).
    pub body: String,
}

impl Mail {
    /// The Subject with RFC 2047 encoded words decoded.
    pub fn subject(&self) -> String {
        decode_words(
            self.headers
                .get("subject")
                .map(String::as_str)
                .unwrap_or(""),
        )
    }
}

fn b64(s: &str) -> Vec<u8> {
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(clean)
        .expect("valid base64")
}

/// `=?utf-8?b?…?=` words (base64) joined, other text as it is.
fn decode_words(v: &str) -> String {
    let mut out = Vec::new();
    for word in v.split_whitespace() {
        let lower = word.to_ascii_lowercase();
        if lower.starts_with("=?utf-8?b?") && word.ends_with("?=") {
            out.extend(b64(&word[10..word.len() - 2]));
        } else {
            if !out.is_empty() {
                out.push(b' ');
            }
            out.extend(word.as_bytes());
        }
    }
    String::from_utf8(out).expect("UTF-8 subject")
}

fn parse_mail(hello: String, from: String, to: Vec<String>, data: &str) -> Mail {
    let (head, body) = data.split_once("\r\n\r\n").expect("headers, then a body");
    let mut headers = BTreeMap::new();
    let mut last: Option<String> = None;
    for line in head.split("\r\n") {
        if line.starts_with(' ') || line.starts_with('\t') {
            // A folded header continues the previous one.
            if let Some(k) = &last {
                let v: &mut String = headers.get_mut(k).unwrap();
                v.push(' ');
                v.push_str(line.trim());
            }
            continue;
        }
        let (k, v) = line.split_once(':').expect("a header line");
        let k = k.trim().to_ascii_lowercase();
        headers.insert(k.clone(), v.trim().to_string());
        last = Some(k);
    }
    let body = match headers
        .get("content-transfer-encoding")
        .map(|s| s.to_ascii_lowercase())
    {
        Some(e) if e == "base64" => String::from_utf8(b64(body))
            .expect("UTF-8 body")
            .replace("\r\n", "\n"),
        _ => body.to_string(),
    };
    Mail {
        hello,
        from,
        to,
        headers,
        body,
    }
}

/// Starts the SMTP server; every accepted mail arrives on the returned channel.
pub async fn smtp_server() -> (SocketAddr, mpsc::UnboundedReceiver<Mail>) {
    smtp_server_refusing(&[]).await
}

/// An SMTP server whose first RCPT commands are answered with `refusals` (e.g. 451, 550),
/// one each, in order; later ones are accepted.
pub async fn smtp_server_refusing(refusals: &[u16]) -> (SocketAddr, mpsc::UnboundedReceiver<Mail>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    let refusals = Arc::new(std::sync::Mutex::new(
        refusals
            .iter()
            .copied()
            .collect::<std::collections::VecDeque<u16>>(),
    ));
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let (tx, refusals) = (tx.clone(), refusals.clone());
            tokio::spawn(async move {
                let _ = smtp_session(sock, tx, refusals).await;
            });
        }
    });
    (addr, rx)
}

async fn smtp_session(
    sock: tokio::net::TcpStream,
    tx: mpsc::UnboundedSender<Mail>,
    refusals: Arc<std::sync::Mutex<std::collections::VecDeque<u16>>>,
) -> std::io::Result<()> {
    let (r, mut w) = sock.into_split();
    let mut r = BufReader::new(r);
    w.write_all(b"220 sink.test ESMTP ready\r\n").await?;
    let (mut hello, mut from, mut to) = (String::new(), String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_string();
        let upper = cmd.to_ascii_uppercase();
        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            hello = cmd[4..].trim().to_string();
            w.write_all(b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                .await?;
        } else if upper.starts_with("MAIL FROM:") {
            from = cmd[10..].trim().to_string();
            to.clear();
            w.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("RCPT TO:") {
            let refusal = refusals.lock().unwrap().pop_front();
            match refusal {
                Some(code) => {
                    let answer = format!("{code} mailbox busy or unknown\r\n");
                    w.write_all(answer.as_bytes()).await?;
                }
                None => {
                    to.push(cmd[8..].trim().to_string());
                    w.write_all(b"250 OK\r\n").await?;
                }
            }
        } else if upper == "DATA" {
            w.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
            let mut data = String::new();
            loop {
                line.clear();
                if r.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" {
                    break;
                }
                // Dot-stuffing: a leading dot was doubled by the client.
                let l = line.strip_prefix('.').unwrap_or(&line);
                data.push_str(l);
            }
            let _ = tx.send(parse_mail(hello.clone(), from.clone(), to.clone(), &data));
            w.write_all(b"250 OK queued\r\n").await?;
        } else if upper == "RSET" || upper == "NOOP" {
            w.write_all(b"250 OK\r\n").await?;
        } else if upper == "QUIT" {
            w.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            w.write_all(b"502 not implemented\r\n").await?;
        }
    }
}

/// One POST as the HTTP receiver got it.
#[derive(Debug, Clone)]
pub struct Post {
    pub path: String,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
    /// The status it was answered with.
    pub status: u16,
}

/// An HTTP receiver: answers 500 to the first `fail_first` POSTs, then 200.
pub struct Receiver {
    pub addr: SocketAddr,
    pub posts: mpsc::UnboundedReceiver<Post>,
    pub seen: Arc<AtomicUsize>,
}

pub async fn http_receiver(fail_first: usize) -> Receiver {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    http_receiver_on(listener, fail_first)
}

pub fn http_receiver_on(listener: TcpListener, fail_first: usize) -> Receiver {
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::unbounded_channel();
    let seen = Arc::new(AtomicUsize::new(0));
    let count = seen.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let (tx, count) = (tx.clone(), count.clone());
            tokio::spawn(async move {
                let _ = http_exchange(sock, tx, count, fail_first).await;
            });
        }
    });
    Receiver {
        addr,
        posts: rx,
        seen,
    }
}

async fn http_exchange(
    sock: tokio::net::TcpStream,
    tx: mpsc::UnboundedSender<Post>,
    count: Arc<AtomicUsize>,
    fail_first: usize,
) -> std::io::Result<()> {
    let mut r = BufReader::new(sock);
    let mut line = String::new();
    r.read_line(&mut line).await?;
    let path = line.split(' ').nth(1).unwrap_or("").to_string();
    let mut headers = BTreeMap::new();
    loop {
        line.clear();
        r.read_line(&mut line).await?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).await?;
    let n = count.fetch_add(1, Ordering::SeqCst);
    let status = if n < fail_first { 500 } else { 200 };
    let _ = tx.send(Post {
        path,
        headers,
        body,
        status,
    });
    let answer = format!("HTTP/1.1 {status} X\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
    r.get_mut().write_all(answer.as_bytes()).await?;
    r.get_mut().shutdown().await
}

/// Checks `X-Kefu-Signature` independently: HMAC-SHA256(secret, timestamp "." body), hex.
pub fn signature_ok(secret: &str, p: &Post) -> bool {
    use hmac::{Hmac, Mac};
    let ts = &p.headers["x-kefu-timestamp"];
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(ts.as_bytes());
    mac.update(b".");
    mac.update(&p.body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    p.headers["x-kefu-signature"] == format!("sha256={hex}")
}
