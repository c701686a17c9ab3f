//! The enterprise relationship graph, built with petgraph from the store's snapshot.
//!
//! Boundary: `NodeIndex` never leaves this module; callers speak in [`NodeRef`]s (enterprise ids
//! and person ids). The graph is derived data: rebuild it from a snapshot whenever the store
//! changes. Only relations current on the `as_of` date are edges.

use crate::model::{
    Change, Date, Enterprise, EnterpriseId, Party, Person, PledgeStatus, Record, Relation, TenderKind,
};
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use serde::Serialize;
use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::BuildHasherDefault;

pub mod analysis;
mod edge;
pub mod export;
pub(crate) mod influence;
mod marks;
mod nodes;
pub(crate) mod snapshot;

pub(crate) use edge::Roles;
use edge::{cents, day_number, epoch};

/// Node indices hashed by one multiplication (as rustc's FxHash) instead of SipHash: the
/// queries' seen-sets and distance maps over the graph's own dense indices, which nobody
/// outside chooses, so there is no flooding to defend against.
#[derive(Default, Clone, Copy)]
pub(crate) struct IndexHasher(u64);

impl std::hash::Hasher for IndexHasher {
    fn finish(&self) -> u64 {
        // The well-mixed high bits down to where the table takes its bucket.
        self.0.rotate_left(26)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0xf135_7aea_2e62_a9c5);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

/// A map keyed by node index, hashed by [`IndexHasher`].
pub(crate) type IndexMap<V> = HashMap<NodeIndex, V, BuildHasherDefault<IndexHasher>>;
/// A set of node indices, hashed by [`IndexHasher`].
pub(crate) type IndexSet = HashSet<NodeIndex, BuildHasherDefault<IndexHasher>>;
pub use edge::{Edge, EdgeKind};

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
    /// The shareholding or control between each two neighbouring names.
    pub links: Vec<crate::model::PathLink>,
    /// Product of shares along the chain (control edges count as 1).
    pub share: f64,
}

/// (attribute, normalised value) -> enterprises, for attributes two companies should not share
/// (phone, address, email): suspected links (疑似关系).
type Contacts = HashMap<(&'static str, String), Vec<EnterpriseId>>;

#[derive(Debug, Default, Clone)]
pub struct EnterpriseGraph {
    /// Node weights live in `nodes`, by the same index; petgraph keeps only the links.
    graph: DiGraph<(), Edge, u32>,
    nodes: nodes::Nodes,
    contacts: Contacts,
    options: BuildOptions,
    stamp: crate::model::GraphVersion,
    /// Relation roles, numbered from 1 in the order first seen (edges keep the number).
    roles: Roles,
    /// Neighbour arrays derived from the edges, each built on first use after the edges last
    /// changed.
    derived: Derived,
}

/// What [`EnterpriseGraph`] derives from its edges for the walks, dropped whenever an edge or
/// node comes or goes.
#[derive(Debug, Default, Clone)]
struct Derived {
    /// Every node's affiliation neighbours, for chain searches.
    affiliations: std::sync::OnceLock<Adjacency>,
    /// Every node's edges, for the breadth-first walks.
    incidence: std::sync::OnceLock<Incidence>,
    /// Every node's shareholders and controllers by agreement, for the owner walks.
    holders: std::sync::OnceLock<Holders>,
    /// The walks' per-node marks, sized to the nodes.
    marks: marks::MarkPool,
}

/// A list per node, all in one array (compressed sparse rows): node `i`'s items are
/// `items[starts[i]..starts[i + 1]]`. petgraph keeps a node's edges as a linked list through
/// its edge array, a cache miss per edge on a large graph; here a node's list is one run of
/// memory.
#[derive(Debug, Default, Clone)]
struct Rows<T> {
    starts: Vec<u32>,
    items: Vec<T>,
}

impl<T: Copy + Default> Rows<T> {
    /// The lists of `n` nodes, each item in the order `items` yields it. `items` is called
    /// twice, to count and to fill, and must yield the same (node, item) pairs both times.
    fn build<I: Iterator<Item = (usize, T)>>(n: usize, items: impl Fn() -> I) -> Rows<T> {
        let mut starts = vec![0u32; n + 1];
        for (node, _) in items() {
            starts[node + 1] += 1;
        }
        for i in 0..n {
            starts[i + 1] += starts[i];
        }
        let mut fill = starts.clone();
        let mut all = vec![T::default(); starts[n] as usize];
        for (node, item) in items() {
            all[fill[node] as usize] = item;
            fill[node] += 1;
        }
        Rows { starts, items: all }
    }

    fn of(&self, node: usize) -> &[T] {
        &self.items[self.starts[node] as usize..self.starts[node + 1] as usize]
    }
}

/// Every node's edges, each as (the node at the other end, the edge): a node's outgoing edges,
/// then its incoming ones other than loops (a loop is listed once, as outgoing), 16 bytes per
/// edge. Listed newest edge first, as petgraph lists them.
type Incidence = Rows<(u32, u32)>;

impl Incidence {
    fn of_graph(graph: &DiGraph<(), Edge, u32>) -> Incidence {
        let edges = || graph.raw_edges().iter().enumerate().rev();
        let ends = |edge: &petgraph::graph::Edge<Edge, u32>| (edge.source().index(), edge.target().index());
        Rows::build(graph.node_count(), || {
            let outgoing = edges().map(move |(id, edge)| {
                let (a, b) = ends(edge);
                (a, (b as u32, id as u32))
            });
            let incoming = edges().filter_map(move |(id, edge)| {
                let (a, b) = ends(edge);
                (a != b).then_some((b, (a as u32, id as u32)))
            });
            outgoing.chain(incoming)
        })
    }
}

/// A shareholder of a node and its share in billionths (a share of up to nine decimals comes
/// back exactly), or with [`Holder::CONTROL`] the party to a control agreement over it.
#[derive(Debug, Default, Clone, Copy)]
struct Holder {
    node: u32,
    share: u32,
}

impl Holder {
    const CONTROL: u32 = u32::MAX;
    const SCALE: f64 = 1e9;

    fn share(self) -> f64 {
        self.share as f64 / Holder::SCALE
    }
}

/// Every node's [`Holder`]s, the last added edge first, 8 bytes each: the owner walk reads one
/// run per layer, not petgraph's list of every incoming edge of every kind (a cache miss after
/// a cache miss on a large graph).
type Holders = Rows<Holder>;

impl Holders {
    fn of_graph(graph: &DiGraph<(), Edge, u32>) -> Holders {
        Rows::build(graph.node_count(), || {
            graph.raw_edges().iter().rev().filter_map(|e| {
                let share = match e.weight.kind {
                    // Shares are fractions; a share past 4.29 is clamped (the store keeps 0–1).
                    EdgeKind::Shareholder => {
                        (e.weight.value * Holder::SCALE).round().clamp(0.0, (Holder::CONTROL - 1) as f64)
                            as u32
                    }
                    EdgeKind::Control => Holder::CONTROL,
                    _ => return None,
                };
                Some((e.target().index(), Holder { node: e.source().index() as u32, share }))
            })
        })
    }
}

/// Neighbour lists, undirected: 8 bytes per edge end. PageRank walks one; chain searches read
/// the affiliation edges (shareholding, control, officers, legal representatives, branches)
/// from one, not the thousands of award and invoice edges of a buyer they pass.
type Adjacency = Rows<u32>;

impl Adjacency {
    fn undirected(graph: &DiGraph<(), Edge, u32>, allowed: impl Fn(EdgeKind) -> bool) -> Adjacency {
        Rows::build(graph.node_count(), || {
            graph.edge_references().filter(|e| allowed(e.weight().kind)).flat_map(|e| {
                let (a, b) = (e.source().index(), e.target().index());
                [(a, b as u32), (b, a as u32)]
            })
        })
    }
}

/// What the graph is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BuildOptions {
    /// Relations that ended (or start) before this day are history, not edges; supply edges sum
    /// the invoices of the window that ends on it.
    pub as_of: Date,
    /// Supply edges aggregate invoices issued in the `supply_window_days` days up to `as_of`.
    pub supply_window_days: u32,
}

impl BuildOptions {
    /// Options for `as_of`, with a one-year supply window.
    pub fn new(as_of: Date) -> BuildOptions {
        BuildOptions { as_of, supply_window_days: 365 }
    }
}

/// Builds a graph from rows handed over one at a time, so that a caller can stream them
/// from the store instead of holding them all: every enterprise, then every person, every
/// relation and every record, each kind in the store's key order (node and edge order
/// follow it, so a graph built twice from one store is the same graph).
pub struct GraphBuilder {
    graph: EnterpriseGraph,
    /// Invoices of the supply window, summed per seller and buyer; added last.
    supply: HashMap<(NodeRef, NodeRef), Edge>,
}

impl GraphBuilder {
    pub fn new(options: BuildOptions) -> GraphBuilder {
        GraphBuilder { graph: EnterpriseGraph { options, ..Default::default() }, supply: HashMap::new() }
    }

    /// Room for this many nodes and edges.
    pub fn reserve(&mut self, nodes: usize, edges: usize) {
        self.graph.nodes.reserve(nodes);
        self.graph.graph.reserve_nodes(nodes);
        self.graph.graph.reserve_edges(edges);
    }

    pub fn enterprise(&mut self, enterprise: &Enterprise) {
        self.graph.add_node(&NodeRef::Enterprise(enterprise.id), &enterprise.name);
        self.graph.add_contacts(enterprise);
    }

    pub fn person(&mut self, person: &Person) {
        self.graph.add_node(&NodeRef::Person(person.id.clone()), &person.name);
    }

    pub fn relation(&mut self, relation: &Relation) {
        if let Some((from, to, edge)) = self.graph.relation_edge(relation) {
            self.graph.add_edge(&from, &to, edge);
        }
    }

    pub fn record(&mut self, record: &Record) {
        for (from, to, edge) in self.graph.record_edges(record) {
            if edge.is_invoice_sum() {
                self.supply.entry((from, to)).and_modify(|e| e.merge(&edge)).or_insert(edge);
            } else {
                self.graph.add_edge(&from, &to, edge);
            }
        }
    }

    pub fn finish(self) -> EnterpriseGraph {
        let GraphBuilder { mut graph, supply } = self;
        let mut supply: Vec<_> = supply.into_iter().collect();
        supply.sort_by(|a, b| a.0.cmp(&b.0));
        for ((seller, buyer), edge) in supply {
            graph.add_edge(&seller, &buyer, edge);
        }
        graph
    }
}

impl EnterpriseGraph {
    /// The graph of these rows (see [`GraphBuilder`] for the order they are taken in).
    pub fn build(
        enterprises: &[Enterprise],
        persons: &[Person],
        relations: &[Relation],
        records: &[Record],
        options: BuildOptions,
    ) -> Self {
        let mut builder = GraphBuilder::new(options);
        builder.reserve(enterprises.len() + persons.len(), relations.len());
        enterprises.iter().for_each(|e| builder.enterprise(e));
        persons.iter().for_each(|p| builder.person(p));
        relations.iter().for_each(|r| builder.relation(r));
        records.iter().for_each(|r| builder.record(r));
        builder.finish()
    }

    /// The edge a relation makes, if it is current, with its role and dates.
    fn relation_edge(&mut self, relation: &Relation) -> Option<(NodeRef, NodeRef, Edge)> {
        if !relation.is_current(self.options.as_of) {
            return None;
        }
        let kind = EdgeKind::from_relation(relation.kind);
        let value = match kind {
            EdgeKind::Shareholder => relation.share.unwrap_or(0.0),
            _ => relation.amount.unwrap_or(0.0),
        };
        let mut edge = Edge::new(kind, value);
        if kind == EdgeKind::Supplier {
            edge.count = 0;
        }
        edge.role = self.roles.intern(relation.role.as_deref());
        // A known date is never day 0 (which means unknown).
        edge.first = relation.start.map(|d| day_number(d).max(1)).unwrap_or(0);
        edge.last = relation.end.map(|d| day_number(d).max(1)).unwrap_or(0);
        Some((NodeRef::from(&relation.from), NodeRef::Enterprise(relation.to), edge))
    }

    /// The edges a record makes: buyer → each winner of an award, pledgor → pledgee of an
    /// active pledge, and seller → buyer for one invoice of the supply window (to be summed).
    fn record_edges(&self, record: &Record) -> Vec<(NodeRef, NodeRef, Edge)> {
        match record {
            Record::Tender(t) if t.kind == TenderKind::Award => match &t.buyer {
                Some(buyer) => t
                    .winners
                    .iter()
                    .map(|winner| {
                        let edge = Edge::new(EdgeKind::Tender, t.amount.unwrap_or(0.0));
                        (NodeRef::Enterprise(buyer.id), NodeRef::Enterprise(winner.id), edge)
                    })
                    .collect(),
                None => Vec::new(),
            },
            Record::Pledge(p) if p.status == PledgeStatus::Active => {
                let edge = Edge::new(EdgeKind::Pledge, p.amount.unwrap_or(0.0));
                vec![(NodeRef::Enterprise(p.pledgor.id), NodeRef::Enterprise(p.pledgee.id), edge)]
            }
            Record::Invoice(i) if i.seller.id != i.buyer.id && self.in_supply_window(i.issued) => {
                let day = day_number(i.issued);
                let edge = Edge {
                    value: cents(i.amount),
                    count: 1,
                    first: day,
                    last: day,
                    kind: EdgeKind::Supplier,
                    role: 0,
                };
                vec![(NodeRef::Enterprise(i.seller.id), NodeRef::Enterprise(i.buyer.id), edge)]
            }
            _ => Vec::new(),
        }
    }

    fn in_supply_window(&self, issued: Date) -> bool {
        let as_of = self.options.as_of;
        issued <= as_of && (as_of - issued).num_days() < self.options.supply_window_days as i64
    }

    /// Applies one logged change to the store (see [`crate::store::Store::graph_changes_after`]):
    /// the old row's edges are taken out and the new row's put in. Returns `false` when the
    /// change cannot be applied exactly — an invoice corrected at the first or last date of its
    /// supply edge (the new range needs the other invoices), or an edge to take out that is not
    /// there; the caller rebuilds then.
    pub fn apply(&mut self, change: &Change) -> bool {
        match change {
            Change::Enterprise { old, new } => {
                self.upsert_node(&NodeRef::Enterprise(new.id), &new.name);
                if let Some(old) = old {
                    self.remove_contacts(old);
                }
                self.add_contacts(new);
            }
            Change::Person { new, .. } => self.upsert_node(&NodeRef::Person(new.id.clone()), &new.name),
            Change::Relation { old, new } => {
                if let Some((from, to, edge)) = old.as_ref().and_then(|old| self.relation_edge(old)) {
                    if !self.retract_edge(&from, &to, &edge) {
                        return false;
                    }
                }
                if let Some((from, to, edge)) = self.relation_edge(new) {
                    self.add_edge(&from, &to, edge);
                }
            }
            Change::Record { old, new } => {
                for (from, to, edge) in old.as_ref().map(|old| self.record_edges(old)).unwrap_or_default() {
                    if !self.retract_edge(&from, &to, &edge) {
                        return false;
                    }
                }
                for (from, to, edge) in self.record_edges(new) {
                    if edge.is_invoice_sum() {
                        if let Some(id) = self.find_edge(&from, &to, Edge::is_invoice_sum) {
                            self.graph[id].merge(&edge);
                            continue;
                        }
                    }
                    self.add_edge(&from, &to, edge);
                }
            }
        }
        true
    }

    /// Moves the graph to the later day `to` without rebuilding it: `relations` are those
    /// that start or end in between (their edges come or go), and `invoices` every invoice
    /// between the pairs whose supply sum the days change (one issued in between, or one
    /// leaving the window), from which those sums are made again. Returns `false` for an
    /// earlier day, or an edge that is not there to take out.
    pub fn advance(&mut self, to: Date, relations: &[Relation], invoices: &[Record]) -> bool {
        if to < self.options.as_of {
            return false;
        }
        // The relations' edges as of the old day, out; as of the new one, in.
        let gone: Vec<_> = relations.iter().filter_map(|r| self.relation_edge(r)).collect();
        for (from, to, edge) in &gone {
            if !self.retract_edge(from, to, edge) {
                return false;
            }
        }
        let mut pairs: Vec<(EnterpriseId, EnterpriseId)> = invoices
            .iter()
            .filter_map(|r| match r {
                Record::Invoice(i) => Some((i.seller.id, i.buyer.id)),
                _ => None,
            })
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        for (seller, buyer) in pairs {
            let (from, to) = (NodeRef::Enterprise(seller), NodeRef::Enterprise(buyer));
            if let Some(id) = self.find_edge(&from, &to, Edge::is_invoice_sum) {
                self.derived = Derived::default();
                self.graph.remove_edge(id);
            }
        }
        self.options.as_of = to;
        for relation in relations {
            if let Some((from, to, edge)) = self.relation_edge(relation) {
                self.add_edge(&from, &to, edge);
            }
        }
        for invoice in invoices {
            self.apply(&Change::Record { old: None, new: invoice.clone() });
        }
        true
    }

    fn upsert_node(&mut self, key: &NodeRef, name: &str) {
        match self.nodes.find(key) {
            Some(n) => self.nodes.rename(n, name),
            None => {
                self.add_node(key, name);
            }
        }
    }

    fn find_edge(&self, from: &NodeRef, to: &NodeRef, pick: impl Fn(&Edge) -> bool) -> Option<EdgeIndex> {
        let (a, b) = (self.index_of(from)?, self.index_of(to)?);
        self.graph.edges_connecting(a, b).find(|e| pick(e.weight())).map(|e| e.id())
    }

    /// Takes one edge equal to `edge` out (edges are a multiset: any equal one will do); for a
    /// supply edge, takes the invoice's amount and count out of the sum.
    fn retract_edge(&mut self, from: &NodeRef, to: &NodeRef, edge: &Edge) -> bool {
        if self.index_of(from).is_none() || self.index_of(to).is_none() {
            return true; // never added: an end was unknown when the row was built
        }
        self.derived = Derived::default();
        if !edge.is_invoice_sum() {
            let Some(id) = self.find_edge(from, to, |e| e == edge) else { return false };
            self.graph.remove_edge(id);
            return true;
        }
        let Some(id) = self.find_edge(from, to, Edge::is_invoice_sum) else { return false };
        let sum = &mut self.graph[id];
        if sum.count <= edge.count {
            self.graph.remove_edge(id);
            return true;
        }
        if edge.first <= sum.first || edge.last >= sum.last {
            return false;
        }
        sum.value = cents(sum.value - edge.value);
        sum.count -= edge.count;
        true
    }

    fn add_node(&mut self, key: &NodeRef, name: &str) -> Option<NodeIndex> {
        let (n, added) = self.nodes.insert(key, name)?;
        if added {
            self.graph.add_node(());
            self.derived = Derived::default();
        }
        Some(NodeIndex::new(n))
    }

    fn add_edge(&mut self, from: &NodeRef, to: &NodeRef, edge: Edge) -> Option<EdgeIndex> {
        let a = self.index_of(from)?;
        let b = self.index_of(to)?;
        self.derived = Derived::default();
        Some(self.graph.add_edge(a, b, edge))
    }

    /// The text of an edge's role number.
    pub fn role(&self, edge: &Edge) -> Option<&str> {
        self.roles.text(edge.role)
    }

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    pub fn options(&self) -> BuildOptions {
        self.options
    }

    /// Which store, logged change and date this graph reflects.
    pub fn stamp(&self) -> crate::model::GraphVersion {
        self.stamp
    }

    pub fn set_stamp(&mut self, stamp: crate::model::GraphVersion) {
        self.stamp = stamp;
    }

    pub fn contains(&self, node: &NodeRef) -> bool {
        self.nodes.find(node).is_some()
    }

    pub fn index_of(&self, node: &NodeRef) -> Option<NodeIndex> {
        self.nodes.find(node).map(NodeIndex::new)
    }

    pub fn name(&self, node: &NodeRef) -> Option<&str> {
        self.nodes.find(node).map(|n| self.nodes.name(n))
    }

    fn name_at(&self, index: NodeIndex) -> &str {
        self.nodes.name(index.index())
    }

    fn incidence(&self) -> &Incidence {
        self.derived.incidence.get_or_init(|| Incidence::of_graph(&self.graph))
    }

    /// The shareholders of `node` as (holder, share), newest first.
    fn holders(&self, node: NodeIndex) -> impl Iterator<Item = (NodeIndex, f64)> + '_ {
        self.upstream(node)
            .iter()
            .filter(|h| h.share != Holder::CONTROL)
            .map(|h| (NodeIndex::new(h.node as usize), h.share()))
    }

    /// The party to the newest control agreement over `node`.
    fn controlled_by(&self, node: NodeIndex) -> Option<NodeIndex> {
        self.upstream(node)
            .iter()
            .find(|h| h.share == Holder::CONTROL)
            .map(|h| NodeIndex::new(h.node as usize))
    }

    fn upstream(&self, node: NodeIndex) -> &[Holder] {
        self.derived.holders.get_or_init(|| Holders::of_graph(&self.graph)).of(node.index())
    }

    /// Every edge of `node`, either direction, as (the node at the other end, the edge); a loop
    /// once.
    fn incident(&self, node: NodeIndex) -> impl Iterator<Item = (NodeIndex, EdgeIndex)> + '_ {
        self.incidence()
            .of(node.index())
            .iter()
            .map(|&(other, edge)| (NodeIndex::new(other as usize), EdgeIndex::new(edge as usize)))
    }

    /// The nodes at the other end of `node`'s edges, either direction.
    fn neighbours(&self, node: NodeIndex) -> impl Iterator<Item = NodeIndex> + '_ {
        self.incident(node).map(|(other, _)| other)
    }

    /// How many edges `node` has, either direction (a loop once).
    fn degree(&self, node: NodeIndex) -> usize {
        self.incidence().of(node.index()).len()
    }

    fn key_at(&self, index: NodeIndex) -> NodeRef {
        self.nodes.key(index.index())
    }

    fn is_person_at(&self, index: NodeIndex) -> bool {
        self.nodes.is_person(index.index())
    }

    /// Every edge as (from, to, edge, role text), sorted, with the edge's role number zeroed:
    /// two graphs with the same nodes and edges give the same list whatever order they were
    /// built in (role numbers follow that order).
    pub fn edge_list(&self) -> Vec<(NodeRef, NodeRef, Edge, Option<String>)> {
        let mut edges: Vec<_> = self
            .graph
            .edge_references()
            .map(|e| {
                let role = self.role(e.weight()).map(str::to_string);
                let edge = Edge { role: 0, ..*e.weight() };
                (self.key_at(e.source()), self.key_at(e.target()), edge, role)
            })
            .collect();
        edges.sort_by(|a, b| {
            (&a.0, &a.1, a.2.kind)
                .cmp(&(&b.0, &b.1, b.2.kind))
                .then(a.2.value.total_cmp(&b.2.value))
                .then((a.2.count, a.2.first, a.2.last).cmp(&(b.2.count, b.2.first, b.2.last)))
                .then(a.3.cmp(&b.3))
        });
        edges
    }

    /// Every node with its name, sorted by key.
    pub fn node_list(&self) -> Vec<(NodeRef, String)> {
        let mut nodes: Vec<_> = self.nodes().map(|(key, name)| (key, name.to_string())).collect();
        nodes.sort();
        nodes
    }

    /// Direct edges into `node` of the given kind, with the other end.
    pub fn incoming(&self, node: &NodeRef, kind: EdgeKind) -> Vec<(NodeRef, Edge)> {
        self.neighbors_directed(node, kind, Direction::Incoming)
    }

    pub fn outgoing(&self, node: &NodeRef, kind: EdgeKind) -> Vec<(NodeRef, Edge)> {
        self.neighbors_directed(node, kind, Direction::Outgoing)
    }

    fn neighbors_directed(&self, node: &NodeRef, kind: EdgeKind, dir: Direction) -> Vec<(NodeRef, Edge)> {
        let Some(index) = self.index_of(node) else { return Vec::new() };
        self.graph
            .edges_directed(index, dir)
            .filter(|e| e.weight().kind == kind)
            .map(|e| {
                let other = if dir == Direction::Incoming { e.source() } else { e.target() };
                (self.key_at(other), *e.weight())
            })
            .collect()
    }

    /// The enterprises within `hops` steps of any of `seeds` (the seeds' own included) along
    /// the links a lead can reach along — shareholding, control, officers, legal
    /// representatives, branches and guarantees, either way — through persons too. No cap on
    /// a hub's degree: an incremental mining run must find every lead a change can touch.
    pub fn enterprises_near(&self, seeds: &[NodeRef], hops: usize) -> HashSet<EnterpriseId> {
        let reaches = |kind: EdgeKind| kind.is_affiliation() || kind == EdgeKind::Guarantee;
        let mut seen: IndexSet = seeds.iter().filter_map(|s| self.index_of(s)).collect();
        let mut frontier: Vec<NodeIndex> = seen.iter().copied().collect();
        for _ in 0..hops {
            let mut next = Vec::new();
            for &node in &frontier {
                let incident = self
                    .graph
                    .edges_directed(node, Direction::Outgoing)
                    .map(|e| (e.weight().kind, e.target()))
                    .chain(
                        self.graph
                            .edges_directed(node, Direction::Incoming)
                            .map(|e| (e.weight().kind, e.source())),
                    );
                for (kind, other) in incident {
                    if reaches(kind) && seen.insert(other) {
                        next.push(other);
                    }
                }
            }
            frontier = next;
        }
        seen.into_iter()
            .filter_map(|index| match self.key_at(index) {
                NodeRef::Enterprise(id) => Some(id),
                NodeRef::Person(_) => None,
            })
            .collect()
    }

    /// Every upstream owner (shareholders and controllers) within `max_hops`, with the chain
    /// from the owner down to `node`. Breadth first, each owner reported once on its shortest
    /// chain, so shareholding cycles cannot loop.
    pub fn owners_within(&self, node: &NodeRef, max_hops: usize) -> Vec<OwnerPath> {
        let Some(start) = self.index_of(node) else { return Vec::new() };
        let mut out = Vec::new();
        let mut seen = IndexSet::from_iter([start]);
        // (node, chain of nodes from this node down to start, its links, product of shares)
        let mut queue = VecDeque::from([(start, vec![start], Vec::new(), 1.0f64)]);
        while let Some((current, chain, links, share)) = queue.pop_front() {
            if chain.len() > max_hops {
                continue;
            }
            for edge in self.graph.edges_directed(current, Direction::Incoming) {
                if !edge.weight().kind.is_ownership() || !seen.insert(edge.source()) {
                    continue;
                }
                let (step_share, link) = match edge.weight().kind {
                    EdgeKind::Control => (1.0, crate::model::PathLink::new("control", "协议控制", true)),
                    _ => (edge.weight().share(), crate::model::PathLink::shareholding(edge.weight().share())),
                };
                let mut owner_chain = vec![edge.source()];
                owner_chain.extend(chain.iter().copied());
                let mut owner_links = vec![link];
                owner_links.extend(links.iter().cloned());
                out.push(OwnerPath {
                    owner: self.key_at(edge.source()),
                    names: owner_chain.iter().map(|&i| self.name_at(i).to_string()).collect(),
                    links: owner_links.clone(),
                    share: share * step_share,
                });
                queue.push_back((edge.source(), owner_chain, owner_links, share * step_share));
            }
        }
        out
    }

    /// The shortest affiliation chain (shareholding, control, officers, legal representatives,
    /// branches, walked in either direction) between two nodes, if within `max_hops`.
    ///
    /// A breadth-first search from both ends, a level at a time from the smaller frontier: most
    /// pairs mining asks about (a winner and its buyer) are not affiliated, and one search from
    /// one end would read the whole `max_hops` neighbourhood to say so.
    pub fn affiliation_path(&self, a: &NodeRef, b: &NodeRef, max_hops: usize) -> Option<Vec<String>> {
        let (start, goal) = (self.index_of(a)?, self.index_of(b)?);
        if start == goal {
            return Some(vec![self.name_at(start).to_string()]);
        }
        // Each side: node -> (the node it was reached from, depth).
        let mut sides: [IndexMap<(Option<NodeIndex>, usize)>; 2] =
            [IndexMap::from_iter([(start, (None, 0))]), IndexMap::from_iter([(goal, (None, 0))])];
        let mut frontiers = [vec![start], vec![goal]];
        let mut depths = [0usize; 2];
        let affiliations = self
            .derived
            .affiliations
            .get_or_init(|| Adjacency::undirected(&self.graph, EdgeKind::is_affiliation));
        // The side with fewer links to read goes next.
        let links =
            |frontier: &[NodeIndex]| frontier.iter().map(|n| affiliations.of(n.index()).len()).sum::<usize>();
        while depths[0] + depths[1] < max_hops && !frontiers[0].is_empty() && !frontiers[1].is_empty() {
            let side = usize::from(links(&frontiers[1]) < links(&frontiers[0]));
            let (this, other) = if side == 0 {
                let [a, b] = &mut sides;
                (a, &*b)
            } else {
                let [a, b] = &mut sides;
                (b, &*a)
            };
            let depth = depths[side] + 1;
            let mut next = Vec::new();
            // The meeting node with the shortest chain through it.
            let mut meet: Option<(usize, NodeIndex)> = None;
            for &current in &frontiers[side] {
                for &node in affiliations.of(current.index()) {
                    let node = NodeIndex::new(node as usize);
                    if this.contains_key(&node) {
                        continue;
                    }
                    this.insert(node, (Some(current), depth));
                    if let Some(&(_, far)) = other.get(&node) {
                        if meet.is_none_or(|(best, _)| depth + far < best) {
                            meet = Some((depth + far, node));
                        }
                    }
                    next.push(node);
                }
            }
            depths[side] = depth;
            frontiers[side] = next;
            if let Some((_, node)) = meet {
                let chain = |side: &IndexMap<(Option<NodeIndex>, usize)>| {
                    let mut out = Vec::new();
                    let mut at = side.get(&node).and_then(|(p, _)| *p);
                    while let Some(p) = at {
                        out.push(p);
                        at = side.get(&p).and_then(|(q, _)| *q);
                    }
                    out
                };
                let mut path = chain(&sides[0]);
                path.reverse();
                path.push(node);
                path.extend(chain(&sides[1]));
                return Some(path.iter().map(|&i| self.name_at(i).to_string()).collect());
            }
        }
        None
    }

    fn add_contacts(&mut self, enterprise: &Enterprise) {
        for (attribute, value) in contact_values(enterprise) {
            let ids = self.contacts.entry((attribute, value)).or_default();
            if !ids.contains(&enterprise.id) {
                ids.push(enterprise.id);
            }
        }
    }

    fn remove_contacts(&mut self, enterprise: &Enterprise) {
        for key in contact_values(enterprise) {
            if let Some(ids) = self.contacts.get_mut(&key) {
                ids.retain(|&id| id != enterprise.id);
                if ids.is_empty() {
                    self.contacts.remove(&key);
                }
            }
        }
    }
}

/// Contact attributes (the import keeps unknown columns as extra attributes) and the column
/// names they may come under.
const CONTACT_ATTRIBUTES: [(&str, &[&str]); 3] = [
    ("phone", &["phone", "telephone", "tel", "联系电话", "电话"]),
    ("address", &["address", "addr", "registered_address", "地址", "注册地址"]),
    ("email", &["email", "mail", "邮箱"]),
];

fn contact_values(enterprise: &Enterprise) -> Vec<(&'static str, String)> {
    CONTACT_ATTRIBUTES
        .iter()
        .filter_map(|(attribute, keys)| {
            let value = keys.iter().find_map(|k| enterprise.extra.get(*k)).map(|v| normalize_contact(v))?;
            (value.chars().count() >= 5).then_some((*attribute, value))
        })
        .collect()
}

fn normalize_contact(value: &str) -> String {
    crate::resolve::normalize_name(value).chars().filter(|c| !matches!(c, '-' | '(' | ')' | '+')).collect()
}

/// Another enterprise sharing something with the one asked about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuspectedLink<'g> {
    pub enterprise: analysis::NodeOut<'g>,
    /// `phone`, `address`, `email`, or the relation kind through a shared person.
    pub via: String,
    /// The shared value (phones and emails masked), or the shared person's name.
    pub shared: String,
}

impl EnterpriseGraph {
    /// 疑似关系: enterprises that share a phone, address or email with `enterprise`, or a person
    /// (as shareholder, officer or legal representative), without a direct relation of their own.
    pub fn suspected_links(&self, enterprise: EnterpriseId) -> Vec<SuspectedLink<'_>> {
        let me = NodeRef::Enterprise(enterprise);
        let Some(start) = self.index_of(&me) else { return Vec::new() };
        let directly_related: IndexSet = self.neighbours(start).collect();
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        for ((attribute, value), ids) in &self.contacts {
            if !ids.contains(&enterprise) {
                continue;
            }
            for &other in ids.iter().filter(|&&id| id != enterprise) {
                let Some(index) = self.index_of(&NodeRef::Enterprise(other)) else { continue };
                if !directly_related.contains(&index) && seen.insert((index, attribute.to_string())) {
                    // Addresses are public record; phones and emails are shown masked.
                    let shared = if *attribute == "address" {
                        value.clone()
                    } else {
                        crate::model::mask_contact(value)
                    };
                    out.push(SuspectedLink {
                        enterprise: self.out(index),
                        via: attribute.to_string(),
                        shared,
                    });
                }
            }
        }
        for person_edge in self.graph.edges_directed(start, Direction::Incoming) {
            let person = person_edge.source();
            if !self.is_person_at(person) {
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
                        shared: self.name_at(person).to_string(),
                    });
                }
            }
        }
        out.sort_by(|a, b| a.via.cmp(&b.via).then(a.enterprise.name.cmp(b.enterprise.name)));
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
    fn owners(&self, enterprise: EnterpriseId, max_hops: usize) -> Vec<crate::mine::Ownership> {
        self.owners_within(&NodeRef::Enterprise(enterprise), max_hops)
            .into_iter()
            .map(|o| crate::mine::Ownership {
                owner: to_party(&o.owner),
                names: o.names,
                links: o.links,
                stake: o.share,
            })
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

    fn group_members(&self, enterprise: EnterpriseId, max_hops: usize) -> Vec<(EnterpriseId, Vec<String>)> {
        let Some(start) = self.index_of(&NodeRef::Enterprise(enterprise)) else { return Vec::new() };
        let majority =
            |e: &Edge| e.kind == EdgeKind::Control || (e.kind == EdgeKind::Shareholder && e.value >= 0.5);
        let mut previous: IndexMap<NodeIndex> = IndexMap::default();
        let mut depth = IndexMap::from_iter([(start, 0usize)]);
        let mut queue = VecDeque::from([start]);
        let mut found = Vec::new();
        while let Some(n) = queue.pop_front() {
            if depth[&n] == max_hops {
                continue;
            }
            let links = self
                .graph
                .edges_directed(n, Direction::Outgoing)
                .filter(|e| majority(e.weight()))
                .map(|e| e.target())
                .chain(
                    self.graph
                        .edges_directed(n, Direction::Incoming)
                        .filter(|e| majority(e.weight()))
                        .map(|e| e.source()),
                );
            for other in links.collect::<Vec<_>>() {
                if depth.contains_key(&other) {
                    continue;
                }
                depth.insert(other, depth[&n] + 1);
                previous.insert(other, n);
                queue.push_back(other);
                if let NodeRef::Enterprise(id) = self.key_at(other) {
                    found.push((id, other));
                }
            }
        }
        found
            .into_iter()
            .map(|(id, node)| {
                let mut chain = vec![node];
                while let Some(&p) = previous.get(chain.last().expect("never empty")) {
                    chain.push(p);
                }
                chain.reverse();
                (id, chain.into_iter().map(|n| self.name_at(n).to_string()).collect())
            })
            .collect()
    }

    fn guaranteed(&self, enterprise: EnterpriseId, max_hops: usize) -> Vec<(EnterpriseId, Vec<String>)> {
        let Some(start) = self.index_of(&NodeRef::Enterprise(enterprise)) else { return Vec::new() };
        let mut out: Vec<(EnterpriseId, Vec<String>)> = Vec::new();
        let mut seen = IndexSet::from_iter([start]);
        let mut frontier = vec![(start, vec![self.name_at(start).to_string()])];
        for _ in 0..max_hops {
            let mut next = Vec::new();
            for (node, path) in frontier {
                for edge in self.graph.edges_directed(node, Direction::Outgoing) {
                    if edge.weight().kind != EdgeKind::Guarantee || !seen.insert(edge.target()) {
                        continue;
                    }
                    let NodeRef::Enterprise(id) = self.key_at(edge.target()) else { continue };
                    let mut chain = path.clone();
                    chain.push(self.name_at(edge.target()).to_string());
                    out.push((id, chain.clone()));
                    next.push((edge.target(), chain));
                }
            }
            frontier = next;
        }
        out
    }

    fn served_elsewhere(&self, enterprise: EnterpriseId) -> Vec<(EnterpriseId, Vec<String>)> {
        let Some(start) = self.index_of(&NodeRef::Enterprise(enterprise)) else { return Vec::new() };
        let serves = |e: &Edge| matches!(e.kind, EdgeKind::Officer | EdgeKind::LegalRep);
        let mut out: Vec<(EnterpriseId, Vec<String>)> = Vec::new();
        for edge in self.graph.edges_directed(start, Direction::Incoming).filter(|e| serves(e.weight())) {
            let person = edge.source();
            if !self.is_person_at(person) {
                continue;
            }
            for other in self.graph.edges_directed(person, Direction::Outgoing).filter(|e| serves(e.weight()))
            {
                let NodeRef::Enterprise(id) = self.key_at(other.target()) else { continue };
                if id == enterprise || out.iter().any(|(seen, _)| *seen == id) {
                    continue;
                }
                let names = [start, person, other.target()].map(|n| self.name_at(n).to_string()).to_vec();
                out.push((id, names));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RelationKind;

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
        BuildOptions::new("2026-01-01".parse().unwrap())
    }

    /// The arrays list what petgraph lists, in its order: a node's outgoing edges newest first,
    /// then its incoming ones (a loop once); the undirected neighbours of the allowed kinds.
    #[test]
    fn edge_arrays_list_what_petgraph_lists_in_its_order() {
        let kinds = [EdgeKind::Shareholder, EdgeKind::Tender, EdgeKind::Guarantee];
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        let mut next = |below: usize| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng % below as u64) as usize
        };
        for _ in 0..50 {
            let n = 1 + next(9);
            let mut graph: DiGraph<(), Edge, u32> = DiGraph::default();
            for _ in 0..n {
                graph.add_node(());
            }
            for _ in 0..next(30) {
                let (a, b) = (NodeIndex::new(next(n)), NodeIndex::new(next(n)));
                graph.add_edge(a, b, Edge::new(kinds[next(kinds.len())], 1.0));
            }
            let incidence = Incidence::of_graph(&graph);
            let shares = Adjacency::undirected(&graph, |k| k == EdgeKind::Shareholder);
            for node in graph.node_indices() {
                let mut expected: Vec<(u32, u32)> = graph
                    .edges_directed(node, Direction::Outgoing)
                    .map(|e| (e.target().index() as u32, e.id().index() as u32))
                    .collect();
                expected.extend(
                    graph
                        .edges_directed(node, Direction::Incoming)
                        .filter(|e| e.source() != e.target())
                        .map(|e| (e.source().index() as u32, e.id().index() as u32)),
                );
                assert_eq!(incidence.of(node.index()), expected, "node {node:?}");
                let mut near: Vec<u32> = shares.of(node.index()).to_vec();
                let mut wanted: Vec<u32> = graph
                    .edges(node)
                    .chain(graph.edges_directed(node, Direction::Incoming))
                    .filter(|e| e.weight().kind == EdgeKind::Shareholder)
                    .map(|e| if e.source() == node { e.target() } else { e.source() }.index() as u32)
                    .collect();
                near.sort_unstable();
                wanted.sort_unstable();
                assert_eq!(near, wanted, "node {node:?}");
            }
        }
    }

    #[test]
    fn owners_follow_chains_and_survive_cycles() {
        let ents = [ent(1, "A"), ent(2, "B"), ent(3, "C")];
        let persons =
            [Person { id: "p".into(), name: "张三".into(), id_number_masked: None, id_number_hash: None }];
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
        let persons =
            [Person { id: "p".into(), name: "张三".into(), id_number_masked: None, id_number_hash: None }];
        let mut officer = holds(Party::Person("p".into()), 1, 0.0);
        officer.kind = RelationKind::Officer;
        let mut other = holds(Party::Person("p".into()), 3, 0.0);
        other.kind = RelationKind::LegalRep;
        let g = EnterpriseGraph::build(&[a, b, c], &persons, &[officer, other], &[], as_of());
        let links: Vec<(String, String, String)> = g
            .suspected_links(1)
            .into_iter()
            .map(|l| (l.enterprise.name.to_string(), l.via, l.shared))
            .collect();
        assert_eq!(
            links,
            [
                ("C".to_string(), "person_legal_rep".to_string(), "张三".to_string()),
                ("B".to_string(), "phone".to_string(), "071****4567".to_string()),
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

    /// A row for slot `slot` of a small store: slots 0–5 hold relations, 6–11 invoices.
    fn row(slot: usize, from: i64, to: i64, kind: u8, value: u8, date: u8) -> Change {
        // Three days inside the supply window before `as_of` (2026-01-01), one outside it.
        let dates = ["2025-03-01", "2025-06-01", "2025-09-01", "2024-01-01"];
        if slot < 6 {
            let (kind, from) = match kind {
                0 => (RelationKind::Shareholder, Party::Enterprise(from)),
                1 => (RelationKind::Guarantee, Party::Enterprise(from)),
                2 => (RelationKind::Officer, Party::Person("p".into())),
                _ => (RelationKind::Supplier, Party::Enterprise(from)),
            };
            let mut relation = holds(from, to, value as f64 / 5.0);
            relation.kind = kind;
            relation.amount = Some(value as f64 * 1000.0);
            relation.end = match date {
                2 => Some("2020-01-01".parse().unwrap()),
                3 => Some("2030-01-01".parse().unwrap()),
                _ => None,
            };
            // Roles and start dates differ by row, so a retraction must match them.
            relation.role = ["董事长", "监事", ""].get(value as usize % 4).map(|r| r.to_string());
            relation.start = (value % 2 == 0).then(|| "2019-01-01".parse().unwrap());
            Change::Relation { old: None, new: relation }
        } else {
            let party = |id| crate::model::NamedEnterprise { name: String::new(), id };
            // Few pairs, so invoices pile up on one supply edge and get corrected there.
            let invoice = crate::model::Invoice {
                id: format!("i{slot}"),
                seller: party(1 + from % 2),
                buyer: party(3 + to % 2),
                amount: value as f64 * 100.25,
                issued: dates[date as usize].parse().unwrap(),
                category: None,
                extra: Default::default(),
            };
            Change::Record { old: None, new: Record::Invoice(invoice) }
        }
    }

    /// What every enterprise reaches, nodes and edges each sorted (edge order may differ), and
    /// its ultimate owners with their effective shares and paths.
    fn reach_of(graph: &EnterpriseGraph) -> Vec<(Vec<String>, Vec<String>, Vec<String>)> {
        let text = |values: Vec<String>| {
            let mut values = values;
            values.sort();
            values
        };
        (1..=5)
            .filter_map(|id| {
                let found = graph.neighbourhood(&NodeRef::Enterprise(id), 5, &[], usize::MAX)?;
                let owners = graph.controller(&NodeRef::Enterprise(id), Default::default())?.owners;
                Some((
                    text(found.nodes.iter().map(|n| n.id.to_string()).collect()),
                    text(found.edges.iter().map(|e| serde_json::to_string(e).unwrap()).collect()),
                    text(
                        owners
                            .iter()
                            .map(|o| format!("{} {:.6} {:?}", o.node.name, o.share, o.paths))
                            .collect(),
                    ),
                ))
            })
            .collect()
    }

    fn build_from(rows: &HashMap<usize, Change>) -> EnterpriseGraph {
        let ents: Vec<Enterprise> = (1..=5).map(|id| ent(id, &format!("E{id}"))).collect();
        let persons =
            [Person { id: "p".into(), name: "P".into(), id_number_masked: None, id_number_hash: None }];
        let mut relations = Vec::new();
        let mut records = Vec::new();
        let mut slots: Vec<_> = rows.iter().collect();
        slots.sort_by_key(|(slot, _)| **slot);
        for (_, change) in slots {
            match change {
                Change::Relation { new, .. } => relations.push(new.clone()),
                Change::Record { new, .. } => records.push(new.clone()),
                _ => {}
            }
        }
        EnterpriseGraph::build(&ents, &persons, &relations, &records, as_of())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]
        /// Changes applied one by one give what a rebuild of the final rows gives, unless a
        /// change reports that it cannot be applied exactly (then the caller rebuilds).
        #[test]
        fn applied_changes_give_what_a_rebuild_gives(
            initial in proptest::collection::vec((0usize..12, 1i64..6, 1i64..6, 0u8..4, 1u8..5, 0u8..4), 0..12),
            steps in proptest::collection::vec((0usize..12, 1i64..6, 1i64..6, 0u8..4, 1u8..5, 0u8..4), 0..20),
        ) {
            let mut rows: HashMap<usize, Change> = HashMap::new();
            for (slot, from, to, kind, value, date) in initial {
                rows.insert(slot, row(slot, from, to, kind, value, date));
            }
            let mut graph = build_from(&rows);
            let mut exact = true;
            for (slot, from, to, kind, value, date) in steps {
                let change = match (row(slot, from, to, kind, value, date), rows.get(&slot)) {
                    (Change::Relation { new, .. }, Some(Change::Relation { new: old, .. })) => {
                        Change::Relation { old: Some(old.clone()), new }
                    }
                    (Change::Record { new, .. }, Some(Change::Record { new: old, .. })) => {
                        Change::Record { old: Some(old.clone()), new }
                    }
                    (change, _) => change,
                };
                // A walk before each change, so the arrays the walks use are built and must
                // be dropped by the change.
                reach_of(&graph);
                if !graph.apply(&change) {
                    // Only a corrected invoice may refuse.
                    let corrected_invoice = matches!(change, Change::Record { old: Some(_), .. });
                    proptest::prop_assert!(corrected_invoice, "{:?} refused", change);
                    exact = false;
                    break;
                }
                rows.insert(slot, change);
            }
            if exact {
                let rebuilt = build_from(&rows);
                proptest::prop_assert_eq!(graph.edge_list(), rebuilt.edge_list());
                proptest::prop_assert_eq!(reach_of(&graph), reach_of(&rebuilt));
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]
        /// The search from both ends finds a chain exactly when one exists within the hops,
        /// as long as the shortest (a plain breadth-first search from one end counts), and
        /// every step of it is a relation between the two names.
        #[test]
        fn affiliation_paths_are_shortest_chains(
            links in proptest::collection::vec((1i64..13, 1i64..13), 0..30),
            a in 1i64..13,
            b in 1i64..13,
            hops in 1usize..6,
        ) {
            let ents: Vec<Enterprise> = (1..=12).map(|id| ent(id, &format!("E{id}"))).collect();
            let rels: Vec<Relation> =
                links.iter().filter(|(f, t)| f != t).map(|&(f, t)| holds(Party::Enterprise(f), t, 0.3)).collect();
            let g = EnterpriseGraph::build(&ents, &[], &rels, &[], as_of());
            let linked = |x: i64, y: i64| rels.iter().any(|r| {
                (r.from == Party::Enterprise(x) && r.to == y) || (r.from == Party::Enterprise(y) && r.to == x)
            });
            // Distances from `a` by a plain breadth-first search.
            let mut distance = HashMap::from([(a, 0usize)]);
            let mut queue = VecDeque::from([a]);
            while let Some(x) = queue.pop_front() {
                for y in 1..=12 {
                    if !distance.contains_key(&y) && linked(x, y) {
                        distance.insert(y, distance[&x] + 1);
                        queue.push_back(y);
                    }
                }
            }
            let path = g.affiliation_path(&NodeRef::Enterprise(a), &NodeRef::Enterprise(b), hops);
            match distance.get(&b).filter(|&&d| d <= hops) {
                None => proptest::prop_assert_eq!(path, None),
                Some(&d) => {
                    let path = path.expect("a chain within the hops");
                    proptest::prop_assert_eq!(path.len(), d + 1);
                    let ids: Vec<i64> = path.iter().map(|n| n[1..].parse().unwrap()).collect();
                    proptest::prop_assert_eq!(ids[0], a);
                    proptest::prop_assert_eq!(*ids.last().unwrap(), b);
                    for pair in ids.windows(2) {
                        proptest::prop_assert!(linked(pair[0], pair[1]), "{:?}", ids);
                    }
                }
            }
        }
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
