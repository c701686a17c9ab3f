//! The dispatcher's decisions, as pure functions of the clock: which queued leads go out now
//! (quiet hours, the daily cap, a daily digest, how often one enterprise may be contacted),
//! what the messages say, and when a failed delivery is tried again.

use crate::mine::stable_id;
use crate::model::{yuan_cn, Delivery, Manager, Opportunity, OpportunityStatus, QueuedLead};
use chrono::{DateTime, Duration, FixedOffset, NaiveTime, TimeZone};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::HashMap;

/// `[push]` in `config.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PushSettings {
    /// Leads per manager per day; the rest wait for the next day.
    pub daily_cap: u32,
    /// Nothing is sent inside (`"22:00-07:00"`); what is due waits. `""` for none.
    #[serde(serialize_with = "write_quiet", deserialize_with = "read_quiet")]
    pub quiet_hours: Option<(NaiveTime, NaiveTime)>,
    /// One digest message a day at this time (`"08:30"`) instead of one message per lead.
    #[serde(serialize_with = "write_time", deserialize_with = "read_time")]
    pub digest: Option<NaiveTime>,
    /// The same enterprise gets at most this many leads in seven days (customers complain
    /// when called too often); the rest wait.
    pub per_enterprise_weekly: u32,
    /// Seconds to wait after each failed attempt; after the last, the delivery is dead.
    pub retry_seconds: Vec<i64>,
    /// Where the web workbench is reached, for the link in each message.
    pub base_url: String,
    /// Seconds one attempt may take.
    pub timeout_seconds: u64,
}

impl Default for PushSettings {
    fn default() -> Self {
        PushSettings {
            daily_cap: 20,
            quiet_hours: Some((hm(22, 0), hm(7, 0))),
            digest: None,
            per_enterprise_weekly: 3,
            retry_seconds: vec![5, 300, 1800, 7200, 18000, 36000],
            base_url: "http://127.0.0.1:8080".into(),
            timeout_seconds: 10,
        }
    }
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()
}

fn parse_time(text: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M").map_err(|_| format!("{text:?} is not a time like 08:30"))
}

fn read_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveTime>, D::Error> {
    let text = String::deserialize(d)?;
    if text.trim().is_empty() {
        return Ok(None);
    }
    parse_time(&text).map(Some).map_err(serde::de::Error::custom)
}

fn write_time<S: Serializer>(time: &Option<NaiveTime>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&time.map(|t| t.format("%H:%M").to_string()).unwrap_or_default())
}

fn read_quiet<'de, D: Deserializer<'de>>(d: D) -> Result<Option<(NaiveTime, NaiveTime)>, D::Error> {
    let text = String::deserialize(d)?;
    if text.trim().is_empty() {
        return Ok(None);
    }
    let (from, to) = text
        .split_once('-')
        .ok_or_else(|| serde::de::Error::custom(format!("{text:?} is not a range like 22:00-07:00")))?;
    let from = parse_time(from).map_err(serde::de::Error::custom)?;
    let to = parse_time(to).map_err(serde::de::Error::custom)?;
    Ok(Some((from, to)))
}

fn write_quiet<S: Serializer>(quiet: &Option<(NaiveTime, NaiveTime)>, s: S) -> Result<S::Ok, S::Error> {
    let text = quiet.map(|(a, b)| format!("{}-{}", a.format("%H:%M"), b.format("%H:%M"))).unwrap_or_default();
    s.serialize_str(&text)
}

impl PushSettings {
    /// Whether `now` (in its own offset) falls in the quiet hours; a range may wrap midnight.
    pub fn is_quiet(&self, now: &DateTime<FixedOffset>) -> bool {
        let Some((from, to)) = self.quiet_hours else { return false };
        let t = now.time();
        if from <= to {
            from <= t && t < to
        } else {
            t >= from || t < to
        }
    }

    /// When a delivery that failed its `attempts`-th attempt at `now` is tried again; `None`
    /// when that was the last.
    pub fn next_attempt(&self, attempts: u32, now: i64) -> Option<i64> {
        let wait = self.retry_seconds.get(attempts.checked_sub(1)? as usize)?;
        Some(now + wait)
    }
}

/// The local day `now` falls in, as Unix seconds `[start, end)`.
pub fn day_bounds(now: &DateTime<FixedOffset>) -> (i64, i64) {
    let start = now
        .offset()
        .from_local_datetime(&now.date_naive().and_time(NaiveTime::MIN))
        .single()
        .map_or(now.timestamp(), |d| d.timestamp());
    (start, start + Duration::days(1).num_seconds())
}

/// Why a queued lead must not go out any more, if so.
pub fn no_longer_deliverable(lead: &Opportunity) -> Option<String> {
    if let Some(s) = &lead.suppressed {
        return Some(format!("suppressed ({})", s.reason.as_str()));
    }
    match lead.status {
        OpportunityStatus::New => None,
        OpportunityStatus::Pushed => Some("already pushed".into()),
        other => Some(format!("already {}", other.as_str())),
    }
}

/// What the dispatcher knows about one manager before it plans.
#[derive(Debug, Clone, Default)]
pub struct ManagerDay {
    /// Leads already planned for this manager today.
    pub planned_today: u32,
    /// A digest already went out today.
    pub digest_done: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Plan {
    #[serde(skip)]
    pub deliveries: Vec<Delivery>,
    /// (lead, reason) taken out of the outbox for good.
    #[serde(skip)]
    pub cancel: Vec<(String, String)>,
    /// Leads left waiting (cap, digest time, contact frequency, no channel).
    pub waiting: usize,
    /// Of those, leads whose manager has no channel URL.
    pub no_channel: usize,
}

/// Decides what goes out at `now`. `queued` is best first; `contacts` counts each
/// enterprise's leads planned in the last seven days.
pub fn plan(
    now: &DateTime<FixedOffset>,
    settings: &PushSettings,
    managers: &HashMap<String, Manager>,
    queued: Vec<QueuedLead>,
    days: &HashMap<String, ManagerDay>,
    mut contacts: HashMap<i64, u32>,
) -> Plan {
    let mut plan = Plan::default();
    let mut live: Vec<QueuedLead> = Vec::new();
    for lead in queued {
        match no_longer_deliverable(&lead.opportunity) {
            Some(reason) => plan.cancel.push((lead.opportunity.id.clone(), reason)),
            None => live.push(lead),
        }
    }
    if settings.is_quiet(now) {
        plan.waiting = live.len();
        return plan;
    }
    let mut by_manager: Vec<(String, Vec<QueuedLead>)> = Vec::new();
    for lead in live {
        match by_manager.iter_mut().find(|(m, _)| *m == lead.manager) {
            Some((_, leads)) => leads.push(lead),
            None => by_manager.push((lead.manager.clone(), vec![lead])),
        }
    }
    let time = now.timestamp();
    for (manager_id, leads) in by_manager {
        let manager = managers.get(&manager_id).filter(|m| m.webhook.is_some());
        let Some(manager) = manager else {
            plan.waiting += leads.len();
            plan.no_channel += leads.len();
            continue;
        };
        let day = days.get(&manager_id).cloned().unwrap_or_default();
        if let Some(at) = settings.digest {
            if now.time() < at || day.digest_done {
                plan.waiting += leads.len();
                continue;
            }
        }
        let mut room = settings.daily_cap.saturating_sub(day.planned_today);
        let mut taken: Vec<Opportunity> = Vec::new();
        for lead in leads {
            let seen = contacts.entry(lead.opportunity.enterprise.id).or_default();
            if room == 0 || *seen >= settings.per_enterprise_weekly {
                plan.waiting += 1;
                continue;
            }
            *seen += 1;
            room -= 1;
            taken.push(lead.opportunity);
        }
        let groups: Vec<Vec<Opportunity>> = if settings.digest.is_some() {
            digest_chunks(taken, manager, settings)
        } else {
            taken.into_iter().map(|lead| vec![lead]).collect()
        };
        for group in groups.into_iter().filter(|g| !g.is_empty()) {
            let leads: Vec<String> = group.iter().map(|o| o.id.clone()).collect();
            let mut parts = vec![manager.id.as_str()];
            parts.extend(leads.iter().map(String::as_str));
            let mut delivery = Delivery::pending(stable_id("dlv", &parts), manager, time);
            delivery.leads = leads;
            delivery.digest = settings.digest.is_some();
            plan.deliveries.push(delivery);
        }
    }
    plan
}

/// Deliveries for watchlist notices: per watcher with a channel, at most 20 notices a message.
pub fn notice_deliveries(
    now: &DateTime<FixedOffset>,
    managers: &HashMap<String, Manager>,
    notices: std::collections::BTreeMap<String, Vec<crate::model::Notice>>,
) -> Vec<Delivery> {
    let time = now.timestamp();
    let mut out = Vec::new();
    for (watcher, notices) in notices {
        let Some(manager) = managers.get(&watcher) else {
            tracing::warn!(%watcher, "watcher is not in the managers table; notices dropped");
            continue;
        };
        for chunk in notices.chunks(20) {
            let seqs: Vec<String> = chunk.iter().map(|n| format!("{}:{}", n.enterprise, n.source)).collect();
            let mut parts = vec![watcher.as_str()];
            parts.extend(seqs.iter().map(String::as_str));
            let mut delivery = Delivery::pending(stable_id("ntc", &parts), manager, time);
            delivery.notices = chunk.to_vec();
            out.push(delivery);
        }
    }
    out
}

/// A digest split so that each message fits its channel's size limit.
fn digest_chunks(
    leads: Vec<Opportunity>,
    manager: &Manager,
    settings: &PushSettings,
) -> Vec<Vec<Opportunity>> {
    let limit = super::channel::size_limit(manager.channel);
    let mut chunks: Vec<Vec<Opportunity>> = vec![Vec::new()];
    for lead in leads {
        let last = chunks.last_mut().expect("never empty");
        last.push(lead);
        if last.len() > 1 && Message::of(last, &settings.base_url).markdown().len() > limit {
            let lead = last.pop().expect("just pushed");
            chunks.push(vec![lead]);
        }
    }
    chunks
}

/// A message in the form every channel renders from: a title and lines, some of them links.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub title: String,
    pub lines: Vec<Line>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Line {
    Heading(String),
    Text(String),
    Link { text: String, href: String },
}

impl Message {
    /// The message for one lead, or a digest of several (in Chinese: enterprise, tier, why
    /// now, amount, the top reasons, alerts, the link to the lead and its id).
    pub fn of(leads: &[Opportunity], base_url: &str) -> Message {
        let base = base_url.trim_end_matches('/');
        let title = match leads {
            [one] => format!("【{}类商机】{}", one.tier.as_str(), one.enterprise.name),
            many => format!("今日商机 {} 条", many.len()),
        };
        let mut lines = Vec::new();
        for lead in leads {
            if leads.len() > 1 {
                lines.push(Line::Heading(format!("【{}类】{}", lead.tier.as_str(), lead.enterprise.name)));
            }
            if !lead.why_now.is_empty() {
                lines.push(Line::Text(format!("为什么现在：{}", lead.why_now)));
            }
            let amount = lead.amount.map(|a| format!("金额：{}　", yuan_cn(a))).unwrap_or_default();
            lines.push(Line::Text(format!(
                "{amount}评分：{:.1}　类型：{}",
                lead.score,
                lead.kind.label_cn()
            )));
            let mut reasons: Vec<_> = lead.why.iter().filter(|w| w.contribution > 0.0).collect();
            reasons.sort_by(|a, b| b.contribution.total_cmp(&a.contribution));
            let top: Vec<String> = reasons.iter().take(3).map(|w| reason_cn(lead, w)).collect();
            if !top.is_empty() {
                lines.push(Line::Text(format!("主要理由：{}", top.join("；"))));
            }
            for alert in lead.alerts.iter().take(2) {
                lines.push(Line::Text(format!(
                    "⚠ 风险提示（{}级）：{} {}",
                    alert.severity, alert.subject, alert.detail
                )));
            }
            if !lead.products.is_empty() {
                let names = if lead.product_names.is_empty() { &lead.products } else { &lead.product_names };
                lines.push(Line::Text(format!("推荐产品：{}", names.join("、"))));
            }
            lines.push(Line::Link {
                text: format!("查看商机 {}", lead.id),
                href: format!("{base}/leads/{}", lead.id),
            });
        }
        Message { title, lines }
    }

    /// The message for watchlist notices.
    pub fn of_notices(notices: &[crate::model::Notice], base_url: &str) -> Message {
        let base = base_url.trim_end_matches('/');
        let mut lines = Vec::new();
        let mut last: Option<i64> = None;
        for notice in notices {
            if last != Some(notice.enterprise) {
                lines.push(Line::Heading(notice.enterprise_name.clone()));
                lines.push(Line::Link {
                    text: "查看企业".into(),
                    href: format!("{base}/enterprises/{}", notice.enterprise),
                });
                last = Some(notice.enterprise);
            }
            let via = notice.via.as_deref().map(|v| format!("（股东{v}）")).unwrap_or_default();
            lines.push(Line::Text(format!("{via}{}", notice.title)));
        }
        Message { title: format!("关注企业动态 {} 条", notices.len()), lines }
    }

    /// Markdown as WeCom and DingTalk robots render it.
    pub fn markdown(&self) -> String {
        let mut out = format!("### {}\n", self.title);
        for line in &self.lines {
            match line {
                Line::Heading(text) => out.push_str(&format!("\n**{text}**\n")),
                Line::Text(text) => out.push_str(&format!("> {text}\n")),
                Line::Link { text, href } => out.push_str(&format!("[{text}]({href})\n")),
            }
        }
        out
    }

    /// Plain text (the leads' ids in it), for channels without markup.
    pub fn plain(&self) -> String {
        let mut out = self.title.clone();
        for line in &self.lines {
            out.push('\n');
            match line {
                Line::Heading(text) | Line::Text(text) => out.push_str(text),
                Line::Link { text, href } => out.push_str(&format!("{text} {href}")),
            }
        }
        out
    }
}

/// A score term as a Chinese reader reads it: what it is, and the points it added.
fn reason_cn(lead: &Opportunity, why: &crate::model::WhyItem) -> String {
    let what = match why.feature.as_str() {
        "kind" => format!("{}类商机", lead.kind.label_cn()),
        "amount" => lead.amount.map(|a| format!("金额{}", yuan_cn(a))).unwrap_or_else(|| "金额".into()),
        other => crate::model::score_term_cn(other).to_string(),
    };
    format!("{what}（+{:.1}）", why.contribution)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(text).unwrap()
    }

    #[test]
    fn quiet_hours_wrap_midnight_and_parse_from_config() {
        let settings: PushSettings =
            toml::from_str("quiet_hours = \"22:00-07:00\"\ndigest = \"08:30\"").unwrap();
        assert!(settings.is_quiet(&at("2026-11-23T23:10:00+08:00")));
        assert!(settings.is_quiet(&at("2026-11-24T06:59:59+08:00")));
        assert!(!settings.is_quiet(&at("2026-11-24T07:00:00+08:00")));
        assert_eq!(settings.digest, Some(hm(8, 30)));
        assert!(toml::from_str::<PushSettings>("quiet_hours = \"late\"").is_err());
        let none: PushSettings = toml::from_str("quiet_hours = \"\"").unwrap();
        assert!(!none.is_quiet(&at("2026-11-23T23:10:00+08:00")));
    }

    #[test]
    fn retries_follow_the_schedule_then_stop() {
        let settings = PushSettings::default();
        assert_eq!(settings.next_attempt(1, 100), Some(105));
        assert_eq!(settings.next_attempt(2, 100), Some(400));
        assert_eq!(settings.next_attempt(6, 100), Some(36100));
        assert_eq!(settings.next_attempt(7, 100), None);
    }

    fn queued(id: &str, enterprise: i64, score: f64) -> QueuedLead {
        let opportunity = Opportunity {
            amount: Some(1e6),
            score,
            manager: Some("m1".into()),
            ..Opportunity::bare(id, enterprise, crate::model::OpportunityKind::TenderAward)
        };
        QueuedLead { opportunity, manager: "m1".into(), queued_at: 0 }
    }

    #[test]
    fn one_enterprise_is_contacted_at_most_n_times_a_week_and_the_cap_holds() {
        let manager = Manager {
            id: "m1".into(),
            name: "李".into(),
            branch: None,
            regions: vec![],
            industries: vec![],
            capacity: None,
            channel: crate::model::Channel::Wecom,
            webhook: Some("http://127.0.0.1:9/robot".into()),
            secret: None,
        };
        let managers = HashMap::from([("m1".to_string(), manager)]);
        let leads: Vec<QueuedLead> = (0..5).map(|i| queued(&format!("a{i}"), 7, 90.0 - i as f64)).collect();
        let other = queued("b0", 8, 10.0);
        let settings = PushSettings { quiet_hours: None, daily_cap: 3, ..Default::default() };
        let now = at("2026-11-24T10:00:00+08:00");
        // Enterprise 7 was contacted once this week: two more of its leads may go; the cap of
        // three leaves room for enterprise 8's lead.
        let mut all = leads.clone();
        all.push(other);
        let plan = plan(&now, &settings, &managers, all, &HashMap::new(), HashMap::from([(7, 1)]));
        let sent: Vec<&str> =
            plan.deliveries.iter().flat_map(|d| d.leads.iter().map(String::as_str)).collect();
        assert_eq!(sent, ["a0", "a1", "b0"]);
        assert_eq!(plan.waiting, 3);
        // Three already planned today: nothing more.
        let full = HashMap::from([("m1".to_string(), ManagerDay { planned_today: 3, digest_done: false })]);
        let plan2 = super::plan(&now, &settings, &managers, leads, &full, HashMap::new());
        assert!(plan2.deliveries.is_empty());
        assert_eq!(plan2.waiting, 5);
    }

    #[test]
    fn messages_are_in_chinese_and_carry_the_lead_id_and_link() {
        let mut lead = queued("opp-00000000000000aa", 7, 72.5).opportunity;
        lead.tier = crate::model::Tier::A;
        lead.why_now = "中标结果公告 2026-11-20：3,650万元，履约保函与流动资金窗口期".into();
        lead.amount = Some(36_500_000.0);
        lead.why = vec![
            crate::model::WhyItem { feature: "kind".into(), contribution: 20.0, detail: String::new() },
            crate::model::WhyItem { feature: "amount".into(), contribution: 21.0, detail: String::new() },
            crate::model::WhyItem { feature: "risk".into(), contribution: -6.0, detail: String::new() },
        ];
        let text = Message::of(&[lead], "http://bank.example/").markdown();
        assert!(text.starts_with("### 【A类商机】企业7"), "{text}");
        assert!(text.contains("为什么现在：中标结果公告"));
        assert!(text.contains("金额：3,650万元"));
        assert!(text.contains("主要理由：金额3,650万元（+21.0）；中标类商机（+20.0）"), "{text}");
        assert!(
            text.contains("[查看商机 opp-00000000000000aa](http://bank.example/leads/opp-00000000000000aa)")
        );
    }

    #[test]
    fn days_are_local() {
        let (start, end) = day_bounds(&at("2026-11-23T01:30:00+08:00"));
        assert_eq!(start, at("2026-11-23T00:00:00+08:00").timestamp());
        assert_eq!(end - start, 86400);
    }
}
