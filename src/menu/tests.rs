//! Unit tests of menu parsing, checking and navigation (no sockets).

use super::nav::{Invalid, Outcome, ReturnReason, lookup_answer, render, step};
use super::parse::{parse, parse_structure};
use super::{check, load};
use crate::config::BotConfig;

const SHOP: &str = r#"title = "自助服务 Self-service"
group = "aftersales"

[nodes.main]
prompt = "请选择 / Please choose:"
options = [
  { key = 1, label = "订单查询 Order status", keywords = ["物流", "快递", "parcel"], to = "order" },
  { key = 2, label = "退换货 Returns", keywords = ["退货", "换货", "refund", "return"], to = "returns" },
  { key = 3, label = "发票 Invoices", to = "invoice" },
  { key = 4, label = "投诉 Complaints", to = "complaints" },
]

[nodes.order]
prompt = "请输入订单号 / Please type your order number:"
lookup = { url = "http://127.0.0.1:9/lookup", timeout_ms = 2000 }

[nodes.returns]
prompt = "退换货 / Returns"
options = [
  { key = 1, label = "退货政策 Return policy", to = "policy" },
  { key = 2, label = "上门取件 Pick-up", to = "pickup" },
]

[nodes.policy]
article = 7
then = "returns"

[nodes.pickup]
article = 8

[nodes.invoice]
article = 9

[nodes.complaints]
queue = "vip"
"#;

fn words() -> Vec<String> {
    BotConfig::default().words()
}

fn shop() -> super::Menu {
    parse("shop", SHOP).unwrap()
}

#[test]
fn a_good_menu_parses() {
    let m = shop();
    assert_eq!(m.start, "main");
    assert_eq!(m.title, "自助服务 Self-service");
    assert_eq!(m.group.as_deref(), Some("aftersales"));
    assert_eq!(m.nodes.len(), 7);
    assert_eq!(m.label_of("order"), "订单查询 Order status");
    assert_eq!(m.node("main").unwrap().line, 4);
    let shown = render(&m, "main");
    assert!(shown.starts_with("请选择"), "{shown}");
    assert!(shown.contains("\n2. 退换货 Returns"), "{shown}");
    assert!(shown.contains("\n0. 人工"), "{shown}");
}

#[test]
fn numbers_pick_options_and_leaves_say_what_to_do() {
    let m = shop();
    let w = words();
    assert_eq!(
        step(&m, "main", "2", &w),
        Outcome::Show {
            node: "returns".into(),
            label: "退换货 Returns".into()
        }
    );
    // Full-width digits and spaces are folded.
    assert!(
        matches!(step(&m, "main", " １ ", &w), Outcome::AskInput { node, .. } if node == "order")
    );
    assert!(matches!(
        step(&m, "returns", "1", &w),
        Outcome::Article { id: 7, then, .. } if then == "returns"
    ));
    assert!(matches!(
        step(&m, "main", "3", &w),
        Outcome::Article { id: 9, then, .. } if then == "main"
    ));
    assert!(matches!(
        step(&m, "main", "4", &w),
        Outcome::Queue { group: Some(g), reason: ReturnReason::Leaf, .. } if g == "vip"
    ));
    assert_eq!(
        step(&m, "main", "7", &w),
        Outcome::Invalid {
            node: "main".into(),
            why: Invalid::NoSuchNumber
        }
    );
}

#[test]
fn words_pick_options_in_chinese_and_english() {
    let m = shop();
    let w = words();
    let to = |input: &str| match step(&m, "main", input, &w) {
        Outcome::Show { node, .. } | Outcome::AskInput { node, .. } => node,
        Outcome::Article { node, .. } => node,
        other => format!("{other:?}"),
    };
    assert_eq!(to("我想退货"), "returns");
    assert_eq!(to("I want a REFUND"), "returns");
    assert_eq!(to("我的快递到哪了"), "order");
    assert_eq!(to("where is my parcel"), "order");
    // By the label, without keywords.
    assert_eq!(to("开发票"), "invoice");
    assert_eq!(to("invoices please"), "invoice");
    assert_eq!(to("order status?"), "order");
    // Latin keywords only as whole words.
    assert!(matches!(
        step(&m, "main", "returning customer", &w),
        Outcome::Invalid {
            why: Invalid::Unknown,
            ..
        }
    ));
    // Two options equally: no guess.
    assert!(matches!(
        step(&m, "main", "退货 快递", &w),
        Outcome::Invalid {
            why: Invalid::Ambiguous,
            ..
        }
    ));
    assert!(matches!(step(&m, "main", "", &w), Outcome::Invalid { .. }));
}

#[test]
fn zero_and_requests_for_a_person_go_to_the_queue_anywhere() {
    let m = shop();
    let w = words();
    for (at, input) in [
        ("main", "0"),
        ("main", "转人工"),
        ("returns", "人工"),
        ("order", "agent please"),
        ("order", "０"),
        ("main", "I want a human"),
    ] {
        assert!(
            matches!(
                step(&m, at, input, &w),
                Outcome::Queue {
                    group: None,
                    reason: ReturnReason::Requested,
                    ..
                }
            ),
            "{at}: {input}"
        );
    }
}

#[test]
fn a_lookup_node_takes_the_input_and_back_words_go_to_the_start() {
    let m = shop();
    let w = words();
    assert_eq!(
        step(&m, "order", "  SO-12345 ", &w),
        Outcome::Lookup {
            node: "order".into(),
            input: "SO-12345".into()
        }
    );
    let long = "9".repeat(1000);
    match step(&m, "order", &long, &w) {
        Outcome::Lookup { input, .. } => assert_eq!(input.len(), super::nav::MAX_INPUT_CHARS),
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(step(&m, "returns", "返回", &w), Outcome::Show { node, .. } if node == "main")
    );
    assert!(matches!(step(&m, "order", "back", &w), Outcome::Show { node, .. } if node == "main"));
}

#[test]
fn lookup_answers_are_cleaned_and_cut() {
    assert_eq!(
        lookup_answer(r#"{"answer":"已发货 \u001b[2J\u202eshipped"}"#.as_bytes()).as_deref(),
        Some("已发货 [2Jshipped")
    );
    assert_eq!(
        lookup_answer(b"plain text\r\nline 2").as_deref(),
        Some("plain text\nline 2")
    );
    assert_eq!(lookup_answer(br#"{"other":1}"#), None);
    assert_eq!(lookup_answer(br#"{"answer":"  "}"#), None);
    assert_eq!(lookup_answer(&[0xff, 0xfe]), None);
    let long = format!(r#"{{"answer":"{}"}}"#, "长".repeat(5000));
    let a = lookup_answer(long.as_bytes()).unwrap();
    assert_eq!(a.chars().count(), super::nav::MAX_ANSWER_CHARS + 1);
}

fn problems(text: &str) -> Vec<(usize, String)> {
    match parse("t", text) {
        Ok(_) => Vec::new(),
        Err(ps) => ps.into_iter().map(|p| (p.line, p.message)).collect(),
    }
}

fn has(ps: &[(usize, String)], line: usize, words: &str) -> bool {
    ps.iter().any(|(l, m)| *l == line && m.contains(words))
}

#[test]
fn the_checker_names_the_line_of_each_problem() {
    let text = r#"[nodes.main]
prompt = "choose"
options = [
  { key = 1, label = "A", to = "a" },
  { key = 1, label = "B", to = "nowhere" },
  { key = 0, label = "C", to = "a" },
]

[nodes.a]
article = 3

[nodes.island]
article = 4

[nodes.empty]
prompt = "x"
"#;
    let ps = problems(text);
    assert!(
        has(&ps, 5, "option number 1 is used twice (first on line 4)"),
        "{ps:?}"
    );
    assert!(
        has(&ps, 5, "option target `nowhere` is not one of the nodes"),
        "{ps:?}"
    );
    assert!(has(&ps, 6, "option number 0"), "{ps:?}");
    assert!(has(&ps, 15, "exactly one of"), "{ps:?}");
    // Structure problems come first; the graph is checked once the structure is sound.
    let text = r#"[nodes.main]
prompt = "choose"
options = [{ key = 1, label = "A", to = "a" }, { key = 2, label = "Loop", to = "loop" }]

[nodes.a]
article = 3

[nodes.island]
article = 4

[nodes.loop]
prompt = "round"
options = [{ key = 1, label = "again", to = "loop2" }]

[nodes.loop2]
prompt = "and round"
options = [{ key = 1, label = "again", to = "loop" }, { key = 2, label = "me", to = "loop2" }]
"#;
    let ps = problems(text);
    assert!(has(&ps, 8, "`island` is unreachable"), "{ps:?}");
    assert!(has(&ps, 11, "`loop` never leads to an answer"), "{ps:?}");
    assert!(has(&ps, 15, "`loop2` never leads to an answer"), "{ps:?}");
    assert!(has(&ps, 17, "leads back to `loop2` itself"), "{ps:?}");
    assert_eq!(ps.len(), 4, "{ps:?}");
}

#[test]
fn toml_errors_and_bad_values_have_lines_too() {
    let ps = problems(
        "[nodes.main]\nprompt = \"x\"\noptions = [\n  { key = 1, label = \"A\", to = \"a\" \n",
    );
    assert_eq!(ps.len(), 1, "{ps:?}");
    assert!(ps[0].0 >= 4, "{ps:?}");
    let ps = problems("[nodes.main]\nprompt = \"x\"\nbogus = 1\noptions = []\n");
    assert!(has(&ps, 3, "bogus"), "{ps:?}");
    let ps = problems(
        "start = \"home\"\n[nodes.main]\nprompt = \"p\"\nlookup = { url = \"ftp://x/\", timeout_ms = 99999 }\nthen = \"main\"\n",
    );
    assert!(has(&ps, 1, "start node `home`"), "{ps:?}");
    assert!(has(&ps, 4, "lookup url"), "{ps:?}");
    assert!(has(&ps, 4, "timeout_ms"), "{ps:?}");
    let ps = problems(
        "[nodes.main]\nprompt = \"p\"\noptions = [{ key = 1, label = \"a\", to = \"a\" }]\n[nodes.a]\narticle = 1\nthen = \"b\"\n[nodes.b]\nqueue = \"x\"\n",
    );
    assert!(
        has(&ps, 4, "`then` of `a` must name a node with options"),
        "{ps:?}"
    );
    assert!(parse_structure("t", "").is_err());
}

#[test]
fn references_are_checked_when_the_caller_knows_them() {
    let m = shop();
    let articles = |id: i64| id != 8;
    let groups = |g: &str| g == "aftersales";
    let ps = check::reference_problems(&m, Some(&articles), Some(&groups));
    let lines: Vec<(usize, &str)> = ps.iter().map(|p| (p.line, p.message.as_str())).collect();
    assert!(
        lines
            .iter()
            .any(|(l, m)| *l == 29 && m.contains("article 8 does not exist")),
        "{lines:?}"
    );
    assert!(
        lines.iter().any(|(_, m)| m.contains("no group `vip`")),
        "{lines:?}"
    );
    assert_eq!(ps.len(), 2, "{lines:?}");
    assert!(check::reference_problems(&m, None, None).is_empty());
}

#[test]
fn a_directory_and_inline_trees_load_together_with_file_names_in_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("shop.toml"), SHOP).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "ignored").unwrap();
    let inline: toml::Table = toml::from_str(
        "[nodes.main]\nprompt = \"p\"\noptions = [{ key = 1, label = \"x\", to = \"q\" }]\n[nodes.q]\nqueue = \"sales\"\n",
    )
    .unwrap();
    let mut trees = std::collections::BTreeMap::new();
    trees.insert("mini".to_string(), inline);
    let set = load(Some(dir.path()), &trees).unwrap();
    assert_eq!(set.menus.keys().collect::<Vec<_>>(), ["mini", "shop"]);
    assert_eq!(set.resolve("shop/order").unwrap().1.id, "order");
    assert_eq!(set.resolve("shop").unwrap().1.id, "main");
    assert!(
        set.resolve("shop/nope")
            .unwrap_err()
            .contains("no node `nope`")
    );
    assert!(set.resolve("nope").unwrap_err().contains("no menu `nope`"));

    std::fs::write(dir.path().join("bad.toml"), "[nodes.main]\nprompt = 1\n").unwrap();
    let errs = load(Some(dir.path()), &Default::default()).unwrap_err();
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].contains("bad.toml:2:"), "{errs:?}");
}

#[test]
fn the_demo_menu_is_sound() {
    let m = parse("shop", crate::demo::MENU).unwrap();
    assert!(m.nodes.len() >= 4);
}
