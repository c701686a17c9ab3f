//! Search benchmark: tantivy (our index) against SQLite FTS5 on the same texts.
//!
//! `cargo bench --bench search` indexes 1,000,000 generated notices
//! (`OPPGRAPH_BENCH_RECORDS` to change) into both engines and runs the same query mix.
//! FTS5 gets the text already segmented by the same jieba (its unicode61 tokenizer cannot split
//! Chinese), and its indexing time includes that segmentation, as ours does. Both index the
//! same texts: title, body, the parties' names and the region (ours also keeps dates and
//! amounts as fast fields, and each name in its role's field as well).
//! Prints one JSON object: docs/s, MB/s, index size, peak RSS, query p50/p99 and the ratios.

use oppgraph::extract::tokenize::{segment, Mode};
use oppgraph::index::{SearchIndex, SearchOptions};
use std::time::Instant;

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<f64>().ok()? / 1024.0)
}

fn dir_size(path: &std::path::Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(path).into_iter().flatten().flatten() {
        let meta = entry.metadata();
        match meta {
            Ok(m) if m.is_dir() => total += dir_size(&entry.path()),
            Ok(m) => total += m.len(),
            Err(_) => {}
        }
    }
    total
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn segmented(text: &str) -> String {
    let folded = oppgraph::extract::normalize::fold(text);
    segment(&folded, Mode::Index).iter().map(|w| w.text).collect::<Vec<_>>().join(" ")
}

/// The fixed query mix: (our query, FTS5 MATCH expression over segmented text).
fn queries() -> Vec<(String, String)> {
    let words = [
        "运动服",
        "污水处理",
        "道路改造",
        "医疗设备",
        "监理服务",
        "供水管网",
        "数据中心",
        "桥梁",
        "老旧小区",
        "食堂设备",
    ];
    let places = ["宜昌", "武汉", "深圳", "杭州", "成都", "青岛"];
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let place = places[i % places.len()];
        let w_seg = segment(w, Mode::Query).iter().map(|t| t.text.to_string()).collect::<Vec<_>>();
        let w_fts = w_seg.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(" AND ");
        out.push((w.to_string(), w_fts.clone()));
        out.push((format!("{w} {place}"), format!("{w_fts} AND \"{place}\"")));
        out.push((format!("\"{w}\""), format!("\"{}\"", w_seg.join(" "))));
        out.push((format!("{w} -终止"), format!("{w_fts} NOT \"终止\"")));
    }
    out
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let count: usize =
        std::env::var("OPPGRAPH_BENCH_RECORDS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let as_of: oppgraph::model::Date = "2026-11-20".parse().expect("date");
    let records = oppgraph::gen::synthetic_notices(count, 7, as_of);
    let text_bytes: usize = records.iter().map(|r| r.title().len() + r.text().map_or(0, str::len)).sum();
    let mb = text_bytes as f64 / 1e6;
    let dir = tempfile::tempdir().expect("temp dir");

    // tantivy
    let index = SearchIndex::open(&dir.path().join("tantivy")).expect("index");
    let started = Instant::now();
    // As an import writes: one batch, a commit per 100,000 records (a file, or a part of
    // one), the merges the commits set off waited for once at the end.
    let mut batch = index.batch().expect("batch");
    for chunk in records.chunks(100_000) {
        batch.add(chunk).expect("index");
        batch.checkpoint(None).expect("commit");
    }
    batch.finish().expect("merges");
    let tantivy_index_s = started.elapsed().as_secs_f64();
    let tantivy_size = dir_size(&dir.path().join("tantivy"));

    // FTS5
    let db_path = dir.path().join("fts.db");
    let mut conn = rusqlite::Connection::open(&db_path).expect("sqlite");
    conn.execute_batch("PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, parties, region);").expect("fts5");
    let started = Instant::now();
    for chunk in records.chunks(100_000) {
        let tx = conn.transaction().expect("tx");
        {
            let mut insert = tx
                .prepare("INSERT INTO docs(id, title, body, parties, region) VALUES (?1, ?2, ?3, ?4, ?5)")
                .expect("prepare");
            for record in chunk {
                let parties: Vec<String> =
                    record.parties().into_iter().map(|(_, party)| segmented(&party.name)).collect();
                insert
                    .execute(rusqlite::params![
                        record.id(),
                        segmented(&record.title()),
                        segmented(record.text().unwrap_or("")),
                        parties.join(" "),
                        segmented(record.region().unwrap_or(""))
                    ])
                    .expect("insert");
            }
        }
        tx.commit().expect("commit");
    }
    let fts_index_s = started.elapsed().as_secs_f64();
    let fts_size = std::fs::metadata(&db_path).map(|m| m.len()).unwrap_or(0);

    // Queries: three passes over the mix, the first as warm-up.
    let mix = queries();
    let options = SearchOptions { limit: 10, ..Default::default() };
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    let mut stmt =
        conn.prepare("SELECT id FROM docs WHERE docs MATCH ?1 ORDER BY rank LIMIT 10").expect("prepare");
    let mut agree = 0usize;
    for pass in 0..3 {
        for (q, fts) in &mix {
            let started = Instant::now();
            let hits = index.search(q, &options).expect("search");
            let t = started.elapsed().as_secs_f64() * 1000.0;
            let started = Instant::now();
            let ids: Vec<String> =
                stmt.query_map([fts], |row| row.get(0)).expect("query").filter_map(Result::ok).collect();
            let f = started.elapsed().as_secs_f64() * 1000.0;
            if pass > 0 {
                ours.push(t);
                theirs.push(f);
            } else if hits.hits.is_empty() == ids.is_empty() {
                agree += 1;
            }
        }
    }
    ours.sort_by(f64::total_cmp);
    theirs.sort_by(f64::total_cmp);
    let report = serde_json::json!({
        "records": count,
        "text_mb": mb,
        "tantivy": {
            "index_s": tantivy_index_s, "docs_per_s": count as f64 / tantivy_index_s, "mb_per_s": mb / tantivy_index_s,
            "index_mb": tantivy_size as f64 / 1e6, "query_p50_ms": percentile(&ours, 50.0), "query_p99_ms": percentile(&ours, 99.0),
        },
        "fts5": {
            "index_s": fts_index_s, "docs_per_s": count as f64 / fts_index_s, "mb_per_s": mb / fts_index_s,
            "index_mb": fts_size as f64 / 1e6, "query_p50_ms": percentile(&theirs, 50.0), "query_p99_ms": percentile(&theirs, 99.0),
        },
        "indexing_throughput_ratio": fts_index_s / tantivy_index_s,
        "query_p50_speedup": percentile(&theirs, 50.0) / percentile(&ours, 50.0),
        "queries": mix.len(),
        "queries_where_both_agree_on_empty": agree,
        "peak_rss_mib": peak_rss_mib(),
    });
    println!("{}", serde_json::to_string_pretty(&report).expect("json"));
}
