//! Edges: their kinds, the compact payload the graph stores per edge, and the role texts
//! edges refer to by number.

use crate::model::{Date, RelationKind};
use chrono::Datelike as _;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    Shareholder,
    Officer,
    LegalRep,
    Guarantee,
    Supplier,
    Branch,
    Control,
    /// pledgor -> pledgee of an active pledge.
    Pledge,
    /// buyer -> winner of an award.
    Tender,
}

impl EdgeKind {
    /// Every kind, in a fixed order (snapshots store a kind as its position here).
    pub const ALL: [EdgeKind; 9] = [
        Self::Shareholder,
        Self::Officer,
        Self::LegalRep,
        Self::Guarantee,
        Self::Supplier,
        Self::Branch,
        Self::Control,
        Self::Pledge,
        Self::Tender,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Shareholder => "shareholder",
            Self::Officer => "officer",
            Self::LegalRep => "legal_rep",
            Self::Guarantee => "guarantee",
            Self::Supplier => "supplier",
            Self::Branch => "branch",
            Self::Control => "control",
            Self::Pledge => "pledge",
            Self::Tender => "tender",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// What the relation is called in Chinese.
    pub fn label_cn(self) -> &'static str {
        match self {
            Self::Shareholder => "持股",
            Self::Officer => "任职",
            Self::LegalRep => "法定代表人",
            Self::Guarantee => "担保",
            Self::Supplier => "供货",
            Self::Branch => "分支机构",
            Self::Control => "协议控制",
            Self::Pledge => "质押",
            Self::Tender => "中标",
        }
    }

    pub(super) fn from_relation(kind: RelationKind) -> Self {
        match kind {
            RelationKind::Shareholder => Self::Shareholder,
            RelationKind::Officer => Self::Officer,
            RelationKind::LegalRep => Self::LegalRep,
            RelationKind::Guarantee => Self::Guarantee,
            RelationKind::Supplier => Self::Supplier,
            RelationKind::Branch => Self::Branch,
            RelationKind::Control => Self::Control,
        }
    }

    /// A list of kinds as users write them (`shareholder, guarantee`); empty items are skipped.
    pub fn parse_list<S: AsRef<str>>(items: &[S]) -> Result<Vec<EdgeKind>, String> {
        items
            .iter()
            .map(|k| k.as_ref().trim())
            .filter(|k| !k.is_empty())
            .map(|k| EdgeKind::parse(k).ok_or_else(|| format!("unknown relation kind {k:?}")))
            .collect()
    }

    /// Edges along which ownership or control (and so risk) flows.
    pub fn is_ownership(self) -> bool {
        matches!(self, Self::Shareholder | Self::Control)
    }

    /// Edges that make two parties related for related-party screening.
    pub fn is_affiliation(self) -> bool {
        matches!(self, Self::Shareholder | Self::Control | Self::Officer | Self::LegalRep | Self::Branch)
    }
}

/// Edge payload, 24 bytes (40 with petgraph's links): the graph is meant to hold 150M edges.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    /// The share (0–1) of a shareholder edge; the amount in yuan of the others: guarantee,
    /// pledge, award, and the supply volume (invoices summed, in cents precision).
    pub value: f64,
    /// Invoices aggregated into a supply edge: at least 1 for a sum of invoices, 0 for a supply
    /// link declared as a relation (1 for other kinds).
    pub count: u32,
    /// In days since 1970-01-01, 0 when unknown: the first and last invoice of a summed supply
    /// edge; the start and end of a relation's edge.
    pub first: u16,
    pub last: u16,
    pub kind: EdgeKind,
    /// The relation's role (an officer's post, 董事长/监事…) as a number in the graph's role
    /// table; 0 for none. See [`EnterpriseGraph::role`].
    pub role: u16,
}

impl Edge {
    pub(super) fn new(kind: EdgeKind, value: f64) -> Edge {
        Edge { value, count: 1, first: 0, last: 0, kind, role: 0 }
    }

    /// The shareholding fraction of a shareholder edge (0 for other kinds).
    pub fn share(&self) -> f64 {
        if self.kind == EdgeKind::Shareholder {
            self.value
        } else {
            0.0
        }
    }

    /// The amount in yuan (0 for shareholder edges).
    pub fn amount(&self) -> f64 {
        if self.kind == EdgeKind::Shareholder {
            0.0
        } else {
            self.value
        }
    }

    /// When the edge holds: a relation's start and end, a supply sum's first and last invoice;
    /// `None` where unknown.
    pub fn dates(&self) -> (Option<Date>, Option<Date>) {
        let day = |d: u16| (d != 0).then(|| from_day_number(d));
        (day(self.first), day(self.last))
    }

    /// A supply edge summing invoices (as opposed to one declared as a relation).
    pub(super) fn is_invoice_sum(&self) -> bool {
        self.kind == EdgeKind::Supplier && self.count > 0
    }

    /// Adds another supply edge's invoices to this one.
    pub(super) fn merge(&mut self, other: &Edge) {
        self.value = cents(self.value + other.value);
        self.count += other.count;
        self.first = self.first.min(other.first);
        self.last = self.last.max(other.last);
    }
}

pub(super) fn epoch() -> Date {
    Date::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

/// Days since 1970-01-01, clamped to what a `u16` holds (1970 to 2149).
pub(super) fn day_number(date: Date) -> u16 {
    (date.num_days_from_ce() - EPOCH_FROM_CE).clamp(0, u16::MAX as i32) as u16
}

fn from_day_number(days: u16) -> Date {
    // Straight from the day count, without `epoch() + Duration` (building the epoch and
    // adding a signed duration), which naming a neighbourhood's edges did four times an edge.
    Date::from_num_days_from_ce_opt(EPOCH_FROM_CE + days as i32).unwrap_or_default()
}

/// 1970-01-01 counted from 0001-01-01 as day 1 (chrono's `num_days_from_ce`).
const EPOCH_FROM_CE: i32 = 719_163;

/// Amounts in yuan are summed to the cent, so the same invoices give the same total in any
/// order (a rebuilt graph and an incrementally updated one agree exactly).
pub(super) fn cents(amount: f64) -> f64 {
    (amount * 100.0).round() / 100.0
}

/// Interned role texts: few distinct posts over millions of officer edges.
#[derive(Debug, Default, Clone)]
pub(crate) struct Roles {
    texts: Vec<Box<str>>,
    numbers: HashMap<Box<str>, u16>,
}

impl Roles {
    /// The number of `role` (0 for none or empty); past 65,535 distinct roles the rest share 0.
    pub(super) fn intern(&mut self, role: Option<&str>) -> u16 {
        let Some(role) = role.map(str::trim).filter(|r| !r.is_empty()) else { return 0 };
        if let Some(&n) = self.numbers.get(role) {
            return n;
        }
        let Ok(n) = u16::try_from(self.texts.len() + 1) else { return 0 };
        self.texts.push(role.into());
        self.numbers.insert(role.into(), n);
        n
    }

    pub(super) fn text(&self, number: u16) -> Option<&str> {
        number.checked_sub(1).and_then(|i| self.texts.get(i as usize)).map(|t| &**t)
    }

    pub(crate) fn all(&self) -> impl Iterator<Item = &str> {
        self.texts.iter().map(|t| &**t)
    }

    pub(crate) fn from_texts(texts: Vec<String>) -> Roles {
        let mut roles = Roles::default();
        for text in texts {
            let n = roles.texts.len() as u16 + 1;
            roles.numbers.insert(text.clone().into(), n);
            roles.texts.push(text.into());
        }
        roles
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_count_from_1970_and_clamp() {
        assert_eq!(epoch().num_days_from_ce(), EPOCH_FROM_CE);
        for days in [0u16, 1, 365, 20_000, u16::MAX] {
            let date = epoch() + chrono::Duration::days(days as i64);
            assert_eq!((from_day_number(days), day_number(date)), (date, days));
        }
        let before = Date::from_ymd_opt(1969, 12, 31).unwrap_or_default();
        assert_eq!(day_number(before), 0);
        assert_eq!(day_number(Date::from_ymd_opt(2200, 1, 1).unwrap_or_default()), u16::MAX);
    }
}
