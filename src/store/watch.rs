//! The watchlist, and the logged changes its notices are made from.

use super::{decode_change, graph_version, meta, now_text, Result, Store};
use crate::model::Record;
use crate::model::{Change, EnterpriseId, Watch};
use rusqlite::params;
use std::collections::HashSet;

/// Logged changes with their sequence numbers, oldest first.
pub type LoggedChanges = Vec<(u64, Change)>;

impl Store {
    /// Adds (or keeps) a watch; notices start from the store's current change.
    pub fn add_watch(&mut self, watcher: &str, enterprise: EnterpriseId, owners: bool) -> Result<Watch> {
        let since = graph_version(&self.conn)?.seq;
        let record_since = meta(&self.conn, "record_seq")?;
        self.conn.execute(
            "INSERT INTO watchlist(watcher, enterprise_id, owners, since, record_since, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(watcher, enterprise_id) DO UPDATE SET owners = max(owners, excluded.owners)",
            params![watcher, enterprise, owners, since as i64, record_since, now_text()],
        )?;
        Ok(self
            .watches(Some(watcher))?
            .into_iter()
            .find(|w| w.enterprise == enterprise)
            .expect("just written"))
    }

    pub fn remove_watch(&mut self, watcher: &str, enterprise: EnterpriseId) -> Result<bool> {
        let removed = self.conn.execute(
            "DELETE FROM watchlist WHERE watcher = ?1 AND enterprise_id = ?2",
            params![watcher, enterprise],
        )?;
        Ok(removed > 0)
    }

    /// Watches, of one watcher or all.
    pub fn watches(&self, watcher: Option<&str>) -> Result<Vec<Watch>> {
        let mut stmt = self.conn.prepare(
            "SELECT watcher, enterprise_id, owners, since, record_since, created_at FROM watchlist
             WHERE ?1 IS NULL OR watcher = ?1 ORDER BY watcher, enterprise_id",
        )?;
        let rows = stmt.query_map([watcher], |row| {
            Ok(Watch {
                watcher: row.get(0)?,
                enterprise: row.get(1)?,
                owners: row.get(2)?,
                since: row.get::<_, i64>(3)? as u64,
                record_since: row.get::<_, i64>(4)? as u64,
                created_at: row.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every logged change after `after`, with its sequence number, and the latest sequence
    /// number; `None` when the log no longer reaches back that far.
    pub fn changes_since(&self, after: u64) -> Result<(u64, Option<LoggedChanges>)> {
        let tx = self.conn.unchecked_transaction()?;
        let version = graph_version(&tx)?;
        if after < meta(&tx, "graph_changes_pruned")? as u64 {
            return Ok((version.seq, None));
        }
        let mut stmt =
            tx.prepare("SELECT seq, what, old, new FROM graph_changes WHERE seq > ?1 ORDER BY seq")?;
        let rows = stmt.query_map([after as i64], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, Option<String>>(2)?,
                row.get::<_, String>(3)?,
            ))
        })?;
        let mut changes = Vec::new();
        for row in rows {
            let (seq, what, old, new) = row?;
            changes.push((seq as u64, decode_change(&what, old.as_deref(), &new)?));
        }
        drop(stmt);
        tx.finish()?;
        Ok((version.seq, Some(changes)))
    }

    /// Up to `limit` records written after record sequence number `after`, with their
    /// numbers, and the number they reach up to (the store's latest when all were read).
    pub fn records_since(&self, after: u64, limit: usize) -> Result<(u64, Vec<(u64, Record)>)> {
        let latest = meta(&self.conn, "record_seq")? as u64;
        let records = self.records_after(after, limit)?;
        let upto = match records.last() {
            Some((seq, _)) if records.len() == limit => *seq,
            _ => latest.max(after),
        };
        Ok((upto, records))
    }

    /// The enterprises holding shares in (or controlling) `enterprise`, up to `hops` steps up.
    pub fn owners_within(&self, enterprise: EnterpriseId, hops: usize) -> Result<Vec<EnterpriseId>> {
        let mut stmt = self.conn.prepare(
            "SELECT json_extract(data, '$.from.Enterprise') FROM relations
             WHERE to_id = ?1 AND kind IN ('shareholder', 'control')",
        )?;
        let mut seen = HashSet::from([enterprise]);
        let mut frontier = vec![enterprise];
        let mut out = Vec::new();
        for _ in 0..hops {
            let mut next = Vec::new();
            for id in frontier {
                for owner in stmt.query_map([id], |row| row.get::<_, Option<i64>>(0))? {
                    if let Some(owner) = owner? {
                        if seen.insert(owner) {
                            out.push(owner);
                            next.push(owner);
                        }
                    }
                }
            }
            frontier = next;
        }
        Ok(out)
    }
}
