//! Searching the index: the query is analysed like the articles, each of its words (and the
//! word's synonyms, a little lighter) is looked for in the title (boosted most), the
//! alternative questions, the keywords and the body, and BM25 ranks the articles. Each hit
//! gets a snippet of its body (or of its questions) around the words that matched.

use super::analyzer::analyze;
use super::index::{KbIndex, KbIndexError};
use crate::protocol::{ArticleSummary, Snippet};
use crate::store::Read;
use std::collections::HashMap;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{TantivyDocument, Term};

/// Query words beyond this many are ignored (a query is at most 200 characters anyway).
const MAX_QUERY_TERMS: usize = 32;
/// How much a match counts in each field.
const TITLE_BOOST: f32 = 3.0;
const QUESTIONS_BOOST: f32 = 2.5;
const KEYWORDS_BOOST: f32 = 1.5;
const BODY_BOOST: f32 = 1.0;
/// A synonym's match counts this much of the word's own: low enough that the word itself in
/// the body outranks a synonym in a title.
const SYNONYM_WEIGHT: f32 = 0.3;
const SNIPPET_CHARS: usize = 160;

impl KbIndex {
    /// The best `limit` published articles for `query`, best first, with snippets. Reads the
    /// index's last commit and `rd`'s snapshot of the store (an article unpublished since is
    /// left out); if the store has changes the index has not seen, the follower is nudged.
    pub fn search(
        &self,
        rd: &mut dyn Read,
        query: &str,
        limit: usize,
    ) -> Result<Vec<ArticleSummary>, KbIndexError> {
        if rd.kb_max_rev()? != self.rev() {
            self.nudge();
        }
        let Some(q) = self.query(query) else {
            return Ok(Vec::new());
        };
        let searcher = self.reader.searcher();
        let top = searcher.search(&q, &TopDocs::with_limit(limit.max(1)).order_by_score())?;
        let f = self.fields;
        let mut body_snippets = SnippetGenerator::create(&searcher, &q, f.body)?;
        body_snippets.set_max_num_chars(SNIPPET_CHARS);
        let mut question_snippets = SnippetGenerator::create(&searcher, &q, f.questions)?;
        question_snippets.set_max_num_chars(SNIPPET_CHARS);
        let mut ids = Vec::with_capacity(top.len());
        let mut snippets = HashMap::with_capacity(top.len());
        for (_, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let Some(id) = doc.get_first(f.id).and_then(|v| v.as_u64()) else {
                continue;
            };
            let id = id as i64;
            let mut s = body_snippets.snippet_from_doc(&doc);
            if s.highlighted().is_empty() {
                let q = question_snippets.snippet_from_doc(&doc);
                if !q.highlighted().is_empty() {
                    s = q;
                }
            }
            let snippet = if s.fragment().is_empty() {
                // Nothing matched in the body or questions (a title match): its opening.
                let body = doc.get_first(f.body).and_then(|v| v.as_str()).unwrap_or("");
                Snippet {
                    text: body.chars().take(SNIPPET_CHARS).collect(),
                    highlights: Vec::new(),
                }
            } else {
                Snippet {
                    text: s.fragment().to_string(),
                    highlights: s.highlighted().iter().map(|r| (r.start, r.end)).collect(),
                }
            };
            ids.push(id);
            snippets.insert(id, snippet);
        }
        let mut out = rd.kb_published(&ids)?;
        for a in &mut out {
            a.snippet = snippets.remove(&a.id);
        }
        Ok(out)
    }

    /// The query for `text`, or `None` if it has no words.
    fn query(&self, text: &str) -> Option<BooleanQuery> {
        let mut words = analyze(text);
        let mut seen = std::collections::HashSet::new();
        words.retain(|w| seen.insert(w.clone()));
        words.truncate(MAX_QUERY_TERMS);
        if words.is_empty() {
            return None;
        }
        let f = self.fields;
        let fields = [
            (f.title, TITLE_BOOST),
            (f.questions, QUESTIONS_BOOST),
            (f.keywords, KEYWORDS_BOOST),
            (f.body, BODY_BOOST),
        ];
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(words.len());
        for word in &words {
            let mut alternatives = vec![(std::slice::from_ref(word), 1.0)];
            for syn in self.synonyms.of(word) {
                alternatives.push((syn.as_slice(), SYNONYM_WEIGHT));
            }
            let mut per_word: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for (terms, weight) in alternatives {
                for (field, boost) in fields {
                    let mut parts: Vec<Box<dyn Query>> = terms
                        .iter()
                        .map(|t| {
                            Box::new(TermQuery::new(
                                Term::from_field_text(field, t),
                                IndexRecordOption::WithFreqs,
                            )) as Box<dyn Query>
                        })
                        .collect();
                    // A synonym of several words needs them all.
                    let q: Box<dyn Query> = if parts.len() == 1 {
                        parts.remove(0)
                    } else {
                        Box::new(BooleanQuery::intersection(parts))
                    };
                    per_word.push((Occur::Should, Box::new(BoostQuery::new(q, boost * weight))));
                }
            }
            clauses.push((Occur::Should, Box::new(BooleanQuery::new(per_word))));
        }
        Some(BooleanQuery::new(clauses))
    }
}
