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
    /// When the user last pressed a key.
    pub last_key: Millis,
}

/// Which account request a reply answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountTag {
    Renew,
    Me,
    Save,
    Devices,
    EndDevice(i64),
}

/// The profile form's fields, in order (`AccountScreen::fields`).
pub const FIELDS: usize = 6;

/// The Account screen (`f10`): the profile form, then the signed-in devices.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccountScreen {
    /// Display name, initials, colour, contact, signature, language, as typed.
    pub fields: [String; FIELDS],
    /// 0..FIELDS: a field; FIELDS + i: the i-th device.
    pub selected: usize,
    pub devices: Vec<crate::protocol::account::DeviceView>,
    /// Typed into since the form was filled (a late `me.get` reply does not overwrite it).
    pub dirty: bool,
    /// A save or an end is on its way.
    pub busy: bool,
    /// The last refusal, from the server (sanitised).
    pub error: Option<String>,
    /// What went right last ("saved", "device ended").
    pub done: Option<String>,
}

impl AccountScreen {
    /// How many rows the selection moves over.
    pub fn rows(&self) -> usize {
        FIELDS + self.devices.len()
    }

    /// The selected device, if a device row is selected.
    pub fn device(&self) -> Option<&crate::protocol::account::DeviceView> {
        self.selected
            .checked_sub(FIELDS)
            .and_then(|i| self.devices.get(i))
    }
}
