//! End-to-end pipeline benchmark: generate -> import -> mine at scale, with peak memory.
//!
//! `cargo bench --bench pipeline` (100,000 enterprises by default);
//! `OPPGRAPH_BENCH_ENTERPRISES=20000 cargo bench --bench pipeline` for a quicker run.
//! Prints one JSON object with the timings (seconds), row counts and peak RSS (MiB).

use oppgraph::gen::{generate, GenConfig};
use oppgraph::workspace::Workspace;
use std::time::Instant;

/// Peak resident set size of this process, from /proc (Linux), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing we need.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let enterprises: usize =
        std::env::var("OPPGRAPH_BENCH_ENTERPRISES").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let as_of: oppgraph::model::Date = "2026-11-20".parse().expect("date");

    let started = Instant::now();
    let summary = generate(&GenConfig { enterprises, seed: 1, as_of }, &dir.path().join("gen")).expect("gen");
    let gen_s = started.elapsed().as_secs_f64();

    let mut ws = Workspace::open(&dir.path().join("data")).expect("open");
    let started = Instant::now();
    let outcome = ws.import(&[dir.path().join("gen")]).expect("import");
    let import_s = started.elapsed().as_secs_f64();
    let rows: usize = outcome.files.iter().map(|f| f.accepted + f.rejected).sum();
    let rejected: usize = outcome.files.iter().map(|f| f.rejected).sum();

    let started = Instant::now();
    let mined = ws.mine(as_of).expect("mine");
    let mine_s = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let hits = ws
        .index()
        .search("道路改造 kind:award", &oppgraph::index::SearchOptions { limit: 10, ..Default::default() })
        .expect("search");
    let search_ms = started.elapsed().as_secs_f64() * 1000.0;

    let report = serde_json::json!({
        "enterprises": enterprises,
        "generated": summary,
        "gen_s": gen_s,
        "import_s": import_s,
        "import_rows": rows,
        "import_rows_per_s": rows as f64 / import_s,
        "rejected": rejected,
        "mine_s": mine_s,
        "opportunities": mined.opportunities,
        "live": mined.live,
        "suppressed": mined.suppressed,
        "with_alerts": mined.with_alerts,
        "first_search_ms": search_ms,
        "outbox": ws.store().outbox_depth().expect("outbox depth"),
        "search_total": hits.total,
        "peak_rss_mib": peak_rss_mib(),
    });
    println!("{}", serde_json::to_string_pretty(&report).expect("json"));
}
