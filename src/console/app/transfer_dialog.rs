//! The transfer dialog's round trip (issue 10, S12): it stays open while the request is on its
//! way; a refusal shows the server's reason in the dialog with the note kept, and when the
//! target could not take it now (`unavailable`) confirming again sends it with `queue: true`
//! ("queue anyway"). Success closes it.

use super::state::{App, Overlay};
use crate::model::SessionId;
use crate::protocol::ErrorCode;

impl App {
    /// The transfer went through: its dialog (if still open) closes.
    pub fn transfer_done(&mut self, session: SessionId) {
        if matches!(&self.overlay, Some(Overlay::Transfer { session: s, .. }) if *s == session) {
            self.overlay = None;
        }
    }

    /// The transfer was refused: with the dialog still open, the reason goes into it (and
    /// "queue anyway" is offered for `unavailable`); returns whether it did.
    pub fn transfer_refused(
        &mut self,
        session: SessionId,
        code: Option<ErrorCode>,
        message: &str,
    ) -> bool {
        match &mut self.overlay {
            Some(Overlay::Transfer {
                session: s, status, ..
            }) if *s == session => {
                status.sending = false;
                status.refused = Some(message.to_string());
                status.queue_offered = code == Some(ErrorCode::Unavailable);
                true
            }
            _ => false,
        }
    }
}
