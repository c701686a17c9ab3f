//! A notice site served on 127.0.0.1:0 for crawler tests: paginated lists, a GBK page, a UTF-8
//! page that declares gbk, robots.txt disallowing a path, a page that answers 503 twice, a 404
//! (that can be fixed), a 429 with Retry-After, ETag / 304, and a page that can change.
#![allow(dead_code)]

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct Hit {
    pub path: String,
    pub at: Instant,
    pub conditional: bool,
    pub user_agent: String,
}

#[derive(Default)]
pub struct Site {
    pub hits: Mutex<Vec<Hit>>,
    flaky: AtomicUsize,
    throttled: AtomicUsize,
    /// The changing page shows its second version.
    pub changed: AtomicBool,
    /// The 404 page exists now.
    pub fixed: AtomicBool,
    /// Every list page is empty (the site "changed its layout").
    pub empty_lists: AtomicBool,
}

impl Site {
    pub fn hits(&self) -> Vec<Hit> {
        self.hits.lock().unwrap().clone()
    }
    pub fn clear(&self) {
        self.hits.lock().unwrap().clear();
    }
    pub fn requested(&self, path: &str) -> usize {
        self.hits().iter().filter(|h| h.path == path).count()
    }
}

pub struct Served {
    pub site: Arc<Site>,
    pub base: String,
}

/// Starts the site on the current tokio runtime.
pub async fn serve() -> Served {
    let site = Arc::new(Site::default());
    let app = Router::new()
        .route("/robots.txt", get(robots))
        .route("/list/{page}", get(list))
        .route("/api/notices", axum::routing::post(json_list))
        .route("/notice/{name}", get(notice))
        .route("/private/{name}", get(notice))
        .with_state(site.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Served { site, base }
}

async fn robots(State(site): State<Arc<Site>>, headers: HeaderMap) -> &'static str {
    log(&site, "/robots.txt".into(), &headers);
    "User-agent: *\nDisallow: /private/\n"
}

fn log(site: &Site, path: String, headers: &HeaderMap) {
    site.hits.lock().unwrap().push(Hit {
        path,
        at: Instant::now(),
        conditional: headers.contains_key("if-none-match") || headers.contains_key("if-modified-since"),
        user_agent: headers.get("user-agent").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string(),
    });
}

pub fn today() -> String {
    chrono::Local::now().date_naive().to_string()
}

/// (detail page, list title) per list page; the third page links the problem pages.
pub const LISTS: [&[(&str, &str)]; 3] = [
    &[
        ("a1.html", "宜昌市滨江公园提升改造工程施工中标结果公告"),
        ("a2.html", "宜昌市第一人民医院设备采购项目中标结果公告"),
        ("gbk.html", "当阳市污水处理厂扩建工程中标结果公告"),
    ],
    &[
        ("misdeclared.html", "枝江市道路维修工程中标结果公告"),
        ("changing.html", "远安县学校食堂改造工程中标结果公告"),
        ("flaky.html", "秭归县水利设施维护项目中标结果公告"),
    ],
    &[
        ("throttled.html", "长阳县乡村道路工程中标结果公告"),
        ("missing.html", "五峰县文化中心建设工程中标结果公告"),
        ("../private/secret.html", "不应抓取的内部页面中标结果公告"),
    ],
];

async fn list(State(site): State<Arc<Site>>, Path(page): Path<String>, headers: HeaderMap) -> Response {
    log(&site, format!("/list/{page}"), &headers);
    let number: usize = page.trim_end_matches(".html").parse().unwrap_or(0);
    let Some(items) = number.checked_sub(1).and_then(|i| LISTS.get(i)) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut html = String::from(
        "<html><head><meta charset=utf-8><title>宜昌市公共资源交易网</title></head><body><ul class=list>",
    );
    if !site.empty_lists.load(Ordering::SeqCst) {
        for (href, title) in items.iter() {
            html.push_str(&format!(
                "<li><a href=\"../notice/{href}\" title=\"{title}\">{title}</a><span>{}</span></li>",
                today()
            ));
        }
    }
    html.push_str("</ul>");
    if number < LISTS.len() {
        html.push_str(&format!(
            "<div class=pager><a class=next href=\"{}.html\">下一页</a></div>",
            number + 1
        ));
    }
    html.push_str("</body></html>");
    Html(html.into_bytes(), "text/html; charset=utf-8").into_response()
}

/// A JSON list endpoint, paged by a POST form field `pageNo`, as many provincial platforms do.
async fn json_list(State(site): State<Arc<Site>>, headers: HeaderMap, body: String) -> Response {
    log(&site, format!("POST /api/notices {body}"), &headers);
    let page: usize =
        body.split('&').find_map(|kv| kv.strip_prefix("pageNo=")).and_then(|n| n.parse().ok()).unwrap_or(0);
    let items: Vec<serde_json::Value> = page
        .checked_sub(1)
        .and_then(|i| LISTS.get(i))
        .map(|list| {
            list.iter()
                .map(|(href, title)| {
                    serde_json::json!({"linkUrl": format!("/notice/{}", href.trim_start_matches("../")), "title": title,
                        "publishTime": format!("{} 09:30:00", today())})
                })
                .collect()
        })
        .unwrap_or_default();
    axum::Json(serde_json::json!({"code": 0, "data": {"list": items}})).into_response()
}

struct Html(Vec<u8>, &'static str);

impl IntoResponse for Html {
    fn into_response(self) -> Response {
        let mut response = self.0.into_response();
        response.headers_mut().insert("content-type", HeaderValue::from_static(self.1));
        response
    }
}

/// An award notice naming `winner` for `amount_wan` 万元.
pub fn award_page(title: &str, buyer: &str, winner: &str, amount_wan: &str, charset: &str) -> String {
    format!(
        "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset={charset}\"><title>{title}</title></head>\
         <body><h1>{title}</h1><p>发布时间：{}</p><table>\
         <tr><td>招标人</td><td>{buyer}</td></tr>\
         <tr><td>中标人</td><td>{winner}</td></tr>\
         <tr><td>中标金额</td><td>{amount_wan}万元</td></tr></table></body></html>",
        today()
    )
}

/// The winner each detail page names.
pub fn winner_of(name: &str) -> &'static str {
    match name {
        "a1.html" => "湖北滨江建设工程有限公司",
        "a2.html" => "武汉医疗设备贸易有限公司",
        "gbk.html" => "当阳市水务建设有限公司",
        "misdeclared.html" => "枝江市路桥工程有限公司",
        "changing.html" => "远安县建筑安装有限公司",
        "flaky.html" => "秭归县水利工程有限公司",
        "throttled.html" => "长阳县交通建设有限公司",
        "missing.html" => "五峰县文化建设有限公司",
        _ => "内部测试有限公司",
    }
}

async fn notice(
    State(site): State<Arc<Site>>,
    Path(name): Path<String>,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Response {
    log(&site, uri.path().to_string(), &headers);
    let title = LISTS
        .iter()
        .flat_map(|l| l.iter())
        .find(|(h, _)| h.ends_with(name.as_str()))
        .map(|(_, t)| *t)
        .unwrap_or("中标结果公告");
    let buyer = "宜昌市城市建设投资开发有限公司";
    let (body, content_type): (Vec<u8>, &'static str) = match name.as_str() {
        "flaky.html" if site.flaky.fetch_add(1, Ordering::SeqCst) < 2 => {
            return StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
        "throttled.html" if site.throttled.fetch_add(1, Ordering::SeqCst) < 1 => {
            return (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "1")]).into_response()
        }
        "missing.html" if !site.fixed.load(Ordering::SeqCst) => return StatusCode::NOT_FOUND.into_response(),
        "gbk.html" => {
            let page = award_page(title, buyer, winner_of(&name), "880.5", "gbk");
            (encoding_rs::GBK.encode(&page).0.into_owned(), "text/html")
        }
        // UTF-8 bytes that claim gbk in the header and the page.
        "misdeclared.html" => {
            (award_page(title, buyer, winner_of(&name), "312", "gbk").into_bytes(), "text/html; charset=gbk")
        }
        "changing.html" => {
            let amount = if site.changed.load(Ordering::SeqCst) { "450" } else { "420" };
            (
                award_page(title, buyer, winner_of(&name), amount, "utf-8").into_bytes(),
                "text/html; charset=utf-8",
            )
        }
        _ => (
            award_page(title, buyer, winner_of(&name), "1250", "utf-8").into_bytes(),
            "text/html; charset=utf-8",
        ),
    };
    let etag = format!("\"{:x}\"", xxhash_rust::xxh3::xxh3_64(&body));
    if headers.get("if-none-match").and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let mut response = Html(body, content_type).into_response();
    response.headers_mut().insert("etag", HeaderValue::from_str(&etag).unwrap());
    response
}

/// A crawler file for this site.
pub fn crawler_file(base: &str, rate_per_minute: u32, extra: &str) -> String {
    format!(
        "kind = \"tenders\"\nstart = [\"{base}/list/1.html\"]\nschedule = \"*/1 * * * * *\"\nrate_per_minute = {rate_per_minute}\n\
         [list]\nlinks = \"ul.list li a\"\nnext = \"a.next\"\nmax_pages = 5\n\
         [assert]\nmin_items = 5\n\
         [fetch]\nbackoff_ms = 50\ntimeout_seconds = 5\n{extra}"
    )
}

/// A response the route server gives for one method and path; `form` picks the response by a
/// POST form field's value (`pageindex=0`).
pub struct Route {
    pub method: &'static str,
    pub path: String,
    pub form: Option<String>,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

/// Serves fixed responses (404 for anything else, robots.txt included) and logs each request
/// as `METHOD /path body`.
pub async fn serve_routes(routes: Vec<Route>) -> Served {
    let site = Arc::new(Site::default());
    let routes = Arc::new(routes);
    let logged = site.clone();
    let app = Router::new().fallback(
        move |method: axum::http::Method, uri: axum::http::Uri, headers: HeaderMap, body: String| {
            let (site, routes) = (logged.clone(), routes.clone());
            async move {
                log(&site, format!("{method} {} {body}", uri.path()).trim_end().to_string(), &headers);
                let found = routes.iter().find(|r| {
                    r.method == method.as_str()
                        && r.path == uri.path()
                        && r.form.as_ref().is_none_or(|f| body.split('&').any(|kv| kv == f))
                });
                match found {
                    Some(route) => Html(route.body.clone(), route.content_type).into_response(),
                    None => StatusCode::NOT_FOUND.into_response(),
                }
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Served { site, base }
}
