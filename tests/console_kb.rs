//! The knowledge-base panel: incremental search (each keystroke narrows the last result)
//! must always equal a fresh search for the same query, checked on seeded random titles and
//! typing (with backspaces); and a snapshot of the panel with results.

mod console_fixture;

use console_fixture::*;
use kefu::console::action::Action;
use kefu::console::app::{App, Focus, KbArticle, KbTitle, LayoutPrefs};
use kefu::console::i18n::Lang;

/// Reproducible pseudo-random numbers (xorshift64), no extra crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

const WORDS: [&str; 16] = [
    "退款",
    "物流",
    "快递",
    "发票",
    "会员",
    "refund",
    "Order",
    "order",
    "invoice",
    "VIP",
    "ab",
    "ba",
    "a b",
    "Ünïcode",
    "ΣΑΣ",
    "İstanbul",
];

fn titles(rng: &mut Rng, n: usize) -> Vec<KbTitle> {
    (0..n)
        .map(|i| {
            let words = 1 + rng.next() % 4;
            let title: Vec<&str> = (0..words).map(|_| *rng.pick(&WORDS)).collect();
            let keywords = (0..rng.next() % 3)
                .map(|_| rng.pick(&WORDS).to_string())
                .collect();
            KbTitle {
                id: i as i64,
                title: title.join(" "),
                keywords,
            }
        })
        .collect()
}

/// A fresh app's search for `query`.
fn fresh(titles: &[KbTitle], query: &str) -> Vec<usize> {
    let mut app = App::new(Lang::En, LayoutPrefs::default(), NOW);
    app.kb.set_titles(titles.to_vec());
    app.kb.query = query.to_string();
    app.refilter_kb();
    app.kb.matches
}

#[test]
fn incremental_search_equals_a_fresh_search() {
    // Characters of the titles, other cases, spaces, and some that match nothing.
    let alphabet: Vec<char> = WORDS
        .concat()
        .chars()
        .chain("ORDERΣσςi̇ xq".chars())
        .collect();
    let mut narrowed = 0;
    let mut emptied = 0;
    for seed in 1..=8u64 {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ seed.wrapping_mul(0x2545_f491_4f6c_dd1d));
        let titles = titles(&mut rng, 300);
        let mut app = workbench();
        app.kb.set_titles(titles.clone());
        app.focus = Focus::Kb;
        app.refilter_kb();
        for step in 0..400 {
            match rng.next() % 10 {
                0..=1 => {
                    app.update(Action::DeleteBack);
                }
                2 if step % 50 == 0 => {
                    app.update(Action::ClearLine);
                }
                _ => {
                    app.type_char(*rng.pick(&alphabet));
                }
            }
            let expected = fresh(&titles, &app.kb.query);
            assert_eq!(
                app.kb.matches, expected,
                "seed {seed}, step {step}: query {:?}",
                app.kb.query
            );
            if !expected.is_empty() && expected.len() < titles.len() {
                narrowed += 1;
            }
            if expected.is_empty() {
                emptied += 1;
            }
            if app.kb.query.chars().count() > 8 {
                app.update(Action::ClearLine);
            }
        }
    }
    // The walk really exercised narrowing and misses, not just "everything matches".
    assert!(narrowed > 500 && emptied > 100, "{narrowed} {emptied}");
}

#[test]
fn kb_panel_snapshot() {
    let mut app = workbench();
    app.kb.set_titles(vec![
        KbTitle {
            id: 1,
            title: "退款多久到账".into(),
            keywords: vec!["refund".into()],
        },
        KbTitle {
            id: 2,
            title: "如何申请退款".into(),
            keywords: vec!["refund".into(), "apply".into()],
        },
        KbTitle {
            id: 3,
            title: "物流查询".into(),
            keywords: vec!["delivery".into()],
        },
    ]);
    app.kb.bodies.insert(
        1,
        KbArticle {
            id: 1,
            title: "退款多久到账".into(),
            body:
                "退款审核通过后，款项将在 1–3 个工作日内原路退回。\n如超过 7 天未到账，请联系客服。"
                    .into(),
        },
    );
    app.update(Action::KbSearch);
    for c in "退款".chars() {
        app.type_char(c);
    }
    assert_eq!(app.kb.matches, vec![0, 1]);
    let s = screen(&render(&app, 120, 40, "dark"));
    assert!(
        s.contains("退款多久到账") && s.contains("如何申请退款"),
        "{s}"
    );
    assert!(!s.contains("物流查询"), "{s}");
    insta::assert_snapshot!("kb_panel_120x40", s);
}
