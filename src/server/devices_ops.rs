//! Signed-in devices and idle expiry on the hub: `devices.list`, `devices.end`, `token.renew`
//! (`docs/accounts.md`); and the check that a disabled account does not log in.

use super::hub::{Auth, Hub};
use super::outbox::ConnId;
use super::respond::Responder;
use crate::model::now_ms;
use crate::protocol::account::{
    DeviceEnd, DeviceView, DevicesList, DevicesReply, TokenRenew, TokenRenewReply,
};
use crate::protocol::{ApiError, Empty, ErrorCode, LoginReply};
use crate::store::AgentRow;
use crate::store::account::SignIn;

/// Most devices listed (an agent with more sees the oldest ones; they expire by themselves).
const MAX_DEVICES: u32 = 100;

/// The agent behind a logged-in connection (also while a password change is owed: seeing and
/// ending one's sign-ins is exactly what someone whose password leaked needs).
fn signed_in(auth: Auth) -> Result<crate::model::AgentId, ApiError> {
    match auth {
        Auth::Agent(a) | Auth::AgentPending(a, _) => Ok(a),
        _ => Err(ApiError::unauthorized("log in first (login or resume)")),
    }
}

impl Hub {
    pub(super) fn devices_list(
        &mut self,
        r: Responder<DevicesReply>,
        conn: ConnId,
        auth: Auth,
        _q: DevicesList,
    ) {
        let agent = match signed_in(auth) {
            Ok(a) => a,
            Err(e) => return self.answer(r, Err(e)),
        };
        let now = now_ms();
        let idle_since = now.saturating_sub(self.idle_ms());
        self.read_then(
            move |rd| rd.sign_ins_of(agent, now, idle_since, MAX_DEVICES),
            move |hub, read| {
                let reply = read.map(|rows| DevicesReply {
                    devices: rows.into_iter().map(|s| hub.device_view(conn, s)).collect(),
                });
                hub.answer(r, reply)
            },
        );
    }

    /// A stored sign-in as the agent sees it, with what the hub knows on top (a newer last
    /// use, whether a connection holds it).
    fn device_view(&self, conn: ConnId, s: SignIn) -> DeviceView {
        let last_used_at = self
            .last_use_of(&s.hash)
            .map_or(s.last_used_at, |m| m.max(s.last_used_at));
        let own = self.conns.get(&conn).and_then(|c| c.token_hash.as_deref());
        DeviceView {
            id: s.id,
            created_at: s.created_at,
            last_used_at,
            expires_at: s
                .expires_at
                .min(last_used_at.saturating_add(self.idle_ms())),
            client: s.client,
            address: s.address,
            connected: self
                .conns
                .values()
                .any(|c| c.token_hash.as_deref() == Some(s.hash.as_str())),
            current: own == Some(s.hash.as_str()),
        }
    }

    pub(super) fn device_end(
        &mut self,
        r: Responder<Empty>,
        conn: ConnId,
        auth: Auth,
        q: DeviceEnd,
    ) {
        let agent = match signed_in(auth) {
            Ok(a) => a,
            Err(e) => return self.answer(r, Err(e)),
        };
        let own = self.conns.get(&conn).and_then(|c| c.token_hash.clone());
        let id = q.device_id;
        self.write_then(
            move |tx| {
                let Some(s) = tx.sign_in_by_id(agent, id)? else {
                    return Ok(Err(ApiError::not_found(format!(
                        "no signed-in device {id} (it may have ended or expired)"
                    ))));
                };
                // The reply could not reach a connection closed by its own request.
                if own.as_deref() == Some(s.hash.as_str()) {
                    return Ok(Err(ApiError::invalid(
                        "this is the device you are using: log out instead",
                    )));
                }
                tx.end_sign_in(agent, id)?;
                Ok(Ok(s))
            },
            move |hub, ended| match ended {
                Ok(s) => {
                    hub.sign_out_token(&s.hash, None, super::revoke::REASON_DEVICE_ENDED);
                    let name = hub.agent_name(agent);
                    let detail = serde_json::json!({
                        "device_id": s.id,
                        "client": s.client,
                        "address": s.address,
                    });
                    hub.audit(&name, crate::audit::DEVICE_ENDED, &name, detail);
                    hub.answer(r, Ok(Empty {}))
                }
                Err(e) => hub.answer(r, Err(e)),
            },
        );
    }

    pub(super) fn token_renew(
        &mut self,
        r: Responder<TokenRenewReply>,
        conn: ConnId,
        auth: Auth,
        _q: TokenRenew,
    ) {
        if let Err(e) = signed_in(auth) {
            return self.answer(r, Err(e));
        }
        // The request itself counted as a use (`dispatch`); this is when that runs out.
        let expires_at = self.sign_in_expiry(conn, None);
        self.answer(r, Ok(TokenRenewReply { expires_at }));
    }

    /// After a right password (and second factor): refuses a disabled account, else goes on
    /// with `then`. Wrong passwords never get here, so "disabled" tells nothing to a guesser.
    pub(super) fn unless_disabled(
        &mut self,
        r: Responder<LoginReply>,
        conn: ConnId,
        row: AgentRow,
        then: impl FnOnce(&mut Hub, Responder<LoginReply>, AgentRow) + Send + 'static,
    ) {
        let agent = row.id;
        self.read_then(
            move |rd| rd.agent_disabled(agent),
            move |hub, disabled| match disabled {
                Ok(false) => then(hub, r, row),
                Ok(true) => {
                    hub.end_auth(conn);
                    let e = ApiError::new(
                        ErrorCode::Forbidden,
                        "this account is disabled; ask an administrator",
                    );
                    hub.answer(r, Err(e))
                }
                Err(e) => {
                    hub.end_auth(conn);
                    hub.answer(r, Err(e))
                }
            },
        );
    }
}
