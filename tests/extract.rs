//! Notice extraction over pages of other sites and layouts than the corpus: the development set
//! of real pages from other provinces and platforms (Liaoning, Beijing via ccgp, Qinghai, and
//! county and city sites of Zhejiang), plus small pages for layouts none of them has
//! (GBK-encoded result tables, traditional characters, consortium winners with 大写 amounts).

use std::path::PathBuf;

fn notices() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/notices")
}

#[test]
fn every_field_of_every_layout_is_extracted() {
    let report = oppgraph::eval::eval_extract(&notices()).unwrap();
    assert_eq!(report.pages, 74);
    assert!(report.sources.len() >= 8, "{:?}", report.sources.iter().map(|s| &s.source).collect::<Vec<_>>());
    let misses: Vec<String> = report
        .misses
        .iter()
        .map(|m| format!("{} {}: expected {} got {}", m.file, m.field, m.expected, m.got))
        .collect();
    assert!(misses.is_empty(), "{misses:#?}");
}

#[test]
fn extract_command_prints_one_object_per_file() {
    let pages = notices().join("pages");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_oppgraph"))
        .arg("extract")
        .arg(pages.join("gbk_table.html"))
        .arg(pages.join("joint.html"))
        .output()
        .unwrap();
    assert!(output.status.success());
    let lines: Vec<serde_json::Value> =
        String::from_utf8_lossy(&output.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["file"], "gbk_table.html");
    assert_eq!(lines[0]["winners"][0], "武汉康健医疗器械有限公司");
    assert_eq!(lines[0]["budget"], 4_000_000.0);
    assert_eq!(lines[1]["amount"], 20_500_000.0);
    // Every field the evaluation scores, and the file and lots besides.
    for key in oppgraph::eval::EXTRACT_FIELDS.iter().chain(&["file", "lots"]) {
        assert!(lines[1].get(key).is_some(), "missing {key}");
    }
}

#[test]
fn explain_says_where_each_field_came_from() {
    let page = notices().join("pages/changxing-chengshan-tender.html");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_oppgraph"))
        .arg("extract")
        .arg("--explain")
        .arg(page)
        .output()
        .unwrap();
    assert!(output.status.success());
    let notice: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let explain = notice["explain"].as_array().expect("explain");
    let of = |field: &str| explain.iter().find(|e| e["field"] == field).cloned().unwrap_or_default();
    // `招标控制价为2578474元，发包价为2405861元`: the ceiling from the sentence, not the price.
    assert_eq!(notice["budget"], 2_578_474.0);
    assert_eq!(of("budget")["how"], "sentence");
    assert_eq!(of("budget")["label"], "招标控制价为");
    assert!(of("budget")["text"].as_str().unwrap().contains("招标控制价为"));
    // `【信息时间：2021/5/11 …】` under the title.
    assert_eq!(notice["published"], "2021-05-11");
    assert_eq!(of("published")["label"], "信息时间");
    assert_eq!(of("buyer")["value"], "长兴县和平镇人民政府");
}

#[test]
fn eval_freezes_fails_under_a_fields_floor() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("freezes.jsonl");
    let doc = "公司控股股东甲集团有限公司持有的公司520,000,000股被辽宁省沈阳市中级人民法院司法冻结，\
               冻结期限为2018年12月18日至2021年12月17日。";
    let item = serde_json::json!({
        "ID": "FREEZE_TEST_0001",
        "Title": "关于控股股东股份被司法冻结的公告",
        "Doc": doc,
        // The label's end is not the text's: end is found, but not the labelled one.
        "Event": [{"NAME": ["甲集团有限公司"], "ORG": ["沈阳市中级人民法院"], "NUM": ["520,000,000股"],
                   "BEG": ["2018年12月18日"], "END": ["2021年12月18日"]}],
    });
    std::fs::write(&file, format!("{item}\n")).unwrap();
    let run = |floors: &[&str]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_oppgraph"));
        command.args(["eval", "freezes"]).arg(&file);
        for floor in floors {
            command.args(["--floor", floor]);
        }
        command.output().unwrap()
    };
    let passing = run(&["holder:1:1", "authority:1:1", "shares:1:1", "start:1:1"]);
    assert!(passing.status.success(), "{}", String::from_utf8_lossy(&passing.stderr));
    let report: serde_json::Value = serde_json::from_slice(&passing.stdout).unwrap();
    let end = report["fields"].as_array().unwrap().iter().find(|f| f["field"] == "end").unwrap().clone();
    assert_eq!((end["recall"].as_f64(), end["given"].as_u64()), (Some(0.0), Some(1)));
    let failing = run(&["start:1:1", "end:0:0.5"]);
    assert_eq!(failing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&failing.stderr).contains("end: precision 0.000 recall 0.000"));
    // A field no one scores, or a floor that is not one, is refused.
    assert_eq!(run(&["winner:0:0"]).status.code(), Some(2));
    assert!(!run(&["start:0.5"]).status.success());
}
