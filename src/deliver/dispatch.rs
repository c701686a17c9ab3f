//! One dispatch at a point in time: plan from the outbox, send what is due, record outcomes.
//!
//! The three steps are separate so the server holds the store only to plan and to record,
//! never across the network. At-least-once: a delivery is marked sent only after its channel
//! said so; a dispatcher killed in between sends it again next time under the same delivery id,
//! which receivers use to show it once.

use super::channel::{self, Outcome, Outgoing};
use super::outbox::{self, day_bounds, no_longer_deliverable, ManagerDay, PushSettings};
use crate::model::{DeliveryState, Manager};
use crate::store::{Store, StoreError};
use chrono::{DateTime, FixedOffset};
use futures_util::StreamExt;
use serde::Serialize;
use std::collections::HashMap;

/// What one dispatch did, as `oppgraph push` prints it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PushSummary {
    pub now: String,
    pub dry_run: bool,
    /// Inside quiet hours: nothing planned or sent.
    pub quiet: bool,
    /// Deliveries planned by this dispatch.
    pub planned: usize,
    /// Leads taken out of the outbox (invalid, blocked, suppressed, worked) before delivery.
    pub cancelled: usize,
    /// Leads waiting for a later dispatch (daily cap, digest time, contact frequency).
    pub waiting: usize,
    /// Of those, leads whose manager has no channel URL.
    pub no_channel: usize,
    /// Watchlist notices made by this dispatch.
    pub notices: usize,
    pub sent: usize,
    pub retrying: usize,
    pub dead: usize,
    pub deliveries: Vec<DeliveryReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeliveryReport {
    pub id: String,
    pub manager: String,
    pub channel: &'static str,
    pub leads: Vec<String>,
    /// sent, retry, dead, cancelled, or would_send (dry run)
    pub outcome: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_attempt: Option<String>,
}

/// Plans at `now` and collects what is due. In a dry run nothing is written.
/// How long a dispatcher holds the deliveries it is sending: longer than one dispatch takes,
/// short enough that a dispatcher that died is replaced at the next minute's dispatch after.
const CLAIM_SECONDS: i64 = 120;

pub fn prepare(
    store: &mut Store,
    settings: &PushSettings,
    now: &DateTime<FixedOffset>,
    dry_run: bool,
) -> Result<(PushSummary, Vec<Outgoing>), StoreError> {
    let time = now.timestamp();
    let mut summary = PushSummary { now: now.to_rfc3339(), dry_run, ..Default::default() };
    let managers: HashMap<String, Manager> =
        store.managers()?.into_iter().map(|m| (m.id.clone(), m)).collect();
    let queued = store.queued_leads()?;
    let (day_start, day_end) = day_bounds(now);
    let mut days: HashMap<String, ManagerDay> = HashMap::new();
    for lead in &queued {
        if !days.contains_key(&lead.manager) {
            let day = ManagerDay {
                planned_today: store.planned_leads(&lead.manager, day_start, day_end)?,
                digest_done: store.digest_planned(&lead.manager, day_start, day_end)?,
            };
            days.insert(lead.manager.clone(), day);
        }
    }
    let contacts = store.recent_contacts(time)?;
    let mut plan = outbox::plan(now, settings, &managers, queued, &days, contacts);
    summary.quiet = settings.is_quiet(now);
    // Watchlist notices wait out quiet hours like everything else.
    let mut watched_upto = None;
    if !summary.quiet {
        let (latest, notices) = super::watch::collect(store)?;
        summary.notices = notices.values().map(Vec::len).sum();
        plan.deliveries.extend(outbox::notice_deliveries(now, &managers, notices));
        watched_upto = Some(latest);
    }
    summary.planned = plan.deliveries.len();
    summary.cancelled = plan.cancel.len();
    summary.waiting = plan.waiting;
    summary.no_channel = plan.no_channel;
    let mut due = if dry_run { plan.deliveries.clone() } else { Vec::new() };
    if !dry_run {
        store.cancel_queued(&plan.cancel)?;
        store.plan_deliveries(&plan.deliveries, watched_upto)?;
    }
    if summary.quiet {
        return Ok((summary, Vec::new()));
    }
    // A dry run claims nothing; a real one claims what it sends (see CLAIM_SECONDS).
    due.extend(if dry_run {
        store.due_deliveries(time)?
    } else {
        store.claim_due_deliveries(time, CLAIM_SECONDS)?
    });
    let mut outgoing = Vec::new();
    for mut delivery in due {
        let mut leads = Vec::new();
        let mut dropped = Vec::new();
        for id in &delivery.leads {
            match store.opportunity(id)? {
                Some(lead) => match no_longer_deliverable(&lead) {
                    Some(reason) => dropped.push((id.clone(), reason)),
                    None => leads.push(lead),
                },
                None => dropped.push((id.clone(), "the lead is gone".to_string())),
            }
        }
        let manager = managers.get(&delivery.manager).cloned();
        if (leads.is_empty() && delivery.notices.is_empty()) || manager.is_none() {
            delivery.state = DeliveryState::Cancelled;
            delivery.last_error = Some(if manager.is_none() {
                format!("manager {} is gone", delivery.manager)
            } else {
                "every lead became invalid, blocked or suppressed first".into()
            });
            summary.cancelled += dropped.len();
            summary.deliveries.push(report(&delivery, "cancelled", None));
            if !dry_run {
                store.record_deliveries(&[(delivery, dropped)])?;
            }
            continue;
        }
        delivery.leads = leads.iter().map(|l| l.id.clone()).collect();
        summary.cancelled += dropped.len();
        let Some(manager) = manager else { continue };
        outgoing.push(Outgoing { delivery, manager, leads, dropped });
    }
    if dry_run {
        for o in &outgoing {
            summary.deliveries.push(report(&o.delivery, "would_send", None));
        }
        return Ok((summary, Vec::new()));
    }
    Ok((summary, outgoing))
}

fn report(delivery: &crate::model::Delivery, outcome: &'static str, error: Option<String>) -> DeliveryReport {
    DeliveryReport {
        id: delivery.id.clone(),
        manager: delivery.manager.clone(),
        channel: delivery.channel.as_str(),
        leads: delivery.leads.clone(),
        outcome,
        error,
        next_attempt: None,
    }
}

/// Sends every outgoing delivery: one manager's in order, managers side by side.
pub async fn send_all(outgoing: Vec<Outgoing>, settings: &PushSettings) -> Vec<(Outgoing, Outcome)> {
    let client = match reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(settings.timeout_seconds.max(1)))
        .user_agent(concat!("oppgraph-push/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            let reason = format!("cannot set up the HTTP client: {error}");
            return outgoing.into_iter().map(|o| (o, Outcome::Retry(reason.clone()))).collect();
        }
    };
    let mut by_manager: Vec<Vec<Outgoing>> = Vec::new();
    for o in outgoing {
        match by_manager.iter_mut().find(|group| group[0].manager.id == o.manager.id) {
            Some(group) => group.push(o),
            None => by_manager.push(vec![o]),
        }
    }
    let client = &client;
    let base_url = settings.base_url.as_str();
    futures_util::stream::iter(by_manager)
        .map(|group| async move {
            let mut out = Vec::new();
            for o in group {
                let outcome = channel::send(client, &o, base_url).await;
                out.push((o, outcome));
            }
            out
        })
        .buffer_unordered(8)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .flatten()
        .collect()
}

/// Records each attempt: sent, another attempt on the schedule, or dead.
pub fn record(
    store: &mut Store,
    settings: &PushSettings,
    now: &DateTime<FixedOffset>,
    results: Vec<(Outgoing, Outcome)>,
    summary: &mut PushSummary,
) -> Result<(), StoreError> {
    let time = now.timestamp();
    let mut outcomes = Vec::with_capacity(results.len());
    for (o, outcome) in results {
        let mut delivery = o.delivery;
        delivery.attempts += 1;
        let (label, error) = match outcome {
            Outcome::Sent => {
                delivery.state = DeliveryState::Sent;
                delivery.sent_at = Some(time);
                delivery.last_error = None;
                summary.sent += 1;
                ("sent", None)
            }
            Outcome::Retry(reason) => match settings.next_attempt(delivery.attempts, time) {
                Some(next) => {
                    delivery.next_at = next;
                    summary.retrying += 1;
                    ("retry", Some(reason))
                }
                None => {
                    delivery.state = DeliveryState::Dead;
                    summary.dead += 1;
                    ("dead", Some(reason))
                }
            },
            Outcome::GiveUp(reason) => {
                delivery.state = DeliveryState::Dead;
                summary.dead += 1;
                ("dead", Some(reason))
            }
        };
        if error.is_some() {
            delivery.last_error = error.clone();
            tracing::warn!(delivery = %delivery.id, manager = %delivery.manager, outcome = label, error = ?error, "delivery failed");
        }
        let mut line = report(&delivery, label, error);
        if label == "retry" {
            line.next_attempt = DateTime::from_timestamp(delivery.next_at, 0)
                .map(|t| t.with_timezone(now.offset()).to_rfc3339());
        }
        summary.deliveries.push(line);
        outcomes.push((delivery, o.dropped));
    }
    store.record_deliveries(&outcomes)
}
