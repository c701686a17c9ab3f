//! Graph queries over imported data: officers from the executives converter, shared
//! executives, controllers and circles on the pipeline fixture.

mod util;

use oppgraph::graph::analysis::Limits;
use oppgraph::graph::{EdgeKind, NodeRef};
use oppgraph::workspace::Workspace;
use std::path::PathBuf;

#[test]
fn executives_convert_import_and_link_companies_through_shared_officers() {
    let dir = tempfile::tempdir().unwrap();
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/executives");
    let converted = dir.path().join("converted");
    let summary = oppgraph::ingest::convert::convert_executives(&source, &converted).unwrap();
    assert_eq!((summary.enterprises, summary.persons, summary.relations, summary.dangling), (3, 3, 4, 1));

    let mut ws = Workspace::open(&dir.path().join("data")).unwrap();
    let outcome = ws.import(&[converted]).unwrap();
    assert!(outcome.files.iter().all(|f| f.rejected == 0), "{:?}", outcome.files);
    let enterprises = ws.store.enterprises().unwrap();
    let id = |name: &str| enterprises.iter().find(|e| e.name == name).unwrap().id;
    let jia = enterprises.iter().find(|e| e.name == "甲股份").unwrap();
    assert!(jia.listed);
    assert_eq!(jia.industry.as_deref(), Some("有色金属"));

    let graph = ws.graph(util::as_of()).unwrap();
    // 张三 sits on two boards.
    let around =
        graph.neighbourhood(&NodeRef::Person("exec-a1".into()), 1, &[EdgeKind::Officer], 100).unwrap();
    let mut names: Vec<&str> = around.nodes.iter().map(|n| n.name.as_str()).collect();
    names.sort();
    assert_eq!(names, ["乙科技", "张三", "甲股份"]);
    // 甲股份 and 乙科技 are two steps apart through him; 丙能源 is not connected.
    let paths =
        graph.shortest_paths(&NodeRef::Enterprise(id("甲股份")), &NodeRef::Enterprise(id("乙科技")), 4, 10);
    assert_eq!(paths.len(), 1);
    assert_eq!(paths[0].length, 2);
    assert_eq!(paths[0].nodes[1].name, "张三");
    assert!(graph
        .shortest_paths(&NodeRef::Enterprise(id("甲股份")), &NodeRef::Enterprise(id("丙能源")), 6, 10)
        .is_empty());
}

#[test]
fn controller_of_the_fixture_winner_is_the_person_at_the_top() {
    let (_dir, ws) = util::mined_workspace();
    let enterprises = ws.store.enterprises().unwrap();
    let winner = enterprises.iter().find(|e| e.name == "宜昌昊源建设工程有限公司").unwrap();
    let graph = ws.graph(util::as_of()).unwrap();
    let report = graph.controller(&NodeRef::Enterprise(winner.id), Limits::default()).unwrap();
    let controller = report.controller.unwrap();
    assert_eq!(controller.name, "张伟");
    assert_eq!(controller.kind, "person");
    assert_eq!(report.owners.len(), 1);
    assert!((report.owners[0].share - 0.56).abs() < 1e-6);
    assert_eq!(
        report.owners[0].paths,
        [vec!["张伟", "宜昌昊源控股集团有限公司", "宜昌昊源建设工程有限公司"]]
    );
}

#[test]
fn the_graph_snapshot_is_reused_until_the_next_import() {
    let (_dir, mut ws) = util::mined_workspace();
    let first = ws.graph(util::as_of()).unwrap();
    let path = ws.graph_snapshot_path();
    let written = std::fs::metadata(&path).unwrap().modified().unwrap();
    let again = ws.graph(util::as_of()).unwrap();
    assert_eq!((first.node_count(), first.edge_count()), (again.node_count(), again.edge_count()));
    assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), written, "loaded, not rewritten");

    let generation = ws.store.generation().unwrap();
    let extra = _dir.path().join("relations-extra.csv");
    std::fs::write(&extra, "from,to,kind\n宜昌精工机械有限公司,宜昌小微配件有限公司,guarantee\n").unwrap();
    ws.import(&[extra]).unwrap();
    assert_eq!(ws.store.generation().unwrap(), generation + 1);
    let after = ws.graph(util::as_of()).unwrap();
    assert_eq!(after.edge_count(), first.edge_count() + 1);
}
