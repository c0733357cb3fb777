//! Two closed-form linear scorers that are added to the trained softmax model's weights, so the
//! ensemble costs nothing at classification time (one weight matrix, one pass over the features):
//!
//! - class prototypes: the unit-length sum of a class's feature vectors. The dot product with it
//!   is the cosine to the class centroid up to the message's own length, which is the same for
//!   every class, so it ranks classes like the cosine does. Prototypes need no optimisation,
//!   which helps most when a class has only a few examples.
//! - naive-Bayes log-count ratios (Wang & Manning 2012, one class against the rest): how much
//!   more of each feature's mass falls in the class than outside it, smoothed by `alpha`.
//!
//! Both return feature-major dense matrices (`dim * n_class`, like `Linear`'s weights).

use super::features::SparseVec;

/// The per-class sums of the feature vectors (of 1 per present feature when `binary`),
/// feature-major.
fn class_sums(
    xs: &[SparseVec],
    ys: &[usize],
    n_class: usize,
    dim: usize,
    binary: bool,
) -> Vec<f32> {
    let mut sums = vec![0.0f32; dim * n_class];
    for (x, &y) in xs.iter().zip(ys) {
        for (&j, &v) in x.idx.iter().zip(&x.val) {
            sums[j as usize * n_class + y] += if binary { 1.0 } else { v };
        }
    }
    sums
}

/// Each class's summed feature vector scaled to unit length (a class without examples stays 0).
pub fn prototypes(xs: &[SparseVec], ys: &[usize], n_class: usize, dim: usize) -> Vec<f32> {
    let mut w = class_sums(xs, ys, n_class, dim, false);
    let mut sq = vec![0.0f32; n_class];
    for row in w.chunks_exact(n_class) {
        for (s, v) in sq.iter_mut().zip(row) {
            *s += v * v;
        }
    }
    let inv: Vec<f32> = sq
        .iter()
        .map(|&s| if s > 0.0 { 1.0 / s.sqrt() } else { 0.0 })
        .collect();
    for row in w.chunks_exact_mut(n_class) {
        for (v, i) in row.iter_mut().zip(&inv) {
            *v *= i;
        }
    }
    w
}

/// r[j][c] = ln(p_cj / |p_c|) - ln(q_cj / |q_c|), where p_c is `alpha` plus the feature mass of
/// class c and q_c is `alpha` plus the mass of all other classes. With `binary`, a feature's
/// mass is the number of texts that have it (Wang & Manning's binarised counts), not its value.
pub fn nb_ratios(
    xs: &[SparseVec],
    ys: &[usize],
    n_class: usize,
    dim: usize,
    alpha: f32,
    binary: bool,
) -> Vec<f32> {
    let mut w = class_sums(xs, ys, n_class, dim, binary);
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

    fn score(w: &[f32], n_class: usize, x: &SparseVec) -> Vec<f32> {
        let mut s = vec![0.0; n_class];
        for (&j, &v) in x.idx.iter().zip(&x.val) {
            for (c, sc) in s.iter_mut().enumerate() {
                *sc += v * w[j as usize * n_class + c];
            }
        }
        s
    }

    fn best(s: &[f32]) -> usize {
        (0..s.len()).max_by(|&a, &b| s[a].total_cmp(&s[b])).unwrap()
    }

    // Class 0 uses features 0 and 1, class 1 features 2 and 3, feature 4 is shared; class 2 has
    // no examples.
    fn fixture() -> (Vec<SparseVec>, Vec<usize>) {
        let xs = vec![
            sv(&[(0, 1.0), (4, 1.0)]),
            sv(&[(1, 1.0), (4, 1.0)]),
            sv(&[(2, 1.0), (4, 1.0)]),
            sv(&[(3, 2.0)]),
        ];
        (xs, vec![0, 0, 1, 1])
    }

    #[test]
    fn prototypes_are_unit_length_and_rank_the_own_class_first() {
        let (xs, ys) = fixture();
        let w = prototypes(&xs, &ys, 3, 5);
        for c in 0..2 {
            let norm: f32 = (0..5).map(|j| w[j * 3 + c].powi(2)).sum::<f32>().sqrt();
            assert!((norm - 1.0).abs() < 1e-5, "{norm}");
        }
        assert!((0..5).all(|j| w[j * 3 + 2] == 0.0));
        assert_eq!(best(&score(&w, 3, &sv(&[(0, 1.0)]))), 0);
        assert_eq!(best(&score(&w, 3, &sv(&[(3, 1.0), (4, 1.0)]))), 1);
    }

    #[test]
    fn nb_ratios_favour_the_class_that_owns_a_feature() {
        let (xs, ys) = fixture();
        let w = nb_ratios(&xs, &ys, 3, 5, 0.1, false);
        // Feature 0 belongs to class 0: positive for it, negative for class 1.
        assert!(w[0] > 0.0 && w[1] < 0.0, "{:?}", &w[..3]);
        // Feature 3 belongs to class 1.
        assert!(w[3 * 3 + 1] > 0.0 && w[3 * 3] < 0.0);
        assert_eq!(best(&score(&w, 3, &sv(&[(1, 1.0), (4, 1.0)]))), 0);
        assert_eq!(best(&score(&w, 3, &sv(&[(2, 1.0)]))), 1);
        assert!(w.iter().all(|v| v.is_finite()));
        // Binarised counts ignore the value 2 of feature 3: it weighs like feature 2.
        let b = nb_ratios(&xs, &ys, 3, 5, 0.1, true);
        assert!((b[3 * 3 + 1] - b[2 * 3 + 1]).abs() < 1e-6);
        assert!((w[3 * 3 + 1] - w[2 * 3 + 1]).abs() > 1e-3);
    }
}
