//! How many colours the terminal can show, and themes converted to fit.
//!
//! Detection is a pure function of environment values, in this order:
//! `NO_COLOR` set and non-empty (<https://no-color.org>) or `TERM=dumb` → no colour;
//! `COLORTERM=truecolor|24bit`, or a `TERM` ending in `-direct` → 24-bit;
//! a `TERM` containing `256color` → 256 colours; anything else → the 16 ANSI colours.
//! (terminfo's `colors` capability is not read: `TERM` names it for every common terminal.)
//!
//! Converting a theme: RGB becomes the nearest colour of the xterm 256-colour cube or grey
//! ramp, or the nearest of the 16 ANSI colours (measured in xterm's palette, see
//! [`super::contrast`]). Without colour, every colour is dropped and what colour set apart
//! is set apart by reverse video instead: the selection, the status and the banners.

use ratatui::style::{Color, Modifier, Style};

use super::Theme;
use super::contrast::{CUBE_LEVELS, XTERM_16, ansi_color, xterm_256};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ColorDepth {
    /// `NO_COLOR`: attributes (bold, reverse video, underline) only.
    NoColor,
    Ansi16,
    Indexed256,
    TrueColor,
}

/// Scopes that stand out by their background colour; without colour they are reversed.
const REVERSED_WITHOUT_COLOR: [&str; 9] = [
    "session.selected",
    "kb.selected",
    "dialog.selected",
    "status.online",
    "status.busy",
    "status.away",
    "status.offline",
    "banner",
    "banner.error",
];

/// Scopes that mark focus with colour; without colour they are bold as well.
const BOLD_WITHOUT_COLOR: [&str; 2] = ["border.focused", "title.focused"];

impl ColorDepth {
    /// The depth for these environment values (`NO_COLOR`, `COLORTERM`, `TERM`).
    pub fn detect(no_color: Option<&str>, colorterm: Option<&str>, term: Option<&str>) -> Self {
        let term = term.unwrap_or("").to_ascii_lowercase();
        if no_color.is_some_and(|v| !v.is_empty()) || term == "dumb" {
            return ColorDepth::NoColor;
        }
        let colorterm = colorterm.unwrap_or("").to_ascii_lowercase();
        if colorterm == "truecolor" || colorterm == "24bit" || term.ends_with("-direct") {
            ColorDepth::TrueColor
        } else if term.contains("256color") {
            ColorDepth::Indexed256
        } else {
            ColorDepth::Ansi16
        }
    }

    /// [`ColorDepth::detect`] on this process's environment.
    pub fn from_env() -> Self {
        let var = |k: &str| std::env::var(k).ok();
        Self::detect(
            var("NO_COLOR").as_deref(),
            var("COLORTERM").as_deref(),
            var("TERM").as_deref(),
        )
    }

    /// `color` as this depth can show it (`None`: no colour at all).
    pub fn convert(self, color: Color) -> Option<Color> {
        match (self, color) {
            (ColorDepth::NoColor, _) => None,
            (_, Color::Reset) | (ColorDepth::TrueColor, _) => Some(color),
            (ColorDepth::Indexed256, Color::Rgb(r, g, b)) => {
                Some(Color::Indexed(nearest_256([r, g, b])))
            }
            (ColorDepth::Indexed256, other) => Some(other),
            (ColorDepth::Ansi16, Color::Rgb(r, g, b)) => Some(ansi_color(nearest_16([r, g, b]))),
            (ColorDepth::Ansi16, Color::Indexed(i)) if i < 16 => Some(ansi_color(i)),
            (ColorDepth::Ansi16, Color::Indexed(i)) => Some(ansi_color(nearest_16(xterm_256(i)))),
            (ColorDepth::Ansi16, named) => Some(named),
        }
    }
}

impl Theme {
    /// This theme as a terminal of `depth` can show it.
    pub fn for_depth(mut self, depth: ColorDepth) -> Theme {
        let convert = |style: &mut Style| {
            style.fg = style.fg.and_then(|c| depth.convert(c));
            style.bg = style.bg.and_then(|c| depth.convert(c));
        };
        for (scope, style) in self.styles.iter_mut() {
            convert(style);
            if depth == ColorDepth::NoColor {
                if REVERSED_WITHOUT_COLOR.contains(&scope.as_str()) {
                    *style = style.add_modifier(Modifier::REVERSED);
                }
                if BOLD_WITHOUT_COLOR.contains(&scope.as_str()) {
                    *style = style.add_modifier(Modifier::BOLD);
                }
            }
        }
        convert(&mut self.base);
        self
    }
}

/// Perceptual distance between two colours ("redmean": weighted Euclidean in sRGB, cheap and
/// much closer to what eyes see than the plain distance).
fn distance(a: [u8; 3], b: [u8; 3]) -> u32 {
    let rmean = (u32::from(a[0]) + u32::from(b[0])) / 2;
    let d = |i: usize| u32::from(a[i].abs_diff(b[i]));
    let (dr, dg, db) = (d(0), d(1), d(2));
    (((512 + rmean) * dr * dr) >> 8) + 4 * dg * dg + (((767 - rmean) * db * db) >> 8)
}

/// The nearest of the cube (16–231) and the grey ramp (232–255). The first 16 are left out:
/// terminals recolour them.
pub fn nearest_256(rgb: [u8; 3]) -> u8 {
    let level = |c: u8| {
        (0..6u8)
            .min_by_key(|i| CUBE_LEVELS[usize::from(*i)].abs_diff(c))
            .unwrap_or(0)
    };
    let cube = 16 + 36 * level(rgb[0]) + 6 * level(rgb[1]) + level(rgb[2]);
    let mean = (rgb.iter().map(|c| u32::from(*c)).sum::<u32>() / 3) as u8;
    let grey = 232
        + (0..24u8)
            .min_by_key(|i| (8 + 10 * i).abs_diff(mean))
            .unwrap_or(0);
    if distance(xterm_256(grey), rgb) < distance(xterm_256(cube), rgb) {
        grey
    } else {
        cube
    }
}

/// The nearest of the 16 ANSI colours, in xterm's palette.
pub fn nearest_16(rgb: [u8; 3]) -> u8 {
    (0..16u8)
        .min_by_key(|i| distance(XTERM_16[usize::from(*i)], rgb))
        .unwrap_or(7)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::theme::SCOPES;
    use crate::console::theme::contrast::ansi_index;

    #[test]
    fn detection_follows_the_environment() {
        use ColorDepth::*;
        let cases = [
            (
                Some("1"),
                Some("truecolor"),
                Some("xterm-256color"),
                NoColor,
            ),
            (
                Some(""),
                Some("truecolor"),
                Some("xterm-256color"),
                TrueColor,
            ),
            (None, None, Some("dumb"), NoColor),
            (None, Some("24bit"), Some("screen"), TrueColor),
            (None, Some("TrueColor"), None, TrueColor),
            (None, None, Some("xterm-direct"), TrueColor),
            (None, None, Some("xterm-256color"), Indexed256),
            (None, Some("yes"), Some("tmux-256color"), Indexed256),
            (None, None, Some("xterm"), Ansi16),
            (None, None, Some("linux"), Ansi16),
            (None, None, None, Ansi16),
        ];
        for (no_color, colorterm, term, want) in cases {
            assert_eq!(
                ColorDepth::detect(no_color, colorterm, term),
                want,
                "NO_COLOR={no_color:?} COLORTERM={colorterm:?} TERM={term:?}"
            );
        }
    }

    #[test]
    fn rgb_goes_to_the_nearest_cube_grey_or_ansi_colour() {
        assert_eq!(nearest_256([255, 0, 0]), 196);
        assert_eq!(nearest_256([0, 0, 0]), 16);
        assert_eq!(nearest_256([128, 128, 128]), 244);
        assert_eq!(nearest_256([0x1b, 0x1e, 0x24]), 234);
        assert_eq!(nearest_256([0x5f, 0x87, 0xaf]), 67);
        assert_eq!(nearest_16([250, 250, 250]), 15);
        assert_eq!(nearest_16([0x1b, 0x1e, 0x24]), 0);
        assert_eq!(nearest_16([200, 10, 10]), 1);
        assert_eq!(
            ColorDepth::Ansi16.convert(Color::Indexed(196)),
            Some(Color::LightRed)
        );
        assert_eq!(
            ColorDepth::Ansi16.convert(Color::Indexed(4)),
            Some(Color::Blue)
        );
        assert_eq!(ColorDepth::NoColor.convert(Color::Red), None);
        assert_eq!(
            ColorDepth::Indexed256.convert(Color::Reset),
            Some(Color::Reset)
        );
    }

    #[test]
    fn converted_themes_use_only_what_the_terminal_has() {
        for name in Theme::builtin_names() {
            let full = Theme::builtin(name).unwrap_or_else(|e| panic!("{e}"));
            for depth in [
                ColorDepth::Indexed256,
                ColorDepth::Ansi16,
                ColorDepth::NoColor,
            ] {
                let theme = full.clone().for_depth(depth);
                for scope in SCOPES.iter().chain(&["base"]) {
                    let style = theme.style(scope);
                    for color in [style.fg, style.bg].into_iter().flatten() {
                        let ok = match depth {
                            ColorDepth::Indexed256 => !matches!(color, Color::Rgb(..)),
                            ColorDepth::Ansi16 => {
                                color == Color::Reset || ansi_index(color).is_some()
                            }
                            _ => false,
                        };
                        assert!(ok, "{name} at {depth:?}: {scope} uses {color:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn without_colour_selection_and_focus_use_attributes() {
        for name in Theme::builtin_names() {
            let full = Theme::builtin(name).unwrap_or_else(|e| panic!("{e}"));
            let theme = full.for_depth(ColorDepth::NoColor);
            for scope in REVERSED_WITHOUT_COLOR {
                let style = theme.style(scope);
                assert!(
                    style.add_modifier.contains(Modifier::REVERSED),
                    "{name}: {scope}"
                );
                assert_eq!((style.fg, style.bg), (None, None), "{name}: {scope}");
            }
            for scope in BOLD_WITHOUT_COLOR {
                assert!(theme.style(scope).add_modifier.contains(Modifier::BOLD));
            }
        }
    }
}
