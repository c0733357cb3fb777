//! TF-IDF features over word n-grams and character n-grams, hashed to 64 bits (no string is
//! allocated per n-gram) and looked up in a vocabulary fitted on the training texts.
//!
//! Two groups, each L2-normalised on its own and then weighted: word n-grams (a CJK character
//! counts as a word) and character n-grams (inside padded Latin words, and along CJK runs).
//! Normalising the groups apart keeps the many character n-grams from drowning the words.

use super::text::{Fnv, Kind, normalize, tokens};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

const WORD: u8 = 0;
const CHAR: u8 = 1;

/// Which n-grams make the features and how they are weighted.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureConfig {
    /// Word n-grams 1..=word_max.
    pub word_max: usize,
    /// Character n-grams inside a Latin word padded with spaces (like scikit-learn's `char_wb`).
    pub char_min: usize,
    pub char_max: usize,
    /// Character n-grams along a run of CJK characters.
    pub cjk_min: usize,
    pub cjk_max: usize,
    /// Features seen in fewer training texts are dropped.
    pub min_df: u32,
    /// Weight of the character group next to the word group (each is unit length first).
    pub char_weight: f32,
    /// 1 + ln(count) instead of the raw count.
    pub sublinear_tf: bool,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig {
            word_max: 2,
            char_min: 2,
            char_max: 5,
            cjk_min: 2,
            cjk_max: 4,
            min_df: 1,
            char_weight: 2.0,
            sublinear_tf: true,
        }
    }
}

/// A sparse vector, indices ascending.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SparseVec {
    pub idx: Vec<u32>,
    pub val: Vec<f32>,
}

impl SparseVec {
    pub fn dot(&self, other: &SparseVec) -> f32 {
        let (mut i, mut j, mut sum) = (0, 0, 0.0);
        while i < self.idx.len() && j < other.idx.len() {
            match self.idx[i].cmp(&other.idx[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    sum += self.val[i] * other.val[j];
                    i += 1;
                    j += 1;
                }
            }
        }
        sum
    }
    pub fn norm(&self) -> f32 {
        self.val.iter().map(|v| v * v).sum::<f32>().sqrt()
    }
}

/// The keys are already FNV hashes: hashing them again would only cost time.
#[derive(Default)]
struct IdHasher(u64);
impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}
type IdMap<V> = HashMap<u64, V, BuildHasherDefault<IdHasher>>;

/// Appends the hashed n-grams of `text` with their group.
pub fn extract(text: &str, cfg: &FeatureConfig, out: &mut Vec<(u64, u8)>) {
    let norm = normalize(text);
    let toks = tokens(&norm);
    // Word n-grams.
    for n in 1..=cfg.word_max {
        for w in toks.windows(n) {
            let mut h = Fnv::new(b'w');
            h.byte(n as u8);
            for t in w {
                h.bytes(norm[t.range.clone()].as_bytes());
                h.byte(0x1f);
            }
            out.push((h.finish(), WORD));
        }
    }
    // Character n-grams: inside padded Latin words, along CJK runs.
    let mut chars: Vec<char> = Vec::with_capacity(32);
    let mut i = 0;
    while i < toks.len() {
        chars.clear();
        let (lo, hi) = if toks[i].kind == Kind::Latin {
            chars.push(' ');
            chars.extend(norm[toks[i].range.clone()].chars());
            chars.push(' ');
            i += 1;
            (cfg.char_min, cfg.char_max)
        } else {
            while i < toks.len() && toks[i].kind == Kind::Cjk {
                chars.extend(norm[toks[i].range.clone()].chars());
                i += 1;
            }
            (cfg.cjk_min, cfg.cjk_max)
        };
        for n in lo.max(1)..=hi {
            for w in chars.windows(n) {
                let mut h = Fnv::new(b'c');
                for &c in w {
                    h.char(c);
                }
                out.push((h.finish(), CHAR));
            }
        }
    }
}

/// The fitted vocabulary: feature hash -> column, with its IDF and group.
#[derive(Clone, Debug)]
pub struct Vectorizer {
    cfg: FeatureConfig,
    vocab: IdMap<u32>,
    idf: Vec<f32>,
    group: Vec<u8>,
}

impl Vectorizer {
    /// Fits the vocabulary and IDF on `texts` (labels are never looked at).
    pub fn fit<'a>(texts: impl IntoIterator<Item = &'a str>, cfg: &FeatureConfig) -> Self {
        let mut df: IdMap<(u32, u8)> = IdMap::default();
        let mut buf = Vec::new();
        let mut n_docs = 0u32;
        for t in texts {
            n_docs += 1;
            buf.clear();
            extract(t, cfg, &mut buf);
            buf.sort_unstable();
            buf.dedup();
            for &(h, g) in &buf {
                df.entry(h).or_insert((0, g)).0 += 1;
            }
        }
        // Columns in hash order, so the same texts always give the same columns.
        let mut kept: Vec<(u64, u32, u8)> = df
            .into_iter()
            .filter(|(_, (d, _))| *d >= cfg.min_df)
            .map(|(h, (d, g))| (h, d, g))
            .collect();
        kept.sort_unstable();
        let mut vocab = IdMap::default();
        let mut idf = Vec::with_capacity(kept.len());
        let mut group = Vec::with_capacity(kept.len());
        for (i, (h, d, g)) in kept.into_iter().enumerate() {
            vocab.insert(h, i as u32);
            idf.push(((1.0 + n_docs as f32) / (1.0 + d as f32)).ln() + 1.0);
            group.push(g);
        }
        Vectorizer {
            cfg: cfg.clone(),
            vocab,
            idf,
            group,
        }
    }

    /// Number of columns.
    pub fn dim(&self) -> usize {
        self.idf.len()
    }

    pub fn config(&self) -> &FeatureConfig {
        &self.cfg
    }

    /// The TF-IDF vector of `text`; n-grams never seen in fitting are ignored.
    pub fn transform(&self, text: &str) -> SparseVec {
        let mut buf = Vec::new();
        extract(text, &self.cfg, &mut buf);
        let mut cols: Vec<u32> = buf
            .iter()
            .filter_map(|(h, _)| self.vocab.get(h).copied())
            .collect();
        cols.sort_unstable();
        let mut v = SparseVec::default();
        let mut sq = [0f32; 2];
        let mut k = 0;
        while k < cols.len() {
            let c = cols[k];
            let mut count = 0;
            while k < cols.len() && cols[k] == c {
                count += 1;
                k += 1;
            }
            let tf = if self.cfg.sublinear_tf {
                1.0 + (count as f32).ln()
            } else {
                count as f32
            };
            let x = tf * self.idf[c as usize];
            sq[self.group[c as usize] as usize] += x * x;
            v.idx.push(c);
            v.val.push(x);
        }
        let scale = [
            inv_norm(sq[WORD as usize]),
            inv_norm(sq[CHAR as usize]) * self.cfg.char_weight,
        ];
        for (c, x) in v.idx.iter().zip(v.val.iter_mut()) {
            *x *= scale[self.group[*c as usize] as usize];
        }
        v
    }
}

fn inv_norm(sq: f32) -> f32 {
    if sq > 0.0 { 1.0 / sq.sqrt() } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n_features(text: &str, cfg: &FeatureConfig) -> usize {
        let mut out = Vec::new();
        extract(text, cfg, &mut out);
        out.len()
    }

    #[test]
    fn counts_word_and_char_ngrams() {
        let cfg = FeatureConfig::default();
        // "ab cd": words 2 + 1 bigram; each padded word " ab " has 3+2+1 n-grams of 2..=4 (none of 5).
        assert_eq!(n_features("ab cd", &cfg), 3 + 2 * 6);
        // "退款了": words 3 + 2 bigrams; the CJK run has 2+1 n-grams of 2..=4 (none of 4).
        assert_eq!(n_features("退款了", &cfg), 5 + 3);
    }

    #[test]
    fn groups_are_unit_length_and_unknown_ngrams_ignored() {
        let cfg = FeatureConfig::default();
        let v = Vectorizer::fit(["where is my refund", "我要退款"], &cfg);
        let x = v.transform("where is my refund");
        let word: f32 = x
            .idx
            .iter()
            .zip(&x.val)
            .filter(|(c, _)| v.group[**c as usize] == WORD)
            .map(|(_, x)| x * x)
            .sum();
        assert!((word - 1.0).abs() < 1e-5, "{word}");
        let w = cfg.char_weight;
        assert!((x.norm() - (1.0 + w * w).sqrt()).abs() < 1e-5);
        assert!(v.transform("zzz qqq").idx.is_empty());
        assert!(!v.transform("退款").idx.is_empty());
    }

    #[test]
    fn fitting_is_deterministic() {
        let cfg = FeatureConfig::default();
        let a = Vectorizer::fit(["b c d", "a b", "退款 refund"], &cfg);
        let b = Vectorizer::fit(["b c d", "a b", "退款 refund"], &cfg);
        assert_eq!(a.transform("a b 退款"), b.transform("a b 退款"));
    }
}
