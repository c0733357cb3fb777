//! The console's CC (抄送) flow: what the status line says when a CC is queued, delivered or
//! given up (the `cc_status` event).

use super::effect::Effect;
use super::state::App;
use crate::console::sanitize::inert_line;
use crate::protocol::{CcInfo, CcState};

impl App {
    pub(super) fn on_cc_status(&mut self, cc: CcInfo) -> Vec<Effect> {
        let to = inert_line(cc.contact.as_deref().unwrap_or(&cc.target)).into_owned();
        let text = match cc.state {
            CcState::Delivered => format!("#{} CC → {to}: delivered ✓", cc.session_id),
            CcState::Failed => format!(
                "#{} CC → {to}: FAILED after {} attempts ({})",
                cc.session_id,
                cc.attempts,
                inert_line(cc.last_error.as_deref().unwrap_or("-"))
            ),
            CcState::Pending => format!("#{} CC → {to}: queued", cc.session_id),
        };
        self.notice(text);
        Vec::new()
    }
}
