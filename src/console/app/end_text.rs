//! The End dialog's and the pending end's words, in both languages (kept beside the ending
//! code rather than in the shared table, `i18n`).

use crate::console::i18n::Lang;

pub struct EndText {
    pub customer: &'static str,
    pub conversation: &'static str,
    pub group: &'static str,
    pub started: &'static str,
    pub messages: &'static str,
    pub phrases: &'static str,
    pub tags: &'static str,
    pub tags_required: &'static str,
    pub tags_hint: &'static str,
    pub outcome: &'static str,
    pub when: &'static str,
    pub now: &'static str,
    /// `{m}`: minutes.
    pub after_silence: &'static str,
    pub need_tag: &'static str,
    pub sending: &'static str,
    pub keys: &'static str,
    /// `{t}`: m:ss left.
    pub countdown: &'static str,
    pub countdown_short: &'static str,
    /// `{t}`: m:ss left.
    pub pending_notice: &'static str,
    pub cancelled: &'static str,
    /// The status bar's hint for `alt-x` while an end is pending.
    pub hint_cancel: &'static str,
    pub nothing_pending: &'static str,
    /// `{who}`, `{id}`, `{stars}`, `{comment}`.
    pub rated: &'static str,
    /// The built-in closing phrases: statements, the first is the default.
    pub phrases_builtin: [&'static str; 2],
}

const EN: EndText = EndText {
    customer: "Customer",
    conversation: "Conversation",
    group: "group",
    started: "started",
    messages: "messages",
    phrases: "Closing message (↑↓ pick, or type)",
    tags: "Tags",
    tags_required: "Tags (required)",
    tags_hint: "enter adds · ↑↓ suggestion",
    outcome: "Outcome",
    when: "End",
    now: "now",
    after_silence: "when the customer is silent for {m} min",
    need_tag: "This group requires a tag: type one and press enter.",
    sending: "Ending…",
    keys: "tab next field · enter confirm · space toggles · esc cancel",
    countdown: "ends in {t}",
    countdown_short: "⏱{t}",
    pending_notice: "Ends in {t} unless the customer writes (alt-x cancels)",
    cancelled: "Pending end cancelled",
    hint_cancel: "cancel end",
    nothing_pending: "No end is pending for this session",
    rated: "{who} (#{id}) rated {stars}{comment}",
    phrases_builtin: [
        "Thanks for contacting us — have a good day.",
        "Glad we could sort this out. Goodbye!",
    ],
};

const ZH: EndText = EndText {
    customer: "客户",
    conversation: "会话",
    group: "技能组",
    started: "开始于",
    messages: "条消息",
    phrases: "结束语（↑↓ 选择，或直接输入）",
    tags: "标签",
    tags_required: "标签（必填）",
    tags_hint: "回车添加 · ↑↓ 选建议",
    outcome: "结果",
    when: "结束",
    now: "立即",
    after_silence: "客户 {m} 分钟无回复后",
    need_tag: "该技能组要求先添加标签：输入标签后按回车。",
    sending: "正在结束…",
    keys: "tab 下一项 · 回车确认 · 空格切换 · esc 取消",
    countdown: "{t} 后结束",
    countdown_short: "⏱{t}",
    pending_notice: "客户无回复将在 {t} 后结束（alt-x 取消）",
    cancelled: "已取消自动结束",
    hint_cancel: "取消结束",
    nothing_pending: "该会话没有待结束的倒计时",
    rated: "{who}（#{id}）评价 {stars}{comment}",
    phrases_builtin: [
        "感谢您的咨询，祝您生活愉快！",
        "问题已为您处理好，感谢您的耐心，再见！",
    ],
};

pub fn end_text(lang: Lang) -> &'static EndText {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

/// The other language's table (its phrases are offered too, after ours).
pub fn other_text(lang: Lang) -> &'static EndText {
    match lang {
        Lang::En => &ZH,
        Lang::Zh => &EN,
    }
}

/// `m:ss` of a duration in ms (never negative).
pub fn clock(ms: i64) -> String {
    let secs = (ms.max(0) + 999) / 1000;
    format!("{}:{:02}", secs / 60, secs % 60)
}

/// `★★★★☆` for a rating of 1–5.
pub fn stars(n: u8) -> String {
    let n = usize::from(n.min(5));
    format!("{}{}", "★".repeat(n), "☆".repeat(5 - n))
}
