//! Line breaking shared by the composer and the chat pane: where a row of text may end,
//! measured in display columns (unicode-width, CJK = 2), with kinsoku rules for CJK text.

use unicode_width::UnicodeWidthChar;

fn width(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// Han, kana, bopomofo and hangul: scripts written without spaces, breakable between any
/// two characters.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{2e80}'..='\u{2fdf}'     // radicals
        | '\u{3040}'..='\u{30ff}'   // kana
        | '\u{3100}'..='\u{312f}'   // bopomofo
        | '\u{3400}'..='\u{4dbf}'   // extension A
        | '\u{4e00}'..='\u{9fff}'   // unified ideographs
        | '\u{ac00}'..='\u{d7af}'   // hangul
        | '\u{f900}'..='\u{faff}'   // compatibility ideographs
        | '\u{20000}'..='\u{3ffff}' // extensions B and later
    )
}

/// Appends the byte ranges (offset by `base`) of `line` wrapped to `cols` to `rows`.
pub fn wrap_line(line: &str, base: usize, cols: usize, rows: &mut Vec<(usize, usize)>) {
    let mut row_start = 0;
    let mut row_w = 0;
    // The latest place the current row may end, and the row's width up to there.
    let mut brk: Option<(usize, usize)> = None;
    let mut prev_cjk = false;
    for (i, c) in line.char_indices() {
        let w = width(c);
        if c == ' ' {
            if row_w >= cols {
                // A space that overflows hangs at the end of the row rather than starting
                // the next one.
                rows.push((base + row_start, base + i + 1));
                row_start = i + 1;
                row_w = 0;
                brk = None;
            } else {
                row_w += 1;
                brk = Some((i + 1, row_w));
            }
            prev_cjk = false;
            continue;
        }
        let cjk = is_cjk(c);
        // CJK text may break between any two characters, except before closing punctuation.
        if w > 0 && row_w > 0 && (cjk || prev_cjk) && !no_break_before(c) {
            brk = Some((i, row_w));
        }
        if w > 0 && row_w > 0 && row_w + w > cols {
            if let Some((b, bw)) = brk.filter(|&(b, _)| b > row_start) {
                rows.push((base + row_start, base + b));
                row_start = b;
                row_w -= bw;
            }
            // No break opportunity (or still too wide): break mid-word.
            if row_w > 0 && row_w + w > cols {
                rows.push((base + row_start, base + i));
                row_start = i;
                row_w = 0;
            }
            brk = None;
        }
        row_w += w;
        if w > 0 {
            prev_cjk = cjk;
        }
    }
    // An empty line is one empty row; a line ending in a hanging space needs no extra row.
    if row_start < line.len() || line.is_empty() {
        rows.push((base + row_start, base + line.len()));
    }
}

/// Punctuation that must not start a row (kinsoku).
pub fn no_break_before(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '）'
            | '】'
            | '」'
            | '』'
            | '》'
            | '〉'
            | '…'
            | '～'
            | ','
            | '.'
            | ';'
            | ':'
            | '?'
            | '!'
            | ')'
            | ']'
            | '}'
    )
}
