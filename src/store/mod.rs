//! The durable source of truth: SQLite at `<data>/oppgraph.db` by default, or a PostgreSQL
//! server several nodes share (`store = "postgres://…"`; see [`db`]).
//!
//! Invariant: everything else (the tantivy index, the graph) is derived from what is here and
//! can be rebuilt from it. Domain objects are stored as JSON next to the columns we look them up
//! by; the schema is versioned (SQLite's `PRAGMA user_version`, a `meta` row on PostgreSQL).

use crate::model::{
    Alert, Change, CrawlFailure, CrawlRun, Date, Enterprise, EnterpriseId, EnterpriseRef, Feedback,
    GraphVersion, Manager, Opportunity, OpportunityKind, OpportunityStatus, PageState, Person, Record,
    RecordKind, Relation, RunStatus, Tier,
};
use crate::resolve::Decision;
use db::{p, Db, Param, Row, ValueRef};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("postgres: {0}")]
    Postgres(#[from] postgres::Error),
    #[error("stored json is corrupt: {0}")]
    Json(#[from] serde_json::Error),
    #[error("database schema version {found} is newer than this build understands ({known})")]
    FutureSchema { found: i64, known: i64 },
    #[error("no opportunity with id {0}")]
    NoSuchOpportunity(String),
    #[error("store is corrupt: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Where a store lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite file (the default: `<data>/oppgraph.db`).
    File(PathBuf),
    /// A PostgreSQL server, by connection URL (`postgres://user@host:port/db`; a schema other
    /// than `public` with `?options=-csearch_path%3Dname`, made on first use).
    Postgres(String),
}

impl Location {
    /// `postgres://…` or `postgresql://…` is a server; anything else a SQLite file.
    pub fn parse(text: &str) -> Location {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Location::Postgres(text.to_string())
        } else {
            Location::File(PathBuf::from(text))
        }
    }

    /// The location for messages: a server's URL without its password.
    pub fn display(&self) -> String {
        match self {
            Location::File(path) => path.display().to_string(),
            Location::Postgres(url) => match (url.find("://"), url.rfind('@')) {
                (Some(scheme), Some(at)) if at > scheme => {
                    let credentials = &url[scheme + 3..at];
                    let user = credentials.split(':').next().unwrap_or_default();
                    format!("{}{user}@{}", &url[..scheme + 3], &url[at + 1..])
                }
                _ => url.clone(),
            },
        }
    }
}

pub struct Store {
    db: Db,
    /// The resolver the last import left, and the store state it reflects (see
    /// [`Store::take_resolver`]).
    resolver: Option<(ResolverStamp, crate::resolve::Resolver)>,
    /// The key of this store's open import in `meta` (see [`Store::open_import`]).
    import_lease: Option<String>,
    /// The open import began on an empty store: it logs no changes (see [`Store::open_import`]).
    first_load: bool,
    /// Checkpoints the WAL on another thread during an import or a mining run (SQLite; see
    /// [`Store::checkpoint_beside`]).
    checkpointer: Option<Checkpointer>,
}

/// A thread that copies the WAL back into the database beside an import or a mining run, on
/// a connection of its own, so that their commits only append to the WAL: checkpointing on the
/// writer's thread (SQLite's default, at the commit that crosses `wal_autocheckpoint`) was
/// most of the import's commit time, 5–6% of its main thread at 100k enterprises. The writer
/// turns its own checkpoints off meanwhile; a passive checkpoint never waits on it, and the
/// writer starts the WAL over once one has caught up, so the WAL stays a few commits long.
struct Checkpointer {
    /// Dropped to stop the thread.
    stop: std::sync::mpsc::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

impl Checkpointer {
    const EVERY: std::time::Duration = std::time::Duration::from_millis(200);

    fn start(path: &Path) -> Result<Checkpointer> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("oppgraph-checkpoint".into())
            .spawn(move || {
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(Self::EVERY) {
                    let done = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| row.get::<_, i64>(0));
                    if let Err(error) = done {
                        tracing::debug!(%error, "a checkpoint beside the writer failed; the next one retries");
                    }
                }
            })
            .map_err(|e| StoreError::Corrupt(format!("cannot start the checkpoint thread: {e}")))?;
        Ok(Checkpointer { stop, thread })
    }

    fn finish(self) {
        drop(self.stop);
        let _ = self.thread.join();
    }
}

/// WAL pages after which a commit checkpoints (outside imports and mining runs, see
/// [`Checkpointer`]).
const WAL_AUTOCHECKPOINT: i64 = 10_000;

/// Reads go through a memory map of the store file's first 2 GiB (SQLite's compile-time
/// ceiling, `SQLITE_MAX_MMAP_SIZE`; past it reads go through the file as before) instead of
/// being copied into the page cache; writes still go through the WAL. On the 100k bench's store
/// a first mining run used 7.4–7.5 s of user time against 8.4–8.6 s without the map (wall time
/// 11.6–11.9 s against 10.1–14.9 s, two runs each on a noisy machine, 2026-12-05).
const MMAP_SIZE: i64 = 0x7fff_0000;

/// An open import's lease in `meta` lapses this many seconds after its last commit: an
/// import killed midway stops holding back mining once it lapses.
pub const IMPORT_LEASE_SECS: i64 = 600;

/// How many enterprises [`Store::consistency_warnings`] looks up one by one before it reads
/// every relation once instead.
const SCAN_ABOVE: usize = 20_000;

/// What a resolver reflects: the graph version (every enterprise and relation write moves it)
/// and the latest human decision.
type ResolverStamp = (GraphVersion, Option<String>);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertReview {
    pub alert_id: String,
    pub reviewer: String,
    pub decision: String,
    pub note: Option<String>,
    pub at: String,
}

fn review_row(row: &Row<'_, '_>) -> Result<AlertReview> {
    Ok(AlertReview {
        alert_id: row.get(0)?,
        reviewer: row.get(1)?,
        decision: row.get(2)?,
        note: row.get(3)?,
        at: row.get(4)?,
    })
}

/// Which alerts a review queue lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertState {
    Pending,
    Reviewed,
    All,
}

/// An alert once, with every lead it touches (best first), its enterprise and its review.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertOnLeads {
    pub alert: Alert,
    pub opportunities: Vec<String>,
    pub enterprise: EnterpriseRef,
    pub review: Option<AlertReview>,
}

#[derive(Debug, Clone, Default)]
pub struct OpportunityFilter {
    pub manager: Option<String>,
    /// Also suppressed (duplicates, agencies, ...) and blocked leads.
    pub include_suppressed: bool,
    pub tier: Option<Tier>,
    pub kind: Option<OpportunityKind>,
    pub status: Option<OpportunityStatus>,
    /// Only leads due on or before this day.
    pub due_by: Option<Date>,
    /// Only leads on enterprises whose region contains this text (湖北, 宜昌市).
    pub region: Option<String>,
    pub enterprise: Option<EnterpriseId>,
    pub order: LeadOrder,
    pub limit: Option<usize>,
    pub offset: usize,
}

/// The order of a lead list; ties go by score, then id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadOrder {
    /// Best first.
    #[default]
    Score,
    /// Soonest due first.
    Due,
    /// Largest amount first.
    Amount,
}

impl OpportunityFilter {
    /// The SQL condition and its parameters; `with_tier` false leaves the tier out (counts
    /// per tier are counted under every other filter).
    fn condition(&self, with_tier: bool) -> (String, Vec<Param<'static>>) {
        // A blocked lead (risk policy, or a reviewer's block) is out of the working list too.
        let mut sql = String::from(if self.include_suppressed {
            "1 = 1"
        } else {
            "suppressed = 0 AND status <> 'blocked'"
        });
        let mut values: Vec<Param<'static>> = Vec::new();
        let mut add = |clause: &str, value: Param<'static>| {
            values.push(value);
            sql.push_str(&clause.replace('?', &format!("?{}", values.len())));
        };
        if let Some(manager) = &self.manager {
            add(" AND manager = ?", Param::Text(Cow::Owned(manager.clone())));
        }
        if let (Some(tier), true) = (self.tier, with_tier) {
            add(" AND tier = ?", Param::Text(Cow::Owned(tier.as_str().into())));
        }
        if let Some(kind) = self.kind {
            add(" AND kind = ?", Param::Text(Cow::Owned(kind.as_str().into())));
        }
        if let Some(status) = self.status {
            add(" AND status = ?", Param::Text(Cow::Owned(status.as_str().into())));
        }
        if let Some(due) = self.due_by {
            add(" AND due <= ?", Param::Text(Cow::Owned(due.to_string())));
        }
        if let Some(enterprise) = self.enterprise {
            add(" AND enterprise_id = ?", Param::Int(enterprise));
        }
        if let Some(region) = self.region.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            add(
                " AND enterprise_id IN (SELECT id FROM enterprises WHERE instr(region, ?) > 0)",
                Param::Text(Cow::Owned(region.to_string())),
            );
        }
        (sql, values)
    }
}

/// How many leads a filter finds, and how many of them are in each tier.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LeadCounts {
    pub total: u64,
    pub tiers: BTreeMap<String, u64>,
}

/// The most logged changes kept for the next mining run; past this it re-mines everything.
pub const MINING_BACKLOG: u64 = 200_000;

/// Which stored leads a mining run's result replaces.
#[derive(Debug, Clone, Copy)]
pub enum LeadScope<'a> {
    /// Every stored lead: a lead the run did not produce is gone.
    All,
    /// The leads on these enterprises (an incremental run re-mined just them).
    Of(&'a std::collections::HashSet<EnterpriseId>),
    /// As `Of`, within a run that goes on writing: no lead joins the outbox yet (the run
    /// queues what stands assigned at its end: [`Store::queue_assigned_leads`]).
    Slice(&'a std::collections::HashSet<EnterpriseId>),
}

/// What [`Store::replace_opportunities`] wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Written {
    /// Leads new or changed since the last run.
    pub written: usize,
    /// Leads the run no longer produced, dropped.
    pub dropped: usize,
}

/// Everything mining and the graph need, loaded in one go.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub enterprises: Vec<Enterprise>,
    pub persons: Vec<Person>,
    pub relations: Vec<Relation>,
    pub records: Vec<Record>,
    pub managers: Vec<Manager>,
    pub feedback: Vec<Feedback>,
}

/// A row the graph is built from (see [`Store::graph_rows`]).
pub enum GraphRow {
    Enterprise(Enterprise),
    Person(Person),
    Relation(Relation),
    Record(Record),
}

/// Queues every live new lead with a manager. `suppressed + 0` and `status || ''` keep SQLite
/// off `opportunities_filters`: through it, every live new lead was looked up in the table for
/// its manager, a random read each. At 5M enterprises (7.5M such leads, 5,000 of them assigned)
/// that took up to the last 10 minutes of a first mining run; read from an index that holds
/// the manager, 5 s (2026-12-05).
const QUEUE: &str = "INSERT OR IGNORE INTO outbox(opportunity_id, manager, enterprise_id, queued_at, state)
     SELECT id, manager, enterprise_id, ?1, 'queued' FROM opportunities
     WHERE suppressed + 0 = 0 AND status || '' = 'new' AND manager IS NOT NULL";

/// Queues the live, new leads with a manager — every one, or those with an id in `only` — that
/// are not in the outbox: a lead already queued (or sent) is never queued again by a later run.
fn queue_assigned(db: &Db, queued_at: i64, only: Option<&[&str]>) -> Result<()> {
    let Some(ids) = only else {
        return db.execute(QUEUE, p![queued_at]).map(drop);
    };
    let sql = format!("{QUEUE} AND id IN ({{in}})");
    remine::in_chunks(&sql, &[Param::Int(queued_at)], ids, |sql, params| db.execute(sql, params)).map(drop)
}

/// Folds the lead tally's rows of +1 and -1 into one row per group (a write of many leads
/// leaves as many rows), inside the write's transaction. On PostgreSQL the rows summed are the
/// rows deleted, in one statement: writers that only insert (feedback) never wait on it.
fn fold_lead_tally(db: &Db) -> Result<()> {
    match db.backend() {
        Backend::Sqlite => db.batch(
            "CREATE TEMP TABLE IF NOT EXISTS lead_tally_folded AS SELECT * FROM lead_tally WHERE 0;
             INSERT INTO lead_tally_folded
                 SELECT manager, suppressed, status, tier, kind, SUM(n) FROM lead_tally
                 GROUP BY 1, 2, 3, 4, 5 HAVING SUM(n) <> 0;
             DELETE FROM lead_tally;
             INSERT INTO lead_tally SELECT * FROM lead_tally_folded;
             DELETE FROM lead_tally_folded;",
        ),
        Backend::Postgres => db.batch(
            "WITH gone AS (DELETE FROM lead_tally RETURNING *)
             INSERT INTO lead_tally
                 SELECT manager, suppressed, status, tier, kind, SUM(n) FROM gone
                 GROUP BY 1, 2, 3, 4, 5 HAVING SUM(n) <> 0",
        ),
    }
}

/// Indexes the names and aliases of enterprises by their trigrams (`enterprise_names`,
/// SQLite): those `written` since the last commit (those among them that were indexed before,
/// `updated`, lose their old entry first), or every enterprise when `written` is `None`. One
/// statement, so FTS5 writes them as one segment.
fn index_enterprise_names(db: &Db, written: Option<(&[EnterpriseId], &[EnterpriseId])>) -> Result<()> {
    const NAMES: &str =
        "SELECT id, name || char(10) || coalesce(json_extract(data, '$.aliases'), '') FROM enterprises";
    let Some((written, updated)) = written else {
        return db.execute(&format!("INSERT INTO enterprise_names(rowid, names) {NAMES}"), &[]).map(drop);
    };
    if !updated.is_empty() {
        db.execute(
            "DELETE FROM enterprise_names WHERE rowid IN (SELECT value FROM json_each(?1))",
            p![serde_json::to_string(updated)?],
        )?;
    }
    db.execute(
        &format!("INSERT INTO enterprise_names(rowid, names) {NAMES} WHERE id IN (SELECT value FROM json_each(?1))"),
        p![serde_json::to_string(written)?],
    )?;
    Ok(())
}

/// A counter or id kept in the `meta` table.
fn meta(db: &Db, key: &str) -> Result<i64> {
    db.query_one("SELECT value FROM meta WHERE key = ?1", p![key], |row| row.get(0))
}

fn graph_version(db: &Db) -> Result<GraphVersion> {
    let store_id = meta(db, "store_id")?;
    // SQLite numbers logged changes with AUTOINCREMENT; PostgreSQL with a `meta` counter the
    // write transaction moves (a sequence would show numbers of changes not yet committed).
    let seq: Option<i64> = match db.backend() {
        Backend::Sqlite => {
            db.query_opt("SELECT seq FROM sqlite_sequence WHERE name = 'graph_changes'", &[], |row| {
                row.get(0)
            })?
        }
        Backend::Postgres => Some(meta(db, "graph_seq")?),
    };
    Ok(GraphVersion { store_id: store_id as u64, seq: seq.unwrap_or(0) as u64 })
}

/// A JSON member of a text column, by path (`from.Enterprise`), in the backend's SQL: text on
/// PostgreSQL unless `cast` names a type, SQLite's JSON value otherwise.
fn json(db: &Db, column: &str, path: &str, cast: Option<&str>) -> String {
    match db.backend() {
        Backend::Sqlite => format!("json_extract({column}, '$.{path}')"),
        Backend::Postgres => {
            let text = format!("({column}::jsonb #>> '{{{}}}')", path.replace('.', ","));
            match cast {
                Some(ty) => format!("{text}::{ty}"),
                None => text,
            }
        }
    }
}

fn decode_change(what: &str, old: Option<&str>, new: &str) -> Result<Change> {
    fn parse<T: serde::de::DeserializeOwned>(old: Option<&str>, new: &str) -> Result<(Option<T>, T)> {
        Ok((old.map(serde_json::from_str).transpose()?, serde_json::from_str(new)?))
    }
    Ok(match what {
        "enterprise" => parse(old, new).map(|(old, new)| Change::Enterprise { old, new })?,
        "person" => parse(old, new).map(|(old, new)| Change::Person { old, new })?,
        "relation" => parse(old, new).map(|(old, new)| Change::Relation { old, new })?,
        "record" => parse(old, new).map(|(old, new)| Change::Record { old, new })?,
        other => return Err(StoreError::Corrupt(format!("unknown graph change {other:?}"))),
    })
}

mod copy;
pub(crate) mod db;
mod lead;
mod outbox;
mod remine;
mod schema;
mod tx;
pub use copy::Copied;
pub use db::Backend;
pub use lead::Leadership;
pub use outbox::OutboxDepth;
pub use remine::{Invoices, MiningMark, Standing, Turned, UNFINISHED_RUN};
use schema::{MIGRATIONS, POSTGRES_MIGRATIONS};
pub use tx::{RowMark, StoreTx, Upsert};
mod watch;
pub use watch::LoggedChanges;

fn now_text() -> String {
    chrono::Local::now().format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string()
}

impl Store {
    /// A store over an open connection, with nothing kept or open yet.
    fn over(db: Db) -> Store {
        Store { db, resolver: None, import_lease: None, first_load: false, checkpointer: None }
    }

    /// Opens (creating and migrating as needed) the store at `location`.
    pub fn open_at(location: &Location) -> Result<Store> {
        match location {
            Location::File(path) => Store::open(path),
            Location::Postgres(url) => Store::init_postgres(Db::connect_postgres(url)?),
        }
    }

    /// A connection for readers beside the writer; runs no migrations.
    pub fn open_reader(location: &Location) -> Result<Store> {
        match location {
            Location::File(path) => Store::open_read_only(path),
            Location::Postgres(url) => {
                let db = Db::connect_postgres(url)?;
                db.batch("SET default_transaction_read_only = on")?;
                let store = Store::over(db);
                store.check_schema()?;
                Ok(store)
            }
        }
    }

    pub fn open(path: &Path) -> Result<Store> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "mmap_size", MMAP_SIZE)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // An import keeps one savepoint per row (a rejected row rolls back alone): its
        // statement journal stays in memory instead of a temp file written for every row.
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        // Up to 1 GiB of page cache, taken only as pages are read. The default 2 MiB (and the
        // 64 MiB this had) spills dirty pages mid-transaction: on a store larger than memory, a
        // mining run's write then spends its time re-reading index pages it had just written
        // and looking them up in a WAL grown to gigabytes (`perf` at 5M enterprises). The WAL is
        // checkpointed every 40 MB rather than every 4 MB.
        conn.pragma_update(None, "cache_size", -1024 * 1024)?;
        conn.pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT)?;
        // A large write (a file of millions of rows is one transaction) grows the WAL to its
        // size; once checkpointed, the file is cut back to 64 MiB instead of keeping that disk.
        conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
        // Writers take turns (WAL has one writer): a crawl or import in one process waits for a
        // mining run's write in another rather than failing.
        conn.busy_timeout(std::time::Duration::from_secs(300))?;
        let mut store = Self::init(conn)?;
        // A first load that was killed left indexes out (see `Store::open_import`).
        if store.imports_open()? == 0 {
            store.build_deferred_indexes()?;
        }
        Ok(store)
    }

    /// A read-only connection to an existing store, for readers beside the writer (WAL lets
    /// them read while it writes). Runs no migrations.
    pub fn open_read_only(path: &Path) -> Result<Store> {
        use rusqlite::OpenFlags;
        let flags =
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "mmap_size", MMAP_SIZE)?;
        let store = Store::over(Db::Sqlite(conn));
        store.check_schema()?;
        Ok(store)
    }

    fn check_schema(&self) -> Result<()> {
        let version = self.schema_version()?;
        let known = self.migrations().len() as i64;
        if version != known {
            return Err(StoreError::Corrupt(format!(
                "store schema is version {version}, this build reads {known}"
            )));
        }
        Ok(())
    }

    pub fn open_in_memory() -> Result<Store> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> Result<Store> {
        // An import runs some twenty statements per row (one upsert per kind, its savepoint,
        // the change log, record parties): all of them stay parsed.
        conn.set_prepared_statement_cache_capacity(64);
        let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::FutureSchema { found: version, known });
        }
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", index as i64 + 1)?;
            tx.commit()?;
        }
        let store = Store::over(Db::Sqlite(conn));
        store.refresh_lead_format()?;
        Ok(store)
    }

    /// Migrates a PostgreSQL store under the write lock, so nodes starting together migrate
    /// once.
    fn init_postgres(db: Db) -> Result<Store> {
        let store = Store::over(db);
        let tx = store.db.begin_write()?;
        let version = store.schema_version()?;
        let known = POSTGRES_MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::FutureSchema { found: version, known });
        }
        for (index, sql) in POSTGRES_MIGRATIONS.iter().enumerate().skip(version as usize) {
            store.db.batch(sql)?;
            store
                .db
                .execute("UPDATE meta SET value = ?1 WHERE key = 'schema_version'", p![index as i64 + 1])?;
        }
        tx.commit()?;
        store.refresh_lead_format()?;
        Ok(store)
    }

    fn migrations(&self) -> &'static [&'static str] {
        match self.db.backend() {
            Backend::Sqlite => MIGRATIONS,
            Backend::Postgres => POSTGRES_MIGRATIONS,
        }
    }

    /// Which server this store is on.
    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// The version of the data the graph is derived from: the sequence number of the last
    /// logged change (0 before any), with this store's id.
    pub fn graph_version(&self) -> Result<GraphVersion> {
        graph_version(&self.db)
    }

    /// Everything the graph is built from, with the version it is at, read in one transaction.
    pub fn graph_sources(&self) -> Result<(Snapshot, GraphVersion)> {
        let tx = self.db.begin_read()?;
        let version = graph_version(&self.db)?;
        let snapshot = self.snapshot()?;
        tx.commit()?;
        Ok((snapshot, version))
    }

    /// Every row the graph is built from, handed to `visit` one at a time in the order
    /// [`crate::graph::GraphBuilder`] takes them (enterprises and persons by id, relations and
    /// records by key), with the version they reflect: the store is never held in memory
    /// whole. Only the records that can make an edge are read (awards, pledges, invoices).
    pub fn graph_rows(&self, visit: &mut dyn FnMut(GraphRow)) -> Result<GraphVersion> {
        let tx = self.db.begin_read()?;
        let version = graph_version(&self.db)?;
        let json = |row: &Row<'_, '_>| -> Result<String> { row.get(0) };
        self.db.query_each("SELECT data FROM enterprises ORDER BY id", &[], |row| {
            visit(GraphRow::Enterprise(serde_json::from_str(&json(row)?)?));
            Ok(())
        })?;
        // Keys in byte order, as `json_rows_by_key` sorts them (PostgreSQL's collation may
        // differ unless told).
        let bytes = match self.db.backend() {
            Backend::Sqlite => "",
            Backend::Postgres => r#" COLLATE "C""#,
        };
        self.db.query_each(&format!("SELECT data FROM persons ORDER BY id{bytes}"), &[], |row| {
            visit(GraphRow::Person(serde_json::from_str(&json(row)?)?));
            Ok(())
        })?;
        self.db.query_each(&format!("SELECT data FROM relations ORDER BY key{bytes}"), &[], |row| {
            visit(GraphRow::Relation(serde_json::from_str(&json(row)?)?));
            Ok(())
        })?;
        // No kind is a prefix of another: (kind, id) order is the order of `kind␟id`.
        let records = format!(
            "SELECT data FROM records WHERE kind IN ('tender', 'pledge', 'invoice') ORDER BY kind{bytes}, id{bytes}"
        );
        self.db.query_each(&records, &[], |row| {
            visit(GraphRow::Record(serde_json::from_str(&json(row)?)?));
            Ok(())
        })?;
        tx.commit()?;
        Ok(version)
    }

    /// The changes after version `after`, oldest first, and the version they lead to; `None`
    /// when the log no longer reaches back that far, `after` is ahead of the log, or more than
    /// `max` changes are pending (a rebuild is cheaper then).
    pub fn graph_changes_after(&self, after: u64, max: u64) -> Result<(GraphVersion, Option<Vec<Change>>)> {
        let tx = self.db.begin_read()?;
        let version = graph_version(&self.db)?;
        let pruned = meta(&self.db, "graph_changes_pruned")?;
        if after < pruned as u64 || after > version.seq || version.seq - after > max {
            return Ok((version, None));
        }
        let changes = self.db.query(
            "SELECT what, old, new FROM graph_changes WHERE seq > ?1 ORDER BY seq",
            p![after as i64],
            |row| {
                let (what, old, new): (String, Option<String>, String) =
                    (row.get(0)?, row.get(1)?, row.get(2)?);
                decode_change(&what, old.as_deref(), &new)
            },
        )?;
        tx.commit()?;
        Ok((version, Some(changes)))
    }

    /// Forgets logged changes up to `seq` (a snapshot at `seq` or later holds them), but
    /// never those a watch has not been told about yet, nor those the next mining run reads
    /// to re-mine only what changed (unless more than [`MINING_BACKLOG`] wait: that run
    /// re-mines everything then).
    pub fn prune_graph_changes(&self, seq: u64) -> Result<()> {
        let tx = self.db.begin_write()?;
        let watched: Option<i64> =
            self.db.query_one("SELECT MIN(since) FROM watchlist", &[], |row| row.get(0))?;
        let seq = watched.map_or(seq, |w| seq.min(w.max(0) as u64));
        let seq = match self.mined_seq()? {
            Some(mined) if seq.saturating_sub(mined) <= MINING_BACKLOG => seq.min(mined),
            _ => seq,
        };
        self.db.execute("DELETE FROM graph_changes WHERE seq <= ?1", p![seq as i64])?;
        self.db.execute(
            "UPDATE meta SET value = CASE WHEN value > ?1 THEN value ELSE ?1 END
             WHERE key = 'graph_changes_pruned'",
            p![seq as i64],
        )?;
        tx.commit()
    }

    pub fn schema_version(&self) -> Result<i64> {
        match &self.db {
            Db::Sqlite(conn) => Ok(conn.pragma_query_value(None, "user_version", |row| row.get(0))?),
            Db::Postgres(_) => {
                let exists: Option<String> =
                    self.db.query_one("SELECT to_regclass('meta')::text", &[], |row| row.get(0))?;
                if exists.is_none() {
                    return Ok(0);
                }
                Ok(self
                    .db
                    .query_opt("SELECT value FROM meta WHERE key = 'schema_version'", &[], |row| row.get(0))?
                    .unwrap_or(0))
            }
        }
    }

    /// Starts a write transaction; nothing is visible until [`StoreTx::commit`]. It takes the
    /// write lock at once (waiting for another writer, in any process, for up to the busy
    /// timeout): a transaction that read first and wrote later would fail outright when
    /// another process wrote in between.
    pub fn begin(&mut self) -> Result<StoreTx<'_>> {
        Ok(StoreTx {
            tx: self.db.begin_write()?,
            db: &self.db,
            record_seq: None,
            graph_seq: None,
            enterprise_id: None,
            lease: self.import_lease.as_deref(),
            named: Vec::new(),
            renamed: Vec::new(),
            unlogged: self.first_load.then_some(0),
        })
    }

    pub fn enterprises(&self) -> Result<Vec<Enterprise>> {
        self.json_rows("SELECT data FROM enterprises ORDER BY id", &[])
    }

    pub fn enterprise(&self, id: EnterpriseId) -> Result<Option<Enterprise>> {
        self.json_row("SELECT data FROM enterprises WHERE id = ?1", p![id])
    }

    /// Whether an enterprise has this id.
    pub fn has_enterprise(&self, id: EnterpriseId) -> Result<bool> {
        Ok(self
            .db
            .query_opt("SELECT 1 FROM enterprises WHERE id = ?1", p![id], |row| row.get::<i64>(0))?
            .is_some())
    }

    /// The enterprise registered under this 统一社会信用代码, if any.
    pub fn enterprise_with_uscc(&self, uscc: &str) -> Result<Option<EnterpriseId>> {
        self.db.query_opt("SELECT id FROM enterprises WHERE uscc = ?1", p![uscc], |row| row.get(0))
    }

    /// Up to `limit * 20` candidates for enterprises whose name or an alias contains `needle`
    /// (normalised by the caller's rules), or whose code is `needle`. SQL narrows; the caller
    /// checks and ranks. On SQLite a needle of three characters or more is looked up by its
    /// trigrams (`enterprise_names`); shorter ones, and PostgreSQL, scan until enough match.
    pub fn find_enterprises(&self, needle: &str, limit: usize) -> Result<Vec<Enterprise>> {
        let candidates = (limit * 20) as i64;
        let chars: Vec<char> = needle.chars().collect();
        if self.db.backend() == Backend::Sqlite && chars.len() >= 3 {
            // Each trigram on its own: with `detail=none` the index knows which names hold a
            // trigram, not where, so a phrase cannot be asked for.
            let trigrams: Vec<String> = chars
                .windows(3)
                .map(|w| format!("\"{}\"", w.iter().collect::<String>().replace('"', "\"\"")))
                .collect();
            return self.json_rows(
                "SELECT data FROM enterprises WHERE uscc = ?1
                 UNION
                 SELECT e.data FROM enterprise_names n JOIN enterprises e ON e.id = n.rowid
                 WHERE enterprise_names MATCH ?2 AND (instr(e.name, ?1) > 0 OR instr(e.data, ?1) > 0)
                 LIMIT ?3",
                p![needle, trigrams.join(" AND "), candidates],
            );
        }
        self.json_rows(
            "SELECT data FROM enterprises WHERE uscc = ?1 OR instr(name, ?1) > 0 OR instr(data, ?1) > 0 LIMIT ?2",
            p![needle, candidates],
        )
    }

    pub fn count(&self, table: Table) -> Result<i64> {
        let sql = format!("SELECT count(*) FROM {}", table.name());
        self.db.query_one(&sql, &[], |row| row.get(0))
    }

    pub fn persons(&self) -> Result<Vec<Person>> {
        self.json_rows("SELECT data FROM persons ORDER BY id", &[])
    }

    /// Every relation, by key.
    pub fn relations(&self) -> Result<Vec<Relation>> {
        self.json_rows_by_key("SELECT key, data FROM relations")
    }

    /// The sequence number of the last record write (0 before any).
    pub fn record_seq(&self) -> Result<u64> {
        let seq = meta(&self.db, "record_seq")?;
        Ok(seq.max(0) as u64)
    }

    /// Up to `limit` records written after sequence number `after`, oldest write first, each
    /// with its number.
    pub fn records_after(&self, after: u64, limit: usize) -> Result<Vec<(u64, Record)>> {
        self.db.query(
            "SELECT seq, data FROM records WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            p![after as i64, limit as i64],
            |row| {
                let (seq, data): (i64, String) = (row.get(0)?, row.get(1)?);
                Ok((seq as u64, serde_json::from_str(&data)?))
            },
        )
    }

    /// Every record with the record sequence number they reflect, read in one transaction.
    pub fn records_with_seq(&self) -> Result<(Vec<Record>, u64)> {
        let tx = self.db.begin_read()?;
        let seq = self.record_seq()?;
        let records = self.records()?;
        tx.commit()?;
        Ok((records, seq))
    }

    /// Every record, by kind and id.
    pub fn records(&self) -> Result<Vec<Record>> {
        self.json_rows_by_key("SELECT kind || char(31) || id, data FROM records")
    }

    pub fn record(&self, kind: RecordKind, id: &str) -> Result<Option<Record>> {
        self.json_row("SELECT data FROM records WHERE kind = ?1 AND id = ?2", p![kind.as_str(), id])
    }

    /// The records naming `enterprise` (as any party, or a risk event's subject), newest first;
    /// invoices only if `invoices`.
    pub fn records_of(&self, enterprise: EnterpriseId, invoices: bool, limit: usize) -> Result<Vec<Record>> {
        self.json_rows(
            "SELECT r.data FROM record_parties p JOIN records r ON r.kind = p.kind AND r.id = p.id
             WHERE p.enterprise_id = ?1 AND (?2 OR p.kind <> 'invoice')
             ORDER BY r.published DESC, r.kind, r.id LIMIT ?3",
            p![enterprise, invoices, limit as i64],
        )
    }

    pub fn managers(&self) -> Result<Vec<Manager>> {
        self.json_rows("SELECT data FROM managers ORDER BY id", &[])
    }

    /// All feedback, oldest first.
    pub fn feedback(&self) -> Result<Vec<Feedback>> {
        self.feedback_where("1 = 1", &[])
    }

    /// The feedback given on one lead, oldest first.
    pub fn feedback_on(&self, opportunity: &str) -> Result<Vec<Feedback>> {
        self.feedback_where("opportunity_id = ?1", p![opportunity])
    }

    fn feedback_where(&self, condition: &str, params: &[Param<'_>]) -> Result<Vec<Feedback>> {
        let sql = format!(
            "SELECT opportunity_id, actor, status, reason, note, at FROM feedback WHERE {condition} ORDER BY seq"
        );
        self.db.query(&sql, params, |row| {
            let status: String = row.get(2)?;
            Ok(Feedback {
                opportunity_id: row.get(0)?,
                actor: row.get(1)?,
                status: OpportunityStatus::parse(&status).unwrap_or_default(),
                reason: row.get(3)?,
                note: row.get(4)?,
                at: row.get(5)?,
            })
        })
    }

    pub fn snapshot(&self) -> Result<Snapshot> {
        Ok(Snapshot {
            enterprises: self.enterprises()?,
            persons: self.persons()?,
            relations: self.relations()?,
            records: self.records()?,
            managers: self.managers()?,
            feedback: self.feedback()?,
        })
    }

    /// The JSON column `data` of every row `sql` selects with `params`, decoded.
    fn json_rows<T: serde::de::DeserializeOwned>(&self, sql: &str, params: &[Param<'_>]) -> Result<Vec<T>> {
        self.db.query(sql, params, |row| Ok(serde_json::from_str(&row.get::<String>(0)?)?))
    }

    /// The JSON column of the first row `sql` selects, decoded.
    fn json_row<T: serde::de::DeserializeOwned>(&self, sql: &str, params: &[Param<'_>]) -> Result<Option<T>> {
        self.db.query_opt(sql, params, |row| Ok(serde_json::from_str(&row.get::<String>(0)?)?))
    }

    /// The JSON column of every row `sql` selects as (key, data), decoded, in key order. The
    /// rows are read in table order and sorted here: `ORDER BY` a key would walk its index and
    /// fetch each row from wherever the table keeps it, a random read per row once the table
    /// outgrows the page cache (a third of a re-mine's time at 100,000 enterprises).
    fn json_rows_by_key<T: serde::de::DeserializeOwned>(&self, sql: &str) -> Result<Vec<T>> {
        let mut rows: Vec<(String, String)> =
            self.db.query(sql, &[], |row| Ok((row.get(0)?, row.get(1)?)))?;
        // Byte order, as SQLite compares text (PostgreSQL's collation may differ).
        rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        rows.into_iter().map(|(_, data)| Ok(serde_json::from_str(&data)?)).collect()
    }

    /// Opportunities in the filter's order (best first by default).
    pub fn opportunities(&self, filter: &OpportunityFilter) -> Result<Vec<Opportunity>> {
        let (sql, values) = self.opportunities_query(filter);
        self.db.query(&sql, &values, |row| decode_opportunity(&row.get::<String>(0)?, &row.get::<String>(1)?))
    }

    /// What [`Store::opportunities`] finds, as one JSON array: each lead's stored JSON handed
    /// out as it is, with its status spliced in, rather than decoded and encoded again (which
    /// was most of a list request's time). Stored leads are in this build's shape (see
    /// [`LEAD_FORMAT`]); a store not yet brought to it is decoded lead by lead.
    pub fn opportunities_json(&self, filter: &OpportunityFilter) -> Result<String> {
        let (sql, values) = self.opportunities_query(filter);
        let raw = self.lead_format()? == Some(LEAD_FORMAT);
        // Each row is spliced into the list as it is read, from the row's own bytes, into room
        // for a page of typical leads (~3 KB each) so the list is not copied as it grows.
        let mut out = String::with_capacity(filter.limit.unwrap_or(50).min(1000) * 3072);
        out.push('[');
        self.db.query_each(&sql, &values, |row| {
            let (ValueRef::Text(data), ValueRef::Text(status)) = (row.value(0)?, row.value(1)?) else {
                return Err(StoreError::Corrupt("a lead without data or status".into()));
            };
            if out.len() > 1 {
                out.push(',');
            }
            let status = OpportunityStatus::parse(status).unwrap_or_default();
            if !(raw && splice_status(data, status.as_str(), &mut out)) {
                out.push_str(&serde_json::to_string(&decode_opportunity(data, status.as_str())?)?);
            }
            Ok(())
        })?;
        out.push(']');
        Ok(out)
    }

    /// The statement listing the leads `filter` finds, in its order, one page.
    fn opportunities_query(&self, filter: &OpportunityFilter) -> (String, Vec<Param<'static>>) {
        let (condition, values) = filter.condition(true);
        // Text in byte order on either backend, so both list leads alike.
        let (id, due) = match self.db.backend() {
            Backend::Sqlite => ("id", "due"),
            Backend::Postgres => ("id COLLATE \"C\"", "due COLLATE \"C\""),
        };
        let order = match filter.order {
            LeadOrder::Score => format!("suppressed, score DESC, {id}"),
            LeadOrder::Due => format!("due IS NULL, {due}, score DESC, {id}"),
            LeadOrder::Amount => format!("amount IS NULL, amount DESC, score DESC, {id}"),
        };
        let sql = match (self.db.backend(), filter.limit) {
            // The page is chosen on the narrow columns first; only its rows' JSON is read.
            (Backend::Sqlite, limit) => format!(
                "SELECT data, status FROM opportunities WHERE rowid IN (
                   SELECT rowid FROM opportunities WHERE {condition} ORDER BY {order} LIMIT {} OFFSET {})
                 ORDER BY {order}",
                limit.map_or(-1, |l| l as i64),
                filter.offset
            ),
            (Backend::Postgres, limit) => format!(
                "SELECT data, status FROM opportunities WHERE {condition} ORDER BY {order} LIMIT {} OFFSET {}",
                limit.map_or("ALL".to_string(), |l| l.to_string()),
                filter.offset
            ),
        };
        (sql, values)
    }

    /// The shape the stored leads are in (`None` before a writer of this build opened the store).
    fn lead_format(&self) -> Result<Option<i64>> {
        self.db.query_opt("SELECT value FROM meta WHERE key = 'lead_format'", &[], |row| row.get(0))
    }

    /// Brings every stored lead to this build's JSON shape, once per [`LEAD_FORMAT`]: each is
    /// decoded (filling what an older build did not write) and encoded again.
    fn refresh_lead_format(&self) -> Result<()> {
        if self.lead_format()? == Some(LEAD_FORMAT) {
            return Ok(());
        }
        let tx = self.db.begin_write()?;
        if self.lead_format()? != Some(LEAD_FORMAT) {
            let mut after = String::new();
            loop {
                let page: Vec<(String, String, String)> = self.db.query(
                    "SELECT id, data, status FROM opportunities WHERE id > ?1 ORDER BY id LIMIT 5000",
                    p![after],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                )?;
                let Some((last, _, _)) = page.last() else { break };
                after = last.clone();
                for (id, data, _) in &page {
                    let (fresh, digest) = encode_lead(&serde_json::from_str(data)?)?;
                    if fresh != *data {
                        self.db.execute(
                            "UPDATE opportunities SET data = ?2, digest = ?3 WHERE id = ?1",
                            p![id, fresh, digest],
                        )?;
                    }
                }
            }
            self.db.execute(
                "INSERT INTO meta(key, value) VALUES ('lead_format', ?1)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                p![LEAD_FORMAT],
            )?;
        }
        tx.commit()
    }

    /// How many leads the filter finds (paging aside), and how many per tier under every
    /// other filter.
    ///
    /// Filters on manager, tier, kind and status are read from the lead tally (a few hundred
    /// rows, whatever the number of leads); a due date, region or enterprise needs the leads.
    pub fn opportunity_counts(&self, filter: &OpportunityFilter) -> Result<LeadCounts> {
        let tallied = filter.due_by.is_none() && filter.region.is_none() && filter.enterprise.is_none();
        self.counts_from(tallied, filter)
    }

    /// [`Store::opportunity_counts`] by reading every lead the filter finds, never the tally:
    /// what the tally must agree with.
    #[doc(hidden)]
    pub fn opportunity_counts_by_scan(&self, filter: &OpportunityFilter) -> Result<LeadCounts> {
        self.counts_from(false, filter)
    }

    /// Counts from the lead tally's rows, or else from the leads.
    fn counts_from(&self, tallied: bool, filter: &OpportunityFilter) -> Result<LeadCounts> {
        let (condition, values) = filter.condition(false);
        let (table, n) = if tallied { ("lead_tally", "SUM(n)") } else { ("opportunities", "COUNT(*)") };
        let sql = format!(
            "SELECT tier, CAST({n} AS BIGINT) FROM {table} WHERE {condition} GROUP BY tier HAVING {n} <> 0"
        );
        let rows: Vec<(String, i64)> = self.db.query(&sql, &values, |row| Ok((row.get(0)?, row.get(1)?)))?;
        let mut counts = LeadCounts::default();
        for (tier, n) in rows {
            let n = n as u64;
            if filter.tier.is_none_or(|t| t.as_str() == tier) {
                counts.total += n;
            }
            counts.tiers.insert(tier, n);
        }
        Ok(counts)
    }

    pub fn opportunity(&self, id: &str) -> Result<Option<Opportunity>> {
        self.db.query_opt("SELECT data, status FROM opportunities WHERE id = ?1", p![id], |row| {
            decode_opportunity(&row.get::<String>(0)?, &row.get::<String>(1)?)
        })
    }

    /// Inconsistencies worth a warning after an import, in words, among `enterprises` and the
    /// enterprises `persons` are legal representatives of: enterprises whose current
    /// shareholdings add up to more than 100%, and enterprises whose `legal_rep` column names
    /// someone else than their legal-representative relation. At most `limit` examples each.
    /// The checks read only those enterprises' relations, so a daily import costs what it
    /// touched, not the whole store.
    pub fn consistency_warnings(
        &self,
        limit: usize,
        enterprises: &BTreeSet<EnterpriseId>,
        persons: &BTreeSet<String>,
    ) -> Result<Vec<String>> {
        let db = &self.db;
        let mut scope: BTreeSet<EnterpriseId> = enterprises.clone();
        if !persons.is_empty() {
            // Renamed persons are few; one pass over the legal representatives finds theirs.
            let represented: Vec<(i64, Option<String>)> = db.query(
                &format!(
                    "SELECT to_id, {} FROM relations WHERE kind = 'legal_rep'",
                    json(db, "data", "from.Person", None)
                ),
                &[],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?;
            scope.extend(
                represented
                    .into_iter()
                    .filter(|(_, person)| person.as_ref().is_some_and(|p| persons.contains(p)))
                    .map(|(id, _)| id),
            );
        }
        let mut out = Vec::new();
        let mut over: Vec<(String, f64, i64)> = self.rows_about(
            &format!(
                "SELECT s.to_id, e.name, s.total, s.holders FROM (
                   SELECT to_id, SUM({}) AS total, COUNT(*) AS holders FROM relations
                   WHERE {{scope}} AND kind = 'shareholder' AND end_on IS NULL GROUP BY to_id
                 ) s JOIN enterprises e ON e.id = s.to_id WHERE s.total > 1.0001",
                json(db, "data", "share", Some("float8")),
            ),
            "to_id",
            &scope,
            |row| Ok((row.get(0)?, (row.get(1)?, row.get(2)?, row.get(3)?))),
        )?;
        over.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        if !over.is_empty() {
            let examples: Vec<String> = over
                .iter()
                .take(limit)
                .map(|(name, total, holders)| {
                    format!("{name} ({:.1}% over {holders} holders)", total * 100.0)
                })
                .collect();
            out.push(format!(
                "{} enterprises have shareholdings adding up to more than 100%: {}",
                over.len(),
                examples.join("; ")
            ));
        }
        let declared = json(db, "e.data", "legal_rep", None);
        let related = json(db, "p.data", "name", None);
        let differ: Vec<(String, String, String)> = self.rows_about(
            &format!(
                "SELECT r.to_id, e.name, {declared}, {related}
                 FROM relations r JOIN enterprises e ON e.id = r.to_id
                 JOIN persons p ON p.id = {}
                 WHERE {{scope}} AND r.kind = 'legal_rep' AND r.end_on IS NULL
                   AND {declared} IS NOT NULL AND {declared} <> {related}",
                json(db, "r.data", "from.Person", None),
            ),
            "r.to_id",
            &scope,
            |row| Ok((row.get(0)?, (row.get(1)?, row.get(2)?, row.get(3)?))),
        )?;
        if !differ.is_empty() {
            let examples: Vec<String> = differ
                .iter()
                .take(limit)
                .map(|(name, declared, related)| format!("{name}: {declared} vs {related}"))
                .collect();
            out.push(format!(
                "{} enterprises name another legal representative than their legal_rep relation: {}",
                differ.len(),
                examples.join("; ")
            ));
        }
        Ok(out)
    }

    /// The rows `sql` gives about the enterprises in `scope` (`f` reads each row's enterprise
    /// id and the rest), its `{scope}` standing for the condition that `column` is one of
    /// them. A few enterprises are looked up by index, in chunks; past [`SCAN_ABOVE`] (a first
    /// import touches every enterprise) one pass over the table costs less than the lookups,
    /// and rows outside the scope are dropped here.
    fn rows_about<T>(
        &self,
        sql: &str,
        column: &str,
        scope: &BTreeSet<EnterpriseId>,
        mut f: impl FnMut(&Row<'_, '_>) -> Result<(EnterpriseId, T)>,
    ) -> Result<Vec<T>> {
        let rows = if scope.len() > SCAN_ABOVE {
            self.db.query(&sql.replace("{scope}", "1 = 1"), &[], &mut f)?
        } else {
            let ids: Vec<EnterpriseId> = scope.iter().copied().collect();
            self.query_in(&sql.replace("{scope}", &format!("{column} IN ({{in}})")), &ids, &mut f)?
        };
        Ok(rows.into_iter().filter(|(id, _)| scope.contains(id)).map(|(_, row)| row).collect())
    }

    /// The ids of the live leads on an enterprise, best first.
    pub fn live_leads_of(&self, enterprise: EnterpriseId) -> Result<Vec<String>> {
        self.db.query(
            "SELECT id FROM opportunities WHERE enterprise_id = ?1 AND suppressed = 0
               AND status NOT IN ('invalid', 'blocked', 'lost') ORDER BY score DESC, id",
            p![enterprise],
            |row| row.get(0),
        )
    }

    /// The kind of every lead that has feedback (feedback names leads only by id).
    pub fn feedback_kinds(&self) -> Result<Vec<(String, OpportunityKind)>> {
        let rows: Vec<(String, String)> = self.db.query(
            "SELECT id, kind FROM opportunities WHERE id IN (SELECT opportunity_id FROM feedback)",
            &[],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        Ok(rows.into_iter().filter_map(|(id, kind)| Some((id, OpportunityKind::parse(&kind)?))).collect())
    }

    /// Whether any stored lead carries the alert `id`.
    pub fn alert_exists(&self, id: &str) -> Result<bool> {
        let found: Option<i64> = self.db.query_opt(
            "SELECT 1 FROM opportunity_alerts WHERE alert_id = ?1 LIMIT 1",
            p![id],
            |row| row.get(0),
        )?;
        Ok(found.is_some())
    }

    /// Replaces the mined opportunities. Status and feedback survive re-mining: they belong to
    /// the lead's id, which is derived from what the lead is about. Only leads that are new or
    /// differ from what the last run wrote (by a digest of the lead) are written, so a run that
    /// changed little writes little; leads the run no longer produced are dropped unless
    /// someone already acted on them. Returns how many leads were written and dropped.
    ///
    /// `keys` are each lead's event keys, stored with it for the next incremental run. `scope`
    /// says which stored leads the run re-mined: all, or those of some enterprises (leads
    /// outside it that are passed in are written, the others left alone). A lead new to the
    /// store is first seen `as_of` (see [`Store::first_seen`]).
    pub fn replace_opportunities(
        &mut self,
        opportunities: &[Opportunity],
        keys: &HashMap<String, Vec<String>>,
        scope: LeadScope<'_>,
        as_of: Date,
    ) -> Result<Written> {
        self.write_leads(opportunities, keys, scope, as_of, &mut |_| {})
    }

    /// [`Store::replace_opportunities`], telling `wrote` the id of each lead it writes.
    pub fn write_leads(
        &mut self,
        opportunities: &[Opportunity],
        keys: &HashMap<String, Vec<String>>,
        scope: LeadScope<'_>,
        as_of: Date,
        wrote: &mut dyn FnMut(&str),
    ) -> Result<Written> {
        let first_seen = as_of.to_string();
        let db = &self.db;
        let tx = db.begin_write()?;
        let mined_at = now_text();
        let mut before: HashMap<String, Option<i64>> = match scope {
            LeadScope::All => db
                .query("SELECT id, digest FROM opportunities", &[], |row| Ok((row.get(0)?, row.get(1)?)))?
                .into_iter()
                .collect(),
            LeadScope::Of(enterprises) | LeadScope::Slice(enterprises) => {
                self.lead_digests_of(enterprises)?
            }
        };
        // What a run over some enterprises may have made ready to push: their leads, and the
        // leads passed in (placed elsewhere by the ranking). Nothing else changed.
        let reach: Option<Vec<String>> = match scope {
            LeadScope::Of(_) => {
                Some(before.keys().cloned().chain(opportunities.iter().map(|o| o.id.clone())).collect())
            }
            LeadScope::All | LeadScope::Slice(_) => None,
        };
        let mut written = Written::default();
        let queued_at = chrono::Utc::now().timestamp();
        // The bank's risk policy blocks a lead mining marks blocked, unless someone worked it.
        let block = |id: &str| {
            db.execute(
                "UPDATE opportunities SET status = 'blocked' WHERE id = ?1 AND status IN ('new', 'pushed')",
                p![id],
            )
        };
        // In id order: the indexes led by the lead's id (the primary key's, the standings',
        // the keys' and alerts' by lead) are then walked from one end to the other, each page
        // read once, rather than sought at random across a store larger than memory.
        let mut in_order: Vec<&Opportunity> = opportunities.iter().collect();
        in_order.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        for opp in in_order {
            let blocked = opp.status == OpportunityStatus::Blocked;
            let (data, digest) = encode_lead(opp)?;
            if before.remove(&opp.id) == Some(Some(digest)) {
                if blocked {
                    block(&opp.id)?;
                }
                continue;
            }
            db.execute(
                "INSERT INTO opportunities(id, enterprise_id, manager, score, suppressed, mined_at, data,
                   tier, kind, due, amount, digest, first_seen, suppressed_reason, turns_on)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
                 ON CONFLICT(id) DO UPDATE SET enterprise_id = excluded.enterprise_id,
                   manager = excluded.manager, score = excluded.score,
                   suppressed = excluded.suppressed, suppressed_reason = excluded.suppressed_reason,
                   mined_at = excluded.mined_at,
                   data = excluded.data, tier = excluded.tier, kind = excluded.kind,
                   due = excluded.due, amount = excluded.amount, digest = excluded.digest,
                   turns_on = excluded.turns_on",
                p![
                    opp.id,
                    opp.enterprise.id,
                    opp.manager,
                    opp.score,
                    opp.suppressed.is_some(),
                    mined_at,
                    data,
                    opp.tier.as_str(),
                    opp.kind.as_str(),
                    opp.due.map(|d| d.to_string()),
                    opp.amount,
                    digest,
                    first_seen,
                    opp.suppressed.as_ref().map(|s| s.reason.as_str()),
                    opp.turns_on.map(|d| d.to_string()),
                ],
            )?;
            written.written += 1;
            wrote(&opp.id);
            if let Some(keys) = keys.get(&opp.id) {
                sync_lead_keys(db, &opp.id, keys)?;
            }
            sync_lead_alerts(db, &opp.id, &opp.alerts)?;
            if blocked {
                block(&opp.id)?;
            }
        }
        // What is left of `before` the run no longer produced: a lead whose evidence is gone is
        // dropped unless someone already acted on it.
        let drop = format!("DELETE FROM opportunities AS o WHERE o.id = ?1 AND {}", outbox::droppable("o"));
        for id in before.keys() {
            let dropped = db.execute(&drop, p![id])?;
            if dropped > 0 {
                written.dropped += 1;
                db.execute(
                    "UPDATE outbox SET state = 'cancelled', reason = 'the lead is gone'
                     WHERE opportunity_id = ?1 AND state = 'queued'",
                    p![id],
                )?;
                db.execute("DELETE FROM opportunity_alerts WHERE opportunity_id = ?1", p![id])?;
                db.execute("DELETE FROM opportunity_keys WHERE opportunity_id = ?1", p![id])?;
            } else {
                // Kept for whoever worked it: no later day will mine it again, so it does not
                // turn (a day in the past would re-mine its enterprise every day).
                db.execute(
                    "UPDATE opportunities SET turns_on = NULL WHERE id = ?1 AND turns_on IS NOT NULL",
                    p![id],
                )?;
            }
        }
        // Live leads with a manager join the outbox once the gone ones have left.
        match (scope, &reach) {
            (LeadScope::Slice(_), _) => {}
            (_, Some(ids)) => {
                queue_assigned(db, queued_at, Some(&ids.iter().map(String::as_str).collect::<Vec<_>>()))?
            }
            (_, None) => queue_assigned(db, queued_at, None)?,
        }
        if written.written + written.dropped > 0 {
            fold_lead_tally(db)?;
        }
        tx.commit()?;
        Ok(written)
    }

    /// Writes where stored leads now stand, their score, tier and manager, and nothing else:
    /// what ranking moves after the leads were mined. Only the columns that changed and the
    /// lead's JSON are written, so only the indexes over score, tier and manager are touched
    /// (an upsert through [`Store::write_leads`] rewrites every index and the lead's alerts).
    /// Leads no longer stored are skipped; returns how many were written.
    pub fn place_leads(&mut self, leads: &[Opportunity], wrote: &mut dyn FnMut(&str)) -> Result<usize> {
        let db = &self.db;
        let tx = db.begin_write()?;
        let mut placed = 0;
        for lead in leads {
            let (data, digest) = encode_lead(lead)?;
            let changed = db.execute(
                "UPDATE opportunities SET score = ?2, tier = ?3, manager = ?4, data = ?5, digest = ?6 WHERE id = ?1",
                p![lead.id, lead.score, lead.tier.as_str(), lead.manager, data, digest],
            )?;
            if changed > 0 {
                placed += 1;
                wrote(&lead.id);
            }
        }
        if placed > 0 {
            fold_lead_tally(db)?;
        }
        tx.commit()?;
        Ok(placed)
    }

    /// Queues every live, new lead with a manager that is not in the outbox yet: what a run
    /// that wrote with [`LeadScope::Slice`] does once its leads are placed.
    pub fn queue_assigned_leads(&mut self) -> Result<()> {
        let tx = self.db.begin_write()?;
        queue_assigned(&self.db, chrono::Utc::now().timestamp(), None)?;
        tx.commit()
    }

    /// Records feedback and moves the lead to the new status, atomically.
    pub fn add_feedback(&mut self, feedback: &Feedback) -> Result<()> {
        let tx = self.db.begin_write()?;
        let changed = self.db.execute(
            "UPDATE opportunities SET status = ?2 WHERE id = ?1",
            p![feedback.opportunity_id, feedback.status.as_str()],
        )?;
        if changed == 0 {
            return Err(StoreError::NoSuchOpportunity(feedback.opportunity_id.clone()));
        }
        self.db.execute(
            "INSERT INTO feedback(opportunity_id, actor, status, reason, note, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            p![
                feedback.opportunity_id,
                feedback.actor,
                feedback.status.as_str(),
                feedback.reason,
                feedback.note,
                feedback.at,
            ],
        )?;
        audit(&self.db, &feedback.actor, "feedback", &serde_json::to_string(feedback)?)?;
        tx.commit()
    }

    /// Records a risk reviewer's decision on an alert; `block` blocks every lead carrying the
    /// alert that nobody has worked yet (status `blocked`; never delivered).
    pub fn review_alert(&mut self, review: &AlertReview) -> Result<()> {
        let tx = self.db.begin_write()?;
        self.db.execute(
            "INSERT INTO alert_reviews(alert_id, reviewer, decision, note, at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(alert_id) DO UPDATE SET reviewer = excluded.reviewer,
               decision = excluded.decision, note = excluded.note, at = excluded.at",
            p![review.alert_id, review.reviewer, review.decision, review.note, review.at],
        )?;
        if review.decision == "block" {
            self.db.execute(
                "UPDATE opportunities SET status = 'blocked'
                 WHERE status IN ('new', 'pushed') AND id IN (
                   SELECT opportunity_id FROM opportunity_alerts WHERE alert_id = ?1)",
                p![review.alert_id],
            )?;
            self.db.execute(
                "UPDATE outbox SET state = 'cancelled', reason = 'blocked by risk review'
                 WHERE state = 'queued' AND opportunity_id IN (SELECT id FROM opportunities WHERE status = 'blocked')",
                &[],
            )?;
        }
        audit(&self.db, &review.reviewer, "alert_review", &serde_json::to_string(review)?)?;
        tx.commit()
    }

    /// Alerts with the review state wanted, highest severity × weight first, each once with
    /// every lead it touches (best first): pending alerts on working leads, reviewed ones on
    /// any lead (a block took its leads out of the working list).
    pub fn alerts(&self, wanted: AlertState, limit: usize) -> Result<Vec<AlertOnLeads>> {
        let (leads, reviewed) = match wanted {
            AlertState::Pending => ("o.suppressed = 0 AND o.status <> 'blocked'", "r.alert_id IS NULL"),
            AlertState::Reviewed => ("1 = 1", "r.alert_id IS NOT NULL"),
            AlertState::All => ("1 = 1", "1 = 1"),
        };
        // CROSS JOIN keeps the alerts the outer loop on SQLite: there are far fewer of them
        // than leads, and each lead's state comes off the covering opportunities_state index.
        let ids: Vec<String> = self.db.query(
            &format!(
                "SELECT a.alert_id, MAX(a.rank) AS top FROM opportunity_alerts a
                 CROSS JOIN opportunities o ON o.id = a.opportunity_id
                 LEFT JOIN alert_reviews r ON r.alert_id = a.alert_id
                 WHERE {leads} AND {reviewed}
                 GROUP BY a.alert_id ORDER BY top DESC, a.alert_id LIMIT ?1"
            ),
            p![limit as i64],
            |row| row.get(0),
        )?;
        let on_leads = format!(
            "SELECT a.data, o.id, o.enterprise_id FROM opportunity_alerts a
             CROSS JOIN opportunities o ON o.id = a.opportunity_id
             WHERE a.alert_id = ?1 AND {leads} ORDER BY o.suppressed, o.score DESC, o.id"
        );
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let rows: Vec<(String, String, EnterpriseId)> =
                self.db.query(&on_leads, p![id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
            let Some((data, _, enterprise)) = rows.first() else { continue };
            let alert: Alert = serde_json::from_str(data)?;
            let enterprise =
                self.enterprise(*enterprise)?.map(|e| e.to_ref()).unwrap_or_else(|| EnterpriseRef {
                    id: *enterprise,
                    name: alert.path.last().cloned().unwrap_or_default(),
                    uscc: None,
                });
            let review = self.db.query_opt(
                "SELECT alert_id, reviewer, decision, note, at FROM alert_reviews WHERE alert_id = ?1",
                p![id],
                review_row,
            )?;
            out.push(AlertOnLeads {
                alert,
                opportunities: rows.into_iter().map(|(_, o, _)| o).collect(),
                enterprise,
                review,
            });
        }
        Ok(out)
    }

    /// Records that `decision.name` is (or is not) a known enterprise; later imports honour it.
    pub fn add_decision(&mut self, decision: &Decision, actor: &str) -> Result<()> {
        let tx = self.db.begin_write()?;
        self.db.execute(
            "INSERT INTO resolution_decisions(name, enterprise_id, decided_by, at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(name) DO UPDATE SET enterprise_id = excluded.enterprise_id,
               decided_by = excluded.decided_by, at = excluded.at",
            p![crate::resolve::normalize_name(&decision.name), decision.enterprise, actor, now_text()],
        )?;
        audit(&self.db, actor, "resolution_decision", &serde_json::to_string(decision)?)?;
        tx.commit()
    }

    fn resolver_stamp(&self) -> Result<ResolverStamp> {
        let decided: Option<String> =
            self.db.query_one("SELECT max(at) FROM resolution_decisions", &[], |row| row.get(0))?;
        Ok((graph_version(&self.db)?, decided))
    }

    /// The resolver an import works with: the one the last import on this connection left when
    /// nothing changed since (here or in another process), else [`Store::resolver`]. Building
    /// one reads every enterprise — seconds at a million — which a crawl's handful of pages
    /// should not pay each time. Give it back with [`Store::keep_resolver`].
    pub fn take_resolver(&mut self) -> Result<crate::resolve::Resolver> {
        let stamp = self.resolver_stamp()?;
        match self.resolver.take() {
            Some((at, resolver)) if at == stamp => Ok(resolver),
            _ => self.resolver(),
        }
    }

    /// Keeps a resolver that reflects the store as it is now (an import inserts every
    /// enterprise and control relation it writes into its resolver as it goes). One that saw a
    /// rename is dropped: a fresh one will not know the old name.
    pub fn keep_resolver(&mut self, resolver: crate::resolve::Resolver) -> Result<()> {
        self.resolver = if resolver.has_renames() { None } else { Some((self.resolver_stamp()?, resolver)) };
        Ok(())
    }

    /// The resolver every caller uses: all enterprises, with every decision people recorded
    /// (`resolve --link/--new`) applied, so import, `resolve`, `graph` and the API agree.
    pub fn resolver(&self) -> Result<crate::resolve::Resolver> {
        let started = std::time::Instant::now();
        let mut resolver = crate::resolve::Resolver::new();
        // A chunk of enterprises at a time, in id order (the store's enterprises are never held
        // whole): each read for the resolver on another thread while the next is fetched.
        let mut bulk = resolver.bulk();
        let mut chunk = Vec::with_capacity(RESOLVER_CHUNK);
        self.db.query_each("SELECT data FROM enterprises ORDER BY id", &[], |row| {
            chunk.push(serde_json::from_str(&row.get::<String>(0)?)?);
            if chunk.len() == RESOLVER_CHUNK {
                bulk.push(std::mem::replace(&mut chunk, Vec::with_capacity(RESOLVER_CHUNK)));
            }
            Ok(())
        })?;
        bulk.push(chunk);
        bulk.finish();
        for decision in self.decisions()? {
            resolver.decide(&decision);
        }
        // Control (a majority stake, a recorded control, a branch: `Relation::is_control`)
        // makes a group and its subsidiary related: a short name that fits both goes to a
        // person.
        let from = json(&self.db, "data", "from.Enterprise", Some("bigint"));
        let pairs: Vec<(i64, i64)> = self.db.query(
            &format!(
                // The kind first: a relation of another kind (most of them) is not parsed.
                "SELECT {from}, to_id FROM relations
                 WHERE (kind IN ('control', 'branch')
                        OR (kind = 'shareholder' AND {} > 0.5))
                   AND {from} IS NOT NULL",
                json(&self.db, "data", "share", Some("float8"))
            ),
            &[],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        for (from, to) in pairs {
            resolver.relate(from, to);
        }
        tracing::info!(
            enterprises = resolver.len(),
            ms = started.elapsed().as_millis() as u64,
            "built the name resolver from the store"
        );
        Ok(resolver)
    }

    pub fn decisions(&self) -> Result<Vec<Decision>> {
        self.db.query("SELECT name, enterprise_id FROM resolution_decisions ORDER BY name", &[], |row| {
            Ok(Decision { name: row.get(0)?, enterprise: row.get(1)? })
        })
    }

    /// The page as last fetched, if it ever was.
    pub fn crawl_page(&self, url: &str) -> Result<Option<PageState>> {
        self.json_row("SELECT data FROM crawl_pages WHERE url = ?1", p![url])
    }

    /// Every page fetched, optionally by one crawler only, in URL order.
    pub fn crawl_pages(&self, crawler: Option<&str>) -> Result<Vec<PageState>> {
        let mut pages: Vec<PageState> = match crawler {
            Some(crawler) => {
                self.json_rows("SELECT data FROM crawl_pages WHERE crawler = ?1", p![crawler])?
            }
            None => self.json_rows("SELECT data FROM crawl_pages", &[])?,
        };
        pages.sort_unstable_by(|a, b| a.url.cmp(&b.url));
        Ok(pages)
    }

    pub fn upsert_crawl_page(&self, page: &PageState) -> Result<()> {
        self.db.execute(
            "INSERT INTO crawl_pages(url, crawler, data) VALUES (?1, ?2, ?3)
             ON CONFLICT(url) DO UPDATE SET crawler = excluded.crawler, data = excluded.data",
            p![page.url, page.crawler, serde_json::to_string(page)?],
        )?;
        Ok(())
    }

    /// Starts a run; its id names it until [`Store::finish_crawl_run`].
    pub fn begin_crawl_run(&self, crawler: &str, run: &CrawlRun) -> Result<i64> {
        self.db.query_one(
            "INSERT INTO crawl_runs(crawler, data) VALUES (?1, ?2) RETURNING id",
            p![crawler, serde_json::to_string(run)?],
            |row| row.get(0),
        )
    }

    /// Records how a run ended and replaces the crawler's failed items, in one transaction.
    pub fn finish_crawl_run(
        &mut self,
        id: i64,
        crawler: &str,
        run: &CrawlRun,
        failures: &[CrawlFailure],
    ) -> Result<()> {
        let tx = self.db.begin_write()?;
        self.db
            .execute("UPDATE crawl_runs SET data = ?2 WHERE id = ?1", p![id, serde_json::to_string(run)?])?;
        self.db.execute("DELETE FROM crawl_failures WHERE crawler = ?1", p![crawler])?;
        for failure in failures {
            self.db.execute(
                "INSERT INTO crawl_failures(crawler, url, data) VALUES (?1, ?2, ?3)
                 ON CONFLICT(crawler, url) DO UPDATE SET data = excluded.data",
                p![crawler, failure.url, serde_json::to_string(failure)?],
            )?;
        }
        tx.commit()
    }

    /// The crawler's runs, newest first.
    pub fn crawl_runs(&self, crawler: &str, limit: usize) -> Result<Vec<CrawlRun>> {
        self.json_rows(
            "SELECT data FROM crawl_runs WHERE crawler = ?1 ORDER BY id DESC LIMIT ?2",
            p![crawler, limit as i64],
        )
    }

    pub fn crawl_failures(&self, crawler: &str) -> Result<Vec<CrawlFailure>> {
        let mut failures: Vec<CrawlFailure> =
            self.json_rows("SELECT data FROM crawl_failures WHERE crawler = ?1", p![crawler])?;
        failures.sort_unstable_by(|a, b| a.url.cmp(&b.url));
        Ok(failures)
    }

    /// Marks runs left `running` by a process that died as failed.
    pub fn close_abandoned_crawl_runs(&self, crawler: &str) -> Result<()> {
        // Only runs still marked running, not the crawler's whole history.
        let running: Vec<(i64, String)> = self.db.query(
            "SELECT id, data FROM crawl_runs WHERE crawler = ?1 AND data LIKE '%\"status\":\"running\"%'",
            p![crawler],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        for (id, data) in running {
            let mut run: CrawlRun = serde_json::from_str(&data)?;
            if run.status == RunStatus::Running {
                run.status = RunStatus::Failed;
                run.reason = Some("interrupted: the process stopped before the run finished".into());
                self.db.execute(
                    "UPDATE crawl_runs SET data = ?2 WHERE id = ?1",
                    p![id, serde_json::to_string(&run)?],
                )?;
            }
        }
        Ok(())
    }

    /// When each host was last sent a request (Unix milliseconds).
    pub fn crawl_host_times(&self) -> Result<Vec<(String, i64)>> {
        self.db
            .query("SELECT host, last_request_ms FROM crawl_hosts", &[], |row| Ok((row.get(0)?, row.get(1)?)))
    }

    pub fn set_crawl_host_times(&self, times: &[(String, i64)]) -> Result<()> {
        for (host, ms) in times {
            self.db.execute(
                "INSERT INTO crawl_hosts(host, last_request_ms) VALUES (?1, ?2)
                 ON CONFLICT(host) DO UPDATE SET last_request_ms = CASE
                   WHEN crawl_hosts.last_request_ms > excluded.last_request_ms THEN crawl_hosts.last_request_ms
                   ELSE excluded.last_request_ms END",
                p![host, ms],
            )?;
        }
        Ok(())
    }

    /// Replaces ID numbers that older builds stored in clear (`"id_number"` in a person's
    /// data) by their masked form and keyed hash. Returns how many persons it changed.
    pub fn protect_id_numbers(&mut self, privacy: &crate::model::Privacy) -> Result<usize> {
        // Once per data dir: opening a store must not scan every person each time.
        if meta(&self.db, "id_numbers_protected")? != 0 {
            return Ok(0);
        }
        let rows: Vec<(String, String)> =
            self.db.query("SELECT id, data FROM persons WHERE data LIKE '%\"id_number\"%'", &[], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })?;
        let protect = |data: &str| -> Result<String> {
            let mut value: serde_json::Value = serde_json::from_str(data)?;
            let Some(object) = value.as_object_mut() else { return Ok(data.to_string()) };
            let clear = object.remove("id_number").and_then(|v| v.as_str().map(str::to_string));
            let text = |key: &str| object.get(key).and_then(|v| v.as_str()).unwrap_or_default().to_string();
            Ok(serde_json::to_string(&privacy.protect(text("id"), text("name"), clear.as_deref()))?)
        };
        let logged: Vec<(i64, Option<String>, String)> = self.db.query(
            "SELECT seq, old, new FROM graph_changes WHERE what = 'person' AND (old LIKE '%\"id_number\"%' OR new LIKE '%\"id_number\"%')",
            &[],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?;
        let tx = self.db.begin_write()?;
        for (id, data) in &rows {
            self.db.execute("UPDATE persons SET data = ?2 WHERE id = ?1", p![id, protect(data)?])?;
        }
        // The change log holds copies of person rows too.
        for (seq, old, new) in &logged {
            let old = old.as_deref().map(protect).transpose()?;
            self.db.execute(
                "UPDATE graph_changes SET old = ?2, new = ?3 WHERE seq = ?1",
                p![seq, old, protect(new)?],
            )?;
        }
        self.db.execute("UPDATE meta SET value = 1 WHERE key = 'id_numbers_protected'", &[])?;
        tx.commit()?;
        Ok(rows.len())
    }

    /// Marks an import as open until [`Store::close_import`]: a row `import_open:…` in `meta`
    /// holding the time of its last commit (every transaction this store commits meanwhile
    /// renews it), so that a server mining on changes waits for the end of an import another
    /// process is committing in parts ([`Store::imports_open`]). Leases that lapsed are removed.
    ///
    /// An import into an empty store (the first load) logs no changes: no graph, mining run or
    /// watch stands behind it to catch up from the log (the graph and the first mining run are
    /// built from the store), and the log would be as large as the store. Its commits move the
    /// change-log position on and mark the log as not reaching back past it, so a graph
    /// built meanwhile is rebuilt and a mining run meanwhile is followed by a full one.
    pub fn open_import(&mut self) -> Result<()> {
        self.first_load = self.db.query_one(
            "SELECT NOT EXISTS (SELECT 1 FROM enterprises) AND NOT EXISTS (SELECT 1 FROM persons)",
            &[],
            |row| row.get(0),
        )?;
        let clock = chrono::Utc::now();
        let now = clock.timestamp();
        let key =
            format!("import_open:{}:{}", std::process::id(), clock.timestamp_nanos_opt().unwrap_or_default());
        self.db.execute(
            "DELETE FROM meta WHERE key LIKE 'import_open:%' AND value < ?1",
            p![now - IMPORT_LEASE_SECS],
        )?;
        self.db.execute("INSERT INTO meta (key, value) VALUES (?1, ?2)", p![key.as_str(), now])?;
        self.import_lease = Some(key);
        self.checkpoint_beside()?;
        match self.first_load && self.backend() == Backend::Sqlite {
            true => self.defer_indexes(),
            // Those of a first load that was killed.
            false => self.build_deferred_indexes(),
        }
    }

    /// Ends the import [`Store::open_import`] opened.
    pub fn close_import(&mut self) -> Result<()> {
        self.first_load = false;
        self.checkpoint_inline()?;
        let built = self.build_deferred_indexes();
        if let Some(key) = self.import_lease.take() {
            self.db.execute("DELETE FROM meta WHERE key = ?1", p![key.as_str()])?;
        }
        built
    }

    /// From here the WAL is checkpointed on a thread of its own ([`Checkpointer`]) and this
    /// connection's commits only append to it, until [`Store::checkpoint_inline`]: for the
    /// long writes of an import or a mining run. Nothing on PostgreSQL or in memory, or when
    /// it already is.
    pub fn checkpoint_beside(&mut self) -> Result<()> {
        if self.checkpointer.is_some() {
            return Ok(());
        }
        if let Db::Sqlite(conn) = &self.db {
            if let Some(path) = conn.path().filter(|p| !p.is_empty()).map(PathBuf::from) {
                self.checkpointer = Some(Checkpointer::start(&path)?);
                conn.pragma_update(None, "wal_autocheckpoint", 0)?;
            }
        }
        Ok(())
    }

    /// Ends [`Store::checkpoint_beside`]: the thread stops, and commits checkpoint again.
    pub fn checkpoint_inline(&mut self) -> Result<()> {
        if let (Some(checkpointer), Db::Sqlite(conn)) = (self.checkpointer.take(), &self.db) {
            checkpointer.finish();
            conn.pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT)?;
        }
        Ok(())
    }

    /// Takes the secondary indexes of records and relations out for a first load, keeping
    /// their definitions in `deferred_indexes`: SQLite then appends rows to the tables and
    /// builds each index once, by sorting, instead of inserting into every index row by row
    /// (a quarter of a first load's time at 100k enterprises went to those inserts; the builds
    /// take about half of that). The import itself looks rows up by their keys only, and mining
    /// waits for the import's end. Until [`Store::build_deferred_indexes`] runs, queries by
    /// these indexes scan the table; a store left so by a killed import builds them on the next
    /// import or mining run, or when next opened once the import's lease lapsed. SQLite only.
    fn defer_indexes(&mut self) -> Result<()> {
        let tx = self.db.begin_write()?;
        let indexes: Vec<(String, String)> = self.db.query(
            "SELECT name, sql FROM sqlite_master
             WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('records', 'relations')",
            &[],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        for (name, sql) in &indexes {
            self.db.execute(
                "INSERT OR REPLACE INTO deferred_indexes(name, sql) VALUES (?1, ?2)",
                p![name, sql],
            )?;
            self.db.batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
        }
        tx.commit()?;
        tracing::debug!(indexes = indexes.len(), "first load: indexes deferred");
        Ok(())
    }

    /// Builds the indexes a first load deferred ([`Store::open_import`]), if any.
    pub fn build_deferred_indexes(&mut self) -> Result<()> {
        if self.backend() != Backend::Sqlite {
            return Ok(());
        }
        if !self
            .db
            .query_one("SELECT EXISTS (SELECT 1 FROM deferred_indexes)", &[], |row| row.get::<bool>(0))?
        {
            return Ok(());
        }
        let started = std::time::Instant::now();
        let tx = self.db.begin_write()?;
        let indexes: Vec<(String, String)> = self.db.query(
            "SELECT d.name, d.sql FROM deferred_indexes d
             WHERE NOT EXISTS (SELECT 1 FROM sqlite_master m WHERE m.type = 'index' AND m.name = d.name)",
            &[],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        // SQLite sorts each index's keys on up to two threads (and so the connection's large
        // sorts from now on).
        self.db.batch("PRAGMA threads = 2")?;
        for (_, sql) in &indexes {
            self.db.batch(sql)?;
        }
        self.db.execute("DELETE FROM deferred_indexes", &[])?;
        tx.commit()?;
        if !indexes.is_empty() {
            tracing::info!(
                indexes = indexes.len(),
                ms = started.elapsed().as_millis() as u64,
                "built the indexes the first load deferred"
            );
        }
        Ok(())
    }

    /// How many imports, of any process, are open and committed within the lease.
    pub fn imports_open(&self) -> Result<i64> {
        let since = chrono::Utc::now().timestamp() - IMPORT_LEASE_SECS;
        let open = self.db.query_opt(
            "SELECT COUNT(*) FROM meta WHERE key LIKE 'import_open:%' AND value >= ?1",
            p![since],
            |row| row.get(0),
        )?;
        Ok(open.unwrap_or(0))
    }

    /// The change-log position the last mining run started from (`None` before any run).
    pub fn mined_seq(&self) -> Result<Option<u64>> {
        let value = meta(&self.db, "mined_seq")?;
        Ok(u64::try_from(value).ok())
    }

    pub fn audit(&self, actor: &str, action: &str, detail: &str) -> Result<()> {
        audit(&self.db, actor, action, detail)
    }
}

fn audit(db: &Db, actor: &str, action: &str, detail: &str) -> Result<()> {
    db.execute(
        "INSERT INTO audit(at, actor, action, detail) VALUES (?1, ?2, ?3, ?4)",
        p![now_text(), actor, action, detail],
    )?;
    Ok(())
}

/// The JSON shape of a stored lead (`opportunities.data`). Lists hand stored JSON out as it is,
/// so every row must be in the shape this build writes: when the serialized shape of
/// [`Opportunity`] changes, bump this, and a writer opening an older store re-encodes its
/// leads once. `tests::the_stored_lead_shape_is_pinned` fails until it is bumped.
const LEAD_FORMAT: i64 = 1;

/// Appends `data` (a lead's JSON object) to `out` with its top-level `status` replaced by
/// `status`; false, with nothing appended, when `data` has no top-level string `status`.
fn splice_status(data: &str, status: &str, out: &mut String) -> bool {
    let bytes = data.as_bytes();
    // This build writes `status` last (`…,"status":"new"}`): nothing after the value but the
    // object's end, so the key is the top-level one.
    const KEY: &[u8] = b",\"status\":\"";
    let tail = &bytes[bytes.len().saturating_sub(KEY.len() + 24)..];
    if let Some(at) = memchr::memmem::rfind(tail, KEY) {
        let value = &tail[at + KEY.len()..];
        if value.len() >= 2
            && value.ends_with(b"\"}")
            && value[..value.len() - 2].iter().all(|b| b.is_ascii_lowercase() || *b == b'_')
        {
            let start = bytes.len() - value.len();
            out.push_str(&data[..start]);
            out.push_str(status);
            out.push_str("\"}");
            return true;
        }
    }
    // The end of the string starting at `start` (a quote), past its closing quote.
    let string_end = |start: usize| -> Option<usize> {
        let mut i = start + 1;
        loop {
            i += memchr::memchr2(b'\\', b'"', bytes.get(i..)?)?;
            match bytes[i] {
                b'"' => return Some(i + 1),
                _ => i += 2,
            }
        }
    };
    let skip_space = |mut i: usize| {
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        i
    };
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'"' => {
                let Some(end) = string_end(i) else { return false };
                let colon = skip_space(end);
                if depth == 1 && &bytes[i..end] == b"\"status\"" && bytes.get(colon) == Some(&b':') {
                    let value = skip_space(colon + 1);
                    if bytes.get(value) != Some(&b'"') {
                        return false;
                    }
                    let Some(value_end) = string_end(value) else { return false };
                    out.push_str(&data[..value]);
                    out.push('"');
                    out.push_str(status);
                    out.push('"');
                    out.push_str(&data[value_end..]);
                    return true;
                }
                i = end;
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    false
}

/// A lead as stored: its JSON, and the digest of that JSON a run compares to tell whether the
/// lead changed.
/// Makes the stored event keys of lead `id` these: only the keys that came or went are
/// written (a re-mined lead mostly keeps its keys, and rewriting them dirties index pages
/// across a large store for nothing).
fn sync_lead_keys(db: &Db, id: &str, keys: &[String]) -> Result<()> {
    let stored: HashSet<String> = db
        .query("SELECT key FROM opportunity_keys WHERE opportunity_id = ?1", p![id], |row| row.get(0))?
        .into_iter()
        .collect();
    for key in stored.iter().filter(|k| !keys.contains(k)) {
        db.execute("DELETE FROM opportunity_keys WHERE key = ?1 AND opportunity_id = ?2", p![key, id])?;
    }
    for key in keys.iter().filter(|k| !stored.contains(*k)) {
        db.execute(
            "INSERT INTO opportunity_keys(key, opportunity_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            p![key, id],
        )?;
    }
    Ok(())
}

/// Makes the stored alerts of lead `id` these, writing only the alerts that came, went or
/// changed (as [`sync_lead_keys`] does for keys).
fn sync_lead_alerts(db: &Db, id: &str, alerts: &[Alert]) -> Result<()> {
    let stored: HashMap<String, String> = db
        .query("SELECT alert_id, data FROM opportunity_alerts WHERE opportunity_id = ?1", p![id], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?
        .into_iter()
        .collect();
    for gone in stored.keys().filter(|a| !alerts.iter().any(|alert| &alert.id == *a)) {
        db.execute(
            "DELETE FROM opportunity_alerts WHERE alert_id = ?1 AND opportunity_id = ?2",
            p![gone, id],
        )?;
    }
    for alert in alerts {
        let data = serde_json::to_string(alert)?;
        if stored.get(&alert.id) == Some(&data) {
            continue;
        }
        let rank = f64::from(alert.severity) * alert.weight;
        db.execute(
            "INSERT INTO opportunity_alerts(alert_id, opportunity_id, rank, data, kind, direct)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(alert_id, opportunity_id) DO UPDATE SET rank = excluded.rank, data = excluded.data,
               kind = excluded.kind, direct = excluded.direct",
            p![alert.id, id, rank, data, alert.kind, alert.path.len() <= 1],
        )?;
    }
    Ok(())
}

fn encode_lead(lead: &Opportunity) -> Result<(String, i64)> {
    let data = serde_json::to_string(lead)?;
    let digest = xxhash_rust::xxh3::xxh3_64(data.as_bytes()) as i64;
    Ok((data, digest))
}

fn decode_opportunity(data: &str, status: &str) -> Result<Opportunity> {
    let mut opp: Opportunity = serde_json::from_str(data)?;
    opp.status = OpportunityStatus::parse(status).unwrap_or_default();
    Ok(opp)
}

#[derive(Debug, Clone, Copy)]
pub enum Table {
    Enterprises,
    Persons,
    Relations,
    Records,
    Managers,
    Opportunities,
    Feedback,
    Audit,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Enterprises => "enterprises",
            Table::Persons => "persons",
            Table::Relations => "relations",
            Table::Records => "records",
            Table::Managers => "managers",
            Table::Opportunities => "opportunities",
            Table::Feedback => "feedback",
            Table::Audit => "audit",
        }
    }
}

/// Parses the store's date text.
pub fn parse_date(s: &str) -> Option<Date> {
    Date::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Enterprises per chunk when a resolver is built from the store.
const RESOLVER_CHUNK: usize = 8_192;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Alert, EnterpriseRef, Evidence, Party, PathLink, RelationKind, Suppression, SuppressionReason, Tier,
        WhyItem,
    };

    /// A lead with every field the model has filled, and `status` inside its texts too.
    fn full_lead(id: &str, enterprise: i64) -> Opportunity {
        let mut lead = Opportunity::bare(id, enterprise, OpportunityKind::TenderAward);
        lead.enterprise =
            EnterpriseRef {
                id: enterprise, name: "甲公司".into(), uscc: Some("91420500MA4XXXXX0X".into())
            };
        lead.products = vec!["performance_bond".into()];
        lead.product_names = vec!["履约保函".into()];
        lead.amount = Some(1_200_000.0);
        lead.why = vec![WhyItem {
            feature: "kind".into(),
            contribution: 30.0,
            detail: "\"status\": \"won\"".into(),
        }];
        lead.evidence = vec![Evidence {
            record: "t1".into(),
            kind: "award".into(),
            title: "status".into(),
            url: Some("http://example.cn/1".into()),
            published: "2026-11-01".parse().unwrap(),
        }];
        lead.alerts = vec![Alert {
            id: "a1".into(),
            kind: "dishonest".into(),
            severity: 3,
            subject: "乙公司".into(),
            path: vec!["乙公司".into(), "甲公司".into()],
            links: vec![PathLink::new("shareholder", "持股", true)],
            detail: "{\"status\":\"x\"}".into(),
            record: "r1".into(),
            weight: 0.5,
        }];
        lead.manager = Some("m1".into());
        lead.due = Some("2026-12-01".parse().unwrap());
        lead.tier = Tier::A;
        lead.why_now = "中标".into();
        lead.suppressed = Some(Suppression {
            reason: SuppressionReason::Duplicate,
            duplicate_of: Some("o0".into()),
            detail: Some("joins o0".into()),
        });
        lead
    }

    #[test]
    fn the_status_is_spliced_into_the_top_level_only() {
        let lead = full_lead("o1", 1);
        let data = serde_json::to_string(&lead).unwrap();
        assert!(data.ends_with(r#","status":"new"}"#), "written last: {data}");
        let mut out = String::new();
        assert!(splice_status(&data, "won", &mut out));
        let back: Opportunity = serde_json::from_str(&out).unwrap();
        assert_eq!(back, Opportunity { status: OpportunityStatus::Won, ..lead.clone() });
        // With spaces, as PostgreSQL's jsonb prints, and the key last.
        let spaced = r#"{"id": "o1", "why_now": "status", "nested": {"status": "new"}, "status" : "new"}"#;
        let mut out = String::new();
        assert!(splice_status(spaced, "lost", &mut out));
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            (value["status"].as_str(), value["nested"]["status"].as_str()),
            (Some("lost"), Some("new"))
        );
        // An older build wrote `status` before other members; a text may end like a status.
        let older = r#"{"id":"o1","status":"new","why_now":"a\",\"status\":\"won"}"#;
        let mut out = String::new();
        assert!(splice_status(older, "lost", &mut out));
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            (value["status"].as_str(), value["why_now"].as_str()),
            (Some("lost"), Some(r#"a","status":"won"#))
        );
        for broken in ["", "[]", r#"{"nested": {"status": "new"}}"#, r#"{"status": 3}"#, r#"{"status": "ne"#]
        {
            let mut out = String::new();
            assert!(!splice_status(broken, "won", &mut out), "{broken}");
            assert!(out.is_empty());
        }
    }

    /// Lists hand stored JSON out as it is: a change to the lead's shape must bump
    /// `LEAD_FORMAT`, so stores written before are re-encoded. This pins the shape.
    #[test]
    fn the_stored_lead_shape_is_pinned() {
        fn keys(value: &serde_json::Value, at: &str, out: &mut Vec<String>) {
            match value {
                serde_json::Value::Object(map) => {
                    for (key, inner) in map {
                        let path = format!("{at}.{key}");
                        out.push(path.clone());
                        keys(inner, &path, out);
                    }
                }
                serde_json::Value::Array(items) => {
                    items.iter().for_each(|item| keys(item, &format!("{at}[]"), out))
                }
                _ => {}
            }
        }
        let mut found = Vec::new();
        keys(&serde_json::to_value(full_lead("o1", 1)).unwrap(), "", &mut found);
        found.sort();
        let pinned = ".alerts .alerts[].detail .alerts[].id .alerts[].kind .alerts[].links .alerts[].links[].forward \
            .alerts[].links[].kind .alerts[].links[].label .alerts[].path .alerts[].record .alerts[].severity \
            .alerts[].subject .alerts[].weight .amount .due .enterprise .enterprise.id .enterprise.name \
            .enterprise.uscc .evidence .evidence[].kind .evidence[].published .evidence[].record \
            .evidence[].title .evidence[].url .id .kind .manager .product_names .products .score .status \
            .suppressed .suppressed.detail .suppressed.duplicate_of .suppressed.reason .tier .why \
            .why[].contribution .why[].detail .why[].feature .why_now";
        let pinned: Vec<&str> = pinned.split_whitespace().collect();
        assert_eq!(found, pinned, "the lead's JSON shape changed: bump LEAD_FORMAT (stored leads are re-encoded once), then update this list");
        assert_eq!(LEAD_FORMAT, 1);
    }

    #[test]
    fn a_resolver_read_from_the_store_in_bulk_is_the_one_built_one_by_one() {
        // More enterprises than one chunk holds: chunks are read on the bulk insert's thread
        // while the next is fetched.
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("oppgraph.db")).unwrap();
        let places = ["宜昌", "武汉", "襄阳", "荆州"];
        let trades = ["建设", "科技", "物流", "医药", "电力", "环保", "食品"];
        let mut tx = store.begin().unwrap();
        let mut stored = Vec::new();
        for n in 0..RESOLVER_CHUNK + 3000 {
            let (place, trade) = (places[n % places.len()], trades[n / places.len() % trades.len()]);
            let digits: String = n
                .to_string()
                .chars()
                .map(|d| "零一二三四五六七八九".chars().nth(d as usize - 48).unwrap())
                .collect();
            let name = format!("{place}市{digits}{trade}有限公司");
            let aliases = if n % 97 == 0 { vec![format!("{place}{n}号")] } else { Vec::new() };
            stored.push(tx.insert_enterprise(Enterprise { name, aliases, ..Default::default() }).unwrap());
        }
        tx.commit().unwrap();
        let read = store.resolver().unwrap();
        let mut built = crate::resolve::Resolver::new();
        for enterprise in &stored {
            built.insert(enterprise);
        }
        assert_eq!(read.len(), stored.len());
        for (n, enterprise) in stored.iter().enumerate().step_by(41) {
            let short = enterprise.name.trim_end_matches("有限公司").to_string();
            for query in
                [enterprise.name.as_str(), short.as_str(), &format!("{}{n}号", places[n % places.len()])]
            {
                assert_eq!(
                    format!("{:?}", read.resolve_name(query)),
                    format!("{:?}", built.resolve_name(query)),
                    "{query}"
                );
            }
            assert_eq!(read.name_of(enterprise.id), Some(enterprise.name.as_str()));
        }
    }

    #[test]
    fn a_list_as_json_is_the_typed_list_also_from_an_older_store() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("oppgraph.db");
        let mut store = Store::open(&path).unwrap();
        let mut tx = store.begin().unwrap();
        let a = tx.insert_enterprise(Enterprise { name: "甲公司".into(), ..Default::default() }).unwrap();
        let b = tx.insert_enterprise(Enterprise { name: "乙公司".into(), ..Default::default() }).unwrap();
        tx.commit().unwrap();
        let mut second = Opportunity::bare("o2", b.id, OpportunityKind::PledgeRefinancing);
        second.score = 70.0;
        let mut third = full_lead("o3", a.id);
        third.suppressed = None;
        store
            .replace_opportunities(
                &[full_lead("o1", a.id), second, third],
                &HashMap::new(),
                LeadScope::All,
                day(),
            )
            .unwrap();
        contacted(&mut store, "o3");
        let all = OpportunityFilter { include_suppressed: true, ..Default::default() };
        let typed = store.opportunities(&all).unwrap();
        assert_eq!(typed.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(), ["o2", "o3", "o1"]);
        assert_eq!(typed[1].status, OpportunityStatus::Contacted);
        let listed = |store: &Store| {
            serde_json::from_str::<Vec<Opportunity>>(&store.opportunities_json(&all).unwrap()).unwrap()
        };
        assert_eq!(listed(&store), typed);
        let one = OpportunityFilter { limit: Some(1), offset: 1, ..Default::default() };
        assert_eq!(listed_with(&store, &one), store.opportunities(&one).unwrap());

        // A lead an older build wrote lacks the fields added since: read through the decoder
        // until a writer re-encodes it, and in this build's shape after.
        store
            .db
            .execute(
                "UPDATE opportunities SET data = json_remove(data, '$.tier', '$.why_now', '$.alerts[0].weight') WHERE id = 'o3'",
                &[],
            )
            .unwrap();
        store.db.execute("DELETE FROM meta WHERE key = 'lead_format'", &[]).unwrap();
        let reader = Store::open_read_only(&path).unwrap();
        let old = listed(&reader);
        // Every lead in the list has every field, the old one too.
        assert_eq!(reader.opportunities_json(&all).unwrap().matches("\"tier\":").count(), 3);
        assert_eq!(
            (old[1].tier, old[1].alerts[0].weight, old[1].status),
            (Tier::C, 1.0, OpportunityStatus::Contacted)
        );
        drop((store, reader));
        let store = Store::open(&path).unwrap();
        let raw: String = store
            .db
            .query_one("SELECT data FROM opportunities WHERE id = 'o3'", &[], |row| row.get(0))
            .unwrap();
        assert!(raw.contains("\"tier\":\"C\"") && raw.contains("\"weight\":1.0"), "{raw}");
        assert_eq!(listed(&store), old);
        assert_eq!(store.lead_format().unwrap(), Some(LEAD_FORMAT));
    }

    /// A rewritten lead's keys and alerts are what it now has: those it lost are gone, new
    /// ones are there, a changed alert is updated, and a lead passed again unchanged keeps them.
    #[test]
    fn rewriting_a_lead_keeps_its_keys_and_alerts_in_step() {
        let mut store = Store::open_in_memory().unwrap();
        let mut tx = store.begin().unwrap();
        let a = tx.insert_enterprise(Enterprise { name: "甲公司".into(), ..Default::default() }).unwrap();
        tx.commit().unwrap();
        let stored = |store: &Store| -> (Vec<String>, Vec<(String, f64)>) {
            let keys = store
                .db
                .query(
                    "SELECT key FROM opportunity_keys WHERE opportunity_id = 'o1' ORDER BY key",
                    &[],
                    |row| row.get(0),
                )
                .unwrap();
            let alerts = store
                .db
                .query(
                    "SELECT alert_id, rank FROM opportunity_alerts WHERE opportunity_id = 'o1' ORDER BY alert_id",
                    &[],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .unwrap();
            (keys, alerts)
        };
        let write = |store: &mut Store, lead: &Opportunity, keys: &[&str]| {
            let keys = HashMap::from([(lead.id.clone(), keys.iter().map(|k| k.to_string()).collect())]);
            store.replace_opportunities(std::slice::from_ref(lead), &keys, LeadScope::All, day()).unwrap();
        };
        let mut lead = full_lead("o1", a.id);
        let mut second = lead.alerts[0].clone();
        second.id = "a2".into();
        lead.alerts.push(second);
        write(&mut store, &lead, &["k1", "k2"]);
        assert_eq!(
            stored(&store),
            (vec!["k1".into(), "k2".into()], vec![("a1".into(), 1.5), ("a2".into(), 1.5)])
        );
        // a1 weighs more now, a2 is gone and a3 came; k1 went and k3 came.
        lead.alerts[0].weight = 1.0;
        lead.alerts[1].id = "a3".into();
        lead.score += 1.0;
        write(&mut store, &lead, &["k2", "k3"]);
        let now = (vec!["k2".into(), "k3".into()], vec![("a1".into(), 3.0), ("a3".into(), 1.5)]);
        assert_eq!(stored(&store), now);
        assert_eq!(store.opportunity("o1").unwrap().unwrap().alerts, lead.alerts);
        write(&mut store, &lead, &["k2", "k3"]);
        assert_eq!(stored(&store), now);
    }

    /// Placing leads writes their tier and manager, in the columns, the JSON and the tally,
    /// and leaves the rest of the lead, its alerts and its status as they were.
    #[test]
    fn placing_leads_moves_tier_and_manager_only() {
        let mut store = Store::open_in_memory().unwrap();
        let mut tx = store.begin().unwrap();
        let a = tx.insert_enterprise(Enterprise { name: "甲公司".into(), ..Default::default() }).unwrap();
        tx.commit().unwrap();
        let mut lead = full_lead("o1", a.id);
        lead.suppressed = None;
        (lead.tier, lead.manager) = (Tier::C, None);
        store
            .replace_opportunities(std::slice::from_ref(&lead), &HashMap::new(), LeadScope::All, day())
            .unwrap();
        contacted(&mut store, "o1");
        let mut placed = lead.clone();
        (placed.tier, placed.manager) = (Tier::A, Some("m2".into()));
        let mut gone = placed.clone();
        gone.id = "o9".into();
        let mut wrote = Vec::new();
        let n = store.place_leads(&[placed.clone(), gone], &mut |id| wrote.push(id.to_string())).unwrap();
        assert_eq!((n, wrote), (1, vec!["o1".to_string()]), "a lead no longer stored is skipped");
        let stored = store.opportunity("o1").unwrap().unwrap();
        assert_eq!((stored.tier, stored.manager.as_deref()), (Tier::A, Some("m2")));
        assert_eq!(stored.status, OpportunityStatus::Contacted, "the status is the lead's own");
        assert_eq!((stored.alerts, stored.why, stored.evidence), (lead.alerts, lead.why, lead.evidence));
        let columns: (String, String) = store
            .db
            .query_one("SELECT tier, manager FROM opportunities WHERE id = 'o1'", &[], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .unwrap();
        assert_eq!(columns, ("A".to_string(), "m2".to_string()));
        let alerts: i64 = store
            .db
            .query_one("SELECT COUNT(*) FROM opportunity_alerts WHERE opportunity_id = 'o1'", &[], |row| {
                row.get(0)
            })
            .unwrap();
        assert_eq!(alerts, 1);
        // The tally follows: the manager's count and the tiers.
        let mine = OpportunityFilter { manager: Some("m2".into()), ..Default::default() };
        assert_eq!(
            store.opportunity_counts(&mine).unwrap(),
            store.opportunity_counts_by_scan(&mine).unwrap()
        );
        assert_eq!(store.opportunity_counts(&mine).unwrap().tiers.get("A"), Some(&1));
    }

    fn day() -> Date {
        "2026-11-20".parse().unwrap()
    }

    /// Queueing the assigned leads reads an index that holds each lead's manager, not the
    /// leads' rows (see [`QUEUE`]).
    #[test]
    fn queueing_reads_no_lead_row() {
        let store = Store::open_in_memory().unwrap();
        let lines: Vec<String> =
            store.db.query(&format!("EXPLAIN QUERY PLAN {QUEUE}"), p![0], |row| row.get(3)).unwrap();
        let plan = lines.join("\n");
        assert!(plan.contains("COVERING INDEX") && !plan.contains("opportunities_filters"), "{plan}");
    }

    /// A page of the working list, for all managers or for one, is chosen from a rank-order
    /// index alone: the status the list leaves out is in the index, so skipping to an offset
    /// reads no rows.
    #[test]
    fn a_page_of_leads_is_chosen_from_the_index_alone() {
        let store = Store::open_in_memory().unwrap();
        let plan = |filter: &OpportunityFilter| -> String {
            let (sql, values) = store.opportunities_query(filter);
            let lines: Vec<String> =
                store.db.query(&format!("EXPLAIN QUERY PLAN {sql}"), &values, |row| row.get(3)).unwrap();
            lines.join("\n")
        };
        let page = OpportunityFilter { limit: Some(50), offset: 2000, ..Default::default() };
        let all = plan(&page);
        assert!(all.contains("COVERING INDEX opportunities_rank"), "{all}");
        let mine = plan(&OpportunityFilter { manager: Some("m1".into()), ..page });
        assert!(mine.contains("COVERING INDEX opportunities_manager_rank"), "{mine}");
    }

    /// What a later day turns: the enterprises of leads whose day has come (not those of a
    /// worked lead the rules no longer make, which no later day mines again), records dated
    /// in between, and pledges coming within reach of expiry.
    #[test]
    fn a_later_day_turns_the_leads_whose_day_has_come_and_what_comes_into_a_window() {
        let mut store = Store::open_in_memory().unwrap();
        let mut tx = store.begin().unwrap();
        let a = tx.insert_enterprise(Enterprise { name: "甲公司".into(), ..Default::default() }).unwrap();
        let b = tx.insert_enterprise(Enterprise { name: "乙公司".into(), ..Default::default() }).unwrap();
        let pledge = |id: &str, expires: &str| {
            serde_json::from_value::<Record>(serde_json::json!({"record": "pledge", "id": id, "kind": "equity",
                "pledgor": {"id": a.id, "name": "甲公司"}, "pledgee": {"id": b.id, "name": "乙公司"},
                "registered": "2026-01-01", "expires": expires, "status": "active", "subject": null, "amount": null,
                "url": null, "source": null, "extra": {}}))
            .unwrap()
        };
        for record in [pledge("p-near", "2027-05-20"), pledge("p-far", "2027-09-01")] {
            tx.upsert_record(&record).unwrap();
        }
        tx.commit().unwrap();
        let from = day();
        let to = from + chrono::Duration::days(7);
        let mut soon = full_lead("o1", a.id);
        soon.turns_on = Some(from + chrono::Duration::days(3));
        let mut later = full_lead("o2", b.id);
        later.turns_on = Some(to + chrono::Duration::days(1));
        store.replace_opportunities(&[soon.clone(), later], &HashMap::new(), LeadScope::All, from).unwrap();
        let turned = store.turned(from, to, 180).unwrap();
        assert_eq!(turned.leads, vec![a.id]);
        // 2027-05-20 is 181 days after the first day and 174 after the second: within reach.
        let ids: Vec<&str> = turned.records.iter().map(|r| r.id()).collect();
        assert_eq!(ids, vec!["p-near"]);
        let (second, third) = (from + chrono::Duration::days(1), from + chrono::Duration::days(2));
        assert_eq!(
            store.turned(from, second, 180).unwrap().records.len(),
            1,
            "on the day it comes within reach"
        );
        assert!(store.turned(second, third, 180).unwrap().records.is_empty(), "and not again");

        // Worked, then no longer made: kept, and it no longer turns.
        contacted(&mut store, "o1");
        store
            .replace_opportunities(&[], &HashMap::new(), LeadScope::Of(&HashSet::from([a.id])), from)
            .unwrap();
        assert!(store.opportunity("o1").unwrap().is_some(), "a worked lead stays");
        assert!(store.turned(from, to, 180).unwrap().leads.is_empty());
    }

    /// A manager's feedback that they contacted the lead.
    fn contacted(store: &mut Store, id: &str) {
        store
            .add_feedback(&Feedback {
                opportunity_id: id.into(),
                actor: "m1".into(),
                status: OpportunityStatus::Contacted,
                reason: None,
                note: None,
                at: "2026-11-20T10:00:00".into(),
            })
            .unwrap();
    }

    fn listed_with(store: &Store, filter: &OpportunityFilter) -> Vec<Opportunity> {
        serde_json::from_str(&store.opportunities_json(filter).unwrap()).unwrap()
    }

    #[test]
    fn migrations_are_idempotent_on_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("oppgraph.db");
        let mut store = Store::open(&path).unwrap();
        let mut tx = store.begin().unwrap();
        let ent = tx.insert_enterprise(Enterprise { name: "甲公司".into(), ..Default::default() }).unwrap();
        tx.commit().unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
        assert_eq!(store.enterprise(ent.id).unwrap().unwrap().name, "甲公司");
    }

    /// Migration 29 moves the dates and the notice kind out of the JSON into columns: rows of a
    /// store written before it are found by them after it, and an index a first load had
    /// deferred over the old expressions is not built again from its old definition.
    #[test]
    fn migration_29_fills_the_date_and_notice_columns_of_existing_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("oppgraph.db");
        {
            let conn = Connection::open(&path).unwrap();
            for sql in &MIGRATIONS[..28] {
                conn.execute_batch(sql).unwrap();
            }
            conn.pragma_update(None, "user_version", 28).unwrap();
            let relation = |to: i64, start: &str, end: &str| {
                format!(
                    r#"{{"from":{{"Enterprise":1}},"to":{to},"kind":"shareholder","share":0.5,"role":null,"amount":null,"start":{start},"end":{end},"source":"gen"}}"#
                )
            };
            for (key, to, data) in [
                ("a", 2, relation(2, r#""2026-03-01""#, "null")),
                ("b", 3, relation(3, r#""2020-01-01""#, r#""2026-03-02""#)),
                ("c", 4, relation(4, r#""2020-01-01""#, "null")),
            ] {
                conn.execute(
                    "INSERT INTO relations(key, to_id, kind, data) VALUES (?1, ?2, 'shareholder', ?3)",
                    rusqlite::params![key, to, data],
                )
                .unwrap();
            }
            let tender = |id: &str, kind: &str| {
                format!(
                    r#"{{"record":"tender","id":"{id}","kind":"{kind}","title":"某项目{kind}公告","published":"2026-01-05","region":null,"buyer":null,"agency":null,"winners":[],"amount":null,"budget":null,"text":"","url":null,"source":"gen","extra":{{}}}}"#
                )
            };
            let pledge = r#"{"record":"pledge","id":"pl1","kind":"real_estate","pledgor":{"name":"甲公司","id":1},"pledgee":{"name":"乙银行","id":2},"subject":null,"amount":null,"registered":"2025-01-01","expires":"2026-06-30","status":"active","url":null,"source":"gen","extra":{}}"#;
            for (kind, id, data) in [
                ("tender", "t1", tender("t1", "termination")),
                ("tender", "t2", tender("t2", "award")),
                ("pledge", "pl1", pledge.to_string()),
            ] {
                conn.execute(
                    "INSERT INTO records(kind, id, published, data) VALUES (?1, ?2, '2026-01-05', ?3)",
                    rusqlite::params![kind, id, data],
                )
                .unwrap();
            }
            // A first load was killed with this index taken out.
            conn.execute_batch(
                "INSERT INTO deferred_indexes(name, sql) SELECT name, sql FROM sqlite_master WHERE name = 'relations_end';
                 DROP INDEX relations_end;",
            )
            .unwrap();
        }
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
        let day = |s: &str| s.parse::<Date>().unwrap();
        let mut turning: Vec<i64> = store
            .relations_turning(day("2026-02-28"), day("2026-03-31"))
            .unwrap()
            .iter()
            .map(|r| r.to)
            .collect();
        turning.sort();
        assert_eq!(turning, [2, 3], "one starts, one ends in the window; the third neither");
        let terminations: Vec<String> = store
            .risks_and_terminations()
            .unwrap()
            .into_iter()
            .map(|(_, record)| record.id().to_string())
            .collect();
        assert_eq!(terminations, ["t1"]);
        let turned = store.turned(day("2026-01-10"), day("2026-01-20"), 165).unwrap();
        assert_eq!(
            turned.records.iter().map(Record::id).collect::<Vec<_>>(),
            ["pl1"],
            "expires within reach"
        );
        store.build_deferred_indexes().unwrap();
        let definition: String = store
            .db
            .query_one("SELECT sql FROM sqlite_master WHERE name = 'relations_end'", &[], |row| row.get(0))
            .unwrap();
        assert!(definition.contains("end_on") && !definition.contains("json_extract"), "{definition}");
    }

    /// Regression: a transaction that read first and wrote later failed at once ("database is
    /// locked") when another process wrote in between (an import beside a mining run).
    #[test]
    fn writers_in_two_connections_take_turns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("oppgraph.db");
        let mut first = Store::open(&path).unwrap();
        let mut second = Store::open(&path).unwrap();
        let mut tx = first.begin().unwrap();
        tx.insert_enterprise(Enterprise { name: "甲公司".into(), ..Default::default() }).unwrap();
        let (started, waiting) = std::sync::mpsc::channel();
        let other = std::thread::spawn(move || {
            started.send(()).unwrap();
            let mut tx = second.begin()?;
            tx.enterprise(1)?;
            tx.insert_enterprise(Enterprise { name: "乙公司".into(), ..Default::default() })?;
            tx.commit()
        });
        waiting.recv().unwrap();
        tx.commit().unwrap();
        other.join().unwrap().unwrap();
        assert_eq!(first.count(Table::Enterprises).unwrap(), 2);
    }

    /// An open import holds a lease that every commit renews, that ends when the import
    /// closes, and that lapses when the import is killed midway.
    #[test]
    fn an_open_import_holds_a_lease_until_it_closes_or_lapses() {
        let mut store = Store::open_in_memory().unwrap();
        let lease = |store: &Store| -> i64 {
            store
                .db
                .query_opt("SELECT value FROM meta WHERE key LIKE 'import_open:%'", &[], |row| row.get(0))
                .unwrap()
                .unwrap()
        };
        assert_eq!(store.imports_open().unwrap(), 0);
        store.open_import().unwrap();
        assert_eq!(store.imports_open().unwrap(), 1);
        // A commit renews it.
        store.db.execute("UPDATE meta SET value = 1 WHERE key LIKE 'import_open:%'", &[]).unwrap();
        assert_eq!(store.imports_open().unwrap(), 0, "a lease not renewed for long has lapsed");
        let mut tx = store.begin().unwrap();
        tx.insert_enterprise(Enterprise { name: "甲公司".into(), ..Default::default() }).unwrap();
        tx.commit().unwrap();
        assert!(lease(&store) > chrono::Utc::now().timestamp() - 60);
        assert_eq!(store.imports_open().unwrap(), 1);
        store.close_import().unwrap();
        assert_eq!(store.imports_open().unwrap(), 0);
        // Transactions after the import do not bring it back.
        store.begin().unwrap().commit().unwrap();
        assert_eq!(store.imports_open().unwrap(), 0);
        // A killed import's lease lapses, and the next import removes it.
        store.open_import().unwrap();
        store.db.execute("UPDATE meta SET value = 1 WHERE key LIKE 'import_open:%'", &[]).unwrap();
        store.import_lease = None;
        store.open_import().unwrap();
        assert_eq!(store.imports_open().unwrap(), 1);
        let leases: i64 = store
            .db
            .query_opt("SELECT COUNT(*) FROM meta WHERE key LIKE 'import_open:%'", &[], |row| row.get(0))
            .unwrap()
            .unwrap();
        assert_eq!(leases, 1, "the lapsed lease was removed");
    }

    /// A first load takes the secondary indexes of records and relations out and builds them
    /// when it closes; one killed midway has them built by the next import, mining run, or
    /// open after its lease lapsed. Queries naming an index work without it meanwhile.
    #[test]
    fn a_first_load_builds_its_indexes_last_and_a_killed_one_is_mended() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("oppgraph.db");
        let indexes = |store: &Store| -> Vec<String> {
            store
                .db
                .query(
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
                     AND tbl_name IN ('records', 'relations') ORDER BY name",
                    &[],
                    |row| row.get(0),
                )
                .unwrap()
        };
        let all = indexes(&Store::open(&path).unwrap());
        assert!(all.len() >= 8 && all.contains(&"records_published".to_string()), "{all:?}");
        let load = |store: &mut Store| {
            let mut tx = store.begin().unwrap();
            let a = tx.insert_enterprise(Enterprise { name: "甲公司".into(), ..Default::default() }).unwrap();
            let party = |id| crate::model::NamedEnterprise { name: String::new(), id };
            let pledge = crate::model::Pledge {
                id: "p1".into(),
                kind: crate::model::PledgeKind::Equity,
                pledgor: party(a.id),
                pledgee: party(a.id),
                subject: None,
                amount: Some(1e7),
                registered: "2024-01-01".parse().unwrap(),
                expires: Some("2026-03-01".parse().unwrap()),
                status: crate::model::PledgeStatus::Active,
                url: None,
                source: None,
                extra: Default::default(),
            };
            tx.upsert_record(&Record::Pledge(pledge)).unwrap();
            tx.commit().unwrap();
        };
        let day = |text: &str| text.parse::<Date>().unwrap();

        let mut store = Store::open(&path).unwrap();
        store.open_import().unwrap();
        assert!(indexes(&store).is_empty(), "deferred while the rows go in");
        load(&mut store);
        // A later day's queries name the date indexes; without them they scan.
        assert_eq!(store.turned(day("2025-01-01"), day("2025-10-01"), 180).unwrap().records.len(), 1);
        store.close_import().unwrap();
        assert_eq!(indexes(&store), all);

        // Killed midway: the lease holds the indexes out until it lapses.
        drop(store);
        std::fs::remove_file(&path).unwrap();
        let mut store = Store::open(&path).unwrap();
        store.open_import().unwrap();
        load(&mut store);
        drop(store);
        let store = Store::open(&path).unwrap();
        assert!(indexes(&store).is_empty(), "another process may still be loading");
        store.db.execute("UPDATE meta SET value = 1 WHERE key LIKE 'import_open:%'", &[]).unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!(indexes(&store), all);
        assert_eq!(store.turned(day("2025-01-01"), day("2025-10-01"), 180).unwrap().records.len(), 1);
    }

    /// A store's connections, the writer's and readers', read through a map of its file.
    #[test]
    fn a_store_reads_through_a_map_of_its_file() {
        let pragma = |store: &Store, name: &str| -> i64 {
            let Db::Sqlite(conn) = &store.db else { unreachable!() };
            conn.pragma_query_value(None, name, |row| row.get(0)).unwrap()
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("oppgraph.db");
        let store = Store::open(&path).unwrap();
        assert_eq!(pragma(&store, "mmap_size"), MMAP_SIZE);
        let reader = Store::open_read_only(&path).unwrap();
        assert_eq!(pragma(&reader, "mmap_size"), MMAP_SIZE);
    }

    /// A WAL past its bound is checkpointed and cut by the writer; one within it is left.
    #[test]
    fn a_wal_past_its_bound_is_cut() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("oppgraph.db");
        let wal = || std::fs::metadata(dir.path().join("oppgraph.db-wal")).map_or(0, |m| m.len());
        let mut store = Store::open(&path).unwrap();
        store.open_import().unwrap();
        let mut tx = store.begin().unwrap();
        for i in 0..2_000 {
            tx.insert_enterprise(Enterprise { name: format!("第{i}号公司"), ..Default::default() }).unwrap();
        }
        tx.commit().unwrap();
        let grown = wal();
        assert!(grown > 100_000, "the import's commit appended to the WAL: {grown} bytes");
        store.db.bound_wal(grown).unwrap();
        assert_eq!(wal(), grown, "within its bound");
        store.db.bound_wal(grown - 1).unwrap();
        assert_eq!(wal(), 0, "past its bound: copied into the database and cut");
        store.close_import().unwrap();
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.enterprises().unwrap().len(), 2_000);
    }

    /// While an import is open its commits only append to the WAL; another thread copies
    /// them into the database, and the writer checkpoints on its own again once it closes.
    #[test]
    fn an_import_is_checkpointed_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("oppgraph.db");
        let mut store = Store::open(&path).unwrap();
        let autocheckpoint = |store: &Store| -> i64 {
            let Db::Sqlite(conn) = &store.db else { unreachable!() };
            conn.pragma_query_value(None, "wal_autocheckpoint", |row| row.get(0)).unwrap()
        };
        // Frames in the WAL not yet copied into the database, as another connection sees them
        // (a passive checkpoint that copies nothing new reports the WAL's length and how much
        // of it is in).
        let behind = || -> i64 {
            let other = Connection::open(&path).unwrap();
            let (frames, copied): (i64, i64) = other
                .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| Ok((row.get(1)?, row.get(2)?)))
                .unwrap();
            frames - copied
        };
        assert_eq!(autocheckpoint(&store), WAL_AUTOCHECKPOINT);
        store.open_import().unwrap();
        assert_eq!(autocheckpoint(&store), 0, "the import's commits do not checkpoint");
        let mut tx = store.begin().unwrap();
        for i in 0..2_000 {
            tx.insert_enterprise(Enterprise { name: format!("第{i}号公司"), ..Default::default() }).unwrap();
        }
        tx.commit().unwrap();
        let db_size = || std::fs::metadata(&path).unwrap().len();
        let waited = std::time::Instant::now();
        while db_size() < 100 * 1024 && waited.elapsed() < std::time::Duration::from_secs(20) {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(db_size() >= 100 * 1024, "the rows reached the database while the import is open");
        store.close_import().unwrap();
        assert_eq!(autocheckpoint(&store), WAL_AUTOCHECKPOINT);
        assert_eq!(behind(), 0);
        // A mining run asks for the same around its writes.
        store.checkpoint_beside().unwrap();
        assert!(store.checkpointer.is_some() && autocheckpoint(&store) == 0);
        store.checkpoint_inline().unwrap();
        assert!(store.checkpointer.is_none() && autocheckpoint(&store) == WAL_AUTOCHECKPOINT);
    }

    /// The first load logs no changes: the position moves on past them and the log does not
    /// reach back before it, so whatever was built before is rebuilt. Later imports log.
    #[test]
    fn the_first_load_moves_the_log_on_without_writing_it() {
        let mut store = Store::open_in_memory().unwrap();
        let logged = |store: &Store| -> i64 {
            store.db.query_one("SELECT COUNT(*) FROM graph_changes", &[], |row| row.get(0)).unwrap()
        };
        store.open_import().unwrap();
        let mut tx = store.begin().unwrap();
        let a = tx.insert_enterprise(Enterprise { name: "甲公司".into(), ..Default::default() }).unwrap();
        tx.commit_and_continue().unwrap();
        let b = tx.insert_enterprise(Enterprise { name: "乙公司".into(), ..Default::default() }).unwrap();
        let relation = Relation {
            from: Party::Enterprise(a.id),
            to: b.id,
            kind: RelationKind::Shareholder,
            share: Some(0.6),
            role: None,
            amount: None,
            start: None,
            end: None,
            source: None,
        };
        tx.upsert_relation(&relation).unwrap();
        // A row undone is not counted.
        let mark = tx.begin_row().unwrap();
        tx.insert_enterprise(Enterprise { name: "丙公司".into(), ..Default::default() }).unwrap();
        tx.undo_row(mark).unwrap();
        tx.commit().unwrap();
        store.close_import().unwrap();
        assert_eq!(logged(&store), 0);
        let version = store.graph_version().unwrap();
        assert_eq!(version.seq, 3, "two enterprises and a relation");
        assert!(store.graph_changes_after(0, 100).unwrap().1.is_none(), "a graph from before is rebuilt");
        assert_eq!(store.graph_changes_after(3, 100).unwrap().1.unwrap().len(), 0);

        // The store is no longer empty: the next import logs.
        store.open_import().unwrap();
        let mut tx = store.begin().unwrap();
        tx.insert_enterprise(Enterprise { name: "丁公司".into(), ..Default::default() }).unwrap();
        tx.commit().unwrap();
        store.close_import().unwrap();
        assert_eq!(logged(&store), 1);
        assert_eq!(store.graph_changes_after(3, 100).unwrap().1.unwrap().len(), 1);
    }

    /// Search by part of a name: through the trigram index for three characters or more,
    /// by scanning below that, always checked against what the enterprise holds now.
    #[test]
    fn enterprises_are_found_by_part_of_their_name_or_alias() {
        let mut store = Store::open_in_memory().unwrap();
        let mut tx = store.begin().unwrap();
        let a = tx
            .insert_enterprise(Enterprise {
                name: "宜昌昊源建设工程有限公司".into(),
                aliases: vec!["昊源建设".into()],
                uscc: Some("91420500MA4900001N".into()),
                ..Default::default()
            })
            .unwrap();
        let b = tx
            .insert_enterprise(Enterprise {
                name: "武汉昊天物流有限公司".into(), ..Default::default()
            })
            .unwrap();
        // Every trigram of 甲乙丙丁 is in this name, but not 甲乙丙丁 itself.
        let c = tx
            .insert_enterprise(Enterprise {
                name: "甲乙丙与乙丙丁商贸公司".into(), ..Default::default()
            })
            .unwrap();
        tx.commit().unwrap();
        let ids = |store: &Store, needle: &str| -> Vec<i64> {
            let mut ids: Vec<i64> =
                store.find_enterprises(needle, 10).unwrap().iter().map(|e| e.id).collect();
            ids.sort_unstable();
            ids
        };
        assert_eq!(ids(&store, "源建设工"), vec![a.id]);
        assert_eq!(ids(&store, "有限公司"), vec![a.id, b.id]);
        assert_eq!(ids(&store, "昊"), vec![a.id, b.id], "shorter than a trigram");
        assert_eq!(ids(&store, "91420500MA4900001N"), vec![a.id]);
        assert_eq!(ids(&store, "乙丙丁"), vec![c.id]);
        assert!(ids(&store, "甲乙丙丁").is_empty(), "trigrams apart are not the text");
        assert!(ids(&store, "\"昊源\" OR x").is_empty(), "quotes are text, not syntax");

        // Renamed, and the old name kept as an alias; then the alias dropped.
        let mut tx = store.begin().unwrap();
        let renamed =
            Enterprise {
                name: "武汉星辰物流有限公司".into(), aliases: vec!["昊天物流".into()], ..b.clone()
            };
        tx.update_enterprise(&renamed).unwrap();
        tx.commit().unwrap();
        assert_eq!(ids(&store, "星辰物流"), vec![b.id]);
        assert_eq!(ids(&store, "昊天物流"), vec![b.id]);
        let mut tx = store.begin().unwrap();
        tx.update_enterprise(&Enterprise { aliases: Vec::new(), ..renamed }).unwrap();
        tx.commit().unwrap();
        assert!(ids(&store, "昊天物流").is_empty());
        assert_eq!(ids(&store, "星辰物流"), vec![b.id]);
    }

    /// A transaction's enterprises are indexed by name when it commits (in one statement; see
    /// migration 22). One inserted and renamed before the commit is found by its last name only.
    #[test]
    fn a_transactions_names_are_indexed_together_when_it_commits() {
        let mut store = Store::open_in_memory().unwrap();
        let mut tx = store.begin().unwrap();
        for i in 0..300 {
            tx.insert_enterprise(Enterprise {
                name: format!("第{i}号建设工程有限公司"),
                ..Default::default()
            })
            .unwrap();
        }
        let first = tx
            .insert_enterprise(Enterprise {
                name: "宜昌昊源建设有限公司".into(), ..Default::default()
            })
            .unwrap();
        tx.update_enterprise(&Enterprise { name: "宜昌星辰物流有限公司".into(), ..first.clone() }).unwrap();
        tx.commit().unwrap();
        let found = |needle: &str| -> Vec<i64> {
            store.find_enterprises(needle, 400).unwrap().iter().map(|e| e.id).collect()
        };
        assert_eq!(found("星辰物流"), vec![first.id]);
        assert!(found("昊源建设").is_empty());
        assert_eq!(found("号建设工程").len(), 300);
    }

    /// A kept resolver is handed back while the store is as it left it, and rebuilt after any
    /// write that moves the graph version, a decision, or a rename it saw.
    #[test]
    fn a_kept_resolver_serves_until_the_store_changes() {
        use crate::resolve::{Resolution, Resolver};
        let mut store = Store::open_in_memory().unwrap();
        let mut tx = store.begin().unwrap();
        tx.insert_enterprise(Enterprise { name: "甲建设有限公司".into(), ..Default::default() }).unwrap();
        tx.commit().unwrap();
        // A resolver that knows one enterprise the store does not: which one comes back shows.
        let marked =
            |resolver: &Resolver| !matches!(resolver.resolve_name("乙科技有限公司"), Resolution::NotFound);
        let mut resolver = store.take_resolver().unwrap();
        resolver.insert(&Enterprise { id: 99, name: "乙科技有限公司".into(), ..Default::default() });
        store.keep_resolver(resolver).unwrap();
        let resolver = store.take_resolver().unwrap();
        assert!(marked(&resolver), "nothing changed: the kept one");
        store.keep_resolver(resolver).unwrap();
        let mut tx = store.begin().unwrap();
        tx.insert_enterprise(Enterprise { name: "丙物流有限公司".into(), ..Default::default() }).unwrap();
        tx.commit().unwrap();
        let resolver = store.take_resolver().unwrap();
        assert!(!marked(&resolver), "the store moved: a fresh one");
        store.keep_resolver(resolver).unwrap();
        store.add_decision(&Decision { name: "丙物流".into(), enterprise: Some(1) }, "测试").unwrap();
        assert!(!marked(&store.take_resolver().unwrap()), "a decision: a fresh one");
        let mut resolver = store.take_resolver().unwrap();
        resolver.insert(&Enterprise { id: 99, name: "乙科技有限公司".into(), ..Default::default() });
        resolver
            .insert(&Enterprise { id: 1, name: "甲建设集团有限公司".into(), ..Default::default() });
        store.keep_resolver(resolver).unwrap();
        assert!(!marked(&store.take_resolver().unwrap()), "a rename: not kept");
    }

    /// Two dispatchers (two connections, as two nodes) never hold one delivery: the second
    /// finds it claimed until the first records it or its claim runs out.
    #[test]
    fn a_claimed_delivery_goes_to_one_dispatcher() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("oppgraph.db");
        let mut first = Store::open(&path).unwrap();
        let mut second = Store::open(&path).unwrap();
        let manager = Manager {
            id: "m1".into(),
            name: "李经理".into(),
            branch: None,
            regions: Vec::new(),
            industries: Vec::new(),
            capacity: None,
            channel: crate::model::Channel::Webhook,
            webhook: None,
            secret: None,
        };
        let delivery = crate::model::Delivery::pending("d1".into(), &manager, 100);
        first.plan_deliveries(&[delivery], None).unwrap();
        let claimed = first.claim_due_deliveries(100, 120).unwrap();
        assert_eq!(claimed.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), ["d1"]);
        assert!(second.claim_due_deliveries(150, 120).unwrap().is_empty(), "held by the first");
        assert_eq!(second.claim_due_deliveries(220, 120).unwrap().len(), 1, "the first's claim ran out");
        // Recording an outcome releases the claim: a retry is due to whoever dispatches next.
        let mut retry = claimed[0].clone();
        retry.next_at = 300;
        second.record_deliveries(&[(retry, Vec::new())]).unwrap();
        assert!(first.claim_due_deliveries(299, 120).unwrap().is_empty(), "not due yet");
        assert_eq!(first.claim_due_deliveries(300, 120).unwrap().len(), 1);
    }

    #[test]
    fn dropped_transaction_keeps_nothing() {
        let mut store = Store::open_in_memory().unwrap();
        {
            let mut tx = store.begin().unwrap();
            tx.insert_enterprise(Enterprise { name: "乙公司".into(), ..Default::default() }).unwrap();
        }
        assert_eq!(store.count(Table::Enterprises).unwrap(), 0);
    }
}
