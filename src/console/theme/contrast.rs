//! WCAG 2 contrast for theme colours: relative luminance of the resolved colours and the
//! contrast ratio of a foreground over a background.
//!
//! Named ANSI colours and the 256-colour indexes have no fixed RGB value (every terminal has
//! its own palette), so they are measured in xterm's default palette, the de-facto reference:
//! the 16 colours from xterm's `XTerm-col.ad`, the 6×6×6 cube with levels 0, 95, 135, 175,
//! 215, 255 and the grey ramp 8, 18, …, 238. `Color::Reset` (the terminal's own default) has
//! no value at all, so built-in themes set explicit colours.

use ratatui::style::{Color, Modifier, Style};

/// WCAG 2.x level AA for normal text.
pub const AA: f64 = 4.5;
/// WCAG 2.x level AAA for normal text; the bar for the high-contrast theme.
pub const AAA: f64 = 7.0;

/// xterm's 16 ANSI colours, in ANSI order (black, red, …, white, then the bright ones).
pub const XTERM_16: [[u8; 3]; 16] = [
    [0x00, 0x00, 0x00],
    [0xcd, 0x00, 0x00],
    [0x00, 0xcd, 0x00],
    [0xcd, 0xcd, 0x00],
    [0x00, 0x00, 0xee],
    [0xcd, 0x00, 0xcd],
    [0x00, 0xcd, 0xcd],
    [0xe5, 0xe5, 0xe5],
    [0x7f, 0x7f, 0x7f],
    [0xff, 0x00, 0x00],
    [0x00, 0xff, 0x00],
    [0xff, 0xff, 0x00],
    [0x5c, 0x5c, 0xff],
    [0xff, 0x00, 0xff],
    [0x00, 0xff, 0xff],
    [0xff, 0xff, 0xff],
];

/// The six levels of each channel in the 256-colour cube (indexes 16–231).
pub const CUBE_LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];

/// The ANSI index (0–15) of a named colour.
pub fn ansi_index(color: Color) -> Option<u8> {
    Some(match color {
        Color::Black => 0,
        Color::Red => 1,
        Color::Green => 2,
        Color::Yellow => 3,
        Color::Blue => 4,
        Color::Magenta => 5,
        Color::Cyan => 6,
        Color::Gray => 7,
        Color::DarkGray => 8,
        Color::LightRed => 9,
        Color::LightGreen => 10,
        Color::LightYellow => 11,
        Color::LightBlue => 12,
        Color::LightMagenta => 13,
        Color::LightCyan => 14,
        Color::White => 15,
        _ => return None,
    })
}

/// The named colour of ANSI index 0–15 (the inverse of [`ansi_index`]).
pub fn ansi_color(index: u8) -> Color {
    const NAMED: [Color; 16] = [
        Color::Black,
        Color::Red,
        Color::Green,
        Color::Yellow,
        Color::Blue,
        Color::Magenta,
        Color::Cyan,
        Color::Gray,
        Color::DarkGray,
        Color::LightRed,
        Color::LightGreen,
        Color::LightYellow,
        Color::LightBlue,
        Color::LightMagenta,
        Color::LightCyan,
        Color::White,
    ];
    NAMED[usize::from(index % 16)]
}

/// xterm's RGB for a 256-colour index.
pub fn xterm_256(index: u8) -> [u8; 3] {
    match index {
        0..=15 => XTERM_16[usize::from(index)],
        16..=231 => {
            let i = index - 16;
            let level = |n: u8| CUBE_LEVELS[usize::from(n)];
            [level(i / 36), level(i / 6 % 6), level(i % 6)]
        }
        _ => {
            let v = 8 + 10 * (index - 232);
            [v, v, v]
        }
    }
}

/// The RGB a colour shows as (xterm's palette for named and indexed colours); `None` for
/// `Reset`, the terminal's default.
pub fn rgb(color: Color) -> Option<[u8; 3]> {
    match color {
        Color::Reset => None,
        Color::Rgb(r, g, b) => Some([r, g, b]),
        Color::Indexed(i) => Some(xterm_256(i)),
        named => ansi_index(named).map(xterm_256),
    }
}

/// WCAG relative luminance of an sRGB colour, 0 (black) to 1 (white).
pub fn luminance([r, g, b]: [u8; 3]) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

/// WCAG contrast ratio of two colours, 1 (none) to 21 (black on white).
pub fn ratio(a: [u8; 3], b: [u8; 3]) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The (foreground, background) a cell drawn in `style` actually shows: unset colours come
/// from `base`, and reverse video swaps them. `None` when a colour is left to the terminal
/// (`Reset`, or unset in `base` too): its default is unknown, so nothing can be promised.
pub fn effective(style: Style, base: Style) -> Option<([u8; 3], [u8; 3])> {
    // Unset keeps what is underneath (`base`); `Reset` is the terminal's default, unknown.
    let pick = |c: Option<Color>, fallback: Option<Color>| c.or(fallback).and_then(rgb);
    let fg = pick(style.fg, base.fg)?;
    let bg = pick(style.bg, base.bg)?;
    let reversed = style.add_modifier.contains(Modifier::REVERSED)
        && !style.sub_modifier.contains(Modifier::REVERSED);
    Some(if reversed { (bg, fg) } else { (fg, bg) })
}

/// Where each family of scopes is drawn: the styles underneath it, whose background shows
/// through when the scope sets none. Matched on the scope's first segment.
pub const DRAWN_ON: [(&str, &[&str]); 13] = [
    ("border", &["base", "dialog"]),
    ("title", &["base", "dialog"]),
    ("status", &["status"]),
    ("banner", &["banner"]),
    ("hint", &["base", "dialog", "status"]),
    ("error", &["base", "dialog", "status"]),
    ("session", &["base", "session.selected"]),
    ("chat", &["base"]),
    ("profile", &["base", "dialog"]),
    ("kb", &["base"]),
    ("dialog", &["dialog"]),
    ("help", &["dialog"]),
    ("composer", &["base", "dialog"]),
];

/// The styles underneath `scope` (see [`DRAWN_ON`]); `base` for scopes not listed.
pub fn backdrops(scope: &str) -> &'static [&'static str] {
    let family = scope.split('.').next().unwrap_or(scope);
    DRAWN_ON
        .iter()
        .find(|(f, _)| *f == family)
        .map_or(&["base"], |(_, b)| b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_ratios() {
        let (black, white) = ([0, 0, 0], [255, 255, 255]);
        assert!((ratio(black, white) - 21.0).abs() < 1e-9);
        assert!((ratio(white, white) - 1.0).abs() < 1e-9);
        // #767676 on white is the classic "just passes AA" grey.
        assert!(ratio([0x76, 0x76, 0x76], white) >= AA);
        assert!(ratio([0x77, 0x77, 0x77], white) < AA);
        // The high-contrast status bar of old: yellow and silver on white.
        assert!(ratio([0xff, 0xff, 0x00], white) < 1.1);
        assert!(ratio([0xd0, 0xd0, 0xd0], white) < 1.6);
    }

    #[test]
    fn palette() {
        assert_eq!(rgb(Color::Gray), Some([0xe5, 0xe5, 0xe5]));
        assert_eq!(rgb(Color::DarkGray), Some([0x7f, 0x7f, 0x7f]));
        assert_eq!(rgb(Color::Indexed(16)), Some([0, 0, 0]));
        assert_eq!(rgb(Color::Indexed(231)), Some([255, 255, 255]));
        assert_eq!(rgb(Color::Indexed(196)), Some([255, 0, 0]));
        assert_eq!(rgb(Color::Indexed(232)), Some([8, 8, 8]));
        assert_eq!(rgb(Color::Indexed(255)), Some([238, 238, 238]));
        assert_eq!(rgb(Color::Reset), None);
        for i in 0..16 {
            assert_eq!(ansi_index(ansi_color(i)), Some(i));
        }
    }

    #[test]
    fn reverse_video_and_reset() {
        let base = Style::default().fg(Color::White).bg(Color::Black);
        let style = Style::default().add_modifier(Modifier::REVERSED);
        assert_eq!(
            effective(style, base),
            Some(([0, 0, 0], [0xff, 0xff, 0xff]))
        );
        assert_eq!(effective(Style::default(), Style::default()), None);
        assert_eq!(effective(Style::default().fg(Color::Reset), base), None);
    }
}
