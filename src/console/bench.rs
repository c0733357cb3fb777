//! `kefu bench --console`: measures the console's drawing and search on synthetic data —
//! 1,000 sessions, a 10,000-message transcript, 100,000 knowledge-base titles — through the
//! real crossterm backend into a byte-counting sink (so diffing and escape-sequence output are
//! included; only the terminal itself is not).

use crate::console::app::{App, ChatLine, Delivery, Focus, KbTitle, LayoutPrefs, SessionEntry};
use crate::console::i18n::Lang;
use crate::console::keymap::Keymap;
use crate::console::theme::Theme;
use crate::model::{AuthorKind, Channel, SessionState};
use crate::protocol::{CustomerView, SessionView};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A writer that only counts bytes.
#[derive(Clone, Default)]
struct Counter(Arc<AtomicUsize>);

impl Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.fetch_add(buf.len(), Ordering::Relaxed);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn view(id: i64, now: i64) -> SessionView {
    SessionView {
        id,
        customer: CustomerView {
            id,
            external_id: Some(format!("C{id:06}")),
            nickname: if id % 2 == 0 {
                format!("客户{id}")
            } else {
                format!("customer {id}")
            },
            channel: Channel::Web,
            vip: id % 17 == 0,
            tags: if id % 23 == 0 {
                vec!["投诉用户".into()]
            } else {
                vec![]
            },
        },
        channel: [Channel::Web, Channel::App, Channel::MiniProgram][(id % 3) as usize],
        state: SessionState::Active,
        group: "aftersales".into(),
        assignee: Some(1),
        priority: 0,
        intent: None,
        tags: vec![],
        follow_up: id % 11 == 0,
        follow_up_at: None,
        created_at: now - 3_600_000,
        queued_at: Some(now - 3_600_000),
        offered_at: None,
        accepted_at: Some(now - 3_500_000),
        first_human_reply_at: None,
        ended_at: None,
        end_reason: None,
        csat: None,
        last_seq: 0,
        waiting_since: Some(now - (id * 7_000) % 400_000),
        context: None,
        offline: false,
        csat_comment: None,
        replied_at: None,
        reminded_at: None,
        bot: None,
        menu: None,
        ends_at: None,
        pending_end: None,
    }
}

/// The synthetic workbench.
pub fn big_app(now: i64) -> App {
    let mut app = App::new(
        Lang::Zh,
        LayoutPrefs {
            show_kb: true,
            ..Default::default()
        },
        now,
    );
    for id in 1..=1000 {
        app.sessions.insert(id, SessionEntry::new(view(id, now)));
    }
    if let Some(s) = app.sessions.get_mut(&1) {
        for i in 0..10_000i64 {
            s.lines.push(ChatLine {
                seq: Some(i + 1),
                author_kind: if i % 2 == 0 {
                    AuthorKind::Customer
                } else {
                    AuthorKind::Agent
                },
                author_name: if i % 2 == 0 {
                    "客户1".into()
                } else {
                    "Demo Agent".into()
                },
                body: format!(
                    "第 {i} 条消息：我的订单什么时候到？ message number {i} about my order"
                ),
                created_at: now - (10_000 - i) * 1000,
                client_msg_id: None,
                delivery: Delivery::Acked,
                internal: false,
            });
        }
        s.loaded = true;
    }
    app.selected = Some(1);
    app.focus = Focus::Compose;
    app
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 * p) as usize).min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

pub fn run() -> anyhow::Result<()> {
    let start = Instant::now();
    let keymap = Keymap::builtin("default")?;
    let theme = Theme::builtin("dark")?;
    let now = crate::model::now_ms();
    let mut app = big_app(now);
    let sink = Counter::default();
    let backend = CrosstermBackend::new(sink.clone());
    let mut term = Terminal::with_options(
        backend,
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, 200, 50)),
        },
    )?;
    term.draw(|f| crate::console::ui::draw(f, &app, &theme, &keymap))?;
    let first = start.elapsed();
    println!(
        "first frame (keymap + theme + 1,000 sessions + 10,000 messages + draw): {:.1} ms",
        first.as_secs_f64() * 1000.0
    );

    // Frames where the clock moves (countdowns and waits change), as the 1 s tick does.
    let mut times = Vec::new();
    for i in 0..500 {
        app.now = now + i * 1000;
        let t = Instant::now();
        term.draw(|f| crate::console::ui::draw(f, &app, &theme, &keymap))?;
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "200x50 frame render+diff+write: p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times
            .last()
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0)
    );

    // Keystrokes in the composer: bytes written per frame.
    let mut bytes = Vec::new();
    for c in "你好, this is a reply".chars() {
        let before = sink.0.load(Ordering::Relaxed);
        app.type_char(c);
        term.draw(|f| crate::console::ui::draw(f, &app, &theme, &keymap))?;
        bytes.push(sink.0.load(Ordering::Relaxed) - before);
    }
    bytes.sort_unstable();
    println!(
        "bytes written per composer keystroke: median {}  max {}",
        bytes[bytes.len() / 2],
        bytes.last().copied().unwrap_or(0)
    );

    // Fuzzy search over 100,000 titles.
    let titles = (0..100_000)
        .map(|i| KbTitle {
            id: i,
            title: format!(
                "{} #{i}: {}",
                [
                    "退款政策",
                    "Shipping times",
                    "发票开具",
                    "Password reset",
                    "会员权益"
                ][i as usize % 5],
                i * 7919 % 100_003
            ),
            keywords: vec!["refund".into(), "物流".into()],
        })
        .collect();
    app.kb.set_titles(titles);
    app.focus = Focus::Kb;
    let mut searches = Vec::new();
    for q in [
        "退",
        "退款",
        "ship",
        "shipping t",
        "pass res",
        "会员 9",
        "zzzz",
    ] {
        app.kb.query = q.to_string();
        let t = Instant::now();
        let _ = app.refilter_kb();
        searches.push((q, t.elapsed(), app.kb.matches.len()));
    }
    for (q, d, n) in &searches {
        println!(
            "fuzzy KB search {q:?} over 100,000 titles: {:.1} ms ({n} matches)",
            d.as_secs_f64() * 1000.0
        );
    }
    // As typed: one keystroke at a time, each narrowing the previous matches.
    app.kb.query.clear();
    let _ = app.refilter_kb();
    let mut worst = Duration::ZERO;
    for c in "shipping t".chars() {
        app.kb.query.push(c);
        let t = Instant::now();
        let _ = app.refilter_kb();
        worst = worst.max(t.elapsed());
    }
    println!(
        "typing \"shipping t\" into the KB search: slowest keystroke {:.1} ms",
        worst.as_secs_f64() * 1000.0
    );
    Ok(())
}
