//! Events -> ranked opportunities: rules, dedup (无效商机识别), risk front-loading (准入风险前置),
//! ranking with explanations, product matching.
//!
//! Pure functions, no IO. The order of stages is fixed by types: `rules::generate` makes
//! [`Candidate`]s, `dedup::screen` makes [`Screened`], `risk::attach` makes [`Assessed`],
//! `rank::score` makes the final [`Opportunity`]s; [`run`] runs them in that order. The graph is seen only through
//! [`GraphView`], so this module does not depend on petgraph.

pub mod dedup;
pub mod learn;
pub(crate) mod products;
pub(crate) mod rank;
pub(crate) mod risk;
pub(crate) mod rules;

use crate::model::{
    Alert, Date, Enterprise, EnterpriseId, Evidence, Feedback, Opportunity, OpportunityKind, Party, Record,
    Relation, Suppression,
};
pub use products::ProductMatrix;
use std::collections::{HashMap, HashSet};

/// What mining needs to know about the relationship graph.
pub trait GraphView {
    /// Upstream owners (shareholders, controllers) within `max_hops`, each with the chain of
    /// names from the owner down to `enterprise` and its effective stake (the product of the
    /// shares along the chain; a control agreement counts as 1).
    fn owners(&self, enterprise: EnterpriseId, max_hops: usize) -> Vec<Ownership>;
    /// Persons and enterprises sitting on the enterprise as officers or legal representative.
    fn officers(&self, enterprise: EnterpriseId) -> Vec<Party>;
    /// The shortest affiliation chain between two enterprises, by name.
    fn affiliation(&self, a: EnterpriseId, b: EnterpriseId, max_hops: usize) -> Option<Vec<String>>;
    /// The other members of the enterprise's corporate group — enterprises linked to it by
    /// majority shareholding (at least 50%) or control, in either direction, within `max_hops`
    /// (through a controlling person too) — each with the chain of names from the enterprise.
    fn group_members(&self, enterprise: EnterpriseId, max_hops: usize) -> Vec<(EnterpriseId, Vec<String>)>;
    /// Enterprises whose debts the enterprise guarantees, directly or through one guaranteed
    /// firm that guarantees in turn (`max_hops` ≤ 2), each with the chain of names from the
    /// enterprise: their trouble is its exposure.
    fn guaranteed(&self, enterprise: EnterpriseId, max_hops: usize) -> Vec<(EnterpriseId, Vec<String>)>;
    /// Other enterprises where the enterprise's officers or legal representative serve (as
    /// officer or legal representative), each with [enterprise, person, other enterprise].
    fn served_elsewhere(&self, enterprise: EnterpriseId) -> Vec<(EnterpriseId, Vec<String>)>;
}

/// An owner of an enterprise, directly or through others.
#[derive(Debug, Clone, PartialEq)]
pub struct Ownership {
    pub owner: Party,
    /// Names from the owner down to the enterprise.
    pub names: Vec<String>,
    /// The shareholding or control between each two neighbouring names.
    pub links: Vec<crate::model::PathLink>,
    /// The product of the shares along the chain (a control agreement counts as 1).
    pub stake: f64,
}

/// Everything a mining run reads.
pub struct MineInput<'a> {
    pub enterprises: &'a [Enterprise],
    pub records: &'a [Record],
    pub relations: &'a [Relation],
    pub feedback: &'a [Feedback],
    /// The kind of every lead that has feedback (feedback names leads only by id).
    pub feedback_kinds: &'a HashMap<String, OpportunityKind>,
    pub graph: &'a dyn GraphView,
    pub as_of: Date,
    /// Enterprises known to act as a tender agency (招标代理) on notices not among `records`
    /// (an incremental run reads an agency's own records, not every notice it handled).
    pub agencies: &'a HashSet<EnterpriseId>,
    /// The day each stored lead was first seen (see [`MineInput::seen`]).
    pub first_seen: &'a HashMap<String, Date>,
}

impl MineInput<'_> {
    /// The day the lead `id` was first seen: when an earlier run stored it, else `as_of`.
    /// Due dates count from it, so that they stay put on later days.
    pub fn seen(&self, id: &str) -> Date {
        self.first_seen.get(id).map_or(self.as_of, |&day| day.min(self.as_of))
    }
}

#[derive(Debug, Clone)]
pub struct MineConfig {
    pub rules: rules::RuleConfig,
    pub dedup: dedup::DedupConfig,
    pub risk: risk::RiskConfig,
    pub rank: rank::RankConfig,
    pub learn: learn::LearnConfig,
    pub products: ProductMatrix,
}

impl Default for MineConfig {
    fn default() -> Self {
        MineConfig {
            rules: rules::RuleConfig::default(),
            dedup: dedup::DedupConfig::default(),
            risk: risk::RiskConfig::default(),
            rank: rank::RankConfig::default(),
            learn: learn::LearnConfig::default(),
            products: ProductMatrix::builtin(),
        }
    }
}

/// A lead as a rule proposed it.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Stable id derived from what the lead is about.
    pub id: String,
    pub kind: OpportunityKind,
    pub enterprise: EnterpriseId,
    pub amount: Option<f64>,
    /// When the event happened (published, registered).
    pub event_date: Date,
    pub due: Option<Date>,
    pub evidence: Vec<Evidence>,
    /// Keys under which two candidates are the same event (dedup joins on any shared key).
    pub event_keys: Vec<String>,
    /// Another enterprise the lead is about: the buyer of an award, the core customer of a
    /// supply-chain lead. Used for related-party screening.
    pub counterpart: Option<EnterpriseId>,
    /// What the rule knew about the event beyond the common fields, for ranking and the
    /// explanation.
    pub facts: Facts,
    /// Set by the rule itself when the event is known not to be business (agency as winner,
    /// correction notice).
    pub suppressed: Option<Suppression>,
    /// The first day after `as_of` on which the rule would see this lead otherwise: what it
    /// is made from leaves a window (an award a year old, a pledge within a month of expiry,
    /// invoices out of the supply window). See [`Opportunity::turns_on`].
    pub turns: Option<Date>,
}

/// The rule-specific part of a candidate, one variant per rule family.
#[derive(Debug, Clone, PartialEq)]
pub enum Facts {
    Award {
        joint_winners: usize,
        buyer: Option<String>,
    },
    Pledge {
        expires: Date,
        pledgee: String,
    },
    Filing {
        filing_kind: String,
    },
    /// A supplier or buyer of an existing customer: directly (tier 1), or of a tier-1 firm
    /// (tier 2, `via` that firm).
    Supply {
        role: SupplyRole,
        core_customer: String,
        invoices: u32,
        tier: u8,
        via: Option<String>,
    },
    /// A relationship lead: the existing customer it comes from and the chain of names that
    /// links them.
    Relationship {
        customer: String,
        path: Vec<String>,
    },
}

/// Which side of an existing customer's trade a supply-chain lead sits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SupplyRole {
    /// Sells to the customer.
    Supplier,
    /// Buys from the customer.
    Buyer,
}

impl SupplyRole {
    pub fn as_str(self) -> &'static str {
        match self {
            SupplyRole::Supplier => "supplier",
            SupplyRole::Buyer => "buyer",
        }
    }

    pub fn label_cn(self) -> &'static str {
        match self {
            SupplyRole::Supplier => "供应商",
            SupplyRole::Buyer => "采购方",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Screened {
    pub candidate: Candidate,
    pub suppressed: Option<Suppression>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Assessed {
    pub screened: Screened,
    pub alerts: Vec<Alert>,
    /// The first day after `as_of` on which an alert's weight or presence changes (a risk a
    /// year older, or out of the lookback).
    pub turns: Option<Date>,
}

/// Rules, dedup, risk and scoring, for the leads on `subjects` only when given (the input
/// must then hold everything those leads are made from; see `workspace::remine`): each lead
/// scored on its own, not yet ranked against the others. Returns each lead's event keys too.
pub fn score_leads(
    input: &MineInput<'_>,
    config: &MineConfig,
    subjects: Option<&HashSet<EnterpriseId>>,
) -> (Vec<Opportunity>, HashMap<String, Vec<String>>) {
    score_candidates(candidates(input, config), input, config, subjects)
}

/// What the rules make of `input`: the candidates [`score_candidates`] takes.
pub fn candidates(input: &MineInput<'_>, config: &MineConfig) -> Vec<Candidate> {
    let enterprises: HashMap<EnterpriseId, &Enterprise> =
        input.enterprises.iter().map(|e| (e.id, e)).collect();
    rules::generate(input, &enterprises, &config.rules)
}

/// [`score_leads`] from the candidates the rules made of the same `input`.
pub fn score_candidates(
    mut candidates: Vec<Candidate>,
    input: &MineInput<'_>,
    config: &MineConfig,
    subjects: Option<&HashSet<EnterpriseId>>,
) -> (Vec<Opportunity>, HashMap<String, Vec<String>>) {
    let enterprises: HashMap<EnterpriseId, &Enterprise> =
        input.enterprises.iter().map(|e| (e.id, e)).collect();
    if let Some(subjects) = subjects {
        candidates.retain(|c| subjects.contains(&c.enterprise));
    }
    let screened = dedup::screen(candidates, input, &enterprises, &config.dedup);
    let assessed = risk::attach(screened, input, &enterprises, &config.risk);
    let keys = assessed
        .iter()
        .map(|a| (a.screened.candidate.id.clone(), a.screened.candidate.event_keys.clone()))
        .collect();
    (rank::score(assessed, input, &enterprises, &config.rank, &config.products), keys)
}

/// The event keys of the leads the rules give `subjects` that can name another enterprise:
/// what dedup may join their leads with leads elsewhere (an incremental run re-mines the
/// stored leads sharing one). Only single records' leads have such keys (see
/// [`rules::record_candidates`]), so the rest of the rules is not run.
pub fn event_keys(
    input: &MineInput<'_>,
    config: &MineConfig,
    subjects: &HashSet<EnterpriseId>,
) -> Vec<String> {
    rules::record_candidates(input, &config.rules)
        .into_iter()
        .filter(|c| subjects.contains(&c.enterprise))
        .flat_map(|c| c.event_keys)
        .collect()
}

/// The latest feedback on each lead (feedback is stored oldest first).
pub fn latest_feedback(feedback: &[Feedback]) -> HashMap<&str, &Feedback> {
    feedback.iter().map(|f| (f.opportunity_id.as_str(), f)).collect()
}

/// The earlier of two days on which a lead turns (`None`: never).
pub(crate) fn first_turn(a: Option<Date>, b: Option<Date>) -> Option<Date> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// How far ahead [`turn_of`] looks: beyond every window mining has.
const TURN_HORIZON_DAYS: i64 = 4096;

/// The first day after `from` on which `f` differs from `f(from)`, for `f` monotone in the
/// day (a step function of an age: it changes once and never comes back), by bisection;
/// `None` when it does not change within [`TURN_HORIZON_DAYS`].
pub(crate) fn turn_of<T: PartialEq>(from: Date, f: impl Fn(Date) -> T) -> Option<Date> {
    let now = f(from);
    let day = |n: i64| from + chrono::Duration::days(n);
    if f(day(TURN_HORIZON_DAYS)) == now {
        return None;
    }
    // f(day(lo)) == now, f(day(hi)) != now.
    let (mut lo, mut hi) = (0, TURN_HORIZON_DAYS);
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if f(day(mid)) == now {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(day(hi))
}

/// The day after `day`.
pub(crate) fn day_after(day: Date) -> Date {
    day + chrono::Duration::days(1)
}

/// `opp-` and 16 hex digits of a hash of the parts.
pub fn stable_id(prefix: &str, parts: &[&str]) -> String {
    let joined = parts.join("\u{1f}");
    format!("{prefix}-{:016x}", xxhash_rust::xxh3::xxh3_64(joined.as_bytes()))
}

pub fn evidence_of(record: &Record) -> Evidence {
    Evidence {
        record: record.id().to_string(),
        kind: record.kind().as_str().to_string(),
        title: record.title(),
        url: record.url().map(str::to_string),
        published: record.date(),
    }
}
