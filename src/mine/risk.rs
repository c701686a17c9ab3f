//! 准入风险前置: risk events on the lead's enterprise, its officers, its owners up to
//! `max_owner_hops` upstream, or the firms whose debts it guarantees (two steps along
//! guarantees) become pre-alerts carrying the path that explains them. A lead is
//! never dropped for risk; ranking lowers it and risk staff review it.

use super::{stable_id, Assessed, MineInput, Screened};
use crate::model::{Alert, Enterprise, EnterpriseId, Party, Record, RiskEvent};
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct RiskConfig {
    /// Owners this many hops upstream of the enterprise pass their risks down.
    pub max_owner_hops: usize,
    /// Risk events older than this (days before `as_of`) are history.
    pub lookback_days: i64,
}

impl Default for RiskConfig {
    fn default() -> Self {
        RiskConfig { max_owner_hops: 2, lookback_days: 3 * 365 }
    }
}

pub fn attach(
    screened: Vec<Screened>,
    input: &MineInput<'_>,
    enterprises: &HashMap<EnterpriseId, &Enterprise>,
    config: &RiskConfig,
) -> Vec<Assessed> {
    let mut by_subject: HashMap<&Party, Vec<&RiskEvent>> = HashMap::new();
    for record in input.records {
        if let Record::RiskEvent(event) = record {
            let age = (input.as_of - event.published).num_days();
            if (0..=config.lookback_days).contains(&age) {
                by_subject.entry(&event.subject).or_default().push(event);
            }
        }
    }
    // Alerts depend only on the enterprise, so compute them once per enterprise.
    let mut cache: HashMap<i64, Vec<Reaching<'_>>> = HashMap::new();
    screened
        .into_iter()
        .map(|s| {
            let enterprise = s.candidate.enterprise;
            let found = cache
                .entry(enterprise)
                .or_insert_with(|| risks_of(enterprise, input, enterprises, &by_subject, config));
            let alerts = found
                .iter()
                .map(|(event, path, reach)| Alert {
                    weight: reach * age_factor(event, input.as_of),
                    // One alert per (event, affected enterprise): every lead on the enterprise
                    // carries the same alert, reviewed once.
                    id: stable_id("alert", &[&event.id, &enterprise.to_string()]),
                    kind: event.kind.as_str().to_string(),
                    severity: event.severity,
                    subject: event.subject_name.clone(),
                    path: path.clone(),
                    detail: describe(event, path),
                    record: event.id.clone(),
                })
                .collect();
            Assessed { screened: s, alerts }
        })
        .collect()
}

/// Risk halves with every year of the event's age.
fn age_factor(event: &RiskEvent, as_of: crate::model::Date) -> f64 {
    let years = (as_of - event.published).num_days().max(0) as f64 / 365.0;
    (0.5f64.powf(years) * 1000.0).round() / 1000.0
}

/// How much of an owner's risk reaches the enterprise: its effective stake, less 30% for each
/// hop beyond the first.
fn owner_reach(stake: f64, path: &[String]) -> f64 {
    let hops = path.len().saturating_sub(1).max(1) as i32;
    stake.clamp(0.0, 1.0) * 0.7f64.powi(hops - 1)
}

/// A risk event reaching an enterprise: the event, the path from its subject, its reach 0–1.
type Reaching<'r> = (&'r RiskEvent, Vec<String>, f64);

/// The risk events reaching `enterprise`.
fn risks_of<'r>(
    enterprise: EnterpriseId,
    input: &MineInput<'_>,
    enterprises: &HashMap<EnterpriseId, &Enterprise>,
    by_subject: &HashMap<&Party, Vec<&'r RiskEvent>>,
    config: &RiskConfig,
) -> Vec<Reaching<'r>> {
    let own_name = enterprises.get(&enterprise).map(|e| e.name.clone()).unwrap_or_default();
    let mut subjects: Vec<(Party, Vec<String>, f64)> =
        vec![(Party::Enterprise(enterprise), vec![own_name.clone()], 1.0)];
    for (owner, path, stake) in input.graph.owners(enterprise, config.max_owner_hops) {
        let reach = owner_reach(stake, &path);
        subjects.push((owner, path, reach));
    }
    // Debts it guarantees: half the risk for a direct guarantee, a quarter one step further.
    for (debtor, path) in input.graph.guaranteed(enterprise, 2) {
        let party = Party::Enterprise(debtor);
        if !subjects.iter().any(|(p, _, _)| *p == party) {
            let hops = path.len().saturating_sub(1) as i32;
            let mut from_debtor = path;
            from_debtor.reverse();
            subjects.push((party, from_debtor, 0.5f64.powi(hops)));
        }
    }
    for officer in input.graph.officers(enterprise) {
        if !subjects.iter().any(|(p, _, _)| *p == officer) {
            let name = match &officer {
                Party::Person(id) => id.clone(),
                Party::Enterprise(id) => id.to_string(),
            };
            subjects.push((officer, vec![name, own_name.clone()], 0.5));
        }
    }
    let mut out = Vec::new();
    for (party, path, reach) in subjects {
        for event in by_subject.get(&party).into_iter().flatten() {
            let mut path = path.clone();
            // Persons are named by id in the graph view; the event knows their name.
            if let (Party::Person(_), Some(first)) = (&party, path.first_mut()) {
                first.clone_from(&event.subject_name);
            }
            out.push((*event, path, reach));
        }
    }
    out.sort_by(|a, b| b.0.severity.cmp(&a.0.severity).then(b.0.published.cmp(&a.0.published)));
    out
}

fn describe(event: &RiskEvent, path: &[String]) -> String {
    let what = event.title.clone().unwrap_or_else(|| event.kind.label_cn().to_string());
    let amount = event.amount.map(|a| format!("，{}", crate::model::yuan_cn(a))).unwrap_or_default();
    if path.len() <= 1 {
        format!("{what}（{}{amount}）", event.published)
    } else {
        format!("{what}（{}{amount}），经 {} 传导", event.published, path.join(" → "))
    }
}
