//! The shipped crawler definitions (crawlers/*.toml) against local copies of their sites'
//! layouts: the same paths, forms and page structures, served on 127.0.0.1 in place of the
//! real hosts (tests never touch the internet).

mod util;

use oppgraph::ingest::crawl::{self, CrawlSink, CrawlerDef, RunOptions};
use oppgraph::model::{Record, RecordKind, RunStatus};
use oppgraph::workspace::{SharedWorkspace, Workspace};
use std::sync::Arc;
use util::site::{self, Route};

/// The shipped crawler file `name`, its hosts replaced by the local server, unthrottled.
fn shipped(name: &str, hosts: &[&str], base: &str, dir: &std::path::Path) -> CrawlerDef {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("crawlers").join(format!("{name}.toml"));
    let mut text = std::fs::read_to_string(path).unwrap();
    for host in hosts {
        text = text.replace(host, base);
    }
    text = text
        .replace("rate_per_minute = ", "rate_per_minute = 0 # was ")
        .replace("enabled = false", "enabled = true");
    let local = dir.join(format!("{name}.toml"));
    std::fs::write(&local, text).unwrap();
    CrawlerDef::load(&local).unwrap()
}

fn record(ws: &SharedWorkspace, kind: RecordKind, url: &str) -> Record {
    let id = crawl::page::record_id(url);
    ws.lock().store().record(kind, &id).unwrap().unwrap_or_else(|| panic!("no record for {url}"))
}

fn route(
    method: &'static str,
    path: &str,
    form: Option<&str>,
    content_type: &'static str,
    body: impl Into<Vec<u8>>,
) -> Route {
    Route { method, path: path.into(), form: form.map(String::from), content_type, body: body.into() }
}

/// An award page in the Yichang portal's layout: label cells `class=title`, values
/// `class=contenttd`, several pairs per row.
fn yichang_award(title: &str, buyer: &str, agency: &str, winner: &str, price: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><meta charset='UTF-8' /><title></title></head><body>\
         <div class=\"ewb-article\"><h3 class=\"article-title\">{title}</h3>\
         <div class=\"info-sources\">【信息时间： {date}】</div>\
         <div style=\"text-align:center\"><table cellspacing=\"0\" border=\"1\"><tbody>\
         <tr><td class=\"title\"> 招标人:</td><td class=\"contenttd\">{buyer}</td><td class=\"title\">建设地点</td><td class=\"contenttd\">夷陵区</td></tr>\
         <tr><td class=\"title\"> 招标机构:</td><td class=\"contenttd\">{agency}</td><td class=\"title\">标段(包)编号:</td><td class=\"contenttd\">YLA2026-011-01</td></tr>\
         <tr><td class=\"title\">中标人:</td><td class=\"contenttd\" colspan=\"3\"> {winner}</td></tr>\
         <tr><td class=\"title\">中标价(元):</td><td class=\"contenttd\">{price}</td><td class=\"title\">工期</td><td class=\"contenttd\">180日历天</td></tr>\
         </tbody></table></div></div></body></html>",
        date = site::today()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn yichang_portal_json_list_and_award_tables() {
    let today = site::today().replace('-', "");
    let details = [
        (
            "a7c1",
            "夷陵区龙泉镇污水管网改造工程施工中标结果公告",
            "宜昌市夷陵区住房和城乡建设局",
            "湖北夷陵建工集团有限公司",
            "12,345,678.90",
        ),
        (
            "b2d4",
            "宜昌市西陵区学校维修工程中标结果公告",
            "宜昌市西陵区教育局",
            "湖北楚天建设工程有限公司",
            "3,200,000.00",
        ),
    ];
    let list: Vec<serde_json::Value> = details
        .iter()
        .map(|(guid, title, ..)| {
            serde_json::json!({"title": title, "infodate": site::today(), "categorynum": "003001005",
                "infourl": format!("/jyxx/003001/003001005/{today}/{guid}.html")})
        })
        .collect();
    let mut routes = vec![
        route(
            "POST",
            "/EpointWebBuilder/rest/secaction/getSecInfoListYzm",
            Some("pageindex=0"),
            "application/json",
            serde_json::json!({"custom": {"infodata": list, "count": 2}}).to_string(),
        ),
        route(
            "POST",
            "/EpointWebBuilder/rest/secaction/getSecInfoListYzm",
            Some("pageindex=1"),
            "application/json",
            serde_json::json!({"custom": {"infodata": [], "count": 2}}).to_string(),
        ),
    ];
    for (guid, title, buyer, winner, price) in details {
        let page = yichang_award(title, buyer, "湖北宜昌招标代理有限公司", winner, price);
        routes.push(route(
            "GET",
            &format!("/jyxx/003001/003001005/{today}/{guid}.html"),
            None,
            "text/html",
            page,
        ));
    }
    let served = site::serve_routes(routes).await;
    let crawlers = tempfile::tempdir().unwrap();
    let def =
        shipped("yichang-ggzy-awards", &["https://ggzy.sc.yichang.gov.cn"], &served.base, crawlers.path());
    let def = CrawlerDef { assertions: crawl::Assertions { min_items: 2, max_failed_share: None }, ..def };
    let data = tempfile::tempdir().unwrap();
    let ws = SharedWorkspace::new(Workspace::open(data.path()).unwrap());
    let sink: Arc<dyn CrawlSink> = Arc::new(ws.clone());
    let run = crawl::run(&def, sink, &RunOptions::default()).await.unwrap();
    assert_eq!(run.status, RunStatus::Ok, "{run:?}");
    assert_eq!((run.list_pages, run.new), (2, 2), "{run:?}");

    let posts: Vec<String> =
        served.site.hits().into_iter().map(|h| h.path).filter(|p| p.starts_with("POST")).collect();
    assert!(posts[0].contains("categoryNum=003001005") && posts[0].contains("pageindex=0"), "{posts:?}");
    assert!(posts[0].contains(&format!("enddate={}+23%3A59%3A59", site::today())), "{posts:?}");

    let url = format!("{}/jyxx/003001/003001005/{today}/a7c1.html", served.base);
    let Record::Tender(tender) = record(&ws, RecordKind::Tender, &url) else { panic!("not a tender") };
    assert_eq!(tender.title, "夷陵区龙泉镇污水管网改造工程施工中标结果公告");
    assert_eq!(tender.winners[0].name, "湖北夷陵建工集团有限公司");
    assert_eq!(tender.buyer.as_ref().unwrap().name, "宜昌市夷陵区住房和城乡建设局");
    assert_eq!(tender.amount, Some(12_345_678.90));
    assert_eq!(tender.published.to_string(), site::today());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ccgp_static_lists_numbered_pages_and_detail_content() {
    let entry = |n: usize| {
        format!(
            "<li><a href=\"./202611/t2026112{n}_2{n}.htm\" title=\"某部委2026年第{n}批设备采购项目中标公告\" target=\"_blank\">某部委2026年第{n}批设备采购项目中标...</a>\
             发布时间：<em>{} 09:3{n}</em> 地域：<em>北京</em> 采购人：<em>某部委机关服务中心</em></li>",
            site::today()
        )
    };
    let list = |entries: std::ops::Range<usize>| {
        let items: String = entries.map(entry).collect();
        format!(
            "<html><head><meta charset=\"utf-8\"><title>中央公告_中国政府采购网</title></head><body>\
             <div class=\"vT_z\"><ul class=\"c_list_bid\">{items}</ul></div>\
             <p class=\"pager\"><script>createPageHTML(25, 0, \"index\", \"htm\");</script></p></body></html>"
        )
    };
    let detail = |n: usize| {
        std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/notices/pages/ccgp.html"),
        )
        .unwrap()
        .replace("湖北飞扬体育用品有限公司", &format!("北京第{n}设备有限公司"))
    };
    let mut routes = vec![
        route("GET", "/cggg/zygg/zbgg/index.htm", None, "text/html; charset=utf-8", list(1..4)),
        route("GET", "/cggg/zygg/zbgg/index_1.htm", None, "text/html; charset=utf-8", list(4..6)),
        route("GET", "/cggg/zygg/zbgg/index_2.htm", None, "text/html; charset=utf-8", list(0..0)),
        route("GET", "/robots.txt", None, "text/plain", "User-agent: *\nDisallow: /oss/\n"),
    ];
    for n in 1..6 {
        routes.push(route(
            "GET",
            &format!("/cggg/zygg/zbgg/202611/t2026112{n}_2{n}.htm"),
            None,
            "text/html",
            detail(n),
        ));
    }
    let served = site::serve_routes(routes).await;
    let crawlers = tempfile::tempdir().unwrap();
    let def = shipped("ccgp-central-awards", &["http://www.ccgp.gov.cn"], &served.base, crawlers.path());
    let def = CrawlerDef { assertions: crawl::Assertions { min_items: 5, max_failed_share: None }, ..def };
    let data = tempfile::tempdir().unwrap();
    let ws = SharedWorkspace::new(Workspace::open(data.path()).unwrap());
    let sink: Arc<dyn CrawlSink> = Arc::new(ws.clone());
    let run = crawl::run(&def, sink.clone(), &RunOptions::default()).await.unwrap();
    assert_eq!(run.status, RunStatus::Ok, "{run:?}");
    assert_eq!((run.list_pages, run.items, run.new), (3, 5, 5), "{run:?}");

    let url = format!("{}/cggg/zygg/zbgg/202611/t20261124_24.htm", served.base);
    let Record::Tender(tender) = record(&ws, RecordKind::Tender, &url) else { panic!("not a tender") };
    // The list's `title` attribute, not the cut-off link text.
    assert_eq!(tender.title, "某部委2026年第4批设备采购项目中标公告");
    assert_eq!(tender.winners[0].name, "北京第4设备有限公司");
    assert_eq!(tender.amount, Some(1_234_000.0));
    assert_eq!(tender.region.as_deref(), Some("北京"), "list.fields reads the region off the list entry");
    assert!(
        tender.text.as_deref().unwrap().starts_with("一、项目编号"),
        "detail.content keeps the notice only"
    );

    // Everything on the first page is stored: the next run stops there.
    served.site.clear();
    let run = crawl::run(&def, sink, &RunOptions::default()).await.unwrap();
    assert_eq!((run.list_pages, run.new, run.changed), (1, 0, 0), "{run:?}");
}

/// Runs the shipped cninfo crawler `name` once against a local copy of the disclosure search
/// answering `announcements` on its first page and `null` past it, over a store that knows
/// 平安银行股份有限公司 (short name 平安银行). Returns the served site's base URL, the workspace
/// and the run.
async fn cninfo_run(
    name: &str,
    announcements: serde_json::Value,
) -> (String, SharedWorkspace, oppgraph::model::CrawlRun, tempfile::TempDir) {
    let query = "/new/hisAnnouncement/query";
    let routes = vec![
        route("POST", query, Some("pageNum=1"), "application/json", announcements.to_string()),
        route("POST", query, Some("pageNum=2"), "application/json", r#"{"announcements": null}"#),
    ];
    let served = site::serve_routes(routes).await;
    let crawlers = tempfile::tempdir().unwrap();
    let hosts = ["https://www.cninfo.com.cn", "https://static.cninfo.com.cn"];
    let def = shipped(name, &hosts, &served.base, crawlers.path());
    let data = tempfile::tempdir().unwrap();
    let mut workspace = Workspace::open(data.path()).unwrap();
    let enterprises = data.path().join("enterprises.csv");
    std::fs::write(&enterprises, "name,uscc,aliases\n平安银行股份有限公司,91440300192185379H,平安银行\n")
        .unwrap();
    workspace.import(&[enterprises]).unwrap();
    let ws = SharedWorkspace::new(workspace);
    let sink: Arc<dyn CrawlSink> = Arc::new(ws.clone());
    let run = crawl::run(&def, sink, &RunOptions::default()).await.unwrap();
    (served.base.clone(), ws, run, data)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cninfo_announcements_become_filings_without_detail_pages() {
    let announcements = serde_json::json!({"totalRecordNum": 2, "announcements": [
        {"secCode": "000001", "secName": "平安银行", "announcementTitle": "关于非公开发行<em>股票</em>发行情况报告书",
         "announcementTime": 1763683200000_i64, "adjunctUrl": "finalpage/2025-11-21/1224800001.PDF"},
        {"secCode": "000002", "secName": "万科A", "announcementTitle": "向特定对象发行股票募集说明书",
         "announcementTime": 1763683200000_i64, "adjunctUrl": "finalpage/2025-11-21/1224800002.PDF"}
    ]});
    let (base, ws, run, _data) = cninfo_run("cninfo-capital-increase", announcements).await;
    assert_eq!(run.status, RunStatus::Ok, "{run:?}");
    assert_eq!(
        (run.items, run.new, run.requests),
        (2, 2, 3),
        "two list pages and robots.txt; no detail page: {run:?}"
    );
    let pdf = format!("{base}/finalpage/2025-11-21/1224800001.PDF");
    let Record::Filing(filing) = record(&ws, RecordKind::Filing, &pdf) else { panic!("not a filing") };
    assert_eq!(filing.kind, "capital_increase");
    let registered = ws.lock().store().find_enterprises("平安银行股份有限公司", 1).unwrap();
    assert_eq!(
        filing.enterprise.id, registered[0].id,
        "the short name resolves to the registered enterprise"
    );
    assert_eq!(filing.title.as_deref(), Some("关于非公开发行股票发行情况报告书"));
    assert_eq!(filing.published.to_string(), "2025-11-21");
    assert_eq!(filing.url.as_deref(), Some(pdf.as_str()));
    // The page past the last answers `"announcements": null`: the end, not a failure.
    assert_eq!(ws.lock().store().crawl_failures("cninfo-capital-increase").unwrap(), vec![]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cninfo_share_freezes_become_risk_events_and_releases_are_reported() {
    let announcements = serde_json::json!({"totalRecordNum": 3, "announcements": [
        {"secCode": "000001", "secName": "平安银行", "announcementTitle": "关于控股股东股份被司法<em>冻结</em>的公告",
         "announcementTime": 1763683200000_i64, "adjunctUrl": "finalpage/2025-11-21/1224900001.PDF"},
        {"secCode": "000001", "secName": "平安银行", "announcementTitle": "关于第一大股东所持股份新增轮候冻结的公告",
         "announcementTime": 1763769600000_i64, "adjunctUrl": "finalpage/2025-11-22/1224900002.PDF"},
        {"secCode": "000001", "secName": "平安银行", "announcementTitle": "关于控股股东股份解除冻结的公告",
         "announcementTime": 1763856000000_i64, "adjunctUrl": "finalpage/2025-11-23/1224900003.PDF"}
    ]});
    let (base, ws, run, _data) = cninfo_run("cninfo-share-freezes", announcements).await;
    assert_eq!(run.status, RunStatus::Ok, "{run:?}");
    assert_eq!((run.items, run.new, run.failed), (3, 2, 1), "{run:?}");

    let registered = ws.lock().store().find_enterprises("平安银行股份有限公司", 1).unwrap();
    for (day, number, title) in [
        ("2025-11-21", 1, "关于控股股东股份被司法冻结的公告"),
        ("2025-11-22", 2, "关于第一大股东所持股份新增轮候冻结的公告"),
    ] {
        let pdf = format!("{base}/finalpage/{day}/122490000{number}.PDF");
        let Record::RiskEvent(event) = record(&ws, RecordKind::RiskEvent, &pdf) else {
            panic!("not a risk event")
        };
        assert_eq!(event.kind.as_str(), "equity_freeze");
        assert_eq!(
            event.subject,
            oppgraph::model::Party::Enterprise(registered[0].id),
            "the short name resolves"
        );
        assert_eq!(event.title.as_deref(), Some(title));
        assert_eq!(event.published.to_string(), day);
    }
    let failures = ws.lock().store().crawl_failures("cninfo-share-freezes").unwrap();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(failures[0].url.ends_with("1224900003.PDF"));
    assert!(failures[0].reason.contains("解除冻结"), "{}", failures[0].reason);
}
