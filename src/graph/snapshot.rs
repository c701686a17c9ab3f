//! A compact binary snapshot of the graph, so a restart does not rebuild it from the store.
//!
//! Layout (little endian): magic `OPPGRAF1`, the store generation and `as_of` (days since
//! 1970-01-01) it was built for, node count, edge count; nodes as (tag u8: 0 enterprise /
//! 1 person, id: i64 or length-prefixed UTF-8, name: length-prefixed UTF-8); edges as (source
//! u32, target u32, kind u8, share f64, amount f64, count u32). Contacts for suspected links
//! are not in the snapshot; a loaded graph rebuilds them from the enterprises when asked.

use super::{Edge, EdgeKind, EnterpriseGraph, Node, NodeRef};
use crate::model::Date;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

const MAGIC: &[u8; 8] = b"OPPGRAF1";

const KINDS: [EdgeKind; 9] = [
    EdgeKind::Shareholder,
    EdgeKind::Officer,
    EdgeKind::LegalRep,
    EdgeKind::Guarantee,
    EdgeKind::Supplier,
    EdgeKind::Branch,
    EdgeKind::Control,
    EdgeKind::Pledge,
    EdgeKind::Tender,
];

/// What a snapshot was built from; a snapshot is used only when both match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub generation: u64,
    pub as_of: Date,
}

fn days(date: Date) -> i64 {
    (date - Date::from_ymd_opt(1970, 1, 1).unwrap_or_default()).num_days()
}

fn write_str(out: &mut impl Write, text: &str) -> std::io::Result<()> {
    out.write_all(&(text.len() as u32).to_le_bytes())?;
    out.write_all(text.as_bytes())
}

fn read_array<const N: usize>(input: &mut impl Read) -> std::io::Result<[u8; N]> {
    let mut buf = [0u8; N];
    input.read_exact(&mut buf)?;
    Ok(buf)
}

fn read_str(input: &mut impl Read) -> std::io::Result<String> {
    let len = u32::from_le_bytes(read_array(input)?) as usize;
    let mut buf = vec![0u8; len];
    input.read_exact(&mut buf)?;
    String::from_utf8(buf).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

fn invalid(message: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, message.to_string())
}

impl EnterpriseGraph {
    /// Writes the snapshot atomically (a temp file renamed over the old one).
    pub fn save_snapshot(&self, path: &Path, stamp: Stamp) -> std::io::Result<()> {
        let temp = path.with_extension("tmp");
        {
            let mut out = BufWriter::new(std::fs::File::create(&temp)?);
            out.write_all(MAGIC)?;
            out.write_all(&stamp.generation.to_le_bytes())?;
            out.write_all(&days(stamp.as_of).to_le_bytes())?;
            out.write_all(&(self.graph.node_count() as u64).to_le_bytes())?;
            out.write_all(&(self.graph.edge_count() as u64).to_le_bytes())?;
            for node in self.graph.node_weights() {
                match &node.key {
                    NodeRef::Enterprise(id) => {
                        out.write_all(&[0])?;
                        out.write_all(&id.to_le_bytes())?;
                    }
                    NodeRef::Person(id) => {
                        out.write_all(&[1])?;
                        write_str(&mut out, id)?;
                    }
                }
                write_str(&mut out, &node.name)?;
            }
            for edge in self.graph.edge_references() {
                let w = edge.weight();
                out.write_all(&(edge.source().index() as u32).to_le_bytes())?;
                out.write_all(&(edge.target().index() as u32).to_le_bytes())?;
                let kind = KINDS.iter().position(|k| *k == w.kind).unwrap_or(0) as u8;
                out.write_all(&[kind])?;
                out.write_all(&w.share.to_le_bytes())?;
                out.write_all(&w.amount.to_le_bytes())?;
                out.write_all(&w.count.to_le_bytes())?;
            }
            out.flush()?;
        }
        std::fs::rename(&temp, path)
    }

    /// Loads a snapshot if it was made for `stamp`; `Ok(None)` when it is stale or absent.
    pub fn load_snapshot(path: &Path, stamp: Stamp) -> std::io::Result<Option<EnterpriseGraph>> {
        let file = match std::fs::File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut input = BufReader::new(file);
        if &read_array::<8>(&mut input)? != MAGIC {
            return Ok(None);
        }
        let generation = u64::from_le_bytes(read_array(&mut input)?);
        let as_of = i64::from_le_bytes(read_array(&mut input)?);
        if generation != stamp.generation || as_of != days(stamp.as_of) {
            return Ok(None);
        }
        let nodes = u64::from_le_bytes(read_array(&mut input)?) as usize;
        let edges = u64::from_le_bytes(read_array(&mut input)?) as usize;
        let mut g = EnterpriseGraph::default();
        g.graph.reserve_nodes(nodes);
        g.graph.reserve_edges(edges);
        g.index.reserve(nodes);
        for _ in 0..nodes {
            let key = match read_array::<1>(&mut input)?[0] {
                0 => NodeRef::Enterprise(i64::from_le_bytes(read_array(&mut input)?)),
                1 => NodeRef::Person(read_str(&mut input)?),
                _ => return Err(invalid("bad node tag in graph snapshot")),
            };
            let name = read_str(&mut input)?;
            let index = g.graph.add_node(Node { key: key.clone(), name });
            g.index.insert(key, index);
        }
        for _ in 0..edges {
            let source = u32::from_le_bytes(read_array(&mut input)?) as usize;
            let target = u32::from_le_bytes(read_array(&mut input)?) as usize;
            let kind = *KINDS
                .get(read_array::<1>(&mut input)?[0] as usize)
                .ok_or_else(|| invalid("bad edge kind"))?;
            let share = f64::from_le_bytes(read_array(&mut input)?);
            let amount = f64::from_le_bytes(read_array(&mut input)?);
            let count = u32::from_le_bytes(read_array(&mut input)?);
            if source >= nodes || target >= nodes {
                return Err(invalid("edge end out of range in graph snapshot"));
            }
            g.graph.add_edge(
                NodeIndex::new(source),
                NodeIndex::new(target),
                Edge { kind, share, amount, count },
            );
        }
        Ok(Some(g))
    }

    /// Adds the contact attributes used for suspected links (not kept in snapshots).
    pub fn attach_contacts(&mut self, enterprises: &[crate::model::Enterprise]) {
        self.contacts = super::contacts_of(enterprises);
    }
}

#[cfg(test)]
mod tests {
    use super::super::BuildOptions;
    use super::*;
    use crate::model::{Enterprise, Party, Person, Relation, RelationKind};

    #[test]
    fn snapshots_round_trip_and_go_stale() {
        let ents: Vec<Enterprise> =
            (1..=3).map(|id| Enterprise { id, name: format!("企业{id}"), ..Default::default() }).collect();
        let persons = [Person { id: "p1".into(), name: "张三".into(), id_number: None }];
        let rel = |from: Party, to, kind, share| Relation {
            from,
            to,
            kind,
            share,
            role: None,
            amount: Some(5.0),
            start: None,
            end: None,
            source: None,
        };
        let relations = [
            rel(Party::Person("p1".into()), 1, RelationKind::Shareholder, Some(0.6)),
            rel(Party::Enterprise(1), 2, RelationKind::Guarantee, None),
        ];
        let as_of: Date = "2026-01-01".parse().unwrap();
        let g = EnterpriseGraph::build(&ents, &persons, &relations, &[], BuildOptions { as_of });
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("graph.snapshot");
        let stamp = Stamp { generation: 7, as_of };
        g.save_snapshot(&path, stamp).unwrap();
        let loaded = EnterpriseGraph::load_snapshot(&path, stamp).unwrap().unwrap();
        assert_eq!((loaded.node_count(), loaded.edge_count()), (4, 2));
        let report = loaded.controller(&NodeRef::Enterprise(1), Default::default()).unwrap();
        assert_eq!(report.owners[0].node.name, "张三");
        assert_eq!(report.owners[0].share, 0.6);
        assert!(EnterpriseGraph::load_snapshot(&path, Stamp { generation: 8, as_of }).unwrap().is_none());
        assert!(EnterpriseGraph::load_snapshot(&dir.path().join("none"), stamp).unwrap().is_none());
    }
}
