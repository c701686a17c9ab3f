//! Opportunities (商机) and what hangs off them: evidence, score explanation, alerts,
//! suppression and status.

use super::{Date, EnterpriseRef};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpportunityKind {
    /// A won tender: performance bond, working capital.
    TenderAward,
    /// A pledge or mortgage expiring soon: refinancing.
    PledgeRefinancing,
    /// A supplier or buyer of an existing customer: supply-chain finance.
    SupplyChain,
    /// An environmental impact approval: project loan.
    EiaApproval,
    BondIssue,
    Merger,
    CapitalIncrease,
    NewBranch,
    /// The enterprise raised money at another lender: a competing offer.
    FinancingElsewhere,
}

impl OpportunityKind {
    pub const ALL: [OpportunityKind; 9] = [
        Self::TenderAward,
        Self::PledgeRefinancing,
        Self::SupplyChain,
        Self::EiaApproval,
        Self::BondIssue,
        Self::Merger,
        Self::CapitalIncrease,
        Self::NewBranch,
        Self::FinancingElsewhere,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::TenderAward => "tender_award",
            Self::PledgeRefinancing => "pledge_refinancing",
            Self::SupplyChain => "supply_chain",
            Self::EiaApproval => "eia_approval",
            Self::BondIssue => "bond_issue",
            Self::Merger => "merger",
            Self::CapitalIncrease => "capital_increase",
            Self::NewBranch => "new_branch",
            Self::FinancingElsewhere => "financing_elsewhere",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The filing kind that produces this opportunity, if it comes from filings.
    pub fn from_filing_kind(kind: &str) -> Option<Self> {
        match kind {
            "eia_approval" => Some(Self::EiaApproval),
            "bond_issue" => Some(Self::BondIssue),
            "merger" => Some(Self::Merger),
            "capital_increase" => Some(Self::CapitalIncrease),
            "new_branch" => Some(Self::NewBranch),
            "financing_elsewhere" => Some(Self::FinancingElsewhere),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum OpportunityStatus {
    #[default]
    New,
    Contacted,
    Won,
    Lost,
    Invalid,
}

impl OpportunityStatus {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "new" => Some(Self::New),
            "contacted" => Some(Self::Contacted),
            "won" => Some(Self::Won),
            "lost" => Some(Self::Lost),
            "invalid" => Some(Self::Invalid),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Contacted => "contacted",
            Self::Won => "won",
            Self::Lost => "lost",
            Self::Invalid => "invalid",
        }
    }
}

/// One line of the score explanation: the feature, what it added (or took away), and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WhyItem {
    pub feature: String,
    pub contribution: f64,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The record's import id.
    pub record: String,
    pub kind: String,
    pub title: String,
    pub url: Option<String>,
    pub published: Date,
}

/// A risk pre-alert (准入风险前置) attached to a lead; it never removes the lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Stable id (risk event id + lead id) so risk staff can review it.
    pub id: String,
    pub kind: String,
    pub severity: u8,
    /// The name of whoever the risk event is about.
    pub subject: String,
    /// Names from the risk subject to the lead's enterprise; one element when it is the same.
    pub path: Vec<String>,
    pub detail: String,
    /// The risk event's import id.
    pub record: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuppressionReason {
    Duplicate,
    Agency,
    SmallAmount,
    NoBusiness,
    RelatedParty,
    InvalidFeedback,
}

impl SuppressionReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Duplicate => "duplicate",
            Self::Agency => "agency",
            Self::SmallAmount => "small_amount",
            Self::NoBusiness => "no_business",
            Self::RelatedParty => "related_party",
            Self::InvalidFeedback => "invalid_feedback",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suppression {
    pub reason: SuppressionReason,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A ranked lead, exactly as the contract prints it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Opportunity {
    pub id: String,
    pub enterprise: EnterpriseRef,
    pub kind: OpportunityKind,
    pub products: Vec<String>,
    pub score: f64,
    pub why: Vec<WhyItem>,
    pub evidence: Vec<Evidence>,
    pub alerts: Vec<Alert>,
    pub manager: Option<String>,
    pub status: OpportunityStatus,
    pub due: Option<Date>,
    pub suppressed: Option<Suppression>,
}

/// Feedback an account manager gave on a lead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feedback {
    pub opportunity_id: String,
    pub actor: String,
    pub status: OpportunityStatus,
    /// Why, for lost and invalid leads (e.g. "agency", "already_customer", "duplicate").
    pub reason: Option<String>,
    pub note: Option<String>,
    pub at: String,
}
