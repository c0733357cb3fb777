//! The second factor (TOTP, RFC 6238) on the hub: `totp.enroll`, `totp.confirm`,
//! `totp.disable`, the check of the code at login ([`Hub::second_factor`]) and whether a
//! role's required enrolment is still owed ([`Hub::must_enroll_totp`]). The decisions that
//! record something run in the writer (`totp_check`); the pure logic is `crate::totp`.

use super::hub::{Auth, Hub, Owed};
use super::outbox::ConnId;
use super::respond::Responder;
use super::totp_check::{self, CodeCheck};
use crate::audit;
use crate::model::{AgentId, now_ms};
use crate::protocol::account::{
    TotpConfirm, TotpConfirmReply, TotpDisable, TotpEnroll, TotpEnrollReply,
};
use crate::protocol::{ApiError, Empty, ErrorCode};
use crate::store::{AgentRow, Read};
use serde_json::json;

/// What to do once the second factor is checked: the row again, or the error to answer.
pub(super) type SecondFactorDone = Box<dyn FnOnce(&mut Hub, Result<AgentRow, ApiError>) + Send>;

/// Whether the agent of `row` has a second factor in force (for `resume`, which has no code
/// to check but must know whether enrolment is owed).
pub(super) fn read_totp_on(
    rd: &mut dyn Read,
    row: Option<&AgentRow>,
) -> crate::store::Result<bool> {
    match row {
        Some(r) => Ok(rd.totp_state(r.id)?.is_some_and(|s| s.confirmed)),
        None => Ok(false),
    }
}

/// The agent behind a connection that may use `totp.*`: at work, or owing enrolment.
fn totp_agent(auth: Auth) -> Result<(AgentId, bool), ApiError> {
    match auth {
        Auth::Agent(a) => Ok((a, false)),
        Auth::AgentPending(a, Owed::SecondFactor) => Ok((a, true)),
        other => super::dispatch::require_agent(other).map(|a| (a, false)),
    }
}

impl Hub {
    /// The password was right: if the account has a second factor, `totp` must be a current
    /// code (used once) or an unused recovery code; `totp_required` when it is missing.
    /// Calls `done` (after the check in the writer) with the outcome.
    pub(super) fn second_factor(
        &mut self,
        conn: ConnId,
        row: AgentRow,
        totp: Option<String>,
        done: SecondFactorDone,
    ) {
        let agent = row.id;
        let now = now_ms();
        self.write_then(
            move |tx| totp_check::check_code(tx, agent, totp.as_deref(), now),
            move |hub, checked| {
                // (Not after a failed check: it says nothing about the factor.)
                if checked != CodeCheck::Failed {
                    hub.note_totp(Some(&row), checked != CodeCheck::NoFactor);
                }
                let user = row.username.clone();
                let outcome = match checked {
                    CodeCheck::NoFactor | CodeCheck::Code => Ok(row),
                    CodeCheck::Recovery { left } => {
                        hub.audit(
                            &user,
                            audit::TOTP_RECOVERY_USED,
                            &user,
                            json!({ "left": left }),
                        );
                        Ok(row)
                    }
                    CodeCheck::Missing => Err(ApiError::new(
                        ErrorCode::TotpRequired,
                        "this account has two-factor sign-in: send the 6-digit code from your \
                         authenticator app (or a recovery code) as `totp`",
                    )),
                    CodeCheck::Wrong | CodeCheck::Replayed => {
                        hub.audit_wrong_code(conn, &user, "login", &checked);
                        Err(ApiError::unauthorized(wrong_code_message(&checked)))
                    }
                    CodeCheck::Failed => Err(ApiError::internal()),
                };
                done(hub, outcome)
            },
        );
    }

    /// Remembers whether the agent's second factor is in force, as just read from the store.
    pub(super) fn note_totp(&mut self, row: Option<&AgentRow>, on: bool) {
        if let Some(r) = row {
            if on {
                self.totp_on.insert(r.id);
            } else {
                self.totp_on.remove(&r.id);
            }
        }
    }

    /// Whether the agent's role requires a second factor they have not enrolled yet.
    pub(super) fn must_enroll_totp(&self, agent: AgentId) -> bool {
        self.agents.get(&agent).is_some_and(|e| {
            self.config.auth.require_2fa.contains(&e.row.role) && !self.totp_on.contains(&agent)
        })
    }

    fn audit_wrong_code(&mut self, conn: ConnId, user: &str, during: &str, checked: &CodeCheck) {
        let address = self.conns.get(&conn).map(|c| c.peer.to_string());
        let reason = if *checked == CodeCheck::Replayed {
            "replayed"
        } else {
            "wrong"
        };
        self.audit(
            user,
            audit::TOTP_WRONG_CODE,
            user,
            json!({ "during": during, "reason": reason, "address": address }),
        );
    }

    pub(super) fn totp_enroll(
        &mut self,
        r: Responder<TotpEnrollReply>,
        _conn: ConnId,
        auth: Auth,
        _q: TotpEnroll,
    ) {
        let agent = match totp_agent(auth) {
            Ok((a, _)) => a,
            Err(e) => return self.answer(r, Err(e)),
        };
        let user = self.agent_name(agent);
        let now = now_ms();
        self.write_then(
            move |tx| totp_check::enroll(tx, agent, now),
            move |hub, made| {
                let reply = made.map(|secret| {
                    hub.audit(&user, audit::TOTP_ENROLLED, &user, json!({}));
                    TotpEnrollReply {
                        secret: crate::totp::secret_base32(&secret),
                        uri: crate::totp::otpauth_uri(&secret, &user),
                    }
                });
                hub.answer(r, reply)
            },
        );
    }

    pub(super) fn totp_confirm(
        &mut self,
        r: Responder<TotpConfirmReply>,
        conn: ConnId,
        auth: Auth,
        q: TotpConfirm,
    ) {
        let agent = match totp_agent(auth) {
            Ok((a, _)) => a,
            Err(e) => return self.answer(r, Err(e)),
        };
        let user = self.agent_name(agent);
        let keep = self.conns.get(&conn).and_then(|c| c.token_hash.clone());
        let now = now_ms();
        self.write_then(
            move |tx| totp_check::confirm(tx, agent, &q.code, keep, now),
            move |hub, confirmed| {
                let recovery_codes = match confirmed {
                    Ok(codes) => codes,
                    Err(e) => return hub.answer(r, Err(e)),
                };
                hub.totp_on.insert(agent);
                hub.audit(&user, audit::TOTP_CONFIRMED, &user, json!({}));
                // Sign-ins made without the factor end (their tokens went in the same write).
                hub.revoke_other_conns(agent, conn);
                let pending = hub
                    .conns
                    .get(&conn)
                    .is_some_and(|c| c.auth == Auth::AgentPending(agent, Owed::SecondFactor));
                hub.answer(r, Ok(TotpConfirmReply { recovery_codes }));
                if pending {
                    // The enrolment the role required is done: to work.
                    if let Some(c) = hub.conns.get_mut(&conn) {
                        c.auth = Auth::Agent(agent);
                    }
                    hub.activate(conn, agent, None);
                }
            },
        );
    }

    pub(super) fn totp_disable(
        &mut self,
        r: Responder<Empty>,
        conn: ConnId,
        auth: Auth,
        q: TotpDisable,
    ) {
        let agent = match totp_agent(auth) {
            Ok((a, _)) => a,
            Err(e) => return self.answer(r, Err(e)),
        };
        if let Some(e) = self.agents.get(&agent)
            && self.config.auth.require_2fa.contains(&e.row.role)
        {
            let msg = format!(
                "the {} role requires two-factor sign-in; it cannot be turned off (an admin \
                 can reset it for a lost device: kefu admin agent reset-2fa)",
                e.row.role
            );
            return self.answer(r, Err(ApiError::forbidden(msg)));
        }
        let user = self.agent_name(agent);
        let now = now_ms();
        self.write_then(
            move |tx| totp_check::disable(tx, agent, &q.code, now),
            move |hub, checked| {
                let reply = match checked {
                    CodeCheck::Code | CodeCheck::Recovery { .. } => {
                        hub.totp_on.remove(&agent);
                        hub.audit(&user, audit::TOTP_DISABLED, &user, json!({}));
                        Ok(Empty {})
                    }
                    CodeCheck::NoFactor => Err(ApiError::invalid("two-factor sign-in is not on")),
                    CodeCheck::Missing => Err(ApiError::invalid(
                        "send a current code (or a recovery code) to turn two-factor sign-in off",
                    )),
                    CodeCheck::Wrong | CodeCheck::Replayed => {
                        hub.audit_wrong_code(conn, &user, "disable", &checked);
                        Err(ApiError::unauthorized(wrong_code_message(&checked)))
                    }
                    CodeCheck::Failed => Err(ApiError::internal()),
                };
                hub.answer(r, reply)
            },
        );
    }
}

fn wrong_code_message(checked: &CodeCheck) -> &'static str {
    if *checked == CodeCheck::Replayed {
        "that code was already used; wait for the next one your app shows"
    } else {
        "the two-factor code is wrong (or too old)"
    }
}
