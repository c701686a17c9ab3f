//! Helpers shared by the integration tests: a fresh workspace over the fixture dataset.
#![allow(dead_code)]

pub mod robots;
pub mod site;

use oppgraph::model::{Date, Opportunity, OpportunityKind};
use oppgraph::store::OpportunityFilter;
use oppgraph::workspace::Workspace;
use std::path::PathBuf;

pub const AS_OF: &str = "2026-06-30";

/// Runs the `oppgraph` binary on a data dir, quietly.
pub fn oppgraph(data: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_oppgraph"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env("OPPGRAPH_LOG", "error")
        .output()
        .unwrap()
}

pub fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/pipeline")
}

pub fn as_of() -> Date {
    AS_OF.parse().unwrap()
}

/// A temp data dir with the fixture imported and mined.
pub fn mined_workspace() -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(dir.path()).unwrap();
    ws.import(&[fixture_dir()]).unwrap();
    ws.mine(as_of()).unwrap();
    (dir, ws)
}

pub fn all_opportunities(ws: &Workspace) -> Vec<Opportunity> {
    ws.store().opportunities(&OpportunityFilter { include_suppressed: true, ..Default::default() }).unwrap()
}

/// The leads of a kind whose evidence includes `record`.
pub fn leads_for<'a>(opps: &'a [Opportunity], kind: OpportunityKind, record: &str) -> Vec<&'a Opportunity> {
    opps.iter().filter(|o| o.kind == kind && o.evidence.iter().any(|e| e.record == record)).collect()
}
