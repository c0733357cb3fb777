//! The write half of one WebSocket: frames at the pace the socket accepts them (so a replay of
//! thousands of events never piles up in memory twice), pings slotted in between, and how long
//! the socket has refused to take more (a client that stopped reading). Frames queued together
//! (an event and the ack after it) go out in one write: with `TCP_NODELAY` each write is a
//! packet of its own.

use crate::metrics::Metrics;
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::stream::SplitSink;
use futures_util::{Sink, SinkExt};
use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// Frames handed to the socket in one go before letting other tasks run.
const FRAMES_PER_POLL: usize = 64;
/// Bytes gathered into one write (also tungstenite's write buffer size).
pub const WRITE_BATCH_BYTES: usize = 4 * 1024;

pub struct Writer {
    sink: SplitSink<WebSocket, Message>,
    /// Taken for writing, not yet accepted by the sink (kept here if it pushed back).
    current: Option<Message>,
    /// Accepted by the sink, not yet flushed to the socket.
    unflushed: bool,
    /// Frames to write, oldest first: what was taken from the outbox, or the rest of a replay.
    queue: VecDeque<String>,
    /// Bytes in `queue` taken as single frames (a replay does not count: it is not batched).
    queued_bytes: usize,
    ping_due: bool,
    /// Since when the socket has refused to take more; `None` while writes make progress.
    blocked_since: Option<Instant>,
    /// Counts the text frames sent.
    metrics: Arc<Metrics>,
}

impl Writer {
    pub fn new(sink: SplitSink<WebSocket, Message>, metrics: Arc<Metrics>) -> Writer {
        Writer {
            sink,
            current: None,
            unflushed: false,
            queue: VecDeque::new(),
            queued_bytes: 0,
            ping_due: false,
            blocked_since: None,
            metrics,
        }
    }

    /// Something is still to be written: take nothing new from the outbox until it is.
    pub fn busy(&self) -> bool {
        self.current.is_some() || self.unflushed || self.ping_due || !self.queue.is_empty()
    }

    /// Whether another frame fits in the write being gathered.
    pub fn room(&self) -> bool {
        self.queued_bytes < WRITE_BATCH_BYTES
    }

    /// Queues one frame.
    pub fn frame(&mut self, text: String) {
        self.queued_bytes += text.len();
        self.queue.push_back(text);
    }

    /// Queues a replay, written frame by frame before anything queued after it.
    pub fn replay(&mut self, frames: Vec<String>) {
        self.queued_bytes = WRITE_BATCH_BYTES;
        self.queue.extend(frames);
    }

    pub fn ping(&mut self) {
        self.ping_due = true;
    }

    /// When the socket started refusing data, if it is refusing now.
    pub fn blocked_since(&self) -> Option<Instant> {
        self.blocked_since
    }

    /// Writes what is queued until it is all flushed (or the socket fails). Cancel-safe: the
    /// state lives in `self`, so dropping this future loses nothing.
    pub async fn drive(&mut self) -> Result<(), axum::Error> {
        std::future::poll_fn(|cx| self.poll_drive(cx)).await
    }

    fn poll_drive(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), axum::Error>> {
        let mut sent = 0;
        loop {
            if self.current.is_none() {
                self.current = if std::mem::take(&mut self.ping_due) {
                    Some(Message::Ping(Default::default()))
                } else {
                    self.queue.pop_front().map(|f| Message::Text(f.into()))
                };
            }
            let Some(msg) = self.current.take() else {
                break;
            };
            if sent == FRAMES_PER_POLL {
                self.current = Some(msg);
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            match Pin::new(&mut self.sink).poll_ready(cx) {
                Poll::Ready(Ok(())) => {
                    let text = matches!(msg, Message::Text(_));
                    Pin::new(&mut self.sink).start_send(msg)?;
                    if text {
                        self.metrics.frame_sent();
                    }
                    self.unflushed = true;
                    self.blocked_since = None;
                    sent += 1;
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => {
                    self.current = Some(msg);
                    self.blocked_since.get_or_insert_with(Instant::now);
                    return Poll::Pending;
                }
            }
        }
        if self.unflushed {
            match Pin::new(&mut self.sink).poll_flush(cx) {
                Poll::Pending => {
                    self.blocked_since.get_or_insert_with(Instant::now);
                    return Poll::Pending;
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(())) => self.unflushed = false,
            }
        }
        self.queued_bytes = 0;
        self.blocked_since = None;
        Poll::Ready(Ok(()))
    }

    /// Flushes what the sink holds (e.g. tungstenite's reply to the peer's close frame),
    /// giving up after `within`.
    pub async fn flush(&mut self, within: Duration) {
        let _ = tokio::time::timeout(within, self.sink.flush()).await;
    }

    /// Drops whatever is still queued and sends a close frame, giving up after `within` (a
    /// client that stopped reading cannot take it).
    pub async fn close(mut self, code: u16, reason: String, within: Duration) {
        let frame = CloseFrame {
            code,
            reason: reason.into(),
        };
        // `send` first pushes out a frame the sink still holds, then the close frame.
        let _ = tokio::time::timeout(within, self.sink.send(Message::Close(Some(frame)))).await;
    }
}
