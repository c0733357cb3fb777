//! Choices made on held-out examples: the softmax temperature (calibrated confidences) and the
//! "unknown" threshold.

use super::linear::softmax;

/// Fewer held-out examples than this leave the temperature at 1 and the threshold at its
/// default: a handful of (usually all correct) examples would only make the model overconfident.
pub const MIN_HELD_OUT: usize = 25;
const T_MIN: f32 = 0.25;
const T_MAX: f32 = 20.0;

/// The temperature that minimises the mean negative log-likelihood of `gold` under
/// softmax(scores / T), over a log-spaced grid from 0.25 to 20 (below 0.25 only sharpens
/// confidences that a small held-out set happened to get all right).
pub fn fit_temperature(scores: &[Vec<f32>], gold: &[usize]) -> f32 {
    if scores.len() < MIN_HELD_OUT {
        return 1.0;
    }
    let mut best = (f64::INFINITY, 1.0f32);
    let mut p = Vec::new();
    for k in 0..=80 {
        let t = (T_MIN.ln() + (T_MAX.ln() - T_MIN.ln()) * k as f32 / 80.0).exp();
        let mut nll = 0.0f64;
        for (s, &g) in scores.iter().zip(gold) {
            p.clear();
            p.extend_from_slice(s);
            softmax(&mut p, t);
            nll -= f64::from(p[g].max(1e-12)).ln();
        }
        if nll < best.0 {
            best = (nll, t);
        }
    }
    best.1
}

/// The threshold that maximises the mean of in-scope accuracy and out-of-scope recall, given the
/// (confidence, correct) of in-scope held-out examples and the confidences of out-of-scope ones.
pub fn threshold_with_oos(in_scope: &[(f32, bool)], oos: &[f32]) -> f32 {
    let mut candidates: Vec<f32> = in_scope
        .iter()
        .map(|p| p.0)
        .chain(oos.iter().copied())
        .collect();
    candidates.push(0.0);
    candidates.sort_by(f32::total_cmp);
    candidates.dedup();
    let mut best = (f32::NEG_INFINITY, 0.0f32);
    for &t in &candidates {
        // An example is accepted when its confidence is at least t.
        let acc = in_scope.iter().filter(|(c, ok)| *ok && *c >= t).count() as f32
            / in_scope.len().max(1) as f32;
        let rec = oos.iter().filter(|c| **c < t).count() as f32 / oos.len().max(1) as f32;
        let score = (acc + rec) / 2.0;
        if score > best.0 {
            best = (score, t);
        }
    }
    best.1
}

/// Without out-of-scope examples: the threshold that keeps `keep` (e.g. 0.95) of the correctly
/// classified held-out examples, so a known intent is rarely called unknown.
pub fn threshold_keeping(correct_confidences: &[f32], keep: f32) -> Option<f32> {
    if correct_confidences.len() < MIN_HELD_OUT {
        return None;
    }
    let mut c = correct_confidences.to_vec();
    c.sort_by(f32::total_cmp);
    let drop = ((1.0 - keep) * c.len() as f32).floor() as usize;
    Some(c[drop.min(c.len() - 1)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overconfident_scores_get_a_temperature_above_one() {
        // Scores say 0 with a huge margin, but 0 is right only 60% of the time.
        let scores: Vec<Vec<f32>> = (0..30).map(|_| vec![10.0, 0.0]).collect();
        let gold: Vec<usize> = (0..30).map(|i| usize::from(i % 10 >= 6)).collect();
        assert!(fit_temperature(&scores, &gold) > 5.0);
        // Too few held-out examples: no calibration.
        assert_eq!(fit_temperature(&scores[..10], &gold[..10]), 1.0);
    }

    #[test]
    fn oos_threshold_sits_between_the_groups() {
        let in_scope = [(0.9, true), (0.8, true), (0.7, true), (0.2, false)];
        let oos = [0.1, 0.3, 0.4];
        let t = threshold_with_oos(&in_scope, &oos);
        assert!(t > 0.4 && t <= 0.7, "{t}");
    }

    #[test]
    fn keeping_threshold_drops_the_lowest_few() {
        let c: Vec<f32> = (1..=40).map(|i| i as f32 / 40.0).collect();
        assert_eq!(threshold_keeping(&c, 0.95), Some(0.075));
        assert_eq!(threshold_keeping(&c[..10], 0.95), None);
    }
}
