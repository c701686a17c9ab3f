//! What the store keeps about crawling: each page fetched, each run, each failed item.

use super::Date;
use serde::{Deserialize, Serialize};

/// A detail page as last fetched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageState {
    pub url: String,
    pub crawler: String,
    /// The URL after redirects.
    pub final_url: String,
    /// xxh3-128 of the page's bytes, hex: its name in `<data>/pages/`.
    pub hash: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// The `Content-Type` charset the page came with.
    pub charset: Option<String>,
    /// The title and date the list page showed next to the link.
    pub list_title: Option<String>,
    pub list_date: Option<Date>,
    /// Columns read off the list entry (`list.fields`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub list_fields: std::collections::BTreeMap<String, String>,
    /// The record the page became; `None` while it could not become one (see the failures).
    pub record_id: Option<String>,
    pub fetched: Date,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Running,
    Ok,
    Failed,
}

/// One crawl run, in the contract's shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrawlRun {
    pub started: String,
    pub finished: Option<String>,
    pub status: RunStatus,
    /// Why a failed run failed (a broken assertion, unreachable list pages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `--retry-failed` runs fetch only earlier failures.
    #[serde(default)]
    pub retry_failed: bool,
    pub list_pages: usize,
    /// Detail links found on the list pages (or failures retried).
    #[serde(default)]
    pub items: usize,
    pub fetched: usize,
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub failed: usize,
    /// HTTP requests sent (robots.txt, list pages, retries included).
    #[serde(default)]
    pub requests: u64,
}

/// An item that failed, kept until a later run fetches it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrawlFailure {
    pub url: String,
    pub reason: String,
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}
