//! Internal notes and @mentions in the console (`docs/notes.md`).

use super::*;
use crate::protocol::MentionView;

impl App {
    pub(super) fn on_mentioned(&mut self, m: MentionView) -> Vec<Effect> {
        let _ = m;
        Vec::new()
    }
}
