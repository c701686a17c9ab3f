//! The command line: exit codes, JSON lines, errors on stderr.

mod util;

use std::process::Output;

use util::oppgraph;

fn lines(output: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&output.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn import_with_rejected_rows_exits_zero_and_a_refused_file_exits_two() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let fixture = util::fixture_dir();
    let output = oppgraph(&data, &["import", fixture.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let reports = lines(&output);
    assert_eq!(reports.len(), 8);
    let enterprises = reports.iter().find(|r| r["kind"] == "enterprises").unwrap();
    assert_eq!((enterprises["accepted"].as_u64(), enterprises["rejected"].as_u64()), (Some(6), Some(3)));

    let bad = dir.path().join("weird.csv");
    std::fs::write(&bad, "a,b\n1,2\n").unwrap();
    let output = oppgraph(&data, &["import", bad.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown kind"), "{stderr}");
}

#[test]
fn mine_then_list_opportunities_and_search() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let fixture = util::fixture_dir();
    assert!(oppgraph(&data, &["import", fixture.to_str().unwrap()]).status.success());
    let output = oppgraph(&data, &["mine", "--as-of", util::AS_OF]);
    assert!(output.status.success());
    let summary = &lines(&output)[0];
    assert!(summary["live"].as_u64().unwrap() >= 3);

    let live = lines(&oppgraph(&data, &["opportunities"]));
    let all = lines(&oppgraph(&data, &["opportunities", "--include-suppressed"]));
    assert!(all.len() > live.len());
    assert!(live.iter().all(|o| o["suppressed"].is_null()));
    assert!(all
        .iter()
        .any(|o| o["suppressed"]["reason"] == "duplicate" && o["suppressed"]["duplicate_of"].is_string()));
    let first = &live[0];
    for key in [
        "id",
        "enterprise",
        "kind",
        "products",
        "score",
        "why",
        "evidence",
        "alerts",
        "manager",
        "status",
        "due",
        "suppressed",
    ] {
        assert!(first.get(key).is_some(), "missing {key}");
    }

    let hits = lines(&oppgraph(&data, &["search", "道路改造", "--kind", "award"]));
    assert_eq!(hits[0]["id"], "t1");
    assert_eq!(hits[0]["kind"], "tender");
    let output = oppgraph(&data, &["search", "\"unclosed"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unclosed quote"));
}

/// `migrate` is a new deployment's first step: it makes the data dir, as every command does.
#[test]
fn migrate_makes_a_new_data_dir_and_its_store() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("new").join("data");
    let output = oppgraph(&data, &["migrate"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let report = &lines(&output)[0];
    assert!(report["schema_version"].as_i64().unwrap() > 0, "{report}");
    assert!(data.is_dir());
    // The store is in the data dir unless the run names another (OPPGRAPH_STORE).
    assert_eq!(data.join("oppgraph.db").exists(), report["backend"] == "sqlite", "{report}");
}

#[test]
fn bad_usage_exits_two() {
    let dir = tempfile::tempdir().unwrap();
    let output = oppgraph(dir.path(), &["mine", "--as-of", "yesterday"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn graph_as_of_a_past_day_shows_relations_that_have_since_ended() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let fixture = util::fixture_dir();
    assert_eq!(oppgraph(&data, &["import", fixture.to_str().unwrap()]).status.code(), Some(0));
    // 王芳 was 监事 of 昊源建设 from 2012 to 2020.
    let officers = |extra: &[&str]| -> Vec<String> {
        let mut args = vec!["graph", "neighbors", "宜昌昊源建设工程有限公司", "--kinds", "officer"];
        args.extend_from_slice(extra);
        let output = oppgraph(&data, &args);
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
        let found = lines(&output).remove(0);
        let mut names: Vec<String> = found["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["kind"] == "person")
            .map(|n| n["name"].as_str().unwrap().to_string())
            .collect();
        names.sort();
        names
    };
    assert_eq!(officers(&[]), ["张伟"]);
    assert_eq!(officers(&["--as-of", "2015-06-30"]), ["张伟", "王芳"]);
    assert_eq!(officers(&[]), ["张伟"], "and back to today");
}

#[test]
fn extract_output_imports_as_tenders_jsonl() {
    let dir = tempfile::tempdir().unwrap();
    let pages = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/notices/pages");
    let output = oppgraph(
        &dir.path().join("data"),
        &[
            "extract",
            pages.join("gbk_table.html").to_str().unwrap(),
            pages.join("ccgp.html").to_str().unwrap(),
        ],
    );
    assert!(output.status.success());
    let jsonl = dir.path().join("tenders.jsonl");
    std::fs::write(&jsonl, &output.stdout).unwrap();
    let output = oppgraph(&dir.path().join("data"), &["import", jsonl.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let report = &lines(&output)[0];
    assert_eq!((report["accepted"].as_u64(), report["rejected"].as_u64()), (Some(2), Some(0)), "{report}");
    let output = oppgraph(&dir.path().join("data"), &["search", "winner:武汉康健医疗器械有限公司"]);
    assert_eq!(lines(&output).len(), 1);
}

#[test]
fn crawl_runs_reports_status_and_retries_failures() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let served = runtime.block_on(util::site::serve());
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let crawlers = dir.path().join("crawlers");
    std::fs::create_dir(&crawlers).unwrap();
    std::fs::write(crawlers.join("fixture.toml"), util::site::crawler_file(&served.base, 0, "")).unwrap();
    let crawlers_arg = crawlers.to_str().unwrap();

    let output = oppgraph(&data, &["crawl", "--crawlers", crawlers_arg]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let run = &lines(&output)[0];
    assert_eq!((run["name"].as_str(), run["run"]["new"].as_u64()), (Some("fixture"), Some(7)), "{run}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("fixture: Ok, 3 list pages, 9 links"), "{stderr}");

    let output = oppgraph(&data, &["crawl", "--status", "--crawlers", crawlers_arg]);
    let status = &lines(&output)[0];
    assert_eq!(status["last_run"]["status"], "ok");
    let failures: Vec<&str> =
        status["failures"].as_array().unwrap().iter().map(|f| f["reason"].as_str().unwrap()).collect();
    assert_eq!(failures, vec!["HTTP 404", "disallowed by robots.txt"]);

    served.site.fixed.store(true, std::sync::atomic::Ordering::SeqCst);
    served.site.clear();
    let output = oppgraph(&data, &["crawl", "fixture", "--retry-failed", "--crawlers", crawlers_arg]);
    assert_eq!(lines(&output)[0]["run"]["new"], 1);
    assert!(served.site.hits().iter().all(|h| h.path == "/robots.txt" || h.path == "/notice/missing.html"));

    let output = oppgraph(&data, &["search", "五峰县文化建设"]);
    assert_eq!(lines(&output).len(), 1);

    let output = oppgraph(&data, &["crawl", "nosuch", "--crawlers", crawlers_arg]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no crawler named \"nosuch\""));
}

#[test]
fn the_rate_holds_across_runs_in_separate_processes() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let served = runtime.block_on(util::site::serve());
    // Short runs (robots.txt and one empty list page) back to back, one a second at most.
    served.site.empty_lists.store(true, std::sync::atomic::Ordering::SeqCst);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let crawlers = dir.path().join("crawlers");
    std::fs::create_dir(&crawlers).unwrap();
    std::fs::write(crawlers.join("fixture.toml"), util::site::crawler_file(&served.base, 60, "")).unwrap();
    for _ in 0..3 {
        let output = oppgraph(&data, &["crawl", "--crawlers", crawlers.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(1), "min_items fails each run");
    }
    let mut times: Vec<_> = served.site.hits().iter().map(|h| h.at).collect();
    times.sort();
    assert_eq!(times.len(), 6);
    let closest = times.windows(2).map(|w| w[1] - w[0]).min().unwrap();
    assert!(closest >= std::time::Duration::from_millis(980), "requests {closest:?} apart at 60 a minute");
}

#[test]
fn demo_wipes_only_its_own_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let foreign = dir.path().join("precious");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("ledger.txt"), "do not delete").unwrap();
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("graph-data/sample");
    let output = oppgraph(&foreign, &["demo", "--no-serve", "--sample", sample.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not a demo data dir"));
    assert!(foreign.join("ledger.txt").exists());

    let data = dir.path().join("demo");
    for _ in 0..2 {
        let output = oppgraph(&data, &["demo", "--no-serve", "--sample", sample.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join("config.toml")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "config.toml holds tokens");
    }
}

/// Regression: `graph` built a resolver without the decisions people recorded, so a name
/// linked with `resolve --link` meant another enterprise (or none) to `graph controller`.
#[test]
fn graph_commands_honour_recorded_name_decisions() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert!(oppgraph(&data, &["import", util::fixture_dir().to_str().unwrap()]).status.success());
    let before = oppgraph(&data, &["graph", "controller", "昊源老字号"]);
    assert_ne!(before.status.code(), Some(0), "an unknown name resolves to nothing");
    let linked = oppgraph(&data, &["resolve", "昊源老字号", "--link", "宜昌昊源建设工程有限公司"]);
    assert!(linked.status.success(), "{}", String::from_utf8_lossy(&linked.stderr));
    let after = oppgraph(&data, &["graph", "controller", "昊源老字号"]);
    assert!(after.status.success(), "{}", String::from_utf8_lossy(&after.stderr));
    assert_eq!(lines(&after)[0]["enterprise"]["name"], "宜昌昊源建设工程有限公司");
}

/// A group's short name that is also a literal prefix of a subsidiary's name: once the graph
/// records the group's majority stake, `resolve` hands the name to a person instead of
/// crediting the subsidiary.
#[test]
fn a_short_name_fitting_a_group_and_its_subsidiary_goes_to_review() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(input.join("enterprises.csv"), "name\n宏山钢铁股份有限公司\n上海宏钢包装股份有限公司\n")
        .unwrap();
    let data = dir.path().join("data");
    assert!(oppgraph(&data, &["import", input.to_str().unwrap()]).status.success());
    let before = oppgraph(&data, &["resolve", "宏钢股份"]);
    let out = &lines(&before)[0];
    assert_eq!(out["resolution"]["outcome"], "linked", "{out}");
    assert_eq!(out["enterprise"]["name"], "上海宏钢包装股份有限公司", "{out}");
    std::fs::write(
        input.join("relations.csv"),
        "from,to,kind,share\n宏山钢铁股份有限公司,上海宏钢包装股份有限公司,shareholder,0.6\n",
    )
    .unwrap();
    std::fs::remove_file(input.join("enterprises.csv")).unwrap();
    assert!(oppgraph(&data, &["import", input.to_str().unwrap()]).status.success());
    let after = oppgraph(&data, &["resolve", "宏钢股份"]);
    let out = &lines(&after)[0];
    assert_eq!(out["resolution"]["outcome"], "needs_review", "{out}");
    assert_eq!(out["resolution"]["candidates"].as_array().map(Vec::len), Some(2), "{out}");
}

/// `export-store` copies a data dir's store into a new one (the way from SQLite to
/// PostgreSQL): the copy holds the same rows, ids and sequence numbers, so the data dir's index
/// and graph stay valid, and later writes number on from the copied ones. A store that is not
/// empty is never copied into.
#[test]
fn a_store_moves_to_another_with_its_ids_and_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let fixture = util::fixture_dir();
    assert!(util::oppgraph(&data, &["import", fixture.to_str().unwrap()]).status.success());
    assert!(util::oppgraph(&data, &["mine", "--as-of", util::AS_OF]).status.success());
    // Into a SQLite file here; on PostgreSQL too when a server is at hand (OPPGRAPH_PG).
    let mut targets = vec![dir.path().join("moved.db").display().to_string()];
    if let Ok(server) = std::env::var("OPPGRAPH_PG") {
        targets.push(format!("{server}?options=-csearch_path%3Dmoved_{}", std::process::id()));
    }
    let source = oppgraph::workspace::Workspace::open(&data).unwrap();
    for target in targets {
        let out = util::oppgraph(&data, &["export-store", "--to", &target]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(report["tables"]["records"].as_u64().unwrap() > 0, "{report}");
        let mut moved = oppgraph::store::Store::open_at(&oppgraph::store::Location::parse(&target)).unwrap();
        let (from, to) = (source.store(), &moved);
        assert_eq!(to.graph_version().unwrap(), from.graph_version().unwrap());
        assert_eq!(to.record_seq().unwrap(), from.record_seq().unwrap());
        assert_eq!(to.mined_seq().unwrap(), from.mined_seq().unwrap());
        assert_eq!(to.enterprises().unwrap(), from.enterprises().unwrap());
        assert_eq!(to.relations().unwrap(), from.relations().unwrap());
        assert_eq!(to.records().unwrap(), from.records().unwrap());
        let all = oppgraph::store::OpportunityFilter { include_suppressed: true, ..Default::default() };
        assert_eq!(to.opportunities(&all).unwrap(), from.opportunities(&all).unwrap());
        // The next enterprise and the next logged change number on from the copied ones.
        let mut tx = moved.begin().unwrap();
        let next = tx
            .insert_enterprise(oppgraph::model::Enterprise {
                name: "新设测试有限公司".into(),
                ..Default::default()
            })
            .unwrap();
        tx.commit().unwrap();
        let highest = from.enterprises().unwrap().iter().map(|e| e.id).max().unwrap();
        assert_eq!(next.id, highest + 1);
        assert_eq!(moved.graph_version().unwrap().seq, from.graph_version().unwrap().seq + 1);
        // Not empty any more: refused.
        let again = util::oppgraph(&data, &["export-store", "--to", &target]);
        assert!(!again.status.success());
        assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"));
    }
}

/// An import or a mining run that would not fit on the disk is refused before it writes, with
/// the figures; the same work goes ahead once the room kept free is lowered.
#[test]
fn work_that_would_fill_the_disk_is_refused_before_it_writes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let fixture = util::fixture_dir();
    std::fs::create_dir_all(&data).unwrap();
    let keep = |mib: u64| {
        std::fs::write(data.join("config.toml"), format!("[disk]\nkeep_free_mib = {mib}\n")).unwrap()
    };
    // More than any disk has.
    keep(1 << 40);
    let refused = |output: &Output| {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success() && stderr.contains("磁盘空间不足"), "{stderr}");
    };
    refused(&oppgraph(&data, &["import", fixture.to_str().unwrap()]));
    // The data dir's store, a SQLite file or (with OPPGRAPH_STORE) a PostgreSQL schema.
    let config = oppgraph::workspace::Config::load(&data.join("config.toml")).unwrap();
    let store =
        oppgraph::store::Store::open_at(&oppgraph::workspace::store_location(&data, &config)).unwrap();
    assert_eq!(store.count(oppgraph::store::Table::Records).unwrap(), 0);
    assert_eq!(store.count(oppgraph::store::Table::Enterprises).unwrap(), 0);

    keep(0);
    let output = oppgraph(&data, &["import", fixture.to_str().unwrap()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(lines(&output).len(), 8);
    keep(1 << 40);
    refused(&oppgraph(&data, &["mine", "--as-of", util::AS_OF]));
    assert_eq!(store.count(oppgraph::store::Table::Opportunities).unwrap(), 0);
    keep(0);
    assert!(oppgraph(&data, &["mine", "--as-of", util::AS_OF]).status.success());
    assert!(store.count(oppgraph::store::Table::Opportunities).unwrap() > 0);
}
