//! Crash safety: `import`, `mine` and `rebuild` killed with SIGKILL at points along their run,
//! then the next command: store, search index, graph and leads must equal a clean run's.
#![cfg(unix)]

mod util;

use oppgraph::index::SearchIndex;
use oppgraph::model::Opportunity;
use oppgraph::store::{OpportunityFilter, Store};
use oppgraph::workspace::Workspace;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;
use util::oppgraph;

const AS_OF: &str = "2026-11-20";

/// Starts `args` and kills it with SIGKILL after `after` (if it is still running then).
fn killed(data: &Path, args: &[&str], after: Duration) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_oppgraph"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env("OPPGRAPH_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(after);
    let was_running = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    let _ = child.wait();
    was_running
}

/// Everything a data dir holds that a user sees, in a comparable form.
#[derive(Debug, PartialEq)]
struct State {
    records: Vec<String>,
    enterprises: usize,
    relations: usize,
    indexed: u64,
    leads: Vec<(String, String, bool)>,
    graph: (usize, usize),
}

/// Read without repairing anything (opening a `Workspace` would catch the index up).
fn state(data: &Path) -> State {
    let store = Store::open_reader(&oppgraph::workspace::store_location(data, &Default::default())).unwrap();
    let index = SearchIndex::open(&data.join("index")).unwrap();
    let mut records: Vec<String> =
        store.records().unwrap().iter().map(|r| serde_json::to_string(r).unwrap()).collect();
    records.sort();
    assert_eq!(index.indexed_seq().unwrap(), Some(store.record_seq().unwrap()), "index caught up");
    let filter = OpportunityFilter { include_suppressed: true, ..Default::default() };
    let mut leads: Vec<(String, String, bool)> = store
        .opportunities(&filter)
        .unwrap()
        .iter()
        .map(|o: &Opportunity| (o.id.clone(), format!("{:.3}", o.score), o.suppressed.is_some()))
        .collect();
    leads.sort();
    let (indexed, enterprises, relations) =
        (index.num_docs(), store.enterprises().unwrap().len(), store.relations().unwrap().len());
    drop((store, index));
    let graph = Workspace::open(data).unwrap().graph(AS_OF.parse().unwrap()).unwrap();
    State { indexed, records, enterprises, relations, leads, graph: (graph.node_count(), graph.edge_count()) }
}

#[test]
fn killed_commands_leave_nothing_a_clean_run_would_not() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("gen");
    let generated = oppgraph(
        dir.path(),
        &["gen", "--enterprises", "1500", "--seed", "5", "--as-of", AS_OF, "--out", input.to_str().unwrap()],
    );
    assert!(generated.status.success());
    let input = input.to_str().unwrap();

    let clean = dir.path().join("clean");
    assert!(oppgraph(&clean, &["import", input]).status.success());
    assert!(oppgraph(&clean, &["mine", "--as-of", AS_OF]).status.success());
    let expected = state(&clean);
    assert_eq!(expected.indexed as usize, expected.records.len());

    // Kill points spread over the import (the clean import's length decides the spread).
    let started = std::time::Instant::now();
    assert!(oppgraph(&dir.path().join("timing"), &["import", input]).status.success());
    let import_time = started.elapsed();
    let mut interrupted = 0;
    for (trial, share) in [0.15, 0.45, 0.8].into_iter().enumerate() {
        let data = dir.path().join(format!("import-{trial}"));
        interrupted += killed(&data, &["import", input], import_time.mul_f64(share)) as usize;
        assert!(oppgraph(&data, &["import", input]).status.success());
        assert!(oppgraph(&data, &["mine", "--as-of", AS_OF]).status.success());
        assert_eq!(state(&data), expected, "import killed at {share} of its run");
    }
    assert!(interrupted >= 2, "the kills landed after the imports finished: {interrupted} of 3 interrupted");

    // Mining and rebuilding killed midway, then run again.
    let data = dir.path().join("mine");
    assert!(oppgraph(&data, &["import", input]).status.success());
    let started = std::time::Instant::now();
    assert!(oppgraph(&data, &["mine", "--as-of", AS_OF]).status.success());
    let mine_time = started.elapsed();
    killed(&data, &["mine", "--as-of", "2026-11-21"], mine_time.mul_f64(0.5));
    killed(&data, &["rebuild"], Duration::from_millis(300));
    assert!(oppgraph(&data, &["mine", "--as-of", AS_OF]).status.success());
    assert_eq!(state(&data), expected, "mine and rebuild killed midway");
}
