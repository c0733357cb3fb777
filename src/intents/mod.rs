//! Intent recognition, offline and deterministic: intents are data (`catalog`, with a default
//! zh + en set compiled in), a TF-IDF n-gram softmax classifier plus naive-Bayes ratios (`nb`)
//! trained at start-up in seconds (`classifier`), evaluation figures (`metrics`), CSV/TSV example
//! files (`dataset`), and the question similarity the answering bot uses (`similarity`). Pure
//! logic: callers read files.

pub mod calibrate;
pub mod catalog;
pub mod classifier;
pub mod dataset;
pub mod features;
pub mod linear;
pub mod metrics;
pub mod nb;
pub mod similarity;
pub mod text;

pub use catalog::{Intent, IntentSet, IntentsConfig};
pub use classifier::{Classifier, ClassifierConfig, Prediction};
pub use similarity::{DEFAULT_MATCH_THRESHOLD, fit_matcher, similarity};
