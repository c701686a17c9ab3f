//! The watchlist, and the logged changes its notices are made from.

use super::db::p;
use super::{decode_change, graph_version, json, meta, now_text, Result, Store};
use crate::model::Record;
use crate::model::{Change, EnterpriseId, Watch};
use std::collections::HashSet;

/// Logged changes with their sequence numbers, oldest first.
pub type LoggedChanges = Vec<(u64, Change)>;

impl Store {
    /// Adds (or keeps) a watch; notices start from the store's current change.
    pub fn add_watch(&mut self, watcher: &str, enterprise: EnterpriseId, owners: bool) -> Result<Watch> {
        let since = graph_version(&self.db)?.seq;
        let record_since = meta(&self.db, "record_seq")?;
        self.db.execute(
            "INSERT INTO watchlist(watcher, enterprise_id, owners, since, record_since, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(watcher, enterprise_id) DO UPDATE SET owners = CASE
               WHEN watchlist.owners > excluded.owners THEN watchlist.owners ELSE excluded.owners END",
            p![watcher, enterprise, owners, since as i64, record_since, now_text()],
        )?;
        Ok(self
            .watches(Some(watcher))?
            .into_iter()
            .find(|w| w.enterprise == enterprise)
            .expect("just written"))
    }

    pub fn remove_watch(&mut self, watcher: &str, enterprise: EnterpriseId) -> Result<bool> {
        let removed = self.db.execute(
            "DELETE FROM watchlist WHERE watcher = ?1 AND enterprise_id = ?2",
            p![watcher, enterprise],
        )?;
        Ok(removed > 0)
    }

    /// Watches, of one watcher or all.
    pub fn watches(&self, watcher: Option<&str>) -> Result<Vec<Watch>> {
        let mut watches = self.db.query(
            "SELECT watcher, enterprise_id, owners, since, record_since, created_at FROM watchlist
             WHERE CAST(?1 AS TEXT) IS NULL OR watcher = ?1",
            p![watcher],
            |row| {
                Ok(Watch {
                    watcher: row.get(0)?,
                    enterprise: row.get(1)?,
                    owners: row.get(2)?,
                    since: row.get::<i64>(3)? as u64,
                    record_since: row.get::<i64>(4)? as u64,
                    created_at: row.get(5)?,
                })
            },
        )?;
        watches.sort_unstable_by(|a, b| (&a.watcher, a.enterprise).cmp(&(&b.watcher, b.enterprise)));
        Ok(watches)
    }

    /// Every logged change after `after`, with its sequence number, and the latest sequence
    /// number; `None` when the log no longer reaches back that far.
    pub fn changes_since(&self, after: u64) -> Result<(u64, Option<LoggedChanges>)> {
        let tx = self.db.begin_read()?;
        let version = graph_version(&self.db)?;
        if after < meta(&self.db, "graph_changes_pruned")? as u64 {
            return Ok((version.seq, None));
        }
        let changes = self.db.query(
            "SELECT seq, what, old, new FROM graph_changes WHERE seq > ?1 ORDER BY seq",
            p![after as i64],
            |row| {
                let (seq, what, old, new): (i64, String, Option<String>, String) =
                    (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
                Ok((seq as u64, decode_change(&what, old.as_deref(), &new)?))
            },
        )?;
        tx.commit()?;
        Ok((version.seq, Some(changes)))
    }

    /// Up to `limit` records written after record sequence number `after`, with their
    /// numbers, and the number they reach up to (the store's latest when all were read).
    pub fn records_since(&self, after: u64, limit: usize) -> Result<(u64, Vec<(u64, Record)>)> {
        let latest = meta(&self.db, "record_seq")? as u64;
        let records = self.records_after(after, limit)?;
        let upto = match records.last() {
            Some((seq, _)) if records.len() == limit => *seq,
            _ => latest.max(after),
        };
        Ok((upto, records))
    }

    /// The enterprises holding shares in (or controlling) `enterprise`, up to `hops` steps up.
    pub fn owners_within(&self, enterprise: EnterpriseId, hops: usize) -> Result<Vec<EnterpriseId>> {
        let sql = format!(
            "SELECT {} FROM relations WHERE to_id = ?1 AND kind IN ('shareholder', 'control')",
            json(&self.db, "data", "from.Enterprise", Some("bigint"))
        );
        let mut seen = HashSet::from([enterprise]);
        let mut frontier = vec![enterprise];
        let mut out = Vec::new();
        for _ in 0..hops {
            let mut next = Vec::new();
            for id in frontier {
                let owners: Vec<Option<i64>> = self.db.query(&sql, p![id], |row| row.get(0))?;
                for owner in owners.into_iter().flatten() {
                    if seen.insert(owner) {
                        out.push(owner);
                        next.push(owner);
                    }
                }
            }
            frontier = next;
        }
        Ok(out)
    }
}
