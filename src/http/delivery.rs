//! Delivery in the server: the dispatch [`AppState::push`] that the schedule runs after each
//! mining run and every minute, `POST /api/push`, the dead-letter view and re-queue
//! (`/api/deliveries`), the funnel (`GET /api/funnel`) and the delivery metrics.

use super::{ApiError, AppState, Caller};
use crate::deliver::dispatch::{self, PushSummary};
use crate::deliver::funnel::{self, FunnelBy, FunnelRow};
use crate::model::{Date, Delivery, DeliveryState};
use crate::workspace::Role;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use std::collections::BTreeMap;

/// Per (channel, outcome) attempt counts since the server started.
pub(super) type PushCounters = BTreeMap<(&'static str, &'static str), u64>;

impl AppState {
    /// One dispatch at `now`: plans and records under the workspace, sends without it.
    pub async fn push(&self, now: chrono::DateTime<chrono::FixedOffset>) -> Result<PushSummary, ApiError> {
        let (summary, outgoing, settings) = self
            .with_workspace(move |ws| {
                let (summary, outgoing) = ws.push_prepare(&now, false)?;
                Ok((summary, outgoing, ws.config().push.clone()))
            })
            .await?;
        if outgoing.is_empty() {
            return Ok(summary);
        }
        let results = dispatch::send_all(outgoing, &settings).await;
        {
            let mut counters = self.inner.push_counters.lock().unwrap_or_else(|p| p.into_inner());
            for (o, outcome) in &results {
                let label = match outcome {
                    crate::deliver::channel::Outcome::Sent => "sent",
                    crate::deliver::channel::Outcome::Retry(_) => "retry",
                    crate::deliver::channel::Outcome::GiveUp(_) => "give_up",
                };
                *counters.entry((o.manager.channel.as_str(), label)).or_default() += 1;
            }
        }
        self.with_workspace(move |ws| {
            let mut summary = summary;
            ws.push_record(&now, results, &mut summary)?;
            Ok(summary)
        })
        .await
    }

    /// Asks the push loop to dispatch now (after a mining run).
    pub fn request_push(&self) {
        self.inner.push_wanted.notify_one();
    }
}

/// `POST /api/push`: a dispatch now (admin).
pub(super) async fn push_now(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<PushSummary>, ApiError> {
    caller.require(&[])?;
    Ok(Json(state.push(chrono::Local::now().fixed_offset()).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DeliveriesParams {
    state: Option<String>,
    limit: Option<usize>,
}

/// `GET /api/deliveries?state=dead`: deliveries newest first (admin).
pub(super) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<DeliveriesParams>,
) -> Result<Json<Vec<Delivery>>, ApiError> {
    caller.require(&[])?;
    let wanted = match params.state.as_deref() {
        None | Some("") => None,
        Some(text) => Some(DeliveryState::parse(text).ok_or_else(|| {
            ApiError::BadRequest(format!("state {text:?} is not one of pending, sent, dead, cancelled"))
        })?),
    };
    let limit = params.limit.unwrap_or(100).clamp(1, 1000);
    Ok(Json(state.read(move |r| Ok(r.store.deliveries(wanted, limit)?)).await?))
}

/// `POST /api/deliveries/{id}/requeue`: a dead delivery back in line (admin).
pub(super) async fn requeue(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Delivery>, ApiError> {
    caller.require(&[])?;
    let actor = caller.name.clone();
    let delivery = state
        .with_workspace(move |ws| {
            let delivery =
                ws.requeue_delivery(&id)?.ok_or_else(|| ApiError::NotFound(format!("no delivery {id}")))?;
            if delivery.state != DeliveryState::Pending {
                return Err(ApiError::Conflict(format!(
                    "delivery {id} is {}; only a dead delivery is re-queued",
                    delivery.state.as_str()
                )));
            }
            ws.audit(&actor, "requeue_delivery", &id)?;
            Ok(delivery)
        })
        .await?;
    state.request_push();
    Ok(Json(delivery))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FunnelParams {
    by: Option<String>,
    from: Option<Date>,
    to: Option<Date>,
}

/// `GET /api/funnel?by=kind`: managers see their own leads' funnel, the other roles everyone's.
pub(super) async fn funnel(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<FunnelParams>,
) -> Result<Json<Vec<FunnelRow>>, ApiError> {
    let by_text = params.by.unwrap_or_else(|| "kind".into());
    let by = FunnelBy::parse(&by_text).ok_or_else(|| {
        ApiError::BadRequest(format!("by {by_text:?} is not one of source, kind, manager, region"))
    })?;
    let manager = match caller.role {
        Role::Manager => Some(
            caller.manager.clone().ok_or_else(|| ApiError::Forbidden("token has no manager id".into()))?,
        ),
        _ => None,
    };
    let rows = state
        .read(move |r| Ok(funnel::from_store(r.store, manager.as_deref(), by, params.from, params.to)?))
        .await?;
    Ok(Json(rows))
}

/// The delivery part of `/metrics`.
pub(super) async fn write_metrics(state: &AppState, text: &mut String) -> Result<(), ApiError> {
    let depth = state.read(|r| Ok(r.store.outbox_depth()?)).await?;
    text.push_str(
        "# HELP oppgraph_outbox_leads Leads in the outbox by state.\n# TYPE oppgraph_outbox_leads gauge\n",
    );
    for (state, count) in BTreeMap::from_iter(depth.leads) {
        text.push_str(&format!("oppgraph_outbox_leads{{state=\"{state}\"}} {count}\n"));
    }
    text.push_str("# HELP oppgraph_deliveries Deliveries by state.\n# TYPE oppgraph_deliveries gauge\n");
    for (state, count) in BTreeMap::from_iter(depth.deliveries) {
        text.push_str(&format!("oppgraph_deliveries{{state=\"{state}\"}} {count}\n"));
    }
    text.push_str("# HELP oppgraph_delivery_attempts_total Delivery attempts since start by channel and outcome (sent, retry, give_up).\n# TYPE oppgraph_delivery_attempts_total counter\n");
    let counters = state.inner.push_counters.lock().unwrap_or_else(|p| p.into_inner()).clone();
    for ((channel, outcome), count) in counters {
        text.push_str(&format!(
            "oppgraph_delivery_attempts_total{{channel=\"{channel}\",outcome=\"{outcome}\"}} {count}\n"
        ));
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WatchParams {
    watcher: Option<String>,
}

/// `GET /api/watchlist`: a manager's own watches; other roles everyone's (or `?watcher=`).
pub(super) async fn watchlist(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<WatchParams>,
) -> Result<Json<Vec<crate::model::Watch>>, ApiError> {
    let watcher = match caller.role {
        Role::Manager => Some(own_watcher(&caller)?),
        _ => params.watcher,
    };
    Ok(Json(state.read(move |r| Ok(r.store.watches(watcher.as_deref())?)).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WatchBody {
    enterprise: i64,
    /// Whose channel gets the notices: a manager's own for managers; for risk staff and
    /// admins a managers-table id (default: the token's manager id).
    watcher: Option<String>,
    /// Also the owners within two hops (default: yes for risk staff, no for managers).
    owners: Option<bool>,
}

fn own_watcher(caller: &Caller) -> Result<String, ApiError> {
    caller.manager.clone().ok_or_else(|| ApiError::Forbidden("token has no manager id".into()))
}

/// `POST /api/watchlist`: watch an enterprise (managers and risk staff).
pub(super) async fn watch(
    State(state): State<AppState>,
    caller: Caller,
    body: Result<Json<WatchBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<crate::model::Watch>, ApiError> {
    let Json(body) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    caller.require(&[Role::Manager, Role::Risk])?;
    let watcher = match caller.role {
        Role::Manager => {
            let own = own_watcher(&caller)?;
            if body.watcher.as_ref().is_some_and(|w| *w != own) {
                return Err(ApiError::Forbidden("managers watch for themselves".into()));
            }
            own
        }
        // A token bound to no manager must say whose channel gets the notices.
        _ => body.watcher.or_else(|| caller.manager.clone()).ok_or_else(|| {
            ApiError::Forbidden(
                "this token is bound to no manager: name the `watcher` whose channel gets the notices".into(),
            )
        })?,
    };
    let owners = body.owners.unwrap_or(caller.role == Role::Risk);
    let enterprise = body.enterprise;
    let actor = caller.name.clone();
    let watch = state
        .with_workspace(move |ws| {
            if ws.store().enterprise(enterprise)?.is_none() {
                return Err(ApiError::NotFound(format!("no enterprise {enterprise}")));
            }
            let watch = ws
                .watch(&watcher, enterprise, owners)?
                .ok_or_else(|| ApiError::NotFound(format!("no manager {watcher:?} to send notices to")))?;
            ws.audit(&actor, "watch", &format!("{watcher} {enterprise}"))?;
            Ok(watch)
        })
        .await?;
    Ok(Json(watch))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CampaignParams {
    depth: Option<usize>,
}

/// `GET /api/campaign/{id}`: a core customer's chain as one batch (analysts, risk, admins).
pub(super) async fn campaign(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(params): Query<CampaignParams>,
) -> Result<Json<Vec<crate::deliver::campaign::CampaignMember>>, ApiError> {
    caller.require(&[Role::Analyst, Role::Risk])?;
    let depth = params.depth.unwrap_or(2).clamp(1, 3);
    let graph = state.graph().await?;
    let members = state
        .read(move |r| {
            if r.store.enterprise(id)?.is_none() {
                return Err(ApiError::NotFound(format!("no enterprise {id}")));
            }
            Ok(crate::deliver::campaign::campaign(&graph, r.store, id, depth)?)
        })
        .await?;
    Ok(Json(members))
}
