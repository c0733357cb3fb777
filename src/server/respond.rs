//! [`Responder`]: the one way the hub answers a request. It is typed by the request's reply
//! (so a handler cannot answer with the wrong shape) and consumed by answering (so it cannot
//! answer twice). One dropped unanswered — a bug, or a store job refused after all — still gets
//! an `internal` error, so no client waits forever.

use super::outbox::Outbox;
use crate::protocol::{self, ApiError, ErrorCode};
use serde::Serialize;
use serde_json::Value;
use std::marker::PhantomData;

pub struct Responder<R> {
    out: Outbox,
    /// The request's `id`, echoed in the reply.
    id: Value,
    answered: bool,
    _reply: PhantomData<fn(R)>,
}

impl<R: Serialize> Responder<R> {
    pub fn new(out: Outbox, id: Value) -> Self {
        Responder {
            out,
            id,
            answered: false,
            _reply: PhantomData,
        }
    }

    /// The reply and where it goes, for the hub to send after the commit.
    pub fn frame(mut self, result: Result<R, ApiError>) -> Reply {
        self.answered = true;
        Reply {
            out: self.out.clone(),
            frame: protocol::reply_frame(&self.id, &result),
            id: std::mem::take(&mut self.id),
            error: result.as_ref().err().map(|e| e.code),
        }
    }

    /// Drops the request without a reply: its connection is gone.
    pub fn abandon(mut self) {
        self.answered = true;
    }

    /// Sends the reply now: for answers produced after their data committed (reads).
    pub fn send(self, result: Result<R, ApiError>) {
        self.frame(result).deliver(false);
    }
}

/// A reply waiting for its batch to commit.
pub struct Reply {
    pub out: Outbox,
    pub frame: String,
    /// The request's id, to answer `internal` instead when a store job of the same batch was
    /// refused: the request did not complete, and saying it did would be a lie.
    pub id: Value,
    /// The error this reply carries, counted when it goes out.
    pub error: Option<ErrorCode>,
}

impl Reply {
    pub fn deliver(self, failed: bool) {
        if failed {
            self.out.send_error(&self.id, &ApiError::internal());
        } else {
            if let Some(code) = self.error {
                self.out.metrics().error_reply(code);
            }
            self.out.send(self.frame);
        }
    }
}

impl<R> Drop for Responder<R> {
    fn drop(&mut self) {
        if !self.answered {
            tracing::error!(id = %self.id, "a request was dropped without a reply");
            self.out.send_error(&self.id, &ApiError::internal());
        }
    }
}
