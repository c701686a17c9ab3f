//! A ranking that learns from outcomes: logistic regression (linfa) on won vs lost leads over
//! features that explain themselves, one model per segment (kind of lead). A segment's model
//! replaces the rule weights for that segment only when it has enough decided leads and beats
//! the rules on the segment's held-out outcomes; `invalid` is dedup's signal, not a loss, and
//! never trains it.
//!
//! When it applies, a lead's score is 100 × its predicted probability of being won, and `why`
//! lists each feature's part of how far that score is from the score of a lead with the mean
//! value of every feature. The parts add up to that distance: each feature's share of the logit,
//! coefficient × (value − mean), times the probability's mean slope between the two logits
//! (integrated gradients, exact for a logistic model).

use crate::model::{Enterprise, EnterpriseSize, Opportunity, OpportunityKind, RulesScore, WhyItem};
use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// How a model turns features into a score and its parts; a new value rescores stored leads.
const SCORING: u32 = 5;

/// The rules' time points (recency or urgency) that make the recency feature 1: their weight.
/// The weights are not configurable; a build that changes them must change this too (a test
/// holds them equal), or the stored models would read the feature on another scale.
const TIME_POINTS: f64 = 15.0;

/// When to trust the learned model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// Stored leads the run scored again in a pass over them, because the models moved or
    /// the run wrote leads as the rules scored them (none: no pass).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rescored: Option<usize>,
}

/// What one segment (a kind of lead) decided.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SegmentReport {
    pub segment: String,
    /// `rules` or `learned`.
    pub ranking: String,
    pub outcomes: usize,
    /// Held-out AUC of the learned model and of the rules, when a model was tried.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub learned_auc: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rules_auc: Option<f64>,
    pub reason: String,
}

/// The numeric features, in [`features`] order, each with whether it is a yes or a no (1 or 0)
/// rather than graded.
const NUMERIC: [(&str, bool); 7] = [
    ("amount", false),
    ("amount_to_capital", false),
    ("recency", false),
    ("relationship", true),
    ("listed", true),
    ("size", false),
    ("risk", false),
];

/// Every feature, in [`features`] order, with whether it is a yes or a no: the numeric ones,
/// then one per kind of lead (1 for the lead's own kind). Made once: every learned lead's
/// explanation reads it.
fn feature_names() -> &'static [(String, bool)] {
    static NAMES: std::sync::LazyLock<Vec<(String, bool)>> = std::sync::LazyLock::new(|| {
        NUMERIC
            .iter()
            .map(|&(name, yes_or_no)| (name.to_string(), yes_or_no))
            .chain(OpportunityKind::ALL.iter().map(|k| (format!("kind:{}", k.as_str()), true)))
            .collect()
    });
    &NAMES
}

/// A learned part's explanation in Chinese, saying what the label does not: for a yes-or-no
/// feature (a tie to a customer, a listing, the lead's kind) which it is, for a graded one
/// whether this lead stands above or below the mean lead; then what that adds or takes away
/// (`高于同类平均，加 35.7 分`, `否，减 1.6 分`).
fn detail(yes_or_no: bool, value: f64, mean: f64, points: f64) -> String {
    let sign = if points >= 0.0 { "加" } else { "减" };
    let place = match (yes_or_no, value) {
        (true, v) if v > 0.5 => "是",
        (true, _) => "否",
        (false, v) if v >= mean => "高于同类平均",
        (false, _) => "低于同类平均",
    };
    format!("{place}，{sign} {:.1} 分", points.abs())
}

/// The features of a lead, in `feature_names` order.
///
/// None of them moves with the day by itself: how pressing the event is comes from the rules'
/// time points (fresh events, pledges near expiry), which move a grade at a time on the days
/// the lead turns and is mined again. So a lead no run re-mined keeps its learned score, and
/// a day passing rescored nothing.
pub fn features(lead: &Opportunity, enterprise: Option<&Enterprise>) -> Vec<f64> {
    let rules_why = lead.rules.as_ref().map_or(&lead.why, |rules| &rules.why);
    let amount = lead.amount.filter(|a| *a > 0.0);
    let log_amount = amount.map_or(0.0, |a| (a.log10() - 5.0).clamp(0.0, 5.0) / 5.0);
    let to_capital = match (amount, enterprise.and_then(|e| e.registered_capital).filter(|c| *c > 0.0)) {
        (Some(a), Some(c)) => (a / c).log10().clamp(-3.0, 3.0) / 3.0,
        _ => 0.0,
    };
    let recency = rules_why
        .iter()
        .filter(|w| w.feature == "recency" || w.feature == "urgency")
        .map(|w| w.contribution)
        .sum::<f64>()
        / TIME_POINTS;
    let relationship = f64::from(
        enterprise.is_some_and(|e| e.is_customer) || rules_why.iter().any(|w| w.feature == "relationship"),
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

#[derive(Debug, Serialize, Deserialize)]
struct Model {
    weights: Vec<f64>,
    intercept: f64,
    means: Vec<f64>,
    /// The outcomes it was fitted on.
    outcomes: usize,
}

impl Model {
    fn fit(rows: &[Vec<f64>], wins: &[bool], outcomes: usize) -> Option<Model> {
        let width = rows.first()?.len();
        let x = Array2::from_shape_vec((rows.len(), width), rows.concat()).ok()?;
        let y = Array1::from_vec(wins.to_vec());
        let fitted =
            LogisticRegression::default().alpha(0.05).max_iterations(200).fit(&Dataset::new(x, y)).ok()?;
        let means = (0..width).map(|c| rows.iter().map(|r| r[c]).sum::<f64>() / rows.len() as f64).collect();
        // linfa's positive class is the more frequent one; turn the model to "won".
        let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
        let weights = fitted.params().iter().map(|w| w * sign).collect();
        Some(Model { weights, intercept: fitted.intercept() * sign, means, outcomes })
    }

    fn logit(&self, row: &[f64]) -> f64 {
        self.intercept + row.iter().zip(&self.weights).map(|(x, w)| x * w).sum::<f64>()
    }

    fn probability(&self, row: &[f64]) -> f64 {
        sigmoid(self.logit(row))
    }

    /// Each feature's part, in probability, of `row`'s distance from the mean row; the parts
    /// add up to that distance.
    fn attribution(&self, row: &[f64]) -> Vec<f64> {
        let (from, to) = (self.logit(&self.means), self.logit(row));
        let slope = if (to - from).abs() < 1e-9 {
            sigmoid(from) * (1.0 - sigmoid(from))
        } else {
            (sigmoid(to) - sigmoid(from)) / (to - from)
        };
        row.iter()
            .zip(self.weights.iter().zip(&self.means))
            .map(|(x, (w, mean))| w * (x - mean) * slope)
            .collect()
    }
}

fn sigmoid(logit: f64) -> f64 {
    1.0 / (1.0 + (-logit).exp())
}

/// A won or lost lead as the ranking learns from it: its features and its rules' score.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub id: String,
    pub kind: OpportunityKind,
    pub rules_score: f64,
    pub row: Vec<f64>,
    pub won: bool,
}

impl Outcome {
    /// `lead` as decided, read by the rules (a lead a model scored is read as the rules
    /// scored it).
    pub fn of(lead: &Opportunity, enterprise: Option<&Enterprise>, won: bool) -> Outcome {
        let mut lead = lead.clone();
        restore_rules(&mut lead);
        Outcome {
            id: lead.id.clone(),
            kind: lead.kind,
            rules_score: lead.score,
            row: features(&lead, enterprise),
            won,
        }
    }
}

/// Puts back the rules' score and explanation of a lead a model scored. Returns whether it
/// had been.
fn restore_rules(lead: &mut Opportunity) -> bool {
    match lead.rules.take() {
        Some(rules) => {
            (lead.score, lead.why) = (rules.score, rules.why);
            true
        }
        None => false,
    }
}

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

/// Whether a ranking fitted on `fitted` outcomes is fitted again now that there are `now`:
/// when they grew by a twentieth (at least one more), or fell. Between refits an outcome moves
/// no model, so it moves no lead but its own; a refit moves every lead of a learned kind.
pub fn refit_due(fitted: usize, now: usize) -> bool {
    now < fitted || now >= fitted + (fitted / 20).max(1)
}

/// What the ranking learned from outcomes: a model for each kind of lead
/// that earned one. A lead of such a kind is scored by its model ([`Learned::score`]); every
/// other lead keeps the rules' score.
#[derive(Debug)]
pub struct Learned {
    fitted: Fitted,
    /// Won/lost leads available now (the models may have been fitted on fewer).
    outcomes: usize,
}

/// A fit, as stored between runs ([`Learned::to_json`]).
#[derive(Debug, Serialize, Deserialize)]
struct Fitted {
    /// The outcomes it was fitted on, and under which settings.
    outcomes: usize,
    config: LearnConfig,
    models: BTreeMap<OpportunityKind, Model>,
    segments: Vec<SegmentReport>,
}

impl Learned {
    /// Nothing learned: every lead keeps the rules' score.
    pub fn nothing(outcomes: usize, config: &LearnConfig) -> Learned {
        let fitted =
            Fitted { outcomes: 0, config: config.clone(), models: BTreeMap::new(), segments: Vec::new() };
        Learned { fitted, outcomes }
    }

    /// A stored fit ([`Learned::to_json`]), with `outcomes` available now; `None` when it does
    /// not read or was fitted under other settings.
    pub fn stored(json: &str, outcomes: usize, config: &LearnConfig) -> Option<Learned> {
        let fitted: Fitted = serde_json::from_str(json).ok()?;
        (fitted.config == *config).then_some(Learned { fitted, outcomes })
    }

    /// The fit, to store between runs (`None`: nothing was fitted).
    pub fn to_json(&self) -> Option<String> {
        (self.fitted.outcomes > 0).then(|| serde_json::to_string(&self.fitted).ok()).flatten()
    }

    /// How many outcomes the models were fitted on (0: none).
    pub fn fitted_on(&self) -> usize {
        self.fitted.outcomes
    }

    /// Fits one model per kind of lead on `outcomes`, each kept only when it beats the rules
    /// on its held-out outcomes. The outcomes are taken in id order, so the same outcomes give
    /// the same models whichever order they were gathered in.
    pub fn fit(mut outcomes: Vec<Outcome>, config: &LearnConfig) -> Learned {
        if outcomes.len() < config.min_outcomes {
            return Learned::nothing(outcomes.len(), config);
        }
        outcomes.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        let mut learned = Learned::nothing(outcomes.len(), config);
        learned.fitted.outcomes = outcomes.len();
        // One segment per kind of lead: what wins an award lead is not what wins a refinancing.
        let mut by_kind: BTreeMap<OpportunityKind, Vec<&Outcome>> = BTreeMap::new();
        for outcome in &outcomes {
            by_kind.entry(outcome.kind).or_default().push(outcome);
        }
        for (kind, outcomes) in by_kind {
            let (segment, model) = learn_segment(kind, &outcomes, config);
            learned.fitted.models.extend(model.map(|model| (kind, model)));
            learned.fitted.segments.push(segment);
        }
        learned
    }

    /// Whether some kind of lead is scored by a model.
    pub fn applies(&self) -> bool {
        !self.fitted.models.is_empty()
    }

    /// Whether leads of `kind` are scored by a model.
    pub fn learns(&self, kind: OpportunityKind) -> bool {
        self.fitted.models.contains_key(&kind)
    }

    /// Scores `lead` as this ranking does: by its kind's model, with the features' points as
    /// its `why` and the rules' score kept in `rules`, or by the rules when its kind has no
    /// model. Returns whether the lead changed.
    pub fn score(&self, lead: &mut Opportunity, enterprise: Option<&Enterprise>) -> bool {
        let before = (lead.score, lead.why.clone());
        if restore_rules(lead) && !self.learns(lead.kind) {
            return true;
        }
        let Some(model) = self.fitted.models.get(&lead.kind) else { return false };
        let row = features(lead, enterprise);
        let p = model.probability(&row);
        let mut why: Vec<WhyItem> = feature_names()
            .iter()
            .zip(model.attribution(&row))
            .enumerate()
            .map(|(i, ((name, yes_or_no), part))| (i, name, *yes_or_no, part * 100.0))
            .filter(|(_, _, _, points)| points.abs() >= 0.5)
            .map(|(i, name, yes_or_no, points)| {
                let contribution = (points * 10.0).round() / 10.0;
                WhyItem {
                    feature: name.clone(),
                    contribution,
                    detail: detail(yes_or_no, row[i], model.means[i], contribution),
                }
            })
            .collect();
        why.sort_by(|a, b| b.contribution.abs().total_cmp(&a.contribution.abs()));
        why.insert(
            0,
            WhyItem {
                feature: "learned".into(),
                contribution: 0.0,
                detail: format!(
                    "按历史成交学习：成交概率 {:.0}%，同类商机平均水平 {:.0} 分，以下各项为相对平均的加减分（依据 {} 条{}类商机的结果）",
                    p * 100.0,
                    model.probability(&model.means) * 100.0,
                    model.outcomes,
                    lead.kind.label_cn()
                ),
            },
        );
        let rules_why = std::mem::replace(&mut lead.why, why);
        lead.rules = Some(RulesScore { score: lead.score, why: rules_why });
        lead.score = ((p * 1000.0).round() / 10.0).clamp(0.0, 100.0);
        // A lead scored again by the same model on the same day reads as it did.
        before.0 != lead.score || before.1 != lead.why
    }

    /// A fingerprint of how this ranking scores leads: the same value, the same scores, on any
    /// day. Every ranking by the rules alone has the same one.
    pub fn fingerprint(&self) -> i64 {
        if !self.applies() {
            return 0;
        }
        let text = format!("{SCORING}\u{1f}{:?}", self.fitted.models);
        xxhash_rust::xxh3::xxh3_64(text.as_bytes()) as i64
    }

    /// What the ranking step decided, for the mining summary, with `present` the kinds of lead
    /// there are.
    pub fn report(&self, present: &BTreeSet<OpportunityKind>) -> RankingReport {
        if self.outcomes < self.fitted.config.min_outcomes {
            return too_few_outcomes(self.outcomes, &self.fitted.config);
        }
        let learned = self.fitted.models.keys().filter(|k| present.contains(k)).count();
        RankingReport {
            ranking: match learned {
                0 => "rules",
                n if n == present.len() => "learned",
                _ => "mixed",
            },
            outcomes: self.outcomes,
            reason: format!(
                "learned for {learned} of {} kinds of lead, fitted on {} outcomes",
                present.len(),
                self.fitted.outcomes
            ),
            segments: self.fitted.segments.clone(),
            rescored: None,
        }
    }
}

/// Fits one segment's model and keeps it only when it beats the rules on held-out outcomes.
fn learn_segment(
    kind: OpportunityKind,
    outcomes: &[&Outcome],
    config: &LearnConfig,
) -> (SegmentReport, Option<Model>) {
    let wins = outcomes.iter().filter(|o| o.won).count();
    let mut report = SegmentReport {
        segment: kind.as_str().into(),
        ranking: "rules".into(),
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
    let (test, train): (Vec<&Outcome>, Vec<&Outcome>) = outcomes.iter().partition(|o| held_out(&o.id));
    let pick = |set: &[&Outcome]| -> (Vec<Vec<f64>>, Vec<bool>) {
        (set.iter().map(|o| o.row.clone()).collect(), set.iter().map(|o| o.won).collect())
    };
    let (train_x, train_y) = pick(&train);
    let (test_x, test_y) = pick(&test);
    let both = |ys: &[bool]| ys.iter().any(|w| *w) && ys.iter().any(|w| !*w);
    if !both(&train_y) || !both(&test_y) {
        report.reason = "the held-out split lacks one of the outcomes".into();
        return (report, None);
    }
    let Some(trial) = Model::fit(&train_x, &train_y, train.len()) else {
        report.reason = "the model did not converge".into();
        return (report, None);
    };
    let learned = auc(&test_x.iter().map(|r| trial.probability(r)).collect::<Vec<_>>(), &test_y);
    let rules = auc(&test.iter().map(|o| o.rules_score).collect::<Vec<_>>(), &test_y);
    report.learned_auc = Some((learned * 1000.0).round() / 1000.0);
    report.rules_auc = Some((rules * 1000.0).round() / 1000.0);
    if learned < rules + config.min_auc_gain {
        report.reason = format!("held-out AUC {learned:.3} does not beat the rules' {rules:.3}");
        return (report, None);
    }
    let (all_x, all_y) = pick(outcomes);
    let Some(model) = Model::fit(&all_x, &all_y, outcomes.len()) else {
        report.reason = "the model did not converge on every outcome".into();
        return (report, None);
    };
    report.ranking = "learned".into();
    report.reason = format!("held-out AUC {learned:.3} beats the rules' {rules:.3}");
    (report, Some(model))
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
            let model = Model::fit(&rows, &wins, rows.len()).unwrap();
            assert!(model.probability(&[0.95, 0.5]) > 0.5, "share {wins_share}");
            assert!(model.probability(&[0.05, 0.5]) < 0.5, "share {wins_share}");
        }
    }

    #[test]
    fn the_parts_of_a_learned_score_add_up_to_its_distance_from_the_mean_lead() {
        let rows: Vec<Vec<f64>> = (0..200).map(|i| vec![f64::from(i) / 20.0, f64::from(i % 7)]).collect();
        let wins: Vec<bool> = (0..200).map(|i| i % 7 < 3 && i > 60 || i > 150).collect();
        let model = Model::fit(&rows, &wins, rows.len()).unwrap();
        let middle = model.probability(&model.means);
        for row in [vec![9.9, 0.0], vec![0.0, 6.0], model.means.clone(), vec![50.0, -20.0]] {
            let parts = model.attribution(&row);
            let distance = model.probability(&row) - middle;
            assert!((parts.iter().sum::<f64>() - distance).abs() < 1e-9, "{row:?}: {parts:?} vs {distance}");
            assert!(parts.iter().all(|p| p.abs() <= 1.0), "no part is larger than the whole scale");
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
        let outcomes: Vec<Outcome> = leads
            .iter()
            .enumerate()
            .map(|(i, o)| Outcome::of(o, None, o.amount == Some(5e8) || (i >= 400 && i % 2 == 0)))
            .collect();
        // Gathered in another order, the same outcomes learn the same.
        let reversed = Learned::fit(outcomes.iter().rev().cloned().collect(), &LearnConfig::default());
        let learned = Learned::fit(outcomes, &LearnConfig::default());
        assert_eq!(learned.fingerprint(), reversed.fingerprint());
        assert_ne!(learned.fingerprint(), 0);
        let present = leads.iter().map(|o| o.kind).collect();
        let report = learned.report(&present);
        assert_eq!(report.ranking, "mixed");
        let segment = |kind: &str| report.segments.iter().find(|s| s.segment == kind).unwrap();
        assert_eq!(segment("tender_award").ranking, "learned");
        assert_eq!(segment("pledge_refinancing").ranking, "rules");
        for lead in &mut leads {
            learned.score(lead, None);
        }
        let (big, small) = (&leads[0], &leads[1]);
        assert!(big.score > 80.0 && small.score < 20.0, "{} {}", big.score, small.score);
        assert_eq!(big.why[0].feature, "learned");
        let middle = 100.0
            * learned.fitted.models[&OpportunityKind::TenderAward]
                .probability(&learned.fitted.models[&OpportunityKind::TenderAward].means);
        for lead in [big, small] {
            // Parts under half a point are left out and each is rounded to a tenth.
            let parts: f64 = lead.why.iter().map(|w| w.contribution).sum();
            let slack = 0.55 * feature_names().len() as f64 + 0.05;
            assert!((parts - (lead.score - middle)).abs() <= slack, "{parts} vs {} − {middle}", lead.score);
        }
        // Each part says where the lead stands against the mean lead and what that is worth,
        // not its label again.
        let amount_detail = |lead: &Opportunity| {
            let part = lead.why.iter().find(|w| w.feature == "amount").expect("the amount decides");
            (part.contribution, part.detail.clone())
        };
        let (up, up_detail) = amount_detail(big);
        assert!(up > 0.0 && up_detail == format!("高于同类平均，加 {up:.1} 分"), "{up_detail}");
        let (down, down_detail) = amount_detail(small);
        assert!(down < 0.0 && down_detail == format!("低于同类平均，减 {:.1} 分", -down), "{down_detail}");
        assert_eq!(big.rules.as_ref().map(|r| r.score), Some(50.0), "the rules' score is kept");
        assert!(leads[400].why.is_empty() && leads[400].score == 50.0, "pledges keep the rules' score");
        assert!(leads[400].rules.is_none());

        // Scored again by the same model: unchanged. Read as decided, a scored lead is read as
        // the rules scored it.
        let mut again = big.clone();
        assert!(!learned.score(&mut again, None));
        assert_eq!(&again, big);
        let outcome = Outcome::of(big, None, true);
        assert_eq!(outcome.rules_score, 50.0);
        assert_eq!(outcome.row, features(&lead(0, OpportunityKind::TenderAward, 5e8), None));

        // Stored and read back, the fit scores alike; under other settings it is not read.
        let json = learned.to_json().unwrap();
        let back = Learned::stored(&json, 421, &LearnConfig::default()).unwrap();
        assert_eq!(back.fitted_on(), 420);
        let mut read_back = lead(0, OpportunityKind::TenderAward, 5e8);
        back.score(&mut read_back, None);
        assert_eq!((read_back.score, &read_back.why), (big.score, &big.why));
        let stricter = LearnConfig { min_auc_gain: 0.1, ..LearnConfig::default() };
        assert!(Learned::stored(&json, 421, &stricter).is_none());
        assert!(Learned::nothing(0, &LearnConfig::default()).to_json().is_none());

        // When the model no longer applies, the lead reads as the rules scored it.
        let nothing = Learned::nothing(0, &LearnConfig::default());
        assert_eq!(nothing.fingerprint(), 0);
        assert!(nothing.score(&mut again, None));
        assert_eq!(again, lead(0, OpportunityKind::TenderAward, 5e8));
        assert!(!nothing.score(&mut again, None));
    }

    #[test]
    fn the_recency_feature_is_on_the_scale_of_the_rules_time_weights() {
        let rank = crate::mine::rank::RankConfig::default();
        assert_eq!((rank.recency_weight, rank.urgency_weight), (TIME_POINTS, TIME_POINTS));
    }

    #[test]
    fn a_yes_or_no_part_says_which_and_a_graded_one_where_it_stands() {
        let yes_or_no = |feature: &str| {
            feature_names().iter().find(|(name, _)| name == feature).map(|&(_, yes_or_no)| yes_or_no).unwrap()
        };
        assert_eq!(detail(yes_or_no("listed"), 0.0, 0.1, -1.6), "否，减 1.6 分");
        assert_eq!(detail(yes_or_no("relationship"), 1.0, 0.3, 6.04), "是，加 6.0 分");
        assert_eq!(detail(yes_or_no("kind:tender_award"), 1.0, 0.4, 2.0), "是，加 2.0 分");
        assert_eq!(detail(yes_or_no("amount"), 0.2, 0.5, 3.0), "低于同类平均，加 3.0 分");
        assert_eq!(detail(yes_or_no("risk"), 0.9, 0.5, -12.24), "高于同类平均，减 12.2 分");
        // Every yes-or-no feature is 0 or 1, whatever the lead and its enterprise.
        let firm = Enterprise { listed: true, is_customer: true, ..Default::default() };
        for (lead, enterprise) in [
            (lead(1, OpportunityKind::TenderAward, 2e6), Some(&firm)),
            (lead(2, OpportunityKind::PledgeRefinancing, 0.0), None),
        ] {
            let row = features(&lead, enterprise);
            assert_eq!(row.len(), feature_names().len());
            for ((name, yes_or_no), value) in feature_names().iter().zip(row) {
                assert!(!yes_or_no || value == 0.0 || value == 1.0, "{name}: {value}");
            }
        }
    }

    #[test]
    fn models_are_fitted_again_when_outcomes_grow_by_a_twentieth_or_fall() {
        assert!(!refit_due(60, 60));
        assert!(!refit_due(60, 62));
        assert!(refit_due(60, 63));
        assert!(refit_due(60, 59));
        assert!(!refit_due(1000, 1049));
        assert!(refit_due(1000, 1050));
        assert!(refit_due(10, 11), "at least one more");
    }

    #[test]
    fn auc_counts_ordered_pairs_and_ties_half() {
        assert_eq!(auc(&[0.1, 0.2, 0.8, 0.9], &[false, false, true, true]), 1.0);
        assert_eq!(auc(&[0.9, 0.8, 0.2, 0.1], &[false, false, true, true]), 0.0);
        assert_eq!(auc(&[0.5, 0.5], &[false, true]), 0.5);
    }
}
