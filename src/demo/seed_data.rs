//! What `demo::seed` writes: skill groups, agents, customers with history, quick replies. The
//! knowledge-base articles are in `kb.json` next to this file.

use super::Lang;
use crate::model::{Channel, EndReason, Role, Strategy};

pub const DEMO_USERNAME: &str = "demo";
/// Shared by every seeded agent; printed by `kefu demo`, never used outside a demo database.
pub const DEMO_PASSWORD: &str = "tea-and-kefu-1!";

pub const GROUPS: &[(&str, Strategy)] = &[
    ("presales", Strategy::LeastBusy),
    ("aftersales", Strategy::LeastBusy),
    ("logistics", Strategy::RoundRobin),
    ("vip", Strategy::Manual),
];

pub struct AgentSeed {
    pub username: &'static str,
    pub display_name: &'static str,
    pub employee_no: &'static str,
    pub contact: &'static str,
    pub role: Role,
    pub groups: &'static [&'static str],
    pub capacity: u32,
}

pub const AGENTS: &[AgentSeed] = &[
    AgentSeed {
        username: DEMO_USERNAME,
        display_name: "Demo Agent",
        employee_no: "KF1001",
        contact: "demo@kefu.example",
        role: Role::Agent,
        groups: &["presales", "aftersales", "logistics", "vip"],
        capacity: 6,
    },
    AgentSeed {
        username: "li.na",
        display_name: "李娜",
        employee_no: "KF1002",
        contact: "li.na@kefu.example",
        role: Role::Agent,
        groups: &["aftersales"],
        capacity: 5,
    },
    AgentSeed {
        username: "wang.wei",
        display_name: "王伟",
        employee_no: "KF1003",
        contact: "wang.wei@kefu.example",
        role: Role::Agent,
        groups: &["logistics"],
        capacity: 5,
    },
    AgentSeed {
        username: "sam",
        display_name: "Sam Carter",
        employee_no: "KF1004",
        contact: "sam.carter@kefu.example",
        role: Role::Agent,
        groups: &["presales"],
        capacity: 5,
    },
    AgentSeed {
        username: "chen",
        display_name: "陈主管",
        employee_no: "KF0001",
        contact: "chen@kefu.example",
        role: Role::Supervisor,
        groups: &["vip"],
        capacity: 3,
    },
];

/// Who wrote a line of a past conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Customer,
    Agent,
}

/// An ended conversation, placed `days_ago` before the seed time.
pub struct PastSession {
    pub days_ago: i64,
    pub group: &'static str,
    /// Username of the agent who served it.
    pub agent: &'static str,
    pub tags: &'static [&'static str],
    pub end: EndReason,
    pub csat: Option<u8>,
    pub follow_up: bool,
    pub lines: &'static [(Who, &'static str)],
}

pub struct CustomerSeed {
    pub external_id: &'static str,
    pub nickname: &'static str,
    pub channel: Channel,
    pub lang: Lang,
    pub vip: bool,
    pub tags: &'static [&'static str],
    pub history: &'static [PastSession],
}

use Who::{Agent as A, Customer as C};

pub const CUSTOMERS: &[CustomerSeed] = &[
    CustomerSeed {
        external_id: "u10001",
        nickname: "张伟",
        channel: Channel::App,
        lang: Lang::Zh,
        vip: true,
        tags: &["VIP用户", "老客户"],
        history: &[
            PastSession {
                days_ago: 3,
                group: "logistics",
                agent: "wang.wei",
                tags: &["物流问题-已解决"],
                end: EndReason::Resolved,
                csat: Some(5),
                follow_up: false,
                lines: &[
                    (C, "我的订单显示已发货三天了，物流一直没更新"),
                    (A, "您好，麻烦提供一下订单号，我帮您查询。"),
                    (C, "订单号 DD20240611001"),
                    (
                        A,
                        "查到了，包裹在中转站滞留，我已催促快递公司，预计明天送达。",
                    ),
                    (C, "好的，谢谢！"),
                ],
            },
            PastSession {
                days_ago: 21,
                group: "presales",
                agent: "sam",
                tags: &["产品咨询-已解决"],
                end: EndReason::Resolved,
                csat: Some(4),
                follow_up: false,
                lines: &[
                    (C, "这款扫地机器人支持自动集尘吗？"),
                    (A, "支持的，Pro 版本带自动集尘座，基础版不带。"),
                    (C, "明白了，我买 Pro 版"),
                ],
            },
        ],
    },
    CustomerSeed {
        external_id: "u10002",
        nickname: "王芳",
        channel: Channel::Web,
        lang: Lang::Zh,
        vip: false,
        tags: &["投诉用户"],
        history: &[PastSession {
            days_ago: 6,
            group: "logistics",
            agent: "wang.wei",
            tags: &["物流问题-未解决", "投诉"],
            end: EndReason::Unresolved,
            csat: Some(2),
            follow_up: true,
            lines: &[
                (C, "快递五天了还没到，你们到底管不管？"),
                (A, "非常抱歉给您带来不便，我马上联系快递公司核实。"),
                (C, "上次也是这么说的！"),
                (A, "理解您的心情，我已登记加急处理，24小时内给您回电。"),
            ],
        }],
    },
    CustomerSeed {
        external_id: "u10003",
        nickname: "Emily Chen",
        channel: Channel::Web,
        lang: Lang::En,
        vip: true,
        tags: &["VIP用户"],
        history: &[PastSession {
            days_ago: 9,
            group: "aftersales",
            agent: "li.na",
            tags: &["refund-resolved"],
            end: EndReason::Resolved,
            csat: Some(5),
            follow_up: false,
            lines: &[
                (
                    C,
                    "Hi, I returned a jacket last week. When will I get my refund?",
                ),
                (
                    A,
                    "Hi Emily! The return arrived yesterday; I've approved the refund just now.",
                ),
                (C, "Great, how long until it shows on my card?"),
                (A, "Usually 3–5 business days, depending on your bank."),
                (C, "Perfect, thank you!"),
            ],
        }],
    },
    CustomerSeed {
        external_id: "u10004",
        nickname: "小明",
        channel: Channel::MiniProgram,
        lang: Lang::Zh,
        vip: false,
        tags: &["新客户"],
        history: &[PastSession {
            days_ago: 2,
            group: "presales",
            agent: "demo",
            tags: &["产品咨询-未解决"],
            end: EndReason::Unresolved,
            csat: None,
            follow_up: true,
            lines: &[
                (C, "请问这款耳机什么时候有货？"),
                (A, "目前缺货，预计下周补货，到货后我通知您可以吗？"),
                (C, "可以"),
            ],
        }],
    },
    CustomerSeed {
        external_id: "u10005",
        nickname: "James Wilson",
        channel: Channel::App,
        lang: Lang::En,
        vip: false,
        tags: &[],
        history: &[PastSession {
            days_ago: 14,
            group: "aftersales",
            agent: "li.na",
            tags: &["invoice"],
            end: EndReason::Resolved,
            csat: Some(4),
            follow_up: false,
            lines: &[
                (C, "I need a VAT invoice for order 88231, can you help?"),
                (A, "Sure, please send the company name and tax ID."),
                (C, "Wilson Design Ltd, GB123456789"),
                (A, "Done, the invoice has been emailed to you."),
            ],
        }],
    },
    CustomerSeed {
        external_id: "u10006",
        nickname: "李雷",
        channel: Channel::Web,
        lang: Lang::Zh,
        vip: false,
        tags: &["老客户"],
        history: &[
            PastSession {
                days_ago: 1,
                group: "aftersales",
                agent: "li.na",
                tags: &["退款-已解决"],
                end: EndReason::Resolved,
                csat: Some(5),
                follow_up: false,
                lines: &[
                    (C, "退货已经寄回去了，退款什么时候到？"),
                    (A, "仓库已签收，退款已提交，1–3个工作日原路退回。"),
                    (C, "好的谢谢"),
                ],
            },
            PastSession {
                days_ago: 30,
                group: "presales",
                agent: "sam",
                tags: &["产品咨询-已解决"],
                end: EndReason::Abandoned,
                csat: None,
                follow_up: false,
                lines: &[(C, "在吗？"), (A, "在的，请问有什么可以帮您？")],
            },
        ],
    },
    CustomerSeed {
        external_id: "u10007",
        nickname: "Olivia Brown",
        channel: Channel::Web,
        lang: Lang::En,
        vip: false,
        tags: &[],
        history: &[PastSession {
            days_ago: 5,
            group: "presales",
            agent: "sam",
            tags: &["product-question"],
            end: EndReason::Resolved,
            csat: Some(3),
            follow_up: false,
            lines: &[
                (C, "Does the blender come with a travel cup?"),
                (
                    A,
                    "The Pro bundle includes two travel cups; the basic one doesn't.",
                ),
            ],
        }],
    },
    CustomerSeed {
        external_id: "u10008",
        nickname: "刘洋",
        channel: Channel::App,
        lang: Lang::Zh,
        vip: false,
        tags: &["企业客户"],
        history: &[PastSession {
            days_ago: 12,
            group: "aftersales",
            agent: "demo",
            tags: &["发票-已解决"],
            end: EndReason::Resolved,
            csat: Some(5),
            follow_up: false,
            lines: &[
                (C, "我们公司需要开增值税专用发票"),
                (A, "好的，请提供公司名称、税号、开户行及账号。"),
                (C, "已发到邮箱了"),
                (A, "收到，专票将在3个工作日内寄出。"),
            ],
        }],
    },
    CustomerSeed {
        external_id: "u10009",
        nickname: "Mike Johnson",
        channel: Channel::Web,
        lang: Lang::En,
        vip: false,
        tags: &["投诉用户"],
        history: &[PastSession {
            days_ago: 4,
            group: "logistics",
            agent: "wang.wei",
            tags: &["shipping-unresolved", "complaint"],
            end: EndReason::Unresolved,
            csat: Some(1),
            follow_up: true,
            lines: &[
                (C, "My parcel was marked delivered but it never arrived."),
                (
                    A,
                    "I'm sorry to hear that. I've opened an investigation with the carrier.",
                ),
                (C, "This is the second time this happened."),
            ],
        }],
    },
    CustomerSeed {
        external_id: "u10010",
        nickname: "陈静",
        channel: Channel::MiniProgram,
        lang: Lang::Zh,
        vip: true,
        tags: &["VIP用户"],
        history: &[PastSession {
            days_ago: 7,
            group: "aftersales",
            agent: "chen",
            tags: &["换货-已解决"],
            end: EndReason::Resolved,
            csat: Some(5),
            follow_up: false,
            lines: &[
                (C, "收到的裙子尺码不对，能换吗？"),
                (
                    A,
                    "可以的，VIP会员享受免费上门取件换货，我帮您预约明天上午。",
                ),
                (C, "太好了，谢谢！"),
            ],
        }],
    },
    CustomerSeed {
        external_id: "u10011",
        nickname: "Sophie Martin",
        channel: Channel::App,
        lang: Lang::En,
        vip: false,
        tags: &["新客户"],
        history: &[],
    },
    CustomerSeed {
        external_id: "u10012",
        nickname: "赵磊",
        channel: Channel::MiniProgram,
        lang: Lang::Zh,
        vip: false,
        tags: &[],
        history: &[],
    },
];

/// Team quick replies: (shortcut, title, body, intents). Variables (`{customer.nickname}`,
/// `{agent.name}`, `{date}`, …; see `crate::quick::vars`) are filled in by the console.
pub const QUICK_REPLIES: &[(&str, &str, &str, &[&str])] = &[
    (
        "hi",
        "问候",
        "您好{customer.nickname}，我是客服{agent.name}，很高兴为您服务！请问有什么可以帮您？",
        &["greeting"],
    ),
    (
        "hi-en",
        "Greeting",
        "Hi {customer.nickname}, this is {agent.name}. How can I help you today?",
        &["greeting"],
    ),
    (
        "order",
        "询问订单号",
        "麻烦您提供一下订单号，我马上为您查询。",
        &["order_status", "logistics"],
    ),
    (
        "order-en",
        "Ask for the order number",
        "Could you share your order number, please? I'll look it up right away.",
        &["order_status", "logistics"],
    ),
    ("wait", "请稍等", "好的，请您稍等，我正在为您查询～", &[]),
    (
        "wait-en",
        "Please hold",
        "Thanks {customer}, please give me a moment while I check.",
        &[],
    ),
    (
        "sorry",
        "致歉",
        "非常抱歉给您带来不便，{customer}，我们会尽快为您处理。",
        &["complaint"],
    ),
    (
        "sorry-en",
        "Apology",
        "I'm very sorry for the trouble, {customer}. I'll make this right as quickly as I can.",
        &["complaint"],
    ),
    (
        "refund",
        "退款政策",
        "签收后7天内可申请无理由退货；仓库签收退货后1–3个工作日内原路退款，银行卡到账可能需要3–7个工作日。",
        &["refund"],
    ),
    (
        "refund-en",
        "Refund policy",
        "You can return items within 30 days of delivery. Once the return reaches our warehouse, the refund goes back to your original payment method within 5–7 business days.",
        &["refund"],
    ),
    (
        "ship",
        "物流时效",
        "现货订单当天16点前付款当天发出，江浙沪一般次日达，其他地区2–4天送达，偏远地区5–7天。",
        &["logistics"],
    ),
    (
        "vip",
        "VIP 专属",
        "尊敬的VIP会员{customer}，您的问题已为您优先处理，专属客服{agent}全程跟进。",
        &[],
    ),
    (
        "ticket",
        "登记工单",
        "已为您登记工单（会话号 {session.id}，{date} {time}），{session.group}组的同事会尽快跟进。",
        &["complaint", "refund"],
    ),
    (
        "ticket-en",
        "Ticket logged",
        "I've logged this as conversation #{session.id} on {date} at {time}; the {session.group} team will follow up.",
        &["complaint", "refund"],
    ),
    (
        "bye",
        "结束语",
        "感谢您的耐心，{customer}！还有其他问题随时联系我们，祝您生活愉快～",
        &["thanks"],
    ),
    (
        "bye-en",
        "Closing",
        "Thank you for contacting us, {customer}! Have a great day. — {agent.name}",
        &["thanks"],
    ),
];

/// Personal quick replies: (owner's username, shortcut, title, body).
pub const PERSONAL_QUICK_REPLIES: &[(&str, &str, &str, &str)] = &[
    (
        DEMO_USERNAME,
        "sig",
        "My sign-off",
        "Best regards,\n{agent.name} (@{agent.username})",
    ),
    (
        DEMO_USERNAME,
        "cb",
        "回电",
        "{customer.nickname}您好，我稍后（今天 {time} 之后）给您回电，请保持电话畅通。",
    ),
    ("li.na", "sig", "我的签名", "客服 {agent.name} 竭诚为您服务"),
];
