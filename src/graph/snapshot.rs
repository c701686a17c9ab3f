//! A compact binary snapshot of the graph, so a restart does not rebuild it from the store.
//!
//! Layout (little endian): magic `OPPGRAF4`; the build that wrote it (length-prefixed
//! [`crate::BUILD`]: another build's snapshot is not read, the graph is rebuilt); the stamp
//! (store id u64, change seq u64); the build
//! options (`as_of` as days since 1970-01-01 i64, supply window u32); person ids (count u64,
//! then each as length-prefixed UTF-8); roles (count u64, then each length-prefixed, numbered
//! from 1 in this order); nodes (count u64, then raw key i64 — enterprise id, or
//! `!n` for the n-th person — and length-prefixed name); edges (count u64, then source u32,
//! target u32, kind u8, value f64, count u32, first u16, last u16, role u16); contacts (count u64, then
//! attribute u8, length-prefixed value, id count u32, ids i64).

use super::nodes::Nodes;
use super::{BuildOptions, Contacts, Edge, EdgeKind, EnterpriseGraph, Roles};
use crate::model::{Date, GraphVersion};
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

const MAGIC: &[u8; 8] = b"OPPGRAF4";

const KINDS: [EdgeKind; 9] = EdgeKind::ALL;

const ATTRIBUTES: [&str; 3] = ["phone", "address", "email"];

fn days(date: Date) -> i64 {
    (date - super::epoch()).num_days()
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

fn read_u64(input: &mut impl Read) -> std::io::Result<u64> {
    Ok(u64::from_le_bytes(read_array(input)?))
}

fn read_str(input: &mut impl Read) -> std::io::Result<String> {
    let mut buf = Vec::new();
    read_str_into(input, &mut buf).map(str::to_string)
}

/// Reads a length-prefixed string into `buf` (reused between calls: no allocation per string).
fn read_str_into<'b>(input: &mut impl Read, buf: &'b mut Vec<u8>) -> std::io::Result<&'b str> {
    let len = u32::from_le_bytes(read_array(input)?) as usize;
    buf.resize(len, 0);
    input.read_exact(buf)?;
    std::str::from_utf8(buf).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

fn invalid(message: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, message.to_string())
}

fn read_header(input: &mut impl Read) -> std::io::Result<Option<(GraphVersion, BuildOptions)>> {
    if &read_array::<8>(input)? != MAGIC {
        return Ok(None);
    }
    // What another build made may follow rules this one changed: not read.
    if read_str_into(input, &mut Vec::new())? != crate::BUILD {
        return Ok(None);
    }
    let stamp = GraphVersion { store_id: read_u64(input)?, seq: read_u64(input)? };
    let as_of = super::epoch() + chrono::Duration::days(i64::from_le_bytes(read_array(input)?));
    let supply_window_days = u32::from_le_bytes(read_array(input)?);
    Ok(Some((stamp, BuildOptions { as_of, supply_window_days })))
}

fn open(path: &Path) -> std::io::Result<Option<BufReader<std::fs::File>>> {
    match std::fs::File::open(path) {
        Ok(file) => Ok(Some(BufReader::with_capacity(1 << 20, file))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

impl EnterpriseGraph {
    /// Writes the snapshot atomically (a temp file renamed over the old one).
    pub fn save_snapshot(&self, path: &Path) -> std::io::Result<()> {
        let temp = path.with_extension("tmp");
        {
            let mut out = BufWriter::new(std::fs::File::create(&temp)?);
            out.write_all(MAGIC)?;
            write_str(&mut out, crate::BUILD)?;
            out.write_all(&self.stamp.store_id.to_le_bytes())?;
            out.write_all(&self.stamp.seq.to_le_bytes())?;
            out.write_all(&days(self.options.as_of).to_le_bytes())?;
            out.write_all(&self.options.supply_window_days.to_le_bytes())?;
            out.write_all(&(self.nodes.person_count() as u64).to_le_bytes())?;
            for p in 0..self.nodes.person_count() {
                write_str(&mut out, self.nodes.person_id_at(p))?;
            }
            let roles: Vec<&str> = self.roles.all().collect();
            out.write_all(&(roles.len() as u64).to_le_bytes())?;
            for role in roles {
                write_str(&mut out, role)?;
            }
            out.write_all(&(self.nodes.len() as u64).to_le_bytes())?;
            for n in 0..self.nodes.len() {
                out.write_all(&self.nodes.raw_key(n).to_le_bytes())?;
                write_str(&mut out, self.nodes.name(n))?;
            }
            out.write_all(&(self.graph.edge_count() as u64).to_le_bytes())?;
            for edge in self.graph.edge_references() {
                let w = edge.weight();
                out.write_all(&(edge.source().index() as u32).to_le_bytes())?;
                out.write_all(&(edge.target().index() as u32).to_le_bytes())?;
                let kind = KINDS.iter().position(|k| *k == w.kind).unwrap_or(0) as u8;
                out.write_all(&[kind])?;
                out.write_all(&w.value.to_le_bytes())?;
                out.write_all(&w.count.to_le_bytes())?;
                out.write_all(&w.first.to_le_bytes())?;
                out.write_all(&w.last.to_le_bytes())?;
                out.write_all(&w.role.to_le_bytes())?;
            }
            out.write_all(&(self.contacts.len() as u64).to_le_bytes())?;
            for ((attribute, value), ids) in &self.contacts {
                let attribute = ATTRIBUTES.iter().position(|a| a == attribute).unwrap_or(0) as u8;
                out.write_all(&[attribute])?;
                write_str(&mut out, value)?;
                out.write_all(&(ids.len() as u32).to_le_bytes())?;
                for id in ids {
                    out.write_all(&id.to_le_bytes())?;
                }
            }
            out.flush()?;
        }
        std::fs::rename(&temp, path)
    }

    /// The stamp and build options of the snapshot at `path`, read from its header alone;
    /// `None` when there is none, or it is of another format or another build.
    pub fn snapshot_header(path: &Path) -> std::io::Result<Option<(GraphVersion, BuildOptions)>> {
        match open(path)? {
            Some(mut input) => read_header(&mut input),
            None => Ok(None),
        }
    }

    /// Loads the snapshot at `path`; `Ok(None)` when there is none or it is of another format.
    pub fn load_snapshot(path: &Path) -> std::io::Result<Option<EnterpriseGraph>> {
        let Some(mut input) = open(path)? else { return Ok(None) };
        let Some((stamp, options)) = read_header(&mut input)? else { return Ok(None) };
        let mut buf = Vec::new();
        let persons = read_u64(&mut input)? as usize;
        let mut nodes = Nodes::default();
        for _ in 0..persons {
            nodes.push_person_id(read_str_into(&mut input, &mut buf)?);
        }
        let role_count = read_u64(&mut input)? as usize;
        if role_count > u16::MAX as usize {
            return Err(invalid("too many roles in graph snapshot"));
        }
        let roles =
            Roles::from_texts((0..role_count).map(|_| read_str(&mut input)).collect::<std::io::Result<_>>()?);
        let node_count = read_u64(&mut input)? as usize;
        nodes.reserve(node_count);
        for _ in 0..node_count {
            let raw = i64::from_le_bytes(read_array(&mut input)?);
            nodes.push_loaded(raw, read_str_into(&mut input, &mut buf)?).map_err(invalid)?;
        }
        let mut graph = petgraph::graph::DiGraph::<(), Edge, u32>::with_capacity(node_count, 0);
        for _ in 0..node_count {
            graph.add_node(());
        }
        let edges = read_u64(&mut input)? as usize;
        graph.reserve_exact_edges(edges);
        for _ in 0..edges {
            let source = u32::from_le_bytes(read_array(&mut input)?) as usize;
            let target = u32::from_le_bytes(read_array(&mut input)?) as usize;
            let kind = *KINDS
                .get(read_array::<1>(&mut input)?[0] as usize)
                .ok_or_else(|| invalid("bad edge kind in graph snapshot"))?;
            let value = f64::from_le_bytes(read_array(&mut input)?);
            let count = u32::from_le_bytes(read_array(&mut input)?);
            let first = u16::from_le_bytes(read_array(&mut input)?);
            let last = u16::from_le_bytes(read_array(&mut input)?);
            let role = u16::from_le_bytes(read_array(&mut input)?);
            if role as usize > role_count {
                return Err(invalid("role out of range in graph snapshot"));
            }
            if source >= node_count || target >= node_count {
                return Err(invalid("edge end out of range in graph snapshot"));
            }
            graph.add_edge(
                NodeIndex::new(source),
                NodeIndex::new(target),
                Edge { value, count, first, last, kind, role },
            );
        }
        let entries = read_u64(&mut input)? as usize;
        let mut contacts = Contacts::with_capacity(entries);
        for _ in 0..entries {
            let attribute = *ATTRIBUTES
                .get(read_array::<1>(&mut input)?[0] as usize)
                .ok_or_else(|| invalid("bad contact attribute in graph snapshot"))?;
            let value = read_str(&mut input)?;
            let n = u32::from_le_bytes(read_array(&mut input)?) as usize;
            let ids = (0..n)
                .map(|_| read_array(&mut input).map(i64::from_le_bytes))
                .collect::<std::io::Result<Vec<_>>>()?;
            contacts.insert((attribute, value), ids);
        }
        Ok(Some(EnterpriseGraph {
            graph,
            nodes,
            contacts,
            options,
            stamp,
            roles,
            derived: Default::default(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::super::{BuildOptions, NodeRef};
    use super::*;
    use crate::model::{Enterprise, Party, Person, Relation, RelationKind};

    #[test]
    fn snapshots_round_trip() {
        let mut ents: Vec<Enterprise> =
            (1..=3).map(|id| Enterprise { id, name: format!("企业{id}"), ..Default::default() }).collect();
        ents[0].extra.insert("phone".into(), "0717-1234567".into());
        ents[2].extra.insert("phone".into(), "07171234567".into());
        let persons =
            [Person { id: "p1".into(), name: "张三".into(), id_number_masked: None, id_number_hash: None }];
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
        let mut officer = rel(Party::Person("p1".into()), 2, RelationKind::Officer, None);
        officer.role = Some("监事".into());
        officer.start = Some("2020-03-01".parse().unwrap());
        let relations = [
            rel(Party::Person("p1".into()), 1, RelationKind::Shareholder, Some(0.6)),
            rel(Party::Enterprise(1), 2, RelationKind::Guarantee, None),
            officer,
        ];
        let options = BuildOptions::new("2026-01-01".parse().unwrap());
        let mut g = EnterpriseGraph::build(&ents, &persons, &relations, &[], options);
        let stamp = GraphVersion { store_id: 99, seq: 7 };
        g.set_stamp(stamp);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("graph.snapshot");
        g.save_snapshot(&path).unwrap();
        assert_eq!(EnterpriseGraph::snapshot_header(&path).unwrap(), Some((stamp, options)));
        let loaded = EnterpriseGraph::load_snapshot(&path).unwrap().unwrap();
        assert_eq!((loaded.stamp(), loaded.options()), (stamp, options));
        assert_eq!(loaded.node_list(), g.node_list());
        assert_eq!(loaded.edge_list(), g.edge_list());
        let officer = loaded.edge_list().into_iter().find(|e| e.2.kind == EdgeKind::Officer).unwrap();
        assert_eq!((officer.3.as_deref(), officer.2.dates().0), (Some("监事"), "2020-03-01".parse().ok()));
        let report = loaded.controller(&NodeRef::Enterprise(1), Default::default()).unwrap();
        assert_eq!(report.owners[0].node.name, "张三");
        assert_eq!(report.owners[0].share, 0.6);
        assert_eq!(loaded.suspected_links(1)[0].enterprise.name, "企业3");
        assert!(EnterpriseGraph::load_snapshot(&dir.path().join("none")).unwrap().is_none());
        // Another build's snapshot (the build text after the magic differs in its last byte).
        let mut bytes = std::fs::read(&path).unwrap();
        let last = MAGIC.len() + 4 + crate::BUILD.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert!(EnterpriseGraph::snapshot_header(&path).unwrap().is_none());
        assert!(EnterpriseGraph::load_snapshot(&path).unwrap().is_none());
        bytes[last] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert!(EnterpriseGraph::load_snapshot(&path).unwrap().is_some());
        std::fs::write(&path, b"OPPGRAF1 an older format").unwrap();
        assert!(EnterpriseGraph::load_snapshot(&path).unwrap().is_none());
    }
}
