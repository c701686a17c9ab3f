//! The HTTP API through `app().oneshot`: auth, roles, manager isolation, feedback, alerts.

mod util;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use oppgraph::http::{app, AppState};
use oppgraph::workspace::{Role, TokenConfig};
use serde_json::{json, Value};
use tower::ServiceExt;

const M1: &str = "token-m1";
const M2: &str = "token-m2";
const RISK: &str = "token-risk";
const ANALYST: &str = "token-analyst";
const ADMIN: &str = "token-admin";

fn state() -> (tempfile::TempDir, AppState) {
    let (dir, mut ws) = util::mined_workspace();
    // The graph saved for today, as a server finds it after its first day: a saved graph of
    // another day answers while today's is built, and misses the writes made meanwhile (see
    // `a_new_days_graph_is_built_while_the_last_one_answers`).
    ws.graph(chrono::Local::now().date_naive()).unwrap();
    let token = |token: &str, role: Role, manager: Option<&str>| TokenConfig {
        token: token.into(),
        role,
        manager: manager.map(String::from),
        name: None,
    };
    ws.set_tokens(vec![
        token(M1, Role::Manager, Some("m1")),
        token(M2, Role::Manager, Some("m2")),
        token(RISK, Role::Risk, None),
        token(ANALYST, Role::Analyst, None),
        token(ADMIN, Role::Admin, None),
    ])
    .unwrap();
    (dir, AppState::new(ws))
}

async fn call(
    state: &AppState,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let request = match body {
        Some(body) => request.header("content-type", "application/json").body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    }
    .unwrap();
    let response = app(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, value)
}

#[tokio::test]
async fn health_is_open_and_the_api_needs_a_token() {
    let (_dir, state) = state();
    let (status, body) = call(&state, "GET", "/healthz", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ok");
    let (status, body) = call(&state, "GET", "/api/opportunities", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unauthorized");
    let (status, _) = call(&state, "GET", "/api/opportunities", Some("wrong"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn managers_see_and_change_only_their_own_leads() {
    let (_dir, state) = state();
    let (status, mine) = call(&state, "GET", "/api/opportunities", Some(M1), None).await;
    assert_eq!(status, StatusCode::OK);
    let mine = mine.as_array().unwrap().clone();
    assert!(!mine.is_empty());
    assert!(mine.iter().all(|o| o["manager"] == "m1"));
    let (_, theirs) = call(&state, "GET", "/api/opportunities", Some(M2), None).await;
    assert!(theirs.as_array().unwrap().iter().all(|o| o["manager"] == "m2"));

    let id = mine[0]["id"].as_str().unwrap();
    let (status, _) = call(&state, "GET", &format!("/api/opportunities/{id}"), Some(M2), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(
        &state,
        "POST",
        &format!("/api/opportunities/{id}/feedback"),
        Some(M2),
        Some(json!({"status": "won"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(&state, "GET", "/api/opportunities?manager=m1", Some(M2), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, updated) = call(
        &state,
        "POST",
        &format!("/api/opportunities/{id}/feedback"),
        Some(M1),
        Some(json!({"status": "contacted", "note": "约了下周见面"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(updated["status"], "contacted");
    let (_, again) = call(&state, "GET", &format!("/api/opportunities/{id}"), Some(M1), None).await;
    assert_eq!(again["status"], "contacted");
}

#[tokio::test]
async fn feedback_is_validated() {
    let (_dir, state) = state();
    let (_, mine) = call(&state, "GET", "/api/opportunities", Some(M1), None).await;
    let id = mine[0]["id"].as_str().unwrap();
    let uri = format!("/api/opportunities/{id}/feedback");
    let (status, body) = call(&state, "POST", &uri, Some(M1), Some(json!({"status": "invalid"}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["message"].as_str().unwrap().contains("reason"));
    let (status, _) = call(&state, "POST", &uri, Some(M1), Some(json!({"status": "maybe"}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = call(&state, "POST", &uri, Some(M1), Some(json!({"stat": "won"}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) =
        call(&state, "POST", "/api/opportunities/nope/feedback", Some(M1), Some(json!({"status": "won"})))
            .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(&state, "POST", &uri, Some(RISK), Some(json!({"status": "won"}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn risk_staff_review_alerts() {
    let (_dir, state) = state();
    let (status, _) = call(&state, "GET", "/api/alerts", Some(M1), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, alerts) = call(&state, "GET", "/api/alerts", Some(RISK), None).await;
    assert_eq!(status, StatusCode::OK);
    let alerts = alerts.as_array().unwrap().clone();
    assert_eq!(alerts.len(), 2, "{alerts:#?}");
    let litigation = alerts.iter().find(|a| a["kind"] == "litigation").unwrap();
    assert_eq!(litigation["path"], json!(["宜昌昊源控股集团有限公司", "宜昌昊源建设工程有限公司"]));
    let id = litigation["id"].as_str().unwrap();
    let (status, review) = call(
        &state,
        "POST",
        &format!("/api/alerts/{id}/review"),
        Some(RISK),
        Some(json!({"decision": "accept", "note": "诉讼金额较小"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(review["decision"], "accept");
    let (_, pending) = call(&state, "GET", "/api/alerts", Some(RISK), None).await;
    assert_eq!(pending.as_array().unwrap().len(), 1);
    let (_, reviewed) = call(&state, "GET", "/api/alerts?state=reviewed", Some(RISK), None).await;
    assert_eq!(reviewed[0]["review"]["decision"], "accept");
    let (status, _) = call(
        &state,
        "POST",
        "/api/alerts/alert-nope/review",
        Some(RISK),
        Some(json!({"decision": "accept"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn search_and_enterprise_lookup() {
    let (_dir, state) = state();
    let (status, results) =
        call(&state, "GET", "/api/search?q=%E9%81%93%E8%B7%AF%E6%94%B9%E9%80%A0", Some(ANALYST), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(results["hits"][0]["id"], "t1");
    assert!(results["hits"][0]["snippet"].as_str().unwrap().contains("<b>"));
    let (status, body) = call(&state, "GET", "/api/search?q=%22open", Some(ANALYST), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // Short names (aliases) find the enterprise.
    let (status, found) =
        call(&state, "GET", "/api/enterprises?q=%E6%98%8A%E6%BA%90%E5%BB%BA%E8%AE%BE", Some(ANALYST), None)
            .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(found[0]["name"], "宜昌昊源建设工程有限公司");
    let id = found[0]["id"].as_i64().unwrap();
    let (status, one) = call(&state, "GET", &format!("/api/enterprises/{id}"), Some(ANALYST), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["uscc"], "91420500MA4900001N");
    // Analysts see phones masked; the enterprise's account manager sees them whole.
    assert_eq!(one["extra"]["phone"], "071*-***4567");
    assert_eq!(found[0]["extra"]["phone"], "071*-***4567");
    let (_, mine) = call(&state, "GET", &format!("/api/enterprises/{id}"), Some(M1), None).await;
    assert_eq!(mine["extra"]["phone"], "0717-1234567");
}

#[tokio::test]
async fn metrics_ui_and_openapi_are_served() {
    let (_dir, state) = state();
    let (status, text) = call(&state, "GET", "/metrics", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let text = text.as_str().unwrap();
    assert!(text.contains("oppgraph_rows{table=\"records\"} 15"));
    // The data dir's disk: free within its size.
    let gauge = |name: &str| -> u64 {
        let line =
            text.lines().find(|l| l.starts_with(&format!("{name} "))).unwrap_or_else(|| panic!("{name}"));
        line[name.len() + 1..].parse().unwrap()
    };
    let (free, total) = (gauge("oppgraph_disk_free_bytes"), gauge("oppgraph_disk_total_bytes"));
    assert!(free > 0 && free <= total, "{free} {total}");
    let (status, page) = call(&state, "GET", "/", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.as_str().unwrap().contains("<script src=\"/web/app.js\">"));
    // Every screen is a bookmarkable address served by the same page.
    for page in
        ["/leads", "/leads/opp-x", "/enterprises/1", "/search", "/risk", "/graph", "/crawls", "/funnel"]
    {
        let (status, html) = call(&state, "GET", page, None, None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(html.as_str().unwrap().contains("/web/app.js"), "{page}");
    }
    let (status, script) = call(&state, "GET", "/web/screens/leads.js", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let script = script.as_str().unwrap();
    assert!(script.contains("/api/opportunities") && !script.contains("localStorage"));
    let (status, _) = call(&state, "GET", "/web/vendor/echarts/LICENSE", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(&state, "GET", "/web/../Cargo.toml", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(&state, "GET", "/api/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the spec is for signed-in clients");
    let (status, spec) = call(&state, "GET", "/api/openapi.json", Some(ANALYST), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(spec["paths"]["/api/opportunities"].is_object());
    let (status, body) = call(&state, "GET", "/nope", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"]["code"], "not_found");
}

/// Regression: bad query strings, huge offsets, odd upload names and wrong methods answered
/// plain text or 500, and import reports named the server's paths.
#[tokio::test]
async fn every_error_is_json_and_names_no_server_path() {
    let (_dir, state) = state();
    for (method, uri) in [
        ("GET", "/api/opportunities?offset=9223372036854775808"),
        ("GET", "/api/opportunities?offset=99999999999"),
        ("GET", "/api/opportunities?limit=lots"),
        ("GET", "/api/search?q=x&offset=99999999999"),
        ("GET", "/api/search"),
        ("POST", "/api/import?name=tenders%00.csv"),
        ("POST", &format!("/api/import?name={}.csv", "长".repeat(300))),
    ] {
        let (status, body) = call(&state, method, uri, Some(ADMIN), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{method} {uri}: {body}");
        assert_eq!(body["error"]["code"], "bad_request", "{method} {uri}: {body}");
        assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    }
    let (status, body) = call(&state, "DELETE", "/api/opportunities", Some(ADMIN), None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed"))
    );

    let request = Request::post("/api/import?name=tenders-up.csv")
        .header("authorization", format!("Bearer {ADMIN}"))
        .body(Body::from(
            "id,kind,title,published\nu1,award,上传测试中标公告,2026-01-02\nu2,award,坏日期,2026-13-01\n",
        ))
        .unwrap();
    let response = app(state.clone()).oneshot(request).await.unwrap();
    let body: Value =
        serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(body[0]["file"], "tenders-up.csv");
    assert!(body[0]["rejects"].as_str().unwrap().starts_with("rejects/"), "{body}");
    let request = Request::post("/api/import?name=weird.csv")
        .header("authorization", format!("Bearer {ADMIN}"))
        .body(Body::from("a,b\n1,2\n"))
        .unwrap();
    let response = app(state.clone()).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value =
        serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("weird.csv: unknown kind") && !message.contains('/'), "{message}");
}

#[tokio::test]
async fn managers_never_find_invoices() {
    let (_dir, state) = state();
    let (_, admin) = call(&state, "GET", "/api/search?q=kind%3Ainvoice", Some(ADMIN), None).await;
    assert!(admin["total"].as_u64().unwrap() > 0, "{admin}");
    let (_, manager) = call(&state, "GET", "/api/search?q=kind%3Ainvoice", Some(M1), None).await;
    assert_eq!(manager["total"], 0, "{manager}");
}

async fn call_raw(state: &AppState, uri: &str, token: &str, body: &'static str) -> (StatusCode, Value) {
    let request = Request::builder()
        .method("POST")
        .uri(uri)
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(body))
        .unwrap();
    let response = app(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn admins_import_files_and_graph_queries_see_them() {
    let (_dir, state) = state();
    let (_, found) =
        call(&state, "GET", "/api/enterprises?q=%E5%B0%8F%E5%BE%AE%E9%85%8D%E4%BB%B6", Some(ANALYST), None)
            .await;
    let id = found[0]["id"].as_i64().unwrap();
    // The server builds and caches the graph; later imports reach it through the change log.
    let (status, before) =
        call(&state, "GET", &format!("/api/graph/controller/{id}"), Some(ANALYST), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(before["owners"].as_array().unwrap().is_empty(), "{before}");
    let csv = "from,to,kind,share\nperson:p2,宜昌小微配件有限公司,shareholder,0.9\n";
    let (status, _) = call_raw(&state, "/api/import?name=relations-new.csv", ANALYST, csv).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call_raw(&state, "/api/import?name=relations-new.csv", ADMIN, csv).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = call_raw(&state, "/api/import?name=notes.csv", ADMIN, "a,b\n1,2\n").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["message"].as_str().unwrap().contains("unknown kind"));

    let (status, report) =
        call(&state, "GET", &format!("/api/graph/controller/{id}"), Some(ANALYST), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["controller"]["name"], "王芳");
    assert_eq!(report["owners"][0]["share"], 0.9);
    // Account managers see their customers' networks too (lead detail, enterprise page).
    let (status, seen) = call(&state, "GET", &format!("/api/graph/controller/{id}"), Some(M1), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(seen["controller"]["name"], "王芳");
    let (status, group) = call(&state, "GET", &format!("/api/graph/group/{id}"), Some(RISK), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(group["head"]["name"], "王芳");
    let (status, hood) = call(
        &state,
        "GET",
        &format!("/api/graph/neighbors/{id}?depth=1&kinds=shareholder"),
        Some(ANALYST),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(hood["nodes"].as_array().unwrap().len(), 2);
    let (status, paths) =
        call(&state, "GET", &format!("/api/graph/path?from={id}&to=person:p2"), Some(ANALYST), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(paths[0]["length"], 1);
    // Enterprises are numbers, persons `person:<id>`, in nodes and edges alike.
    assert_eq!(paths[0]["nodes"][0]["id"], id, "{paths}");
    assert_eq!(paths[0]["nodes"][1]["id"], "person:p2", "{paths}");
    assert_eq!(paths[0]["nodes"][1]["kind"], "person", "{paths}");
    assert_eq!(paths[0]["edges"][0]["from"], "person:p2", "{paths}");
    assert_eq!(paths[0]["edges"][0]["to"], id, "{paths}");
    assert_eq!(hood["edges"][0]["from"], "person:p2", "{hood}");
    let (status, circles) =
        call(&state, "GET", "/api/graph/circles?kind=guarantee", Some(ANALYST), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(circles.as_array().unwrap().is_empty());
    let (status, _) = call(&state, "GET", "/api/graph/circles?kind=friendship", Some(ANALYST), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // A changed share replaces the old edge in the cached graph.
    let csv = "from,to,kind,share\nperson:p2,宜昌小微配件有限公司,shareholder,0.4\n";
    let (status, _) = call_raw(&state, "/api/import?name=relations-new.csv", ADMIN, csv).await;
    assert_eq!(status, StatusCode::OK);
    let (_, report) = call(&state, "GET", &format!("/api/graph/controller/{id}"), Some(ANALYST), None).await;
    assert_eq!(report["owners"].as_array().unwrap().len(), 1, "{report}");
    assert_eq!(report["owners"][0]["share"], 0.4);
}

#[tokio::test]
async fn the_server_answers_on_a_real_socket() {
    let (_dir, state) = state();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(oppgraph::http::serve(listener, state, async {
        let _ = stopped.await;
    }));
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream.write_all(b"GET /healthz HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n").await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

/// Regression: one lock served every request, so a mining run or an import held up every read,
/// `/healthz` included. Reads now use their own connections.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_answer_while_a_writer_holds_the_workspace() {
    let (_dir, state) = state();
    let (release, writing) = hold_workspace(&state).await;
    let reads = async {
        for (uri, token) in [
            ("/healthz", None),
            ("/readyz", None),
            ("/api/opportunities", Some(ADMIN)),
            ("/api/search?q=%E5%B7%A5%E7%A8%8B", Some(ANALYST)),
            ("/api/enterprises?q=%E5%85%AC%E5%8F%B8", Some(ANALYST)),
            ("/api/alerts", Some(RISK)),
        ] {
            let (status, body) = call(&state, "GET", uri, token, None).await;
            assert_eq!(status, StatusCode::OK, "{uri}: {body}");
        }
    };
    let answered = tokio::time::timeout(std::time::Duration::from_secs(30), reads).await;
    release.send(()).unwrap();
    writing.await.unwrap().unwrap();
    assert!(answered.is_ok(), "reads waited for the writer");
}

/// Holds the workspace, as a mining run does, until the returned sender is dropped or sent to.
async fn hold_workspace(
    state: &AppState,
) -> (std::sync::mpsc::Sender<()>, tokio::task::JoinHandle<Result<(), oppgraph::http::ApiError>>) {
    let (release, wait) = std::sync::mpsc::channel::<()>();
    let (held, is_held) = tokio::sync::oneshot::channel::<()>();
    let writer = state.clone();
    let writing = tokio::spawn(async move {
        writer
            .with_workspace(move |_ws| {
                let _ = held.send(());
                let _ = wait.recv();
                Ok(())
            })
            .await
    });
    is_held.await.unwrap();
    (release, writing)
}

/// An analyst's read of `uri` while the workspace is held; it must answer within 30 s.
async fn read_while_busy(state: &AppState, uri: &str) -> (StatusCode, Value) {
    let (release, writing) = hold_workspace(state).await;
    let read = call(state, "GET", uri, Some(ANALYST), None);
    let answered = tokio::time::timeout(std::time::Duration::from_secs(30), read).await;
    release.send(()).unwrap();
    writing.await.unwrap().unwrap();
    answered.expect("the graph read waited for the workspace")
}

/// Regression (5M): a graph read waited for the whole mining run, which holds the workspace for
/// an hour at that size. While the workspace is busy the graph the server last built answers, or
/// the one saved on disk when it has none yet; the first read after catches up with the store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graph_reads_answer_from_the_last_graph_while_the_workspace_is_busy() {
    let (dir, state) = state();
    let (_, found) =
        call(&state, "GET", "/api/enterprises?q=%E5%B0%8F%E5%BE%AE%E9%85%8D%E4%BB%B6", Some(ANALYST), None)
            .await;
    let controller = format!("/api/graph/controller/{}", found[0]["id"].as_i64().unwrap());
    let (status, before) = call(&state, "GET", &controller, Some(ANALYST), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(before["owners"].as_array().unwrap().is_empty(), "{before}");
    let csv = "from,to,kind,share\nperson:p2,宜昌小微配件有限公司,shareholder,0.9\n";
    let (status, _) = call_raw(&state, "/api/import?name=relations-new.csv", ADMIN, csv).await;
    assert_eq!(status, StatusCode::OK);

    let (status, during) = read_while_busy(&state, &controller).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(during, before, "the graph built before the import answers");
    let (_, after) = call(&state, "GET", &controller, Some(ANALYST), None).await;
    assert_eq!(after["controller"]["name"], "王芳", "{after}");
    drop(state);

    // A server just started has no graph: the one saved on disk answers.
    let state = AppState::new(oppgraph::workspace::Workspace::open(dir.path()).unwrap());
    let (status, report) = read_while_busy(&state, &controller).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert!(report == before || report == after, "{report}");
}

/// The graph of a new day is built in the background (minutes at 5M): the last graph saved
/// answers meanwhile, and today's replaces it when done.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_days_graph_is_built_while_the_last_one_answers() {
    let (dir, mut ws) = util::mined_workspace();
    ws.set_tokens(vec![TokenConfig {
        token: ANALYST.into(),
        role: Role::Analyst,
        manager: None,
        name: None,
    }])
    .unwrap();
    // A share that ended a month ago: an edge in the graph of two months ago, not in today's.
    let today = chrono::Local::now().date_naive();
    let ended = today - chrono::Days::new(30);
    let relations = dir.path().join("more");
    std::fs::create_dir_all(&relations).unwrap();
    std::fs::write(
        relations.join("relations-ended.csv"),
        format!("from,to,kind,share,start,end\nperson:p2,宜昌小微配件有限公司,shareholder,0.9,2020-01-01,{ended}\n"),
    )
    .unwrap();
    ws.import(&[relations]).unwrap();
    ws.graph(today - chrono::Days::new(60)).unwrap();
    let state = AppState::new(ws);

    let (_, found) =
        call(&state, "GET", "/api/enterprises?q=%E5%B0%8F%E5%BE%AE%E9%85%8D%E4%BB%B6", Some(ANALYST), None)
            .await;
    let controller = format!("/api/graph/controller/{}", found[0]["id"].as_i64().unwrap());
    let (status, old) = call(&state, "GET", &controller, Some(ANALYST), None).await;
    assert_eq!(status, StatusCode::OK, "{old}");
    assert_eq!(old["owners"][0]["share"], 0.9, "the saved graph of two months ago answers first: {old}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let (_, now) = call(&state, "GET", &controller, Some(ANALYST), None).await;
        if now["owners"].as_array().is_some_and(Vec::is_empty) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "today's graph never replaced the old one: {now}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// `serve --no-mine`: mining runs elsewhere (`oppgraph mine` from cron, beside the server). The
/// server still indexes what another process imported, and never mines it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_does_not_mine_still_indexes_what_others_import() {
    let (dir, state) = state();
    let schedule = oppgraph::http::schedule::ScheduleConfig {
        check_every: std::time::Duration::from_millis(100),
        mines: false,
        mine_every_minutes: 0,
        crawls: false,
        push_every: None,
    };
    oppgraph::http::schedule::spawn(&state, schedule);
    {
        let location = oppgraph::workspace::store_location(dir.path(), &Default::default());
        let mut store = oppgraph::store::Store::open_at(&location).unwrap();
        let file = dir.path().join("tenders-cron.csv");
        std::fs::write(
            &file,
            "id,kind,title,published,winner,amount\ncron-1,award,宜昌市定时导入测试工程中标公告,2026-01-02,湖北定时导入建设有限公司,5000000\n",
        )
        .unwrap();
        let (rejects, privacy) =
            (dir.path().join("rejects"), oppgraph::model::Privacy::new(b"test".to_vec()));
        let settings = oppgraph::ingest::ImportSettings { rejects_dir: &rejects, privacy: &privacy };
        let outcome = oppgraph::ingest::import_files(&mut store, &[file], &settings).unwrap();
        assert_eq!(outcome.files[0].accepted, 1);
    }
    let search = "/api/search?q=%E5%AE%9A%E6%97%B6%E5%AF%BC%E5%85%A5%E6%B5%8B%E8%AF%95";
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let (status, found) = call(&state, "GET", search, Some(ANALYST), None).await;
        assert_eq!(status, StatusCode::OK, "{found}");
        if found["hits"].as_array().is_some_and(|hits| !hits.is_empty()) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the server did not index another process's import");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // A server that mines would have mined the change by now (two quiet checks).
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    let (_, metrics) = call(&state, "GET", "/metrics", None, None).await;
    assert!(metrics.as_str().unwrap().contains("oppgraph_mine_runs_total 0\n"), "{metrics}");
    assert!(state.with_workspace(|ws| Ok(ws.needs_mining()?)).await.unwrap());
}

#[tokio::test]
async fn readiness_reports_whether_the_index_caught_up() {
    let (_dir, state) = state();
    let (status, body) = call(&state, "GET", "/readyz", None, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["ready"], true);
    assert_eq!(body["record_seq"], body["indexed_seq"]);
    // The data dir's disk, with what an import or a mining run must leave free (1 GiB by default).
    let disk = &body["disk"];
    let (free, total) = (disk["free"].as_u64().unwrap(), disk["total"].as_u64().unwrap());
    assert!(free > 0 && free <= total, "{disk}");
    assert_eq!(disk["keep_free"], 1u64 << 30);
}

#[tokio::test]
async fn funnel_watchlist_and_delivery_views_follow_roles() {
    let (_dir, state) = state();
    // Funnel: everyone's for analysts, a manager's own for managers; bad grouping is a 400.
    let (status, rows) = call(&state, "GET", "/api/funnel?by=manager", Some(ANALYST), None).await;
    assert_eq!(status, StatusCode::OK);
    let created: u64 = rows.as_array().unwrap().iter().map(|r| r["created"].as_u64().unwrap()).sum();
    assert!(created > 0);
    let (_, own) = call(&state, "GET", "/api/funnel?by=manager", Some(M1), None).await;
    assert!(own.as_array().unwrap().iter().all(|r| r["key"] == "m1"), "{own}");
    let (status, body) = call(&state, "GET", "/api/funnel?by=colour", Some(ADMIN), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"]["code"], "bad_request");

    // Watchlist: a manager watches for themselves; risk staff name a watcher.
    let (_, found) = call(&state, "GET", "/api/enterprises?q=宜昌昊源建设", Some(ANALYST), None).await;
    let enterprise = found[0]["id"].as_i64().unwrap();
    let (status, watch) =
        call(&state, "POST", "/api/watchlist", Some(M1), Some(json!({"enterprise": enterprise}))).await;
    assert_eq!(status, StatusCode::OK, "{watch}");
    assert_eq!((watch["watcher"].as_str(), watch["owners"].as_bool()), (Some("m1"), Some(false)));
    let (status, _) = call(
        &state,
        "POST",
        "/api/watchlist",
        Some(M1),
        Some(json!({"enterprise": enterprise, "watcher": "m2"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, watch) = call(
        &state,
        "POST",
        "/api/watchlist",
        Some(RISK),
        Some(json!({"enterprise": enterprise, "watcher": "m2"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(watch["owners"], true, "risk staff watch owners too");
    let (status, _) =
        call(&state, "POST", "/api/watchlist", Some(ANALYST), Some(json!({"enterprise": enterprise}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(
        &state,
        "POST",
        "/api/watchlist",
        Some(RISK),
        Some(json!({"enterprise": 999999, "watcher": "m2"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, mine) = call(&state, "GET", "/api/watchlist", Some(M1), None).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    let (_, all) = call(&state, "GET", "/api/watchlist", Some(ADMIN), None).await;
    assert_eq!(all.as_array().unwrap().len(), 2);

    // Deliveries and dispatch are for admins.
    let (status, _) = call(&state, "GET", "/api/deliveries?state=dead", Some(M1), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, list) = call(&state, "GET", "/api/deliveries?state=dead", Some(ADMIN), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.as_array().unwrap().is_empty());
    let (status, _) = call(&state, "GET", "/api/deliveries?state=lost", Some(ADMIN), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = call(&state, "POST", "/api/deliveries/dlv-none/requeue", Some(ADMIN), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The fixture's managers have no channel: a dispatch sends nothing and says why.
    let (status, summary) = call(&state, "POST", "/api/push", Some(ADMIN), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(summary["sent"], 0);
    let (_, metrics) = call(&state, "GET", "/metrics", None, None).await;
    assert!(metrics.as_str().unwrap().contains("oppgraph_outbox_leads{state=\"queued\"}"), "{metrics}");
}

async fn raw(state: &AppState, method: &str, uri: &str, cookie: Option<&str>) -> axum::response::Response {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    app(state.clone()).oneshot(request.body(Body::empty()).unwrap()).await.unwrap()
}

#[tokio::test]
async fn the_workbench_signs_in_with_an_httponly_cookie_and_never_leaves_the_site() {
    let (_dir, state) = state();
    let response = raw(&state, "GET", &format!("/signin?token={M1}&next=%2F%3Fview%3Drisk"), None).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/?view=risk");
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(!cookie.contains(M1), "the cookie is a session id, not the token");
    let session = cookie.split(';').next().unwrap().to_string();

    // The session acts as the manager whose token signed in: their leads only.
    let response = raw(&state, "GET", "/api/opportunities?limit=200", Some(&session)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let csp = response.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-eval"), "{csp}");
    let leads: Value =
        serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert!(!leads.as_array().unwrap().is_empty());
    assert!(leads.as_array().unwrap().iter().all(|l| l["manager"] == "m1"), "{leads}");

    // `next` never leads to another site; a bad token is refused in Chinese.
    let response = raw(&state, "GET", &format!("/signin?token={M1}&next=%2F%2Fevil.example"), None).await;
    assert_eq!(response.headers()["location"], "/");
    let response = raw(&state, "GET", "/signin?token=nope&next=%2F", None).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.headers().get("set-cookie").is_none());

    // Signing out ends the session.
    let response = raw(&state, "POST", "/signout", Some(&session)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let response = raw(&state, "GET", "/api/opportunities", Some(&session)).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let response = raw(&state, "GET", "/api/opportunities", Some("oppgraph_session=forged")).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn enterprises_are_found_by_id_code_or_name() {
    let (_dir, state) = state();
    let (_, found) =
        call(&state, "GET", "/api/enterprises?q=%E5%85%AC%E5%8F%B8&limit=50", Some(ADMIN), None).await;
    let with_code =
        found.as_array().unwrap().iter().find(|e| e["uscc"].is_string()).expect("an enterprise with a code");
    let id = with_code["id"].as_i64().unwrap();
    let by = |text: &str| format!("/api/enterprises/{}", urlencoding(text));
    for reference in [
        id.to_string(),
        with_code["uscc"].as_str().unwrap().to_string(),
        with_code["name"].as_str().unwrap().to_string(),
    ] {
        let (status, body) = call(&state, "GET", &by(&reference), Some(ADMIN), None).await;
        assert_eq!((status, body["id"].as_i64()), (StatusCode::OK, Some(id)), "{reference}: {body}");
    }
    for unknown in ["不存在的某某有限公司", "987654321"] {
        let (status, body) = call(&state, "GET", &by(unknown), Some(ADMIN), None).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("not_found")),
            "{unknown}: {body}"
        );
    }
    // The graph takes the same references.
    let name = with_code["name"].as_str().unwrap();
    let (status, _) =
        call(&state, "GET", &format!("/api/graph/neighbors/{}", urlencoding(name)), Some(ANALYST), None)
            .await;
    assert!(status == StatusCode::OK || status == StatusCode::NOT_FOUND, "{status}");
}

fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

#[tokio::test]
async fn lead_lists_filter_sort_and_count_on_the_server() {
    let (_dir, state) = state();
    let (_, all) = call(&state, "GET", "/api/opportunities?limit=1000", Some(ADMIN), None).await;
    let all = all.as_array().unwrap().clone();
    let (_, counts) = call(&state, "GET", "/api/opportunities/counts", Some(ADMIN), None).await;
    assert_eq!(counts["total"].as_u64(), Some(all.len() as u64), "{counts}");
    let tier_a = all.iter().filter(|o| o["tier"] == "A").count() as u64;
    assert_eq!(counts["tiers"]["A"].as_u64().unwrap_or(0), tier_a, "{counts}");

    let kind = all[0]["kind"].as_str().unwrap();
    let (_, of_kind) =
        call(&state, "GET", &format!("/api/opportunities?kind={kind}&tier=A"), Some(ADMIN), None).await;
    let expected = all.iter().filter(|o| o["kind"] == kind && o["tier"] == "A").count();
    assert_eq!(of_kind.as_array().unwrap().len(), expected);
    let (_, counted) =
        call(&state, "GET", &format!("/api/opportunities/counts?kind={kind}&tier=A"), Some(ADMIN), None)
            .await;
    assert_eq!(counted["total"].as_u64(), Some(expected as u64), "the total counts under the tier too");

    let (_, by_due) = call(&state, "GET", "/api/opportunities?order=due&limit=1000", Some(ADMIN), None).await;
    let dues: Vec<&str> = by_due.as_array().unwrap().iter().map(|o| o["due"].as_str().unwrap()).collect();
    assert!(dues.windows(2).all(|w| w[0] <= w[1]), "soonest due first");
    let (_, by_amount) =
        call(&state, "GET", "/api/opportunities?order=amount&limit=1000", Some(ADMIN), None).await;
    let amounts: Vec<f64> =
        by_amount.as_array().unwrap().iter().filter_map(|o| o["amount"].as_f64()).collect();
    assert!(amounts.windows(2).all(|w| w[0] >= w[1]), "largest amount first");

    let enterprise = &all[0]["enterprise"];
    let name = enterprise["name"].as_str().unwrap();
    let (_, of_one) = call(
        &state,
        "GET",
        &format!("/api/opportunities?enterprise={}", urlencoding(name)),
        Some(ADMIN),
        None,
    )
    .await;
    let of_one = of_one.as_array().unwrap();
    assert!(!of_one.is_empty() && of_one.iter().all(|o| o["enterprise"]["id"] == enterprise["id"]));

    // A manager's filters stay inside their own leads; a bad value is a JSON error.
    let (_, mine) = call(&state, "GET", "/api/opportunities/counts", Some(M1), None).await;
    let m1 = all.iter().filter(|o| o["manager"] == "m1").count() as u64;
    assert_eq!(mine["total"].as_u64(), Some(m1));
    let (status, body) = call(&state, "GET", "/api/opportunities?tier=Z", Some(M1), None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"]["message"].is_string(), "{body}");
}

#[tokio::test]
async fn a_lead_keeps_its_feedback_history_and_an_enterprise_its_timeline() {
    let (_dir, state) = state();
    let (_, mine) = call(&state, "GET", "/api/opportunities", Some(M1), None).await;
    let lead = mine[0].clone();
    let id = lead["id"].as_str().unwrap();
    let feedback = format!("/api/opportunities/{id}/feedback");
    for status in ["contacted", "won"] {
        call(&state, "POST", &feedback, Some(M1), Some(json!({"status": status}))).await;
    }
    let (_, history) = call(&state, "GET", &feedback, Some(M1), None).await;
    let statuses: Vec<&str> =
        history.as_array().unwrap().iter().map(|f| f["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["contacted", "won"]);
    let (status, _) = call(&state, "GET", &feedback, Some(M2), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another manager's lead's history is not theirs to read");

    // The timeline holds the lead's evidence, newest first; managers never see invoices in it.
    let enterprise = lead["enterprise"]["id"].as_i64().unwrap();
    let (_, records) =
        call(&state, "GET", &format!("/api/enterprises/{enterprise}/records"), Some(ADMIN), None).await;
    let records = records.as_array().unwrap();
    for evidence in lead["evidence"].as_array().unwrap() {
        assert!(records.iter().any(|r| r["id"] == evidence["record"]), "{evidence} in the timeline");
    }
    let dates: Vec<String> = records
        .iter()
        .map(|r| {
            ["published", "registered", "issued"].iter().find_map(|k| r[k].as_str()).unwrap().to_string()
        })
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first: {dates:?}");
    for (token, invoices_allowed) in [(ADMIN, true), (M1, false)] {
        let mut saw_invoice = false;
        for e in 1..=40 {
            let (_, records) =
                call(&state, "GET", &format!("/api/enterprises/{e}/records"), Some(token), None).await;
            saw_invoice |= records.as_array().is_some_and(|r| r.iter().any(|r| r["record"] == "invoice"));
        }
        assert_eq!(saw_invoice, invoices_allowed, "{token}");
    }

    // A share freeze carries its facts, worded as its alert words them; other records none.
    let csv = "id,subject,kind,severity,published,title,holder,shares,authority,freeze_start,freeze_end\n\
               f1,宜昌小微配件有限公司,equity_freeze,4,2026-11-20,股东股份被司法冻结的公告,甲投资有限公司,\
               520000000,乙市中级人民法院,2026-11-18,2029-11-17\n";
    let (status, _) = call_raw(&state, "/api/import?name=risk_events-freeze.csv", ADMIN, csv).await;
    assert_eq!(status, StatusCode::OK);
    let (_, records) =
        call(&state, "GET", "/api/enterprises/宜昌小微配件有限公司/records", Some(ADMIN), None).await;
    let records = records.as_array().unwrap();
    let freeze = records.iter().find(|r| r["id"] == "f1").expect("the freeze on the timeline");
    assert_eq!(
        freeze["facts"],
        "甲投资有限公司所持520,000,000股被乙市中级人民法院冻结，2026-11-18 至 2029-11-17"
    );
    assert_eq!(freeze["record"], "risk_event");
    assert!(records.iter().filter(|r| r["id"] != "f1").all(|r| r.get("facts").is_none()), "{records:?}");
}

#[tokio::test]
async fn analysts_export_a_network_as_graphml() {
    let (_dir, state) = state();
    let (_, leads) = call(&state, "GET", "/api/opportunities", Some(ADMIN), None).await;
    let id = leads[0]["enterprise"]["id"].as_i64().unwrap();
    let name = leads[0]["enterprise"]["name"].as_str().unwrap();
    let (status, body) =
        call(&state, "GET", &format!("/api/graph/export/{id}?depth=1"), Some(ANALYST), None).await;
    assert_eq!(status, StatusCode::OK);
    let xml = body.as_str().expect("GraphML text");
    assert!(xml.contains("<graphml") && xml.contains(name), "{xml}");
    let (status, _) = call(&state, "GET", &format!("/api/graph/export/{id}"), Some(M1), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn every_code_the_api_answers_with_has_a_chinese_label() {
    let (_dir, state) = state();
    let (status, labels) = call(&state, "GET", "/api/labels", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let (_, leads) =
        call(&state, "GET", "/api/opportunities?include_suppressed=true&limit=1000", Some(ADMIN), None).await;
    let is_chinese = |text: &str| text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    for lead in leads.as_array().unwrap() {
        for (table, code) in [("kind", &lead["kind"]), ("status", &lead["status"])] {
            let word = labels[table][code.as_str().unwrap()].as_str().unwrap_or_default();
            assert!(is_chinese(word), "{table} {code} has no Chinese label");
        }
        for why in lead["why"].as_array().unwrap() {
            let word = labels["feature"][why["feature"].as_str().unwrap()].as_str().unwrap_or_default();
            assert!(is_chinese(word), "score term {} has no Chinese label", why["feature"]);
        }
        for alert in lead["alerts"].as_array().unwrap() {
            let word = labels["alert"][alert["kind"].as_str().unwrap()].as_str().unwrap_or_default();
            assert!(is_chinese(word), "risk {} has no Chinese label", alert["kind"]);
        }
    }
    for relation in [
        "shareholder",
        "officer",
        "legal_rep",
        "guarantee",
        "supplier",
        "branch",
        "control",
        "pledge",
        "tender",
    ] {
        assert!(is_chinese(labels["relation"][relation].as_str().unwrap_or_default()), "{relation}");
    }
}
