//! The intent classifier: TF-IDF n-gram features, a softmax linear model plus naive-Bayes
//! log-count ratios (one weight matrix), a temperature and an "unknown" threshold chosen on a held-out tenth of the training examples, then the model is
//! trained again on all of them.

use super::calibrate::{fit_temperature, threshold_keeping, threshold_with_oos};
use super::features::{FeatureConfig, SparseVec, Vectorizer};
use super::linear::{Linear, TrainConfig, softmax};
use super::nb;
use std::collections::BTreeMap;

/// Used when the held-out examples cannot choose a threshold (too few examples).
pub const DEFAULT_THRESHOLD: f32 = 0.3;

#[derive(Clone, Debug, PartialEq)]
pub struct ClassifierConfig {
    pub features: FeatureConfig,
    pub train: TrainConfig,
    /// Every `holdout_every`-th example of each label is held out for calibration (0 or 1 = none;
    /// labels with few examples hold out more often, see `train`).
    pub holdout_every: usize,
    /// Examples with this label are not a class: they teach the threshold what "unknown" is.
    pub oos_label: Option<String>,
    /// A fixed threshold instead of one chosen on held-out examples.
    pub threshold: Option<f32>,
    /// Weight of the naive-Bayes log-count ratios (`nb`) added to the softmax model's weights
    /// (0 = logistic regression alone), and their smoothing.
    pub nb_weight: f32,
    pub nb_alpha: f32,
}

impl Default for ClassifierConfig {
    fn default() -> Self {
        ClassifierConfig {
            features: FeatureConfig::default(),
            train: TrainConfig::default(),
            holdout_every: 10,
            oos_label: None,
            threshold: None,
            nb_weight: 0.1,
            nb_alpha: 0.1,
        }
    }
}

/// One answer: the best intent, or none when its confidence is below the threshold.
#[derive(Clone, Debug, PartialEq)]
pub struct Prediction {
    /// None means "unknown".
    pub label: Option<String>,
    /// The best intent even when unknown.
    pub best: String,
    /// Calibrated probability of `best`, in [0, 1].
    pub confidence: f32,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TrainError {
    #[error("no training examples (besides out-of-scope ones)")]
    NoExamples,
}

#[derive(Clone, Debug)]
pub struct Classifier {
    labels: Vec<String>,
    vectorizer: Vectorizer,
    model: Linear,
    temperature: f32,
    threshold: f32,
}

struct Fitted {
    vectorizer: Vectorizer,
    model: Linear,
}

fn fit(texts: &[&str], ys: &[usize], n_class: usize, cfg: &ClassifierConfig) -> Fitted {
    let vectorizer = Vectorizer::fit(texts.iter().copied(), &cfg.features);
    let xs: Vec<SparseVec> = texts.iter().map(|t| vectorizer.transform(t)).collect();
    let dim = vectorizer.dim();
    let mut model = Linear::train(&xs, ys, n_class, dim, &cfg.train);
    if cfg.nb_weight != 0.0 {
        let r = nb::nb_ratios(&xs, ys, n_class, dim, cfg.nb_alpha);
        model.add_scaled(&r, cfg.nb_weight);
    }
    Fitted { vectorizer, model }
}

impl Classifier {
    /// Trains on (text, label) examples.
    pub fn train(examples: &[(&str, &str)], cfg: &ClassifierConfig) -> Result<Self, TrainError> {
        let is_oos = |l: &str| cfg.oos_label.as_deref() == Some(l);
        let labels: Vec<String> = examples
            .iter()
            .filter(|e| !is_oos(e.1))
            .map(|e| e.1.to_string())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        if labels.is_empty() {
            return Err(TrainError::NoExamples);
        }
        let index: BTreeMap<&str, usize> = labels
            .iter()
            .enumerate()
            .map(|(i, l)| (l.as_str(), i))
            .collect();

        // Stratified hold-out in file order: the k-th example of a label is held out when
        // k % every == every - 1, so every label with enough examples is represented.
        // With few examples per label, hold out more often (down to every 3rd) so that small
        // sets still get a calibration sample. Out-of-scope examples are never fitted, so all of
        // them are held out.
        let mut count: BTreeMap<&str, usize> = BTreeMap::new();
        for &(_, label) in examples {
            *count.entry(label).or_insert(0) += 1;
        }
        let most = count.values().copied().max().unwrap_or(0);
        let every = cfg.holdout_every.min((most / 2).max(3));
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        let (mut fit_set, mut held) = (Vec::new(), Vec::new());
        for &(text, label) in examples {
            let k = seen.entry(label).or_insert(0);
            let hold = is_oos(label) || (cfg.holdout_every > 1 && *k % every == every - 1);
            *k += 1;
            if hold {
                held.push((text, label))
            } else {
                fit_set.push((text, label))
            }
        }

        let (mut temperature, mut threshold) = (1.0, cfg.threshold.unwrap_or(DEFAULT_THRESHOLD));
        let n_class = labels.len();
        fn in_scope_of<'t>(
            set: &[(&'t str, &str)],
            index: &BTreeMap<&str, usize>,
        ) -> (Vec<&'t str>, Vec<usize>) {
            set.iter()
                .filter_map(|(t, l)| index.get(l).map(|&y| (*t, y)))
                .unzip()
        }
        let in_scope = |set| in_scope_of(set, &index);
        if !held.is_empty() {
            let (ft, fy) = in_scope(&fit_set);
            if !ft.is_empty() {
                let f = fit(&ft, &fy, n_class, cfg);
                let mut scores = Vec::new();
                let mut gold = Vec::new();
                let mut oos_scores = Vec::new();
                for (t, l) in &held {
                    let mut s = vec![0.0; n_class];
                    f.model.scores(&f.vectorizer.transform(t), &mut s);
                    match index.get(l) {
                        Some(&y) => {
                            scores.push(s);
                            gold.push(y);
                        }
                        None => oos_scores.push(s),
                    }
                }
                temperature = fit_temperature(&scores, &gold);
                let conf = |s: &[f32]| {
                    let mut p = s.to_vec();
                    softmax(&mut p, temperature);
                    let best = argmax(&p);
                    (best, p[best])
                };
                let in_conf: Vec<(f32, bool)> = scores
                    .iter()
                    .zip(&gold)
                    .map(|(s, &g)| {
                        let (b, c) = conf(s);
                        (c, b == g)
                    })
                    .collect();
                if cfg.threshold.is_none() {
                    if !oos_scores.is_empty() {
                        let oos: Vec<f32> = oos_scores.iter().map(|s| conf(s).1).collect();
                        threshold = threshold_with_oos(&in_conf, &oos);
                    } else {
                        let correct: Vec<f32> =
                            in_conf.iter().filter(|c| c.1).map(|c| c.0).collect();
                        threshold = threshold_keeping(&correct, 0.95).unwrap_or(DEFAULT_THRESHOLD);
                    }
                }
            }
        }

        let (all_t, all_y) = in_scope(examples);
        let f = fit(&all_t, &all_y, n_class, cfg);
        Ok(Classifier {
            labels,
            vectorizer: f.vectorizer,
            model: f.model,
            temperature,
            threshold,
        })
    }

    /// Calibrated probabilities of every label, in `labels()` order; they sum to 1.
    pub fn probabilities(&self, text: &str) -> Vec<f32> {
        let mut s = vec![0.0; self.labels.len()];
        self.model.scores(&self.vectorizer.transform(text), &mut s);
        softmax(&mut s, self.temperature);
        s
    }

    pub fn predict(&self, text: &str) -> Prediction {
        let p = self.probabilities(text);
        let best = argmax(&p);
        let confidence = p[best];
        Prediction {
            label: (confidence >= self.threshold).then(|| self.labels[best].clone()),
            best: self.labels[best].clone(),
            confidence,
        }
    }

    /// The classes, sorted.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }
    pub fn temperature(&self) -> f32 {
        self.temperature
    }
    pub fn threshold(&self) -> f32 {
        self.threshold
    }
    pub fn set_threshold(&mut self, t: f32) {
        self.threshold = t;
    }
    /// Number of feature columns.
    pub fn dim(&self) -> usize {
        self.vectorizer.dim()
    }
}

/// Index of the largest value; the first on ties (stable across runs).
fn argmax(v: &[f32]) -> usize {
    let mut best = 0;
    for (i, x) in v.iter().enumerate() {
        if *x > v[best] {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intents::dataset::parse_csv;

    fn rows(csv: &str) -> Vec<(String, String)> {
        parse_csv("fixture", csv.as_bytes())
            .unwrap()
            .into_iter()
            .map(|e| (e.text, e.label))
            .collect()
    }

    fn train(csv: &str, cfg: &ClassifierConfig) -> Classifier {
        let r = rows(csv);
        let pairs: Vec<(&str, &str)> = r.iter().map(|(t, l)| (t.as_str(), l.as_str())).collect();
        Classifier::train(&pairs, cfg).unwrap()
    }

    fn accuracy(clf: &Classifier, csv: &str) -> f64 {
        let r = rows(csv);
        let ok = r.iter().filter(|(t, l)| &clf.predict(t).best == l).count();
        ok as f64 / r.len() as f64
    }

    const EN_TRAIN: &str = include_str!("../../tests/fixtures/intents/en_train.csv");
    const EN_TEST: &str = include_str!("../../tests/fixtures/intents/en_test.csv");
    const ZH_TRAIN: &str = include_str!("../../tests/fixtures/intents/zh_train.csv");
    const ZH_TEST: &str = include_str!("../../tests/fixtures/intents/zh_test.csv");

    // Observed: en 16/18 (the out-of-scope label is a class here), zh 15/15.
    #[test]
    fn classifies_the_english_fixture() {
        let clf = train(EN_TRAIN, &ClassifierConfig::default());
        assert!(accuracy(&clf, EN_TEST) >= 0.8);
    }

    #[test]
    fn classifies_the_chinese_fixture() {
        let clf = train(ZH_TRAIN, &ClassifierConfig::default());
        assert!(accuracy(&clf, ZH_TEST) >= 0.85);
    }

    #[test]
    fn confidences_are_probabilities() {
        let clf = train(ZH_TRAIN, &ClassifierConfig::default());
        for text in ["退款", "hello", "", "🙂🙂", "快递 refund 发票"] {
            let p = clf.probabilities(text);
            assert_eq!(p.len(), clf.labels().len());
            assert!(p.iter().all(|v| (0.0..=1.0).contains(v)), "{p:?}");
            assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-4, "{p:?}");
            let pred = clf.predict(text);
            assert_eq!(pred.confidence, p.iter().copied().fold(0.0, f32::max));
        }
    }

    #[test]
    fn below_the_threshold_is_unknown() {
        let mut clf = train(EN_TRAIN, &ClassifierConfig::default());
        let sure = clf.predict("I want a refund for my order");
        assert_eq!(sure.label.as_deref(), Some("refund"));
        // Text with no known n-gram: only the biases speak, well below the threshold.
        let none = clf.predict("ÿÿÿ");
        assert_eq!(none.label, None);
        assert!(none.confidence < clf.threshold());
        clf.set_threshold(sure.confidence + 0.001);
        let p = clf.predict("I want a refund for my order");
        assert_eq!((p.label, p.best.as_str()), (None, "refund"));
    }

    #[test]
    fn out_of_scope_examples_choose_the_threshold_and_are_not_a_class() {
        let cfg = ClassifierConfig {
            oos_label: Some("oos".into()),
            ..ClassifierConfig::default()
        };
        let clf = train(EN_TRAIN, &cfg);
        assert!(!clf.labels().iter().any(|l| l == "oos"));
        assert_ne!(clf.threshold(), DEFAULT_THRESHOLD);
    }

    #[test]
    fn training_is_deterministic() {
        let a = train(EN_TRAIN, &ClassifierConfig::default());
        let b = train(EN_TRAIN, &ClassifierConfig::default());
        assert_eq!(
            a.probabilities("where is my invoice"),
            b.probabilities("where is my invoice")
        );
    }

    #[test]
    fn naive_bayes_ratios_change_the_model_and_keep_both_fixtures() {
        let lr_only = ClassifierConfig {
            nb_weight: 0.0,
            ..ClassifierConfig::default()
        };
        let (with, without) = (
            train(EN_TRAIN, &ClassifierConfig::default()),
            train(EN_TRAIN, &lr_only),
        );
        assert_ne!(
            with.probabilities("where is my invoice"),
            without.probabilities("where is my invoice")
        );
        assert!(accuracy(&with, EN_TEST) >= 0.8);
        let strong = ClassifierConfig {
            nb_weight: 1.0,
            ..ClassifierConfig::default()
        };
        assert!(accuracy(&train(ZH_TRAIN, &strong), ZH_TEST) >= 0.85);
    }

    #[test]
    fn no_in_scope_examples_is_an_error() {
        let cfg = ClassifierConfig {
            oos_label: Some("oos".into()),
            ..ClassifierConfig::default()
        };
        assert_eq!(
            Classifier::train(&[("hi", "oos")], &cfg).unwrap_err(),
            TrainError::NoExamples
        );
        assert_eq!(
            Classifier::train(&[], &cfg).unwrap_err(),
            TrainError::NoExamples
        );
    }
}
