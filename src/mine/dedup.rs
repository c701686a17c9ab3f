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
    /// Two firms this close in the graph (shareholding, control, officers) count as one
    /// family for "the same event reported on a related firm".
    pub family_max_hops: usize,
    /// 同位词库: normalised name -> family number (group, listed company, short names).
    pub families: HashMap<String, usize>,
    /// Reports joined only by buyer and amount must have titles at least this similar
    /// (Dice over the titles' jieba words, without notice words).
    pub min_title_similarity: f64,
}

impl Default for DedupConfig {
    fn default() -> Self {
        DedupConfig {
            min_amount: 100_000.0,
            related_max_hops: 3,
            family_max_hops: 2,
            families: HashMap::new(),
            min_title_similarity: 0.8,
        }
    }
}

impl DedupConfig {
    /// Reads the synonym lexicon: one family per line, names separated by `|`, `#` comments.
    pub fn with_families(mut self, text: &str) -> Self {
        self.families.extend(crate::resolve::families(text));
        self
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
    let related = |a: EnterpriseId, b: EnterpriseId| -> Option<String> {
        if a == b {
            return Some("the same enterprise".into());
        }
        let family = |id: EnterpriseId| {
            enterprises.get(&id).and_then(|e| config.families.get(&crate::resolve::normalize_name(&e.name)))
        };
        if let (Some(x), Some(y)) = (family(a), family(b)) {
            if x == y {
                return Some("one corporate family (同位词库)".into());
            }
        }
        input
            .graph
            .affiliation(a, b, config.family_max_hops)
            .map(|path| format!("related firms: {}", path.join(" - ")))
    };
    mark_duplicates(&mut screened, &related, config.min_title_similarity);
    screened
}

/// Similarity of two notice titles: the Dice coefficient of their jieba words, with notice
/// words (工程, 项目, 采购, 中标公告…) left out — `桥梁维修` and `隧道维修` share too little,
/// `G318线道路改造工程` and `G318道路改造项目` enough.
pub fn title_similarity(a: &str, b: &str) -> f64 {
    const GENERIC: &[&str] = &["工程", "项目", "采购", "施工", "服务"];
    let words = |t: &str| {
        let stem = super::rules::title_stem(t);
        let mut words: Vec<String> =
            crate::extract::tokenize::segment(&stem, crate::extract::tokenize::Mode::Query)
                .into_iter()
                .map(|w| w.text.to_string())
                .filter(|w| !GENERIC.contains(&w.as_str()))
                .collect();
        words.sort();
        words
    };
    let (x, y) = (words(a), words(b));
    if x.is_empty() || y.is_empty() {
        return if super::rules::title_stem(a) == super::rules::title_stem(b) { 1.0 } else { 0.0 };
    }
    // Multiset intersection of the sorted word lists.
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    2.0 * shared as f64 / (x.len() + y.len()) as f64
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

/// Union-find over candidates of the same kind that report one event. Event keys come in
/// three strengths: a plain key joins reports on the same enterprise (same project code or
/// title stem); a `~` key (same buyer and amount) joins them only when their titles are also
/// similar — equal amounts alone never merge two projects; a `*` key (same project and buyer,
/// any winner) joins reports on different enterprises when `related` says the firms are one
/// family (control links in the graph, or the synonym lexicon). Each joined report says why.
fn mark_duplicates(
    screened: &mut [Screened],
    related: &dyn Fn(EnterpriseId, EnterpriseId) -> Option<String>,
    min_title_similarity: f64,
) {
    let mut parent: Vec<usize> = (0..screened.len()).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut reasons: HashMap<usize, String> = HashMap::new();
    let mut join = |parent: &mut Vec<usize>, i: usize, j: usize, why: String| {
        let (a, b) = (find(parent, i), find(parent, j));
        if a != b {
            parent[a.max(b)] = a.min(b);
            reasons.entry(i).or_insert_with(|| why.clone());
            reasons.entry(j).or_insert(why);
        }
    };
    let title = |s: &Screened| s.candidate.evidence.first().map(|e| e.title.clone()).unwrap_or_default();
    let mut first_with_key: HashMap<(&str, EnterpriseId, &str), usize> = HashMap::new();
    let mut weak: HashMap<(&str, EnterpriseId, &str), Vec<usize>> = HashMap::new();
    let mut cross: HashMap<(&str, &str), Vec<usize>> = HashMap::new();
    for (i, s) in screened.iter().enumerate() {
        let kind = s.candidate.kind.as_str();
        for key in &s.candidate.event_keys {
            if let Some(key) = key.strip_prefix('~') {
                let others = weak.entry((kind, s.candidate.enterprise, key)).or_default();
                for &j in others.iter() {
                    let similarity = title_similarity(&title(s), &title(&screened[j]));
                    if similarity >= min_title_similarity {
                        join(
                            &mut parent,
                            i,
                            j,
                            format!("same buyer and amount, titles {similarity:.2} similar"),
                        );
                    }
                }
                others.push(i);
            } else if let Some(key) = key.strip_prefix('*') {
                let others = cross.entry((kind, key)).or_default();
                for &j in others.iter() {
                    let (a, b) = (s.candidate.enterprise, screened[j].candidate.enterprise);
                    if a == b {
                        continue; // the plain keys decide within one enterprise
                    }
                    if let Some(why) = related(a, b) {
                        join(&mut parent, i, j, format!("the same project reported on {why}"));
                    }
                }
                others.push(i);
            } else {
                let slot = (kind, s.candidate.enterprise, key.as_str());
                match first_with_key.get(&slot) {
                    Some(&j) => join(&mut parent, i, j, format!("same project ({key})")),
                    None => {
                        first_with_key.insert(slot, i);
                    }
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
                let why = reasons.get(&m).cloned().unwrap_or_else(|| "the same event".into());
                screened[m].suppressed = Some(Suppression {
                    reason: SuppressionReason::Duplicate,
                    duplicate_of: Some(canonical_id.clone()),
                    detail: Some(format!("joins {canonical_id}: {why}")),
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
