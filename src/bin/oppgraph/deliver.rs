//! `oppgraph push`, `deliveries`, `feedback`, `watch` and `funnel`: the delivery loop from the
//! command line.

use crate::{find_enterprise, print_json, Refused};
use anyhow::Result;
use oppgraph::model::{DeliveryState, Feedback};
use oppgraph::workspace::Workspace;
use std::path::Path;
use std::process::ExitCode;

/// `--now` as a time with its offset (RFC 3339), or a local time without one
/// (`2026-11-24T09:00:00`, `2026-11-24 09:00`); without `--now`, the clock.
fn parse_now(now: Option<&str>) -> Result<chrono::DateTime<chrono::FixedOffset>> {
    use chrono::TimeZone;
    let Some(text) = now.map(str::trim) else { return Ok(chrono::Local::now().fixed_offset()) };
    if let Ok(time) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(time);
    }
    for format in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(naive) = chrono::NaiveDateTime::parse_from_str(text, format) {
            if let Some(local) = chrono::Local.from_local_datetime(&naive).earliest() {
                return Ok(local.fixed_offset());
            }
        }
    }
    Err(Refused(format!(
        "--now {text:?} is not an RFC 3339 time like 2026-11-24T09:00:00+08:00 (or a local 2026-11-24T09:00:00)"
    ))
    .into())
}

pub(crate) fn push_command(data: &Path, now: Option<&str>, dry_run: bool) -> Result<ExitCode> {
    let now = parse_now(now)?;
    let mut workspace = Workspace::open(data)?;
    let summary = workspace.push(&now, dry_run)?;
    print_json(&summary)?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn deliveries_command(
    data: &Path,
    state: Option<&str>,
    limit: usize,
    requeue: Option<&str>,
) -> Result<ExitCode> {
    let mut workspace = Workspace::open(data)?;
    if let Some(id) = requeue {
        return match workspace.requeue_delivery(id)? {
            Some(delivery) if delivery.state == DeliveryState::Pending => {
                print_json(&delivery)?;
                Ok(ExitCode::SUCCESS)
            }
            Some(delivery) => Err(Refused(format!(
                "delivery {id} is {}, not dead: only a dead delivery is re-queued",
                delivery.state.as_str()
            ))
            .into()),
            None => Err(Refused(format!("no delivery {id}")).into()),
        };
    }
    let state = match state {
        None => None,
        Some(text) => Some(DeliveryState::parse(text).ok_or_else(|| {
            Refused(format!("--state {text:?} is not one of pending, sent, dead, cancelled"))
        })?),
    };
    for delivery in workspace.store().deliveries(state, limit)? {
        print_json(&delivery)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn feedback_command(
    data: &Path,
    id: &str,
    status: &str,
    reason: Option<String>,
    note: Option<String>,
    actor: Option<String>,
) -> Result<ExitCode> {
    let mut workspace = Workspace::open(data)?;
    let Some(lead) = workspace.store().opportunity(id)? else {
        return Err(Refused(format!("no lead {id}")).into());
    };
    let actor = actor.or(lead.manager).unwrap_or_else(|| "cli".into());
    let feedback = Feedback::checked(id, &actor, status, reason, note).map_err(Refused)?;
    workspace.add_feedback(&feedback)?;
    let updated = workspace.store().opportunity(id)?;
    print_json(&updated)?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn funnel_command(
    data: &Path,
    by: &str,
    from: Option<oppgraph::model::Date>,
    to: Option<oppgraph::model::Date>,
) -> Result<ExitCode> {
    use oppgraph::deliver::funnel::{from_store, FunnelBy};
    let by = FunnelBy::parse(by)
        .ok_or_else(|| Refused(format!("--by {by:?} is not one of source, kind, manager, region")))?;
    let workspace = Workspace::open(data)?;
    for row in from_store(workspace.store(), None, by, from, to)? {
        print_json(&row)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn watch_command(
    data: &Path,
    ent: Option<&str>,
    watcher: Option<&str>,
    owners: bool,
    remove: bool,
    list: bool,
) -> Result<ExitCode> {
    let mut workspace = Workspace::open(data)?;
    if list {
        for watch in workspace.store().watches(watcher)? {
            print_json(&watch)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let ent = ent.ok_or_else(|| Refused("name the enterprise to watch, or pass --list".into()))?;
    let watcher =
        watcher.ok_or_else(|| Refused("--watcher (a manager id with a channel) is required".into()))?;
    let enterprises = workspace.store().enterprises()?;
    let resolver = workspace.store().resolver()?;
    let id = find_enterprise(&resolver, &enterprises, ent)?;
    if remove {
        let removed = workspace.unwatch(watcher, id)?;
        print_json(&serde_json::json!({"watcher": watcher, "enterprise": id, "removed": removed}))?;
        return Ok(ExitCode::SUCCESS);
    }
    match workspace.watch(watcher, id, owners)? {
        Some(watch) => {
            print_json(&watch)?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            Err(Refused(format!("no manager {watcher:?}: a watcher is a managers-table id with a channel"))
                .into())
        }
    }
}

pub(crate) fn campaign_command(data: &Path, customer: &str, depth: usize) -> Result<ExitCode> {
    let workspace = Workspace::open(data)?;
    let enterprises = workspace.store().enterprises()?;
    let resolver = workspace.store().resolver()?;
    let id = find_enterprise(&resolver, &enterprises, customer)?;
    for member in workspace.campaign(id, depth.clamp(1, 3))? {
        print_json(&member)?;
    }
    Ok(ExitCode::SUCCESS)
}
