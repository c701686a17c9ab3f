//! The whole pipeline over the fixture dataset: import with rejects, idempotent re-import,
//! mining with dedup, suppression, risk alerts, ranking and restart.

mod util;

use oppgraph::ingest::ImportKind;
use oppgraph::model::{Feedback, OpportunityKind, OpportunityStatus, SuppressionReason};
use oppgraph::store::Table;
use oppgraph::workspace::Workspace;
use util::*;

#[test]
fn import_reports_rejects_with_reasons_and_keeps_good_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(dir.path()).unwrap();
    let outcome = ws.import(&[fixture_dir()]).unwrap();
    let counts: Vec<(ImportKind, usize, usize)> =
        outcome.files.iter().map(|f| (f.kind.unwrap(), f.accepted, f.rejected)).collect();
    assert_eq!(
        counts,
        [
            (ImportKind::Managers, 2, 0),
            (ImportKind::Enterprises, 6, 3),
            (ImportKind::Persons, 2, 0),
            (ImportKind::Relations, 4, 3),
            (ImportKind::Tenders, 7, 1),
            (ImportKind::Pledges, 3, 0),
            (ImportKind::Invoices, 3, 1),
            (ImportKind::RiskEvents, 2, 2),
        ]
    );
    assert!(!outcome.refused);

    // Every rejected row is in <data>/rejects with its file, line, reason and original row.
    let mut rejects = Vec::new();
    for entry in std::fs::read_dir(dir.path().join("rejects")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        rejects.extend(text.lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()));
    }
    assert_eq!(rejects.len(), 10);
    let find = |file: &str, line: u64| {
        rejects
            .iter()
            .find(|r| r["file"].as_str().unwrap().ends_with(file) && r["line"] == line)
            .unwrap_or_else(|| panic!("no reject for {file}:{line}"))
    };
    assert!(find("enterprises.csv", 8)["reason"].as_str().unwrap().contains("check character"));
    assert!(find("enterprises.csv", 9)["reason"].as_str().unwrap().contains("`name`"));
    assert!(find("enterprises.csv", 10)["reason"].as_str().unwrap().contains("size"));
    assert!(find("relations.csv", 6)["reason"].as_str().unwrap().contains("unknown person"));
    assert!(find("relations.csv", 8)["reason"].as_str().unwrap().contains("between 0 and 1"));
    assert!(find("tenders.csv", 8)["reason"].as_str().unwrap().contains("published"));
    assert_eq!(find("tenders.csv", 8)["row"]["id"], "t7");
    assert!(find("invoices.csv", 5)["reason"].as_str().unwrap().contains("non-negative"));
    assert!(find("risk_events.jsonl", 3)["reason"].as_str().unwrap().contains("kind"));
    assert!(find("risk_events.jsonl", 4)["reason"].as_str().unwrap().contains("invalid JSON"));

    // Unknown columns are kept as extra attributes; discovered enterprises say where from.
    let enterprises = ws.store().enterprises().unwrap();
    let winner = enterprises.iter().find(|e| e.name == "宜昌昊源建设工程有限公司").unwrap();
    assert_eq!(winner.extra.get("phone").map(String::as_str), Some("0717-1234567"));
    let agency = enterprises.iter().find(|e| e.name == "世纪杰皓（湖北）项目管理有限公司").unwrap();
    assert_eq!(agency.discovered_from.as_deref(), Some("tender:t1"));
    // The agency written with half-width brackets in t3 resolved to the same enterprise.
    assert_eq!(enterprises.iter().filter(|e| e.name.starts_with("世纪杰皓")).count(), 1);
}

#[test]
fn reimporting_changes_nothing() {
    let (_dir, mut ws) = mined_workspace();
    let before = (
        ws.store().count(Table::Enterprises).unwrap(),
        ws.store().count(Table::Records).unwrap(),
        ws.store().count(Table::Relations).unwrap(),
        ws.index().num_docs(),
    );
    let leads_before = all_opportunities(&ws);
    let outcome = ws.import(&[fixture_dir()]).unwrap();
    assert!(outcome.files.iter().all(|f| f.changed == 0 && f.discovered == 0), "{:?}", outcome.files);
    ws.mine(as_of()).unwrap();
    let after = (
        ws.store().count(Table::Enterprises).unwrap(),
        ws.store().count(Table::Records).unwrap(),
        ws.store().count(Table::Relations).unwrap(),
        ws.index().num_docs(),
    );
    assert_eq!(before, after);
    assert_eq!(leads_before, all_opportunities(&ws));
}

#[test]
fn one_award_from_two_sources_is_one_live_lead() {
    let (_dir, ws) = mined_workspace();
    let opps = all_opportunities(&ws);
    let t1 = leads_for(&opps, OpportunityKind::TenderAward, "t1");
    let live: Vec<_> = t1.iter().filter(|o| o.suppressed.is_none()).collect();
    assert_eq!(live.len(), 1, "{t1:#?}");
    let canonical = live[0];
    // The live lead carries both reports as evidence.
    let records: Vec<&str> = canonical.evidence.iter().map(|e| e.record.as_str()).collect();
    assert_eq!(records, ["t1", "t2"]);
    let duplicate = opps
        .iter()
        .find(|o| o.suppressed.as_ref().is_some_and(|s| s.reason == SuppressionReason::Duplicate))
        .expect("the second report is suppressed");
    assert_eq!(duplicate.evidence[0].record, "t2");
    assert_eq!(duplicate.suppressed.as_ref().unwrap().duplicate_of.as_deref(), Some(canonical.id.as_str()));
    assert_eq!(canonical.products, ["performance_bond", "working_capital_loan"]);
    assert_eq!(
        canonical.product_names,
        ["履约保函", "流动资金贷款"],
        "the bank's names travel with the codes"
    );
}

#[test]
fn agencies_small_amounts_and_terminated_projects_are_suppressed() {
    let (_dir, ws) = mined_workspace();
    let opps = all_opportunities(&ws);
    let reason = |record: &str| {
        let leads = leads_for(&opps, OpportunityKind::TenderAward, record);
        assert_eq!(leads.len(), 1, "{record}");
        leads[0].suppressed.as_ref().map(|s| s.reason)
    };
    assert_eq!(reason("t3"), Some(SuppressionReason::Agency));
    assert_eq!(reason("t4"), Some(SuppressionReason::SmallAmount));
    assert_eq!(reason("t5"), Some(SuppressionReason::NoBusiness));
    // Suppressed leads are hidden by default.
    let live = ws.store().opportunities(&Default::default()).unwrap();
    assert!(live.iter().all(|o| o.suppressed.is_none()));
    assert!(!live.iter().any(|o| o.enterprise.name.starts_with("世纪杰皓")));
}

#[test]
fn litigation_on_the_controlling_shareholder_alerts_the_winners_lead() {
    let (_dir, ws) = mined_workspace();
    let opps = all_opportunities(&ws);
    let lead = leads_for(&opps, OpportunityKind::TenderAward, "t1")
        .into_iter()
        .find(|o| o.suppressed.is_none())
        .unwrap();
    assert_eq!(lead.alerts.len(), 1, "{:#?}", lead.alerts);
    let alert = &lead.alerts[0];
    assert_eq!(alert.kind, "litigation");
    assert_eq!(alert.severity, 4);
    assert_eq!(alert.record, "r1");
    assert_eq!(alert.path, ["宜昌昊源控股集团有限公司", "宜昌昊源建设工程有限公司"]);
    let risk = lead.why.iter().find(|w| w.feature == "risk").expect("risk lowers the score");
    assert!(risk.contribution < 0.0);
}

#[test]
fn pledge_expiring_in_60_days_gives_a_refinancing_lead() {
    let (_dir, ws) = mined_workspace();
    let opps = all_opportunities(&ws);
    let leads = leads_for(&opps, OpportunityKind::PledgeRefinancing, "pl1");
    assert_eq!(leads.len(), 1);
    let lead = leads[0];
    assert!(lead.suppressed.is_none());
    assert_eq!(lead.enterprise.name, "宜昌精工机械有限公司");
    assert_eq!(lead.products, ["refinancing_loan"]);
    assert_eq!(lead.due.map(|d| d.to_string()).as_deref(), Some("2026-07-30"));
    // Its own enforcement record is a direct alert; the lead is kept.
    assert_eq!(lead.alerts.iter().map(|a| a.kind.as_str()).collect::<Vec<_>>(), ["enforcement"]);
    assert_eq!(lead.alerts[0].path, ["宜昌精工机械有限公司"]);
    // Too far out, or released: no lead.
    assert!(leads_for(&opps, OpportunityKind::PledgeRefinancing, "pl2").is_empty());
    assert!(leads_for(&opps, OpportunityKind::PledgeRefinancing, "pl3").is_empty());
}

#[test]
fn suppliers_of_customers_become_supply_chain_leads() {
    let (_dir, ws) = mined_workspace();
    let opps = all_opportunities(&ws);
    let lead = opps.iter().find(|o| o.kind == OpportunityKind::SupplyChain).expect("supply-chain lead");
    assert_eq!(lead.enterprise.name, "宜昌小微配件有限公司");
    assert!(lead.why.iter().any(|w| w.feature == "amount" && w.detail.contains("120万元")));
    assert_eq!(lead.evidence.len(), 3);
}

#[test]
fn leads_are_ranked_and_explained() {
    let (_dir, ws) = mined_workspace();
    let live = ws.store().opportunities(&Default::default()).unwrap();
    assert!(live.len() >= 3);
    for pair in live.windows(2) {
        assert!(pair[0].score >= pair[1].score);
    }
    for lead in &live {
        assert!(!lead.why.is_empty() && !lead.evidence.is_empty(), "{}", lead.id);
        let sum: f64 = lead.why.iter().map(|w| w.contribution).sum();
        assert!((sum.clamp(0.0, 100.0) - lead.score).abs() < 0.2, "{}: {sum} vs {}", lead.id, lead.score);
        assert!(lead.manager.is_some());
    }
}

#[test]
fn leads_and_feedback_survive_a_restart() {
    let (dir, mut ws) = mined_workspace();
    let lead = ws.store().opportunities(&Default::default()).unwrap().remove(0);
    ws.add_feedback(&Feedback {
        opportunity_id: lead.id.clone(),
        actor: "m1".into(),
        status: OpportunityStatus::Contacted,
        reason: None,
        note: Some("called the CFO".into()),
        at: "2026-07-01T09:00:00+08:00".into(),
    })
    .unwrap();
    drop(ws);
    let mut reopened = Workspace::open(dir.path()).unwrap();
    let again = reopened.store().opportunity(&lead.id).unwrap().unwrap();
    assert_eq!(again.status, OpportunityStatus::Contacted);
    // Re-mining keeps the status, and the search index is still there.
    reopened.mine(as_of()).unwrap();
    assert_eq!(reopened.store().opportunity(&lead.id).unwrap().unwrap().status, OpportunityStatus::Contacted);
    assert_eq!(reopened.store().feedback().unwrap().len(), 1);
    assert!(reopened.index().num_docs() > 0);
}

#[test]
fn invalid_feedback_suppresses_the_lead_on_the_next_run() {
    let (_dir, mut ws) = mined_workspace();
    let lead = ws.store().opportunities(&Default::default()).unwrap().remove(0);
    ws.add_feedback(&Feedback {
        opportunity_id: lead.id.clone(),
        actor: "m1".into(),
        status: OpportunityStatus::Invalid,
        reason: Some("already our customer".into()),
        note: None,
        at: "2026-07-01T09:00:00+08:00".into(),
    })
    .unwrap();
    ws.mine(as_of()).unwrap();
    let after = ws.store().opportunity(&lead.id).unwrap().unwrap();
    let suppressed = after.suppressed.expect("suppressed after invalid feedback");
    assert_eq!(suppressed.reason, SuppressionReason::InvalidFeedback);
    assert!(suppressed.detail.unwrap().contains("already our customer"));
}

#[test]
fn rebuilt_index_matches_incremental_index() {
    let (_dir, ws) = mined_workspace();
    let options = oppgraph::index::SearchOptions { limit: 20, ..Default::default() };
    let ids = |ws: &Workspace, q: &str| -> Vec<String> {
        ws.index().search(q, &options).unwrap().hits.into_iter().map(|h| h.id).collect()
    };
    let queries = ["道路改造", "运动服", "kind:award 宜昌", "\"买卖合同纠纷\""];
    let before: Vec<_> = queries.iter().map(|q| ids(&ws, q)).collect();
    ws.rebuild_index().unwrap();
    let after: Vec<_> = queries.iter().map(|q| ids(&ws, q)).collect();
    assert_eq!(before, after);
    assert_eq!(before[0][0], "t1");
    // Traditional characters in the notice are found by a simplified query.
    assert_eq!(before[1], ["t8"]);
}

/// Mining reads the kinds of the leads that have feedback, and only those, without decoding
/// any lead.
#[test]
fn the_kinds_of_leads_with_feedback_are_read_without_decoding_leads() {
    let (_dir, mut ws) = mined_workspace();
    assert_eq!(ws.store().feedback_kinds().unwrap(), []);
    let leads = all_opportunities(&ws);
    let mut expected: Vec<(String, OpportunityKind)> =
        leads.iter().take(2).map(|o| (o.id.clone(), o.kind)).collect();
    for (id, _) in &expected {
        let feedback = oppgraph::model::Feedback {
            opportunity_id: id.clone(),
            actor: "m001".into(),
            status: oppgraph::model::OpportunityStatus::Contacted,
            reason: None,
            note: None,
            at: "2026-06-30T10:00:00+08:00".into(),
        };
        ws.add_feedback(&feedback).unwrap();
    }
    let mut kinds = ws.store().feedback_kinds().unwrap();
    kinds.sort();
    expected.sort();
    assert_eq!(kinds, expected);
}

#[test]
fn invalid_feedback_suppresses_every_report_of_the_event_now_and_later() {
    let (dir, mut ws) = mined_workspace();
    let opps = all_opportunities(&ws);
    let mut live: Vec<_> = leads_for(&opps, OpportunityKind::TenderAward, "t1")
        .into_iter()
        .chain(leads_for(&opps, OpportunityKind::TenderAward, "t2"))
        .filter(|o| o.suppressed.is_none())
        .collect();
    live.dedup_by_key(|o| o.id.clone());
    assert_eq!(live.len(), 1, "t1 and t2 report one award: one live lead");
    let marked = live[0].id.clone();
    ws.add_feedback(&Feedback {
        opportunity_id: marked.clone(),
        actor: "m1".into(),
        status: OpportunityStatus::Invalid,
        reason: Some("duplicate".into()),
        note: None,
        at: "2026-07-01T09:00:00+08:00".into(),
    })
    .unwrap();
    // A third site reports the same award after the feedback.
    let later = dir.path().join("tenders-later.csv");
    std::fs::write(
        &later,
        "id,kind,title,published,buyer,winner,amount,project_code\n\
         t9,award,G318线道路改造工程中标公告（转载）,2026-06-25,宜昌市交通运输局,宜昌昊源建设工程有限公司,20797381.58,XSA-2026-001\n",
    )
    .unwrap();
    ws.import(&[later]).unwrap();
    ws.mine(as_of()).unwrap();
    let opps = all_opportunities(&ws);
    let mut reports: Vec<_> =
        ["t1", "t2", "t9"].iter().flat_map(|r| leads_for(&opps, OpportunityKind::TenderAward, r)).collect();
    reports.sort_by_key(|o| o.id.clone());
    reports.dedup_by_key(|o| o.id.clone());
    assert!(reports.len() >= 2, "the later report makes a lead of its own");
    for lead in reports {
        let suppressed = lead.suppressed.as_ref().unwrap_or_else(|| panic!("{} came back live", lead.id));
        assert_eq!(suppressed.reason, SuppressionReason::InvalidFeedback, "{}", lead.id);
        if lead.id != marked {
            assert_eq!(suppressed.duplicate_of.as_deref(), Some(marked.as_str()));
        }
    }
}
