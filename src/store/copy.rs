//! Moving a store between backends (`oppgraph export-store` / `import-store`): every table
//! copied row for row into an empty store, with the store's id and sequence numbers, so the
//! data dir's search index and graph snapshot stay valid against the copy.

use super::db::{Backend, Param, ValueRef};
use super::{meta, Result, Store, StoreError};
use std::borrow::Cow;

/// Every table and its columns, parents before children; `meta` is handled on its own.
const TABLES: &[(&str, &[&str])] = &[
    ("enterprises", &["id", "uscc", "name", "data", "region"]),
    ("persons", &["id", "data"]),
    ("relations", &["key", "to_id", "kind", "data", "start_on", "end_on"]),
    ("records", &["kind", "id", "published", "data", "seq", "notice", "expires"]),
    ("record_parties", &["enterprise_id", "kind", "id", "agency_only"]),
    ("managers", &["id", "data"]),
    (
        "opportunities",
        &[
            "id",
            "enterprise_id",
            "manager",
            "score",
            "suppressed",
            "status",
            "mined_at",
            "data",
            "tier",
            "kind",
            "due",
            "amount",
            "digest",
            "first_seen",
            "suppressed_reason",
            "turns_on",
        ],
    ),
    ("opportunity_alerts", &["alert_id", "opportunity_id", "rank", "data", "kind", "direct"]),
    ("opportunity_keys", &["key", "opportunity_id"]),
    ("feedback", &["seq", "opportunity_id", "actor", "status", "reason", "note", "at"]),
    ("alert_reviews", &["alert_id", "reviewer", "decision", "note", "at"]),
    ("audit", &["seq", "at", "actor", "action", "detail"]),
    ("resolution_decisions", &["name", "enterprise_id", "decided_by", "at"]),
    ("graph_changes", &["seq", "what", "old", "new"]),
    ("crawl_pages", &["url", "crawler", "data"]),
    ("crawl_runs", &["id", "crawler", "data"]),
    ("crawl_failures", &["crawler", "url", "data"]),
    ("crawl_hosts", &["host", "last_request_ms"]),
    (
        "outbox",
        &[
            "opportunity_id",
            "manager",
            "enterprise_id",
            "queued_at",
            "state",
            "delivery_id",
            "planned_at",
            "reason",
        ],
    ),
    ("deliveries", &["id", "manager", "state", "next_at", "created_at", "data", "claimed_until"]),
    ("watchlist", &["watcher", "enterprise_id", "owners", "since", "record_since", "created_at"]),
];

/// Counters in `meta` that travel with the data (the schema version and the change-log
/// counter are the target's own).
const META: &[&str] = &[
    "store_id",
    "graph_changes_pruned",
    "mined_seq",
    "mined_state",
    "mined_feedback_seq",
    "mined_as_of",
    "record_seq",
    "id_numbers_protected",
    "generation",
];

/// Rows per INSERT.
const BATCH: usize = 500;

/// What a copy moved, per table.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Copied {
    pub tables: std::collections::BTreeMap<String, u64>,
}

impl Store {
    /// Copies everything in this store into `target`, which must be empty (freshly migrated),
    /// in one write transaction on the target.
    pub fn copy_into(&self, target: &mut Store) -> Result<Copied> {
        let taken: i64 = target.count(super::Table::Enterprises)? + target.count(super::Table::Records)?;
        if taken > 0 {
            return Err(StoreError::Corrupt(
                "the target store is not empty: copy only into a new one".into(),
            ));
        }
        let source = &self.db;
        let version = self.graph_version()?;
        let read = source.begin_read()?;
        let db = &target.db;
        let tx = db.begin_write()?;
        let mut copied = Copied::default();
        for (table, columns) in TABLES {
            let list = columns.join(", ");
            let rows: Vec<Vec<Param<'static>>> =
                source.query(&format!("SELECT {list} FROM {table}"), &[], |row| {
                    (0..columns.len()).map(|i| row.value(i).map(owned)).collect()
                })?;
            copied.tables.insert(table.to_string(), rows.len() as u64);
            for chunk in rows.chunks(BATCH) {
                let mut sql = format!("INSERT INTO {table}({list}) VALUES ");
                let mut n = 0;
                for (i, _) in chunk.iter().enumerate() {
                    sql.push_str(if i == 0 { "(" } else { ", (" });
                    for c in 0..columns.len() {
                        n += 1;
                        sql.push_str(&format!("{}?{n}", if c == 0 { "" } else { ", " }));
                    }
                    sql.push(')');
                }
                let params: Vec<Param<'_>> = chunk.iter().flatten().cloned().collect();
                db.execute(&sql, &params)?;
            }
        }
        for key in META {
            db.execute("UPDATE meta SET value = ?2 WHERE key = ?1", super::db::p![key, meta(source, key)?])?;
        }
        // The target hands out ids and numbers after the copied ones.
        match db.backend() {
            Backend::Postgres => {
                db.execute(
                    "UPDATE meta SET value = ?1 WHERE key = 'graph_seq'",
                    super::db::p![version.seq as i64],
                )?;
                for (table, column) in
                    [("enterprises", "id"), ("feedback", "seq"), ("audit", "seq"), ("crawl_runs", "id")]
                {
                    db.batch(&format!(
                        "SELECT setval(pg_get_serial_sequence('{table}', '{column}'),
                           COALESCE((SELECT MAX({column}) FROM {table}), 0) + 1, false)"
                    ))?;
                }
            }
            Backend::Sqlite => {
                super::index_enterprise_names(db, None)?;
                db.execute("DELETE FROM sqlite_sequence WHERE name = 'graph_changes'", &[])?;
                db.execute(
                    "INSERT INTO sqlite_sequence(name, seq) VALUES ('graph_changes', ?1)",
                    super::db::p![version.seq as i64],
                )?;
            }
        }
        tx.commit()?;
        read.commit()?;
        Ok(copied)
    }
}

fn owned(value: ValueRef<'_>) -> Param<'static> {
    match value {
        ValueRef::Null => Param::Null,
        ValueRef::Int(v) => Param::Int(v),
        ValueRef::Real(v) => Param::Real(v),
        ValueRef::Text(t) => Param::Text(Cow::Owned(t.to_string())),
    }
}
