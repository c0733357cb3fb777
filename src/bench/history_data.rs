//! Generated customer-service history for `kefu bench --history` (and for reports): agents
//! in groups, repeat customers, and conversations with realistic timing (queued, accepted,
//! first reply, ended; bot turns before the human on some), outcomes, ratings, tags,
//! intents, transfers, notes and mixed Chinese / English messages whose words follow a skewed
//! frequency (a few very common, a long tail of rare ones). Deterministic for a seed.
//! [`generate`] gives the plan; [`Generated::conversations`] yields the conversations one by
//! one (a million messages need not be in memory); [`write()`] stores it all.

use crate::model::{AgentStatus, AuthorKind, Channel, EndReason, Millis, Role, SessionState};
use crate::protocol::{CustomerView, MessageView, SessionView};
use crate::store::transfers::TransferRecord;
use crate::store::{AgentRow, Store};

/// What to generate.
#[derive(Debug, Clone)]
pub struct Spec {
    pub conversations: usize,
    /// Messages per conversation on average (between 2 and twice this).
    pub messages_per: usize,
    pub agents: usize,
    pub seed: u64,
    /// The first conversation starts here; the others follow evenly over `days`.
    pub start: Millis,
    pub days: u32,
}

impl Spec {
    /// `conversations` conversations of ten messages from 100 agents over 90 days.
    pub fn new(conversations: usize) -> Spec {
        Spec {
            conversations,
            messages_per: 10,
            agents: 100,
            seed: 11,
            // 2026-08-01T00:00:00Z
            start: 1_785_542_400_000,
            days: 90,
        }
    }
}

pub const GROUPS: &[&str] = &["presales", "aftersales", "billing", "tech", "vip"];
pub const TAGS: &[&str] = &[
    "退款",
    "物流",
    "发票",
    "投诉",
    "售后",
    "vip",
    "催单",
    "换货",
    "咨询",
    "优惠",
    "bug",
    "账号",
    "refund",
    "shipping",
    "invoice",
    "complaint",
    "warranty",
    "login",
    "discount",
    "urgent",
];
pub const INTENTS: &[&str] = &[
    "refund",
    "shipping",
    "invoice",
    "complaint",
    "account",
    "product",
    "discount",
    "warranty",
];
/// Cities: mid-frequency Chinese words (each in a few hundred messages of a million).
const CITIES: &[&str] = &[
    "北京",
    "上海",
    "广州",
    "深圳",
    "杭州",
    "南京",
    "成都",
    "重庆",
    "武汉",
    "西安",
    "苏州",
    "天津",
    "长沙",
    "郑州",
    "青岛",
    "沈阳",
    "大连",
    "厦门",
    "福州",
    "济南",
    "合肥",
    "昆明",
    "南宁",
    "贵阳",
    "兰州",
    "太原",
    "石家庄",
    "哈尔滨",
    "长春",
    "乌鲁木齐",
    "呼和浩特",
    "拉萨",
    "银川",
    "西宁",
    "海口",
    "三亚",
    "宁波",
    "温州",
    "无锡",
    "常州",
    "徐州",
    "烟台",
];
const ZH_COMMON: &[&str] = &[
    "我要退款了，订单一直没有发货",
    "你好，请问我的快递到哪里了",
    "发票什么时候可以开出来",
    "这个商品质量有问题，我想申请退货退款",
    "已经等了三天了还没有收到",
    "客服你好，账号登录不上去",
    "优惠券为什么不能使用",
    "可以帮我改一下收货地址吗",
    "物流信息一直没有更新",
    "我要投诉，态度太差了",
    "收到的东西和描述不一样",
    "什么时候能退款到账",
];
const ZH_AGENT: &[&str] = &[
    "您好，很高兴为您服务",
    "好的，我帮您查一下订单",
    "退款已经提交，预计三到五个工作日到账",
    "非常抱歉给您带来不便",
    "已为您催促仓库尽快发货",
    "发票会在七个工作日内开具",
    "请您提供一下订单号",
    "已经为您登记换货申请",
    "还有其他可以帮您的吗",
];
const EN_COMMON: &[&str] = &[
    "Hi, I want a refund for my order",
    "My package has not arrived yet",
    "The item I received is broken",
    "Can you send me the invoice please",
    "I was charged twice for the same order",
    "How do I reset my password",
    "The discount code does not work",
    "I would like to change my delivery address",
    "The tracking number shows no updates",
    "I have been waiting for a week",
    "My refund still has not been processed",
];
const EN_AGENT: &[&str] = &[
    "Hello, thanks for reaching out",
    "Let me check your order status",
    "Your refund has been submitted and should arrive in 3-5 business days",
    "Sorry for the inconvenience",
    "I have escalated this to the warehouse",
    "Could you share your order number",
    "The invoice will be emailed to you shortly",
    "Is there anything else I can help with",
];
/// Syllables of rare product names (thousands of distinct words, each in few messages).
const SYLLABLES: &[&str] = &[
    "lu", "mo", "ra", "vex", "al", "tor", "qui", "zen", "pax", "dor", "fi", "nel", "sar", "ko",
    "bri", "tam", "gol", "wen", "yu", "hex",
];

/// An agent of the data set (password set by [`write()`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenAgent {
    pub username: String,
    pub display_name: String,
    pub group: String,
    pub role: Role,
}

/// One conversation with everything stored about it.
#[derive(Debug, Clone)]
pub struct GenConversation {
    pub session: SessionView,
    pub messages: Vec<MessageView>,
    pub transfers: Vec<TransferRecord>,
}

/// The plan of a data set.
#[derive(Debug, Clone)]
pub struct Generated {
    pub spec: Spec,
    /// Agent ids are 1.. in this order (the first is a supervisor).
    pub agents: Vec<GenAgent>,
    pub customers: Vec<CustomerView>,
}

/// The plan for `spec`: agents (one supervisor, then agents spread over [`GROUPS`]) and a
/// customer for every three conversations.
pub fn generate(spec: &Spec) -> Generated {
    let agents = (0..spec.agents.max(2))
        .map(|i| GenAgent {
            username: if i == 0 {
                "boss".into()
            } else {
                format!("agent{i:03}")
            },
            display_name: if i == 0 {
                "主管".into()
            } else {
                format!("客服{i:03}")
            },
            group: GROUPS[i % GROUPS.len()].into(),
            role: if i == 0 {
                Role::Supervisor
            } else {
                Role::Agent
            },
        })
        .collect();
    let mut rng = Rng(spec.seed ^ 0x9e37_79b9);
    let customers = (1..=(spec.conversations / 3).max(1) as i64)
        .map(|id| CustomerView {
            id,
            external_id: Some(format!("ext-{id}")),
            nickname: if rng.below(2) == 0 {
                format!(
                    "{}{}",
                    ["张", "王", "李", "赵", "陈", "刘"][rng.below(6)],
                    ["伟", "芳", "娜", "敏", "静", "磊"][rng.below(6)]
                )
            } else {
                format!(
                    "{} {id}",
                    ["Alex", "Sam", "Lee", "Kim", "Max", "Ana"][rng.below(6)]
                )
            },
            channel: Channel::Web,
            vip: rng.below(20) == 0,
            tags: Vec::new(),
        })
        .collect();
    Generated {
        spec: spec.clone(),
        agents,
        customers,
    }
}

impl Generated {
    /// The conversations, oldest first (ids 1..), generated as they are taken.
    pub fn conversations(&self) -> impl Iterator<Item = GenConversation> + '_ {
        let mut rng = Rng(self.spec.seed);
        let span = i64::from(self.spec.days) * 86_400_000;
        let n = self.spec.conversations.max(1) as i64;
        (1..=n)
            .map(move |id| self.conversation(&mut rng, id, self.spec.start + span * (id - 1) / n))
    }

    fn conversation(&self, rng: &mut Rng, id: i64, created_at: Millis) -> GenConversation {
        let customer = self.customers[rng.below(self.customers.len())].clone();
        let channel = [
            Channel::Web,
            Channel::Web,
            Channel::App,
            Channel::App,
            Channel::MiniProgram,
            Channel::Api,
        ][rng.below(6)];
        // Agents 2.. (1 is the supervisor); the group is the serving agent's.
        let pick = |rng: &mut Rng| 2 + rng.below(self.agents.len() - 1) as i64;
        let roll = rng.below(100);
        let abandoned = roll < 8;
        let outcome = match roll {
            0..8 => EndReason::Abandoned,
            8..18 => EndReason::CustomerLeft,
            18..30 => EndReason::Unresolved,
            _ => EndReason::Resolved,
        };
        let mut agent = (!abandoned).then(|| pick(rng));
        let group = agent.map_or_else(
            || GROUPS[rng.below(GROUPS.len())].to_string(),
            |a| self.agents[(a - 1) as usize].group.clone(),
        );
        let bot_turns = if rng.below(5) == 0 { 2 } else { 0 };
        let queued_at = created_at + bot_turns * 20_000;
        let accepted_at = agent.map(|_| queued_at + 5_000 + rng.below(120_000) as i64);
        let zh = rng.below(100) < 65;
        let count = 2 + rng.below(self.spec.messages_per.max(2) * 2 - 2);
        let mut messages = Vec::with_capacity(count);
        let mut at = created_at;
        let mut first_reply = None;
        let mut transfers = Vec::new();
        let transfer_at = (agent.is_some() && rng.below(100) < 8).then_some(count / 2);
        for seq in 1..=count as i64 {
            let i = seq as usize - 1;
            let (kind, who) = if i < bot_turns as usize * 2 {
                if i.is_multiple_of(2) {
                    (AuthorKind::Customer, None)
                } else {
                    (AuthorKind::Bot, None)
                }
            } else if i.is_multiple_of(2) || agent.is_none() {
                (AuthorKind::Customer, None)
            } else {
                (AuthorKind::Agent, agent)
            };
            if Some(i) == transfer_at
                && let Some(from) = agent
            {
                let to = pick(rng);
                transfers.push(TransferRecord {
                    id: 0,
                    session_id: id,
                    by_agent: Some(from),
                    from_agent: Some(from),
                    from_group: group.clone(),
                    to_agent: Some(to),
                    to_group: self.agents[(to - 1) as usize].group.clone(),
                    note: if zh {
                        "转给专员处理".into()
                    } else {
                        "passing to a specialist".into()
                    },
                    queued: false,
                    at,
                });
                agent = Some(to);
            }
            at = at.max(if kind == AuthorKind::Agent {
                accepted_at.unwrap_or(at)
            } else {
                at
            }) + 3_000
                + rng.below(60_000) as i64;
            if kind == AuthorKind::Agent && first_reply.is_none() {
                first_reply = Some(at);
            }
            let body = sentence(rng, zh, kind);
            let author_name = match (kind, who) {
                (AuthorKind::Agent, Some(a)) => self.agents[(a - 1) as usize].display_name.clone(),
                (AuthorKind::Bot, _) => "bot".into(),
                _ => customer.nickname.clone(),
            };
            messages.push(MessageView {
                session_id: id,
                seq,
                author_kind: kind,
                author_id: if kind == AuthorKind::Customer {
                    Some(customer.id)
                } else {
                    who
                },
                author_name,
                body,
                client_msg_id: None,
                created_at: at,
                internal: false,
            });
        }
        if let Some(a) = agent
            && rng.below(20) == 0
        {
            let seq = messages.len() as i64 + 1;
            messages.push(MessageView {
                session_id: id,
                seq,
                author_kind: AuthorKind::Agent,
                author_id: Some(a),
                author_name: self.agents[(a - 1) as usize].display_name.clone(),
                body: if zh {
                    "备注：客户情绪激动，注意安抚".into()
                } else {
                    "note: customer is upset, be gentle".into()
                },
                client_msg_id: None,
                created_at: at + 1_000,
                internal: true,
            });
        }
        let ended_at = at + 30_000 + rng.below(600_000) as i64;
        let csat = (!abandoned && rng.below(100) < 60).then(|| match rng.below(100) {
            0..45 => 5,
            45..75 => 4,
            75..87 => 3,
            87..94 => 2,
            _ => 1,
        });
        let tags = (0..rng.below(3))
            .map(|_| TAGS[skewed(rng, TAGS.len())].to_string())
            .fold(Vec::new(), |mut v, t| {
                if !v.contains(&t) {
                    v.push(t);
                }
                v
            });
        let session = SessionView {
            id,
            customer: customer.clone(),
            channel,
            state: SessionState::Ended,
            group,
            assignee: agent,
            priority: 0,
            intent: (rng.below(10) < 7).then(|| INTENTS[skewed(rng, INTENTS.len())].to_string()),
            tags,
            follow_up: false,
            created_at,
            queued_at: Some(queued_at),
            offered_at: accepted_at.map(|a| a - 2_000),
            accepted_at,
            first_human_reply_at: first_reply,
            ended_at: Some(ended_at),
            end_reason: Some(outcome),
            csat,
            last_seq: messages.len() as i64,
            waiting_since: None,
            context: None,
            offline: false,
            csat_comment: None,
            replied_at: None,
            reminded_at: None,
            bot: None,
            menu: None,
            follow_up_at: None,
            ends_at: None,
            pending_end: None,
        };
        GenConversation {
            session,
            messages,
            transfers,
        }
    }
}

/// A message: a common sentence, sometimes with a city, an order number or a rare product.
fn sentence(rng: &mut Rng, zh: bool, kind: AuthorKind) -> String {
    let pool = match (zh, kind == AuthorKind::Customer) {
        (true, true) => ZH_COMMON,
        (true, false) => ZH_AGENT,
        (false, true) => EN_COMMON,
        (false, false) => EN_AGENT,
    };
    let mut s = pool[skewed(rng, pool.len())].to_string();
    match rng.below(10) {
        0 | 1 => {
            let city = CITIES[skewed(rng, CITIES.len())];
            s.push_str(&if zh {
                format!("，寄到{city}")
            } else {
                format!(", shipping to {city}")
            });
        }
        2 => s.push_str(&format!(" #{}", 100_000 + rng.below(900_000))),
        3 => {
            let name: String = (0..3)
                .map(|_| SYLLABLES[rng.below(SYLLABLES.len())])
                .collect();
            s.push_str(&if zh {
                format!("，型号 {name}")
            } else {
                format!(" (model {name})")
            });
        }
        _ => {}
    }
    s
}

/// An index below `n`, low ones much more often (about Zipf-like).
fn skewed(rng: &mut Rng, n: usize) -> usize {
    let u = rng.unit();
    ((u * u * u) * n as f64) as usize % n.max(1)
}

/// xorshift64*: small, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0.max(1);
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Stores the data set in an empty store: groups, agents (all with `password_hash`),
/// customers, then the conversations in transactions of `per_tx`. Returns the messages
/// stored.
pub fn write(
    store: &mut dyn Store,
    g: &Generated,
    password_hash: &str,
    per_tx: usize,
) -> crate::store::Result<u64> {
    store.transaction(&mut |tx| {
        for name in GROUPS {
            tx.upsert_group(name, crate::model::Strategy::LeastBusy)?;
        }
        for a in &g.agents {
            tx.insert_agent(&AgentRow {
                id: 0,
                username: a.username.clone(),
                display_name: a.display_name.clone(),
                employee_no: None,
                contact: None,
                role: a.role,
                password_hash: password_hash.to_string(),
                must_change_password: false,
                max_sessions: None,
                status: AgentStatus::Offline,
                groups: vec![a.group.clone()],
            })?;
        }
        for c in &g.customers {
            tx.insert_customer(c, g.spec.start)?;
        }
        Ok(())
    })?;
    let mut messages = 0;
    let mut batch: Vec<GenConversation> = Vec::with_capacity(per_tx);
    let mut flush = |batch: &mut Vec<GenConversation>| -> crate::store::Result<()> {
        store.transaction(&mut |tx| {
            for c in batch.iter() {
                write_conversation(tx, c)?;
            }
            Ok(())
        })?;
        batch.clear();
        Ok(())
    };
    for c in g.conversations() {
        messages += c.messages.len() as u64;
        batch.push(c);
        if batch.len() >= per_tx.max(1) {
            flush(&mut batch)?;
        }
    }
    flush(&mut batch)?;
    Ok(messages)
}

/// Stores one conversation: its row, messages and transfers.
pub fn write_conversation(
    tx: &mut dyn crate::store::Tx,
    c: &GenConversation,
) -> crate::store::Result<()> {
    tx.put_session(&c.session, None)?;
    for m in &c.messages {
        tx.insert_message(m)?;
    }
    for t in &c.transfers {
        tx.record_transfer(t)?;
    }
    Ok(())
}
