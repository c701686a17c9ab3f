//! Notice extraction over pages of other sites and layouts than the corpus: government
//! procurement sections, result tables with units in the header (GBK-encoded), traditional
//! characters, candidate lists, terminations, consortium winners with 大写 amounts.

use std::path::PathBuf;

fn notices() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/notices")
}

#[test]
fn every_field_of_every_layout_is_extracted() {
    let report = oppgraph::eval::eval_extract(&notices()).unwrap();
    assert_eq!(report.pages, 6);
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
    for key in [
        "file",
        "kind",
        "title",
        "published",
        "buyer",
        "winners",
        "agency",
        "amount",
        "budget",
        "project_code",
        "region",
    ] {
        assert!(lines[1].get(key).is_some(), "missing {key}");
    }
}
