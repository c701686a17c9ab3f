//! Exports of the whole graph or a neighbourhood: GraphML (Gephi, networkx) and the CSV layout
//! of `neo4j-admin database import`.

use super::{EnterpriseGraph, IndexSet, NodeRef};
use crate::csv_out::CsvWriter;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use std::io::Write;

/// Which nodes to export: all, or those within `depth` hops of a node (edges among them).
pub enum Scope<'a> {
    All,
    Around { node: &'a NodeRef, depth: usize },
}

impl EnterpriseGraph {
    fn scope_nodes(&self, scope: &Scope<'_>) -> Vec<NodeIndex> {
        match scope {
            Scope::All => self.graph.node_indices().collect(),
            Scope::Around { node, depth } => {
                let Some(start) = self.index_of(node) else { return Vec::new() };
                let mut seen = vec![start];
                let mut set = IndexSet::from_iter([start]);
                let mut frontier = vec![start];
                for _ in 0..*depth {
                    let mut next = Vec::new();
                    for &n in &frontier {
                        for other in self.neighbours(n) {
                            if set.insert(other) {
                                seen.push(other);
                                next.push(other);
                            }
                        }
                    }
                    frontier = next;
                }
                seen
            }
        }
    }

    fn node_id(&self, index: NodeIndex) -> String {
        match self.key_at(index) {
            NodeRef::Enterprise(id) => format!("e{id}"),
            NodeRef::Person(id) => format!("p:{id}"),
        }
    }

    /// GraphML with node attributes `name`, `kind` and edge attributes `kind`, `share`,
    /// `amount`, `count`, and where known `role`, `start`, `end` (ISO dates).
    pub fn write_graphml(&self, scope: &Scope<'_>, out: &mut impl Write) -> std::io::Result<()> {
        let nodes = self.scope_nodes(scope);
        let inside: IndexSet = nodes.iter().copied().collect();
        writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        writeln!(out, r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns">"#)?;
        for (id, target, name, ty) in [
            ("name", "node", "name", "string"),
            ("nkind", "node", "kind", "string"),
            ("ekind", "edge", "kind", "string"),
            ("share", "edge", "share", "double"),
            ("amount", "edge", "amount", "double"),
            ("count", "edge", "count", "int"),
            ("role", "edge", "role", "string"),
            ("start", "edge", "start", "string"),
            ("end", "edge", "end", "string"),
        ] {
            writeln!(out, r#"  <key id="{id}" for="{target}" attr.name="{name}" attr.type="{ty}"/>"#)?;
        }
        writeln!(out, r#"  <graph id="oppgraph" edgedefault="directed">"#)?;
        for &n in &nodes {
            let kind = if self.is_person_at(n) { "person" } else { "enterprise" };
            writeln!(
                out,
                r#"    <node id="{}"><data key="name">{}</data><data key="nkind">{kind}</data></node>"#,
                xml_escape(&self.node_id(n)),
                xml_escape(self.name_at(n))
            )?;
        }
        for edge in self.edges_within(&inside) {
            let w = edge.weight();
            let (start, end) = w.dates();
            let mut optional = String::new();
            for (key, value) in [
                ("role", self.role(w).map(str::to_string)),
                ("start", start.map(|d| d.to_string())),
                ("end", end.map(|d| d.to_string())),
            ] {
                if let Some(value) = value {
                    optional.push_str(&format!(r#"<data key="{key}">{}</data>"#, xml_escape(&value)));
                }
            }
            writeln!(
                out,
                r#"    <edge source="{}" target="{}"><data key="ekind">{}</data><data key="share">{}</data><data key="amount">{}</data><data key="count">{}</data>{optional}</edge>"#,
                xml_escape(&self.node_id(edge.source())),
                xml_escape(&self.node_id(edge.target())),
                w.kind.as_str(),
                w.share(),
                w.amount(),
                w.count
            )?;
        }
        writeln!(out, "  </graph>\n</graphml>")
    }

    /// `nodes.csv` (`id:ID,name,:LABEL`) and `relationships.csv`
    /// (`:START_ID,:END_ID,:TYPE,share:double,amount:double,count:int,role,start:date,end:date`)
    /// in `dir`, for
    /// `neo4j-admin database import full --nodes=nodes.csv --relationships=relationships.csv`.
    pub fn write_neo4j(&self, scope: &Scope<'_>, dir: &std::path::Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let nodes = self.scope_nodes(scope);
        let inside: IndexSet = nodes.iter().copied().collect();
        let mut out = CsvWriter::create(&dir.join("nodes.csv"), &["id:ID", "name", ":LABEL"])?;
        for &n in &nodes {
            let label = if self.is_person_at(n) { "Person" } else { "Enterprise" };
            out.row(&[&self.node_id(n), self.name_at(n), label])?;
        }
        out.finish()?;
        let mut out = CsvWriter::create(
            &dir.join("relationships.csv"),
            &[
                ":START_ID",
                ":END_ID",
                ":TYPE",
                "share:double",
                "amount:double",
                "count:int",
                "role",
                "start:date",
                "end:date",
            ],
        )?;
        for edge in self.edges_within(&inside) {
            let w = edge.weight();
            let (start, end) = w.dates();
            let date = |d: Option<crate::model::Date>| d.map(|d| d.to_string()).unwrap_or_default();
            out.row(&[
                &self.node_id(edge.source()),
                &self.node_id(edge.target()),
                &w.kind.as_str().to_uppercase(),
                &w.share().to_string(),
                &w.amount().to_string(),
                &w.count.to_string(),
                self.role(w).unwrap_or(""),
                &date(start),
                &date(end),
            ])?;
        }
        out.finish().map(drop)
    }

    /// Edges with both ends in `inside`.
    fn edges_within<'g>(
        &'g self,
        inside: &'g IndexSet,
    ) -> impl Iterator<Item = petgraph::graph::EdgeReference<'g, super::Edge, u32>> + 'g {
        self.graph.edge_references().filter(|e| inside.contains(&e.source()) && inside.contains(&e.target()))
    }
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::super::BuildOptions;
    use super::*;
    use crate::model::{Enterprise, Party, Relation, RelationKind};

    #[test]
    fn exports_nodes_and_edges_in_scope() {
        let ents: Vec<Enterprise> =
            (1..=3).map(|id| Enterprise { id, name: format!("E<{id}>"), ..Default::default() }).collect();
        let rel = |a: i64, b: i64| Relation {
            from: Party::Enterprise(a),
            to: b,
            kind: RelationKind::Shareholder,
            share: Some(0.5),
            role: None,
            amount: None,
            start: None,
            end: None,
            source: None,
        };
        let g = EnterpriseGraph::build(
            &ents,
            &[],
            &[rel(1, 2), rel(2, 3)],
            &[],
            BuildOptions::new("2026-01-01".parse().unwrap()),
        );
        let mut xml = Vec::new();
        g.write_graphml(&Scope::Around { node: &NodeRef::Enterprise(1), depth: 1 }, &mut xml).unwrap();
        let xml = String::from_utf8(xml).unwrap();
        assert_eq!(xml.matches("<node ").count(), 2);
        assert_eq!(xml.matches("<edge ").count(), 1);
        assert!(xml.contains("E&lt;1&gt;"));
        let dir = tempfile::tempdir().unwrap();
        g.write_neo4j(&Scope::All, dir.path()).unwrap();
        let rels = std::fs::read_to_string(dir.path().join("relationships.csv")).unwrap();
        assert_eq!(rels.lines().count(), 3);
        assert!(rels.contains("e1,e2,SHAREHOLDER,0.5,0,1"));
    }

    #[test]
    fn officer_roles_and_relation_dates_reach_the_exports() {
        let ents = vec![Enterprise { id: 1, name: "甲公司".into(), ..Default::default() }];
        let persons = vec![crate::model::Person {
            id: "p1".into(),
            name: "张三".into(),
            id_number_masked: None,
            id_number_hash: None,
        }];
        let officer = Relation {
            from: Party::Person("p1".into()),
            to: 1,
            kind: RelationKind::Officer,
            share: None,
            role: Some("董事长".into()),
            amount: None,
            start: Some("2019-05-01".parse().unwrap()),
            end: None,
            source: None,
        };
        let g = EnterpriseGraph::build(
            &ents,
            &persons,
            &[officer],
            &[],
            BuildOptions::new("2026-01-01".parse().unwrap()),
        );
        let mut xml = Vec::new();
        g.write_graphml(&Scope::All, &mut xml).unwrap();
        let xml = String::from_utf8(xml).unwrap();
        assert!(
            xml.contains(r#"<data key="role">董事长</data><data key="start">2019-05-01</data></edge>"#),
            "{xml}"
        );
        let dir = tempfile::tempdir().unwrap();
        g.write_neo4j(&Scope::All, dir.path()).unwrap();
        let rels = std::fs::read_to_string(dir.path().join("relationships.csv")).unwrap();
        assert!(rels.contains("p:p1,e1,OFFICER,0,0,1,董事长,2019-05-01,"), "{rels}");
    }
}
