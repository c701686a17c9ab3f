//! `oppgraph crawl` and `reextract`: choosing crawler files and running them from the command line.

use crate::{print_json, Refused};
use anyhow::Result;
use oppgraph::workspace::Workspace;
use std::path::Path;
use std::process::ExitCode;

/// Which crawlers a command means when it names none.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Unnamed {
    /// Runs: the enabled ones.
    Enabled,
    /// Status and re-extraction: every one.
    All,
}

/// The crawlers named (when none, as `unnamed` says), refusing unknown names and broken files.
pub(crate) fn select_crawlers(
    dir: &Path,
    names: &[String],
    unnamed: Unnamed,
) -> Result<Vec<oppgraph::ingest::crawl::CrawlerDef>> {
    let loaded = oppgraph::ingest::crawl::load_dir(dir).map_err(|e| Refused(e.to_string()))?;
    let mut defs = Vec::new();
    for def in loaded {
        match def {
            Ok(def) if names.contains(&def.name) => defs.push(def),
            // Without names: the enabled crawlers (a disabled one runs only when named).
            Ok(def) if names.is_empty() && (def.enabled || unnamed == Unnamed::All) => defs.push(def),
            Ok(_) => {}
            Err(error) => {
                let wanted = match &error {
                    oppgraph::ingest::crawl::CrawlError::Definition { path, .. } => {
                        let stem = Path::new(path).file_stem().and_then(|s| s.to_str()).unwrap_or_default();
                        names.is_empty() || names.iter().any(|n| n == stem)
                    }
                    _ => true,
                };
                if wanted {
                    return Err(Refused(error.to_string()).into());
                }
            }
        }
    }
    for name in names {
        if !defs.iter().any(|d| &d.name == name) {
            return Err(Refused(format!("no crawler named {name:?} in {}", dir.display())).into());
        }
    }
    Ok(defs)
}

/// A progress bar on a terminal (hidden otherwise) and a log line per failed item.
struct Bar(indicatif::ProgressBar);

impl oppgraph::ingest::crawl::Progress for Bar {
    fn list_page(&self, url: &str, items: usize) {
        self.0.set_message(format!("list {url}: {items} links"));
    }
    fn items_found(&self, count: usize) {
        self.0.set_length(count as u64);
        self.0.set_position(0);
        self.0.set_message("pages");
    }
    fn item_done(&self, url: &str, outcome: &str) {
        self.0.inc(1);
        if outcome == "failed" {
            self.0.suspend(|| tracing::warn!(%url, "item failed"));
        }
    }
}

pub(crate) fn crawl_command(
    data: &Path,
    dir: &Path,
    names: &[String],
    retry_failed: bool,
    status: bool,
) -> Result<ExitCode> {
    let defs = select_crawlers(dir, names, if status { Unnamed::All } else { Unnamed::Enabled })?;
    let workspace = oppgraph::workspace::SharedWorkspace::new(Workspace::open(data)?);
    if status {
        let guard = oppgraph::ingest::crawl::RunGuard::default();
        for def in &defs {
            let status = oppgraph::http::crawl_status(workspace.lock().store(), def, &guard)
                .map_err(|e| anyhow::anyhow!(e.to_string()))?;
            print_json(&status)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if defs.is_empty() {
        eprintln!("no enabled crawler in {} (name one to run a disabled crawler)", dir.display());
        return Ok(ExitCode::SUCCESS);
    }
    let runtime = tokio::runtime::Runtime::new()?;
    let mut failed = false;
    for def in &defs {
        let bar = indicatif::ProgressBar::new(0).with_style(
            indicatif::ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_prefix(def.name.clone());
        let progress = std::sync::Arc::new(Bar(bar.clone()));
        let options = oppgraph::ingest::crawl::RunOptions { retry_failed, progress };
        let sink: std::sync::Arc<dyn oppgraph::ingest::crawl::CrawlSink> =
            std::sync::Arc::new(workspace.clone());
        let run = runtime.block_on(oppgraph::ingest::crawl::run(def, sink, &options))?;
        bar.finish_and_clear();
        eprintln!(
            "{}: {:?}, {} list pages, {} links, {} fetched, {} new, {} changed, {} unchanged, {} failed{}",
            def.name,
            run.status,
            run.list_pages,
            run.items,
            run.fetched,
            run.new,
            run.changed,
            run.unchanged,
            run.failed,
            run.reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default()
        );
        print_json(&serde_json::json!({"name": def.name, "run": run}))?;
        failed |= run.status != oppgraph::model::RunStatus::Ok;
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}
