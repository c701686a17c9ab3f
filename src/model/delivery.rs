//! Deliveries: messages to an account manager's channel, each covering one or more leads.

use super::Channel;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its next attempt.
    Pending,
    Sent,
    /// Every attempt failed, or the channel refused it for good; an admin may re-queue it.
    Dead,
    /// Every lead it covered became invalid, blocked or suppressed before it went out.
    Cancelled,
}

impl DeliveryState {
    pub const ALL: [DeliveryState; 4] = [Self::Pending, Self::Sent, Self::Dead, Self::Cancelled];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Dead => "dead",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|state| state.as_str() == s)
    }
}

/// One message to one manager. Its id is the idempotency key receivers see on every attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: String,
    pub manager: String,
    pub channel: Channel,
    /// The leads it covers, best first.
    pub leads: Vec<String>,
    /// A daily digest rather than one lead's message.
    pub digest: bool,
    /// Watchlist notices it carries (a notice delivery covers no leads).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<Notice>,
    pub state: DeliveryState,
    pub attempts: u32,
    /// Unix seconds: when it was planned, when it is next tried, when it went out.
    pub created_at: i64,
    pub next_at: i64,
    pub sent_at: Option<i64>,
    pub last_error: Option<String>,
}

impl Delivery {
    /// A delivery to `manager`'s channel planned at `time` (Unix seconds), due at once, covering
    /// nothing yet.
    pub fn pending(id: String, manager: &super::Manager, time: i64) -> Delivery {
        Delivery {
            id,
            manager: manager.id.clone(),
            channel: manager.channel,
            leads: Vec::new(),
            digest: false,
            notices: Vec::new(),
            state: DeliveryState::Pending,
            attempts: 0,
            created_at: time,
            next_at: time,
            sent_at: None,
            last_error: None,
        }
    }
}

/// A lead waiting in the outbox, with what the dispatcher needs to decide on it.
#[derive(Debug, Clone, PartialEq)]
pub struct QueuedLead {
    pub opportunity: super::Opportunity,
    pub manager: String,
    /// Unix seconds it was queued.
    pub queued_at: i64,
}

/// What earlier runs fixed for assignment: leads that keep their manager, and each manager's
/// leads so far this week.
#[derive(Debug, Default, Clone)]
pub struct Commitments {
    /// Lead id -> manager, for leads pushed, queued or acted on.
    pub pinned: std::collections::HashMap<String, String>,
    /// Manager id -> leads given to them in the last seven days.
    pub used: std::collections::HashMap<String, u32>,
}

/// Something new on a watched enterprise: a record naming it, a relation of it changed, its
/// registration changed, or (for risk staff) the same on one of its owners.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    /// The watched enterprise.
    pub enterprise: i64,
    pub enterprise_name: String,
    /// What happened, in one line.
    pub title: String,
    /// Set when it happened to an owner of the watched enterprise, not to it: the owner's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// Where it comes from: `record:SEQ` or `change:SEQ`.
    pub source: String,
}

/// A manager or risk officer watching an enterprise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Watch {
    /// The managers-table id whose channel gets the notices.
    pub watcher: String,
    pub enterprise: i64,
    /// Also its owners within two hops (risk staff).
    pub owners: bool,
    /// The logged change (relations, registrations) up to which notices were made.
    pub since: u64,
    /// The record sequence number up to which notices were made.
    pub record_since: u64,
    pub created_at: String,
}
