//! Mining runs: the whole store, or only what changed since the last run.
//!
//! An incremental run re-mines the leads on the enterprises a change can reach and keeps the
//! stored leads of every other enterprise; then it ranks all leads against each other (tiers,
//! managers) as a full run does, the kept ones by their stored score. It gives the leads a
//! full run would, because each lead is made only from what lies within a known reach of its
//! enterprise:
//!
//! - its own records — a changed record re-mines the parties its leads are about: an award's
//!   winners, a pledgor, a filer (not a buyer, pledgee or counterparty), and a notice's agency
//!   when that agency has leads of its own (an agency's awards are no business);
//! - for a supply-chain lead (only a firm that is not a customer has one), the invoices and
//!   declared supply of its trading partners that are not customers either (a tier-2 lead goes
//!   through one) — a changed invoice re-mines its parties and their partners, a changed
//!   enterprise its partners and theirs;
//! - along the graph (owners, officers, group, guarantees, related parties): at most
//!   [`graph_reach`] steps — a changed relation, enterprise or person re-mines what lies within
//!   that many steps, a risk event what its subject's risk reaches;
//! - the other reports of the same event (dedup joins leads on shared event keys): the stored
//!   leads sharing a key with a re-mined lead, old or new, are re-mined with it until no new
//!   ones turn up; a termination notice re-mines every lead on its project;
//! - feedback on the lead.
//!
//! A later day moves only some leads: points for freshness and urgency move a grade (3 points)
//! at a time, risk weighs less each full year, and evidence leaves its window on a known day, so
//! each lead knows the first day it would read otherwise ([`Opportunity::turns_on`]). A run on
//! a later day re-mines those leads' enterprises, and takes what the days in between bring
//! into a window that no lead knows of yet — records dated in between, pledges coming within
//! reach of expiry, relations starting or ending — as it takes changes
//! ([`crate::store::Store::turned`]).
//!
//! What moves every lead at once — the configuration, the build (a new version's rules), a
//! kind of lead's win rate moving a 5% step — is fingerprinted; when it changed, the run is a
//! full one. So is a run
//! without an earlier one, on an earlier day than the last, or with more changes waiting than
//! the change log keeps ([`crate::store::MINING_BACKLOG`]). An incremental run that re-mines
//! more enterprises than a slice holds (below) re-mines them a slice at a time.
//!
//! `tests/incremental.rs` holds this to account: generated data imported in batches into two
//! data dirs, one mined incrementally and one in full, the same leads after every batch.
//!
//! A full run over more than `[mine] slice_enterprises` enterprises is the same machinery with
//! every enterprise a subject, a slice at a time (`Workspace::mine_in_slices`): what it holds
//! is the graph, one slice's part of the store and where each stored lead stands.
//! A slice also ends before the records naming its hub enterprises pass `[mine]
//! slice_records` (1M): the enterprises named by more than a thousandth of that (public
//! buyers, banks) would otherwise share one slice whose part is several times a usual one.
//!
//! Ranking that learns from won and lost leads moves every lead of a kind whenever an outcome
//! comes in or a day passes (its freshness feature). It does not re-mine: every run, whatever
//! it re-mined, fits the models on the decided leads as they stand and scores the stored
//! leads again, a page at a time, when the models or the day moved ([`Workspace::learn`]).

use super::{Result, Workspace};
use crate::deliver;
use crate::graph::{EnterpriseGraph, NodeRef};
use crate::mine::{self, GraphView, MineConfig, MineInput};
use crate::model::Commitments;
use crate::model::{
    Change, Date, Enterprise, EnterpriseId, Feedback, Opportunity, OpportunityKind, OpportunityStatus, Party,
    Record, Relation, RelationKind, TenderKind, Tier,
};
use crate::store::{Invoices, LeadScope, MiningMark, Standing};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::Instant;

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
    /// How many slices of enterprises a run mined one after another (none: all at once).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slices: Option<usize>,
    /// Enterprises with leads that turned since the last run's day (a run on a later day).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub turned: Option<usize>,
}

impl MineRun {
    fn full(reason: String) -> MineRun {
        MineRun { mode: "full", reason, remined_enterprises: None, changes: 0, slices: None, turned: None }
    }

    fn incremental(remined: usize, changes: usize, turned: Option<usize>) -> MineRun {
        MineRun {
            mode: "incremental",
            reason: String::new(),
            remined_enterprises: Some(remined),
            changes,
            slices: None,
            turned,
        }
    }
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

/// Cuts `ids`, in their order, into slices of at most `enterprises` ids, each ending before
/// the records naming its hubs (`hubs`: id -> records) would pass `records`. A hub named by
/// more than that is a slice of its own.
fn slices<'a>(
    ids: &'a [EnterpriseId],
    hubs: &HashMap<EnterpriseId, u64>,
    enterprises: usize,
    records: u64,
) -> Vec<&'a [EnterpriseId]> {
    let mut out = Vec::new();
    let (mut start, mut held) = (0, 0u64);
    for (i, id) in ids.iter().enumerate() {
        let weight = hubs.get(id).copied().unwrap_or(0);
        if i > start && (i - start == enterprises || held + weight > records) {
            out.push(&ids[start..i]);
            (start, held) = (i, 0);
        }
        held += weight;
    }
    if start < ids.len() {
        out.push(&ids[start..]);
    }
    out
}

/// Stored leads moved by the ranking of a run in slices are written this many at a time.
const SLICE_WRITES: usize = 20_000;

/// Stored leads scored again by what ranking learned are read this many at a time.
const RESCORE_PAGE: usize = 5_000;

/// What every part of one run is mined with.
struct Context<'a> {
    feedback: &'a [Feedback],
    feedback_kinds: HashMap<String, OpportunityKind>,
    /// Every risk event and termination notice (see [`Part`]).
    far: Vec<(String, Record)>,
    /// The enterprises at either end of a declared supplier relation: only theirs are read.
    suppliers: HashSet<EnterpriseId>,
    as_of: Date,
}

impl<'a> Context<'a> {
    fn load(ws: &Workspace, feedback: &'a [Feedback], as_of: Date) -> Result<Context<'a>> {
        Ok(Context {
            feedback,
            feedback_kinds: ws.store.feedback_kinds()?.into_iter().collect(),
            far: ws.store.risks_and_terminations()?,
            suppliers: ws.store.supplier_parties()?,
            as_of,
        })
    }
}

/// Re-mined leads, with their event keys and the enterprises of the part they came from.
struct Remined {
    leads: Vec<Opportunity>,
    keys: HashMap<String, Vec<String>>,
    enterprises: Vec<Enterprise>,
    records: usize,
    loaded: std::time::Duration,
    scored: std::time::Duration,
}

enum Plan {
    Full(String),
    /// `since`: the day of the last run, when earlier than this one's.
    Incremental {
        upto: u64,
        changes: Vec<Change>,
        since: Option<Date>,
    },
}

impl Workspace {
    /// Runs rules, dedup, risk, ranking and assignment, and stores the result: only what
    /// changed since the last run when it can (see the module's notes).
    pub fn mine(&mut self, as_of: Date) -> Result<super::MineSummary> {
        self.mine_with(as_of, MineMode::Auto)
    }

    pub fn mine_with(&mut self, as_of: Date, mode: MineMode) -> Result<super::MineSummary> {
        // What a later day reads goes by indexes a killed first load may have left out.
        self.store.build_deferred_indexes()?;
        let config = self.config.mine_config()?;
        // The position first: feedback given meanwhile is read again by the next run.
        let feedback_seq = self.store.feedback_seq()?;
        let feedback = self.store.feedback()?;
        let state = self.mining_state(&config, &feedback)?;
        let mark = self.store.mining_mark()?;
        let plan = match mode {
            MineMode::Full => Plan::Full("asked for (--full)".into()),
            MineMode::Auto => self.plan(&mark, state, as_of)?,
        };
        self.room_for_mining(mark.seq.is_none())?;
        let slice = self.config.mine.slice_enterprises.get();
        let whole = matches!(plan, Plan::Full(_)) && self.store.enterprise_count()? <= slice as u64;
        // From here on the run writes leads: until its mark is set, the store says it is under way.
        self.store.begin_mining_run()?;
        // A run's writes checkpoint on another thread, as an import's do.
        self.store.checkpoint_beside()?;
        let ran = match plan {
            Plan::Full(reason) if whole => self.mine_everything(as_of, &config, &feedback, reason),
            Plan::Full(reason) => self.mine_in_slices(as_of, &config, &feedback, slice, reason),
            Plan::Incremental { upto, changes, since } => {
                self.mine_changes(as_of, since, &config, &feedback, &mark, upto, changes)
            }
        };
        self.store.checkpoint_inline()?;
        let (summary, upto) = ran?;
        self.store.audit("mine", "mine", &serde_json::to_string(&summary).unwrap_or_default())?;
        self.store.set_mining_mark(&MiningMark {
            seq: Some(upto),
            feedback_seq,
            state,
            as_of: Some(as_of),
        })?;
        // The graph this run used was caught up to `upto` and saved: the log up to there is
        // needed neither by the graph nor by the next run.
        self.store.prune_graph_changes(upto)?;
        Ok(summary)
    }

    /// A fingerprint of what moves every lead at once: the configuration, the build (its
    /// sources and dictionaries, [`crate::BUILD`]) and each kind of lead's win rate (in the 5%
    /// steps scores use, with the count behind it in steps of ten times,
    /// [`crate::mine::rank::win_rates`]). An outcome that moves no kind's
    /// rate a step re-mines only its own lead's enterprise. What ranking learns from outcomes
    /// is not here: it scores the leads again without re-mining them ([`Workspace::learn`]).
    fn mining_state(&self, config: &MineConfig, feedback: &[Feedback]) -> Result<i64> {
        let kinds: HashMap<String, OpportunityKind> = self.store.feedback_kinds()?.into_iter().collect();
        // A rate of 50% gives no points and no words.
        let mut rates: Vec<(OpportunityKind, crate::mine::rank::WinRate)> =
            crate::mine::rank::win_rates(feedback, &kinds)
                .into_iter()
                .filter(|(_, r)| r.percent != 50)
                .collect();
        rates.sort_unstable();
        let outcomes = format!("{rates:?}");
        let local_words = std::fs::read_to_string(self.dir.join("userdict.txt")).unwrap_or_default();
        let text = format!(
            "{}\u{1f}{:?}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{local_words}\u{1f}{outcomes}\u{1f}{}",
            crate::BUILD,
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
    fn plan(&self, mark: &MiningMark, state: i64, as_of: Date) -> Result<Plan> {
        let Some(seq) = mark.seq else { return Ok(Plan::Full("no earlier run".into())) };
        let Some(last) = mark.as_of else {
            return Ok(Plan::Full("the last run's day is not known (mined by an earlier version)".into()));
        };
        if mark.state == crate::store::UNFINISHED_RUN {
            return Ok(Plan::Full(
                "the last run did not finish (killed or failed after writing part of its leads)".into(),
            ));
        }
        if mark.state != state {
            return Ok(Plan::Full(
                "the configuration, the build or a kind of lead's win rate changed since the last run".into(),
            ));
        }
        if as_of < last {
            return Ok(Plan::Full(format!("mined as of {as_of}, before the last run's day ({last})")));
        }
        let version = self.store.graph_version()?;
        if version.seq.saturating_sub(seq) > crate::store::MINING_BACKLOG {
            return Ok(Plan::Full(format!("{} changes since the last run", version.seq - seq)));
        }
        match self.store.changes_since(seq)? {
            (upto, Some(changes)) => Ok(Plan::Incremental {
                upto,
                changes: changes.into_iter().map(|(_, c)| c).collect(),
                since: (as_of > last).then_some(last),
            }),
            (_, None) => Ok(Plan::Full("the change log no longer reaches the last run".into())),
        }
    }

    /// Mines everything. Returns the summary and the change-log position it reflects.
    fn mine_everything(
        &mut self,
        as_of: Date,
        config: &MineConfig,
        feedback: &[Feedback],
        reason: String,
    ) -> Result<(super::MineSummary, u64)> {
        // One read of the store serves mining and, when the graph must be rebuilt, the graph.
        let (snapshot, version) = self.store.graph_sources()?;
        let graph = self.refresh_graph_from(None, as_of, Some((&snapshot, version)))?;
        let feedback_kinds: HashMap<String, OpportunityKind> =
            self.store.feedback_kinds()?.into_iter().collect();
        let first_seen = self.store.first_seen(None)?;
        let input = MineInput {
            enterprises: &snapshot.enterprises,
            records: &snapshot.records,
            relations: &snapshot.relations,
            feedback: &snapshot.feedback,
            feedback_kinds: &feedback_kinds,
            graph: &graph,
            as_of,
            agencies: &HashSet::new(),
            first_seen: &first_seen,
        };
        let (mut opportunities, keys) = mine::score_leads(&input, config, None);
        let enterprises: HashMap<EnterpriseId, &Enterprise> =
            snapshot.enterprises.iter().map(|e| (e.id, e)).collect();
        let ranking = self.learn(&mut opportunities, &enterprises, feedback, config, false)?;
        let with_leads: HashSet<EnterpriseId> = opportunities.iter().map(|o| o.enterprise.id).collect();
        let theirs: Vec<Enterprise> =
            snapshot.enterprises.iter().filter(|e| with_leads.contains(&e.id)).cloned().collect();
        // Ranked as an incremental run ranks, against the stored leads that stay: those the
        // run no longer produced but someone worked.
        let everyone: HashSet<EnterpriseId> = enterprises.keys().copied().collect();
        let produced: HashSet<&str> = opportunities.iter().map(|o| o.id.as_str()).collect();
        let commitments =
            self.store.commitments(chrono::Utc::now().timestamp(), &|lead, _| !produced.contains(lead))?;
        drop(produced);
        let (standings, moved) =
            self.rank_against_stored(&mut opportunities, &everyone, theirs, &commitments, config)?;
        // The stored leads the ranking moved, then this run's (moved, not copied: at 100k
        // enterprises a copy of every lead was an eighth of the run's peak).
        let mut write = self.placed_leads(&standings, &moved)?;
        let placed = write.len();
        write.append(&mut opportunities);
        let changed = self.store.replace_opportunities(&write, &keys, LeadScope::All, as_of)?;
        let run = MineRun::full(reason);
        let mut summary = summarize(as_of, ranking, &write[placed..], changed, run);
        add_standings(&mut summary, &standings);
        Ok((summary, version.seq))
    }

    /// Re-mines the leads `changes` (and feedback since the last run, and the days since
    /// `since`) can reach: at once, or a slice at a time when they are on more enterprises
    /// than a slice holds.
    #[allow(clippy::too_many_arguments)]
    fn mine_changes(
        &mut self,
        as_of: Date,
        since: Option<Date>,
        config: &MineConfig,
        feedback: &[Feedback],
        mark: &MiningMark,
        upto: u64,
        mut changes: Vec<Change>,
    ) -> Result<(super::MineSummary, u64)> {
        let started = Instant::now();
        let turned = match since {
            Some(last) => self.store.turned(last, as_of, config.rules.pledge_window_days.1)?,
            None => Default::default(),
        };
        let turned_leads = turned.leads.len();
        // What comes into a window is taken as a change to it.
        changes.extend(turned.records.into_iter().map(|new| Change::Record { old: None, new }));
        changes.extend(turned.relations.into_iter().map(|new| Change::Relation { old: None, new }));
        let graph = self.refresh_graph_from(None, as_of, None)?;
        let feedback_after = self.store.leads_with_feedback_after(mark.feedback_seq)?;
        let taken_in = changes.len() + feedback_after.len();
        let context = Context::load(self, feedback, as_of)?;
        let mut subjects = self.touched(&graph, config, &changes, &context.suppliers)?;
        subjects.extend(feedback_after);
        subjects.extend(turned.leads);
        let touched = subjects.len();
        let slice = self.config.mine.slice_enterprises.get();
        if touched > slice {
            let mut subjects: Vec<EnterpriseId> = subjects.into_iter().collect();
            subjects.sort_unstable();
            let run = MineRun::incremental(touched, taken_in, since.map(|_| turned_leads));
            let summary =
                self.mine_slices(graph, &subjects, upto, as_of, config, &context, feedback, slice, run)?;
            return Ok((summary, upto));
        }
        let remined = self.remine(&graph, config, &context, &mut subjects)?;
        let Remined { leads: mut fresh, keys, enterprises, records, loaded, scored } = remined;
        let timer = Instant::now();
        let by_id: HashMap<EnterpriseId, &Enterprise> = enterprises.iter().map(|e| (e.id, e)).collect();
        let ranking = self.learn(&mut fresh, &by_id, feedback, config, false)?;
        drop(by_id);
        let enterprises: Vec<Enterprise> =
            enterprises.into_iter().filter(|e| subjects.contains(&e.id)).collect();
        let produced: HashSet<&str> = fresh.iter().map(|o| o.id.as_str()).collect();
        let commitments = self.store.commitments(chrono::Utc::now().timestamp(), &|lead, enterprise| {
            subjects.contains(&enterprise) && !produced.contains(lead)
        })?;
        drop(produced);
        let (standings, moved) =
            self.rank_against_stored(&mut fresh, &subjects, enterprises, &commitments, config)?;
        let mut write = self.placed_leads(&standings, &moved)?;
        let placed = write.len();
        write.append(&mut fresh);
        let fresh = &write[placed..];
        let ranked = timer.elapsed();
        let timer = Instant::now();
        let changed = self.store.replace_opportunities(&write, &keys, LeadScope::Of(&subjects), as_of)?;
        tracing::info!(
            changes = taken_in,
            turned = turned_leads,
            touched,
            remined = subjects.len(),
            records,
            fresh = fresh.len(),
            moved = moved.len(),
            loaded_ms = loaded.as_millis() as u64,
            scored_ms = scored.as_millis() as u64,
            ranked_ms = ranked.as_millis() as u64,
            written_ms = timer.elapsed().as_millis() as u64,
            total_ms = started.elapsed().as_millis() as u64,
            "incremental mining run"
        );
        let run = MineRun::incremental(subjects.len(), taken_in, since.map(|_| turned_leads));
        let mut summary = summarize(as_of, ranking, fresh, changed, run);
        add_standings(&mut summary, &standings);
        Ok((summary, upto))
    }

    /// Mines everything a slice of enterprises at a time, so that what is held is the graph,
    /// one slice's part of the store and where each stored lead stands — never the store.
    /// Each slice is re-mined as an incremental run re-mines what a change touched (with
    /// every lead sharing an event key with it, stored by an earlier slice or an earlier run)
    /// and written where its leads stood; then every lead is ranked against the others and
    /// assigned, and those whose tier or manager moved are placed there ([`crate::store::Store::place_leads`]).
    fn mine_in_slices(
        &mut self,
        as_of: Date,
        config: &MineConfig,
        feedback: &[Feedback],
        slice: usize,
        reason: String,
    ) -> Result<(super::MineSummary, u64)> {
        let graph = self.refresh_graph_from(None, as_of, None)?;
        // The graph is caught up to here; what the slices read may be newer, and is read again
        // by the next run.
        let upto = graph.stamp().seq;
        let context = Context::load(self, feedback, as_of)?;
        let ids = self.store.enterprise_ids()?;
        let run = MineRun::full(reason);
        let summary = self.mine_slices(graph, &ids, upto, as_of, config, &context, feedback, slice, run)?;
        Ok((summary, upto))
    }

    /// Re-mines the leads on `ids` a slice at a time (see [`Workspace::mine_in_slices`]),
    /// then ranks every lead against the others and places those that moved. The run has
    /// read the change log up to `upto`.
    #[allow(clippy::too_many_arguments)]
    fn mine_slices(
        &mut self,
        graph: EnterpriseGraph,
        ids: &[EnterpriseId],
        upto: u64,
        as_of: Date,
        config: &MineConfig,
        context: &Context<'_>,
        feedback: &[Feedback],
        slice: usize,
        mut run: MineRun,
    ) -> Result<super::MineSummary> {
        let started = Instant::now();
        // The log the run has read (a full run reads none), and the graph is saved and caught
        // up past it: it goes now rather than after the run, so the leads reuse its pages (a
        // first import of 5M enterprises logs 42.6M changes, 10 GB). A run killed from here on
        // is followed by a full one.
        self.store.prune_graph_changes(upto)?;
        // The models the run will rank by, when known before it (stored, no refit due, and the
        // stored leads scored by them): each slice's leads are then written scored, and no
        // pass over the stored leads follows.
        let known = self.stored_ranking(feedback, config)?.filter(|learned| learned.applies());
        let mut written: HashSet<String> = HashSet::new();
        let mut dropped = 0;
        // The hubs: enterprises named by more than a thousandth of a slice's records (1,000 by
        // default). A slice counts their records; the rest are named by a few each.
        let records = self.config.mine.slice_records.get();
        let hubs = self.store.record_hubs(records / 1000)?;
        let slices = slices(ids, &hubs, slice, records);
        drop(hubs);
        for (n, chunk) in slices.iter().enumerate() {
            let timer = Instant::now();
            let mut subjects: HashSet<EnterpriseId> = chunk.iter().copied().collect();
            let Remined { mut leads, keys, records, enterprises, .. } =
                self.remine(&graph, config, context, &mut subjects)?;
            // Where each lead stood (a new one nowhere, and with no manager, so nothing is
            // queued for it before it is assigned below).
            let placed =
                self.store.lead_placements(&leads.iter().map(|l| l.id.as_str()).collect::<Vec<_>>())?;
            let by_id: HashMap<EnterpriseId, &Enterprise> = enterprises.iter().map(|e| (e.id, e)).collect();
            for lead in &mut leads {
                (lead.tier, lead.manager) = placed.get(&lead.id).cloned().unwrap_or((Tier::C, None));
                if let Some(learned) = &known {
                    learned.score(lead, by_id.get(&lead.enterprise.id).copied());
                }
            }
            drop(by_id);
            let wrote =
                self.store.write_leads(&leads, &keys, LeadScope::Slice(&subjects), as_of, &mut |id| {
                    written.insert(id.to_string());
                })?;
            dropped += wrote.dropped;
            tracing::info!(
                slice = n + 1,
                of = slices.len(),
                remined = subjects.len(),
                records,
                leads = leads.len(),
                ms = timer.elapsed().as_millis() as u64,
                "mining slice"
            );
        }
        let timer = Instant::now();
        // The slices queued nothing and cancelled the places of the leads they dropped: the
        // outbox stands as a run over everything at once sees it.
        let commitments = self.store.commitments(chrono::Utc::now().timestamp(), &|_, _| false)?;
        // Unless the models were known, the slices wrote their leads as the rules scored them.
        let ranking = self.learn(&mut [], &HashMap::new(), feedback, config, known.is_none())?;
        let (standings, moved) =
            self.rank_against_stored(&mut [], &HashSet::new(), Vec::new(), &commitments, config)?;
        for chunk in moved.chunks(SLICE_WRITES) {
            let leads = self.placed_leads(&standings, chunk)?;
            self.store.place_leads(&leads, &mut |id| {
                written.insert(id.to_string());
            })?;
        }
        // Now the leads stand where they belong: queue the assigned ones.
        self.store.queue_assigned_leads()?;
        tracing::info!(
            leads = standings.len(),
            moved = moved.len(),
            ranked_ms = timer.elapsed().as_millis() as u64,
            total_ms = started.elapsed().as_millis() as u64,
            mode = run.mode,
            "mining run in slices"
        );
        let changed = crate::store::Written { written: written.len(), dropped };
        run.slices = Some(slices.len());
        let mut summary = summarize(as_of, ranking, &[], changed, run);
        add_standings(&mut summary, &standings);
        Ok(summary)
    }

    /// Re-mines the leads on `subjects`, and those of every enterprise whose stored or new
    /// leads share an event key with theirs (added to `subjects`), from the part of the store
    /// they are made from.
    fn remine(
        &self,
        graph: &EnterpriseGraph,
        config: &MineConfig,
        context: &Context<'_>,
        subjects: &mut HashSet<EnterpriseId>,
    ) -> Result<Remined> {
        let Context { feedback, feedback_kinds, far, suppliers, as_of } = context;
        let mut part = Part { far: far.clone(), ..Part::default() };
        let timer = Instant::now();
        // Until the leads sharing an event key with a re-mined one are re-mined too (the
        // rules alone say which keys a lead will have).
        let mut asked: BTreeSet<String> = BTreeSet::new();
        let mut pending: Vec<EnterpriseId> = subjects.iter().copied().collect();
        let mut rounds = 0;
        while !pending.is_empty() {
            rounds += 1;
            pending.sort_unstable();
            part.extend(self, graph, &pending, suppliers)?;
            let added: HashSet<EnterpriseId> = pending.iter().copied().collect();
            part.first_seen.extend(self.store.first_seen(Some(&added))?);
            let mut wanted = self.store.lead_keys_of(&pending)?;
            wanted.extend(mine::event_keys(
                &part.input(feedback, feedback_kinds, graph, *as_of),
                config,
                &added,
            ));
            let new_keys: BTreeSet<String> = wanted.difference(&asked).cloned().collect();
            asked.extend(new_keys.iter().cloned());
            pending = self
                .store
                .leads_sharing_keys(&new_keys)?
                .into_iter()
                .filter(|id| subjects.insert(*id))
                .collect();
        }
        let loaded = timer.elapsed();
        tracing::debug!(rounds, subjects = subjects.len(), records = part.records.len(), "part read");
        let timer = Instant::now();
        let input = part.input(feedback, feedback_kinds, graph, *as_of);
        let candidates = mine::candidates(&input, config);
        let (leads, keys) = mine::score_candidates(candidates, &input, config, Some(subjects));
        Ok(Remined {
            leads,
            keys,
            records: part.records.len(),
            enterprises: part.enterprises,
            loaded,
            scored: timer.elapsed(),
        })
    }

    /// Scores the leads by what ranking learns from won and lost leads
    /// ([`mine::learn::Learned`]), over the leads as they stand after this run: `fresh` (in
    /// memory, mined by this run, on `enterprises`) and every other stored lead.
    ///
    /// The models are fitted on the decided leads, `fresh` where this run mined them and
    /// stored elsewhere; a lead a model scored keeps the rules' score, so what the models
    /// learn from and are measured against does not depend on which leads a run re-mined.
    /// They are stored, and fitted again only when the outcomes grew by a twentieth
    /// ([`mine::learn::refit_due`]): one more outcome moves no model.
    ///
    /// `fresh` is scored here; the other stored leads are scored again (and written where
    /// they changed) when the models moved since they were last scored, or when this run
    /// (`rewritten`) wrote them as the rules scored them. A refit thus costs a pass over the
    /// stored leads, not a re-mining of every enterprise; a day passing costs nothing here, as
    /// a learned score moves only with the rules' time points, on the days a lead turns and
    /// is re-mined.
    fn learn(
        &mut self,
        fresh: &mut [Opportunity],
        enterprises: &HashMap<EnterpriseId, &Enterprise>,
        feedback: &[Feedback],
        config: &MineConfig,
        rewritten: bool,
    ) -> Result<mine::learn::RankingReport> {
        use mine::learn::{Learned, Outcome};
        let timer = Instant::now();
        let decided: HashMap<&str, bool> =
            decided(feedback).map(|(id, f)| (id, f.status == OpportunityStatus::Won)).collect();
        let n = decided.len();
        let learned = if n < config.learn.min_outcomes {
            if self.store.learned()?.is_some() {
                self.store.set_learned(None)?;
            }
            Learned::nothing(n, &config.learn)
        } else if let Some(stored) = self.reusable_fit(n, config)? {
            stored
        } else {
            let mut outcomes = Vec::with_capacity(decided.len());
            let mut mined = HashSet::new();
            for lead in fresh.iter() {
                if let Some((&id, &won)) = decided.get_key_value(lead.id.as_str()) {
                    mined.insert(id);
                    outcomes.push(Outcome::of(lead, enterprises.get(&lead.enterprise.id).copied(), won));
                }
            }
            let stored: Vec<&str> = decided.keys().copied().filter(|id| !mined.contains(id)).collect();
            let stored = self.store.mined_leads(&stored)?;
            let theirs =
                self.store.enterprises_by_id(&stored.iter().map(|o| o.enterprise.id).collect::<Vec<_>>())?;
            let theirs: HashMap<EnterpriseId, &Enterprise> = theirs.iter().map(|e| (e.id, e)).collect();
            for lead in &stored {
                let won = decided[lead.id.as_str()];
                outcomes.push(Outcome::of(lead, theirs.get(&lead.enterprise.id).copied(), won));
            }
            let fitted = Learned::fit(outcomes, &config.learn);
            let json = fitted.to_json();
            self.store.set_learned(json.as_deref())?;
            // As the next run reads it back, so that both score alike.
            json.and_then(|json| Learned::stored(&json, n, &config.learn)).unwrap_or(fitted)
        };
        if learned.applies() {
            for lead in fresh.iter_mut() {
                learned.score(lead, enterprises.get(&lead.enterprise.id).copied());
            }
        }
        let state = learned.fingerprint();
        let stale = state != self.store.learned_state()?;
        let mut rescored = None;
        if stale || (rewritten && learned.applies()) {
            let mined: HashSet<&str> = fresh.iter().map(|o| o.id.as_str()).collect();
            rescored = Some(self.rescore_stored(&learned, &mined)?);
            self.store.set_learned_state(state)?;
        }
        // Which kinds the models cover is only reported once there are enough outcomes to fit.
        let mut present = BTreeSet::new();
        if n >= config.learn.min_outcomes {
            present = self.store.lead_kinds()?;
            present.extend(fresh.iter().map(|o| o.kind));
        }
        let report = mine::learn::RankingReport { rescored, ..learned.report(&present) };
        if learned.applies() || rescored.is_some() {
            tracing::info!(
                ranking = report.ranking,
                outcomes = report.outcomes,
                fresh = fresh.len(),
                rescored,
                ms = timer.elapsed().as_millis() as u64,
                "ranking learned from outcomes"
            );
        }
        Ok(report)
    }

    /// The ranking [`Workspace::learn`] will apply without fitting, when it will: the stored
    /// models, read with the outcomes there are now, when no refit is due and the stored leads
    /// are scored by them.
    fn stored_ranking(
        &self,
        feedback: &[Feedback],
        config: &MineConfig,
    ) -> Result<Option<mine::learn::Learned>> {
        let n = decided(feedback).count();
        if n < config.learn.min_outcomes {
            return Ok(None);
        }
        let state = self.store.learned_state()?;
        Ok(self.reusable_fit(n, config)?.filter(|s| s.fingerprint() == state))
    }

    /// The stored fit, read with the `n` outcomes there are now, when it is kept as it is:
    /// it reads under these settings and no refit is due.
    fn reusable_fit(&self, n: usize, config: &MineConfig) -> Result<Option<mine::learn::Learned>> {
        let Some(json) = self.store.learned()? else { return Ok(None) };
        Ok(mine::learn::Learned::stored(&json, n, &config.learn)
            .filter(|s| !mine::learn::refit_due(s.fitted_on(), n)))
    }

    /// Scores every stored lead but those on `skip` as `learned` does, a page at a time, and
    /// writes those that changed. Returns how many were written.
    fn rescore_stored(&mut self, learned: &mine::learn::Learned, skip: &HashSet<&str>) -> Result<usize> {
        let mut after = String::new();
        let mut written = 0;
        loop {
            let mut page = self.store.mined_leads_after(&after, RESCORE_PAGE)?;
            let Some(last) = page.last() else { break };
            after.clone_from(&last.id);
            page.retain(|o| !skip.contains(o.id.as_str()) && (o.rules.is_some() || learned.learns(o.kind)));
            if page.is_empty() {
                continue;
            }
            let theirs =
                self.store.enterprises_by_id(&page.iter().map(|o| o.enterprise.id).collect::<Vec<_>>())?;
            let theirs: HashMap<EnterpriseId, &Enterprise> = theirs.iter().map(|e| (e.id, e)).collect();
            page.retain_mut(|lead| learned.score(lead, theirs.get(&lead.enterprise.id).copied()));
            written += self.store.place_leads(&page, &mut |_| {})?;
        }
        Ok(written)
    }

    /// Ranks `fresh` against every stored lead not on `subjects`, as a full run ranks all
    /// leads against each other: tiers by the live leads' scores, then managers, given the
    /// enterprises of `fresh` (the stored leads' are read). Returns where every stored lead
    /// now stands, and which of them moved (tier or manager).
    fn rank_against_stored(
        &self,
        fresh: &mut [Opportunity],
        subjects: &HashSet<EnterpriseId>,
        fresh_enterprises: Vec<Enterprise>,
        commitments: &Commitments,
        config: &MineConfig,
    ) -> Result<(Vec<Standing>, Vec<usize>)> {
        let produced: HashSet<&str> = fresh.iter().map(|o| o.id.as_str()).collect();
        let mut standings = self.store.lead_standings_except(subjects, &produced)?;
        drop(produced);
        let policy: Vec<String> =
            config.rank.force_tier_c.iter().chain(&config.rank.block_on).cloned().collect();
        let forced = self.store.leads_alerted_directly(&policy)?;
        for standing in &mut standings {
            standing.forced = forced.contains(&standing.id);
        }
        let before: Vec<(Tier, Option<String>)> =
            standings.iter().map(|s| (s.tier, s.manager.clone())).collect();
        let live = fresh.iter().filter(|o| o.suppressed.is_none()).map(|o| o.score);
        let live = live.chain(standings.iter().filter(|s| s.suppressed.is_none()).map(|s| s.score));
        if let Some(cuts) = mine::rank::tier_cuts(live, &config.rank) {
            mine::rank::assign_tiers_by(fresh, cuts, &config.rank);
            for standing in &mut standings {
                standing.tier = mine::rank::tier_of(standing.score, standing.forced, cuts);
            }
        }
        let mut enterprises = self.store.lead_enterprises()?;
        enterprises.extend(fresh_enterprises);
        enterprises.sort_unstable_by_key(|e| e.id);
        enterprises.dedup_by_key(|e| e.id);
        let managers = self.store.managers()?;
        let mut all: Vec<Lead<'_>> =
            fresh.iter_mut().map(Lead::Fresh).chain(standings.iter_mut().map(Lead::Stored)).collect();
        deliver::assign(&mut all, &enterprises, &managers, commitments);
        drop(all);
        let moved = (0..standings.len())
            .filter(|&i| before[i].0 != standings[i].tier || before[i].1 != standings[i].manager)
            .collect();
        Ok((standings, moved))
    }

    /// The stored leads `standings[i]` for each `i` of `which`, placed where they now stand.
    fn placed_leads(&self, standings: &[Standing], which: &[usize]) -> Result<Vec<Opportunity>> {
        let placed: HashMap<&str, &Standing> =
            which.iter().map(|&i| (standings[i].id.as_str(), &standings[i])).collect();
        let mut leads = self.store.mined_leads(&placed.keys().copied().collect::<Vec<_>>())?;
        for lead in &mut leads {
            if let Some(standing) = placed.get(lead.id.as_str()) {
                lead.tier = standing.tier;
                lead.manager.clone_from(&standing.manager);
            }
        }
        Ok(leads)
    }

    /// The enterprises whose leads `changes` can touch (before joining on event keys).
    fn touched(
        &self,
        graph: &EnterpriseGraph,
        config: &MineConfig,
        changes: &[Change],
        suppliers: &HashSet<EnterpriseId>,
    ) -> Result<HashSet<EnterpriseId>> {
        let mut touched: HashSet<EnterpriseId> = HashSet::new();
        // Seeds of walks along the graph, by how far they reach.
        let (mut far, mut risky) = (Vec::new(), Vec::new());
        // Whose trade changed (their partners are touched: a tier-2 lead goes through them),
        // and who changed (their partners, and the partners' partners).
        let (mut traders, mut changed) = (Vec::new(), Vec::new());
        let mut projects: BTreeSet<String> = BTreeSet::new();
        // An agency of a notice: its own awards are suppressed once it acts as one anywhere.
        let mut agencies: Vec<EnterpriseId> = Vec::new();
        for change in changes {
            match change {
                // A record re-mines the parties a lead from it is about — not a buyer, a
                // pledgee or a counterparty, whose leads it does not make.
                Change::Record { old, new } => {
                    for record in old.iter().chain([new]) {
                        match record {
                            Record::Tender(t) => {
                                touched.extend(t.winners.iter().map(|e| e.id));
                                agencies.extend(t.agency.iter().map(|e| e.id));
                                if t.kind == TenderKind::Termination {
                                    projects.insert(format!("*award|{}|", mine::rules::project_key(t)));
                                }
                            }
                            Record::Pledge(p) => {
                                touched.insert(p.pledgor.id);
                            }
                            Record::Filing(f) => {
                                touched.insert(f.enterprise.id);
                            }
                            // Only a firm that is not a customer has supply-chain leads.
                            Record::Invoice(i) => traders.extend([i.seller.id, i.buyer.id]),
                            Record::RiskEvent(event) => risky.push(NodeRef::from(&event.subject)),
                        }
                    }
                }
                Change::Relation { old, new } => {
                    for relation in old.iter().chain([new]) {
                        far.push(NodeRef::from(&relation.from));
                        far.push(NodeRef::Enterprise(relation.to));
                        if relation.kind == RelationKind::Supplier {
                            traders.extend(relation_ends(relation));
                        }
                    }
                }
                Change::Enterprise { new, .. } => {
                    far.push(NodeRef::Enterprise(new.id));
                    changed.push(new.id);
                }
                Change::Person { new, .. } => far.push(NodeRef::Person(new.id.clone())),
            }
        }
        touched.extend(graph.enterprises_near(&far, graph_reach(config)));
        touched.extend(graph.enterprises_near(&risky, risk_reach(config)));
        // Only a firm that is not a customer has supply-chain leads, or can be the tier-1 link
        // of a tier-2 lead: a changed firm's partners may lose or gain it as their core
        // customer, a trader's partners it as their tier-1 link.
        let partners = self.prospects(self.trade_partners(&changed, suppliers)?)?;
        traders.extend(partners.iter().copied());
        let traders = self.prospects(traders)?;
        touched.extend(traders.iter().copied());
        touched.extend(self.prospects(self.trade_partners(&traders, suppliers)?)?);
        // (Most agencies win nothing: only those with leads are re-mined, not every notice
        // they ever handled.)
        agencies.sort_unstable();
        agencies.dedup();
        touched.extend(self.store.with_leads(&agencies)?);
        for prefix in &projects {
            touched.extend(self.store.leads_with_key_prefix(prefix)?);
        }
        Ok(touched)
    }

    /// Those of `enterprises` that are not customers, by id.
    fn prospects(&self, enterprises: impl IntoIterator<Item = EnterpriseId>) -> Result<Vec<EnterpriseId>> {
        let mut ids: Vec<EnterpriseId> = enterprises.into_iter().collect();
        ids.sort_unstable();
        ids.dedup();
        Ok(self.store.enterprises_by_id(&ids)?.into_iter().filter(|e| !e.is_customer).map(|e| e.id).collect())
    }

    /// The enterprises trading with any of `enterprises`: by invoice (any date), or by a
    /// declared supply relation (only `suppliers` have one).
    fn trade_partners(
        &self,
        enterprises: &[EnterpriseId],
        suppliers: &HashSet<EnterpriseId>,
    ) -> Result<HashSet<EnterpriseId>> {
        let mut ids = enterprises.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut out = self.store.invoice_partners(&ids)?;
        ids.retain(|id| suppliers.contains(id));
        for (_, relation) in self.store.supplier_relations_of(&ids)? {
            out.extend(relation_ends(&relation));
        }
        Ok(out)
    }
}

/// A lead being assigned: re-mined, or stored and standing.
enum Lead<'a> {
    Fresh(&'a mut Opportunity),
    Stored(&'a mut Standing),
}

impl deliver::Assignable for Lead<'_> {
    fn id(&self) -> &str {
        match self {
            Lead::Fresh(o) => &o.id,
            Lead::Stored(s) => &s.id,
        }
    }
    fn enterprise(&self) -> EnterpriseId {
        match self {
            Lead::Fresh(o) => o.enterprise.id,
            Lead::Stored(s) => s.enterprise,
        }
    }
    fn score(&self) -> f64 {
        match self {
            Lead::Fresh(o) => o.score,
            Lead::Stored(s) => s.score,
        }
    }
    fn is_suppressed(&self) -> bool {
        match self {
            Lead::Fresh(o) => o.suppressed.is_some(),
            Lead::Stored(s) => s.suppressed.is_some(),
        }
    }
    fn set_manager(&mut self, manager: Option<String>) {
        match self {
            Lead::Fresh(o) => o.manager = manager,
            Lead::Stored(s) => s.manager = manager,
        }
    }
}

/// The part of the store an incremental run mines from, grown subject by subject: the
/// subjects' records, their trading partners' invoices and supply relations, every risk event
/// and termination notice (`far`: they reach a lead from any distance), and the enterprises
/// all of these name, with the customers that reach the subjects through the graph.
#[derive(Default)]
struct Part {
    far: Vec<(String, Record)>,
    /// Records by kind and id (the order of their keys, kind, unit separator, id: no kind is
    /// a prefix of another), the order a full run reads them in: dedup's choices follow it.
    records: Vec<Record>,
    record_keys: HashSet<String>,
    relations: Vec<(String, Relation)>,
    relation_keys: HashSet<String>,
    enterprises: Vec<Enterprise>,
    /// Partners whose invoices are in.
    partners: HashSet<EnterpriseId>,
    /// Subjects acting as a tender agency on a notice that names them only so (not read).
    agencies: HashSet<EnterpriseId>,
    /// The relations alone, rebuilt after each `extend` (supplier relations only: few).
    relation_list: Vec<Relation>,
    /// When the subjects' stored leads were first seen.
    first_seen: HashMap<String, Date>,
}

impl Part {
    fn extend(
        &mut self,
        ws: &Workspace,
        graph: &EnterpriseGraph,
        subjects: &[EnterpriseId],
        suppliers: &HashSet<EnterpriseId>,
    ) -> Result<()> {
        let store = &ws.store;
        let first = self.record_keys.is_empty();
        // A customer's invoices make no lead of its own (its suppliers' and buyers' leads read
        // them as theirs); a prospect's do, and so do those of its partners that are not
        // customers (a tier-2 lead goes through one).
        let prospects = ws.prospects(subjects.iter().copied())?;
        let customers: Vec<EnterpriseId> =
            subjects.iter().copied().filter(|id| prospects.binary_search(id).is_err()).collect();
        let mut found = store.records_naming(&prospects, Invoices::With)?;
        found.extend(store.records_naming(&customers, Invoices::Without)?);
        self.agencies.extend(store.acting_agencies(subjects)?);
        let partners: Vec<EnterpriseId> = ws
            .prospects(ws.trade_partners(&prospects, suppliers)?)?
            .into_iter()
            .filter(|id| self.partners.insert(*id))
            .collect();
        found.extend(store.records_naming(&partners, Invoices::Only)?);
        if first {
            found.extend(std::mem::take(&mut self.far));
        }
        let mut traders = prospects.clone();
        traders.extend(&partners);
        let declared: Vec<EnterpriseId> =
            traders.iter().copied().filter(|id| suppliers.contains(id)).collect();
        let relations = store.supplier_relations_of(&declared)?;
        let mut named: Vec<EnterpriseId> = traders;
        named.extend(subjects);
        for (key, record) in found {
            if self.record_keys.insert(key) {
                named.extend(record.enterprise_ids());
                self.records.push(record);
            }
        }
        for (key, relation) in relations {
            if self.relation_keys.insert(key.clone()) {
                named.extend(relation_ends(&relation));
                self.relations.push((key, relation));
            }
        }
        // The customers whose relationship leads may reach a subject: its group and the firms
        // its officers serve (both ways alike).
        for &id in subjects {
            let group = graph.group_members(id, mine::rules::GROUP_HOPS);
            named.extend(group.into_iter().chain(graph.served_elsewhere(id)).map(|(other, _)| other));
        }
        named.sort_unstable();
        named.dedup();
        named.retain(|id| self.enterprises.binary_search_by_key(id, |e| e.id).is_err());
        self.enterprises.extend(store.enterprises_by_id(&named)?);
        self.enterprises.sort_unstable_by_key(|e| e.id);
        self.records.sort_unstable_by(|a, b| (a.kind().as_str(), a.id()).cmp(&(b.kind().as_str(), b.id())));
        self.relations.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        self.relation_list = self.relations.iter().map(|(_, r)| r.clone()).collect();
        Ok(())
    }

    fn input<'a>(
        &'a self,
        feedback: &'a [Feedback],
        feedback_kinds: &'a HashMap<String, OpportunityKind>,
        graph: &'a EnterpriseGraph,
        as_of: Date,
    ) -> MineInput<'a> {
        MineInput {
            enterprises: &self.enterprises,
            records: &self.records,
            relations: &self.relation_list,
            feedback,
            feedback_kinds,
            graph,
            as_of,
            agencies: &self.agencies,
            first_seen: &self.first_seen,
        }
    }
}

fn relation_ends(relation: &Relation) -> Vec<EnterpriseId> {
    match relation.from {
        Party::Enterprise(from) => vec![from, relation.to],
        Party::Person(_) => vec![relation.to],
    }
}

/// The leads whose latest feedback is won or lost, by id, with that feedback.
fn decided(feedback: &[Feedback]) -> impl Iterator<Item = (&str, &Feedback)> {
    mine::latest_feedback(feedback)
        .into_iter()
        .filter(|(_, f)| matches!(f.status, OpportunityStatus::Won | OpportunityStatus::Lost))
}

/// Counts the stored leads a run kept (and placed) into its summary.
fn add_standings(summary: &mut super::MineSummary, standings: &[Standing]) {
    summary.opportunities += standings.len();
    summary.live += standings.iter().filter(|s| s.suppressed.is_none()).count();
    summary.with_alerts += standings.iter().filter(|s| s.alerted).count();
    for reason in standings.iter().filter_map(|s| s.suppressed.as_ref()) {
        *summary.suppressed.entry(reason.clone()).or_default() += 1;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_end_at_their_size_or_before_their_hubs_records() {
        let ids: Vec<EnterpriseId> = (1..=10).collect();
        let none = HashMap::new();
        let lens = |slices: Vec<&[EnterpriseId]>| slices.iter().map(|s| s.len()).collect::<Vec<_>>();
        assert_eq!(lens(slices(&ids, &none, 4, 100)), [4, 4, 2]);
        assert_eq!(lens(slices(&ids, &none, 20, 100)), [10]);
        assert!(slices(&[], &none, 4, 100).is_empty());
        // Hubs 5 to 8 with 60 records each: two fit no slice of 100 together, and one of 250
        // is a slice of its own.
        let hubs: HashMap<EnterpriseId, u64> = [(5, 60), (6, 60), (7, 60), (8, 250)].into();
        let cut = slices(&ids, &hubs, 6, 100);
        assert_eq!(cut, [&ids[..5], &ids[5..6], &ids[6..7], &ids[7..8], &ids[8..]]);
        assert_eq!(cut.concat(), ids);
    }
}
