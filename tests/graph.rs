//! Graph queries over imported data: officers from the executives converter, shared
//! executives, controllers and circles on the pipeline fixture.

mod util;

use oppgraph::graph::analysis::Limits;
use oppgraph::graph::{BuildOptions, EdgeKind, EnterpriseGraph, NodeRef};
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
    let enterprises = ws.store().enterprises().unwrap();
    let id = |name: &str| enterprises.iter().find(|e| e.name == name).unwrap().id;
    let jia = enterprises.iter().find(|e| e.name == "甲股份").unwrap();
    assert!(jia.listed);
    assert_eq!(jia.industry.as_deref(), Some("有色金属"));

    let graph = ws.graph(util::as_of()).unwrap();
    // 张三 sits on two boards.
    let around =
        graph.neighbourhood(&NodeRef::Person("exec-a1".into()), 1, &[EdgeKind::Officer], 100).unwrap();
    let mut names: Vec<&str> = around.nodes.iter().map(|n| n.name).collect();
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
    let enterprises = ws.store().enterprises().unwrap();
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
    let (_dir, ws) = util::mined_workspace();
    let first = ws.graph(util::as_of()).unwrap();
    let path = ws.graph_snapshot_path();
    let written = std::fs::metadata(&path).unwrap().modified().unwrap();
    let again = ws.graph(util::as_of()).unwrap();
    assert_eq!(first.edge_list(), again.edge_list());
    assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), written, "loaded, not rewritten");
}

fn write_batch(dir: &std::path::Path, files: &[(&str, &str)]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    dir.to_path_buf()
}

#[test]
fn imports_update_the_graph_incrementally_to_what_a_rebuild_gives() {
    let (dir, mut ws) = util::mined_workspace();
    let as_of = util::as_of();
    let first = ws.graph(as_of).unwrap();
    // New enterprise and person, new links, a share changed, an officer who left, a pledge
    // released, another invoice on an existing supply link, a new award.
    let batch = write_batch(
        &dir.path().join("batch"),
        &[
            ("enterprises.csv", "name,phone\n宜昌新材料科技有限公司,0717-1234567\n"),
            ("persons.csv", "id,name\np9,李娜\n"),
            (
                "relations.csv",
                "from,to,kind,share,role,amount,start,end,source\n\
                 person:p9,宜昌新材料科技有限公司,shareholder,0.9,,,2026-01-01,,samr\n\
                 91420500MA4900002R,宜昌昊源建设工程有限公司,shareholder,0.75,,,2010-05-12,,samr\n\
                 person:p1,宜昌昊源建设工程有限公司,officer,,董事长,,2010-05-12,2026-01-31,samr\n\
                 宜昌新材料科技有限公司,宜昌精工机械有限公司,guarantee,,,2000000,2026-02-01,,samr\n",
            ),
            (
                "invoices.csv",
                "id,seller,buyer,amount,issued\n\
                 i90,宜昌小微配件有限公司,宜昌兴发化工股份有限公司,250000.5,2026-06-01\n\
                 i91,宜昌新材料科技有限公司,宜昌兴发化工股份有限公司,100000,2026-06-02\n",
            ),
            (
                "pledges.csv",
                "id,kind,pledgor,pledgee,subject,amount,registered,expires,status,source\n\
                 pl2,equity,宜昌精工机械有限公司,中国工商银行股份有限公司宜昌分行,股权,3000000,2025-01-01,2027-04-26,released,samr\n",
            ),
            (
                "tenders.csv",
                "id,kind,title,published,buyer,winner,amount\n\
                 t90,award,宜昌市交通运输局新材料采购中标公告,2026-06-25,宜昌市交通运输局,宜昌新材料科技有限公司,800000\n",
            ),
        ],
    );
    let outcome = ws.import(&[batch]).unwrap();
    assert!(outcome.files.iter().all(|f| f.rejected == 0 && f.refused.is_none()), "{:?}", outcome.files);

    // The logged changes take the old graph exactly to what a rebuild from the store gives.
    let (version, changes) = ws.store().graph_changes_after(first.stamp().seq, u64::MAX).unwrap();
    let changes = changes.expect("the log reaches back to the snapshot");
    assert_eq!(changes.len() as u64, version.seq - first.stamp().seq);
    assert!(changes.len() >= 10, "{} changes", changes.len());
    let mut updated = first.clone();
    assert!(changes.iter().all(|c| updated.apply(c)), "every change applies exactly");
    let snapshot = ws.store().snapshot().unwrap();
    let rebuilt = EnterpriseGraph::build(
        &snapshot.enterprises,
        &snapshot.persons,
        &snapshot.relations,
        &snapshot.records,
        BuildOptions::new(as_of),
    );
    assert_eq!(updated.node_list(), rebuilt.node_list());
    assert_eq!(updated.edge_list(), rebuilt.edge_list());
    assert_ne!(updated.edge_list(), first.edge_list());
    // A rebuild streamed from the store, row by row, is the graph built from the rows in hand.
    let streamed = ws.rebuild_graph(as_of).unwrap();
    assert_eq!(streamed.node_list(), rebuilt.node_list());
    assert_eq!(streamed.edge_list(), rebuilt.edge_list());
    assert_eq!(streamed.stamp().seq, version.seq);

    // The workspace does the same from its snapshot and rewrites it; the log stays until the
    // next mining run has read it, then goes.
    let current = ws.graph(as_of).unwrap();
    assert_eq!(current.edge_list(), rebuilt.edge_list());
    assert_eq!(current.stamp().seq, version.seq);
    let log = ws.store().graph_changes_after(first.stamp().seq, u64::MAX).unwrap().1;
    assert_eq!(log.map(|l| l.len()), Some(changes.len()), "kept for mining");
    assert_eq!(ws.mine(as_of).unwrap().run.mode, "incremental");
    assert_eq!(ws.store().graph_changes_after(first.stamp().seq, u64::MAX).unwrap().1, None, "pruned");
    assert_eq!(ws.graph(as_of).unwrap().edge_list(), rebuilt.edge_list(), "from the new snapshot");

    // And the answers move: 0.8 × 0.75 now, a guarantee and an award, a shared phone.
    let enterprises = ws.store().enterprises().unwrap();
    let id = |name: &str| NodeRef::Enterprise(enterprises.iter().find(|e| e.name == name).unwrap().id);
    let report = current.controller(&id("宜昌昊源建设工程有限公司"), Limits::default()).unwrap();
    assert!((report.owners[0].share - 0.6).abs() < 1e-9, "{:?}", report.owners);
    let around = current.neighbourhood(&id("宜昌新材料科技有限公司"), 1, &[], 100).unwrap();
    let mut kinds: Vec<&str> = around.edges.iter().map(|e| e.kind).collect();
    kinds.sort();
    assert_eq!(kinds, ["guarantee", "shareholder", "supplier", "tender"]);
    let new_id = match id("宜昌新材料科技有限公司") {
        NodeRef::Enterprise(id) => id,
        NodeRef::Person(_) => unreachable!(),
    };
    let links = current.suspected_links(new_id);
    assert!(
        links.iter().any(|l| l.via == "phone" && l.enterprise.name == "宜昌昊源建设工程有限公司"),
        "{links:?}"
    );
}

#[test]
fn a_streamed_rebuild_reads_more_rows_than_a_cursor_hands_over_at_once() {
    // On PostgreSQL the rows come from a cursor 10,000 at a time: more enterprises and
    // relations than that still make the graph built from the rows in hand.
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("data")).unwrap();
    let n = 10_050;
    let name = |i: usize| format!("宜昌第{i}号机械制造有限公司");
    let mut enterprises = String::from("name\n");
    let mut relations = String::from("from,to,kind,share\n");
    for i in 0..n {
        enterprises.push_str(&format!("{}\n", name(i)));
        relations.push_str(&format!("{},{},shareholder,0.6\n", name(i), name((i + 1) % n)));
    }
    let batch = write_batch(
        &dir.path().join("in"),
        &[("enterprises.csv", &enterprises), ("relations.csv", &relations)],
    );
    let outcome = ws.import(&[batch]).unwrap();
    assert!(outcome.files.iter().all(|f| f.accepted == n && f.rejected == 0), "{:?}", outcome.files);
    let as_of = "2026-06-30".parse().unwrap();
    let streamed = ws.rebuild_graph(as_of).unwrap();
    let snapshot = ws.store().snapshot().unwrap();
    let built = EnterpriseGraph::build(
        &snapshot.enterprises,
        &snapshot.persons,
        &snapshot.relations,
        &snapshot.records,
        BuildOptions::new(as_of),
    );
    assert_eq!(streamed.node_list().len(), n);
    assert_eq!(streamed.edge_list().len(), n);
    assert_eq!(streamed.node_list(), built.node_list());
    assert_eq!(streamed.edge_list(), built.edge_list());
    // The resolver is read the same way: every enterprise, by name.
    let resolver = ws.store().resolver().unwrap();
    assert_eq!(resolver.len(), n);
}

/// A graph moved to a later day (relations starting and ending in between, invoices coming
/// into the supply window and leaving it) has the edges of the graph built for that day, and
/// the workspace moves its saved graph rather than rebuilding it.
#[test]
fn a_graph_moved_to_a_later_day_is_the_graph_built_for_that_day() {
    use oppgraph::gen::{generate, GenConfig};
    use oppgraph::model::Date;
    let dir = tempfile::tempdir().unwrap();
    let gen = dir.path().join("gen");
    let as_of: Date = "2026-11-20".parse().unwrap();
    let day = |n: i64| as_of + chrono::Duration::days(n);
    generate(&GenConfig { enterprises: 300, seed: 11, as_of }, &gen).unwrap();
    // Relations that end in a few days, and others that start in a week; invoices issued in
    // the days ahead too.
    let edit = |file: &str, change: &dyn Fn(usize, &mut Vec<String>)| {
        let text = std::fs::read_to_string(gen.join(file)).unwrap();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let mut out = format!("{}\n", header.join(","));
        for (i, line) in lines.enumerate() {
            let mut fields: Vec<String> = line.split(',').map(str::to_string).collect();
            change(i, &mut fields);
            out.push_str(&format!("{}\n", fields.join(",")));
        }
        std::fs::write(gen.join(file), out).unwrap();
    };
    edit("relations.csv", &|i, f| match i % 5 {
        1 => f[7] = day(3).to_string(),
        3 => f[6] = day(7).to_string(),
        _ => {}
    });
    edit("invoices.csv", &|i, f| {
        if i % 9 == 0 {
            f[4] = day(i as i64 % 4 + 1).to_string();
        }
    });
    let mut ws = Workspace::open(&dir.path().join("data")).unwrap();
    ws.import(std::slice::from_ref(&gen)).unwrap();
    let snapshot = ws.store().snapshot().unwrap();
    let built = |n: i64| {
        let s = &snapshot;
        EnterpriseGraph::build(
            &s.enterprises,
            &s.persons,
            &s.relations,
            &s.records,
            BuildOptions::new(day(n)),
        )
    };

    let mut graph = ws.graph(as_of).unwrap();
    let (mut relations_moved, mut sums_moved) = (0, 0);
    for n in [1, 2, 3, 4, 7, 8, 45, 400, 800] {
        let from = graph.options().as_of;
        let relations = ws.store().relations_turning(from, day(n)).unwrap();
        let invoices = ws.store().invoices_turning(from, day(n), 365).unwrap();
        relations_moved += relations.len();
        sums_moved += invoices.len();
        assert!(graph.advance(day(n), &relations, &invoices), "day {n}");
        assert_eq!(graph.options().as_of, day(n));
        assert_eq!(graph.edge_list(), built(n).edge_list(), "day {n}");
    }
    assert!(relations_moved > 20 && sums_moved > 100, "{relations_moved} relations, {sums_moved} invoices");
    assert_ne!(built(0).edge_list(), built(8).edge_list(), "the days move the graph");
    assert!(!graph.advance(day(799), &[], &[]), "not back to an earlier day");

    // The workspace moves its saved graph (of the first day) to the day asked for, and saves
    // it: the snapshot is then of that day.
    let later = ws.graph(day(8)).unwrap();
    assert_eq!(later.edge_list(), built(8).edge_list());
    let (_, options) = EnterpriseGraph::snapshot_header(&ws.graph_snapshot_path()).unwrap().unwrap();
    assert_eq!(options.as_of, day(8));
}
