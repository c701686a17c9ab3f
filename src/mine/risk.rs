//! 准入风险前置: risk events on the lead's enterprise, its officers, its owners up to
//! `max_owner_hops` upstream, or the firms whose debts it guarantees (two steps along
//! guarantees) become pre-alerts carrying the path that explains them. A lead is
//! never dropped for risk; ranking lowers it and risk staff review it.

use super::{stable_id, Assessed, MineInput, Screened};
use crate::model::{Alert, Enterprise, EnterpriseId, Party, PathLink, Record, RiskEvent};
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct RiskConfig {
    /// Owners this many hops upstream of the enterprise pass their risks down.
    pub max_owner_hops: usize,
    /// Risk events older than this (days before `as_of`) are history.
    pub lookback_days: i64,
}

impl RiskConfig {
    /// Whether `event` is a risk on `day`, not history.
    fn current(&self, event: &RiskEvent, day: crate::model::Date) -> bool {
        (0..=self.lookback_days).contains(&(day - event.published).num_days())
    }
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
            if config.current(event, input.as_of) {
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
            let turns = found
                .iter()
                .map(|r| turn_of_risk(r.event, input.as_of, config))
                .fold(None, super::first_turn);
            let alerts = found
                .iter()
                .map(|Reaching { event, path, links, reach }| Alert {
                    // To six places: a stake summed over paths in another order differs in
                    // its last bits, and the lead must not.
                    weight: (reach * age_factor(event, input.as_of) * 1e6).round() / 1e6,
                    // One alert per (event, affected enterprise): every lead on the enterprise
                    // carries the same alert, reviewed once.
                    id: stable_id("alert", &[&event.id, &enterprise.to_string()]),
                    kind: event.kind.as_str().to_string(),
                    severity: event.severity,
                    subject: event.subject_name.clone(),
                    path: path.clone(),
                    links: links.clone(),
                    detail: describe(event, path, links),
                    record: event.id.clone(),
                })
                .collect();
            Assessed { screened: s, alerts, turns }
        })
        .collect()
}

/// Risk halves with every full year of the event's age: it weighs the same all year, so a
/// lead's alerts move on the event's anniversaries, not every day.
fn age_factor(event: &RiskEvent, as_of: crate::model::Date) -> f64 {
    let years = (as_of - event.published).num_days().max(0) / 365;
    0.5f64.powi(years.min(64) as i32)
}

/// The first day after `as_of` on which the alert for `event` weighs otherwise (its next
/// anniversary) or is gone (out of the lookback).
fn turn_of_risk(
    event: &RiskEvent,
    as_of: crate::model::Date,
    config: &RiskConfig,
) -> Option<crate::model::Date> {
    super::turn_of(as_of, |day| (config.current(event, day), age_factor(event, day).to_bits()))
}

/// How much of an owner's risk reaches the enterprise: its effective stake, less 30% for each
/// hop beyond the first.
fn owner_reach(stake: f64, path: &[String]) -> f64 {
    let hops = path.len().saturating_sub(1).max(1) as i32;
    stake.clamp(0.0, 1.0) * 0.7f64.powi(hops - 1)
}

/// A risk event reaching an enterprise: the event, the path from its subject with the relation
/// of each step, and how much of it reaches (0–1).
struct Reaching<'r> {
    event: &'r RiskEvent,
    path: Vec<String>,
    links: Vec<PathLink>,
    reach: f64,
}

/// Whoever a risk may reach the enterprise from, and how.
struct Subject {
    party: Party,
    path: Vec<String>,
    links: Vec<PathLink>,
    reach: f64,
}

/// The risk events reaching `enterprise`.
fn risks_of<'r>(
    enterprise: EnterpriseId,
    input: &MineInput<'_>,
    enterprises: &HashMap<EnterpriseId, &Enterprise>,
    by_subject: &HashMap<&Party, Vec<&'r RiskEvent>>,
    config: &RiskConfig,
) -> Vec<Reaching<'r>> {
    let own_name = enterprises.get(&enterprise).map(|e| e.name.clone()).unwrap_or_default();
    let mut subjects = vec![Subject {
        party: Party::Enterprise(enterprise),
        path: vec![own_name.clone()],
        links: Vec::new(),
        reach: 1.0,
    }];
    for owner in input.graph.owners(enterprise, config.max_owner_hops) {
        let reach = owner_reach(owner.stake, &owner.names);
        subjects.push(Subject { party: owner.owner, path: owner.names, links: owner.links, reach });
    }
    // Debts it guarantees: half the risk for a direct guarantee, a quarter one step further.
    for (debtor, path) in input.graph.guaranteed(enterprise, 2) {
        let party = Party::Enterprise(debtor);
        if !subjects.iter().any(|s| s.party == party) {
            let hops = path.len().saturating_sub(1);
            let mut from_debtor = path;
            from_debtor.reverse();
            // Each name is guaranteed by the next one.
            let links = vec![PathLink::new("guarantee", "担保", false); hops];
            subjects.push(Subject { party, path: from_debtor, links, reach: 0.5f64.powi(hops as i32) });
        }
    }
    for officer in input.graph.officers(enterprise) {
        if !subjects.iter().any(|s| s.party == officer) {
            let name = match &officer {
                Party::Person(id) => id.clone(),
                Party::Enterprise(id) => id.to_string(),
            };
            subjects.push(Subject {
                party: officer,
                path: vec![name, own_name.clone()],
                links: vec![PathLink::new("officer", "任职", true)],
                reach: 0.5,
            });
        }
    }
    let mut out = Vec::new();
    for subject in subjects {
        for event in by_subject.get(&subject.party).into_iter().flatten() {
            let mut path = subject.path.clone();
            // Persons are named by id in the graph view; the event knows their name.
            if let (Party::Person(_), Some(first)) = (&subject.party, path.first_mut()) {
                first.clone_from(&event.subject_name);
            }
            out.push(Reaching { event, path, links: subject.links.clone(), reach: subject.reach });
        }
    }
    out.sort_by(|a, b| {
        b.event.severity.cmp(&a.event.severity).then(b.event.published.cmp(&a.event.published))
    });
    out
}

fn describe(event: &RiskEvent, path: &[String], links: &[PathLink]) -> String {
    let title = event.title.clone().unwrap_or_else(|| event.kind.label_cn().to_string());
    let what = match event.freeze_facts() {
        Some(facts) => format!("{title}：{facts}"),
        None => title,
    };
    let amount = event.amount.map(|a| format!("，{}", crate::model::yuan_cn(a))).unwrap_or_default();
    if path.len() <= 1 {
        return format!("{what}（{}{amount}）", event.published);
    }
    // 甲 —持股 60%→ 乙 ←担保— 丙
    let mut chain = path[0].clone();
    for (i, name) in path.iter().enumerate().skip(1) {
        match links.get(i - 1) {
            Some(link) if link.forward => chain.push_str(&format!(" —{}→ ", link.label)),
            Some(link) => chain.push_str(&format!(" ←{}— ", link.label)),
            None => chain.push_str(" → "),
        }
        chain.push_str(name);
    }
    format!("{what}（{}{amount}），经 {chain} 传导", event.published)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RiskKind;

    fn freeze(extra: &[(&str, &str)]) -> RiskEvent {
        RiskEvent {
            id: "r1".into(),
            subject: Party::Enterprise(1),
            subject_name: "甲集团有限公司".into(),
            kind: RiskKind::EquityFreeze,
            severity: 4,
            published: "2018-12-20".parse().unwrap(),
            amount: None,
            title: Some("关于控股股东股份被司法冻结的公告".into()),
            url: None,
            text: None,
            extra: extra.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        }
    }

    #[test]
    fn a_freeze_says_whose_shares_which_authority_froze_and_for_how_long() {
        let event = freeze(&[
            ("holder", "甲集团有限公司"),
            ("shares", "520000000"),
            ("authority", "辽宁省沈阳市中级人民法院"),
            ("freeze_start", "2018-12-18"),
            ("freeze_end", "2021-12-17"),
        ]);
        assert_eq!(
            describe(&event, &[], &[]),
            "关于控股股东股份被司法冻结的公告：甲集团有限公司所持520,000,000股被辽宁省沈阳市中级人民法院冻结，\
             2018-12-18 至 2021-12-17（2018-12-20）"
        );
        let event = freeze(&[("holder", "乙|丙有限公司"), ("term_months", "36")]);
        assert_eq!(
            describe(&event, &[], &[]),
            "关于控股股东股份被司法冻结的公告：乙、丙有限公司所持股份被冻结，期限 36 个月（2018-12-20）"
        );
        // Without the announcement's facts, and for other kinds, the title as before.
        assert_eq!(describe(&freeze(&[]), &[], &[]), "关于控股股东股份被司法冻结的公告（2018-12-20）");
        let mut lawsuit = freeze(&[("holder", "甲集团有限公司")]);
        lawsuit.kind = RiskKind::Litigation;
        assert_eq!(describe(&lawsuit, &[], &[]), "关于控股股东股份被司法冻结的公告（2018-12-20）");
    }
}
