//! Evaluation figures: accuracy, macro F1, out-of-scope recall and the most confused pairs.

use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, PartialEq)]
pub struct Scores {
    pub accuracy: f64,
    pub macro_f1: f64,
    /// With an out-of-scope label: accuracy over the other rows, and how many out-of-scope rows
    /// were called unknown.
    pub in_scope_accuracy: Option<f64>,
    pub oos_recall: Option<f64>,
    /// (gold, predicted, count), most frequent first.
    pub confusions: Vec<(String, String, usize)>,
}

/// `predicted` holds the out-of-scope label (or any placeholder) where the classifier said unknown.
pub fn score(gold: &[String], predicted: &[String], oos_label: Option<&str>) -> Scores {
    let n = gold.len().max(1) as f64;
    let correct = gold.iter().zip(predicted).filter(|(g, p)| g == p).count();
    let labels: BTreeSet<&str> = gold.iter().chain(predicted).map(String::as_str).collect();
    let mut tp: BTreeMap<&str, f64> = BTreeMap::new();
    let mut fp: BTreeMap<&str, f64> = BTreeMap::new();
    let mut fneg: BTreeMap<&str, f64> = BTreeMap::new();
    let mut pairs: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (g, p) in gold.iter().zip(predicted) {
        if g == p {
            *tp.entry(g).or_default() += 1.0;
        } else {
            *fp.entry(p).or_default() += 1.0;
            *fneg.entry(g).or_default() += 1.0;
            *pairs.entry((g, p)).or_default() += 1;
        }
    }
    let f1_sum: f64 = labels
        .iter()
        .map(|l| {
            let t = tp.get(l).copied().unwrap_or(0.0);
            let denom =
                2.0 * t + fp.get(l).copied().unwrap_or(0.0) + fneg.get(l).copied().unwrap_or(0.0);
            if denom > 0.0 { 2.0 * t / denom } else { 0.0 }
        })
        .sum();
    let mut confusions: Vec<(String, String, usize)> = pairs
        .into_iter()
        .map(|((g, p), c)| (g.to_string(), p.to_string(), c))
        .collect();
    // Most frequent first; ties in name order (the map's order, kept by a stable sort).
    confusions.sort_by_key(|c| std::cmp::Reverse(c.2));
    let (in_scope_accuracy, oos_recall) = match oos_label {
        Some(oos) => {
            let rate = |want_oos: bool| {
                let rows: Vec<bool> = gold
                    .iter()
                    .zip(predicted)
                    .filter(|(g, _)| (g.as_str() == oos) == want_oos)
                    .map(|(g, p)| g == p)
                    .collect();
                rows.iter().filter(|ok| **ok).count() as f64 / rows.len().max(1) as f64
            };
            (Some(rate(false)), Some(rate(true)))
        }
        None => (None, None),
    };
    Scores {
        accuracy: correct as f64 / n,
        macro_f1: f1_sum / labels.len().max(1) as f64,
        in_scope_accuracy,
        oos_recall,
        confusions,
    }
}

/// The share of pairs classified right when "same" means similarity ≥ threshold.
pub fn pair_accuracy(sims: &[(f32, bool)], threshold: f32) -> f64 {
    let ok = sims
        .iter()
        .filter(|(s, same)| (*s >= threshold) == *same)
        .count();
    ok as f64 / sims.len().max(1) as f64
}

/// The best accuracy over all thresholds, and the threshold reaching it (midway between two
/// neighbouring similarities).
pub fn best_pair_accuracy(sims: &[(f32, bool)]) -> (f64, f32) {
    let mut s: Vec<f32> = sims.iter().map(|p| p.0).collect();
    s.sort_by(f32::total_cmp);
    s.dedup();
    let mut candidates = vec![s.first().map_or(0.0, |v| v - 1e-3)];
    candidates.extend(s.windows(2).map(|w| (w[0] + w[1]) / 2.0));
    candidates.push(s.last().map_or(1.0, |v| v + 1e-3));
    let mut best = (f64::NEG_INFINITY, 0.0);
    for t in candidates {
        let a = pair_accuracy(sims, t);
        if a > best.0 {
            best = (a, t);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn accuracy_f1_and_confusions() {
        let gold = v(&["a", "a", "b", "b", "c"]);
        let pred = v(&["a", "b", "b", "b", "a"]);
        let s = score(&gold, &pred, None);
        assert!((s.accuracy - 0.6).abs() < 1e-9);
        // F1: a = 2·1/(2+1+1) = 0.5, b = 2·2/(4+1) = 0.8, c = 0.
        assert!((s.macro_f1 - 1.3 / 3.0).abs() < 1e-9, "{}", s.macro_f1);
        assert_eq!(s.confusions[0], ("a".into(), "b".into(), 1));
        assert_eq!(s.confusions.len(), 2);
        assert_eq!(s.oos_recall, None);
    }

    #[test]
    fn out_of_scope_rates() {
        let gold = v(&["a", "a", "oos", "oos"]);
        let pred = v(&["a", "oos", "oos", "a"]);
        let s = score(&gold, &pred, Some("oos"));
        assert_eq!(s.in_scope_accuracy, Some(0.5));
        assert_eq!(s.oos_recall, Some(0.5));
    }

    #[test]
    fn pair_thresholds() {
        let sims = [(0.9, true), (0.6, true), (0.5, false), (0.1, false)];
        assert_eq!(pair_accuracy(&sims, 0.95), 0.5);
        let (best, t) = best_pair_accuracy(&sims);
        assert_eq!(best, 1.0);
        assert!(t > 0.5 && t < 0.6);
    }
}
