//! The network task's outbox: `message.send` requests not yet acknowledged, oldest first,
//! kept across reconnects and (with a file) across runs of the console.

use crate::console::app::{NetEvent, Tag};
use crate::console::outbox::{self, OutboxFile, PendingSend};
use crate::console::reply::{Reply, ReplyError};
use crate::model::now_ms;
use crate::protocol::request::SendMessage;
use crate::protocol::{ApiError, Call, ErrorCode, Request};
use serde_json::Value;
use tokio::sync::mpsc;

/// A `message.send` waiting for its ack.
pub(super) struct Queued {
    pub(super) id: u64,
    pub(super) tag: Tag,
    pub(super) send: PendingSend,
}

impl Queued {
    /// The `message.send` request, the same on every (re-)send.
    pub(super) fn request(&self) -> Request {
        Request::SendMessage(self.send.message.clone())
    }
}

/// Reads the `result` of an `ok` reply to a `message.send`: its ack.
pub(super) fn read_ack(result: Value) -> Result<Reply, ReplyError> {
    let decode =
        |v| serde_json::from_value::<<SendMessage as Call>::Reply>(v).map(Reply::SendMessage);
    crate::console::reply::read(decode, "message.send", result)
}

/// Unacknowledged sends, oldest first, kept across reconnects and, with a file, across runs.
pub(super) struct Outbox {
    pub(super) items: Vec<Queued>,
    pub(super) file: Option<OutboxFile>,
    /// The last save failed (reported once, not on every message).
    pub(super) failing: bool,
}

impl Outbox {
    pub(super) fn contains(&self, client_msg_id: &str) -> bool {
        self.items
            .iter()
            .any(|q| q.send.message.client_msg_id == client_msg_id)
    }

    pub(super) fn take(&mut self, id: u64) -> Option<Queued> {
        let pos = self.items.iter().position(|q| q.id == id)?;
        Some(self.items.remove(pos))
    }

    /// Writes the outbox file; a failure is logged and reported to the app once.
    pub(super) fn persist(&mut self, events: &mpsc::UnboundedSender<NetEvent>) {
        let Some(file) = &self.file else { return };
        let sends: Vec<PendingSend> = self.items.iter().map(|q| q.send.clone()).collect();
        match file.save(&sends) {
            Ok(()) => self.failing = false,
            Err(e) => {
                tracing::error!(error = %e, "cannot keep the outbox on disk");
                if !self.failing {
                    let _ = events.send(NetEvent::Warning(e.to_string()));
                }
                self.failing = true;
            }
        }
    }

    /// Queues a send; refused when the outbox is full.
    pub(super) fn push(
        &mut self,
        id: u64,
        tag: Tag,
        message: SendMessage,
        events: &mpsc::UnboundedSender<NetEvent>,
    ) -> Result<(), ApiError> {
        if self.items.len() >= outbox::MAX_ENTRIES {
            return Err(ApiError::new(
                ErrorCode::RateLimited,
                outbox::OutboxError::Full.to_string(),
            ));
        }
        self.items.push(Queued {
            id,
            tag,
            send: PendingSend {
                message,
                queued_at: now_ms(),
            },
        });
        self.persist(events);
        Ok(())
    }

    /// Adds what the file kept from an earlier run (after signing in as its owner), and tells
    /// the app so it can show them as still sending.
    pub(super) fn restore(&mut self, next_id: &mut u64, events: &mpsc::UnboundedSender<NetEvent>) {
        let Some(file) = &self.file else { return };
        let saved = match file.load() {
            Ok(saved) => saved,
            Err(e) => {
                tracing::error!(error = %e, "the outbox file could not be used");
                let _ = events.send(NetEvent::Warning(e.to_string()));
                return;
            }
        };
        let fresh: Vec<PendingSend> = saved
            .into_iter()
            .filter(|s| !self.contains(&s.message.client_msg_id))
            .collect();
        if fresh.is_empty() {
            return;
        }
        tracing::info!(
            messages = fresh.len(),
            "re-sending messages kept from an earlier run"
        );
        // Oldest first, before anything typed in this run.
        let mut restored: Vec<Queued> = fresh
            .iter()
            .map(|send| {
                let id = *next_id;
                *next_id += 1;
                Queued {
                    id,
                    tag: Tag::Send {
                        session: send.message.session_id,
                        client_msg_id: send.message.client_msg_id.clone(),
                    },
                    send: send.clone(),
                }
            })
            .collect();
        restored.append(&mut self.items);
        self.items = restored;
        self.persist(events);
        let _ = events.send(NetEvent::OutboxRestored(fresh));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outbox_is_bounded() {
        let (tx, _rx) = mpsc::unbounded_channel();
        let mut outbox = Outbox {
            items: Vec::new(),
            file: None,
            failing: false,
        };
        let send = |n: usize| {
            let tag = Tag::Send {
                session: 1,
                client_msg_id: format!("c{n}"),
            };
            let message = SendMessage {
                session_id: 1,
                client_msg_id: format!("c{n}"),
                body: "hi".into(),
            };
            (tag, message)
        };
        for n in 0..outbox::MAX_ENTRIES {
            let (tag, message) = send(n);
            outbox.push(n as u64, tag, message, &tx).unwrap();
        }
        let (tag, message) = send(outbox::MAX_ENTRIES);
        let err = outbox.push(0, tag, message, &tx).unwrap_err();
        assert_eq!(err.code, ErrorCode::RateLimited);
        assert_eq!(outbox.items.len(), outbox::MAX_ENTRIES);
    }
}
