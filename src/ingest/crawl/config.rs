//! Crawler files: one TOML per source in the crawlers folder, its stem the crawler's name.
//! Every key is documented in `crawlers/README.md`; unknown keys are refused so a typo never
//! silently turns a setting off.

use super::CrawlError;
use crate::ingest::ImportKind;
use scraper::Selector;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// A crawler file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CrawlerFile {
    kind: String,
    #[serde(default = "default_true")]
    enabled: bool,
    #[serde(default)]
    start: Vec<String>,
    #[serde(default)]
    schedule: Option<String>,
    #[serde(default = "default_rate")]
    rate_per_minute: u32,
    #[serde(default)]
    encoding: Encoding,
    #[serde(default)]
    list: ListFile,
    #[serde(default)]
    detail: DetailFile,
    #[serde(default, rename = "assert")]
    assertions: Assertions,
    #[serde(default)]
    fetch: FetchSettings,
}

fn default_rate() -> u32 {
    30
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListFile {
    #[serde(default)]
    format: ListFormat,
    links: Option<String>,
    item: Option<String>,
    next: Option<String>,
    #[serde(default = "default_max_pages")]
    max_pages: usize,
    pages: Option<String>,
    #[serde(default = "default_first_page")]
    first_page: usize,
    #[serde(default = "default_true")]
    detail: bool,
    #[serde(default)]
    fields: BTreeMap<String, String>,
    #[serde(default)]
    method: Method,
    #[serde(default)]
    form: BTreeMap<String, String>,
    include: Option<String>,
    exclude: Option<String>,
    url_base: Option<String>,
    items: Option<String>,
    url_field: Option<String>,
    title_field: Option<String>,
    date_field: Option<String>,
    #[serde(default)]
    stop_at_seen: Option<bool>,
    #[serde(default = "default_overlap")]
    overlap_days: i64,
}

fn default_first_page() -> usize {
    1
}

fn default_true() -> bool {
    true
}

fn default_max_pages() -> usize {
    20
}

fn default_overlap() -> i64 {
    2
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DetailFile {
    content: Option<String>,
    #[serde(default)]
    fields: BTreeMap<String, String>,
    #[serde(default)]
    labels: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    constants: BTreeMap<String, String>,
}

/// `[assert]`: a run that breaks one of these is marked failed (the site changed its layout).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assertions {
    /// Fewer detail links than this on the list pages fails the run.
    #[serde(default)]
    pub min_items: usize,
    /// More failed items than this share of those fetched fails the run (0–1).
    #[serde(default)]
    pub max_failed_share: Option<f64>,
}

/// `[fetch]`: transport settings with polite defaults.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FetchSettings {
    /// Seconds before a request is abandoned (and retried).
    pub timeout_seconds: u64,
    /// Attempts per URL, the first included.
    pub attempts: u32,
    /// Base of the exponential backoff between attempts, in milliseconds.
    pub backoff_ms: u64,
    /// The longest wait before a retry (a longer `Retry-After` gives up instead).
    pub max_backoff_seconds: u64,
    /// Detail pages fetched at once (the per-host rate still holds).
    pub concurrency: usize,
    /// Pages larger than this many bytes are refused.
    pub max_page_bytes: usize,
    /// Obey robots.txt (always on for public sites; off only for one's own test servers).
    pub robots: bool,
    /// Extra request headers (Referer, Cookie for sites that demand one, ...).
    pub headers: BTreeMap<String, String>,
}

impl Default for FetchSettings {
    fn default() -> Self {
        FetchSettings {
            timeout_seconds: 30,
            attempts: 4,
            backoff_ms: 1000,
            max_backoff_seconds: 300,
            concurrency: 4,
            max_page_bytes: 8 << 20,
            robots: true,
            headers: BTreeMap::new(),
        }
    }
}

/// `encoding`: any case, `utf-8` or `utf8`, `gbk` or `gb2312`, `gb18030`, `auto`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub enum Encoding {
    /// The header's charset, then `<meta charset>`, then statistical detection.
    #[default]
    Auto,
    Utf8,
    Gbk,
    Gb18030,
}

impl TryFrom<String> for Encoding {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        value.parse()
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ListFormat {
    #[default]
    Html,
    Json,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    #[default]
    Get,
    Post,
}

/// How list pages are found after the first.
#[derive(Debug, Clone)]
pub enum Paging {
    /// Only the start URLs.
    None,
    /// Follow the link matched by this selector.
    Next(Selector),
    /// A URL template with `{page}` (`first_page`, then up), or for POST the form's `{page}`
    /// values; walked after the start URLs, if any.
    Numbered { template: String, first_page: usize },
}

/// How detail links are read off a list page.
#[derive(Debug, Clone)]
pub enum ListParser {
    Html {
        /// The element of one item (its text holds the item's date); optional.
        item: Option<Selector>,
        /// The link to the detail page (inside `item` when given).
        links: Selector,
        /// Import columns read off the item by CSS selector (`list.fields`).
        fields: Vec<(String, Selector)>,
    },
    Json {
        /// JSON pointer to the array of items (`/data/list`); empty for a top-level array.
        items: String,
        /// Pointer inside an item to its detail URL (relative URLs resolve against the list).
        url_field: String,
        title_field: Option<String>,
        date_field: Option<String>,
        /// Import columns read off the item by JSON pointer or key (`list.fields`).
        fields: Vec<(String, String)>,
    },
}

/// A validated crawler definition.
#[derive(Debug, Clone)]
pub struct CrawlerDef {
    pub name: String,
    pub path: PathBuf,
    /// Run on the schedule and by `crawl` without names; a disabled crawler runs only when
    /// named (`crawl NAME`, `POST /api/crawls/NAME/run`).
    pub enabled: bool,
    pub kind: ImportKind,
    pub start: Vec<String>,
    pub schedule: Option<Schedule>,
    /// Requests per minute per host; 0 means no limit (only for one's own servers).
    pub rate_per_minute: u32,
    pub encoding: Encoding,
    pub list: ListParser,
    pub paging: Paging,
    pub max_pages: usize,
    /// Fetch each item's detail page; `false` when the list items carry the whole record
    /// (JSON endpoints whose detail is a PDF).
    pub fetch_detail: bool,
    pub method: Method,
    pub form: BTreeMap<String, String>,
    /// What relative item URLs resolve against (default: the list page's URL).
    pub url_base: Option<reqwest::Url>,
    pub include: Option<regex::Regex>,
    pub exclude: Option<regex::Regex>,
    /// Stop paging at a list page whose dated items all predate the last good run (minus
    /// `overlap_days`), or whose links were all stored before.
    pub stop_at_seen: bool,
    pub overlap_days: i64,
    pub content: Option<Selector>,
    pub fields: Vec<(String, Selector)>,
    pub labels: Vec<(String, Vec<String>)>,
    pub constants: BTreeMap<String, String>,
    pub assertions: Assertions,
    pub fetch: FetchSettings,
}

/// A parsed cron schedule (5 fields, or 6 with seconds first).
#[derive(Debug, Clone)]
pub struct Schedule {
    pub expression: String,
    cron: croner::Cron,
}

impl Schedule {
    pub fn parse(expression: &str) -> Result<Schedule, String> {
        // 5 fields, or 6 with seconds first (croner's default: seconds optional).
        let cron = croner::Cron::from_str(expression).map_err(|e| format!("schedule {expression:?}: {e}"))?;
        Ok(Schedule { expression: expression.to_string(), cron })
    }

    /// The first time the schedule fires after `after`.
    pub fn next_after(
        &self,
        after: chrono::DateTime<chrono::Local>,
    ) -> Option<chrono::DateTime<chrono::Local>> {
        self.cron.find_next_occurrence(&after, false).ok()
    }
}

fn selector(key: &str, css: &str) -> Result<Selector, String> {
    Selector::parse(css).map_err(|e| format!("`{key}` is not a CSS selector ({css:?}): {e}"))
}

fn regex(key: &str, pattern: &str) -> Result<regex::Regex, String> {
    regex::Regex::new(pattern).map_err(|e| format!("`{key}` is not a regular expression: {e}"))
}

impl CrawlerDef {
    /// Parses and validates a crawler file's text; `name` is the file's stem.
    pub fn parse(name: &str, path: &Path, text: &str) -> Result<CrawlerDef, CrawlError> {
        let invalid = |message: String| CrawlError::Definition { path: path.display().to_string(), message };
        let file: CrawlerFile = toml::from_str(text).map_err(|e| invalid(e.message().to_string()))?;
        let kind = ImportKind::ALL
            .into_iter()
            .find(|k| k.as_str() == file.kind)
            .filter(|k| crate::ingest::record_kind(*k).is_some())
            .ok_or_else(|| {
                invalid(format!(
                    "`kind = {:?}`: a crawler's pages become records: tenders, filings, pledges, invoices or risk_events",
                    file.kind
                ))
            })?;
        if file.start.is_empty() && file.list.pages.is_none() {
            return Err(invalid("`start` lists no URL (and `list.pages` gives no template)".into()));
        }
        let schedule = file.schedule.as_deref().map(Schedule::parse).transpose().map_err(invalid)?;
        let list = match file.list.format {
            ListFormat::Html => ListParser::Html {
                item: file
                    .list
                    .item
                    .as_deref()
                    .map(|s| selector("list.item", s))
                    .transpose()
                    .map_err(invalid)?,
                links: selector("list.links", file.list.links.as_deref().unwrap_or("a[href]"))
                    .map_err(invalid)?,
                fields: file
                    .list
                    .fields
                    .iter()
                    .map(|(column, css)| {
                        Ok((column.clone(), selector(&format!("list.fields.{column}"), css)?))
                    })
                    .collect::<Result<Vec<_>, String>>()
                    .map_err(invalid)?,
            },
            ListFormat::Json => ListParser::Json {
                items: file.list.items.clone().unwrap_or_default(),
                url_field: file
                    .list
                    .url_field
                    .clone()
                    .ok_or_else(|| invalid("a JSON list needs `list.url_field`".into()))?,
                title_field: file.list.title_field.clone(),
                date_field: file.list.date_field.clone(),
                fields: file.list.fields.clone().into_iter().collect(),
            },
        };
        let paging = match (&file.list.next, &file.list.pages) {
            (Some(_), Some(_)) => return Err(invalid("give `list.next` or `list.pages`, not both".into())),
            (Some(next), None) => Paging::Next(selector("list.next", next).map_err(invalid)?),
            (None, Some(template)) => {
                let in_form = file.list.form.values().any(|v| v.contains("{page}"));
                if !template.contains("{page}") && !in_form {
                    return Err(invalid("`list.pages` needs `{page}` in the URL or a form value".into()));
                }
                Paging::Numbered { template: template.clone(), first_page: file.list.first_page }
            }
            (None, None) => Paging::None,
        };
        let fields = file
            .detail
            .fields
            .iter()
            .map(|(column, css)| Ok((column.clone(), selector(&format!("detail.fields.{column}"), css)?)))
            .collect::<Result<Vec<_>, String>>()
            .map_err(invalid)?;
        for url in &file.start {
            reqwest::Url::parse(url).map_err(|e| invalid(format!("start URL {url:?}: {e}")))?;
        }
        if file.fetch.attempts == 0 || file.fetch.concurrency == 0 {
            return Err(invalid("`fetch.attempts` and `fetch.concurrency` must be at least 1".into()));
        }
        if let Some(share) = file.assertions.max_failed_share {
            if !(0.0..=1.0).contains(&share) {
                return Err(invalid("`assert.max_failed_share` must be between 0 and 1".into()));
            }
        }
        Ok(CrawlerDef {
            name: name.to_string(),
            path: path.to_path_buf(),
            enabled: file.enabled,
            kind,
            start: file.start,
            schedule,
            rate_per_minute: file.rate_per_minute,
            encoding: file.encoding,
            list,
            paging,
            max_pages: file.list.max_pages.max(1),
            fetch_detail: file.list.detail,
            method: file.list.method,
            form: file.list.form,
            url_base: file
                .list
                .url_base
                .as_deref()
                .map(|u| reqwest::Url::parse(u).map_err(|e| invalid(format!("`list.url_base` {u:?}: {e}"))))
                .transpose()?,
            include: file
                .list
                .include
                .as_deref()
                .map(|p| regex("list.include", p))
                .transpose()
                .map_err(invalid)?,
            exclude: file
                .list
                .exclude
                .as_deref()
                .map(|p| regex("list.exclude", p))
                .transpose()
                .map_err(invalid)?,
            stop_at_seen: file.list.stop_at_seen.unwrap_or(false),
            overlap_days: file.list.overlap_days.max(0),
            content: file
                .detail
                .content
                .as_deref()
                .map(|s| selector("detail.content", s))
                .transpose()
                .map_err(invalid)?,
            fields,
            labels: file.detail.labels.into_iter().collect(),
            constants: file.detail.constants,
            assertions: file.assertions,
            fetch: file.fetch,
        })
    }

    /// Reads one crawler file.
    pub fn load(path: &Path) -> Result<CrawlerDef, CrawlError> {
        let text = std::fs::read_to_string(path).map_err(|e| CrawlError::Definition {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        CrawlerDef::parse(name, path, &text)
    }
}

/// Every `*.toml` in `dir`, sorted by name. A broken file is reported, not skipped silently.
pub fn load_dir(dir: &Path) -> Result<Vec<Result<CrawlerDef, CrawlError>>, CrawlError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| CrawlError::Definition { path: dir.display().to_string(), message: e.to_string() })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    Ok(paths.iter().map(|p| CrawlerDef::load(p)).collect())
}

impl FromStr for Encoding {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(Encoding::Auto),
            "utf-8" | "utf8" => Ok(Encoding::Utf8),
            "gbk" | "gb2312" => Ok(Encoding::Gbk),
            "gb18030" => Ok(Encoding::Gb18030),
            other => Err(format!("unknown encoding {other:?}; use auto, utf-8, gbk or gb18030")),
        }
    }
}
