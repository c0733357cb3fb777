//! The agent's personal profile (S5) on the hub: `me.get`, `me.update` (`docs/accounts.md`).
//! The hub keeps every agent's avatar, signature and language in memory (read once at start,
//! then changed only here), so directory entries carry the avatar and the closing phrase its
//! signature without a read; a change goes to every logged-in agent as an `agent_updated`
//! frame.

use super::hub::{Auth, Hub};
use super::outbox::ConnId;
use super::respond::Responder;
use crate::model::{AgentId, now_ms};
use crate::profile;
use crate::protocol::account::{MeGet, MeReply, MeUpdate};
use crate::protocol::{ApiError, ServerFrame};
use crate::store::account::Profile;
use std::collections::HashMap;

/// Every agent's profile beyond their row.
#[derive(Debug, Default)]
pub struct Profiles {
    by_agent: HashMap<AgentId, Profile>,
}

impl Profiles {
    pub fn get(&self, agent: AgentId) -> Option<&Profile> {
        self.by_agent.get(&agent)
    }

    pub fn signature(&self, agent: AgentId) -> Option<&str> {
        self.get(agent).and_then(|p| p.signature.as_deref())
    }
}

/// What `me.update` changes: the display name and contact (in the agent row) and the rest.
type Editable = (String, Option<String>, Profile);

/// The fields of `q` applied to `old` (absent: unchanged; empty: cleared), each checked; with
/// the names of the fields that changed.
fn apply(old: &Editable, q: &MeUpdate) -> Result<(Editable, Vec<&'static str>), profile::Invalid> {
    let (mut name, mut contact, mut p) = old.clone();
    let mut changed = Vec::new();
    if let Some(v) = &q.display_name {
        let v = profile::display_name(v)?;
        if v != name {
            name = v;
            changed.push("display_name");
        }
    }
    for (raw, check, slot, label) in [
        (
            &q.initials,
            profile::initials as fn(&str) -> Result<Option<String>, profile::Invalid>,
            &mut p.initials,
            "initials",
        ),
        (&q.color, profile::color, &mut p.color, "color"),
        (&q.contact, profile::contact, &mut contact, "contact"),
        (
            &q.signature,
            profile::signature,
            &mut p.signature,
            "signature",
        ),
        (&q.language, profile::language, &mut p.language, "language"),
    ] {
        if let Some(raw) = raw {
            let v = check(raw)?;
            if *slot != v {
                *slot = v;
                changed.push(label);
            }
        }
    }
    Ok(((name, contact, p), changed))
}

fn logged_in(auth: Auth) -> Result<AgentId, ApiError> {
    super::dispatch::require_agent(auth)
}

impl Hub {
    /// Reads every stored profile once at start (a profile changed meanwhile is kept).
    pub(super) fn profiles_seed(&mut self) {
        self.read_then(
            |rd| rd.profiles(),
            |hub, read| match read {
                Ok(rows) => {
                    for (agent, p) in rows {
                        hub.profiles.by_agent.entry(agent).or_insert(p);
                    }
                }
                Err(e) => tracing::warn!(error = %e.message, "cannot read the agents' profiles"),
            },
        );
    }

    /// The closing phrase with the agent's signature (see [`profile::sign`]).
    pub(super) fn signed_closing(&self, agent: AgentId, text: String) -> String {
        /// The longest closing phrase the signature is added to (a quick reply's limit).
        const MAX_CLOSING_CHARS: usize = 4000;
        profile::sign(&text, self.profiles.signature(agent), MAX_CLOSING_CHARS)
    }

    fn me_reply(&self, agent: AgentId) -> Result<MeReply, ApiError> {
        let Some(e) = self.agents.get(&agent) else {
            return Err(ApiError::not_found(
                "your account is not known to the server",
            ));
        };
        let p = self.profiles.get(agent).cloned().unwrap_or_default();
        let actor = self.actor(agent);
        let row = &e.row;
        Ok(MeReply {
            id: agent,
            username: row.username.clone(),
            display_name: row.display_name.clone(),
            initials: p.initials,
            color: p.color,
            contact: row.contact.clone(),
            signature: p.signature,
            language: p.language,
            role: row.role,
            groups: row.groups.clone(),
            supervises: if row.role == crate::model::Role::Supervisor {
                actor.supervises.clone()
            } else {
                Vec::new()
            },
            supervises_all: actor.oversees_all(),
            totp_enabled: self.totp_on.contains(&row.id),
            totp_required: self.config.auth.require_2fa.contains(&row.role),
        })
    }

    pub(super) fn me_get(&mut self, r: Responder<MeReply>, _conn: ConnId, auth: Auth, _q: MeGet) {
        let reply = logged_in(auth).and_then(|a| self.me_reply(a));
        self.answer(r, reply);
    }

    pub(super) fn me_update(
        &mut self,
        r: Responder<MeReply>,
        _conn: ConnId,
        auth: Auth,
        q: MeUpdate,
    ) {
        let agent = match logged_in(auth) {
            Ok(a) => a,
            Err(e) => return self.answer(r, Err(e)),
        };
        let Some(e) = self.agents.get(&agent) else {
            return self.answer(r, Err(ApiError::not_found("your account is not known")));
        };
        let old = (
            e.row.display_name.clone(),
            e.row.contact.clone(),
            self.profiles.get(agent).cloned().unwrap_or_default(),
        );
        let ((name, contact, p), changed) = match apply(&old, &q) {
            Ok(v) => v,
            Err(e) => return self.answer(r, Err(ApiError::invalid(e.to_string()))),
        };
        if !changed.is_empty() {
            if let Some(e) = self.agents.get_mut(&agent) {
                e.row.display_name = name.clone();
                e.row.contact = contact.clone();
            }
            self.profiles.by_agent.insert(agent, p.clone());
            let now = now_ms();
            self.write(move |tx| tx.save_profile(agent, &name, contact.as_deref(), &p, now));
            let who = self.agent_name(agent);
            let detail = serde_json::json!({ "fields": changed });
            self.audit(&who, crate::audit::PROFILE_CHANGED, &who, detail);
            self.broadcast_agent(agent);
        }
        let reply = self.me_reply(agent);
        self.answer(r, reply);
    }

    /// Tells every logged-in agent how `agent` looks now (`agent_updated`, not durable).
    fn broadcast_agent(&mut self, agent: AgentId) {
        let Some(info) = self.agent_info(agent) else {
            return;
        };
        let frame = ServerFrame::AgentUpdated { agent: info };
        let Ok(text) = serde_json::to_string(&frame) else {
            return;
        };
        // After the commit, like every reply: nobody sees a change that could still be lost.
        let outs: Vec<_> = self
            .conns
            .values()
            .filter(|c| matches!(c.auth, Auth::Agent(_)))
            .map(|c| c.out.clone())
            .collect();
        self.after_commit(move || {
            for out in outs {
                out.send(text.clone());
            }
        });
    }
}
