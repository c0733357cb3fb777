//! The History screen drawn (S19): snapshots of the results and of a conversation opened
//! read-only, at 120×40 and 80×24, in English and Chinese, with CJK text, the matched words in
//! the theme's match style, a hostile nickname and line (escape sequences, a bidi override)
//! drawn inert, the server's refusal shown cleanly, and every cell readable in every theme.

mod console_fixture;
mod console_history_support;

use console_fixture::{press, render, render_with, screen, typed};
use console_history_support::*;
use kefu::console::app::App;
use kefu::console::i18n::Lang;
use kefu::console::reply::ReplyError;
use kefu::console::theme::Theme;
use kefu::console::theme::contrast::{AA, AAA, effective, ratio};
use kefu::protocol::{ApiError, ErrorCode, HistoryHit};

/// A customer who tries to take over the agent's terminal through their nickname and words.
const HOSTILE_NAME: &str = "\u{1b}]0;pwned\u{7}Mallory\u{202e}gpj.exe";
const HOSTILE_LINE: &str = "refund \u{1b}[2J\u{1b}[31mnow\u{202e} please";

fn hits() -> Vec<HistoryHit> {
    let mut a = hit_with_line(
        5,
        "小明",
        "我要退款，订单 A123 三天了还没到账",
        &[(2, 4), (18, 20)],
    );
    a.tags = vec!["退款".into(), "物流问题".into()];
    let mut b = hit_with_line(4, HOSTILE_NAME, HOSTILE_LINE, &[(0, 6)]);
    b.csat = None;
    b.outcome = Some(kefu::model::EndReason::CustomerLeft);
    b.tags = vec![];
    let mut c = hit(3, "Alice VIP");
    c.outcome = None;
    c.ended_at = None;
    c.csat = Some(5);
    c.agent = None;
    vec![a, b, c]
}

/// History with a search for 退款 answered (page 2 of several).
fn results(lang: Lang) -> App {
    let mut app = app();
    app.lang = lang;
    press(&mut app, "alt-h");
    typed(&mut app, "tag:退款 after:2026-11-01 到账");
    let (g, _) = one_search(&press(&mut app, "enter"));
    app.on_net(search_reply(g, hits(), Some(3)));
    app
}

/// The first result opened, with its detail and messages.
fn transcript(lang: Lang) -> App {
    let mut app = results(lang);
    let (s, _) = opening(&press(&mut app, "enter"));
    let (g, id) = s.unwrap();
    app.on_net(session_reply(g, id));
    app.on_net(transcript_reply(g, id, messages(id), 4));
    app
}

#[test]
fn results_snapshots() {
    for (lang, name) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        for (w, h) in [(120, 40), (80, 24)] {
            let app = results(lang);
            let s = screen(&render(&app, w, h, "dark"));
            assert!(s.contains("tag:退款 after:2026-11-01 到账"), "{s}");
            assert!(s.contains("小明") && s.contains("我要退款"), "{s}");
            insta::assert_snapshot!(format!("history_results_{name}_{w}x{h}"), s);
        }
    }
    let s = screen(&render(&results(Lang::En), 120, 40, "dark"));
    assert!(s.contains("page 1 · 3 shown · more: pagedown"), "{s}");
    assert!(s.contains("★★★★☆ 4") && s.contains("customer left"), "{s}");
    let s = screen(&render(&results(Lang::Zh), 120, 40, "dark"));
    assert!(
        s.contains("第 1 页 · 显示 3 条") && s.contains("客户离开"),
        "{s}"
    );
}

#[test]
fn transcript_snapshots() {
    for (lang, name) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        for (w, h) in [(120, 40), (80, 24)] {
            let app = transcript(lang);
            let s = screen(&render(&app, w, h, "dark"));
            assert!(s.contains("我要退款，订单 A123"), "{s}");
            insta::assert_snapshot!(format!("history_transcript_{name}_{w}x{h}"), s);
        }
    }
    let s = screen(&render(&transcript(Lang::En), 120, 40, "dark"));
    for want in [
        "read-only",
        "“退款很快，谢谢！”",
        "Bob Li → aftersales (presales → aftersales) · by Bob Li · queued: 客户要退款",
        "[note] Demo Agent",
        "已核实订单，可以退",
        "— end of the conversation —",
        "小明  ◀ matched",
    ] {
        assert!(s.contains(want), "{want} missing:\n{s}");
    }
    let s = screen(&render(&transcript(Lang::Zh), 120, 40, "dark"));
    assert!(
        s.contains("只读") && s.contains("转接记录") && s.contains("— 会话到此结束 —"),
        "{s}"
    );
}

#[test]
fn hostile_text_is_drawn_inert() {
    for app in [results(Lang::En), {
        let mut a = results(Lang::En);
        press(&mut a, "down");
        let (s, _) = opening(&press(&mut a, "enter"));
        let (g, id) = s.unwrap();
        let mut m = messages(id);
        m[0].body = HOSTILE_LINE.into();
        m[0].author_name = HOSTILE_NAME.into();
        a.on_net(transcript_reply(g, id, m, 4));
        a
    }] {
        let term = render(&app, 120, 40, "dark");
        for cell in term.backend().buffer().content() {
            assert!(
                !cell
                    .symbol()
                    .chars()
                    .any(|c| c.is_control() || c == '\u{202e}'),
                "a live control character reached the terminal: {:?}",
                cell.symbol()
            );
        }
        let s = screen(&term);
        assert!(s.contains("␛]0;pwned␇Mallory⟦U+202E⟧"), "{s}");
        // The summary row and the title show the nickname inert too, not only the line.
        assert!(
            s.lines().any(|l| l.contains("␛]0;pwned␇Mallory")
                && (l.contains("customer left") || l.contains("read-only"))),
            "{s}"
        );
        assert!(s.contains("␛[2J␛[31mnow⟦U+202E⟧ please"), "{s}");
    }
}

#[test]
fn matched_words_are_in_the_match_style() {
    let theme = Theme::builtin("dark").unwrap();
    let want = theme.style("kb.match").fg;
    let term = render(&results(Lang::En), 120, 40, "dark");
    let buf = term.backend().buffer();
    let rows = screen(&term);
    let y = rows.lines().position(|l| l.contains("我要退款")).unwrap();
    let line = rows.lines().nth(y).unwrap();
    // Characters [2, 4) of the line are 退款, [18, 20) 到账; the rest is plain.
    let col = |text: &str| {
        unicode_width::UnicodeWidthStr::width(&line[..line.find(text).unwrap()]) as u16
    };
    assert_eq!(buf[(col("退款，"), y as u16)].style().fg, want);
    assert_eq!(buf[(col("到账"), y as u16)].style().fg, want);
    assert_ne!(buf[(col("我要"), y as u16)].style().fg, want);
    assert_ne!(buf[(col("订单"), y as u16)].style().fg, want);
}

#[test]
fn the_servers_refusal_looks_clean() {
    for (lang, name) in [(Lang::En, "en"), (Lang::Zh, "zh")] {
        let mut app = app();
        app.lang = lang;
        press(&mut app, "alt-h");
        typed(&mut app, "退款");
        let (g, _) = one_search(&press(&mut app, "enter"));
        app.on_net(kefu::console::app::NetEvent::Reply {
            tag: kefu::console::app::Tag::History(
                kefu::console::app::history_state::HistoryTag::Search(g),
            ),
            result: Err(ReplyError::Api(ApiError::new(
                ErrorCode::Unavailable,
                "history search is not available yet",
            ))),
        });
        let s = screen(&render(&app, 80, 24, "dark"));
        assert!(s.contains("history search is not available yet"), "{s}");
        insta::assert_snapshot!(format!("history_unavailable_{name}_80x24"), s);
    }
}

#[test]
fn a_parse_error_shows_under_the_line() {
    let mut app = app();
    press(&mut app, "alt-h");
    typed(&mut app, "foo:bar 退款");
    press(&mut app, "enter");
    let s = screen(&render(&app, 80, 24, "dark"));
    assert!(s.contains("Unknown filter `foo:`; use tag:, agent:"), "{s}");
    // Wrapped, not cut: the end of the message shows too.
    assert!(
        s.contains("is: (or quote it") && s.contains("words)"),
        "{s}"
    );
    insta::assert_snapshot!("history_parse_error_en_80x24", s);
}

#[test]
fn every_history_cell_meets_the_theme_contrast() {
    let mut failures = Vec::new();
    for name in Theme::builtin_names() {
        let theme = Theme::builtin(name).unwrap();
        let base = theme.style("base");
        let need = if name == "high-contrast" { AAA } else { AA };
        for (what, app) in [
            ("results", results(Lang::Zh)),
            ("transcript", transcript(Lang::En)),
        ] {
            let term = render_with(&app, 120, 40, &theme, &console_fixture::keymap());
            let buf = term.backend().buffer();
            for (i, cell) in buf.content().iter().enumerate() {
                if cell.symbol().trim().is_empty() {
                    continue;
                }
                let (x, y) = (i as u16 % buf.area.width, i as u16 / buf.area.width);
                match effective(cell.style(), base) {
                    None => failures.push(format!(
                        "{name} / {what}: {:?} at {x},{y} unset",
                        cell.symbol()
                    )),
                    Some((fg, bg)) if ratio(fg, bg) < need => failures.push(format!(
                        "{name} / {what}: {:?} at {x},{y}: {:.2}:1",
                        cell.symbol(),
                        ratio(fg, bg)
                    )),
                    Some(_) => {}
                }
            }
        }
    }
    failures.dedup_by(|a, b| a.split(" at ").next() == b.split(" at ").next());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn help_lists_the_history_keys_with_their_history_meaning() {
    for (lang, section, meaning) in [
        (Lang::En, "History [history]", "next page of results"),
        (Lang::Zh, "历史会话 [history]", "下一页结果"),
    ] {
        let mut app = app();
        app.lang = lang;
        press(&mut app, "alt-h f1");
        // The help's filter finds them by what they do here.
        typed(&mut app, "page");
        let s = screen(&render(&app, 120, 40, "dark"));
        assert!(s.contains(section) && s.contains(meaning), "{s}");
        let mut plain = console_history_support::app();
        plain.lang = lang;
        press(&mut plain, "f1");
        typed(&mut plain, "alt-h");
        let s = screen(&render(&plain, 120, 40, "dark"));
        assert!(
            s.contains("alt-h") && s.contains("(history)"),
            "the global key: {s}"
        );
    }
}
