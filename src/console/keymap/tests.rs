//! Tests for key parsing, keymap loading (builtins, user files, overrides), error locations
//! and sequence resolution.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/",
            $name
        ))
    };
}

fn key(s: &str) -> KeyChord {
    match s.parse() {
        Ok(k) => k,
        Err(e) => panic!("test key `{s}`: {e}"),
    }
}

fn event(code: KeyCode, mods: KeyModifiers) -> KeyChord {
    KeyChord::from_event(&KeyEvent::new(code, mods))
}

fn builtin(name: &str) -> Keymap {
    Keymap::builtin(name).unwrap_or_else(|e| panic!("{e}"))
}

/// Feed a space-separated sequence, returning the result of the last key.
fn press(km: &Keymap, ctx: Context, keys: &str) -> KeyResult {
    let mut pending = Vec::new();
    let mut last = KeyResult::Unbound;
    for k in keys.split(' ') {
        last = km.feed(ctx, &mut pending, key(k));
    }
    last
}

fn err_text(r: Result<Keymap, KeymapError>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn chords_round_trip() {
    for s in [
        "j",
        "G",
        "?",
        "/",
        "#",
        "-",
        "ctrl-a",
        "alt-enter",
        "shift-tab",
        "enter",
        "esc",
        "tab",
        "backspace",
        "delete",
        "up",
        "down",
        "left",
        "right",
        "home",
        "end",
        "pageup",
        "pagedown",
        "space",
        "f1",
        "f12",
        "ctrl-left",
        "ctrl-alt-x",
        "ctrl--",
        "shift-up",
        "alt-<",
    ] {
        assert_eq!(key(s).to_string(), s);
    }
    assert_eq!(key("shift-g"), key("G"));
    assert_eq!(key("Ctrl-A").to_string(), "ctrl-A");
    assert_eq!(key("backtab"), key("shift-tab"));
    assert_eq!(key("shift-tab").code, KeyCode::BackTab);
    assert_eq!(
        key("space"),
        KeyChord::new(KeyCode::Char(' '), KeyModifiers::NONE)
    );
    assert_eq!(key("return"), key("enter"));
}

#[test]
fn bad_chords_are_rejected() {
    for s in [
        "",
        "ctrl-",
        "hyperspace",
        "f0",
        "f13",
        "shift-1",
        "ctrl-shift-?",
    ] {
        assert!(s.parse::<KeyChord>().is_err(), "{s} parsed");
    }
    assert!(parse_keys("  ").is_err());
    assert_eq!(parse_keys("g g"), Ok(vec![key("g"), key("g")]));
    assert_eq!(
        format_keys(&parse_keys("space  t").unwrap_or_default()),
        "space t"
    );
}

#[test]
fn events_are_normalised() {
    let shift = KeyModifiers::SHIFT;
    assert_eq!(event(KeyCode::Char('G'), shift), key("G"));
    assert_eq!(event(KeyCode::Char('?'), shift), key("?"));
    assert_eq!(event(KeyCode::BackTab, shift), key("shift-tab"));
    assert_eq!(
        event(KeyCode::Char('a'), KeyModifiers::CONTROL),
        key("ctrl-a")
    );
    assert_eq!(event(KeyCode::Enter, KeyModifiers::ALT), key("alt-enter"));
    assert_eq!(
        event(KeyCode::Left, KeyModifiers::CONTROL),
        key("ctrl-left")
    );
    assert_eq!(event(KeyCode::F(5), KeyModifiers::NONE), key("f5"));
}

#[test]
fn context_names_round_trip() {
    for c in Context::ALL {
        assert_eq!(Context::from_name(c.name()), Some(c));
    }
    assert_eq!(Context::from_name("profile"), None);
}

#[test]
fn builtins_load_and_bind_every_action() {
    for name in Keymap::builtin_names() {
        let km = builtin(name);
        let bound: HashSet<Action> = Context::ALL
            .into_iter()
            .flat_map(|c| km.bindings(c))
            .map(|(_, a)| a)
            .collect();
        let missing: Vec<&str> = Action::ALL
            .iter()
            .filter(|a| !bound.contains(a))
            .map(|a| a.name())
            .collect();
        assert!(missing.is_empty(), "{name} does not bind {missing:?}");
    }
}

#[test]
fn every_builtin_action_is_reachable() {
    // A binding shadowed in its own context (e.g. global `?` from compose) is fine, but
    // each action must be reachable from the context it is declared in.
    for name in Keymap::builtin_names() {
        let km = builtin(name);
        for ctx in Context::ALL {
            for (keys, action) in km.bindings(ctx) {
                assert_eq!(
                    press(&km, ctx, &keys),
                    KeyResult::Action(action),
                    "{name} {keys}"
                );
            }
        }
    }
}

#[test]
fn sequences_resolve_through_feed() {
    let km = builtin("vim");
    let mut pending = Vec::new();
    let ctx = Context::Sessions;
    assert_eq!(km.feed(ctx, &mut pending, key("g")), KeyResult::Pending);
    assert_eq!(pending, vec![key("g")]);
    assert_eq!(
        km.feed(ctx, &mut pending, key("g")),
        KeyResult::Action(Action::FirstItem)
    );
    assert!(pending.is_empty());
    // A broken sequence retries the new key alone.
    assert_eq!(km.feed(ctx, &mut pending, key("g")), KeyResult::Pending);
    assert_eq!(
        km.feed(ctx, &mut pending, key("j")),
        KeyResult::Action(Action::NextSession)
    );
    assert!(pending.is_empty());
    assert_eq!(km.feed(ctx, &mut pending, key("g")), KeyResult::Pending);
    assert_eq!(km.feed(ctx, &mut pending, key("z")), KeyResult::Unbound);
    assert!(pending.is_empty());
    // Global leader sequences work from a focused context.
    assert_eq!(
        press(&km, ctx, "space t"),
        KeyResult::Action(Action::Transfer)
    );
    assert_eq!(
        press(&km, Context::Chat, "ctrl-w >"),
        KeyResult::Action(Action::WidenList)
    );
    // A broken sequence whose new key starts another one stays pending.
    assert_eq!(press(&km, ctx, "g space"), KeyResult::Pending);
}

#[test]
fn plain_keys_reach_text_fields() {
    for name in Keymap::builtin_names() {
        let km = builtin(name);
        for ctx in [Context::Compose, Context::Kb, Context::Dialog] {
            for k in ["?", "j", "J", "i", "/", "a", "space", "1"] {
                assert_eq!(press(&km, ctx, k), KeyResult::Unbound, "{name} {ctx:?} {k}");
            }
            assert_eq!(press(&km, ctx, "ctrl-q"), KeyResult::Action(Action::Quit));
            assert_eq!(press(&km, ctx, "f1"), KeyResult::Action(Action::Help));
        }
        assert_eq!(
            press(&km, Context::Sessions, "?"),
            KeyResult::Action(Action::Help)
        );
    }
}

#[test]
fn context_bindings_shadow_global_ones() {
    let km = builtin("default");
    assert_eq!(
        press(&km, Context::Chat, "tab"),
        KeyResult::Action(Action::FocusNext)
    );
    assert_eq!(
        press(&km, Context::Kb, "tab"),
        KeyResult::Action(Action::KbInsert)
    );
    assert_eq!(
        press(&km, Context::Kb, "ctrl-n"),
        KeyResult::Action(Action::SelectNext)
    );
    assert_eq!(
        press(&km, Context::Compose, "ctrl-n"),
        KeyResult::Action(Action::NextSession)
    );
}

#[test]
fn bindings_and_hints() {
    let km = builtin("default");
    let global = km.bindings(Context::Global);
    assert_eq!(global[0], ("ctrl-q".to_string(), Action::Quit));
    assert!(
        global
            .windows(2)
            .all(|w| (w[0].1, &w[0].0) <= (w[1].1, &w[1].0))
    );
    assert_eq!(km.keys_for(Context::Sessions, Action::Help), ["?", "f1"]);
    assert_eq!(km.keys_for(Context::Compose, Action::Help), ["f1"]);
    assert_eq!(km.keys_for(Context::Sessions, Action::Accept), ["a", "f2"]);
    // `ctrl-n` means select_next in the kb panel, so it is no hint for next_session there.
    assert_eq!(km.keys_for(Context::Kb, Action::NextSession), ["alt-down"]);
    let vim = builtin("vim");
    assert_eq!(
        vim.keys_for(Context::Sessions, Action::Transfer),
        ["space t"]
    );
    assert!(vim.keys_for(Context::Compose, Action::Transfer).is_empty());
}

#[test]
fn user_overrides_apply_per_key() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    std::fs::write(
        dir.path().join("keymap.toml"),
        fixture!("user_keymap_override.toml"),
    )?;
    let km = Keymap::load("vim", Some(dir.path()))?;
    let s = Context::Sessions;
    assert_eq!(press(&km, s, "j"), KeyResult::Action(Action::LastItem));
    assert_eq!(press(&km, s, "k"), KeyResult::Unbound);
    assert_eq!(
        press(&km, s, "space space"),
        KeyResult::Action(Action::NextAttention)
    );
    // Everything else is still the vim keymap.
    assert_eq!(press(&km, s, "g g"), KeyResult::Action(Action::FirstItem));
    assert_eq!(
        press(&km, s, "down"),
        KeyResult::Action(Action::NextSession)
    );
    assert_eq!(
        press(&km, Context::Compose, "ctrl-s"),
        KeyResult::Action(Action::Send)
    );
    assert_eq!(
        press(&km, Context::Compose, "enter"),
        KeyResult::Action(Action::Send)
    );
    Ok(())
}

#[test]
fn overrides_are_checked_for_prefix_conflicts() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("keymap.toml");
    std::fs::write(&path, "[sessions]\n\n\"g\" = \"tag\"\n")?;
    let msg = err_text(Keymap::load("vim", Some(dir.path())));
    let at = format!("{}:3:", path.display());
    assert!(msg.starts_with(&at), "{msg}");
    assert!(
        msg.contains("`g g`") && msg.contains("keymaps/vim.toml:"),
        "{msg}"
    );
    // Unbinding the sequence in the same file resolves it.
    std::fs::write(&path, "[sessions]\n\"g\" = \"tag\"\n\"g g\" = \"none\"\n")?;
    let km = Keymap::load("vim", Some(dir.path()))?;
    assert_eq!(
        press(&km, Context::Sessions, "g"),
        KeyResult::Action(Action::Tag)
    );
    Ok(())
}

#[test]
fn user_keymap_files_and_unknown_names() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    std::fs::create_dir(dir.path().join("keymaps"))?;
    std::fs::write(
        dir.path().join("keymaps/mine.toml"),
        "[global]\n\"x\" = \"quit\"\n",
    )?;
    let km = Keymap::load("mine", Some(dir.path()))?;
    assert_eq!(
        press(&km, Context::Chat, "x"),
        KeyResult::Action(Action::Quit)
    );
    assert_eq!(press(&km, Context::Chat, "?"), KeyResult::Unbound);
    for name in ["nope", "../keymaps/mine", ""] {
        let msg = err_text(Keymap::load(name, Some(dir.path())));
        assert!(msg.contains("unknown keymap"), "{msg}");
    }
    assert!(err_text(Keymap::load("nope", None)).contains("default, vim"));
    assert!(Keymap::load("default", None).is_ok());
    Ok(())
}

#[test]
fn fixture_errors_name_file_and_line() {
    let cases = [
        (
            "bad_keymap_unknown_action.toml",
            fixture!("bad_keymap_unknown_action.toml"),
            4,
            "unknown action `launch_missiles`",
        ),
        (
            "bad_keymap_bad_key.toml",
            fixture!("bad_keymap_bad_key.toml"),
            5,
            "unknown key name `hyperspace`",
        ),
        (
            "bad_keymap_prefix_conflict.toml",
            fixture!("bad_keymap_prefix_conflict.toml"),
            5,
            "start of `g g`",
        ),
        (
            "bad_keymap_unknown_context.toml",
            fixture!("bad_keymap_unknown_context.toml"),
            4,
            "unknown context `[sesions]`",
        ),
        (
            "bad_keymap_invalid_toml.toml",
            fixture!("bad_keymap_invalid_toml.toml"),
            3,
            "invalid TOML",
        ),
        (
            "bad_keymap_duplicate.toml",
            fixture!("bad_keymap_duplicate.toml"),
            3,
            "`G` is bound twice",
        ),
    ];
    for (file, text, line, what) in cases {
        let msg = err_text(Keymap::parse(text, file));
        assert!(msg.starts_with(&format!("{file}:{line}:")), "{msg}");
        assert!(msg.contains(what), "{msg}");
    }
}

#[test]
fn non_string_actions_are_rejected() {
    let msg = err_text(Keymap::parse("[chat]\n\"j\" = 3\n", "k.toml"));
    assert!(msg.starts_with("k.toml:2:7:"), "{msg}");
    let msg = err_text(Keymap::parse("global = \"quit\"\n", "k.toml"));
    assert!(msg.starts_with("k.toml:1:"), "{msg}");
}

#[test]
fn locations_count_lines_and_columns() {
    let text = "ab\ncdé\nf";
    assert_eq!(Location::at("f", text, 0).to_string(), "f:1:1");
    assert_eq!(Location::at("f", text, 3).to_string(), "f:2:1");
    assert_eq!(Location::at("f", text, 7).to_string(), "f:2:4");
    assert_eq!(Location::at("f", text, 99).to_string(), "f:3:2");
}

#[test]
fn every_error_in_a_file_is_reported_at_once() {
    let text = "\
[sessions]
\"j\" = \"next_sesion\"
\"ctrl-\" = \"quit\"
\"G\" = \"last_item\"
\"shift-g\" = \"first_item\"
\"g\" = \"tag\"
\"g g\" = \"first_item\"

[sidebar]
\"x\" = \"quit\"
";
    let msg = err_text(Keymap::parse(text, "k.toml"));
    let lines: Vec<&str> = msg.lines().collect();
    let expect = [
        (
            "k.toml:2:",
            "unknown action `next_sesion` (did you mean `next_session`?",
        ),
        ("k.toml:3:", "cannot parse key `ctrl-`"),
        ("k.toml:5:", "bound twice"),
        ("k.toml:9:", "unknown context `[sidebar]`"),
        ("k.toml:7:", "is also the start of `g g`"),
    ];
    assert_eq!(lines.len(), expect.len(), "{msg}");
    for (line, (at, what)) in lines.iter().zip(expect) {
        assert!(
            line.starts_with(at) && line.contains(what),
            "{line}\n(all: {msg})"
        );
    }
}

#[test]
fn continuations_list_what_can_follow_a_pending_chord() {
    let vim = builtin("vim");
    let space = parse_keys("space").unwrap_or_default();
    let next = vim.continuations(Context::Sessions, &space);
    let find = |k: &str| next.iter().find(|(keys, _)| keys == k).map(|(_, a)| *a);
    assert_eq!(find("t"), Some(Action::Transfer));
    assert_eq!(find("1"), Some(Action::Session1));
    assert_eq!(find("n"), Some(Action::NextAttention));
    assert!(next.len() >= 18, "{next:?}");
    let g = parse_keys("g").unwrap_or_default();
    assert_eq!(
        vim.continuations(Context::Sessions, &g),
        vec![("g".to_string(), Action::FirstItem)]
    );
    // While typing, `space` is a character: nothing is pending, nothing to show.
    assert!(vim.continuations(Context::Compose, &space).is_empty());
    assert!(vim.continuations(Context::Sessions, &[]).is_empty());
}
