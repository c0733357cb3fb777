//! What simulated customers say. A script opens with a few lines, answers agent messages that
//! contain a trigger word, otherwise works through its follow-ups, and finally says thanks.
//! `{order}` is replaced with an order number made up per conversation.

use super::Lang;

/// Who a script is for: seeded VIP and complaint customers get their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Persona {
    Normal,
    Vip,
    Complaint,
}

/// Said when an agent message contains any of `when` (compared in lower case).
pub struct Answer {
    pub when: &'static [&'static str],
    pub say: &'static str,
}

pub struct Script {
    pub lang: Lang,
    pub persona: Persona,
    pub group: &'static str,
    pub opening: &'static [&'static str],
    pub answers: &'static [Answer],
    pub follow_ups: &'static [&'static str],
    pub thanks: &'static str,
}

/// Nicknames for visitors who are not seeded customers.
pub const GUESTS_ZH: &[&str] = &["小红", "阿杰", "周周", "林先生", "橙子", "王女士"];
pub const GUESTS_EN: &[&str] = &["Alex", "Jordan P.", "Chris", "Taylor", "Sam K.", "Priya"];

const fn a(when: &'static [&'static str], say: &'static str) -> Answer {
    Answer { when, say }
}

const ORDER_ZH: &[&str] = &["订单号", "单号", "订单编号"];
const ORDER_EN: &[&str] = &["order number", "order no", "order id", "order #", "order"];
const SORRY_ZH: &[&str] = &["抱歉", "对不起", "不便"];

pub const SCRIPTS: &[Script] = &[
    Script {
        lang: Lang::Zh,
        persona: Persona::Normal,
        group: "logistics",
        opening: &["你好，我的快递三天没更新物流了"],
        answers: &[
            a(ORDER_ZH, "订单号是 {order}"),
            a(&["地址", "收货"], "地址没变，还是上海市浦东新区张江路那个"),
            a(&["催", "加急", "联系快递"], "好的，麻烦尽快，我这周末要用"),
        ],
        follow_ups: &["大概什么时候能到？", "好的，那我再等等"],
        thanks: "好的，谢谢你！",
    },
    Script {
        lang: Lang::Zh,
        persona: Persona::Normal,
        group: "presales",
        opening: &["在吗？", "请问这款空气净化器适合多大面积的房间？"],
        answers: &[
            a(&["平米", "面积", "㎡"], "我家客厅大概40平米，够用吗？"),
            a(&["滤网", "更换"], "滤网多少钱一个？"),
            a(&["优惠", "券", "活动"], "那我现在下单能用这个优惠吗？"),
        ],
        follow_ups: &["噪音大不大？晚上开着睡觉会不会吵", "有没有优惠活动？"],
        thanks: "明白了，谢谢，我去下单了",
    },
    Script {
        lang: Lang::Zh,
        persona: Persona::Normal,
        group: "aftersales",
        opening: &["我上周退的货，退款怎么还没到账？"],
        answers: &[
            a(ORDER_ZH, "订单号 {order}"),
            a(
                &["支付宝", "微信", "银行卡", "支付方式"],
                "用的是招商银行信用卡",
            ),
            a(&["工作日", "到账"], "好的，那我过几天再看看"),
        ],
        follow_ups: &["那大概几天能到？", "能帮我催一下吗？"],
        thanks: "好的，谢谢",
    },
    Script {
        lang: Lang::Zh,
        persona: Persona::Normal,
        group: "aftersales",
        opening: &["你好，我想给上个月的订单开一张发票"],
        answers: &[
            a(
                &["抬头", "税号", "公司"],
                "抬头：上海星辰科技有限公司，税号 91310115MA1H7Q2X3K",
            ),
            a(&["邮箱", "邮件"], "发到 finance@xingchen.example 就行"),
            a(ORDER_ZH, "订单号是 {order}"),
        ],
        follow_ups: &["是电子发票吗？", "大概多久能开好？"],
        thanks: "收到，谢谢！",
    },
    Script {
        lang: Lang::Zh,
        persona: Persona::Vip,
        group: "aftersales",
        opening: &["你好，我是VIP会员，上周买的咖啡机想换个颜色"],
        answers: &[
            a(ORDER_ZH, "订单号 {order}"),
            a(&["颜色", "白色", "黑色"], "换成奶白色的"),
            a(&["取件", "上门", "预约"], "明天上午在家，可以上门取"),
        ],
        follow_ups: &["VIP是不是可以免费上门取件？", "新的大概几天能到？"],
        thanks: "好的，辛苦了！",
    },
    Script {
        lang: Lang::Zh,
        persona: Persona::Complaint,
        group: "logistics",
        opening: &["你们的快递已经晚了一个星期了！我要投诉！"],
        answers: &[
            a(ORDER_ZH, "订单号 {order}，你们自己查！"),
            a(SORRY_ZH, "道歉有什么用？我要的是东西！"),
            a(
                &["补偿", "优惠券", "券"],
                "补偿还差不多，那到底什么时候能到？",
            ),
            a(&["明天", "今天", "加急"], "最好是这样，再拖我就直接退货了"),
        ],
        follow_ups: &["已经催了好几次了，每次都说在路上", "你们能不能给个准话？"],
        thanks: "行吧，希望这次别再拖了",
    },
    Script {
        lang: Lang::En,
        persona: Persona::Normal,
        group: "logistics",
        opening: &["Hi, my order hasn't arrived and tracking hasn't updated in 3 days."],
        answers: &[
            a(ORDER_EN, "Sure, it's {order}."),
            a(
                &["address"],
                "Same address as always: 42 Elm Street, Springfield.",
            ),
            a(
                &["carrier", "chase", "priorit"],
                "Thanks, I really need it before Friday.",
            ),
        ],
        follow_ups: &["Any idea when it will arrive?", "OK, I'll wait then."],
        thanks: "Thanks for your help!",
    },
    Script {
        lang: Lang::En,
        persona: Persona::Normal,
        group: "presales",
        opening: &["Hello!", "Does the X200 vacuum work well on thick carpets?"],
        answers: &[
            a(
                &["carpet", "suction"],
                "Nice. And how long does the battery last?",
            ),
            a(
                &["battery", "minutes"],
                "That's enough for my flat. Is it quiet?",
            ),
            a(&["discount", "code", "sale"], "Great, I'll use that code."),
        ],
        follow_ups: &[
            "Can I return it if it doesn't suit me?",
            "Is there a discount at the moment?",
        ],
        thanks: "Great, I'll order it today. Thanks!",
    },
    Script {
        lang: Lang::En,
        persona: Persona::Normal,
        group: "aftersales",
        opening: &["I returned a pair of shoes two weeks ago and still have no refund."],
        answers: &[
            a(ORDER_EN, "Order {order}."),
            a(&["card", "paypal", "payment"], "I paid by Visa card."),
            a(
                &["business days", "bank"],
                "Alright, I'll check my statement next week.",
            ),
        ],
        follow_ups: &[
            "How many days will it take?",
            "Could you send me a refund reference?",
        ],
        thanks: "Got it, thank you!",
    },
    Script {
        lang: Lang::En,
        persona: Persona::Normal,
        group: "presales",
        opening: &["I can't log in, the password reset email never arrives."],
        answers: &[
            a(
                &["email", "address"],
                "It's the one on my account: me@example.com",
            ),
            a(&["spam", "junk"], "Oh, found it in spam!"),
        ],
        follow_ups: &[
            "Still nothing, I've waited 10 minutes.",
            "Trying the link now...",
        ],
        thanks: "It worked, thank you!",
    },
    Script {
        lang: Lang::En,
        persona: Persona::Vip,
        group: "presales",
        opening: &["Hi, I'm a VIP member. Can I get free express delivery on my next order?"],
        answers: &[
            a(
                &["express", "standard", "shipping"],
                "I see. What about returns, is pickup free for me?",
            ),
            a(&["pickup", "courier"], "Perfect, that's what I hoped."),
            a(ORDER_EN, "The last one was {order}."),
        ],
        follow_ups: &["Do VIP vouchers stack with sale prices?"],
        thanks: "Thanks, always a pleasure!",
    },
    Script {
        lang: Lang::En,
        persona: Persona::Complaint,
        group: "logistics",
        opening: &["This is the third time my delivery is late! I want to file a complaint."],
        answers: &[
            a(ORDER_EN, "It's {order}. Look it up yourself."),
            a(&["sorry", "apolog"], "Sorry doesn't get me my parcel."),
            a(
                &["voucher", "compensat", "refund"],
                "Fine. But when will it actually arrive?",
            ),
            a(
                &["tomorrow", "today"],
                "It had better. Otherwise I want my money back.",
            ),
        ],
        follow_ups: &[
            "I've been told 'it's on its way' for a week.",
            "I want a straight answer.",
        ],
        thanks: "OK. Let's hope it actually shows up this time.",
    },
];

/// Scripts for a language and persona (never empty for the bundled data).
pub fn scripts_for(lang: Lang, persona: Persona) -> Vec<&'static Script> {
    SCRIPTS
        .iter()
        .filter(|s| s.lang == lang && s.persona == persona)
        .collect()
}

/// What a customer says next, given what the agent wrote since the customer last spoke.
#[derive(Debug, Default)]
pub struct Progress {
    used: Vec<usize>,
    next_follow_up: usize,
    thanked: bool,
}

impl Progress {
    /// The next line, or `None` once the customer has said thanks (they wait for the end).
    pub fn next_line(&mut self, script: &Script, heard: &str) -> Option<&'static str> {
        if self.thanked {
            return None;
        }
        let heard = heard.to_lowercase();
        let answer = script.answers.iter().enumerate().find(|(i, a)| {
            !self.used.contains(i) && a.when.iter().any(|w| heard.contains(&w.to_lowercase()))
        });
        if let Some((i, a)) = answer {
            self.used.push(i);
            return Some(a.say);
        }
        if let Some(line) = script.follow_ups.get(self.next_follow_up) {
            self.next_follow_up += 1;
            return Some(line);
        }
        self.thanked = true;
        Some(script.thanks)
    }

    pub fn done(&self) -> bool {
        self.thanked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_and_persona_has_a_script() {
        for lang in [Lang::Zh, Lang::En] {
            for p in [Persona::Normal, Persona::Vip, Persona::Complaint] {
                assert!(!scripts_for(lang, p).is_empty(), "{lang:?} {p:?}");
            }
        }
    }

    #[test]
    fn answers_then_follow_ups_then_thanks_then_silence() {
        let s = scripts_for(Lang::Zh, Persona::Complaint)[0];
        let mut p = Progress::default();
        assert_eq!(
            p.next_line(s, "请提供订单号"),
            Some("订单号 {order}，你们自己查！")
        );
        // The same trigger is not answered twice.
        assert_eq!(p.next_line(s, "订单号？"), Some(s.follow_ups[0]));
        assert_eq!(
            p.next_line(s, "非常抱歉"),
            Some("道歉有什么用？我要的是东西！")
        );
        assert_eq!(p.next_line(s, "嗯"), Some(s.follow_ups[1]));
        assert_eq!(p.next_line(s, "嗯"), Some(s.thanks));
        assert!(p.done());
        assert_eq!(
            p.next_line(s, "请提供订单号 补偿"),
            None,
            "silent after thanks"
        );
        let en = scripts_for(Lang::En, Persona::Normal)[0];
        let mut p = Progress::default();
        assert_eq!(
            p.next_line(en, "Could you give me your ORDER NUMBER?"),
            Some("Sure, it's {order}.")
        );
    }
}
