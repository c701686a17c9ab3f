//! Delivery end to end: mined leads pushed to local stand-ins for a signed webhook and the
//! WeCom, DingTalk and Feishu group robots, with the clock stepped by `--now` over several days:
//! quiet hours, the daily cap, retries on each platform's errors, feedback before delivery,
//! re-mining, and a dispatcher that dies between sending and recording.

mod util;

use oppgraph::model::{DeliveryState, Feedback, OpportunityStatus};
use oppgraph::workspace::Workspace;
use std::collections::HashMap;
use util::robots::Receivers;
use util::*;

fn at(text: &str) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(text).unwrap()
}

/// The fixture, mined, with four 宜昌 managers on the four channels and `push` settings.
fn setup(push: &str) -> (tempfile::TempDir, Workspace, Receivers) {
    let receivers = Receivers::start();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.toml"), format!("[push]\n{push}\n")).unwrap();
    let mut ws = Workspace::open(dir.path()).unwrap();
    ws.import(&[fixture_dir()]).unwrap();
    let managers = dir.path().join("managers-channels.csv");
    std::fs::write(&managers, receivers.managers_csv()).unwrap();
    let outcome = ws.import(&[managers]).unwrap();
    assert_eq!(outcome.files[0].rejected, 0, "{:?}", outcome.files[0]);
    ws.mine(as_of()).unwrap();
    (dir, ws, receivers)
}

fn live_leads(ws: &Workspace) -> Vec<oppgraph::model::Opportunity> {
    ws.store().opportunities(&Default::default()).unwrap()
}

#[test]
fn every_live_lead_is_shown_once_within_caps_and_quiet_hours_despite_failures() {
    let (_dir, mut ws, receivers) =
        setup("daily_cap = 1\nquiet_hours = \"22:00-07:00\"\nretry_seconds = [60, 600]");
    let live = live_leads(&ws);
    assert!(live.len() >= 3, "the fixture gives several live leads: {}", live.len());
    assert!(live.iter().all(|l| l.manager.is_some()), "every 宜昌 lead has a 宜昌 manager");
    for channel in ["webhook", "wecom", "dingtalk", "feishu"] {
        receivers.fail_next(channel, 1);
    }

    // Inside quiet hours nothing goes out.
    let quiet = ws.push(&at("2026-07-01T23:30:00+08:00"), false).unwrap();
    assert!(quiet.quiet);
    assert_eq!((quiet.planned, quiet.sent), (0, 0));
    assert!(receivers.shown().is_empty());

    // A lead marked invalid before its delivery is never sent.
    let invalid = live.last().unwrap().id.clone();
    ws.add_feedback(&Feedback::checked(&invalid, "m1", "invalid", Some("duplicate".into()), None).unwrap())
        .unwrap();

    // Day by day at 09:00, then again after the retry wait: the first attempt at each
    // receiver fails with its platform's throttling error and is retried.
    let mut per_day: Vec<HashMap<String, usize>> = Vec::new();
    for day in 2..=9 {
        let mut sent_today: HashMap<String, usize> = HashMap::new();
        for time in ["09:00:00", "09:01:30", "09:15:00"] {
            let now = at(&format!("2026-07-{day:02}T{time}+08:00"));
            let summary = ws.push(&now, false).unwrap();
            for d in summary.deliveries.iter().filter(|d| d.outcome == "sent") {
                *sent_today.entry(d.manager.clone()).or_default() += d.leads.len();
            }
        }
        // Re-mining mid-way queues nothing twice.
        if day == 4 {
            ws.mine(as_of()).unwrap();
        }
        per_day.push(sent_today);
    }
    for (day, sent) in per_day.iter().enumerate() {
        for (manager, count) in sent {
            assert!(*count <= 1, "day {day}: {manager} got {count} leads over the daily cap of 1");
        }
    }
    let shown = receivers.shown();
    assert!(!shown.contains_key(&invalid), "the invalid lead was sent");
    for lead in live.iter().filter(|l| l.id != invalid) {
        assert_eq!(shown.get(&lead.id), Some(&1), "lead {} shown {:?} times", lead.id, shown.get(&lead.id));
        let now = ws.store().opportunity(&lead.id).unwrap().unwrap();
        assert_eq!(now.status, OpportunityStatus::Pushed);
    }
    assert_eq!(shown.len(), live.len() - 1);
    // Every channel saw a failed attempt and then its messages.
    for channel in ["webhook", "wecom", "dingtalk", "feishu"] {
        let (all, ok) = receivers.requests(channel);
        if ok > 0 {
            assert_eq!(all, ok + 1, "{channel}: one failed attempt, then only successes");
        }
    }
    // Nothing is left to send.
    let last = ws.push(&at("2026-07-20T10:00:00+08:00"), false).unwrap();
    assert_eq!((last.planned, last.sent, last.waiting), (0, 0, 0), "{last:?}");
}

#[test]
fn a_dispatcher_killed_after_sending_sends_again_under_the_same_delivery_id() {
    let (_dir, mut ws, receivers) = setup("quiet_hours = \"\"");
    let now = at("2026-07-02T10:00:00+08:00");
    // Plan and send, then "die" before recording the outcome.
    let (_summary, outgoing) = ws.push_prepare(&now, false).unwrap();
    assert!(!outgoing.is_empty());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let webhook_ids: Vec<String> =
        outgoing.iter().filter(|o| o.manager.id == "m1").map(|o| o.delivery.id.clone()).collect();
    let results = runtime.block_on(oppgraph::deliver::dispatch::send_all(
        outgoing,
        &oppgraph::deliver::outbox::PushSettings::default(),
    ));
    assert!(results.iter().all(|(_, outcome)| *outcome == oppgraph::deliver::channel::Outcome::Sent));
    drop(results);
    let (first_requests, _) = receivers.requests("webhook");

    // The next dispatch finds the deliveries still pending and sends them again.
    let again = ws.push(&at("2026-07-02T10:05:00+08:00"), false).unwrap();
    assert_eq!(again.planned, 0, "nothing planned twice");
    let resent: Vec<&str> =
        again.deliveries.iter().filter(|d| d.manager == "m1").map(|d| d.id.as_str()).collect();
    assert_eq!(resent, webhook_ids.iter().map(String::as_str).collect::<Vec<_>>());
    let (requests, _) = receivers.requests("webhook");
    assert_eq!(requests, first_requests * 2, "each webhook delivery arrived twice");
    // The webhook receiver shows each delivery once (its idempotency key).
    let log = receivers.log.lock().unwrap();
    let webhook_shown: usize = log.messages.iter().filter(|(c, _)| c == "webhook").count();
    assert_eq!(webhook_shown, webhook_ids.len());
    assert!(ws.store().deliveries(Some(DeliveryState::Pending), 100).unwrap().is_empty());
}

#[test]
fn a_blocked_lead_is_never_delivered_and_dead_letters_can_be_requeued() {
    let (_dir, mut ws, receivers) = setup("quiet_hours = \"\"\nretry_seconds = [60]");
    // Block the first lead that carries a risk alert.
    let blocked = live_leads(&ws).into_iter().find(|l| !l.alerts.is_empty()).expect("a lead with an alert");
    ws.review_alert(&oppgraph::store::AlertReview {
        alert_id: blocked.alerts[0].id.clone(),
        reviewer: "risk".into(),
        decision: "block".into(),
        note: None,
        at: "2026-07-01T09:00:00+08:00".into(),
    })
    .unwrap();
    assert_eq!(ws.store().opportunity(&blocked.id).unwrap().unwrap().status, OpportunityStatus::Blocked);
    // Another manager's channel fails every attempt: the first and the one retry, then its
    // deliveries are dead.
    let other = live_leads(&ws).into_iter().find(|l| l.id != blocked.id).unwrap().manager.unwrap();
    let channel = match other.as_str() {
        "m1" => "webhook",
        "m2" => "wecom",
        "m3" => "dingtalk",
        _ => "feishu",
    };
    receivers.fail_next(channel, 100);
    ws.push(&at("2026-07-02T10:00:00+08:00"), false).unwrap();
    let summary = ws.push(&at("2026-07-02T10:02:00+08:00"), false).unwrap();
    assert!(summary.dead >= 1, "{summary:?}");
    assert!(!receivers.shown().contains_key(&blocked.id));
    let dead = ws.store().deliveries(Some(DeliveryState::Dead), 10).unwrap();
    assert!(!dead.is_empty());
    // The channel recovers; an admin re-queues; the next dispatch delivers.
    receivers.fail_next(channel, 0);
    for d in &dead {
        assert_eq!(ws.requeue_delivery(&d.id).unwrap().unwrap().state, DeliveryState::Pending);
    }
    let after = ws.push(&at("2026-07-02T11:00:00+08:00"), false).unwrap();
    assert_eq!(after.sent, dead.len());
    for d in &dead {
        for lead in &d.leads {
            assert_eq!(receivers.shown().get(lead), Some(&1));
        }
    }
    assert!(!receivers.shown().contains_key(&blocked.id));
}

#[test]
fn digest_sends_one_message_a_day_at_its_time() {
    let (_dir, mut ws, receivers) = setup("quiet_hours = \"\"\ndigest = \"08:30\"\ndaily_cap = 20");
    let early = ws.push(&at("2026-07-02T08:00:00+08:00"), false).unwrap();
    assert_eq!(early.planned, 0);
    let digest = ws.push(&at("2026-07-02T08:31:00+08:00"), false).unwrap();
    assert!(digest.planned >= 1);
    // At most one message per manager that day, however often push runs.
    let later = ws.push(&at("2026-07-02T15:00:00+08:00"), false).unwrap();
    assert_eq!(later.planned, 0);
    let log = receivers.log.lock().unwrap();
    let mut per_channel: HashMap<&str, usize> = HashMap::new();
    for (channel, _) in &log.messages {
        *per_channel.entry(channel.as_str()).or_default() += 1;
    }
    assert!(per_channel.values().all(|&n| n == 1), "{per_channel:?}");
    assert!(log.messages.iter().map(|(_, leads)| leads.len()).sum::<usize>() >= 1);
}

#[test]
fn push_from_the_command_line_with_now_and_dry_run() {
    let (dir, ws, receivers) = setup("quiet_hours = \"22:00-07:00\"");
    drop(ws);
    let dry = oppgraph(dir.path(), &["push", "--dry-run", "--now", "2026-07-02T10:00:00+08:00"]);
    assert!(dry.status.success(), "{}", String::from_utf8_lossy(&dry.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&dry.stdout).unwrap();
    assert_eq!(summary["dry_run"], true);
    assert!(summary["deliveries"].as_array().unwrap().iter().all(|d| d["outcome"] == "would_send"));
    assert!(receivers.shown().is_empty(), "a dry run sends nothing");
    let real = oppgraph(dir.path(), &["push", "--now", "2026-07-02T10:00:00+08:00"]);
    let summary: serde_json::Value = serde_json::from_slice(&real.stdout).unwrap();
    assert!(summary["sent"].as_u64().unwrap() >= 1, "{summary}");
    let bad = oppgraph(dir.path(), &["push", "--now", "tomorrow"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("RFC 3339"));
    let feedback = oppgraph(dir.path(), &["feedback", "opp-0000000000000000", "--status", "won"]);
    assert_eq!(feedback.status.code(), Some(2));
    let missing_reason = oppgraph(dir.path(), &["feedback", "x", "--status", "invalid"]);
    assert_eq!(missing_reason.status.code(), Some(2));
}

#[test]
fn serve_pushes_after_each_mining_run() {
    let (_dir, ws, receivers) = setup("quiet_hours = \"\"");
    let live = live_leads(&ws);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let state = oppgraph::http::AppState::new(ws);
        let schedule = oppgraph::http::schedule::ScheduleConfig {
            check_every: std::time::Duration::from_secs(3600),
            mines: true,
            mine_every_minutes: 0,
            crawls: false,
            push_every: Some(std::time::Duration::from_secs(3600)),
        };
        oppgraph::http::schedule::spawn(&state, schedule);
        state.mine(as_of()).await.unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while receivers.shown().len() < live.len() && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    });
    let shown = receivers.shown();
    for lead in &live {
        assert_eq!(shown.get(&lead.id), Some(&1), "{} not pushed once by the server", lead.id);
    }
}

#[test]
fn watched_enterprises_and_their_owners_bring_notices_once() {
    let (dir, mut ws, receivers) = setup("quiet_hours = \"\"");
    let id = |name: &str| ws.store().find_enterprises(name, 1).unwrap()[0].id;
    let (builder, holding) = (id("宜昌昊源建设工程有限公司"), id("宜昌昊源控股集团有限公司"));
    // m1 (webhook) watches the builder; m4 (Feishu, a risk officer's robot) watches it with owners.
    ws.watch("m1", builder, false).unwrap().unwrap();
    ws.watch("m4", builder, true).unwrap().unwrap();
    assert!(ws.watch("nobody", builder, false).unwrap().is_none());
    // Deliver what is queued first, so only notices remain.
    ws.push(&at("2026-07-02T10:00:00+08:00"), false).unwrap();
    let before = receivers.log.lock().unwrap().messages.len();

    // New: a tender naming the builder, and a risk event on its controlling shareholder.
    let tenders = dir.path().join("tenders-new.csv");
    std::fs::write(
        &tenders,
        "id,kind,title,published,buyer,winner,amount\n\
         w1,award,夷陵区道路养护工程中标公告,2026-07-01,宜昌市交通运输局,宜昌昊源建设工程有限公司,3000000\n",
    )
    .unwrap();
    let risks = dir.path().join("risk_events-new.jsonl");
    std::fs::write(
        &risks,
        "{\"id\": \"w2\", \"subject\": \"宜昌昊源控股集团有限公司\", \"kind\": \"enforcement\", \"severity\": 3, \
         \"published\": \"2026-07-01\", \"title\": \"宜昌昊源控股集团有限公司被执行\"}\n",
    )
    .unwrap();
    ws.import(&[tenders, risks]).unwrap();
    let summary = ws.push(&at("2026-07-02T11:00:00+08:00"), false).unwrap();
    assert!(summary.notices >= 3, "{summary:?}");
    let log = receivers.log.lock().unwrap();
    assert!(log.messages.len() > before);
    drop(log);

    // The webhook body carries the notices; the Feishu post names the owner it came through.
    let webhook_notices: Vec<serde_json::Value> = ws
        .store()
        .deliveries(None, 100)
        .unwrap()
        .into_iter()
        .filter(|d| !d.notices.is_empty())
        .flat_map(|d| d.notices.into_iter().map(move |n| serde_json::json!({"to": d.manager, "notice": n})))
        .collect();
    let to = |m: &str| webhook_notices.iter().filter(|n| n["to"] == m).collect::<Vec<_>>();
    assert!(to("m1").iter().any(|n| n["notice"]["title"].as_str().unwrap().contains("夷陵区道路养护工程")));
    assert!(to("m1").iter().all(|n| n["notice"]["via"].is_null()), "m1 watches the builder alone");
    let owner_notice =
        to("m4").into_iter().find(|n| n["notice"]["title"].as_str().unwrap().contains("被执行")).unwrap();
    assert_eq!(owner_notice["notice"]["via"], "宜昌昊源控股集团有限公司");
    assert_eq!(owner_notice["notice"]["enterprise"], builder);
    let _ = holding;

    // Once: the next dispatch makes no notices.
    let again = ws.push(&at("2026-07-02T12:00:00+08:00"), false).unwrap();
    assert_eq!(again.notices, 0);
}

#[test]
fn a_push_killed_mid_delivery_loses_nothing_and_doubles_nothing() {
    // Every lead to the webhook manager, which answers slowly, so a kill lands mid-dispatch.
    let receivers = Receivers::start();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.toml"), "[push]\nquiet_hours = \"\"\ndaily_cap = 100\n").unwrap();
    let mut ws = Workspace::open(dir.path()).unwrap();
    ws.import(&[fixture_dir()]).unwrap();
    let managers = dir.path().join("managers-one.csv");
    let url = format!("{}/webhook", receivers.base);
    std::fs::write(
        &managers,
        format!(
            "id,name,regions,capacity,channel,webhook,secret\n\
             m1,李经理,宜昌,100,webhook,{url},{}\nm2,王经理,宜昌,100,webhook,{url},{}\n",
            util::robots::WEBHOOK_SECRET,
            util::robots::WEBHOOK_SECRET
        ),
    )
    .unwrap();
    ws.import(&[managers]).unwrap();
    ws.mine(as_of()).unwrap();
    let live: Vec<String> = live_leads(&ws).into_iter().map(|l| l.id).collect();
    drop(ws);
    receivers.log.lock().unwrap().webhook_delay_ms = 1500;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_oppgraph"))
        .arg("--data")
        .arg(dir.path())
        .args(["push", "--now", "2026-07-02T10:00:00+08:00"])
        .env("OPPGRAPH_LOG", "error")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1000));
    assert!(child.try_wait().unwrap().is_none(), "push finished before the kill; slow the receiver");
    child.kill().unwrap();
    child.wait().unwrap();
    // Requests in flight at the kill may still be shown by the receiver.
    std::thread::sleep(std::time::Duration::from_millis(1000));
    receivers.log.lock().unwrap().webhook_delay_ms = 0;
    let again = oppgraph(dir.path(), &["push", "--now", "2026-07-02T10:05:00+08:00"]);
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    let shown = receivers.shown();
    for lead in &live {
        assert_eq!(shown.get(lead), Some(&1), "lead {lead} shown {:?} times", shown.get(lead));
    }
}

#[test]
fn a_lead_that_drops_frees_its_managers_place_in_the_same_run() {
    use oppgraph::workspace::MineMode;
    let ids = |ws: &Workspace| -> Vec<String> {
        let mut ids: Vec<String> =
            ws.store().queued_leads().unwrap().into_iter().map(|q| q.opportunity.id).collect();
        ids.sort();
        ids
    };
    // 李经理 takes two leads a week; the fixture has three live ones in 宜昌.
    for (config, mode, slices) in [
        ("", MineMode::Auto, None),
        ("", MineMode::Full, None),
        ("[mine]\nslice_enterprises = 3\n", MineMode::Full, Some(3)),
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.toml"), config).unwrap();
        let mut ws = Workspace::open(dir.path()).unwrap();
        ws.import(&[fixture_dir()]).unwrap();
        let batch = dir.path().join("batch");
        std::fs::create_dir(&batch).unwrap();
        std::fs::write(
            batch.join("managers.csv"),
            "id,name,branch,regions,industries,capacity\nm1,李经理,宜昌分行,宜昌,建筑业|制造业,2\n",
        )
        .unwrap();
        ws.import(&[batch.join("managers.csv")]).unwrap();
        ws.mine(as_of()).unwrap();
        let before = ids(&ws);
        assert_eq!(before.len(), 2, "{config}");
        let live = live_leads(&ws);
        let waiting: Vec<&str> = live.iter().filter(|o| o.manager.is_none()).map(|o| o.id.as_str()).collect();
        assert_eq!(waiting.len(), 1, "{config}: one lead waits for room");
        let pledge = live.iter().find(|o| o.evidence.iter().any(|e| e.record == "pl1")).unwrap();
        assert!(before.contains(&pledge.id), "{config}");

        // The pledge is released: its lead drops, and its place goes to the lead that waited.
        std::fs::write(
            batch.join("pledges.csv"),
            "id,kind,pledgor,pledgee,subject,amount,registered,expires,status,source\n\
             pl1,chattel,宜昌精工机械有限公司,中国工商银行股份有限公司宜昌分行,生产设备,8000000,2024-08-29,2026-08-29,released,samr\n",
        )
        .unwrap();
        ws.import(&[batch.join("pledges.csv")]).unwrap();
        let run = ws.mine_with(as_of(), mode).unwrap();
        assert_eq!(run.changed.dropped, 1, "{config}: {:?}", run.run);
        assert_eq!(run.run.slices, slices, "{config}");
        let after = ids(&ws);
        assert!(!after.contains(&pledge.id), "{config}");
        assert!(
            after.contains(&waiting[0].to_string()),
            "{config}: the waiting lead is queued in the same run"
        );
        assert_eq!(after.len(), 2, "{config}");

        // The next run finds nothing more to give.
        let idle = ws.mine(as_of()).unwrap();
        assert_eq!(idle.changed.written, 0, "{config}: {:?}", idle.run);
        assert_eq!(ids(&ws), after, "{config}");
    }
}
