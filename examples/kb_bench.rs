//! Knowledge-base benchmark: generates N articles (default 100,000; `cargo run --release
//! --example kb_bench -- 100000`) of mixed Chinese and English text into a fresh store, builds
//! the full-text index from it (time and size), runs 2,000 top-10 searches the way `kb.search`
//! does (index + store snapshot; p50/p99), and times the console's fuzzy title filter per
//! keystroke over all titles. Figures go in `docs/performance.md`.

use kefu::console::app::{App, Focus, KbTitle, LayoutPrefs};
use kefu::console::i18n::Lang;
use kefu::kb::{KbConfig, KbIndex};
use kefu::protocol::Article;
use std::time::Instant;

const ZH: &[&str] = &[
    "退款",
    "退货",
    "物流",
    "快递",
    "发票",
    "会员",
    "优惠券",
    "订单",
    "地址",
    "密码",
    "支付",
    "售后",
    "换货",
    "配送",
    "包裹",
    "积分",
    "客服",
    "商品",
    "价格",
    "保修",
];
const EN: &[&str] = &[
    "refund", "return", "shipping", "delivery", "invoice", "member", "coupon", "order", "address",
    "password", "payment", "warranty", "exchange", "parcel", "points", "price", "express",
    "tracking", "account", "discount",
];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn word(&mut self, zh: bool) -> &'static str {
        let list = if zh { ZH } else { EN };
        list[(self.next() % list.len() as u64) as usize]
    }
    fn text(&mut self, zh: bool, words: usize) -> String {
        let sep = if zh { "" } else { " " };
        (0..words)
            .map(|_| self.word(zh))
            .collect::<Vec<_>>()
            .join(sep)
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn dir_size(p: &std::path::Path) -> u64 {
    std::fs::read_dir(p)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
                .sum()
        })
        .unwrap_or(0)
}

fn main() -> anyhow::Result<()> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let mut store = kefu::server::open_store(dir.path(), &Default::default())?;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let t = Instant::now();
    let mut titles = Vec::with_capacity(n);
    store.transaction(&mut |tx| {
        for i in 0..n {
            let zh = i % 2 == 0;
            let a = Article {
                title: format!("{} {i}", rng.text(zh, 3)),
                body: rng.text(zh, 60),
                questions: vec![rng.text(zh, 5), rng.text(zh, 5)],
                lang: if zh { "zh" } else { "en" }.into(),
                ..Article::default()
            };
            let id = tx.insert_article(&a)?;
            titles.push(KbTitle {
                id,
                title: a.title,
                keywords: vec![],
            });
        }
        Ok(())
    })?;
    println!(
        "articles: {n} (stored in {:.1} s)",
        t.elapsed().as_secs_f64()
    );

    let index = KbIndex::open(
        &dir.path().join("kb-index"),
        KbConfig::default().synonyms().map_err(anyhow::Error::msg)?,
    )?;
    let mut reader = store.reader()?;
    let t = Instant::now();
    let mut applied = 0;
    reader.snapshot(&mut |rd| {
        applied = index
            .catch_up(rd)
            .map_err(|e| kefu::store::StoreError::Backend(e.to_string()))?;
        Ok(())
    })?;
    println!(
        "index_build_secs: {:.1} ({applied} articles)",
        t.elapsed().as_secs_f64()
    );
    println!(
        "index_size_mb: {:.1}",
        dir_size(&dir.path().join("kb-index")) as f64 / 1e6
    );

    let mut lat = Vec::new();
    let mut hits = 0;
    for i in 0..2_000 {
        let zh = i % 2 == 0;
        let q = rng.text(zh, 1 + i % 3);
        let t = Instant::now();
        reader.snapshot(&mut |rd| {
            hits += index
                .search(rd, &q, 10)
                .map_err(|e| kefu::store::StoreError::Backend(e.to_string()))?
                .len();
            Ok(())
        })?;
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    lat.sort_by(|a, b| a.total_cmp(b));
    println!(
        "search_top10_ms: p50 {:.2} p99 {:.2} max {:.2} ({} hits)",
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        lat[lat.len() - 1],
        hits
    );

    let mut app = App::new(Lang::En, LayoutPrefs::default(), 0);
    app.kb.set_titles(titles);
    app.focus = Focus::Kb;
    app.refilter_kb();
    let mut keys = Vec::new();
    for query in ["refund", "退款订单", "shipping 12", "express deliv"] {
        for c in query.chars() {
            let t = Instant::now();
            app.kb.query.push(c);
            app.refilter_kb();
            keys.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        app.kb.query.clear();
        app.refilter_kb();
    }
    keys.sort_by(|a, b| a.total_cmp(b));
    println!(
        "fuzzy_filter_per_key_ms: p50 {:.2} p99 {:.2} max {:.2}",
        percentile(&keys, 0.5),
        percentile(&keys, 0.99),
        keys[keys.len() - 1]
    );
    Ok(())
}
