//! Question similarity: cosine over the same TF-IDF word and character n-gram features as the
//! classifier. The answering bot fits a `Vectorizer` on the knowledge base's questions (texts
//! only) and matches a customer's question against each article's alternative questions.

use super::features::{FeatureConfig, Vectorizer};

/// The similarity at or above which two questions count as the same question. Chosen a priori
/// (no public zh/en question-pair set is at hand to calibrate it on), not on the test fixture.
pub const DEFAULT_MATCH_THRESHOLD: f32 = 0.3;

/// Features for matching: word unigrams (paraphrases rarely share word pairs) and character
/// n-grams weighted like the words; every n-gram of the fitted texts kept (min_df 1).
pub fn match_features() -> FeatureConfig {
    FeatureConfig {
        word_max: 1,
        char_min: 2,
        char_max: 4,
        cjk_min: 2,
        cjk_max: 3,
        char_weight: 1.0,
        ..FeatureConfig::default()
    }
}

/// Fits the IDF on `texts` (questions only; no labels).
pub fn fit_matcher<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vectorizer {
    Vectorizer::fit(texts, &match_features())
}

/// Cosine similarity of two texts under `vectorizer`, in [0, 1]; 0 when either has no known
/// n-gram.
pub fn similarity(vectorizer: &Vectorizer, a: &str, b: &str) -> f32 {
    let (x, y) = (vectorizer.transform(a), vectorizer.transform(b));
    let denom = x.norm() * y.norm();
    if denom > 0.0 {
        (x.dot(&y) / denom).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paraphrases_score_above_unrelated_questions() {
        let texts = [
            "怎么申请退款",
            "如何申请退款",
            "发票怎么开",
            "how do I get a refund",
            "how can I get my money back",
            "where is my parcel",
        ];
        let v = fit_matcher(texts);
        assert!((similarity(&v, "怎么申请退款", "怎么申请退款") - 1.0).abs() < 1e-5);
        assert!(
            similarity(&v, "怎么申请退款", "如何申请退款")
                > similarity(&v, "怎么申请退款", "发票怎么开")
        );
        assert!(
            similarity(&v, "how do I get a refund", "how can I get my money back")
                > similarity(&v, "how do I get a refund", "where is my parcel")
        );
        assert_eq!(similarity(&v, "", "how"), 0.0);
    }
}
