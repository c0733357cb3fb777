//! Short texts the panels share, measured in display columns (unicode-width: CJK counts 2):
//! cutting to fit, compact durations and clock times, dates, channel names.

use super::ctx::Ctx;
use crate::model::Channel;

/// The channel's name in the console's language.
pub fn channel_label(ctx: &Ctx, c: Channel) -> &'static str {
    match c {
        Channel::Web => ctx.t.channel_web,
        Channel::App => ctx.t.channel_app,
        Channel::MiniProgram => ctx.t.channel_mini_program,
        Channel::Api => ctx.t.channel_api,
    }
}

/// `s` cut to at most `max` display columns (unicode-width: CJK counts 2), ending in `…`
/// when something was cut. A wide character is never split.
pub fn ellipsize(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    if s.width() <= max {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        out.push(c);
        used += w;
    }
    if max > 0 {
        out.push('…');
    }
    std::borrow::Cow::Owned(out)
}

/// The first of `candidates` that fits in `max` columns, else the last one cut to fit.
/// For labels with shorter forms ("Web waiting 3m" → "waiting 3m" → "3m"): a value is never
/// cut in the middle of its unit while a shorter form fits.
pub fn first_fitting(candidates: &[String], max: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    candidates
        .iter()
        .find(|c| c.width() <= max)
        .cloned()
        .unwrap_or_else(|| {
            candidates
                .last()
                .map(|c| ellipsize(c, max).into_owned())
                .unwrap_or_default()
        })
}

/// "3m", "45s", "2h": compact durations for countdowns and waits.
pub fn short_duration(ms: i64) -> String {
    let s = (ms.max(0) + 999) / 1000;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m", s / 60),
        _ => format!("{}h", s / 3600),
    }
}

/// Local-time-free clock label (UTC HH:MM) for message times.
pub fn clock(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let day = secs.rem_euclid(86_400);
    format!("{:02}:{:02}", day / 3600, (day % 3600) / 60)
}

/// YYYY-MM-DD from epoch milliseconds (UTC), without a date crate.
pub fn date(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ellipsize_counts_display_columns() {
        assert_eq!(ellipsize("Alice VIP", 20), "Alice VIP");
        assert_eq!(ellipsize("Alice VIP", 6), "Alice…");
        // CJK is two columns each, and is never split.
        assert_eq!(ellipsize("欧阳娜娜的咨询", 7), "欧阳娜…");
        assert_eq!(ellipsize("欧阳娜娜的咨询", 6), "欧阳…");
        assert_eq!(ellipsize("abc", 1), "…");
        assert_eq!(ellipsize("abc", 0), "");
        let forms = [
            "Web waiting 3m".to_string(),
            "waiting 3m".into(),
            "3m".into(),
        ];
        assert_eq!(first_fitting(&forms, 20), "Web waiting 3m");
        assert_eq!(first_fitting(&forms, 12), "waiting 3m");
        assert_eq!(first_fitting(&forms, 3), "3m");
        assert_eq!(first_fitting(&forms, 1), "…");
    }
}
