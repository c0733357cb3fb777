//! The console's account state (issue 12): the server it signed in to (to sign in again after
//! being signed out), the profile as the server last said, and when the sign-in was last
//! renewed.

use crate::model::Millis;
use crate::protocol::account::MeReply;

/// How often, at most, typing renews the sign-in (`token.renew`).
pub const RENEW_EVERY_MS: Millis = 60_000;

#[derive(Debug, Clone, Default)]
pub struct AccountState {
    /// The server address of the last login (the login form gets it back when signed out).
    pub server: String,
    /// Our own profile (`me.get` after login, `me.update` replies).
    pub me: Option<MeReply>,
    /// When the last `token.renew` went out (0: never).
    pub last_renew: Millis,
}

/// Which account request a reply answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountTag {
    Renew,
    Me,
}
