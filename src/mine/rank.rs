//! Value ranking: a transparent weighted sum. Every feature that moves the score appears in
//! `why` with its contribution and the fact behind it; the score is their sum clamped to
//! 0..=100.

use super::{Assessed, Facts, MineInput, ProductMatrix};
use crate::model::{
    yuan_cn, Date, Enterprise, EnterpriseId, EnterpriseSize, Opportunity, OpportunityKind, OpportunityStatus,
    Tier, WhyItem,
};
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct RankConfig {
    /// Points for the amount: 0 at `amount_floor` yuan, full at `amount_ceiling` (log scale).
    pub amount_weight: f64,
    pub amount_floor: f64,
    pub amount_ceiling: f64,
    /// Points for a fresh event, halving every `recency_half_life_days`.
    pub recency_weight: f64,
    pub recency_half_life_days: f64,
    /// Points for a pledge close to expiry (refinancing is urgent).
    pub urgency_weight: f64,
    /// Freshness and urgency move this many points at a time (in grades: 15, 12, 9, 6, 3, 0),
    /// so a lead reads otherwise on a few days of its life, and a later day's run re-mines
    /// only the leads whose grade moved.
    pub time_step_points: f64,
    /// Points by enterprise size, and for being listed.
    pub size_weight: f64,
    pub listed_bonus: f64,
    /// Points for an existing customer (cross-sell) or a lead tied to one.
    pub relationship_bonus: f64,
    /// Up to this many points either way from the past win rate of this kind of lead.
    pub feedback_weight: f64,
    /// Points taken per unit of alert severity times the alert's weight (its reach: stake,
    /// distance, age), capped at `risk_cap`.
    pub risk_per_severity: f64,
    pub risk_cap: f64,
    /// Tier A is the top `tier_a_share` of live leads by score, B the next `tier_b_share`.
    pub tier_a_share: f64,
    pub tier_b_share: f64,
    /// Risk kinds that, on the lead's own enterprise, force tier C (the lead stays, flagged
    /// for review by its alert).
    pub force_tier_c: Vec<String>,
    /// Risk kinds that, on the lead's own enterprise, block the lead outright (status
    /// `blocked`, never delivered) — a bank's policy choice; none by default.
    pub block_on: Vec<String>,
}

impl Default for RankConfig {
    fn default() -> Self {
        RankConfig {
            amount_weight: 30.0,
            amount_floor: 1e5,
            amount_ceiling: 1e9,
            recency_weight: 15.0,
            recency_half_life_days: 30.0,
            urgency_weight: 15.0,
            time_step_points: 3.0,
            size_weight: 8.0,
            listed_bonus: 4.0,
            relationship_bonus: 6.0,
            feedback_weight: 10.0,
            risk_per_severity: 3.0,
            risk_cap: 30.0,
            tier_a_share: 0.2,
            tier_b_share: 0.3,
            force_tier_c: vec!["dishonest".into(), "bankruptcy".into()],
            block_on: Vec::new(),
        }
    }
}

/// Base points by kind: how often this kind of lead turns into business.
fn base_points(kind: OpportunityKind) -> f64 {
    match kind {
        OpportunityKind::TenderAward => 20.0,
        OpportunityKind::PledgeRefinancing => 18.0,
        OpportunityKind::EiaApproval => 18.0,
        OpportunityKind::SupplyChain => 15.0,
        OpportunityKind::FinancingElsewhere => 14.0,
        OpportunityKind::BondIssue | OpportunityKind::Merger => 12.0,
        OpportunityKind::CapitalIncrease => 10.0,
        OpportunityKind::NewBranch => 8.0,
        OpportunityKind::GroupCrossSell => 12.0,
        OpportunityKind::ExecutiveNetwork => 8.0,
    }
}

pub fn score(
    assessed: Vec<Assessed>,
    input: &MineInput<'_>,
    enterprises: &HashMap<EnterpriseId, &Enterprise>,
    config: &RankConfig,
    products: &ProductMatrix,
) -> Vec<Opportunity> {
    let win_rates = win_rates(input.feedback, input.feedback_kinds);
    assessed
        .into_iter()
        .map(|a| {
            let c = &a.screened.candidate;
            let enterprise = enterprises.get(&c.enterprise).copied();
            let mut why = vec![WhyItem {
                feature: "kind".into(),
                contribution: base_points(c.kind),
                detail: format!("{}类商机", c.kind.label_cn()),
            }];
            let mut push = |feature: &str, contribution: f64, detail: String| {
                if contribution.abs() >= 0.05 {
                    why.push(WhyItem { feature: feature.into(), contribution: round1(contribution), detail });
                }
            };
            if let Some(amount) = c.amount {
                let span = (config.amount_ceiling / config.amount_floor).log10();
                let x = ((amount.max(1.0) / config.amount_floor).log10() / span).clamp(0.0, 1.0);
                let label = match c.kind {
                    OpportunityKind::TenderAward => "中标金额",
                    OpportunityKind::PledgeRefinancing => "质押金额",
                    OpportunityKind::SupplyChain => "近一年供货额",
                    _ => "金额",
                };
                push(
                    "amount",
                    config.amount_weight * x,
                    format!("{label} {}", crate::model::yuan_cn(amount)),
                );
            }
            // Points that move with the date, a grade at a time: the day the next grade comes
            // is the day the lead turns.
            let mut turns = super::first_turn(c.turns, a.turns);
            if let Facts::Pledge { expires, .. } = c.facts {
                let points = |day| urgency_points(expires, day, config);
                push("urgency", points(input.as_of), format!("质押于 {expires} 到期"));
                turns = super::first_turn(turns, super::turn_of(input.as_of, |day| points(day).to_bits()));
            } else if !matches!(c.facts, Facts::Relationship { .. }) {
                // A relationship has no event date to be fresh about.
                let points = |day| recency_points(c.event_date, day, config);
                push("recency", points(input.as_of), format!("事件发生于 {}", c.event_date));
                turns = super::first_turn(turns, super::turn_of(input.as_of, |day| points(day).to_bits()));
            }
            if let Some(e) = enterprise {
                let (x, label) = match e.size {
                    Some(EnterpriseSize::Large) => (1.0, "大型企业"),
                    Some(EnterpriseSize::Medium) => (0.75, "中型企业"),
                    Some(EnterpriseSize::Small) => (0.5, "小型企业"),
                    Some(EnterpriseSize::Micro) => (0.25, "微型企业"),
                    None => (0.0, "规模未知"),
                };
                push("size", config.size_weight * x, label.to_string());
                if e.listed {
                    push("listed", config.listed_bonus, "上市公司".into());
                }
                if e.is_customer {
                    push("relationship", config.relationship_bonus, "我行存量客户，交叉销售".into());
                } else if let Facts::Relationship { customer, .. } = &c.facts {
                    let tie = if c.kind == OpportunityKind::GroupCrossSell {
                        "集团成员"
                    } else {
                        "董监高任职企业"
                    };
                    push("relationship", config.relationship_bonus, format!("我行客户{customer}的{tie}"));
                } else if let Facts::Supply { role, core_customer, .. } = &c.facts {
                    push(
                        "relationship",
                        config.relationship_bonus,
                        format!("我行客户{core_customer}的{}", role.label_cn()),
                    );
                }
            }
            if let Some(rate) = win_rates.get(&c.kind) {
                push(
                    "feedback",
                    config.feedback_weight * (f64::from(rate.percent) / 100.0 - 0.5) * 2.0,
                    format!("同类{}商机成交率约 {}%（{}）", c.kind.label_cn(), rate.percent, rate.basis()),
                );
            }
            if !a.alerts.is_empty() {
                let weight: f64 = a.alerts.iter().map(|alert| f64::from(alert.severity) * alert.weight).sum();
                let worst = a
                    .alerts
                    .iter()
                    .max_by_key(|al| al.severity)
                    .map(|al| {
                        crate::model::RiskKind::parse(&al.kind)
                            .map_or(al.kind.clone(), |k| k.label_cn().into())
                    })
                    .unwrap_or_default();
                push(
                    "risk",
                    -(config.risk_per_severity * weight).min(config.risk_cap),
                    format!("{} 条风险预警，最重：{worst}", a.alerts.len()),
                );
            }
            let total: f64 = why.iter().map(|w| w.contribution).sum();
            let score = round1(total.clamp(0.0, 100.0));
            let matched = products.products(c.kind, enterprise.and_then(|e| e.size));
            Opportunity {
                id: c.id.clone(),
                enterprise: enterprise.map(|e| e.to_ref()).unwrap_or(crate::model::EnterpriseRef {
                    id: c.enterprise,
                    name: String::new(),
                    uscc: None,
                }),
                kind: c.kind,
                products: matched.clone(),
                product_names: matched.iter().map(|code| products.name(code)).collect(),
                amount: c.amount,
                score,
                tier: Tier::C,
                why_now: why_now(c),
                why,
                evidence: c.evidence.clone(),
                alerts: a.alerts,
                manager: None,
                status: OpportunityStatus::New,
                due: c.due,
                suppressed: a.screened.suppressed,
                turns_on: turns,
                rules: None,
            }
        })
        .collect()
}

/// Points for how fresh an event of `event_date` is on `day`: `recency_weight`, halving every
/// `recency_half_life_days`, to the nearest grade.
fn recency_points(event_date: Date, day: Date, config: &RankConfig) -> f64 {
    let age = (day - event_date).num_days().max(0) as f64;
    grade(config.recency_weight * 0.5f64.powf(age / config.recency_half_life_days), config)
}

/// Points for how close a pledge expiring on `expires` is to expiry on `day`: none 180 days
/// before, all `urgency_weight` 30 days before, to the nearest grade.
fn urgency_points(expires: Date, day: Date, config: &RankConfig) -> f64 {
    let days = (expires - day).num_days() as f64;
    grade(config.urgency_weight * (1.0 - (days - 30.0) / 150.0).clamp(0.0, 1.0), config)
}

/// `points` to the nearest multiple of `time_step_points`.
fn grade(points: f64, config: &RankConfig) -> f64 {
    (points / config.time_step_points).round() * config.time_step_points
}

/// Tiers from score quantiles of the live leads ([`tier_cuts`]): A from the score at the top
/// `tier_a_share`, B from the score at the top `tier_a_share + tier_b_share`, else C —
/// monotone in score — except that a policy risk on the enterprise itself (失信, bankruptcy)
/// forces C, and one in `block_on` blocks the lead.
pub fn assign_tiers_by(opportunities: &mut [Opportunity], cuts: (f64, f64), config: &RankConfig) {
    for o in opportunities.iter_mut() {
        let direct =
            |kinds: &[String]| o.alerts.iter().any(|al| al.path.len() <= 1 && kinds.contains(&al.kind));
        if direct(&config.block_on) {
            o.status = OpportunityStatus::Blocked;
        }
        o.tier = tier_of(o.score, forced_to_c(&o.alerts, config), cuts);
    }
}

/// The lowest scores of tiers A and B among these live leads' scores; `None` without any.
pub fn tier_cuts(live_scores: impl Iterator<Item = f64>, config: &RankConfig) -> Option<(f64, f64)> {
    let mut scores: Vec<f64> = live_scores.collect();
    if scores.is_empty() {
        return None;
    }
    scores.sort_by(|a, b| b.total_cmp(a));
    let cut = |share: f64| {
        let index = ((scores.len() as f64 * share).ceil() as usize).clamp(1, scores.len()) - 1;
        scores[index]
    };
    Some((cut(config.tier_a_share), cut(config.tier_a_share + config.tier_b_share)))
}

/// Whether a lead's alerts force it to tier C: an alert on its own enterprise of a kind the
/// risk policy forces (or blocks).
pub fn forced_to_c(alerts: &[crate::model::Alert], config: &RankConfig) -> bool {
    alerts.iter().any(|al| {
        al.path.len() <= 1 && (config.force_tier_c.contains(&al.kind) || config.block_on.contains(&al.kind))
    })
}

/// The tier of a lead with `score`, given the cuts.
pub fn tier_of(score: f64, forced: bool, (a, b): (f64, f64)) -> Tier {
    if forced {
        Tier::C
    } else if score >= a {
        Tier::A
    } else if score >= b {
        Tier::B
    } else {
        Tier::C
    }
}

/// One line in Chinese saying why the lead deserves a call now: the event, its date, the
/// amount, and the banking need it opens.
fn why_now(c: &super::Candidate) -> String {
    let amount = c.amount.map(|a| format!("：{}", yuan_cn(a))).unwrap_or_default();
    let date = c.event_date;
    match (&c.facts, c.kind) {
        (Facts::Award { buyer, joint_winners }, _) => {
            let buyer = buyer.as_deref().map(|b| format!("，采购人{b}")).unwrap_or_default();
            let joint = if *joint_winners > 1 {
                format!("（{joint_winners}家联合中标）")
            } else {
                String::new()
            };
            format!("中标结果公告 {date}{amount}{joint}{buyer}，履约保函与流动资金窗口期")
        }
        (Facts::Pledge { expires, pledgee }, _) => {
            format!("在{pledgee}的质押/抵押将于{expires}到期{amount}，转贷与续贷窗口")
        }
        (Facts::Supply { role, core_customer, invoices, tier, via }, _) => {
            let side = match role {
                super::SupplyRole::Supplier => "供应商",
                super::SupplyRole::Buyer => "采购方",
            };
            match via {
                Some(via) if *tier > 1 => format!(
                    "我行客户{core_customer}的二级{side}（经由{via}），近一年{invoices}张发票{amount}，供应链延伸获客"
                ),
                _ => format!("我行客户{core_customer}的{side}，近一年{invoices}张发票{amount}，供应链融资机会"),
            }
        }
        (Facts::Relationship { customer, path }, OpportunityKind::GroupCrossSell) => {
            format!("我行客户{customer}的集团成员（{}），集团内交叉销售与资金归集", path.join("→"))
        }
        (Facts::Relationship { customer, path }, _) => {
            let person = path.get(1).cloned().unwrap_or_default();
            format!("我行客户{customer}的董监高{person}在此任职，关联营销机会")
        }
        (Facts::Filing { .. }, kind) => {
            let need = match kind {
                OpportunityKind::EiaApproval => "项目即将开工，固定资产贷款窗口",
                OpportunityKind::BondIssue => "发债前后的承销、存款与结算需求",
                OpportunityKind::Merger => "并购贷款与资金监管需求",
                OpportunityKind::CapitalIncrease => "增资到账，募集资金存放与账户需求",
                OpportunityKind::NewBranch => "新设机构，开户与结算需求",
                OpportunityKind::FinancingElsewhere => "已在他行融资，置换与授信窗口",
                _ => "新的经营事件",
            };
            // The filing in words (环评批复), not its code (eia_approval).
            format!("{} {date}{amount}，{need}", kind.label_cn())
        }
    }
}

/// A kind of lead's win rate as scores use it: in steps, so that one more outcome among many
/// moves no lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WinRate {
    /// (won + 1) / (decided + 2) in percent, in steps of 5.
    pub percent: u32,
    /// The decided leads behind it, in steps: 0 (fewer than 10), 10, 100 or 1000 and more.
    pub decided_at_least: u32,
}

impl WinRate {
    /// What the rate rests on, in words: 已决不足 10 条, 已决 100 条以上.
    pub fn basis(&self) -> String {
        match self.decided_at_least {
            0 => "已决不足 10 条".into(),
            n => format!("已决 {n} 条以上"),
        }
    }
}

/// Per kind of lead with feedback: its win rate, from the latest feedback of each lead —
/// (won + 1) / (decided + 2), decided = won + lost (contacted leads are still open, invalid
/// ones were never business) — in steps of 5 percent, with the count behind it in steps of ten
/// times. The steps are what lets mining stay incremental as outcomes come in: one more
/// outcome among many moves no lead, and a run is a full one only when a kind's rate or count
/// moves a step (see `Workspace::mining_state`).
pub(crate) fn win_rates(
    feedback: &[crate::model::Feedback],
    kinds: &HashMap<String, OpportunityKind>,
) -> HashMap<OpportunityKind, WinRate> {
    let mut counts: HashMap<OpportunityKind, (u32, u32)> = HashMap::new();
    for (id, feedback) in super::latest_feedback(feedback) {
        let Some(kind) = kinds.get(id) else { continue };
        let entry = counts.entry(*kind).or_default();
        match feedback.status {
            OpportunityStatus::Won => {
                entry.0 += 1;
                entry.1 += 1;
            }
            OpportunityStatus::Lost => entry.1 += 1,
            OpportunityStatus::New
            | OpportunityStatus::Pushed
            | OpportunityStatus::Contacted
            | OpportunityStatus::Invalid
            | OpportunityStatus::Blocked => {}
        }
    }
    counts
        .into_iter()
        .map(|(kind, (won, decided))| {
            let rate = f64::from(won + 1) / f64::from(decided + 2);
            let decided_at_least = match decided {
                0..10 => 0,
                10..100 => 10,
                100..1000 => 100,
                _ => 1000,
            };
            (kind, WinRate { percent: (rate * 20.0).round() as u32 * 5, decided_at_least })
        })
        .collect()
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mine::{Candidate, Facts};

    #[test]
    fn a_filing_says_what_it_is_in_words() {
        let candidate = Candidate {
            id: "opp-1".into(),
            kind: OpportunityKind::NewBranch,
            enterprise: 1,
            amount: Some(5_000_000.0),
            event_date: "2026-09-02".parse().unwrap(),
            due: None,
            evidence: Vec::new(),
            event_keys: Vec::new(),
            counterpart: None,
            facts: Facts::Filing { filing_kind: "new_branch".into() },
            suppressed: None,
            turns: None,
        };
        let line = why_now(&candidate);
        assert!(line.starts_with("新设分支机构 2026-09-02"), "{line}");
        assert!(!line.contains("new_branch"), "{line}");
    }

    #[test]
    fn points_that_move_with_the_date_turn_on_the_day_they_move_and_not_before() {
        let config = RankConfig::default();
        let today: Date = "2026-11-20".parse().unwrap();
        let mut turns = 0;
        for age in -3..400 {
            let event = today - chrono::Duration::days(age);
            let expires = today + chrono::Duration::days(age);
            for points in [&(|day| recency_points(event, day, &config)) as &dyn Fn(Date) -> f64, &|day| {
                urgency_points(expires, day, &config)
            }] {
                let now = points(today);
                match crate::mine::turn_of(today, |day| points(day).to_bits()) {
                    Some(turn) => {
                        turns += 1;
                        assert!(turn > today);
                        assert_ne!(points(turn), now, "age {age}: nothing moved on {turn}");
                        let mut day = today;
                        while day < turn {
                            assert_eq!(points(day), now, "age {age}: moved on {day}, before {turn}");
                            day = day.succ_opt().unwrap();
                        }
                    }
                    None => assert_eq!(points(today + chrono::Duration::days(5000)), now, "age {age}"),
                }
            }
        }
        // In grades: a lead's freshness moves on a few days of its life, not every day.
        assert!(turns > 100, "{turns}");
        let event = today - chrono::Duration::days(1);
        let mut day = today;
        let mut moves = 0;
        while let Some(turn) = crate::mine::turn_of(day, |d| recency_points(event, d, &config).to_bits()) {
            moves += 1;
            day = turn;
        }
        assert_eq!(moves, (config.recency_weight / config.time_step_points) as usize, "one move per grade");
    }
}
