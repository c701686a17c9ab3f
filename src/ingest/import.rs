//! File import: kind from the file name, rows validated and resolved, good rows written in one
//! transaction per file, rejected rows reported with file, line and reason.

use super::kinds::{import_row, Linker, RowError};
use super::reader::{read_table, RawRow, ReadError, Table, UnreadableRow};
use crate::model::{mask_id_numbers_in, EnterpriseId, Party, Privacy, Record, RecordKind};
use crate::resolve::Resolver;
use crate::store::{Store, StoreError, Upsert};
use serde::Serialize;
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

/// The nine import kinds, in the order a directory is imported (referenced before referencing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    Managers,
    Enterprises,
    Persons,
    Relations,
    Tenders,
    Filings,
    Pledges,
    Invoices,
    RiskEvents,
}

impl ImportKind {
    pub const ALL: [ImportKind; 9] = [
        Self::Managers,
        Self::Enterprises,
        Self::Persons,
        Self::Relations,
        Self::Tenders,
        Self::Filings,
        Self::Pledges,
        Self::Invoices,
        Self::RiskEvents,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Managers => "managers",
            Self::Enterprises => "enterprises",
            Self::Persons => "persons",
            Self::Relations => "relations",
            Self::Tenders => "tenders",
            Self::Filings => "filings",
            Self::Pledges => "pledges",
            Self::Invoices => "invoices",
            Self::RiskEvents => "risk_events",
        }
    }

    /// `tenders.csv`, `tenders-2026-05.csv`, `tenders.jsonl` -> tenders.
    pub fn from_path(path: &Path) -> Option<ImportKind> {
        let name = path.file_name()?.to_str()?;
        let stem = name.split('.').next()?;
        Self::ALL.into_iter().find(|kind| {
            stem == kind.as_str()
                || stem.strip_prefix(kind.as_str()).is_some_and(|rest| rest.starts_with('-'))
        })
    }

    pub fn required_columns(self) -> &'static [&'static str] {
        match self {
            Self::Enterprises => &["name"],
            Self::Persons => &["id", "name"],
            Self::Relations => &["from", "to", "kind"],
            Self::Tenders => &["id", "kind", "title", "published"],
            Self::Filings => &["id", "enterprise", "kind", "published"],
            Self::Pledges => &["id", "kind", "pledgor", "pledgee", "registered"],
            Self::Invoices => &["id", "seller", "buyer", "amount", "issued"],
            Self::RiskEvents => &["id", "subject", "kind", "published"],
            Self::Managers => &["id", "name"],
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("{path}: unknown kind; the file name must start with one of managers, enterprises, persons, relations, tenders, filings, pledges, invoices, risk_events")]
    UnknownKind { path: String },
    #[error("{path}: missing required column(s) {missing}")]
    MissingColumns { path: String, missing: String },
    #[error("{path}: no such file or directory")]
    NotFound { path: String },
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("cannot write rejects to {path}: {source}")]
    Rejects { path: String, source: std::io::Error },
}

impl ImportError {
    /// True when the input itself was refused (bad usage), false for runtime failures.
    pub fn is_refusal(&self) -> bool {
        !matches!(self, ImportError::Store(_) | ImportError::Rejects { .. })
    }
}

/// A rejected row as written to `<data>/rejects/`.
#[derive(Debug, Clone, Serialize)]
pub struct Reject {
    pub file: String,
    pub line: usize,
    pub reason: String,
    pub row: serde_json::Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub file: String,
    pub kind: Option<ImportKind>,
    pub accepted: usize,
    pub rejected: usize,
    /// Of the accepted rows, how many were new or changed something.
    pub changed: usize,
    /// Enterprises created because a record named one nobody knew.
    pub discovered: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejects: Option<String>,
    /// Set when the whole file was refused; nothing from it was kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
    /// What happened to each row, by line, for callers that track rows (the crawler's
    /// [`import_rows`]; empty for a file).
    #[serde(skip)]
    pub rows: Vec<(usize, RowStatus)>,
}

/// What one imported row did.
#[derive(Debug, Clone, PartialEq)]
pub enum RowStatus {
    Inserted,
    Updated,
    Unchanged,
    Rejected(String),
}

/// What a file import hands its caller as it goes (see [`import_files_with`]).
#[derive(Debug)]
pub enum Handed<'a> {
    /// Records the file's transaction wrote, not committed yet: every [`HAND_EVERY`] of them,
    /// and the rest before the commit. What the caller leaves in the vector is kept in the
    /// outcome's `changed_records`.
    Written(&'a mut Vec<ChangedRecord>),
    /// The file is in: everything handed since the last `Committed` is committed. When a file
    /// fails, no `Committed` follows: what its earlier parts committed (see [`COMMIT_EVERY`])
    /// is left for the index to catch up from the store.
    Committed,
}

/// Changed records handed over at a time while a file is imported, so that a file of
/// millions of rows is not held in memory until it commits.
pub const HAND_EVERY: usize = 20_000;

/// Rows written per transaction: a large file is committed in parts (see
/// [`crate::store::StoreTx::commit_and_continue`]). A file killed midway keeps its committed
/// parts; importing it again finds them unchanged and writes the rest.
pub const COMMIT_EVERY: usize = 50_000;

/// A record an import wrote.
#[derive(Debug)]
pub struct ChangedRecord {
    pub record: Record,
    /// New to the store (else it replaced a stored record of the same kind and id).
    pub inserted: bool,
}

#[derive(Debug, Default)]
pub struct ImportOutcome {
    pub files: Vec<FileReport>,
    /// Records that were inserted or changed, for incremental indexing (but for those a
    /// caller of [`import_files_with`] took as they were committed).
    pub changed_records: Vec<ChangedRecord>,
    /// Set when at least one file was refused whole.
    pub refused: bool,
    /// Inconsistencies in what is now stored about the enterprises the import touched
    /// (shareholdings over 100%, a legal representative named two ways): kept, but worth a
    /// look.
    pub warnings: Vec<String>,
    /// The enterprises whose own row or relations the import changed.
    pub touched_enterprises: BTreeSet<EnterpriseId>,
    /// The persons the import renamed.
    pub touched_persons: BTreeSet<String>,
}

/// Expands directories (sorted, then ordered by kind) into the files to import.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ImportError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries = std::fs::read_dir(path).map_err(|source| {
                ImportError::Read(ReadError::Io { path: path.display().to_string(), source })
            })?;
            let mut inside: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && super::reader::Format::from_path(p).is_some())
                .collect();
            inside.sort();
            files.extend(inside);
        } else if path.is_file() {
            files.push(path.clone());
        } else {
            return Err(ImportError::NotFound { path: path.display().to_string() });
        }
    }
    // Stable sort: kind order first, then the order given.
    files.sort_by_key(|p| ImportKind::from_path(p).map_or(usize::MAX, |k| k as usize));
    Ok(files)
}

/// Imports files into the store. A file that cannot be read, has an unknown kind or lacks a
/// required column is refused whole; the others go ahead.
/// Where an import reports rejected rows, and the key that protects personal identifiers.
#[derive(Debug, Clone, Copy)]
pub struct ImportSettings<'a> {
    pub rejects_dir: &'a Path,
    pub privacy: &'a Privacy,
}

pub fn import_files(
    store: &mut Store,
    paths: &[PathBuf],
    settings: &ImportSettings<'_>,
) -> Result<ImportOutcome, ImportError> {
    import_files_with(store, paths, settings, &mut |_| {})
}

/// [`import_files`], handing each file's changed records to `hand` as they are written, then
/// telling it when they are committed (the caller indexes them on another thread, and makes
/// them visible once the store has them). What `hand` leaves in a vector is kept in the
/// outcome's `changed_records`; what it takes is not.
pub fn import_files_with(
    store: &mut Store,
    paths: &[PathBuf],
    settings: &ImportSettings<'_>,
    hand: &mut dyn FnMut(Handed<'_>),
) -> Result<ImportOutcome, ImportError> {
    let files = collect_files(paths)?;
    let mut resolver = store.take_resolver()?;
    let mut outcome = ImportOutcome::default();
    for path in files {
        let shown = path.display().to_string();
        let started = std::time::Instant::now();
        let prepared = ImportKind::from_path(&path)
            .ok_or_else(|| ImportError::UnknownKind { path: shown.clone() })
            .and_then(|kind| prepare(&path, kind).map(|table| (kind, table)));
        let (kind, table) = match prepared {
            Ok(found) => found,
            Err(error) if error.is_refusal() => {
                outcome.refused = true;
                outcome.files.push(FileReport {
                    file: shown,
                    kind: ImportKind::from_path(&path),
                    accepted: 0,
                    rejected: 0,
                    changed: 0,
                    discovered: 0,
                    rejects: None,
                    refused: Some(error.to_string()),
                    rows: Vec::new(),
                });
                continue;
            }
            Err(error) => return Err(error),
        };
        let read = started.elapsed();
        let report =
            import_table(store, &mut resolver, &shown, kind, table, settings, &mut outcome, hand, false)?;
        tracing::info!(
            file = %shown,
            rows = report.accepted + report.rejected,
            read_ms = read.as_millis() as u64,
            write_ms = (started.elapsed() - read).as_millis() as u64,
            "imported file"
        );
        outcome.files.push(report);
    }
    store.keep_resolver(resolver)?;
    Ok(outcome)
}

/// Imports rows made in memory (a crawl's pages) as if they were a file named `label` of
/// `kind`: the same validation, resolution, change log and reject report as a file import.
/// Each row's `line` identifies it in the report's `rows`.
pub fn import_rows(
    store: &mut Store,
    label: &str,
    kind: ImportKind,
    rows: Vec<RawRow>,
    settings: &ImportSettings<'_>,
) -> Result<ImportOutcome, ImportError> {
    let mut resolver = store.take_resolver()?;
    let mut columns: Vec<String> = rows.iter().flat_map(|r| r.values.keys().cloned()).collect();
    columns.sort();
    columns.dedup();
    let table = Table { columns, has_header: false, rows: rows.into(), unreadable: Vec::new() };
    let mut outcome = ImportOutcome::default();
    let report =
        import_table(store, &mut resolver, label, kind, table, settings, &mut outcome, &mut |_| {}, true)?;
    outcome.files.push(report);
    store.keep_resolver(resolver)?;
    Ok(outcome)
}

fn prepare(path: &Path, kind: ImportKind) -> Result<Table, ImportError> {
    let table = read_table(path)?;
    if table.has_header {
        let missing: Vec<&str> = kind
            .required_columns()
            .iter()
            .copied()
            .filter(|c| !table.columns.iter().any(|have| have == c))
            .collect();
        if !missing.is_empty() {
            return Err(ImportError::MissingColumns {
                path: path.display().to_string(),
                missing: missing.join(", "),
            });
        }
    }
    Ok(table)
}

#[allow(clippy::too_many_arguments)]
fn import_table(
    store: &mut Store,
    resolver: &mut Resolver,
    file: &str,
    kind: ImportKind,
    table: Table,
    settings: &ImportSettings<'_>,
    outcome: &mut ImportOutcome,
    hand: &mut dyn FnMut(Handed<'_>),
    track_rows: bool,
) -> Result<FileReport, ImportError> {
    let mut report = FileReport {
        file: file.to_string(),
        kind: Some(kind),
        accepted: 0,
        rejected: 0,
        changed: 0,
        discovered: 0,
        rejects: None,
        refused: None,
        rows: Vec::new(),
    };
    let unreadable = |u: UnreadableRow| Reject {
        file: file.to_string(),
        line: u.line,
        reason: u.reason,
        row: serde_json::Value::String(u.original),
    };
    let mut rejects: Vec<Reject> = table.unreadable.into_iter().map(unreadable).collect();
    let mut tx = store.begin()?;
    let mut linker = Linker {
        tx: &mut tx,
        resolver,
        discovered: Vec::new(),
        privacy: settings.privacy,
        persons: Default::default(),
    };
    let mut seen_ids = HashSet::new();
    let mut changed_records = Vec::with_capacity(if record_kind(kind).is_some() { HAND_EVERY } else { 0 });
    // How many of `changed_records` the caller left there when last handed them.
    let mut kept = 0;
    let (mut touched_enterprises, mut touched_persons) = (BTreeSet::new(), BTreeSet::new());
    let mut rows = table.rows.ahead();
    let mut n = 0;
    while let Some(row) = rows.next() {
        if n > 0 && n % COMMIT_EVERY == 0 {
            linker.tx.commit_and_continue()?;
        }
        n += 1;
        let row = match row {
            Ok(row) => row,
            Err(row) => {
                rejects.push(unreadable(row.clone()));
                continue;
            }
        };
        let result = import_row(&mut linker, kind, row, &mut seen_ids);
        match result {
            Ok(applied) => {
                report.accepted += 1;
                if track_rows {
                    report.rows.push((
                        row.line,
                        match applied.upsert {
                            Upsert::Inserted => RowStatus::Inserted,
                            Upsert::Updated => RowStatus::Updated,
                            Upsert::Unchanged => RowStatus::Unchanged,
                        },
                    ));
                }
                if applied.upsert != Upsert::Unchanged {
                    report.changed += 1;
                    for party in applied.parties {
                        match party {
                            Party::Enterprise(id) => touched_enterprises.insert(id),
                            Party::Person(id) => touched_persons.insert(id),
                        };
                    }
                    let inserted = applied.upsert == Upsert::Inserted;
                    changed_records.extend(applied.record.map(|record| ChangedRecord { record, inserted }));
                    if changed_records.len() >= kept + HAND_EVERY {
                        hand(Handed::Written(&mut changed_records));
                        kept = changed_records.len();
                        // Room for the next hand-over at once, not grown by doubling (each
                        // growth moves every record in hand).
                        changed_records.reserve(HAND_EVERY);
                    }
                }
            }
            Err(RowError::Invalid(reason)) => {
                if track_rows {
                    report.rows.push((row.line, RowStatus::Rejected(reason.0.clone())));
                }
                rejects.push(Reject {
                    file: file.to_string(),
                    line: row.line,
                    reason: reason.0,
                    row: serde_json::to_value(&row.values).unwrap_or_default(),
                })
            }
            // The transaction rolls back when dropped; the caller's resolver is discarded too.
            Err(RowError::Store(error)) => return Err(error.into()),
        }
    }
    report.discovered = linker.discovered.len();
    report.rejected = rejects.len();
    let discovered = std::mem::take(&mut linker.discovered);
    tx.audit(
        "import",
        "import",
        &serde_json::json!({"file": file, "kind": kind.as_str(), "accepted": report.accepted,
            "rejected": report.rejected, "changed": report.changed, "discovered": discovered.len()})
        .to_string(),
    )?;
    if changed_records.len() > kept {
        hand(Handed::Written(&mut changed_records));
    }
    tx.commit()?;
    hand(Handed::Committed);
    if !rejects.is_empty() {
        report.rejects = Some(write_rejects(settings.rejects_dir, file, &rejects)?);
    }
    outcome.changed_records.extend(changed_records);
    outcome.touched_enterprises.extend(touched_enterprises);
    outcome.touched_persons.extend(touched_persons);
    Ok(report)
}

fn write_rejects(dir: &Path, file: &str, rejects: &[Reject]) -> Result<String, ImportError> {
    let wrap = |source| ImportError::Rejects { path: dir.display().to_string(), source };
    std::fs::create_dir_all(dir).map_err(wrap)?;
    let stem = Path::new(file).file_name().and_then(|n| n.to_str()).unwrap_or("import");
    let stamp = chrono::Local::now().format("%Y%m%dT%H%M%S%.3f");
    let path = dir.join(format!("{stamp}-{stem}.rejects.jsonl"));
    // ID numbers never reach a reject report in clear.
    let mut text = String::new();
    for reject in rejects {
        text.push_str(&mask_id_numbers_in(&serde_json::to_string(reject).unwrap_or_default()));
        text.push('\n');
    }
    std::fs::write(&path, text)
        .map_err(|source| ImportError::Rejects { path: path.display().to_string(), source })?;
    Ok(path.display().to_string())
}

/// Which record kind an import kind writes, if any.
pub fn record_kind(kind: ImportKind) -> Option<RecordKind> {
    match kind {
        ImportKind::Tenders => Some(RecordKind::Tender),
        ImportKind::Filings => Some(RecordKind::Filing),
        ImportKind::Pledges => Some(RecordKind::Pledge),
        ImportKind::Invoices => Some(RecordKind::Invoice),
        ImportKind::RiskEvents => Some(RecordKind::RiskEvent),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_comes_from_the_name_stem() {
        let kind = |p: &str| ImportKind::from_path(Path::new(p));
        assert_eq!(kind("data/tenders.csv"), Some(ImportKind::Tenders));
        assert_eq!(kind("tenders-2026-05.csv"), Some(ImportKind::Tenders));
        assert_eq!(kind("risk_events.jsonl"), Some(ImportKind::RiskEvents));
        assert_eq!(kind("tendersx.csv"), None);
        assert_eq!(kind("notes.csv"), None);
    }
}
