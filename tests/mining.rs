//! Mining on small planted worlds: stake-weighted risk, tiers, related-firm dedup and
//! relationship leads.

mod util;

use oppgraph::model::{Opportunity, OpportunityKind, SuppressionReason, Tier};
use oppgraph::workspace::Workspace;
use util::*;

/// A workspace with the files given (name, content) imported and mined as of 2026-06-30.
fn world(files: &[(&str, &str)]) -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    for (name, content) in files {
        std::fs::write(input.join(name), content).unwrap();
    }
    let mut ws = Workspace::open(&dir.path().join("data")).unwrap();
    let outcome = ws.import(&[input]).unwrap();
    for file in &outcome.files {
        assert_eq!(file.rejected, 0, "{file:?}");
    }
    ws.mine(as_of()).unwrap();
    (dir, ws)
}

fn lead_of<'a>(opps: &'a [Opportunity], name: &str, kind: OpportunityKind) -> &'a Opportunity {
    opps.iter()
        .find(|o| o.enterprise.name == name && o.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} lead for {name}"))
}

fn risk_points(lead: &Opportunity) -> f64 {
    lead.why.iter().find(|w| w.feature == "risk").map_or(0.0, |w| w.contribution)
}

const ENTERPRISES: &str = "name,region,size\n\
    甲建设工程有限公司,湖北省宜昌市,medium\n\
    乙建设工程有限公司,湖北省宜昌市,medium\n\
    丙建设工程有限公司,湖北省宜昌市,medium\n\
    大股东控股集团有限公司,湖北省宜昌市,large\n\
    小股东投资有限公司,湖北省宜昌市,small\n\
    宜昌市交通运输局,湖北省宜昌市,\n";

const RELATIONS: &str = "from,to,kind,share\n\
    大股东控股集团有限公司,甲建设工程有限公司,shareholder,0.9\n\
    小股东投资有限公司,乙建设工程有限公司,shareholder,0.1\n";

const TENDERS: &str = "id,kind,title,published,buyer,winner,amount,project_code\n\
    a1,award,夷陵大道桥梁维修工程中标公告,2026-06-20,宜昌市交通运输局,甲建设工程有限公司,5000000,P-1\n\
    a2,award,伍家岗隧道维修工程中标公告,2026-06-20,宜昌市交通运输局,乙建设工程有限公司,5000000,P-2\n\
    a3,award,点军区道路养护工程中标公告,2026-06-20,宜昌市交通运输局,丙建设工程有限公司,5000000,P-3\n";

const RISKS: &str = "{\"id\": \"r1\", \"subject\": \"大股东控股集团有限公司\", \"kind\": \"litigation\", \"severity\": 4, \"published\": \"2026-06-01\", \"title\": \"大股东控股集团有限公司合同纠纷\"}\n\
    {\"id\": \"r2\", \"subject\": \"小股东投资有限公司\", \"kind\": \"litigation\", \"severity\": 4, \"published\": \"2026-06-01\", \"title\": \"小股东投资有限公司合同纠纷\"}\n\
    {\"id\": \"r3\", \"subject\": \"丙建设工程有限公司\", \"kind\": \"dishonest\", \"severity\": 5, \"published\": \"2026-06-10\", \"title\": \"丙建设工程有限公司列入失信被执行人\"}\n";

#[test]
fn risk_weighs_by_stake_and_a_dishonest_winner_keeps_its_lead_in_tier_c() {
    let (_dir, ws) = world(&[
        ("enterprises.csv", ENTERPRISES),
        ("relations.csv", RELATIONS),
        ("tenders.csv", TENDERS),
        ("risk_events.jsonl", RISKS),
    ]);
    let opps = all_opportunities(&ws);
    let held_90 = lead_of(&opps, "甲建设工程有限公司", OpportunityKind::TenderAward);
    let held_10 = lead_of(&opps, "乙建设工程有限公司", OpportunityKind::TenderAward);
    assert_eq!(held_90.alerts.len(), 1);
    assert_eq!(held_10.alerts.len(), 1);
    assert!(
        risk_points(held_90) < risk_points(held_10),
        "a 90% holder's litigation ({}) must cost more than a 10% holder's ({})",
        risk_points(held_90),
        risk_points(held_10)
    );
    assert!(held_90.alerts[0].weight > 0.8 && held_10.alerts[0].weight < 0.2);

    let dishonest = lead_of(&opps, "丙建设工程有限公司", OpportunityKind::TenderAward);
    assert!(dishonest.suppressed.is_none(), "risk never drops a lead");
    assert_eq!(dishonest.tier, Tier::C);
    assert!(dishonest.alerts.iter().any(|a| a.kind == "dishonest" && a.path.len() == 1));
    for lead in &opps {
        assert!(!lead.why_now.is_empty(), "{} has no why_now", lead.id);
    }
}

#[test]
fn tiers_are_monotone_in_score_among_leads_without_policy_risk() {
    let (_dir, ws) = mined_workspace();
    let mut live: Vec<Opportunity> =
        all_opportunities(&ws).into_iter().filter(|o| o.suppressed.is_none()).collect();
    live.retain(|o| {
        !o.alerts.iter().any(|a| a.path.len() == 1 && (a.kind == "dishonest" || a.kind == "bankruptcy"))
    });
    live.sort_by(|a, b| b.score.total_cmp(&a.score));
    assert!(live.len() >= 2);
    assert_eq!(live[0].tier, Tier::A, "the best lead is tier A");
    for pair in live.windows(2) {
        assert!(
            pair[0].tier <= pair[1].tier,
            "{} ({:?}) above {} ({:?})",
            pair[0].score,
            pair[0].tier,
            pair[1].score,
            pair[1].tier
        );
    }
    let _ = SuppressionReason::Duplicate;
}
