//! Every user-facing string of the console, in English and Simplified Chinese, from one
//! table. Each row declares a field of [`Text`] together with both translations, so a missing
//! translation is a compile error rather than a blank on screen.
//!
//! Strings that take values use named placeholders (`{n}`, `{s}`) filled by [`fill`].

/// A console language.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    /// Parses a language name or locale value: `en`, `zh`, `zh_CN.UTF-8`, `zh-Hans`, `en_US`,
    /// `C`, `POSIX`. Case-insensitive; `None` for anything else.
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s.starts_with("zh") {
            Some(Lang::Zh)
        } else if s.starts_with("en") || s == "c" || s.starts_with("c.") || s == "posix" {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// Chooses the language: the first non-empty of the command-line flag, the config file
    /// and the locale (see [`env_locale`]) decides. A value starting with `zh` means Chinese;
    /// anything else, or nothing at all, means English.
    pub fn detect(flag: Option<&str>, config: Option<&str>, env_lang: Option<&str>) -> Lang {
        [flag, config, env_lang]
            .into_iter()
            .flatten()
            .find(|v| !v.trim().is_empty())
            .and_then(Lang::parse)
            .unwrap_or(Lang::En)
    }

    /// The short name, as accepted by [`Lang::parse`] and written in config files.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }
}

/// The locale that decides message language, in POSIX order: `LC_ALL`, `LC_MESSAGES`, `LANG`.
pub fn env_locale() -> Option<String> {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .into_iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.trim().is_empty())
}

/// The strings for `lang`.
pub fn text(lang: Lang) -> &'static Text {
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

/// Replaces each `{name}` in `template` with its value from `args`. Unknown placeholders are
/// left as they are, and values are not scanned again, so a value containing `{n}` is safe.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            args.iter()
                .find(|(k, _)| *k == &after[..close])
                .map(|(_, v)| (close, v))
        });
        match value {
            Some((close, v)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

macro_rules! texts {
    ($($field:ident => ($en:literal, $zh:literal)),+ $(,)?) => {
        /// All console strings of one language. Fields are named after where they appear.
        #[derive(Debug)]
        pub struct Text {
            $(pub $field: &'static str,)+
        }

        pub const EN: Text = Text { $($field: $en,)+ };
        pub const ZH: Text = Text { $($field: $zh,)+ };

        impl Text {
            /// Every (field name, string), in table order: for tests and tooling.
            pub fn entries(&self) -> Vec<(&'static str, &'static str)> {
                vec![$((stringify!($field), self.$field),)+]
            }
        }
    };
}

texts! {
    // panels
    sessions_title => ("Sessions", "会话"),
    chat_title => ("Chat", "对话"),
    profile_title => ("Customer", "客户信息"),
    kb_title => ("Knowledge base", "知识库"),
    help_title => ("Help", "帮助"),
    // session list
    offers_heading => ("Incoming", "待接入"),
    active_heading => ("Active", "进行中"),
    followup_heading => ("Follow-up", "待跟进"),
    queue_heading => ("Queue", "排队中"),
    no_sessions => ("No sessions yet", "暂无会话"),
    no_session_selected => ("No session selected", "未选择会话"),
    // suggested replies (over the composer)
    suggest_title => ("Suggested", "推荐"),
    suggest_keys => ("{next} next · {adopt} adopt", "{next} 切换 · {adopt} 采用"),
    intent_effect => ("#{id} ({intent}): {what}", "#{id}（{intent}）：{what}"),
    intent_effect_priority => ("priority raised to {p}", "优先级升至 {p}"),
    intent_effect_group => ("moved to the {group} queue", "已转入 {group} 队列"),
    suggest_article => ("article", "文章"),
    suggest_quick => ("quick", "快捷"),
    suggest_none => ("No suggested reply to adopt", "暂无可采用的推荐回复"),
    accept_countdown => ("accept in {s}s", "{s} 秒内接入"),
    waiting_for => ("waiting {t}", "已等待 {t}"),
    unread => ("{n} new", "{n} 条新消息"),
    vip => ("VIP", "VIP"),
    complaint => ("Complaint", "投诉"),
    follow_up => ("Follow-up", "待跟进"),
    offline_message => ("Left message (nobody was online)", "离线留言（当时无人在线）"),
    // composer
    composer_placeholder => ("Type a reply…", "输入回复…"),
    composer_placeholder_readonly => ("This session is read-only", "该会话为只读"),
    // agent status and connection
    status_online => ("Online", "在线"),
    status_busy => ("Busy", "忙碌"),
    status_away => ("Away", "离开"),
    status_offline => ("Offline", "离线"),
    conn_connected => ("Connected", "已连接"),
    conn_connecting => ("Connecting…", "正在连接…"),
    conn_disconnected => (
        "Disconnected — reconnecting in {s}s; messages you send will wait in the outbox",
        "连接已断开，{s} 秒后重连；发送的消息会暂存在待发送队列中"
    ),
    // channels
    channel_web => ("Web", "网页"),
    channel_app => ("App", "App"),
    channel_mini_program => ("Mini Program", "小程序"),
    channel_api => ("API", "API"),
    // profile
    profile_nickname => ("Nickname", "昵称"),
    profile_customer_id => ("Customer ID", "客户 ID"),
    profile_channel => ("Channel", "渠道"),
    profile_tags => ("Tags", "标签"),
    profile_past_sessions => ("Past sessions", "历史会话"),
    profile_intent => ("Intent", "咨询意图"),
    // the answering bot's part (profile)
    bot_label => ("Bot", "机器人"),
    bot_with => ("with the bot: {turns} turns, {answers} answered", "机器人接待中：{turns} 轮，已答 {answers}"),
    bot_handed_off => ("handed off {at}: {reason} ({turns} turns, {answers} answered)", "{at} 转人工：{reason}（{turns} 轮，已答 {answers}）"),
    bot_reason_requested => ("customer asked for a person", "客户要求转人工"),
    bot_reason_unanswered => ("bot could not answer", "机器人无法回答"),
    bot_reason_complaint => ("complaint", "投诉"),
    bot_reason_negative => ("customer upset", "客户情绪负面"),
    bot_reason_vip => ("VIP customer", "VIP 客户"),
    bot_reason_taken => ("transferred by a colleague", "由同事转接"),
    menu_label => ("Menu", "自助菜单"),
    menu_in => ("in `{menu}` since {at}", "{at} 起在自助菜单 `{menu}`"),
    menu_returned => ("back from `{menu}` {at}: {reason}", "{at} 从自助菜单 `{menu}` 返回：{reason}"),
    menu_reason_requested => ("customer asked for a person", "客户要求转人工"),
    menu_reason_leaf => ("the menu sent them to people", "菜单转人工"),
    menu_reason_invalid => ("too many inputs not understood", "多次输入无法识别"),
    menu_reason_unavailable => ("the menu is gone", "菜单已不存在"),
    menu_reason_taken => ("transferred out by a colleague", "由同事转出"),
    menu_path => ("Path", "路径"),
    profile_page => ("Page", "页面"),
    profile_referrer => ("From", "来源"),
    profile_user_agent => ("Browser", "浏览器"),
    profile_app_version => ("App version", "应用版本"),
    profile_device => ("Device", "设备"),
    profile_none => ("None", "无"),
    // knowledge base and quick replies
    kb_placeholder => ("Search the knowledge base…", "搜索知识库…"),
    kb_no_results => ("No matching articles", "没有找到相关内容"),
    kb_hint => ("enter: send to customer · tab: insert to edit", "回车：发送给客户 · Tab：插入后编辑"),
    quick_replies_title => ("Quick replies", "快捷回复"),
    quick_scope_team => ("team", "团队"),
    quick_scope_mine => ("mine", "个人"),
    quick_unknown_vars => ("Unknown variables left as typed: {v}", "未知变量，已原样保留：{v}"),
    quick_missing_vars => ("No value here for {v} (left as typed)", "此处没有 {v} 的值（已原样保留）"),
    quick_manager_title => ("Quick replies — manage", "管理快捷回复"),
    quick_new => ("+ New quick reply", "+ 新建快捷回复"),
    quick_team_only => ("Only supervisors change team quick replies", "只有主管可以修改团队快捷回复"),
    quick_saved => ("Quick reply saved", "快捷回复已保存"),
    quick_delete_ask => ("Delete “{t}”? enter: delete · esc: keep", "删除“{t}”？回车：删除 · Esc：保留"),
    quick_field_shortcut => ("Shortcut", "快捷码"),
    quick_field_title => ("Title", "标题"),
    quick_field_body => ("Text", "内容"),
    quick_field_intents => ("Intents", "意图"),
    quick_field_scope => ("Scope", "范围"),
    quick_form_hint => ("tab: next field · alt-enter: new line · enter: save · esc: back", "Tab：下一项 · Alt+回车：换行 · 回车：保存 · Esc：返回"),
    quick_manager_hint => ("enter: edit · delete: delete · type to filter · esc: close", "回车：编辑 · Delete：删除 · 输入以筛选 · Esc：关闭"),
    quick_picker_hint => ("enter: insert into the composer · type to search", "回车：插入输入框 · 输入以搜索"),
    // knowledge-base workflow: updates, proposals, the editor
    kb_updates_title => ("Latest updates", "最新更新"),
    kb_proposals_title => ("Proposals", "投稿"),
    kb_unread => ("unread", "未读"),
    kb_pending => ("to review", "待审核"),
    kb_no_updates => ("Nothing new since your last check-in", "上次签到以来没有更新"),
    kb_no_proposals => ("No proposals", "没有投稿"),
    kb_new => ("new", "新"),
    kb_edited => ("edited", "已修改"),
    kb_updates_hint => ("enter: open · ctrl-r: check in · esc: back", "回车：打开 · ctrl-r：签到 · Esc：返回"),
    kb_proposals_hint => ("enter: show the diff · esc: back", "回车：查看差异 · Esc：返回"),
    kb_review_hint => ("a: approve · r: reject with a comment · esc: back", "a：通过 · r：驳回并填写意见 · Esc：返回"),
    kb_reject_prompt => ("Why (enter sends the rejection)", "驳回理由（回车提交）"),
    kb_stale => ("the article changed since: approving will fail", "文章在此之后已被修改：无法直接通过"),
    kb_search_hint_edit => ("ctrl-o: propose an edit · ctrl-t: new article", "ctrl-o：提议修改 · ctrl-t：新文章"),
    kb_pick_article => ("Pick an article to edit first", "请先选择要修改的文章"),
    kb_editor_failed => ("The editor failed", "编辑器出错"),
    kb_propose_cancelled => ("Proposal cancelled (nothing changed)", "已取消投稿（没有改动）"),
    kb_propose_unreadable => ("Proposal not sent, the file does not read back", "投稿未发送，文件无法解析"),
    kb_proposed => ("sent for review", "已提交审核"),
    kb_checked_in => ("Updates marked read", "已标记为已读"),
    kb_approved => ("approved", "已通过"),
    kb_rejected => ("rejected", "已驳回"),
    kb_withdrawn => ("withdrawn", "已撤回"),
    kb_your_proposal => ("Your proposal", "你的投稿"),
    kb_sent_title => ("Sent articles", "已发送文章"),
    // dialogs
    transfer_title => ("Transfer session", "转接会话"),
    transfer_note => ("Note for the next agent", "转接备注"),
    transfer_target_agent => ("Agent", "客服"),
    transfer_target_group => ("Skill group", "技能组"),
    tag_title => ("Tag session", "添加标签"),
    tag_new => ("new tag: {t}", "新建标签：{t}"),
    end_title => ("End session", "结束会话"),
    end_closing_phrase => ("Closing message", "结束语"),
    end_outcome_resolved => ("Resolved", "已解决"),
    end_outcome_unresolved => ("Unresolved", "未解决"),
    quit_title => ("Quit", "退出"),
    quit_confirm => ("{n} sessions are active. Quit anyway?", "还有 {n} 个进行中的会话，确定退出吗？"),
    yes => ("Yes", "是"),
    no => ("No", "否"),
    confirm_hint => ("enter: confirm", "回车：确认"),
    cancel_hint => ("esc: cancel", "Esc：取消"),
    // login
    login_title => ("Sign in", "登录"),
    login_server => ("Server", "服务器"),
    login_username => ("Username", "用户名"),
    login_password => ("Password", "密码"),
    login_button => ("Sign in", "登录"),
    login_new_password => ("New password", "新密码"),
    login_repeat_password => ("Repeat new password", "确认新密码"),
    login_must_change => ("Please set a new password to continue", "请先设置新密码"),
    login_error_wrong => ("Wrong username or password", "用户名或密码错误"),
    login_error_unreachable => ("Cannot reach the server", "无法连接到服务器"),
    login_error_version => ("The server runs an incompatible version", "服务器版本不兼容"),
    login_error_mismatch => ("The passwords do not match", "两次输入的密码不一致"),
    login_error_policy => ("The password does not meet the password policy", "密码不符合安全要求"),
    // messages
    msg_sending => ("sending…", "发送中…"),
    msg_failed => ("failed — {key} to retry", "发送失败，按 {key} 重试"),
    msg_sent => ("sent", "已发送"),
    typing => ("{name} is typing…", "{name} 正在输入…"),
    system_transferred => ("Session transferred", "会话已转接"),
    system_ended => ("Session ended", "会话已结束"),
    system_requeued => ("Session returned to the queue", "会话已退回队列"),
    offer_new => ("New session waiting", "有新会话待接入"),
    mention => ("You were mentioned", "有人@了你"),
    // message senders
    bot => ("Bot", "机器人"),
    agent => ("Agent", "客服"),
    customer => ("Customer", "客户"),
    system => ("System", "系统"),
    // status bar
    help_hint => ("? help", "? 帮助"),
    read_only => ("read-only", "只读"),
    hint_help => ("help", "帮助"),
    hint_accept => ("accept", "接入"),
    hint_reject => ("reject", "拒绝"),
    hint_reply => ("reply", "回复"),
    hint_transfer => ("transfer", "转接"),
    hint_tag => ("tag", "标签"),
    hint_end => ("end", "结束"),
    hint_next => ("next!", "下一个"),
    hint_kb => ("kb", "知识库"),
    hint_status => ("status", "状态"),
    hint_send => ("send", "发送"),
    hint_newline => ("newline", "换行"),
    hint_back => ("back", "返回"),
    hint_insert => ("insert", "插入"),
    // help overlay and which-key popup (console look and keys)
    help_ctx_global => ("Everywhere", "全局"),
    help_ctx_sessions => ("Session list", "会话列表"),
    help_ctx_chat => ("Chat", "对话"),
    help_ctx_compose => ("Composer", "输入框"),
    help_ctx_kb => ("Knowledge base", "知识库"),
    help_ctx_dialog => ("Dialogs", "对话框"),
    help_filter => ("Filter: ", "筛选："),
    help_filter_hint => ("/ filter", "/ 筛选"),
    help_no_match => ("No binding matches", "没有匹配的快捷键"),
    help_more_below => ("↓ more below ({n} lines)", "↓ 下面还有 {n} 行"),
    help_at_end => ("— end —", "— 已到末尾 —"),
    help_keys => ("j/k ↑↓ PgUp/PgDn g/G scroll · q close", "j/k ↑↓ PgUp/PgDn g/G 滚动 · q 关闭"),
    whichkey_hint => ("esc: cancel", "Esc：取消"),
    // connection, outbox, status banner, quit and sign-in (console flow)
    conn_lost => ("Disconnected", "已断开"),
    outbox_restored_one => (
        "Sending 1 message kept from your last session",
        "正在发送上次保存的 1 条消息"
    ),
    outbox_restored_many => (
        "Sending {n} messages kept from your last session",
        "正在发送上次保存的 {n} 条消息"
    ),
    quit_active_one => ("1 session is active.", "还有 1 个进行中的会话。"),
    quit_active_many => ("{n} sessions are active.", "还有 {n} 个进行中的会话。"),
    quit_unsent_one => ("1 message not yet sent.", "1 条消息尚未发送。"),
    quit_unsent_many => ("{n} messages not yet sent.", "{n} 条消息尚未发送。"),
    quit_unsent_kept => (
        "Unsent messages are kept and sent after your next sign-in.",
        "未发送的消息已保存，下次登录后自动发送。"
    ),
    quit_unsent_lost => ("Unsent messages will be lost.", "未发送的消息将会丢失。"),
    quit_anyway => ("Quit anyway?", "确定退出吗？"),
    login_policy_refused => (
        "New password refused: it needs at least 10 characters, may not be one of the 10,000 most common passwords, and may not contain your username.",
        "新密码不符合要求：至少 10 个字符，不能是最常见的 10,000 个密码之一，也不能包含用户名。"
    ),
    nudge_missed_offers => (
        "You were set {status} because offers went unanswered. Press {key} to go online.",
        "由于会话超时未接入，您已被设为“{status}”。按 {key} 恢复在线。"
    ),
    nudge_disconnected => (
        "You were set {status} while disconnected. Press {key} to go online.",
        "由于连接中断，您已被设为“{status}”。按 {key} 恢复在线。"
    ),
    nudge_logged_out => (
        "You were set {status} when you signed out elsewhere. Press {key} to go online.",
        "您在其他地方退出登录，已被设为“{status}”。按 {key} 恢复在线。"
    ),
    nudge_changed => (
        "Your status was set to {status} by another sign-in. Press {key} to go online.",
        "您的状态已被您的其他登录设为“{status}”。按 {key} 恢复在线。"
    ),
    nudge_first_login => (
        "Password set. You are {status}: press {key} to go online and receive conversations.",
        "密码已设置。您当前为“{status}”，按 {key} 上线接收会话。"
    ),
    hint_close => ("close", "关闭"),
    // follow-up reminders and the transfer dialog's answers (issue 10)
    follow_up_title => ("Follow up", "待跟进"),
    follow_up_remind => ("Remind me", "提醒我"),
    follow_up_no_reminder => ("no reminder", "不提醒"),
    follow_up_in_30 => ("in 30 min", "30 分钟后"),
    follow_up_in_60 => ("in 1 hour", "1 小时后"),
    follow_up_tomorrow => ("tomorrow 9:00", "明天 9:00"),
    follow_up_typed => ("at: ", "时间："),
    follow_up_typed_hint => ("15:30 · 2026-12-01 09:00 · +45m", "15:30 · 2026-12-01 09:00 · +45m"),
    follow_up_keys => ("↑↓ choose · type a time · enter: mark · esc: cancel", "↑↓ 选择 · 输入时间 · 回车：标记 · esc：取消"),
    follow_up_unreadable => ("Type a time like 15:30, 2026-12-01 09:00 or +45m", "请输入如 15:30、2026-12-01 09:00 或 +45m 的时间"),
    follow_up_past => ("That time has passed", "该时间已过"),
    follow_up_too_far => ("At most 90 days ahead", "最多 90 天以内"),
    follow_up_due => ("Follow-up due", "待跟进提醒"),
    follow_up_due_mark => ("⏰ due", "⏰ 到期"),
    follow_up_at => ("⏰ {t}", "⏰ {t}"),
    follow_up_none => ("no reminder", "无提醒"),
    transfer_sending => ("sending…", "发送中…"),
    transfer_refused => ("Refused: {r}", "未转接：{r}"),
    transfer_queue_anyway => ("enter: queue anyway · esc: cancel", "回车：仍然排队 · esc：取消"),
    transfer_offline => ("(offline)", "（离线）"),
    // replies that could not be used
    reply_not_connected => ("Not connected to the server", "未连接到服务器"),
    reply_unreadable => (
        "The server's answer to {request} could not be read (details in console.log)",
        "无法识别服务器对 {request} 的回复（详见 console.log）"
    ),
    // the Reports screen (报表, `app::report`, `ui::report`)
    help_ctx_reports => ("Reports", "报表"),
    report_title => ("Reports", "报表"),
    report_personal => ("Personal", "个人业绩"),
    report_team => ("Team", "团队"),
    report_by_agent => ("by agent", "按客服"),
    report_by_group => ("by group", "按技能组"),
    report_by_channel => ("by channel", "按渠道"),
    report_by_tag => ("by tag", "按标签"),
    report_by_intent => ("by intent", "按意图"),
    report_today => ("Today", "今天"),
    report_week => ("This week", "本周"),
    report_month => ("This month", "本月"),
    report_custom => ("Custom", "自定义"),
    report_loading => ("Loading the report…", "报表加载中…"),
    report_forbidden => (
        "Team reports are for supervisors and admins.",
        "团队报表仅限主管和管理员查看。"
    ),
    report_unavailable => (
        "Reports are not available from this server right now.",
        "服务器暂时无法提供报表。"
    ),
    report_failed => ("The report could not be loaded.", "报表加载失败。"),
    report_retry => ("{key}: try again", "{key}：重试"),
    report_summary => ("Summary", "概览"),
    report_handled => ("Handled", "接待量"),
    report_first_response => ("First response", "首次响应"),
    report_response => ("Avg response", "平均响应"),
    report_resolution => ("Resolution time", "解决时长"),
    report_resolution_rate => ("Resolved", "解决率"),
    report_csat => ("CSAT", "满意度"),
    report_transfers => ("Transfers", "转接"),
    report_status_time => ("Time in status", "状态时长"),
    report_avg_median => ("avg {avg} · median {median}", "平均 {avg} · 中位 {median}"),
    report_csat_detail => (
        "{avg}★ · {good} 4–5★ · {rate} rated",
        "{avg}★ · 4–5星 {good} · 参评 {rate}"
    ),
    report_transfers_detail => ("in {in} · out {out}", "转入 {in} · 转出 {out}"),
    report_bars_rows => ("Handled {by}", "接待量（{by}）"),
    report_bars_hour => ("Handled per hour", "每小时接待量"),
    report_bars_day => ("Handled per day", "每日接待量"),
    report_trends => ("Trends", "趋势"),
    report_arrivals => ("Arrivals", "进线"),
    report_waiting_hour => ("Waiting customers per hour", "每小时排队客户"),
    report_waiting_day => ("Waiting customers per day", "每日排队客户"),
    report_waiting_avg => ("average", "平均"),
    report_waiting_max => ("most at once", "最多"),
    report_waiting_short => ("Waiting", "排队"),
    report_axis_waiting => ("customers", "客户"),
    report_col_first => ("1st resp", "首响"),
    report_col_response => ("Resp", "响应"),
    report_col_resolution => ("Resolve", "解决时长"),
    report_col_rate => ("Resolved", "解决率"),
    report_col_transfers => ("In/out", "转入/出"),
    report_total => ("Total", "合计"),
    report_empty => ("No conversations in this period.", "该时段没有会话。"),
    report_custom_prompt => ("Range: ", "时间段："),
    report_custom_example => ("e.g. 2026-11-01..2026-11-15", "例如 2026-11-01..2026-11-15"),
    report_range_unreadable => (
        "Type two dates like 2026-11-01..2026-11-15",
        "请按 2026-11-01..2026-11-15 的格式输入两个日期"
    ),
    report_range_order => ("The end is before the start", "结束日期早于开始日期"),
    report_range_long => ("At most 366 days", "最多 366 天"),
    report_range_out => ("That date cannot be used", "无法使用该日期"),
    report_team_only => (
        "Team reports are for supervisors and admins",
        "团队报表仅限主管和管理员"
    ),
    report_hint_period => ("period", "时段"),
    report_hint_scope => ("personal/team", "个人/团队"),
    report_hint_breakdown => ("rows", "分行"),
    report_hint_refresh => ("refresh", "刷新"),
    report_hint_close => ("close", "关闭"),
    report_hint_help => ("keys", "快捷键"),
    report_tag_note => (
        "a conversation counts in each of its tags",
        "有多个标签的会话在每个标签下各计一次"
    ),
    // History (S19): the screen, its transcript view, and the filter line's errors
    help_ctx_history => ("History", "历史会话"),
    history_title => ("History", "历史会话"),
    history_filter => ("Filter", "筛选"),
    history_filter_hint => (
        "e.g. tag:退款 agent:alice after:2026-11-01 csat:4+ words",
        "例如 tag:退款 agent:alice after:2026-11-01 csat:4+ 关键词"
    ),
    history_keys => (
        "{confirm} search / open · {select} select · {page} page · {cancel} close",
        "{confirm} 搜索 / 打开 · {select} 选择 · {page} 翻页 · {cancel} 关闭"
    ),
    history_start => ("Type a filter and press enter.", "输入筛选条件后按回车搜索。"),
    history_searching => ("Searching…", "正在搜索…"),
    history_none => ("No conversation matches.", "没有符合条件的会话。"),
    history_page => ("page {n} · {m} shown", "第 {n} 页 · 显示 {m} 条"),
    history_more => ("more: {key}", "下一页：{key}"),
    history_last_page => ("last page", "最后一页"),
    history_failed => ("Search failed: {error}", "搜索失败：{error}"),
    history_open_state => ("open", "进行中"),
    history_outcome_resolved => ("resolved", "已解决"),
    history_outcome_unresolved => ("unresolved", "未解决"),
    history_outcome_abandoned => ("abandoned", "已放弃"),
    history_outcome_customer_left => ("customer left", "客户离开"),
    history_started => ("Started", "开始"),
    history_ended => ("Ended", "结束"),
    history_agent => ("Agent", "客服"),
    history_group => ("Group", "技能组"),
    history_outcome => ("Outcome", "结果"),
    history_rating => ("Rating", "评价"),
    history_unrated => ("not rated", "未评价"),
    history_tags => ("Tags", "标签"),
    history_intent => ("Intent", "意图"),
    history_transfers => ("Transfers", "转接记录"),
    history_transfer_by => ("by {name}", "操作人 {name}"),
    history_transfer_queued => ("queued", "排队"),
    history_messages => ("Messages", "消息"),
    history_loading => ("Loading…", "加载中…"),
    history_loading_more => ("Loading more messages…", "正在加载更多消息…"),
    history_more_messages => ("more below: {key}", "下方还有更多：{key}"),
    history_end_of_transcript => ("— end of the conversation —", "— 会话到此结束 —"),
    history_view_keys => (
        "{scroll} scroll · {page} page · {cancel} back to the results",
        "{scroll} 滚动 · {page} 翻页 · {cancel} 返回结果"
    ),
    history_view_failed => ("Could not open it: {error}", "无法打开：{error}"),
    history_err_unknown => (
        "Unknown filter `{key}:`; use {keys} (or quote it to search the words)",
        "未知的筛选条件 `{key}:`；可用 {keys}（或加引号按文字搜索）"
    ),
    history_err_empty => ("`{key}:` needs a value", "`{key}:` 缺少值"),
    history_err_bad => (
        "`{key}:{value}` is not understood; use {allowed}",
        "无法识别 `{key}:{value}`；可用 {allowed}"
    ),
    history_err_twice => ("`{key}:` is given twice", "`{key}:` 重复出现"),
    history_err_unclosed => ("A quote (\") is not closed", "引号（\"）没有闭合"),
    history_err_range => (
        "Nothing is both after {after} and before {before}",
        "时间范围为空：after:{after} 不早于 before:{before}"
    ),
    history_err_long => ("The filter is too long", "筛选条件过长"),
    history_help_confirm => (
        "search with the filter line, or open the selected conversation when it is unchanged",
        "按筛选条件搜索；条件未改时打开所选会话"
    ),
    history_help_cancel => (
        "back to the results, then close History",
        "返回结果列表，再按一次关闭历史会话"
    ),
    history_help_next => ("next result (in a conversation: scroll down)", "下一条结果（会话中：向下滚动）"),
    history_help_prev => ("previous result (in a conversation: scroll up)", "上一条结果（会话中：向上滚动）"),
    history_help_page_down => (
        "next page of results (in a conversation: a page down)",
        "下一页结果（会话中：向下翻页）"
    ),
    history_help_page_up => (
        "previous page of results (in a conversation: a page up)",
        "上一页结果（会话中：向上翻页）"
    ),
    history_help_first => (
        "first result, back on page 1 (in a conversation: the top)",
        "第一条结果，回到第 1 页（会话中：回到顶部）"
    ),
    history_help_last => (
        "last result of the page (in a conversation: the bottom)",
        "本页最后一条结果（会话中：到底部）"
    ),
    history_help_clear => ("clear the filter line", "清空筛选条件"),
    history_matched => ("matched", "匹配"),
    // the supervisor's live view (dashboard, issue 11)
    system_taken_over => ("Taken over by a supervisor", "已被主管接管"),
    nudge_supervisor => (
        "A supervisor set you {status}. Press {key} to go online.",
        "主管已将您设为“{status}”。按 {key} 恢复在线。"
    ),
    help_ctx_dashboard => ("Dashboard", "监控面板"),
    dash_title => ("Dashboard", "监控面板"),
    dash_title_sl => (
        "Dashboard · service level today {sl} (answered within {secs}s)",
        "监控面板 · 今日服务水平 {sl}（{secs} 秒内接起）"
    ),
    dash_loading => ("Loading the live view…", "正在加载实时数据…"),
    dash_forbidden => (
        "The dashboard is for supervisors and admins",
        "监控面板仅限主管和管理员使用"
    ),
    dash_no_conversation => ("Select a conversation first (tab)", "请先选择一个会话（tab）"),
    dash_no_agents => ("No agents", "暂无客服"),
    dash_ended => ("That conversation has ended", "该会话已结束"),
    dash_status_set => ("Status set", "状态已更改"),
    dash_taken => ("#{id} is yours now", "#{id} 已由您接管"),
    dash_picker_title => ("Status of {name}", "设置 {name} 的状态"),
    dash_col_group => ("Group", "技能组"),
    dash_col_waiting => ("Waiting", "排队"),
    dash_col_longest => ("Longest", "最长等待"),
    dash_col_arrivals => ("In/h", "进线/时"),
    dash_col_trend => ("Last hour", "近一小时"),
    dash_col_online => ("Online", "在线"),
    dash_col_sl => ("SL", "达标率"),
    dash_col_agent => ("Agent", "客服"),
    dash_col_status => ("Status", "状态"),
    dash_col_since => ("For", "持续"),
    dash_col_load => ("Load", "负载"),
    dash_col_missed => ("Missed", "未接"),
    dash_col_conversations => ("Conversations", "当前会话"),
    dash_key_status => ("status", "状态"),
    dash_key_take_over => ("take over", "接管"),
    dash_key_reassign => ("reassign", "转接"),
    dash_key_watch => ("watch", "旁听"),
    dash_key_whisper => ("whisper", "密语"),
    dash_key_next => ("next conversation", "下一会话"),
    // The Audit screen (f12, admins).
    help_ctx_audit => ("Audit log", "审计日志"),
    audit_title => ("Audit log · {family} · {actor}", "审计日志 · {family} · {actor}"),
    audit_all_actions => ("all actions", "全部操作"),
    audit_all_actors => ("everyone", "所有人"),
    audit_forbidden => (
        "The audit log is for admins",
        "审计日志仅限管理员查看"
    ),
    audit_loading => ("Loading…", "正在加载…"),
    audit_empty => ("No entries", "没有记录"),
    audit_last_page => ("No older entries", "没有更早的记录"),
    audit_page => ("page {n}", "第 {n} 页"),
    audit_more => ("older: pagedown", "更早：pagedown"),
    audit_col_time => ("time (UTC)", "时间（UTC）"),
    audit_col_actor => ("actor", "操作者"),
    audit_col_action => ("action", "操作"),
    audit_col_target => ("target", "对象"),
    audit_key_family => ("family", "类别"),
    audit_key_actor => ("this actor", "此操作者"),
    audit_key_refresh => ("refresh", "刷新"),
    // the agent's own account (issue 12: sign-ins, profile)
    account_signed_out => ("Signed out", "已登出"),
    help_ctx_account => ("Account", "账户"),
    account_title => ("Account", "账户"),
    account_profile => ("Profile", "个人资料"),
    account_display_name => ("Display name", "显示名"),
    account_initials => ("Initials", "头像字"),
    account_color => ("Colour", "头像颜色"),
    account_contact => ("Contact", "联系方式"),
    account_signature => ("Signature", "签名"),
    account_language => ("Language (en/zh)", "语言（en/zh）"),
    account_devices => ("Signed-in devices", "已登录的设备"),
    account_no_devices => ("(loading…)", "（加载中…）"),
    account_this => ("this device", "本设备"),
    account_connected => ("connected", "在线"),
    account_last_used => ("last used", "最近使用"),
    account_unknown_client => ("unknown client", "未知客户端"),
    account_saved => ("Profile saved.", "个人资料已保存。"),
    account_device_ended => ("Device signed out.", "该设备已退出登录。"),
    account_pick_device => ("Select a device first (down).", "请先选择一个设备（向下）。"),
    account_this_device => (
        "This is the device you are using: log out instead.",
        "这是您正在使用的设备：请直接退出登录。"
    ),
    account_key_save => ("save", "保存"),
    account_key_end => ("sign the device out", "让设备退出"),
    // Two-factor sign-in (totp): the login form's code field and the enrolment screen.
    login_code => ("2FA code", "动态验证码"),
    login_code_needed => (
        "Type the 6-digit code from your authenticator app (or a recovery code)",
        "请输入身份验证器应用中的 6 位验证码（或一个恢复码）"
    ),
    totp_title => ("Two-factor sign-in", "两步验证"),
    totp_starting => ("Asking the server for a new secret…", "正在向服务器申请新密钥…"),
    totp_scan => (
        "Scan the QR code with an authenticator app, or type the secret into it:",
        "用身份验证器应用扫描二维码，或手动输入密钥："
    ),
    totp_secret => ("Secret", "密钥"),
    totp_code => ("Code", "验证码"),
    totp_confirm_hint => ("enter: confirm the code · esc: later", "回车：确认验证码 · esc：稍后"),
    totp_forced => (
        "Your role requires two-factor sign-in: enrol to start working.",
        "您的角色要求两步验证：完成设置后才能开始工作。"
    ),
    totp_codes_title => (
        "Two-factor sign-in is on. Recovery codes, each usable once, shown only now:",
        "两步验证已开启。以下恢复码每个只能用一次，只显示这一次："
    ),
    totp_codes_hint => (
        "Keep them somewhere safe · enter/esc: done",
        "请妥善保存 · 回车/esc：完成"
    ),
    totp_too_small => ("Enlarge the window to show the QR code", "请放大窗口以显示二维码"),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detect_precedence() {
        assert_eq!(
            Lang::detect(Some("zh"), Some("en"), Some("en_US.UTF-8")),
            Lang::Zh
        );
        assert_eq!(
            Lang::detect(Some("en"), Some("zh"), Some("zh_CN.UTF-8")),
            Lang::En
        );
        assert_eq!(
            Lang::detect(None, Some("zh"), Some("en_US.UTF-8")),
            Lang::Zh
        );
        assert_eq!(Lang::detect(None, None, Some("zh_CN.UTF-8")), Lang::Zh);
        assert_eq!(Lang::detect(None, Some(" "), Some("zh_TW")), Lang::Zh);
        assert_eq!(Lang::detect(None, None, Some("fr_FR.UTF-8")), Lang::En);
        assert_eq!(Lang::detect(None, None, None), Lang::En);
        // An explicit but unknown choice means English, not the next source.
        assert_eq!(Lang::detect(Some("fr"), None, Some("zh_CN")), Lang::En);
    }

    #[test]
    fn parse() {
        assert_eq!(Lang::parse("en"), Some(Lang::En));
        assert_eq!(Lang::parse("ZH"), Some(Lang::Zh));
        assert_eq!(Lang::parse("zh_CN.UTF-8"), Some(Lang::Zh));
        assert_eq!(Lang::parse("C.UTF-8"), Some(Lang::En));
        assert_eq!(Lang::parse("de"), None);
        for l in [Lang::En, Lang::Zh] {
            assert_eq!(Lang::parse(l.code()), Some(l));
        }
    }

    #[test]
    fn fill_placeholders() {
        assert_eq!(fill("{n} new", &[("n", "3")]), "3 new");
        assert_eq!(fill(text(Lang::Zh).unread, &[("n", "3")]), "3 条新消息");
        assert_eq!(fill("{a}{b}{a}", &[("a", "x"), ("b", "y")]), "xyx");
        assert_eq!(fill("{missing} {n", &[("n", "1")]), "{missing} {n");
        assert_eq!(fill("{n}", &[("n", "{n}")]), "{n}");
        assert_eq!(fill("", &[]), "");
    }

    fn placeholders(s: &str) -> Vec<&str> {
        let mut found: Vec<&str> = s
            .split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}').map(|(name, _)| name))
            .collect();
        found.sort_unstable();
        found
    }

    #[test]
    fn every_string_is_translated_with_the_same_placeholders() {
        let (en, zh) = (EN.entries(), ZH.entries());
        assert_eq!(en.len(), zh.len());
        for ((field, e), (_, z)) in en.iter().zip(&zh) {
            assert!(!e.trim().is_empty(), "EN.{field} is empty");
            assert!(!z.trim().is_empty(), "ZH.{field} is empty");
            assert_eq!(
                placeholders(e),
                placeholders(z),
                "placeholders differ in {field}"
            );
        }
    }
}
