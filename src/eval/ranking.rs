//! Offline evaluation of the learned ranking: a generated dataset is mined, a hidden
//! propensity (which the rules do not know: the amount against the company's registered
//! capital, the tie to a customer, risk, the kind — and not recency) decides which of a sample
//! of live leads are won, the model learns from part of the outcomes, and the rest compare the
//! learned ranking with the rules by AUC and precision@50.

use crate::gen::{generate, GenConfig};
use crate::mine::learn::{auc, features, RankingReport};
use crate::model::{Date, Feedback, Opportunity, OpportunityKind, OpportunityStatus};
use crate::workspace::{Workspace, WorkspaceError};
use rand::{Rng, SeedableRng};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Serialize)]
pub struct Scores {
    pub auc: f64,
    pub precision_at_50: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RankingEval {
    pub enterprises: usize,
    pub live_leads: usize,
    pub trained_on: usize,
    pub evaluated_on: usize,
    /// Share of evaluated leads won: what a random ranking's precision would be.
    pub base_rate: f64,
    pub rules: Scores,
    pub learned: Scores,
    pub ranking: RankingReport,
}

#[derive(Debug, thiserror::Error)]
pub enum RankingEvalError {
    #[error(transparent)]
    Workspace(#[from] WorkspaceError),
    #[error("generating the dataset: {0}")]
    Gen(String),
}

/// The hidden log-odds of a lead being won.
fn propensity(lead: &Opportunity, row: &[f64]) -> f64 {
    let (to_capital, relationship, risk) = (row[1], row[3], row[6]);
    let kind = match lead.kind {
        OpportunityKind::SupplyChain => 0.8,
        OpportunityKind::PledgeRefinancing => 0.6,
        OpportunityKind::GroupCrossSell => 0.5,
        OpportunityKind::TenderAward => 0.0,
        OpportunityKind::ExecutiveNetwork => -0.3,
        _ => -0.5,
    };
    -0.6 + 2.5 * to_capital + 1.2 * relationship - 1.5 * risk + kind
}

fn scores(ranked: &[(f64, bool)]) -> Scores {
    let (s, w): (Vec<f64>, Vec<bool>) = ranked.iter().copied().unzip();
    let mut order: Vec<(f64, bool)> = ranked.to_vec();
    order.sort_by(|a, b| b.0.total_cmp(&a.0));
    let top = order.iter().take(50).filter(|p| p.1).count() as f64 / order.len().clamp(1, 50) as f64;
    Scores { auc: (auc(&s, &w) * 1000.0).round() / 1000.0, precision_at_50: top }
}

pub fn eval_ranking(enterprises: usize, seed: u64) -> Result<RankingEval, RankingEvalError> {
    let dir = tempfile::tempdir().map_err(|e| RankingEvalError::Gen(e.to_string()))?;
    let as_of: Date = "2026-11-20".parse().unwrap_or_default();
    generate(&GenConfig { enterprises, seed, as_of }, &dir.path().join("gen"))
        .map_err(|e| RankingEvalError::Gen(e.to_string()))?;
    let mut ws = Workspace::open(&dir.path().join("data"))?;
    ws.import(&[dir.path().join("gen")])?;
    ws.mine(as_of)?;
    let live = ws.store().opportunities(&Default::default()).map_err(WorkspaceError::from)?;
    let by_id: HashMap<i64, crate::model::Enterprise> =
        ws.store().enterprises().map_err(WorkspaceError::from)?.into_iter().map(|e| (e.id, e)).collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut train = Vec::new();
    let mut test: Vec<(String, bool, f64)> = Vec::new(); // (lead, won, rules score)
    for lead in &live {
        if !rng.random_bool(0.6) {
            continue;
        }
        let row = features(lead, by_id.get(&lead.enterprise.id));
        let noise: f64 = (rng.random::<f64>() + rng.random::<f64>() + rng.random::<f64>() - 1.5) * 1.2;
        let p = 1.0 / (1.0 + (-(propensity(lead, &row) + noise)).exp());
        let won = rng.random::<f64>() < p;
        if rng.random_bool(0.7) {
            train.push((lead.id.clone(), won));
        } else {
            test.push((lead.id.clone(), won, lead.score));
        }
    }
    for (id, won) in &train {
        let status = if *won { OpportunityStatus::Won } else { OpportunityStatus::Lost };
        ws.add_feedback(&Feedback {
            opportunity_id: id.clone(),
            actor: "simulator".into(),
            status,
            reason: None,
            note: None,
            at: "2026-11-20T10:00:00+08:00".into(),
        })?;
    }
    let summary = ws.mine(as_of)?;
    let mut learned = Vec::with_capacity(test.len());
    for (id, won, _) in &test {
        let score = ws.store().opportunity(id).map_err(WorkspaceError::from)?.map_or(0.0, |o| o.score);
        learned.push((score, *won));
    }
    let rules: Vec<(f64, bool)> = test.iter().map(|(_, won, score)| (*score, *won)).collect();
    Ok(RankingEval {
        enterprises,
        live_leads: live.len(),
        trained_on: train.len(),
        evaluated_on: test.len(),
        base_rate: test.iter().filter(|t| t.1).count() as f64 / test.len().max(1) as f64,
        rules: scores(&rules),
        learned: scores(&learned),
        ranking: summary.ranking,
    })
}
