//! File import: kind from the file name, rows validated and resolved, good rows written in one
//! transaction per file, rejected rows reported with file, line and reason.

use super::reader::{read_table, RawRow, ReadError, Table};
use super::rows::{problem, Fields, RowProblem, RowResult};
use crate::model::{
    mask_id_numbers_in, Enterprise, EnterpriseSize, Filing, Invoice, Manager, NamedEnterprise, Party, Pledge,
    PledgeKind, PledgeStatus, Privacy, Record, RecordKind, Relation, RelationKind, RiskEvent, RiskKind,
    Tender, TenderKind,
};
use crate::resolve::{EntRef, Resolution, Resolver};
use crate::store::{Store, StoreError, StoreTx, Upsert};
use serde::Serialize;
use std::collections::HashSet;
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
    /// What happened to each row, by line, for callers that track rows (the crawler).
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

#[derive(Debug, Default)]
pub struct ImportOutcome {
    pub files: Vec<FileReport>,
    /// Records that were inserted or changed, for incremental indexing.
    pub changed_records: Vec<Record>,
    /// Set when at least one file was refused whole.
    pub refused: bool,
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
    let files = collect_files(paths)?;
    let mut resolver = store.resolver()?;
    let mut outcome = ImportOutcome::default();
    for path in files {
        let shown = path.display().to_string();
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
        let report = import_table(store, &mut resolver, &shown, kind, table, settings, &mut outcome)?;
        outcome.files.push(report);
    }
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
    let mut resolver = store.resolver()?;
    let mut columns: Vec<String> = rows.iter().flat_map(|r| r.values.keys().cloned()).collect();
    columns.sort();
    columns.dedup();
    let table = Table { columns, has_header: false, rows, unreadable: Vec::new() };
    let mut outcome = ImportOutcome::default();
    let report = import_table(store, &mut resolver, label, kind, table, settings, &mut outcome)?;
    outcome.files.push(report);
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

fn import_table(
    store: &mut Store,
    resolver: &mut Resolver,
    file: &str,
    kind: ImportKind,
    table: Table,
    settings: &ImportSettings<'_>,
    outcome: &mut ImportOutcome,
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
    let mut rejects: Vec<Reject> = table
        .unreadable
        .iter()
        .map(|u| Reject {
            file: file.to_string(),
            line: u.line,
            reason: u.reason.clone(),
            row: serde_json::Value::String(u.original.clone()),
        })
        .collect();
    let mut tx = store.begin()?;
    let mut linker = Linker { tx: &mut tx, resolver, discovered: Vec::new(), privacy: settings.privacy };
    let mut seen_ids = HashSet::new();
    let mut changed_records = Vec::new();
    for row in &table.rows {
        // Every kind checks all of a row before it writes, except a relation, which can only
        // tell it links an enterprise to itself after linking both names (two names that
        // turn out to be one new enterprise). Its rows run in a savepoint, so a rejected row
        // leaves no enterprise behind; the others skip the savepoint's cost (about a fifth of
        // an import's time).
        let mark = if kind == ImportKind::Relations { Some(linker.tx.begin_row()?) } else { None };
        let discovered_before = linker.discovered.len();
        let result = import_row(&mut linker, kind, row, &mut seen_ids);
        if let Some(mark) = mark {
            match &result {
                Ok(_) => linker.tx.keep_row(mark)?,
                Err(RowError::Invalid(_)) => {
                    linker.tx.undo_row(mark)?;
                    for id in linker.discovered.drain(discovered_before..) {
                        linker.resolver.forget(id);
                    }
                }
                Err(RowError::Store(_)) => {}
            }
        }
        match result {
            Ok(applied) => {
                report.accepted += 1;
                report.rows.push((
                    row.line,
                    match applied.upsert {
                        Upsert::Inserted => RowStatus::Inserted,
                        Upsert::Updated => RowStatus::Updated,
                        Upsert::Unchanged => RowStatus::Unchanged,
                    },
                ));
                if applied.upsert != Upsert::Unchanged {
                    report.changed += 1;
                    changed_records.extend(applied.record);
                }
            }
            Err(RowError::Invalid(reason)) => {
                report.rows.push((row.line, RowStatus::Rejected(reason.0.clone())));
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
    tx.commit()?;
    if !rejects.is_empty() {
        report.rejects = Some(write_rejects(settings.rejects_dir, file, &rejects)?);
    }
    outcome.changed_records.extend(changed_records);
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

enum RowError {
    Invalid(RowProblem),
    Store(StoreError),
}

impl From<RowProblem> for RowError {
    fn from(p: RowProblem) -> Self {
        RowError::Invalid(p)
    }
}

impl From<StoreError> for RowError {
    fn from(e: StoreError) -> Self {
        RowError::Store(e)
    }
}

struct Applied {
    upsert: Upsert,
    /// The record written, for kinds that are records.
    record: Option<Record>,
}

/// A reference that passed validation and is known not to be ambiguous.
struct CheckedRef {
    raw: String,
    reference: EntRef,
}

/// Resolves references inside the file's transaction, creating enterprises for unknown names.
struct Linker<'t, 's> {
    tx: &'t mut StoreTx<'s>,
    resolver: &'t mut Resolver,
    discovered: Vec<i64>,
    privacy: &'t Privacy,
}

impl Linker<'_, '_> {
    /// Validates a reference without writing anything.
    fn check(&self, column: &str, raw: &str) -> RowResult<CheckedRef> {
        let reference = EntRef::parse(raw).map_err(|e| problem(format!("`{column}`: {e}")))?;
        Ok(CheckedRef { raw: raw.trim().to_string(), reference })
    }

    /// Links a checked reference, creating a discovered enterprise when nothing matches.
    fn link(&mut self, checked: CheckedRef, origin: &str) -> Result<NamedEnterprise, StoreError> {
        let mut enterprise = Enterprise { discovered_from: Some(origin.to_string()), ..Default::default() };
        match self.resolver.resolve(&checked.reference) {
            Resolution::Linked { id, .. } => {
                // A code says nothing to a reader: show the registered name instead.
                let name = match &checked.reference {
                    EntRef::Uscc(_) => self.resolver.name_of(id).map(str::to_string).unwrap_or(checked.raw),
                    EntRef::Name(_) => checked.raw,
                };
                return Ok(NamedEnterprise { name, id });
            }
            // Never link on a guess: a new enterprise that remembers who it might be.
            Resolution::NeedsReview { candidates } => {
                let ids: Vec<String> = candidates.iter().map(|c| c.id.to_string()).collect();
                enterprise.extra.insert("review_candidates".into(), ids.join("|"));
            }
            Resolution::NotFound => {}
        }
        match &checked.reference {
            EntRef::Uscc(code) => {
                enterprise.uscc = Some(code.clone());
                enterprise.name = code.clone();
            }
            EntRef::Name(name) => enterprise.name = name.clone(),
        }
        let enterprise = self.tx.insert_enterprise(enterprise)?;
        self.resolver.insert(&enterprise);
        self.discovered.push(enterprise.id);
        Ok(NamedEnterprise { name: checked.raw, id: enterprise.id })
    }

    /// A reference that may name a person (`person:ID`, who must already be imported: the
    /// transaction sees earlier rows and files) or an enterprise.
    fn check_party(&self, column: &str, raw: &str) -> Result<PartyRef, RowError> {
        match parse_person_ref(raw) {
            Some(person) if self.tx.person_exists(person)? => Ok(PartyRef::Person(person.to_string())),
            Some(person) => Err(problem(format!("unknown person {person:?}; import persons first")).into()),
            None => Ok(PartyRef::Enterprise(self.check(column, raw)?)),
        }
    }
}

fn import_row(
    linker: &mut Linker<'_, '_>,
    kind: ImportKind,
    row: &RawRow,
    seen_ids: &mut HashSet<String>,
) -> Result<Applied, RowError> {
    let fields = Fields::new(row);
    // The same id twice in one file: the first wins, the second is reported.
    if let Some(id) = row.values.get("id") {
        if kind != ImportKind::Enterprises && !seen_ids.insert(id.clone()) {
            return Err(problem(format!("duplicate id {id:?} in this file")).into());
        }
    }
    match kind {
        ImportKind::Enterprises => import_enterprise(linker, &fields),
        ImportKind::Persons => {
            let person = linker.privacy.protect(
                fields.required("id")?.to_string(),
                fields.required("name")?.to_string(),
                fields.opt("id_number"),
            );
            Ok(Applied { upsert: linker.tx.upsert_person(&person)?, record: None })
        }
        ImportKind::Managers => {
            let manager = Manager {
                id: fields.required("id")?.to_string(),
                name: fields.required("name")?.to_string(),
                branch: fields.string("branch"),
                regions: fields.list("regions").into_iter().map(String::from).collect(),
                industries: fields.list("industries").into_iter().map(String::from).collect(),
                capacity: fields.integer("capacity")?,
                webhook: fields.string("webhook"),
            };
            Ok(Applied { upsert: linker.tx.upsert_manager(&manager)?, record: None })
        }
        ImportKind::Relations => import_relation(linker, &fields),
        _ => {
            let record = parse_record(linker, kind, &fields)?;
            let upsert = linker.tx.upsert_record(&record)?;
            Ok(Applied { upsert, record: Some(record) })
        }
    }
}

fn import_enterprise(linker: &mut Linker<'_, '_>, f: &Fields<'_>) -> Result<Applied, RowError> {
    let name = f.required("name")?.trim().to_string();
    let uscc = f
        .opt("uscc")
        .map(crate::resolve::uscc::validate)
        .transpose()
        .map_err(|e| problem(format!("`uscc`: {e}")))?;
    let size = f
        .opt("size")
        .map(|s| {
            EnterpriseSize::parse(s)
                .ok_or_else(|| problem(format!("`size` {s:?} is not one of large, medium, small, micro")))
        })
        .transpose()?;
    let incoming = Enterprise {
        id: 0,
        name: name.clone(),
        uscc: uscc.clone(),
        aliases: f.list("aliases").into_iter().map(String::from).collect(),
        legal_rep: f.string("legal_rep"),
        region: f.string("region"),
        industry: f.string("industry"),
        registered_capital: f.amount("registered_capital")?,
        established: f.date("established")?,
        status: f.string("status"),
        size,
        listed: f.boolean("listed")?,
        is_customer: f.boolean("is_customer")?,
        manager_id: f.string("manager_id"),
        discovered_from: None,
        extra: f.extra(),
    };
    // Keyed by code when given, else by exact (normalised) name; never by a fuzzy match, which
    // would merge two real companies.
    let by_code = uscc.as_ref().and_then(|code| linker.resolver.exact(&EntRef::Uscc(code.clone())));
    let by_name = linker.resolver.exact(&EntRef::Name(name.clone()));
    let existing_id = by_code.or(by_name);
    let existing = match existing_id {
        Some(id) => linker.tx.enterprise(id)?,
        None => None,
    };
    if let Some(existing) = existing {
        if let (Some(have), Some(want)) = (&existing.uscc, &uscc) {
            if have != want {
                return Err(problem(format!(
                    "name {name:?} already belongs to enterprise {} with code {have}, not {want}",
                    existing.id
                ))
                .into());
            }
        }
        let merged = merge_enterprise(existing, incoming);
        let upsert = linker.tx.update_enterprise(&merged)?;
        linker.resolver.insert(&merged);
        return Ok(Applied { upsert, record: None });
    }
    let created = linker.tx.insert_enterprise(incoming)?;
    linker.resolver.insert(&created);
    Ok(Applied { upsert: Upsert::Inserted, record: None })
}

/// Values the row gives win; what it leaves empty is kept. Aliases are the union, and a name
/// that changes keeps the old one as an alias (a former name).
fn merge_enterprise(mut old: Enterprise, new: Enterprise) -> Enterprise {
    if old.name != new.name && !old.aliases.contains(&old.name) {
        let former = std::mem::replace(&mut old.name, new.name.clone());
        old.aliases.push(former);
    }
    for alias in new.aliases {
        if !old.aliases.contains(&alias) && alias != old.name {
            old.aliases.push(alias);
        }
    }
    old.uscc = new.uscc.or(old.uscc);
    old.legal_rep = new.legal_rep.or(old.legal_rep);
    old.region = new.region.or(old.region);
    old.industry = new.industry.or(old.industry);
    old.registered_capital = new.registered_capital.or(old.registered_capital);
    old.established = new.established.or(old.established);
    old.status = new.status.or(old.status);
    old.size = new.size.or(old.size);
    old.listed |= new.listed;
    old.is_customer |= new.is_customer;
    old.manager_id = new.manager_id.or(old.manager_id);
    // An enterprise imported explicitly is no longer merely "discovered".
    old.discovered_from = None;
    old.extra.extend(new.extra);
    old
}

fn import_relation(linker: &mut Linker<'_, '_>, f: &Fields<'_>) -> Result<Applied, RowError> {
    let from_raw = f.required("from")?;
    let to_raw = f.required("to")?;
    let kind = f.parse_enum(
        "kind",
        RelationKind::parse,
        "shareholder, officer, legal_rep, guarantee, supplier, branch, control",
    )?;
    let share = f.share("share")?;
    let role = f.string("role");
    let amount = f.amount("amount")?;
    let start = f.date("start")?;
    let end = f.date("end")?;
    let source = f.string("source");
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            return Err(problem(format!("`end` {e} is before `start` {s}")).into());
        }
    }
    let from = linker.check_party("from", from_raw)?;
    if crate::resolve::normalize_name(from_raw) == crate::resolve::normalize_name(to_raw) {
        return Err(problem("a relation from an enterprise to itself").into());
    }
    let to = linker.check("to", to_raw)?;
    let origin = format!("relation:{from_raw}->{to_raw}");
    let from = match from {
        PartyRef::Person(id) => Party::Person(id),
        PartyRef::Enterprise(checked) => Party::Enterprise(linker.link(checked, &origin)?.id),
    };
    let to = linker.link(to, &origin)?.id;
    if from == Party::Enterprise(to) {
        return Err(problem("a relation from an enterprise to itself").into());
    }
    let relation = Relation { from, to, kind, share, role, amount, start, end, source };
    Ok(Applied { upsert: linker.tx.upsert_relation(&relation)?, record: None })
}

enum PartyRef {
    Person(String),
    Enterprise(CheckedRef),
}

fn parse_person_ref(raw: &str) -> Option<&str> {
    raw.trim().strip_prefix("person:").map(str::trim).filter(|id| !id.is_empty())
}

fn parse_record(linker: &mut Linker<'_, '_>, kind: ImportKind, f: &Fields<'_>) -> Result<Record, RowError> {
    let id = f.required("id")?.to_string();
    match kind {
        ImportKind::Tenders => {
            let notice =
                f.parse_enum("kind", TenderKind::parse, "tender, award, candidate, correction, termination")?;
            let title = f.required("title")?.to_string();
            let published = f.required_date("published")?;
            let buyer = f.opt("buyer").map(|b| linker.check("buyer", b)).transpose()?;
            // `winners` is what `oppgraph extract` prints, so its output imports as it is.
            let mut winner_list = f.list("winner");
            if winner_list.is_empty() {
                winner_list = f.list("winners");
            }
            let winners =
                winner_list.into_iter().map(|w| linker.check("winner", w)).collect::<RowResult<Vec<_>>>()?;
            let agency = f.opt("agency").map(|a| linker.check("agency", a)).transpose()?;
            let amount = f.amount("amount")?;
            let budget = f.amount("budget")?;
            let (region, url, source, text) =
                (f.string("region"), f.string("url"), f.string("source"), f.string("text"));
            let extra = f.extra();
            let origin = format!("tender:{id}");
            let buyer = buyer.map(|b| linker.link(b, &origin)).transpose()?;
            let winners =
                winners.into_iter().map(|w| linker.link(w, &origin)).collect::<Result<Vec<_>, _>>()?;
            let agency = agency.map(|a| linker.link(a, &origin)).transpose()?;
            Ok(Record::Tender(Tender {
                id,
                kind: notice,
                title,
                published,
                buyer,
                winners,
                agency,
                amount,
                budget,
                region,
                url,
                source,
                text,
                extra,
            }))
        }
        ImportKind::Filings => {
            let enterprise = linker.check("enterprise", f.required("enterprise")?)?;
            let kind = f.required("kind")?.trim().to_string();
            let published = f.required_date("published")?;
            let counterparty = f.opt("counterparty").map(|c| linker.check("counterparty", c)).transpose()?;
            let amount = f.amount("amount")?;
            let (title, url, text) = (f.string("title"), f.string("url"), f.string("text"));
            let extra = f.extra();
            let origin = format!("filing:{id}");
            let enterprise = linker.link(enterprise, &origin)?;
            let counterparty = counterparty.map(|c| linker.link(c, &origin)).transpose()?;
            Ok(Record::Filing(Filing {
                id,
                enterprise,
                kind,
                title,
                published,
                amount,
                counterparty,
                url,
                text,
                extra,
            }))
        }
        ImportKind::Pledges => {
            let pledge_kind =
                f.parse_enum("kind", PledgeKind::parse, "equity, chattel, real_estate, receivable")?;
            let pledgor = linker.check("pledgor", f.required("pledgor")?)?;
            let pledgee = linker.check("pledgee", f.required("pledgee")?)?;
            let registered = f.required_date("registered")?;
            let expires = f.date("expires")?;
            if let Some(expires) = expires {
                if expires < registered {
                    return Err(
                        problem(format!("`expires` {expires} is before `registered` {registered}")).into()
                    );
                }
            }
            let status = match f.opt("status") {
                None => PledgeStatus::Active,
                Some(s) => PledgeStatus::parse(s)
                    .ok_or_else(|| problem(format!("`status` {s:?} is not one of active, released")))?,
            };
            let amount = f.amount("amount")?;
            let (subject, url, source) = (f.string("subject"), f.string("url"), f.string("source"));
            let extra = f.extra();
            let origin = format!("pledge:{id}");
            let pledgor = linker.link(pledgor, &origin)?;
            let pledgee = linker.link(pledgee, &origin)?;
            Ok(Record::Pledge(Pledge {
                id,
                kind: pledge_kind,
                pledgor,
                pledgee,
                subject,
                amount,
                registered,
                expires,
                status,
                url,
                source,
                extra,
            }))
        }
        ImportKind::Invoices => {
            let seller = linker.check("seller", f.required("seller")?)?;
            let buyer = linker.check("buyer", f.required("buyer")?)?;
            let amount = f.required_amount("amount")?;
            let issued = f.required_date("issued")?;
            let category = f.string("category");
            let extra = f.extra();
            let origin = format!("invoice:{id}");
            let seller = linker.link(seller, &origin)?;
            let buyer = linker.link(buyer, &origin)?;
            Ok(Record::Invoice(Invoice { id, seller, buyer, amount, issued, category, extra }))
        }
        ImportKind::RiskEvents => {
            let subject_raw = f.required("subject")?;
            let risk_kind = f.parse_enum(
                "kind",
                RiskKind::parse,
                "litigation, enforcement, dishonest, share_reduction, credit_rejection, financing_cost, admin_penalty, abnormal_operation, equity_freeze, bankruptcy",
            )?;
            let severity = match f.integer("severity")? {
                None => risk_kind.default_severity(),
                Some(s @ 1..=5) => s as u8,
                Some(s) => return Err(problem(format!("`severity` must be 1 to 5, got {s}")).into()),
            };
            let published = f.required_date("published")?;
            let amount = f.amount("amount")?;
            let (title, url, text) = (f.string("title"), f.string("url"), f.string("text"));
            let subject = linker.check_party("subject", subject_raw)?;
            let extra = f.extra();
            let (subject, subject_name) = match subject {
                PartyRef::Person(person) => {
                    let name = linker.tx.person_name(&person)?.unwrap_or_else(|| person.clone());
                    (Party::Person(person), name)
                }
                PartyRef::Enterprise(checked) => {
                    let named = linker.link(checked, &format!("risk_event:{id}"))?;
                    (Party::Enterprise(named.id), named.name)
                }
            };
            Ok(Record::RiskEvent(RiskEvent {
                id,
                subject,
                subject_name,
                kind: risk_kind,
                severity,
                published,
                amount,
                title,
                url,
                text,
                extra,
            }))
        }
        ImportKind::Enterprises | ImportKind::Persons | ImportKind::Relations | ImportKind::Managers => {
            Err(problem(format!("{} rows are not records", kind.as_str())).into())
        }
    }
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
