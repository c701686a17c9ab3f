//! Import from every format, and whole-file refusals that keep nothing.

mod util;

use oppgraph::store::Table;
use oppgraph::workspace::Workspace;
use polars::prelude::*;

fn workspace() -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open(&dir.path().join("data")).unwrap();
    (dir, ws)
}

#[test]
fn parquet_files_import_like_csv_including_list_columns() {
    let (dir, mut ws) = workspace();
    let path = dir.path().join("tenders-2026-06.parquet");
    let mut df = df!(
        "id" => ["pq1", "pq2", "pq3"],
        "kind" => ["award", "award", "award"],
        "title" => ["甲工程中标公告", "乙工程中标公告", "丙工程中标公告"],
        "published" => ["2026-06-01", "2026-06-02", "not a date"],
        "buyer" => ["宜昌市教育局", "宜昌市教育局", "宜昌市教育局"],
        "amount" => [1_000_000.0f64, 2_500_000.5, 3.0],
    )
    .unwrap();
    let winners = Series::new(
        "winner".into(),
        [
            Series::new("".into(), ["联合体甲公司", "联合体乙公司"]),
            Series::new("".into(), ["丙公司"]),
            Series::new("".into(), ["丁公司"]),
        ],
    );
    df.with_column(winners.into_column()).unwrap();
    ParquetWriter::new(std::fs::File::create(&path).unwrap()).finish(&mut df).unwrap();

    let outcome = ws.import(&[path]).unwrap();
    let file = &outcome.files[0];
    assert_eq!((file.accepted, file.rejected), (2, 1));
    let record = ws.store().record(oppgraph::model::RecordKind::Tender, "pq1").unwrap().unwrap();
    let oppgraph::model::Record::Tender(tender) = record else { panic!("not a tender") };
    let names: Vec<&str> = tender.winners.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names, ["联合体甲公司", "联合体乙公司"]);
    assert_eq!(tender.amount, Some(1_000_000.0));
}

/// Regression: Parquet decimal columns panicked the import, and date and timestamp columns
/// refused the file.
#[test]
fn parquet_dates_timestamps_and_decimals_are_read_and_other_types_refused_clearly() {
    let (dir, mut ws) = workspace();
    let path = dir.path().join("tenders.parquet");
    let mut df = df!(
        "id" => ["d1", "d2"],
        "kind" => ["award", "award"],
        "title" => ["甲工程中标公告", "乙工程中标公告"],
    )
    .unwrap();
    // 2026-06-01 is day 20,605 since 1970-01-01.
    let published = Series::new("published".into(), [20_605i32, 20_606]).cast(&DataType::Date).unwrap();
    let stamp = Series::new("registered_at".into(), [1_780_272_000_000i64, 1_780_358_400_000])
        .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
        .unwrap();
    let amount =
        Series::new("amount".into(), [1_234_567.89f64, 5_000_000.0]).cast(&DataType::Decimal(12, 2)).unwrap();
    for column in [published, stamp, amount] {
        df.with_column(column.into_column()).unwrap();
    }
    ParquetWriter::new(std::fs::File::create(&path).unwrap()).finish(&mut df).unwrap();
    let outcome = ws.import(&[path]).unwrap();
    assert_eq!((outcome.files[0].accepted, outcome.files[0].rejected), (2, 0), "{:?}", outcome.files[0]);
    let record = ws.store().record(oppgraph::model::RecordKind::Tender, "d1").unwrap().unwrap();
    let oppgraph::model::Record::Tender(tender) = record else { panic!("not a tender") };
    assert_eq!(tender.published.to_string(), "2026-06-01");
    assert_eq!(tender.amount, Some(1_234_567.89));

    let path = dir.path().join("tenders-blob.parquet");
    let mut df =
        df!("id" => ["b1"], "kind" => ["award"], "title" => ["丙"], "published" => ["2026-06-01"]).unwrap();
    let blob = Series::new("scan".into(), [b"\x89PNG".as_slice()]);
    df.with_column(blob.into_column()).unwrap();
    ParquetWriter::new(std::fs::File::create(&path).unwrap()).finish(&mut df).unwrap();
    let outcome = ws.import(&[path]).unwrap();
    let refused = outcome.files[0].refused.as_deref().unwrap();
    assert!(refused.contains("column `scan` has type binary"), "{refused}");
}

#[test]
fn json_lines_accept_arrays_for_lists() {
    let (dir, mut ws) = workspace();
    let path = dir.path().join("tenders.jsonl");
    std::fs::write(
        &path,
        r#"{"id":"j1","kind":"award","title":"丁工程中标公告","published":"2026-06-03","winner":["戊公司","己公司"],"amount":1200000}"#,
    )
    .unwrap();
    let outcome = ws.import(&[path]).unwrap();
    assert_eq!(outcome.files[0].accepted, 1);
    assert_eq!(outcome.files[0].discovered, 2);
}

#[test]
fn unknown_kind_missing_column_and_unreadable_files_are_refused_whole() {
    let (dir, mut ws) = workspace();
    let unknown = dir.path().join("notes.csv");
    std::fs::write(&unknown, "id,name\n1,x\n").unwrap();
    let missing = dir.path().join("tenders.csv");
    std::fs::write(&missing, "id,kind,published\nx1,award,2026-01-01\n").unwrap();
    let garbled = dir.path().join("persons.csv");
    std::fs::write(&garbled, b"id,name\np1,\xd5\xc5\xc8\xfd\n").unwrap();
    let good = dir.path().join("enterprises.csv");
    std::fs::write(&good, "name\n宜昌某某有限公司\n").unwrap();

    let outcome = ws.import(&[unknown, missing, garbled, good]).unwrap();
    assert!(outcome.refused);
    let refused: Vec<(&str, &str)> = outcome
        .files
        .iter()
        .filter_map(|f| f.refused.as_deref().map(|r| (f.file.rsplit('/').next().unwrap(), r)))
        .collect();
    assert_eq!(refused.len(), 3, "{refused:?}");
    assert!(refused.iter().any(|(f, r)| *f == "notes.csv" && r.contains("unknown kind")));
    assert!(refused.iter().any(|(f, r)| *f == "tenders.csv" && r.contains("title")));
    assert!(refused.iter().any(|(f, r)| *f == "persons.csv" && r.contains("UTF-8")));
    // Nothing from refused files, everything from the good one.
    assert_eq!(ws.store().count(Table::Records).unwrap(), 0);
    assert_eq!(ws.store().count(Table::Persons).unwrap(), 0);
    assert_eq!(ws.store().count(Table::Enterprises).unwrap(), 1);
}

#[test]
fn a_missing_path_is_an_error_not_a_silent_skip() {
    let (dir, mut ws) = workspace();
    let error = ws.import(&[dir.path().join("nope.csv")]).unwrap_err();
    assert!(error.to_string().contains("nope.csv"));
}

#[test]
fn enterprise_rows_merge_by_code_and_keep_former_names() {
    let (dir, mut ws) = workspace();
    let first = dir.path().join("enterprises.csv");
    std::fs::write(&first, "name,uscc,region\n宜昌旧名有限公司,91420500MA4900001N,湖北省宜昌市\n").unwrap();
    ws.import(&[first]).unwrap();
    let renamed = dir.path().join("enterprises-2.csv");
    std::fs::write(&renamed, "name,uscc,industry\n宜昌新名有限公司,91420500MA4900001N,建筑业\n").unwrap();
    ws.import(&[renamed]).unwrap();
    let all = ws.store().enterprises().unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].name, "宜昌新名有限公司");
    assert_eq!(all[0].aliases, ["宜昌旧名有限公司"]);
    assert_eq!(all[0].region.as_deref(), Some("湖北省宜昌市"));
    assert_eq!(all[0].industry.as_deref(), Some("建筑业"));
    // A record naming the former name links to the same enterprise.
    let pledges = dir.path().join("pledges.csv");
    std::fs::write(
        &pledges,
        "id,kind,pledgor,pledgee,registered\npl1,equity,宜昌旧名有限公司,某银行,2026-01-01\n",
    )
    .unwrap();
    let outcome = ws.import(&[pledges]).unwrap();
    assert_eq!(outcome.files[0].discovered, 1, "only the bank is new");
}

/// Two registered firms sharing the short name 中环, in Shanghai and Tianjin.
fn two_zhonghuan_firms() -> (tempfile::TempDir, Workspace) {
    let (dir, mut ws) = workspace();
    let enterprises = dir.path().join("enterprises.csv");
    std::fs::write(&enterprises, "name\n上海中环科技有限公司\n天津中环电子有限公司\n").unwrap();
    ws.import(&[enterprises]).unwrap();
    (dir, ws)
}

/// Imports one award won by 中环 (`region` may be empty) and returns the outcome.
fn import_award(
    dir: &std::path::Path,
    ws: &mut Workspace,
    id: &str,
    region: &str,
) -> oppgraph::ingest::ImportOutcome {
    let tenders = dir.join(format!("tenders-{id}.csv"));
    std::fs::write(
        &tenders,
        format!("id,kind,title,published,winner,amount,region\n{id},award,{id}工程中标公告,2026-05-01,中环,1000000,{region}\n"),
    )
    .unwrap();
    ws.import(&[tenders]).unwrap()
}

fn winner_of(ws: &Workspace, id: &str) -> i64 {
    let record = ws.store().record(oppgraph::model::RecordKind::Tender, id).unwrap().unwrap();
    let oppgraph::model::Record::Tender(tender) = record else { panic!("not a tender") };
    tender.winners[0].id
}

#[test]
fn an_uncertain_reference_becomes_a_new_enterprise_that_names_its_candidates() {
    let (dir, mut ws) = two_zhonghuan_firms();
    let outcome = import_award(dir.path(), &mut ws, "x1", "");
    assert_eq!(outcome.files[0].discovered, 1);
    let all = ws.store().enterprises().unwrap();
    let created = all.iter().find(|e| e.name == "中环").unwrap();
    let mut candidates: Vec<&str> = created.extra["review_candidates"].split('|').collect();
    candidates.sort();
    let mut expected: Vec<String> = all
        .iter()
        .filter(|e| e.name.contains("中环") && e.name != "中环")
        .map(|e| e.id.to_string())
        .collect();
    expected.sort();
    assert_eq!(candidates, expected);
    // A person decides; the next import links the name.
    let target = all.iter().find(|e| e.name == "天津中环电子有限公司").unwrap().id;
    ws.add_decision(&oppgraph::resolve::Decision { name: "中环".into(), enterprise: Some(target) }, "test")
        .unwrap();
    import_award(dir.path(), &mut ws, "x2", "");
    assert_eq!(winner_of(&ws, "x2"), target);
}

#[test]
fn a_tenders_region_settles_which_firm_a_shared_short_name_means() {
    let (dir, mut ws) = two_zhonghuan_firms();
    let outcome = import_award(dir.path(), &mut ws, "t1", "天津市滨海新区");
    assert_eq!(outcome.files[0].discovered, 0, "{outcome:?}");
    let tianjin = ws.store().enterprises().unwrap().into_iter().find(|e| e.name.starts_with("天津")).unwrap();
    assert_eq!(winner_of(&ws, "t1"), tianjin.id);
}

#[test]
fn references_by_code_carry_the_registered_name() {
    let (dir, mut ws) = workspace();
    let enterprises = dir.path().join("enterprises.csv");
    std::fs::write(&enterprises, "name,uscc\n宜昌某某有限公司,91420500MA4900001N\n").unwrap();
    ws.import(&[enterprises]).unwrap();
    let risks = dir.path().join("risk_events.csv");
    std::fs::write(&risks, "id,subject,kind,published\nr1,91420500MA4900001N,litigation,2026-01-01\n")
        .unwrap();
    ws.import(&[risks]).unwrap();
    let record = ws.store().record(oppgraph::model::RecordKind::RiskEvent, "r1").unwrap().unwrap();
    let oppgraph::model::Record::RiskEvent(event) = record else { panic!("not a risk event") };
    assert_eq!(event.subject_name, "宜昌某某有限公司");
}

/// Regression: every ID number was stored in clear in `persons.data` and echoed in rejects.
#[test]
fn id_numbers_are_never_stored_or_reported_in_clear() {
    let (dir, mut ws) = workspace();
    let path = dir.path().join("persons.csv");
    std::fs::write(&path, "id,name,id_number\np1,张三,110101199003071234\np1,张三重复,42050219800101123X\n,无编号,110101199003079999\n")
        .unwrap();
    let outcome = ws.import(&[path]).unwrap();
    assert_eq!((outcome.files[0].accepted, outcome.files[0].rejected), (1, 2));
    // On PostgreSQL (OPPGRAPH_STORE) there is no file to read; the stored person is checked below.
    let db = std::fs::read(dir.path().join("data/oppgraph.db")).unwrap_or_default();
    let wal = std::fs::read(dir.path().join("data/oppgraph.db-wal")).unwrap_or_default();
    for clear in ["110101199003071234", "42050219800101123X", "110101199003079999"] {
        let found = |bytes: &[u8]| bytes.windows(clear.len()).any(|w| w == clear.as_bytes());
        assert!(!found(&db) && !found(&wal), "{clear} stored in clear");
        let rejects = std::fs::read_to_string(outcome.files[0].rejects.as_deref().unwrap()).unwrap();
        assert!(!rejects.contains(clear), "{clear} in the rejects: {rejects}");
    }
    let person = &ws.store().persons().unwrap()[0];
    assert_eq!(person.id_number_masked.as_deref(), Some("110***********1234"));
    assert_eq!(person.id_number_hash.as_ref().map(String::len), Some(64));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("data/secret.key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[test]
fn id_numbers_stored_in_clear_by_older_builds_are_protected_on_open() {
    if std::env::var_os(oppgraph::workspace::STORE_ENV).is_some() {
        return; // older builds wrote SQLite only: this test writes their file as they did
    }
    let (dir, ws) = workspace();
    drop(ws);
    let db = dir.path().join("data/oppgraph.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "INSERT INTO persons(id, data) VALUES ('p9', '{\"id\":\"p9\",\"name\":\"王五\",\"id_number\":\"110101199003075678\"}')",
        [],
    )
    .unwrap();
    // As a store from an older build: its conversion has not run yet.
    conn.execute("UPDATE meta SET value = 0 WHERE key = 'id_numbers_protected'", []).unwrap();
    drop(conn);
    let ws = Workspace::open(&dir.path().join("data")).unwrap();
    let person = &ws.store().persons().unwrap()[0];
    assert_eq!(
        (person.name.as_str(), person.id_number_masked.as_deref()),
        ("王五", Some("110***********5678"))
    );
    let data: String = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT data FROM persons WHERE id = 'p9'", [], |row| row.get(0))
        .unwrap();
    assert!(!data.contains("110101199003075678"), "{data}");
}

/// Regression: a relation row rejected after it linked (two names that turn out to be one new
/// enterprise) left that enterprise behind.
#[test]
fn the_same_id_twice_in_a_file_keeps_the_first_and_rejects_the_second() {
    let (dir, mut ws) = workspace();
    let path = dir.path().join("tenders.csv");
    std::fs::write(
        &path,
        "id,kind,title,published,winner\n\
         t1,award,滨江路灯改造工程中标公告,2026-03-01,宜昌光明照明有限公司\n\
         t2,award,沿江栈道亮化工程中标公告,2026-03-02,宜昌光明照明有限公司\n\
         t1,award,江北隧道照明工程中标公告,2026-03-03,宜昌光明照明有限公司\n",
    )
    .unwrap();
    let outcome = ws.import(&[path]).unwrap();
    assert_eq!((outcome.files[0].accepted, outcome.files[0].rejected), (2, 1));
    let rejects = std::fs::read_to_string(outcome.files[0].rejects.as_deref().unwrap()).unwrap();
    let reject: serde_json::Value = serde_json::from_str(rejects.trim()).unwrap();
    assert_eq!(
        (reject["line"].as_u64(), reject["reason"].as_str()),
        (Some(4), Some("duplicate id \"t1\" in this file"))
    );
    let kept = ws.store().record(oppgraph::model::RecordKind::Tender, "t1").unwrap().expect("t1 kept");
    assert!(serde_json::to_string(&kept).unwrap().contains("滨江路灯"), "the first row wins: {kept:?}");
}

#[test]
fn a_rejected_row_leaves_nothing_behind() {
    let (dir, mut ws) = workspace();
    let path = dir.path().join("relations.csv");
    std::fs::write(&path, "from,to,kind\n宜昌某某建材有限公司,某某建材有限公司,supplier\n甲建设有限公司,乙建设有限公司,supplier\n")
        .unwrap();
    let outcome = ws.import(&[path]).unwrap();
    assert_eq!((outcome.files[0].accepted, outcome.files[0].rejected), (1, 1));
    let names: Vec<String> = ws.store().enterprises().unwrap().into_iter().map(|e| e.name).collect();
    assert_eq!(names, ["甲建设有限公司", "乙建设有限公司"]);
    assert_eq!(outcome.files[0].discovered, 2);
}

#[test]
fn shareholdings_over_100_percent_and_two_legal_representatives_are_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    std::fs::write(input.join("enterprises.csv"), "name,legal_rep\n甲公司,张三\n乙公司,\n丙公司,\n").unwrap();
    std::fs::write(input.join("persons.csv"), "id,name\np1,李四\n").unwrap();
    std::fs::write(
        input.join("relations.csv"),
        "from,to,kind,share\n乙公司,甲公司,shareholder,0.7\n丙公司,甲公司,shareholder,0.6\nperson:p1,甲公司,legal_rep,\n",
    )
    .unwrap();
    let mut ws = Workspace::open(&dir.path().join("data")).unwrap();
    let outcome = ws.import(&[input]).unwrap();
    assert_eq!(outcome.warnings.len(), 2, "{:?}", outcome.warnings);
    assert!(outcome.warnings[0].contains("甲公司 (130.0% over 2 holders)"), "{:?}", outcome.warnings);
    assert!(outcome.warnings[1].contains("甲公司: 张三 vs 李四"), "{:?}", outcome.warnings);

    // The checks look at what an import touched: a relation of another enterprise says
    // nothing of 甲公司's.
    let later = dir.path().join("later");
    std::fs::create_dir_all(&later).unwrap();
    std::fs::write(later.join("relations.csv"), "from,to,kind,share\n乙公司,丙公司,shareholder,0.3\n")
        .unwrap();
    let outcome = ws.import(std::slice::from_ref(&later)).unwrap();
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    // Renaming the person to the declared name settles the second (甲公司, reached through
    // its legal representative, is checked whole); renaming it again to another name brings
    // it back.
    std::fs::remove_file(later.join("relations.csv")).unwrap();
    std::fs::write(later.join("persons.csv"), "id,name\np1,张三\n").unwrap();
    let outcome = ws.import(std::slice::from_ref(&later)).unwrap();
    assert_eq!(outcome.warnings.len(), 1, "{:?}", outcome.warnings);
    assert!(outcome.warnings[0].contains("甲公司 (130.0% over 2 holders)"), "{:?}", outcome.warnings);
    std::fs::write(later.join("persons.csv"), "id,name\np1,王五\n").unwrap();
    let outcome = ws.import(&[later]).unwrap();
    assert_eq!(outcome.warnings.len(), 2, "{:?}", outcome.warnings);
    assert!(outcome.warnings[1].contains("甲公司: 张三 vs 王五"), "{:?}", outcome.warnings);

    // A scope too large to look up one by one is read in one pass, with the same answer.
    let jia = ws.store().enterprises().unwrap().into_iter().find(|e| e.name == "甲公司").unwrap().id;
    let none = std::collections::BTreeSet::new();
    let one: std::collections::BTreeSet<i64> = [jia].into();
    let many: std::collections::BTreeSet<i64> = (1..=30_000).collect();
    let others: std::collections::BTreeSet<i64> = (1..=30_000).filter(|id| *id != jia).collect();
    let warned = |scope| ws.store().consistency_warnings(5, scope, &none).unwrap();
    assert_eq!(warned(&one), outcome.warnings);
    assert_eq!(warned(&many), outcome.warnings);
    assert!(warned(&others).is_empty());
}

#[test]
fn generated_data_is_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let as_of = "2026-11-20".parse().unwrap();
    oppgraph::gen::generate(
        &oppgraph::gen::GenConfig { enterprises: 600, seed: 5, as_of },
        &dir.path().join("gen"),
    )
    .unwrap();
    let mut ws = Workspace::open(&dir.path().join("data")).unwrap();
    let outcome = ws.import(&[dir.path().join("gen")]).unwrap();
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    // Awards fit their winner: most between a tenth and three times its registered capital.
    let capital: std::collections::HashMap<String, f64> = ws
        .store()
        .enterprises()
        .unwrap()
        .into_iter()
        .filter_map(|e| Some((e.name.clone(), e.registered_capital?)))
        .collect();
    let mut tenders = csv::Reader::from_path(dir.path().join("gen/tenders.csv")).unwrap();
    let headers = tenders.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (winner, amount) = (column("winner"), column("amount"));
    let (mut fitting, mut total) = (0, 0);
    for row in tenders.records() {
        let row = row.unwrap();
        let (Some(cap), Ok(value)) = (capital.get(&row[winner]), row[amount].parse::<f64>()) else {
            continue;
        };
        total += 1;
        if (0.099..=3.17).contains(&(value / cap)) {
            fitting += 1;
        }
    }
    assert!(total > 50 && fitting * 10 >= total * 9, "{fitting} of {total} awards fit their winner's size");
}

/// Imports in one workspace share a resolver while nothing else changed the store: a control
/// relation imported by one is known to the next, which sends a short name fitting the
/// subsidiary and its parent to review (a new enterprise with candidates) instead of linking
/// the subsidiary — as a resolver built afresh would.
#[test]
fn later_imports_resolve_with_what_earlier_ones_wrote() {
    let winner_of = |with_stake: bool| {
        let (dir, mut ws) = workspace();
        let step = |ws: &mut Workspace, name: &str, file: &str, text: &str| {
            let input = dir.path().join(name);
            std::fs::create_dir_all(&input).unwrap();
            std::fs::write(input.join(file), text).unwrap();
            let outcome = ws.import(&[input]).unwrap();
            assert!(outcome.files.iter().all(|f| f.rejected == 0), "{outcome:?}");
        };
        step(&mut ws, "a", "enterprises.csv", "name\n宏山钢铁股份有限公司\n上海宏钢包装股份有限公司\n");
        if with_stake {
            step(
                &mut ws,
                "b",
                "relations.csv",
                "from,to,kind,share\n宏山钢铁股份有限公司,上海宏钢包装股份有限公司,shareholder,0.6\n",
            );
        }
        step(
            &mut ws,
            "c",
            "tenders.csv",
            "id,kind,title,published,buyer,winner,amount\nt1,award,甲工程中标公告,2026-06-01,宜昌市教育局,宏钢股份,1000000\n",
        );
        let record = ws.store().record(oppgraph::model::RecordKind::Tender, "t1").unwrap().unwrap();
        let oppgraph::model::Record::Tender(tender) = record else { panic!("{record:?}") };
        let winner = tender.winners[0].id;
        let packaging =
            ws.store().enterprises().unwrap().into_iter().find(|e| e.name == "上海宏钢包装股份有限公司");
        (winner, packaging.unwrap().id)
    };
    let (winner, packaging) = winner_of(false);
    assert_eq!(winner, packaging, "alone, the short name links the packaging firm");
    let (winner, packaging) = winner_of(true);
    assert_ne!(winner, packaging, "with its parent related, the short name goes to review");
}
