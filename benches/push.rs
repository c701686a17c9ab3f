//! Dispatcher benchmark: a generated dataset mined with every lead assignable, then one
//! dispatch to a local webhook receiver (signed JSON, one message per lead).
//!
//! `cargo bench --bench push` (20,000 enterprises by default;
//! `OPPGRAPH_BENCH_ENTERPRISES` to change). Prints one JSON object: leads queued, the dispatch's
//! planning and sending time, deliveries per second, and the outbox depth after it.

use oppgraph::gen::{generate, GenConfig};
use oppgraph::workspace::Workspace;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let enterprises: usize =
        std::env::var("OPPGRAPH_BENCH_ENTERPRISES").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let received = Arc::new(AtomicU64::new(0));
    let counter = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |_body: axum::body::Bytes| {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::Relaxed);
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    runtime.spawn(async move { axum::serve(listener, app).await.expect("serve") });

    let dir = tempfile::tempdir().expect("temp dir");
    let as_of: oppgraph::model::Date = "2026-11-20".parse().expect("date");
    generate(&GenConfig { enterprises, seed: 3, as_of }, &dir.path().join("gen")).expect("gen");
    // Every manager covers every region, has room for every lead, and a webhook.
    let managers: String = std::fs::read_to_string(dir.path().join("gen/managers.csv"))
        .expect("managers")
        .lines()
        .skip(1)
        .filter_map(|line| line.split(',').next().map(str::to_string))
        .map(|id| format!("{id},经理{id},总行,,,1000000,webhook,{url},bench-secret\n"))
        .collect();
    std::fs::write(
        dir.path().join("gen/managers.csv"),
        format!("id,name,branch,regions,industries,capacity,channel,webhook,secret\n{managers}"),
    )
    .expect("write managers");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).expect("data dir");
    std::fs::write(
        data.join("config.toml"),
        "[push]\ndaily_cap = 1000000\nquiet_hours = \"\"\nper_enterprise_weekly = 1000000\n",
    )
    .expect("config");
    let mut ws = Workspace::open(&data).expect("open");
    ws.import(&[dir.path().join("gen")]).expect("import");
    let mined = ws.mine(as_of).expect("mine");
    let queued = ws.store().outbox_depth().expect("depth").leads.get("queued").copied().unwrap_or(0);

    let now = chrono::Local::now().fixed_offset();
    let started = Instant::now();
    let (mut summary, outgoing) = ws.push_prepare(&now, false).expect("prepare");
    let plan_s = started.elapsed().as_secs_f64();
    let settings = ws.config().push.clone();
    let started = Instant::now();
    let results = runtime.block_on(oppgraph::deliver::dispatch::send_all(outgoing, &settings));
    let send_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    ws.push_record(&now, results, &mut summary).expect("record");
    let record_s = started.elapsed().as_secs_f64();
    let depth = ws.store().outbox_depth().expect("depth");
    let total_s = plan_s + send_s + record_s;
    let report = serde_json::json!({
        "enterprises": enterprises,
        "live_leads": mined.live,
        "queued": queued,
        "sent": summary.sent,
        "received": received.load(Ordering::Relaxed),
        "plan_s": plan_s,
        "send_s": send_s,
        "record_s": record_s,
        "deliveries_per_s_sending": summary.sent as f64 / send_s,
        "deliveries_per_s_overall": summary.sent as f64 / total_s,
        "outbox_after": depth,
    });
    println!("{}", serde_json::to_string_pretty(&report).expect("json"));
}
