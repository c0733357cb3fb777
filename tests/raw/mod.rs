//! A raw WebSocket client for tests that must see exactly what the server sent: every frame's
//! text as it arrived (no decoding into our own types, which would drop unknown fields) and the
//! close frame's code and reason.
#![allow(dead_code)]

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub enum Frame {
    Text(Value),
    /// The server's close frame (code, reason), or `None` if the connection just ended.
    Closed(Option<(u16, String)>),
}

pub struct Raw {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    /// Every text frame received, in order, as sent.
    pub texts: Vec<String>,
    /// Frames read while waiting for something else, not yet handed out by [`Raw::next`].
    backlog: std::collections::VecDeque<Value>,
}

impl Raw {
    /// Connects and says hello.
    pub async fn connect(url: &str) -> Raw {
        let (ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        let mut r = Raw {
            ws,
            next_id: 1,
            texts: Vec::new(),
            backlog: Default::default(),
        };
        r.call("hello", json!({"protocol": 1})).await.unwrap();
        r
    }

    pub async fn send(&mut self, kind: &str, mut fields: Value) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        fields["type"] = json!(kind);
        fields["id"] = json!(id);
        self.ws
            .send(Message::Text(fields.to_string().into()))
            .await
            .unwrap();
        id
    }

    /// Sends `n` copies of a request in one write (pipelined); returns their ids.
    pub async fn pipeline(&mut self, kind: &str, fields: Value, n: usize) -> Vec<u64> {
        let mut ids = Vec::with_capacity(n);
        for _ in 0..n {
            let id = self.next_id;
            self.next_id += 1;
            let mut f = fields.clone();
            f["type"] = json!(kind);
            f["id"] = json!(id);
            self.ws
                .feed(Message::Text(f.to_string().into()))
                .await
                .unwrap();
            ids.push(id);
        }
        self.ws.flush().await.unwrap();
        ids
    }

    /// The next `n` replies, in arrival order (other frames are dropped).
    pub async fn replies(&mut self, n: usize, timeout: Duration) -> Vec<Value> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            match self.next(timeout).await {
                Frame::Text(v) if v["type"] == "reply" => out.push(v),
                Frame::Text(_) => {}
                Frame::Closed(c) => panic!("closed while waiting for replies: {c:?}"),
            }
        }
        out
    }

    /// Sends a request and waits for its reply: `Ok(result)` or `Err(error object)`. Other
    /// frames are kept for [`Raw::next`].
    pub async fn call(&mut self, kind: &str, fields: Value) -> Result<Value, Value> {
        let id = self.send(kind, fields).await;
        loop {
            match self.read(Duration::from_secs(10)).await {
                Frame::Text(v) if v["type"] == "reply" && v["id"] == json!(id) => {
                    return if v["ok"] == true {
                        Ok(v["result"].clone())
                    } else {
                        Err(v["error"].clone())
                    };
                }
                Frame::Text(v) => self.backlog.push_back(v),
                Frame::Closed(c) => panic!("closed while waiting for the `{kind}` reply: {c:?}"),
            }
        }
    }

    /// The next frame: one kept earlier, else from the socket.
    pub async fn next(&mut self, timeout: Duration) -> Frame {
        match self.backlog.pop_front() {
            Some(v) => Frame::Text(v),
            None => self.read(timeout).await,
        }
    }

    /// Waits for an event frame whose `event` matches `pred`.
    pub async fn wait_event(&mut self, timeout: Duration, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next(left).await {
                Frame::Text(v) if v["type"] == "event" && pred(&v["event"]) => return v,
                Frame::Text(_) => {}
                Frame::Closed(c) => panic!("closed while waiting for an event: {c:?}"),
            }
        }
    }

    /// Reads until the server closes; returns the close code and reason.
    pub async fn wait_close(&mut self, timeout: Duration) -> Option<(u16, String)> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if let Frame::Closed(c) = self.next(left).await {
                return c;
            }
        }
    }

    async fn read(&mut self, timeout: Duration) -> Frame {
        loop {
            let msg = tokio::time::timeout(timeout, self.ws.next())
                .await
                .expect("timed out waiting for the server");
            match msg {
                Some(Ok(Message::Text(t))) => {
                    self.texts.push(t.to_string());
                    return Frame::Text(serde_json::from_str(t.as_str()).unwrap());
                }
                Some(Ok(Message::Close(c))) => {
                    return Frame::Closed(c.map(|c| (u16::from(c.code), c.reason.to_string())));
                }
                Some(Ok(_)) => continue,
                None | Some(Err(_)) => return Frame::Closed(None),
            }
        }
    }
}
