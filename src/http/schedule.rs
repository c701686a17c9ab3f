//! What `serve` does on its own: each crawler on its cron schedule (with jitter, never two runs
//! of one crawler at once), and mining, debounced, whenever the store changed since the last
//! run — through a crawl, an API import or another process's CLI import — plus every
//! `mine_every_minutes` (or never, when mining runs elsewhere). Each check also indexes records
//! another process stored but did not index. The outbox is dispatched after each mining run and
//! every minute.
//!
//! Over a PostgreSQL store several nodes serve at once: every node keeps its index caught up,
//! and only the one that leads ([`crate::store::Leadership`]) crawls on schedule, mines and
//! pushes. When it dies another takes the lead at its next check (seconds).

use super::AppState;
use crate::ingest::crawl::{CrawlerDef, RunOptions};
use rand::{Rng, SeedableRng};
use std::time::Duration;

/// How the server's own work is paced.
#[derive(Debug, Clone)]
pub struct ScheduleConfig {
    /// How often the store is checked for changes that need mining.
    pub check_every: Duration,
    /// Mine at all: `false` when mining runs elsewhere (`oppgraph mine` from cron beside
    /// the server). The index still follows what other processes store.
    pub mines: bool,
    /// Minutes between mining runs even when nothing changed (0: only on changes).
    pub mine_every_minutes: u64,
    /// Run each crawler on its schedule.
    pub crawls: bool,
    /// Dispatch the outbox after each mining run and this often (retries come due, quiet
    /// hours end, a digest's time comes); `None`: never push.
    pub push_every: Option<Duration>,
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        ScheduleConfig {
            check_every: Duration::from_secs(5),
            mines: true,
            mine_every_minutes: 60,
            crawls: true,
            push_every: Some(Duration::from_secs(60)),
        }
    }
}

impl AppState {
    /// Asks the mining loop to check for changes now.
    pub fn request_mining(&self) {
        self.inner.mine_wanted.notify_one();
    }
}

/// Starts the schedule's tasks; they end with the runtime.
pub fn spawn(state: &AppState, config: ScheduleConfig) {
    if config.crawls {
        match state.crawler_defs() {
            Ok(defs) => {
                for def in defs {
                    match def {
                        Ok(def) if def.schedule.is_some() && def.enabled => {
                            tokio::spawn(crawl_on_schedule(state.clone(), def));
                        }
                        Ok(_) => {}
                        Err(error) => tracing::warn!(%error, "crawler not scheduled"),
                    }
                }
            }
            Err(error) => tracing::warn!(%error, "cannot read the crawlers folder"),
        }
    }
    if let Some(every) = config.push_every {
        tokio::spawn(push_regularly(state.clone(), every));
    }
    tokio::spawn(mine_when_changed(state.clone(), config));
}

async fn push_regularly(state: AppState, every: Duration) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = state.inner.push_wanted.notified() => {}
        }
        if !state.leads().await {
            continue;
        }
        match state.push(chrono::Local::now().fixed_offset()).await {
            Ok(summary) if summary.sent + summary.retrying + summary.dead > 0 => tracing::info!(
                sent = summary.sent,
                retrying = summary.retrying,
                dead = summary.dead,
                waiting = summary.waiting,
                "push"
            ),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "push failed"),
        }
    }
}

async fn crawl_on_schedule(state: AppState, def: CrawlerDef) {
    let Some(schedule) = def.schedule.clone() else { return };
    let mut rng = rand_chacha::ChaCha8Rng::from_os_rng();
    loop {
        let now = chrono::Local::now();
        let Some(next) = schedule.next_after(now) else {
            tracing::warn!(crawler = %def.name, "schedule never fires again");
            return;
        };
        // Jitter of up to a tenth of the interval (at most a minute) spreads crawlers that
        // share a schedule.
        let following = schedule.next_after(next).unwrap_or(next);
        let interval = (following - next).to_std().unwrap_or(Duration::ZERO);
        let jitter = rng.random_range(0..=(interval.as_millis() as u64 / 10).min(60_000));
        let wait = (next - now).to_std().unwrap_or(Duration::ZERO) + Duration::from_millis(jitter);
        tokio::time::sleep(wait).await;
        if !state.leads().await {
            tracing::debug!(crawler = %def.name, "another node leads: it runs this crawl");
            continue;
        }
        match state.crawl(&def, RunOptions::default()).await {
            Ok(run) if run.new + run.changed > 0 => state.request_mining(),
            Ok(_) => {}
            Err(error) => tracing::warn!(crawler = %def.name, %error, "scheduled crawl did not run"),
        }
    }
}

/// What the mining loop does after a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Mine,
    /// Check again; the change-log position seen, while changes wait to be mined.
    Wait(Option<u64>),
}

/// The debounce: changes are mined once the change log stopped moving for one check and no
/// import is open (an import commits in parts, and the log stands still between two of them;
/// see [`crate::store::Store::open_import`]); a run that is `due` goes ahead regardless.
/// `changed` is the log's position when it holds changes not mined yet; `pending` what the
/// last check saw.
fn debounce(changed: Option<u64>, importing: bool, pending: Option<u64>, due: bool) -> Step {
    match changed {
        _ if due => Step::Mine,
        Some(seq) if pending == Some(seq) && !importing => Step::Mine,
        Some(seq) => Step::Wait(Some(seq)),
        None => Step::Wait(None),
    }
}

async fn mine_when_changed(state: AppState, config: ScheduleConfig) {
    let mut last_mined = tokio::time::Instant::now();
    let mut pending_since: Option<u64> = None;
    loop {
        let checked = state
            .with_workspace(|ws| {
                ws.sync_index()?;
                let changed =
                    ws.needs_mining()?.then(|| ws.store().graph_version().map(|v| v.seq)).transpose()?;
                Ok((changed, ws.store().imports_open()? > 0))
            })
            .await;
        let due = config.mine_every_minutes > 0
            && last_mined.elapsed() >= Duration::from_secs(config.mine_every_minutes * 60);
        // Every node keeps its index caught up (above); only the leader mines, if it mines.
        let leads = config.mines && state.leads().await;
        match checked {
            Ok((changed, importing)) => {
                let changed = changed.filter(|_| leads);
                match debounce(changed, importing, pending_since, due && leads) {
                    Step::Mine => {
                        pending_since = None;
                        run_mining(&state).await;
                        last_mined = tokio::time::Instant::now();
                    }
                    Step::Wait(seen) => pending_since = seen,
                }
            }
            Err(error) => tracing::warn!(%error, "cannot check the store for changes"),
        }
        let check_every = if pending_since.is_some() {
            config.check_every.min(Duration::from_secs(2))
        } else {
            config.check_every
        };
        tokio::select! {
            _ = tokio::time::sleep(check_every) => {}
            _ = state.inner.mine_wanted.notified() => {}
        }
    }
}

async fn run_mining(state: &AppState) {
    tracing::info!("mining started");
    match state.mine(chrono::Local::now().date_naive()).await {
        Ok(summary) => tracing::info!(live = summary.live, total = summary.opportunities, "mining run"),
        Err(error) => tracing::error!(%error, "mining run failed"),
    }
}

#[cfg(test)]
mod tests {
    use super::{debounce, Step};

    #[test]
    fn changes_are_mined_once_the_log_stands_still_and_no_import_is_open() {
        // Nothing to mine: nothing waits, unless a run is due.
        assert_eq!(debounce(None, false, None, false), Step::Wait(None));
        assert_eq!(debounce(None, false, Some(7), false), Step::Wait(None));
        assert_eq!(debounce(None, true, None, true), Step::Mine);
        // New changes are seen first, mined when the next check finds the log where it was.
        assert_eq!(debounce(Some(7), false, None, false), Step::Wait(Some(7)));
        assert_eq!(debounce(Some(9), false, Some(7), false), Step::Wait(Some(9)));
        assert_eq!(debounce(Some(9), false, Some(9), false), Step::Mine);
        // An open import holds the run back while the log stands still between its parts...
        assert_eq!(debounce(Some(9), true, Some(9), false), Step::Wait(Some(9)));
        // ...and the run follows at the first check after it closed.
        assert_eq!(debounce(Some(9), false, Some(9), false), Step::Mine);
        // A run that is due does not wait for an import.
        assert_eq!(debounce(Some(9), true, Some(9), true), Step::Mine);
    }
}
