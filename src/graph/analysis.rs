//! The questions analysts and risk staff ask of the graph: ultimate owners and the actual
//! controller, shortest relation paths, neighbourhoods, corporate groups, guarantee circles and
//! circular shareholding. Every traversal is iterative (explicit stacks and queues), so long
//! chains cannot overflow the call stack.

use super::nodes::KeyRef;
use super::{Edge, EdgeKind, EnterpriseGraph, IndexMap, IndexSet, NodeRef};
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use serde::Serialize;
use std::collections::VecDeque;

/// A node as printed: `{"id","name","kind"}`. Enterprises have numeric ids, persons
/// `person:<id>`. It borrows from the graph, so an answer of thousands of nodes allocates
/// nothing per node until it is written out.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NodeOut<'g> {
    pub id: NodeId<'g>,
    pub name: &'g str,
    pub kind: &'static str,
}

/// A node's id as printed: an enterprise's number, or `person:<id>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeId<'g> {
    Enterprise(crate::model::EnterpriseId),
    Person(&'g str),
}

impl NodeId<'_> {
    /// The enterprise's id, for an enterprise.
    pub fn enterprise(self) -> Option<crate::model::EnterpriseId> {
        match self {
            NodeId::Enterprise(id) => Some(id),
            NodeId::Person(_) => None,
        }
    }
}

impl std::fmt::Display for NodeId<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NodeId::Enterprise(id) => write!(f, "{id}"),
            NodeId::Person(id) => write!(f, "person:{id}"),
        }
    }
}

impl Serialize for NodeId<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            NodeId::Enterprise(id) => serializer.serialize_i64(*id),
            NodeId::Person(_) => serializer.collect_str(self),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Owner<'g> {
    #[serde(flatten)]
    pub node: NodeOut<'g>,
    /// Summed over every simple ownership path of the product of shares along it.
    pub share: f64,
    /// Each path by name, from the owner down to the enterprise.
    pub paths: Vec<Vec<&'g str>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ControllerReport<'g> {
    pub controller: Option<NodeOut<'g>>,
    /// Why this controller (or why none), in words.
    pub rule: &'static str,
    pub owners: Vec<Owner<'g>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EdgeOut<'g> {
    pub kind: &'static str,
    pub from: NodeId<'g>,
    pub to: NodeId<'g>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<f64>,
    /// An officer's post (董事长, 监事…) or another relation's role.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<&'g str>,
    /// When the relation started and ended (for supply edges, the first and last invoice).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<crate::model::Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<crate::model::Date>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathOut<'g> {
    pub length: usize,
    pub nodes: Vec<NodeOut<'g>>,
    pub edges: Vec<EdgeOut<'g>>,
}

/// What a neighbourhood walk reached, by index (see [`EnterpriseGraph::reach`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Reach {
    /// Breadth-first order, the start first.
    pub nodes: Vec<NodeIndex>,
    /// Every edge walked, once.
    pub edges: Vec<petgraph::graph::EdgeIndex>,
    /// Nodes reached but not walked: more than the hub cap of edges.
    pub capped: Vec<NodeIndex>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Neighbourhood<'g> {
    pub nodes: Vec<NodeOut<'g>>,
    pub edges: Vec<EdgeOut<'g>>,
    /// Nodes seen but not expanded because they have more than the hub cap of edges.
    pub capped: Vec<NodeOut<'g>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group<'g> {
    pub head: NodeOut<'g>,
    pub members: Vec<NodeOut<'g>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Circle<'g> {
    pub kind: &'static str,
    pub members: Vec<NodeOut<'g>>,
}

/// Limits that keep a query bounded on a national-scale graph.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Ownership paths are followed at most this deep.
    pub max_owner_depth: usize,
    /// At most this many ownership paths are enumerated per query.
    pub max_owner_paths: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_owner_depth: 12, max_owner_paths: 100_000 }
    }
}

impl EnterpriseGraph {
    pub(super) fn out(&self, index: NodeIndex) -> NodeOut<'_> {
        self.out_of(self.nodes.entry(index.index()))
    }

    fn out_of(&self, entry: (i64, u64)) -> NodeOut<'_> {
        let (key, name) = self.nodes.named(entry);
        let (id, kind) = match key {
            KeyRef::Enterprise(id) => (NodeId::Enterprise(id), "enterprise"),
            KeyRef::Person(id) => (NodeId::Person(id), "person"),
        };
        NodeOut { id, name, kind }
    }

    fn id_at(&self, index: NodeIndex) -> NodeId<'_> {
        match self.nodes.key_ref(index.index()) {
            KeyRef::Enterprise(id) => NodeId::Enterprise(id),
            KeyRef::Person(id) => NodeId::Person(id),
        }
    }

    fn edge_out(&self, edge: EdgeIndex) -> EdgeOut<'_> {
        let edge = &self.graph.raw_edges()[edge.index()];
        self.edge_out_of(edge.source(), edge.target(), &edge.weight)
    }

    fn edge_out_of(&self, source: NodeIndex, target: NodeIndex, w: &Edge) -> EdgeOut<'_> {
        let (start, end) = w.dates();
        EdgeOut {
            kind: w.kind.as_str(),
            from: self.id_at(source),
            to: self.id_at(target),
            share: (w.kind == EdgeKind::Shareholder).then_some(w.share()),
            amount: (w.amount() > 0.0).then_some(w.amount()),
            role: self.role(w),
            start,
            end,
        }
    }

    /// A path of `length` steps from `start`, each step the node it reaches and the edge it
    /// takes.
    fn path_out(
        &self,
        length: usize,
        start: NodeIndex,
        steps: impl Iterator<Item = (NodeIndex, EdgeIndex)>,
    ) -> PathOut<'_> {
        let mut nodes = vec![self.out(start)];
        let mut edges = Vec::new();
        for (node, edge) in steps {
            nodes.push(self.out(node));
            edges.push(self.edge_out(edge));
        }
        PathOut { length, nodes, edges }
    }

    /// Ultimate owners and the actual controller of `node`.
    ///
    /// Owners: walking shareholder edges upstream along simple paths (a node never repeats on a
    /// path, so cross-holdings neither loop nor count twice), an owner is ultimate when nobody
    /// holds shares in it; its effective share is the sum over its paths of the product of the
    /// shares along each.
    ///
    /// Controller (实际控制人), in order: (1) whoever holds a control agreement over the
    /// enterprise; (2) the top of the majority chain — from the enterprise, step to the holder
    /// of more than 50% while there is one (控股股东 of each layer, Company Law art. 265) — when
    /// that top is an ultimate owner; (3) otherwise the largest ultimate owner when its
    /// effective share is at least 25% and strictly larger than every other's (the 25%
    /// threshold of beneficial-ownership rules); else none.
    pub fn controller(&self, node: &NodeRef, limits: Limits) -> Option<ControllerReport<'_>> {
        let target = self.index_of(node)?;
        let owners = self.ultimate_owners(target, limits);
        // (1) control agreement
        if let Some(party) = self.controlled_by(target) {
            return Some(ControllerReport {
                controller: Some(self.out(party)), rule: "协议控制", owners
            });
        }
        // (2) majority chain
        let mut current = target;
        let mut seen = IndexSet::from_iter([target]);
        loop {
            let majority = self.holders(current).find(|&(_, share)| share > 0.5).map(|(holder, _)| holder);
            match majority {
                Some(next) if seen.insert(next) => current = next,
                _ => break,
            }
        }
        if current != target && self.holders(current).next().is_none() {
            return Some(ControllerReport {
                controller: Some(self.out(current)),
                rule: "控股链：每一层持股均超过 50%",
                owners,
            });
        }
        // (3) relative control
        let controller = match owners.as_slice() {
            [first, rest @ ..]
                if first.share >= 0.25 && rest.first().is_none_or(|second| second.share < first.share) =>
            {
                Some(first.node)
            }
            _ => None,
        };
        let rule = if controller.is_some() {
            "最终持股比例最高，不低于 25% 且唯一"
        } else {
            "无协议控制、无控股链，也无唯一持股 25% 以上的最终股东"
        };
        Some(ControllerReport { controller, rule, owners })
    }

    fn ultimate_owners(&self, target: NodeIndex, limits: Limits) -> Vec<Owner<'_>> {
        let mut totals: IndexMap<(f64, Vec<Vec<&str>>)> = IndexMap::default();
        // Every step of the walk as (node, the step it was reached from): a path is the chain
        // of steps back to the target, so a step costs one entry rather than a copy of its
        // path, and a path's names are read only for the paths that end at an owner
        // ([`steps_back`]).
        let mut steps: Vec<(NodeIndex, u32)> = vec![(target, u32::MAX)];
        // Depth-first over simple upstream paths: (step, product, path length).
        let mut stack: Vec<(u32, f64, usize)> = vec![(0, 1.0, 1)];
        let mut holders: Vec<(NodeIndex, f64)> = Vec::new();
        let mut enumerated = 0usize;
        while let Some((step, product, length)) = stack.pop() {
            let current = steps[step as usize].0;
            holders.clear();
            holders.extend(self.holders(current));
            if holders.is_empty() {
                if current != target {
                    let entry = totals.entry(current).or_default();
                    entry.0 += product;
                    // From the owner down to the target.
                    entry.1.push(steps_back(&steps, step).map(|i| self.name_at(i)).collect());
                }
                continue;
            }
            if length > limits.max_owner_depth || enumerated >= limits.max_owner_paths {
                continue;
            }
            for &(holder, share) in &holders {
                if steps_back(&steps, step).any(|on_path| on_path == holder) {
                    continue; // a cycle: this path stops here
                }
                enumerated += 1;
                steps.push((holder, step));
                stack.push(((steps.len() - 1) as u32, product * share, length + 1));
            }
        }
        let mut owners: Vec<Owner> = totals
            .into_iter()
            .map(|(index, (share, mut paths))| {
                paths.sort();
                Owner { node: self.out(index), share, paths }
            })
            .collect();
        owners.sort_by(|a, b| b.share.total_cmp(&a.share).then(a.node.name.cmp(b.node.name)));
        owners
    }

    /// All shortest relation paths from `a` to `b` (edges walked in either direction), at most
    /// `limit` of them, none longer than `max_depth`.
    pub fn shortest_paths(
        &self,
        a: &NodeRef,
        b: &NodeRef,
        max_depth: usize,
        limit: usize,
    ) -> Vec<PathOut<'_>> {
        let (Some(start), Some(goal)) = (self.index_of(a), self.index_of(b)) else { return Vec::new() };
        if start == goal {
            return vec![PathOut { length: 0, nodes: vec![self.out(start)], edges: Vec::new() }];
        }
        // Bidirectional BFS: whole layers from either end, the smaller frontier first, until the
        // two meet. Every node on a shortest path is then within reach of one side, so its
        // distance from `start` is known: from the start's search, or the length less the
        // goal's. A node's distances are its marks: from the start (0) and from the goal (1).
        self.derived.marks.with(self.graph.node_count(), |marks| {
            const FROM_START: usize = 0;
            const FROM_GOAL: usize = 1;
            marks.set_distance(start.index(), FROM_START, 0);
            marks.set_distance(goal.index(), FROM_GOAL, 0);
            let (mut start_frontier, mut goal_frontier) = (vec![start], vec![goal]);
            let (mut start_layer, mut goal_layer) = (0usize, 0usize);
            // Every node the goal's search reached.
            let mut goal_side = vec![goal];
            let mut length = None;
            while !start_frontier.is_empty()
                && !goal_frontier.is_empty()
                && start_layer + goal_layer < max_depth
            {
                let forward = start_frontier.len() <= goal_frontier.len();
                let (side, frontier, layer) = if forward {
                    (FROM_START, &mut start_frontier, &mut start_layer)
                } else {
                    (FROM_GOAL, &mut goal_frontier, &mut goal_layer)
                };
                *layer += 1;
                let mut next = Vec::new();
                let mut meet: Option<usize> = None;
                for &node in frontier.iter() {
                    for neighbour in self.neighbours(node) {
                        if marks.get(neighbour.index())[side] != 0 {
                            continue;
                        }
                        marks.set_distance(neighbour.index(), side, *layer);
                        next.push(neighbour);
                        if let Some(rest) = marks.distance(neighbour.index(), 1 - side) {
                            meet = Some(meet.map_or(rest, |m: usize| m.min(rest)));
                        }
                    }
                }
                if side == FROM_GOAL {
                    goal_side.extend_from_slice(&next);
                }
                *frontier = next;
                if let Some(rest) = meet {
                    length = Some(*layer + rest);
                    break;
                }
            }
            let Some(length) = length else { return Vec::new() };
            let from_goal = |node: NodeIndex| marks.distance(node.index(), FROM_GOAL);
            // The goal's side of shortest paths: from the nodes where the searches met, one
            // layer nearer the goal at a time. Only these take their distance from the goal's
            // search, so the walk back never wanders into the goal's side off every shortest
            // path.
            let mut on_path: IndexSet = goal_side
                .iter()
                .copied()
                .filter(|&node| {
                    let (d, k) = (marks.distance(node.index(), FROM_START), from_goal(node));
                    d.zip(k).is_some_and(|(d, k)| d + k == length)
                })
                .collect();
            let mut layer: Vec<NodeIndex> = on_path.iter().copied().collect();
            while !layer.is_empty() {
                let mut next = Vec::new();
                for node in layer {
                    let Some(k) = from_goal(node).filter(|&k| k > 0) else { continue };
                    for neighbour in self.neighbours(node) {
                        if from_goal(neighbour) == Some(k - 1) && on_path.insert(neighbour) {
                            next.push(neighbour);
                        }
                    }
                }
                layer = next;
            }
            let distance = |node: NodeIndex| -> Option<usize> {
                marks.distance(node.index(), FROM_START).or_else(|| {
                    on_path
                        .contains(&node)
                        .then(|| from_goal(node).and_then(|k| length.checked_sub(k)))
                        .flatten()
                })
            };
            // Walk back from the goal over edges that step one layer down, enumerating paths
            // with one shared path stack (no copying: paths can be long).
            let predecessors = |current: NodeIndex| -> Vec<(NodeIndex, petgraph::graph::EdgeIndex)> {
                let Some(d) = distance(current) else { return Vec::new() };
                let mut steps: Vec<(NodeIndex, petgraph::graph::EdgeIndex)> = self
                    .incident(current)
                    .filter(|&(prev, _)| d > 0 && distance(prev) == Some(d - 1))
                    .collect();
                steps.sort();
                steps.dedup_by_key(|s| s.0);
                steps
            };
            let mut out = Vec::new();
            // Frames: (node, its predecessors, next predecessor to try).
            let mut frames = vec![(goal, predecessors(goal), 0usize)];
            // path[i] = (node, edge to the node before it on the way to start)
            let mut path: Vec<(NodeIndex, petgraph::graph::EdgeIndex)> = Vec::new();
            while let Some(frame) = frames.last_mut() {
                if out.len() >= limit {
                    break;
                }
                if frame.0 == start {
                    out.push(self.path_out(length, start, path.iter().rev().copied()));
                    frames.pop();
                    path.pop();
                    continue;
                }
                if frame.2 < frame.1.len() {
                    let (prev, edge) = frame.1[frame.2];
                    frame.2 += 1;
                    path.push((frame.0, edge));
                    frames.push((prev, predecessors(prev), 0));
                } else {
                    frames.pop();
                    path.pop();
                }
            }
            out
        })
    }

    /// Up to `k` simple relation paths from `a` to `b` of at most `max_depth` edges, shortest
    /// first (edges walked in either direction). A breadth-first pass from `b` bounds the
    /// search: a step is taken only if the goal is still reachable within the remaining budget.
    /// Nodes with more than `hub_cap` edges are passed through only as endpoints.
    pub fn k_shortest_paths(
        &self,
        a: &NodeRef,
        b: &NodeRef,
        max_depth: usize,
        k: usize,
        hub_cap: usize,
    ) -> Vec<PathOut<'_>> {
        let (Some(start), Some(goal)) = (self.index_of(a), self.index_of(b)) else { return Vec::new() };
        if start == goal {
            return vec![PathOut { length: 0, nodes: vec![self.out(start)], edges: Vec::new() }];
        }
        self.derived.marks.with(self.graph.node_count(), |marks| {
            // Per node: its distance to the goal (mark 0; none beyond max_depth) and 1 while it
            // is on the path being built (mark 1). First the distances, breadth first.
            marks.set_distance(goal.index(), 0, 0);
            let mut queue = VecDeque::from([goal]);
            while let Some(current) = queue.pop_front() {
                let d = marks.distance(current.index(), 0).unwrap_or(max_depth);
                if d >= max_depth || (current != goal && self.degree(current) > hub_cap) {
                    continue;
                }
                for next in self.neighbours(current) {
                    if marks.get(next.index())[0] == 0 {
                        marks.set_distance(next.index(), 0, d + 1);
                        queue.push_back(next);
                    }
                }
            }
            let to_goal = |marks: &super::marks::Marks, node: NodeIndex| marks.distance(node.index(), 0);
            let Some(shortest) = to_goal(marks, start) else { return Vec::new() };
            let steps = |current: NodeIndex| -> Vec<(NodeIndex, petgraph::graph::EdgeIndex)> {
                let mut steps: Vec<(NodeIndex, petgraph::graph::EdgeIndex)> =
                    self.incident(current).collect();
                steps.sort();
                steps
            };
            let mut out = Vec::new();
            for length in shortest..=max_depth {
                // Depth-first over paths of exactly `length` edges, one shared path stack.
                let mut frames = vec![(start, steps(start), 0usize)];
                let mut path: Vec<(NodeIndex, petgraph::graph::EdgeIndex)> = Vec::new();
                marks.set_second(start.index(), 1);
                while let Some(frame) = frames.last_mut() {
                    if out.len() >= k {
                        return out;
                    }
                    let used = path.len();
                    if frame.0 == goal {
                        if used == length {
                            out.push(self.path_out(length, start, path.iter().copied()));
                        }
                        frames.pop();
                        if let Some((node, _)) = path.pop() {
                            marks.set_second(node.index(), 0);
                        }
                        continue;
                    }
                    let expandable = frame.0 == start || self.degree(frame.0) <= hub_cap;
                    if expandable && frame.2 < frame.1.len() {
                        let (next, edge) = frame.1[frame.2];
                        frame.2 += 1;
                        let remaining = length - used - 1;
                        let reachable = to_goal(marks, next).is_some_and(|d| d <= remaining);
                        // The goal may only be reached on the last step.
                        let on_path = marks.get(next.index())[1] == 1;
                        if reachable && !on_path && (next != goal || remaining == 0) {
                            path.push((next, edge));
                            marks.set_second(next.index(), 1);
                            frames.push((next, steps(next), 0));
                        }
                    } else {
                        frames.pop();
                        if let Some((node, _)) = path.pop() {
                            marks.set_second(node.index(), 0);
                        }
                    }
                }
                marks.set_second(start.index(), 0);
            }
            out
        })
    }

    /// The `depth`-hop neighbourhood over the given edge kinds (all when empty), named: what
    /// [`EnterpriseGraph::reach`] finds, with names, ids and relations as the API shows them.
    pub fn neighbourhood(
        &self,
        node: &NodeRef,
        depth: usize,
        kinds: &[EdgeKind],
        hub_cap: usize,
    ) -> Option<Neighbourhood<'_>> {
        let reach = self.reach(node, depth, kinds, hub_cap)?;
        // Nodes and edges are read in a loop of nothing but loads first, then named: scattered
        // over a large graph, each read is a cache miss, and these overlap where misses one
        // per (longer) step of naming do not.
        let entries: Vec<(i64, u64)> = reach.nodes.iter().map(|&i| self.nodes.entry(i.index())).collect();
        let nodes: Vec<NodeOut> = entries.into_iter().map(|entry| self.out_of(entry)).collect();
        let raw = self.graph.raw_edges();
        let copied: Vec<(NodeIndex, NodeIndex, Edge)> = reach
            .edges
            .iter()
            .map(|&e| {
                let edge = &raw[e.index()];
                (edge.source(), edge.target(), edge.weight)
            })
            .collect();
        let edges = copied.iter().map(|(source, target, w)| self.edge_out_of(*source, *target, w)).collect();
        Some(Neighbourhood { nodes, edges, capped: reach.capped.into_iter().map(|i| self.out(i)).collect() })
    }

    /// The walk under [`EnterpriseGraph::neighbourhood`]: breadth first from `node` over the
    /// given edge kinds (all when empty), either direction, `depth` steps; a node with more than
    /// `hub_cap` edges (other than `node`) is reached but not walked.
    pub fn reach(&self, node: &NodeRef, depth: usize, kinds: &[EdgeKind], hub_cap: usize) -> Option<Reach> {
        let start = self.index_of(node)?;
        // The edge's kind is read only when it matters: another cache miss on a large graph.
        let allowed = |edge: u32| {
            kinds.is_empty() || kinds.contains(&self.graph.raw_edges()[edge as usize].weight.kind)
        };
        let incidence = self.incidence();
        self.derived.marks.with(self.graph.node_count(), |marks| {
            // Per node: its depth (mark 0) and 1 once its edges were walked (mark 1). Breadth
            // first, so the nodes are `order` itself and `order[next..]` is the queue.
            marks.set_distance(start.index(), 0, 0);
            let mut order = vec![start];
            let mut capped = Vec::new();
            let mut edges = Vec::new();
            let mut next = 0;
            while let Some(&current) = order.get(next) {
                next += 1;
                let d = marks.distance(current.index(), 0).unwrap_or(depth);
                if d >= depth {
                    continue;
                }
                // More than `hub_cap` relations.
                let links = incidence.of(current.index());
                if current != start && links.len() > hub_cap {
                    capped.push(current);
                    continue;
                }
                // Each edge once: an edge to a node already walked was listed from there.
                for &(other, edge) in links {
                    if !allowed(edge) {
                        continue;
                    }
                    match marks.get(other as usize) {
                        [0, _] => {
                            marks.set_distance(other as usize, 0, d + 1);
                            order.push(NodeIndex::new(other as usize));
                        }
                        [_, 1] => continue,
                        _ => {}
                    }
                    edges.push(EdgeIndex::new(edge as usize));
                }
                marks.set_second(current.index(), 1);
            }
            Some(Reach { nodes: order, edges, capped })
        })
    }

    /// The corporate group (集团) of `node`: the connected component over control links
    /// (control agreements and shareholdings above 50%); the head is the member nobody in the
    /// group controls (the one with the most members below it when several qualify).
    pub fn group(&self, node: &NodeRef) -> Option<Group<'_>> {
        let start = self.index_of(node)?;
        let controls = |kind: EdgeKind, share: f64| {
            kind == EdgeKind::Control || (kind == EdgeKind::Shareholder && share > 0.5)
        };
        let mut members = vec![start];
        let mut seen = IndexSet::from_iter([start]);
        let mut queue = VecDeque::from([start]);
        while let Some(current) = queue.pop_front() {
            let incident = self
                .graph
                .edges_directed(current, Direction::Outgoing)
                .chain(self.graph.edges_directed(current, Direction::Incoming));
            for edge in incident {
                if !controls(edge.weight().kind, edge.weight().share()) {
                    continue;
                }
                let other = if edge.source() == current { edge.target() } else { edge.source() };
                if seen.insert(other) {
                    members.push(other);
                    queue.push_back(other);
                }
            }
        }
        let controlled_within = |index: NodeIndex| {
            self.graph
                .edges_directed(index, Direction::Incoming)
                .any(|e| controls(e.weight().kind, e.weight().share()) && seen.contains(&e.source()))
        };
        let descendants = |index: NodeIndex| {
            let mut count = 0;
            let mut stack = vec![index];
            let mut visited = IndexSet::from_iter([index]);
            while let Some(current) = stack.pop() {
                for edge in self.graph.edges_directed(current, Direction::Outgoing) {
                    if controls(edge.weight().kind, edge.weight().share()) && visited.insert(edge.target()) {
                        count += 1;
                        stack.push(edge.target());
                    }
                }
            }
            count
        };
        let head = members
            .iter()
            .copied()
            .filter(|&m| !controlled_within(m))
            .max_by_key(|&m| (descendants(m), std::cmp::Reverse(m.index())))
            .or_else(|| members.iter().copied().max_by_key(|&m| descendants(m)))
            .unwrap_or(start);
        members.sort_by_key(|m| m.index());
        Some(Group { head: self.out(head), members: members.into_iter().map(|m| self.out(m)).collect() })
    }

    /// Strongly connected components of two or more members in the directed graph of one
    /// relation kind: guarantee circles (担保圈) or circular shareholding.
    ///
    /// The components are found on a graph of just that kind's edges and their ends, so the
    /// cost follows the guarantees (or holdings), not the whole graph.
    pub fn circles(&self, kind: EdgeKind) -> Vec<Circle<'_>> {
        let mut local = vec![u32::MAX; self.graph.node_count()];
        let mut sub: DiGraph<NodeIndex, (), u32> = DiGraph::new();
        let mut end = |sub: &mut DiGraph<NodeIndex, (), u32>, n: NodeIndex| {
            let slot = &mut local[n.index()];
            if *slot == u32::MAX {
                *slot = sub.add_node(n).index() as u32;
            }
            NodeIndex::new(*slot as usize)
        };
        for edge in self.graph.edge_references().filter(|e| e.weight().kind == kind) {
            let (a, b) = (end(&mut sub, edge.source()), end(&mut sub, edge.target()));
            sub.add_edge(a, b, ());
        }
        let mut circles: Vec<Circle<'_>> = petgraph::algo::kosaraju_scc(&sub)
            .into_iter()
            .filter(|component| component.len() >= 2)
            .map(|component| {
                let mut members: Vec<NodeIndex> = component.into_iter().map(|i| sub[i]).collect();
                members.sort_by_key(|i| i.index());
                Circle { kind: kind.as_str(), members: members.into_iter().map(|i| self.out(i)).collect() }
            })
            .collect();
        circles.sort_by(|a, b| {
            b.members.len().cmp(&a.members.len()).then(a.members[0].name.cmp(b.members[0].name))
        });
        circles
    }

    /// Every node, for lookups by name.
    pub fn nodes(&self) -> impl Iterator<Item = (NodeRef, &str)> {
        (0..self.nodes.len()).map(|n| (self.nodes.key(n), self.nodes.name(n)))
    }
}

/// The nodes of the path that ends at `step` (see `ultimate_owners`), from that step back to
/// the walk's start.
fn steps_back(steps: &[(NodeIndex, u32)], step: u32) -> impl Iterator<Item = NodeIndex> + '_ {
    std::iter::successors(Some(step), |&at| Some(steps[at as usize].1).filter(|&up| up != u32::MAX))
        .map(|at| steps[at as usize].0)
}

#[cfg(test)]
mod tests {
    use super::super::{BuildOptions, EnterpriseGraph};
    use super::*;
    use crate::model::{Enterprise, Party, Person, Relation, RelationKind};
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn build(n: usize, persons: usize, rels: &[(Party, i64, RelationKind, f64)]) -> EnterpriseGraph {
        let ents: Vec<Enterprise> = (1..=n as i64)
            .map(|id| Enterprise { id, name: format!("E{id}"), ..Default::default() })
            .collect();
        let people: Vec<Person> = (0..persons)
            .map(|i| Person {
                id: format!("p{i}"),
                name: format!("P{i}"),
                id_number_masked: None,
                id_number_hash: None,
            })
            .collect();
        let relations: Vec<Relation> = rels
            .iter()
            .map(|(from, to, kind, share)| Relation {
                from: from.clone(),
                to: *to,
                kind: *kind,
                share: Some(*share),
                role: None,
                amount: None,
                start: None,
                end: None,
                source: None,
            })
            .collect();
        EnterpriseGraph::build(
            &ents,
            &people,
            &relations,
            &[],
            BuildOptions::new("2026-01-01".parse().unwrap()),
        )
    }

    use RelationKind::{Guarantee, Shareholder};

    #[test]
    fn owners_sum_over_paths_and_the_majority_chain_controls() {
        // P0 holds 60% of E2 and 20% of E1; E2 holds 70% of E1; P1 holds 40% of E2.
        let g = build(
            2,
            2,
            &[
                (Party::Person("p0".into()), 2, Shareholder, 0.6),
                (Party::Person("p1".into()), 2, Shareholder, 0.4),
                (Party::Enterprise(2), 1, Shareholder, 0.7),
                (Party::Person("p0".into()), 1, Shareholder, 0.2),
            ],
        );
        let report = g.controller(&NodeRef::Enterprise(1), Limits::default()).unwrap();
        let shares: Vec<(&str, f64)> =
            report.owners.iter().map(|o| (o.node.name, (o.share * 1000.0).round() / 1000.0)).collect();
        assert_eq!(shares, [("P0", 0.62), ("P1", 0.28)]);
        assert_eq!(report.owners[0].paths, [vec!["P0", "E1"], vec!["P0", "E2", "E1"]]);
        assert_eq!(report.controller.unwrap().name, "P0");
        assert!(report.rule.starts_with("控股链"));
    }

    #[test]
    fn cross_holdings_do_not_loop() {
        // E1 and E2 hold each other; P0 holds 50% of E2 from outside.
        let g = build(
            2,
            1,
            &[
                (Party::Enterprise(1), 2, Shareholder, 0.3),
                (Party::Enterprise(2), 1, Shareholder, 0.4),
                (Party::Person("p0".into()), 2, Shareholder, 0.5),
            ],
        );
        let report = g.controller(&NodeRef::Enterprise(1), Limits::default()).unwrap();
        assert_eq!(report.owners.len(), 1);
        assert!((report.owners[0].share - 0.2).abs() < 1e-6);
        assert_eq!(g.circles(EdgeKind::Shareholder).len(), 1);

        // Majorities both ways: the majority chain stops where it comes round, and the
        // outside holder's 40% decides.
        let g = build(
            2,
            1,
            &[
                (Party::Enterprise(1), 2, Shareholder, 0.6),
                (Party::Enterprise(2), 1, Shareholder, 0.6),
                (Party::Person("p0".into()), 1, Shareholder, 0.4),
            ],
        );
        let report = g.controller(&NodeRef::Enterprise(1), Limits::default()).unwrap();
        assert_eq!(report.controller.map(|c| c.name), Some("P0"));
        assert!(report.rule.starts_with("最终持股比例最高"), "{}", report.rule);
        // Through E1, P0 holds 24% of E2: nobody controls it.
        let report = g.controller(&NodeRef::Enterprise(2), Limits::default()).unwrap();
        assert_eq!(report.controller, None);
        assert!((report.owners[0].share - 0.24).abs() < 1e-9);
    }

    #[test]
    fn guarantee_circles_are_sccs() {
        let g = build(
            5,
            0,
            &[
                (Party::Enterprise(1), 2, Guarantee, 0.0),
                (Party::Enterprise(2), 3, Guarantee, 0.0),
                (Party::Enterprise(3), 1, Guarantee, 0.0),
                (Party::Enterprise(4), 5, Guarantee, 0.0),
            ],
        );
        let circles = g.circles(EdgeKind::Guarantee);
        assert_eq!(circles.len(), 1);
        let names: Vec<&str> = circles[0].members.iter().map(|m| m.name).collect();
        assert_eq!(names, ["E1", "E2", "E3"]);
    }

    #[test]
    fn long_chains_do_not_overflow_the_stack() {
        let n = 200_000;
        let rels: Vec<_> = (1..n as i64)
            .map(|i| (Party::Enterprise(i), i + 1, Guarantee, 0.0))
            .chain([(Party::Enterprise(n as i64), 1, Guarantee, 0.0)])
            .collect();
        let g = build(n, 0, &rels);
        assert_eq!(g.circles(EdgeKind::Guarantee)[0].members.len(), n);
        let far = g.shortest_paths(&NodeRef::Enterprise(1), &NodeRef::Enterprise(100_000), 200_000, 1);
        assert_eq!(far[0].length, 99_999);
    }

    #[test]
    fn k_shortest_paths_include_longer_routes_in_order() {
        let g = build(
            5,
            0,
            &[
                (Party::Enterprise(1), 2, Guarantee, 0.0),
                (Party::Enterprise(2), 3, Guarantee, 0.0),
                (Party::Enterprise(1), 4, Guarantee, 0.0),
                (Party::Enterprise(5), 4, Guarantee, 0.0),
                (Party::Enterprise(5), 3, Guarantee, 0.0),
            ],
        );
        let paths = g.k_shortest_paths(&NodeRef::Enterprise(1), &NodeRef::Enterprise(3), 4, 10, 1000);
        let routes: Vec<Vec<&str>> = paths.iter().map(|p| p.nodes.iter().map(|n| n.name).collect()).collect();
        assert_eq!(routes, [vec!["E1", "E2", "E3"], vec!["E1", "E4", "E5", "E3"]]);
        assert_eq!(
            g.k_shortest_paths(&NodeRef::Enterprise(1), &NodeRef::Enterprise(3), 2, 10, 1000).len(),
            1
        );
        assert_eq!(g.k_shortest_paths(&NodeRef::Enterprise(1), &NodeRef::Enterprise(3), 4, 1, 1000).len(), 1);
    }

    #[test]
    fn groups_follow_control_and_find_the_head() {
        let g = build(
            4,
            0,
            &[
                (Party::Enterprise(1), 2, Shareholder, 0.8),
                (Party::Enterprise(2), 3, Shareholder, 0.51),
                (Party::Enterprise(1), 4, Shareholder, 0.3),
            ],
        );
        let group = g.group(&NodeRef::Enterprise(3)).unwrap();
        assert_eq!(group.head.name, "E1");
        assert_eq!(group.members.iter().map(|m| m.name).collect::<Vec<_>>(), ["E1", "E2", "E3"]);
    }

    #[test]
    fn neighbourhoods_filter_kinds_and_cap_hubs() {
        let mut rels =
            vec![(Party::Enterprise(1), 2, Shareholder, 0.5), (Party::Enterprise(2), 3, Guarantee, 0.0)];
        for i in 4..=10 {
            rels.push((Party::Enterprise(i), 2, Shareholder, 0.01));
        }
        let g = build(10, 0, &rels);
        let all = g.neighbourhood(&NodeRef::Enterprise(1), 2, &[], 1000).unwrap();
        assert_eq!(all.nodes.len(), 10);
        let holders = g.neighbourhood(&NodeRef::Enterprise(1), 2, &[EdgeKind::Shareholder], 1000).unwrap();
        assert_eq!(holders.nodes.len(), 9);
        let capped = g.neighbourhood(&NodeRef::Enterprise(1), 2, &[], 5).unwrap();
        assert_eq!(capped.nodes.len(), 2);
        assert_eq!(capped.capped[0].name, "E2");
    }

    /// Effective shares by brute force: all simple paths from every source with no holders.
    fn brute_force_owners(n: usize, edges: &[(usize, usize, f64)], target: usize) -> HashMap<usize, f64> {
        let holders = |node: usize| edges.iter().filter(move |e| e.1 == node).map(|e| (e.0, e.2));
        let mut out = HashMap::new();
        fn walk(
            node: usize,
            product: f64,
            path: &mut Vec<usize>,
            edges: &[(usize, usize, f64)],
            out: &mut HashMap<usize, f64>,
            target: usize,
        ) {
            let hs: Vec<(usize, f64)> = edges.iter().filter(|e| e.1 == node).map(|e| (e.0, e.2)).collect();
            if hs.is_empty() {
                if node != target {
                    *out.entry(node).or_insert(0.0) += product;
                }
                return;
            }
            for (h, s) in hs {
                if path.contains(&h) {
                    continue;
                }
                path.push(h);
                walk(h, product * s, path, edges, out, target);
                path.pop();
            }
        }
        let _ = (n, holders(0).count());
        walk(target, 1.0, &mut vec![target], edges, &mut out, target);
        out
    }

    proptest! {
        #[test]
        fn owners_match_brute_force(edges in proptest::collection::vec((1usize..8, 1usize..8, 0.05f64..1.0), 0..16), target in 1usize..8) {
            let edges: Vec<(usize, usize, f64)> = edges.into_iter().filter(|e| e.0 != e.1).collect();
            let mut dedup: Vec<(usize, usize, f64)> = Vec::new();
            for e in edges { if !dedup.iter().any(|d| d.0 == e.0 && d.1 == e.1) { dedup.push(e); } }
            let rels: Vec<_> = dedup.iter().map(|&(a, b, s)| (Party::Enterprise(a as i64), b as i64, Shareholder, s)).collect();
            let g = build(8, 0, &rels);
            let report = g.controller(&NodeRef::Enterprise(target as i64), Limits::default()).unwrap();
            let expected = brute_force_owners(8, &dedup, target);
            prop_assert_eq!(report.owners.len(), expected.len());
            for owner in &report.owners {
                let id = owner.node.id.enterprise().unwrap() as usize;
                prop_assert!((expected[&id] - owner.share).abs() < 1e-6);
            }
        }

        /// The neighbourhood is every node within the depth and every edge touching a node
        /// inside it (not on its rim), each once — parallel edges and loops included.
        #[test]
        fn neighbourhoods_list_each_node_and_edge_once(
            edges in proptest::collection::vec((1usize..9, 1usize..9, 0u8..2), 0..24),
            start in 1usize..9,
            depth in 0usize..4,
        ) {
            // The store keys relations, so one relation of a kind per pair and direction.
            let mut edges = edges;
            edges.sort();
            edges.dedup();
            let rels: Vec<_> = edges.iter().map(|&(x, y, k)| {
                (Party::Enterprise(x as i64), y as i64, if k == 0 { Guarantee } else { RelationKind::Control }, 0.0)
            }).collect();
            let g = build(8, 0, &rels);
            let near = g.neighbourhood(&NodeRef::Enterprise(start as i64), depth, &[], usize::MAX).unwrap();
            // Distances by relaxing every relation (either way) until nothing changes.
            let mut distance: HashMap<usize, usize> = HashMap::from([(start, 0)]);
            loop {
                let mut changed = false;
                for &(x, y, _) in &edges {
                    for (a, b) in [(x, y), (y, x)] {
                        if let Some(&d) = distance.get(&a) {
                            if d < depth && distance.get(&b).is_none_or(|&e| e > d + 1) {
                                distance.insert(b, d + 1);
                                changed = true;
                            }
                        }
                    }
                }
                if !changed { break; }
            }
            let mut nodes: Vec<usize> = near.nodes.iter().map(|n| n.id.enterprise().unwrap() as usize).collect();
            nodes.sort();
            let mut expected: Vec<usize> = distance.keys().copied().collect();
            expected.sort();
            prop_assert_eq!(nodes, expected);
            let inside = |n: &usize| distance.get(n).is_some_and(|&d| d < depth);
            let mut listed: Vec<(i64, i64, &str)> = near.edges.iter()
                .map(|e| (e.from.enterprise().unwrap(), e.to.enterprise().unwrap(), e.kind)).collect();
            listed.sort();
            let before = listed.len();
            listed.dedup();
            prop_assert_eq!(before, listed.len(), "an edge listed twice");
            let mut wanted: Vec<(i64, i64, &str)> = edges.iter()
                .filter(|(x, y, _)| inside(x) || inside(y))
                .map(|&(x, y, k)| (x as i64, y as i64, if k == 0 { "guarantee" } else { "control" }))
                .collect();
            wanted.sort();
            wanted.dedup();
            prop_assert_eq!(listed, wanted);
        }

        #[test]
        fn k_shortest_paths_are_simple_sorted_and_start_at_the_bfs_distance(edges in proptest::collection::vec((1usize..9, 1usize..9), 0..20), a in 1usize..9, b in 1usize..9) {
            let rels: Vec<_> = edges.iter().filter(|e| e.0 != e.1).map(|&(x, y)| (Party::Enterprise(x as i64), y as i64, Guarantee, 0.0)).collect();
            let g = build(8, 0, &rels);
            let (from, to) = (NodeRef::Enterprise(a as i64), NodeRef::Enterprise(b as i64));
            let shortest = g.shortest_paths(&from, &to, 8, 1);
            let k = g.k_shortest_paths(&from, &to, 5, 20, 1000);
            match shortest.first() {
                Some(s) if s.length <= 5 => prop_assert_eq!(k.first().map(|p| p.length), Some(s.length)),
                _ => prop_assert!(k.is_empty()),
            }
            for pair in k.windows(2) { prop_assert!(pair[0].length <= pair[1].length); }
            for p in &k {
                prop_assert!(p.length <= 5);
                prop_assert_eq!(p.nodes.len(), p.length + 1);
                let mut ids: Vec<i64> = p.nodes.iter().map(|n| n.id.enterprise().unwrap()).collect();
                ids.sort();
                ids.dedup();
                prop_assert_eq!(ids.len(), p.nodes.len(), "a path repeats a node");
            }
        }

        #[test]
        fn shortest_path_lengths_match_bfs(edges in proptest::collection::vec((1usize..10, 1usize..10), 0..25), a in 1usize..10, b in 1usize..10) {
            let rels: Vec<_> = edges.iter().filter(|e| e.0 != e.1).map(|&(x, y)| (Party::Enterprise(x as i64), y as i64, Guarantee, 0.0)).collect();
            let g = build(9, 0, &rels);
            // Brute force: Floyd-Warshall on the undirected graph.
            let mut d = [[usize::MAX / 2; 10]; 10];
            for (i, row) in d.iter_mut().enumerate() { row[i] = 0; }
            for &(x, y) in edges.iter().filter(|e| e.0 != e.1) { d[x][y] = 1; d[y][x] = 1; }
            for k in 1..10 { for i in 1..10 { for j in 1..10 { if d[i][k] + d[k][j] < d[i][j] { d[i][j] = d[i][k] + d[k][j]; } } } }
            let paths = g.shortest_paths(&NodeRef::Enterprise(a as i64), &NodeRef::Enterprise(b as i64), 20, 50);
            if d[a][b] >= usize::MAX / 2 {
                prop_assert!(paths.is_empty());
            } else {
                prop_assert!(!paths.is_empty());
                for p in &paths { prop_assert_eq!(p.length, d[a][b]); prop_assert_eq!(p.nodes.len(), d[a][b] + 1); }
                // Every shortest path, each once: count them over the distance layers to `b`.
                let mut adjacent = [[false; 10]; 10];
                for &(x, y) in edges.iter().filter(|e| e.0 != e.1) { adjacent[x][y] = true; adjacent[y][x] = true; }
                let mut ways = [0usize; 10];
                ways[b] = 1;
                for layer in 1..=d[a][b] {
                    for v in 1..10 {
                        if d[v][b] == layer {
                            ways[v] = (1..10).filter(|&u| adjacent[v][u] && d[u][b] == layer - 1).map(|u| ways[u]).sum();
                        }
                    }
                }
                prop_assert_eq!(paths.len(), ways[a].min(50));
                let mut distinct: Vec<Vec<i64>> = paths.iter().map(|p| p.nodes.iter().map(|n| n.id.enterprise().unwrap()).collect()).collect();
                distinct.sort();
                distinct.dedup();
                prop_assert_eq!(distinct.len(), paths.len());
            }
        }
    }
}
