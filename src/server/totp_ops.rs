//! The second factor (TOTP, RFC 6238) on the hub: `totp.enroll`, `totp.confirm`,
//! `totp.disable`, and the check of the code at login ([`Hub::second_factor`]).

use super::audit_ops::not_yet;
use super::hub::{Auth, Hub};
use super::outbox::ConnId;
use super::respond::Responder;
use crate::model::AgentId;
use crate::protocol::account::{
    TotpConfirm, TotpConfirmReply, TotpDisable, TotpEnroll, TotpEnrollReply,
};
use crate::protocol::{ApiError, Empty};
use crate::store::AgentRow;

/// What to do once the second factor is checked: the row again, or the error to answer.
pub(super) type SecondFactorDone = Box<dyn FnOnce(&mut Hub, Result<AgentRow, ApiError>) + Send>;

impl Hub {
    /// The password was right: if the account has a second factor, `totp` must be a current
    /// code (used once) or an unused recovery code; `totp_required` when it is missing.
    /// Calls `done` (possibly after a read) with the outcome.
    pub(super) fn second_factor(
        &mut self,
        _conn: ConnId,
        row: AgentRow,
        _totp: Option<String>,
        done: SecondFactorDone,
    ) {
        done(self, Ok(row));
    }

    /// Whether the agent's role requires a second factor they have not enrolled yet.
    pub(super) fn must_enroll_totp(&self, _agent: AgentId) -> bool {
        false
    }

    pub(super) fn totp_enroll(
        &mut self,
        r: Responder<TotpEnrollReply>,
        _conn: ConnId,
        _auth: Auth,
        _q: TotpEnroll,
    ) {
        self.answer(r, Err(not_yet("totp.enroll")));
    }

    pub(super) fn totp_confirm(
        &mut self,
        r: Responder<TotpConfirmReply>,
        _conn: ConnId,
        _auth: Auth,
        _q: TotpConfirm,
    ) {
        self.answer(r, Err(not_yet("totp.confirm")));
    }

    pub(super) fn totp_disable(
        &mut self,
        r: Responder<Empty>,
        _conn: ConnId,
        _auth: Auth,
        _q: TotpDisable,
    ) {
        self.answer(r, Err(not_yet("totp.disable")));
    }
}
