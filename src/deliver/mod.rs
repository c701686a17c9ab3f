//! Delivery: who gets each lead, and getting it to them.
//!
//! Assignment (this file) decides the manager; `outbox.rs` decides what is due and renders
//! messages; `channel.rs` sends them to webhooks and group robots; `dispatch.rs` runs one
//! dispatch over the store's outbox.
//!
//! A lead that was pushed, queued or acted on keeps its manager for good: re-mining never
//! moves it. Other live leads are assigned best first: the enterprise's own account manager,
//! else a manager whose regions cover the enterprise's region (industry fit breaks ties, then
//! the lighter load). Weekly capacity is a hard limit: a lead no fitting manager has room for
//! stays unassigned — visible to admins, assigned by a later run when room frees up — and is
//! never handed to a manager in another city.

pub mod campaign;
pub mod channel;
pub mod dispatch;
pub mod funnel;
pub mod outbox;
pub mod watch;

use crate::model::{Commitments, Enterprise, EnterpriseId, Manager, Opportunity};
use std::collections::HashMap;

/// Default weekly capacity for a manager who gave none.
pub const DEFAULT_CAPACITY: u32 = 20;

/// What assignment reads of a lead and sets on it.
pub trait Assignable {
    fn id(&self) -> &str;
    fn enterprise(&self) -> EnterpriseId;
    fn score(&self) -> f64;
    fn is_suppressed(&self) -> bool;
    fn set_manager(&mut self, manager: Option<String>);
}

impl Assignable for Opportunity {
    fn id(&self) -> &str {
        &self.id
    }
    fn enterprise(&self) -> EnterpriseId {
        self.enterprise.id
    }
    fn score(&self) -> f64 {
        self.score
    }
    fn is_suppressed(&self) -> bool {
        self.suppressed.is_some()
    }
    fn set_manager(&mut self, manager: Option<String>) {
        self.manager = manager;
    }
}

pub fn assign<L: Assignable>(
    opportunities: &mut [L],
    enterprises: &[Enterprise],
    managers: &[Manager],
    commitments: &Commitments,
) {
    let by_id: HashMap<EnterpriseId, &Enterprise> = enterprises.iter().map(|e| (e.id, e)).collect();
    let known: HashMap<&str, usize> = managers.iter().enumerate().map(|(i, m)| (m.id.as_str(), i)).collect();
    let mut load: Vec<u32> =
        managers.iter().map(|m| commitments.used.get(&m.id).copied().unwrap_or(0)).collect();
    let capacity = |i: usize| managers[i].capacity.unwrap_or(DEFAULT_CAPACITY);
    for index in best_first(opportunities) {
        let opp = &mut opportunities[index];
        if let Some(manager) = commitments.pinned.get(opp.id()).filter(|m| known.contains_key(m.as_str())) {
            opp.set_manager(Some(manager.clone()));
            continue;
        }
        let enterprise = by_id.get(&opp.enterprise()).copied();
        let owner = enterprise.and_then(|e| e.manager_id.as_deref()).and_then(|m| known.get(m).copied());
        if opp.is_suppressed() {
            // Suppressed leads cost no capacity; the owner may look at them.
            opp.set_manager(owner.map(|i| managers[i].id.clone()));
            continue;
        }
        let chosen = match owner {
            Some(i) => Some(i).filter(|&i| load[i] < capacity(i)),
            None => best_fit(enterprise, managers, &load, capacity),
        };
        opp.set_manager(chosen.map(|i| {
            load[i] += 1;
            managers[i].id.clone()
        }));
    }
}

/// The indices of `leads` live before suppressed, best score first, then by id: the order
/// leads take capacity in. The keys are gathered first, so sorting millions of stored leads
/// compares integers held side by side, and reads a lead's id only when two scores and the
/// first eight bytes of their ids tie.
fn best_first<L: Assignable>(leads: &[L]) -> impl Iterator<Item = usize> {
    // Higher scores first: the bits of a float, flipped to sort as the float does
    // (`f64::total_cmp`), then reversed.
    let descending = |x: f64| {
        let bits = x.to_bits();
        let ordered = if bits >> 63 == 1 { !bits } else { bits | 1 << 63 };
        !ordered
    };
    let prefix = |id: &str| {
        let mut bytes = [0u8; 8];
        let head = &id.as_bytes()[..id.len().min(8)];
        bytes[..head.len()].copy_from_slice(head);
        u64::from_be_bytes(bytes)
    };
    let mut keys: Vec<(bool, u64, u64, u32)> = leads
        .iter()
        .enumerate()
        .map(|(i, lead)| (lead.is_suppressed(), descending(lead.score()), prefix(lead.id()), i as u32))
        .collect();
    keys.sort_unstable_by(|a, b| {
        (a.0, a.1, a.2)
            .cmp(&(b.0, b.1, b.2))
            .then_with(|| leads[a.3 as usize].id().cmp(leads[b.3 as usize].id()))
            .then(a.3.cmp(&b.3))
    });
    keys.into_iter().map(|key| key.3 as usize)
}

/// Whether a manager's regions cover an enterprise's region (`宜昌` covers `湖北省宜昌市`); a
/// manager without regions covers every region, after the managers who name it.
fn region_fit(manager: &Manager, enterprise: Option<&Enterprise>) -> Option<u8> {
    if manager.regions.is_empty() {
        return Some(0);
    }
    let region = enterprise?.region.as_deref().filter(|r| !r.trim().is_empty())?;
    manager
        .regions
        .iter()
        .any(|mr| !mr.is_empty() && (region.contains(mr.as_str()) || mr.contains(region)))
        .then_some(1)
}

fn best_fit(
    enterprise: Option<&Enterprise>,
    managers: &[Manager],
    load: &[u32],
    capacity: impl Fn(usize) -> u32,
) -> Option<usize> {
    let industry = |m: &Manager| {
        enterprise.and_then(|e| e.industry.as_deref()).is_some_and(|i| m.industries.iter().any(|mi| mi == i))
    };
    managers
        .iter()
        .enumerate()
        .filter(|&(i, _)| load[i] < capacity(i))
        .filter_map(|(i, m)| region_fit(m, enterprise).map(|fit| (i, m, fit)))
        .max_by(|(a, ma, fa), (b, mb, fb)| {
            let ratio = |i: usize| f64::from(load[i]) / f64::from(capacity(i).max(1));
            (fa, industry(ma))
                .cmp(&(fb, industry(mb)))
                .then(ratio(*b).total_cmp(&ratio(*a)))
                .then(mb.id.cmp(&ma.id))
        })
        .map(|(i, _, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::OpportunityKind;

    fn manager(id: &str, regions: &[&str], capacity: u32) -> Manager {
        Manager {
            id: id.into(),
            name: id.into(),
            branch: None,
            regions: regions.iter().map(|s| s.to_string()).collect(),
            industries: vec![],
            capacity: Some(capacity),
            channel: Default::default(),
            webhook: None,
            secret: None,
        }
    }

    fn lead(id: &str, enterprise: EnterpriseId, score: f64) -> Opportunity {
        Opportunity { score, ..Opportunity::bare(id, enterprise, OpportunityKind::TenderAward) }
    }

    fn enterprises() -> Vec<Enterprise> {
        vec![
            Enterprise {
                id: 1,
                region: Some("湖北省宜昌市".into()),
                manager_id: Some("m2".into()),
                ..Default::default()
            },
            Enterprise { id: 2, region: Some("湖北省宜昌市".into()), ..Default::default() },
            Enterprise { id: 3, region: Some("广东省深圳市".into()), ..Default::default() },
            Enterprise { id: 4, region: Some("北京市".into()), ..Default::default() },
        ]
    }

    fn managers_of(leads: &[Opportunity]) -> Vec<Option<&str>> {
        leads.iter().map(|l| l.manager.as_deref()).collect()
    }

    /// Capacity goes best first: the sort on gathered keys gives the order a plain comparison
    /// gives (live first, higher score, then id), with ids that tie on their first 8 bytes,
    /// equal scores and negative zero among them.
    #[test]
    fn leads_take_capacity_live_and_best_first_then_by_id() {
        let scores = [0.0, -0.0, 12.5, 12.5, 99.9, 3.0, 100.0];
        let mut leads: Vec<Opportunity> = (0..200)
            .map(|i| {
                let mut l = lead(&format!("opp-12{:03}", (i * 37) % 200), 1, scores[i % scores.len()]);
                if i % 5 == 0 {
                    l.suppressed = Some(crate::model::Suppression {
                        reason: crate::model::SuppressionReason::Duplicate,
                        duplicate_of: None,
                        detail: None,
                    });
                }
                l
            })
            .collect();
        leads.push(lead("opp", 1, 12.5));
        leads.push(lead("opp-12", 1, 12.5));
        let mut expected: Vec<usize> = (0..leads.len()).collect();
        expected.sort_by(|&a, &b| {
            let (x, y) = (&leads[a], &leads[b]);
            x.is_suppressed().cmp(&y.is_suppressed()).then(y.score.total_cmp(&x.score)).then(x.id.cmp(&y.id))
        });
        assert_eq!(best_first(&leads).collect::<Vec<_>>(), expected);
    }

    #[test]
    fn own_manager_first_then_region_and_capacity_is_a_hard_limit() {
        let managers =
            vec![manager("m1", &["宜昌"], 1), manager("m2", &["深圳"], 5), manager("m3", &["宜昌"], 1)];
        let mut leads = vec![
            lead("a", 1, 90.0),
            lead("b", 2, 80.0),
            lead("c", 2, 70.0),
            lead("d", 3, 60.0),
            lead("e", 2, 50.0),
            lead("f", 4, 40.0),
        ];
        assign(&mut leads, &enterprises(), &managers, &Commitments::default());
        // e: both 宜昌 managers are full; f: nobody covers 北京. Neither goes to 深圳.
        assert_eq!(managers_of(&leads), [Some("m2"), Some("m1"), Some("m3"), Some("m2"), None, None]);
    }

    #[test]
    fn pinned_leads_keep_their_manager_and_this_weeks_leads_use_capacity() {
        let managers = vec![manager("m1", &["宜昌"], 2), manager("m3", &["宜昌"], 2)];
        let mut commitments = Commitments::default();
        commitments.pinned.insert("b".into(), "m3".into());
        commitments.used.insert("m1".into(), 2);
        commitments.used.insert("m3".into(), 1);
        let mut leads = vec![lead("b", 2, 80.0), lead("c", 2, 70.0), lead("d", 2, 60.0)];
        assign(&mut leads, &enterprises(), &managers, &commitments);
        assert_eq!(managers_of(&leads), [Some("m3"), Some("m3"), None]);
    }
}
