//! 裂变式获客: a core customer's whole chain as one batch — its suppliers and buyers tier by
//! tier (invoice volume), and its group members — each with the leads already open on it, or
//! flagged as a prospect to approach.

use crate::graph::{EnterpriseGraph, NodeRef};
use crate::mine::GraphView;
use crate::model::{EnterpriseId, EnterpriseRef};
use crate::store::{Store, StoreError};
use serde::Serialize;

/// One firm of a campaign.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CampaignMember {
    pub enterprise: EnterpriseRef,
    /// `supplier`, `buyer` or `group`.
    pub relation: &'static str,
    /// 1 for a direct supplier or buyer, 2 for theirs (group members: the hops away).
    pub tier: usize,
    /// Invoice volume (yuan) towards the previous tier; none for group members.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume: Option<f64>,
    /// Names from the customer to this firm (group members).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<String>,
    pub is_customer: bool,
    /// Live leads already open on the firm.
    pub leads: Vec<String>,
    /// Not a customer and no lead yet: someone should call.
    pub prospect: bool,
}

/// The campaign around `customer`, supply tiers up to `depth`.
pub fn campaign(
    graph: &EnterpriseGraph,
    store: &Store,
    customer: EnterpriseId,
    depth: usize,
) -> Result<Vec<CampaignMember>, StoreError> {
    let core = NodeRef::Enterprise(customer);
    // (firm, relation, tier, volume, path), before the store fills in the rest.
    type Found = (EnterpriseId, &'static str, usize, Option<f64>, Vec<String>);
    let mut members: Vec<Found> = Vec::new();
    for (upstream, relation) in [(true, "supplier"), (false, "buyer")] {
        for tier in graph.supply_tiers(&core, upstream, depth).unwrap_or_default() {
            for member in tier.members {
                if let Some(id) = member.node.id.enterprise() {
                    members.push((id, relation, tier.tier, Some(member.volume), Vec::new()));
                }
            }
        }
    }
    for (id, path) in graph.group_members(customer, 3) {
        if !members.iter().any(|m| m.0 == id) {
            let hops = path.len().saturating_sub(1);
            members.push((id, "group", hops, None, path));
        }
    }
    let mut out = Vec::with_capacity(members.len());
    for (id, relation, tier, volume, path) in members {
        let Some(enterprise) = store.enterprise(id)? else { continue };
        let leads = store.live_leads_of(id)?;
        out.push(CampaignMember {
            prospect: !enterprise.is_customer && leads.is_empty(),
            is_customer: enterprise.is_customer,
            enterprise: enterprise.to_ref(),
            relation,
            tier,
            volume,
            path,
            leads,
        });
    }
    Ok(out)
}
