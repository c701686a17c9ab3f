//! 准入风险前置: risk events on the lead's enterprise, its officers, or its owners up to
//! `max_owner_hops` upstream become pre-alerts carrying the path that explains them. A lead is
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
    let mut cache: HashMap<i64, Vec<(&RiskEvent, Vec<String>)>> = HashMap::new();
    screened
        .into_iter()
        .map(|s| {
            let enterprise = s.candidate.enterprise;
            let found = cache
                .entry(enterprise)
                .or_insert_with(|| risks_of(enterprise, input, enterprises, &by_subject, config));
            let alerts = found
                .iter()
                .map(|(event, path)| Alert {
                    id: stable_id("alert", &[&event.id, &s.candidate.id]),
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

fn risks_of<'r>(
    enterprise: EnterpriseId,
    input: &MineInput<'_>,
    enterprises: &HashMap<EnterpriseId, &Enterprise>,
    by_subject: &HashMap<&Party, Vec<&'r RiskEvent>>,
    config: &RiskConfig,
) -> Vec<(&'r RiskEvent, Vec<String>)> {
    let own_name = enterprises.get(&enterprise).map(|e| e.name.clone()).unwrap_or_default();
    let mut subjects: Vec<(Party, Vec<String>)> =
        vec![(Party::Enterprise(enterprise), vec![own_name.clone()])];
    subjects.extend(input.graph.owners(enterprise, config.max_owner_hops));
    for officer in input.graph.officers(enterprise) {
        if !subjects.iter().any(|(p, _)| *p == officer) {
            let name = match &officer {
                Party::Person(id) => id.clone(),
                Party::Enterprise(id) => id.to_string(),
            };
            subjects.push((officer, vec![name, own_name.clone()]));
        }
    }
    let mut out = Vec::new();
    for (party, path) in subjects {
        for event in by_subject.get(&party).into_iter().flatten() {
            let mut path = path.clone();
            // Persons are named by id in the graph view; the event knows their name.
            if let (Party::Person(_), Some(first)) = (&party, path.first_mut()) {
                first.clone_from(&event.subject_name);
            }
            out.push((*event, path));
        }
    }
    out.sort_by(|a, b| b.0.severity.cmp(&a.0.severity).then(b.0.published.cmp(&a.0.published)));
    out
}

fn describe(event: &RiskEvent, path: &[String]) -> String {
    let what = event.title.clone().unwrap_or_else(|| event.kind.as_str().to_string());
    let amount = event.amount.map(|a| format!(", {a:.0} yuan")).unwrap_or_default();
    if path.len() <= 1 {
        format!("{} ({}{amount})", what, event.published)
    } else {
        format!("{} ({}{amount}) via {}", what, event.published, path.join(" -> "))
    }
}
