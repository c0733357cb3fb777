//! The console's side of the agent's own account (issue 12, `docs/accounts.md`): colleagues'
//! profile changes arriving live, keeping the sign-in alive while the user types, being signed
//! out by the server, and the Account screen (`f10`: the profile form and the signed-in
//! devices).

use super::account_state::{AccountTag, RENEW_EVERY_MS};
use super::effect::request;
use super::{App, ConnState, Effect, LoginForm, Tag};
use crate::console::i18n::text;
use crate::console::reply::Reply;
use crate::console::sanitize::inert_line;
use crate::protocol::AgentInfo;
use crate::protocol::request as req;

impl App {
    /// A colleague (or we, on another console) changed their profile: the directory shows it.
    pub(super) fn on_agent_updated(&mut self, agent: AgentInfo) -> Vec<Effect> {
        if let Some(me) = self.me.as_mut().filter(|m| m.id == agent.id) {
            *me = agent.clone();
        }
        match self.directory.iter_mut().find(|a| a.id == agent.id) {
            Some(a) => *a = agent,
            None => self.directory.push(agent),
        }
        Vec::new()
    }
}

impl App {
    /// What the workbench asks for once logged in: our own profile (the signature for quick
    /// replies).
    pub(super) fn account_on_login(&mut self) -> Vec<Effect> {
        self.account.last_renew = self.now;
        vec![request(Tag::Account(AccountTag::Me), req::MeGet {})]
    }

    /// Called by the run loop: while the user presses keys, the sign-in is renewed (at most
    /// once a minute) so it does not expire while they work; an idle console sends nothing.
    pub fn renew_due(&mut self) -> Vec<Effect> {
        if self.login.is_some() || self.me.is_none() || self.conn != ConnState::Connected {
            return Vec::new();
        }
        let a = &self.account;
        if a.last_key <= a.last_renew || self.now - a.last_renew < RENEW_EVERY_MS {
            return Vec::new();
        }
        self.account.last_renew = self.now;
        vec![request(Tag::Account(AccountTag::Renew), req::TokenRenew {})]
    }

    /// The server ended this sign-in (close 1008): back to the login form, saying why.
    pub(super) fn on_signed_out(&mut self, reason: String) -> Vec<Effect> {
        let t = text(self.lang);
        let reason = inert_line(&reason).into_owned();
        let username = self
            .me
            .as_ref()
            .map(|m| m.username.clone())
            .unwrap_or_default();
        self.overlay = None;
        self.conn = ConnState::Connecting;
        self.login = Some(LoginForm {
            server: self.account.server.clone(),
            username,
            field: 2,
            error: Some(format!("{}: {reason}", t.account_signed_out)),
            ..Default::default()
        });
        Vec::new()
    }

    pub(super) fn on_account_reply(&mut self, tag: AccountTag, reply: Reply) -> Vec<Effect> {
        match (tag, reply) {
            (AccountTag::Me, Reply::MeGet(me)) => self.account_me(me, false),
            (AccountTag::Save, Reply::MeUpdate(me)) => self.account_me(me, true),
            (AccountTag::Devices, Reply::DevicesList(r)) => self.account_devices(r.devices),
            (AccountTag::EndDevice(id), Reply::DeviceEnd(_)) => {
                self.account_device_ended(id);
                // The list again: what is left, with fresh last-use times.
                return vec![request(
                    Tag::Account(AccountTag::Devices),
                    req::DevicesList {},
                )];
            }
            (AccountTag::Renew, Reply::TokenRenew(_)) => {}
            (tag, reply) => {
                tracing::error!(?tag, reply = reply.name(), "a reply that does not fit");
            }
        }
        Vec::new()
    }
}
