//! History search (S19, `docs/history.md`): the pure parts. `text` turns message bodies and
//! queries into index terms (the knowledge base's analyzer: jieba words, English stems) and
//! cuts the matched line with its highlights; `query` checks a `history.search` request and
//! bounds it; `access` is the one rule of who may read which past conversation. The index
//! itself lives in the store (`store::history`), the indexing chore and the request handlers
//! in the server (`history_chore`, `history_ops`).

pub mod access;
pub mod query;
pub mod text;

/// The index's format: bump it when the analysis of text changes, and the server re-indexes
/// every message at its next start (`meta.history_index`).
pub const INDEX_VERSION: &str = "2";

/// Rowids of the full-text index: a message is `session << SEQ_BITS | seq`, so the index's
/// rowid order is the conversations' order and one conversation is one rowid range.
pub const SEQ_BITS: u32 = 24;

/// The index rowid of message `seq` of `session`; `None` when it does not fit (a conversation
/// of more than 16 million messages, or an id out of range: never indexed).
pub fn rowid(session: i64, seq: i64) -> Option<i64> {
    if !(0..1 << SEQ_BITS).contains(&seq) || !(0..1 << (63 - SEQ_BITS)).contains(&session) {
        return None;
    }
    Some(session << SEQ_BITS | seq)
}

/// The conversation and seq of an index rowid.
pub fn split_rowid(rowid: i64) -> (i64, i64) {
    (rowid >> SEQ_BITS, rowid & ((1 << SEQ_BITS) - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rowids_order_by_session_then_seq() {
        let a = rowid(7, 3).unwrap();
        assert_eq!(split_rowid(a), (7, 3));
        assert!(rowid(7, 1 << SEQ_BITS).is_none());
        assert!(rowid(-1, 1).is_none());
        assert!(rowid(8, 0).unwrap() > rowid(7, (1 << SEQ_BITS) - 1).unwrap());
    }
}
