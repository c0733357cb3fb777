//! How the hub's decisions reach the disk and the clients: everything one hub message changes
//! is gathered in a [`Batch`] and handed to the committer; replies and events are sent only
//! after it committed. Reads that must see every acknowledged write (transcripts, profiles,
//! replays) are queued behind the batch the same way.

use super::hub::{Auth, Hub, HubMsg};
use super::outbox::{ConnId, Outbox};
use super::pending::Batch;
use super::respond::Responder;
use crate::model::{AgentId, Millis, SessionId, now_ms};
use crate::protocol::{ApiError, ErrorCode, Event, ReloadReason, ServerFrame, SessionView};
use crate::store::committer::{AfterCommit, Work};
use crate::store::{Audience, CoreRows, EventBody, EventRow, Read, StoreError, Viewer};
use serde::Serialize;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

impl Hub {
    /// The outboxes of everyone an audience names.
    fn outboxes(
        &self,
        audience: Audience,
        session: Option<SessionId>,
        except: Option<ConnId>,
    ) -> Vec<Outbox> {
        // Connections still owing a password change get nothing.
        let of = |ids: &BTreeSet<ConnId>| -> Vec<Outbox> {
            ids.iter()
                .filter(|c| Some(**c) != except)
                .filter_map(|c| self.conns.get(c))
                .filter(|c| matches!(c.auth, Auth::Agent(_) | Auth::Customer(_)))
                .map(|c| c.out.clone())
                .collect()
        };
        match audience {
            Audience::Agent(a) => self
                .agents
                .get(&a)
                .map(|e| of(&e.conns))
                .unwrap_or_default(),
            Audience::Customer(c) => self.customer_conns.get(&c).map(of).unwrap_or_default(),
            Audience::Supervisors => self
                .agents
                .values()
                // Plain agents first (cheap, and most of them); then a supervisor limited to
                // some groups gets their groups' sessions only (`permit`).
                .filter(|e| e.row.role.sees_all() && self.gets_supervisor_copy(e.row.id, session))
                .flat_map(|e| of(&e.conns))
                .collect(),
        }
    }

    /// Records a durable event for an audience: stored with the next cursor and delivered to
    /// the audience's connections after commit.
    pub fn emit(&mut self, audience: Audience, session: Option<SessionId>, event: &Event) {
        let body = serde_json::to_string(event).unwrap_or_else(|_| "{}".into());
        let id = self.send_event(audience, session, &body, None);
        let body = EventBody::Json { session, body };
        self.batch.events.push(EventRow { id, audience, body });
    }

    /// The `message` event (`body`, its JSON) of a message stored in this batch, for an
    /// audience, not sent live to `except` (the sender, whose ack stands for it; a replay
    /// brings it). Stored as a reference to the message, not a copy: a replay rebuilds the
    /// same JSON from the stored message. Returns the event's cursor.
    pub fn emit_message(
        &mut self,
        audience: Audience,
        (session, seq): (SessionId, i64),
        body: &str,
        except: Option<ConnId>,
    ) -> i64 {
        let id = self.send_event(audience, Some(session), body, except);
        let body = EventBody::Message { session, seq };
        self.batch.events.push(EventRow { id, audience, body });
        id
    }

    /// Takes the next cursor and queues the event frame for the audience's connections (all
    /// but `except`), to go out after commit.
    fn send_event(
        &mut self,
        audience: Audience,
        session: Option<SessionId>,
        body: &str,
        except: Option<ConnId>,
    ) -> i64 {
        let id = self.next_event_id;
        self.next_event_id += 1;
        let frame = event_frame_raw(id, body);
        for out in self.outboxes(audience, session, except) {
            self.batch.sends.push((out, frame.clone()));
        }
        id
    }

    /// The newest cursor issued so far.
    pub fn head(&self) -> i64 {
        self.next_event_id - 1
    }

    /// Marks a live session's row for writing in this batch.
    pub fn touch(&mut self, session: SessionId) {
        if !self.batch.sessions.contains(&session) {
            self.batch.sessions.push(session);
        }
    }

    /// Store work that shares this batch's commit (tokens, passwords).
    pub fn write(
        &mut self,
        work: impl FnOnce(&mut dyn crate::store::Tx) -> crate::store::Result<()> + Send + 'static,
    ) {
        self.batch.work.push(Box::new(move |tx| {
            work(tx)?;
            Ok(None)
        }));
    }

    /// Runs `f` once everything gathered so far committed.
    pub fn after_commit(&mut self, f: impl FnOnce() + Send + 'static) {
        self.batch
            .work
            .push(Box::new(move |_| Ok(Some(Box::new(f)))));
    }

    /// Submits everything gathered so far: the rows, then each piece of extra work, then the
    /// deliveries, which therefore run only once all of it committed.
    pub fn flush(&mut self) {
        let batch = std::mem::take(&mut self.batch);
        if batch.is_empty() {
            return;
        }
        let sessions: Vec<(SessionView, Option<(AgentId, Millis)>)> = batch
            .sessions
            .iter()
            .filter_map(|id| {
                self.live
                    .get(id)
                    .map(|l| (l.view.clone(), self.engine.offer(*id)))
            })
            .collect();
        let now = now_ms();
        let Batch {
            messages,
            events,
            statuses,
            sends,
            replies,
            work,
            after_replies,
            ..
        } = batch;
        let rows = CoreRows {
            sessions,
            messages,
            statuses,
            events,
        };
        // Set when one of this batch's extra jobs is refused: its replies then say `internal`.
        let refused = Arc::new(AtomicBool::new(false));
        let mut deliver: Option<AfterCommit> =
            (!(sends.is_empty() && replies.is_empty())).then(|| {
                let refused = refused.clone();
                Box::new(move || {
                    for (out, frame) in sends {
                        out.send(frame);
                    }
                    let failed = refused.load(Ordering::Relaxed);
                    for r in replies {
                        r.deliver(failed);
                    }
                }) as AfterCommit
            });
        if !rows.is_empty() {
            // With no extra work in between (a message, most often), the deliveries are this
            // job's own follow-up: one job. These rows mirror what the hub already told
            // clients, so they are never refused: no savepoint either.
            let after = if work.is_empty() {
                deliver.take()
            } else {
                None
            };
            let metrics = self.metrics.clone();
            let submitted = self.committer.submit_unguarded(move |tx| {
                rows.write(tx, now)?;
                let messages = rows.messages;
                Ok(Some(Box::new(move || {
                    metrics.messages_stored(&messages);
                    if let Some(after) = after {
                        after();
                    }
                }) as AfterCommit))
            });
            if submitted.is_err() {
                tracing::error!("the store has stopped; dropping a batch");
                return;
            }
        }
        let mut jobs: Vec<Work> = Vec::with_capacity(work.len() + 1);
        for w in work {
            let refused = refused.clone();
            jobs.push(Box::new(move |tx| {
                let result = w(tx);
                if let Err(e) = &result
                    && !e.is_fatal()
                {
                    refused.store(true, Ordering::Relaxed);
                }
                result
            }));
        }
        if let Some(deliver) = deliver {
            jobs.push(Box::new(move |_| Ok(Some(deliver))));
        }
        jobs.extend(after_replies);
        for job in jobs {
            if self.committer.submit(job).is_err() {
                tracing::error!("the store has stopped; dropping a batch");
                return;
            }
        }
    }

    /// Ended sessions are written one last time and forgotten.
    pub fn forget(&mut self, session: SessionId) -> Option<super::hub::Live> {
        let l = self.live.remove(&session)?;
        self.intents.forget(session);
        self.follow_ups.forget(session);
        // (Whichever way it ended: by an agent, the customer, idleness or the queue timeout.)
        self.transfer_notes.remove(&session);
        self.open_by_customer.remove(&l.view.customer.id);
        self.batch.sessions.retain(|s| *s != session);
        let view = l.view.clone();
        self.notes_session_over(&view);
        self.write(move |tx| tx.put_session(&view, None));
        Some(l)
    }

    /// Store work that must see every earlier write and may write itself (a customer is
    /// looked up or created), then continues on the hub with the result.
    pub fn write_then<T: Send + 'static>(
        &mut self,
        work: impl FnOnce(&mut dyn crate::store::Tx) -> crate::store::Result<T> + Send + 'static,
        then: impl FnOnce(&mut Hub, T) + Send + 'static,
    ) {
        let inbox = self.inbox.clone();
        self.batch.work.push(Box::new(move |tx| {
            let value = work(tx)?;
            Ok(Some(Box::new(move || {
                let _ = inbox.send(HubMsg::Continue(Box::new(move |hub| then(hub, value))));
            })))
        }));
    }

    /// Reads on the read pool once everything gathered so far committed (so the read sees
    /// every acknowledged write), then continues on the hub with the result: `internal` if
    /// the read failed, `rate_limited` if the pool is full.
    pub fn read_then<T: Send + 'static>(
        &mut self,
        read: impl FnOnce(&mut dyn Read) -> crate::store::Result<T> + Send + 'static,
        then: impl FnOnce(&mut Hub, Result<T, ApiError>) + Send + 'static,
    ) {
        let inbox = self.inbox.clone();
        let back = inbox.clone();
        self.on_read_pool(
            then,
            move |rd, then| {
                let value = read(rd).map_err(read_failed);
                let _ = inbox.send(HubMsg::Continue(Box::new(move |hub| then(hub, value))));
            },
            move |then, e| {
                let _ = back.send(HubMsg::Continue(Box::new(move |hub| then(hub, Err(e)))));
            },
        );
    }

    /// Reads on the read pool once everything gathered so far committed and answers with the
    /// result straight from there: for requests that only read.
    pub fn read_reply<R: Serialize + Send + 'static>(
        &mut self,
        r: Responder<R>,
        read: impl FnOnce(&mut dyn Read) -> crate::store::Result<Result<R, ApiError>> + Send + 'static,
    ) {
        self.on_read_pool(
            r,
            move |rd, r| r.send(read(rd).map_err(read_failed).and_then(|v| v)),
            |r, e| r.send(Err(e)),
        );
    }

    /// Runs `job` with `state` on the read pool after the commit; if the pool refuses it,
    /// `refused` gets the state back with the error to answer.
    fn on_read_pool<S: Send + 'static>(
        &mut self,
        state: S,
        job: impl FnOnce(&mut dyn Read, S) + Send + 'static,
        refused: impl FnOnce(S, ApiError) + Send + 'static,
    ) {
        let pool = self.readers.clone();
        self.after_commit(move || {
            // The state goes with the job, and comes back here if the job is not taken.
            let slot = Arc::new(Mutex::new(Some(state)));
            let taken = slot.clone();
            let submitted = pool.submit(move |rd| {
                if let Some(state) = taken.lock().ok().and_then(|mut s| s.take()) {
                    job(rd, state);
                }
            });
            if let Err(e) = submitted
                && let Some(state) = slot.lock().ok().and_then(|mut s| s.take())
            {
                refused(state, pool_refused(e));
            }
        });
    }

    /// Replays everything after `cursor` for the viewer, or a `reload` frame when that is too
    /// much or the cursor is unknown. Runs in the committer's order, so nothing is missed
    /// between the replay and the live events that follow. At most `replay_limit` events are
    /// held in memory, and they leave it as the client reads them.
    pub fn replay(&mut self, out: &Outbox, viewer: Viewer, cursor: i64) {
        let head = self.head();
        let limit = self.config.limits.replay_limit;
        let out = out.clone();
        self.batch.after_replies.push(Box::new(move |tx| {
            let oldest = tx.oldest_event_id()?;
            let events = if cursor > head || cursor < 0 || (oldest > 0 && cursor < oldest - 1) {
                None
            } else {
                let evs = tx.events_after(viewer, cursor, limit + 1)?;
                (evs.len() <= limit as usize).then_some(evs)
            };
            Ok(Some(Box::new(move || match events {
                // One outbox item, written at the client's pace: a replay longer than the
                // outbox cannot overflow it, and what is queued after it (live events with
                // higher cursors) waits behind it.
                Some(evs) => out.replay(
                    evs.into_iter()
                        .map(|(id, body)| event_frame_raw(id, &body))
                        .collect(),
                ),
                None => {
                    let reason = if cursor > head {
                        ReloadReason::UnknownCursor
                    } else {
                        ReloadReason::CursorTooOld
                    };
                    let f = ServerFrame::Reload {
                        cursor: head,
                        reason,
                    };
                    out.send(serde_json::to_string(&f).unwrap_or_default());
                }
            })))
        }));
    }
}

/// A read that failed: logged here, answered as `internal`.
fn read_failed(e: StoreError) -> ApiError {
    tracing::error!(error = %e, "a read failed");
    ApiError::internal()
}

fn pool_refused(e: StoreError) -> ApiError {
    match e {
        StoreError::Busy => ApiError::new(
            ErrorCode::RateLimited,
            "the server is busy reading; try again in a moment",
        ),
        other => read_failed(other),
    }
}

/// An event frame from an already-serialised event body (stored bodies are replayed as is).
pub fn event_frame_raw(cursor: i64, body: &str) -> String {
    format!(r#"{{"type":"event","cursor":{cursor},"event":{body}}}"#)
}
