//! The outbox and deliveries: what is waiting for each manager, what went out, what failed.
//!
//! A queued lead moves `queued` → `sending` (put into a delivery) → `sent`, or to `cancelled`
//! (it became invalid, blocked, suppressed or was worked before it went out) or `dead` (its
//! delivery's attempts ran out). Every move happens in one transaction with the delivery's.

use super::db::p;
use super::{decode_opportunity, json, Result, Store, StoreError};
use crate::model::{Commitments, Delivery, DeliveryState, EnterpriseId, QueuedLead};
use std::collections::HashMap;

/// Seconds in a week: capacity and contact frequency count the last seven days.
const WEEK: i64 = 7 * 24 * 3600;

/// How the outbox stands, for metrics and the admin's view.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct OutboxDepth {
    /// Lead counts by outbox state (queued, sending, sent, cancelled, dead).
    pub leads: HashMap<String, i64>,
    /// Delivery counts by state.
    pub deliveries: HashMap<String, i64>,
}

/// The condition on a lead (`alias` names the `opportunities` row) under which a mining write
/// drops it when the run no longer produces it: nobody acted on it (still new) and it was
/// never put into a delivery (at most queued). [`Store::commitments`] leaves out the queued
/// places of the leads a write is about to drop by the same condition.
pub(super) fn droppable(alias: &str) -> String {
    format!(
        "{alias}.status = 'new'
         AND NOT EXISTS (SELECT 1 FROM outbox d WHERE d.opportunity_id = {alias}.id AND d.state <> 'queued')"
    )
}

impl Store {
    /// What earlier runs fixed for assignment: leads that keep their manager (queued, sent or
    /// worked), and each manager's leads queued in the seven days before `now`.
    ///
    /// `dropping(lead, enterprise)` says which leads the coming write drops (see
    /// [`Store::write_leads`]): a dropped lead's place in the outbox is cancelled, so it pins
    /// no manager and takes none of their week.
    pub fn commitments(
        &self,
        now: i64,
        dropping: &dyn Fn(&str, EnterpriseId) -> bool,
    ) -> Result<Commitments> {
        let mut commitments = Commitments::default();
        let pinned: Vec<(String, String)> = self.db.query(
            "SELECT opportunity_id, manager FROM outbox WHERE state <> 'cancelled'
             UNION ALL
             SELECT id, manager FROM opportunities WHERE status <> 'new' AND manager IS NOT NULL",
            &[],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        for (lead, manager) in pinned {
            commitments.pinned.entry(lead).or_insert(manager);
        }
        let used: Vec<(String, i64)> = self.db.query(
            "SELECT manager, COUNT(*) FROM outbox WHERE state <> 'cancelled' AND queued_at > ?1 GROUP BY manager",
            p![now - WEEK],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        for (manager, count) in used {
            commitments.used.insert(manager, count as u32);
        }
        // Leads a write may still drop (`droppable`) that hold a queued place.
        let may_drop: Vec<(String, EnterpriseId, String, bool)> = self.db.query(
            &format!(
                "SELECT q.opportunity_id, o.enterprise_id, q.manager, q.queued_at > ?1 FROM outbox q
                 JOIN opportunities o ON o.id = q.opportunity_id
                 WHERE q.state = 'queued' AND {}",
                droppable("o")
            ),
            p![now - WEEK],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get::<i64>(3)? != 0)),
        )?;
        for (lead, enterprise, manager, this_week) in may_drop {
            if !dropping(&lead, enterprise) {
                continue;
            }
            commitments.pinned.remove(&lead);
            if this_week {
                if let Some(used) = commitments.used.get_mut(&manager) {
                    *used = used.saturating_sub(1);
                }
            }
        }
        Ok(commitments)
    }

    /// Queued leads with their current state, best first.
    pub fn queued_leads(&self) -> Result<Vec<QueuedLead>> {
        self.db.query(
            "SELECT o.data, o.status, q.manager, q.queued_at FROM outbox q
             JOIN opportunities o ON o.id = q.opportunity_id
             WHERE q.state = 'queued' ORDER BY o.score DESC, o.id",
            &[],
            |row| {
                Ok(QueuedLead {
                    opportunity: decode_opportunity(&row.get::<String>(0)?, &row.get::<String>(1)?)?,
                    manager: row.get(2)?,
                    queued_at: row.get(3)?,
                })
            },
        )
    }

    /// Takes queued leads out of the outbox for good, with the reason.
    pub fn cancel_queued(&mut self, leads: &[(String, String)]) -> Result<()> {
        let tx = self.db.begin_write()?;
        for (lead, reason) in leads {
            self.db.execute(
                "UPDATE outbox SET state = 'cancelled', reason = ?2 WHERE opportunity_id = ?1 AND state = 'queued'",
                p![lead, reason],
            )?;
        }
        tx.commit()
    }

    /// Leads a manager's deliveries planned in `[from, to)`, cancelled ones aside: what counts
    /// against the daily cap.
    pub fn planned_leads(&self, manager: &str, from: i64, to: i64) -> Result<u32> {
        let count: i64 = self.db.query_one(
            "SELECT COUNT(*) FROM outbox WHERE manager = ?1 AND planned_at >= ?2 AND planned_at < ?3
               AND state IN ('sending', 'sent', 'dead')",
            p![manager, from, to],
            |row| row.get(0),
        )?;
        Ok(count as u32)
    }

    /// Per enterprise, leads planned in the seven days before `now` (any manager): the contact
    /// frequency a customer sees.
    pub fn recent_contacts(&self, now: i64) -> Result<HashMap<i64, u32>> {
        let rows: Vec<(i64, i64)> = self.db.query(
            "SELECT enterprise_id, COUNT(*) FROM outbox WHERE planned_at > ?1 AND planned_at <= ?2
               AND state IN ('sending', 'sent', 'dead') GROUP BY enterprise_id",
            p![now - WEEK, now],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        Ok(rows.into_iter().map(|(enterprise, count)| (enterprise, count as u32)).collect())
    }

    /// Whether a digest went to `manager` in `[from, to)`.
    pub fn digest_planned(&self, manager: &str, from: i64, to: i64) -> Result<bool> {
        let digest = match self.db.backend() {
            super::Backend::Sqlite => "json_extract(data, '$.digest') = 1".to_string(),
            super::Backend::Postgres => format!("{} = 'true'", json(&self.db, "data", "digest", None)),
        };
        let found: Option<i64> = self.db.query_opt(
            &format!(
                "SELECT 1 FROM deliveries WHERE manager = ?1 AND created_at >= ?2 AND created_at < ?3
                   AND {digest} LIMIT 1"
            ),
            p![manager, from, to],
            |row| row.get(0),
        )?;
        Ok(found.is_some())
    }

    /// Stores planned deliveries and moves their leads from `queued` to `sending`, and the
    /// watches past the (change, record) sequence numbers their notices cover, atomically.
    pub fn plan_deliveries(
        &mut self,
        deliveries: &[Delivery],
        watched_upto: Option<(u64, u64)>,
    ) -> Result<()> {
        let tx = self.db.begin_write()?;
        if let Some((changes, records)) = watched_upto {
            self.db.execute(
                "UPDATE watchlist SET since = CASE WHEN since > ?1 THEN since ELSE ?1 END,
                   record_since = CASE WHEN record_since > ?2 THEN record_since ELSE ?2 END",
                p![changes as i64, records as i64],
            )?;
        }
        for d in deliveries {
            self.db.execute(
                "INSERT INTO deliveries(id, manager, state, next_at, created_at, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                p![d.id, d.manager, d.state.as_str(), d.next_at, d.created_at, serde_json::to_string(d)?],
            )?;
            for lead in &d.leads {
                let taken = self.db.execute(
                    "UPDATE outbox SET state = 'sending', delivery_id = ?2, planned_at = ?3
                     WHERE opportunity_id = ?1 AND state = 'queued'",
                    p![lead, d.id, d.created_at],
                )?;
                if taken != 1 {
                    return Err(StoreError::Corrupt(format!("lead {lead} is not queued")));
                }
            }
        }
        tx.commit()
    }

    /// Deliveries whose next attempt is due at `now`.
    pub fn due_deliveries(&self, now: i64) -> Result<Vec<Delivery>> {
        self.json_rows(
            "SELECT data FROM deliveries WHERE state = 'pending' AND next_at <= ?1 ORDER BY next_at, id",
            p![now],
        )
    }

    /// Claims the deliveries due at `now` that no other dispatcher holds, until `now + lease`
    /// seconds, and returns them (by due time). Recording an outcome releases the claim; a
    /// dispatcher that died leaves it to run out, and the next one sends again under the same
    /// delivery id. On PostgreSQL the rows are taken `FOR UPDATE SKIP LOCKED`.
    pub fn claim_due_deliveries(&mut self, now: i64, lease: i64) -> Result<Vec<Delivery>> {
        let skip_locked = match self.db.backend() {
            super::Backend::Sqlite => "",
            super::Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        };
        let tx = self.db.begin_write()?;
        let mut claimed: Vec<Delivery> = self.json_rows(
            &format!(
                "UPDATE deliveries SET claimed_until = ?2 WHERE id IN (
                   SELECT id FROM deliveries WHERE state = 'pending' AND next_at <= ?1
                     AND (claimed_until IS NULL OR claimed_until <= ?1) {skip_locked})
                 RETURNING data"
            ),
            p![now, now + lease],
        )?;
        tx.commit()?;
        claimed.sort_unstable_by(|a, b| (a.next_at, &a.id).cmp(&(b.next_at, &b.id)));
        Ok(claimed)
    }

    /// Deliveries in a state (all when `None`), newest first.
    pub fn deliveries(&self, state: Option<DeliveryState>, limit: usize) -> Result<Vec<Delivery>> {
        match state {
            Some(state) => self.json_rows(
                "SELECT data FROM deliveries WHERE state = ?1 ORDER BY created_at DESC, id LIMIT ?2",
                p![state.as_str(), limit as i64],
            ),
            None => self.json_rows(
                "SELECT data FROM deliveries ORDER BY created_at DESC, id LIMIT ?1",
                p![limit as i64],
            ),
        }
    }

    /// Records attempts' outcomes, each delivery as it now stands, in one transaction. Sent:
    /// its leads are sent and `pushed`. Dead: its leads are dead. Cancelled or narrowed: the
    /// leads it no longer covers are cancelled with the reasons given.
    pub fn record_deliveries(&mut self, outcomes: &[(Delivery, Vec<(String, String)>)]) -> Result<()> {
        let db = &self.db;
        let tx = db.begin_write()?;
        for (delivery, dropped) in outcomes {
            db.execute(
                "UPDATE deliveries SET state = ?2, next_at = ?3, data = ?4, claimed_until = NULL WHERE id = ?1",
                p![delivery.id, delivery.state.as_str(), delivery.next_at, serde_json::to_string(delivery)?],
            )?;
            for (lead, reason) in dropped {
                db.execute(
                    "UPDATE outbox SET state = 'cancelled', reason = ?3 WHERE opportunity_id = ?1 AND delivery_id = ?2",
                    p![lead, delivery.id, reason],
                )?;
            }
            let lead_state = match delivery.state {
                DeliveryState::Sent => Some("sent"),
                DeliveryState::Dead => Some("dead"),
                DeliveryState::Pending | DeliveryState::Cancelled => None,
            };
            if let Some(state) = lead_state {
                db.execute(
                    "UPDATE outbox SET state = ?2 WHERE delivery_id = ?1 AND state IN ('sending', 'dead')",
                    p![delivery.id, state],
                )?;
            }
            if delivery.state == DeliveryState::Sent {
                db.execute(
                    "UPDATE opportunities SET status = 'pushed'
                     WHERE status = 'new' AND id IN (SELECT opportunity_id FROM outbox WHERE delivery_id = ?1 AND state = 'sent')",
                    p![delivery.id],
                )?;
            }
        }
        tx.commit()
    }

    /// Puts a dead delivery back in line (an admin's re-queue): due at the next dispatch.
    pub fn requeue_delivery(&mut self, id: &str) -> Result<Option<Delivery>> {
        let now = 0;
        let Some(mut delivery) =
            self.json_row::<Delivery>("SELECT data FROM deliveries WHERE id = ?1", p![id])?
        else {
            return Ok(None);
        };
        if delivery.state != DeliveryState::Dead {
            return Ok(Some(delivery));
        }
        delivery.state = DeliveryState::Pending;
        delivery.attempts = 0;
        delivery.next_at = now;
        let tx = self.db.begin_write()?;
        self.db.execute(
            "UPDATE deliveries SET state = 'pending', next_at = ?2, data = ?3 WHERE id = ?1",
            p![id, now, serde_json::to_string(&delivery)?],
        )?;
        self.db.execute(
            "UPDATE outbox SET state = 'sending' WHERE delivery_id = ?1 AND state = 'dead'",
            p![id],
        )?;
        tx.commit()?;
        Ok(Some(delivery))
    }

    pub fn outbox_depth(&self) -> Result<OutboxDepth> {
        let mut depth = OutboxDepth::default();
        for (table, target) in [("outbox", &mut depth.leads), ("deliveries", &mut depth.deliveries)] {
            let rows: Vec<(String, i64)> = self.db.query(
                &format!("SELECT state, COUNT(*) FROM {table} GROUP BY state"),
                &[],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?;
            target.extend(rows);
        }
        Ok(depth)
    }

    /// Per lead: when it was queued and when its delivery went out (Unix seconds), for the
    /// funnel.
    pub fn lead_deliveries(&self) -> Result<HashMap<String, (i64, Option<i64>)>> {
        let rows: Vec<(String, i64, Option<i64>)> = self.db.query(
            &format!(
                "SELECT q.opportunity_id, q.queued_at, {}
                 FROM outbox q LEFT JOIN deliveries d ON d.id = q.delivery_id AND d.state = 'sent'",
                json(&self.db, "d.data", "sent_at", Some("bigint"))
            ),
            &[],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?;
        Ok(rows.into_iter().map(|(lead, queued, sent)| (lead, (queued, sent))).collect())
    }
}
