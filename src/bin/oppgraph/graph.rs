//! `oppgraph graph …`: questions to the relationship graph, by enterprise name, code or id.

use crate::{print_json, GraphCommand, Refused};
use anyhow::Result;
use oppgraph::model::Date;
use oppgraph::resolve::{EntRef, Resolution, Resolver};
use oppgraph::workspace::Workspace;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

pub(crate) fn graph_command(data: &Path, as_of: Date, query: GraphCommand) -> Result<ExitCode> {
    use oppgraph::graph::{analysis::Limits, EdgeKind, NodeRef};
    let workspace = Workspace::open(data)?;
    let enterprises = workspace.store().enterprises()?;
    // The same resolver as import and `resolve`, decisions included: `graph controller 中环`
    // means the enterprise `resolve 中环` names.
    let resolver = workspace.store().resolver()?;
    let graph = workspace.graph(as_of)?;
    let node = |reference: &str| -> Result<NodeRef> {
        if let Some(person) = reference.strip_prefix("person:") {
            let node = NodeRef::Person(person.to_string());
            return if graph.contains(&node) {
                Ok(node)
            } else {
                Err(Refused(format!("no person {person:?}")).into())
            };
        }
        if let Some((NodeRef::Person(id), _)) =
            graph.nodes().find(|(n, name)| matches!(n, NodeRef::Person(_)) && *name == reference)
        {
            return Ok(NodeRef::Person(id));
        }
        Ok(NodeRef::Enterprise(find_enterprise(&resolver, &enterprises, reference)?))
    };
    match query {
        GraphCommand::Controller { ent } => {
            let target = node(&ent)?;
            let report = graph
                .controller(&target, Limits::default())
                .ok_or_else(|| Refused(format!("{ent} is not in the graph")))?;
            let enterprise = match &target {
                NodeRef::Enterprise(id) => enterprises
                    .iter()
                    .find(|e| e.id == *id)
                    .map(|e| serde_json::to_value(e.to_ref()))
                    .transpose()?,
                NodeRef::Person(id) => Some(
                    serde_json::json!({"id": format!("person:{id}"), "name": graph.name(&target), "uscc": null}),
                ),
            };
            print_json(&serde_json::json!({
                "enterprise": enterprise, "controller": report.controller, "rule": report.rule, "owners": report.owners,
            }))?;
        }
        GraphCommand::Path { a, b, max_depth, limit, hub_cap } => {
            for path in graph.k_shortest_paths(&node(&a)?, &node(&b)?, max_depth, limit, hub_cap) {
                print_json(&path)?;
            }
        }
        GraphCommand::Neighbors { ent, depth, kinds, hub_cap } => {
            let kinds = EdgeKind::parse_list(&kinds).map_err(Refused)?;
            let found = graph
                .neighbourhood(&node(&ent)?, depth, &kinds, hub_cap)
                .ok_or_else(|| Refused(format!("{ent} is not in the graph")))?;
            print_json(&found)?;
        }
        GraphCommand::Group { ent } => {
            let group =
                graph.group(&node(&ent)?).ok_or_else(|| Refused(format!("{ent} is not in the graph")))?;
            print_json(&group)?;
        }
        GraphCommand::Suspected { ent } => {
            let NodeRef::Enterprise(id) = node(&ent)? else {
                return Err(
                    Refused(format!("{ent} is a person; suspected links are between enterprises")).into()
                );
            };
            for link in graph.suspected_links(id) {
                print_json(&link)?;
            }
        }
        GraphCommand::Tiers { ent, downstream, depth } => {
            let tiers = graph
                .supply_tiers(&node(&ent)?, !downstream, depth.clamp(1, 3))
                .ok_or_else(|| Refused(format!("{ent} is not in the graph")))?;
            for tier in tiers {
                print_json(&tier)?;
            }
        }
        GraphCommand::Rank { seeds, kinds, top } => {
            let seeds = seeds.iter().map(|s| node(s)).collect::<Result<Vec<_>>>()?;
            let kinds = EdgeKind::parse_list(&kinds).map_err(Refused)?;
            for ranked in graph.personalized_pagerank(&seeds, &kinds, Default::default(), top) {
                print_json(&ranked)?;
            }
        }
        GraphCommand::Export { format, out, around, depth } => {
            use oppgraph::graph::export::Scope;
            let center = around.as_deref().map(node).transpose()?;
            let scope = match &center {
                Some(n) => Scope::Around { node: n, depth },
                None => Scope::All,
            };
            match format.as_str() {
                "graphml" => {
                    let mut file = std::io::BufWriter::new(std::fs::File::create(&out)?);
                    graph.write_graphml(&scope, &mut file)?;
                    file.flush()?;
                }
                "neo4j" => graph.write_neo4j(&scope, &out)?,
                other => return Err(Refused(format!("--format is graphml or neo4j, not {other:?}")).into()),
            }
            print_json(&serde_json::json!({"written": out}))?;
        }
        GraphCommand::Circles { kind } => {
            let kind = match kind.as_str() {
                "guarantee" => EdgeKind::Guarantee,
                "shareholder" => EdgeKind::Shareholder,
                other => {
                    return Err(Refused(format!("--kind is guarantee or shareholder, not {other:?}")).into())
                }
            };
            for circle in graph.circles(kind) {
                print_json(&circle)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// An enterprise by internal id, code or name.
pub(crate) fn find_enterprise(
    resolver: &Resolver,
    enterprises: &[oppgraph::model::Enterprise],
    reference: &str,
) -> Result<i64> {
    if let Ok(id) = reference.parse::<i64>() {
        if enterprises.iter().any(|e| e.id == id) {
            return Ok(id);
        }
    }
    let parsed = EntRef::parse(reference).map_err(|e| Refused(format!("{reference}: {e}")))?;
    match resolver.resolve(&parsed) {
        Resolution::Linked { id, .. } => Ok(id),
        _ => Err(Refused(format!("no enterprise {reference:?}")).into()),
    }
}
