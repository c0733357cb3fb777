//! The Reports screen's behaviour (S20, S26): opening it (alt-l), its keys (periods, personal /
//! team, breakdown, previous / next, refresh, typing a custom range), the `report.get` each
//! change sends, and its answers: only the one for the latest request is taken, so a slow
//! answer to an older question never replaces a newer one.

use super::effect::{Effect, Tag, request};
use super::report_period::{Period, PeriodError, PeriodKind, local_date, parse_custom};
use super::report_state::{ReportLoad, ReportsScreen};
use super::state::{App, HelpState, Overlay};
use crate::console::action::Action;
use crate::console::i18n::{fill, text};
use crate::console::keymap::Context;
use crate::console::reply::ReplyError;
use crate::console::sanitize::inert_line;
use crate::protocol::{ReportReply, ReportScope};

impl App {
    /// Whether the agent may see the team's report (supervisors and admins).
    pub fn sees_team(&self) -> bool {
        self.me.as_ref().is_some_and(|m| m.role.sees_all())
    }

    /// The open Reports screen, also while the help overlay is drawn over it.
    pub fn reports(&self) -> Option<&ReportsScreen> {
        match &self.overlay {
            Some(Overlay::Reports(r)) => Some(r),
            Some(Overlay::Help(h)) => match h.back.as_deref() {
                Some(Overlay::Reports(r)) => Some(r),
                _ => None,
            },
            _ => None,
        }
    }

    fn reports_mut(&mut self) -> Option<&mut ReportsScreen> {
        match &mut self.overlay {
            Some(Overlay::Reports(r)) => Some(r),
            Some(Overlay::Help(h)) => match h.back.as_deref_mut() {
                Some(Overlay::Reports(r)) => Some(r),
                _ => None,
            },
            _ => None,
        }
    }

    /// Opens the Reports screen on today's personal report and asks for it.
    pub fn open_reports(&mut self) -> Vec<Effect> {
        let tz = self.followup.tz.clone();
        let period =
            local_date(self.now, &tz).and_then(|today| Period::containing(PeriodKind::Day, today));
        let Ok(period) = period else {
            // Only a clock outside the calendar gets here.
            self.notice(text(self.lang).report_range_out);
            return Vec::new();
        };
        self.overlay = Some(Overlay::Reports(Box::new(ReportsScreen::new(period, tz))));
        self.ask_report()
    }

    /// The `report.get` for what the screen shows now.
    fn ask_report(&mut self) -> Vec<Effect> {
        let t = text(self.lang);
        let Some(screen) = self.reports_mut() else {
            return Vec::new();
        };
        let Some(get) = screen.request() else {
            screen.load = ReportLoad::Failed {
                code: None,
                message: t.report_range_out.to_string(),
            };
            return Vec::new();
        };
        let generation = screen.begin();
        vec![request(Tag::Report(generation), get)]
    }

    /// The keymap context while the screen is open: its own, or a text field's while a custom
    /// range is typed.
    pub fn reports_context(&self) -> Option<Context> {
        match &self.overlay {
            Some(Overlay::Reports(r)) if r.typing.is_some() => Some(Context::Dialog),
            Some(Overlay::Reports(_)) => Some(Context::Reports),
            _ => None,
        }
    }

    /// A typed character: into the custom range while it is being typed.
    pub fn reports_char(&mut self, c: char) -> Option<Vec<Effect>> {
        let Some(Overlay::Reports(r)) = &mut self.overlay else {
            return None;
        };
        if let Some(typing) = &mut r.typing {
            // A range is short; a paste of a novel is not one.
            if typing.chars().count() < 40 {
                typing.push(c);
            }
            r.typing_error = None;
        }
        Some(Vec::new())
    }

    /// A keymap action while the screen is on top.
    pub fn reports_action(&mut self, action: Action) -> Vec<Effect> {
        let sees_team = self.sees_team();
        let Some(Overlay::Reports(r)) = &mut self.overlay else {
            return Vec::new();
        };
        if r.typing.is_some() {
            return self.reports_typing(action);
        }
        use Action as A;
        let today = local_date(self.now, &r.tz);
        let kind = match action {
            A::ReportToday => Some(PeriodKind::Day),
            A::ReportWeek => Some(PeriodKind::Week),
            A::ReportMonth => Some(PeriodKind::Month),
            _ => None,
        };
        if let Some(kind) = kind {
            match today.and_then(|d| Period::containing(kind, d)) {
                Ok(p) => r.period = p,
                Err(_) => return Vec::new(),
            }
            return self.ask_report();
        }
        match action {
            A::ReportCustom => {
                r.typing = Some(String::new());
                r.typing_error = None;
                Vec::new()
            }
            A::ReportPrev | A::ReportNext => {
                let step = if action == A::ReportNext { 1 } else { -1 };
                let Ok(p) = r.period.shifted(step) else {
                    return Vec::new();
                };
                // Nothing has happened after today yet.
                if step > 0 && today.is_ok_and(|t| p.start > t) {
                    return Vec::new();
                }
                r.period = p;
                self.ask_report()
            }
            A::ReportScope | A::ReportBreakdown if !sees_team => {
                self.notice(text(self.lang).report_team_only);
                Vec::new()
            }
            A::ReportScope => {
                r.scope = match r.scope {
                    ReportScope::Me => ReportScope::Team,
                    ReportScope::Team => ReportScope::Me,
                };
                self.ask_report()
            }
            A::ReportBreakdown => {
                // Rows are a team report's; asking for them shows the team.
                if r.scope == ReportScope::Team {
                    r.next_breakdown();
                }
                r.scope = ReportScope::Team;
                self.ask_report()
            }
            A::ReportRefresh => self.ask_report(),
            A::ScrollDown | A::SelectNext | A::CursorDown => {
                let rows = r.reply().map_or(0, |x| x.rows.len());
                r.scroll = (r.scroll + 1).min(rows.saturating_sub(1));
                Vec::new()
            }
            A::ScrollUp | A::SelectPrev | A::CursorUp => {
                r.scroll = r.scroll.saturating_sub(1);
                Vec::new()
            }
            A::PageDown => {
                let rows = r.reply().map_or(0, |x| x.rows.len());
                r.scroll = (r.scroll + 10).min(rows.saturating_sub(1));
                Vec::new()
            }
            A::PageUp => {
                r.scroll = r.scroll.saturating_sub(10);
                Vec::new()
            }
            A::Help => {
                let back = self.overlay.take().map(Box::new);
                self.overlay = Some(Overlay::Help(HelpState {
                    back,
                    ..Default::default()
                }));
                Vec::new()
            }
            A::Cancel | A::Reports => {
                self.overlay = None;
                Vec::new()
            }
            // A full-screen view must not trap quitting or the agent's status.
            A::Quit | A::CycleStatus | A::StatusOnline | A::StatusBusy => {
                if action == A::Quit {
                    self.overlay = None;
                }
                self.update(action)
            }
            _ => Vec::new(),
        }
    }

    /// Keys while a custom range is typed: enter takes it, esc gives up, editing keys edit.
    fn reports_typing(&mut self, action: Action) -> Vec<Effect> {
        let Some(Overlay::Reports(r)) = &mut self.overlay else {
            return Vec::new();
        };
        let Some(typing) = &mut r.typing else {
            return Vec::new();
        };
        match action {
            Action::Confirm | Action::Send => match parse_custom(typing) {
                Ok(p) => {
                    r.period = p;
                    r.typing = None;
                    r.typing_error = None;
                    return self.ask_report();
                }
                Err(e) => r.typing_error = Some(e),
            },
            Action::Cancel => {
                r.typing = None;
                r.typing_error = None;
            }
            Action::DeleteBack => {
                typing.pop();
            }
            Action::DeleteWord | Action::ClearLine => typing.clear(),
            _ => {}
        }
        Vec::new()
    }

    /// The answer to a `report.get`: shown if it answers the latest request, else dropped.
    pub(super) fn on_report(&mut self, generation: u64, reply: ReportReply) -> Vec<Effect> {
        match self.reports_mut() {
            Some(r) if r.generation == generation => r.load = ReportLoad::Ready(Box::new(reply)),
            _ => tracing::debug!(generation, "a report answer for an older request, dropped"),
        }
        Vec::new()
    }

    /// A refused or unanswered `report.get`: the screen says why (sanitised).
    pub(super) fn on_report_error(&mut self, generation: u64, e: &ReplyError) -> Vec<Effect> {
        let t = text(self.lang);
        let (code, message) = match e {
            ReplyError::Api(e) => (Some(e.code), inert_line(&e.message).into_owned()),
            ReplyError::NotConnected => (None, t.reply_not_connected.to_string()),
            ReplyError::Unreadable { request, .. } => (
                None,
                fill(t.reply_unreadable, &[("request", &inert_line(request))]),
            ),
        };
        match self.reports_mut() {
            Some(r) if r.generation == generation => r.load = ReportLoad::Failed { code, message },
            _ => tracing::debug!(generation, "a report error for an older request, dropped"),
        }
        Vec::new()
    }
}

/// A refused custom range, for people.
pub fn range_error(lang: crate::console::i18n::Lang, e: PeriodError) -> &'static str {
    let t = text(lang);
    match e {
        PeriodError::Unreadable => t.report_range_unreadable,
        PeriodError::EndBeforeStart => t.report_range_order,
        PeriodError::TooLong => t.report_range_long,
        PeriodError::OutOfRange => t.report_range_out,
    }
}
