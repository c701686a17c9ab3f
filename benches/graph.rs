//! Graph benchmark on a generated network: 1,000,000 enterprises and about 5,000,000 edges by
//! default (`OPPGRAPH_BENCH_GRAPH_ENTERPRISES` to change). Reports build time, resident memory
//! per edge, and latencies of the analyst queries. Prints one JSON object.

use oppgraph::graph::analysis::Limits;
use oppgraph::graph::{BuildOptions, EdgeKind, EnterpriseGraph, NodeRef};
use oppgraph::model::{Change, Enterprise, Party, Person, Relation, RelationKind};
use rand::{Rng, SeedableRng};
use std::time::Instant;

fn rss_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

fn percentiles(mut samples: Vec<f64>) -> serde_json::Value {
    samples.sort_by(f64::total_cmp);
    let at = |p: f64| samples[((p / 100.0) * (samples.len() - 1) as f64).round() as usize];
    serde_json::json!({"p50_ms": at(50.0), "p99_ms": at(99.0), "n": samples.len()})
}

fn time_ms(f: impl FnOnce()) -> f64 {
    let started = Instant::now();
    f();
    started.elapsed().as_secs_f64() * 1000.0
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n: i64 = std::env::var("OPPGRAPH_BENCH_GRAPH_ENTERPRISES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    let baseline = rss_mib("VmRSS:");
    let enterprises: Vec<Enterprise> = (1..=n)
        .map(|id| Enterprise { id, name: format!("企业{id}有限公司"), ..Default::default() })
        .collect();
    let persons: Vec<Person> = (0..n / 2)
        .map(|i| Person {
            id: format!("p{i}"),
            name: format!("自然人{i}"),
            id_number_masked: None,
            id_number_hash: None,
        })
        .collect();
    let rel = |from: Party, to: i64, kind: RelationKind, share: Option<f64>| Relation {
        from,
        to,
        kind,
        share,
        role: None,
        amount: None,
        start: None,
        end: None,
        source: None,
    };
    let mut relations = Vec::with_capacity(5 * n as usize);
    for id in 1..=n {
        // Owners: an earlier enterprise (layers) and often a person.
        if id > 10 {
            let parent = rng.random_range(1..id.min(id / 2 + 10));
            relations.push(rel(
                Party::Enterprise(parent),
                id,
                RelationKind::Shareholder,
                Some(rng.random_range(0.2..0.9)),
            ));
        }
        if rng.random_bool(0.6) {
            let p = rng.random_range(0..n / 2);
            relations.push(rel(
                Party::Person(format!("p{p}")),
                id,
                RelationKind::Shareholder,
                Some(rng.random_range(0.05..0.5)),
            ));
        }
        for _ in 0..2 {
            let p = rng.random_range(0..n / 2);
            relations.push(rel(Party::Person(format!("p{p}")), id, RelationKind::Officer, None));
        }
        if rng.random_bool(0.2) {
            relations.push(rel(
                Party::Enterprise(rng.random_range(1..=n)),
                id,
                RelationKind::Guarantee,
                None,
            ));
        }
        // A guarantee ring (担保圈) of three every thousand enterprises.
        if id % 1000 == 0 {
            for (from, to) in [(id, id - 1), (id - 1, id - 2), (id - 2, id)] {
                relations.push(rel(Party::Enterprise(from), to, RelationKind::Guarantee, None));
            }
        }
        for _ in 0..rng.random_range(0..3) {
            relations.push(rel(Party::Enterprise(rng.random_range(1..=n)), id, RelationKind::Supplier, None));
        }
    }
    relations.retain(|r| r.from != Party::Enterprise(r.to));
    let inputs = rss_mib("VmRSS:");

    let started = Instant::now();
    let mut graph = EnterpriseGraph::build(
        &enterprises,
        &persons,
        &relations,
        &[],
        BuildOptions::new("2026-11-20".parse().unwrap()),
    );
    let build_s = started.elapsed().as_secs_f64();
    let with_graph = rss_mib("VmRSS:");
    let edges = graph.edge_count();
    let nodes = graph.node_count();
    // Changes as the store logs them after an import: new guarantees, and shareholdings whose
    // share changed (the old edge out, the new one in).
    let changes: Vec<Change> = (0..100_000)
        .map(|i| {
            if i % 2 == 0 {
                let mut new = rel(
                    Party::Enterprise(rng.random_range(1..=n)),
                    rng.random_range(1..=n),
                    RelationKind::Guarantee,
                    None,
                );
                new.amount = Some(1e6);
                Change::Relation { old: None, new }
            } else {
                // Distinct relations: each change's `old` must be the row as it stands.
                let old = relations[(i / 2) * (relations.len() / 50_000)].clone();
                let mut new = old.clone();
                new.share = new.share.map(|s| s / 2.0);
                Change::Relation { old: Some(old), new }
            }
        })
        .collect();
    drop(relations);
    drop(persons);
    drop(enterprises);

    let dir = tempfile::tempdir().expect("temp dir");
    let snapshot = dir.path().join("graph.snapshot");
    let save_ms = time_ms(|| graph.save_snapshot(&snapshot).expect("save"));
    let snapshot_mb = std::fs::metadata(&snapshot).map(|m| m.len() as f64 / 1e6).unwrap_or(f64::NAN);
    let mut loaded_edges = 0;
    let load_ms = time_ms(|| {
        let loaded = EnterpriseGraph::load_snapshot(&snapshot).expect("load").expect("fresh");
        loaded_edges = loaded.edge_count();
    });
    assert_eq!(loaded_edges, edges);

    let pick = |rng: &mut rand_chacha::ChaCha8Rng| NodeRef::Enterprise(rng.random_range(1..=n));
    let owners: Vec<f64> = (0..2000)
        .map(|_| {
            let e = pick(&mut rng);
            time_ms(|| {
                graph.controller(&e, Limits::default());
            })
        })
        .collect();
    let hop2: Vec<f64> = (0..500)
        .map(|_| {
            let e = pick(&mut rng);
            time_ms(|| {
                graph.neighbourhood(&e, 2, &[], 500);
            })
        })
        .collect();
    let hop3: Vec<f64> = (0..300)
        .map(|_| {
            let e = pick(&mut rng);
            time_ms(|| {
                graph.neighbourhood(&e, 3, &[], 500);
            })
        })
        .collect();
    let paths: Vec<f64> = (0..100)
        .map(|_| {
            let (a, b) = (pick(&mut rng), pick(&mut rng));
            time_ms(|| {
                graph.shortest_paths(&a, &b, 4, 5);
            })
        })
        .collect();
    let k_paths: Vec<f64> = (0..100)
        .map(|_| {
            let (a, b) = (pick(&mut rng), pick(&mut rng));
            time_ms(|| {
                graph.k_shortest_paths(&a, &b, 4, 10, 1000);
            })
        })
        .collect();
    let mut circles = 0;
    let scc_ms = time_ms(|| circles = graph.circles(EdgeKind::Guarantee).len());
    let mut shareholder_cycles = 0;
    let scc_all_ms = time_ms(|| shareholder_cycles = graph.circles(EdgeKind::Shareholder).len());
    let seed = pick(&mut rng);
    let pagerank_ms = time_ms(|| {
        graph.personalized_pagerank(&[seed], &[], Default::default(), 20);
    });

    let mut applied = 0;
    let apply_ms = time_ms(|| applied = changes.iter().filter(|c| graph.apply(c)).count());
    assert_eq!(applied, changes.len());

    let graph_mib = with_graph - inputs;
    let report = serde_json::json!({
        "enterprises": n,
        "nodes": nodes,
        "edges": edges,
        "build_s": build_s,
        "snapshot_save_ms": save_ms,
        "snapshot_load_ms": load_ms,
        "snapshot_mb": snapshot_mb,
        "rss_baseline_mib": baseline,
        "rss_inputs_mib": inputs,
        "rss_with_graph_mib": with_graph,
        "graph_mib": graph_mib,
        "bytes_per_edge_including_nodes": graph_mib * 1024.0 * 1024.0 / edges as f64,
        "owners": percentiles(owners),
        "neighbourhood_2_hop": percentiles(hop2),
        "neighbourhood_3_hop": percentiles(hop3),
        "shortest_paths_depth_4": percentiles(paths),
        "k10_shortest_paths_depth_4": percentiles(k_paths),
        "scc_guarantee_ms": scc_ms,
        "guarantee_circles": circles,
        "scc_shareholder_ms": scc_all_ms,
        "pagerank_ms": pagerank_ms,
        "incremental_changes": changes.len(),
        "incremental_apply_ms": apply_ms,
        "peak_rss_mib": rss_mib("VmHWM:"),
    });
    println!("{}", serde_json::to_string_pretty(&report).expect("json"));
}
