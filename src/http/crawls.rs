//! Crawls in the server: `GET /api/crawls`, `POST /api/crawls/{name}/run`, the crawl metrics,
//! and [`AppState::crawl`], which the schedule and the API share.

use super::{ApiError, AppState, Caller};
use crate::ingest::crawl::{self, CrawlStatus, CrawlerDef, RunOptions};
use crate::model::{CrawlRun, RunStatus};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use std::sync::Arc;

/// Per-crawler counters since the server started.
#[derive(Debug, Clone, Default)]
pub(super) struct Counters {
    runs_ok: u64,
    runs_failed: u64,
    fetched: u64,
    new: u64,
    failed: u64,
    requests: u64,
    last_success: Option<i64>,
}

impl AppState {
    /// The crawler definitions of the crawlers folder (broken files included, as errors).
    pub fn crawler_defs(&self) -> Result<Vec<Result<CrawlerDef, crawl::CrawlError>>, ApiError> {
        let Some(dir) = &self.inner.crawlers else { return Ok(Vec::new()) };
        if !dir.is_dir() {
            return Ok(Vec::new());
        }
        crawl::load_dir(dir).map_err(|e| ApiError::internal(e.to_string()))
    }

    /// Finds one crawler by name.
    pub fn crawler(&self, name: &str) -> Result<CrawlerDef, ApiError> {
        self.crawler_defs()?
            .into_iter()
            .find_map(|d| match d {
                Ok(def) if def.name == name => Some(Ok(def)),
                Err(crawl::CrawlError::Definition { path, message })
                    if std::path::Path::new(&path).file_stem().is_some_and(|s| s == name) =>
                {
                    Some(Err(ApiError::Conflict(format!("crawler {name} cannot run: {message}"))))
                }
                _ => None,
            })
            .unwrap_or_else(|| Err(ApiError::NotFound(format!("no crawler named {name:?}"))))
    }

    /// Runs a crawler now (never two runs of one crawler at once) and asks for mining when it
    /// brought anything new.
    pub async fn crawl(&self, def: &CrawlerDef, options: RunOptions) -> Result<CrawlRun, ApiError> {
        let _running = self
            .inner
            .crawl_runs
            .try_start(&def.name)
            .ok_or_else(|| ApiError::Conflict(format!("crawler {} is already running", def.name)))?;
        let sink: Arc<dyn crawl::CrawlSink> = Arc::new(self.inner.workspace.clone());
        let run = crawl::run(def, sink, &options).await.map_err(|e| ApiError::internal(e.to_string()))?;
        let mut counters = self.inner.crawl_counters.lock().unwrap_or_else(|p| p.into_inner());
        let entry = counters.entry(def.name.clone()).or_default();
        match run.status {
            RunStatus::Ok => {
                entry.runs_ok += 1;
                entry.last_success = Some(chrono::Local::now().timestamp());
            }
            _ => entry.runs_failed += 1,
        }
        entry.fetched += run.fetched as u64;
        entry.new += (run.new + run.changed) as u64;
        entry.failed += run.failed as u64;
        entry.requests += run.requests;
        tracing::info!(crawler = %def.name, status = ?run.status, new = run.new, changed = run.changed,
            unchanged = run.unchanged, failed = run.failed, "crawl finished");
        Ok(run)
    }

    /// Every crawler's last run and failed items.
    pub async fn crawl_statuses(&self) -> Result<Vec<CrawlStatus>, ApiError> {
        let defs = self.crawler_defs()?;
        let guard = self.inner.crawl_runs.clone();
        self.read(move |r| {
            let mut statuses = Vec::new();
            for def in defs {
                statuses.push(match def {
                    Ok(def) => crawl_status(r.store, &def, &guard)?,
                    Err(error) => {
                        let (name, message) = match &error {
                            crawl::CrawlError::Definition { path, message } => (
                                std::path::Path::new(path)
                                    .file_stem()
                                    .and_then(|s| s.to_str())
                                    .unwrap_or(path)
                                    .to_string(),
                                message.clone(),
                            ),
                            other => (String::new(), other.to_string()),
                        };
                        CrawlStatus {
                            name,
                            enabled: false,
                            kind: None,
                            schedule: None,
                            next_run: None,
                            last_run: None,
                            failures: Vec::new(),
                            error: Some(message),
                        }
                    }
                });
            }
            Ok(statuses)
        })
        .await
    }
}

/// One crawler's status from the store.
pub fn crawl_status(
    store: &crate::store::Store,
    def: &CrawlerDef,
    guard: &crawl::RunGuard,
) -> Result<CrawlStatus, ApiError> {
    let mut last_run = store.crawl_runs(&def.name, 1)?.into_iter().next();
    // A run marked running that this process is not running was cut off.
    if let Some(run) =
        last_run.as_mut().filter(|r| r.status == RunStatus::Running && !guard.is_running(&def.name))
    {
        run.status = RunStatus::Failed;
        run.reason = Some("interrupted: the process stopped before the run finished".into());
    }
    Ok(CrawlStatus {
        name: def.name.clone(),
        enabled: def.enabled,
        kind: Some(def.kind.as_str().to_string()),
        schedule: def.schedule.as_ref().map(|s| s.expression.clone()),
        next_run: def
            .schedule
            .as_ref()
            .filter(|_| def.enabled)
            .and_then(|s| s.next_after(chrono::Local::now()))
            .map(|t| t.format("%Y-%m-%dT%H:%M:%S%:z").to_string()),
        last_run,
        failures: store.crawl_failures(&def.name)?,
        error: None,
    })
}

pub(super) async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<CrawlStatus>>, ApiError> {
    caller.require(&[crate::workspace::Role::Analyst, crate::workspace::Role::Risk])?;
    Ok(Json(state.crawl_statuses().await?))
}

pub(super) async fn start(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    caller.require(&[])?;
    let def = state.crawler(&name)?;
    if state.inner.crawl_runs.is_running(&name) {
        return Err(ApiError::Conflict(format!("crawler {name} is already running")));
    }
    let actor = caller.name.clone();
    let background = state.clone();
    tokio::spawn(async move {
        tracing::info!(crawler = %def.name, by = %actor, "crawl started through the API");
        match background.crawl(&def, RunOptions::default()).await {
            Ok(_) => background.request_mining(),
            Err(error) => tracing::warn!(crawler = %def.name, %error, "crawl started through the API failed"),
        }
    });
    Ok((StatusCode::ACCEPTED, Json(serde_json::json!({"crawler": name, "status": "started"}))))
}

pub(super) async fn write_metrics(state: &AppState, text: &mut String) -> Result<(), ApiError> {
    let counters = state.inner.crawl_counters.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let mut family = |name: &str, kind: &str, help: &str, value: &dyn Fn(&Counters) -> Option<String>| {
        text.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n"));
        for (crawler, c) in &counters {
            if let Some(v) = value(c) {
                text.push_str(&format!("{name}{{crawler=\"{crawler}\"}} {v}\n"));
            }
        }
    };
    family("oppgraph_crawl_runs_ok_total", "counter", "Crawl runs that finished ok.", &|c| {
        Some(c.runs_ok.to_string())
    });
    family("oppgraph_crawl_runs_failed_total", "counter", "Crawl runs marked failed.", &|c| {
        Some(c.runs_failed.to_string())
    });
    family("oppgraph_crawl_pages_fetched_total", "counter", "Detail pages fetched with new content.", &|c| {
        Some(c.fetched.to_string())
    });
    family("oppgraph_crawl_records_stored_total", "counter", "Records created or changed by crawls.", &|c| {
        Some(c.new.to_string())
    });
    family("oppgraph_crawl_items_failed_total", "counter", "Items that failed.", &|c| {
        Some(c.failed.to_string())
    });
    family("oppgraph_crawl_requests_total", "counter", "HTTP requests sent by crawls.", &|c| {
        Some(c.requests.to_string())
    });
    family(
        "oppgraph_crawl_last_success_timestamp_seconds",
        "gauge",
        "When the crawler last finished a run ok (Unix time).",
        &|c| c.last_success.map(|t| t.to_string()),
    );
    Ok(())
}
