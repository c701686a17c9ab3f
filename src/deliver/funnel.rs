//! The conversion funnel: leads created → pushed → contacted → won / lost / invalid, grouped by
//! source, kind, manager or region, with rates and the median days between stages.
//!
//! Plain hash-map group-bys: the inputs are one row per live lead (thousands to a few hundred
//! thousand), which a `HashMap` handles in milliseconds without a dataframe's conversions.

use crate::model::{Date, EnterpriseId, Feedback, Opportunity, OpportunityStatus};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunnelBy {
    /// The site of the lead's first evidence (its URL's host), else the record kind.
    Source,
    Kind,
    Manager,
    Region,
}

impl FunnelBy {
    pub fn parse(s: &str) -> Option<FunnelBy> {
        match s.trim() {
            "source" => Some(FunnelBy::Source),
            "kind" => Some(FunnelBy::Kind),
            "manager" => Some(FunnelBy::Manager),
            "region" => Some(FunnelBy::Region),
            _ => None,
        }
    }
}

/// One group's funnel.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FunnelRow {
    pub key: String,
    pub created: u64,
    pub pushed: u64,
    /// Reached contact (contacted, or won / lost after it).
    pub contacted: u64,
    pub won: u64,
    pub lost: u64,
    pub invalid: u64,
    /// pushed / created
    pub push_rate: Option<f64>,
    /// contacted / pushed
    pub contact_rate: Option<f64>,
    /// won / (won + lost)
    pub win_rate: Option<f64>,
    pub median_days_to_push: Option<f64>,
    pub median_days_to_contact: Option<f64>,
    pub median_days_to_close: Option<f64>,
}

/// What the funnel reads about each lead besides the lead itself.
pub struct FunnelInput<'a> {
    pub leads: &'a [Opportunity],
    /// Lead id -> (queued, sent) in Unix seconds.
    pub deliveries: &'a HashMap<String, (i64, Option<i64>)>,
    /// Oldest first.
    pub feedback: &'a [Feedback],
    pub regions: &'a HashMap<EnterpriseId, String>,
}

fn seconds_of(at: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(at).ok().map(|t| t.timestamp())
}

fn day_of(seconds: i64) -> Option<Date> {
    chrono::DateTime::from_timestamp(seconds, 0).map(|t| t.date_naive())
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    let value = if values.len() % 2 == 0 { (values[mid - 1] + values[mid]) / 2.0 } else { values[mid] };
    Some((value * 10.0).round() / 10.0)
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| ((a as f64 / b as f64) * 1000.0).round() / 1000.0)
}

/// Live leads created in `[from, to]` (by the day they were queued, else their event's day),
/// grouped by `by`, best-populated group first.
pub fn funnel(input: &FunnelInput<'_>, by: FunnelBy, from: Option<Date>, to: Option<Date>) -> Vec<FunnelRow> {
    // Per lead: first contact time, close time, latest status.
    let mut contact: HashMap<&str, i64> = HashMap::new();
    let mut close: HashMap<&str, i64> = HashMap::new();
    let mut latest: HashMap<&str, OpportunityStatus> = HashMap::new();
    for f in input.feedback {
        let id = f.opportunity_id.as_str();
        latest.insert(id, f.status);
        let Some(at) = seconds_of(&f.at) else { continue };
        if matches!(f.status, OpportunityStatus::Contacted | OpportunityStatus::Won | OpportunityStatus::Lost)
        {
            contact.entry(id).or_insert(at);
        }
        if matches!(f.status, OpportunityStatus::Won | OpportunityStatus::Lost) {
            close.insert(id, at);
        }
    }
    #[derive(Default)]
    struct Group {
        row: FunnelRow,
        to_push: Vec<f64>,
        to_contact: Vec<f64>,
        to_close: Vec<f64>,
    }
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    let days = |a: i64, b: i64| (b - a).max(0) as f64 / 86400.0;
    for lead in input.leads.iter().filter(|l| l.suppressed.is_none()) {
        let (queued, sent) =
            input.deliveries.get(&lead.id).copied().map_or((None, None), |(q, s)| (Some(q), s));
        let created = queued.and_then(day_of).or_else(|| lead.evidence.first().map(|e| e.published));
        if let Some(day) = created {
            if from.is_some_and(|f| day < f) || to.is_some_and(|t| day > t) {
                continue;
            }
        }
        let key = match by {
            FunnelBy::Kind => lead.kind.as_str().to_string(),
            FunnelBy::Manager => lead.manager.clone().unwrap_or_else(|| "(unassigned)".into()),
            FunnelBy::Region => {
                input.regions.get(&lead.enterprise.id).cloned().unwrap_or_else(|| "(unknown)".into())
            }
            FunnelBy::Source => lead
                .evidence
                .first()
                .map(|e| {
                    e.url
                        .as_deref()
                        .and_then(|u| reqwest::Url::parse(u).ok())
                        .and_then(|u| u.host_str().map(str::to_string))
                        .unwrap_or_else(|| e.kind.clone())
                })
                .unwrap_or_else(|| "(none)".into()),
        };
        let group = groups.entry(key.clone()).or_default();
        group.row.key = key;
        group.row.created += 1;
        let id = lead.id.as_str();
        let status = latest.get(id).copied().unwrap_or(lead.status);
        if let Some(sent) = sent {
            group.row.pushed += 1;
            if let Some(queued) = queued {
                group.to_push.push(days(queued, sent));
            }
        }
        if let Some(&contacted) = contact.get(id) {
            group.row.contacted += 1;
            if let Some(sent) = sent {
                group.to_contact.push(days(sent, contacted));
            }
            if let Some(&closed) = close.get(id) {
                group.to_close.push(days(contacted, closed));
            }
        }
        match status {
            OpportunityStatus::Won => group.row.won += 1,
            OpportunityStatus::Lost => group.row.lost += 1,
            OpportunityStatus::Invalid => group.row.invalid += 1,
            _ => {}
        }
    }
    let mut rows: Vec<FunnelRow> = groups
        .into_values()
        .map(|g| {
            let mut row = g.row;
            row.push_rate = ratio(row.pushed, row.created);
            row.contact_rate = ratio(row.contacted, row.pushed);
            row.win_rate = ratio(row.won, row.won + row.lost);
            row.median_days_to_push = median(g.to_push);
            row.median_days_to_contact = median(g.to_contact);
            row.median_days_to_close = median(g.to_close);
            row
        })
        .collect();
    rows.sort_by(|a, b| b.created.cmp(&a.created).then(a.key.cmp(&b.key)));
    rows
}

/// The funnel over what the store holds, for one manager's leads or all.
pub fn from_store(
    store: &crate::store::Store,
    manager: Option<&str>,
    by: FunnelBy,
    from: Option<Date>,
    to: Option<Date>,
) -> Result<Vec<FunnelRow>, crate::store::StoreError> {
    let filter =
        crate::store::OpportunityFilter { manager: manager.map(str::to_string), ..Default::default() };
    let leads = store.opportunities(&filter)?;
    let deliveries = store.lead_deliveries()?;
    let feedback = store.feedback()?;
    let regions: HashMap<EnterpriseId, String> = if by == FunnelBy::Region {
        store.enterprises()?.into_iter().filter_map(|e| Some((e.id, e.region?))).collect()
    } else {
        HashMap::new()
    };
    let input =
        FunnelInput { leads: &leads, deliveries: &deliveries, feedback: &feedback, regions: &regions };
    Ok(funnel(&input, by, from, to))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Evidence, OpportunityKind};

    fn lead(id: &str, kind: OpportunityKind, manager: &str) -> Opportunity {
        Opportunity {
            evidence: vec![Evidence {
                record: "t1".into(),
                kind: "tender".into(),
                title: String::new(),
                url: Some("https://ggzy.example.cn/a.html".into()),
                published: "2026-07-01".parse().unwrap(),
            }],
            manager: Some(manager.into()),
            ..Opportunity::bare(id, 1, kind)
        }
    }

    fn feedback(id: &str, status: OpportunityStatus, at: &str) -> Feedback {
        Feedback {
            opportunity_id: id.into(),
            actor: "m1".into(),
            status,
            reason: None,
            note: None,
            at: at.into(),
        }
    }

    #[test]
    fn stages_rates_and_median_days() {
        let leads = vec![
            lead("a", OpportunityKind::TenderAward, "m1"),
            lead("b", OpportunityKind::TenderAward, "m1"),
            lead("c", OpportunityKind::PledgeRefinancing, "m2"),
        ];
        let t0 = chrono::DateTime::parse_from_rfc3339("2026-07-01T09:00:00+08:00").unwrap().timestamp();
        let deliveries = HashMap::from([
            ("a".to_string(), (t0, Some(t0 + 86400))),
            ("b".to_string(), (t0, Some(t0 + 3 * 86400))),
            ("c".to_string(), (t0, None)),
        ]);
        let feedback = vec![
            feedback("a", OpportunityStatus::Contacted, "2026-07-04T09:00:00+08:00"),
            feedback("a", OpportunityStatus::Won, "2026-07-14T09:00:00+08:00"),
            feedback("b", OpportunityStatus::Invalid, "2026-07-05T09:00:00+08:00"),
        ];
        let regions = HashMap::new();
        let input =
            FunnelInput { leads: &leads, deliveries: &deliveries, feedback: &feedback, regions: &regions };
        let rows = funnel(&input, FunnelBy::Kind, None, None);
        let award = &rows[0];
        assert_eq!(award.key, "tender_award");
        assert_eq!((award.created, award.pushed, award.contacted, award.won, award.invalid), (2, 2, 1, 1, 1));
        assert_eq!(award.push_rate, Some(1.0));
        assert_eq!(award.contact_rate, Some(0.5));
        assert_eq!(award.win_rate, Some(1.0));
        assert_eq!(award.median_days_to_push, Some(2.0));
        assert_eq!(award.median_days_to_contact, Some(2.0));
        assert_eq!(award.median_days_to_close, Some(10.0));
        let by_source = funnel(&input, FunnelBy::Source, None, None);
        assert_eq!(by_source[0].key, "ggzy.example.cn");
        assert_eq!(by_source[0].created, 3);
        let later = funnel(&input, FunnelBy::Manager, Some("2026-07-02".parse().unwrap()), None);
        assert!(later.is_empty());
    }
}
