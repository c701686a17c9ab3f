//! Plain domain types shared by every stage.
//!
//! Nothing here does IO or knows about SQLite, tantivy, petgraph or HTTP. Dates are
//! `chrono::NaiveDate`; amounts are yuan as `f64`.

mod crawl;
mod delivery;
mod opportunity;
mod record;

pub use crawl::{CrawlFailure, CrawlRun, PageState, RunStatus};
pub use delivery::{Commitments, Delivery, DeliveryState, Notice, QueuedLead, Watch};
pub use opportunity::{
    score_term_cn, yuan_cn, Alert, Evidence, Feedback, Opportunity, OpportunityKind, OpportunityStatus,
    PathLink, RulesScore, Suppression, SuppressionReason, Tier, WhyItem, SCORE_TERMS,
};
pub use record::{
    Channel, Filing, Invoice, Manager, NamedEnterprise, Pledge, PledgeKind, PledgeStatus, Record, RecordKind,
    RiskEvent, RiskKind, Tender, TenderKind, TenderLot,
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
    /// The ID number for display, masked ([`mask_id_number`]); the number itself is never kept.
    #[serde(default)]
    pub id_number_masked: Option<String>,
    /// A keyed hash of the ID number ([`Privacy::hash_id_number`]), for matching.
    #[serde(default)]
    pub id_number_hash: Option<String>,
}

/// The data dir's secret for keyed hashes of personal identifiers: equal ID numbers hash
/// equally within one deployment, and the hash tells nothing without the key.
#[derive(Clone)]
pub struct Privacy {
    key: Vec<u8>,
}

impl std::fmt::Debug for Privacy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Privacy { key: <secret> }")
    }
}

impl Privacy {
    pub fn new(key: impl Into<Vec<u8>>) -> Self {
        Privacy { key: key.into() }
    }

    /// HMAC-SHA256 of the ID number (upper case, spaces dropped), hex.
    pub fn hash_id_number(&self, id_number: &str) -> String {
        use hmac::{KeyInit, Mac};
        let normalized: String =
            id_number.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(normalized.as_bytes());
        mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The person as kept: the masked form and the keyed hash, never the number.
    pub fn protect(&self, id: String, name: String, id_number: Option<&str>) -> Person {
        let id_number = id_number.map(str::trim).filter(|n| !n.is_empty());
        Person {
            id,
            name,
            id_number_masked: id_number.map(mask_id_number),
            id_number_hash: id_number.map(|n| self.hash_id_number(n)),
        }
    }
}

/// Extra attributes that hold a phone number or an email address.
pub const CONTACT_KEYS: [&str; 10] =
    ["phone", "telephone", "tel", "mobile", "联系电话", "电话", "手机", "email", "mail", "邮箱"];

/// A phone number with all but its first three and last four digits masked
/// (`0717-1234567` -> `071*-***4567`); an email address with its local part masked but for
/// the first character.
pub fn mask_contact(value: &str) -> String {
    if let Some((local, domain)) = value.split_once('@') {
        let first: String = local.chars().take(1).collect();
        return format!("{first}***@{domain}");
    }
    let digits = value.chars().filter(char::is_ascii_digit).count();
    if digits < 7 {
        return value.chars().map(|c| if c.is_ascii_digit() { '*' } else { c }).collect();
    }
    let mut seen = 0;
    value
        .chars()
        .map(|c| {
            if !c.is_ascii_digit() {
                return c;
            }
            seen += 1;
            if seen <= 3 || seen > digits - 4 {
                c
            } else {
                '*'
            }
        })
        .collect()
}

/// `text` with every run of digits that looks like a 中国 resident ID number (18 characters, the
/// last a digit or X, or the old 15 digits) masked: for reject reports, errors and logs.
pub fn mask_id_numbers_in(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_alphanumeric()) {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let mut end = i;
            if end - start == 17 && i < chars.len() && matches!(chars[i], 'X' | 'x') {
                end += 1;
                i += 1;
            }
            let run: String = chars[start..end].iter().collect();
            let bounded = i >= chars.len() || !chars[i].is_ascii_alphanumeric();
            if bounded && matches!(end - start, 15 | 18) {
                out.push_str(&mask_id_number(&run));
            } else {
                out.push_str(&run);
            }
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
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
    /// Whether the `from` side controls `to`: a control agreement, a branch, or a stake over
    /// half.
    pub fn is_control(&self) -> bool {
        match self.kind {
            RelationKind::Control | RelationKind::Branch => true,
            RelationKind::Shareholder => self.share.is_some_and(|s| s > 0.5),
            _ => false,
        }
    }

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
    fn masks_id_numbers_inside_text_and_hashes_them_with_a_key() {
        assert_eq!(
            mask_id_numbers_in("row p2,李四,11010119900307123X; amount 110101199003071234567"),
            "row p2,李四,110***********123X; amount 110101199003071234567"
        );
        let privacy = Privacy::new(b"k".to_vec());
        let person = privacy.protect("p1".into(), "张三".into(), Some(" 110101199003071234 "));
        assert_eq!(person.id_number_masked.as_deref(), Some("110***********1234"));
        assert_eq!(person.id_number_hash, Some(privacy.hash_id_number("110101199003071234")));
        assert_ne!(
            person.id_number_hash,
            Some(Privacy::new(b"other".to_vec()).hash_id_number("110101199003071234"))
        );
        assert!(!serde_json::to_string(&person).unwrap().contains("110101199003071234"));
    }

    #[test]
    fn masks_contacts() {
        assert_eq!(mask_contact("0717-1234567"), "071*-***4567");
        assert_eq!(mask_contact("13812345678"), "138****5678");
        assert_eq!(mask_contact("zhang@example.cn"), "z***@example.cn");
    }

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
