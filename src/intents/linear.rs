//! Multinomial logistic regression trained by plain SGD on sparse vectors. A few hundred lines of
//! our own instead of `linfa-logistic`: that crate brings ndarray and argmin, trains with dense
//! matrices (10,000 texts × 100,000 n-grams would not fit), and adds far more compile time than
//! this file.
//!
//! L2 regularisation uses the scaled-weights trick (w = scale · v), so a step costs only the
//! non-zeros of the example, not the whole weight matrix. Shuffling uses a fixed-seed SplitMix64:
//! the same data always gives the same model.

use super::features::SparseVec;

/// Optimiser settings.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainConfig {
    pub epochs: usize,
    /// L2 strength per example.
    pub lambda: f32,
    /// Initial learning rate; step t uses lr0 / (1 + lr0 · lambda · t + decay · epochs so far).
    pub lr0: f32,
    pub decay: f32,
    /// Multiclass hinge (Crammer–Singer) instead of the log loss.
    pub hinge: bool,
    pub seed: u64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            epochs: 15,
            lambda: 1e-5,
            lr0: 0.5,
            decay: 0.0,
            hinge: false,
            seed: 0x6b65_6675,
        }
    }
}

/// Weights, feature-major: the scores of all classes for one feature are contiguous.
#[derive(Clone, Debug)]
pub struct Linear {
    n_class: usize,
    w: Vec<f32>,
    b: Vec<f32>,
}

/// Deterministic pseudo-random numbers (SplitMix64).
pub struct SplitMix(u64);
impl SplitMix {
    pub fn new(seed: u64) -> Self {
        SplitMix(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Fisher–Yates.
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

/// In-place softmax of `z / temperature`.
pub fn softmax(z: &mut [f32], temperature: f32) {
    let t = if temperature > 0.0 { temperature } else { 1.0 };
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in z.iter_mut() {
        *v = ((*v - max) / t).exp();
        sum += *v;
    }
    if sum > 0.0 {
        for v in z.iter_mut() {
            *v /= sum;
        }
    }
}

impl Linear {
    /// Trains on `xs` with labels `ys` (each < n_class) over `dim` columns.
    pub fn train(
        xs: &[SparseVec],
        ys: &[usize],
        n_class: usize,
        dim: usize,
        cfg: &TrainConfig,
    ) -> Self {
        let mut m = Linear {
            n_class,
            w: vec![0.0; dim * n_class],
            b: vec![0.0; n_class],
        };
        let mut scale = 1.0f32;
        let mut order: Vec<usize> = (0..xs.len()).collect();
        let mut rng = SplitMix::new(cfg.seed);
        let mut p = vec![0.0f32; n_class];
        let mut t = 0u64;
        for _ in 0..cfg.epochs {
            rng.shuffle(&mut order);
            for &i in &order {
                let (x, y) = (&xs[i], ys[i]);
                let epochs_done = t as f32 / xs.len().max(1) as f32;
                let eta =
                    cfg.lr0 / (1.0 + cfg.lr0 * cfg.lambda * t as f32 + cfg.decay * epochs_done);
                t += 1;
                m.raw_scores(x, scale, &mut p);
                if cfg.hinge {
                    // Gradient of max(0, 1 + s_r - s_y), r the best wrong class (none when
                    // there is a single class).
                    let r = (0..n_class)
                        .filter(|&c| c != y)
                        .max_by(|&a, &b| p[a].total_cmp(&p[b]));
                    let violated = r.filter(|&r| p[y] - p[r] < 1.0);
                    p.iter_mut().for_each(|v| *v = 0.0);
                    if let Some(r) = violated {
                        p[y] = -1.0;
                        p[r] = 1.0;
                    }
                } else {
                    softmax(&mut p, 1.0);
                    p[y] -= 1.0; // gradient of the log loss w.r.t. the scores
                }
                scale *= 1.0 - eta * cfg.lambda;
                let step = eta / scale;
                for (&j, &xj) in x.idx.iter().zip(&x.val) {
                    let row = &mut m.w[j as usize * n_class..(j as usize + 1) * n_class];
                    let s = step * xj;
                    for (wc, gc) in row.iter_mut().zip(&p) {
                        *wc -= s * gc;
                    }
                }
                for (bc, gc) in m.b.iter_mut().zip(&p) {
                    *bc -= eta * gc;
                }
                if scale < 1e-6 {
                    m.w.iter_mut().for_each(|v| *v *= scale);
                    scale = 1.0;
                }
            }
        }
        m.w.iter_mut().for_each(|v| *v *= scale);
        m
    }

    fn raw_scores(&self, x: &SparseVec, scale: f32, out: &mut [f32]) {
        out.copy_from_slice(&self.b);
        let c = self.n_class;
        for (&j, &xj) in x.idx.iter().zip(&x.val) {
            let row = &self.w[j as usize * c..(j as usize + 1) * c];
            let s = scale * xj;
            for (o, wc) in out.iter_mut().zip(row) {
                *o += s * wc;
            }
        }
    }

    /// The class scores (logits) of `x` into `out` (length n_class).
    pub fn scores(&self, x: &SparseVec, out: &mut [f32]) {
        self.raw_scores(x, 1.0, out);
    }

    /// Adds `weight` times a feature-major matrix of the same shape to the weights (how the
    /// naive-Bayes ratios of `nb` join the model).
    pub fn add_scaled(&mut self, other: &[f32], weight: f32) {
        debug_assert_eq!(other.len(), self.w.len());
        for (w, o) in self.w.iter_mut().zip(other) {
            *w += weight * o;
        }
    }

    pub fn n_class(&self) -> usize {
        self.n_class
    }
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

    #[test]
    fn separates_three_classes() {
        let xs = vec![
            sv(&[(0, 1.0)]),
            sv(&[(1, 1.0)]),
            sv(&[(2, 1.0)]),
            sv(&[(0, 0.7), (3, 0.7)]),
        ];
        let ys = vec![0, 1, 2, 0];
        let m = Linear::train(&xs, &ys, 3, 4, &TrainConfig::default());
        let mut s = [0.0; 3];
        for (x, &y) in xs.iter().zip(&ys) {
            m.scores(x, &mut s);
            let best = (0..3).max_by(|&a, &b| s[a].total_cmp(&s[b])).unwrap();
            assert_eq!(best, y);
        }
    }

    #[test]
    fn a_single_class_trains_with_either_loss() {
        let xs = vec![sv(&[(0, 1.0)])];
        for hinge in [false, true] {
            let cfg = TrainConfig {
                hinge,
                ..TrainConfig::default()
            };
            let m = Linear::train(&xs, &[0], 1, 1, &cfg);
            let mut s = [0.0];
            m.scores(&xs[0], &mut s);
            assert!(s[0].is_finite());
        }
    }

    #[test]
    fn add_scaled_adds_to_the_scores() {
        let xs = vec![sv(&[(0, 1.0)]), sv(&[(1, 1.0)])];
        let mut m = Linear::train(&xs, &[0, 1], 2, 2, &TrainConfig::default());
        let mut before = [0.0; 2];
        m.scores(&xs[0], &mut before);
        // Feature-major: feature 0's class-1 weight is index 1.
        m.add_scaled(&[0.0, 1.0, 0.0, 0.0], 3.0);
        let mut after = [0.0; 2];
        m.scores(&xs[0], &mut after);
        assert_eq!(after[0], before[0]);
        assert!((after[1] - before[1] - 3.0).abs() < 1e-6);
    }

    #[test]
    fn hinge_loss_separates_three_classes() {
        let xs = vec![sv(&[(0, 1.0)]), sv(&[(1, 1.0)]), sv(&[(2, 1.0)])];
        let cfg = TrainConfig {
            hinge: true,
            ..TrainConfig::default()
        };
        let m = Linear::train(&xs, &[0, 1, 2], 3, 3, &cfg);
        let mut s = [0.0; 3];
        for (y, x) in xs.iter().enumerate() {
            m.scores(x, &mut s);
            assert_eq!((0..3).max_by(|&a, &b| s[a].total_cmp(&s[b])), Some(y));
        }
    }

    #[test]
    fn softmax_sums_to_one_and_temperature_flattens() {
        let mut a = [2.0, 1.0, 0.0];
        softmax(&mut a, 1.0);
        assert!((a.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        let mut b = [2.0, 1.0, 0.0];
        softmax(&mut b, 5.0);
        assert!(b[0] < a[0] && b[2] > a[2]);
    }

    #[test]
    fn shuffle_is_a_seeded_permutation() {
        let mut a: Vec<u32> = (0..50).collect();
        let mut b = a.clone();
        SplitMix::new(7).shuffle(&mut a);
        SplitMix::new(7).shuffle(&mut b);
        assert_eq!(a, b);
        let mut sorted = a.clone();
        sorted.sort();
        assert_eq!(sorted, (0..50).collect::<Vec<_>>());
        assert_ne!(a, sorted);
    }
}
