//! Agent requests about CC (抄送, `docs/cc.md`): `session.cc` checks who asks and where to,
//! then builds the transcript on the read pool (a snapshot sees every acknowledged message)
//! and, in one write, counts the agent's CCs of the last 24 hours and stores the outbox row; the
//! reply (`cc_id`) goes out only after that commit. `cc.contacts` is the address book from
//! the config; `cc.list` reads the outbox. The sender (`cc_sender`) reports each attempt
//! through [`Hub::cc_attempted`], which records it and tells the requester once it is final.

use super::hub::Hub;
use super::respond::Responder;
use crate::cc::{CcDoc, Target};
use crate::model::{AgentId, now_ms};
use crate::protocol::{
    ApiError, CcContactView, CcContactsReply, CcInfo, CcKind, CcList, CcListReply, CcState,
    ErrorCode, Event, SessionCc, SessionCcReply,
};
use crate::store::Audience;
use crate::store::cc::{CcOutcome, NewCc};

/// Most messages a transcript is built from (the newest; the byte limit cuts further).
const MAX_MESSAGES: i64 = 5_000;
/// Most CCs one `cc.list` returns.
const LIST_CAP: u32 = 100;
const DAY_MS: i64 = 86_400_000;

impl Hub {
    pub(super) fn cc_contacts(&self, _agent: AgentId) -> Result<CcContactsReply, ApiError> {
        let c = &self.config.cc;
        let contacts = c
            .contacts
            .iter()
            .filter_map(|k| {
                let (kind, address) = match (&k.email, &k.webhook) {
                    (Some(e), _) => (CcKind::Email, e.clone()),
                    (None, Some(w)) => (CcKind::Webhook, w.clone()),
                    (None, None) => return None,
                };
                Some(CcContactView {
                    name: k.name.clone(),
                    kind,
                    address,
                })
            })
            .collect();
        Ok(CcContactsReply {
            contacts,
            webhooks: c.webhooks.iter().map(|w| w.name.clone()).collect(),
            email: self.config.smtp.is_some(),
        })
    }

    /// Where a request's target goes: (kind, address or webhook name, contact name).
    fn cc_resolve(&self, to: &Target) -> Result<(CcKind, String, Option<String>), ApiError> {
        let c = &self.config.cc;
        let (target, contact) = match to {
            Target::Contact(name) => {
                let k = c.contact(name).ok_or_else(|| {
                    ApiError::not_found(format!("no contact `{name}` in the address book"))
                })?;
                let t = match (&k.email, &k.webhook) {
                    (Some(e), _) => Target::Email(e.clone()),
                    (None, Some(w)) => Target::Webhook(w.clone()),
                    (None, None) => return Err(ApiError::internal()),
                };
                (t, Some(name.clone()))
            }
            t => (t.clone(), None),
        };
        match target {
            Target::Email(addr) => {
                crate::cc::check_email(&addr).map_err(ApiError::invalid)?;
                if self.config.smtp.is_none() {
                    return Err(ApiError::new(
                        ErrorCode::Unavailable,
                        "this server sends no e-mail (no [smtp] section): CC to a webhook instead",
                    ));
                }
                Ok((CcKind::Email, addr, contact))
            }
            Target::Webhook(name) => {
                if c.webhook(&name).is_none() {
                    return Err(ApiError::not_found(format!("no CC webhook `{name}`")));
                }
                Ok((CcKind::Webhook, name, contact))
            }
            Target::Contact(_) => Err(ApiError::internal()),
        }
    }

    pub(super) fn session_cc(
        &mut self,
        r: Responder<SessionCcReply>,
        agent: AgentId,
        q: SessionCc,
    ) {
        let checked = self
            .check_session(agent, q.session_id)
            .and_then(|_| self.cc_resolve(&q.to));
        let (kind, target, contact) = match checked {
            Ok(v) => v,
            Err(e) => return self.answer(r, Err(e)),
        };
        let Some(view) = self.live.get(&q.session_id).map(|l| l.view.clone()) else {
            return self.answer(r, Err(ApiError::not_found("no such open session")));
        };
        let requested_by = self
            .agents
            .get(&agent)
            .map(|e| e.row.display_name.clone())
            .unwrap_or_default();
        let timezone = self.config.conversations.timezone.clone();
        let (per_day, max_bytes) = (
            self.config.cc.per_agent_per_day,
            self.config.cc.max_transcript_bytes,
        );
        let include_notes = q.include_notes;
        let now = now_ms();
        // The transcript is read and rendered on the read pool (every acknowledged message is
        // committed, so a snapshot taken now sees it); the writer only counts and inserts.
        self.read_then(
            move |rd| {
                let after = (view.last_seq - MAX_MESSAGES).max(0);
                let messages = rd.transcript(view.id, after, MAX_MESSAGES as u32)?;
                let doc = CcDoc::build(
                    &view,
                    &messages,
                    &crate::cc::CcRequest {
                        requested_by: &requested_by,
                        requested_at: now,
                        timezone: &timezone,
                        include_notes,
                        max_bytes,
                    },
                );
                Ok((view.id, serde_json::to_string(&doc)))
            },
            move |hub, read| {
                let (session_id, doc) = match read {
                    Ok((id, Ok(doc))) => (id, doc),
                    Ok((_, Err(_))) => return hub.answer(r, Err(ApiError::internal())),
                    Err(e) => return hub.answer(r, Err(e)),
                };
                hub.write_then(
                    move |tx| {
                        if tx.cc_count_since(agent, now - DAY_MS)? >= per_day {
                            return Ok(Err(ApiError::new(
                                ErrorCode::RateLimited,
                                format!("at most {per_day} CCs per agent in 24 hours"),
                            )));
                        }
                        let cc_id = tx.insert_cc(&NewCc {
                            session_id,
                            agent_id: agent,
                            kind,
                            target,
                            contact,
                            include_notes,
                            doc,
                            now,
                        })?;
                        Ok(Ok(SessionCcReply { cc_id }))
                    },
                    move |hub, decided: Result<SessionCcReply, ApiError>| {
                        if decided.is_ok() {
                            hub.metrics.cc.queued(kind);
                        }
                        hub.answer(r, decided)
                    },
                );
            },
        );
    }

    pub(super) fn cc_list(&mut self, r: Responder<CcListReply>, agent: AgentId, q: CcList) {
        let all = crate::permissions::Resource::EVERYONES;
        let every = self.allows(agent, crate::permissions::Action::ReadConversation, all);
        let who = (!every).then_some(agent);
        self.read_reply(r, move |rd| {
            let ccs = rd.cc_list(who, q.session_id, LIST_CAP)?;
            Ok(Ok(CcListReply { ccs }))
        });
    }

    /// Records an attempt of the sender's; `done` is told once it committed. A final outcome
    /// (delivered, given up) becomes a `cc_status` event to the agent who asked.
    pub(super) fn cc_attempted(
        &mut self,
        id: i64,
        kind: CcKind,
        outcome: CcOutcome,
        done: tokio::sync::oneshot::Sender<()>,
    ) {
        let now = now_ms();
        self.metrics.cc.attempted(kind, outcome.state());
        self.write_then(
            move |tx| tx.cc_attempted(id, &outcome, now),
            move |hub, info: Option<CcInfo>| {
                if let Some(cc) = info.filter(|i| i.state != CcState::Pending) {
                    let (agent, session) = (cc.agent_id, cc.session_id);
                    hub.emit(
                        Audience::Agent(agent),
                        Some(session),
                        &Event::CcStatus { cc },
                    );
                }
                let _ = done.send(());
            },
        );
    }
}
