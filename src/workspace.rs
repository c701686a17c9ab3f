//! A data directory and the pipeline over it: the store, the search index, the config, and the
//! steps that keep the derived data (index, graph, opportunities) in line with the store.
//!
//! Both the command line and the HTTP server drive oppgraph through this type.

use crate::deliver;
use crate::graph::{BuildOptions, EnterpriseGraph, GraphBuilder};
use crate::index::{IndexError, SearchIndex};
use crate::ingest::crawl::{CrawlSink, CrawledPage, CrawlerDef, StoredOutcome};
use crate::ingest::reader::RawRow;
use crate::ingest::{
    import_files_with, import_rows, Handed, ImportError, ImportKind, ImportOutcome, ImportSettings, RowStatus,
};
use crate::mine::{self, MineConfig, ProductMatrix};
use crate::model::{CrawlFailure, CrawlRun, PageState, Privacy};
use crate::model::{Date, GraphVersion};
use crate::store::{GraphRow, Snapshot, Store, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

mod remine;
mod room;

pub use remine::{MineMode, MineRun};
pub use room::{NoRoom, Room};

pub const AGENCIES: &str = include_str!("../dictionaries/agencies.txt");

/// The store's file in a data dir.
const STORE_FILE: &str = "oppgraph.db";

#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error("cannot create data directory {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error("config {path}: {message}")]
    Config { path: String, message: String },
    #[error("cannot start the network runtime: {0}")]
    Runtime(std::io::Error),
    #[error(transparent)]
    NoRoom(#[from] room::NoRoom),
}

pub type Result<T, E = WorkspaceError> = std::result::Result<T, E>;

/// `<data>/config.toml`; every field has a default, so the file is optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where the store lives: `postgres://…` for a PostgreSQL server several nodes share; by
    /// default the SQLite file `<data>/oppgraph.db`. `--store` or `OPPGRAPH_STORE` overrides it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store: Option<String>,
    pub mine: MineSettings,
    pub privacy: PrivacySettings,
    /// `[push]`: daily cap, quiet hours, digest, contact frequency, retries.
    pub push: deliver::outbox::PushSettings,
    /// `[disk]`: room kept free on the data dir's disks.
    pub disk: DiskSettings,
    /// API tokens. `demo` writes a set; `serve` refuses every API call without one.
    #[serde(rename = "token")]
    pub tokens: Vec<TokenConfig>,
}

/// `[disk]`: an import or a mining run is refused before it writes when a disk it writes to
/// would be left with less free than this ([`room`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DiskSettings {
    pub keep_free_mib: u64,
}

impl Default for DiskSettings {
    fn default() -> Self {
        DiskSettings { keep_free_mib: 1024 }
    }
}

impl DiskSettings {
    /// What must stay free, in bytes.
    pub fn keep_free(&self) -> u64 {
        self.keep_free_mib.saturating_mul(1 << 20)
    }
}

/// `[privacy]`: where the key for hashing ID numbers comes from.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrivacySettings {
    /// The key itself (a bank's shared key, so several data dirs hash alike); by default a
    /// random key is generated into `<data>/secret.key` (mode 0600).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MineSettings {
    /// Leads below this amount in yuan are suppressed as small.
    pub min_amount: f64,
    /// Pledges expiring within this many days of `as_of` are refinancing leads.
    pub pledge_window_days: (i64, i64),
    /// Owners this many hops up pass their risk events down as alerts.
    pub risk_owner_hops: usize,
    /// Tender agencies beyond the built-in list.
    pub extra_agencies: Vec<String>,
    /// A product matrix file replacing the built-in one.
    pub product_matrix: Option<PathBuf>,
    /// Risk policy: these risk kinds on a lead's own enterprise force tier C (the lead stays,
    /// with its alert for review).
    pub force_tier_c: Vec<String>,
    /// Risk policy: these risk kinds on a lead's own enterprise block the lead (never
    /// delivered); none by default.
    pub block_on: Vec<String>,
    /// A full run over more enterprises than this mines them this many at a time, holding
    /// one slice's part of the store instead of all of it (the leads are the same). Zero is
    /// refused when the configuration is read.
    pub slice_enterprises: std::num::NonZeroUsize,
    /// A slice also ends before the records naming its hub enterprises (those named by more
    /// than a thousandth of this) pass this many: a public buyer or a bank is named by tens of
    /// thousands, and a slice of hubs alone held twice a usual slice's memory.
    pub slice_records: std::num::NonZeroU64,
}

impl Default for MineSettings {
    fn default() -> Self {
        MineSettings {
            min_amount: 100_000.0,
            pledge_window_days: (30, 180),
            risk_owner_hops: 2,
            extra_agencies: Vec::new(),
            product_matrix: None,
            force_tier_c: vec!["dishonest".into(), "bankruptcy".into()],
            block_on: Vec::new(),
            slice_enterprises: std::num::NonZeroUsize::new(200_000).expect("nonzero"),
            slice_records: std::num::NonZeroU64::new(1_000_000).expect("nonzero"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Manager,
    Risk,
    Analyst,
    Admin,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenConfig {
    pub token: String,
    pub role: Role,
    /// For managers: the manager id whose leads this token sees.
    #[serde(default)]
    pub manager: Option<String>,
    /// The person who holds the token (`user = "张超"`), named in the audit trail and on
    /// decisions.
    #[serde(default, rename = "user", alias = "name")]
    pub name: Option<String>,
}

impl Config {
    pub fn load(path: &Path) -> Result<Config> {
        if !path.exists() {
            return Ok(Config::default());
        }
        let text = std::fs::read_to_string(path).map_err(|e| WorkspaceError::Config {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        toml::from_str(&text)
            .map_err(|e| WorkspaceError::Config { path: path.display().to_string(), message: e.to_string() })
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        let text = toml::to_string_pretty(self).map_err(|e| WorkspaceError::Config {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        // The file holds API tokens.
        write_owner_only(path, text.as_bytes(), Replace::Yes)
            .map_err(|e| WorkspaceError::Config { path: path.display().to_string(), message: e.to_string() })
    }

    /// The typed mining configuration, with the product matrix loaded.
    pub fn mine_config(&self) -> Result<MineConfig> {
        let agencies = AGENCIES
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .chain(self.mine.extra_agencies.iter().map(String::as_str));
        let mut config = MineConfig {
            rules: mine::rules::RuleConfig {
                pledge_window_days: self.mine.pledge_window_days,
                ..Default::default()
            }
            .with_agencies(agencies),
            ..Default::default()
        };
        config.dedup = std::mem::take(&mut config.dedup).with_families(crate::resolve::FAMILY_LEXICON);
        config.dedup.min_amount = self.mine.min_amount;
        config.risk.max_owner_hops = self.mine.risk_owner_hops;
        for (key, kinds) in [("force_tier_c", &self.mine.force_tier_c), ("block_on", &self.mine.block_on)] {
            if let Some(unknown) = kinds.iter().find(|k| crate::model::RiskKind::parse(k).is_none()) {
                return Err(WorkspaceError::Config {
                    path: "config.toml".into(),
                    message: format!("[mine] {key}: {unknown:?} is not a risk kind"),
                });
            }
        }
        config.rank.force_tier_c = self.mine.force_tier_c.clone();
        config.rank.block_on = self.mine.block_on.clone();
        if let Some(path) = &self.mine.product_matrix {
            let text = std::fs::read_to_string(path).map_err(|e| WorkspaceError::Config {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
            config.products = ProductMatrix::parse(&text).map_err(|e| WorkspaceError::Config {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
        }
        Ok(config)
    }
}

/// The environment variable naming the store (what `--store` sets); `{data}` in it stands for
/// a name derived from the data dir, so several data dirs can keep their stores apart on one
/// server (`…?options=-csearch_path%3Dd_{data}`).
pub const STORE_ENV: &str = "OPPGRAPH_STORE";

/// Where a data dir's store lives: `OPPGRAPH_STORE`, else `store` in its config, else
/// `<data>/oppgraph.db`.
pub fn store_location(dir: &Path, config: &Config) -> crate::store::Location {
    let named =
        std::env::var(STORE_ENV).ok().filter(|s| !s.trim().is_empty()).or_else(|| config.store.clone());
    match named {
        Some(text) => {
            let text = if text.contains("{data}") {
                let absolute = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
                let name = xxhash_rust::xxh3::xxh3_64(absolute.display().to_string().as_bytes());
                text.replace("{data}", &format!("{name:016x}"))
            } else {
                text
            };
            crate::store::Location::parse(&text)
        }
        None => crate::store::Location::File(dir.join(STORE_FILE)),
    }
}

pub struct Workspace {
    dir: PathBuf,
    /// Where the store lives (readers open their own connections there).
    location: crate::store::Location,
    store: Store,
    index: SearchIndex,
    config: Config,
    /// The key for hashing ID numbers: `[privacy] key` in the config, else `<data>/secret.key`.
    privacy: Privacy,
}

#[derive(Debug, Clone, Serialize)]
pub struct MineSummary {
    pub as_of: Date,
    /// Which ranking scored the leads (rules, or the model learned from outcomes) and why.
    pub ranking: mine::learn::RankingReport,
    pub opportunities: usize,
    pub live: usize,
    pub suppressed: HashMap<String, usize>,
    pub with_alerts: usize,
    /// Leads this run wrote (new or changed) and dropped; the rest were left as they were.
    pub changed: crate::store::Written,
    /// Whether the run re-mined everything or only what changed, and why.
    pub run: MineRun,
}

impl Workspace {
    pub fn open(dir: &Path) -> Result<Workspace> {
        std::fs::create_dir_all(dir)
            .map_err(|source| WorkspaceError::DataDir { path: dir.display().to_string(), source })?;
        let config = Config::load(&dir.join("config.toml"))?;
        let location = store_location(dir, &config);
        let store = Store::open_at(&location)?;
        let index = SearchIndex::open(&dir.join("index"))?;
        let privacy = load_privacy(dir, &config)?;
        load_local_dictionary(dir)?;
        let mut workspace = Workspace { dir: dir.to_path_buf(), location, store, index, config, privacy };
        // Data dirs from before ID numbers were protected keep none in clear.
        let protected = workspace.store.protect_id_numbers(&workspace.privacy)?;
        if protected > 0 {
            tracing::info!(
                persons = protected,
                "ID numbers stored in clear replaced by their masked form and keyed hash"
            );
        }
        // The index is derived: a missing, recreated or lagging one catches up from the store.
        workspace.sync_index()?;
        Ok(workspace)
    }

    /// The store, for reading; writes go through the workspace's operations, which keep the
    /// derived data (index, graph, leads) in line.
    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn index(&self) -> &SearchIndex {
        &self.index
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Replaces the API tokens and saves the config (owner-only).
    pub fn set_tokens(&mut self, tokens: Vec<TokenConfig>) -> Result<()> {
        self.config.tokens = tokens;
        self.config.save(&self.config_path())
    }

    pub fn add_feedback(&mut self, feedback: &crate::model::Feedback) -> Result<()> {
        Ok(self.store.add_feedback(feedback)?)
    }

    pub fn review_alert(&mut self, review: &crate::store::AlertReview) -> Result<()> {
        Ok(self.store.review_alert(review)?)
    }

    /// Records a human resolution decision (link or new); every resolver built afterwards
    /// applies it.
    pub fn add_decision(&mut self, decision: &crate::resolve::Decision, actor: &str) -> Result<()> {
        Ok(self.store.add_decision(decision, actor)?)
    }

    pub fn audit(&mut self, actor: &str, action: &str, detail: &str) -> Result<()> {
        Ok(self.store.audit(actor, action, detail)?)
    }

    /// Plans a dispatch at `now` and returns what is due to be sent (nothing is written in a
    /// dry run). Send with [`deliver::dispatch::send_all`], then [`Workspace::push_record`].
    pub fn push_prepare(
        &mut self,
        now: &chrono::DateTime<chrono::FixedOffset>,
        dry_run: bool,
    ) -> Result<(deliver::dispatch::PushSummary, Vec<deliver::channel::Outgoing>)> {
        Ok(deliver::dispatch::prepare(&mut self.store, &self.config.push, now, dry_run)?)
    }

    /// Records what each attempt of a dispatch came to.
    pub fn push_record(
        &mut self,
        now: &chrono::DateTime<chrono::FixedOffset>,
        results: Vec<(deliver::channel::Outgoing, deliver::channel::Outcome)>,
        summary: &mut deliver::dispatch::PushSummary,
    ) -> Result<()> {
        Ok(deliver::dispatch::record(&mut self.store, &self.config.push, now, results, summary)?)
    }

    /// One whole dispatch at `now`, for the command line (not inside an async runtime).
    pub fn push(
        &mut self,
        now: &chrono::DateTime<chrono::FixedOffset>,
        dry_run: bool,
    ) -> Result<deliver::dispatch::PushSummary> {
        let (mut summary, outgoing) = self.push_prepare(now, dry_run)?;
        if outgoing.is_empty() {
            return Ok(summary);
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(WorkspaceError::Runtime)?;
        let results = runtime.block_on(deliver::dispatch::send_all(outgoing, &self.config.push));
        self.push_record(now, results, &mut summary)?;
        Ok(summary)
    }

    /// `watcher` (a managers-table id, whose channel gets the notices) watches `enterprise`;
    /// with `owners`, its owners within two hops too. `Ok(None)` when the watcher is unknown.
    pub fn watch(
        &mut self,
        watcher: &str,
        enterprise: crate::model::EnterpriseId,
        owners: bool,
    ) -> Result<Option<crate::model::Watch>> {
        if !self.store.managers()?.iter().any(|m| m.id == watcher) {
            return Ok(None);
        }
        Ok(Some(self.store.add_watch(watcher, enterprise, owners)?))
    }

    pub fn unwatch(&mut self, watcher: &str, enterprise: crate::model::EnterpriseId) -> Result<bool> {
        Ok(self.store.remove_watch(watcher, enterprise)?)
    }

    /// A core customer's chain as one batch: suppliers and buyers to `depth` tiers, and its
    /// group members, each with its open leads.
    pub fn campaign(
        &self,
        customer: crate::model::EnterpriseId,
        depth: usize,
    ) -> Result<Vec<deliver::campaign::CampaignMember>> {
        let graph = self.graph(chrono::Local::now().date_naive())?;
        Ok(deliver::campaign::campaign(&graph, &self.store, customer, depth)?)
    }

    /// Puts a dead delivery back in line (an admin's re-queue).
    pub fn requeue_delivery(&mut self, id: &str) -> Result<Option<crate::model::Delivery>> {
        Ok(self.store.requeue_delivery(id)?)
    }

    /// Where the store lives.
    pub fn store_location(&self) -> &crate::store::Location {
        &self.location
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.join("config.toml")
    }

    /// True when records or relations changed since the last mining run started (any
    /// process's import or crawl), or nothing was ever mined.
    pub fn needs_mining(&self) -> Result<bool> {
        let version = self.store.graph_version()?;
        Ok(self.store.mined_seq()?.is_none_or(|mined| version.seq > mined))
    }

    pub fn rejects_dir(&self) -> PathBuf {
        self.dir.join("rejects")
    }

    /// Imports files and brings the index up to date with what changed. The import holds a
    /// lease in the store while it runs, so that a server mining on changes waits for its end
    /// rather than mining between two of its commits ([`crate::store::Store::open_import`]).
    pub fn import(&mut self, paths: &[PathBuf]) -> Result<ImportOutcome> {
        // The files are listed once: the import is handed the list. Paths that cannot be
        // listed are the import's to report.
        let files = match crate::ingest::collect_files(paths) {
            Ok(files) => {
                self.room_for_import(&files)?;
                files
            }
            Err(_) => paths.to_vec(),
        };
        let _pages = crate::memory::SmallPages::new();
        self.store.open_import()?;
        let imported = self.import_files(&files);
        let closed = self.store.close_import();
        let outcome = imported?;
        closed?;
        Ok(outcome)
    }

    fn import_files(&mut self, paths: &[PathBuf]) -> Result<ImportOutcome> {
        let rejects_dir = self.rejects_dir();
        let before = self.index_position()?;
        let settings = ImportSettings { rejects_dir: &rejects_dir, privacy: &self.privacy };
        // Each file's records are indexed on other threads while the next file is imported,
        // one commit per file (keeping the index's recorded position); the position moves
        // once every file is in. An index that was not caught up, or a failure, leaves the
        // catching up to `index_imported`.
        let index = &self.index;
        let store = &mut self.store;
        let streamed = before.is_some();
        let mut handed = 0;
        let (imported, indexed) = std::thread::scope(|scope| {
            // A few chunks in flight at most: the import waits for the indexer rather than
            // holding a large file's records in memory.
            let (send, receive) =
                std::sync::mpsc::sync_channel::<Option<Vec<crate::ingest::ChangedRecord>>>(2);
            let indexer = scope.spawn(move || {
                // The index mirrored the store when the import began, so it holds nothing
                // under a record new to the store. A file's records are added as they are
                // written and made visible once the file is in (`None`); a file that failed
                // leaves its batch uncommitted, and the index catches up from the store.
                let mut open = None;
                for message in receive {
                    match message {
                        Some(records) => {
                            let batch = match &mut open {
                                Some(batch) => batch,
                                None => open.insert(index.batch()?),
                            };
                            for changed in &records {
                                batch.add_one(&changed.record, !changed.inserted)?;
                            }
                        }
                        None => {
                            if let Some(batch) = &mut open {
                                batch.checkpoint(None)?;
                            }
                        }
                    }
                }
                // One writer for every file: a file's commit leaves its merges running while
                // the next is written, and they are waited for once, here.
                if let Some(batch) = open {
                    batch.finish()?;
                }
                Ok::<_, IndexError>(())
            });
            let imported = import_files_with(store, paths, &settings, &mut |handed_over| {
                if !streamed {
                    // The index catches up from the store afterwards: the records in hand
                    // are not needed.
                    if let Handed::Written(records) = handed_over {
                        records.clear();
                    }
                    return;
                }
                // A send fails only once the indexer stopped on an error, reported below.
                match handed_over {
                    Handed::Written(records) if !records.is_empty() => {
                        handed += records.len();
                        let _ = send.send(Some(std::mem::take(records)));
                    }
                    Handed::Written(_) => {}
                    Handed::Committed => {
                        let _ = send.send(None);
                    }
                }
            });
            drop(send);
            // A first load's deferred indexes are built while the indexer finishes.
            let built = store.build_deferred_indexes();
            let indexed = indexer.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (imported.and_then(|outcome| built.map(|()| outcome).map_err(Into::into)), indexed)
        });
        let mut outcome = imported?;
        let streamed = match indexed {
            Ok(()) => streamed,
            Err(error) => {
                tracing::warn!(%error, "indexing while importing failed; the index catches up from the store");
                false
            }
        };
        let started = std::time::Instant::now();
        match (streamed, before) {
            (true, Some(before)) => {
                let after = self.store.record_seq()?;
                if after - before == handed as u64 {
                    if after > before {
                        self.index.batch()?.commit(Some(after))?;
                    }
                } else {
                    self.sync_index()?;
                }
            }
            _ => self.index_imported(before, &outcome)?,
        }
        tracing::info!(
            records = handed + outcome.changed_records.len(),
            ms = started.elapsed().as_millis() as u64,
            "indexed imported records"
        );
        if !(outcome.touched_enterprises.is_empty() && outcome.touched_persons.is_empty()) {
            outcome.warnings =
                self.store.consistency_warnings(5, &outcome.touched_enterprises, &outcome.touched_persons)?;
            for warning in &outcome.warnings {
                tracing::warn!("{warning}");
            }
        }
        Ok(outcome)
    }

    /// Imports rows made in memory (crawled pages) and brings the index up to date.
    pub fn import_rows(&mut self, label: &str, kind: ImportKind, rows: Vec<RawRow>) -> Result<ImportOutcome> {
        let rejects_dir = self.rejects_dir();
        let before = self.index_position()?;
        let settings = ImportSettings { rejects_dir: &rejects_dir, privacy: &self.privacy };
        let outcome = import_rows(&mut self.store, label, kind, rows, &settings)?;
        self.index_imported(before, &outcome)?;
        Ok(outcome)
    }

    /// Where fetched pages are kept, by content hash: `<data>/pages/ab/abcdef....html`.
    pub fn page_path(&self, hash: &str) -> PathBuf {
        self.dir.join("pages").join(hash.get(..2).unwrap_or("00")).join(format!("{hash}.html"))
    }

    /// Keeps a fetched page's bytes under its hash, atomically ([`Workspace::store_crawled`]
    /// writes only the pages not kept yet).
    fn archive_page(&self, hash: &str, bytes: &[u8]) -> Result<()> {
        let path = self.page_path(hash);
        let wrap = |source| WorkspaceError::DataDir { path: path.display().to_string(), source };
        let parent = path.parent().unwrap_or(&self.dir);
        std::fs::create_dir_all(parent).map_err(wrap)?;
        let temporary = parent.join(format!(".{hash}.tmp"));
        std::fs::write(&temporary, bytes).map_err(wrap)?;
        std::fs::rename(&temporary, &path).map_err(wrap)?;
        Ok(())
    }

    /// Stores crawled pages: archives them, imports their rows in one transaction (index and
    /// graph log included), then records each page's state. A page's state is written only
    /// after its record is stored, so a crash in between fetches the page again next time.
    pub fn store_crawled(&mut self, def: &CrawlerDef, pages: Vec<CrawledPage>) -> Result<Vec<StoredOutcome>> {
        // Refused whole before anything is written: the pages stay unrecorded, to be fetched
        // again by a later run.
        let unarchived: Vec<&CrawledPage> =
            pages.iter().filter(|page| !self.page_path(&page.state.hash).exists()).collect();
        let archived: u64 = unarchived.iter().map(|page| page.bytes.len() as u64).sum();
        let input: u64 = pages
            .iter()
            .filter_map(|page| page.row.as_ref().ok())
            .flat_map(|values| values.values().map(|value| value.len() as u64 + 1))
            .sum();
        self.room_for_pages(archived, input)?;
        for page in unarchived {
            self.archive_page(&page.state.hash, &page.bytes)?;
        }
        let rows: Vec<RawRow> = pages
            .iter()
            .enumerate()
            .filter_map(|(i, page)| {
                page.row.as_ref().ok().map(|values| RawRow { line: i + 1, values: values.clone() })
            })
            .collect();
        let label = format!("crawl:{}", def.name);
        let statuses: HashMap<usize, RowStatus> = if rows.is_empty() {
            HashMap::new()
        } else {
            let outcome = self.import_rows(&label, def.kind, rows)?;
            outcome.files.into_iter().flat_map(|f| f.rows).collect()
        };
        let mut outcomes = Vec::with_capacity(pages.len());
        for (i, page) in pages.into_iter().enumerate() {
            let mut state = page.state;
            let outcome = match (page.row, statuses.get(&(i + 1))) {
                (Err(reason), _) => StoredOutcome::Rejected(format!("extract: {reason}")),
                (Ok(_), Some(RowStatus::Rejected(reason))) => {
                    StoredOutcome::Rejected(format!("import: {reason}"))
                }
                (Ok(row), Some(status)) => {
                    state.record_id = row.get("id").cloned();
                    match status {
                        RowStatus::Inserted => StoredOutcome::New,
                        RowStatus::Updated => StoredOutcome::Changed,
                        _ => StoredOutcome::Unchanged,
                    }
                }
                (Ok(_), None) => StoredOutcome::Rejected("import: the row was not read".into()),
            };
            self.store.upsert_crawl_page(&state)?;
            outcomes.push(outcome);
        }
        Ok(outcomes)
    }

    /// Re-runs extraction over every archived page of the given crawlers and imports the rows
    /// again: a better extractor applied to everything ever fetched, without the network.
    pub fn reextract(&mut self, crawlers: &[CrawlerDef]) -> Result<Vec<(String, ReextractSummary)>> {
        let mut summaries = Vec::new();
        for def in crawlers {
            let mut summary = ReextractSummary::default();
            let states = self.store.crawl_pages(Some(&def.name))?;
            for chunk in states.chunks(256) {
                let mut pages = Vec::new();
                for state in chunk {
                    let Ok(bytes) = std::fs::read(self.page_path(&state.hash)) else {
                        summary.missing += 1;
                        continue;
                    };
                    let row = crate::ingest::crawl::reextract_row(def, state, &bytes);
                    pages.push(CrawledPage {
                        state: PageState { record_id: None, ..state.clone() },
                        bytes,
                        row,
                    });
                }
                for outcome in self.store_crawled(def, pages)? {
                    match outcome {
                        StoredOutcome::New => summary.new += 1,
                        StoredOutcome::Changed => summary.changed += 1,
                        StoredOutcome::Unchanged => summary.unchanged += 1,
                        StoredOutcome::Rejected(_) => summary.rejected += 1,
                    }
                }
            }
            summary.pages = states.len();
            summaries.push((def.name.clone(), summary));
        }
        Ok(summaries)
    }

    /// Recreates the index from the store.
    pub fn rebuild_index(&self) -> Result<usize> {
        let (records, seq) = self.store.records_with_seq()?;
        Ok(self.index.rebuild(&records, seq)?)
    }

    /// The store's record sequence number when the index has caught up with it, else `None`.
    fn index_position(&self) -> Result<Option<u64>> {
        let seq = self.store.record_seq()?;
        Ok((self.index.indexed_seq()? == Some(seq)).then_some(seq))
    }

    /// Indexes what an import changed. When the index was caught up before and the import's
    /// records are the only writes since (nobody else wrote in between), the records in hand
    /// are indexed directly; otherwise the index catches up from the store.
    fn index_imported(&self, before: Option<u64>, outcome: &ImportOutcome) -> Result<()> {
        let after = self.store.record_seq()?;
        match before {
            Some(before) if after - before == outcome.changed_records.len() as u64 => {
                if after > before {
                    self.index.sync(outcome.changed_records.iter().map(|c| &c.record), after)?;
                }
            }
            _ => {
                self.sync_index()?;
            }
        }
        Ok(())
    }

    /// Brings the search index up to date with the store: indexes every record written after
    /// the sequence number the index last committed. Whoever wrote the records — this process,
    /// another one, or one killed between its store commit and its index commit — the next
    /// call repairs the index. Returns how many records it indexed.
    pub fn sync_index(&self) -> Result<usize> {
        // Records read from the store at a time; committed to the index every `COMMIT` (each
        // commit makes the progress durable, and waits for tantivy's merges: committing every
        // page made merging 62% of catching up 16M records at 5M enterprises).
        const CHUNK: usize = 50_000;
        const COMMIT: usize = 200_000;
        let latest = self.store.record_seq()?;
        let Some(mut from) = self.index.indexed_seq()? else {
            // An index that never recorded what it reflects (new, or from an older build), or
            // whose terms another tokenization made (new dictionary words, another tokenizer).
            if self.index.num_docs() > 0 {
                tracing::info!("search index made under another tokenization; rebuilding it from the store");
            }
            return self.rebuild_index();
        };
        if from > latest {
            tracing::warn!(
                from,
                latest,
                "search index is ahead of the store (another store?); rebuilding it"
            );
            return self.rebuild_index();
        }
        if from == latest {
            return Ok(0);
        }
        let started = std::time::Instant::now();
        let mut indexed = 0;
        let mut batch = self.index.batch()?;
        loop {
            let page = self.store.records_after(from, CHUNK)?;
            for (_, record) in &page {
                batch.add_one(record, true)?;
            }
            indexed += page.len();
            // Sequence numbers taken by rows that are gone leave nothing to index: a short page
            // is all there was up to `latest` (and perhaps beyond, written meanwhile).
            let done = page.len() < CHUNK;
            let last = page.last().map_or(from, |&(seq, _)| seq);
            from = if done { latest.max(last) } else { last };
            if done {
                batch.commit(Some(from))?;
                break;
            }
            if batch.added() >= COMMIT {
                batch.checkpoint(Some(from))?;
                tracing::info!(seq = from, latest, indexed, "search index catching up");
            }
        }
        if indexed > 0 {
            tracing::info!(indexed, ms = started.elapsed().as_millis() as u64, "search index caught up");
        }
        // Written meanwhile by another process: the next call catches that up.
        Ok(indexed)
    }

    pub fn graph_snapshot_path(&self) -> PathBuf {
        self.dir.join("graph.snapshot")
    }

    /// The graph as of `as_of`, up to date with the store; see [`Workspace::refresh_graph`].
    pub fn graph(&self, as_of: Date) -> Result<EnterpriseGraph> {
        self.refresh_graph(None, as_of)
    }

    /// Brings a graph up to date with the store: `graph` (a server's cached one) or else the
    /// snapshot in the data dir, when made from this store for `as_of`, plus the changes logged
    /// since; a full build from the store when neither can be caught up (none usable, the log
    /// pruned past it, more changes pending than the graph has edges, or a change that cannot
    /// be applied exactly). The snapshot is rewritten when anything changed and the log pruned
    /// up to it.
    pub fn refresh_graph(&self, graph: Option<EnterpriseGraph>, as_of: Date) -> Result<EnterpriseGraph> {
        self.refresh_graph_from(graph, as_of, None)
    }

    /// [`Workspace::refresh_graph`], building from `loaded` (store rows already read, with
    /// their version) instead of reading the store again when a full build is needed.
    fn refresh_graph_from(
        &self,
        graph: Option<EnterpriseGraph>,
        as_of: Date,
        loaded: Option<(&Snapshot, GraphVersion)>,
    ) -> Result<EnterpriseGraph> {
        let options = BuildOptions::new(as_of);
        let version = self.store.graph_version()?;
        // A graph of an earlier day is moved to this one (see `Workspace::advanced`).
        let usable = |stamp: GraphVersion, built: BuildOptions| {
            stamp.store_id == version.store_id
                && stamp.seq <= version.seq
                && built.supply_window_days == options.supply_window_days
                && built.as_of <= as_of
        };
        let path = self.graph_snapshot_path();
        let in_memory = graph.filter(|g| usable(g.stamp(), g.options()));
        let from_disk = || -> Option<EnterpriseGraph> {
            let loaded = match EnterpriseGraph::snapshot_header(&path) {
                Ok(Some((stamp, built))) if usable(stamp, built) => EnterpriseGraph::load_snapshot(&path),
                Ok(_) => return None,
                Err(error) => Err(error),
            };
            loaded.unwrap_or_else(|error| {
                tracing::warn!(%error, path = %path.display(), "graph snapshot unreadable; rebuilding");
                None
            })
        };
        if let Some(graph) = self.advanced(self.caught_up(in_memory)?, as_of)? {
            return Ok(graph);
        }
        if let Some(graph) = self.advanced(self.caught_up(from_disk())?, as_of)? {
            return Ok(graph);
        }
        match loaded {
            Some((snapshot, version)) => Ok(self.save_built(build_graph(snapshot, options), version)),
            None => self.rebuild_graph(as_of),
        }
    }

    /// Builds the graph from the store, ignoring any snapshot, and saves it as the snapshot.
    /// The rows are streamed from the store into the graph: what is held is the graph.
    pub fn rebuild_graph(&self, as_of: Date) -> Result<EnterpriseGraph> {
        let mut builder = GraphBuilder::new(BuildOptions::new(as_of));
        let version = self.store.graph_rows(&mut |row| match row {
            GraphRow::Enterprise(e) => builder.enterprise(&e),
            GraphRow::Person(p) => builder.person(&p),
            GraphRow::Relation(r) => builder.relation(&r),
            GraphRow::Record(r) => builder.record(&r),
        })?;
        Ok(self.save_built(builder.finish(), version))
    }

    fn save_built(&self, mut graph: EnterpriseGraph, version: GraphVersion) -> EnterpriseGraph {
        tracing::info!(
            nodes = graph.node_count(),
            edges = graph.edge_count(),
            seq = version.seq,
            "graph built from the store"
        );
        graph.set_stamp(version);
        self.save_graph(&graph);
        graph
    }

    /// `graph` with the changes logged since it was built applied (and saved when there were
    /// any); `None` when it cannot be caught up.
    fn caught_up(&self, graph: Option<EnterpriseGraph>) -> Result<Option<EnterpriseGraph>> {
        let Some(mut graph) = graph else { return Ok(None) };
        let most = graph.edge_count().max(10_000) as u64;
        let (version, changes) = self.store.graph_changes_after(graph.stamp().seq, most)?;
        let Some(changes) = changes else { return Ok(None) };
        if !changes.iter().all(|change| graph.apply(change)) {
            return Ok(None);
        }
        if !changes.is_empty() {
            tracing::info!(changes = changes.len(), seq = version.seq, "graph caught up from the change log");
            graph.set_stamp(version);
            self.save_graph(&graph);
        }
        Ok(Some(graph))
    }

    /// `graph` (caught up with the store) moved to the day `as_of` and saved, when of an
    /// earlier day: what the days in between move, read from the store, rather than a rebuild.
    /// `None` when it cannot be moved exactly.
    fn advanced(&self, graph: Option<EnterpriseGraph>, as_of: Date) -> Result<Option<EnterpriseGraph>> {
        let Some(mut graph) = graph else { return Ok(None) };
        let from = graph.options().as_of;
        if from == as_of {
            return Ok(Some(graph));
        }
        let relations = self.store.relations_turning(from, as_of)?;
        let window = i64::from(graph.options().supply_window_days);
        let invoices = self.store.invoices_turning(from, as_of, window)?;
        if !graph.advance(as_of, &relations, &invoices) {
            return Ok(None);
        }
        tracing::info!(
            %from,
            to = %as_of,
            relations = relations.len(),
            invoices = invoices.len(),
            "graph moved to a later day"
        );
        self.save_graph(&graph);
        Ok(Some(graph))
    }

    fn save_graph(&self, graph: &EnterpriseGraph) {
        let path = self.graph_snapshot_path();
        if let Err(error) = graph.save_snapshot(&path) {
            tracing::warn!(%error, path = %path.display(), "cannot write graph snapshot");
            return;
        }
        if let Err(error) = self.store.prune_graph_changes(graph.stamp().seq) {
            tracing::warn!(%error, "cannot prune the graph change log");
        }
    }
}

/// What `reextract` did for one crawler.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReextractSummary {
    pub pages: usize,
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub rejected: usize,
    /// Pages whose archived copy is gone.
    pub missing: usize,
}

/// A workspace shared between the crawl engine and whoever else uses it (the server's
/// requests, the CLI). Each call holds the lock only for one store step.
#[derive(Clone)]
pub struct SharedWorkspace(Arc<Mutex<Workspace>>);

impl SharedWorkspace {
    pub fn new(workspace: Workspace) -> Self {
        SharedWorkspace(Arc::new(Mutex::new(workspace)))
    }

    pub fn lock(&self) -> std::sync::MutexGuard<'_, Workspace> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The workspace if nobody holds it now (a mining run, an import or a crawl may hold it
    /// for minutes).
    pub fn try_lock(&self) -> Option<std::sync::MutexGuard<'_, Workspace>> {
        match self.0.try_lock() {
            Ok(workspace) => Some(workspace),
            Err(std::sync::TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => None,
        }
    }
}

impl CrawlSink for SharedWorkspace {
    fn begin_run(&self, crawler: &str, run: &CrawlRun) -> Result<i64, String> {
        let workspace = self.lock();
        workspace.store.close_abandoned_crawl_runs(crawler).map_err(|e| e.to_string())?;
        workspace.store.begin_crawl_run(crawler, run).map_err(|e| e.to_string())
    }

    fn last_run(&self, crawler: &str) -> Result<Option<CrawlRun>, String> {
        Ok(self.lock().store.crawl_runs(crawler, 1).map_err(|e| e.to_string())?.into_iter().next())
    }

    fn page_state(&self, url: &str) -> Result<Option<PageState>, String> {
        self.lock().store.crawl_page(url).map_err(|e| e.to_string())
    }

    fn failures(&self, crawler: &str) -> Result<Vec<CrawlFailure>, String> {
        self.lock().store.crawl_failures(crawler).map_err(|e| e.to_string())
    }

    fn store_pages(&self, def: &CrawlerDef, pages: Vec<CrawledPage>) -> Result<Vec<StoredOutcome>, String> {
        self.lock().store_crawled(def, pages).map_err(|e| e.to_string())
    }

    fn refresh_page(&self, state: &PageState) -> Result<(), String> {
        self.lock().store.upsert_crawl_page(state).map_err(|e| e.to_string())
    }

    fn finish_run(
        &self,
        id: i64,
        crawler: &str,
        run: &CrawlRun,
        failures: &[CrawlFailure],
    ) -> Result<(), String> {
        self.lock().store.finish_crawl_run(id, crawler, run, failures).map_err(|e| e.to_string())
    }

    fn host_times(&self) -> Result<Vec<(String, i64)>, String> {
        self.lock().store.crawl_host_times().map_err(|e| e.to_string())
    }

    fn save_host_times(&self, times: &[(String, i64)]) -> Result<(), String> {
        self.lock().store.set_crawl_host_times(times).map_err(|e| e.to_string())
    }
}

/// A bank's own words for the tokenizer, from `<data>/userdict.txt` (jieba's format), beside
/// the built-in `dictionaries/`.
fn load_local_dictionary(dir: &Path) -> Result<()> {
    let path = dir.join("userdict.txt");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => {
            return Err(WorkspaceError::DataDir { path: path.display().to_string(), source: error })
        }
    };
    match crate::extract::tokenize::add_local_dictionary(&text) {
        Ok(()) => Ok(()),
        Err(crate::extract::tokenize::DictionaryError::AlreadyLoaded) => {
            tracing::warn!(path = %path.display(), "the tokenizer was already loaded; the data dir's dictionary applies from the next start");
            Ok(())
        }
        Err(error) => {
            Err(WorkspaceError::Config { path: path.display().to_string(), message: error.to_string() })
        }
    }
}

/// The privacy key: the config's, else `<data>/secret.key`, generated (0600) when absent.
fn load_privacy(dir: &Path, config: &Config) -> Result<Privacy> {
    if let Some(key) = &config.privacy.key {
        return Ok(Privacy::new(key.as_bytes().to_vec()));
    }
    let path = dir.join("secret.key");
    let wrap = |source| WorkspaceError::DataDir { path: path.display().to_string(), source };
    match std::fs::read_to_string(&path) {
        Ok(key) => return Ok(Privacy::new(key.trim().as_bytes().to_vec())),
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => return Err(wrap(error)),
        Err(_) => {}
    }
    let key = random_hex(64);
    write_owner_only(&path, key.as_bytes(), Replace::No).map_err(wrap)?;
    Ok(Privacy::new(key.into_bytes()))
}

/// `digits` random hexadecimal digits from the OS's generator: tokens and keys.
pub fn random_hex(digits: usize) -> String {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha20Rng::from_os_rng();
    (0..digits).map(|_| format!("{:x}", rng.random_range(0..16u8))).collect()
}

/// Whether [`write_owner_only`] may replace an existing file.
#[derive(Clone, Copy, PartialEq)]
enum Replace {
    Yes,
    /// Fail if the file exists (a key must never be overwritten).
    No,
}

/// Writes a file only its owner can read (mode 0600 on Unix, also when it existed before).
fn write_owner_only(path: &Path, bytes: &[u8], replace: Replace) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    match replace {
        Replace::Yes => options.create(true).truncate(true),
        Replace::No => options.create_new(true),
    };
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    std::io::Write::write_all(&mut file, bytes)
}

fn build_graph(snapshot: &Snapshot, options: BuildOptions) -> EnterpriseGraph {
    EnterpriseGraph::build(
        &snapshot.enterprises,
        &snapshot.persons,
        &snapshot.relations,
        &snapshot.records,
        options,
    )
}
