//! The agent's personal profile (S5) on the hub: `me.get`, `me.update`.

use super::audit_ops::not_yet;
use super::hub::{Auth, Hub};
use super::outbox::ConnId;
use super::respond::Responder;
use crate::protocol::account::{MeGet, MeReply, MeUpdate};

impl Hub {
    pub(super) fn me_get(&mut self, r: Responder<MeReply>, _conn: ConnId, _auth: Auth, _q: MeGet) {
        self.answer(r, Err(not_yet("me.get")));
    }

    pub(super) fn me_update(
        &mut self,
        r: Responder<MeReply>,
        _conn: ConnId,
        _auth: Auth,
        _q: MeUpdate,
    ) {
        self.answer(r, Err(not_yet("me.update")));
    }
}
