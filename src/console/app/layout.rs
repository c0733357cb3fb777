//! How much room the transcript takes on screen, in rows of display columns: text wrapped
//! the composer's way (unicode width, CJK, kinsoku), each message's height, the whole
//! transcript's height. Pure; scrolling (in `App`) clamps against exactly what the chat pane
//! (in `ui`) draws, because both count with these.

use super::state::{ChatLine, SessionEntry};
use crate::console::composer::linebreak::wrap_line;
use crate::console::sanitize::{inert_line, inert_text};
use crate::model::Millis;

/// Splits text into rows of at most `width` display columns, with the composer's line
/// breaking: after spaces (words stay whole), between CJK characters, mid-word only when a
/// word is longer than a row; wide characters are never split, and kinsoku keeps closing
/// punctuation (，。！？) from starting a row and opening brackets from ending one.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut rows = Vec::new();
    wrap_line(text, 0, width.max(2), &mut rows);
    rows.into_iter()
        .map(|(start, end)| text.get(start..end).unwrap_or_default().to_string())
        .collect()
}

/// Whether the "is typing" row shows under the transcript.
fn typing_shown(s: &SessionEntry, now: Millis) -> bool {
    s.typing.as_ref().is_some_and(|(_, until)| *until > now)
}

/// The transfer note shown above the first message, as rows.
pub fn note_rows(s: &SessionEntry, width: usize) -> Vec<String> {
    let Some((note, by)) = &s.transfer_note else {
        return Vec::new();
    };
    let by = by.as_deref().map(inert_line).unwrap_or_default();
    wrap(&format!("⇄ {by}: {}", inert_line(note)), width)
}

/// A message's body wrapped to the transcript width (indented two columns under its header).
pub fn body_rows(line: &ChatLine, width: usize) -> Vec<String> {
    inert_text(&line.body)
        .iter()
        .flat_map(|l| wrap(l, width.saturating_sub(2)))
        .collect()
}

/// Rows a message takes: its header and its wrapped body.
pub fn message_height(line: &ChatLine, width: usize) -> usize {
    1 + body_rows(line, width).len()
}

/// How many rows the transcript of `s` takes at `width`, counted from the newest message
/// back and stopping once `limit` is reached: `(rows, complete)`, `complete` when every row
/// (up to the transfer note at the top) was counted. Scrolling clamps against this; it counts
/// exactly what the chat pane draws.
pub fn transcript_height(
    s: &SessionEntry,
    now: Millis,
    width: usize,
    limit: usize,
) -> (usize, bool) {
    let mut rows = usize::from(typing_shown(s, now));
    for line in s.lines.iter().rev() {
        if rows >= limit {
            return (rows, false);
        }
        rows += message_height(line, width);
    }
    (rows + note_rows(s, width).len(), true)
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wraps_words_whole_and_cjk_by_character() {
        assert_eq!(
            wrap("full refund as long", 10),
            ["full ", "refund as ", "long"]
        );
        assert_eq!(wrap("你好世界你好", 5), ["你好", "世界", "你好"]);
        assert_eq!(wrap("abcdefghijkl", 5), ["abcde", "fghij", "kl"]);
        assert_eq!(wrap("", 5), [""]);
    }

    #[test]
    fn chinese_punctuation_never_starts_a_row() {
        // At 8 columns "。" would start row 2; "了" comes down with it.
        assert_eq!(
            wrap("我知道了。谢谢您！", 8),
            ["我知道", "了。谢谢", "您！"]
        );
        assert_eq!(
            wrap("好的，请稍等：「马上」", 6),
            ["好的，", "请稍", "等：", "「马", "上」"]
        );
    }
}
