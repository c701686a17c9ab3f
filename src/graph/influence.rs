//! Influence and supply structure: personalised PageRank from seed nodes (risk spread,
//! influence) as a power iteration over a compact adjacency, and supply-chain tiers around a
//! core enterprise.

use super::analysis::NodeOut;
use super::{Adjacency, EdgeKind, EnterpriseGraph, IndexMap, IndexSet, NodeRef};
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use serde::Serialize;
use std::collections::HashSet;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked<'g> {
    #[serde(flatten)]
    pub node: NodeOut<'g>,
    pub score: f64,
}

#[derive(Debug, Clone, Copy)]
pub struct PageRankConfig {
    /// Probability of following an edge rather than jumping back to a seed.
    pub damping: f64,
    pub max_iterations: usize,
    /// Stop when the scores move less than this in total (L1).
    pub tolerance: f64,
}

impl Default for PageRankConfig {
    fn default() -> Self {
        PageRankConfig { damping: 0.85, max_iterations: 50, tolerance: 1e-9 }
    }
}

impl EnterpriseGraph {
    /// Personalised PageRank from `seeds` over edges of `kinds` (all when empty), walked in
    /// either direction. Dangling mass returns to the seeds. The `top` best non-seed nodes.
    pub fn personalized_pagerank(
        &self,
        seeds: &[NodeRef],
        kinds: &[EdgeKind],
        config: PageRankConfig,
        top: usize,
    ) -> Vec<Ranked<'_>> {
        let seeds: Vec<usize> = seeds.iter().filter_map(|s| self.index_of(s)).map(|i| i.index()).collect();
        if seeds.is_empty() {
            return Vec::new();
        }
        let adjacency = Adjacency::undirected(&self.graph, |k| kinds.is_empty() || kinds.contains(&k));
        let n = self.graph.node_count();
        let jump = 1.0 / seeds.len() as f64;
        let mut rank = vec![0.0f64; n];
        for &s in &seeds {
            rank[s] = jump;
        }
        let mut next = vec![0.0f64; n];
        for _ in 0..config.max_iterations {
            next.iter_mut().for_each(|x| *x = 0.0);
            let mut dangling = 0.0;
            for (node, &r) in rank.iter().enumerate() {
                if r == 0.0 {
                    continue;
                }
                let out = adjacency.of(node);
                if out.is_empty() {
                    dangling += r;
                    continue;
                }
                let share = config.damping * r / out.len() as f64;
                for &t in out {
                    next[t as usize] += share;
                }
            }
            let back = (1.0 - config.damping) + config.damping * dangling;
            for &s in &seeds {
                next[s] += back * jump;
            }
            let delta: f64 = rank.iter().zip(&next).map(|(a, b)| (a - b).abs()).sum();
            std::mem::swap(&mut rank, &mut next);
            if delta < config.tolerance {
                break;
            }
        }
        let seed_set: HashSet<usize> = seeds.into_iter().collect();
        let mut ranked: Vec<(usize, f64)> =
            rank.into_iter().enumerate().filter(|(i, r)| *r > 0.0 && !seed_set.contains(i)).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked
            .into_iter()
            .take(top)
            .map(|(i, score)| Ranked { node: self.out(NodeIndex::new(i)), score })
            .collect()
    }

    /// Supply-chain tiers around `core`: tier 1 are its direct suppliers (upstream) or buyers
    /// (downstream), tier 2 theirs, up to `depth`; each tier by invoice volume, largest first.
    pub fn supply_tiers(&self, core: &NodeRef, upstream: bool, depth: usize) -> Option<Vec<Tier<'_>>> {
        let start = self.index_of(core)?;
        let direction = if upstream { Direction::Incoming } else { Direction::Outgoing };
        let mut seen = IndexSet::from_iter([start]);
        let mut frontier = vec![start];
        let mut tiers = Vec::new();
        for tier in 1..=depth {
            let mut volume: IndexMap<(f64, u32)> = IndexMap::default();
            for &node in &frontier {
                for edge in self.graph.edges_directed(node, direction) {
                    if edge.weight().kind != EdgeKind::Supplier {
                        continue;
                    }
                    let other = if upstream { edge.source() } else { edge.target() };
                    if seen.contains(&other) {
                        continue;
                    }
                    let entry = volume.entry(other).or_default();
                    entry.0 += edge.weight().amount();
                    entry.1 += edge.weight().count;
                }
            }
            if volume.is_empty() {
                break;
            }
            let mut members: Vec<(NodeIndex, f64, u32)> =
                volume.into_iter().map(|(n, (v, c))| (n, v, c)).collect();
            members.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            frontier = members.iter().map(|m| m.0).collect();
            seen.extend(frontier.iter().copied());
            tiers.push(Tier {
                tier,
                members: members
                    .into_iter()
                    .map(|(n, volume, invoices)| TierMember { node: self.out(n), volume, invoices })
                    .collect(),
            });
        }
        Some(tiers)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tier<'g> {
    pub tier: usize,
    pub members: Vec<TierMember<'g>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierMember<'g> {
    #[serde(flatten)]
    pub node: NodeOut<'g>,
    /// Invoice volume (yuan) towards the previous tier.
    pub volume: f64,
    pub invoices: u32,
}

#[cfg(test)]
mod tests {
    use super::super::BuildOptions;
    use super::*;
    use crate::model::{Enterprise, Invoice, NamedEnterprise, Record};

    fn invoice(id: &str, seller: i64, buyer: i64, amount: f64) -> Record {
        Record::Invoice(Invoice {
            id: id.into(),
            seller: NamedEnterprise { name: format!("E{seller}"), id: seller },
            buyer: NamedEnterprise { name: format!("E{buyer}"), id: buyer },
            amount,
            issued: "2026-01-01".parse().unwrap(),
            category: None,
            extra: Default::default(),
        })
    }

    fn graph(records: &[Record], n: i64) -> EnterpriseGraph {
        let ents: Vec<Enterprise> =
            (1..=n).map(|id| Enterprise { id, name: format!("E{id}"), ..Default::default() }).collect();
        EnterpriseGraph::build(&ents, &[], &[], records, BuildOptions::new("2026-06-01".parse().unwrap()))
    }

    #[test]
    fn tiers_follow_invoice_volume() {
        // 2 and 3 supply 1; 4 supplies 2; 1 sells to 5.
        let records = [
            invoice("a", 2, 1, 100.0),
            invoice("b", 2, 1, 50.0),
            invoice("c", 3, 1, 500.0),
            invoice("d", 4, 2, 10.0),
            invoice("e", 1, 5, 70.0),
        ];
        let g = graph(&records, 5);
        let up = g.supply_tiers(&NodeRef::Enterprise(1), true, 3).unwrap();
        assert_eq!(up.len(), 2);
        let names: Vec<(&str, f64, u32)> =
            up[0].members.iter().map(|m| (m.node.name, m.volume, m.invoices)).collect();
        assert_eq!(names, [("E3", 500.0, 1), ("E2", 150.0, 2)]);
        assert_eq!(up[1].members[0].node.name, "E4");
        let down = g.supply_tiers(&NodeRef::Enterprise(1), false, 3).unwrap();
        assert_eq!(down[0].members[0].node.name, "E5");
    }

    #[test]
    fn pagerank_mass_flows_to_close_nodes_first() {
        // A chain 1-2-3-4 plus a star around 2.
        let records = [invoice("a", 1, 2, 1.0), invoice("b", 2, 3, 1.0), invoice("c", 3, 4, 1.0)];
        let g = graph(&records, 4);
        let ranked = g.personalized_pagerank(&[NodeRef::Enterprise(1)], &[], PageRankConfig::default(), 10);
        let order: Vec<&str> = ranked.iter().map(|r| r.node.name).collect();
        assert_eq!(order, ["E2", "E3", "E4"]);
        // Scores over every node (seed included) sum to one.
        let total: f64 = ranked.iter().map(|r| r.score).sum();
        assert!(total < 1.0 && total > 0.3, "{total}");
    }
}
