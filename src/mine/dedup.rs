//! 无效商机识别: decides which candidates are live leads.
//!
//! In order: what the rule already suppressed (agency winners, correction notices); awards
//! whose project was later terminated; feedback that called a lead invalid; amounts under the
//! floor; deals between related parties; and the same event seen more than once (several
//! sources, or the same notice twice), where the earliest, best-documented report stays live
//! and collects the others' evidence.

use super::rules::project_key;
use super::{Candidate, MineInput, Screened};
use crate::model::{
    Enterprise, EnterpriseId, OpportunityKind, OpportunityStatus, Record, Suppression, SuppressionReason,
    TenderKind,
};
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct DedupConfig {
    /// Leads below this amount (yuan) are suppressed as `small_amount`; unknown amounts pass.
    pub min_amount: f64,
    /// Related-party screening walks at most this many affiliation hops.
    pub related_max_hops: usize,
}

impl Default for DedupConfig {
    fn default() -> Self {
        DedupConfig { min_amount: 100_000.0, related_max_hops: 3 }
    }
}

pub fn screen(
    candidates: Vec<Candidate>,
    input: &MineInput<'_>,
    enterprises: &HashMap<EnterpriseId, &Enterprise>,
    config: &DedupConfig,
) -> Vec<Screened> {
    let terminated = terminated_projects(input.records);
    let tenders: HashMap<&str, &crate::model::Tender> = input
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Tender(t) => Some((t.id.as_str(), t)),
            _ => None,
        })
        .collect();
    let invalid = invalid_by_feedback(input);
    // An event marked invalid stays invalid under every report of it: sibling reports share
    // an event key with the lead the manager marked, now or when they arrive later.
    let invalid_events: HashMap<String, (String, String)> = candidates
        .iter()
        .filter_map(|c| invalid.get(c.id.as_str()).map(|reason| (c, reason)))
        .flat_map(|(c, reason)| c.event_keys.iter().map(|k| (k.clone(), (c.id.clone(), reason.clone()))))
        .collect();
    let mut screened: Vec<Screened> = candidates
        .into_iter()
        .map(|candidate| {
            let suppressed = candidate
                .suppressed
                .clone()
                .or_else(|| termination(&candidate, &tenders, &terminated))
                .or_else(|| {
                    invalid.get(candidate.id.as_str()).map(|reason| Suppression {
                        reason: SuppressionReason::InvalidFeedback,
                        duplicate_of: None,
                        detail: Some(format!("marked invalid: {reason}")),
                    })
                })
                .or_else(|| {
                    let (marked, reason) = candidate.event_keys.iter().find_map(|k| invalid_events.get(k))?;
                    Some(Suppression {
                        reason: SuppressionReason::InvalidFeedback,
                        duplicate_of: Some(marked.clone()),
                        detail: Some(format!("the same event as {marked}, marked invalid: {reason}")),
                    })
                })
                .or_else(|| small_amount(&candidate, config))
                .or_else(|| related_party(&candidate, input, enterprises, config));
            Screened { candidate, suppressed }
        })
        .collect();
    mark_duplicates(&mut screened);
    screened
}

/// Project keys of termination notices, with the date they were published.
fn terminated_projects(records: &[Record]) -> HashMap<String, crate::model::Date> {
    let mut out = HashMap::new();
    for record in records {
        if let Record::Tender(t) = record {
            if t.kind == TenderKind::Termination {
                let entry = out.entry(project_key(t)).or_insert(t.published);
                *entry = (*entry).min(t.published);
            }
        }
    }
    out
}

fn termination(
    candidate: &Candidate,
    tenders: &HashMap<&str, &crate::model::Tender>,
    terminated: &HashMap<String, crate::model::Date>,
) -> Option<Suppression> {
    if candidate.kind != OpportunityKind::TenderAward {
        return None;
    }
    let tender = tenders.get(candidate.evidence.first()?.record.as_str())?;
    let when = terminated.get(&project_key(tender))?;
    (*when >= tender.published).then(|| Suppression {
        reason: SuppressionReason::NoBusiness,
        duplicate_of: None,
        detail: Some(format!("the project was terminated by a notice of {when}")),
    })
}

/// The latest feedback per lead, when it says invalid.
fn invalid_by_feedback<'a>(input: &'a MineInput<'_>) -> HashMap<&'a str, String> {
    super::latest_feedback(input.feedback)
        .into_iter()
        .filter(|(_, f)| f.status == OpportunityStatus::Invalid)
        .map(|(id, f)| (id, f.reason.clone().unwrap_or_else(|| "no reason given".into())))
        .collect()
}

fn small_amount(candidate: &Candidate, config: &DedupConfig) -> Option<Suppression> {
    let amount = candidate.amount?;
    (amount < config.min_amount).then(|| Suppression {
        reason: SuppressionReason::SmallAmount,
        duplicate_of: None,
        detail: Some(format!("{amount:.2} yuan is under the {:.0} yuan floor", config.min_amount)),
    })
}

/// An award from a buyer the winner is affiliated with, or supply to an affiliated customer,
/// is a related-party deal (关联交易), not new business.
fn related_party(
    candidate: &Candidate,
    input: &MineInput<'_>,
    enterprises: &HashMap<EnterpriseId, &Enterprise>,
    config: &DedupConfig,
) -> Option<Suppression> {
    let counterpart = candidate.counterpart?;
    if !matches!(candidate.kind, OpportunityKind::TenderAward | OpportunityKind::SupplyChain) {
        return None;
    }
    let path = input.graph.affiliation(candidate.enterprise, counterpart, config.related_max_hops)?;
    let name = enterprises.get(&counterpart).map(|e| e.name.as_str()).unwrap_or("?");
    Some(Suppression {
        reason: SuppressionReason::RelatedParty,
        duplicate_of: None,
        detail: Some(format!("related to {name} via {}", path.join(" - "))),
    })
}

/// Union-find over candidates of the same kind and enterprise that share an event key.
fn mark_duplicates(screened: &mut [Screened]) {
    let mut parent: Vec<usize> = (0..screened.len()).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut first_with_key: HashMap<(&str, EnterpriseId, &str), usize> = HashMap::new();
    for (i, s) in screened.iter().enumerate() {
        for key in &s.candidate.event_keys {
            let slot = (s.candidate.kind.as_str(), s.candidate.enterprise, key.as_str());
            match first_with_key.get(&slot) {
                Some(&j) => {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                    parent[a.max(b)] = a.min(b);
                }
                None => {
                    first_with_key.insert(slot, i);
                }
            }
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..screened.len() {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(i);
    }
    for members in groups.into_values().filter(|m| m.len() > 1) {
        // Live members compete; a suppressed report never hides a live one.
        let canonical = *members
            .iter()
            .min_by(|&&a, &&b| {
                let (x, y) = (&screened[a], &screened[b]);
                x.suppressed
                    .is_some()
                    .cmp(&y.suppressed.is_some())
                    .then(x.candidate.event_date.cmp(&y.candidate.event_date))
                    .then(
                        y.candidate
                            .evidence
                            .iter()
                            .filter(|e| e.url.is_some())
                            .count()
                            .cmp(&x.candidate.evidence.iter().filter(|e| e.url.is_some()).count()),
                    )
                    .then(x.candidate.id.cmp(&y.candidate.id))
            })
            .unwrap_or(&members[0]);
        let canonical_id = screened[canonical].candidate.id.clone();
        let mut gathered = Vec::new();
        for &m in members.iter().filter(|&&m| m != canonical) {
            gathered.extend(screened[m].candidate.evidence.iter().cloned());
            if screened[m].suppressed.is_none() {
                screened[m].suppressed = Some(Suppression {
                    reason: SuppressionReason::Duplicate,
                    duplicate_of: Some(canonical_id.clone()),
                    detail: None,
                });
            }
        }
        let evidence = &mut screened[canonical].candidate.evidence;
        for e in gathered {
            if !evidence.iter().any(|have| have.record == e.record && have.kind == e.kind) {
                evidence.push(e);
            }
        }
    }
}
