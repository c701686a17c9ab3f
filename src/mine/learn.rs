//! A ranking that learns from outcomes: logistic regression (linfa) on won vs lost leads over
//! features that explain themselves, one model per segment (kind of lead). A segment's model
//! replaces the rule weights for that segment only when it has enough decided leads and beats
//! the rules on the segment's held-out outcomes; `invalid` is dedup's signal, not a loss, and
//! never trains it.
//!
//! When it applies, a lead's score is 100 × its predicted probability of being won, and `why`
//! lists each feature's part of it: the coefficient × (the lead's value − the mean value),
//! in points (logit × 25, the slope of the probability at one half).

use crate::model::{
    Enterprise, EnterpriseId, EnterpriseSize, Feedback, Opportunity, OpportunityKind, OpportunityStatus,
    WhyItem,
};
use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2};
use serde::Serialize;
use std::collections::HashMap;

/// When to trust the learned model.
#[derive(Debug, Clone)]
pub struct LearnConfig {
    /// Decided (won or lost) leads needed before a model is tried, and of each outcome.
    pub min_outcomes: usize,
    pub min_each: usize,
    /// The model replaces the rules only when its held-out AUC beats theirs by this much.
    pub min_auc_gain: f64,
}

impl Default for LearnConfig {
    fn default() -> Self {
        LearnConfig { min_outcomes: 60, min_each: 15, min_auc_gain: 0.02 }
    }
}

/// What the ranking step decided, for the mining summary.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RankingReport {
    /// `rules`, `learned` (every kind of lead), or `mixed`.
    pub ranking: &'static str,
    /// Won / lost leads available to learn from.
    pub outcomes: usize,
    pub reason: String,
    /// One segment per kind of lead with outcomes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<SegmentReport>,
}

/// What one segment (a kind of lead) decided.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SegmentReport {
    pub segment: &'static str,
    /// `rules` or `learned`.
    pub ranking: &'static str,
    pub outcomes: usize,
    /// Held-out AUC of the learned model and of the rules, when a model was tried.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub learned_auc: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules_auc: Option<f64>,
    pub reason: String,
}

const NUMERIC: [&str; 7] =
    ["amount", "amount_to_capital", "recency", "relationship", "listed", "size", "risk"];

fn feature_names() -> Vec<String> {
    NUMERIC
        .iter()
        .map(|n| n.to_string())
        .chain(OpportunityKind::ALL.iter().map(|k| format!("kind:{}", k.as_str())))
        .collect()
}

/// A learned weight's explanation in Chinese: 学习模型：金额.
fn label(feature: &str) -> String {
    let what = match feature {
        "amount_to_capital" => "金额与注册资本之比",
        other => match other.strip_prefix("kind:").and_then(OpportunityKind::parse) {
            Some(kind) => kind.label_cn(),
            None => crate::model::score_term_cn(other),
        },
    };
    format!("学习模型：{what}")
}

/// The features of a lead, in `feature_names` order.
pub fn features(lead: &Opportunity, enterprise: Option<&Enterprise>, as_of: crate::model::Date) -> Vec<f64> {
    let amount = lead.amount.filter(|a| *a > 0.0);
    let log_amount = amount.map_or(0.0, |a| (a.log10() - 5.0).clamp(0.0, 5.0) / 5.0);
    let to_capital = match (amount, enterprise.and_then(|e| e.registered_capital).filter(|c| *c > 0.0)) {
        (Some(a), Some(c)) => (a / c).log10().clamp(-3.0, 3.0) / 3.0,
        _ => 0.0,
    };
    let newest = lead.evidence.iter().map(|e| e.published).max().unwrap_or(as_of);
    let recency = 0.5f64.powf((as_of - newest).num_days().max(0) as f64 / 30.0);
    let relationship = f64::from(
        enterprise.is_some_and(|e| e.is_customer) || lead.why.iter().any(|w| w.feature == "relationship"),
    );
    let size = match enterprise.and_then(|e| e.size) {
        Some(EnterpriseSize::Large) => 1.0,
        Some(EnterpriseSize::Medium) => 0.75,
        Some(EnterpriseSize::Small) => 0.5,
        Some(EnterpriseSize::Micro) => 0.25,
        None => 0.0,
    };
    let risk: f64 = lead.alerts.iter().map(|a| f64::from(a.severity) * a.weight).sum::<f64>() / 10.0;
    let mut out = vec![
        log_amount,
        to_capital,
        recency,
        relationship,
        f64::from(enterprise.is_some_and(|e| e.listed)),
        size,
        risk.min(3.0),
    ];
    out.extend(OpportunityKind::ALL.iter().map(|k| f64::from(*k == lead.kind)));
    out
}

/// Area under the ROC curve of `scores` for `wins` (ties count half).
pub fn auc(scores: &[f64], wins: &[bool]) -> f64 {
    let mut pairs: Vec<(f64, bool)> = scores.iter().copied().zip(wins.iter().copied()).collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let positives = wins.iter().filter(|w| **w).count() as f64;
    let negatives = wins.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return 0.5;
    }
    // Rank-sum with average ranks for ties.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < pairs.len() {
        let mut j = i;
        while j + 1 < pairs.len() && pairs[j + 1].0 == pairs[i].0 {
            j += 1;
        }
        let average = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += pairs[i..=j].iter().filter(|p| p.1).count() as f64 * average;
        i = j + 1;
    }
    (rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives)
}

struct Model {
    weights: Vec<f64>,
    intercept: f64,
    means: Vec<f64>,
}

impl Model {
    fn fit(rows: &[Vec<f64>], wins: &[bool]) -> Option<Model> {
        let width = rows.first()?.len();
        let x = Array2::from_shape_vec((rows.len(), width), rows.concat()).ok()?;
        let y = Array1::from_vec(wins.to_vec());
        let fitted =
            LogisticRegression::default().alpha(0.05).max_iterations(200).fit(&Dataset::new(x, y)).ok()?;
        let means = (0..width).map(|c| rows.iter().map(|r| r[c]).sum::<f64>() / rows.len() as f64).collect();
        // linfa's positive class is the more frequent one; turn the model to "won".
        let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
        let weights = fitted.params().iter().map(|w| w * sign).collect();
        Some(Model { weights, intercept: fitted.intercept() * sign, means })
    }

    fn probability(&self, row: &[f64]) -> f64 {
        let logit: f64 = self.intercept + row.iter().zip(&self.weights).map(|(x, w)| x * w).sum::<f64>();
        1.0 / (1.0 + (-logit).exp())
    }
}

/// A decided lead: its index among the opportunities, and whether it was won.
type Outcome = (usize, bool);

/// A stable split of leads into training (3 in 4) and held-out ones.
fn held_out(id: &str) -> bool {
    xxhash_rust::xxh3::xxh3_64(id.as_bytes()) % 4 == 0
}

/// The report of a ranking by the rules alone: fewer than `min_outcomes` won or lost leads.
pub fn too_few_outcomes(outcomes: usize, config: &LearnConfig) -> RankingReport {
    RankingReport {
        ranking: "rules",
        outcomes,
        reason: format!(
            "{outcomes} won/lost outcomes; a segment's model needs {} with {} of each",
            config.min_outcomes, config.min_each
        ),
        ..Default::default()
    }
}

/// Learns from won/lost feedback and, when the model earns it, rescores `opportunities`.
pub fn apply(
    opportunities: &mut [Opportunity],
    enterprises: &HashMap<EnterpriseId, &Enterprise>,
    feedback: &[Feedback],
    as_of: crate::model::Date,
    config: &LearnConfig,
) -> RankingReport {
    let latest = super::latest_feedback(feedback);
    let decided: Vec<Outcome> = opportunities
        .iter()
        .enumerate()
        .filter_map(|(i, o)| match latest.get(o.id.as_str()).map(|f| f.status) {
            Some(OpportunityStatus::Won) => Some((i, true)),
            Some(OpportunityStatus::Lost) => Some((i, false)),
            _ => None,
        })
        .collect();
    if decided.len() < config.min_outcomes {
        return too_few_outcomes(decided.len(), config);
    }
    let mut report = RankingReport { ranking: "rules", outcomes: decided.len(), ..Default::default() };
    // Features only once there is something to learn from (a run without outcomes pays nothing).
    let rows: Vec<Vec<f64>> = opportunities
        .iter()
        .map(|o| features(o, enterprises.get(&o.enterprise.id).copied(), as_of))
        .collect();
    // One segment per kind of lead: what wins an award lead is not what wins a refinancing.
    let mut by_kind: std::collections::BTreeMap<OpportunityKind, Vec<Outcome>> = Default::default();
    for &(i, won) in &decided {
        by_kind.entry(opportunities[i].kind).or_default().push((i, won));
    }
    let mut learned_kinds = Vec::new();
    for (kind, outcomes) in by_kind {
        let (segment, model) = learn_segment(kind, &outcomes, opportunities, &rows, config);
        if let Some(model) = model {
            rescore(opportunities, &rows, kind, &model, outcomes.len());
            learned_kinds.push(kind);
        }
        report.segments.push(segment);
    }
    let present: std::collections::BTreeSet<OpportunityKind> = opportunities.iter().map(|o| o.kind).collect();
    report.ranking = match learned_kinds.len() {
        0 => "rules",
        n if n == present.len() => "learned",
        _ => "mixed",
    };
    report.reason = format!("learned for {} of {} kinds of lead", learned_kinds.len(), present.len());
    report
}

/// Fits one segment's model and keeps it only when it beats the rules on held-out outcomes.
fn learn_segment(
    kind: OpportunityKind,
    outcomes: &[Outcome],
    opportunities: &[Opportunity],
    rows: &[Vec<f64>],
    config: &LearnConfig,
) -> (SegmentReport, Option<Model>) {
    let wins = outcomes.iter().filter(|o| o.1).count();
    let mut report = SegmentReport {
        segment: kind.as_str(),
        ranking: "rules",
        outcomes: outcomes.len(),
        ..Default::default()
    };
    if outcomes.len() < config.min_outcomes
        || wins < config.min_each
        || outcomes.len() - wins < config.min_each
    {
        report.reason = format!(
            "{} outcomes ({wins} won); needs {} with {} of each",
            outcomes.len(),
            config.min_outcomes,
            config.min_each
        );
        return (report, None);
    }
    let (test, train): (Vec<Outcome>, Vec<Outcome>) =
        outcomes.iter().partition(|(i, _)| held_out(&opportunities[*i].id));
    let pick = |set: &[Outcome]| -> (Vec<Vec<f64>>, Vec<bool>) {
        (set.iter().map(|(i, _)| rows[*i].clone()).collect(), set.iter().map(|(_, w)| *w).collect())
    };
    let (train_x, train_y) = pick(&train);
    let (test_x, test_y) = pick(&test);
    let both = |ys: &[bool]| ys.iter().any(|w| *w) && ys.iter().any(|w| !*w);
    if !both(&train_y) || !both(&test_y) {
        report.reason = "the held-out split lacks one of the outcomes".into();
        return (report, None);
    }
    let Some(trial) = Model::fit(&train_x, &train_y) else {
        report.reason = "the model did not converge".into();
        return (report, None);
    };
    let learned = auc(&test_x.iter().map(|r| trial.probability(r)).collect::<Vec<_>>(), &test_y);
    let rules = auc(&test.iter().map(|(i, _)| opportunities[*i].score).collect::<Vec<_>>(), &test_y);
    report.learned_auc = Some((learned * 1000.0).round() / 1000.0);
    report.rules_auc = Some((rules * 1000.0).round() / 1000.0);
    if learned < rules + config.min_auc_gain {
        report.reason = format!("held-out AUC {learned:.3} does not beat the rules' {rules:.3}");
        return (report, None);
    }
    let (all_x, all_y) = pick(outcomes);
    let Some(model) = Model::fit(&all_x, &all_y) else {
        report.reason = "the model did not converge on every outcome".into();
        return (report, None);
    };
    report.ranking = "learned";
    report.reason = format!("held-out AUC {learned:.3} beats the rules' {rules:.3}");
    (report, Some(model))
}

/// Scores every lead of `kind` by the model, with the features' points as its `why`.
fn rescore(
    opportunities: &mut [Opportunity],
    rows: &[Vec<f64>],
    kind: OpportunityKind,
    model: &Model,
    outcomes: usize,
) {
    let names = feature_names();
    for (o, row) in opportunities.iter_mut().zip(rows).filter(|(o, _)| o.kind == kind) {
        let p = model.probability(row);
        let mut why: Vec<WhyItem> = names
            .iter()
            .zip(row.iter().zip(model.weights.iter().zip(&model.means)))
            .map(|(name, (x, (w, mean)))| (name, w * (x - mean) * 25.0))
            .filter(|(_, points)| points.abs() >= 0.5)
            .map(|(name, points)| WhyItem {
                feature: name.clone(),
                contribution: (points * 10.0).round() / 10.0,
                detail: label(name),
            })
            .collect();
        why.sort_by(|a, b| b.contribution.abs().total_cmp(&a.contribution.abs()));
        why.insert(
            0,
            WhyItem {
                feature: "learned".into(),
                contribution: 0.0,
                detail: format!(
                    "按历史成交学习：成交概率 {:.0}%（依据 {outcomes} 条{}类商机的结果）",
                    p * 100.0,
                    kind.label_cn()
                ),
            },
        );
        o.score = ((p * 1000.0).round() / 10.0).clamp(0.0, 100.0);
        o.why = why;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_predicts_wins_whichever_outcome_is_more_frequent() {
        // Wins where the first feature is high; mostly losses, then mostly wins.
        for wins_share in [0.3, 0.7] {
            let rows: Vec<Vec<f64>> = (0..100).map(|i| vec![f64::from(i) / 100.0, 0.5]).collect();
            let wins: Vec<bool> = (0..100).map(|i| f64::from(i) / 100.0 >= 1.0 - wins_share).collect();
            let model = Model::fit(&rows, &wins).unwrap();
            assert!(model.probability(&[0.95, 0.5]) > 0.5, "share {wins_share}");
            assert!(model.probability(&[0.05, 0.5]) < 0.5, "share {wins_share}");
        }
    }

    fn lead(id: usize, kind: OpportunityKind, amount: f64) -> Opportunity {
        Opportunity { amount: Some(amount), ..Opportunity::bare(&format!("opp-{id:016x}"), id as i64, kind) }
    }

    #[test]
    fn each_kind_learns_on_its_own_and_only_when_it_beats_the_rules() {
        // Awards: won exactly when the amount is large; the rules score them all alike.
        // Pledges: too few outcomes to learn from.
        let mut leads: Vec<Opportunity> = (0..400)
            .map(|i| lead(i, OpportunityKind::TenderAward, if i % 2 == 0 { 5e8 } else { 2e5 }))
            .chain((400..420).map(|i| lead(i, OpportunityKind::PledgeRefinancing, 1e7)))
            .collect();
        let feedback: Vec<Feedback> = leads
            .iter()
            .enumerate()
            .map(|(i, o)| Feedback {
                opportunity_id: o.id.clone(),
                actor: "m1".into(),
                status: if o.amount == Some(5e8) || (i >= 400 && i % 2 == 0) {
                    OpportunityStatus::Won
                } else {
                    OpportunityStatus::Lost
                },
                reason: None,
                note: None,
                at: "2026-11-20T10:00:00+08:00".into(),
            })
            .collect();
        let report = apply(
            &mut leads,
            &HashMap::new(),
            &feedback,
            "2026-11-20".parse().unwrap(),
            &LearnConfig::default(),
        );
        assert_eq!(report.ranking, "mixed");
        let segment = |kind: &str| report.segments.iter().find(|s| s.segment == kind).unwrap();
        assert_eq!(segment("tender_award").ranking, "learned");
        assert_eq!(segment("pledge_refinancing").ranking, "rules");
        let (big, small) = (&leads[0], &leads[1]);
        assert!(big.score > 80.0 && small.score < 20.0, "{} {}", big.score, small.score);
        assert_eq!(big.why[0].feature, "learned");
        assert!(leads[400].why.is_empty() && leads[400].score == 50.0, "pledges keep the rules' score");
    }

    #[test]
    fn auc_counts_ordered_pairs_and_ties_half() {
        assert_eq!(auc(&[0.1, 0.2, 0.8, 0.9], &[false, false, true, true]), 1.0);
        assert_eq!(auc(&[0.9, 0.8, 0.2, 0.1], &[false, false, true, true]), 0.0);
        assert_eq!(auc(&[0.5, 0.5], &[false, true]), 0.5);
    }
}
