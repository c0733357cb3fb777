//! Synonyms for knowledge-base search: groups of words that mean the same to a customer
//! (退货/退款, shipping/delivery). A query word also finds its group's other words, at a
//! slightly lower weight. Applied when searching, not when indexing, so changing them needs
//! no rebuild.

use super::analyzer::analyze;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::PathBuf;

/// A small default list, in both languages; `[kb] builtin_synonyms = false` turns it off.
const BUILTIN: &[&[&str]] = &[
    &["退货", "退款", "退钱"],
    &["快递", "物流", "配送"],
    &["发货", "寄出"],
    &["发票", "开票"],
    &["密码", "口令"],
    &["优惠券", "券", "折扣"],
    &["refund", "return", "money back"],
    &["shipping", "delivery", "shipment"],
    &["invoice", "receipt", "bill"],
    &["password", "passcode"],
    &["cancel", "cancellation"],
    &["coupon", "voucher", "discount"],
];

/// `[kb]` in the server config.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct KbConfig {
    /// Extra synonym groups, e.g. `[["会员", "VIP"], ["cost", "price"]]`.
    pub synonyms: Vec<Vec<String>>,
    /// A file of more groups: one group a line, words separated by commas; `#` starts a
    /// comment.
    pub synonyms_file: Option<PathBuf>,
    /// Whether the built-in zh + en list is used (default true).
    pub builtin_synonyms: bool,
}

impl Default for KbConfig {
    fn default() -> Self {
        KbConfig {
            synonyms: Vec::new(),
            synonyms_file: None,
            builtin_synonyms: true,
        }
    }
}

impl KbConfig {
    /// Every configured group: built-in, then `synonyms`, then the file's. A file that cannot
    /// be read is an error (a typo in its path should not silently disable synonyms).
    pub fn synonyms(&self) -> Result<Synonyms, String> {
        let mut groups: Vec<Vec<String>> = Vec::new();
        if self.builtin_synonyms {
            groups.extend(
                BUILTIN
                    .iter()
                    .map(|g| g.iter().map(|w| w.to_string()).collect()),
            );
        }
        groups.extend(self.synonyms.iter().cloned());
        if let Some(path) = &self.synonyms_file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("kb.synonyms_file {}: {e}", path.display()))?;
            groups.extend(parse_groups(&text));
        }
        Ok(Synonyms::new(&groups))
    }
}

/// One group a line, words separated by ASCII or full-width commas; blank lines and `#`
/// comments skipped.
pub fn parse_groups(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .map(|l| {
            l.split([',', '，'])
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|g| g.len() > 1)
        .collect()
}

/// Analysed synonym groups: for each analysed word, the other words of its groups, each as
/// the list of analysed tokens it is made of.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    map: HashMap<String, Vec<Vec<String>>>,
}

impl Synonyms {
    pub fn new(groups: &[Vec<String>]) -> Synonyms {
        let mut map: HashMap<String, Vec<Vec<String>>> = HashMap::new();
        for group in groups {
            let analysed: Vec<Vec<String>> = group
                .iter()
                .map(|w| analyze(w))
                .filter(|t| !t.is_empty())
                .collect();
            // Only single-token words are keys: a query is matched word by word.
            for (i, key) in analysed.iter().enumerate() {
                let [key] = key.as_slice() else { continue };
                let alts = map.entry(key.clone()).or_default();
                for (j, other) in analysed.iter().enumerate() {
                    if i != j && !alts.contains(other) && other.as_slice() != [key.clone()] {
                        alts.push(other.clone());
                    }
                }
            }
        }
        Synonyms { map }
    }

    /// The alternatives of an analysed query token (empty if it has none).
    pub fn of(&self, token: &str) -> &[Vec<String>] {
        self.map.get(token).map(Vec::as_slice).unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_symmetric_and_analysed() {
        let s = Synonyms::new(&parse_groups(
            "退货, 退款 # returns\nShipping，Delivery\n\nlonely\n",
        ));
        assert_eq!(s.of("退货"), [vec!["退款".to_string()]]);
        assert_eq!(s.of("退款"), [vec!["退货".to_string()]]);
        // Lowercased and stemmed like the index.
        assert_eq!(s.of("ship"), [vec!["deliveri".to_string()]]);
        assert!(s.of("lonely").is_empty());
    }

    #[test]
    fn a_missing_synonyms_file_is_an_error() {
        let c = KbConfig {
            synonyms_file: Some("/nonexistent/kefu-synonyms.txt".into()),
            ..KbConfig::default()
        };
        assert!(c.synonyms().unwrap_err().contains("kefu-synonyms.txt"));
        assert!(
            !KbConfig::default()
                .synonyms()
                .unwrap()
                .of("refund")
                .is_empty()
        );
    }
}
