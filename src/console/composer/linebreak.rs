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

/// Characters around which CJK text may break: ideographs, kana, hangul, and the CJK and
/// fullwidth punctuation between them (whether a break is allowed next to punctuation is then
/// up to the kinsoku rules).
fn breaks_around(c: char) -> bool {
    is_cjk(c)
        || matches!(c, '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ff60}' | '\u{ffe0}'..='\u{ffef}')
}

/// Appends the byte ranges (offset by `base`) of `line` wrapped to `cols` to `rows`.
///
/// Rows break after spaces (the space hangs at the end of the row), between CJK characters,
/// and mid-word only when a word is longer than a row. Kinsoku: a row never starts with
/// closing punctuation (，。！？、；：」』）】…) nor ends with opening punctuation (「『（【…);
/// the character before comes down with it instead, unless it would leave the row empty.
pub fn wrap_line(line: &str, base: usize, cols: usize, rows: &mut Vec<(usize, usize)>) {
    let mut row_start = 0;
    let mut row_w = 0;
    // The latest place the current row may end, and the row's width up to there.
    let mut brk: Option<(usize, usize)> = None;
    // The current row's characters (spaces included, marks not): (byte index, char, width).
    let mut row: Vec<(usize, char, usize)> = Vec::new();
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
                row.clear();
            } else {
                row_w += 1;
                brk = Some((i + 1, row_w));
                row.push((i, c, 1));
            }
            continue;
        }
        if w == 0 {
            // Combining marks and joiners stay with the character before them.
            continue;
        }
        let prev = row.last().map(|(_, p, _)| *p);
        let legal_here = !no_break_before(c) && !prev.is_some_and(no_break_after);
        if !legal_here && brk.is_some_and(|(b, _)| b == i) {
            // Not even after a space ("好 ！"): the closing mark stays on its row.
            brk = None;
        }
        if row_w > 0 && legal_here && (breaks_around(c) || prev.is_some_and(breaks_around)) {
            brk = Some((i, row_w));
        }
        if row_w > 0 && row_w + w > cols {
            if let Some((b, bw)) = brk.filter(|&(b, _)| b > row_start) {
                rows.push((base + row_start, base + b));
                row_start = b;
                row_w -= bw;
                row.retain(|(k, _, _)| *k >= b);
            }
            // No break opportunity (or still too wide): break mid-word, at the latest place
            // kinsoku allows that still fits, else right here.
            if row_w > 0 && row_w + w > cols {
                let (at, tail_w) = if legal_here {
                    (i, 0)
                } else {
                    kinsoku_break(&row, w, cols).unwrap_or((i, 0))
                };
                rows.push((base + row_start, base + at));
                row_start = at;
                row_w = tail_w;
                row.retain(|(k, _, _)| *k >= at);
            }
            brk = None;
        }
        row_w += w;
        row.push((i, c, w));
    }
    // An empty line is one empty row; a line ending in a hanging space needs no extra row.
    if row_start < line.len() || line.is_empty() {
        rows.push((base + row_start, base + line.len()));
    }
}

/// Where to end a row that a character of width `w` overflows, when breaking right before
/// that character is not allowed: the latest earlier position (not the row's start) where a
/// break is allowed and the characters carried down, plus the new one, fit in `cols`.
/// Returns the byte index and the width carried down.
fn kinsoku_break(row: &[(usize, char, usize)], w: usize, cols: usize) -> Option<(usize, usize)> {
    let mut carried = 0;
    for k in (1..row.len()).rev() {
        let (at, c, cw) = row[k];
        carried += cw;
        if carried + w > cols {
            return None;
        }
        if !no_break_before(c) && !no_break_after(row[k - 1].1) {
            return Some((at, carried));
        }
    }
    None
}

/// Punctuation that must not start a row (kinsoku shori: closing brackets and quotes,
/// sentence and clause marks, the ellipsis, iteration and prolonged-sound marks).
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
            | '〕'
            | '〗'
            | '〙'
            | '］'
            | '｝'
            | '’'
            | '”'
            | '…'
            | '‥'
            | '～'
            | '・'
            | '·'
            | 'ー'
            | '々'
            | '％'
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

/// Punctuation that must not end a row (opening brackets and quotes).
pub fn no_break_after(c: char) -> bool {
    matches!(
        c,
        '（' | '【' | '「' | '『' | '《' | '〈' | '〔' | '〖' | '〘' | '［' | '｛' | '‘' | '“'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wrap(s: &str, cols: usize) -> Vec<&str> {
        let mut rows = Vec::new();
        wrap_line(s, 0, cols, &mut rows);
        rows.into_iter().map(|(a, b)| &s[a..b]).collect()
    }

    fn str_width(s: &str) -> usize {
        s.chars().map(width).sum()
    }

    #[test]
    fn kinsoku_examples() {
        // The comma would start row 2: 好 comes down with it.
        assert_eq!(wrap("你好，世界", 4), ["你", "好，", "世界"]);
        assert_eq!(wrap("谢谢。好的", 4), ["谢", "谢。", "好的"]);
        // An opening bracket does not end a row: it goes down with what it opens.
        assert_eq!(wrap("他说「你好」", 6), ["他说", "「你", "好」"]);
        // A closing quote after Latin text is kept on the row before, too.
        assert_eq!(wrap("abcd」", 4), ["abc", "d」"]);
        // Breaking after CJK punctuation before Latin text is fine.
        assert_eq!(wrap("好，ok", 4), ["好，", "ok"]);
    }

    #[test]
    fn random_cjk_text_never_starts_a_row_with_closing_punctuation() {
        let han = ['你', '好', '世', '界', '谢', '订', '单', '号', '快', '递'];
        let close = [
            '，', '。', '！', '？', '、', '；', '：', '」', '』', '）', '】',
        ];
        let open = ['「', '『', '（', '【'];
        let latin = ['a', 'b', '1', ' '];
        let mut state: u64 = 0x1234_5678_9abc_def1;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..3000 {
            let len = 1 + next() % 40;
            let mut s = String::new();
            let mut last_punct = true;
            for _ in 0..len {
                let r = next();
                // Punctuation never twice in a row: then a legal break always exists.
                let c = match r % 10 {
                    0 | 1 if !last_punct => close[(r / 10) as usize % close.len()],
                    2 if !last_punct => open[(r / 10) as usize % open.len()],
                    3 => latin[(r / 10) as usize % latin.len()],
                    _ => han[(r / 10) as usize % han.len()],
                };
                // Nor right after a space: "好 ，" is not text anyone writes.
                last_punct = close.contains(&c) || open.contains(&c) || c == ' ';
                s.push(c);
            }
            // Six columns hold the longest chain that may not break (「字」).
            let cols = 6 + (next() % 20) as usize;
            let rows = wrap(&s, cols);
            assert_eq!(rows.concat(), s);
            for (n, row) in rows.iter().enumerate() {
                let first = row.chars().next();
                assert!(
                    n == 0 || !first.is_some_and(no_break_before),
                    "row {n} of {s:?} at {cols}: {rows:?}"
                );
                // (A row may end at a space, whatever stands before it.)
                let last = row.chars().next_back();
                assert!(
                    n + 1 == rows.len() || !last.is_some_and(no_break_after),
                    "row {n} of {s:?} at {cols}: {rows:?}"
                );
                assert!(
                    str_width(row.trim_end_matches(' ')) <= cols,
                    "row {n} of {s:?} too wide at {cols}: {rows:?}"
                );
            }
        }
    }
}
