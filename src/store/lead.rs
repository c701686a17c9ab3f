//! Which node leads: on PostgreSQL, exactly one `serve` node at a time runs the scheduled work
//! (crawls, mining, push); the others serve reads and keep their index and graph caught up.
//!
//! The lead is a session-level advisory lock held by a connection of its own. A node that dies
//! closes its connection and the server frees the lock at once; a node cut off from the server
//! loses it when the server notices the connection is gone (TCP keepalive), and finds out at
//! its next check. A SQLite store is one machine's: its node always leads.

use super::db::{p, Db};
use super::{Location, Result};

/// The advisory lock key of the lead ("oppgraph" + 1; the write lock is "oppgraph").
const LEAD_LOCK: i64 = 0x6f70_7067_7261_7069;

pub struct Leadership {
    location: Location,
    /// The connection that holds the lock, or asks for it at each check.
    conn: Option<Db>,
    leads: bool,
}

impl Leadership {
    pub fn new(location: &Location) -> Leadership {
        Leadership { location: location.clone(), conn: None, leads: false }
    }

    /// Whether this node leads now: a held lead is confirmed (its connection still answers),
    /// a free one is taken. An error (the server unreachable) means it does not lead.
    pub fn check(&mut self) -> Result<bool> {
        let Location::Postgres(url) = &self.location else { return Ok(true) };
        let answer = match &self.conn {
            Some(db) if self.leads => db.query_one("SELECT true", &[], |row| row.get::<bool>(0)),
            Some(db) => {
                db.query_one("SELECT pg_try_advisory_lock(?1)", p![LEAD_LOCK], |row| row.get::<bool>(0))
            }
            None => {
                self.conn = Some(Db::connect_postgres(url)?);
                return self.check();
            }
        };
        match answer {
            Ok(leads) => {
                if leads && !self.leads {
                    tracing::info!("this node now leads: it runs the crawls, mining and push");
                }
                self.leads = leads;
            }
            Err(error) => {
                if self.leads {
                    tracing::warn!(%error, "lost the connection that held the lead");
                }
                self.conn = None;
                self.leads = false;
                return Err(error);
            }
        }
        Ok(self.leads)
    }

    /// Whether this node led at the last check.
    pub fn leads(&self) -> bool {
        self.leads || !matches!(self.location, Location::Postgres(_))
    }
}
