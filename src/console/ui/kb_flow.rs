//! The knowledge-base panel's workflow views (see `app::kb_flow`): latest updates, the
//! proposals list, an open proposal's diff (`+` lines in `kb.diff.add`, `-` lines in
//! `kb.diff.del`) with the rejection prompt, and the articles sent in the current session
//! (drawn in the profile sidebar). Every string from the network is made inert.

use super::ctx::Ctx;
use crate::console::app::{Focus, KbView};
use crate::console::sanitize::inert_line;
use crate::protocol::{DiffOp, ProposalStatus, UpdateKind};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// The KB panel's title: with the unread and to-review counts when there are any.
pub fn panel_title(ctx: &Ctx) -> String {
    let (app, t) = (ctx.app, ctx.t);
    let mut title = match app.kbflow.view {
        KbView::Search => t.kb_title.to_string(),
        KbView::Updates => t.kb_updates_title.to_string(),
        KbView::Proposals => t.kb_proposals_title.to_string(),
    };
    if app.kbflow.unread > 0 {
        title += &format!(" · {} {}", app.kbflow.unread, t.kb_unread);
    }
    if app.kbflow.pending > 0 {
        title += &format!(" · {} {}", app.kbflow.pending, t.kb_pending);
    }
    title
}

/// The updates or proposals view in the KB panel's area.
pub fn draw(frame: &mut Frame, ctx: &Ctx, area: Rect) {
    let app = ctx.app;
    let block = ctx.panel(panel_title(ctx), app.focus == Focus::Kb);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let lines = match (app.kbflow.view, &app.kbflow.open) {
        (KbView::Proposals, Some(_)) => proposal_lines(ctx, inner.height as usize),
        (KbView::Proposals, None) => list_lines(ctx, inner.height as usize, proposals(ctx)),
        _ => list_lines(ctx, inner.height as usize, updates(ctx)),
    };
    // Wrapped: the column is narrow, and a diff line or a comment must not be cut off.
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// Rows of the list (one line each) with the selection, then the hint, cut to `height`.
fn list_lines(
    ctx: &Ctx,
    height: usize,
    (rows, empty, hint): (Vec<String>, &str, &str),
) -> Vec<Line<'static>> {
    let selected = ctx.app.kbflow.selected;
    let room = height.saturating_sub(1).max(1);
    let offset = selected.saturating_sub(room.saturating_sub(1));
    let mut out: Vec<Line> = if rows.is_empty() {
        vec![Line::from(Span::styled(
            empty.to_string(),
            ctx.style("hint"),
        ))]
    } else {
        rows.into_iter()
            .enumerate()
            .skip(offset)
            .take(room)
            .map(|(i, r)| {
                let scope = if i == selected {
                    "kb.selected"
                } else {
                    "kb.match"
                };
                Line::from(Span::styled(r, ctx.style(scope)))
            })
            .collect()
    };
    out.push(Line::from(Span::styled(
        hint.to_string(),
        ctx.style("hint"),
    )));
    out
}

fn updates(ctx: &Ctx) -> (Vec<String>, &'static str, &'static str) {
    let t = ctx.t;
    let rows = ctx
        .app
        .kbflow
        .updates
        .iter()
        .map(|u| {
            let what = match u.change {
                UpdateKind::New => t.kb_new,
                UpdateKind::Edited => t.kb_edited,
            };
            format!("[{what}] {} v{}", inert_line(&u.title), u.version)
        })
        .collect();
    (rows, t.kb_no_updates, t.kb_updates_hint)
}

fn status_word(ctx: &Ctx, s: ProposalStatus) -> &'static str {
    let t = ctx.t;
    match s {
        ProposalStatus::Pending => t.kb_pending,
        ProposalStatus::Approved => t.kb_approved,
        ProposalStatus::Rejected => t.kb_rejected,
        ProposalStatus::Withdrawn => t.kb_withdrawn,
    }
}

fn proposals(ctx: &Ctx) -> (Vec<String>, &'static str, &'static str) {
    let t = ctx.t;
    let rows = ctx
        .app
        .kbflow
        .proposals
        .iter()
        .map(|p| {
            let what = if p.article_id.is_some() {
                t.kb_edited
            } else {
                t.kb_new
            };
            format!(
                "#{} [{what}] {} · {} · {}",
                p.id,
                inert_line(&p.title),
                inert_line(&p.author),
                status_word(ctx, p.status)
            )
        })
        .collect();
    (rows, t.kb_no_proposals, t.kb_proposals_hint)
}

/// The open proposal: who and why, the diff from the scroll position, and the prompt or hint.
fn proposal_lines(ctx: &Ctx, height: usize) -> Vec<Line<'static>> {
    let (app, t) = (ctx.app, ctx.t);
    let Some(open) = &app.kbflow.open else {
        return Vec::new();
    };
    let s = &open.proposal.summary;
    let mut head = vec![Line::from(Span::styled(
        format!(
            "#{} {} · {} · {}",
            s.id,
            inert_line(&s.title),
            inert_line(&s.author),
            status_word(ctx, s.status)
        ),
        ctx.style("kb.selected"),
    ))];
    if !s.comment.is_empty() {
        head.push(Line::from(Span::styled(
            format!("“{}”", inert_line(&s.comment)),
            ctx.style("kb.preview"),
        )));
    }
    if let Some(c) = &s.review_comment {
        head.push(Line::from(Span::styled(
            format!("{}: {}", s.reviewer.as_deref().unwrap_or(""), inert_line(c)),
            ctx.style("kb.preview"),
        )));
    }
    if open.stale {
        head.push(Line::from(Span::styled(t.kb_stale, ctx.style("error"))));
    }
    let foot = match &app.kbflow.rejecting {
        Some(comment) => Line::from(vec![
            Span::styled(format!("{}: ", t.kb_reject_prompt), ctx.style("hint")),
            Span::styled(format!("{}▏", inert_line(comment)), ctx.style("composer")),
        ]),
        None => Line::from(Span::styled(t.kb_review_hint, ctx.style("hint"))),
    };
    let room = height.saturating_sub(head.len() + 1);
    let diff = open
        .diff
        .iter()
        .skip(app.kbflow.scroll)
        .take(room)
        .map(|l| {
            let (mark, scope) = match l.op {
                DiffOp::Add => ("+ ", "kb.diff.add"),
                DiffOp::Del => ("- ", "kb.diff.del"),
                DiffOp::Same => ("  ", "kb.preview"),
            };
            Line::from(Span::styled(
                format!("{mark}{}", inert_line(&l.text)),
                ctx.style(scope),
            ))
        });
    head.extend(diff);
    head.push(foot);
    head
}

/// The articles sent in the current session, for the profile sidebar: a heading and one
/// line each (empty when none were sent).
pub fn sent_lines(ctx: &Ctx) -> Vec<Line<'static>> {
    let app = ctx.app;
    let Some(sent) = app.selected.and_then(|s| app.kbflow.sent.get(&s)) else {
        return Vec::new();
    };
    if sent.is_empty() {
        return Vec::new();
    }
    let mut out = vec![Line::from(Span::styled(
        ctx.t.kb_sent_title.to_string(),
        ctx.style("profile.label"),
    ))];
    out.extend(sent.iter().map(|a| {
        Line::from(Span::styled(
            format!("· {} (v{})", inert_line(&a.title), a.version),
            ctx.style("profile.value"),
        ))
    }));
    out
}
