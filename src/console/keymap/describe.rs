//! What each action does, in the console's languages, for the help overlay and the
//! which-key popup. English lives next to the action itself ([`Action::help`]); the Chinese
//! table is here so that adding an action is one line in each place (a test checks that no
//! action lacks its translation).

use crate::console::action::Action;
use crate::console::i18n::Lang;

/// One line saying what `action` does, in `lang`.
pub fn describe(action: Action, lang: Lang) -> &'static str {
    match lang {
        Lang::En => action.help(),
        Lang::Zh => zh(action).unwrap_or_else(|| action.help()),
    }
}

fn zh(action: Action) -> Option<&'static str> {
    use Action::*;
    Some(match action {
        Quit => "退出（仍有进行中的会话时先确认）",
        Help => "显示全部快捷键",
        NextSession => "下一个会话",
        PrevSession => "上一个会话",
        Session1 => "跳到第 1 个会话",
        Session2 => "跳到第 2 个会话",
        Session3 => "跳到第 3 个会话",
        Session4 => "跳到第 4 个会话",
        Session5 => "跳到第 5 个会话",
        Session6 => "跳到第 6 个会话",
        Session7 => "跳到第 7 个会话",
        Session8 => "跳到第 8 个会话",
        Session9 => "跳到第 9 个会话",
        NextAttention => "跳到最需要处理的会话",
        FocusNext => "切换到下一个面板",
        FocusPrev => "切换到上一个面板",
        FocusSessions => "切换到会话列表",
        FocusChat => "切换到对话",
        FocusCompose => "在输入框中回复",
        FocusProfile => "切换到客户信息",
        KbSearch => "搜索知识库",
        ToggleSidebar => "显示或隐藏客户信息栏",
        ToggleKbPanel => "显示或隐藏知识库面板",
        WidenList => "加宽会话列表",
        NarrowList => "收窄会话列表",
        WidenSidebar => "加宽侧栏",
        NarrowSidebar => "收窄侧栏",
        CycleStatus => "切换状态：在线 → 忙碌 → 离开 → 离线",
        StatusOnline => "设为在线",
        StatusBusy => "设为忙碌",
        Accept => "接入待接入的会话",
        Reject => "拒绝待接入的会话",
        Transfer => "转接给客服或技能组",
        Tag => "给会话添加标签",
        End => "结束会话",
        ToggleFollowUp => "待跟进：标记并设提醒，或取消",
        TwoFactor => "两步验证：绑定身份验证器应用（二维码）",
        ToggleNote => "把下一条消息写成内部备注（仅同事可见）",
        NextMention => "跳到下一个提及你的会话",
        CancelEnd => "取消自动结束（客户无回复后结束）",
        QuickReplies => "管理快捷回复（个人；主管可管理团队回复）",
        Open => "打开所选项",
        FirstItem => "跳到第一个会话；在对话中跳到第一条消息",
        LastItem => "跳到最后一个会话；在对话中跳到最后一条消息",
        ScrollUp => "向上滚动",
        ScrollDown => "向下滚动",
        PageUp => "向上翻页",
        PageDown => "向下翻页",
        RetryFailed => "重发发送失败的消息",
        Send => "发送消息",
        Newline => "消息内换行",
        Cancel => "取消 / 关闭 / 离开输入框",
        HistoryPrev => "上一条已发送的消息",
        HistoryNext => "下一条已发送的消息",
        CursorLeft => "光标左移",
        CursorRight => "光标右移",
        CursorUp => "光标上移一行",
        CursorDown => "光标下移一行",
        CursorHome => "行首",
        CursorEnd => "行尾",
        WordLeft => "左移一个词",
        WordRight => "右移一个词",
        DeleteBack => "删除光标前的字符",
        DeleteForward => "删除光标处的字符",
        DeleteWord => "删除光标前的词",
        ClearLine => "清空输入框",
        SelectNext => "下一项",
        SelectPrev => "上一项",
        KbSend => "把文章发送给客户（一键发送）",
        KbInsert => "把文章插入输入框后编辑",
        SuggestNext => "高亮下一条推荐回复",
        SuggestAdopt => "把高亮的推荐回复放入输入框",
        KbProposeEdit => "用 $EDITOR 提议修改所选文章",
        KbProposeNew => "用 $EDITOR 提议新文章",
        KbUpdates => "查看知识库最新更新",
        KbCheckIn => "标记最新更新为已读（签到）",
        KbProposals => "知识库投稿：审核（主管）或查看自己的投稿",
        History => "历史会话：搜索过去的会话（在客户信息栏中：该客户的会话）",
        Confirm => "确认",
        NextField => "下一个字段",
        Reports => "报表：个人业绩；主管可看团队报表（图表）",
        ReportToday => "报表：今天",
        ReportWeek => "报表：本周（周一起）",
        ReportMonth => "报表：本月",
        ReportCustom => "报表：自定义时间段，如 2026-11-01..2026-11-15",
        ReportScope => "切换个人 / 团队报表（团队：主管和管理员）",
        ReportBreakdown => "团队报表按客服、技能组、渠道、标签或意图分行",
        ReportPrev => "上一个时间段",
        ReportNext => "下一个时间段",
        ReportRefresh => "重新获取报表",
        Dashboard => "主管监控面板：队列、客服、服务水平（主管）",
        DashNextConversation => "监控面板：所选客服的下一个会话",
        DashStatus => "监控面板：设置所选客服的状态",
        DashTakeOver => "监控面板：接管所选会话",
        DashReassign => "监控面板：转接所选会话",
        DashWatch => "监控面板：只读旁听所选会话",
        DashWhisper => "监控面板：给客服密语（在会话中写备注）",
        Audit => "审计日志：谁在何时做了什么（管理员）",
        AuditFamily => "审计日志：切换到下一类操作（登录、客服……）",
        AuditActor => "审计日志：只看所选条目的操作者（再按：全部）",
        AuditRefresh => "审计日志：重新获取本页",
        Account => "账户：个人资料和已登录的设备",
        AccountEndDevice => "账户：让所选设备退出登录",
        #[allow(unreachable_patterns)] // actions added later fall back to English until translated
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_is_described_in_every_language() {
        for a in Action::ALL {
            assert!(!describe(*a, Lang::En).is_empty(), "{}", a.name());
            let zh = describe(*a, Lang::Zh);
            assert!(
                zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "no Chinese description for `{}`",
                a.name()
            );
        }
    }
}
