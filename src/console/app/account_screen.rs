//! The Account screen (`f10`, keymap context `[account]`): the profile form (display name,
//! initials, colour, contact, signature, language; `enter` saves it with `me.update`) and the
//! signed-in devices (`devices.list`; a key ends the selected one with `devices.end`).

use super::account_state::{AccountScreen, AccountTag, FIELDS};
use super::effect::request;
use super::{App, Effect, Overlay, Tag};
use crate::console::action::Action;
use crate::console::i18n::text;
use crate::protocol::account::{DeviceEnd, DevicesList, MeGet, MeReply, MeUpdate};

/// Longest text a field takes (the server checks the real limits and says which).
const MAX_FIELD_CHARS: usize = 200;

/// The form's fields from a profile.
fn fields_of(me: &MeReply) -> [String; FIELDS] {
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        me.display_name.clone(),
        o(&me.initials),
        o(&me.color),
        o(&me.contact),
        o(&me.signature),
        o(&me.language),
    ]
}

impl App {
    fn account_screen(&mut self) -> Option<&mut AccountScreen> {
        match &mut self.overlay {
            Some(Overlay::Account(a)) => Some(a),
            _ => None,
        }
    }

    /// `f10`: opens the screen with what we know, and asks for the profile and the devices.
    pub(super) fn open_account(&mut self) -> Vec<Effect> {
        let mut screen = AccountScreen::default();
        match (&self.account.me, &self.me) {
            (Some(me), _) => screen.fields = fields_of(me),
            (None, Some(me)) => screen.fields[0] = me.display_name.clone(),
            _ => {}
        }
        self.overlay = Some(Overlay::Account(screen));
        vec![
            request(Tag::Account(AccountTag::Me), MeGet {}),
            request(Tag::Account(AccountTag::Devices), DevicesList {}),
        ]
    }

    /// Keys while the Account screen is open.
    pub(super) fn account_action(&mut self, action: Action) -> Vec<Effect> {
        use Action as A;
        let Some(s) = self.account_screen() else {
            return Vec::new();
        };
        let rows = s.rows().max(1);
        match action {
            A::Cancel | A::Account => {
                self.overlay = None;
                return Vec::new();
            }
            // The second factor lives on its own screen (`totp`), reached from here too.
            A::TwoFactor => return self.open_two_factor(false),
            A::SelectNext | A::NextField | A::CursorDown => s.selected = (s.selected + 1) % rows,
            A::SelectPrev | A::CursorUp => s.selected = (s.selected + rows - 1) % rows,
            A::DeleteBack => {
                if let Some(f) = s.fields.get_mut(s.selected) {
                    f.pop();
                    s.dirty = true;
                }
            }
            A::ClearLine | A::DeleteWord => {
                if let Some(f) = s.fields.get_mut(s.selected) {
                    f.clear();
                    s.dirty = true;
                }
            }
            A::Confirm if s.selected < FIELDS && !s.busy => return self.save_profile(),
            A::AccountEndDevice => return self.end_device(),
            _ => {}
        }
        Vec::new()
    }

    /// A character typed into the selected field.
    pub(super) fn account_type(&mut self, c: char) -> Vec<Effect> {
        if let Some(s) = self.account_screen()
            && let Some(f) = s.fields.get_mut(s.selected)
            && f.chars().count() < MAX_FIELD_CHARS
        {
            f.push(c);
            s.dirty = true;
            s.error = None;
            s.done = None;
        }
        Vec::new()
    }

    fn save_profile(&mut self) -> Vec<Effect> {
        let Some(s) = self.account_screen() else {
            return Vec::new();
        };
        let f = |i: usize| Some(s.fields[i].trim().to_string());
        let q = MeUpdate {
            display_name: f(0),
            initials: f(1),
            color: f(2),
            contact: f(3),
            signature: f(4),
            language: f(5),
        };
        s.busy = true;
        s.error = None;
        s.done = None;
        vec![request(Tag::Account(AccountTag::Save), q)]
    }

    fn end_device(&mut self) -> Vec<Effect> {
        let t = text(self.lang);
        let Some(s) = self.account_screen() else {
            return Vec::new();
        };
        let Some(d) = s.device() else {
            s.error = Some(t.account_pick_device.to_string());
            return Vec::new();
        };
        if d.current {
            s.error = Some(t.account_this_device.to_string());
            return Vec::new();
        }
        let id = d.id;
        s.busy = true;
        s.error = None;
        s.done = None;
        vec![request(
            Tag::Account(AccountTag::EndDevice(id)),
            DeviceEnd { device_id: id },
        )]
    }

    /// Our profile as the server has it: kept, and shown in the form unless typed into.
    pub(super) fn account_me(&mut self, me: MeReply, saved: bool) {
        let t = text(self.lang);
        if let Some(Overlay::Account(s)) = &mut self.overlay
            && (saved || !s.dirty)
        {
            s.fields = fields_of(&me);
            s.dirty = false;
            if saved {
                s.busy = false;
                s.error = None;
                s.done = Some(t.account_saved.to_string());
            }
        }
        self.account.me = Some(me);
    }

    pub(super) fn account_devices(&mut self, devices: Vec<crate::protocol::account::DeviceView>) {
        if let Some(s) = self.account_screen() {
            s.devices = devices;
            s.selected = s.selected.min(s.rows().saturating_sub(1));
        }
    }

    pub(super) fn account_device_ended(&mut self, id: i64) {
        let t = text(self.lang);
        if let Some(s) = self.account_screen() {
            s.busy = false;
            s.devices.retain(|d| d.id != id);
            s.selected = s.selected.min(s.rows().saturating_sub(1));
            s.done = Some(t.account_device_ended.to_string());
        }
    }

    /// A refused save or end is shown on the screen; `false` if the screen is not open.
    pub(super) fn account_failed(&mut self, message: &str) -> bool {
        match self.account_screen() {
            Some(s) => {
                s.busy = false;
                s.error = Some(message.to_string());
                true
            }
            None => false,
        }
    }
}
