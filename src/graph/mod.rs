//! The enterprise relationship graph, built with petgraph from the store's snapshot.
//!
//! Boundary: `NodeIndex` never leaves this module; callers speak in [`NodeRef`]s (enterprise ids
//! and person ids). The graph is derived data: rebuild it from a snapshot whenever the store
//! changes. Only relations current on the `as_of` date are edges.

use crate::model::{
    Date, Enterprise, EnterpriseId, Party, Person, PledgeStatus, Record, Relation, RelationKind, TenderKind,
};
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use serde::Serialize;
use std::collections::{HashMap, HashSet, VecDeque};

pub mod analysis;
pub mod export;
pub mod influence;
pub mod snapshot;

/// A node as the outside world names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum NodeRef {
    Enterprise(EnterpriseId),
    Person(String),
}

impl From<&Party> for NodeRef {
    fn from(party: &Party) -> Self {
        match party {
            Party::Enterprise(id) => NodeRef::Enterprise(*id),
            Party::Person(id) => NodeRef::Person(id.clone()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    Shareholder,
    Officer,
    LegalRep,
    Guarantee,
    Supplier,
    Branch,
    Control,
    /// pledgor -> pledgee of an active pledge.
    Pledge,
    /// buyer -> winner of an award.
    Tender,
}

impl EdgeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Shareholder => "shareholder",
            Self::Officer => "officer",
            Self::LegalRep => "legal_rep",
            Self::Guarantee => "guarantee",
            Self::Supplier => "supplier",
            Self::Branch => "branch",
            Self::Control => "control",
            Self::Pledge => "pledge",
            Self::Tender => "tender",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Shareholder,
            Self::Officer,
            Self::LegalRep,
            Self::Guarantee,
            Self::Supplier,
            Self::Branch,
            Self::Control,
            Self::Pledge,
            Self::Tender,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    fn from_relation(kind: RelationKind) -> Self {
        match kind {
            RelationKind::Shareholder => Self::Shareholder,
            RelationKind::Officer => Self::Officer,
            RelationKind::LegalRep => Self::LegalRep,
            RelationKind::Guarantee => Self::Guarantee,
            RelationKind::Supplier => Self::Supplier,
            RelationKind::Branch => Self::Branch,
            RelationKind::Control => Self::Control,
        }
    }

    /// A list of kinds as users write them (`shareholder, guarantee`); empty items are skipped.
    pub fn parse_list<S: AsRef<str>>(items: &[S]) -> Result<Vec<EdgeKind>, String> {
        items
            .iter()
            .map(|k| k.as_ref().trim())
            .filter(|k| !k.is_empty())
            .map(|k| EdgeKind::parse(k).ok_or_else(|| format!("unknown relation kind {k:?}")))
            .collect()
    }

    /// Edges along which ownership or control (and so risk) flows.
    pub fn is_ownership(self) -> bool {
        matches!(self, Self::Shareholder | Self::Control)
    }

    /// Edges that make two parties related for related-party screening.
    pub fn is_affiliation(self) -> bool {
        matches!(self, Self::Shareholder | Self::Control | Self::Officer | Self::LegalRep | Self::Branch)
    }
}

/// Edge payload, kept small: the graph is meant to hold tens of millions of edges.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    pub kind: EdgeKind,
    /// Shareholding fraction for shareholder edges.
    pub share: f64,
    /// Amount in yuan: guarantee amount, pledge amount, supply volume (invoices summed).
    pub amount: f64,
    /// Number of invoices aggregated into a supply edge (1 for other kinds).
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Node {
    key: NodeRef,
    name: String,
}

/// One step of a path, for explanations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub from: NodeRef,
    pub to: NodeRef,
    pub kind: EdgeKind,
}

/// An upstream owner and the chain from it down to the enterprise.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OwnerPath {
    pub owner: NodeRef,
    /// Node names from the owner to the enterprise.
    pub names: Vec<String>,
    /// Product of shares along the chain (control edges count as 1).
    pub share: f64,
}

#[derive(Debug, Default)]
pub struct EnterpriseGraph {
    graph: DiGraph<Node, Edge, u32>,
    index: HashMap<NodeRef, NodeIndex>,
    /// (attribute, normalised value) -> enterprises, for attributes two companies should not
    /// share (phone, address, email): suspected links (疑似关系).
    contacts: HashMap<(&'static str, String), Vec<EnterpriseId>>,
}

/// Options for building; the default takes every kind of link.
#[derive(Debug, Clone, Copy)]
pub struct BuildOptions {
    pub as_of: Date,
}

impl EnterpriseGraph {
    pub fn build(
        enterprises: &[Enterprise],
        persons: &[Person],
        relations: &[Relation],
        records: &[Record],
        options: BuildOptions,
    ) -> Self {
        let mut g = EnterpriseGraph { contacts: contacts_of(enterprises), ..Default::default() };
        for enterprise in enterprises {
            g.add_node(NodeRef::Enterprise(enterprise.id), enterprise.name.clone());
        }
        for person in persons {
            g.add_node(NodeRef::Person(person.id.clone()), person.name.clone());
        }
        for relation in relations.iter().filter(|r| r.is_current(options.as_of)) {
            let kind = EdgeKind::from_relation(relation.kind);
            let edge = Edge {
                kind,
                share: relation.share.unwrap_or(0.0),
                amount: relation.amount.unwrap_or(0.0),
                count: 1,
            };
            g.add_edge(&NodeRef::from(&relation.from), &NodeRef::Enterprise(relation.to), edge);
        }
        let mut supply: HashMap<(EnterpriseId, EnterpriseId), (f64, u32)> = HashMap::new();
        for record in records {
            match record {
                Record::Tender(t) if t.kind == TenderKind::Award => {
                    if let Some(buyer) = &t.buyer {
                        for winner in &t.winners {
                            let edge = Edge {
                                kind: EdgeKind::Tender,
                                share: 0.0,
                                amount: t.amount.unwrap_or(0.0),
                                count: 1,
                            };
                            g.add_edge(&NodeRef::Enterprise(buyer.id), &NodeRef::Enterprise(winner.id), edge);
                        }
                    }
                }
                Record::Pledge(p) if p.status == PledgeStatus::Active => {
                    let edge = Edge {
                        kind: EdgeKind::Pledge,
                        share: 0.0,
                        amount: p.amount.unwrap_or(0.0),
                        count: 1,
                    };
                    g.add_edge(&NodeRef::Enterprise(p.pledgor.id), &NodeRef::Enterprise(p.pledgee.id), edge);
                }
                Record::Invoice(i) if i.seller.id != i.buyer.id => {
                    let entry = supply.entry((i.seller.id, i.buyer.id)).or_default();
                    entry.0 += i.amount;
                    entry.1 += 1;
                }
                _ => {}
            }
        }
        let mut supply: Vec<_> = supply.into_iter().collect();
        supply.sort_by_key(|(k, _)| *k);
        for ((seller, buyer), (amount, count)) in supply {
            let edge = Edge { kind: EdgeKind::Supplier, share: 0.0, amount, count };
            g.add_edge(&NodeRef::Enterprise(seller), &NodeRef::Enterprise(buyer), edge);
        }
        g
    }

    fn add_node(&mut self, key: NodeRef, name: String) -> NodeIndex {
        if let Some(&index) = self.index.get(&key) {
            return index;
        }
        let index = self.graph.add_node(Node { key: key.clone(), name });
        self.index.insert(key, index);
        index
    }

    fn add_edge(&mut self, from: &NodeRef, to: &NodeRef, edge: Edge) -> Option<EdgeIndex> {
        let a = *self.index.get(from)?;
        let b = *self.index.get(to)?;
        Some(self.graph.add_edge(a, b, edge))
    }

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    pub fn contains(&self, node: &NodeRef) -> bool {
        self.index.contains_key(node)
    }

    pub fn name(&self, node: &NodeRef) -> Option<&str> {
        self.index.get(node).map(|&i| self.graph[i].name.as_str())
    }

    /// Direct edges into `node` of the given kind, with the other end.
    pub fn incoming(&self, node: &NodeRef, kind: EdgeKind) -> Vec<(NodeRef, Edge)> {
        self.neighbors_directed(node, kind, Direction::Incoming)
    }

    pub fn outgoing(&self, node: &NodeRef, kind: EdgeKind) -> Vec<(NodeRef, Edge)> {
        self.neighbors_directed(node, kind, Direction::Outgoing)
    }

    fn neighbors_directed(&self, node: &NodeRef, kind: EdgeKind, dir: Direction) -> Vec<(NodeRef, Edge)> {
        let Some(&index) = self.index.get(node) else { return Vec::new() };
        self.graph
            .edges_directed(index, dir)
            .filter(|e| e.weight().kind == kind)
            .map(|e| {
                let other = if dir == Direction::Incoming { e.source() } else { e.target() };
                (self.graph[other].key.clone(), *e.weight())
            })
            .collect()
    }

    /// Every upstream owner (shareholders and controllers) within `max_hops`, with the chain
    /// from the owner down to `node`. Breadth first, each owner reported once on its shortest
    /// chain, so shareholding cycles cannot loop.
    pub fn owners_within(&self, node: &NodeRef, max_hops: usize) -> Vec<OwnerPath> {
        let Some(&start) = self.index.get(node) else { return Vec::new() };
        let mut out = Vec::new();
        let mut seen = HashSet::from([start]);
        // (node, chain of nodes from this node down to start, product of shares)
        let mut queue = VecDeque::from([(start, vec![start], 1.0f64)]);
        while let Some((current, chain, share)) = queue.pop_front() {
            if chain.len() > max_hops {
                continue;
            }
            for edge in self.graph.edges_directed(current, Direction::Incoming) {
                if !edge.weight().kind.is_ownership() || !seen.insert(edge.source()) {
                    continue;
                }
                let step_share = match edge.weight().kind {
                    EdgeKind::Control => 1.0,
                    _ => edge.weight().share,
                };
                let mut owner_chain = vec![edge.source()];
                owner_chain.extend(chain.iter().copied());
                out.push(OwnerPath {
                    owner: self.graph[edge.source()].key.clone(),
                    names: owner_chain.iter().map(|&i| self.graph[i].name.clone()).collect(),
                    share: share * step_share,
                });
                queue.push_back((edge.source(), owner_chain, share * step_share));
            }
        }
        out
    }

    /// The shortest affiliation chain (shareholding, control, officers, legal representatives,
    /// branches, walked in either direction) between two nodes, if within `max_hops`.
    pub fn affiliation_path(&self, a: &NodeRef, b: &NodeRef, max_hops: usize) -> Option<Vec<String>> {
        let (&start, &goal) = (self.index.get(a)?, self.index.get(b)?);
        if start == goal {
            return Some(vec![self.graph[start].name.clone()]);
        }
        let mut parent: HashMap<NodeIndex, NodeIndex> = HashMap::new();
        let mut depth = HashMap::from([(start, 0usize)]);
        let mut queue = VecDeque::from([start]);
        while let Some(current) = queue.pop_front() {
            let d = depth[&current];
            if d == max_hops {
                continue;
            }
            let edges = self
                .graph
                .edges_directed(current, Direction::Outgoing)
                .map(|e| (e.target(), e.weight().kind))
                .chain(
                    self.graph
                        .edges_directed(current, Direction::Incoming)
                        .map(|e| (e.source(), e.weight().kind)),
                );
            for (next, kind) in edges {
                if !kind.is_affiliation() || depth.contains_key(&next) {
                    continue;
                }
                depth.insert(next, d + 1);
                parent.insert(next, current);
                if next == goal {
                    let mut path = vec![goal];
                    let mut at = goal;
                    while let Some(&p) = parent.get(&at) {
                        path.push(p);
                        at = p;
                    }
                    path.reverse();
                    return Some(path.iter().map(|&i| self.graph[i].name.clone()).collect());
                }
                queue.push_back(next);
            }
        }
        None
    }
}

/// Contact attributes (the import keeps unknown columns as extra attributes) and the column
/// names they may come under.
const CONTACT_ATTRIBUTES: [(&str, &[&str]); 3] = [
    ("phone", &["phone", "telephone", "tel", "联系电话", "电话"]),
    ("address", &["address", "addr", "registered_address", "地址", "注册地址"]),
    ("email", &["email", "mail", "邮箱"]),
];

fn contacts_of(enterprises: &[Enterprise]) -> HashMap<(&'static str, String), Vec<EnterpriseId>> {
    let mut contacts: HashMap<(&'static str, String), Vec<EnterpriseId>> = HashMap::new();
    for enterprise in enterprises {
        for (attribute, keys) in CONTACT_ATTRIBUTES {
            let value = keys.iter().find_map(|k| enterprise.extra.get(*k)).map(|v| normalize_contact(v));
            if let Some(value) = value.filter(|v| v.chars().count() >= 5) {
                contacts.entry((attribute, value)).or_default().push(enterprise.id);
            }
        }
    }
    contacts
}

fn normalize_contact(value: &str) -> String {
    crate::resolve::normalize_name(value).chars().filter(|c| !matches!(c, '-' | '(' | ')' | '+')).collect()
}

/// Another enterprise sharing something with the one asked about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuspectedLink {
    pub enterprise: analysis::NodeOut,
    /// `phone`, `address`, `email`, or the relation kind through a shared person.
    pub via: String,
    /// The shared value, or the shared person's name.
    pub shared: String,
}

impl EnterpriseGraph {
    /// 疑似关系: enterprises that share a phone, address or email with `enterprise`, or a person
    /// (as shareholder, officer or legal representative), without a direct relation of their own.
    pub fn suspected_links(&self, enterprise: EnterpriseId) -> Vec<SuspectedLink> {
        let me = NodeRef::Enterprise(enterprise);
        let Some(start) = self.index_of(&me) else { return Vec::new() };
        let directly_related: HashSet<NodeIndex> = self.graph.neighbors_undirected(start).collect();
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        for ((attribute, value), ids) in &self.contacts {
            if !ids.contains(&enterprise) {
                continue;
            }
            for &other in ids.iter().filter(|&&id| id != enterprise) {
                let Some(index) = self.index_of(&NodeRef::Enterprise(other)) else { continue };
                if !directly_related.contains(&index) && seen.insert((index, attribute.to_string())) {
                    out.push(SuspectedLink {
                        enterprise: self.out(index),
                        via: attribute.to_string(),
                        shared: value.clone(),
                    });
                }
            }
        }
        for person_edge in self.graph.edges_directed(start, Direction::Incoming) {
            let person = person_edge.source();
            if !matches!(self.graph[person].key, NodeRef::Person(_)) {
                continue;
            }
            for edge in self.graph.edges_directed(person, Direction::Outgoing) {
                let other = edge.target();
                if other == start || directly_related.contains(&other) {
                    continue;
                }
                let via = format!("person_{}", edge.weight().kind.as_str());
                if seen.insert((other, format!("{}:{via}", person.index()))) {
                    out.push(SuspectedLink {
                        enterprise: self.out(other),
                        via,
                        shared: self.graph[person].name.clone(),
                    });
                }
            }
        }
        out.sort_by(|a, b| a.via.cmp(&b.via).then(a.enterprise.name.cmp(&b.enterprise.name)));
        out
    }
}

fn to_party(node: &NodeRef) -> Party {
    match node {
        NodeRef::Enterprise(id) => Party::Enterprise(*id),
        NodeRef::Person(id) => Party::Person(id.clone()),
    }
}

impl crate::mine::GraphView for EnterpriseGraph {
    fn owners(&self, enterprise: EnterpriseId, max_hops: usize) -> Vec<(Party, Vec<String>)> {
        self.owners_within(&NodeRef::Enterprise(enterprise), max_hops)
            .into_iter()
            .map(|o| (to_party(&o.owner), o.names))
            .collect()
    }

    fn officers(&self, enterprise: EnterpriseId) -> Vec<Party> {
        let node = NodeRef::Enterprise(enterprise);
        let mut out: Vec<Party> = self
            .incoming(&node, EdgeKind::Officer)
            .into_iter()
            .chain(self.incoming(&node, EdgeKind::LegalRep))
            .map(|(n, _)| to_party(&n))
            .collect();
        out.sort();
        out.dedup();
        out
    }

    fn affiliation(&self, a: EnterpriseId, b: EnterpriseId, max_hops: usize) -> Option<Vec<String>> {
        self.affiliation_path(&NodeRef::Enterprise(a), &NodeRef::Enterprise(b), max_hops)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ent(id: EnterpriseId, name: &str) -> Enterprise {
        Enterprise { id, name: name.into(), ..Default::default() }
    }

    fn holds(from: Party, to: EnterpriseId, share: f64) -> Relation {
        Relation {
            from,
            to,
            kind: RelationKind::Shareholder,
            share: Some(share),
            role: None,
            amount: None,
            start: None,
            end: None,
            source: None,
        }
    }

    fn as_of() -> BuildOptions {
        BuildOptions { as_of: "2026-01-01".parse().unwrap() }
    }

    #[test]
    fn owners_follow_chains_and_survive_cycles() {
        let ents = [ent(1, "A"), ent(2, "B"), ent(3, "C")];
        let persons = [Person { id: "p".into(), name: "张三".into(), id_number: None }];
        let rels = [
            holds(Party::Enterprise(2), 1, 0.6),
            holds(Party::Enterprise(3), 2, 0.5),
            holds(Party::Enterprise(1), 3, 0.1), // cycle A -> C -> B -> A
            holds(Party::Person("p".into()), 3, 0.9),
        ];
        let g = EnterpriseGraph::build(&ents, &persons, &rels, &[], as_of());
        let owners = g.owners_within(&NodeRef::Enterprise(1), 3);
        let found: Vec<(Vec<String>, f64)> = owners.iter().map(|o| (o.names.clone(), o.share)).collect();
        assert_eq!(found.len(), 3);
        assert_eq!(found[0], (vec!["B".to_string(), "A".into()], 0.6));
        assert_eq!(found[1].0, ["C", "B", "A"]);
        assert_eq!(found[2].0, ["张三", "C", "B", "A"]);
        assert_eq!(g.owners_within(&NodeRef::Enterprise(1), 1).len(), 1);
    }

    #[test]
    fn suspected_links_share_contacts_or_people() {
        let mut a = ent(1, "A");
        a.extra.insert("phone".into(), "0717-1234567".into());
        let mut b = ent(2, "B");
        b.extra.insert("phone".into(), "07171234567".into());
        let c = ent(3, "C");
        let persons = [Person { id: "p".into(), name: "张三".into(), id_number: None }];
        let mut officer = holds(Party::Person("p".into()), 1, 0.0);
        officer.kind = RelationKind::Officer;
        let mut other = holds(Party::Person("p".into()), 3, 0.0);
        other.kind = RelationKind::LegalRep;
        let g = EnterpriseGraph::build(&[a, b, c], &persons, &[officer, other], &[], as_of());
        let links: Vec<(String, String, String)> =
            g.suspected_links(1).into_iter().map(|l| (l.enterprise.name, l.via, l.shared)).collect();
        assert_eq!(
            links,
            [
                ("C".to_string(), "person_legal_rep".to_string(), "张三".to_string()),
                ("B".to_string(), "phone".to_string(), "07171234567".to_string()),
            ]
        );
    }

    #[test]
    fn past_relations_are_not_edges() {
        let ents = [ent(1, "A"), ent(2, "B")];
        let mut rel = holds(Party::Enterprise(2), 1, 0.6);
        rel.end = Some("2020-01-01".parse().unwrap());
        let g = EnterpriseGraph::build(&ents, &[], &[rel], &[], as_of());
        assert_eq!(g.edge_count(), 0);
    }

    #[test]
    fn affiliation_paths_walk_both_directions() {
        let ents = [ent(1, "A"), ent(2, "B"), ent(3, "C")];
        let rels = [holds(Party::Enterprise(1), 2, 0.6), holds(Party::Enterprise(1), 3, 0.7)];
        let g = EnterpriseGraph::build(&ents, &[], &rels, &[], as_of());
        let path = g.affiliation_path(&NodeRef::Enterprise(2), &NodeRef::Enterprise(3), 3);
        assert_eq!(path, Some(vec!["B".into(), "A".into(), "C".into()]));
        assert_eq!(g.affiliation_path(&NodeRef::Enterprise(2), &NodeRef::Enterprise(3), 1), None);
    }
}
