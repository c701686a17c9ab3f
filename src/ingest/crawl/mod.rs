//! The crawl engine: list pages -> detail links -> pages -> import rows, politely and
//! incrementally.
//!
//! A run walks a crawler's list pages, then fetches each detail page (conditionally when it
//! was fetched before), archives changed pages by content hash, and hands them to a
//! [`CrawlSink`] that stores them through the same import path as files. An item counts as
//! seen only once its record is stored: a page whose row was rejected is fetched in full again
//! next time. A failed item is recorded with its reason and never stops the run.
//!
//! Boundary: knows the store only through [`CrawlSink`]; never touches the index or graph.

pub(crate) mod config;
pub(crate) mod fetch;
pub mod page;

pub use config::{load_dir, Assertions, CrawlerDef, Encoding, Schedule};

use self::config::{Method, Paging};
use self::fetch::{FetchFailure, Fetched, Fetcher, RequestSpec, Validators};
use self::page::{ListItem, PageContext};
use crate::model::{CrawlFailure, CrawlRun, Date, PageState, RunStatus};
use futures_util::StreamExt;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum CrawlError {
    #[error("crawler {path}: {message}")]
    Definition { path: String, message: String },
    #[error(transparent)]
    Client(#[from] fetch::ClientError),
    #[error("store: {0}")]
    Sink(String),
    #[error("crawler {0} is already running")]
    Busy(String),
}

/// A detail page fetched and changed since it was last stored.
#[derive(Debug, Clone)]
pub struct CrawledPage {
    pub state: PageState,
    pub bytes: Vec<u8>,
    /// The import row, or why the page could not become one.
    pub row: Result<BTreeMap<String, String>, String>,
}

/// What storing one page did.
#[derive(Debug, Clone, PartialEq)]
pub enum StoredOutcome {
    New,
    Changed,
    Unchanged,
    Rejected(String),
}

/// What the engine needs from a data dir. The calls block; the engine runs them off the async
/// runtime.
pub trait CrawlSink: Send + Sync + 'static {
    fn begin_run(&self, crawler: &str, run: &CrawlRun) -> Result<i64, String>;
    fn last_run(&self, crawler: &str) -> Result<Option<CrawlRun>, String>;
    fn page_state(&self, url: &str) -> Result<Option<PageState>, String>;
    fn failures(&self, crawler: &str) -> Result<Vec<CrawlFailure>, String>;
    /// Archives the pages, imports their rows as `kind` records and records their state.
    fn store_pages(&self, def: &CrawlerDef, pages: Vec<CrawledPage>) -> Result<Vec<StoredOutcome>, String>;
    /// Records new validators of a page whose content did not change.
    fn refresh_page(&self, state: &PageState) -> Result<(), String>;
    fn finish_run(
        &self,
        id: i64,
        crawler: &str,
        run: &CrawlRun,
        failures: &[CrawlFailure],
    ) -> Result<(), String>;
    /// When each host (`scheme://host:port`) was last sent a request, in Unix milliseconds.
    fn host_times(&self) -> Result<Vec<(String, i64)>, String>;
    fn save_host_times(&self, times: &[(String, i64)]) -> Result<(), String>;
}

/// Progress reports for a terminal or a log. Every method has a no-op default.
pub trait Progress: Send + Sync {
    fn list_page(&self, _url: &str, _items: usize) {}
    fn items_found(&self, _count: usize) {}
    fn item_done(&self, _url: &str, _outcome: &str) {}
}

pub struct Silent;
impl Progress for Silent {}

#[derive(Clone)]
pub struct RunOptions {
    /// Fetch only the items that failed last time.
    pub retry_failed: bool,
    pub progress: Arc<dyn Progress>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { retry_failed: false, progress: Arc::new(Silent) }
    }
}

/// Pages handed to the sink at once (one import transaction and one index commit), or fewer
/// when the oldest has waited `BATCH_WAIT` (a slow, rate-limited crawl stores as it goes).
const BATCH: usize = 256;
const BATCH_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

fn now_text() -> String {
    chrono::Local::now().format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

async fn blocking<T, F>(sink: &Arc<dyn CrawlSink>, f: F) -> Result<T, CrawlError>
where
    T: Send + 'static,
    F: FnOnce(&dyn CrawlSink) -> Result<T, String> + Send + 'static,
{
    let sink = sink.clone();
    tokio::task::spawn_blocking(move || f(sink.as_ref()))
        .await
        .map_err(|e| CrawlError::Sink(format!("worker failed: {e}")))?
        .map_err(CrawlError::Sink)
}

/// Runs one crawler once and returns the run as recorded.
pub async fn run(
    def: &CrawlerDef,
    sink: Arc<dyn CrawlSink>,
    options: &RunOptions,
) -> Result<CrawlRun, CrawlError> {
    let mut run = CrawlRun {
        started: now_text(),
        finished: None,
        status: RunStatus::Running,
        reason: None,
        retry_failed: options.retry_failed,
        list_pages: 0,
        items: 0,
        fetched: 0,
        new: 0,
        changed: 0,
        unchanged: 0,
        failed: 0,
        requests: 0,
    };
    let name = def.name.clone();
    let previous = blocking(&sink, {
        let name = name.clone();
        move |s| s.last_run(&name)
    })
    .await?;
    let earlier_failures = blocking(&sink, {
        let name = name.clone();
        move |s| s.failures(&name)
    })
    .await?;
    let run_id = blocking(&sink, {
        let (name, run) = (name.clone(), run.clone());
        move |s| s.begin_run(&name, &run)
    })
    .await?;
    let mut failures: Vec<CrawlFailure> = Vec::new();
    let mut problems: Vec<String> = Vec::new();
    let kept_failures = earlier_failures.clone();
    // Everything between the run's start and its end: an error ends the run as failed, with
    // the error as its reason, rather than leaving it running until the next run calls it
    // interrupted.
    let worked: Result<(), CrawlError> = async {
        let earlier = blocking(&sink, |s| s.host_times()).await?;
        let earlier = earlier.into_iter().map(|(host, ms)| {
            (host, std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms.max(0) as u64))
        });
        let fetcher = Fetcher::new(&def.fetch, def.rate_per_minute)?.with_last_requests(earlier);

        let items = if options.retry_failed {
            if def.fetch_detail {
                earlier_failures
                    .iter()
                    .map(|f| ListItem {
                        url: f.url.clone(),
                        title: None,
                        date: None,
                        fields: BTreeMap::new(),
                    })
                    .collect()
            } else {
                // Items that are their own records can only be read again off the lists.
                let failed: HashSet<&str> = earlier_failures.iter().map(|f| f.url.as_str()).collect();
                let listing = walk_lists(def, &fetcher, &sink, None, options).await?;
                run.list_pages = listing.pages;
                listing.items.into_iter().filter(|i| failed.contains(i.url.as_str())).collect()
            }
        } else {
            let cutoff = previous
                .filter(|p| p.status == RunStatus::Ok && def.stop_at_seen)
                .and_then(|p| chrono::DateTime::parse_from_rfc3339(&p.started).ok())
                .map(|started| started.date_naive() - chrono::Duration::days(def.overlap_days));
            let listing = walk_lists(def, &fetcher, &sink, cutoff, options).await?;
            run.list_pages = listing.pages;
            failures.extend(listing.failures);
            if listing.pages == 0 {
                problems.push("no list page could be fetched".into());
            }
            if listing.links_found < def.assertions.min_items {
                problems.push(format!(
                    "found {} detail links, fewer than min_items = {} (has the site changed its layout?)",
                    listing.links_found, def.assertions.min_items
                ));
            }
            listing.items
        };
        run.items = items.len();
        options.progress.items_found(items.len());

        let attempted: HashSet<String> = items.iter().map(|i| i.url.clone()).collect();
        let mut pending: Vec<(CrawledPage, String)> = Vec::new();
        let mut oldest_pending = std::time::Instant::now();
        let mut results = futures_util::stream::iter(items)
            .map(|item| fetch_item(def, &fetcher, &sink, item))
            .buffer_unordered(def.fetch.concurrency);
        while let Some(result) = results.next().await {
            match result? {
                ItemResult::Unchanged { url, refreshed } => {
                    run.unchanged += 1;
                    if let Some(state) = refreshed {
                        blocking(&sink, move |s| s.refresh_page(&state)).await?;
                    }
                    options.progress.item_done(&url, "unchanged");
                }
                ItemResult::Fetched(page) => {
                    run.fetched += 1;
                    let url = page.state.url.clone();
                    if pending.is_empty() {
                        oldest_pending = std::time::Instant::now();
                    }
                    pending.push((*page, url));
                }
                ItemResult::Failed(failure) => {
                    options.progress.item_done(&failure.url, "failed");
                    failures.push(failure);
                }
            }
            if pending.len() >= BATCH || (!pending.is_empty() && oldest_pending.elapsed() >= BATCH_WAIT) {
                store_batch(def, &sink, std::mem::take(&mut pending), &mut run, &mut failures, options)
                    .await?;
            }
        }
        drop(results);
        if !pending.is_empty() {
            store_batch(def, &sink, pending, &mut run, &mut failures, options).await?;
        }

        // Earlier failures this run did not try again stay listed.
        let failed_now: HashSet<String> = failures.iter().map(|f| f.url.clone()).collect();
        run.failed = failures.iter().filter(|f| attempted.contains(&f.url)).count();
        failures.extend(
            earlier_failures
                .into_iter()
                .filter(|f| !attempted.contains(&f.url) && !failed_now.contains(&f.url)),
        );
        if let Some(share) = def.assertions.max_failed_share {
            let tried = run.fetched + run.unchanged + run.failed;
            if tried > 0 && run.failed as f64 / tried as f64 > share {
                problems.push(format!(
                    "{} of {tried} items failed, more than max_failed_share = {share}",
                    run.failed
                ));
            }
        }
        run.requests = fetcher.requests();
        let times: Vec<(String, i64)> = fetcher
            .last_requests()
            .into_iter()
            .filter_map(|(host, at)| {
                Some((host, at.duration_since(std::time::UNIX_EPOCH).ok()?.as_millis() as i64))
            })
            .collect();
        blocking(&sink, move |s| s.save_host_times(&times)).await?;
        Ok(())
    }
    .await;
    if let Err(error) = worked {
        run.finished = Some(now_text());
        run.status = RunStatus::Failed;
        run.reason = Some(error.to_string());
        // The failures listed before stay listed, with what this run added.
        let now: HashSet<String> = failures.iter().map(|f| f.url.clone()).collect();
        let mut listed = failures;
        listed.extend(kept_failures.into_iter().filter(|f| !now.contains(&f.url)));
        // Best effort: the error is what the caller is told either way.
        let finished = blocking(&sink, {
            let (name, run) = (name.clone(), run.clone());
            move |s| s.finish_run(run_id, &name, &run, &listed)
        })
        .await;
        if let Err(also) = finished {
            tracing::warn!(crawler = %name, error = %also, "could not record the failed run");
        }
        return Err(error);
    }
    run.finished = Some(now_text());
    run.status = if problems.is_empty() { RunStatus::Ok } else { RunStatus::Failed };
    run.reason = (!problems.is_empty()).then(|| problems.join("; "));
    blocking(&sink, {
        let (name, run) = (name.clone(), run.clone());
        move |s| s.finish_run(run_id, &name, &run, &failures)
    })
    .await?;
    Ok(run)
}

struct Listing {
    pages: usize,
    /// Links on the list pages walked, before the cut-off: what `min_items` is checked on.
    links_found: usize,
    items: Vec<ListItem>,
    failures: Vec<CrawlFailure>,
}

/// `{page}`, `{today}` and `{today-N}` (a date N days ago) filled in.
fn fill(text: &str, number: usize) -> String {
    let today = chrono::Local::now().date_naive();
    let mut out = text.replace("{page}", &number.to_string()).replace("{today}", &today.to_string());
    while let Some(start) = out.find("{today-") {
        let Some(len) = out[start..].find('}') else { break };
        let days: i64 = out[start + 7..start + len].parse().unwrap_or(0);
        out.replace_range(start..=start + len, &(today - chrono::Duration::days(days)).to_string());
    }
    out
}

/// A list request for `url` with the crawler's method and form, `{page}` being `number`.
fn list_request(def: &CrawlerDef, url: &str, number: usize) -> ListRequest {
    let form = def.form.iter().map(|(k, v)| (k.clone(), fill(v, number))).collect();
    ListRequest { url: fill(url, number), spec: RequestSpec { method: def.method, form }, number: None }
}

fn first_numbered(def: &CrawlerDef) -> ListRequest {
    match &def.paging {
        Paging::Numbered { template, first_page } => {
            ListRequest { number: Some(*first_page), ..list_request(def, template, *first_page) }
        }
        _ => unreachable!("only numbered paging has numbered pages"),
    }
}

struct ListRequest {
    url: String,
    spec: RequestSpec,
    /// The page number, for numbered pages.
    number: Option<usize>,
}

async fn walk_lists(
    def: &CrawlerDef,
    fetcher: &Fetcher,
    sink: &Arc<dyn CrawlSink>,
    cutoff: Option<Date>,
    options: &RunOptions,
) -> Result<Listing, CrawlError> {
    let mut listing = Listing { pages: 0, links_found: 0, items: Vec::new(), failures: Vec::new() };
    let mut seen_urls = HashSet::new();
    let mut visited = HashSet::new();
    let mut queue: std::collections::VecDeque<ListRequest> =
        def.start.iter().map(|url| list_request(def, url, 1)).collect();
    let mut limit = def.max_pages * def.start.len();
    // Numbered pages continue the start pages: they begin once a start page ran on without
    // reaching what was seen before (or at once when there are no start URLs).
    let mut numbered_begun = false;
    if let Paging::Numbered { .. } = &def.paging {
        limit += def.max_pages;
        if def.start.is_empty() {
            numbered_begun = true;
            queue.push_back(first_numbered(def));
        }
    }
    let mut requested = 0;
    while let Some(request) = queue.pop_front() {
        if requested >= limit || !visited.insert((request.url.clone(), format!("{:?}", request.spec.form))) {
            continue;
        }
        requested += 1;
        let url = request.url.clone();
        let page = match fetcher.fetch(&url, &request.spec, None).await {
            Ok(Fetched::Page(page)) => page,
            Ok(Fetched::NotModified) => continue,
            Err(FetchFailure { reason, attempts }) => {
                listing.failures.push(CrawlFailure {
                    url,
                    reason: format!("list page: {reason}"),
                    attempts,
                    at: Some(now_text()),
                });
                continue;
            }
        };
        listing.pages += 1;
        let body = crate::extract::encoding::decode_page(&page.bytes, page.charset.as_deref(), forced(def));
        let parsed = match page::parse_list(def, &page.url, &body) {
            Ok(parsed) => parsed,
            Err(reason) => {
                listing.failures.push(CrawlFailure {
                    url,
                    reason,
                    attempts: page.attempts,
                    at: Some(now_text()),
                });
                continue;
            }
        };
        options.progress.list_page(&url, parsed.items.len());
        let found = parsed.items.len();
        listing.links_found += found;
        let mut fresh = 0;
        let mut stored_before = 0;
        for item in parsed.items {
            if cutoff.is_some_and(|c| item.date.is_some_and(|d| d < c)) {
                continue;
            }
            if def.stop_at_seen {
                let url = item.url.clone();
                let known = blocking(sink, move |s| s.page_state(&url)).await?;
                if known.is_some_and(|k| k.record_id.is_some()) {
                    stored_before += 1;
                }
            }
            fresh += 1;
            if seen_urls.insert(item.url.clone()) {
                listing.items.push(item);
            }
        }
        // Stop paging where the list runs into what earlier runs covered, or runs dry.
        if found == 0 || fresh == 0 || (def.stop_at_seen && stored_before == fresh) {
            continue;
        }
        match (&def.paging, request.number) {
            (Paging::Next(_), _) => {
                if let Some(next) = parsed.next {
                    queue.push_front(ListRequest {
                        url: next,
                        spec: RequestSpec { method: Method::Get, form: BTreeMap::new() },
                        number: None,
                    });
                }
            }
            (Paging::Numbered { template, first_page }, Some(number))
                if number + 1 < first_page + def.max_pages =>
            {
                queue.push_back(ListRequest {
                    number: Some(number + 1),
                    ..list_request(def, template, number + 1)
                });
            }
            (Paging::Numbered { .. }, None) if !numbered_begun => {
                numbered_begun = true;
                queue.push_back(first_numbered(def));
            }
            _ => {}
        }
    }
    Ok(listing)
}

fn forced(def: &CrawlerDef) -> Option<&'static encoding_rs::Encoding> {
    match def.encoding {
        config::Encoding::Auto => None,
        config::Encoding::Utf8 => Some(encoding_rs::UTF_8),
        config::Encoding::Gbk | config::Encoding::Gb18030 => Some(encoding_rs::GB18030),
    }
}

enum ItemResult {
    Unchanged { url: String, refreshed: Option<PageState> },
    Fetched(Box<CrawledPage>),
    Failed(CrawlFailure),
}

async fn fetch_item(
    def: &CrawlerDef,
    fetcher: &Fetcher,
    sink: &Arc<dyn CrawlSink>,
    item: ListItem,
) -> Result<ItemResult, CrawlError> {
    if !def.fetch_detail {
        return list_item_result(def, sink, item).await;
    }
    let known = blocking(sink, {
        let url = item.url.clone();
        move |s| s.page_state(&url)
    })
    .await?;
    // Only a page that became a record is asked for conditionally; one whose row was rejected
    // is read again in full (the extractor may do better now).
    let stored = known.as_ref().filter(|k| k.record_id.is_some());
    let validators =
        stored.map(|k| Validators { etag: k.etag.clone(), last_modified: k.last_modified.clone() });
    let fetched = fetcher.fetch(&item.url, &RequestSpec::default(), validators.as_ref()).await;
    let page = match fetched {
        Ok(Fetched::NotModified) => return Ok(ItemResult::Unchanged { url: item.url, refreshed: None }),
        Ok(Fetched::Page(page)) => page,
        Err(failure) => {
            return Ok(ItemResult::Failed(CrawlFailure {
                url: item.url,
                reason: failure.reason,
                attempts: failure.attempts,
                at: Some(now_text()),
            }))
        }
    };
    let hash = format!("{:032x}", xxhash_rust::xxh3::xxh3_128(&page.bytes));
    let today = chrono::Local::now().date_naive();
    let state = PageState {
        url: item.url.clone(),
        crawler: def.name.clone(),
        final_url: page.url.clone(),
        hash: hash.clone(),
        etag: page.validators.etag.clone(),
        last_modified: page.validators.last_modified.clone(),
        charset: page.charset.clone(),
        list_title: item.title.clone(),
        list_date: item.date,
        list_fields: item.fields.clone(),
        record_id: None,
        fetched: today,
    };
    if let Some(stored) = stored.filter(|k| k.hash == hash) {
        let refreshed = (stored.etag != state.etag || stored.last_modified != state.last_modified)
            .then(|| PageState { record_id: stored.record_id.clone(), fetched: stored.fetched, ..state });
        return Ok(ItemResult::Unchanged { url: item.url, refreshed });
    }
    let text = crate::extract::encoding::decode_page(&page.bytes, page.charset.as_deref(), forced(def));
    let context = PageContext {
        url: &item.url,
        item: &item,
        last_modified: page.validators.last_modified.as_deref(),
        fetched: today,
    };
    let row = page::to_row(def, &context, &text);
    Ok(ItemResult::Fetched(Box::new(CrawledPage { state, bytes: page.bytes, row })))
}

/// A list item that is its own record: kept (as JSON) like a page, so it is archived,
/// compared by hash next time and re-read by `reextract`.
async fn list_item_result(
    def: &CrawlerDef,
    sink: &Arc<dyn CrawlSink>,
    item: ListItem,
) -> Result<ItemResult, CrawlError> {
    let bytes = serde_json::to_vec(&item).map_err(|e| CrawlError::Sink(e.to_string()))?;
    let hash = format!("{:032x}", xxhash_rust::xxh3::xxh3_128(&bytes));
    let known = blocking(sink, {
        let url = item.url.clone();
        move |s| s.page_state(&url)
    })
    .await?;
    if known.is_some_and(|k| k.record_id.is_some() && k.hash == hash) {
        return Ok(ItemResult::Unchanged { url: item.url, refreshed: None });
    }
    let today = chrono::Local::now().date_naive();
    let row = page::item_row(def, &item, today);
    let state = PageState {
        url: item.url.clone(),
        crawler: def.name.clone(),
        final_url: item.url.clone(),
        hash,
        etag: None,
        last_modified: None,
        charset: None,
        list_title: item.title.clone(),
        list_date: item.date,
        list_fields: item.fields.clone(),
        record_id: None,
        fetched: today,
    };
    Ok(ItemResult::Fetched(Box::new(CrawledPage { state, bytes, row })))
}

/// Rebuilds a page's row from its archived bytes (`oppgraph reextract`).
pub fn reextract_row(
    def: &CrawlerDef,
    state: &PageState,
    bytes: &[u8],
) -> Result<BTreeMap<String, String>, String> {
    if !def.fetch_detail {
        let item: ListItem = serde_json::from_slice(bytes).map_err(|e| format!("archived list item: {e}"))?;
        return page::item_row(def, &item, state.fetched);
    }
    let text = crate::extract::encoding::decode_page(bytes, state.charset.as_deref(), forced(def));
    let item = ListItem {
        url: state.url.clone(),
        title: state.list_title.clone(),
        date: state.list_date,
        fields: state.list_fields.clone(),
    };
    let context = PageContext {
        url: &state.url,
        item: &item,
        last_modified: state.last_modified.as_deref(),
        fetched: state.fetched,
    };
    page::to_row(def, &context, &text)
}

async fn store_batch(
    def: &CrawlerDef,
    sink: &Arc<dyn CrawlSink>,
    batch: Vec<(CrawledPage, String)>,
    run: &mut CrawlRun,
    failures: &mut Vec<CrawlFailure>,
    options: &RunOptions,
) -> Result<(), CrawlError> {
    let urls: Vec<String> = batch.iter().map(|(_, url)| url.clone()).collect();
    let pages: Vec<CrawledPage> = batch.into_iter().map(|(page, _)| page).collect();
    let def_owned = def.clone();
    let outcomes = blocking(sink, move |s| s.store_pages(&def_owned, pages)).await?;
    for (url, outcome) in urls.into_iter().zip(outcomes) {
        let label = match outcome {
            StoredOutcome::New => {
                run.new += 1;
                "new"
            }
            StoredOutcome::Changed => {
                run.changed += 1;
                "changed"
            }
            StoredOutcome::Unchanged => {
                run.unchanged += 1;
                "unchanged"
            }
            StoredOutcome::Rejected(reason) => {
                failures.push(CrawlFailure { url: url.clone(), reason, attempts: 1, at: Some(now_text()) });
                "failed"
            }
        };
        options.progress.item_done(&url, label);
    }
    Ok(())
}

/// A crawler's status in the contract's shape.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CrawlStatus {
    pub name: String,
    pub enabled: bool,
    pub kind: Option<String>,
    pub schedule: Option<String>,
    /// The next scheduled start, when `serve` runs the schedule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_run: Option<String>,
    pub last_run: Option<CrawlRun>,
    pub failures: Vec<CrawlFailure>,
    /// Set when the crawler file cannot be used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Crawlers that run at most once at a time, across the schedule, the API and the CLI of one
/// process.
#[derive(Default, Clone)]
pub struct RunGuard {
    running: Arc<std::sync::Mutex<HashSet<String>>>,
}

/// Held while a crawler runs; dropping it frees the crawler.
pub struct Running {
    guard: RunGuard,
    name: String,
}

impl RunGuard {
    pub fn try_start(&self, name: &str) -> Option<Running> {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        running.insert(name.to_string()).then(|| Running { guard: self.clone(), name: name.to_string() })
    }

    pub fn is_running(&self, name: &str) -> bool {
        self.running.lock().unwrap_or_else(|p| p.into_inner()).contains(name)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.guard.running.lock().unwrap_or_else(|p| p.into_inner()).remove(&self.name);
    }
}
