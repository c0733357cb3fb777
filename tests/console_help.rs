//! The help overlay (a pager with a filter, translated, wrapped) and the which-key popup for
//! pending key sequences, driven by key presses and checked on the rendered screen.

mod console_fixture;

use console_fixture::*;
use kefu::console::app::{App, HelpState, Overlay};
use kefu::console::i18n::Lang;
use kefu::console::keymap::Keymap;
use kefu::console::theme::Theme;

fn help(app: &App) -> &HelpState {
    match &app.overlay {
        Some(Overlay::Help(h)) => h,
        other => panic!("help is not open: {other:?}"),
    }
}

/// Opens help and draws it once, as the console does before the next key arrives.
fn open_help(app: &mut App, w: u16, h: u16) {
    press(app, "?");
    render(app, w, h, "dark");
}

/// Presses keys and redraws after each, like the running console.
fn keys_and_draw(app: &mut App, keys: &str, w: u16, h: u16) {
    for k in keys.split(' ') {
        press(app, k);
        if app.overlay.is_some() {
            render(app, w, h, "dark");
        }
    }
}

/// The screen as one string with border characters and runs of spaces squeezed out, so
/// text wrapped over several rows reads as one line.
fn flat(screen: &str) -> String {
    let cleaned: String = screen
        .chars()
        .map(|c| {
            if "│┃┏┓┗┛━─┌┐└┘".contains(c) {
                ' '
            } else {
                c
            }
        })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_pager_keys_scroll_and_stop_at_the_end() {
    let mut app = workbench();
    app.focus = kefu::console::app::Focus::Sessions;
    open_help(&mut app, 80, 24);
    let first = screen(&render(&app, 80, 24, "dark"));
    assert!(first.contains("↓ more below"), "{first}");
    let (max, page) = help(&app).extent.get();
    assert!(max > 20 && page > 10, "{max} {page}");

    keys_and_draw(&mut app, "G", 80, 24);
    assert_eq!(help(&app).scroll, max);
    let last = screen(&render(&app, 80, 24, "dark"));
    assert!(
        last.contains("— end —") && !last.contains("more below"),
        "{last}"
    );
    // No scrolling past the end: j at the bottom stays, one k moves up one line at once.
    keys_and_draw(&mut app, "j j j j down pagedown space end", 80, 24);
    assert_eq!(help(&app).scroll, max);
    keys_and_draw(&mut app, "k", 80, 24);
    assert_eq!(help(&app).scroll, max - 1);
    keys_and_draw(&mut app, "g", 80, 24);
    assert_eq!(help(&app).scroll, 0);
    keys_and_draw(&mut app, "pagedown", 80, 24);
    assert_eq!(help(&app).scroll, page - 1);
    keys_and_draw(&mut app, "pageup pageup up", 80, 24);
    assert_eq!(help(&app).scroll, 0);
    keys_and_draw(&mut app, "end", 80, 24);
    assert_eq!(help(&app).scroll, max);
    keys_and_draw(&mut app, "home j", 80, 24);
    assert_eq!(help(&app).scroll, 1);

    for close in ["q", "?", "esc"] {
        press(&mut app, close);
        assert!(app.overlay.is_none(), "{close} closes help");
        open_help(&mut app, 80, 24);
    }
}

#[test]
fn typing_filters_the_bindings() {
    let mut app = workbench();
    open_help(&mut app, 80, 24);
    keys_and_draw(&mut app, "/ t r a n s", 80, 24);
    assert_eq!(help(&app).filter, "trans");
    let s = screen(&render(&app, 80, 24, "dark"));
    assert!(s.contains("Filter: trans"), "{s}");
    assert!(s.contains("transfer to an agent or skill group"), "{s}");
    assert!(!s.contains("quit"), "only matching bindings: {s}");
    assert!(s.contains("— end —"), "{s}");
    // While filtering, j/k/q are letters; backspace edits; enter goes back to paging.
    keys_and_draw(
        &mut app,
        "backspace backspace backspace backspace backspace q",
        80,
        24,
    );
    assert_eq!(help(&app).filter, "q");
    keys_and_draw(&mut app, "enter", 80, 24);
    assert!(!help(&app).filtering);
    let s = screen(&render(&app, 80, 24, "dark"));
    assert!(s.contains("quit (asks to confirm"), "{s}");
    // A letter that is not a pager key starts the filter directly.
    keys_and_draw(&mut app, "backspace", 80, 24);
    keys_and_draw(&mut app, "backspace", 80, 24);
    keys_and_draw(&mut app, "t a g", 80, 24);
    assert_eq!(help(&app).filter, "tag");
    keys_and_draw(&mut app, "z z z", 80, 24);
    assert!(screen(&render(&app, 80, 24, "dark")).contains("No binding matches"));
    press(&mut app, "esc");
    assert!(app.overlay.is_none());
}

#[test]
fn long_descriptions_wrap_instead_of_being_cut() {
    for width in [80u16, 60, 44] {
        let mut app = workbench();
        open_help(&mut app, width, 24);
        keys_and_draw(&mut app, "/ q u i t", width, 24);
        let s = flat(&screen(&render(&app, width, 24, "dark")));
        assert!(
            s.contains("quit (asks to confirm while sessions are active) (quit)"),
            "at {width} columns: {s}"
        );
        keys_and_draw(&mut app, "enter", width, 24);
        // Every line of the popup fits inside it.
        let term = render(&app, width, 24, "dark");
        let buf = term.backend().buffer();
        for y in 2..22 {
            assert!(
                ["┃", "│"].contains(&buf[(width - 2, y)].symbol()),
                "right border intact at row {y}"
            );
        }
    }
}

#[test]
fn descriptions_and_sections_are_translated() {
    let mut app = workbench();
    app.lang = Lang::Zh;
    open_help(&mut app, 100, 40);
    let s = screen(&render(&app, 100, 40, "dark"));
    assert!(s.contains("全局 [global]"), "{s}");
    assert!(s.contains("跳到最需要处理的会话"), "{s}");
    assert!(s.contains("显示全部快捷键"), "{s}");
    assert!(s.contains("下面还有"), "{s}");
    // The filter matches the Chinese description too.
    keys_and_draw(&mut app, "/", 100, 40);
    for c in "转接".chars() {
        app.type_char(c);
    }
    render(&app, 100, 40, "dark");
    let s = screen(&render(&app, 100, 40, "dark"));
    assert!(s.contains("转接给客服或技能组"), "{s}");
}

#[test]
fn help_snapshots() {
    let mut app = workbench();
    open_help(&mut app, 80, 24);
    insta::assert_snapshot!("help_80x24", screen(&render(&app, 80, 24, "dark")));
    keys_and_draw(&mut app, "G", 80, 24);
    insta::assert_snapshot!("help_end_80x24", screen(&render(&app, 80, 24, "dark")));
    let mut zh = workbench();
    zh.lang = Lang::Zh;
    open_help(&mut zh, 80, 24);
    insta::assert_snapshot!("help_zh_80x24", screen(&render(&zh, 80, 24, "dark")));
}

#[test]
fn a_pending_chord_shows_what_can_follow() {
    let vim = Keymap::builtin("vim").unwrap();
    let theme = Theme::builtin("dark").unwrap();
    let mut app = workbench();
    app.focus = kefu::console::app::Focus::Sessions;
    press_with(&mut app, &vim, "space");
    let s = screen(&render_with(&app, 120, 40, &theme, &vim));
    assert!(s.contains("space …"), "{s}");
    for line in [
        "t  transfer to an agent or skill group",
        "a  accept the offered session",
        "1  jump to session 1",
        "esc: cancel",
    ] {
        assert!(s.contains(line), "missing {line:?}: {s}");
    }
    insta::assert_snapshot!("which_key_space_120x40", s);
    // The next key completes the sequence and the popup goes.
    press_with(&mut app, &vim, "t");
    assert!(matches!(app.overlay, Some(Overlay::Transfer { .. })));
    press_with(&mut app, &vim, "esc");
    let s = screen(&render_with(&app, 120, 40, &theme, &vim));
    assert!(!s.contains("space …"), "{s}");
    // `g` waits for the second `g`.
    press_with(&mut app, &vim, "g");
    let s = screen(&render_with(&app, 120, 40, &theme, &vim));
    assert!(
        s.contains("g …")
            && s.contains("g  go to the first session, or to the first message in the chat"),
        "{s}"
    );
    // On a small terminal the popup still fits, in columns.
    press_with(&mut app, &vim, "esc space");
    let s = screen(&render_with(&app, 80, 16, &theme, &vim));
    assert!(s.contains("space …") && s.contains("transfer"), "{s}");
}
