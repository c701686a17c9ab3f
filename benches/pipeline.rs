//! End-to-end pipeline benchmark: generate -> import -> mine at scale, with peak memory.
//!
//! `cargo bench --bench pipeline` (100,000 enterprises by default);
//! `OPPGRAPH_BENCH_ENTERPRISES=20000 cargo bench --bench pipeline` for a quicker run.
//! Prints one JSON object with the timings (seconds), row counts and peak RSS (MiB, per phase); the same
//! CSVs loaded by the `sqlite3` shell's `.import` beside the import (the storage floor, when
//! `sqlite3` is installed); and a refresh: 1% more of every kind of record imported and mined
//! incrementally as of the next day, then the same state mined in full for the ratio; then the API served over
//! the data dir and 1,000 reads made of it (`benches/api_reads.py`, when `python3` is installed).
//! `OPPGRAPH_BENCH_FULL_REMINE=0` leaves the full run of the refresh (and so the ratio) out.
//!
//! Each phase's figures go to stderr as it ends, so a long run that fails late keeps them.
//! `OPPGRAPH_BENCH_DIR=/path` works in that directory and leaves the data dir there (at 5M,
//! to serve it afterwards: `oppgraph --data /path/data serve`); the default is a temp dir.

use oppgraph::gen::{generate, GenConfig};
use oppgraph::workspace::{MineMode, Workspace};
use std::time::Instant;

/// Peak resident set size of this process, from /proc (Linux), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Starts measuring the peak resident set size afresh (Linux: `clear_refs` 5 resets VmHWM),
/// so that each phase's peak is its own. Returns the peak so far.
fn next_phase() -> Option<f64> {
    let peak = peak_rss_mib();
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    peak
}

/// One line on stderr when a phase ends: its seconds and peak resident set size.
fn phase(name: &str, seconds: f64, peak_mib: Option<f64>) {
    let peak = peak_mib.map(|p| format!(", peak {p:.0} MiB")).unwrap_or_default();
    eprintln!("[pipeline] {name}: {seconds:.1} s{peak}");
}

/// Seconds the `sqlite3` shell takes to `.import` every CSV in `dir` into a new database, or
/// `None` when there is no `sqlite3` on the PATH.
fn sqlite3_import(dir: &std::path::Path, db: &std::path::Path) -> Option<f64> {
    use std::io::Write;
    let mut script = String::from(".mode csv\n");
    let mut files: Vec<_> = std::fs::read_dir(dir).ok()?.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    files.sort();
    for file in files.iter().filter(|f| f.extension().is_some_and(|e| e == "csv")) {
        let table = file.file_stem()?.to_string_lossy().replace('-', "_");
        script.push_str(&format!(".import '{}' {table}\n", file.display()));
    }
    let started = Instant::now();
    let mut child = std::process::Command::new("sqlite3")
        .arg(db)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(script.as_bytes()).ok()?;
    let status = child.wait().ok()?;
    status.success().then(|| started.elapsed().as_secs_f64())
}

/// Serves the API over `ws` on a free local port and runs `benches/api_reads.py` against it
/// (1,000 reads in the workbench's mix). Returns the seconds until the server answered
/// `/readyz`, and the script's report (`None` without `python3`).
fn serve_and_read(ws: Workspace, token: &str) -> (f64, Option<serde_json::Value>) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let started = Instant::now();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
    let addr = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = runtime.spawn(oppgraph::http::serve(listener, oppgraph::http::AppState::new(ws), async {
        let _ = stopped.await;
    }));
    let ready = runtime.block_on(async {
        let client = reqwest::Client::new();
        for _ in 0..600 {
            let answer = client.get(format!("http://{addr}/readyz")).send().await;
            if answer.is_ok_and(|r| r.status().is_success()) {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        false
    });
    assert!(ready, "the server did not become ready within a minute");
    let ready_s = started.elapsed().as_secs_f64();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/api_reads.py");
    // The script blocks; the server runs on the runtime's worker threads meanwhile.
    let output = std::process::Command::new("python3")
        .arg(script)
        .arg(format!("http://{addr}"))
        .arg(token)
        .args(["--reads", "1000"])
        .output();
    let report = output.ok().map(|out| {
        assert!(out.status.success(), "API reads failed: {}", String::from_utf8_lossy(&out.stdout));
        serde_json::from_slice(&out.stdout).expect("api_reads.py prints JSON")
    });
    let _ = stop.send(());
    runtime.block_on(server).expect("server task").expect("server");
    (ready_s, report)
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing we need.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    // `OPPGRAPH_LOG=info` shows each file's import and each mining run's phases on stderr.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("OPPGRAPH_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let enterprises: usize =
        std::env::var("OPPGRAPH_BENCH_ENTERPRISES").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let temp = tempfile::tempdir().expect("temp dir");
    let kept = std::env::var_os("OPPGRAPH_BENCH_DIR").map(std::path::PathBuf::from);
    let dir = kept.as_deref().unwrap_or(temp.path());
    std::fs::create_dir_all(dir).expect("bench dir");
    let as_of: oppgraph::model::Date = "2026-11-20".parse().expect("date");

    let started = Instant::now();
    let summary = generate(&GenConfig { enterprises, seed: 1, as_of }, &dir.join("gen")).expect("gen");
    let gen_s = started.elapsed().as_secs_f64();
    phase("gen", gen_s, None);
    // The generator holds what it writes: the import's peak is measured from here.
    next_phase();

    // The storage floor: the same CSVs loaded by the sqlite3 shell's `.import`, with no
    // validation, resolution, change log or index — what writing the rows alone costs.
    let floor_s = sqlite3_import(&dir.join("gen"), &dir.join("floor.db"));
    if let Some(floor_s) = floor_s {
        phase("sqlite3 .import", floor_s, None);
    }
    // Only its time is wanted; at 5M enterprises its file is several GB of disk.
    let _ = std::fs::remove_file(dir.join("floor.db"));

    // A token for the API reads at the end (tokens are read when the workspace opens).
    let token = "pipeline-bench-admin";
    std::fs::create_dir_all(dir.join("data")).expect("data dir");
    std::fs::write(
        dir.join("data/config.toml"),
        format!("[[token]]\ntoken = \"{token}\"\nrole = \"admin\"\n"),
    )
    .expect("config");
    let mut ws = Workspace::open(&dir.join("data")).expect("open");
    let started = Instant::now();
    let outcome = ws.import(&[dir.join("gen")]).expect("import");
    let import_s = started.elapsed().as_secs_f64();
    let rows: usize = outcome.files.iter().map(|f| f.accepted + f.rejected).sum();
    let rejected: usize = outcome.files.iter().map(|f| f.rejected).sum();
    let import_peak = next_phase();
    phase("import", import_s, import_peak);

    let started = Instant::now();
    let mined = ws.mine(as_of).expect("mine");
    let mine_s = started.elapsed().as_secs_f64();
    let mine_peak = next_phase();
    phase("mine", mine_s, mine_peak);
    eprintln!("[pipeline] mine run: {}", serde_json::json!(mined.run));

    // A refresh, as after a day's crawls: 1% more of every kind of record (every hundredth
    // tender, invoice, filing, pledge and risk event again under a new id), imported and mined
    // as of the next day, incrementally: the day's records, and the leads the new day turns.
    let day = dir.join("day2");
    std::fs::create_dir_all(&day).expect("day dir");
    for file in ["tenders.csv", "invoices.csv", "filings.csv", "pledges.csv", "risk_events.csv"] {
        let text = std::fs::read_to_string(dir.join("gen").join(file)).expect("generated file");
        let mut lines = text.lines();
        let mut next = String::from(lines.next().expect("header"));
        next.push('\n');
        for line in lines.step_by(100) {
            let (id, rest) = line.split_once(',').expect("id column");
            next.push_str(&format!("{id}-day2,{rest}\n"));
        }
        std::fs::write(day.join(file), next).expect("write day");
    }
    let started = Instant::now();
    let refresh = ws.import(&[day]).expect("import day");
    let refresh_import_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let next_day = as_of.succ_opt().expect("next day");
    let remined = ws.mine(next_day).expect("mine day");
    let refresh_mine_s = started.elapsed().as_secs_f64();
    phase("refresh import", refresh_import_s, None);
    phase("refresh mine (incremental)", refresh_mine_s, None);
    eprintln!("[pipeline] refresh run: {}", serde_json::json!(remined.run));
    // The same day mined again in full, for the ratio (it finds nothing left to write when
    // the incremental run got every lead right, managers aside: see `tests/incremental.rs`).
    // `OPPGRAPH_BENCH_FULL_REMINE=0` leaves it out: at 5M enterprises it alone takes most of
    // an hour.
    let full_again = (std::env::var("OPPGRAPH_BENCH_FULL_REMINE").as_deref() != Ok("0")).then(|| {
        let started = Instant::now();
        let full_again = ws.mine_with(next_day, MineMode::Full).expect("mine day in full");
        (full_again, started.elapsed().as_secs_f64())
    });
    let refresh_peak = next_phase();
    if let Some((_, full_again_s)) = &full_again {
        phase("refresh mine (full)", *full_again_s, refresh_peak);
    }
    let peak_rss = [import_peak, mine_peak, refresh_peak].into_iter().flatten().reduce(f64::max);

    let started = Instant::now();
    let hits = ws
        .index()
        .search("道路改造 kind:award", &oppgraph::index::SearchOptions { limit: 10, ..Default::default() })
        .expect("search");
    let search_ms = started.elapsed().as_secs_f64() * 1000.0;
    let outbox = ws.store().outbox_depth().expect("outbox depth");

    // Serve: the API over this data dir, and 1,000 reads in the workbench's mix.
    let (serve_ready_s, api_reads) = serve_and_read(ws, token);
    let serve_peak = next_phase();
    phase("serve and read", serve_ready_s, serve_peak);

    // The same import and first mining run on a PostgreSQL store, when one is named
    // (`OPPGRAPH_BENCH_POSTGRES=postgres://…`; a fresh schema of its own).
    let postgres = std::env::var("OPPGRAPH_BENCH_POSTGRES").ok().map(|server| {
        let data = dir.join("data-postgres");
        std::fs::create_dir_all(&data).expect("data dir");
        let schema = format!("bench_{}", std::process::id());
        std::fs::write(data.join("config.toml"), format!("store = \"{server}?options=-csearch_path%3D{schema}\"\n"))
            .expect("config");
        let mut ws = Workspace::open(&data).expect("open postgres");
        let started = Instant::now();
        let outcome = ws.import(&[dir.join("gen")]).expect("import postgres");
        let pg_import_s = started.elapsed().as_secs_f64();
        let pg_rows: usize = outcome.files.iter().map(|f| f.accepted + f.rejected).sum();
        let started = Instant::now();
        let pg_mined = ws.mine(as_of).expect("mine postgres");
        let pg_mine_s = started.elapsed().as_secs_f64();
        serde_json::json!({
            "import_s": pg_import_s,
            "import_rows_per_s": pg_rows as f64 / pg_import_s,
            "mine_s": pg_mine_s,
            "opportunities": pg_mined.opportunities,
            "same_leads_as_sqlite": pg_mined.opportunities == mined.opportunities && pg_mined.live == mined.live,
            "import_vs_sqlite": pg_import_s / import_s,
            "mine_vs_sqlite": pg_mine_s / mine_s,
        })
    });

    let report = serde_json::json!({
        "enterprises": enterprises,
        "generated": summary,
        "gen_s": gen_s,
        "import_s": import_s,
        "import_rows": rows,
        "import_rows_per_s": rows as f64 / import_s,
        "rejected": rejected,
        "sqlite3_import_s": floor_s,
        "import_vs_sqlite3_import": floor_s.map(|f| import_s / f),
        "import_peak_rss_mib": import_peak,
        "mine_s": mine_s,
        "mine_run": mined.run,
        "mine_peak_rss_mib": mine_peak,
        "opportunities": mined.opportunities,
        "live": mined.live,
        "suppressed": mined.suppressed,
        "with_alerts": mined.with_alerts,
        "refresh_rows": refresh.files.iter().map(|f| f.accepted).sum::<usize>(),
        "refresh_import_s": refresh_import_s,
        "refresh_mine_s": refresh_mine_s,
        "refresh_run": remined.run,
        "refresh_leads_written": remined.changed.written,
        "refresh_leads_dropped": remined.changed.dropped,
        "refresh_full_mine_s": full_again.as_ref().map(|(_, s)| s),
        "refresh_full_vs_incremental": full_again.as_ref().map(|(_, s)| s / refresh_mine_s),
        "refresh_full_leads_written": full_again.as_ref().map(|(run, _)| run.changed.written),
        "first_search_ms": search_ms,
        "outbox": outbox,
        "search_total": hits.total,
        "refresh_peak_rss_mib": refresh_peak,
        "serve_ready_s": serve_ready_s,
        "api_reads": api_reads,
        "serve_peak_rss_mib": serve_peak,
        "peak_rss_mib": peak_rss.into_iter().chain(serve_peak).reduce(f64::max),
        "postgres": postgres,
    });
    println!("{}", serde_json::to_string_pretty(&report).expect("json"));
}
