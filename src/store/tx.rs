//! Write transactions for imports: rows upserted with their change logged for the graph and
//! their record sequence number for the index, and per-row savepoints.

use super::{audit, meta, Result, StoreError};
use crate::model::{Enterprise, EnterpriseId, Manager, Party, Person, Record, Relation};
use rusqlite::{params, OptionalExtension, Transaction};

/// Runs a statement from the connection's statement cache: an import runs the same few
/// statements for every row, so each is parsed once per connection, not once per row.
trait Cached {
    fn run(&self, sql: &str, params: impl rusqlite::Params) -> rusqlite::Result<usize>;
}

impl Cached for Transaction<'_> {
    fn run(&self, sql: &str, params: impl rusqlite::Params) -> rusqlite::Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }
}

/// A row's start inside a write transaction.
#[derive(Debug)]
#[must_use = "keep or undo the row"]
pub struct RowMark {
    record_seq: Option<i64>,
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
    /// The last record sequence number this transaction handed out, written back on commit.
    pub(super) record_seq: Option<i64>,
}

impl StoreTx<'_> {
    /// Inserts a new enterprise and returns it with its id.
    pub fn insert_enterprise(&mut self, mut enterprise: Enterprise) -> Result<Enterprise> {
        self.tx.run(
            "INSERT INTO enterprises(uscc, name, region, data) VALUES (?1, ?2, ?3, '{}')",
            params![enterprise.uscc, enterprise.name, enterprise.region],
        )?;
        enterprise.id = self.tx.last_insert_rowid();
        let data = serde_json::to_string(&enterprise)?;
        self.tx.run("UPDATE enterprises SET data = ?2 WHERE id = ?1", params![enterprise.id, data])?;
        self.log_change("enterprise", None, &data)?;
        Ok(enterprise)
    }

    /// Writes an existing enterprise back (same id).
    pub fn update_enterprise(&mut self, enterprise: &Enterprise) -> Result<Upsert> {
        let id = enterprise.id;
        let data = serde_json::to_string(enterprise)?;
        self.upsert_row(
            "SELECT data FROM enterprises WHERE id = ?1",
            &[&id],
            &data,
            Some("enterprise"),
            |tx| {
                tx.run(
                    "UPDATE enterprises SET uscc = ?2, name = ?3, region = ?4, data = ?5 WHERE id = ?1",
                    params![id, enterprise.uscc, enterprise.name, enterprise.region, data],
                )
            },
            |_| Err(rusqlite::Error::QueryReturnedNoRows),
        )
    }

    /// Logs a change to a row the graph is derived from (see [`Store::graph_changes_after`]).
    fn log_change(&self, what: &str, old: Option<&str>, new: &str) -> Result<()> {
        self.tx
            .run("INSERT INTO graph_changes(what, old, new) VALUES (?1, ?2, ?3)", params![what, old, new])?;
        Ok(())
    }

    pub fn enterprise(&self, id: EnterpriseId) -> Result<Option<Enterprise>> {
        let data: Option<String> = self
            .tx
            .query_row("SELECT data FROM enterprises WHERE id = ?1", [id], |row| row.get(0))
            .optional()?;
        data.map(|d| serde_json::from_str(&d).map_err(StoreError::from)).transpose()
    }

    pub fn person_exists(&self, id: &str) -> Result<bool> {
        Ok(self.person_name(id)?.is_some())
    }

    pub fn person_name(&self, id: &str) -> Result<Option<String>> {
        let data: Option<String> =
            self.tx.query_row("SELECT data FROM persons WHERE id = ?1", [id], |row| row.get(0)).optional()?;
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
            &[&id],
            data,
            log,
            |tx| tx.run(&format!("UPDATE {table} SET data = ?2 WHERE id = ?1"), params![id, data]),
            |tx| tx.run(&format!("INSERT INTO {table}(id, data) VALUES (?1, ?2)"), params![id, data]),
        )
    }

    /// Relations are keyed by their ends, kind, role and start date.
    pub fn upsert_relation(&mut self, relation: &Relation) -> Result<Upsert> {
        let from = match &relation.from {
            Party::Enterprise(id) => format!("e{id}"),
            Party::Person(id) => format!("p{id}"),
        };
        let key = format!(
            "{from}|{}|{}|{}|{}",
            relation.to,
            relation.kind.as_str(),
            relation.role.as_deref().unwrap_or(""),
            relation.start.map(|d| d.to_string()).unwrap_or_default()
        );
        let data = serde_json::to_string(relation)?;
        self.upsert_row(
            "SELECT data FROM relations WHERE key = ?1",
            &[&key],
            &data,
            Some("relation"),
            |tx| tx.run("UPDATE relations SET data = ?2 WHERE key = ?1", params![key, data]),
            |tx| {
                tx.run(
                    "INSERT INTO relations(key, to_id, kind, data) VALUES (?1, ?2, ?3, ?4)",
                    params![key, relation.to, relation.kind.as_str(), data],
                )
            },
        )
    }

    pub fn upsert_record(&mut self, record: &Record) -> Result<Upsert> {
        let (kind, id) = (record.kind().as_str(), record.id());
        let data = serde_json::to_string(record)?;
        let published = record.date().to_string();
        let seq = self.next_record_seq()?;
        let upsert = self.upsert_row(
            "SELECT data FROM records WHERE kind = ?1 AND id = ?2",
            &[&kind, &id],
            &data,
            record.links_parties().then_some("record"),
            |tx| {
                tx.run(
                    "UPDATE records SET data = ?3, published = ?4, seq = ?5 WHERE kind = ?1 AND id = ?2",
                    params![kind, id, data, published, seq],
                )
            },
            |tx| {
                tx.run(
                    "INSERT INTO records(kind, id, published, data, seq) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![kind, id, published, data, seq],
                )
            },
        )?;
        if upsert != Upsert::Unchanged {
            self.record_seq = Some(seq);
            if upsert == Upsert::Updated {
                self.tx.run("DELETE FROM record_parties WHERE kind = ?1 AND id = ?2", params![kind, id])?;
            }
            let mut named = self.tx.prepare_cached(
                "INSERT OR IGNORE INTO record_parties(enterprise_id, kind, id) VALUES (?1, ?2, ?3)",
            )?;
            for enterprise in record.enterprise_ids() {
                named.execute(params![enterprise, kind, id])?;
            }
        }
        Ok(upsert)
    }

    /// The one upsert: compare the stored JSON (selected by `key`) with `data`, then leave it,
    /// update it, or insert it; a change to a row the graph is derived from is logged as `log`.
    fn upsert_row(
        &mut self,
        select: &str,
        key: &[&dyn rusqlite::ToSql],
        data: &str,
        log: Option<&str>,
        update: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<usize>,
        insert: impl FnOnce(&Transaction<'_>) -> rusqlite::Result<usize>,
    ) -> Result<Upsert> {
        let existing: Option<String> =
            self.tx.prepare_cached(select)?.query_row(key, |row| row.get(0)).optional()?;
        let upsert = match &existing {
            Some(old) if old == data => return Ok(Upsert::Unchanged),
            Some(_) => {
                update(&self.tx)?;
                Upsert::Updated
            }
            None => {
                insert(&self.tx)?;
                Upsert::Inserted
            }
        };
        if let Some(what) = log {
            self.log_change(what, existing.as_deref(), data)?;
        }
        Ok(upsert)
    }

    pub fn audit(&mut self, actor: &str, action: &str, detail: &str) -> Result<()> {
        audit(&self.tx, actor, action, detail)
    }

    pub fn commit(self) -> Result<()> {
        if let Some(seq) = self.record_seq {
            self.tx.run("UPDATE meta SET value = ?1 WHERE key = 'record_seq'", [seq])?;
        }
        Ok(self.tx.commit()?)
    }

    /// Marks a point to undo one row's writes to ([`StoreTx::undo_row`]), or to keep them
    /// ([`StoreTx::keep_row`]).
    pub fn begin_row(&mut self) -> Result<RowMark> {
        self.tx.run("SAVEPOINT import_row", [])?;
        Ok(RowMark { record_seq: self.record_seq })
    }

    pub fn keep_row(&mut self, _mark: RowMark) -> Result<()> {
        self.tx.run("RELEASE import_row", [])?;
        Ok(())
    }

    /// Undoes everything written since the mark: a rejected row leaves nothing behind.
    pub fn undo_row(&mut self, mark: RowMark) -> Result<()> {
        self.tx.execute_batch("ROLLBACK TO import_row; RELEASE import_row")?;
        self.record_seq = mark.record_seq;
        Ok(())
    }

    fn next_record_seq(&mut self) -> Result<i64> {
        let last = match self.record_seq {
            Some(seq) => seq,
            None => meta(&self.tx, "record_seq")?,
        };
        Ok(last + 1)
    }
}
