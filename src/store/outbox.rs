//! The outbox and deliveries: what is waiting for each manager, what went out, what failed.
//!
//! A queued lead moves `queued` → `sending` (put into a delivery) → `sent`, or to `cancelled`
//! (it became invalid, blocked, suppressed or was worked before it went out) or `dead` (its
//! delivery's attempts ran out). Every move happens in one transaction with the delivery's.

use super::{decode_opportunity, Result, Store, StoreError};
use crate::model::{Commitments, Delivery, DeliveryState, QueuedLead};
use rusqlite::{params, OptionalExtension, TransactionBehavior};
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

impl Store {
    /// What earlier runs fixed for assignment: leads that keep their manager (queued, sent or
    /// worked), and each manager's leads queued in the seven days before `now`.
    pub fn commitments(&self, now: i64) -> Result<Commitments> {
        let mut commitments = Commitments::default();
        let mut stmt = self.conn.prepare(
            "SELECT opportunity_id, manager FROM outbox WHERE state <> 'cancelled'
             UNION ALL
             SELECT id, manager FROM opportunities WHERE status <> 'new' AND manager IS NOT NULL",
        )?;
        for row in stmt.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))? {
            let (lead, manager) = row?;
            commitments.pinned.entry(lead).or_insert(manager);
        }
        let mut stmt = self.conn.prepare(
            "SELECT manager, COUNT(*) FROM outbox WHERE state <> 'cancelled' AND queued_at > ?1 GROUP BY manager",
        )?;
        for row in
            stmt.query_map([now - WEEK], |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?)))?
        {
            let (manager, count) = row?;
            commitments.used.insert(manager, count as u32);
        }
        Ok(commitments)
    }

    /// Queued leads with their current state, best first.
    pub fn queued_leads(&self) -> Result<Vec<QueuedLead>> {
        let mut stmt = self.conn.prepare(
            "SELECT o.data, o.status, q.manager, q.queued_at FROM outbox q
             JOIN opportunities o ON o.id = q.opportunity_id
             WHERE q.state = 'queued' ORDER BY o.score DESC, o.id",
        )?;
        let rows = stmt.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?, row.get(3)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (data, status, manager, queued_at) = row?;
            out.push(QueuedLead { opportunity: decode_opportunity(&data, &status)?, manager, queued_at });
        }
        Ok(out)
    }

    /// Takes queued leads out of the outbox for good, with the reason.
    pub fn cancel_queued(&mut self, leads: &[(String, String)]) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut stmt = tx.prepare(
                "UPDATE outbox SET state = 'cancelled', reason = ?2 WHERE opportunity_id = ?1 AND state = 'queued'",
            )?;
            for (lead, reason) in leads {
                stmt.execute(params![lead, reason])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Leads a manager's deliveries planned in `[from, to)`, cancelled ones aside: what counts
    /// against the daily cap.
    pub fn planned_leads(&self, manager: &str, from: i64, to: i64) -> Result<u32> {
        let count: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM outbox WHERE manager = ?1 AND planned_at >= ?2 AND planned_at < ?3
               AND state IN ('sending', 'sent', 'dead')",
            params![manager, from, to],
            |row| row.get(0),
        )?;
        Ok(count as u32)
    }

    /// Per enterprise, leads planned in the seven days before `now` (any manager): the contact
    /// frequency a customer sees.
    pub fn recent_contacts(&self, now: i64) -> Result<HashMap<i64, u32>> {
        let mut stmt = self.conn.prepare(
            "SELECT enterprise_id, COUNT(*) FROM outbox WHERE planned_at > ?1 AND planned_at <= ?2
               AND state IN ('sending', 'sent', 'dead') GROUP BY enterprise_id",
        )?;
        let rows =
            stmt.query_map([now - WEEK, now], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?)))?;
        let mut out = HashMap::new();
        for row in rows {
            let (enterprise, count) = row?;
            out.insert(enterprise, count as u32);
        }
        Ok(out)
    }

    /// Whether a digest went to `manager` in `[from, to)`.
    pub fn digest_planned(&self, manager: &str, from: i64, to: i64) -> Result<bool> {
        let found: Option<i64> = self
            .conn
            .query_row(
                "SELECT 1 FROM deliveries WHERE manager = ?1 AND created_at >= ?2 AND created_at < ?3
                   AND json_extract(data, '$.digest') = 1 LIMIT 1",
                params![manager, from, to],
                |row| row.get(0),
            )
            .optional()?;
        Ok(found.is_some())
    }

    /// Stores planned deliveries and moves their leads from `queued` to `sending`, and the
    /// watches past the (change, record) sequence numbers their notices cover, atomically.
    pub fn plan_deliveries(
        &mut self,
        deliveries: &[Delivery],
        watched_upto: Option<(u64, u64)>,
    ) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if let Some((changes, records)) = watched_upto {
            tx.execute(
                "UPDATE watchlist SET since = max(since, ?1), record_since = max(record_since, ?2)",
                [changes as i64, records as i64],
            )?;
        }
        {
            let mut insert = tx.prepare(
                "INSERT INTO deliveries(id, manager, state, next_at, created_at, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            let mut take = tx.prepare(
                "UPDATE outbox SET state = 'sending', delivery_id = ?2, planned_at = ?3
                 WHERE opportunity_id = ?1 AND state = 'queued'",
            )?;
            for d in deliveries {
                insert.execute(params![
                    d.id,
                    d.manager,
                    d.state.as_str(),
                    d.next_at,
                    d.created_at,
                    serde_json::to_string(d)?
                ])?;
                for lead in &d.leads {
                    if take.execute(params![lead, d.id, d.created_at])? != 1 {
                        return Err(StoreError::Corrupt(format!("lead {lead} is not queued")));
                    }
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Deliveries whose next attempt is due at `now`.
    pub fn due_deliveries(&self, now: i64) -> Result<Vec<Delivery>> {
        self.deliveries_where("state = 'pending' AND next_at <= ?1 ORDER BY next_at, id", now)
    }

    /// Deliveries in a state (all when `None`), newest first.
    pub fn deliveries(&self, state: Option<DeliveryState>, limit: usize) -> Result<Vec<Delivery>> {
        let mut out = match state {
            Some(state) => {
                let mut stmt = self.conn.prepare(
                    "SELECT data FROM deliveries WHERE state = ?1 ORDER BY created_at DESC, id LIMIT ?2",
                )?;
                let rows =
                    stmt.query_map(params![state.as_str(), limit as i64], |row| row.get::<_, String>(0))?;
                rows.collect::<Result<Vec<_>, _>>()?
            }
            None => {
                let mut stmt =
                    self.conn.prepare("SELECT data FROM deliveries ORDER BY created_at DESC, id LIMIT ?1")?;
                let rows = stmt.query_map([limit as i64], |row| row.get::<_, String>(0))?;
                rows.collect::<Result<Vec<_>, _>>()?
            }
        }
        .into_iter()
        .map(|data| Ok(serde_json::from_str(&data)?))
        .collect::<Result<Vec<Delivery>>>()?;
        out.truncate(limit);
        Ok(out)
    }

    fn deliveries_where(&self, condition: &str, value: i64) -> Result<Vec<Delivery>> {
        let mut stmt = self.conn.prepare(&format!("SELECT data FROM deliveries WHERE {condition}"))?;
        let rows = stmt.query_map([value], |row| row.get::<_, String>(0))?;
        rows.map(|data| Ok(serde_json::from_str(&data?)?)).collect()
    }

    /// Records attempts' outcomes, each delivery as it now stands, in one transaction. Sent:
    /// its leads are sent and `pushed`. Dead: its leads are dead. Cancelled or narrowed: the
    /// leads it no longer covers are cancelled with the reasons given.
    pub fn record_deliveries(&mut self, outcomes: &[(Delivery, Vec<(String, String)>)]) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut update =
                tx.prepare("UPDATE deliveries SET state = ?2, next_at = ?3, data = ?4 WHERE id = ?1")?;
            let mut cancel = tx.prepare(
                "UPDATE outbox SET state = 'cancelled', reason = ?3 WHERE opportunity_id = ?1 AND delivery_id = ?2",
            )?;
            let mut leads = tx.prepare(
                "UPDATE outbox SET state = ?2 WHERE delivery_id = ?1 AND state IN ('sending', 'dead')",
            )?;
            let mut pushed = tx.prepare(
                "UPDATE opportunities SET status = 'pushed'
                 WHERE status = 'new' AND id IN (SELECT opportunity_id FROM outbox WHERE delivery_id = ?1 AND state = 'sent')",
            )?;
            for (delivery, dropped) in outcomes {
                update.execute(params![
                    delivery.id,
                    delivery.state.as_str(),
                    delivery.next_at,
                    serde_json::to_string(delivery)?
                ])?;
                for (lead, reason) in dropped {
                    cancel.execute(params![lead, delivery.id, reason])?;
                }
                let lead_state = match delivery.state {
                    DeliveryState::Sent => Some("sent"),
                    DeliveryState::Dead => Some("dead"),
                    DeliveryState::Pending | DeliveryState::Cancelled => None,
                };
                if let Some(state) = lead_state {
                    leads.execute(params![delivery.id, state])?;
                }
                if delivery.state == DeliveryState::Sent {
                    pushed.execute([&delivery.id])?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Puts a dead delivery back in line (an admin's re-queue): due at the next dispatch.
    pub fn requeue_delivery(&mut self, id: &str) -> Result<Option<Delivery>> {
        let now = 0;
        let data: Option<String> = self
            .conn
            .query_row("SELECT data FROM deliveries WHERE id = ?1", [id], |row| row.get(0))
            .optional()?;
        let Some(data) = data else { return Ok(None) };
        let mut delivery: Delivery = serde_json::from_str(&data)?;
        if delivery.state != DeliveryState::Dead {
            return Ok(Some(delivery));
        }
        delivery.state = DeliveryState::Pending;
        delivery.attempts = 0;
        delivery.next_at = now;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "UPDATE deliveries SET state = 'pending', next_at = ?2, data = ?3 WHERE id = ?1",
            params![id, now, serde_json::to_string(&delivery)?],
        )?;
        tx.execute("UPDATE outbox SET state = 'sending' WHERE delivery_id = ?1 AND state = 'dead'", [id])?;
        tx.commit()?;
        Ok(Some(delivery))
    }

    pub fn outbox_depth(&self) -> Result<OutboxDepth> {
        let mut depth = OutboxDepth::default();
        for (table, target) in [("outbox", &mut depth.leads), ("deliveries", &mut depth.deliveries)] {
            let mut stmt =
                self.conn.prepare(&format!("SELECT state, COUNT(*) FROM {table} GROUP BY state"))?;
            for row in stmt.query_map([], |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?)))? {
                let (state, count) = row?;
                target.insert(state, count);
            }
        }
        Ok(depth)
    }

    /// Per lead: when it was queued and when its delivery went out (Unix seconds), for the
    /// funnel.
    pub fn lead_deliveries(&self) -> Result<HashMap<String, (i64, Option<i64>)>> {
        let mut stmt = self.conn.prepare(
            "SELECT q.opportunity_id, q.queued_at, json_extract(d.data, '$.sent_at')
             FROM outbox q LEFT JOIN deliveries d ON d.id = q.delivery_id AND d.state = 'sent'",
        )?;
        let rows = stmt.query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?, row.get::<_, Option<i64>>(2)?))
        })?;
        let mut out = HashMap::new();
        for row in rows {
            let (lead, queued, sent) = row?;
            out.insert(lead, (queued, sent));
        }
        Ok(out)
    }
}
