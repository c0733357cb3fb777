//! Raw-socket helpers for the network-layer tests: WebSockets whose close frames we read
//! ourselves, and a hand-made handshake for a client that must not answer pings.
#![allow(dead_code)]

use futures_util::{SinkExt, StreamExt};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub async fn ws(url: &str) -> Ws {
    tokio_tungstenite::connect_async_with_config(url, None, true)
        .await
        .unwrap()
        .0
}

/// The status of a refused handshake, or 101 when it was accepted.
pub async fn handshake_status(url: &str, origin: Option<&str>) -> u16 {
    let mut req = url.into_client_request().unwrap();
    if let Some(o) = origin {
        req.headers_mut().insert("Origin", o.parse().unwrap());
    }
    match tokio_tungstenite::connect_async(req).await {
        Ok((ws, resp)) => {
            drop(ws);
            resp.status().as_u16()
        }
        Err(tungstenite::Error::Http(resp)) => resp.status().as_u16(),
        Err(e) => panic!("handshake failed without a status: {e}"),
    }
}

pub async fn send_hello<S>(ws: &mut WebSocketStream<S>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    ws.send(Message::Text(
        r#"{"id":1,"type":"hello","protocol":1}"#.into(),
    ))
    .await
    .unwrap();
}

/// Reads until the server's close frame: (code, reason). Panics on anything else ending the
/// stream, or after `within`.
pub async fn close_frame(ws: &mut Ws, within: Duration) -> (u16, String) {
    let read = async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Close(Some(f)))) => {
                    return (u16::from(f.code), f.reason.to_string());
                }
                Some(Ok(Message::Close(None))) => panic!("close frame without a code"),
                Some(Ok(_)) => continue,
                Some(Err(e)) => panic!("the connection ended without a close frame: {e}"),
                None => panic!("the connection ended without a close frame"),
            }
        }
    };
    tokio::time::timeout(within, read)
        .await
        .expect("no close frame in time")
}

/// A WebSocket handshake by hand on a plain TCP stream: nothing in this process will answer
/// the server's pings on it.
pub async fn raw_ws(addr: std::net::SocketAddr, path: &str) -> TcpStream {
    let mut s = TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut b = [0u8; 1];
        assert_eq!(s.read(&mut b).await.unwrap(), 1, "handshake cut short");
        head.push(b[0]);
    }
    let head = String::from_utf8_lossy(&head);
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    s
}

/// Server frames (unmasked) read off a raw stream until it closes: (opcode, payload).
pub async fn raw_frames_until_eof(s: &mut TcpStream, within: Duration) -> Vec<(u8, Vec<u8>)> {
    let read = async {
        let mut all = Vec::new();
        s.read_to_end(&mut all).await.ok();
        all
    };
    let bytes = tokio::time::timeout(within, read)
        .await
        .expect("the server did not close the connection in time");
    let mut frames = Vec::new();
    let mut i = 0;
    while i + 2 <= bytes.len() {
        let opcode = bytes[i] & 0x0f;
        let mut len = (bytes[i + 1] & 0x7f) as usize;
        i += 2;
        if len == 126 {
            len = u16::from_be_bytes([bytes[i], bytes[i + 1]]) as usize;
            i += 2;
        } else if len == 127 {
            len = u64::from_be_bytes(bytes[i..i + 8].try_into().unwrap()) as usize;
            i += 8;
        }
        frames.push((opcode, bytes[i..(i + len).min(bytes.len())].to_vec()));
        i += len;
    }
    frames
}

/// A masked client frame (mask key 0, so the payload goes as is).
pub fn client_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut f = vec![0x80 | opcode];
    match payload.len() {
        n if n < 126 => f.push(0x80 | n as u8),
        n if n < 65536 => {
            f.push(0x80 | 126);
            f.extend((n as u16).to_be_bytes());
        }
        n => {
            f.push(0x80 | 127);
            f.extend((n as u64).to_be_bytes());
        }
    }
    f.extend([0, 0, 0, 0]);
    f.extend(payload);
    f
}
