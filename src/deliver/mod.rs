//! Delivery: who gets each lead.
//!
//! An enterprise's own account manager keeps its leads. Otherwise the lead goes to the manager
//! whose regions and industries fit best, spreading by weekly capacity: among equally good
//! fits, the one with the lowest load relative to capacity. Leads are assigned best first, so
//! when capacity runs out it is the weaker leads that overflow.

use crate::model::{Enterprise, EnterpriseId, Manager, Opportunity};
use std::collections::HashMap;

/// Default weekly capacity for a manager who gave none.
pub const DEFAULT_CAPACITY: u32 = 20;

pub fn assign(opportunities: &mut [Opportunity], enterprises: &[Enterprise], managers: &[Manager]) {
    if managers.is_empty() {
        return;
    }
    let by_id: HashMap<EnterpriseId, &Enterprise> = enterprises.iter().map(|e| (e.id, e)).collect();
    let known: HashMap<&str, usize> = managers.iter().enumerate().map(|(i, m)| (m.id.as_str(), i)).collect();
    let mut load = vec![0u32; managers.len()];
    let mut order: Vec<usize> = (0..opportunities.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&opportunities[a], &opportunities[b]);
        x.suppressed.is_some().cmp(&y.suppressed.is_some()).then(y.score.total_cmp(&x.score))
    });
    for index in order {
        let opp = &mut opportunities[index];
        let enterprise = by_id.get(&opp.enterprise.id).copied();
        let owner = enterprise.and_then(|e| e.manager_id.as_deref()).and_then(|m| known.get(m).copied());
        let chosen = owner.unwrap_or_else(|| best_fit(enterprise, managers, &load));
        if opp.suppressed.is_none() {
            load[chosen] += 1;
        }
        opp.manager = Some(managers[chosen].id.clone());
    }
}

fn best_fit(enterprise: Option<&Enterprise>, managers: &[Manager], load: &[u32]) -> usize {
    let fit = |m: &Manager| -> u32 {
        let Some(e) = enterprise else { return 0 };
        let region = e
            .region
            .as_deref()
            .is_some_and(|r| m.regions.iter().any(|mr| r.contains(mr.as_str()) || mr.contains(r)));
        let industry = e.industry.as_deref().is_some_and(|i| m.industries.iter().any(|mi| mi == i));
        u32::from(region) * 2 + u32::from(industry)
    };
    let mut best = 0;
    let mut best_key = (0u32, f64::MAX);
    for (i, m) in managers.iter().enumerate() {
        let capacity = f64::from(m.capacity.unwrap_or(DEFAULT_CAPACITY).max(1));
        let key = (fit(m), f64::from(load[i]) / capacity);
        if key.0 > best_key.0 || (key.0 == best_key.0 && key.1 < best_key.1) {
            best = i;
            best_key = key;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EnterpriseRef, OpportunityKind, OpportunityStatus};

    fn manager(id: &str, regions: &[&str], capacity: u32) -> Manager {
        Manager {
            id: id.into(),
            name: id.into(),
            branch: None,
            regions: regions.iter().map(|s| s.to_string()).collect(),
            industries: vec![],
            capacity: Some(capacity),
            webhook: None,
        }
    }

    fn lead(id: &str, enterprise: EnterpriseId, score: f64) -> Opportunity {
        Opportunity {
            id: id.into(),
            enterprise: EnterpriseRef { id: enterprise, name: String::new(), uscc: None },
            kind: OpportunityKind::TenderAward,
            products: vec![],
            score,
            why: vec![],
            evidence: vec![],
            alerts: vec![],
            manager: None,
            status: OpportunityStatus::New,
            due: None,
            suppressed: None,
        }
    }

    #[test]
    fn own_manager_first_then_region_then_load() {
        let enterprises = vec![
            Enterprise {
                id: 1,
                region: Some("湖北省宜昌市".into()),
                manager_id: Some("m2".into()),
                ..Default::default()
            },
            Enterprise { id: 2, region: Some("湖北省宜昌市".into()), ..Default::default() },
            Enterprise { id: 3, region: Some("广东省深圳市".into()), ..Default::default() },
        ];
        let managers =
            vec![manager("m1", &["宜昌"], 1), manager("m2", &["深圳"], 5), manager("m3", &["宜昌"], 1)];
        let mut leads = vec![lead("a", 1, 90.0), lead("b", 2, 80.0), lead("c", 2, 70.0), lead("d", 3, 60.0)];
        assign(&mut leads, &enterprises, &managers);
        let got: Vec<&str> = leads.iter().map(|l| l.manager.as_deref().unwrap()).collect();
        assert_eq!(got, ["m2", "m1", "m3", "m2"]);
    }
}
