//! Sending one delivery to a channel: a signed JSON webhook, or the group robots of WeCom
//! (企业微信), DingTalk (钉钉) and Feishu (飞书), each with its request format, signature, rate
//! limit and error codes mapped to "try again later" or "give up".
//!
//! Signing timestamps come from the real clock (the platforms check them against theirs),
//! whatever `--now` says about the schedule.

use super::outbox::{Line, Message};
use crate::model::{Channel, Delivery, Manager, Opportunity};
use base64::Engine;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use hmac::{KeyInit, Mac};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// What an attempt came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Sent,
    /// A failure worth another attempt (network, 5xx, throttling).
    Retry(String),
    /// A failure another attempt will not fix (bad URL, bad signature, refused content).
    GiveUp(String),
}

/// One message on its way: the delivery, the manager it goes to, its live leads, and the
/// leads it no longer covers (with why).
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub delivery: Delivery,
    pub manager: Manager,
    pub leads: Vec<Opportunity>,
    pub dropped: Vec<(String, String)>,
}

/// The largest message body a channel takes, in bytes (WeCom's markdown limit is 4096;
/// DingTalk and Feishu take more, but a digest that long is unreadable on a phone).
pub fn size_limit(channel: Channel) -> usize {
    match channel {
        Channel::Wecom => 4000,
        Channel::Dingtalk | Channel::Feishu => 6000,
        Channel::Webhook => usize::MAX,
    }
}

/// HMAC-SHA256 of `message` under `key`.
fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// The webhook signature header value: `sha256=` and the hex HMAC of the body.
pub fn webhook_signature(secret: &str, body: &[u8]) -> String {
    let hex: String = hmac_sha256(secret.as_bytes(), body).iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

/// DingTalk's `sign`: base64 of HMAC-SHA256 of `timestamp\nsecret` keyed by the secret.
pub fn dingtalk_sign(timestamp_ms: i64, secret: &str) -> String {
    let text = format!("{timestamp_ms}\n{secret}");
    base64::engine::general_purpose::STANDARD.encode(hmac_sha256(secret.as_bytes(), text.as_bytes()))
}

/// Feishu's `sign`: base64 of HMAC-SHA256 of an empty message keyed by `timestamp\nsecret`.
pub fn feishu_sign(timestamp_s: i64, secret: &str) -> String {
    let key = format!("{timestamp_s}\n{secret}");
    base64::engine::general_purpose::STANDARD.encode(hmac_sha256(key.as_bytes(), b""))
}

/// Rate limiters per robot URL, shared by every dispatch in the process: WeCom and DingTalk
/// take 20 messages a minute per robot, Feishu 100 a minute and 5 a second.
fn limiters(channel: Channel, url: &str) -> Vec<Arc<DefaultDirectRateLimiter>> {
    type Limiters = HashMap<(String, u32, u64), Arc<DefaultDirectRateLimiter>>;
    static LIMITERS: OnceLock<Mutex<Limiters>> = OnceLock::new();
    let quotas: &[(u32, u64)] = match channel {
        Channel::Wecom | Channel::Dingtalk => &[(20, 60)],
        Channel::Feishu => &[(100, 60), (5, 1)],
        Channel::Webhook => &[],
    };
    let mut all = LIMITERS.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner());
    quotas
        .iter()
        .map(|&(count, seconds)| {
            all.entry((url.to_string(), count, seconds))
                .or_insert_with(|| {
                    let burst = NonZeroU32::new(count).unwrap_or(NonZeroU32::MIN);
                    let period = Duration::from_secs(seconds) / count;
                    let quota =
                        Quota::with_period(period).unwrap_or(Quota::per_second(burst)).allow_burst(burst);
                    Arc::new(RateLimiter::direct(quota))
                })
                .clone()
        })
        .collect()
}

/// The request a delivery makes: URL, JSON body, extra headers.
#[derive(Debug, Clone)]
pub struct Request {
    pub url: String,
    pub body: Vec<u8>,
    pub headers: Vec<(&'static str, String)>,
}

/// Builds the request for `outgoing` (no network). `timestamp_ms` is the real clock.
pub fn request(outgoing: &Outgoing, base_url: &str, timestamp_ms: i64) -> Result<Request, String> {
    let manager = &outgoing.manager;
    let url = manager.webhook.clone().ok_or_else(|| format!("manager {} has no channel URL", manager.id))?;
    let message = if outgoing.delivery.notices.is_empty() {
        Message::of(&outgoing.leads, base_url)
    } else {
        Message::of_notices(&outgoing.delivery.notices, base_url)
    };
    let secret = manager.secret.as_deref().filter(|s| !s.is_empty());
    let json = |value: serde_json::Value| serde_json::to_vec(&value).map_err(|e| e.to_string());
    let mut headers = vec![("X-Oppgraph-Delivery", outgoing.delivery.id.clone())];
    let (url, body) = match manager.channel {
        Channel::Webhook => {
            let body = json(serde_json::json!({
                "delivery": outgoing.delivery.id,
                "manager": manager.id,
                "opportunities": outgoing.leads,
                "notices": outgoing.delivery.notices,
            }))?;
            if let Some(secret) = secret {
                headers.push(("X-Oppgraph-Signature", webhook_signature(secret, &body)));
            }
            (url, body)
        }
        Channel::Wecom => {
            let mut content = message.markdown();
            truncate_at_char(&mut content, size_limit(Channel::Wecom));
            (url, json(serde_json::json!({"msgtype": "markdown", "markdown": {"content": content}}))?)
        }
        Channel::Dingtalk => {
            let mut text = message.markdown();
            truncate_at_char(&mut text, size_limit(Channel::Dingtalk));
            let body = json(serde_json::json!({
                "msgtype": "markdown",
                "markdown": {"title": message.title, "text": text},
            }))?;
            let url = match secret {
                Some(secret) => {
                    let mut parsed =
                        reqwest::Url::parse(&url).map_err(|e| format!("bad DingTalk URL: {e}"))?;
                    parsed
                        .query_pairs_mut()
                        .append_pair("timestamp", &timestamp_ms.to_string())
                        .append_pair("sign", &dingtalk_sign(timestamp_ms, secret));
                    parsed.to_string()
                }
                None => url,
            };
            (url, body)
        }
        Channel::Feishu => {
            let content: Vec<serde_json::Value> = message
                .lines
                .iter()
                .map(|line| match line {
                    Line::Heading(text) | Line::Text(text) => {
                        serde_json::json!([{"tag": "text", "text": text}])
                    }
                    Line::Link { text, href } => {
                        serde_json::json!([{"tag": "a", "text": text, "href": href}])
                    }
                })
                .collect();
            let mut body = serde_json::json!({
                "msg_type": "post",
                "content": {"post": {"zh_cn": {"title": message.title, "content": content}}},
            });
            if let Some(secret) = secret {
                let timestamp = timestamp_ms / 1000;
                body["timestamp"] = timestamp.to_string().into();
                body["sign"] = feishu_sign(timestamp, secret).into();
            }
            (url, json(body)?)
        }
    };
    Ok(Request { url, body, headers })
}

fn truncate_at_char(text: &mut String, limit: usize) {
    if text.len() > limit {
        let mut end = limit;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
}

/// Sends one delivery, waiting for the channel's rate limit first.
pub async fn send(client: &reqwest::Client, outgoing: &Outgoing, base_url: &str) -> Outcome {
    let request = match request(outgoing, base_url, chrono::Utc::now().timestamp_millis()) {
        Ok(request) => request,
        Err(reason) => return Outcome::GiveUp(reason),
    };
    let channel = outgoing.manager.channel;
    for limiter in limiters(channel, outgoing.manager.webhook.as_deref().unwrap_or_default()) {
        limiter.until_ready().await;
    }
    let mut builder = client.post(&request.url).header("Content-Type", "application/json; charset=utf-8");
    for (name, value) in &request.headers {
        builder = builder.header(*name, value);
    }
    let response = match builder.body(request.body).send().await {
        Ok(response) => response,
        Err(error) => return Outcome::Retry(format!("network: {}", error_chain(&error))),
    };
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    classify(channel, status.as_u16(), &text)
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Maps a response to an outcome: HTTP first, then each platform's error code.
pub fn classify(channel: Channel, status: u16, body: &str) -> Outcome {
    let snippet: String = body.chars().take(200).collect();
    if matches!(status, 408 | 425 | 429) || status >= 500 {
        return Outcome::Retry(format!("HTTP {status}: {snippet}"));
    }
    if !(200..300).contains(&status) {
        return Outcome::GiveUp(format!("HTTP {status}: {snippet}"));
    }
    if channel == Channel::Webhook {
        return Outcome::Sent;
    }
    let Ok(json) = serde_json::from_str::<serde_json::Value>(body) else {
        return Outcome::Retry(format!("unreadable answer: {snippet}"));
    };
    let code_of = |key: &str| json.get(key).and_then(serde_json::Value::as_i64);
    let (code, message) = match channel {
        Channel::Feishu => (
            code_of("code").or_else(|| code_of("StatusCode")).unwrap_or(0),
            json.get("msg").or_else(|| json.get("StatusMessage")),
        ),
        _ => (code_of("errcode").unwrap_or(-1), json.get("errmsg")),
    };
    let message = message.and_then(serde_json::Value::as_str).unwrap_or_default();
    let retry = match channel {
        // -1: system busy; 45009: the robot's per-minute limit.
        Channel::Wecom => [-1, 45009, 45033].contains(&code),
        // 130101: sending too fast; -1: system busy.
        Channel::Dingtalk => [-1, 130101, 130102].contains(&code),
        // 11232: frequency limited; 9499 with a 5xx-like message is rare, treated as final.
        Channel::Feishu => [11232, 11233].contains(&code),
        Channel::Webhook => false,
    };
    match code {
        0 => Outcome::Sent,
        _ if retry => Outcome::Retry(format!("{} error {code}: {message}", channel.as_str())),
        _ => Outcome::GiveUp(format!("{} error {code}: {message}", channel.as_str())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_the_platforms_definitions() {
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog"), a known vector.
        assert_eq!(
            webhook_signature("key", b"The quick brown fox jumps over the lazy dog"),
            "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
        // The sign is base64 of 32 bytes and changes with the timestamp.
        let a = dingtalk_sign(1_700_000_000_000, "SEC123");
        assert_eq!(a.len(), 44);
        assert_ne!(a, dingtalk_sign(1_700_000_000_001, "SEC123"));
        assert_eq!(feishu_sign(1_700_000_000, "s").len(), 44);
    }

    #[test]
    fn platform_codes_map_to_retry_or_give_up() {
        let label = |outcome: Outcome| match outcome {
            Outcome::Sent => "sent",
            Outcome::Retry(_) => "retry",
            Outcome::GiveUp(_) => "give up",
        };
        let cases = [
            (Channel::Wecom, 200, r#"{"errcode":0,"errmsg":"ok"}"#, "sent"),
            (Channel::Wecom, 200, r#"{"errcode":45009,"errmsg":"freq"}"#, "retry"),
            (Channel::Wecom, 200, r#"{"errcode":93000,"errmsg":"bad"}"#, "give up"),
            (Channel::Dingtalk, 200, r#"{"errcode":130101,"errmsg":"fast"}"#, "retry"),
            (Channel::Dingtalk, 200, r#"{"errcode":310000,"errmsg":"sign"}"#, "give up"),
            (Channel::Feishu, 200, r#"{"code":0,"msg":"success"}"#, "sent"),
            (Channel::Feishu, 200, r#"{"StatusCode":0,"StatusMessage":"success"}"#, "sent"),
            (Channel::Feishu, 200, r#"{"code":11232,"msg":"limited"}"#, "retry"),
            (Channel::Feishu, 200, r#"{"code":19021,"msg":"sign"}"#, "give up"),
            (Channel::Webhook, 503, "", "retry"),
            (Channel::Webhook, 404, "", "give up"),
            (Channel::Webhook, 204, "", "sent"),
        ];
        for (channel, status, body, expected) in cases {
            assert_eq!(label(classify(channel, status, body)), expected, "{channel:?} {status} {body}");
        }
    }
}
