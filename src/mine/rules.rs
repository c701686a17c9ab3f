//! Rules: events -> candidate leads.
//!
//! - award -> the winner (each joint winner): performance bond, working capital;
//! - active pledge expiring 30-180 days after `as_of` -> the pledgor: refinancing;
//! - supplier or buyer of an existing customer -> supply-chain finance;
//! - filings (EIA approval, bond issue, merger, ...) -> the filer.

use super::{evidence_of, stable_id, Candidate, Facts, MineInput, SupplyRole};
use crate::model::{
    Date, Enterprise, EnterpriseId, Evidence, OpportunityKind, Party, PledgeStatus, Record, RelationKind,
    Suppression, SuppressionReason, Tender, TenderKind,
};
use crate::resolve::normalize_name;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone)]
pub struct RuleConfig {
    /// Normalised names of tender agencies (招标代理): never a real winner.
    pub agencies: HashSet<String>,
    /// A pledge expiring this many days after `as_of` (inclusive) is a refinancing lead.
    pub pledge_window_days: (i64, i64),
    /// Awards and filings older than this are no longer leads.
    pub event_max_age_days: i64,
    /// Invoices within this many days before `as_of` count toward supply links.
    pub supply_window_days: i64,
    /// A supply link below this volume (yuan, in the window) is not a lead.
    pub supply_min_volume: f64,
}

impl Default for RuleConfig {
    fn default() -> Self {
        RuleConfig {
            agencies: HashSet::new(),
            pledge_window_days: (30, 180),
            event_max_age_days: 365,
            supply_window_days: 365,
            supply_min_volume: 100_000.0,
        }
    }
}

impl RuleConfig {
    /// Whether an award or filing published on `published` is a lead on `day`.
    fn fresh(&self, published: Date, day: Date) -> bool {
        (0..=self.event_max_age_days).contains(&(day - published).num_days())
    }

    /// Whether an active pledge registered on `registered` and expiring on `expires` is a
    /// refinancing lead on `day`.
    fn pledge_due(&self, registered: Date, expires: Date, day: Date) -> bool {
        let (lo, hi) = self.pledge_window_days;
        registered <= day && (lo..=hi).contains(&(expires - day).num_days())
    }

    /// Whether an invoice issued on `issued` counts toward supply links on `day`.
    fn in_supply_window(&self, issued: Date, day: Date) -> bool {
        (0..=self.supply_window_days).contains(&(day - issued).num_days())
    }

    pub fn with_agencies<'a>(mut self, names: impl IntoIterator<Item = &'a str>) -> Self {
        self.agencies = names.into_iter().map(normalize_name).collect();
        self
    }
}

pub fn generate(
    input: &MineInput<'_>,
    enterprises: &HashMap<EnterpriseId, &Enterprise>,
    config: &RuleConfig,
) -> Vec<Candidate> {
    let mut out = record_candidates(input, config);
    supply_chain_candidates(input, enterprises, config, &mut out);
    relationship_candidates(input, enterprises, &mut out);
    out
}

/// The candidates of single records: awards, pledges and filings. Only these have event keys
/// that name another enterprise than the lead's (an award's project and buyer); a supply or
/// relationship lead's keys name its own enterprise alone.
pub fn record_candidates(input: &MineInput<'_>, config: &RuleConfig) -> Vec<Candidate> {
    let mut out = Vec::new();
    // An enterprise that acts as the agency (招标代理) of any notice is an agency everywhere.
    let acting_agencies: HashSet<EnterpriseId> = input
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Tender(t) => t.agency.as_ref().map(|a| a.id),
            _ => None,
        })
        .chain(input.agencies.iter().copied())
        .collect();
    let fresh = |date: Date| config.fresh(date, input.as_of);
    for record in input.records {
        match record {
            Record::Tender(tender) if fresh(tender.published) => {
                award_candidates(input, record, tender, config, &acting_agencies, &mut out);
            }
            Record::Pledge(pledge) if pledge.status == PledgeStatus::Active => {
                let Some(expires) = pledge.expires else { continue };
                let due = |day| config.pledge_due(pledge.registered, expires, day);
                if !due(input.as_of) {
                    continue;
                }
                let turns = super::turn_of(input.as_of, due);
                out.push(Candidate {
                    id: stable_id("opp", &["pledge", &pledge.id, &pledge.pledgor.id.to_string()]),
                    kind: OpportunityKind::PledgeRefinancing,
                    enterprise: pledge.pledgor.id,
                    amount: pledge.amount,
                    event_date: pledge.registered,
                    due: Some(expires - chrono::Duration::days(30)),
                    evidence: vec![evidence_of(record)],
                    event_keys: vec![format!(
                        "pledge|{}|{}|{}|{}",
                        pledge.pledgor.id,
                        pledge.pledgee.id,
                        expires,
                        pledge.amount.map(|a| a.round() as i64).unwrap_or(-1)
                    )],
                    counterpart: Some(pledge.pledgee.id),
                    facts: Facts::Pledge { expires, pledgee: pledge.pledgee.name.clone() },
                    suppressed: None,
                    turns,
                });
            }
            Record::Filing(filing) if fresh(filing.published) => {
                let Some(kind) = OpportunityKind::from_filing_kind(&filing.kind) else { continue };
                let id = stable_id("opp", &["filing", &filing.id]);
                let due = (filing.published + chrono::Duration::days(30)).max(soon(input.seen(&id)));
                out.push(Candidate {
                    id,
                    kind,
                    enterprise: filing.enterprise.id,
                    amount: filing.amount,
                    event_date: filing.published,
                    due: Some(due),
                    evidence: vec![evidence_of(record)],
                    event_keys: vec![format!(
                        "filing|{}|{}|{}",
                        filing.enterprise.id,
                        filing.kind,
                        filing.amount.map(|a| a.round() as i64).unwrap_or(-1)
                    )],
                    counterpart: filing.counterparty.as_ref().map(|c| c.id),
                    facts: Facts::Filing { filing_kind: filing.kind.clone() },
                    suppressed: None,
                    turns: stale_on(filing.published, input.as_of, config),
                });
            }
            _ => {}
        }
    }
    out
}

/// The first day after `as_of` on which an award or filing published on `published` is too
/// old to be a lead.
fn stale_on(published: Date, as_of: Date, config: &RuleConfig) -> Option<Date> {
    super::turn_of(as_of, |day| config.fresh(published, day))
}

/// The first day after `as_of` on which the oldest of `invoices` leaves the supply window
/// (`None` without invoices).
fn first_out_of_window<'r>(
    invoices: impl IntoIterator<Item = &'r Record>,
    as_of: Date,
    config: &RuleConfig,
) -> Option<Date> {
    let oldest = invoices.into_iter().map(Record::date).min()?;
    super::turn_of(as_of, |day| config.in_supply_window(oldest, day))
}

/// A lead is never due before the manager has had a few days to see it: a week after it was
/// first `seen` ([`MineInput::seen`]).
fn soon(seen: Date) -> Date {
    seen + chrono::Duration::days(7)
}

/// A lead with no date of its own to be due by (a relationship, a supply link) is due a month
/// after it was first `seen`.
fn a_month_on(seen: Date) -> Date {
    seen + chrono::Duration::days(30)
}

/// How far a customer's corporate group reaches for relationship leads.
pub const GROUP_HOPS: usize = 3;

/// 关联营销 / 裂变式获客: for every existing customer, the members of its corporate group that
/// are not customers (`group_cross_sell`), and the firms where its officers or legal
/// representative also serve (`executive_network`). One lead per firm and kind, from the first
/// customer (by id) that reaches it, with the chain of names that explains it.
fn relationship_candidates(
    input: &MineInput<'_>,
    enterprises: &HashMap<EnterpriseId, &Enterprise>,
    out: &mut Vec<Candidate>,
) {
    let mut customers: Vec<&Enterprise> = input.enterprises.iter().filter(|e| e.is_customer).collect();
    customers.sort_by_key(|e| e.id);
    let is_prospect = |id: EnterpriseId| enterprises.get(&id).is_some_and(|e| !e.is_customer);
    let mut seen: HashSet<(OpportunityKind, EnterpriseId)> = HashSet::new();
    for customer in customers {
        let group = input.graph.group_members(customer.id, GROUP_HOPS);
        let served = input.graph.served_elsewhere(customer.id);
        let leads = group
            .into_iter()
            .map(|(id, path)| (OpportunityKind::GroupCrossSell, id, path))
            .chain(served.into_iter().map(|(id, path)| (OpportunityKind::ExecutiveNetwork, id, path)));
        for (kind, id, path) in leads {
            if !is_prospect(id) || !seen.insert((kind, id)) {
                continue;
            }
            let title = match kind {
                OpportunityKind::GroupCrossSell => format!("同一集团：{}", path.join(" → ")),
                _ => format!("高管任职：{}", path.join(" → ")),
            };
            let lead = stable_id("opp", &[kind.as_str(), &id.to_string()]);
            // A relationship has no date of its own: it dates from when it was first seen.
            let seen = input.seen(&lead);
            out.push(Candidate {
                due: Some(a_month_on(seen)),
                id: lead,
                kind,
                enterprise: id,
                amount: None,
                event_date: seen,
                evidence: vec![Evidence {
                    record: format!("relation:{}->{}", customer.id, id),
                    kind: "relation".into(),
                    title,
                    url: None,
                    published: seen,
                }],
                event_keys: vec![format!("{}|{id}", kind.as_str())],
                counterpart: Some(customer.id),
                facts: Facts::Relationship { customer: customer.name.clone(), path },
                suppressed: None,
                // Only the graph moves it, and a change in the store moves the graph.
                turns: None,
            });
        }
    }
}

fn award_candidates(
    input: &MineInput<'_>,
    record: &Record,
    tender: &Tender,
    config: &RuleConfig,
    acting_agencies: &HashSet<EnterpriseId>,
    out: &mut Vec<Candidate>,
) {
    let no_business = match tender.kind {
        TenderKind::Award => None,
        TenderKind::Correction => Some("correction notice (更正公告), not a new award"),
        TenderKind::Termination => Some("termination notice (终止/废标), no award"),
        // Tenders and candidate lists name no winner yet.
        TenderKind::Tender | TenderKind::Candidate => return,
    };
    let share = tender.amount.map(|a| a / tender.winners.len().max(1) as f64);
    let lots = lots_of(tender);
    let agency_name = tender.agency.as_ref().map(|a| normalize_name(&a.name));
    for winner in &tender.winners {
        let normalized = normalize_name(&winner.name);
        // A notice of several lots: each winner's award is its own lot's, shared only with the
        // lot's other winners (a consortium).
        let (share, joint_winners) = match lots.iter().find(|lot| lot.winners.contains(&normalized)) {
            Some(lot) => (lot.amount.map(|a| a / lot.winners.len().max(1) as f64), lot.winners.len()),
            None => (share, tender.winners.len()),
        };
        let is_agency = config.agencies.contains(&normalized)
            || agency_name.as_deref() == Some(normalized.as_str())
            || acting_agencies.contains(&winner.id)
            || normalized.contains("招标代理");
        let suppressed = if is_agency {
            Some(Suppression {
                reason: SuppressionReason::Agency,
                duplicate_of: None,
                detail: Some(format!("{} is a tender agency (招标代理), not a contractor", winner.name)),
            })
        } else {
            no_business.map(|detail| Suppression {
                reason: SuppressionReason::NoBusiness,
                duplicate_of: None,
                detail: Some(detail.to_string()),
            })
        };
        // Plain: same winner, same project. `~`: same winner, buyer and amount (merged only
        // with similar titles). `*`: same project and buyer on any winner (merged only when
        // the winners are one corporate family). See `dedup::mark_duplicates`.
        let project = project_key(tender);
        let buyer = tender.buyer.as_ref().map(|b| b.id.to_string()).unwrap_or_default();
        let mut event_keys =
            vec![format!("award|{}|{project}", winner.id), format!("*award|{project}|{buyer}")];
        if let (Some(buyer), Some(amount)) = (&tender.buyer, tender.amount) {
            event_keys.push(format!("~award|{}|{}|{}", winner.id, buyer.id, amount.round() as i64));
        }
        let id = stable_id("opp", &["award", &tender.id, &winner.id.to_string()]);
        let due = (tender.published + chrono::Duration::days(15)).max(soon(input.seen(&id)));
        out.push(Candidate {
            id,
            kind: OpportunityKind::TenderAward,
            enterprise: winner.id,
            amount: share,
            event_date: tender.published,
            due: Some(due),
            evidence: vec![evidence_of(record)],
            event_keys,
            counterpart: tender.buyer.as_ref().map(|b| b.id),
            facts: Facts::Award { joint_winners, buyer: tender.buyer.as_ref().map(|b| b.name.clone()) },
            suppressed,
            turns: stale_on(tender.published, input.as_of, config),
        });
    }
}

/// A lot's winners (normalised names) and amount.
struct LotShare {
    winners: Vec<String>,
    amount: Option<f64>,
}

fn lots_of(tender: &Tender) -> Vec<LotShare> {
    tender
        .lots()
        .into_iter()
        .map(|lot| LotShare {
            winners: lot.winners.iter().map(|w| normalize_name(w)).collect(),
            amount: lot.amount,
        })
        .collect()
}

/// The project a notice is about: its project code when it has one, else its title with the
/// notice-type suffix, punctuation and spacing removed, so the same project reported by two
/// sites (or as award, then correction) gets the same key.
pub fn project_key(tender: &Tender) -> String {
    if let Some(code) = tender.extra.get("project_code").filter(|c| !c.trim().is_empty()) {
        return format!("code:{}", normalize_name(code));
    }
    format!("title:{}", title_stem(&tender.title))
}

pub fn title_stem(title: &str) -> String {
    const SUFFIXES: &[&str] = &[
        "中标结果公告",
        "成交结果公告",
        "中标候选人公示",
        "中选结果公告",
        "结果公告",
        "中标公告",
        "成交公告",
        "中标公示",
        "结果公示",
        "更正公告",
        "变更公告",
        "终止公告",
        "废标公告",
        "流标公告",
        "澄清公告",
        "公告",
        "公示",
    ];
    let mut stem: String = normalize_name(title)
        .chars()
        .filter(|c| {
            !matches!(
                c,
                '(' | ')'
                    | '-'
                    | '_'
                    | '—'
                    | '、'
                    | ','
                    | '，'
                    | '.'
                    | '。'
                    | ':'
                    | '：'
                    | '"'
                    | '“'
                    | '”'
                    | '《'
                    | '》'
            )
        })
        .collect();
    loop {
        let before = stem.len();
        for suffix in SUFFIXES {
            if let Some(rest) = stem.strip_suffix(suffix) {
                stem = rest.to_string();
            }
        }
        if stem.len() == before {
            break;
        }
    }
    stem
}

/// (lead enterprise, core customer, role) -> (volume, invoice count, invoices).
type SupplyLinks<'r> = HashMap<(EnterpriseId, EnterpriseId, SupplyRole), (f64, u32, Vec<&'r Record>)>;

/// Suppliers and buyers of existing customers, from supplier relations and invoices in the
/// window. One lead per (enterprise, core customer), evidence the largest invoices.
fn supply_chain_candidates(
    input: &MineInput<'_>,
    enterprises: &HashMap<EnterpriseId, &Enterprise>,
    config: &RuleConfig,
    out: &mut Vec<Candidate>,
) {
    let is_customer = |id: EnterpriseId| enterprises.get(&id).is_some_and(|e| e.is_customer);
    let mut links: SupplyLinks<'_> = HashMap::new();
    for record in input.records {
        let Record::Invoice(invoice) = record else { continue };
        if !config.in_supply_window(invoice.issued, input.as_of) {
            continue;
        }
        if is_customer(invoice.buyer.id) && !is_customer(invoice.seller.id) {
            let link = links.entry((invoice.seller.id, invoice.buyer.id, SupplyRole::Supplier)).or_default();
            link.0 += invoice.amount;
            link.1 += 1;
            link.2.push(record);
        }
        if is_customer(invoice.seller.id) && !is_customer(invoice.buyer.id) {
            let link = links.entry((invoice.buyer.id, invoice.seller.id, SupplyRole::Buyer)).or_default();
            link.0 += invoice.amount;
            link.1 += 1;
            link.2.push(record);
        }
    }
    // Declared supplier relations count even without invoices (with whether the relation
    // says when it began: one that does not dates from when its lead was first seen).
    // (evidence, whether it is dated, the day the relation ends)
    type Declared = (Evidence, bool, Option<Date>);
    let mut declared: HashMap<(EnterpriseId, EnterpriseId, SupplyRole), Declared> = HashMap::new();
    for relation in input.relations {
        if relation.kind != RelationKind::Supplier || !relation.is_current(input.as_of) {
            continue;
        }
        let Party::Enterprise(supplier) = relation.from else { continue };
        let name = |id: EnterpriseId| enterprises.get(&id).map(|e| e.name.as_str()).unwrap_or("?");
        let evidence = Evidence {
            record: format!("relation:{}->{}", supplier, relation.to),
            kind: "relation".into(),
            title: format!("供应关系 {} -> {}", name(supplier), name(relation.to)),
            url: relation.source.clone().filter(|s| s.starts_with("http")),
            published: relation.start.unwrap_or(input.as_of),
        };
        let dated = relation.start.is_some();
        let ends = relation.end.map(super::day_after);
        let volume = relation.amount.unwrap_or(config.supply_min_volume);
        if is_customer(relation.to) && !is_customer(supplier) {
            let link = links.entry((supplier, relation.to, SupplyRole::Supplier)).or_default();
            link.0 += volume;
            declared.insert((supplier, relation.to, SupplyRole::Supplier), (evidence.clone(), dated, ends));
        }
        if is_customer(supplier) && !is_customer(relation.to) {
            let link = links.entry((relation.to, supplier, SupplyRole::Buyer)).or_default();
            link.0 += volume;
            declared.insert((relation.to, supplier, SupplyRole::Buyer), (evidence, dated, ends));
        }
    }
    let mut keys: Vec<_> = links.keys().copied().collect();
    keys.sort();
    let mut tier_one = Vec::new();
    for key in keys {
        let (lead, core, role) = key;
        let (volume, count, mut records) = links.remove(&key).unwrap_or_default();
        let volume = to_fen(volume);
        if volume < config.supply_min_volume {
            continue;
        }
        records.sort_by(|a, b| b.amount().unwrap_or(0.0).total_cmp(&a.amount().unwrap_or(0.0)));
        let id = stable_id("opp", &["supply", &lead.to_string(), &core.to_string(), role.as_str()]);
        let seen = input.seen(&id);
        let last = records.iter().map(|r| r.date()).max().unwrap_or(seen);
        let core_name = enterprises.get(&core).map(|e| e.name.clone()).unwrap_or_default();
        let (declared, ends) = match declared.remove(&key) {
            Some((mut evidence, dated, ends)) => {
                if !dated {
                    evidence.published = seen;
                }
                (Some(evidence), ends)
            }
            None => (None, None),
        };
        let turns =
            super::first_turn(first_out_of_window(records.iter().copied(), input.as_of, config), ends);
        out.push(Candidate {
            due: Some(a_month_on(seen)),
            id,
            kind: OpportunityKind::SupplyChain,
            enterprise: lead,
            amount: Some(volume),
            event_date: last,
            evidence: declared.into_iter().chain(records.iter().take(3).map(|r| evidence_of(r))).collect(),
            event_keys: vec![format!("supply|{lead}|{core}|{}", role.as_str())],
            counterpart: Some(core),
            facts: Facts::Supply { role, core_customer: core_name, invoices: count, tier: 1, via: None },
            suppressed: None,
            turns,
        });
        tier_one.push((lead, core, role, turns));
    }
    tier_two_candidates(input, enterprises, config, &tier_one, out);
}

/// A sum of amounts in yuan to the fen: the same invoices summed in another order give the
/// same volume (floating-point addition is not associative), so a lead re-mined from another
/// part of the store is the same lead.
fn to_fen(yuan: f64) -> f64 {
    (yuan * 100.0).round() / 100.0
}

/// Invoices from one seller to one buyer: volume, count, the invoices.
type Trade<'r> = (f64, u32, Vec<&'r Record>);

/// Tier 2 of a customer's chain: the suppliers of its tier-1 suppliers and the buyers of its
/// tier-1 buyers, by invoices in the window (at least `supply_min_volume`), that are neither
/// customers nor already tier 1 of the same customer.
fn tier_two_candidates(
    input: &MineInput<'_>,
    enterprises: &HashMap<EnterpriseId, &Enterprise>,
    config: &RuleConfig,
    tier_one: &[(EnterpriseId, EnterpriseId, SupplyRole, Option<Date>)],
    out: &mut Vec<Candidate>,
) {
    // (seller, buyer) -> (volume, invoice count, invoices)
    let mut trade: HashMap<(EnterpriseId, EnterpriseId), Trade<'_>> = HashMap::new();
    for record in input.records {
        let Record::Invoice(invoice) = record else { continue };
        if config.in_supply_window(invoice.issued, input.as_of) && invoice.seller.id != invoice.buyer.id {
            let t = trade.entry((invoice.seller.id, invoice.buyer.id)).or_default();
            t.0 += invoice.amount;
            t.1 += 1;
            t.2.push(record);
        }
    }
    for t in trade.values_mut() {
        t.0 = to_fen(t.0);
    }
    let known: HashSet<(EnterpriseId, EnterpriseId)> =
        tier_one.iter().map(|(lead, core, ..)| (*lead, *core)).collect();
    let is_customer = |id: EnterpriseId| enterprises.get(&id).is_some_and(|e| e.is_customer);
    let name = |id: EnterpriseId| enterprises.get(&id).map(|e| e.name.clone()).unwrap_or_default();
    // (tier-2 firm, customer, role, the tier-1 firm between, volume, invoice count, invoices,
    // the day the tier-1 link turns)
    type TierTwo<'r> =
        (EnterpriseId, EnterpriseId, SupplyRole, EnterpriseId, f64, u32, Vec<&'r Record>, Option<Date>);
    let mut found: Vec<TierTwo<'_>> = Vec::new();
    // Who sells to each firm, and who buys from it.
    let mut sellers_to: HashMap<EnterpriseId, Vec<(EnterpriseId, &Trade<'_>)>> = HashMap::new();
    let mut buyers_from: HashMap<EnterpriseId, Vec<(EnterpriseId, &Trade<'_>)>> = HashMap::new();
    for ((seller, buyer), t) in &trade {
        sellers_to.entry(*buyer).or_default().push((*seller, t));
        buyers_from.entry(*seller).or_default().push((*buyer, t));
    }
    for &(first, core, role, link_turns) in tier_one {
        let partners = match role {
            SupplyRole::Supplier => sellers_to.get(&first),
            SupplyRole::Buyer => buyers_from.get(&first),
        };
        for &(second, (volume, count, records)) in partners.into_iter().flatten() {
            if second == core
                || is_customer(second)
                || known.contains(&(second, core))
                || *volume < config.supply_min_volume
            {
                continue;
            }
            found.push((second, core, role, first, *volume, *count, records.clone(), link_turns));
        }
    }
    found.sort_by_key(|f| (f.0, f.1, f.2, f.3));
    found.dedup_by(|a, b| (a.0, a.1, a.2) == (b.0, b.1, b.2));
    for (lead, core, role, via, volume, count, mut records, link_turns) in found {
        let turns =
            super::first_turn(first_out_of_window(records.iter().copied(), input.as_of, config), link_turns);
        records.sort_by(|a, b| b.amount().unwrap_or(0.0).total_cmp(&a.amount().unwrap_or(0.0)));
        let last = records.iter().map(|r| r.date()).max().unwrap_or(input.as_of);
        let id = stable_id("opp", &["supply2", &lead.to_string(), &core.to_string(), role.as_str()]);
        out.push(Candidate {
            due: Some(a_month_on(input.seen(&id))),
            id,
            kind: OpportunityKind::SupplyChain,
            enterprise: lead,
            amount: Some(volume),
            event_date: last,
            evidence: records.iter().take(3).map(|r| evidence_of(r)).collect(),
            event_keys: vec![format!("supply2|{lead}|{core}|{}", role.as_str())],
            counterpart: Some(via),
            facts: Facts::Supply {
                role,
                core_customer: name(core),
                invoices: count,
                tier: 2,
                via: Some(name(via)),
            },
            suppressed: None,
            turns,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_stems_ignore_notice_suffixes_and_punctuation() {
        assert_eq!(
            title_stem("宜昌市某某道路工程（第2次）中标结果公告"),
            title_stem("宜昌市某某道路工程(第2次)结果公示")
        );
        assert_ne!(title_stem("甲工程中标公告"), title_stem("乙工程中标公告"));
    }

    #[test]
    fn invoice_volumes_do_not_depend_on_the_order_they_are_summed_in() {
        let amounts = [100_000.1, 200_000.2, 300_000.3, 0.07];
        let orders = [[0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1], [1, 3, 0, 2]];
        let sums: Vec<f64> = orders.iter().map(|o| o.iter().map(|&i| amounts[i]).sum()).collect();
        assert!(sums.iter().any(|s| *s != sums[0]), "the raw sums differ in their last bits: {sums:?}");
        assert!(sums.iter().all(|s| to_fen(*s) == 600_000.67), "{sums:?}");
    }
}
