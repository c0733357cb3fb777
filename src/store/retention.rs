//! The retention window as people write it: `"7d"`, `"36h"`, `"90m"`, `"2w"`, or `"0"` for
//! "keep events forever". Pure parsing; the pruning itself is `sqlite/retention.rs`.

/// The shortest window: a client that lost its network for a few seconds must still be able
/// to resume.
pub const MIN_WINDOW_MS: i64 = 60_000;
/// The longest: ten years, like every other duration in the config.
pub const MAX_WINDOW_MS: i64 = 10 * 366 * 24 * 3_600_000;

/// Parses a window: a whole number and one unit (`s`, `m`, `h`, `d`, `w`), or `"0"` (`None`:
/// no age limit). The error says what is wrong, in words for the config's error message.
pub fn parse_window(text: &str) -> Result<Option<i64>, String> {
    let t = text.trim();
    if t == "0" {
        return Ok(None);
    }
    let form = || {
        format!(
            "`{text}` is not a duration like \"7d\", \"36h\", \"90m\", \"2w\" (or \"0\": keep \
             events forever)"
        )
    };
    let split = t.find(|c: char| !c.is_ascii_digit()).ok_or_else(form)?;
    let (digits, unit) = t.split_at(split);
    let n: i64 = digits.parse().map_err(|_| form())?;
    let unit_ms: i64 = match unit.trim() {
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 7 * 86_400_000,
        _ => return Err(form()),
    };
    let ms = n.checked_mul(unit_ms).unwrap_or(i64::MAX);
    if ms == 0 {
        return Ok(None);
    }
    if ms < MIN_WINDOW_MS {
        return Err(format!(
            "`{text}` is too short: at least \"1m\" (clients that reconnect must find their \
             events), or \"0\" to keep events forever"
        ));
    }
    if ms > MAX_WINDOW_MS {
        return Err(format!("`{text}` is too long: at most 10 years"));
    }
    Ok(Some(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn humane_windows_parse() {
        assert_eq!(parse_window("7d"), Ok(Some(7 * 86_400_000)));
        assert_eq!(parse_window("36h"), Ok(Some(36 * 3_600_000)));
        assert_eq!(parse_window(" 90m "), Ok(Some(90 * 60_000)));
        assert_eq!(parse_window("2w"), Ok(Some(14 * 86_400_000)));
        assert_eq!(parse_window("120s"), Ok(Some(120_000)));
        assert_eq!(parse_window("0"), Ok(None));
        assert_eq!(parse_window("0d"), Ok(None));
    }

    #[test]
    fn bad_windows_say_why() {
        for bad in ["", "7", "d", "7x", "7 days", "-1d", "1.5d", "7dd", "h7"] {
            let e = parse_window(bad).unwrap_err();
            assert!(e.contains("is not a duration like"), "{bad}: {e}");
        }
        assert!(parse_window("30s").unwrap_err().contains("too short"));
        assert!(parse_window("11000d").unwrap_err().contains("too long"));
        assert!(
            parse_window("99999999999999999999d")
                .unwrap_err()
                .contains("not a duration")
        );
    }
}
