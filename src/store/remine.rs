//! What an incremental mining run reads: the part of the store a set of enterprises' leads
//! are made from, the stored leads it may join, and the mark the last run left.

use super::db::{p, Backend, Param, Row, ToParam};
use super::{json, meta, Result, Store};
use crate::model::{Date, Enterprise, EnterpriseId, Opportunity, OpportunityKind, Record, Relation, Tier};
use chrono::Datelike;
use std::collections::{BTreeSet, HashMap, HashSet};

/// Values per `IN (…)` list. Every list has this many (the last value repeated), so each query
/// has one text and its prepared statement is reused.
pub(super) const CHUNK: usize = 256;

/// Where a stored lead stands, for ranking all leads against each other.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    pub id: String,
    pub enterprise: EnterpriseId,
    pub score: f64,
    pub tier: Tier,
    pub manager: Option<String>,
    /// Why it is suppressed, if it is.
    pub suppressed: Option<String>,
    /// Whether it carries an alert.
    pub alerted: bool,
    /// Whether the risk policy forces it to tier C (filled by the caller).
    pub forced: bool,
}

/// Which records of an enterprise [`Store::records_naming`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invoices {
    With,
    Only,
    Without,
}

/// Where the last mining run left off: the change-log position and the feedback it had seen,
/// and a fingerprint of everything that moves every lead at once (date, configuration,
/// outcomes). `None` fields: no run yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MiningMark {
    pub seq: Option<u64>,
    pub feedback_seq: u64,
    pub state: i64,
    /// The day it mined as of.
    pub as_of: Option<Date>,
}

/// The state a mining run leaves in the mark while it runs ([`Store::begin_mining_run`]); no
/// run's fingerprint is this.
pub const UNFINISHED_RUN: i64 = i64::MIN;

/// What the date alone moves from one day to a later one (see [`Store::turned`]).
#[derive(Debug, Default)]
pub struct Turned {
    /// The enterprises of the stored leads that turn by the later day.
    pub leads: Vec<EnterpriseId>,
    /// Records that come into a window: dated after the first day, or pledges coming within
    /// reach of expiry.
    pub records: Vec<Record>,
    /// Relations that start or end in between.
    pub relations: Vec<Relation>,
}

impl Store {
    pub fn mining_mark(&self) -> Result<MiningMark> {
        Ok(MiningMark {
            seq: self.mined_seq()?,
            feedback_seq: meta(&self.db, "mined_feedback_seq")?.max(0) as u64,
            state: meta(&self.db, "mined_state")?,
            as_of: i32::try_from(meta(&self.db, "mined_as_of")?)
                .ok()
                .filter(|days| *days > 0)
                .and_then(Date::from_num_days_from_ce_opt),
        })
    }

    /// What the date alone moves between the days `from` and `to` (later): the stored leads
    /// that turn by `to`, the records that come into a window by then (dated in between, or
    /// pledges whose expiry comes within `pledge_reach` days), and the relations that start
    /// or end in between. A run on `to` re-mines what these reach, as it does for changes.
    pub fn turned(&self, from: Date, to: Date, pledge_reach: i64) -> Result<Turned> {
        let day = |date: Date| date.to_string();
        // By the index alone (DISTINCT would walk the enterprise index over every lead).
        let mut leads = self.db.query(
            "SELECT enterprise_id FROM opportunities WHERE turns_on <= ?1",
            p![day(to)],
            |row| row.get::<EnterpriseId>(0),
        )?;
        leads.sort_unstable();
        leads.dedup();
        let mut records: Vec<(String, Record)> = self.db.query(
            "SELECT kind, id, data FROM records WHERE published > ?1 AND published <= ?2",
            p![day(from), day(to)],
            keyed_record,
        )?;
        let reach = chrono::Duration::days(pledge_reach);
        // Without statistics SQLite reads every pledge through the primary key instead.
        let sql = format!(
            "SELECT kind, id, data FROM records{} WHERE kind = 'pledge' AND expires > ?1 AND expires <= ?2",
            indexed_by(&self.db, "records_expires")?,
        );
        records.extend(self.db.query(&sql, p![day(from + reach), day(to + reach)], keyed_record)?);
        records.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        records.dedup_by(|a, b| a.0 == b.0);
        let relations = self.relations_turning(from, to)?;
        Ok(Turned { leads, records: records.into_iter().map(|(_, r)| r).collect(), relations })
    }

    /// The relations that start or end between the days `from` and `to` (later): current on
    /// one and not on the other (see `Relation::is_current`).
    pub fn relations_turning(&self, from: Date, to: Date) -> Result<Vec<Relation>> {
        let sql = "SELECT key, data FROM relations WHERE start_on > ?1 AND start_on <= ?2
             UNION SELECT key, data FROM relations WHERE end_on >= ?1 AND end_on < ?2";
        self.db.query(sql, p![from.to_string(), to.to_string()], |row| {
            Ok(serde_json::from_str::<Relation>(&row.get::<String>(1)?)?)
        })
    }

    /// Every invoice between the pairs (seller, buyer) with an invoice that comes into a
    /// `window`-day supply window between the days `from` and `to` (later), or leaves it:
    /// issued in between, or `window` days before.
    pub fn invoices_turning(&self, from: Date, to: Date, window: i64) -> Result<Vec<Record>> {
        let back = |day: Date| (day - chrono::Duration::days(window)).to_string();
        // Through the date index: without statistics SQLite reads every invoice through the
        // primary key's `kind` instead (2.8 s of a 1M run that found none).
        let sql = format!(
            "SELECT kind, id, data FROM records{} WHERE kind = 'invoice'
               AND ((published > ?1 AND published <= ?2) OR (published > ?3 AND published <= ?4))",
            indexed_by(&self.db, "records_published")?
        );
        let turning: Vec<(String, Record)> =
            self.db.query(&sql, p![from.to_string(), to.to_string(), back(from), back(to)], keyed_record)?;
        let pairs: HashSet<(EnterpriseId, EnterpriseId)> = turning
            .iter()
            .filter_map(|(_, r)| match r {
                Record::Invoice(i) => Some((i.seller.id, i.buyer.id)),
                _ => None,
            })
            .collect();
        let mut sellers: Vec<EnterpriseId> = pairs.iter().map(|p| p.0).collect();
        sellers.sort_unstable();
        sellers.dedup();
        let mut out: Vec<(String, Record)> = self
            .records_naming(&sellers, Invoices::Only)?
            .into_iter()
            .filter(|(_, r)| matches!(r, Record::Invoice(i) if pairs.contains(&(i.seller.id, i.buyer.id))))
            .collect();
        out.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        out.dedup_by(|a, b| a.0 == b.0);
        Ok(out.into_iter().map(|(_, r)| r).collect())
    }

    /// Marks a mining run begun, before it writes any lead: a run killed or failed after
    /// writing some (each slice commits on its own, and the mark only at the end) leaves this
    /// behind, and the next run re-mines everything instead of trusting the last run's mark.
    pub fn begin_mining_run(&self) -> Result<()> {
        let tx = self.db.begin_write()?;
        self.db.execute("UPDATE meta SET value = ?1 WHERE key = 'mined_state'", p![UNFINISHED_RUN])?;
        tx.commit()
    }

    /// Records the mark of a finished run, in one transaction.
    pub fn set_mining_mark(&self, mark: &MiningMark) -> Result<()> {
        let tx = self.db.begin_write()?;
        let set = |key: &str, value: i64| {
            self.db.execute("UPDATE meta SET value = ?2 WHERE key = ?1", p![key, value])
        };
        set("mined_seq", mark.seq.map_or(-1, |s| s as i64))?;
        set("mined_feedback_seq", mark.feedback_seq as i64)?;
        set("mined_state", mark.state)?;
        // Days from the common era: -1 (none) is no day.
        set("mined_as_of", mark.as_of.map_or(-1, |day| i64::from(day.num_days_from_ce())))?;
        tx.commit()
    }

    /// The sequence number of the latest feedback (0 before any).
    pub fn feedback_seq(&self) -> Result<u64> {
        let seq: Option<i64> = self.db.query_one("SELECT MAX(seq) FROM feedback", &[], |row| row.get(0))?;
        Ok(seq.unwrap_or(0).max(0) as u64)
    }

    /// The enterprises of the leads given feedback after `seq`.
    pub fn leads_with_feedback_after(&self, seq: u64) -> Result<Vec<EnterpriseId>> {
        self.db.query(
            "SELECT DISTINCT o.enterprise_id FROM feedback f JOIN opportunities o ON o.id = f.opportunity_id
             WHERE f.seq > ?1",
            p![seq as i64],
            |row| row.get(0),
        )
    }

    /// The enterprises of the stored leads carrying any of `keys`.
    pub fn leads_sharing_keys(&self, keys: &BTreeSet<String>) -> Result<HashSet<EnterpriseId>> {
        let keys: Vec<&String> = keys.iter().collect();
        let sql = self.enterprises_by_key("k.key IN ({in})")?;
        let found = self.query_in(&sql, &keys, |row| row.get::<EnterpriseId>(0))?;
        Ok(found.into_iter().collect())
    }

    /// The enterprises of the stored leads with a key starting with `prefix` (which ends in
    /// `|`): the awards of one project, whoever won them.
    pub fn leads_with_key_prefix(&self, prefix: &str) -> Result<HashSet<EnterpriseId>> {
        // Every key under the prefix sorts between it and the prefix with its `|` raised by one.
        let mut end = prefix.to_string();
        end.pop();
        end.push('}');
        let sql = self.enterprises_by_key("k.key >= ?1 AND k.key < ?2")?;
        let rows = self.db.query(&sql, p![prefix, end], |row| row.get::<EnterpriseId>(0))?;
        Ok(rows.into_iter().collect())
    }

    /// The query for the enterprises of the stored leads with a key (`k.key`) that meets
    /// `condition`.
    fn enterprises_by_key(&self, condition: &str) -> Result<String> {
        Ok(format!(
            "SELECT DISTINCT o.enterprise_id FROM opportunity_keys k JOIN opportunities o{} ON o.id = k.opportunity_id
             WHERE {condition}",
            leads_by_id(&self.db)?
        ))
    }

    /// Those of `enterprises` with a stored lead.
    pub fn with_leads(&self, enterprises: &[EnterpriseId]) -> Result<HashSet<EnterpriseId>> {
        let found = self.query_in(
            "SELECT DISTINCT enterprise_id FROM opportunities WHERE enterprise_id IN ({in})",
            enterprises,
            |row| row.get::<EnterpriseId>(0),
        )?;
        Ok(found.into_iter().collect())
    }

    /// The keys of the stored leads on `enterprises`.
    pub fn lead_keys_of(&self, enterprises: &[EnterpriseId]) -> Result<BTreeSet<String>> {
        let found = self.query_in(
            "SELECT k.key FROM opportunities o JOIN opportunity_keys k ON k.opportunity_id = o.id
             WHERE o.enterprise_id IN ({in})",
            enterprises,
            |row| row.get::<String>(0),
        )?;
        Ok(found.into_iter().collect())
    }

    /// The records naming any of `enterprises` (as any party but only the agency of a notice,
    /// or a risk event's subject) of the kinds `which` says, each once with its key (kind,
    /// unit separator, id), in the order they are stored (by key on PostgreSQL).
    ///
    /// Found first by where they lie (the primary key's index holds the rowid), then read in
    /// rowid order: a slice's records lie all over a table larger than memory at 5M
    /// enterprises, and read through the join, each was a random read of the disk (72% of a
    /// first mining run's time there).
    pub fn records_naming(
        &self,
        enterprises: &[EnterpriseId],
        which: Invoices,
    ) -> Result<Vec<(String, Record)>> {
        let kinds = match which {
            Invoices::With => "1 = 1",
            Invoices::Only => "p.kind = 'invoice'",
            Invoices::Without => "p.kind <> 'invoice'",
        };
        let naming = |columns: &str| {
            format!(
                "SELECT {columns} FROM record_parties p JOIN records r ON r.kind = p.kind AND r.id = p.id
                 WHERE p.enterprise_id IN ({{in}}) AND p.agency_only = 0 AND {kinds}"
            )
        };
        if self.db.backend() == Backend::Postgres {
            // No rowid; a record naming several of them comes once for each.
            let mut found = self.query_in(&naming("r.kind, r.id, r.data"), enterprises, keyed_record)?;
            found.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            found.dedup_by(|a, b| a.0 == b.0);
            return Ok(found);
        }
        let mut rowids: Vec<i64> = self.query_in(&naming("r.rowid"), enterprises, |row| row.get(0))?;
        rowids.sort_unstable();
        rowids.dedup();
        self.query_in("SELECT kind, id, data FROM records WHERE rowid IN ({in})", &rowids, keyed_record)
    }

    /// Those of `enterprises` named as the agency of a notice that names them so only.
    pub fn acting_agencies(&self, enterprises: &[EnterpriseId]) -> Result<HashSet<EnterpriseId>> {
        let found = self.query_in(
            "SELECT DISTINCT enterprise_id FROM record_parties WHERE enterprise_id IN ({in}) AND agency_only = 1",
            enterprises,
            |row| row.get::<EnterpriseId>(0),
        )?;
        Ok(found.into_iter().collect())
    }

    /// Every risk event and every termination notice, each with its key: what reaches a lead
    /// from any distance (a risk down the graph, a termination onto every winner).
    pub fn risks_and_terminations(&self) -> Result<Vec<(String, Record)>> {
        let mut out = self.db.query(
            "SELECT kind, id, data FROM records WHERE kind = 'risk_event'",
            &[],
            keyed_record,
        )?;
        out.extend(self.db.query(
            "SELECT kind, id, data FROM records WHERE notice = 'termination'",
            &[],
            keyed_record,
        )?);
        Ok(out)
    }

    /// The enterprises sharing an invoice with any of `enterprises` (either side).
    pub fn invoice_partners(&self, enterprises: &[EnterpriseId]) -> Result<HashSet<EnterpriseId>> {
        let found = self.query_in(
            "SELECT DISTINCT b.enterprise_id FROM record_parties a
             JOIN record_parties b ON b.kind = a.kind AND b.id = a.id
             WHERE a.kind = 'invoice' AND a.enterprise_id IN ({in})",
            enterprises,
            |row| row.get::<EnterpriseId>(0),
        )?;
        Ok(found.into_iter().collect())
    }

    /// The declared supplier relations from or to any of `enterprises`, each with its key.
    pub fn supplier_relations_of(&self, enterprises: &[EnterpriseId]) -> Result<Vec<(String, Relation)>> {
        let mut out = Vec::new();
        for &id in enterprises {
            // A relation's key starts with `e<from>|`; every key of one source sorts between
            // that and `e<from>}`.
            let (start, end) = (format!("e{id}|"), format!("e{id}}}"));
            out.extend(self.db.query(
                "SELECT key, data FROM relations WHERE kind = 'supplier'
                 AND ((key >= ?1 AND key < ?2) OR to_id = ?3)",
                p![start, end, id],
                |row| Ok((row.get::<String>(0)?, serde_json::from_str(&row.get::<String>(1)?)?)),
            )?);
        }
        out.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        out.dedup_by(|a, b| a.0 == b.0);
        Ok(out)
    }

    /// Every enterprise at either end of a declared supplier relation (few: read through the
    /// partial index of supplier relations).
    pub fn supplier_parties(&self) -> Result<HashSet<EnterpriseId>> {
        let ends: Vec<(String, EnterpriseId)> =
            self.db.query("SELECT key, to_id FROM relations WHERE kind = 'supplier'", &[], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })?;
        let mut out = HashSet::new();
        for (key, to) in ends {
            out.insert(to);
            // A relation's key starts with `e<from>|` when an enterprise is its source.
            let from: Option<EnterpriseId> =
                key.strip_prefix('e').and_then(|k| k.split('|').next()).and_then(|id| id.parse().ok());
            out.extend(from);
        }
        Ok(out)
    }

    /// The enterprises with these ids, by id.
    pub fn enterprises_by_id(&self, ids: &[EnterpriseId]) -> Result<Vec<Enterprise>> {
        let mut out: Vec<Enterprise> =
            self.query_in("SELECT data FROM enterprises WHERE id IN ({in})", ids, json_column)?;
        out.sort_unstable_by_key(|e| e.id);
        out.dedup_by_key(|e| e.id);
        Ok(out)
    }

    /// The enterprises some stored lead is about, by id, with what assignment reads of them
    /// (region, industry, account manager) and nothing else: at 5M enterprises, decoding each
    /// one whole cost a ranking pass 12 s.
    pub fn lead_enterprises(&self) -> Result<Vec<Enterprise>> {
        let db = &self.db;
        let sql = format!(
            "SELECT id, {}, {}, {} FROM enterprises WHERE id IN (SELECT enterprise_id FROM opportunities)",
            json(db, "data", "region", None),
            json(db, "data", "industry", None),
            json(db, "data", "manager_id", None),
        );
        let mut out = db.query(&sql, &[], |row| {
            Ok(Enterprise {
                id: row.get(0)?,
                region: row.get(1)?,
                industry: row.get(2)?,
                manager_id: row.get(3)?,
                ..Default::default()
            })
        })?;
        out.sort_unstable_by_key(|e| e.id);
        Ok(out)
    }

    /// Where every stored lead stands for ranking and assignment — without reading its
    /// JSON whole — except those on `skip`, whose leads a run re-mined (`produced`): of those,
    /// only the leads the run did not produce and someone worked, which the run keeps
    /// ([`Store::write_leads`]).
    pub fn lead_standings_except(
        &self,
        skip: &HashSet<EnterpriseId>,
        produced: &HashSet<&str>,
    ) -> Result<Vec<Standing>> {
        let alerted: HashSet<String> = self
            .db
            .query("SELECT DISTINCT opportunity_id FROM opportunity_alerts", &[], |row| row.get(0))?
            .into_iter()
            .collect();
        let sent: HashSet<String> = match skip.is_empty() {
            true => HashSet::new(),
            false => self
                .db
                .query("SELECT opportunity_id FROM outbox WHERE state <> 'queued'", &[], |row| row.get(0))?
                .into_iter()
                .collect(),
        };
        // Every column read is in `opportunities_state`: the scan reads that index, not the
        // leads.
        let rows = self.db.query(
            "SELECT id, enterprise_id, score, tier, manager, suppressed, suppressed_reason, status
             FROM opportunities",
            &[],
            |row| {
                let enterprise: EnterpriseId = row.get(1)?;
                let (id, tier, suppressed): (String, String, i64) = (row.get(0)?, row.get(3)?, row.get(5)?);
                if skip.contains(&enterprise)
                    && (produced.contains(id.as_str())
                        || (row.get::<String>(7)? == "new" && !sent.contains(&id)))
                {
                    return Ok(None);
                }
                let reason: Option<String> = row.get(6)?;
                Ok(Some(Standing {
                    suppressed: (suppressed != 0).then(|| reason.unwrap_or_else(|| "unknown".into())),
                    alerted: alerted.contains(&id),
                    id,
                    enterprise,
                    score: row.get(2)?,
                    tier: tier_of(&tier),
                    manager: row.get(4)?,
                    forced: false,
                }))
            },
        )?;
        Ok(rows.into_iter().flatten().collect())
    }

    /// Where the stored leads with these ids were placed: tier and manager, by id.
    pub fn lead_placements(&self, ids: &[&str]) -> Result<HashMap<String, (Tier, Option<String>)>> {
        let sql = format!(
            "SELECT id, tier, manager FROM opportunities{} WHERE id IN ({{in}})",
            leads_by_id(&self.db)?
        );
        let rows = self.query_in(&sql, ids, |row| {
            Ok((row.get::<String>(0)?, (tier_of(&row.get::<String>(1)?), row.get(2)?)))
        })?;
        Ok(rows.into_iter().collect())
    }

    pub fn enterprise_count(&self) -> Result<u64> {
        self.db.query_one("SELECT COUNT(*) FROM enterprises", &[], |row| Ok(row.get::<i64>(0)?.max(0) as u64))
    }

    /// Every enterprise id, ascending.
    pub fn enterprise_ids(&self) -> Result<Vec<EnterpriseId>> {
        self.db.query("SELECT id FROM enterprises ORDER BY id", &[], |row| row.get(0))
    }

    /// The enterprises named by more than `over` records, with how many: the hubs (a public
    /// buyer's tenders, a bank's pledges) whose records a slice of a mining run holds all of.
    /// One pass over `record_parties` in its key order.
    pub fn record_hubs(&self, over: u64) -> Result<HashMap<EnterpriseId, u64>> {
        let hubs: Vec<(EnterpriseId, i64)> = self.db.query(
            "SELECT enterprise_id, COUNT(*) FROM record_parties GROUP BY enterprise_id HAVING COUNT(*) > ?1",
            p![over as i64],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        Ok(hubs.into_iter().map(|(id, n)| (id, n as u64)).collect())
    }

    /// The ids of the leads with an alert on their own enterprise of one of `kinds`.
    pub fn leads_alerted_directly(&self, kinds: &[String]) -> Result<HashSet<String>> {
        if kinds.is_empty() {
            return Ok(HashSet::new());
        }
        let ids: Vec<String> = self.query_in(
            "SELECT opportunity_id FROM opportunity_alerts WHERE direct = 1 AND kind IN ({in})",
            kinds,
            |row| row.get(0),
        )?;
        Ok(ids.into_iter().collect())
    }

    /// The stored leads with these ids, as mining wrote them.
    pub fn mined_leads(&self, ids: &[&str]) -> Result<Vec<Opportunity>> {
        let mut out: Vec<Opportunity> =
            self.query_in("SELECT data FROM opportunities WHERE id IN ({in})", ids, json_column)?;
        out.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        out.dedup_by(|a, b| a.id == b.id);
        Ok(out)
    }

    /// How the stored leads were last scored by what ranking learned from outcomes
    /// ([`crate::mine::learn::Learned::fingerprint`]; 0: by the rules alone).
    pub fn learned_state(&self) -> Result<i64> {
        meta(&self.db, "learned_state")
    }

    pub fn set_learned_state(&self, state: i64) -> Result<()> {
        self.db.execute("UPDATE meta SET value = ?1 WHERE key = 'learned_state'", p![state])?;
        Ok(())
    }

    /// What ranking last learned from outcomes, as [`Store::set_learned`] stored it.
    pub fn learned(&self) -> Result<Option<String>> {
        self.db.query_opt("SELECT fitted FROM learned WHERE id = 1", &[], |row| row.get(0))
    }

    pub fn set_learned(&self, fitted: Option<&str>) -> Result<()> {
        let tx = self.db.begin_write()?;
        self.db.execute("DELETE FROM learned", &[])?;
        if let Some(fitted) = fitted {
            self.db.execute("INSERT INTO learned(id, fitted) VALUES (1, ?1)", p![fitted])?;
        }
        tx.commit()
    }

    /// The kinds of lead stored.
    pub fn lead_kinds(&self) -> Result<BTreeSet<OpportunityKind>> {
        let kinds: Vec<String> =
            self.db.query("SELECT DISTINCT kind FROM opportunities", &[], |row| row.get(0))?;
        Ok(kinds.iter().filter_map(|k| OpportunityKind::parse(k)).collect())
    }

    /// Up to `limit` stored leads, as mining wrote them, in id order after `after`: every lead,
    /// a page at a time.
    pub fn mined_leads_after(&self, after: &str, limit: usize) -> Result<Vec<Opportunity>> {
        self.db.query(
            "SELECT data FROM opportunities WHERE id > ?1 ORDER BY id LIMIT ?2",
            p![after, limit as i64],
            json_column,
        )
    }

    /// The day each stored lead was first seen by mining (its run's `as_of`): of the leads on
    /// `enterprises`, or of every lead.
    pub fn first_seen(&self, enterprises: Option<&HashSet<EnterpriseId>>) -> Result<HashMap<String, Date>> {
        let row = |row: &Row<'_, '_>| -> Result<Option<(String, Date)>> {
            let (id, day): (String, Option<String>) = (row.get(0)?, row.get(1)?);
            Ok(day.and_then(|day| day.parse().ok()).map(|day| (id, day)))
        };
        let found = match enterprises {
            Some(enterprises) => {
                let ids: Vec<EnterpriseId> = enterprises.iter().copied().collect();
                self.query_in(
                    "SELECT id, first_seen FROM opportunities WHERE enterprise_id IN ({in})",
                    &ids,
                    row,
                )?
            }
            None => self.db.query("SELECT id, first_seen FROM opportunities", &[], row)?,
        };
        Ok(found.into_iter().flatten().collect())
    }

    /// The id and digest of every stored lead on `enterprises`.
    pub(super) fn lead_digests_of(
        &self,
        enterprises: &HashSet<EnterpriseId>,
    ) -> Result<HashMap<String, Option<i64>>> {
        let ids: Vec<EnterpriseId> = enterprises.iter().copied().collect();
        let found = self.query_in(
            "SELECT id, digest FROM opportunities WHERE enterprise_id IN ({in})",
            &ids,
            |row| Ok((row.get::<String>(0)?, row.get(1)?)),
        )?;
        Ok(found.into_iter().collect())
    }
}

/// The hint for reading `opportunities` by lead id for columns `opportunities_state` holds.
/// Without statistics SQLite prefers the primary key's index (unique) and then reads the row,
/// a random read of a table larger than memory at 5M enterprises; the covering index answers
/// alone.
fn leads_by_id(db: &super::db::Db) -> Result<String> {
    indexed_by(db, "opportunities_state")
}

/// ` INDEXED BY <index>` for SQLite, whose planner has no statistics to choose by, while the
/// index is there (a first load builds some last, see `Store::open_import`); nothing for
/// PostgreSQL, which has statistics and no such clause.
fn indexed_by(db: &super::db::Db, index: &str) -> Result<String> {
    if db.backend() == Backend::Postgres {
        return Ok(String::new());
    }
    let built: bool = db.query_one(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?1)",
        p![index],
        |row| row.get(0),
    )?;
    Ok(if built { format!(" INDEXED BY {index}") } else { String::new() })
}

fn tier_of(stored: &str) -> Tier {
    match stored {
        "A" => Tier::A,
        "B" => Tier::B,
        _ => Tier::C,
    }
}

fn keyed_record(row: &Row<'_, '_>) -> Result<(String, Record)> {
    let (kind, id, data): (String, String, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
    Ok((format!("{kind}\u{1f}{id}"), serde_json::from_str(&data)?))
}

fn json_column<T: serde::de::DeserializeOwned>(row: &Row<'_, '_>) -> Result<T> {
    Ok(serde_json::from_str(&row.get::<String>(0)?)?)
}

impl Store {
    /// Runs `sql` once per chunk of [`CHUNK`] `items`, its `{in}` standing for the list of
    /// them (see [`in_chunks`]), and gathers the rows.
    pub(super) fn query_in<T, V: ToParam>(
        &self,
        sql: &str,
        items: &[V],
        mut f: impl FnMut(&Row<'_, '_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        let rows = in_chunks(sql, &[], items, |sql, params| self.db.query(sql, params, &mut f))?;
        Ok(rows.into_iter().flatten().collect())
    }
}

/// Runs `sql` once per chunk of [`CHUNK`] `items` with `run`: its `{in}` stands for the list
/// of them, numbered after the `leading` parameters every chunk passes first. The last item is
/// repeated to fill a chunk, so every chunk has one statement text and its prepared statement
/// is reused.
pub(super) fn in_chunks<'a, V: ToParam, T>(
    sql: &str,
    leading: &[Param<'a>],
    items: &'a [V],
    mut run: impl FnMut(&str, &[Param<'a>]) -> Result<T>,
) -> Result<Vec<T>> {
    let first = leading.len() + 1;
    let list = (first..first + CHUNK).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", ");
    let sql = sql.replace("{in}", &list);
    let mut out = Vec::new();
    for chunk in items.chunks(CHUNK) {
        let mut params: Vec<Param<'a>> = leading.to_vec();
        params.extend(chunk.iter().map(ToParam::to_param));
        params.resize(leading.len() + CHUNK, chunk[chunk.len() - 1].to_param());
        out.push(run(&sql, &params)?);
    }
    Ok(out)
}
