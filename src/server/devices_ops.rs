//! Signed-in devices and idle expiry on the hub: `devices.list`, `devices.end`, `token.renew`.

use super::audit_ops::not_yet;
use super::hub::{Auth, Hub};
use super::outbox::ConnId;
use super::respond::Responder;
use crate::protocol::Empty;
use crate::protocol::account::{DeviceEnd, DevicesList, DevicesReply, TokenRenew, TokenRenewReply};

impl Hub {
    pub(super) fn devices_list(
        &mut self,
        r: Responder<DevicesReply>,
        _conn: ConnId,
        _auth: Auth,
        _q: DevicesList,
    ) {
        self.answer(r, Err(not_yet("devices.list")));
    }

    pub(super) fn device_end(
        &mut self,
        r: Responder<Empty>,
        _conn: ConnId,
        _auth: Auth,
        _q: DeviceEnd,
    ) {
        self.answer(r, Err(not_yet("devices.end")));
    }

    pub(super) fn token_renew(
        &mut self,
        r: Responder<TokenRenewReply>,
        _conn: ConnId,
        _auth: Auth,
        _q: TokenRenew,
    ) {
        self.answer(r, Err(not_yet("token.renew")));
    }
}
