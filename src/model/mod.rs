//! Plain domain types shared by every stage.
//!
//! Nothing here does IO or knows about SQLite, tantivy, petgraph or HTTP. Dates are
//! `chrono::NaiveDate`; amounts are yuan as `f64`.

mod crawl;
mod opportunity;
mod record;

pub use crawl::{CrawlFailure, CrawlRun, PageState, RunStatus};
pub use opportunity::{
    Alert, Evidence, Feedback, Opportunity, OpportunityKind, OpportunityStatus, Suppression,
    SuppressionReason, WhyItem,
};
pub use record::{
    Filing, Invoice, Manager, NamedEnterprise, Pledge, PledgeKind, PledgeStatus, Record, RecordKind,
    RiskEvent, RiskKind, Tender, TenderKind,
};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Internal enterprise id: the store's row id. Stable for the life of a data dir.
pub type EnterpriseId = i64;

pub type Date = chrono::NaiveDate;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Enterprise {
    pub id: EnterpriseId,
    pub name: String,
    pub uscc: Option<String>,
    pub aliases: Vec<String>,
    pub legal_rep: Option<String>,
    pub region: Option<String>,
    pub industry: Option<String>,
    pub registered_capital: Option<f64>,
    pub established: Option<Date>,
    pub status: Option<String>,
    pub size: Option<EnterpriseSize>,
    pub listed: bool,
    pub is_customer: bool,
    pub manager_id: Option<String>,
    /// Set when the enterprise was created because a record named it and nothing matched:
    /// `"<kind>:<record id>"`.
    pub discovered_from: Option<String>,
    pub extra: BTreeMap<String, String>,
}

/// The short reference printed in JSON output: `{"id","name","uscc"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnterpriseRef {
    pub id: EnterpriseId,
    pub name: String,
    pub uscc: Option<String>,
}

impl Enterprise {
    pub fn to_ref(&self) -> EnterpriseRef {
        EnterpriseRef { id: self.id, name: self.name.clone(), uscc: self.uscc.clone() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EnterpriseSize {
    Large,
    Medium,
    Small,
    Micro,
}

impl EnterpriseSize {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "large" | "大型" => Some(Self::Large),
            "medium" | "中型" => Some(Self::Medium),
            "small" | "小型" => Some(Self::Small),
            "micro" | "微型" => Some(Self::Micro),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: String,
    pub name: String,
    /// Stored as given; never printed unmasked (see [`mask_id_number`]).
    pub id_number: Option<String>,
}

/// `110101199003071234` -> `110***********1234`.
pub fn mask_id_number(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

/// One end of a relation: an enterprise or a person.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Party {
    Enterprise(EnterpriseId),
    Person(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    Shareholder,
    Officer,
    LegalRep,
    Guarantee,
    Supplier,
    Branch,
    Control,
}

impl RelationKind {
    pub const ALL: [RelationKind; 7] = [
        Self::Shareholder,
        Self::Officer,
        Self::LegalRep,
        Self::Guarantee,
        Self::Supplier,
        Self::Branch,
        Self::Control,
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
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
}

/// `from` -> `to` with a kind: `from` holds `share` of `to`, is an officer of `to`,
/// guarantees `to`'s debt, supplies `to`, is a branch of `to`, controls `to`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Relation {
    pub from: Party,
    pub to: EnterpriseId,
    pub kind: RelationKind,
    pub share: Option<f64>,
    pub role: Option<String>,
    pub amount: Option<f64>,
    pub start: Option<Date>,
    pub end: Option<Date>,
    pub source: Option<String>,
}

impl Relation {
    /// Current on `as_of`: started (or no start) and not ended before.
    pub fn is_current(&self, as_of: Date) -> bool {
        self.start.is_none_or(|s| s <= as_of) && self.end.is_none_or(|e| e >= as_of)
    }
}

/// One change to a row the graph is derived from, as the store logs it: the row before (none
/// when it was inserted) and after. Applied in log order, changes take a graph built from the
/// store at one point to the graph of a later point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Change {
    Enterprise { old: Option<Enterprise>, new: Enterprise },
    Person { old: Option<Person>, new: Person },
    Relation { old: Option<Relation>, new: Relation },
    Record { old: Option<Record>, new: Record },
}

/// Where data derived from the store (the graph) stands in the store's change log: the store it
/// came from and the sequence number of the last change it reflects (0 before any).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GraphVersion {
    pub store_id: u64,
    pub seq: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_id_numbers() {
        assert_eq!(mask_id_number("110101199003071234"), "110***********1234");
        assert_eq!(mask_id_number("12345"), "*****");
    }

    #[test]
    fn relation_currency_follows_dates() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        let mut rel = Relation {
            from: Party::Person("p1".into()),
            to: 1,
            kind: RelationKind::Officer,
            share: None,
            role: None,
            amount: None,
            start: Some(d("2020-01-01")),
            end: Some(d("2024-12-31")),
            source: None,
        };
        assert!(rel.is_current(d("2022-06-01")));
        assert!(!rel.is_current(d("2025-01-01")));
        assert!(!rel.is_current(d("2019-01-01")));
        rel.end = None;
        assert!(rel.is_current(d("2030-01-01")));
    }
}
