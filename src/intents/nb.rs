//! Naive-Bayes log-count ratios (Wang & Manning 2012, one class against the rest), added to the
//! trained softmax model's weights: the ensemble "logistic regression + naive Bayes" is then one
//! weight matrix, so it costs nothing at classification time. Naive Bayes needs no optimisation
//! and trusts rare, class-specific n-grams more than a regularised model does; on a held-out
//! tenth of BANKING77's training set the sum beat either alone (docs/performance.md).

use super::features::SparseVec;

/// `r[j][c] = ln(p_cj / |p_c|) - ln(q_cj / |q_c|)`, where `p_c` is `alpha` plus the summed
/// feature values of class `c`'s texts and `q_c` is `alpha` plus those of all other classes. Feature-major
/// (`dim * n_class`, like `Linear`'s weights).
pub fn nb_ratios(
    xs: &[SparseVec],
    ys: &[usize],
    n_class: usize,
    dim: usize,
    alpha: f32,
) -> Vec<f32> {
    let mut w = vec![0.0f32; dim * n_class];
    for (x, &y) in xs.iter().zip(ys) {
        for (&j, &v) in x.idx.iter().zip(&x.val) {
            w[j as usize * n_class + y] += v;
        }
    }
    let alpha = alpha.max(1e-6);
    // Per-class and per-feature totals.
    let mut in_mass = vec![0.0f64; n_class];
    let mut total_mass = 0.0f64;
    let mut feat_total = vec![0.0f32; dim];
    for (row, ft) in w.chunks_exact(n_class).zip(feat_total.iter_mut()) {
        for (m, v) in in_mass.iter_mut().zip(row) {
            *m += f64::from(*v);
        }
        *ft = row.iter().sum();
        total_mass += f64::from(*ft);
    }
    let smooth = f64::from(alpha) * dim as f64;
    let ln_p: Vec<f32> = in_mass.iter().map(|m| (m + smooth).ln() as f32).collect();
    let ln_q: Vec<f32> = in_mass
        .iter()
        .map(|m| (total_mass - m + smooth).ln() as f32)
        .collect();
    for (row, ft) in w.chunks_exact_mut(n_class).zip(&feat_total) {
        for (c, v) in row.iter_mut().enumerate() {
            let p = *v + alpha;
            let q = (ft - *v).max(0.0) + alpha;
            *v = (p.ln() - ln_p[c]) - (q.ln() - ln_q[c]);
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sv(pairs: &[(u32, f32)]) -> SparseVec {
        SparseVec {
            idx: pairs.iter().map(|p| p.0).collect(),
            val: pairs.iter().map(|p| p.1).collect(),
        }
    }

    fn best(w: &[f32], n_class: usize, x: &SparseVec) -> usize {
        let mut s = vec![0.0f32; n_class];
        for (&j, &v) in x.idx.iter().zip(&x.val) {
            for (c, sc) in s.iter_mut().enumerate() {
                *sc += v * w[j as usize * n_class + c];
            }
        }
        (0..n_class).max_by(|&a, &b| s[a].total_cmp(&s[b])).unwrap()
    }

    #[test]
    fn ratios_favour_the_class_that_owns_a_feature() {
        // Class 0 uses features 0 and 1, class 1 features 2 and 3, feature 4 is shared; class 2
        // has no texts.
        let xs = vec![
            sv(&[(0, 1.0), (4, 1.0)]),
            sv(&[(1, 1.0), (4, 1.0)]),
            sv(&[(2, 1.0), (4, 1.0)]),
            sv(&[(3, 2.0)]),
        ];
        let w = nb_ratios(&xs, &[0, 0, 1, 1], 3, 5, 0.1);
        // Feature 0 belongs to class 0: positive for it, negative for class 1.
        assert!(w[0] > 0.0 && w[1] < 0.0, "{:?}", &w[..3]);
        // Feature 3 belongs to class 1, and its value 2 counts twice.
        assert!(w[3 * 3 + 1] > w[2 * 3 + 1] && w[2 * 3 + 1] > 0.0);
        assert!(w[3 * 3] < 0.0);
        assert_eq!(best(&w, 3, &sv(&[(1, 1.0), (4, 1.0)])), 0);
        assert_eq!(best(&w, 3, &sv(&[(2, 1.0)])), 1);
        assert!(w.iter().all(|v| v.is_finite()));
    }
}
