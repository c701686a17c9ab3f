//! Crawl throughput: a local notice site with 10,000 award pages (`OPPGRAPH_BENCH_PAGES`),
//! crawled at an unlimited rate with extraction, import, indexing and the graph log; then
//! crawled again (every page answers 304). Prints pages/s for both runs and the peak RSS of
//! the process (the site is served from the same process and generates pages on the fly).
//!
//! `cargo bench --bench crawl`

use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use oppgraph::ingest::crawl::{self, CrawlSink, CrawlerDef, RunOptions};
use oppgraph::workspace::{SharedWorkspace, Workspace};
use std::sync::Arc;
use std::time::Instant;

const PER_LIST: usize = 50;

fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

const COUNTIES: [&str; 8] =
    ["夷陵区", "西陵区", "伍家岗区", "点军区", "猇亭区", "宜都市", "当阳市", "枝江市"];
const WORKS: [&str; 6] =
    ["道路改造工程", "污水管网工程", "学校维修工程", "医院设备采购项目", "公园提升工程", "水利设施维护项目"];

fn title(i: usize) -> String {
    format!("{}{}{}（第{}标段）中标结果公告", COUNTIES[i % 8], WORKS[i % 6], i / 48 + 1, i % 7 + 1)
}

fn detail(i: usize) -> String {
    format!(
        "<html><head><meta charset=utf-8><title>宜昌市公共资源交易网</title></head><body>\
         <div class=nav>首页 > 交易信息 > 中标结果公告</div><h1>{title}</h1>\
         <p>【信息时间： 2026-11-{day:02}】</p><table>\
         <tr><td class=title>招标人:</td><td class=contenttd>宜昌市{county}城市建设投资有限公司</td>\
         <td class=title>招标机构:</td><td class=contenttd>湖北宜昌第{agency}招标代理有限公司</td></tr>\
         <tr><td class=title>标段(包)编号:</td><td class=contenttd>YCA2026-{i:05}-01</td></tr>\
         <tr><td class=title>中标人:</td><td class=contenttd colspan=3>湖北第{winner}建设工程有限公司</td></tr>\
         <tr><td class=title>中标价(元):</td><td class=contenttd>{amount}.00</td></tr></table>\
         <p>公示期：2026年11月{day}日至2026年11月{end}日。</p><p>{filler}</p></body></html>",
        title = title(i),
        day = i % 20 + 1,
        end = i % 20 + 4,
        county = COUNTIES[i % 8],
        agency = i % 30,
        winner = i % 3000,
        amount = 500_000 + (i * 7919) % 40_000_000,
        filler = "本项目评标委员会依据招标文件规定的评标办法进行评审，推荐中标候选人。".repeat(8),
    )
}

fn etag(i: usize) -> String {
    format!("\"p{i}\"")
}

async fn list(Path(page): Path<String>, pages: usize) -> Response {
    let n: usize = page.trim_end_matches(".html").parse().unwrap_or(0);
    let lists = pages.div_ceil(PER_LIST);
    if n == 0 || n > lists {
        return StatusCode::NOT_FOUND.into_response();
    }
    let mut html = String::from("<html><body><ul class=list>");
    for i in (n - 1) * PER_LIST..(n * PER_LIST).min(pages) {
        html.push_str(&format!(
            "<li><a href=\"/notice/{i}.html\">{}</a><span>2026-11-20</span></li>",
            title(i)
        ));
    }
    html.push_str("</ul>");
    if n < lists {
        html.push_str(&format!("<a class=next href=\"/list/{}.html\">下一页</a>", n + 1));
    }
    html.push_str("</body></html>");
    ([("content-type", "text/html; charset=utf-8")], html).into_response()
}

async fn notice(Path(page): Path<String>, headers: HeaderMap) -> Response {
    let i: usize = page.trim_end_matches(".html").parse().unwrap_or(0);
    if headers.get("if-none-match").and_then(|v| v.to_str().ok()) == Some(etag(i).as_str()) {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    ([("content-type", "text/html; charset=utf-8".to_string()), ("etag", etag(i))], detail(i)).into_response()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let pages: usize =
        std::env::var("OPPGRAPH_BENCH_PAGES").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async move {
        let app = axum::Router::new()
            .route("/list/{page}", get(move |p| list(p, pages)))
            .route("/notice/{page}", get(notice));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });

        let dir = tempfile::tempdir().expect("temp dir");
        let text = format!(
            "kind = \"tenders\"\nstart = [\"{base}/list/1.html\"]\nrate_per_minute = 0\n\
             [list]\nlinks = \"ul.list a\"\nnext = \"a.next\"\nmax_pages = 100000\n[fetch]\nconcurrency = 8\n"
        );
        let path = dir.path().join("bench.toml");
        std::fs::write(&path, text).expect("crawler file");
        let def = CrawlerDef::load(&path).expect("crawler");
        let ws = SharedWorkspace::new(Workspace::open(&dir.path().join("data")).expect("open"));
        let sink: Arc<dyn CrawlSink> = Arc::new(ws.clone());

        let started = Instant::now();
        let first = crawl::run(&def, sink.clone(), &RunOptions::default()).await.expect("crawl");
        let first_s = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let second = crawl::run(&def, sink, &RunOptions::default()).await.expect("crawl");
        let second_s = started.elapsed().as_secs_f64();
        let records = ws.lock().store().count(oppgraph::store::Table::Records).expect("count");
        let report = serde_json::json!({
            "pages": pages,
            "first_run": {"seconds": first_s, "pages_per_s": first.fetched as f64 / first_s,
                "new": first.new, "failed": first.failed, "requests": first.requests},
            "second_run": {"seconds": second_s, "pages_per_s": (second.unchanged + second.fetched) as f64 / second_s,
                "new": second.new, "unchanged": second.unchanged, "requests": second.requests},
            "records": records,
            "peak_rss_mib": peak_rss_mib(),
        });
        println!("{}", serde_json::to_string_pretty(&report).expect("json"));
    });
}
