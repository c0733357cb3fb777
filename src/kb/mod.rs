//! The knowledge base's full-text search and its import/export: `analyzer` (Chinese word
//! segmentation with jieba next to English lowercasing and stemming), `synonyms` (the `[kb]`
//! config), `index` (a tantivy index in the data dir's `kb-index/`, following the store),
//! `search` (queries, BM25 ranking, snippets), `import` and `export` (`kefu admin kb`).
//!
//! The store is the truth: the index keeps the store's change number (`rev`) of the last
//! article it applied, catches up in its own thread, and is rebuilt from the store when it is
//! missing or was built by another schema version.

pub(crate) mod analyzer;
pub mod checkins;
pub mod export;
pub mod import;
mod index;
pub mod proposal;
mod search;
mod synonyms;

pub use analyzer::analyze;
pub use index::{KbIndex, KbIndexError};
pub use synonyms::{KbConfig, Synonyms};
