//! A small protocol client over tokio-tungstenite: used by `kefu bench`, the tests and the demo's
//! customer simulator. It matches replies to requests by id and keeps every other frame (events,
//! typing, queues) in arrival order for the caller. [`Client::request`] is the typed way in:
//! send a request struct, get its reply type; [`Client::call`] sends raw JSON (tests use it for
//! malformed input).

use crate::protocol::request::Hello;
use crate::protocol::{ApiError, Call, Event, HelloReply, PROTOCOL_VERSION, Request, ServerFrame};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("connection: {0}")]
    Ws(#[from] tokio_tungstenite::tungstenite::Error),
    #[error("the server closed the connection")]
    Closed,
    #[error("timed out waiting for the server")]
    Timeout,
    #[error("unreadable frame from the server: {0}")]
    Decode(String),
    #[error("{0}")]
    Api(#[from] ApiError),
    /// The extra CA given for `wss://` could not be read.
    #[error("tls: {0}")]
    Tls(#[from] crate::tls_trust::PemError),
}

pub struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    /// Frames that arrived while waiting for a reply, oldest first.
    pub pending: VecDeque<ServerFrame>,
    /// The highest event cursor seen, to resume from.
    pub cursor: i64,
    /// How long to wait for a reply before giving up.
    pub timeout: Duration,
}

impl Client {
    /// Connects to `url` (e.g. `ws://127.0.0.1:7800/ws/agent`) and says hello.
    pub async fn connect(url: &str) -> Result<Client, ClientError> {
        let (c, _) = Self::connect_hello(url).await?;
        Ok(c)
    }

    /// Like [`connect`](Self::connect), also returning the server's `hello` reply.
    pub async fn connect_hello(url: &str) -> Result<(Client, HelloReply), ClientError> {
        Self::connect_hello_with(url, None).await
    }

    /// Connects to a `wss://` server whose certificate is signed by the CA in `ca` (PEM), as
    /// well as by any public root.
    pub async fn connect_with_ca(url: &str, ca: &std::path::Path) -> Result<Client, ClientError> {
        let tls = crate::tls_trust::client_config(Some(ca))?;
        let (c, _) = Self::connect_hello_with(url, Some(&tls)).await?;
        Ok(c)
    }

    /// Connects with the given TLS trust for `wss://` (`None`: the public web roots).
    /// `request` is a URL or a full handshake request (tests add headers such as
    /// `X-Forwarded-For`).
    pub async fn connect_hello_with<R>(
        request: R,
        tls: Option<&std::sync::Arc<rustls::ClientConfig>>,
    ) -> Result<(Client, HelloReply), ClientError>
    where
        R: tokio_tungstenite::tungstenite::client::IntoClientRequest + Unpin,
    {
        let connector = tls.map(crate::tls_trust::connector);
        // No Nagle: a request is one small frame and its sender waits for the reply.
        let (ws, _) =
            tokio_tungstenite::connect_async_tls_with_config(request, None, true, connector)
                .await?;
        let mut c = Client {
            ws,
            next_id: 1,
            pending: VecDeque::new(),
            cursor: 0,
            timeout: Duration::from_secs(10),
        };
        let hello = Hello {
            protocol: PROTOCOL_VERSION,
            client: Some("kefu-client".into()),
        };
        let reply = c.request(hello).await?;
        Ok((c, reply))
    }

    /// Sends a typed request and decodes its typed reply; an error reply becomes
    /// `ClientError::Api`, a reply of another shape `ClientError::Decode`.
    pub async fn request<C: Call>(&mut self, call: C) -> Result<C::Reply, ClientError> {
        let request: Request = call.into();
        let kind = request.kind();
        let fields =
            serde_json::to_value(&request).map_err(|e| ClientError::Decode(e.to_string()))?;
        let id = self.send(kind, fields).await?;
        let result = self.reply_to(id).await?;
        serde_json::from_value(result)
            .map_err(|e| ClientError::Decode(format!("the `{kind}` reply: {e}")))
    }

    /// Sends a raw text frame (tests use it for malformed input).
    pub async fn send_text(&mut self, text: String) -> Result<(), ClientError> {
        self.ws.send(Message::Text(text.into())).await?;
        Ok(())
    }

    /// Sends a request and waits for its reply; an error reply becomes `ClientError::Api`.
    pub async fn call(&mut self, kind: &str, fields: Value) -> Result<Value, ClientError> {
        let id = self.send(kind, fields).await?;
        self.reply_to(id).await
    }

    /// Sends a request without waiting; returns its id.
    pub async fn send(&mut self, kind: &str, mut fields: Value) -> Result<u64, ClientError> {
        let id = self.next_id;
        self.next_id += 1;
        if !fields.is_object() {
            fields = json!({});
        }
        fields["type"] = json!(kind);
        fields["id"] = json!(id);
        self.send_text(fields.to_string()).await?;
        Ok(id)
    }

    /// Waits for the reply with this id, keeping other frames in `pending`.
    pub async fn reply_to(&mut self, id: u64) -> Result<Value, ClientError> {
        let deadline = tokio::time::Instant::now() + self.timeout;
        loop {
            let frame = self.read(deadline).await?;
            match frame {
                ServerFrame::Reply {
                    id: rid,
                    ok,
                    result,
                    error,
                } if rid == json!(id) => {
                    return if ok {
                        Ok(result.unwrap_or(Value::Null))
                    } else {
                        Err(ClientError::Api(error.unwrap_or_else(ApiError::internal)))
                    };
                }
                other => self.pending.push_back(other),
            }
        }
    }

    /// The next frame: a pending one first, else from the socket within `timeout`.
    pub async fn next_frame(&mut self, timeout: Duration) -> Result<ServerFrame, ClientError> {
        if let Some(f) = self.pending.pop_front() {
            return Ok(f);
        }
        self.read(tokio::time::Instant::now() + timeout).await
    }

    /// Waits for the first event matching `pred`, dropping other frames on the way.
    pub async fn wait_event(
        &mut self,
        timeout: Duration,
        mut pred: impl FnMut(&Event) -> bool,
    ) -> Result<(i64, Event), ClientError> {
        let deadline = tokio::time::Instant::now() + timeout;
        while let Some(f) = self.pending.pop_front() {
            if let ServerFrame::Event { cursor, event } = f
                && pred(&event)
            {
                return Ok((cursor, event));
            }
        }
        loop {
            if let ServerFrame::Event { cursor, event } = self.read(deadline).await?
                && pred(&event)
            {
                return Ok((cursor, event));
            }
        }
    }

    async fn read(&mut self, deadline: tokio::time::Instant) -> Result<ServerFrame, ClientError> {
        loop {
            let msg = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .map_err(|_| ClientError::Timeout)?;
            match msg {
                Some(Ok(Message::Text(t))) => {
                    let frame: ServerFrame = serde_json::from_str(t.as_str())
                        .map_err(|e| ClientError::Decode(format!("{e}: {t}")))?;
                    if let ServerFrame::Event { cursor, .. } = &frame {
                        self.cursor = self.cursor.max(*cursor);
                    }
                    return Ok(frame);
                }
                Some(Ok(Message::Close(_))) | None => return Err(ClientError::Closed),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e.into()),
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}
