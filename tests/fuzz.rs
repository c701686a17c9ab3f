//! Bounded fuzzing with proptest: notice extraction, amount and date parsing, page decoding
//! and row validation take arbitrary input without panicking, in bounded time. `cargo test`
//! runs a few cases; `.ci/run` runs many (`OPPGRAPH_FUZZ_CASES`). A failure is shrunk by
//! proptest to a minimal input, which then becomes a regression test (as `三仟亿亿` did, in
//! `extract::amount`).

use oppgraph::extract::amount::parse_amount;
use oppgraph::extract::date::find_date;
use oppgraph::extract::notice::extract;
use proptest::prelude::*;

/// Cases from `OPPGRAPH_FUZZ_CASES` (64 by default). The seed is fixed, so a CI run is
/// repeatable; `OPPGRAPH_FUZZ_SEED=N` explores elsewhere.
fn config() -> ProptestConfig {
    let number = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    let cases = number("OPPGRAPH_FUZZ_CASES").unwrap_or(64) as u32;
    let seed = number("OPPGRAPH_FUZZ_SEED").unwrap_or(20_261_123);
    ProptestConfig {
        cases,
        max_shrink_iters: 2_000,
        rng_seed: proptest::test_runner::RngSeed::Fixed(seed),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Text that looks like notices: labels, numbers, units, dates, tags and noise.
fn notice_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("中标人：".to_string()),
        Just("招标人：".to_string()),
        Just("中标金额：".to_string()),
        Just("预算金额（万元）".to_string()),
        Just("发布时间：".to_string()),
        Just("项目编号：".to_string()),
        Just("<table><tr><td>".to_string()),
        Just("</td><td>".to_string()),
        Just("</tr></table>".to_string()),
        Just("<div>".to_string()),
        Just("<p>".to_string()),
        Just("壹佰贰拾万元整".to_string()),
        Just("万元".to_string()),
        Just("亿元".to_string()),
        Just("￥".to_string()),
        Just("-".to_string()),
        Just("年".to_string()),
        Just("%".to_string()),
        "[0-9]{1,20}".prop_map(|s| s),
        "[0-9]{4}-[0-9]{1,2}-[0-9]{1,3}".prop_map(|s| s),
        "[一二三四五六七八九十百千万亿零壹贰叁肆伍陆柒捌玖拾佰仟]{1,12}".prop_map(|s| s),
        "\\PC{0,12}".prop_map(|s| s),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn extraction_takes_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let _ = extract(&bytes, "page.html");
        let _ = extract(&bytes, "page.txt");
    }

    #[test]
    fn extraction_takes_notice_like_pages(text in notice_like()) {
        let notice = extract(text.as_bytes(), "page.html");
        for amount in [notice.amount, notice.budget].into_iter().flatten() {
            prop_assert!(amount.is_finite() && (0.0..=1e13).contains(&amount), "{amount}");
        }
    }

    #[test]
    fn amounts_and_dates_take_any_text(text in notice_like()) {
        if let Some(amount) = parse_amount(&text, None) {
            prop_assert!(amount.is_finite() && amount >= 0.0, "{text:?} -> {amount}");
        }
        let _ = find_date(&text);
    }

    #[test]
    fn decoding_takes_any_bytes_and_declaration(bytes in prop::collection::vec(any::<u8>(), 0..2048), label in "[a-z0-9-]{0,12}") {
        let _ = oppgraph::extract::encoding::decode_page(&bytes, Some(&label), None);
    }

    #[test]
    fn row_validation_takes_any_values(
        values in prop::collection::btree_map(
            prop::sample::select(vec!["id", "kind", "title", "published", "winner", "buyer", "amount", "budget", "registered", "expires", "pledgor", "pledgee", "seller", "issued", "subject", "severity", "share", "from", "to", "name", "uscc", "capacity"]),
            "\\PC{0,24}",
            0..12,
        )
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = oppgraph::workspace::Workspace::open(dir.path()).unwrap();
        let values: std::collections::BTreeMap<String, String> = values.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        for kind in [oppgraph::ingest::ImportKind::Tenders, oppgraph::ingest::ImportKind::Pledges, oppgraph::ingest::ImportKind::Relations, oppgraph::ingest::ImportKind::Enterprises] {
            let row = oppgraph::ingest::reader::RawRow { line: 2, values: values.clone() };
            let outcome = ws.import_rows("fuzz", kind, vec![row]).unwrap();
            let report = &outcome.files[0];
            prop_assert_eq!(report.accepted + report.rejected, 1);
        }
    }
}
