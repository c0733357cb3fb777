//! The second factor (TOTP, RFC 6238) on the hub: `totp.enroll`, `totp.confirm`,
//! `totp.disable`. The code check at login is in `agent_auth.rs`.

use super::audit_ops::not_yet;
use super::hub::{Auth, Hub};
use super::outbox::ConnId;
use super::respond::Responder;
use crate::protocol::Empty;
use crate::protocol::account::{
    TotpConfirm, TotpConfirmReply, TotpDisable, TotpEnroll, TotpEnrollReply,
};

impl Hub {
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
