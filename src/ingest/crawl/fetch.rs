//! Polite HTTP: robots.txt obeyed, a per-host rate that is never exceeded, retries with
//! exponential backoff and full jitter on 408/429/5xx and network errors (`Retry-After`
//! honoured), conditional requests for pages seen before, and a size cap on bodies.

use super::config::{FetchSettings, Method};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use rand::{Rng, SeedableRng};
use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use reqwest::{StatusCode, Url};
use std::collections::{BTreeMap, HashMap};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

/// Sent with every request so site operators can see who we are.
pub const USER_AGENT: &str =
    concat!("oppgraph-crawler/", env!("CARGO_PKG_VERSION"), " (public notice crawler; robots.txt obeyed)");
/// The tokens matched against robots.txt `User-agent` lines: a page must be allowed for both
/// (and for `*` when neither is named).
pub const ROBOTS_AGENTS: [&str; 2] = ["oppgraph-crawler", "oppgraph"];

/// What a page was served with the last time, for a conditional request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A fetched page.
#[derive(Debug, Clone)]
pub struct Page {
    /// The URL after redirects.
    pub url: String,
    pub bytes: Vec<u8>,
    /// The `Content-Type` charset, if any.
    pub charset: Option<String>,
    pub validators: Validators,
    pub attempts: u32,
}

#[derive(Debug, Clone)]
pub enum Fetched {
    Page(Page),
    /// 304: the page is as it was.
    NotModified,
}

/// A URL that could not be fetched, after `attempts` tries.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchFailure {
    pub reason: String,
    pub attempts: u32,
}

/// A request beyond a plain GET.
#[derive(Debug, Clone, Default)]
pub struct RequestSpec {
    pub method: Method,
    pub form: BTreeMap<String, String>,
}

enum Robots {
    /// The rules for each of [`ROBOTS_AGENTS`].
    Rules(Vec<texting_robots::Robot>),
    AllowAll,
    /// robots.txt answered with a server error: nothing may be fetched from the host now.
    Unavailable(String),
}

/// One fetcher per crawl run: its limits and robots rules hold for every request it makes.
pub struct Fetcher {
    client: reqwest::Client,
    settings: FetchSettings,
    rate_per_minute: u32,
    limiters: Mutex<HashMap<String, Arc<DefaultDirectRateLimiter>>>,
    robots: tokio::sync::Mutex<HashMap<String, Arc<Robots>>>,
    requests: AtomicU64,
    /// When each host was last sent a request, by this run or (loaded before it starts) an
    /// earlier one: a run's first request to a host keeps the rate with the last run's last.
    last_requests: Mutex<HashMap<String, SystemTime>>,
    /// Hosts this run has sent something to.
    started: Mutex<std::collections::HashSet<String>>,
}

/// Limiters shared by every run in this process, by host and interval: two crawlers of one
/// host, or two runs back to back, share one rate.
type Limiters = HashMap<(String, Duration), Arc<DefaultDirectRateLimiter>>;

fn shared_limiter(key: &str, interval: Duration) -> Arc<DefaultDirectRateLimiter> {
    static LIMITERS: OnceLock<Mutex<Limiters>> = OnceLock::new();
    let mut limiters = LIMITERS.get_or_init(Default::default).lock().unwrap_or_else(|p| p.into_inner());
    limiters.entry((key.to_string(), interval)).or_insert_with(|| Arc::new(limiter_every(interval))).clone()
}

#[derive(Debug, thiserror::Error)]
#[error("cannot set up the HTTP client: {0}")]
pub struct ClientError(String);

impl Fetcher {
    pub fn new(settings: &FetchSettings, rate_per_minute: u32) -> Result<Fetcher, ClientError> {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("zh-CN,zh;q=0.9"));
        for (name, value) in &settings.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| ClientError(format!("header {name}: {e}")))?;
            let value =
                HeaderValue::from_str(value).map_err(|e| ClientError(format!("header {name}: {e}")))?;
            headers.insert(name, value);
        }
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .default_headers(headers)
            .timeout(Duration::from_secs(settings.timeout_seconds.max(1)))
            .connect_timeout(Duration::from_secs(settings.timeout_seconds.clamp(1, 15)))
            .redirect(reqwest::redirect::Policy::limited(5))
            .gzip(true)
            .deflate(true)
            .build()
            .map_err(|e| ClientError(e.to_string()))?;
        Ok(Fetcher {
            client,
            settings: settings.clone(),
            rate_per_minute,
            limiters: Mutex::new(HashMap::new()),
            robots: tokio::sync::Mutex::new(HashMap::new()),
            requests: AtomicU64::new(0),
            last_requests: Mutex::new(HashMap::new()),
            started: Mutex::new(Default::default()),
        })
    }

    /// When hosts were last sent a request, as recorded by earlier runs (`host_key` form:
    /// `scheme://host:port`).
    pub fn with_last_requests(self, earlier: impl IntoIterator<Item = (String, SystemTime)>) -> Self {
        self.last_requests.lock().unwrap_or_else(|p| p.into_inner()).extend(earlier);
        self
    }

    /// When each host was last sent a request, for the next run.
    pub fn last_requests(&self) -> Vec<(String, SystemTime)> {
        self.last_requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect()
    }

    /// HTTP requests sent so far (robots.txt and retries included).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Fetches `url`, asking only for a changed page when `validators` are given.
    pub async fn fetch(
        &self,
        url: &str,
        request: &RequestSpec,
        validators: Option<&Validators>,
    ) -> Result<Fetched, FetchFailure> {
        let parsed =
            Url::parse(url).map_err(|e| FetchFailure { reason: format!("bad URL: {e}"), attempts: 0 })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(FetchFailure { reason: format!("not an http(s) URL: {url}"), attempts: 0 });
        }
        if self.settings.robots {
            match &*self.robots_for(&parsed).await {
                Robots::Rules(robots) if !robots.iter().all(|r| r.allowed(parsed.as_str())) => {
                    return Err(FetchFailure { reason: "disallowed by robots.txt".into(), attempts: 0 })
                }
                Robots::Unavailable(reason) => {
                    return Err(FetchFailure {
                        reason: format!("robots.txt unavailable ({reason})"),
                        attempts: 0,
                    })
                }
                _ => {}
            }
        }
        self.fetch_with_retries(&parsed, request, validators).await
    }

    async fn fetch_with_retries(
        &self,
        url: &Url,
        request: &RequestSpec,
        validators: Option<&Validators>,
    ) -> Result<Fetched, FetchFailure> {
        let attempts = self.settings.attempts.max(1);
        let mut last_reason = String::new();
        for attempt in 1..=attempts {
            self.wait_turn(url).await;
            let outcome = self.send_once(url, request, validators).await;
            let retry_after = match outcome {
                Attempt::Done(mut fetched) => {
                    if let Fetched::Page(page) = &mut fetched {
                        page.attempts = attempt;
                    }
                    return Ok(fetched);
                }
                Attempt::Fatal(reason) => return Err(FetchFailure { reason, attempts: attempt }),
                Attempt::Retry { reason, retry_after } => {
                    last_reason = reason;
                    retry_after
                }
            };
            if attempt == attempts {
                break;
            }
            let max = Duration::from_secs(self.settings.max_backoff_seconds);
            let wait = match retry_after {
                Some(wait) if wait > max => {
                    return Err(FetchFailure {
                        reason: format!(
                            "{last_reason}; Retry-After {}s is beyond the wait allowed",
                            wait.as_secs()
                        ),
                        attempts: attempt,
                    })
                }
                Some(wait) => wait,
                None => backoff(self.settings.backoff_ms, attempt, max),
            };
            tracing::debug!(url = %url, attempt, wait_ms = wait.as_millis() as u64, reason = %last_reason, "retrying");
            tokio::time::sleep(wait).await;
        }
        Err(FetchFailure { reason: last_reason, attempts })
    }

    async fn send_once(&self, url: &Url, request: &RequestSpec, validators: Option<&Validators>) -> Attempt {
        let mut builder = match request.method {
            Method::Get => self.client.get(url.clone()),
            Method::Post => self.client.post(url.clone()).form(&request.form),
        };
        if let Some(v) = validators {
            if let Some(etag) = &v.etag {
                builder = builder.header(header::IF_NONE_MATCH, etag);
            }
            if let Some(modified) = &v.last_modified {
                builder = builder.header(header::IF_MODIFIED_SINCE, modified);
            }
        }
        self.requests.fetch_add(1, Ordering::Relaxed);
        let response = match builder.send().await {
            Ok(response) => response,
            Err(error) => return Attempt::Retry { reason: describe(&error), retry_after: None },
        };
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            return Attempt::Done(Fetched::NotModified);
        }
        if matches!(status.as_u16(), 408 | 425 | 429 | 500 | 502 | 503 | 504) {
            let retry_after = response.headers().get(header::RETRY_AFTER).and_then(parse_retry_after);
            return Attempt::Retry { reason: format!("HTTP {}", status.as_u16()), retry_after };
        }
        if !status.is_success() {
            return Attempt::Fatal(format!("HTTP {}", status.as_u16()));
        }
        let header_text =
            |name| response.headers().get(name).and_then(|v: &HeaderValue| v.to_str().ok()).map(String::from);
        let validators =
            Validators { etag: header_text(header::ETAG), last_modified: header_text(header::LAST_MODIFIED) };
        let charset = header_text(header::CONTENT_TYPE).and_then(|t| {
            t.split(';').find_map(|part| {
                part.trim().strip_prefix("charset=").map(|c| c.trim_matches('"').to_string())
            })
        });
        let final_url = response.url().to_string();
        match read_capped(response, self.settings.max_page_bytes).await {
            Ok(bytes) => {
                Attempt::Done(Fetched::Page(Page { url: final_url, bytes, charset, validators, attempts: 1 }))
            }
            Err(BodyError::TooLarge) => {
                Attempt::Fatal(format!("page larger than {} bytes", self.settings.max_page_bytes))
            }
            Err(BodyError::Transport(reason)) => Attempt::Retry { reason, retry_after: None },
        }
    }

    /// Waits until the host's rate allows one more request, and notes when it was sent.
    async fn wait_turn(&self, url: &Url) {
        let key = host_key(url);
        let limiter = self.limiter(url, None);
        let first = self.started.lock().unwrap_or_else(|p| p.into_inner()).insert(key.clone());
        if let (true, Some(limiter)) = (first, &limiter) {
            // The first request of a run keeps its distance from an earlier run's last.
            let earlier = self.last_requests.lock().unwrap_or_else(|p| p.into_inner()).get(&key).copied();
            if let Some(earlier) = earlier {
                let interval = self.interval().unwrap_or(Duration::ZERO);
                let wait = (earlier + interval).duration_since(SystemTime::now()).unwrap_or(Duration::ZERO);
                tokio::time::sleep(wait.min(Duration::from_secs(600))).await;
            }
            limiter.until_ready().await;
        } else if let Some(limiter) = limiter {
            limiter.until_ready().await;
        }
        self.last_requests.lock().unwrap_or_else(|p| p.into_inner()).insert(key, SystemTime::now());
    }

    /// The configured spacing between requests to one host (`None`: no limit).
    fn interval(&self) -> Option<Duration> {
        (self.rate_per_minute > 0)
            .then(|| Duration::from_secs_f64(60.0 / self.rate_per_minute as f64).mul_f64(1.02))
    }

    /// The host's limiter; `min_interval` (robots.txt Crawl-delay) makes it stricter.
    fn limiter(&self, url: &Url, min_interval: Option<Duration>) -> Option<Arc<DefaultDirectRateLimiter>> {
        let key = host_key(url);
        let mut limiters = self.limiters.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(interval) = min_interval {
            let interval = interval.mul_f64(1.02);
            let interval = self.interval().map_or(interval, |c| c.max(interval));
            limiters.insert(key.clone(), shared_limiter(&key, interval));
        }
        if let Some(found) = limiters.get(&key) {
            return Some(found.clone());
        }
        let limiter = shared_limiter(&key, self.interval()?);
        limiters.insert(key, limiter.clone());
        Some(limiter)
    }

    /// The host's robots.txt rules, fetched once per run (under the host's rate).
    async fn robots_for(&self, url: &Url) -> Arc<Robots> {
        let key = host_key(url);
        let mut cache = self.robots.lock().await;
        if let Some(found) = cache.get(&key) {
            return found.clone();
        }
        let mut robots_url = url.clone();
        robots_url.set_path("/robots.txt");
        robots_url.set_query(None);
        robots_url.set_fragment(None);
        let rules = match self.fetch_with_retries(&robots_url, &RequestSpec::default(), None).await {
            Ok(Fetched::Page(page)) => {
                let robots: Result<Vec<_>, _> = ROBOTS_AGENTS
                    .iter()
                    .map(|agent| texting_robots::Robot::new(agent, &page.bytes))
                    .collect();
                match robots {
                    Ok(robots) => {
                        let delay = robots.iter().filter_map(|r| r.delay).fold(0.0f32, f32::max);
                        if delay > 0.0 {
                            self.limiter(url, Some(Duration::from_secs_f64(delay.min(600.0) as f64)));
                        }
                        Robots::Rules(robots)
                    }
                    // An unparsable robots.txt restricts nothing (as search engines treat it).
                    Err(_) => Robots::AllowAll,
                }
            }
            Ok(Fetched::NotModified) => Robots::AllowAll,
            // 4xx: no robots.txt, everything allowed; a server error: nothing allowed for now.
            Err(failure) if failure.reason.starts_with("HTTP 4") => Robots::AllowAll,
            Err(failure) => Robots::Unavailable(failure.reason),
        };
        let rules = Arc::new(rules);
        cache.insert(key, rules.clone());
        rules
    }
}

enum Attempt {
    Done(Fetched),
    Retry { reason: String, retry_after: Option<Duration> },
    Fatal(String),
}

enum BodyError {
    TooLarge,
    Transport(String),
}

async fn read_capped(mut response: reqwest::Response, cap: usize) -> Result<Vec<u8>, BodyError> {
    if response.content_length().is_some_and(|n| n as usize > cap) {
        return Err(BodyError::TooLarge);
    }
    let mut bytes = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if bytes.len() + chunk.len() > cap {
                    return Err(BodyError::TooLarge);
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(bytes),
            Err(error) => return Err(BodyError::Transport(describe(&error))),
        }
    }
}

fn limiter_every(interval: Duration) -> DefaultDirectRateLimiter {
    // A burst of one: requests are spaced by the interval (2% over the rate's, so it holds at
    // the receiver despite network jitter), and no window of a minute holds more than the rate.
    let quota = Quota::with_period(interval.max(Duration::from_millis(1)))
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(NonZeroU32::MIN);
    RateLimiter::direct(quota)
}

/// A host as rates and robots.txt see it: `scheme://host:port`.
pub fn host_key(url: &Url) -> String {
    format!(
        "{}://{}:{}",
        url.scheme(),
        url.host_str().unwrap_or_default(),
        url.port_or_known_default().unwrap_or(0)
    )
}

/// Full jitter: a random wait up to `base * 2^(attempt-1)`, capped.
fn backoff(base_ms: u64, attempt: u32, max: Duration) -> Duration {
    let ceiling = base_ms.saturating_mul(1u64 << (attempt - 1).min(20)).min(max.as_millis() as u64);
    Duration::from_millis(rand_chacha::ChaCha8Rng::from_os_rng().random_range(ceiling / 2..=ceiling.max(1)))
}

/// `Retry-After`: seconds, or an HTTP date.
fn parse_retry_after(value: &HeaderValue) -> Option<Duration> {
    let text = value.to_str().ok()?.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = chrono::DateTime::parse_from_rfc2822(text).ok()?;
    let wait = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".into()
    } else if error.is_connect() {
        "connection failed".into()
    } else if error.is_decode() || error.is_body() {
        "broken response body".into()
    } else {
        let mut text = error.to_string();
        // reqwest's message names the URL, which the failure record already holds.
        if let Some(pos) = text.find(" for url (") {
            text.truncate(pos);
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(parse_retry_after(&HeaderValue::from_static("3")), Some(Duration::from_secs(3)));
        let past = HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT");
        assert_eq!(parse_retry_after(&past), Some(Duration::ZERO));
        assert_eq!(parse_retry_after(&HeaderValue::from_static("soon")), None);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let max = Duration::from_secs(10);
        for attempt in 1..8 {
            let wait = backoff(1000, attempt, max);
            let ceiling = (1000u64 << (attempt - 1)).min(10_000);
            assert!(
                wait.as_millis() as u64 <= ceiling && wait.as_millis() as u64 >= ceiling / 2,
                "{attempt}: {wait:?}"
            );
        }
    }
}
