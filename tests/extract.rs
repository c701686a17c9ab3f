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
    assert_eq!(report.pages, 73);
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
