//! Local stand-ins for the push receivers: a signed webhook and the group robots of WeCom,
//! DingTalk and Feishu, each checking requests as its platform does (signatures, timestamps,
//! message format and size) and answering with the platform's error codes. Each can be told to
//! fail its first attempts. They record what a person in the group would see: which lead ids
//! were shown, how often.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine;
use hmac::{KeyInit, Mac};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

pub const WEBHOOK_SECRET: &str = "whsec-test";
pub const DINGTALK_SECRET: &str = "SECdingtalk";
pub const FEISHU_SECRET: &str = "feishu-secret";
pub const WECOM_KEY: &str = "wecom-key";

#[derive(Default)]
pub struct Log {
    /// Every request: (channel, accepted).
    pub requests: Vec<(String, bool)>,
    /// Lead id -> times shown to people.
    pub shown: HashMap<String, u32>,
    /// Webhook deliveries already shown (the idempotency key).
    pub deliveries: HashSet<String>,
    /// Channel -> attempts still to fail.
    pub fail_next: HashMap<String, u32>,
    /// Lead ids shown per message, in order.
    pub messages: Vec<(String, Vec<String>)>,
    /// Milliseconds the webhook takes to answer (a slow receiver).
    pub webhook_delay_ms: u64,
}

pub struct Receivers {
    pub base: String,
    pub log: Arc<Mutex<Log>>,
    _runtime: tokio::runtime::Runtime,
}

impl Receivers {
    /// Starts the receivers on their own runtime thread (so tests may block).
    pub fn start() -> Receivers {
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let log = Arc::new(Mutex::new(Log::default()));
        let app = Router::new()
            .route("/webhook", post(webhook))
            .route("/wecom/send", post(wecom))
            .route("/dingtalk/send", post(dingtalk))
            .route("/feishu/hook/{token}", post(feishu))
            .with_state(log.clone());
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receivers { base, log, _runtime: runtime }
    }

    pub fn fail_next(&self, channel: &str, attempts: u32) {
        self.log.lock().unwrap().fail_next.insert(channel.into(), attempts);
    }

    pub fn shown(&self) -> HashMap<String, u32> {
        self.log.lock().unwrap().shown.clone()
    }

    pub fn requests(&self, channel: &str) -> (usize, usize) {
        let log = self.log.lock().unwrap();
        let all: Vec<_> = log.requests.iter().filter(|(c, _)| c == channel).collect();
        (all.len(), all.iter().filter(|(_, ok)| *ok).count())
    }

    /// The managers file pointing each manager at one receiver.
    pub fn managers_csv(&self) -> String {
        let b = &self.base;
        format!(
            "id,name,branch,regions,industries,capacity,channel,webhook,secret\n\
             m1,李经理,宜昌分行,宜昌,建筑业,10,webhook,{b}/webhook,{WEBHOOK_SECRET}\n\
             m2,王经理,宜昌分行,宜昌,制造业,10,wecom,{b}/wecom/send?key={WECOM_KEY},\n\
             m3,赵经理,宜昌分行,宜昌,,10,dingtalk,{b}/dingtalk/send?access_token=t1,{DINGTALK_SECRET}\n\
             m4,钱经理,宜昌分行,宜昌,,10,feishu,{b}/feishu/hook/abc,{FEISHU_SECRET}\n"
        )
    }
}

fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn lead_ids(text: &str) -> Vec<String> {
    let re = regex::Regex::new(r"opp-[0-9a-f]{16}").unwrap();
    let mut ids: Vec<String> = re.find_iter(text).map(|m| m.as_str().to_string()).collect();
    ids.dedup();
    ids
}

/// Fails the attempt if the channel still has failures to give; otherwise shows the leads.
fn take_failure(log: &mut Log, channel: &str) -> bool {
    match log.fail_next.get_mut(channel) {
        Some(n) if *n > 0 => {
            *n -= 1;
            log.requests.push((channel.into(), false));
            true
        }
        _ => false,
    }
}

fn show(log: &mut Log, channel: &str, leads: Vec<String>) {
    log.requests.push((channel.into(), true));
    for lead in &leads {
        *log.shown.entry(lead.clone()).or_default() += 1;
    }
    log.messages.push((channel.into(), leads));
}

fn fresh(timestamp_s: i64) -> bool {
    (chrono::Utc::now().timestamp() - timestamp_s).abs() < 3600
}

async fn webhook(State(log): State<Arc<Mutex<Log>>>, headers: HeaderMap, body: Bytes) -> Response {
    let delay = log.lock().unwrap().webhook_delay_ms;
    if delay > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let expected = format!(
        "sha256={}",
        hmac(WEBHOOK_SECRET.as_bytes(), &body).iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    if header("X-Oppgraph-Signature") != expected {
        return (StatusCode::UNAUTHORIZED, "bad signature").into_response();
    }
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let delivery = json["delivery"].as_str().unwrap().to_string();
    assert_eq!(header("X-Oppgraph-Delivery"), delivery);
    let mut log = log.lock().unwrap();
    if take_failure(&mut log, "webhook") {
        return (StatusCode::SERVICE_UNAVAILABLE, "try later").into_response();
    }
    if !log.deliveries.insert(delivery) {
        log.requests.push(("webhook".into(), true));
        return StatusCode::OK.into_response(); // a repeat: already shown
    }
    let leads =
        json["opportunities"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap().to_string());
    show(&mut log, "webhook", leads.collect());
    StatusCode::NO_CONTENT.into_response()
}

async fn wecom(
    State(log): State<Arc<Mutex<Log>>>,
    Query(query): Query<HashMap<String, String>>,
    Json(body): Json<serde_json::Value>,
) -> Json<serde_json::Value> {
    if query.get("key").map(String::as_str) != Some(WECOM_KEY) {
        return Json(serde_json::json!({"errcode": 93000, "errmsg": "invalid webhook url"}));
    }
    let content = body["markdown"]["content"].as_str().unwrap_or_default();
    if body["msgtype"] != "markdown" || content.is_empty() {
        return Json(serde_json::json!({"errcode": 40008, "errmsg": "invalid message type"}));
    }
    if content.len() > 4096 {
        return Json(serde_json::json!({"errcode": 40058, "errmsg": "content exceed max length 4096"}));
    }
    let mut log = log.lock().unwrap();
    if take_failure(&mut log, "wecom") {
        return Json(serde_json::json!({"errcode": 45009, "errmsg": "api freq out of limit"}));
    }
    show(&mut log, "wecom", lead_ids(content));
    Json(serde_json::json!({"errcode": 0, "errmsg": "ok"}))
}

async fn dingtalk(
    State(log): State<Arc<Mutex<Log>>>,
    Query(query): Query<HashMap<String, String>>,
    Json(body): Json<serde_json::Value>,
) -> Json<serde_json::Value> {
    let timestamp: i64 = query.get("timestamp").and_then(|t| t.parse().ok()).unwrap_or(0);
    let expected =
        b64(&hmac(DINGTALK_SECRET.as_bytes(), format!("{timestamp}\n{DINGTALK_SECRET}").as_bytes()));
    if query.get("sign") != Some(&expected) || !fresh(timestamp / 1000) {
        return Json(serde_json::json!({"errcode": 310000, "errmsg": "sign not match"}));
    }
    let text = body["markdown"]["text"].as_str().unwrap_or_default();
    if body["msgtype"] != "markdown" || body["markdown"]["title"].as_str().unwrap_or_default().is_empty() {
        return Json(serde_json::json!({"errcode": 40035, "errmsg": "missing parameter"}));
    }
    let mut log = log.lock().unwrap();
    if take_failure(&mut log, "dingtalk") {
        return Json(serde_json::json!({"errcode": 130101, "errmsg": "send too fast"}));
    }
    show(&mut log, "dingtalk", lead_ids(text));
    Json(serde_json::json!({"errcode": 0, "errmsg": "ok"}))
}

async fn feishu(
    State(log): State<Arc<Mutex<Log>>>,
    Path(_token): Path<String>,
    Json(body): Json<serde_json::Value>,
) -> Json<serde_json::Value> {
    let timestamp: i64 = body["timestamp"].as_str().and_then(|t| t.parse().ok()).unwrap_or(0);
    let expected = b64(&hmac(format!("{timestamp}\n{FEISHU_SECRET}").as_bytes(), b""));
    if body["sign"].as_str() != Some(expected.as_str()) || !fresh(timestamp) {
        return Json(
            serde_json::json!({"code": 19021, "msg": "sign match fail or timestamp is not within one hour"}),
        );
    }
    if body["msg_type"] != "post" {
        return Json(serde_json::json!({"code": 9499, "msg": "Bad Request"}));
    }
    let mut log = log.lock().unwrap();
    if take_failure(&mut log, "feishu") {
        return Json(serde_json::json!({"code": 11232, "msg": "frequency limited"}));
    }
    show(&mut log, "feishu", lead_ids(&body["content"].to_string()));
    Json(serde_json::json!({"code": 0, "msg": "success", "data": {}}))
}
