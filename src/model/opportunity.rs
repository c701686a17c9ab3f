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
    /// A member of an existing customer's corporate group that is not a customer itself.
    GroupCrossSell,
    /// An enterprise where an officer or legal representative of an existing customer serves.
    ExecutiveNetwork,
}

impl OpportunityKind {
    /// What the kind is called in Chinese, in the workbench and in pushed messages.
    pub fn label_cn(self) -> &'static str {
        match self {
            Self::TenderAward => "中标",
            Self::PledgeRefinancing => "质押/抵押到期",
            Self::SupplyChain => "供应链",
            Self::EiaApproval => "环评批复",
            Self::BondIssue => "发债",
            Self::Merger => "并购",
            Self::CapitalIncrease => "增资",
            Self::NewBranch => "新设分支机构",
            Self::FinancingElsewhere => "他行融资",
            Self::GroupCrossSell => "集团交叉销售",
            Self::ExecutiveNetwork => "高管关联",
        }
    }

    pub const ALL: [OpportunityKind; 11] = [
        Self::TenderAward,
        Self::PledgeRefinancing,
        Self::SupplyChain,
        Self::EiaApproval,
        Self::BondIssue,
        Self::Merger,
        Self::CapitalIncrease,
        Self::NewBranch,
        Self::FinancingElsewhere,
        Self::GroupCrossSell,
        Self::ExecutiveNetwork,
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
            Self::GroupCrossSell => "group_cross_sell",
            Self::ExecutiveNetwork => "executive_network",
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
    /// Delivered to the manager's channel.
    Pushed,
    Contacted,
    Won,
    Lost,
    Invalid,
    /// A risk reviewer blocked it (an alert on it reviewed with `block`); never delivered.
    Blocked,
}

impl OpportunityStatus {
    pub const ALL: [OpportunityStatus; 7] =
        [Self::New, Self::Pushed, Self::Contacted, Self::Won, Self::Lost, Self::Invalid, Self::Blocked];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == s.trim())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Pushed => "pushed",
            Self::Contacted => "contacted",
            Self::Won => "won",
            Self::Lost => "lost",
            Self::Invalid => "invalid",
            Self::Blocked => "blocked",
        }
    }

    /// What the status is called in Chinese.
    pub fn label_cn(self) -> &'static str {
        match self {
            Self::New => "新商机",
            Self::Pushed => "已推送",
            Self::Contacted => "已联系",
            Self::Won => "已成交",
            Self::Lost => "已丢失",
            Self::Invalid => "无效",
            Self::Blocked => "已拦截",
        }
    }

    /// The statuses a manager's feedback may set.
    pub fn is_feedback(self) -> bool {
        matches!(self, Self::Contacted | Self::Won | Self::Lost | Self::Invalid)
    }
}

/// The value class of a lead: A the most valuable (see `mine::rank::tier_cuts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
pub enum Tier {
    A,
    B,
    #[default]
    C,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::A => "A",
            Tier::B => "B",
            Tier::C => "C",
        }
    }
}

/// An amount in yuan as a Chinese reader expects it: `3,650.5万元`, `1.25亿元`, `8,500元`.
pub fn yuan_cn(amount: f64) -> String {
    let trim = |text: String| {
        if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            text
        }
    };
    let grouped = |value: f64, decimals: usize| {
        let text = trim(format!("{value:.decimals$}"));
        let (int, frac) = text.split_once('.').map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
        let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
        let mut out = String::from(sign);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        if let Some(frac) = frac {
            out.push('.');
            out.push_str(frac);
        }
        out
    };
    if amount.abs() >= 1e8 {
        format!("{}亿元", grouped(amount / 1e8, 2))
    } else if amount.abs() >= 1e4 {
        format!("{}万元", grouped(amount / 1e4, 2))
    } else {
        format!("{}元", grouped(amount, 2))
    }
}

/// A lead's score and explanation by the rules alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RulesScore {
    pub score: f64,
    pub why: Vec<WhyItem>,
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
    /// Stable id (risk event id + the lead's enterprise): one alert per event and affected
    /// enterprise, shared by every lead on it, so risk staff review it once.
    pub id: String,
    pub kind: String,
    pub severity: u8,
    /// The name of whoever the risk event is about.
    pub subject: String,
    /// Names from the risk subject to the lead's enterprise; one element when it is the same.
    pub path: Vec<String>,
    /// The relation between each two neighbours on `path` (one fewer than names).
    #[serde(default)]
    pub links: Vec<PathLink>,
    pub detail: String,
    /// The risk event's import id.
    pub record: String,
    /// How much of the risk reaches the lead's enterprise (0–1): 1 for its own events; an
    /// owner's scaled by the owner's effective stake and by 0.7 per hop beyond the first; an
    /// officer's 0.5; then halved for every year of the event's age.
    #[serde(default = "full_weight")]
    pub weight: f64,
}

/// One step of an alert's path: the relation between two neighbouring names, as the graph
/// holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PathLink {
    /// The relation's kind (`shareholder`, `control`, `guarantee`, `officer`).
    pub kind: String,
    /// The relation in words: 持股 60%, 协议控制, 担保, 任职.
    pub label: String,
    /// Whether the relation points along the path (owner → owned) or against it (the next
    /// name guarantees the debts of this one).
    pub forward: bool,
}

impl PathLink {
    pub fn new(kind: &str, label: impl Into<String>, forward: bool) -> Self {
        PathLink { kind: kind.to_string(), label: label.into(), forward }
    }

    /// A shareholding of `share` (0–1) in words: 持股 60%, 持股 12.5%.
    pub fn shareholding(share: f64) -> Self {
        let percent = (share * 1000.0).round() / 10.0;
        PathLink::new("shareholder", format!("持股 {percent}%"), true)
    }
}

fn full_weight() -> f64 {
    1.0
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
    /// The products as the bank names them (履约保函), in the order of `products`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub product_names: Vec<String>,
    /// The amount in yuan the lead is about (award share, pledge, supply volume, filing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<f64>,
    pub score: f64,
    pub why: Vec<WhyItem>,
    pub evidence: Vec<Evidence>,
    pub alerts: Vec<Alert>,
    pub manager: Option<String>,
    pub due: Option<Date>,
    #[serde(default)]
    pub tier: Tier,
    /// One line saying why the lead deserves a call now.
    #[serde(default)]
    pub why_now: String,
    pub suppressed: Option<Suppression>,
    /// The first day after the one it was mined as of on which this lead would read otherwise
    /// with nothing in the store changed: its freshness or urgency moves a point, its evidence
    /// or a risk on it ages out of a window or into another year. A run on a later day
    /// re-mines the leads whose day has come and keeps the others as they are. `None`: only a
    /// change in the store moves it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub turns_on: Option<Date>,
    /// The rules' score and explanation, kept when a model learned from outcomes scored the
    /// lead instead (`score`, `why`): what the model is measured against, what it learns
    /// from, and what the lead reads again when the model no longer applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<RulesScore>,
    /// Last, so that a list splices a lead's current status into its stored JSON at the end
    /// (`store::splice_status`).
    pub status: OpportunityStatus,
}

#[cfg(test)]
impl Opportunity {
    /// A bare new lead for tests: no evidence, why, alerts or manager; score 50.
    pub(crate) fn bare(id: &str, enterprise: super::EnterpriseId, kind: OpportunityKind) -> Opportunity {
        Opportunity {
            id: id.into(),
            enterprise: EnterpriseRef { id: enterprise, name: format!("企业{enterprise}"), uscc: None },
            kind,
            products: vec![],
            product_names: vec![],
            amount: None,
            score: 50.0,
            why: vec![],
            evidence: vec![],
            alerts: vec![],
            manager: None,
            status: OpportunityStatus::New,
            due: None,
            tier: Tier::default(),
            why_now: String::new(),
            suppressed: None,
            turns_on: None,
            rules: None,
        }
    }
}

/// The terms of a lead's score (`WhyItem::feature`; learned terms are `learned`), in Chinese.
pub const SCORE_TERMS: [(&str, &str); 11] = [
    ("kind", "商机类型"),
    ("amount", "金额"),
    ("amount_to_capital", "金额与注册资本之比"),
    ("recency", "事件新近"),
    ("urgency", "临近到期"),
    ("size", "企业规模"),
    ("listed", "上市公司"),
    ("relationship", "与我行客户相关"),
    ("feedback", "同类商机反馈"),
    ("risk", "风险预警"),
    ("learned", "学习模型"),
];

/// A score term in Chinese; an unknown one as it is.
pub fn score_term_cn(feature: &str) -> &str {
    SCORE_TERMS.iter().find(|(code, _)| *code == feature).map_or(feature, |(_, label)| label)
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

impl Feedback {
    /// Feedback as a manager gives it, checked: the status is one a manager may set
    /// (contacted, won, lost, invalid) and an invalid lead says why.
    pub fn checked(
        opportunity_id: &str,
        actor: &str,
        status: &str,
        reason: Option<String>,
        note: Option<String>,
    ) -> Result<Feedback, String> {
        let status = OpportunityStatus::parse(status)
            .filter(|s| s.is_feedback())
            .ok_or_else(|| format!("status {status:?} is not one of contacted, won, lost, invalid"))?;
        let reason = reason.filter(|r| !r.trim().is_empty());
        if status == OpportunityStatus::Invalid && reason.is_none() {
            return Err("an invalid lead needs a reason (--reason)".into());
        }
        Ok(Feedback {
            opportunity_id: opportunity_id.to_string(),
            actor: actor.to_string(),
            status,
            reason,
            note: note.filter(|n| !n.trim().is_empty()),
            at: chrono::Local::now().to_rfc3339(),
        })
    }
}

#[cfg(test)]
mod yuan_tests {
    use super::*;

    #[test]
    fn amounts_read_in_wan_and_yi() {
        assert_eq!(yuan_cn(36_500_000.0), "3,650万元");
        assert_eq!(yuan_cn(20_797_381.58), "2,079.74万元");
        assert_eq!(yuan_cn(125_000_000.0), "1.25亿元");
        assert_eq!(yuan_cn(8_500.0), "8,500元");
        assert_eq!(yuan_cn(1_234_567_890_000.0), "12,345.68亿元");
    }
}
