//! Full-text search over every record: the only module that touches tantivy.
//!
//! One schema for all record kinds. Text fields go through the shared jieba segmenter with
//! character folding (full width, case, traditional -> simplified), in index mode (sub-words
//! too, for recall) when indexing and query mode when searching. The index is derived from the
//! store: [`SearchIndex::upsert`] after an import, [`SearchIndex::rebuild`] from scratch.

mod query;

pub use query::{parse_query, ParsedQuery, QueryError};

use crate::extract::normalize::{fold_with_offsets, Origin};
use crate::extract::tokenize::{segment, Mode};
use crate::model::{Date, Record};
use serde::Serialize;
use std::path::Path;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED, STRING,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};
use tantivy::{DateTime, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

const INDEX_TOKENIZER: &str = "jieba_index";
const QUERY_TOKENIZER: &str = "jieba_query";
/// The writer's memory for its threads' in-memory segments: a segment is written when its
/// thread's share fills, so a larger budget writes fewer, larger segments and merges less
/// (1M notices in the search bench: 22.7-24.1 s at 256 MB, 24.7-25.8 s at 100 MB).
const WRITER_MEMORY: usize = 256_000_000;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("tantivy: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("cannot open index at {path}: {message}")]
    Open { path: String, message: String },
    #[error(transparent)]
    Query(#[from] QueryError),
}

pub type Result<T, E = IndexError> = std::result::Result<T, E>;

/// Our tantivy tokenizer: folded characters, jieba segmentation, offsets in the original text.
#[derive(Clone)]
struct JiebaTokenizer {
    mode: Mode,
}

/// A text's tokens as spans of its folded form. The stream fills one [`Token`] per step rather
/// than allocating a string for every token up front.
struct JiebaTokenStream {
    spans: Spans,
    next: usize,
    token: Token,
}

impl TokenStream for JiebaTokenStream {
    fn advance(&mut self) -> bool {
        let Some(&(start, end, position)) = self.spans.spans.get(self.next) else { return false };
        self.next += 1;
        let token = &mut self.token;
        token.offset_from = self.spans.origin.of(start);
        token.offset_to = self.spans.origin.of(end);
        token.position = position;
        token.position_length = 1;
        token.text.clear();
        token.text.push_str(&self.spans.folded[start..end]);
        true
    }
    fn token(&self) -> &Token {
        &self.token
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = JiebaTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> JiebaTokenStream {
        JiebaTokenStream { spans: spans(text, self.mode), next: 0, token: Token::default() }
    }
}

struct Spans {
    folded: String,
    origin: Origin,
    /// (start, end) in `folded` and the word's position, in text order.
    spans: Vec<(usize, usize, usize)>,
}

/// Folds characters and segments, keeping the way back to offsets in `text`.
/// Spans come in text order (by start, then end): jieba's search mode emits a long word's
/// sub-words around it, and tantivy's snippets expect offsets that do not run backwards (a
/// token ending before the current fragment began overflowed its arithmetic). Folding keeps
/// the order of characters, so the folded text's order is the original's.
fn spans(text: &str, mode: Mode) -> Spans {
    let (folded, origin) = fold_with_offsets(text);
    let mut spans: Vec<(usize, usize, usize)> =
        segment(&folded, mode).into_iter().map(|w| (w.byte_start, w.byte_end, w.position)).collect();
    spans.sort_by_key(|&(start, end, _)| (start, end));
    Spans { folded, origin, spans }
}

/// The tokens of `text` as the index sees them (see [`spans`]): the stream's, collected.
fn tokens(text: &str, mode: Mode) -> Vec<Token> {
    let mut stream = JiebaTokenizer { mode }.token_stream(text);
    let mut tokens = Vec::new();
    while stream.advance() {
        tokens.push(stream.token().clone());
    }
    tokens
}

/// Segments and folds a string the way the index does, for building queries.
pub fn query_terms(text: &str) -> Vec<String> {
    tokens(text, Mode::Query).into_iter().map(|t| t.text).collect()
}

/// For each query word: the word itself, or else all of its dictionary sub-words. A document
/// that wrote 污水处理厂 is indexed under 污水处理厂, 污水, 处理, 处理厂 but not 污水处理, so a
/// query for 污水处理 must also accept 污水 + 处理.
pub fn word_alternatives(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for word in query_terms(text) {
        let mut alternatives = vec![word.clone()];
        if word.chars().count() >= 3 {
            let parts: Vec<String> =
                tokens(&word, Mode::Index).into_iter().map(|t| t.text).filter(|t| *t != word).collect();
            let covered: usize =
                parts.iter().filter(|p| p.chars().count() == 2).map(|p| p.chars().count()).sum();
            if !parts.is_empty() && covered + 1 >= word.chars().count() {
                alternatives.push(parts.join("\u{1f}"));
            }
        }
        out.push(alternatives);
    }
    out
}

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    id: Field,
    kind: Field,
    title: Field,
    text: Field,
    buyer: Field,
    winner: Field,
    agency: Field,
    parties: Field,
    region: Field,
    /// The region as written, for facets.
    region_exact: Field,
    published: Field,
    year: Field,
    amount: Field,
}

fn indexed(stored: bool, record: IndexRecordOption) -> TextOptions {
    let indexing = TextFieldIndexing::default().set_tokenizer(INDEX_TOKENIZER).set_index_option(record);
    let options = TextOptions::default().set_indexing_options(indexing);
    if stored {
        options.set_stored()
    } else {
        options
    }
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let indexed_text = |stored: bool| indexed(stored, IndexRecordOption::WithFreqsAndPositions);
    // A field only filters by (a party in one role) needs no positions: no phrase is matched
    // in it.
    let filtered_text = indexed(false, IndexRecordOption::WithFreqs);
    let fields = Fields {
        key: builder.add_text_field("key", STRING | STORED),
        id: builder.add_text_field("id", STRING | STORED),
        kind: builder.add_text_field("kind", STRING | STORED | FAST),
        title: builder.add_text_field("title", indexed_text(true)),
        text: builder.add_text_field("text", indexed_text(true)),
        buyer: builder.add_text_field("buyer", filtered_text.clone()),
        winner: builder.add_text_field("winner", filtered_text.clone()),
        agency: builder.add_text_field("agency", filtered_text.clone()),
        parties: builder.add_text_field("parties", indexed_text(false)),
        region: builder.add_text_field("region", indexed_text(false)),
        region_exact: builder.add_text_field("region_exact", STRING | FAST),
        published: builder.add_date_field("published", INDEXED | STORED | FAST),
        year: builder.add_u64_field("year", INDEXED | FAST),
        amount: builder.add_f64_field("amount", INDEXED | STORED | FAST),
    };
    (builder.build(), fields)
}

/// A handle on the index; clones share it (readers see every commit).
#[derive(Clone)]
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// Serialises this process's writes (a writer exists only while one runs).
    writer: std::sync::Arc<std::sync::Mutex<()>>,
}

/// One search hit, as the contract prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub id: String,
    pub kind: String,
    /// The notice or event kind (award, eia_approval, litigation, ...).
    pub subkind: String,
    pub title: String,
    pub published: Date,
    pub score: f32,
    pub snippet: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    pub total: usize,
    pub hits: Vec<Hit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<Facets>,
}

/// Hit counts by value, largest first.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Facets {
    pub kind: Vec<(String, u64)>,
    pub region: Vec<(String, u64)>,
    pub year: Vec<(String, u64)>,
}

#[derive(Debug, Clone, Default)]
pub struct SearchOptions {
    pub kind: Option<String>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// Amount range in yuan, inclusive.
    pub min_amount: Option<f64>,
    pub max_amount: Option<f64>,
    /// Count hits by kind, region and year.
    pub facets: bool,
    pub limit: usize,
    pub offset: usize,
    /// Record kinds the caller may not see (invoices are consent data): never found, never
    /// counted.
    pub hidden_kinds: Vec<String>,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it when absent.
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir)
            .map_err(|e| IndexError::Open { path: dir.display().to_string(), message: e.to_string() })?;
        let (schema, fields) = schema();
        let directory = tantivy::directory::MmapDirectory::open(dir)
            .map_err(|e| IndexError::Open { path: dir.display().to_string(), message: e.to_string() })?;
        let index = match Index::open_or_create(directory, schema.clone()) {
            Ok(index) => index,
            // An index from an older build: it is derived data, so start it afresh (the caller
            // sees an empty index and rebuilds it from the store).
            Err(tantivy::TantivyError::SchemaError(_)) => {
                tracing::warn!(path = %dir.display(), "search index schema changed; recreating it");
                std::fs::remove_dir_all(dir).and_then(|()| std::fs::create_dir_all(dir)).map_err(|e| {
                    IndexError::Open { path: dir.display().to_string(), message: e.to_string() }
                })?;
                let directory = tantivy::directory::MmapDirectory::open(dir).map_err(|e| {
                    IndexError::Open { path: dir.display().to_string(), message: e.to_string() }
                })?;
                Index::create(directory, schema, tantivy::IndexSettings::default())?
            }
            Err(other) => return Err(other.into()),
        };
        Self::with_index(index, fields)
    }

    pub fn in_memory() -> Result<Self> {
        let (schema, fields) = schema();
        Self::with_index(Index::create_in_ram(schema), fields)
    }

    fn with_index(index: Index, fields: Fields) -> Result<Self> {
        index
            .tokenizers()
            .register(INDEX_TOKENIZER, TextAnalyzer::from(JiebaTokenizer { mode: Mode::Index }));
        index
            .tokenizers()
            .register(QUERY_TOKENIZER, TextAnalyzer::from(JiebaTokenizer { mode: Mode::Query }));
        // Commits by other processes show up on their own; our own reload at once.
        let reader = index.reader_builder().reload_policy(ReloadPolicy::OnCommitWithDelay).try_into()?;
        Ok(SearchIndex { index, reader, fields, writer: Default::default() })
    }

    /// Opens a batch of writes, with a writer that lives only for this batch: another process
    /// (a CLI import beside `serve`) can write between two of ours. A writer another process
    /// holds is waited for, up to a minute. Records added are tokenized on the writer's own
    /// threads while the caller goes on; nothing is visible until [`IndexBatch::commit`], and
    /// a batch dropped uncommitted leaves the index as it was.
    pub fn batch(&self) -> Result<IndexBatch<'_>> {
        let one_at_a_time = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let mut wait = std::time::Duration::from_millis(20);
        let writer: IndexWriter = loop {
            match self.index.writer(WRITER_MEMORY) {
                Ok(writer) => break writer,
                Err(tantivy::TantivyError::LockFailure(
                    tantivy::directory::error::LockError::LockBusy,
                    _,
                )) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(wait);
                    wait = (wait * 2).min(std::time::Duration::from_secs(1));
                }
                Err(error) => return Err(error.into()),
            }
        };
        Ok(IndexBatch { index: self, _one_at_a_time: one_at_a_time, writer, added: 0 })
    }

    /// The store's record sequence number this index reflects (see [`SearchIndex::sync`]);
    /// `None` for an index that never recorded one, or whose terms another tokenization made
    /// (the caller rebuilds it: `Workspace::sync_index`).
    pub fn indexed_seq(&self) -> Result<Option<u64>> {
        Ok(read_position(self.index.load_metas()?.payload.as_deref()))
    }

    /// Adds or replaces records (keyed by kind and id) and commits, keeping the recorded
    /// sequence number.
    pub fn upsert<'a>(&self, records: impl IntoIterator<Item = &'a Record>) -> Result<usize> {
        self.write(records, Replace::Matching, None)
    }

    /// Adds or replaces records and records that the index now reflects the store up to `seq`,
    /// in the same commit.
    pub fn sync<'a>(&self, records: impl IntoIterator<Item = &'a Record>, seq: u64) -> Result<usize> {
        self.write(records, Replace::Matching, Some(seq))
    }

    /// Drops everything and indexes `records` afresh, reflecting the store up to `seq`.
    pub fn rebuild<'a>(&self, records: impl IntoIterator<Item = &'a Record>, seq: u64) -> Result<usize> {
        self.write(records, Replace::All, Some(seq))
    }

    fn write<'a>(
        &self,
        records: impl IntoIterator<Item = &'a Record>,
        replace: Replace,
        seq: Option<u64>,
    ) -> Result<usize> {
        let mut batch = self.batch()?;
        if replace == Replace::All {
            batch.writer.delete_all_documents()?;
        }
        batch.add(records)?;
        batch.commit(seq)
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn search(&self, query_text: &str, options: &SearchOptions) -> Result<SearchResults> {
        let parsed = parse_query(query_text)?;
        let query = self.build_query(&parsed, options);
        let searcher = self.reader.searcher();
        let limit = options.limit.max(1);
        let (top, total) =
            searcher.search(&query, &(TopDocs::with_limit(limit).and_offset(options.offset), Count))?;
        let mut text_snippets = SnippetGenerator::create(&searcher, &*query, self.fields.text)?;
        text_snippets.set_max_num_chars(160);
        let mut title_snippets = SnippetGenerator::create(&searcher, &*query, self.fields.title)?;
        title_snippets.set_max_num_chars(160);
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text = |field: Field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("").to_string();
            let kinds: Vec<String> =
                doc.get_all(self.fields.kind).filter_map(|v| v.as_str().map(str::to_string)).collect();
            let published = doc
                .get_first(self.fields.published)
                .and_then(|v| v.as_datetime())
                .map(date_of)
                .unwrap_or_default();
            let mut snippet = text_snippets.snippet_from_doc(&doc).to_html();
            if snippet.is_empty() || !snippet.contains("<b>") {
                let title_snippet = title_snippets.snippet_from_doc(&doc).to_html();
                if title_snippet.contains("<b>") || snippet.is_empty() {
                    snippet = title_snippet;
                }
            }
            hits.push(Hit {
                id: text(self.fields.id),
                kind: kinds.first().cloned().unwrap_or_default(),
                subkind: kinds.get(1).or(kinds.first()).cloned().unwrap_or_default(),
                title: text(self.fields.title),
                published,
                score,
                snippet,
            });
        }
        let facets = if options.facets { Some(self.facets(&searcher, &*query)?) } else { None };
        Ok(SearchResults { total, hits, facets })
    }

    fn facets(&self, searcher: &tantivy::Searcher, query: &dyn Query) -> Result<Facets> {
        use tantivy::aggregation::agg_req::Aggregations;
        use tantivy::aggregation::agg_result::{AggregationResult, BucketResult};
        use tantivy::aggregation::{AggregationCollector, AggregationLimitsGuard};
        let request: Aggregations = serde_json::from_value(serde_json::json!({
            "kind": {"terms": {"field": "kind", "size": 50}},
            "region": {"terms": {"field": "region_exact", "size": 50}},
            "year": {"terms": {"field": "year", "size": 100}},
        }))
        .map_err(|e| IndexError::Open { path: "facets".into(), message: e.to_string() })?;
        let collector = AggregationCollector::from_aggs(request, AggregationLimitsGuard::default());
        let results = searcher.search(query, &collector)?;
        let buckets = |name: &str| -> Vec<(String, u64)> {
            match results.0.get(name) {
                Some(AggregationResult::BucketResult(BucketResult::Terms { buckets, .. })) => buckets
                    .iter()
                    .map(|b| {
                        let key = match &b.key {
                            tantivy::aggregation::Key::Str(s) => s.clone(),
                            tantivy::aggregation::Key::F64(x) => format!("{x}"),
                            tantivy::aggregation::Key::U64(x) => x.to_string(),
                            tantivy::aggregation::Key::I64(x) => x.to_string(),
                        };
                        (key, b.doc_count)
                    })
                    .collect(),
                _ => Vec::new(),
            }
        };
        Ok(Facets { kind: buckets("kind"), region: buckets("region"), year: buckets("year") })
    }

    fn build_query(&self, parsed: &ParsedQuery, options: &SearchOptions) -> Box<dyn Query> {
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let free_fields = [(f.title, 2.0), (f.text, 1.0), (f.parties, 1.0), (f.region, 0.5)];
        for word in &parsed.words {
            if let Some(q) = query::words_query(&word_alternatives(word), &free_fields) {
                clauses.push((Occur::Must, q));
            }
        }
        for phrase in &parsed.phrases {
            if let Some(q) = query::phrase_query(&tokens(phrase, Mode::Query), &free_fields) {
                clauses.push((Occur::Must, q));
            }
        }
        for word in &parsed.excluded {
            if let Some(q) = query::terms_query(&query_terms(word), &free_fields) {
                clauses.push((Occur::MustNot, q));
            }
        }
        for (field, value) in &parsed.filters {
            let q: Option<Box<dyn Query>> = match field.as_str() {
                "kind" => Some(kind_query(&f, value)),
                "buyer" => query::terms_query(&query_terms(value), &[(f.buyer, 1.0)]),
                "winner" => query::terms_query(&query_terms(value), &[(f.winner, 1.0)]),
                "agency" => query::terms_query(&query_terms(value), &[(f.agency, 1.0)]),
                "region" => query::terms_query(&query_terms(value), &[(f.region, 1.0)]),
                _ => None,
            };
            if let Some(q) = q {
                clauses.push((Occur::Must, q));
            }
        }
        if let Some(kind) = &options.kind {
            clauses.push((Occur::Must, kind_query(&f, kind)));
        }
        for hidden in &options.hidden_kinds {
            clauses.push((
                Occur::MustNot,
                Box::new(tantivy::query::TermQuery::new(
                    Term::from_field_text(f.kind, hidden),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        let amounts = (
            options.min_amount.map(|a| Term::from_field_f64(f.amount, a)),
            options.max_amount.map(|a| Term::from_field_f64(f.amount, a)),
        );
        let dates = (
            options.from.map(|d| Term::from_field_date(f.published, datetime_of(d))),
            options.to.map(|d| Term::from_field_date(f.published, datetime_of(d))),
        );
        for (lower, upper) in [amounts, dates] {
            if lower.is_some() || upper.is_some() {
                let range = tantivy::query::RangeQuery::new(
                    lower.map_or(std::ops::Bound::Unbounded, std::ops::Bound::Included),
                    upper.map_or(std::ops::Bound::Unbounded, std::ops::Bound::Included),
                );
                clauses.push((Occur::Must, Box::new(range)));
            }
        }
        if clauses.iter().all(|(occur, _)| *occur == Occur::MustNot) {
            clauses.push((Occur::Must, Box::new(tantivy::query::AllQuery)));
        }
        Box::new(BooleanQuery::new(clauses))
    }
}

/// Writes to the index not yet committed; see [`SearchIndex::batch`].
pub struct IndexBatch<'a> {
    index: &'a SearchIndex,
    _one_at_a_time: std::sync::MutexGuard<'a, ()>,
    writer: IndexWriter,
    added: usize,
}

impl IndexBatch<'_> {
    /// Adds records, each replacing what the index holds under its kind and id.
    pub fn add<'r>(&mut self, records: impl IntoIterator<Item = &'r Record>) -> Result<()> {
        records.into_iter().try_for_each(|record| self.add_one(record, true))
    }

    /// Adds a record; `replaces` false when the index is known to hold nothing under its kind
    /// and id (a record new to the store), which spares the index a delete to apply.
    pub fn add_one(&mut self, record: &Record, replaces: bool) -> Result<()> {
        let fields = &self.index.fields;
        if replaces {
            self.writer.delete_term(Term::from_field_text(fields.key, &key_of(record)));
        }
        self.writer.add_document(document(fields, record))?;
        self.added += 1;
        Ok(())
    }

    /// Records added since the batch began.
    pub fn added(&self) -> usize {
        self.added
    }

    /// Makes what was added so far visible, recording that the index reflects the store up
    /// to `seq` (or keeping what it recorded before), and keeps the batch open: the writer
    /// and its threads go on, and the merges a commit sets off run while the caller adds
    /// more instead of being waited for. Returns how many records were added since the batch
    /// began or since its last checkpoint.
    pub fn checkpoint(&mut self, seq: Option<u64>) -> Result<usize> {
        let seq = match seq {
            Some(seq) => Some(seq),
            None => self.index.indexed_seq()?,
        };
        let mut commit = self.writer.prepare_commit()?;
        if let Some(seq) = seq {
            commit.set_payload(&position(seq));
        }
        commit.commit()?;
        self.index.reader.reload()?;
        Ok(std::mem::take(&mut self.added))
    }

    /// A [`IndexBatch::checkpoint`] that ends the batch ([`IndexBatch::finish`]); returns how
    /// many records it made visible.
    pub fn commit(mut self, seq: Option<u64>) -> Result<usize> {
        let added = self.checkpoint(seq)?;
        self.finish()?;
        Ok(added)
    }

    /// Ends the batch: records added since the last checkpoint are dropped (as a batch dropped
    /// uncommitted leaves the index as it was), and the merges the checkpoints set off are
    /// waited for.
    pub fn finish(mut self) -> Result<()> {
        if self.added > 0 {
            self.writer.rollback()?;
        }
        self.writer.wait_merging_threads()?;
        self.index.reader.reload()?;
        Ok(())
    }
}

/// A commit's payload: the store position the index reflects and the tokenization its terms
/// were made under ([`crate::extract::tokenize::fingerprint`]), `<seq> <fingerprint>`.
fn position(seq: u64) -> String {
    format!("{seq} {}", crate::extract::tokenize::fingerprint())
}

/// The store position a commit's payload records; none when there is no payload, or when the
/// terms were made under another tokenization (another build's dictionaries or tokenizer,
/// other local words; an older build wrote the position alone): such an index is rebuilt.
fn read_position(payload: Option<&str>) -> Option<u64> {
    let (seq, terms) = payload?.split_once(' ')?;
    if terms != crate::extract::tokenize::fingerprint() {
        return None;
    }
    seq.parse().ok()
}

/// What a write replaces: the documents of the same records, or the whole index.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Replace {
    Matching,
    All,
}

fn key_of(record: &Record) -> String {
    format!("{}:{}", record.kind().as_str(), record.id())
}

/// A day as tantivy's date (nanoseconds since 1970 in an i64 inside, about 1678–2262, so
/// far-off years are clamped first: a query for year 131 must not overflow).
fn datetime_of(date: Date) -> DateTime {
    let bounds = (Date::from_ymd_opt(1700, 1, 1), Date::from_ymd_opt(2200, 12, 31));
    let date = match bounds {
        (Some(low), Some(high)) => date.clamp(low, high),
        _ => date,
    };
    let seconds = date.and_hms_opt(0, 0, 0).map(|d| d.and_utc().timestamp()).unwrap_or(0);
    DateTime::from_timestamp_secs(seconds)
}

fn date_of(datetime: DateTime) -> Date {
    chrono::DateTime::from_timestamp(datetime.into_timestamp_secs(), 0)
        .map(|d| d.date_naive())
        .unwrap_or_default()
}

/// `kind:K`. Notices are indexed under their record kind (`tender`) and their notice kind
/// (`award`, ...), so `tender` as a notice kind means the notices of no other notice kind:
/// `kind:tender` finds tender notices, not awards.
fn kind_query(f: &Fields, kind: &str) -> Box<dyn Query> {
    let term = |k: &str| -> Box<dyn Query> {
        Box::new(tantivy::query::TermQuery::new(Term::from_field_text(f.kind, k), IndexRecordOption::Basic))
    };
    if kind != "tender" {
        return term(kind);
    }
    let mut clauses = vec![(Occur::Must, term("tender"))];
    for other in ["award", "candidate", "correction", "termination"] {
        clauses.push((Occur::MustNot, term(other)));
    }
    Box::new(tantivy::query::BooleanQuery::new(clauses))
}

fn document(f: &Fields, record: &Record) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(f.key, key_of(record));
    doc.add_text(f.id, record.id());
    doc.add_text(f.kind, record.kind().as_str());
    if record.display_kind() != record.kind().as_str() {
        doc.add_text(f.kind, record.display_kind());
    }
    doc.add_text(f.title, record.title());
    if let Some(text) = record.text() {
        doc.add_text(f.text, text);
    }
    for (role, party) in record.parties() {
        let field = match role {
            "buyer" => Some(f.buyer),
            "winner" => Some(f.winner),
            "agency" => Some(f.agency),
            _ => None,
        };
        if let Some(field) = field {
            doc.add_text(field, &party.name);
        }
        doc.add_text(f.parties, &party.name);
    }
    if let Record::RiskEvent(event) = record {
        doc.add_text(f.parties, &event.subject_name);
    }
    if let Some(region) = record.region() {
        doc.add_text(f.region, region);
        doc.add_text(f.region_exact, region);
    }
    doc.add_date(f.published, datetime_of(record.date()));
    doc.add_u64(f.year, chrono::Datelike::year(&record.date()).max(0) as u64);
    if let Some(amount) = record.amount() {
        doc.add_f64(f.amount, amount);
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_position_holds_only_under_the_tokenization_that_made_it() {
        assert_eq!(read_position(Some(&position(42))), Some(42));
        // Older builds recorded the position alone.
        assert_eq!(read_position(Some("42")), None);
        let other = format!("42 {}0", crate::extract::tokenize::fingerprint());
        assert_eq!(read_position(Some(&other)), None);
        assert_eq!(read_position(None), None);
    }

    /// A batch's checkpoints each make what was added visible and keep the writer; its end
    /// drops what came after the last one and lets another batch write.
    #[test]
    fn checkpoints_show_what_came_before_and_the_end_drops_what_came_after() {
        let dir = tempfile::tempdir().expect("temp dir");
        let index = SearchIndex::open(dir.path()).expect("index");
        let as_of: Date = "2026-11-20".parse().expect("date");
        let records = crate::gen::synthetic_notices(25, 3, as_of);
        let mut batch = index.batch().expect("batch");
        batch.add(&records[..10]).expect("add");
        assert_eq!(batch.checkpoint(Some(5)).expect("checkpoint"), 10);
        assert_eq!((index.num_docs(), index.indexed_seq().expect("seq")), (10, Some(5)));
        batch.add(&records[10..20]).expect("add");
        assert_eq!(batch.added(), 10);
        // No position given: the one recorded stays.
        assert_eq!(batch.checkpoint(None).expect("checkpoint"), 10);
        assert_eq!((index.num_docs(), index.indexed_seq().expect("seq")), (20, Some(5)));
        batch.add(&records[20..]).expect("add");
        batch.finish().expect("finish");
        assert_eq!(index.num_docs(), 20);
        // The writer was let go: a new batch writes at once, and an upsert replaces.
        assert_eq!(index.upsert(&records[20..]).expect("upsert"), 5);
        assert_eq!(index.upsert(&records[..5]).expect("upsert"), 5);
        assert_eq!(index.num_docs(), 25);
    }

    /// Regression: snippets of a match-all search panicked (debug) or mis-cut (release) when
    /// sub-words came after the long word that holds them.
    #[test]
    fn token_offsets_never_run_backwards() {
        let text = "中华人民共和国宜昌市污水处理厂提标改造工程中标結果公告，中標金額：壹佰萬元";
        for mode in [Mode::Index, Mode::Query] {
            let tokens = tokens(text, mode);
            assert!(tokens.windows(2).all(|w| w[0].offset_from <= w[1].offset_from), "{mode:?}");
            // The stream hands over the segmenter's words of the folded text, in text order.
            let folded = crate::extract::normalize::fold(text);
            let mut words: Vec<(usize, usize, String)> = segment(&folded, mode)
                .into_iter()
                .map(|w| (w.byte_start, w.byte_end, w.text.to_string()))
                .collect();
            words.sort_by_key(|&(start, end, _)| (start, end));
            let words: Vec<String> = words.into_iter().map(|(_, _, w)| w).collect();
            let listed: Vec<_> =
                tokens.iter().map(|t| (t.offset_from, t.offset_to, t.position, t.text.clone())).collect();
            assert_eq!(listed.iter().map(|t| t.3.clone()).collect::<Vec<_>>(), words, "{mode:?}");
            // Offsets point at the original characters, traditional ones included.
            let folded_words = listed.iter().filter(|(from, to, _, word)| text[*from..*to] != **word).count();
            assert!(folded_words > 0, "{mode:?}");
            assert!(listed
                .iter()
                .all(|(from, to, _, word)| crate::extract::normalize::fold(&text[*from..*to]) == *word));
        }
        let index = SearchIndex::in_memory().unwrap();
        assert!(index.search("", &SearchOptions { limit: 200, ..Default::default() }).is_ok());
        // Regression: a `to` date in year 131 overflowed tantivy's date arithmetic.
        let ancient = SearchOptions { to: Date::from_ymd_opt(131, 8, 28), limit: 5, ..Default::default() };
        assert!(index.search("工程", &ancient).is_ok());
    }
}
