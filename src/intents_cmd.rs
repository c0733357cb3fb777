//! `kefu intents …` and `kefu kb match-eval`: read the files, call the pure `intents` module, print
//! `key: value` lines.

use crate::console::sanitize::inert_line;
use crate::intents::dataset::{Example, first_shots, parse_csv, parse_pairs};
use crate::intents::metrics::{best_pair_accuracy, pair_accuracy, score};
use crate::intents::{Classifier, ClassifierConfig, DEFAULT_MATCH_THRESHOLD, IntentSet};
use anyhow::{Context, bail};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::time::Instant;

/// The label printed for "unknown" when no out-of-scope label is given.
const UNKNOWN: &str = "(unknown)";

pub struct EvalArgs<'a> {
    pub train: &'a Path,
    pub test: &'a Path,
    pub oos_label: Option<&'a str>,
    pub shots: Option<usize>,
    pub params: &'a [String],
}

fn read_examples(path: &Path) -> anyhow::Result<Vec<Example>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(parse_csv(&path.display().to_string(), &bytes)?)
}

/// Applies `key=value` overrides (for experiments; the defaults are the tuned values).
pub fn apply_params(cfg: &mut ClassifierConfig, params: &[String]) -> anyhow::Result<()> {
    for p in params {
        let (k, v) = p
            .split_once('=')
            .with_context(|| format!("--param {p:?}: expected key=value"))?;
        let f = &mut cfg.features;
        let t = &mut cfg.train;
        let bad = || format!("--param {p:?}: bad value");
        match k {
            "word_max" => f.word_max = v.parse().with_context(bad)?,
            "char_min" => f.char_min = v.parse().with_context(bad)?,
            "char_max" => f.char_max = v.parse().with_context(bad)?,
            "cjk_min" => f.cjk_min = v.parse().with_context(bad)?,
            "cjk_max" => f.cjk_max = v.parse().with_context(bad)?,
            "min_df" => f.min_df = v.parse().with_context(bad)?,
            "char_weight" => f.char_weight = v.parse().with_context(bad)?,
            "sublinear_tf" => f.sublinear_tf = v.parse().with_context(bad)?,
            "nb_weight" => cfg.nb_weight = v.parse().with_context(bad)?,
            "nb_alpha" => cfg.nb_alpha = v.parse().with_context(bad)?,
            "epochs" => t.epochs = v.parse().with_context(bad)?,
            "lambda" => t.lambda = v.parse().with_context(bad)?,
            "lr0" => t.lr0 = v.parse().with_context(bad)?,
            "decay" => t.decay = v.parse().with_context(bad)?,
            "hinge" => t.hinge = v.parse().with_context(bad)?,
            "seed" => t.seed = v.parse().with_context(bad)?,
            "holdout_every" => cfg.holdout_every = v.parse().with_context(bad)?,
            "threshold" => cfg.threshold = Some(v.parse().with_context(bad)?),
            _ => bail!("--param {p:?}: unknown key {k:?}"),
        }
    }
    Ok(())
}

pub fn eval(args: EvalArgs) -> anyhow::Result<()> {
    let mut train = read_examples(args.train)?;
    let test = read_examples(args.test)?;
    if let Some(k) = args.shots {
        if k == 0 {
            bail!("--shots must be at least 1");
        }
        train = first_shots(&train, k);
    }
    let mut cfg = ClassifierConfig {
        oos_label: args.oos_label.map(str::to_string),
        ..ClassifierConfig::default()
    };
    apply_params(&mut cfg, args.params)?;
    let pairs: Vec<(&str, &str)> = train
        .iter()
        .map(|e| (e.text.as_str(), e.label.as_str()))
        .collect();
    let started = Instant::now();
    let clf = Classifier::train(&pairs, &cfg)
        .with_context(|| format!("training on {}", args.train.display()))?;
    let train_secs = started.elapsed().as_secs_f64();

    let unknown = args.oos_label.unwrap_or(UNKNOWN);
    let started = Instant::now();
    let predictions: Vec<_> = test.iter().map(|e| clf.predict(&e.text)).collect();
    let us_per_message = started.elapsed().as_secs_f64() * 1e6 / test.len().max(1) as f64;
    // Without an out-of-scope label there is nothing to reject: score the best intent, so the
    // figures are comparable with published closed-set results.
    let predicted: Vec<String> = predictions
        .into_iter()
        .map(|p| match args.oos_label {
            Some(_) => p.label.unwrap_or_else(|| unknown.to_string()),
            None => p.best,
        })
        .collect();
    let gold: Vec<String> = test.iter().map(|e| e.label.clone()).collect();
    let s = score(&gold, &predicted, args.oos_label);

    let mut out = String::new();
    let o = &mut out;
    writeln!(o, "train_rows: {}", train.len())?;
    writeln!(o, "test_rows: {}", test.len())?;
    writeln!(o, "intents: {}", clf.labels().len())?;
    writeln!(o, "features: {}", clf.dim())?;
    writeln!(o, "accuracy: {:.4}", s.accuracy)?;
    writeln!(o, "macro_f1: {:.4}", s.macro_f1)?;
    if let (Some(a), Some(r)) = (s.in_scope_accuracy, s.oos_recall) {
        writeln!(o, "in_scope_accuracy: {a:.4}")?;
        writeln!(o, "oos_recall: {r:.4}")?;
    }
    writeln!(o, "train_secs: {train_secs:.2}")?;
    writeln!(o, "us_per_message: {us_per_message:.1}")?;
    writeln!(o, "temperature: {:.3}", clf.temperature())?;
    writeln!(o, "threshold: {:.3}", clf.threshold())?;
    writeln!(o, "most_confused:")?;
    for (g, p, n) in s.confusions.iter().take(10) {
        writeln!(o, "  {n:>4}  {} -> {}", inert_line(g), inert_line(p))?;
    }
    emit(&out)
}

/// Classifies each text with the default intents or those of `intents_file`.
pub fn classify(intents_file: Option<&Path>, lang: &str, texts: &[String]) -> anyhow::Result<()> {
    let set = IntentSet::load(intents_file)?;
    let clf = set.train(&ClassifierConfig::default())?;
    for t in texts {
        let p = clf.predict(t);
        let name = match &p.label {
            Some(l) => set.get(l).map_or(l.as_str(), |i| i.display_name(lang)),
            None => UNKNOWN,
        };
        println!(
            "{}\t{:.3}\t{}",
            p.label.as_deref().unwrap_or("unknown"),
            p.confidence,
            inert_line(name)
        );
    }
    Ok(())
}

/// `kefu kb match-eval FILE`: question-pair accuracy of `intents::similarity`, with the IDF fitted
/// on the file's own texts (never its labels).
pub fn match_eval(path: &Path) -> anyhow::Result<()> {
    let src =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let pairs = parse_pairs(&path.display().to_string(), &src)?;
    let matcher =
        crate::intents::fit_matcher(pairs.iter().flat_map(|p| [p.a.as_str(), p.b.as_str()]));
    let sims: Vec<(f32, bool)> = pairs
        .iter()
        .map(|p| (crate::intents::similarity(&matcher, &p.a, &p.b), p.same))
        .collect();
    let (best, best_t) = best_pair_accuracy(&sims);
    let mut out = String::new();
    let o = &mut out;
    writeln!(o, "pairs: {}", pairs.len())?;
    writeln!(o, "threshold: {DEFAULT_MATCH_THRESHOLD:.3}")?;
    writeln!(
        o,
        "accuracy: {:.4}",
        pair_accuracy(&sims, DEFAULT_MATCH_THRESHOLD)
    )?;
    writeln!(o, "best_accuracy: {best:.4}")?;
    writeln!(o, "best_threshold: {best_t:.3}")?;
    emit(&out)
}

/// Writes the report in one go; a closed pipe (`| head`) is an error, not a panic.
fn emit(out: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes())?;
    stdout.flush()?;
    Ok(())
}
