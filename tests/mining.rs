//! Mining on small planted worlds: stake-weighted risk, tiers, related-firm dedup and
//! relationship leads.

mod util;

use oppgraph::model::{Opportunity, OpportunityKind, SuppressionReason, Tier};
use oppgraph::workspace::Workspace;
use util::*;

/// A workspace with the files given (name, content) imported and mined as of 2026-06-30.
fn world(files: &[(&str, &str)]) -> (tempfile::TempDir, Workspace) {
    world_with_config("", files)
}

/// The same, with `config` as the data dir's config.toml.
fn world_with_config(config: &str, files: &[(&str, &str)]) -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    std::fs::write(dir.path().join("data/config.toml"), config).unwrap();
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
    // The path names each step's relation, and the description reads it.
    let alert = &held_90.alerts[0];
    assert_eq!(alert.path, ["大股东控股集团有限公司", "甲建设工程有限公司"]);
    assert_eq!(alert.links.len(), 1);
    assert_eq!((alert.links[0].kind.as_str(), alert.links[0].label.as_str()), ("shareholder", "持股 90%"));
    assert!(
        alert.detail.contains("大股东控股集团有限公司 —持股 90%→ 甲建设工程有限公司"),
        "{}",
        alert.detail
    );

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

#[test]
fn one_award_on_a_parent_and_its_subsidiary_is_one_lead_but_equal_amounts_are_not_one_project() {
    let tenders = "id,kind,title,published,buyer,winner,amount,project_code\n\
        p1,award,宜昌港区疏浚工程中标公告,2026-06-18,宜昌市交通运输局,大股东控股集团有限公司,8000000,P-9\n\
        p2,award,宜昌港区疏浚工程中标结果公示,2026-06-19,宜昌市交通运输局,甲建设工程有限公司,8000000,P-9\n\
        b1,award,夷陵区桥梁维修工程中标公告,2026-06-20,宜昌市交通运输局,乙建设工程有限公司,3000000,\n\
        b2,award,夷陵区隧道维修工程中标公告,2026-06-21,宜昌市交通运输局,乙建设工程有限公司,3000000,\n\
        s1,award,长江大桥检测服务中标公告,2026-06-22,宜昌市交通运输局,中国石油化工集团有限公司,9000000,\n\
        s2,award,长江大桥检测服务中标公示,2026-06-22,宜昌市交通运输局,中国石油化工股份有限公司,9000000,\n";
    let enterprises = format!(
        "{ENTERPRISES}中国石油化工集团有限公司,北京市,large\n中国石油化工股份有限公司,北京市,large\n"
    );
    let (_dir, ws) =
        world(&[("enterprises.csv", &enterprises), ("relations.csv", RELATIONS), ("tenders.csv", tenders)]);
    let opps = all_opportunities(&ws);
    let live_for = |records: &[&str]| -> Vec<&Opportunity> {
        let mut found: Vec<&Opportunity> = opps
            .iter()
            .filter(|o| o.kind == OpportunityKind::TenderAward)
            .filter(|o| o.evidence.iter().any(|e| records.contains(&e.record.as_str())))
            .filter(|o| o.suppressed.is_none())
            .collect();
        found.dedup_by_key(|o| o.id.clone());
        found
    };
    // The parent (90% holder) and its subsidiary reported for one award: one live lead with
    // both reports as evidence; the other report names it and why.
    let family = live_for(&["p1", "p2"]);
    assert_eq!(family.len(), 1, "{family:#?}");
    assert_eq!(family[0].evidence.len(), 2);
    let joined = opps
        .iter()
        .find(|o| {
            o.suppressed.as_ref().is_some_and(|s| s.duplicate_of.as_deref() == Some(family[0].id.as_str()))
        })
        .expect("the other report is a duplicate of the live one");
    let detail = joined.suppressed.as_ref().unwrap().detail.clone().unwrap();
    assert!(detail.contains("related firms"), "{detail}");
    // 桥梁维修 and 隧道维修: same buyer, winner and amount, different projects — two leads.
    assert_eq!(live_for(&["b1"]).len() + live_for(&["b2"]).len(), 2);
    assert_ne!(live_for(&["b1"])[0].id, live_for(&["b2"])[0].id);
    // 中国石化 集团 and 股份, with no shareholding imported: the synonym lexicon joins them.
    let sinopec = live_for(&["s1", "s2"]);
    assert_eq!(sinopec.len(), 1, "{sinopec:#?}");
    let _ = SuppressionReason::Duplicate;
}

#[test]
fn title_similarity_tells_projects_apart() {
    use oppgraph::mine::dedup::title_similarity;
    assert!(title_similarity("夷陵区桥梁维修工程中标公告", "夷陵区隧道维修工程中标公告") < 0.8);
    assert!(title_similarity("G318线道路改造工程中标公告", "G318道路改造项目结果公示") >= 0.8);
    assert_eq!(title_similarity("某某工程中标公告", "某某工程中标公告"), 1.0);
}

#[test]
fn a_customers_subsidiary_and_its_executives_other_firm_get_relationship_leads() {
    let enterprises = "name,region,size,is_customer\n\
        宜昌长江实业集团有限公司,湖北省宜昌市,large,true\n\
        宜昌长江物流有限公司,湖北省宜昌市,medium,false\n\
        宜昌长江置业有限公司,湖北省宜昌市,medium,false\n\
        宜昌绿源农业科技有限公司,湖北省宜昌市,small,false\n\
        宜昌无关贸易有限公司,湖北省宜昌市,small,false\n";
    let persons = "id,name\np1,王建国\np2,李四\n";
    let relations = "from,to,kind,share,role\n\
        宜昌长江实业集团有限公司,宜昌长江物流有限公司,shareholder,0.6,\n\
        宜昌长江物流有限公司,宜昌长江置业有限公司,shareholder,0.51,\n\
        宜昌长江实业集团有限公司,宜昌无关贸易有限公司,shareholder,0.2,\n\
        person:p1,宜昌长江实业集团有限公司,legal_rep,,法定代表人\n\
        person:p1,宜昌绿源农业科技有限公司,officer,,董事\n\
        person:p2,宜昌无关贸易有限公司,officer,,监事\n";
    let (_dir, ws) =
        world(&[("enterprises.csv", enterprises), ("persons.csv", persons), ("relations.csv", relations)]);
    let opps = all_opportunities(&ws);
    let group = lead_of(&opps, "宜昌长江物流有限公司", OpportunityKind::GroupCrossSell);
    assert!(group.suppressed.is_none());
    assert!(
        group.evidence[0].title.contains("宜昌长江实业集团有限公司 → 宜昌长江物流有限公司"),
        "{:?}",
        group.evidence
    );
    assert!(group.why_now.contains("集团成员"), "{}", group.why_now);
    // Two majority steps down is still the group; a 20% stake is not.
    lead_of(&opps, "宜昌长江置业有限公司", OpportunityKind::GroupCrossSell);
    assert!(!opps.iter().any(|o| o.enterprise.name == "宜昌无关贸易有限公司"));
    let network = lead_of(&opps, "宜昌绿源农业科技有限公司", OpportunityKind::ExecutiveNetwork);
    assert_eq!(
        network.evidence[0].title,
        "高管任职：宜昌长江实业集团有限公司 → 王建国 → 宜昌绿源农业科技有限公司"
    );
    assert!(!network.products.is_empty());
    // The customer itself gets no relationship lead.
    assert!(!opps.iter().any(|o| o.enterprise.name == "宜昌长江实业集团有限公司"
        && matches!(o.kind, OpportunityKind::GroupCrossSell | OpportunityKind::ExecutiveNetwork)));
}

#[test]
fn one_risk_event_is_one_alert_across_the_enterprises_leads_and_a_block_blocks_them_all() {
    let tenders = "id,kind,title,published,buyer,winner,amount,project_code\n\
        a1,award,夷陵大道桥梁维修工程中标公告,2026-06-20,宜昌市交通运输局,甲建设工程有限公司,5000000,P-1\n\
        a4,award,西陵区排水管网改造工程中标公告,2026-06-25,宜昌市交通运输局,甲建设工程有限公司,7000000,P-4\n";
    let (_dir, mut ws) = world(&[
        ("enterprises.csv", ENTERPRISES),
        ("relations.csv", RELATIONS),
        ("tenders.csv", tenders),
        ("risk_events.jsonl", RISKS),
    ]);
    let leads: Vec<Opportunity> = all_opportunities(&ws)
        .into_iter()
        .filter(|o| o.enterprise.name == "甲建设工程有限公司" && o.suppressed.is_none())
        .collect();
    assert_eq!(leads.len(), 2);
    assert_eq!(leads[0].alerts.len(), 1);
    assert_eq!(leads[0].alerts[0].id, leads[1].alerts[0].id, "one alert for one event on one enterprise");
    ws.review_alert(&oppgraph::store::AlertReview {
        alert_id: leads[0].alerts[0].id.clone(),
        reviewer: "risk".into(),
        decision: "block".into(),
        note: None,
        at: "2026-07-01T09:00:00+08:00".into(),
    })
    .unwrap();
    // Blocked, and still blocked after mining again.
    ws.mine(as_of()).unwrap();
    for lead in &leads {
        let now = ws.store().opportunity(&lead.id).unwrap().unwrap();
        assert_eq!(now.status, oppgraph::model::OpportunityStatus::Blocked);
    }
}

#[test]
fn a_campaign_lists_the_customers_chain_tier_by_tier_with_leads_or_prospects() {
    let enterprises = "name,region,size,is_customer\n\
        宜昌长江实业集团有限公司,湖北省宜昌市,large,true\n\
        宜昌长江物流有限公司,湖北省宜昌市,medium,false\n\
        一级供应商有限公司,湖北省宜昌市,small,false\n\
        二级供应商有限公司,湖北省宜昌市,small,false\n\
        下游经销商有限公司,湖北省宜昌市,small,false\n";
    let relations = "from,to,kind,share\n宜昌长江实业集团有限公司,宜昌长江物流有限公司,shareholder,0.6\n";
    let invoices = "id,seller,buyer,amount,issued\n\
        i1,一级供应商有限公司,宜昌长江实业集团有限公司,3000000,2026-05-01\n\
        i2,二级供应商有限公司,一级供应商有限公司,800000,2026-05-02\n\
        i3,宜昌长江实业集团有限公司,下游经销商有限公司,1200000,2026-05-03\n";
    let (_dir, ws) =
        world(&[("enterprises.csv", enterprises), ("relations.csv", relations), ("invoices.csv", invoices)]);
    let customer = ws.store().find_enterprises("宜昌长江实业集团有限公司", 1).unwrap()[0].id;
    let members = ws.campaign(customer, 2).unwrap();
    let find = |name: &str| {
        members.iter().find(|m| m.enterprise.name == name).unwrap_or_else(|| panic!("{name} missing"))
    };
    let tier1 = find("一级供应商有限公司");
    assert_eq!((tier1.relation, tier1.tier, tier1.volume), ("supplier", 1, Some(3_000_000.0)));
    assert!(!tier1.leads.is_empty(), "the tier-1 supplier has a supply-chain lead");
    let tier2 = find("二级供应商有限公司");
    assert_eq!((tier2.relation, tier2.tier), ("supplier", 2));
    assert!(!tier2.leads.is_empty(), "the tier-2 supplier has its own supply-chain lead");
    let lead = ws.store().opportunity(&tier2.leads[0]).unwrap().unwrap();
    assert!(lead.why_now.contains("二级供应商（经由一级供应商有限公司）"), "{}", lead.why_now);
    assert!(find("下游经销商有限公司").leads.len() == 1);
    assert_eq!(find("下游经销商有限公司").relation, "buyer");
    let group = find("宜昌长江物流有限公司");
    assert_eq!((group.relation, group.path.len()), ("group", 2));
    assert!(!group.leads.is_empty(), "the group member has its group_cross_sell lead");
}

#[test]
fn a_guarantors_lead_carries_the_risk_of_the_debt_it_guarantees() {
    let relations = "from,to,kind,amount\n甲建设工程有限公司,小股东投资有限公司,guarantee,20000000\n";
    let (_dir, ws) = world(&[
        ("enterprises.csv", ENTERPRISES),
        ("relations.csv", relations),
        ("tenders.csv", TENDERS),
        ("risk_events.jsonl", RISKS),
    ]);
    let opps = all_opportunities(&ws);
    let guarantor = lead_of(&opps, "甲建设工程有限公司", OpportunityKind::TenderAward);
    let alert = guarantor
        .alerts
        .iter()
        .find(|a| a.record == "r2")
        .expect("the debtor's litigation reaches the guarantor");
    assert_eq!(alert.path, ["小股东投资有限公司", "甲建设工程有限公司"]);
    assert!(alert.weight > 0.4 && alert.weight <= 0.5, "{}", alert.weight);
}

#[test]
fn a_bank_may_block_dishonest_enterprises_by_policy() {
    let files = [
        ("enterprises.csv", ENTERPRISES),
        ("relations.csv", RELATIONS),
        ("tenders.csv", TENDERS),
        ("risk_events.jsonl", RISKS),
    ];
    let (_dir, ws) = world_with_config("[mine]\nblock_on = [\"dishonest\"]\n", &files);
    let opps = all_opportunities(&ws);
    let dishonest = lead_of(&opps, "丙建设工程有限公司", OpportunityKind::TenderAward);
    assert_eq!(dishonest.status, oppgraph::model::OpportunityStatus::Blocked);
    let depth = ws.store().outbox_depth().unwrap();
    assert!(depth.leads.is_empty(), "nothing queued: no managers, and the blocked lead never is");
    // A policy naming no risk kind is refused with the key named.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.toml"), "[mine]\nblock_on = [\"gossip\"]\n").unwrap();
    let mut bad = Workspace::open(dir.path()).unwrap();
    let error = bad.mine(as_of()).unwrap_err().to_string();
    assert!(error.contains("block_on") && error.contains("gossip"), "{error}");
    // Slices of no enterprises are refused when the configuration is read, with the key named.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.toml"), "[mine]\nslice_enterprises = 0\n").unwrap();
    let error = Workspace::open(dir.path()).err().expect("slices of 0 refused").to_string();
    assert!(error.contains("slice_enterprises") && error.contains("nonzero"), "{error}");
}

#[test]
fn each_lot_winner_is_a_lead_with_its_own_lot_amount() {
    // A notice of two lots, as `oppgraph extract` prints it (the first lot's winners at the top)
    // and a JSON Lines import reads it.
    let tenders = r#"{"id": "lots1", "kind": "award", "title": "宜昌港区两标段疏浚工程中标公告", "published": "2026-06-20", "buyer": "宜昌市交通运输局", "winners": ["甲建设工程有限公司"], "amount": 1200000, "project_code": "P-L", "lots": [{"name": "一标段", "winners": ["甲建设工程有限公司"], "amount": 1200000}, {"name": "二标段", "winners": ["乙建设工程有限公司", "丙建设工程有限公司"], "amount": 800000}]}
"#;
    let (_dir, ws) = world(&[("enterprises.csv", ENTERPRISES), ("tenders.jsonl", tenders)]);
    let opps = all_opportunities(&ws);
    let amount = |name: &str| lead_of(&opps, name, OpportunityKind::TenderAward).amount;
    assert_eq!(amount("甲建设工程有限公司"), Some(1_200_000.0));
    // The second lot's consortium shares the second lot's amount, not the notice's first.
    assert_eq!(amount("乙建设工程有限公司"), Some(400_000.0));
    assert_eq!(amount("丙建设工程有限公司"), Some(400_000.0));
}

/// A run writes only what it changed: re-mining the same data rewrites no lead, a new award
/// writes its own lead (and nothing else changes), and the leads a run no longer produces are
/// dropped — with the same leads as mining everything into a fresh store.
#[test]
fn a_run_writes_only_the_leads_it_changed() {
    let (dir, mut ws) = mined_workspace();
    let before = all_opportunities(&ws);
    let again = ws.mine(as_of()).unwrap();
    assert_eq!(again.changed, oppgraph::store::Written { written: 0, dropped: 0 });
    assert_eq!(all_opportunities(&ws), before);

    let input = dir.path().join("more");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(
        input.join("tenders.csv"),
        "id,kind,title,published,buyer,winner,amount,region\n\
         t-new,award,宜昌市水务局管网改造中标公告,2026-06-25,宜昌市交通运输局,宜昌昊源建设工程有限公司,3500000,湖北省宜昌市\n",
    )
    .unwrap();
    ws.import(std::slice::from_ref(&input)).unwrap();
    let after = ws.mine(as_of()).unwrap();
    let leads = all_opportunities(&ws);
    assert_eq!(leads_for(&leads, OpportunityKind::TenderAward, "t-new").len(), 1);
    assert!(after.changed.written >= 1, "{:?}", after.changed);
    assert!(after.changed.written < leads.len() / 2, "{:?} of {}", after.changed, leads.len());

    // The same data mined into a fresh store gives the same leads.
    let fresh = tempfile::tempdir().unwrap();
    let mut other = Workspace::open(fresh.path()).unwrap();
    other.import(&[fixture_dir(), input]).unwrap();
    other.mine(as_of()).unwrap();
    let key = |o: &Opportunity| (o.id.clone(), o.score.to_bits(), o.tier, o.suppressed.clone());
    let mut ours: Vec<_> = leads.iter().map(key).collect();
    let mut theirs: Vec<_> = all_opportunities(&other).iter().map(key).collect();
    ours.sort_by(|a, b| a.0.cmp(&b.0));
    theirs.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(ours, theirs);
}

/// Leads a later run no longer produces are dropped and their queued pushes cancelled; no
/// push is queued for a lead that is gone.
#[test]
fn gone_leads_leave_and_their_queued_pushes_are_cancelled() {
    let (_dir, mut ws) = mined_workspace();
    let queued_before: std::collections::HashSet<String> =
        ws.store().lead_deliveries().unwrap().into_keys().collect();
    assert!(!queued_before.is_empty());
    // Years later the awards and pledges of the fixture are out of every window.
    let later = ws.mine("2031-01-01".parse().unwrap()).unwrap();
    assert!(later.changed.dropped > 0, "{:?}", later.changed);
    let leads: std::collections::HashSet<String> = all_opportunities(&ws).into_iter().map(|o| o.id).collect();
    for id in ws.store().lead_deliveries().unwrap().keys() {
        assert!(leads.contains(id) || queued_before.contains(id), "a push queued for a gone lead: {id}");
    }
    let gone_queued = queued_before.iter().filter(|id| !leads.contains(*id)).count();
    let cancelled = ws.store().outbox_depth().unwrap().leads.get("cancelled").copied().unwrap_or(0);
    assert_eq!(cancelled as usize, gone_queued);
    assert!(gone_queued > 0);
}

/// A lead's due date counts from the day mining first saw it, so it stays put when later days
/// mine it again: a relationship or supply-chain lead first seen on day D is due D + 30, not
/// 30 days after whichever day mined it last (it would never come due).
#[test]
fn a_leads_due_date_counts_from_the_day_it_was_first_seen() {
    let dateless = |o: &&Opportunity| -> bool {
        matches!(
            o.kind,
            OpportunityKind::GroupCrossSell
                | OpportunityKind::ExecutiveNetwork
                | OpportunityKind::SupplyChain
        )
    };
    let month = chrono::Days::new(30);
    let (_dir, mut ws) = mined_workspace();
    let first = all_opportunities(&ws);
    assert!(first.iter().filter(dateless).count() >= 1, "the fixture has a supply-chain lead");
    // An award published long enough ago is due a week after it was first seen.
    let week = chrono::Days::new(7);
    assert!(first.iter().any(|o| o.kind == OpportunityKind::TenderAward && o.due == Some(as_of() + week)));
    for lead in first.iter().filter(dateless) {
        assert_eq!(lead.due, Some(as_of() + month), "{}", lead.id);
    }
    let later = as_of() + chrono::Days::new(10);
    ws.mine(later).unwrap();
    let second = all_opportunities(&ws);
    let due_before: std::collections::HashMap<&str, _> =
        first.iter().map(|o| (o.id.as_str(), o.due)).collect();
    let kept: Vec<&Opportunity> = second.iter().filter(|o| due_before.contains_key(o.id.as_str())).collect();
    assert!(kept.iter().copied().filter(dateless).count() >= 1);
    assert!(kept.iter().any(|o| o.kind == OpportunityKind::TenderAward && o.due == Some(as_of() + week)));
    for lead in &kept {
        assert_eq!(lead.due, due_before[lead.id.as_str()], "{} moved", lead.id);
    }
    // The same data mined first on the later day: due a month after that day.
    let fresh = tempfile::tempdir().unwrap();
    let mut other = Workspace::open(fresh.path()).unwrap();
    other.import(&[fixture_dir()]).unwrap();
    other.mine(later).unwrap();
    let theirs = all_opportunities(&other);
    assert!(theirs.iter().filter(dateless).count() >= 1);
    assert!(theirs.iter().any(|o| o.kind == OpportunityKind::TenderAward && o.due == Some(later + week)));
    for lead in theirs.iter().filter(dateless) {
        assert_eq!(lead.due, Some(later + month), "{}", lead.id);
    }
}
