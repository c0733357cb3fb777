//! The CC (抄送) dialog: the address book as a fuzzy list under the query line (a typed
//! e-mail address becomes a row of its own), the "include internal notes" toggle with a text
//! marker (`[x]`, not colour alone), and the keys. Contact names come from the server's
//! config and the customer's name from the customer: both go through the sanitiser.

use super::ctx::Ctx;
use super::fields::pick_list;
use super::popup::{centered, popup};
use crate::console::app::CcDialog;
use crate::console::i18n::Lang;
use crate::console::sanitize::inert_line;
use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

struct Words {
    title: &'static str,
    typed: &'static str,
    loading: &'static str,
    no_email: &'static str,
    notes: &'static str,
    keys: &'static str,
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::Zh => Words {
            title: "抄送",
            typed: "发送到",
            loading: "正在读取通讯录…",
            no_email: "服务器未配置邮件 (SMTP)：只能抄送到群机器人",
            notes: "包含内部备注",
            keys: "enter 发送 · tab 内部备注 · esc 取消",
        },
        Lang::En => Words {
            title: "CC transcript",
            typed: "send to",
            loading: "loading the address book…",
            no_email: "no e-mail on this server (no SMTP): team webhooks only",
            notes: "include internal notes",
            keys: "enter send · tab internal notes · esc cancel",
        },
    }
}

pub fn draw(frame: &mut Frame, ctx: &Ctx, d: &CcDialog, area: Rect) {
    let w = words(ctx.app.lang);
    let title = format!("{} · #{} {}", w.title, d.session, inert_line(&d.customer));
    let inner = popup(frame, ctx, centered(area, 72, 16), &title);
    let parts = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Min(2), Constraint::Length(3)])
        .split(inner);
    let mut labels: Vec<String> = d.items.iter().map(CcDialog::label).collect();
    labels.push(format!("✉ {} {}", w.typed, d.picker.query.trim()));
    pick_list(frame, ctx, &d.picker, &labels, parts[0], true);
    let status = if d.loading {
        w.loading
    } else if !d.email {
        w.no_email
    } else {
        ""
    };
    let mark = if d.include_notes { "[x]" } else { "[ ]" };
    let lines = vec![
        Line::from(Span::styled(status.to_string(), ctx.style("hint"))),
        Line::from(Span::styled(
            format!("{mark} {}", w.notes),
            ctx.style(if d.include_notes {
                "dialog.selected"
            } else {
                "dialog"
            }),
        )),
        Line::from(Span::styled(w.keys.to_string(), ctx.style("hint"))),
    ];
    frame.render_widget(Paragraph::new(lines), parts[1]);
}
