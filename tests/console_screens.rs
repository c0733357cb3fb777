//! Whole screens in every built-in theme: snapshots of the ones without any (transfer dialog,
//! disconnected banner), the contrast of every drawn cell, the selection shown by more than
//! colour (and with `NO_COLOR` by reverse video and markers alone), and no colour at all
//! under `NO_COLOR`.

mod console_fixture;

use console_fixture::*;
use kefu::console::action::Action;
use kefu::console::app::{App, ConnState, Focus, KbArticle, KbTitle, LayoutPrefs};
use kefu::console::i18n::Lang;
use kefu::console::keymap::Keymap;
use kefu::console::theme::contrast::{AA, AAA, effective, ratio};
use kefu::console::theme::{ColorDepth, Theme};
use kefu::model::{AgentStatus, Role};
use kefu::protocol::AgentInfo;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier};

fn colleague(id: i64, username: &str, name: &str, status: AgentStatus) -> AgentInfo {
    AgentInfo {
        employee_no: None,
        id,
        username: username.into(),
        display_name: name.into(),
        role: Role::Agent,
        status,
        connected: true,
        active: 2,
        capacity: 5,
        groups: vec!["aftersales".into()],
        initials: None,
        color: None,
    }
}

/// The transfer dialog over the workbench; with `note`, a note typed and the focus there.
fn with_transfer_dialog(note: bool) -> App {
    let mut app = workbench();
    app.directory = vec![
        colleague(8, "bob", "Bob Li", AgentStatus::Online),
        colleague(9, "carol", "Carol Chen", AgentStatus::Busy),
    ];
    app.update(Action::Transfer);
    if note {
        app.update(Action::NextField);
        for c in "客户要求退款".chars() {
            app.type_char(c);
        }
    }
    app
}

fn with_kb() -> App {
    let mut app = workbench();
    app.kb.set_titles(vec![
        KbTitle {
            id: 1,
            title: "退款多久到账".into(),
            keywords: vec!["refund".into()],
        },
        KbTitle {
            id: 2,
            title: "如何申请退款".into(),
            keywords: vec![],
        },
    ]);
    app.kb.bodies.insert(
        1,
        KbArticle {
            id: 1,
            title: "退款多久到账".into(),
            body: "1–3 个工作日内原路退回。".into(),
        },
    );
    app.update(Action::KbSearch);
    app.refilter_kb();
    app
}

fn disconnected() -> App {
    let mut app = workbench();
    app.conn = ConnState::Disconnected {
        retry_at: NOW + 4_000,
        reason: "connection reset".into(),
    };
    app
}

/// Every kind of screen, with the keymap it is drawn with.
fn screens() -> Vec<(&'static str, App, Keymap)> {
    let default = keymap();
    let vim = Keymap::builtin("vim").unwrap();
    let mut offer = workbench();
    offer.select(3);
    let mut help = workbench();
    help.update(Action::Help);
    let mut end = workbench();
    end.update(Action::End);
    let mut tag = workbench();
    tag.update(Action::Tag);
    let mut chord = workbench();
    chord.focus = Focus::Sessions;
    press_with(&mut chord, &vim, "space");
    let login = App::new(Lang::Zh, LayoutPrefs::default(), NOW)
        .with_login("ws://127.0.0.1:7800".into(), "alice".into());
    let mut failed = workbench();
    failed.focus = Focus::Compose;
    for c in "稍等".chars() {
        failed.type_char(c);
    }
    failed.notice("conflict: session moved");
    vec![
        ("workbench", workbench(), default.clone()),
        ("offer selected", offer, default.clone()),
        ("help", help, default.clone()),
        ("end dialog", end, default.clone()),
        ("tag dialog", tag, default.clone()),
        (
            "transfer dialog",
            with_transfer_dialog(false),
            default.clone(),
        ),
        ("transfer note", with_transfer_dialog(true), default.clone()),
        ("kb panel", with_kb(), default.clone()),
        ("disconnected", disconnected(), default.clone()),
        ("which-key", chord, vim),
        ("login", login, default.clone()),
        ("composer and notice", failed, default),
    ]
}

fn draw(app: &App, theme: &Theme, km: &Keymap) -> Terminal<TestBackend> {
    render_with(app, 120, 40, theme, km)
}

#[test]
fn snapshots_of_dialogs_and_banners() {
    let app = with_transfer_dialog(true);
    let s = screen(&render(&app, 80, 24, "dark"));
    assert!(
        s.contains("@bob Bob Li") && s.contains("#aftersales"),
        "{s}"
    );
    insta::assert_snapshot!("transfer_dialog_80x24", s);
    let s = screen(&render(&disconnected(), 80, 24, "dark"));
    assert!(s.contains("reconnecting in 4s"), "{s}");
    insta::assert_snapshot!("disconnected_80x24", s);
}

#[test]
fn every_drawn_cell_meets_the_theme_contrast() {
    let mut failures = Vec::new();
    for name in Theme::builtin_names() {
        let theme = Theme::builtin(name).unwrap();
        let base = theme.style("base");
        let need = if name == "high-contrast" { AAA } else { AA };
        for (what, app, km) in screens() {
            let term = draw(&app, &theme, &km);
            let buf = term.backend().buffer();
            for (i, cell) in buf.content().iter().enumerate() {
                if cell.symbol().trim().is_empty() {
                    continue;
                }
                let (x, y) = (i as u16 % buf.area.width, i as u16 / buf.area.width);
                match effective(cell.style(), base) {
                    None => failures.push(format!(
                        "{name} / {what}: {:?} at {x},{y} leaves its colour to the terminal",
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

/// The style of the first cell of row `y` whose text starts `text`.
fn cell_at(term: &Terminal<TestBackend>, text: &str) -> (u16, u16) {
    let rows = columns(term, 0, term.backend().buffer().area.width);
    for (y, row) in rows.iter().enumerate() {
        if let Some(byte) = row.find(text) {
            let x = unicode_width::UnicodeWidthStr::width(&row[..byte]);
            return (x as u16, y as u16);
        }
    }
    panic!("{text:?} not on screen:\n{}", rows.join("\n"));
}

#[test]
fn the_selection_is_shown_by_more_than_colour() {
    for name in Theme::builtin_names() {
        for depth in [ColorDepth::TrueColor, ColorDepth::NoColor] {
            let theme = Theme::builtin(name).unwrap().for_depth(depth);
            let label = format!("{name} at {depth:?}");
            let app = workbench();
            let term = draw(&app, &theme, &keymap());
            let buf = term.backend().buffer();
            // The selected session has the ▶ marker, the others do not.
            let (x, y) = cell_at(&term, "▶2  小明");
            let (ux, uy) = cell_at(&term, " 3 ★ Alice");
            assert_eq!(buf[(ux, uy)].symbol(), " ", "{label}");
            // And its row is set apart: reverse video, or a background of its own.
            let sel = buf[(x + 4, y)].style();
            let other = buf[(ux + 5, uy)].style();
            let reversed = |s: ratatui::style::Style| s.add_modifier.contains(Modifier::REVERSED);
            assert!(
                reversed(sel) != reversed(other) || sel.bg != other.bg,
                "{label}: selected {sel:?} vs {other:?}"
            );
            if depth == ColorDepth::NoColor {
                assert!(reversed(sel), "{label}: without colour, reverse video");
                // The focused panel has a thick border, the others a plain one.
                assert_eq!(buf[(0, 0)].symbol(), "┏", "{label}");
                assert_eq!(buf[(30, 0)].symbol(), "┌", "{label}");
            }

            // The highlighted knowledge-base article and the highlighted dialog entry.
            let kb = draw(&with_kb(), &theme, &keymap());
            let (kx, ky) = cell_at(&kb, "退款多久到账");
            let (ox, oy) = cell_at(&kb, "如何申请退款");
            let (a, b) = (
                kb.backend().buffer()[(kx, ky)].style(),
                kb.backend().buffer()[(ox, oy)].style(),
            );
            assert!(
                reversed(a) != reversed(b) || a.bg != b.bg,
                "{label}: kb {a:?} {b:?}"
            );
            let dialog = draw(&with_transfer_dialog(false), &theme, &keymap());
            let (dx, dy) = cell_at(&dialog, "@bob");
            let (nx, ny) = cell_at(&dialog, "@carol");
            let d = dialog.backend().buffer();
            let picked = d[(dx, dy)].style();
            let note = d[(nx, ny)].style();
            assert!(
                reversed(picked) != reversed(note) || picked.bg != note.bg,
                "{label}: dialog {picked:?} {note:?}"
            );
            if depth == ColorDepth::NoColor {
                assert!(reversed(a) && !reversed(b), "{label}: kb");
            }
        }
    }
}

#[test]
fn without_colour_no_cell_has_a_colour() {
    let theme = Theme::builtin("dark")
        .unwrap()
        .for_depth(ColorDepth::detect(
            Some("1"),
            Some("truecolor"),
            Some("xterm-256color"),
        ));
    for (what, app, km) in screens() {
        let term = draw(&app, &theme, &km);
        for cell in term.backend().buffer().content() {
            assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset), "{what}");
        }
    }
    // The status pill and the banner stand out by reverse video instead.
    let term = draw(&disconnected(), &theme, &keymap());
    let (x, y) = cell_at(&term, "Disconnected");
    assert!(
        term.backend().buffer()[(x, y)]
            .modifier
            .contains(Modifier::REVERSED)
    );
    let (x, y) = cell_at(&term, "● Online");
    assert!(
        term.backend().buffer()[(x, y)]
            .modifier
            .contains(Modifier::REVERSED)
    );
}
