//! The crawl engine against a local notice site (tests/util/site.rs): what is stored, what is
//! requested (robots.txt, conditional requests, the rate), failures, `--retry-failed`,
//! incremental second runs, assertions; and `serve` turning a scheduled crawl into a lead.

mod util;

use oppgraph::ingest::crawl::{self, CrawlSink, CrawlerDef, RunOptions};
use oppgraph::model::{OpportunityKind, RunStatus};
use oppgraph::workspace::{SharedWorkspace, Workspace};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use util::site;

fn def(dir: &Path, name: &str, text: &str) -> CrawlerDef {
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    CrawlerDef::load(&path).unwrap()
}

fn sink(ws: &SharedWorkspace) -> Arc<dyn CrawlSink> {
    Arc::new(ws.clone())
}

fn search_ids(ws: &SharedWorkspace, query: &str) -> Vec<String> {
    let options = oppgraph::index::SearchOptions { limit: 50, ..Default::default() };
    ws.lock().index().search(query, &options).unwrap().hits.into_iter().map(|h| h.id).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crawls_a_site_politely_and_incrementally() {
    let served = site::serve().await;
    let data = tempfile::tempdir().unwrap();
    let crawlers = tempfile::tempdir().unwrap();
    let ws = SharedWorkspace::new(Workspace::open(data.path()).unwrap());
    let rate = 600; // one request per 100 ms per host
    let def = def(crawlers.path(), "fixture", &site::crawler_file(&served.base, rate, ""));

    // First run: every reachable notice stored; the 404 and the robots-disallowed page fail.
    let run = crawl::run(&def, sink(&ws), &RunOptions::default()).await.unwrap();
    assert_eq!(run.status, RunStatus::Ok, "{run:?}");
    assert_eq!((run.list_pages, run.items), (3, 9));
    assert_eq!((run.new, run.changed, run.unchanged, run.failed), (7, 0, 0, 2), "{run:?}");
    let failures = ws.lock().store().crawl_failures("fixture").unwrap();
    let reasons: Vec<(&str, &str, u32)> =
        failures.iter().map(|f| (f.url.rsplit('/').next().unwrap(), f.reason.as_str(), f.attempts)).collect();
    assert_eq!(
        reasons,
        vec![("missing.html", "HTTP 404", 1), ("secret.html", "disallowed by robots.txt", 0)]
    );

    let hits = served.site.hits();
    assert_eq!(served.site.requested("/robots.txt"), 1);
    assert_eq!(served.site.requested("/private/secret.html"), 0, "robots.txt is obeyed");
    assert_eq!(served.site.requested("/notice/flaky.html"), 3, "two 503s, then the page");
    assert_eq!(served.site.requested("/notice/throttled.html"), 2, "a 429, then the page");
    assert!(hits.iter().all(|h| h.user_agent.starts_with("oppgraph-crawler/")));
    let mut times: Vec<_> = hits.iter().map(|h| h.at).collect();
    times.sort();
    // At 600/min no second holds more than 10 requests: every 11 consecutive requests span a
    // second or more (less a little for when each one reached the server).
    let tightest = times.windows(11).map(|w| w[10] - w[0]).min().unwrap();
    assert!(tightest >= Duration::from_millis(980), "11 requests within {tightest:?} at {rate}/min");
    let throttled: Vec<_> =
        hits.iter().filter(|h| h.path == "/notice/throttled.html").map(|h| h.at).collect();
    assert!(throttled[1] - throttled[0] >= Duration::from_millis(990), "Retry-After: 1 is honoured");

    // The pages are records, searchable, with their text, URL and source; GBK and a UTF-8
    // page that declares gbk both decode.
    let record_id = oppgraph::ingest::crawl::page::record_id(&format!("{}/notice/gbk.html", served.base));
    let record = ws.lock().store().record(oppgraph::model::RecordKind::Tender, &record_id).unwrap().unwrap();
    let oppgraph::model::Record::Tender(tender) = record else { panic!("not a tender") };
    assert_eq!(tender.winners[0].name, site::winner_of("gbk.html"));
    assert_eq!(tender.amount, Some(8_805_000.0));
    assert_eq!(tender.source.as_deref(), Some("fixture"));
    assert!(tender.url.as_deref().unwrap().ends_with("/notice/gbk.html"));
    assert_eq!(search_ids(&ws, "当阳市水务建设"), vec![record_id]);
    assert_eq!(search_ids(&ws, "枝江市路桥工程").len(), 1, "a UTF-8 page declaring gbk is not garbled");
    let archived = std::fs::read_dir(data.path().join("pages")).unwrap().count();
    assert!(archived >= 1, "pages are archived by hash");

    // Second run: everything asked for conditionally, nothing new.
    served.site.clear();
    let run = crawl::run(&def, sink(&ws), &RunOptions::default()).await.unwrap();
    assert_eq!((run.new, run.changed, run.unchanged, run.failed), (0, 0, 7, 2), "{run:?}");
    let hits = served.site.hits();
    let details: Vec<_> =
        hits.iter().filter(|h| h.path.starts_with("/notice/") && h.path != "/notice/missing.html").collect();
    assert!(details.iter().all(|h| h.conditional), "pages seen before are asked for conditionally");

    // A page that changed updates its record, and search follows.
    served.site.changed.store(true, std::sync::atomic::Ordering::SeqCst);
    let run = crawl::run(&def, sink(&ws), &RunOptions::default()).await.unwrap();
    assert_eq!((run.new, run.changed), (0, 1), "{run:?}");
    let changing = oppgraph::ingest::crawl::page::record_id(&format!("{}/notice/changing.html", served.base));
    let record = ws.lock().store().record(oppgraph::model::RecordKind::Tender, &changing).unwrap().unwrap();
    let oppgraph::model::Record::Tender(tender) = record else { panic!("not a tender") };
    assert_eq!(tender.amount, Some(4_500_000.0));

    // --retry-failed fetches only what failed: the 404 (fixed now) and the disallowed page
    // (still disallowed, never requested).
    served.site.fixed.store(true, std::sync::atomic::Ordering::SeqCst);
    served.site.clear();
    let options = RunOptions { retry_failed: true, ..Default::default() };
    let run = crawl::run(&def, sink(&ws), &options).await.unwrap();
    assert_eq!((run.list_pages, run.items, run.new, run.failed), (0, 2, 1, 1), "{run:?}");
    let paths: Vec<String> = served.site.hits().into_iter().map(|h| h.path).collect();
    assert_eq!(paths, vec!["/robots.txt", "/notice/missing.html"]);
    let failures = ws.lock().store().crawl_failures("fixture").unwrap();
    assert_eq!(failures.len(), 1);
    assert!(failures[0].url.ends_with("/private/secret.html"));
    assert_eq!(search_ids(&ws, "五峰县文化建设").len(), 1);

    // The site changes its layout: no links, the run fails its assertion.
    served.site.empty_lists.store(true, std::sync::atomic::Ordering::SeqCst);
    let run = crawl::run(&def, sink(&ws), &RunOptions::default()).await.unwrap();
    assert_eq!(run.status, RunStatus::Failed);
    assert!(run.reason.as_deref().unwrap().contains("min_items = 5"), "{run:?}");
    let last = ws.lock().store().crawl_runs("fixture", 1).unwrap();
    assert_eq!(last[0].status, RunStatus::Failed);

    // reextract rebuilds every record from the archive without the network: nothing changes.
    let summaries = ws.lock().reextract(std::slice::from_ref(&def)).unwrap();
    let summary = &summaries[0].1;
    assert_eq!((summary.pages, summary.new, summary.changed, summary.missing), (8, 0, 0, 0), "{summary:?}");
}

/// A disk without room for the pages: the run ends failed with the reason, nothing is written,
/// and the next run with room stores every page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_fails_the_run_and_loses_no_page() {
    let served = site::serve().await;
    let data = tempfile::tempdir().unwrap();
    let crawlers = tempfile::tempdir().unwrap();
    let def = def(crawlers.path(), "fixture", &site::crawler_file(&served.base, 6000, ""));
    // More kept free than any disk has.
    std::fs::write(data.path().join("config.toml"), "[disk]\nkeep_free_mib = 1000000000000\n").unwrap();
    let ws = SharedWorkspace::new(Workspace::open(data.path()).unwrap());
    let error = crawl::run(&def, sink(&ws), &RunOptions::default()).await.expect_err("no room");
    assert!(error.to_string().contains("磁盘空间不足"), "{error}");
    let runs = ws.lock().store().crawl_runs("fixture", 5).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].status, RunStatus::Failed, "not left running: {:?}", runs[0]);
    assert!(runs[0].reason.as_deref().unwrap().contains("磁盘空间不足"), "{:?}", runs[0]);
    assert!(runs[0].finished.is_some());
    assert_eq!(ws.lock().store().crawl_pages(Some("fixture")).unwrap().len(), 0, "no page recorded");
    assert!(!data.path().join("pages").exists(), "no page archived");
    assert!(search_ids(&ws, "当阳市水务建设").is_empty());
    drop(ws);

    std::fs::write(data.path().join("config.toml"), "[disk]\nkeep_free_mib = 0\n").unwrap();
    let ws = SharedWorkspace::new(Workspace::open(data.path()).unwrap());
    let run = crawl::run(&def, sink(&ws), &RunOptions::default()).await.unwrap();
    assert_eq!(run.status, RunStatus::Ok, "{run:?}");
    assert_eq!((run.new, run.failed), (7, 2), "{run:?}");
    assert_eq!(search_ids(&ws, "当阳市水务建设").len(), 1);
}

/// Regression: `encoding = "utf-8"`, the contract's own spelling, was refused.
#[test]
fn the_contracts_crawler_file_loads_with_every_encoding_spelling() {
    let dir = tempfile::tempdir().unwrap();
    for (spelling, expected) in [
        ("auto", crawl::Encoding::Auto),
        ("utf-8", crawl::Encoding::Utf8),
        ("UTF8", crawl::Encoding::Utf8),
        ("gbk", crawl::Encoding::Gbk),
        ("GB2312", crawl::Encoding::Gbk),
        ("gb18030", crawl::Encoding::Gb18030),
    ] {
        let text = format!(
            "kind = \"tenders\"\nstart = [\"https://example.gov.cn/jyxx/zbgg/index.html\"]\nschedule = \"0 */2 * * *\"\n\
             rate_per_minute = 30\nencoding = \"{spelling}\"\n[list]\nlinks = \"ul.list a\"\nnext = \"a.next\"\nmax_pages = 20\n\
             [assert]\nmin_items = 10\n"
        );
        assert_eq!(def(dir.path(), "contract", &text).encoding, expected, "{spelling}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_crawler_files_are_refused_with_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("kind = \"tenders\"\nstart = [\"http://x/\"]\nrate = 5\n", "unknown field `rate`"),
        ("kind = \"managers\"\nstart = [\"http://x/\"]\n", "a crawler's pages become records"),
        ("kind = \"tenders\"\nstart = [\"http://x/\"]\nschedule = \"every day\"\n", "schedule"),
        ("kind = \"tenders\"\nstart = [\"http://x/\"]\n[list]\nlinks = \"ul >> a\"\n", "list.links"),
        ("kind = \"tenders\"\nstart = []\n", "`start` lists no URL"),
    ];
    for (text, expected) in cases {
        let path = dir.path().join("broken.toml");
        std::fs::write(&path, text).unwrap();
        let error = CrawlerDef::load(&path).unwrap_err().to_string();
        assert!(error.contains(expected), "{text:?}: {error}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_turns_a_scheduled_crawl_into_a_lead() {
    let served = site::serve().await;
    let data = tempfile::tempdir().unwrap();
    let crawlers = tempfile::tempdir().unwrap();
    std::fs::write(crawlers.path().join("fixture.toml"), site::crawler_file(&served.base, 0, "")).unwrap();
    let mut ws = Workspace::open(data.path()).unwrap();
    ws.set_tokens(vec![
        oppgraph::workspace::TokenConfig {
            token: "admin".into(),
            role: oppgraph::workspace::Role::Admin,
            manager: None,
            name: None,
        },
        oppgraph::workspace::TokenConfig {
            token: "manager".into(),
            role: oppgraph::workspace::Role::Manager,
            manager: Some("m1".into()),
            name: None,
        },
    ])
    .unwrap();
    let state = oppgraph::http::AppState::with_crawlers(ws, Some(crawlers.path().to_path_buf()));
    let schedule = oppgraph::http::schedule::ScheduleConfig {
        check_every: Duration::from_millis(200),
        mines: true,
        mine_every_minutes: 0,
        crawls: true,
        push_every: None,
    };
    oppgraph::http::schedule::spawn(&state, schedule);
    let page = format!("{}/notice/a1.html", served.base);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let lead = loop {
        let leads =
            state.with_workspace(|ws| Ok(ws.store().opportunities(&Default::default())?)).await.unwrap();
        if let Some(lead) = leads.into_iter().find(|o| {
            o.kind == OpportunityKind::TenderAward
                && o.evidence.iter().any(|e| e.url.as_deref() == Some(&page))
        }) {
            break lead;
        }
        assert!(std::time::Instant::now() < deadline, "no lead from the scheduled crawl within 60 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(lead.enterprise.name, site::winner_of("a1.html"));

    // The crawl's status is in the contract's shape.
    use tower::ServiceExt;
    let response = oppgraph::http::app(state.clone())
        .oneshot(
            axum::http::Request::get("/api/crawls")
                .header("authorization", "Bearer admin")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body = http_body_util::BodyExt::collect(response.into_body()).await.unwrap().to_bytes();
    let statuses: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let status = &statuses[0];
    assert_eq!(status["name"], "fixture");
    assert!(status["last_run"]["started"].is_string());
    for key in ["list_pages", "fetched", "new", "changed", "unchanged", "failed"] {
        assert!(status["last_run"][key].is_u64(), "{key}: {status}");
    }
    assert!(status["failures"].as_array().unwrap().iter().any(|f| f["reason"] == "HTTP 404"));

    // An admin starts a crawl through the API; other roles and unknown names are refused.
    let post = |uri: &str, token: &str, body: String| {
        axum::http::Request::post(uri.to_string())
            .header("authorization", format!("Bearer {token}"))
            .body(axum::body::Body::from(body))
            .unwrap()
    };
    let app = oppgraph::http::app(state.clone());
    let started = app.clone().oneshot(post("/api/crawls/fixture/run", "admin", String::new())).await.unwrap();
    assert!(matches!(started.status().as_u16(), 202 | 409), "{}", started.status());
    let unknown = app.clone().oneshot(post("/api/crawls/nosuch/run", "admin", String::new())).await.unwrap();
    assert_eq!(unknown.status(), 404);
    let manager =
        app.clone().oneshot(post("/api/crawls/fixture/run", "manager", String::new())).await.unwrap();
    assert_eq!(manager.status(), 403);

    // An API import brings a new award: the server mines it without being asked.
    let csv = format!(
        "id,kind,title,published,winner,amount\napi-1,award,宜昌市接口导入测试工程中标结果公告,{},湖北接口导入建设有限公司,5000000\n",
        site::today()
    );
    let imported = app.clone().oneshot(post("/api/import?name=tenders-api.csv", "admin", csv)).await.unwrap();
    assert_eq!(imported.status(), 200);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let leads =
            state.with_workspace(|ws| Ok(ws.store().opportunities(&Default::default())?)).await.unwrap();
        if leads.iter().any(|o| o.evidence.iter().any(|e| e.record == "api-1")) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the API import was not mined within 30 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_list_endpoints_with_post_forms_and_a_cut_off_at_what_was_seen() {
    let served = site::serve().await;
    let data = tempfile::tempdir().unwrap();
    let crawlers = tempfile::tempdir().unwrap();
    let ws = SharedWorkspace::new(Workspace::open(data.path()).unwrap());
    let text = format!(
        "kind = \"tenders\"\nrate_per_minute = 0\n\
         [list]\nformat = \"json\"\npages = \"{}/api/notices\"\nmethod = \"POST\"\nform = {{ pageNo = \"{{page}}\", pageSize = \"3\" }}\n\
         items = \"/data/list\"\nurl_field = \"linkUrl\"\ntitle_field = \"title\"\ndate_field = \"publishTime\"\n\
         max_pages = 10\nstop_at_seen = true\ninclude = \"/notice/\"\nexclude = \"missing\"\n\
         [fetch]\nbackoff_ms = 20\n",
        served.base
    );
    let def = def(crawlers.path(), "jsonsite", &text);
    let run = crawl::run(&def, sink(&ws), &RunOptions::default()).await.unwrap();
    // Pages 1-3 have items, page 4 is empty and ends the walk; `exclude` drops missing.html.
    assert_eq!((run.list_pages, run.items), (4, 8), "{run:?}");
    assert_eq!(run.new, 7, "{run:?}");
    let posts: Vec<String> =
        served.site.hits().into_iter().map(|h| h.path).filter(|p| p.starts_with("POST")).collect();
    assert_eq!(posts[0], "POST /api/notices pageNo=1&pageSize=3");

    // With everything on page 1 stored already, the next run stops there.
    served.site.clear();
    let run = crawl::run(&def, sink(&ws), &RunOptions::default()).await.unwrap();
    assert_eq!(run.list_pages, 1, "{run:?}");
    assert_eq!((run.new, run.changed), (0, 0));
}
