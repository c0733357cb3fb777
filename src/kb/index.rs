//! The full-text index of published articles, in the data dir's `kb-index/` (tantivy). It
//! follows the store: each commit carries, as its payload, the store change number (`rev`)
//! of the last article applied, and catching up applies every article changed since, in
//! order. Missing, unreadable or built by another schema version: it is rebuilt from the
//! store. Writes happen only while catching up (on the follower thread, or the caller's), so
//! the index's lock is not held in between; searches read the last commit.

use super::analyzer::{TOKENIZER, analyzer};
use super::synonyms::Synonyms;
use crate::protocol::{Article, ArticleStatus};
use crate::store::{Read, Reader, StoreError};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;
use tantivy::schema::{
    Field, INDEXED, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term, doc};

/// Bumped whenever the fields or the analyzer change: an index of another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 1;
/// Articles read from the store per page while catching up; a commit follows each
/// `COMMIT_EVERY` of them, so a long rebuild becomes searchable as it goes.
const PAGE: u32 = 2_000;
const COMMIT_EVERY: usize = 20_000;
/// The indexing memory budget (tantivy's minimum per thread is 15 MB).
const WRITER_BYTES: usize = 64_000_000;

#[derive(Debug, thiserror::Error)]
pub enum KbIndexError {
    #[error("knowledge-base index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("knowledge-base index {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What each commit records.
#[derive(Serialize, Deserialize)]
struct Payload {
    schema: u32,
    rev: i64,
}

#[derive(Clone, Copy)]
pub(super) struct Fields {
    pub id: Field,
    pub title: Field,
    pub questions: Field,
    /// Keywords, tags and category.
    pub keywords: Field,
    pub body: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let fields = Fields {
        id: b.add_u64_field("id", INDEXED | STORED),
        title: b.add_text_field("title", text.clone()),
        questions: b.add_text_field("questions", text.clone()),
        keywords: b.add_text_field("keywords", text.clone()),
        body: b.add_text_field("body", text),
    };
    (b.build(), fields)
}

pub struct KbIndex {
    pub(super) index: Index,
    pub(super) reader: IndexReader,
    pub(super) fields: Fields,
    pub(super) synonyms: Synonyms,
    /// The store change number the last commit reached.
    rev: AtomicI64,
    /// Set once a catch-up reached the store's head: until then (a rebuild at start-up) the
    /// index may miss most articles, and the server answers from the store instead.
    ready: AtomicBool,
    /// One catch-up at a time.
    catching_up: Mutex<()>,
    dir: PathBuf,
    follower: Mutex<Option<(SyncSender<()>, JoinHandle<()>)>>,
}

impl KbIndex {
    /// Opens the index in `dir`, creating it (empty, at rev 0) if it is missing, unreadable or
    /// of another schema version. Call [`KbIndex::catch_up`] or [`KbIndex::follow`] to fill it.
    pub fn open(dir: &Path, synonyms: Synonyms) -> Result<Arc<KbIndex>, KbIndexError> {
        let io = |source| KbIndexError::Io {
            path: dir.to_path_buf(),
            source,
        };
        let (schema, fields) = schema();
        let existing = if dir.join("meta.json").exists() {
            Index::open_in_dir(dir).ok().and_then(|index| {
                let payload = index.load_metas().ok()?.payload?;
                let p: Payload = serde_json::from_str(&payload).ok()?;
                (p.schema == SCHEMA_VERSION && index.schema() == schema).then_some((index, p.rev))
            })
        } else {
            None
        };
        let (index, rev) = match existing {
            Some(found) => found,
            None => {
                if dir.exists() {
                    tracing::info!(dir = %dir.display(), "rebuilding the knowledge-base index");
                    std::fs::remove_dir_all(dir).map_err(io)?;
                }
                std::fs::create_dir_all(dir).map_err(io)?;
                (Index::create_in_dir(dir, schema)?, 0)
            }
        };
        index.tokenizers().register(TOKENIZER, analyzer());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Arc::new(KbIndex {
            index,
            reader,
            fields,
            synonyms,
            rev: AtomicI64::new(rev),
            ready: AtomicBool::new(false),
            catching_up: Mutex::new(()),
            dir: dir.to_path_buf(),
            follower: Mutex::new(None),
        }))
    }

    /// The store change number the searchable index reflects.
    pub fn rev(&self) -> i64 {
        self.rev.load(Ordering::Acquire)
    }

    /// Whether the index has caught up with the store at least once since it was opened.
    pub fn ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Searchable documents (published articles).
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Applies every article changed in the store since the last commit; returns how many.
    /// A store older than the index (restored from a backup, replaced) empties it first.
    pub fn catch_up(&self, rd: &mut dyn Read) -> Result<usize, KbIndexError> {
        let _one = self.catching_up.lock().unwrap_or_else(|e| e.into_inner());
        let head = rd.kb_max_rev()?;
        let mut rev = self.rev();
        if head == rev {
            self.ready.store(true, Ordering::Release);
            return Ok(0);
        }
        let mut writer: IndexWriter<TantivyDocument> =
            self.index.writer_with_num_threads(1, WRITER_BYTES)?;
        if head < rev {
            writer.delete_all_documents()?;
            rev = 0;
        }
        let (mut applied, mut since_commit) = (0, 0);
        loop {
            let page = rd.kb_changed_since(rev, PAGE)?;
            let Some((_, last)) = page.last() else { break };
            let last = *last;
            for (article, _) in &page {
                self.apply(&writer, article)?;
            }
            applied += page.len();
            since_commit += page.len();
            rev = last;
            if since_commit >= COMMIT_EVERY {
                self.commit(&mut writer, rev)?;
                since_commit = 0;
            }
        }
        self.commit(&mut writer, rev)?;
        writer.wait_merging_threads()?;
        self.ready.store(true, Ordering::Release);
        Ok(applied)
    }

    fn apply(&self, w: &IndexWriter<TantivyDocument>, a: &Article) -> Result<(), KbIndexError> {
        let f = self.fields;
        w.delete_term(Term::from_field_u64(f.id, a.id as u64));
        if a.status == ArticleStatus::Published {
            let mut keywords = a.keywords.join(" ");
            for extra in a.tags.iter().chain(std::iter::once(&a.category)) {
                keywords.push(' ');
                keywords.push_str(extra);
            }
            w.add_document(doc!(
                f.id => a.id as u64,
                f.title => a.title.as_str(),
                f.questions => a.questions.join("\n"),
                f.keywords => keywords,
                f.body => a.body.as_str(),
            ))?;
        }
        Ok(())
    }

    fn commit(&self, w: &mut IndexWriter<TantivyDocument>, rev: i64) -> Result<(), KbIndexError> {
        let payload = serde_json::to_string(&Payload {
            schema: SCHEMA_VERSION,
            rev,
        })
        .unwrap_or_default();
        let mut prepared = w.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        self.reader.reload()?;
        self.rev.store(rev, Ordering::Release);
        Ok(())
    }

    /// Keeps the index caught up on a thread of its own, with its own read connection: at
    /// once, then whenever [`KbIndex::nudge`]d, and every `poll` anyway (which also catches
    /// `kefu admin kb import` run while the server serves). Stops when the index is dropped
    /// or [`KbIndex::stop`]ped.
    pub fn follow(self: &Arc<Self>, mut reader: Box<dyn Reader>, poll: Duration) {
        let (wake, woken) = mpsc::sync_channel::<()>(1);
        let me = Arc::downgrade(self);
        let thread = std::thread::Builder::new()
            .name("kefu-kb-index".into())
            .spawn(move || {
                loop {
                    let Some(index) = me.upgrade() else { return };
                    let mut result = Ok(0);
                    let snap = reader.snapshot(&mut |rd| {
                        result = index.catch_up(rd);
                        Ok(())
                    });
                    match (snap, result) {
                        (Ok(()), Ok(n)) if n > 0 => {
                            tracing::debug!(articles = n, rev = index.rev(), "kb index caught up")
                        }
                        (Ok(()), Ok(_)) => {}
                        (Err(e), _) => {
                            tracing::warn!(error = %e, "kb index: cannot read the store")
                        }
                        (_, Err(e)) => tracing::warn!(error = %e, "kb index: catching up failed"),
                    }
                    drop(index);
                    match woken.recv_timeout(poll) {
                        Ok(()) | Err(RecvTimeoutError::Timeout) => {}
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
            });
        match thread {
            Ok(t) => {
                if let Ok(mut f) = self.follower.lock() {
                    *f = Some((wake, t));
                }
            }
            Err(e) => tracing::warn!(error = %e, "kb index: cannot start its thread"),
        }
    }

    /// Asks the follower to catch up now (a no-op if it is already about to).
    pub fn nudge(&self) {
        if let Ok(f) = self.follower.lock()
            && let Some((wake, _)) = f.as_ref()
        {
            let _ = wake.try_send(());
        }
    }

    /// Stops the follower and waits for it (so the index can be opened again at once).
    pub fn stop(&self) {
        let follower = self.follower.lock().ok().and_then(|mut f| f.take());
        if let Some((wake, thread)) = follower {
            drop(wake);
            let _ = thread.join();
        }
    }
}

impl Drop for KbIndex {
    fn drop(&mut self) {
        // The follower holds only a weak reference, so this runs; its thread ends at its next
        // wake-up, which dropping the sender causes at once.
        if let Ok(mut f) = self.follower.lock()
            && let Some((wake, thread)) = f.take()
        {
            drop(wake);
            if thread.thread().id() != std::thread::current().id() {
                let _ = thread.join();
            }
        }
    }
}
