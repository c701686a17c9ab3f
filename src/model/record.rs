//! Imported records: notices, filings, pledges, invoices, risk events, and managers.

use super::{Date, EnterpriseId, Party};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A reference to an enterprise as the source wrote it, with the enterprise it resolved to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedEnterprise {
    pub name: String,
    pub id: EnterpriseId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Tender,
    Filing,
    Pledge,
    Invoice,
    RiskEvent,
}

impl RecordKind {
    pub const ALL: [RecordKind; 5] =
        [Self::Tender, Self::Filing, Self::Pledge, Self::Invoice, Self::RiskEvent];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tender => "tender",
            Self::Filing => "filing",
            Self::Pledge => "pledge",
            Self::Invoice => "invoice",
            Self::RiskEvent => "risk_event",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// What the record kind is called in Chinese.
    pub fn label_cn(self) -> &'static str {
        match self {
            Self::Tender => "招投标",
            Self::Filing => "工商公告",
            Self::Pledge => "质押/抵押",
            Self::Invoice => "发票",
            Self::RiskEvent => "风险事件",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TenderKind {
    Tender,
    Award,
    Candidate,
    Correction,
    Termination,
}

impl TenderKind {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "tender" => Some(Self::Tender),
            "award" => Some(Self::Award),
            "candidate" => Some(Self::Candidate),
            "correction" => Some(Self::Correction),
            "termination" => Some(Self::Termination),
            _ => None,
        }
    }

    pub const ALL: [TenderKind; 5] =
        [Self::Tender, Self::Award, Self::Candidate, Self::Correction, Self::Termination];

    /// What the notice kind is called in Chinese.
    pub fn label_cn(self) -> &'static str {
        match self {
            Self::Tender => "招标公告",
            Self::Award => "中标公告",
            Self::Candidate => "中标候选人公示",
            Self::Correction => "更正公告",
            Self::Termination => "终止公告",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tender => "tender",
            Self::Award => "award",
            Self::Candidate => "candidate",
            Self::Correction => "correction",
            Self::Termination => "termination",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tender {
    pub id: String,
    pub kind: TenderKind,
    pub title: String,
    pub published: Date,
    pub buyer: Option<NamedEnterprise>,
    pub winners: Vec<NamedEnterprise>,
    pub agency: Option<NamedEnterprise>,
    pub amount: Option<f64>,
    pub budget: Option<f64>,
    pub region: Option<String>,
    pub url: Option<String>,
    pub source: Option<String>,
    pub text: Option<String>,
    pub extra: BTreeMap<String, String>,
}

/// A lot (标段, 包) of a tender notice, as a record's `lots` column holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenderLot {
    #[serde(default)]
    pub name: Option<String>,
    /// Names as written.
    #[serde(default)]
    pub winners: Vec<String>,
    #[serde(default)]
    pub amount: Option<f64>,
}

impl TenderLot {
    /// The lots in a `lots` column: a JSON array of `{name, winners, amount}`, or its objects
    /// joined by `|` (as a JSON Lines import flattens an array). Nothing when unreadable.
    pub fn parse_all(text: &str) -> Vec<TenderLot> {
        let text = text.trim();
        serde_json::from_str(text)
            .or_else(|_| serde_json::from_str(&format!("[{}]", text.replace("}|{", "},{"))))
            .unwrap_or_default()
    }
}

impl Tender {
    /// The notice's lots, when it has two or more.
    pub fn lots(&self) -> Vec<TenderLot> {
        let lots = self.extra.get("lots").map(|t| TenderLot::parse_all(t)).unwrap_or_default();
        if lots.len() >= 2 {
            lots
        } else {
            Vec::new()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Filing {
    pub id: String,
    pub enterprise: NamedEnterprise,
    /// eia_approval, bond_issue, merger, capital_increase, new_branch, registration_change,
    /// financing_elsewhere, or any other kind the source uses.
    pub kind: String,
    pub title: Option<String>,
    pub published: Date,
    pub amount: Option<f64>,
    pub counterparty: Option<NamedEnterprise>,
    pub url: Option<String>,
    pub text: Option<String>,
    pub extra: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PledgeKind {
    Equity,
    Chattel,
    RealEstate,
    Receivable,
}

impl PledgeKind {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "equity" => Some(Self::Equity),
            "chattel" => Some(Self::Chattel),
            "real_estate" => Some(Self::RealEstate),
            "receivable" => Some(Self::Receivable),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Equity => "股权出质",
            Self::Chattel => "动产抵押",
            Self::RealEstate => "不动产抵押",
            Self::Receivable => "应收账款质押",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PledgeStatus {
    Active,
    Released,
}

impl PledgeStatus {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "active" => Some(Self::Active),
            "released" => Some(Self::Released),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pledge {
    pub id: String,
    pub kind: PledgeKind,
    pub pledgor: NamedEnterprise,
    /// Usually a bank or another lender; resolved like every enterprise reference.
    pub pledgee: NamedEnterprise,
    pub subject: Option<String>,
    pub amount: Option<f64>,
    pub registered: Date,
    pub expires: Option<Date>,
    pub status: PledgeStatus,
    pub url: Option<String>,
    pub source: Option<String>,
    pub extra: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Invoice {
    pub id: String,
    pub seller: NamedEnterprise,
    pub buyer: NamedEnterprise,
    pub amount: f64,
    pub issued: Date,
    pub category: Option<String>,
    pub extra: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskKind {
    Litigation,
    Enforcement,
    Dishonest,
    ShareReduction,
    CreditRejection,
    FinancingCost,
    AdminPenalty,
    AbnormalOperation,
    EquityFreeze,
    Bankruptcy,
}

impl RiskKind {
    pub const ALL: [RiskKind; 10] = [
        Self::Litigation,
        Self::Enforcement,
        Self::Dishonest,
        Self::ShareReduction,
        Self::CreditRejection,
        Self::FinancingCost,
        Self::AdminPenalty,
        Self::AbnormalOperation,
        Self::EquityFreeze,
        Self::Bankruptcy,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Litigation => "litigation",
            Self::Enforcement => "enforcement",
            Self::Dishonest => "dishonest",
            Self::ShareReduction => "share_reduction",
            Self::CreditRejection => "credit_rejection",
            Self::FinancingCost => "financing_cost",
            Self::AdminPenalty => "admin_penalty",
            Self::AbnormalOperation => "abnormal_operation",
            Self::EquityFreeze => "equity_freeze",
            Self::Bankruptcy => "bankruptcy",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// What the risk is called in Chinese.
    pub fn label_cn(self) -> &'static str {
        match self {
            Self::Litigation => "诉讼",
            Self::Enforcement => "被执行",
            Self::Dishonest => "失信被执行",
            Self::ShareReduction => "股东减持",
            Self::CreditRejection => "授信被拒",
            Self::FinancingCost => "融资成本上升",
            Self::AdminPenalty => "行政处罚",
            Self::AbnormalOperation => "经营异常",
            Self::EquityFreeze => "股权冻结",
            Self::Bankruptcy => "破产",
        }
    }

    /// Severity used when the source gives none.
    pub fn default_severity(self) -> u8 {
        match self {
            Self::Bankruptcy | Self::Dishonest => 5,
            Self::Enforcement | Self::EquityFreeze => 4,
            Self::Litigation | Self::CreditRejection | Self::AbnormalOperation => 3,
            Self::ShareReduction | Self::AdminPenalty => 2,
            Self::FinancingCost => 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskEvent {
    pub id: String,
    pub subject: Party,
    /// The subject as the source named it.
    pub subject_name: String,
    pub kind: RiskKind,
    pub severity: u8,
    pub published: Date,
    pub amount: Option<f64>,
    pub title: Option<String>,
    pub url: Option<String>,
    pub text: Option<String>,
    pub extra: BTreeMap<String, String>,
}

impl RiskEvent {
    /// What a share-freeze event's columns say (a crawled announcement's `holder`, `shares`,
    /// `authority`, `freeze_start`, `freeze_end`, `term_months`; several values parted by `|`):
    /// `甲集团有限公司所持520,000,000股被辽宁省沈阳市中级人民法院冻结，2018-12-18 至 2021-12-17`.
    pub fn freeze_facts(&self) -> Option<String> {
        if self.kind != RiskKind::EquityFreeze {
            return None;
        }
        let get = |key: &str| self.extra.get(key).map(|v| v.trim()).filter(|v| !v.is_empty());
        let list = |key: &str| get(key).map(|v| v.split('|').collect::<Vec<_>>().join("、"));
        let (holder, shares, authority) = (list("holder"), get("shares"), list("authority"));
        if holder.is_none() && shares.is_none() && authority.is_none() {
            return None;
        }
        let shares = shares.map_or_else(
            || "股份".to_string(),
            |shares| {
                shares.split('|').map(|n| format!("{}股", grouped_digits(n))).collect::<Vec<_>>().join("、")
            },
        );
        let mut facts = format!(
            "{}所持{shares}被{}冻结",
            holder.as_deref().unwrap_or("股东"),
            authority.as_deref().unwrap_or("")
        );
        let first = |key: &str| get(key).and_then(|v| v.split('|').next());
        match (first("freeze_start"), first("freeze_end"), first("term_months")) {
            (Some(start), Some(end), _) => facts.push_str(&format!("，{start} 至 {end}")),
            (Some(start), None, Some(months)) => facts.push_str(&format!("，自 {start} 起 {months} 个月")),
            (Some(start), None, None) => facts.push_str(&format!("，自 {start} 起")),
            (None, _, Some(months)) => facts.push_str(&format!("，期限 {months} 个月")),
            (None, Some(end), None) => facts.push_str(&format!("，至 {end}")),
            (None, None, None) => {}
        }
        Some(facts)
    }
}

/// `520000000` as `520,000,000`; anything but digits as it is.
fn grouped_digits(digits: &str) -> String {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return digits.to_string();
    }
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manager {
    pub id: String,
    pub name: String,
    pub branch: Option<String>,
    pub regions: Vec<String>,
    pub industries: Vec<String>,
    /// Leads a week.
    pub capacity: Option<u32>,
    #[serde(default)]
    pub channel: Channel,
    /// The channel's URL: the webhook, or the group robot's address.
    pub webhook: Option<String>,
    /// The channel's signing secret (webhook HMAC, DingTalk and Feishu signatures).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// Where a manager's leads are pushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// A JSON POST signed with HMAC-SHA256.
    #[default]
    Webhook,
    /// 企业微信 group robot.
    Wecom,
    /// 钉钉 group robot.
    Dingtalk,
    /// 飞书 group robot.
    Feishu,
}

impl Channel {
    pub const ALL: [Channel; 4] = [Channel::Webhook, Channel::Wecom, Channel::Dingtalk, Channel::Feishu];

    pub fn parse(s: &str) -> Option<Channel> {
        let s = s.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Webhook => "webhook",
            Channel::Wecom => "wecom",
            Channel::Dingtalk => "dingtalk",
            Channel::Feishu => "feishu",
        }
    }
}

/// Any imported record. The store keys records by `(kind, id)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum Record {
    Tender(Tender),
    Filing(Filing),
    Pledge(Pledge),
    Invoice(Invoice),
    RiskEvent(RiskEvent),
}

impl Record {
    pub fn kind(&self) -> RecordKind {
        match self {
            Record::Tender(_) => RecordKind::Tender,
            Record::Filing(_) => RecordKind::Filing,
            Record::Pledge(_) => RecordKind::Pledge,
            Record::Invoice(_) => RecordKind::Invoice,
            Record::RiskEvent(_) => RecordKind::RiskEvent,
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Record::Tender(r) => &r.id,
            Record::Filing(r) => &r.id,
            Record::Pledge(r) => &r.id,
            Record::Invoice(r) => &r.id,
            Record::RiskEvent(r) => &r.id,
        }
    }

    /// The date the record speaks of: published, registered or issued.
    pub fn date(&self) -> Date {
        match self {
            Record::Tender(r) => r.published,
            Record::Filing(r) => r.published,
            Record::Pledge(r) => r.registered,
            Record::Invoice(r) => r.issued,
            Record::RiskEvent(r) => r.published,
        }
    }

    pub fn title(&self) -> String {
        match self {
            Record::Tender(r) => r.title.clone(),
            Record::Filing(r) => {
                r.title.clone().unwrap_or_else(|| format!("{} {}", r.enterprise.name, r.kind))
            }
            Record::Pledge(r) => {
                format!("{} {} -> {}", r.kind.label(), r.pledgor.name, r.pledgee.name)
            }
            Record::Invoice(r) => format!("发票 {} -> {}", r.seller.name, r.buyer.name),
            Record::RiskEvent(r) => {
                r.title.clone().unwrap_or_else(|| format!("{} {}", r.subject_name, r.kind.as_str()))
            }
        }
    }

    pub fn url(&self) -> Option<&str> {
        match self {
            Record::Tender(r) => r.url.as_deref(),
            Record::Filing(r) => r.url.as_deref(),
            Record::Pledge(r) => r.url.as_deref(),
            Record::Invoice(_) => None,
            Record::RiskEvent(r) => r.url.as_deref(),
        }
    }

    /// Body text for the full-text index.
    pub fn text(&self) -> Option<&str> {
        match self {
            Record::Tender(r) => r.text.as_deref(),
            Record::Filing(r) => r.text.as_deref(),
            Record::Pledge(r) => r.subject.as_deref(),
            Record::Invoice(r) => r.category.as_deref(),
            Record::RiskEvent(r) => r.text.as_deref(),
        }
    }

    pub fn amount(&self) -> Option<f64> {
        match self {
            Record::Tender(r) => r.amount.or(r.budget),
            Record::Filing(r) => r.amount,
            Record::Pledge(r) => r.amount,
            Record::Invoice(r) => Some(r.amount),
            Record::RiskEvent(r) => r.amount,
        }
    }

    pub fn region(&self) -> Option<&str> {
        match self {
            Record::Tender(r) => r.region.as_deref(),
            _ => None,
        }
    }

    /// Every enterprise the record names, with the role it plays.
    pub fn parties(&self) -> Vec<(&'static str, &NamedEnterprise)> {
        let mut out = Vec::new();
        match self {
            Record::Tender(r) => {
                out.extend(r.buyer.iter().map(|e| ("buyer", e)));
                out.extend(r.winners.iter().map(|e| ("winner", e)));
                out.extend(r.agency.iter().map(|e| ("agency", e)));
            }
            Record::Filing(r) => {
                out.push(("enterprise", &r.enterprise));
                out.extend(r.counterparty.iter().map(|e| ("counterparty", e)));
            }
            Record::Pledge(r) => {
                out.push(("pledgor", &r.pledgor));
                out.push(("pledgee", &r.pledgee));
            }
            Record::Invoice(r) => {
                out.push(("seller", &r.seller));
                out.push(("buyer", &r.buyer));
            }
            Record::RiskEvent(_) => {}
        }
        out
    }

    /// Every enterprise the record is about: its parties, or a risk event's subject.
    pub fn enterprise_ids(&self) -> Vec<EnterpriseId> {
        match self {
            Record::RiskEvent(RiskEvent { subject: Party::Enterprise(id), .. }) => vec![*id],
            _ => self.parties().into_iter().map(|(_, e)| e.id).collect(),
        }
    }

    /// The kind label printed in search hits and evidence: the notice kind for tenders.
    pub fn display_kind(&self) -> &str {
        match self {
            Record::Tender(r) => r.kind.as_str(),
            Record::Filing(r) => &r.kind,
            Record::Pledge(_) => "pledge",
            Record::Invoice(_) => "invoice",
            Record::RiskEvent(r) => r.kind.as_str(),
        }
    }
}
