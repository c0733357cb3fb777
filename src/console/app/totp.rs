//! Two-factor enrolment in the console (`docs/two-factor.md`): `alt-f` (global action
//! `two_factor`), or forced after login when the role requires it (`must_enroll_totp`). The
//! screen asks for a secret (`totp.enroll`), shows it, takes the first code (`totp.confirm`)
//! and shows the ten recovery codes once. Keys are the dialog's: digits type the code, enter
//! confirms, esc leaves (not while enrolment is owed), f1 shows help over it.

use super::effect::request;
use super::totp_state::{CODE_MAX, TotpScreen, TotpStage, TotpTag};
use super::*;
use crate::console::action::Action;
use crate::console::i18n::text;
use crate::console::reply::Reply;
use crate::console::sanitize::inert_line;
use crate::protocol::request as req;

/// Longest secret or URI taken from the server (ours are about 32 and 110 characters).
const FIELD_MAX: usize = 512;

impl App {
    /// Opens the enrolment screen and asks for a secret.
    pub(super) fn open_two_factor(&mut self, forced: bool) -> Vec<Effect> {
        self.overlay = Some(Overlay::TwoFactor(Box::new(TotpScreen::new(forced))));
        vec![request(Tag::Totp(TotpTag::Enroll), req::TotpEnroll {})]
    }

    /// Logged in, but the role requires a second factor first: the screen instead of the
    /// workbench.
    pub(super) fn start_forced_enrolment(&mut self) -> Vec<Effect> {
        let mut fx = Vec::new();
        if let Some(form) = self.login.take() {
            fx.push(Effect::RememberLogin {
                server: form.server,
                username: form.username,
            });
        }
        fx.extend(self.open_two_factor(true));
        fx
    }

    fn totp_screen(&mut self) -> Option<&mut TotpScreen> {
        match &mut self.overlay {
            Some(Overlay::TwoFactor(s)) => Some(s),
            _ => None,
        }
    }

    /// Keymap actions while the screen is up.
    pub(super) fn totp_action(&mut self, action: Action) -> Vec<Effect> {
        let t = text(self.lang);
        if action == Action::Help {
            // Over this screen, which comes back when help closes.
            let back = self.overlay.take().map(Box::new);
            self.overlay = Some(Overlay::Help(HelpState {
                back,
                ..Default::default()
            }));
            return Vec::new();
        }
        let Some(s) = self.totp_screen() else {
            return Vec::new();
        };
        if let TotpStage::Codes(_) = s.stage {
            return match action {
                Action::Confirm | Action::Send | Action::Cancel => self.close_two_factor(),
                _ => Vec::new(),
            };
        }
        match action {
            Action::Cancel if s.forced => s.error = Some(t.totp_forced.to_string()),
            Action::Cancel => self.overlay = None,
            Action::Quit if s.forced => {
                self.should_quit = true;
                return vec![Effect::Quit];
            }
            Action::DeleteBack => {
                s.code.pop();
            }
            Action::ClearLine | Action::DeleteWord => s.code.clear(),
            Action::Confirm | Action::Send => {
                let code = s.code.trim().to_string();
                if s.busy || code.is_empty() || !matches!(s.stage, TotpStage::Scan { .. }) {
                    return Vec::new();
                }
                s.busy = true;
                s.error = None;
                return vec![request(
                    Tag::Totp(TotpTag::Confirm),
                    req::TotpConfirm { code },
                )];
            }
            _ => {}
        }
        Vec::new()
    }

    /// A character typed on the screen: digits (and spaces, as apps group them) go to the
    /// code field.
    pub(super) fn totp_type(&mut self, c: char) {
        if let Some(s) = self.totp_screen()
            && matches!(s.stage, TotpStage::Scan { .. })
            && (c.is_ascii_alphanumeric() || c == ' ' || c == '-')
            && s.code.chars().count() < CODE_MAX
        {
            s.code.push(c);
            s.error = None;
        }
    }

    /// Done (after the recovery codes): back to work, or to it for the first time.
    fn close_two_factor(&mut self) -> Vec<Effect> {
        let forced = matches!(&self.overlay, Some(Overlay::TwoFactor(s)) if s.forced);
        self.overlay = None;
        if forced || self.totp_owed {
            self.totp_owed = false;
            return self.enter_workbench(false);
        }
        Vec::new()
    }

    pub(super) fn on_totp_reply(&mut self, tag: TotpTag, reply: Reply) -> Vec<Effect> {
        let Some(s) = self.totp_screen() else {
            return Vec::new();
        };
        match (tag, reply) {
            (TotpTag::Enroll, Reply::TotpEnroll(r)) => {
                s.stage = TotpStage::Scan {
                    secret: bounded(&r.secret),
                    uri: bounded(&r.uri),
                };
                s.error = None;
            }
            (TotpTag::Confirm, Reply::TotpConfirm(r)) => {
                s.busy = false;
                s.code.clear();
                s.stage = TotpStage::Codes(
                    r.recovery_codes
                        .iter()
                        .take(20)
                        .map(|c| bounded(c))
                        .collect(),
                );
            }
            (_, other) => {
                tracing::error!(
                    reply = other.name(),
                    "a reply that does not fit the 2FA screen"
                );
            }
        }
        Vec::new()
    }

    /// The screen stays up with the server's reason in it; `false` if it is not up.
    pub(super) fn totp_failed(&mut self, message: &str) -> bool {
        let Some(s) = self.totp_screen() else {
            return false;
        };
        s.busy = false;
        s.error = Some(message.to_string());
        true
    }
}

/// Text from the network, bounded and made inert before it is kept.
fn bounded(s: &str) -> String {
    inert_line(s).chars().take(FIELD_MAX).collect()
}
