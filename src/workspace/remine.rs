//! Mining runs: the whole store, or only what changed since the last run.
//!
//! An incremental run re-mines the leads on the enterprises a change can reach and keeps the
//! stored leads of every other enterprise; then it ranks all leads against each other (tiers,
//! managers) as a full run does. It gives the leads a full run would, because each lead is made
//! only from what lies within a known reach of its enterprise:
//!
//! - its own records (a notice, pledge, filing or invoice naming it) — a changed record
//!   re-mines its parties;
//! - for a supply-chain lead, the invoices and declared supply of its trading partners (tier 2
//!   goes through one partner) — a changed invoice re-mines its parties' partners too, a changed
//!   enterprise its partners' partners;
//! - along the graph (owners, officers, group, guarantees, related parties): at most
//!   [`graph_reach`] steps — a changed relation, enterprise or person re-mines what lies within
//!   that many steps, a risk event what its subject's risk reaches;
//! - the other reports of the same event (dedup joins leads on shared event keys): the stored
//!   leads sharing a key with a re-mined lead, old or new, are re-mined with it until no new
//!   ones turn up; a termination notice re-mines every lead on its project;
//! - feedback on the lead.
//!
//! What moves every lead at once — the date mined as of (recency, windows), the configuration,
//! won and lost outcomes (win rates, learned ranking) — is fingerprinted; when it changed, the
//! run is a full one. So is a run without an earlier one, or with more changes waiting than
//! the change log keeps ([`crate::store::MINING_BACKLOG`]).

use super::{Result, Workspace};
use crate::deliver;
use crate::graph::{EnterpriseGraph, NodeRef};
use crate::mine::{self, GraphView, MineConfig, MineInput};
use crate::model::{
    Change, Date, Enterprise, EnterpriseId, Feedback, Opportunity, OpportunityKind, OpportunityStatus, Party,
    Record, Relation, TenderKind, Tier,
};
use crate::store::{LeadScope, MiningMark};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap, HashSet};

/// Whether a run may re-mine only what changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MineMode {
    /// Only what changed, when the last run's leads can be kept; else everything.
    #[default]
    Auto,
    /// Everything.
    Full,
}

/// How a run went about it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MineRun {
    /// `full` or `incremental`.
    pub mode: &'static str,
    /// Why a run was full (empty for an incremental one).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// Enterprises whose leads were re-mined (every enterprise in a full run: not counted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remined_enterprises: Option<usize>,
    /// Logged changes and feedback the run took in.
    pub changes: usize,
}

/// How far along the graph a lead reaches: relationship leads (group members, officers' other
/// firms, 3 steps), related-party screening, and owners' risk.
fn graph_reach(config: &MineConfig) -> usize {
    mine::rules::GROUP_HOPS
        .max(2)
        .max(config.risk.max_owner_hops)
        .max(config.dedup.related_max_hops)
        .max(config.dedup.family_max_hops)
}

/// How far a risk event reaches: owners `max_owner_hops` up, debts guaranteed two steps on,
/// officers one.
fn risk_reach(config: &MineConfig) -> usize {
    config.risk.max_owner_hops.max(2)
}

enum Plan {
    Full(String),
    Incremental { upto: u64, changes: Vec<Change> },
}

impl Workspace {
    /// Runs rules, dedup, risk, ranking and assignment, and stores the result: only what
    /// changed since the last run when it can (see the module's notes).
    pub fn mine(&mut self, as_of: Date) -> Result<super::MineSummary> {
        self.mine_with(as_of, MineMode::Auto)
    }

    pub fn mine_with(&mut self, as_of: Date, mode: MineMode) -> Result<super::MineSummary> {
        let config = self.config.mine_config()?;
        let feedback = self.store.feedback()?;
        let feedback_seq = self.store.feedback_seq()?;
        let state = self.mining_state(as_of, &config, &feedback)?;
        let mark = self.store.mining_mark()?;
        let plan = match mode {
            MineMode::Full => Plan::Full("asked for (--full)".into()),
            MineMode::Auto => self.plan(&mark, state, &config, &feedback)?,
        };
        let (summary, upto) = match plan {
            Plan::Full(reason) => self.mine_everything(as_of, &config, reason)?,
            Plan::Incremental { upto, changes } => {
                self.mine_changes(as_of, &config, &feedback, &mark, upto, changes)?
            }
        };
        self.store.audit("mine", "mine", &serde_json::to_string(&summary).unwrap_or_default())?;
        self.store.set_mining_mark(&MiningMark { seq: Some(upto), feedback_seq, state })?;
        // The graph this run used was caught up to `upto` and saved: the log up to there is
        // needed neither by the graph nor by the next run.
        self.store.prune_graph_changes(upto)?;
        Ok(summary)
    }

    /// A fingerprint of what moves every lead at once: the date, the configuration (and the
    /// build), and the won and lost outcomes.
    fn mining_state(&self, as_of: Date, config: &MineConfig, feedback: &[Feedback]) -> Result<i64> {
        let mut decided: Vec<(&str, &str)> = mine::latest_feedback(feedback)
            .into_iter()
            .filter(|(_, f)| matches!(f.status, OpportunityStatus::Won | OpportunityStatus::Lost))
            .map(|(id, f)| (id, f.status.as_str()))
            .collect();
        decided.sort_unstable();
        let local_words = std::fs::read_to_string(self.dir.join("userdict.txt")).unwrap_or_default();
        let text = format!(
            "{as_of}\u{1f}{}\u{1f}{:?}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{local_words}\u{1f}{decided:?}\u{1f}{}",
            env!("CARGO_PKG_VERSION"),
            self.config.mine,
            self.config
                .mine
                .product_matrix
                .as_ref()
                .and_then(|p| std::fs::read_to_string(p).ok())
                .unwrap_or_default(),
            super::AGENCIES,
            crate::resolve::FAMILY_LEXICON,
            config.learn.min_outcomes,
        );
        Ok(xxhash_rust::xxh3::xxh3_64(text.as_bytes()) as i64)
    }

    /// Whether this run can be incremental, and with which changes.
    fn plan(
        &self,
        mark: &MiningMark,
        state: i64,
        config: &MineConfig,
        feedback: &[Feedback],
    ) -> Result<Plan> {
        let Some(seq) = mark.seq else { return Ok(Plan::Full("no earlier run".into())) };
        if mark.state != state {
            return Ok(Plan::Full(
                "the date, the configuration or the won/lost outcomes changed since the last run".into(),
            ));
        }
        let decided = mine::latest_feedback(feedback)
            .values()
            .filter(|f| matches!(f.status, OpportunityStatus::Won | OpportunityStatus::Lost))
            .count();
        if decided >= config.learn.min_outcomes {
            return Ok(Plan::Full(format!(
                "{decided} won/lost outcomes: ranking may learn from them, over every lead"
            )));
        }
        let version = self.store.graph_version()?;
        if version.seq.saturating_sub(seq) > crate::store::MINING_BACKLOG {
            return Ok(Plan::Full(format!("{} changes since the last run", version.seq - seq)));
        }
        match self.store.changes_since(seq)? {
            (upto, Some(changes)) => {
                Ok(Plan::Incremental { upto, changes: changes.into_iter().map(|(_, c)| c).collect() })
            }
            (_, None) => Ok(Plan::Full("the change log no longer reaches the last run".into())),
        }
    }

    /// Mines everything. Returns the summary and the change-log position it reflects.
    fn mine_everything(
        &mut self,
        as_of: Date,
        config: &MineConfig,
        reason: String,
    ) -> Result<(super::MineSummary, u64)> {
        // One read of the store serves mining and, when the graph must be rebuilt, the graph.
        let (snapshot, version) = self.store.graph_sources()?;
        let graph = self.refresh_graph_from(None, as_of, Some((&snapshot, version)))?;
        let feedback_kinds: HashMap<String, OpportunityKind> =
            self.store.feedback_kinds()?.into_iter().collect();
        let input = MineInput {
            enterprises: &snapshot.enterprises,
            records: &snapshot.records,
            relations: &snapshot.relations,
            feedback: &snapshot.feedback,
            feedback_kinds: &feedback_kinds,
            graph: &graph,
            as_of,
        };
        let mine::Mined { leads: mut opportunities, keys, ranking } = mine::run(&input, config);
        let commitments = self.store.commitments(chrono::Utc::now().timestamp())?;
        deliver::assign(&mut opportunities, &snapshot.enterprises, &snapshot.managers, &commitments);
        let changed = self.store.replace_opportunities(&opportunities, &keys, LeadScope::All)?;
        let run = MineRun { mode: "full", reason, remined_enterprises: None, changes: 0 };
        Ok((summarize(as_of, ranking, &opportunities, changed, run), version.seq))
    }

    /// Re-mines the leads `changes` (and feedback since the last run) can reach.
    fn mine_changes(
        &mut self,
        as_of: Date,
        config: &MineConfig,
        feedback: &[Feedback],
        mark: &MiningMark,
        upto: u64,
        changes: Vec<Change>,
    ) -> Result<(super::MineSummary, u64)> {
        let graph = self.refresh_graph_from(None, as_of, None)?;
        let feedback_after = self.store.leads_with_feedback_after(mark.feedback_seq)?;
        let taken_in = changes.len() + feedback_after.len();
        let mut subjects = self.touched(&graph, config, &changes)?;
        subjects.extend(feedback_after);
        let feedback_kinds: HashMap<String, OpportunityKind> =
            self.store.feedback_kinds()?.into_iter().collect();
        let far = self.store.risks_and_terminations()?;
        // Re-mine until the leads sharing an event key with a re-mined one are re-mined too.
        let mut asked: BTreeSet<String> = BTreeSet::new();
        let mut keyed: HashSet<EnterpriseId> = HashSet::new();
        let (fresh, keys, part) = loop {
            let part = self.part_for(&graph, &subjects, &far)?;
            let input = MineInput {
                enterprises: &part.enterprises,
                records: &part.records,
                relations: &part.relations,
                feedback,
                feedback_kinds: &feedback_kinds,
                graph: &graph,
                as_of,
            };
            let (fresh, keys) = mine::score_leads(&input, config, Some(&subjects));
            let unkeyed: Vec<EnterpriseId> = subjects.difference(&keyed).copied().collect();
            let mut wanted = self.store.lead_keys_of(&unkeyed)?;
            keyed.extend(unkeyed);
            wanted.extend(keys.values().flatten().cloned());
            let new_keys: BTreeSet<String> = wanted.difference(&asked).cloned().collect();
            asked.extend(new_keys.iter().cloned());
            let joined = self.store.leads_sharing_keys(&new_keys)?;
            let before = subjects.len();
            subjects.extend(joined);
            if subjects.len() == before {
                break (fresh, keys, part);
            }
        };
        // Rank every lead against the others, as a full run does, and write what changed.
        let mut leads = self.store.mined_leads_except(&subjects)?;
        let stamped: HashMap<String, (Tier, Option<String>, OpportunityStatus)> =
            leads.iter().map(|o| (o.id.clone(), (o.tier, o.manager.clone(), o.status))).collect();
        let fresh_ids: HashSet<String> = fresh.iter().map(|o| o.id.clone()).collect();
        leads.extend(fresh);
        let mut enterprises = self.store.lead_enterprises()?;
        enterprises.extend(part.enterprises.into_iter().filter(|e| subjects.contains(&e.id)));
        enterprises.sort_unstable_by_key(|e| e.id);
        enterprises.dedup_by_key(|e| e.id);
        let by_id: HashMap<EnterpriseId, &Enterprise> = enterprises.iter().map(|e| (e.id, e)).collect();
        let ranking = mine::rank_all(&mut leads, &by_id, feedback, as_of, config);
        let commitments = self.store.commitments(chrono::Utc::now().timestamp())?;
        let managers = self.store.managers()?;
        deliver::assign(&mut leads, &enterprises, &managers, &commitments);
        let write: Vec<Opportunity> = leads
            .iter()
            .filter(|o| {
                fresh_ids.contains(&o.id)
                    || stamped.get(&o.id) != Some(&(o.tier, o.manager.clone(), o.status))
            })
            .cloned()
            .collect();
        let changed = self.store.replace_opportunities(&write, &keys, LeadScope::Of(&subjects))?;
        let run = MineRun {
            mode: "incremental",
            reason: String::new(),
            remined_enterprises: Some(subjects.len()),
            changes: taken_in,
        };
        Ok((summarize(as_of, ranking, &leads, changed, run), upto))
    }

    /// The enterprises whose leads `changes` can touch (before joining on event keys).
    fn touched(
        &self,
        graph: &EnterpriseGraph,
        config: &MineConfig,
        changes: &[Change],
    ) -> Result<HashSet<EnterpriseId>> {
        let mut touched: HashSet<EnterpriseId> = HashSet::new();
        // Seeds of walks along the graph, by how far they reach.
        let (mut far, mut risky) = (Vec::new(), Vec::new());
        // Seeds whose trading partners (one step) or partners' partners (two) are touched.
        let (mut trade_one, mut trade_two) = (Vec::new(), Vec::new());
        let mut projects: BTreeSet<String> = BTreeSet::new();
        for change in changes {
            match change {
                Change::Record { old, new } => {
                    for record in old.iter().chain([new]) {
                        touched.extend(record.enterprise_ids());
                        match record {
                            Record::Invoice(_) => trade_one.extend(record.enterprise_ids()),
                            Record::RiskEvent(event) => risky.push(NodeRef::from(&event.subject)),
                            Record::Tender(t) if t.kind == TenderKind::Termination => {
                                projects.insert(format!("*award|{}|", mine::rules::project_key(t)));
                            }
                            _ => {}
                        }
                    }
                }
                Change::Relation { old, new } => {
                    for relation in old.iter().chain([new]) {
                        far.push(NodeRef::from(&relation.from));
                        far.push(NodeRef::Enterprise(relation.to));
                        if let Party::Enterprise(from) = relation.from {
                            trade_one.extend([from, relation.to]);
                        }
                    }
                }
                Change::Enterprise { new, .. } => {
                    far.push(NodeRef::Enterprise(new.id));
                    trade_two.push(new.id);
                }
                Change::Person { new, .. } => far.push(NodeRef::Person(new.id.clone())),
            }
        }
        touched.extend(graph.enterprises_near(&far, graph_reach(config)));
        touched.extend(graph.enterprises_near(&risky, risk_reach(config)));
        let partners = self.trade_partners(&trade_two)?;
        trade_one.extend(partners.iter().copied());
        touched.extend(partners);
        touched.extend(self.trade_partners(&trade_one)?);
        for prefix in &projects {
            touched.extend(self.store.leads_with_key_prefix(prefix)?);
        }
        Ok(touched)
    }

    /// The enterprises trading with any of `enterprises`: by invoice (any date), or by a
    /// declared supply relation.
    fn trade_partners(&self, enterprises: &[EnterpriseId]) -> Result<HashSet<EnterpriseId>> {
        let mut ids = enterprises.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut out = self.store.invoice_partners(&ids)?;
        for (_, relation) in self.store.supplier_relations_of(&ids)? {
            out.extend(relation_ends(&relation));
        }
        Ok(out)
    }

    /// Everything the leads on `subjects` are made from: their records, their trading
    /// partners' invoices and supply relations, every risk event and termination notice
    /// (`far`), and the enterprises all of these name, with the customers that reach the
    /// subjects through the graph.
    fn part_for(
        &self,
        graph: &EnterpriseGraph,
        subjects: &HashSet<EnterpriseId>,
        far: &[(String, Record)],
    ) -> Result<Part> {
        let mut ids: Vec<EnterpriseId> = subjects.iter().copied().collect();
        ids.sort_unstable();
        let partners = self.trade_partners(&ids)?;
        let mut partner_ids: Vec<EnterpriseId> = partners.difference(subjects).copied().collect();
        partner_ids.sort_unstable();
        let mut records = self.store.records_naming(&ids, false)?;
        records.extend(self.store.records_naming(&partner_ids, true)?);
        records.extend(far.iter().cloned());
        // In the order a full run reads them (by kind and id): dedup's choices follow it.
        records.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        records.dedup_by(|a, b| a.0 == b.0);
        let mut traders = ids.clone();
        traders.extend(&partner_ids);
        let relations = self.store.supplier_relations_of(&traders)?;
        let mut named: Vec<EnterpriseId> = traders;
        for (_, record) in &records {
            named.extend(record.enterprise_ids());
        }
        for (_, relation) in &relations {
            named.extend(relation_ends(relation));
        }
        // The customers whose relationship leads may reach a subject: its group and the firms
        // its officers serve (both ways alike).
        for &id in &ids {
            let reach = graph
                .group_members(id, mine::rules::GROUP_HOPS)
                .into_iter()
                .chain(graph.served_elsewhere(id));
            named.extend(reach.map(|(other, _)| other));
        }
        named.sort_unstable();
        named.dedup();
        Ok(Part {
            enterprises: self.store.enterprises_by_id(&named)?,
            records: records.into_iter().map(|(_, r)| r).collect(),
            relations: relations.into_iter().map(|(_, r)| r).collect(),
        })
    }
}

/// The part of the store an incremental run mines from.
struct Part {
    enterprises: Vec<Enterprise>,
    records: Vec<Record>,
    relations: Vec<Relation>,
}

fn relation_ends(relation: &Relation) -> Vec<EnterpriseId> {
    match relation.from {
        Party::Enterprise(from) => vec![from, relation.to],
        Party::Person(_) => vec![relation.to],
    }
}

fn summarize(
    as_of: Date,
    ranking: mine::learn::RankingReport,
    opportunities: &[Opportunity],
    changed: crate::store::Written,
    run: MineRun,
) -> super::MineSummary {
    let mut suppressed: HashMap<String, usize> = HashMap::new();
    for o in opportunities {
        if let Some(s) = &o.suppressed {
            *suppressed.entry(s.reason.as_str().to_string()).or_default() += 1;
        }
    }
    super::MineSummary {
        as_of,
        ranking,
        opportunities: opportunities.len(),
        live: opportunities.iter().filter(|o| o.suppressed.is_none()).count(),
        suppressed,
        with_alerts: opportunities.iter().filter(|o| !o.alerts.is_empty()).count(),
        changed,
        run,
    }
}
