//! Watchlist notices: every logged store change that touches a watched enterprise (or, for a
//! watch with `owners`, one of its owners within two hops) becomes one notice for the watcher,
//! once — the watches advance past the changes in the transaction that plans the deliveries.

use crate::model::{Change, EnterpriseId, Notice, Party, Record, Relation};
use crate::store::{Store, StoreError};
use std::collections::{BTreeMap, HashMap};

/// Watcher id -> notices, in change order.
pub type NoticesByWatcher = BTreeMap<String, Vec<Notice>>;

/// Owners this many steps up count for a watch with `owners`.
const OWNER_HOPS: usize = 2;

/// Notices per watcher since each watch was last told, and the (change, record) sequence
/// numbers they reach up to. Records come from the record sequence (every record write takes
/// one); relation and registration changes from the change log.
pub fn collect(store: &Store) -> Result<((u64, u64), NoticesByWatcher), StoreError> {
    let watches = store.watches(None)?;
    let mut out: BTreeMap<String, Vec<Notice>> = BTreeMap::new();
    let (Some(from_change), Some(from_record)) =
        (watches.iter().map(|w| w.since).min(), watches.iter().map(|w| w.record_since).min())
    else {
        return Ok(((0, 0), out));
    };
    let (latest_change, changes) = store.changes_since(from_change)?;
    let changes = changes.unwrap_or_else(|| {
        tracing::warn!(from_change, "the change log no longer reaches back to the oldest watch");
        Vec::new()
    });
    // Records are read from the record sequence, not the change log (which logs only the
    // records the graph is built from).
    let changes: Vec<(u64, Change)> = changes
        .into_iter()
        .filter(|(_, c)| !matches!(c, Change::Record { .. } | Change::Person { .. }))
        .collect();
    // A big import is told over several dispatches rather than read whole.
    let (latest_record, records) = store.records_since(from_record, 100_000)?;
    let mut names: HashMap<EnterpriseId, String> = HashMap::new();
    let mut name = |id: EnterpriseId| -> Result<String, StoreError> {
        if let Some(name) = names.get(&id) {
            return Ok(name.clone());
        }
        let found = store.enterprise(id)?.map(|e| e.name).unwrap_or_else(|| format!("企业{id}"));
        names.insert(id, found.clone());
        Ok(found)
    };
    for watch in &watches {
        // Watched id -> the owner it is reached through (None for the enterprise itself).
        let mut watched: HashMap<EnterpriseId, Option<EnterpriseId>> =
            HashMap::from([(watch.enterprise, None)]);
        if watch.owners {
            for owner in store.owners_within(watch.enterprise, OWNER_HOPS)? {
                watched.insert(owner, Some(owner));
            }
        }
        let record_changes =
            records.iter().filter(|(seq, _)| *seq > watch.record_since).map(|(seq, record)| {
                (format!("record:{seq}"), Change::Record { old: None, new: record.clone() })
            });
        let other_changes = changes
            .iter()
            .filter(|(seq, _)| *seq > watch.since)
            .map(|(seq, c)| (format!("change:{seq}"), c.clone()));
        for (source, change) in record_changes.chain(other_changes) {
            let Some(via) = involved(&change).iter().find_map(|id| watched.get(id)).copied() else {
                continue;
            };
            let title = describe(&change, &mut name)?;
            out.entry(watch.watcher.clone()).or_default().push(Notice {
                enterprise: watch.enterprise,
                enterprise_name: name(watch.enterprise)?,
                title,
                via: via.map(&mut name).transpose()?,
                source,
            });
        }
    }
    Ok(((latest_change, latest_record), out))
}

/// The enterprises a change touches.
fn involved(change: &Change) -> Vec<EnterpriseId> {
    match change {
        Change::Enterprise { new, .. } => vec![new.id],
        Change::Person { .. } => Vec::new(),
        Change::Relation { old, new } => {
            let mut ids = relation_ids(new);
            ids.extend(old.iter().flat_map(relation_ids));
            ids
        }
        Change::Record { new, .. } => {
            let mut ids: Vec<EnterpriseId> = new.parties().into_iter().map(|(_, e)| e.id).collect();
            if let Record::RiskEvent(r) = new {
                if let Party::Enterprise(id) = r.subject {
                    ids.push(id);
                }
            }
            ids
        }
    }
}

fn relation_ids(relation: &Relation) -> Vec<EnterpriseId> {
    let mut ids = vec![relation.to];
    if let Party::Enterprise(id) = relation.from {
        ids.push(id);
    }
    ids
}

/// One line in Chinese saying what changed.
fn describe(
    change: &Change,
    name: &mut impl FnMut(EnterpriseId) -> Result<String, StoreError>,
) -> Result<String, StoreError> {
    Ok(match change {
        Change::Enterprise { old: None, new } => format!("新登记：{}", new.name),
        Change::Enterprise { old: Some(old), new } => {
            let before = serde_json::to_value(old).unwrap_or_default();
            let after = serde_json::to_value(new).unwrap_or_default();
            let mut fields: Vec<String> = after
                .as_object()
                .map(|a| {
                    a.iter()
                        .filter(|(k, v)| before.get(k.as_str()) != Some(v))
                        .map(|(k, _)| k.clone())
                        .collect()
                })
                .unwrap_or_default();
            fields.sort();
            format!("登记信息变更：{}（{}）", new.name, fields.join("、"))
        }
        Change::Person { new, .. } => format!("人员信息变更：{}", new.name),
        Change::Relation { old, new } => {
            let from = match &new.from {
                Party::Enterprise(id) => name(*id)?,
                Party::Person(_) => "自然人".to_string(),
            };
            let share = new.share.map(|s| format!(" {:.2}%", s * 100.0)).unwrap_or_default();
            let verb = if old.is_some() { "变更" } else { "新增" };
            format!("关系{verb}：{from} → {} {}{share}", name(new.to)?, new.kind.as_str())
        }
        Change::Record { old, new } => {
            let what = match new {
                Record::RiskEvent(r) => format!("风险事件（{}）", r.kind.as_str()),
                Record::Tender(t) => format!("招投标公告（{}）", t.kind.as_str()),
                Record::Filing(f) => format!("工商/公告（{}）", f.kind),
                Record::Pledge(_) => "质押/抵押登记".to_string(),
                Record::Invoice(_) => "发票".to_string(),
            };
            let verb = if old.is_some() { "更新" } else { "" };
            format!("{verb}{what}：{} {}", new.title(), new.date())
        }
    })
}
