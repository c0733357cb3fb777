//! A QR code drawn with Unicode half blocks: each character is two modules stacked (`▀`, `▄`,
//! `█`, space), so the code is about as tall as it is wide in a terminal cell grid. Drawn in
//! white on black whatever the theme: light modules are the glyph, dark ones the background,
//! which is what scanners expect.

use qrcode::{Color, EcLevel, QrCode};

/// Light modules around the code (the standard asks for 4; 2 scans fine from a screen and
/// keeps the code inside an 80×24 terminal).
const QUIET: usize = 2;

/// The code's lines, or `None` if `data` does not fit in a QR code.
pub fn qr_lines(data: &str) -> Option<Vec<String>> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::L).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let size = width + 2 * QUIET;
    let dark = |x: usize, y: usize| {
        x >= QUIET
            && y >= QUIET
            && x < QUIET + width
            && y < QUIET + width
            && colors.get((y - QUIET) * width + (x - QUIET)) == Some(&Color::Dark)
    };
    let lines = (0..size)
        .step_by(2)
        .map(|y| {
            (0..size)
                .map(|x| match (dark(x, y), dark(x, y + 1)) {
                    (false, false) => '█',
                    (true, false) => '▄',
                    (false, true) => '▀',
                    (true, true) => ' ',
                })
                .collect()
        })
        .collect();
    Some(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uri_becomes_a_square_of_half_blocks_with_a_light_border() {
        let uri = "otpauth://totp/kefu:alice?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=kefu\
                   &algorithm=SHA1&digits=6&period=30";
        let lines = qr_lines(uri).unwrap();
        let w = lines[0].chars().count();
        // Version 5 at level L is 37 modules, plus the quiet zone on both sides.
        assert_eq!(w, 37 + 2 * QUIET);
        assert_eq!(lines.len(), w.div_ceil(2));
        assert!(lines.iter().all(|l| l.chars().count() == w));
        // The quiet zone is light all round; the finder pattern's dark corner starts inside.
        assert!(lines[0].chars().all(|c| c == '█'));
        assert!(
            lines
                .iter()
                .all(|l| l.starts_with("██") && l.ends_with("██"))
        );
        assert_eq!(lines[1].chars().nth(QUIET), Some(' '));
        // Only the four glyphs.
        assert!(
            lines
                .iter()
                .flat_map(|l| l.chars())
                .all(|c| "█▀▄ ".contains(c))
        );
    }

    #[test]
    fn too_much_data_is_none_not_a_panic() {
        assert!(qr_lines(&"x".repeat(5000)).is_none());
    }
}
