//! Graph benchmark on a generated network: 1,000,000 enterprises and about 5,000,000 edges by
//! default (`OPPGRAPH_BENCH_GRAPH_ENTERPRISES` to change). Reports build time, resident memory
//! per edge, and latencies of the analyst queries. Prints one JSON object.
//!
//! With `OPPGRAPH_BENCH_PEERS=1` the same relations and queries go to networkx and
//! python-igraph (`benches/peers/graph_peers.py`; `pip install networkx python-igraph`), and the
//! report adds their latencies and how many times faster ours are. Run the peers at a size
//! networkx can load, e.g. `OPPGRAPH_BENCH_GRAPH_ENTERPRISES=100000`.

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
    // Peers (`OPPGRAPH_BENCH_PEERS=1`): the same relations for networkx and python-igraph.
    let peers_dir =
        std::env::var("OPPGRAPH_BENCH_PEERS").is_ok().then(|| tempfile::tempdir().expect("temp dir"));
    if let Some(dir) = &peers_dir {
        use std::io::Write;
        let file = std::fs::File::create(dir.path().join("edges.csv")).expect("edges.csv");
        let mut out = std::io::BufWriter::new(file);
        writeln!(out, "from,to,kind,share").expect("write");
        for r in &relations {
            let from = match &r.from {
                Party::Enterprise(id) => format!("e{id}"),
                Party::Person(id) => id.clone(),
            };
            writeln!(out, "{from},e{},{},{}", r.to, r.kind.as_str(), r.share.unwrap_or(0.0)).expect("write");
        }
    }
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
    // The edge arrays the walks read, built by the first walk after the edges change.
    let walk_index_ms = time_ms(|| {
        graph.reach(&NodeRef::Enterprise(1), 1, &[], usize::MAX);
    });
    let walk_index_mib = rss_mib("VmRSS:") - with_graph;
    // The holder lists the owner walks read, built by the first owner query the same way.
    let before_owner_index = rss_mib("VmRSS:");
    let owner_index_ms = time_ms(|| {
        graph.controller(&NodeRef::Enterprise(1), Limits::default());
    });
    let owner_index_mib = rss_mib("VmRSS:") - before_owner_index;
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

    let peers = peers_dir.map(|dir| {
        // The same queries for us and the peers: owners, the 3-hop neighbourhood (no hub cap),
        // one shortest path (edges either way), and the guarantee SCCs.
        let owners_q: Vec<i64> = (0..200).map(|_| rng.random_range(1..=n)).collect();
        let hop3_q: Vec<i64> = (0..100).map(|_| rng.random_range(1..=n)).collect();
        let paths_q: Vec<(i64, i64)> = (0..100).map(|_| (rng.random_range(1..=n), rng.random_range(1..=n))).collect();
        let queries = serde_json::json!({
            "owners": owners_q.iter().map(|e| format!("e{e}")).collect::<Vec<_>>(),
            "hop3": hop3_q.iter().map(|e| format!("e{e}")).collect::<Vec<_>>(),
            "paths": paths_q.iter().map(|(a, b)| [format!("e{a}"), format!("e{b}")]).collect::<Vec<_>>(),
        });
        std::fs::write(dir.path().join("queries.json"), queries.to_string()).expect("queries.json");
        let ours = serde_json::json!({
            "owners": percentiles(owners_q.iter().map(|e| time_ms(|| {
                graph.controller(&NodeRef::Enterprise(*e), Limits::default());
            })).collect()),
            "hop3": percentiles(hop3_q.iter().map(|e| time_ms(|| {
                graph.neighbourhood(&NodeRef::Enterprise(*e), 3, &[], usize::MAX);
            })).collect()),
            // The walk alone, node and edge indices as the peers return vertex ids; `hop3`
            // adds the names, ids and relations the API shows.
            "hop3_walk": percentiles(hop3_q.iter().map(|e| time_ms(|| {
                graph.reach(&NodeRef::Enterprise(*e), 3, &[], usize::MAX);
            })).collect()),
            "paths": percentiles(paths_q.iter().map(|(a, b)| time_ms(|| {
                graph.shortest_paths(&NodeRef::Enterprise(*a), &NodeRef::Enterprise(*b), 12, 1);
            })).collect()),
            // One run is noisy at a few milliseconds; five, as the peers run it.
            "scc": percentiles((0..5).map(|_| time_ms(|| {
                graph.circles(EdgeKind::Guarantee);
            })).collect()),
        });
        let output = std::process::Command::new("python3")
            .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/peers/graph_peers.py"))
            .arg(dir.path())
            .output();
        let theirs: serde_json::Value = match output {
            Ok(out) if out.status.success() => serde_json::from_slice(&out.stdout).unwrap_or_default(),
            Ok(out) => serde_json::json!({"error": String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or("").to_string()}),
            Err(e) => serde_json::json!({"error": e.to_string()}),
        };
        // Their p50 over ours, per query: how many times faster we answer.
        let mut ratios = serde_json::Map::new();
        for peer in ["networkx", "igraph"] {
            let mut per = serde_json::Map::new();
            // `owners` against the same walk in Python over their adjacency, and against their
            // ancestor set (less work than ours: no shares, paths or controller).
            for (key, query, their_query) in [
                ("owners", "owners", "owners"),
                ("owners_vs_ancestors", "owners", "ancestors"),
                ("hop3", "hop3", "hop3"),
                ("hop3_walk", "hop3_walk", "hop3"),
                ("paths", "paths", "paths"),
                ("scc", "scc", "scc"),
            ] {
                let (Some(t), Some(o)) =
                    (theirs[peer][their_query]["p50_ms"].as_f64(), ours[query]["p50_ms"].as_f64())
                else {
                    continue;
                };
                per.insert(key.to_string(), serde_json::json!(t / o.max(1e-6)));
            }
            ratios.insert(peer.to_string(), serde_json::Value::Object(per));
        }
        serde_json::json!({"ours": ours, "theirs": theirs, "speedup": ratios, "targets": {"networkx": 50.0, "igraph": 1.0}})
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
        "walk_index_build_ms": walk_index_ms,
        "walk_index_mib": walk_index_mib,
        "owner_index_build_ms": owner_index_ms,
        "owner_index_mib": owner_index_mib,
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
        "peers": peers,
    });
    println!("{}", serde_json::to_string_pretty(&report).expect("json"));
}
