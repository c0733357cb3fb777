//! Tests for theme loading: built-ins, scope fallback, inheritance and error locations.

use super::load::literal_color;
use super::*;
use ratatui::style::{Color, Modifier};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/",
            $name
        ))
    };
}

fn builtin(name: &str) -> Theme {
    Theme::builtin(name).unwrap_or_else(|e| panic!("{e}"))
}

fn err_text(r: Result<Theme, ThemeError>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn builtins_load_and_define_every_scope() {
    for name in Theme::builtin_names() {
        let theme = builtin(name);
        assert_eq!(theme.name(), name);
        for scope in SCOPES {
            assert!(theme.styles.contains_key(*scope), "{name} lacks {scope}");
        }
        // Catch typos: a built-in scope the console never asks for is a mistake.
        for scope in theme.styles.keys() {
            assert!(
                SCOPES.contains(&scope.as_str()),
                "{name} defines unused {scope}"
            );
        }
    }
    assert!(Theme::builtin("nope").is_err());
}

#[test]
fn builtins_use_their_palettes() {
    let dark = builtin("dark");
    assert_eq!(dark.style("base").bg, Some(Color::Rgb(0x1b, 0x1e, 0x24)));
    assert!(
        dark.style("title.focused")
            .add_modifier
            .contains(Modifier::BOLD)
    );
    let light = builtin("light");
    assert_eq!(light.style("base").bg, Some(Color::Rgb(0xfa, 0xfa, 0xfa)));
}

#[test]
fn sixteen_colour_theme_has_no_rgb() {
    let theme = builtin("16color");
    for (scope, style) in &theme.styles {
        for color in [style.fg, style.bg].into_iter().flatten() {
            assert!(
                !matches!(color, Color::Rgb(..) | Color::Indexed(_)),
                "{scope} uses {color:?}"
            );
        }
    }
    // Not even in the palette: no `"#rrggbb"` anywhere in the file.
    let text = builtin_text("16color").unwrap_or_default();
    assert!(!text.is_empty() && !text.contains("\"#"));
}

#[test]
fn scopes_fall_back_to_their_parents() -> Result<(), ThemeError> {
    let text = r##"
        [palette]
        accent = "#102030"
        [styles]
        "base" = { fg = "white", bg = "black" }
        "session" = "accent"
        "session.waiting" = { fg = "yellow", modifiers = ["bold"] }
    "##;
    let theme = Theme::parse(text, "t.toml")?;
    let waiting = Style::default()
        .fg(Color::Yellow)
        .add_modifier(Modifier::BOLD);
    assert_eq!(theme.style("session.waiting.overdue"), waiting);
    assert_eq!(theme.style("session.waiting"), waiting);
    assert_eq!(
        theme.style("session.vip"),
        Style::default().fg(Color::Rgb(0x10, 0x20, 0x30))
    );
    assert_eq!(
        theme.style("chat.agent"),
        Style::default().fg(Color::White).bg(Color::Black)
    );
    assert_eq!(theme.style(""), theme.style("base"));
    // A theme without `base` still answers with the default style.
    let bare = Theme::parse("[styles]\n\"title\" = \"red\"\n", "bare.toml")?;
    assert_eq!(bare.style("base"), Style::default());
    assert_eq!(bare.style("title.focused"), Style::default().fg(Color::Red));
    Ok(())
}

#[test]
fn colours_and_modifiers_parse() {
    assert_eq!(literal_color("#FF8000"), Some(Color::Rgb(255, 128, 0)));
    assert_eq!(literal_color("lightblue"), Some(Color::LightBlue));
    assert_eq!(literal_color("dark_grey"), Some(Color::DarkGray));
    assert_eq!(literal_color("reset"), Some(Color::Reset));
    for bad in ["#ff80", "#gg0000", "#ff00001", "navy", ""] {
        assert_eq!(literal_color(bad), None, "{bad}");
    }
    let theme = Theme::parse(
        "[styles]\ntitle = { modifiers = [\"bold\", \"italic\", \"underlined\", \"reversed\", \"dim\"] }\n",
        "m.toml",
    );
    let mods = theme
        .map(|t| t.style("title").add_modifier)
        .unwrap_or_default();
    let want = Modifier::BOLD
        | Modifier::ITALIC
        | Modifier::UNDERLINED
        | Modifier::REVERSED
        | Modifier::DIM;
    assert_eq!(mods, want);
}

#[test]
fn user_theme_inherits_a_builtin() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    std::fs::create_dir(dir.path().join("themes"))?;
    std::fs::write(
        dir.path().join("themes/mine.toml"),
        fixture!("user_theme_inherits.toml"),
    )?;
    let mine = Theme::load("mine", Some(dir.path()))?;
    let dark = builtin("dark");
    assert_eq!(mine.name(), "mine");
    let vip = mine.style("session.vip");
    assert_eq!(vip.fg, Some(Color::Rgb(0xff, 0xd7, 0x00)));
    assert!(vip.add_modifier.contains(Modifier::UNDERLINED));
    // Untouched scopes come from dark, re-coloured where they use the overridden palette entry.
    assert_eq!(mine.style("session.offer"), dark.style("session.offer"));
    assert_eq!(mine.style("base"), dark.style("base"));
    assert_eq!(mine.style("error").fg, Some(Color::Rgb(0xff, 0, 0)));
    assert_ne!(dark.style("error").fg, Some(Color::Rgb(0xff, 0, 0)));
    // Built-ins win over files of the same name; unknown names are reported.
    assert_eq!(Theme::load("light", Some(dir.path()))?.name(), "light");
    for name in ["nope", "../themes/mine", ""] {
        assert!(err_text(Theme::load(name, Some(dir.path()))).contains("unknown theme"));
    }
    Ok(())
}

#[test]
fn inheritance_errors_are_located() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let themes = dir.path().join("themes");
    std::fs::create_dir(&themes)?;
    std::fs::write(themes.join("a.toml"), "inherits = \"b\"\n")?;
    std::fs::write(themes.join("b.toml"), "\ninherits = \"a\"\n")?;
    std::fs::write(themes.join("c.toml"), "inherits = \"nope\"\n")?;
    let msg = err_text(Theme::load("a", Some(dir.path())));
    assert!(msg.contains("cycle"), "{msg}");
    let msg = err_text(Theme::load("c", Some(dir.path())));
    assert!(
        msg.starts_with(&format!("{}:1:12:", themes.join("c.toml").display())),
        "{msg}"
    );
    assert!(msg.contains("unknown theme `nope`"), "{msg}");
    Ok(())
}

#[test]
fn fixture_errors_name_file_and_line() {
    let cases = [
        (
            "bad_theme_color.toml",
            fixture!("bad_theme_color.toml"),
            3,
            "bad colour `#e06c7`",
        ),
        (
            "bad_theme_unknown_palette.toml",
            fixture!("bad_theme_unknown_palette.toml"),
            6,
            "`navy` is neither a palette entry nor a colour name",
        ),
        (
            "bad_theme_modifier.toml",
            fixture!("bad_theme_modifier.toml"),
            5,
            "unknown modifier `blinking`",
        ),
        (
            "bad_theme_invalid_toml.toml",
            fixture!("bad_theme_invalid_toml.toml"),
            3,
            "invalid TOML",
        ),
        (
            "bad_theme_unknown_scope.toml",
            fixture!("bad_theme_unknown_scope.toml"),
            5,
            "unknown scope `sesion.offer` (did you mean `session.offer`?",
        ),
        (
            "bad_theme_unquoted_scope.toml",
            fixture!("bad_theme_unquoted_scope.toml"),
            3,
            "quote dotted scopes",
        ),
    ];
    for (file, text, line, what) in cases {
        let msg = err_text(Theme::parse(text, file));
        assert!(msg.starts_with(&format!("{file}:{line}:")), "{msg}");
        assert!(msg.contains(what), "{msg}");
    }
}

#[test]
fn structural_mistakes_are_located() {
    for (text, line, what) in [
        ("colours = 1\n", 1, "unknown key `colours`"),
        ("[styles]\nbase = 3\n", 2, "a style is a colour or a table"),
        ("[styles]\nbase = { fg = 3 }\n", 2, "bad colour `<integer>`"),
        (
            "[styles]\nbase = { modifiers = \"bold\" }\n",
            2,
            "modifiers must be a list",
        ),
        ("[palette]\nx = \"x\"\n", 2, "bad colour `x`"),
        ("palette = 1\n", 1, "[palette] must be a table"),
        ("inherits = 1\n", 1, "inherits must be a theme name"),
    ] {
        let msg = err_text(Theme::parse(text, "t.toml"));
        assert!(msg.starts_with(&format!("t.toml:{line}:")), "{msg}");
        assert!(msg.contains(what), "{msg}");
    }
}

#[test]
fn builtin_themes_meet_wcag_contrast() {
    use contrast::{AA, AAA, backdrops, effective, ratio};
    let mut failures = Vec::new();
    for name in Theme::builtin_names() {
        let theme = builtin(name);
        let need = if name == "high-contrast" { AAA } else { AA };
        let base = theme.style("base");
        for scope in SCOPES {
            let style = theme.style(scope);
            // Dim text is drawn at a brightness only the terminal knows: no contrast to check.
            if style.add_modifier.contains(Modifier::DIM) {
                failures.push(format!("{name}: {scope} uses dim"));
            }
            for backdrop in backdrops(scope) {
                let drawn = base.patch(theme.style(backdrop)).patch(style);
                let Some((fg, bg)) = effective(drawn, base) else {
                    failures.push(format!("{name}: {scope} leaves a colour to the terminal"));
                    continue;
                };
                let r = ratio(fg, bg);
                if r < need {
                    failures.push(format!(
                        "{name}: {scope} on {backdrop}: {r:.2}:1 (fg {fg:02x?} bg {bg:02x?})"
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} pairs below the bar:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn scope_families_are_known_and_typos_are_not() -> Result<(), ThemeError> {
    // A family styles all its members at once through the fallback.
    let theme = Theme::parse("[styles]\n\"chat\" = \"red\"\n", "t.toml")?;
    assert_eq!(theme.style("chat.bot").fg, Some(Color::Red));
    for (bad, hint) in [
        ("\"chat.customr\"", "did you mean `chat.customer`?"),
        ("\"ses\"", ""),
        ("\"session.\"", "did you mean `session`?"),
    ] {
        let msg = err_text(Theme::parse(
            &format!("[styles]\n{bad} = \"red\"\n"),
            "t.toml",
        ));
        assert!(msg.starts_with("t.toml:2:1: unknown scope"), "{msg}");
        assert!(msg.contains(hint), "{msg}");
    }
    Ok(())
}
