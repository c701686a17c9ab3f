//! Write transactions for imports: rows upserted with their change logged for the graph and
//! their record sequence number for the index, and per-row savepoints.

use super::db::{p, Backend, Db, Param, Transaction};
use super::{audit, meta, Result};
use crate::model::{Enterprise, EnterpriseId, Manager, Party, Person, Record, Relation};

/// A row's start inside a write transaction.
#[derive(Debug)]
#[must_use = "keep or undo the row"]
pub struct RowMark {
    record_seq: Option<i64>,
    graph_seq: Option<i64>,
    enterprise_id: Option<i64>,
    unlogged: Option<i64>,
}

/// Whether an upsert changed anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    Inserted,
    Updated,
    Unchanged,
}

/// A write transaction. Dropping it without [`StoreTx::commit`] rolls everything back.
pub struct StoreTx<'a> {
    pub(super) tx: Transaction<'a>,
    pub(super) db: &'a Db,
    /// The last record sequence number this transaction handed out, written back on commit.
    pub(super) record_seq: Option<i64>,
    /// On PostgreSQL, the last change number this transaction handed out, written back on
    /// commit (updating the counter row for every change would leave one row version per
    /// change, each later update walking past all of them: quadratic in a large import).
    pub(super) graph_seq: Option<i64>,
    /// The last enterprise id this transaction handed out.
    pub(super) enterprise_id: Option<i64>,
    /// The store's open import, renewed by every commit (see [`super::Store::open_import`]).
    pub(super) lease: Option<&'a str>,
    /// Enterprises inserted or updated since the last commit, whose names are indexed for
    /// search by part of a name when it commits (SQLite), and those of them that were updated.
    pub(super) named: Vec<EnterpriseId>,
    pub(super) renamed: Vec<EnterpriseId>,
    /// In the first load (see [`super::Store::open_import`]), the changes not logged since the
    /// last commit; `None` when every change is logged.
    pub(super) unlogged: Option<i64>,
}

impl StoreTx<'_> {
    /// Inserts a new enterprise and returns it with its id.
    pub fn insert_enterprise(&mut self, mut enterprise: Enterprise) -> Result<Enterprise> {
        // The next id is the highest plus one on both backends (SQLite's rowid rule), read once
        // inside the write transaction (which holds the write lock): a rolled-back import
        // leaves no gap, so a re-run numbers enterprises as a clean run would (a PostgreSQL
        // sequence would not roll back).
        let last = match self.enterprise_id {
            Some(id) => id,
            None => {
                self.db.query_one("SELECT COALESCE(MAX(id), 0) FROM enterprises", &[], |row| row.get(0))?
            }
        };
        enterprise.id = last + 1;
        let data = serde_json::to_string(&enterprise)?;
        self.db.execute(
            "INSERT INTO enterprises(id, uscc, name, region, data) VALUES (?1, ?2, ?3, ?4, ?5)",
            p![enterprise.id, enterprise.uscc, enterprise.name, enterprise.region, data],
        )?;
        self.enterprise_id = Some(enterprise.id);
        self.named.push(enterprise.id);
        self.log_change("enterprise", None, &data)?;
        Ok(enterprise)
    }

    /// Writes an existing enterprise back (same id).
    pub fn update_enterprise(&mut self, enterprise: &Enterprise) -> Result<Upsert> {
        let id = enterprise.id;
        let data = serde_json::to_string(enterprise)?;
        let upsert = self.upsert_row(
            "SELECT data FROM enterprises WHERE id = ?1",
            p![id],
            &data,
            Some("enterprise"),
            |db| {
                db.execute(
                    "UPDATE enterprises SET uscc = ?2, name = ?3, region = ?4, data = ?5 WHERE id = ?1",
                    p![id, enterprise.uscc, enterprise.name, enterprise.region, data],
                )
            },
            // An enterprise is inserted by `insert_enterprise` only.
            |_| Ok(0),
        )?;
        if upsert == Upsert::Updated {
            self.named.push(id);
            self.renamed.push(id);
        }
        Ok(upsert)
    }

    /// Moves the change counter on by `by` (PostgreSQL: the transaction counts, and writes the
    /// counter back with the commit) and returns the new position.
    fn advance_graph_seq(&mut self, by: i64) -> Result<i64> {
        let seq = self.graph_seq.map_or_else(|| meta(self.db, "graph_seq"), Ok)? + by;
        self.graph_seq = Some(seq);
        Ok(seq)
    }

    /// Logs a change to a row the graph is derived from (see [`Store::graph_changes_after`]).
    fn log_change(&mut self, what: &str, old: Option<&str>, new: &str) -> Result<()> {
        if let Some(unlogged) = &mut self.unlogged {
            *unlogged += 1;
            return Ok(());
        }
        match self.db.backend() {
            Backend::Sqlite => self.db.execute(
                "INSERT INTO graph_changes(what, old, new) VALUES (?1, ?2, ?3)",
                p![what, old, new],
            )?,
            // The write lock orders writers; the counter is written back with the commit.
            Backend::Postgres => {
                let seq = self.advance_graph_seq(1)?;
                self.db.execute(
                    "INSERT INTO graph_changes(seq, what, old, new) VALUES (?1, ?2, ?3, ?4)",
                    p![seq, what, old, new],
                )?
            }
        };
        Ok(())
    }

    pub fn enterprise(&self, id: EnterpriseId) -> Result<Option<Enterprise>> {
        self.db.query_opt("SELECT data FROM enterprises WHERE id = ?1", p![id], |row| {
            Ok(serde_json::from_str(&row.get::<String>(0)?)?)
        })
    }

    pub fn person_name(&self, id: &str) -> Result<Option<String>> {
        let data: Option<String> =
            self.db.query_opt("SELECT data FROM persons WHERE id = ?1", p![id], |row| row.get(0))?;
        Ok(data.and_then(|d| serde_json::from_str::<Person>(&d).ok()).map(|p| p.name))
    }

    pub fn upsert_person(&mut self, person: &Person) -> Result<Upsert> {
        self.upsert_json("persons", &person.id, &serde_json::to_string(person)?, Some("person"))
    }

    pub fn upsert_manager(&mut self, manager: &Manager) -> Result<Upsert> {
        self.upsert_json("managers", &manager.id, &serde_json::to_string(manager)?, None)
    }

    fn upsert_json(&mut self, table: &str, id: &str, data: &str, log: Option<&str>) -> Result<Upsert> {
        self.upsert_row(
            &format!("SELECT data FROM {table} WHERE id = ?1"),
            p![id],
            data,
            log,
            |db| db.execute(&format!("UPDATE {table} SET data = ?2 WHERE id = ?1"), p![id, data]),
            |db| {
                db.execute(
                    &format!("INSERT INTO {table}(id, data) VALUES (?1, ?2) ON CONFLICT DO NOTHING"),
                    p![id, data],
                )
            },
        )
    }

    /// Relations are keyed by their ends, kind, role and start date.
    pub fn upsert_relation(&mut self, relation: &Relation) -> Result<Upsert> {
        let from = match &relation.from {
            Party::Enterprise(id) => format!("e{id}"),
            Party::Person(id) => format!("p{id}"),
        };
        let (start, end) = (relation.start.map(|d| d.to_string()), relation.end.map(|d| d.to_string()));
        let key = format!(
            "{from}|{}|{}|{}|{}",
            relation.to,
            relation.kind.as_str(),
            relation.role.as_deref().unwrap_or(""),
            start.as_deref().unwrap_or("")
        );
        let data = serde_json::to_string(relation)?;
        self.upsert_row(
            "SELECT data FROM relations WHERE key = ?1",
            p![key],
            &data,
            Some("relation"),
            |db| {
                db.execute(
                    "UPDATE relations SET data = ?2, start_on = ?3, end_on = ?4 WHERE key = ?1",
                    p![key, data, start, end],
                )
            },
            |db| {
                db.execute(
                    "INSERT INTO relations(key, to_id, kind, data, start_on, end_on) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT DO NOTHING",
                    p![key, relation.to, relation.kind.as_str(), data, start, end],
                )
            },
        )
    }

    pub fn upsert_record(&mut self, record: &Record) -> Result<Upsert> {
        let (kind, id) = (record.kind().as_str(), record.id());
        let data = serde_json::to_string(record)?;
        let published = record.date().to_string();
        let seq = self.next_record_seq()?;
        // What incremental mining looks records up by besides the date: terminations, expiries.
        let (notice, expires) = match record {
            Record::Tender(t) => (Some(t.kind.as_str()), None),
            Record::Pledge(p) => (None, p.expires.map(|d| d.to_string())),
            _ => (None, None),
        };
        let upsert = self.upsert_row(
            "SELECT data FROM records WHERE kind = ?1 AND id = ?2",
            p![kind, id],
            &data,
            // Every record is logged, also those the graph has no edge for (filings, risk
            // events, notices without a winner): incremental mining reads what changed here.
            Some("record"),
            |db| {
                db.execute(
                    "UPDATE records SET data = ?3, published = ?4, seq = ?5, notice = ?6, expires = ?7
                     WHERE kind = ?1 AND id = ?2",
                    p![kind, id, data, published, seq, notice, expires],
                )
            },
            |db| {
                db.execute(
                    "INSERT INTO records(kind, id, published, data, seq, notice, expires)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
                    p![kind, id, published, data, seq, notice, expires],
                )
            },
        )?;
        if upsert != Upsert::Unchanged {
            self.record_seq = Some(seq);
            if upsert == Upsert::Updated {
                self.db.execute("DELETE FROM record_parties WHERE kind = ?1 AND id = ?2", p![kind, id])?;
            }
            let agency_only = |enterprise: EnterpriseId| match record {
                Record::Tender(t) => {
                    t.agency.as_ref().is_some_and(|a| a.id == enterprise)
                        && t.buyer.as_ref().is_none_or(|b| b.id != enterprise)
                        && t.winners.iter().all(|w| w.id != enterprise)
                }
                _ => false,
            };
            for enterprise in record.enterprise_ids() {
                self.db.execute(
                    "INSERT OR IGNORE INTO record_parties(enterprise_id, kind, id, agency_only) VALUES (?1, ?2, ?3, ?4)",
                    p![enterprise, kind, id, agency_only(enterprise)],
                )?;
            }
        }
        Ok(upsert)
    }

    /// The one upsert: insert `data` unless a row with its key exists (`insert` ends in
    /// `ON CONFLICT DO NOTHING`, so a new row costs one statement), else compare the stored
    /// JSON (selected by `key`) with `data` and leave it or update it; a change to a row the
    /// graph or mining is derived from is logged as `log`.
    fn upsert_row(
        &mut self,
        select: &str,
        key: &[Param<'_>],
        data: &str,
        log: Option<&str>,
        update: impl FnOnce(&Db) -> Result<usize>,
        insert: impl FnOnce(&Db) -> Result<usize>,
    ) -> Result<Upsert> {
        let (upsert, existing) = if insert(self.db)? == 1 {
            (Upsert::Inserted, None)
        } else {
            let existing: Option<String> = self.db.query_opt(select, key, |row| row.get(0))?;
            match existing {
                Some(old) if old == data => return Ok(Upsert::Unchanged),
                Some(old) => {
                    update(self.db)?;
                    (Upsert::Updated, Some(old))
                }
                None => {
                    return Err(super::StoreError::Corrupt(format!(
                        "a row neither inserted nor found: {select}"
                    )))
                }
            }
        };
        if let Some(what) = log {
            self.log_change(what, existing.as_deref(), data)?;
        }
        Ok(upsert)
    }

    pub fn audit(&mut self, actor: &str, action: &str, detail: &str) -> Result<()> {
        audit(self.db, actor, action, detail)
    }

    pub fn commit(mut self) -> Result<()> {
        self.write_back()?;
        self.tx.commit()
    }

    /// Commits what is written so far and goes on in a new transaction. A file of millions of
    /// rows is written in parts: one transaction that large makes SQLite search a WAL of
    /// gigabytes for every page it reads (`walFindFrame` was 41% of an import's time at 5M
    /// enterprises). Another writer may go between the parts, so the counters this
    /// transaction handed out are read again.
    pub fn commit_and_continue(&mut self) -> Result<()> {
        self.write_back()?;
        self.tx.commit_and_continue()?;
        (self.record_seq, self.graph_seq, self.enterprise_id) = (None, None, None);
        Ok(())
    }

    /// Writes back the counters this transaction handed out, and indexes the names of the
    /// enterprises it wrote.
    fn write_back(&mut self) -> Result<()> {
        if !self.named.is_empty() && self.db.backend() == Backend::Sqlite {
            // A rolled-back row's enterprise is gone (nothing to index) or as it was before.
            super::index_enterprise_names(self.db, Some((&self.named, &self.renamed)))?;
        }
        self.named.clear();
        self.renamed.clear();
        if let Some(unlogged) = self.unlogged.filter(|&n| n > 0) {
            // The position moves on by the changes not logged, and the log reaches no further
            // back than it.
            let seq = match self.db.backend() {
                Backend::Sqlite => {
                    self.db.execute(
                        "INSERT INTO sqlite_sequence(name, seq) SELECT 'graph_changes', 0
                         WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'graph_changes')",
                        &[],
                    )?;
                    self.db.query_one(
                        "UPDATE sqlite_sequence SET seq = seq + ?1 WHERE name = 'graph_changes' RETURNING seq",
                        p![unlogged],
                        |row| row.get(0),
                    )?
                }
                Backend::Postgres => self.advance_graph_seq(unlogged)?,
            };
            self.db.execute("UPDATE meta SET value = ?1 WHERE key = 'graph_changes_pruned'", p![seq])?;
            self.unlogged = Some(0);
        }
        if let Some(seq) = self.record_seq {
            self.db.execute("UPDATE meta SET value = ?1 WHERE key = 'record_seq'", p![seq])?;
        }
        if let Some(seq) = self.graph_seq {
            self.db.execute("UPDATE meta SET value = ?1 WHERE key = 'graph_seq'", p![seq])?;
        }
        if let Some(key) = self.lease {
            let now = chrono::Utc::now().timestamp();
            self.db.execute("UPDATE meta SET value = ?1 WHERE key = ?2", p![now, key])?;
        }
        Ok(())
    }

    /// Marks a point to undo one row's writes to ([`StoreTx::undo_row`]), or to keep them
    /// ([`StoreTx::keep_row`]).
    pub fn begin_row(&mut self) -> Result<RowMark> {
        self.db.execute("SAVEPOINT import_row", &[])?;
        Ok(RowMark {
            record_seq: self.record_seq,
            graph_seq: self.graph_seq,
            enterprise_id: self.enterprise_id,
            unlogged: self.unlogged,
        })
    }

    pub fn keep_row(&mut self, _mark: RowMark) -> Result<()> {
        self.db.execute("RELEASE import_row", &[])?;
        Ok(())
    }

    /// Undoes everything written since the mark: a rejected row leaves nothing behind.
    pub fn undo_row(&mut self, mark: RowMark) -> Result<()> {
        self.db.batch("ROLLBACK TO import_row; RELEASE import_row")?;
        self.record_seq = mark.record_seq;
        self.graph_seq = mark.graph_seq;
        self.unlogged = mark.unlogged;
        self.enterprise_id = mark.enterprise_id;
        Ok(())
    }

    fn next_record_seq(&mut self) -> Result<i64> {
        let last = match self.record_seq {
            Some(seq) => seq,
            None => meta(self.db, "record_seq")?,
        };
        Ok(last + 1)
    }
}
