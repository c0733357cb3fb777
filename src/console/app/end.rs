//! Ending a conversation from the console (S16–S18, `docs/ending.md`): the End dialog (who
//! and what is ended, a closing phrase picked or typed, tags with suggestions, the outcome,
//! now or once the customer is silent), the pending end's cancel (`alt-x`), and the
//! customer's rating arriving for the agent who served them.

use super::effect::{Effect, Tag, request};
use super::end_state::{DEFAULT_WAIT_MINS, EndDialog, EndField, EndTag, MAX_WAIT_MINS};
use super::end_text::{clock, end_text, other_text, stars};
use super::state::*;
use crate::console::action::Action;
use crate::console::i18n::{fill, text};
use crate::console::reply::Reply;
use crate::console::sanitize::inert_line;
use crate::model::EndReason;
use crate::protocol::request as req;
use crate::protocol::{PendingEnd, RatingInfo};

/// Longest tag the server takes, in characters.
const MAX_TAG_CHARS: usize = 64;
/// Longest comment shown in the status line (the profile keeps it whole).
const COMMENT_SHOWN: usize = 80;
/// The quick replies offered as closing phrases carry this intent.
pub const CLOSING_INTENT: &str = "closing";

impl App {
    /// Opens the End dialog on the selected writable session, and asks for tag suggestions.
    pub fn open_end(&mut self) -> Vec<Effect> {
        let Some(id) = self.writable() else {
            return Vec::new();
        };
        let Some(s) = self.sessions.get(&id) else {
            return Vec::new();
        };
        let v = &s.view;
        let customer_ref = v
            .customer
            .external_id
            .clone()
            .unwrap_or_else(|| format!("#{}", v.customer.id));
        let require_tags = self
            .queues
            .iter()
            .any(|q| q.group == v.group && q.require_tags);
        let tags = v.tags.clone();
        let mut dialog = EndDialog {
            session: id,
            nickname: v.customer.nickname.clone(),
            customer_ref,
            channel: v.channel,
            group: v.group.clone(),
            started: v.created_at,
            messages: (v.last_seq > 0).then_some(v.last_seq),
            field: EndField::Phrase,
            phrases: self.closing_phrases(),
            phrase_at: Some(0),
            phrase: String::new(),
            existing_tags: tags.len(),
            tags,
            tag_input: String::new(),
            suggestions: self.local_tags(),
            suggest_at: None,
            generation: 0,
            require_tags,
            resolved: true,
            wait: false,
            wait_mins: DEFAULT_WAIT_MINS,
            error: None,
            sending: false,
        };
        dialog.phrase = dialog.phrases.first().cloned().unwrap_or_default();
        // Opened again while an end is pending: it shows that end (confirming changes it).
        if let Some(p) = v.pending_end {
            dialog.wait = true;
            dialog.wait_mins = (p.silence_secs / 60).clamp(1, MAX_WAIT_MINS);
            dialog.resolved = p.outcome != EndReason::Unresolved;
        }
        self.overlay = Some(Overlay::End(dialog));
        self.suggest_tags()
    }

    /// Statements in our language (the default first), the team's closing quick replies
    /// (intent `closing`, variables filled), then the other language's.
    pub fn closing_phrases(&self) -> Vec<String> {
        let ours = end_text(self.lang).phrases_builtin;
        let mut out: Vec<String> = vec![ours[0].to_string()];
        for q in &self.quick_replies {
            if q.intents.iter().any(|i| i == CLOSING_INTENT) {
                out.push(self.fill_quick_reply(q).text);
            }
        }
        out.extend(ours[1..].iter().map(|s| s.to_string()));
        out.extend(other_text(self.lang).phrases_builtin.map(str::to_string));
        let mut seen = std::collections::HashSet::new();
        out.retain(|p| !p.trim().is_empty() && seen.insert(p.clone()));
        out
    }

    /// Tags this console has seen (the tag dialog's, the sessions' and their past ones').
    fn local_tags(&self) -> Vec<String> {
        let mut out = self.known_tags.clone();
        for s in self.sessions.values() {
            let past = s.past.iter().flatten().flat_map(|p| p.tags.iter());
            for t in s.view.tags.iter().chain(past) {
                if !out.contains(t) {
                    out.push(t.clone());
                }
            }
        }
        out
    }

    /// Asks the server for the most used tags starting with the dialog's tag input.
    fn suggest_tags(&mut self) -> Vec<Effect> {
        let Some(Overlay::End(d)) = &mut self.overlay else {
            return Vec::new();
        };
        d.generation += 1;
        let q = req::TagsSuggest {
            prefix: d.tag_input.trim().to_string(),
            limit: None,
        };
        vec![request(Tag::Ending(EndTag::Suggest(d.generation)), q)]
    }

    /// Keys while the End dialog is open.
    pub(super) fn end_action(&mut self, action: Action) -> Vec<Effect> {
        use Action as A;
        let t = end_text(self.lang);
        if action == A::Cancel {
            self.overlay = None;
            return Vec::new();
        }
        if action == A::CancelEnd {
            return self.cancel_end();
        }
        let Some(Overlay::End(d)) = &mut self.overlay else {
            return Vec::new();
        };
        if d.sending {
            return Vec::new();
        }
        let down = matches!(action, A::SelectNext | A::CursorDown);
        match (d.field, action) {
            (_, A::NextField) => d.field = d.field.next(),
            (EndField::Phrase, A::SelectNext | A::SelectPrev | A::CursorDown | A::CursorUp) => {
                let n = d.phrases.len();
                if n > 0 {
                    let at = match d.phrase_at {
                        Some(i) if down => (i + 1) % n,
                        Some(i) => (i + n - 1) % n,
                        None if down => 0,
                        None => n - 1,
                    };
                    d.phrase_at = Some(at);
                    d.phrase = d.phrases[at].clone();
                }
            }
            (EndField::Tags, A::SelectNext | A::SelectPrev | A::CursorDown | A::CursorUp) => {
                let n = d.matching().len();
                if n > 0 {
                    d.suggest_at = Some(match d.suggest_at {
                        Some(i) if down => (i + 1) % n,
                        Some(i) => (i + n - 1) % n,
                        None if down => 0,
                        None => n - 1,
                    });
                }
            }
            (EndField::Outcome, A::SelectNext | A::SelectPrev | A::CursorLeft | A::CursorRight) => {
                d.resolved = !d.resolved
            }
            (EndField::When, A::SelectNext | A::SelectPrev | A::CursorLeft | A::CursorRight) => {
                d.wait = !d.wait
            }
            (_, A::DeleteBack | A::DeleteWord | A::ClearLine) => {
                let changed_tags = d.field == EndField::Tags;
                match d.field {
                    EndField::Phrase => {
                        edit(&mut d.phrase, action);
                        d.phrase_at = None;
                    }
                    EndField::Tags => {
                        // Backspace on an empty input takes back the last tag added here.
                        if d.tag_input.is_empty() && action == A::DeleteBack {
                            if d.tags.len() > d.existing_tags {
                                d.tags.pop();
                            }
                        } else {
                            edit(&mut d.tag_input, action);
                        }
                        d.suggest_at = None;
                    }
                    EndField::When => {
                        d.wait_mins /= 10;
                        d.wait_mins = d.wait_mins.max(1);
                    }
                    EndField::Outcome => {}
                }
                if changed_tags {
                    return self.suggest_tags();
                }
            }
            (EndField::Tags, A::Confirm)
                if !d.tag_input.trim().is_empty() || d.suggest_at.is_some() =>
            {
                let picked = d
                    .suggest_at
                    .and_then(|i| d.matching().get(i).map(|s| s.to_string()));
                let tag = picked.unwrap_or_else(|| d.tag_input.trim().to_string());
                if tag.chars().count() > MAX_TAG_CHARS {
                    d.error = Some(format!("{} ≤ {MAX_TAG_CHARS}", t.tags));
                    return Vec::new();
                }
                if !d.tags.contains(&tag) {
                    d.tags.push(tag);
                }
                d.tag_input.clear();
                d.suggest_at = None;
                d.error = None;
                return self.suggest_tags();
            }
            (_, A::Confirm) => return self.confirm_end(),
            _ => {}
        }
        Vec::new()
    }

    /// A character typed into the End dialog.
    pub(super) fn end_type(&mut self, c: char) -> Vec<Effect> {
        let Some(Overlay::End(d)) = &mut self.overlay else {
            return Vec::new();
        };
        if d.sending {
            return Vec::new();
        }
        match d.field {
            EndField::Phrase => {
                d.phrase.push(c);
                d.phrase_at = None;
            }
            EndField::Tags => {
                d.tag_input.push(c);
                d.suggest_at = None;
                return self.suggest_tags();
            }
            EndField::Outcome if c == ' ' => d.resolved = !d.resolved,
            EndField::When if c == ' ' => d.wait = !d.wait,
            EndField::When => {
                if let Some(digit) = c.to_digit(10) {
                    // Typing digits sets the minutes (and chooses waiting).
                    let mins = d.wait_mins.saturating_mul(10).saturating_add(digit);
                    d.wait_mins = if !d.wait || mins > MAX_WAIT_MINS {
                        digit
                    } else {
                        mins
                    }
                    .clamp(1, MAX_WAIT_MINS);
                    d.wait = true;
                }
            }
            EndField::Outcome => {}
        }
        Vec::new()
    }

    /// Confirming: the end request, unless a required tag is missing (the dialog says so and
    /// keeps what was typed). The dialog stays until the server answers.
    fn confirm_end(&mut self) -> Vec<Effect> {
        let t = end_text(self.lang);
        let Some(Overlay::End(d)) = &mut self.overlay else {
            return Vec::new();
        };
        if d.require_tags && d.tags.is_empty() {
            d.error = Some(t.need_tag.to_string());
            d.field = EndField::Tags;
            return Vec::new();
        }
        let phrase = d.phrase.trim().to_string();
        let end = req::End {
            session_id: d.session,
            closing_message: (!phrase.is_empty()).then_some(phrase),
            outcome: Some(if d.resolved {
                EndReason::Resolved
            } else {
                EndReason::Unresolved
            }),
            after_silence_secs: d.wait.then_some(d.wait_mins * 60),
            tags: d.new_tags(),
        };
        d.sending = true;
        d.error = None;
        vec![request(Tag::Ending(EndTag::End(d.session)), end)]
    }

    /// `alt-x`: calls off the pending end of the selected session (or the dialog's).
    pub fn cancel_end(&mut self) -> Vec<Effect> {
        let id = match &self.overlay {
            Some(Overlay::End(d)) => Some(d.session),
            _ => self.writable(),
        };
        let pending = id.filter(|id| {
            self.sessions
                .get(id)
                .is_some_and(|s| s.view.ends_at.is_some())
        });
        let Some(id) = pending else {
            self.notice(end_text(self.lang).nothing_pending);
            return Vec::new();
        };
        if matches!(self.overlay, Some(Overlay::End(_))) {
            self.overlay = None;
        }
        let cancel = req::EndCancel { session_id: id };
        vec![request(Tag::Ending(EndTag::Cancel(id)), cancel)]
    }

    pub(super) fn on_end_reply(&mut self, tag: EndTag, reply: Reply) -> Vec<Effect> {
        let t = end_text(self.lang);
        match (tag, reply) {
            (EndTag::End(id), Reply::End(r)) => {
                let dialog = match self.overlay.take() {
                    Some(Overlay::End(d)) if d.session == id => Some(d),
                    other => {
                        self.overlay = other;
                        None
                    }
                };
                match r.ends_at {
                    Some(at) => {
                        if let Some(s) = self.sessions.get_mut(&id) {
                            s.view.ends_at = Some(at);
                            if let Some(d) = &dialog {
                                s.view.pending_end = Some(PendingEnd {
                                    silence_secs: d.wait_mins * 60,
                                    outcome: if d.resolved {
                                        EndReason::Resolved
                                    } else {
                                        EndReason::Unresolved
                                    },
                                });
                            }
                        }
                        let left = clock(at - self.now);
                        self.notice(format!("#{id} {}", fill(t.pending_notice, &[("t", &left)])));
                    }
                    None => {
                        self.remove_session(id);
                        self.notice(format!("#{id} {}", text(self.lang).system_ended));
                    }
                }
            }
            (EndTag::Cancel(id), Reply::EndCancel(_)) => {
                if let Some(s) = self.sessions.get_mut(&id) {
                    s.view.ends_at = None;
                    s.view.pending_end = None;
                }
                self.notice(format!("#{id} {}", t.cancelled));
            }
            (EndTag::Suggest(generation), Reply::TagsSuggest(r)) => {
                let local = self.local_tags();
                if let Some(Overlay::End(d)) = &mut self.overlay
                    && d.generation == generation
                {
                    let mut tags: Vec<String> = r.tags.into_iter().map(|c| c.tag).collect();
                    for l in local {
                        if !tags.contains(&l) {
                            tags.push(l);
                        }
                    }
                    d.suggestions = tags;
                    d.suggest_at = None;
                }
            }
            (tag, reply) => {
                tracing::error!(
                    ?tag,
                    reply = reply.name(),
                    "a reply that does not fit its request"
                );
            }
        }
        Vec::new()
    }

    /// An ending request failed. The End dialog keeps what was typed and shows why; a failed
    /// suggestion changes nothing. Returns whether the error was taken care of.
    pub(super) fn end_failed(&mut self, tag: &EndTag, message: &str) -> bool {
        match tag {
            EndTag::End(id) => match &mut self.overlay {
                Some(Overlay::End(d)) if d.session == *id => {
                    d.error = Some(message.to_string());
                    d.sending = false;
                    true
                }
                _ => false,
            },
            EndTag::Suggest(_) => true,
            EndTag::Cancel(_) => false,
        }
    }

    /// The customer rated a conversation we served: the status line says so, and the
    /// profile's history shows it.
    pub(super) fn on_rated(&mut self, info: RatingInfo) -> Vec<Effect> {
        for s in self.sessions.values_mut() {
            for p in s.past.iter_mut().flatten() {
                if p.id == info.session_id {
                    p.csat = Some(info.stars);
                    p.csat_comment = info.comment.clone();
                }
            }
            if s.view.id == info.session_id {
                s.view.csat = Some(info.stars);
                s.view.csat_comment = info.comment.clone();
            }
        }
        let comment = info
            .comment
            .as_deref()
            .map(|c| {
                let c = inert_line(c);
                let mut shown: String = c.chars().take(COMMENT_SHOWN).collect();
                if c.chars().count() > COMMENT_SHOWN {
                    shown.push('…');
                }
                format!(" “{shown}”")
            })
            .unwrap_or_default();
        let line = fill(
            end_text(self.lang).rated,
            &[
                ("who", &inert_line(&info.nickname)),
                ("id", &info.session_id.to_string()),
                ("stars", &stars(info.stars)),
                ("comment", &comment),
            ],
        );
        self.notice(line);
        Vec::new()
    }
}

/// Backspace, word delete and clear on a dialog's text.
fn edit(s: &mut String, action: Action) {
    match action {
        Action::DeleteBack => {
            s.pop();
        }
        Action::DeleteWord => {
            let keep = s
                .trim_end()
                .rfind(char::is_whitespace)
                .map(|i| i + 1)
                .unwrap_or(0);
            s.truncate(keep);
        }
        Action::ClearLine => s.clear(),
        _ => {}
    }
}
