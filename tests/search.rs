//! Search behaviour end to end: import notices, then query words, phrases, exclusions, field
//! filters, date and amount ranges, traditional characters, snippets and facets.

use oppgraph::index::{SearchOptions, SearchResults};
use oppgraph::workspace::Workspace;
use std::path::PathBuf;

fn workspace() -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(dir.path()).unwrap();
    ws.import(&[PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/search")]).unwrap();
    (dir, ws)
}

fn search(ws: &Workspace, query: &str, options: SearchOptions) -> SearchResults {
    ws.index().search(query, &SearchOptions { limit: 10, ..options }).unwrap()
}

fn ids(results: &SearchResults) -> Vec<String> {
    results.hits.iter().map(|h| h.id.clone()).collect()
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

#[test]
fn distinctive_words_put_the_right_record_first() {
    let (_dir, ws) = workspace();
    assert_eq!(ids(&search(&ws, "运动服", Default::default()))[0], "s1");
    assert_eq!(sorted(ids(&search(&ws, "污水处理", Default::default()))), ["s3", "s4"]);
    assert_eq!(ids(&search(&ws, "数据中心", Default::default())), ["s5"]);
}

#[test]
fn phrases_exclusions_and_field_filters() {
    let (_dir, ws) = workspace();
    assert_eq!(sorted(ids(&search(&ws, "\"提标改造工程\"", Default::default()))), ["s3", "s4"]);
    assert!(search(&ws, "\"改造提标\"", Default::default()).hits.is_empty());
    assert_eq!(ids(&search(&ws, "污水处理 -更正", Default::default())), ["s3"]);
    assert_eq!(ids(&search(&ws, "污水处理 kind:award", Default::default())), ["s3"]);
    assert_eq!(ids(&search(&ws, "kind:correction", Default::default())), ["s4"]);
    // A notice kind: `tender` finds tender notices only, not awards or corrections.
    assert_eq!(ids(&search(&ws, "采购 kind:tender", Default::default())), ["s2"]);
    let tenders = SearchOptions { kind: Some("tender".into()), ..Default::default() };
    assert_eq!(ids(&search(&ws, "采购", tenders)), ["s2"]);
    let hidden = SearchOptions { hidden_kinds: vec!["tender".into()], ..Default::default() };
    assert!(search(&ws, "采购", hidden).hits.is_empty(), "hidden record kinds are never found");
    let by_winner = sorted(ids(&search(&ws, "winner:飞扬体育", Default::default())));
    assert_eq!(by_winner, ["s1"]);
    let by_agency = sorted(ids(&search(&ws, "agency:华中招标", Default::default())));
    assert_eq!(by_agency, ["s1", "s2"]);
    let in_wuhan = sorted(ids(&search(&ws, "region:武汉", Default::default())));
    assert_eq!(in_wuhan, ["s3", "s4"]);
}

#[test]
fn date_and_amount_ranges() {
    let (_dir, ws) = workspace();
    let in_2025 = SearchOptions {
        from: "2025-01-01".parse().ok(),
        to: "2025-12-31".parse().ok(),
        ..Default::default()
    };
    let found = sorted(ids(&search(&ws, "学生", in_2025)));
    assert_eq!(found, ["s1", "s2"]);
    let before = SearchOptions { to: "2025-01-01".parse().ok(), ..Default::default() };
    assert_eq!(sorted(ids(&search(&ws, "污水处理", before))), ["s3", "s4"]);
    let big = SearchOptions { min_amount: Some(50_000_000.0), ..Default::default() };
    let found = sorted(ids(&search(&ws, "kind:award", big)));
    assert_eq!(found, ["s3", "s5"]);
}

#[test]
fn simplified_and_traditional_find_each_other() {
    let (_dir, ws) = workspace();
    // The notice is written in traditional characters; the query in simplified.
    assert_eq!(ids(&search(&ws, "节能改造", Default::default())), ["s6"]);
    assert_eq!(ids(&search(&ws, "路灯", Default::default())), ["s6"]);
    // And the other way round.
    assert_eq!(ids(&search(&ws, "運動服", Default::default()))[0], "s1");
}

#[test]
fn snippets_highlight_the_original_text() {
    let (_dir, ws) = workspace();
    let results = search(&ws, "路灯", Default::default());
    assert!(results.hits[0].snippet.contains("<b>路燈</b>"), "{}", results.hits[0].snippet);
    let results = search(&ws, "运动服", Default::default());
    assert!(results.hits[0].snippet.contains("<b>运动服</b>"), "{}", results.hits[0].snippet);
}

#[test]
fn facets_count_kinds_regions_and_years() {
    let (_dir, ws) = workspace();
    let results = search(&ws, "宜昌", SearchOptions { facets: true, ..Default::default() });
    let facets = results.facets.unwrap();
    assert_eq!(results.total, 3);
    assert!(facets.kind.contains(&("tender".to_string(), 3)), "{:?}", facets.kind);
    assert!(facets.kind.contains(&("award".to_string(), 2)), "{:?}", facets.kind);
    assert_eq!(facets.region, [("湖北省宜昌市".to_string(), 3)]);
    assert_eq!(facets.year, [("2025".to_string(), 3)]);
}

#[test]
fn bad_syntax_is_an_error_not_a_panic() {
    let (_dir, ws) = workspace();
    for query in ["\"unclosed", "color:red", "kind:", "-"] {
        assert!(
            ws.index().search(query, &SearchOptions { limit: 10, ..Default::default() }).is_err(),
            "{query}"
        );
    }
}

/// Regression (kill -9 between the store commit and the index commit): rows the store holds
/// but the index never saw are indexed by the next command that opens the data dir.
#[test]
fn records_stored_but_never_indexed_are_indexed_on_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/search");
    let (rejects, privacy) = (dir.path().join("rejects"), oppgraph::model::Privacy::new(b"test".to_vec()));
    let settings = oppgraph::ingest::ImportSettings { rejects_dir: &rejects, privacy: &privacy };
    {
        let mut store = oppgraph::store::Store::open_at(&oppgraph::workspace::store_location(
            dir.path(),
            &Default::default(),
        ))
        .unwrap();
        let outcome = oppgraph::ingest::import_files(&mut store, &[fixture], &settings).unwrap();
        assert!(outcome.files[0].accepted > 0);
    }
    let ws = oppgraph::workspace::Workspace::open(dir.path()).unwrap();
    let stored = ws.store().count(oppgraph::store::Table::Records).unwrap() as u64;
    assert_eq!(ws.index().num_docs(), stored);
    assert_eq!(ws.index().indexed_seq().unwrap(), Some(ws.store().record_seq().unwrap()));

    // A second writer of the same data dir (another process) stores more; this one catches up.
    let other = oppgraph::workspace::Workspace::open(dir.path()).unwrap();
    let more = dir.path().join("tenders-more.csv");
    std::fs::write(
        &more,
        "id,kind,title,published,winner\nx1,award,新增公告测试项目中标公告,2026-01-02,某某新增建设有限公司\n",
    )
    .unwrap();
    let mut store = oppgraph::store::Store::open_at(&oppgraph::workspace::store_location(
        dir.path(),
        &Default::default(),
    ))
    .unwrap();
    oppgraph::ingest::import_files(&mut store, &[more], &settings).unwrap();
    drop(other);
    assert_eq!(ws.sync_index().unwrap(), 1);
    let hits = ws
        .index()
        .search("新增公告测试", &oppgraph::index::SearchOptions { limit: 5, ..Default::default() })
        .unwrap();
    assert_eq!(hits.hits.len(), 1);
}

/// A new data dir and, in its `in/`, a tenders file of one award (t1, 滨江…), not imported.
fn one_award() -> (tempfile::TempDir, Workspace, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open(dir.path()).unwrap();
    let data = dir.path().join("in");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(
        data.join("tenders.csv"),
        "id,kind,title,published,winner\nt1,award,滨江路灯改造工程中标公告,2026-03-01,宜昌光明照明有限公司\n",
    )
    .unwrap();
    (dir, ws, data)
}

/// An index whose terms another tokenization made (another build's dictionaries or tokenizer,
/// a data dir's new words) is not trusted as caught up: the next open rebuilds it. Here the
/// stale index is emptied, so only a rebuild finds the record again.
#[test]
fn an_index_made_under_another_tokenization_is_rebuilt_on_open() {
    let (dir, mut ws, data) = one_award();
    ws.import(&[data]).unwrap();
    let seq = ws.store().record_seq().unwrap();
    assert_eq!(ws.index().indexed_seq().unwrap(), Some(seq));
    drop(ws);

    let index = tantivy::Index::open_in_dir(dir.path().join("index")).unwrap();
    let mut writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
    writer.delete_all_documents().unwrap();
    let mut commit = writer.prepare_commit().unwrap();
    commit.set_payload(&format!("{seq} another-tokenization"));
    commit.commit().unwrap();
    drop(writer);

    let ws = Workspace::open(dir.path()).unwrap();
    assert_eq!(ws.index().indexed_seq().unwrap(), Some(seq));
    assert_eq!(ids(&search(&ws, "滨江", SearchOptions::default())), ["t1"]);
}

/// An import indexes each file while the next one is written: every file's records are found
/// once, a record imported again with a new title is found by the new title only, and the
/// index records that it reflects the store.
#[test]
fn imports_index_each_file_and_replace_changed_records() {
    let (_dir, mut ws, data) = one_award();
    std::fs::write(
        data.join("filings.csv"),
        "id,enterprise,kind,title,published\nf1,宜昌光明照明有限公司,环评批复,光明照明新厂环评批复,2026-03-02\n",
    )
    .unwrap();
    ws.import(std::slice::from_ref(&data)).unwrap();
    let found = |ws: &Workspace, query: &str| ids(&search(ws, query, SearchOptions::default()));
    assert_eq!(found(&ws, "滨江"), ["t1"]);
    assert_eq!(found(&ws, "新厂"), ["f1"]);
    assert_eq!(ws.index().num_docs(), 2);

    std::fs::write(
        data.join("tenders.csv"),
        "id,kind,title,published,winner\nt1,award,江北隧道照明工程中标公告,2026-03-01,宜昌光明照明有限公司\nt2,award,沿江栈道亮化工程中标公告,2026-03-05,宜昌光明照明有限公司\n",
    )
    .unwrap();
    ws.import(&[data]).unwrap();
    assert_eq!(found(&ws, "隧道"), ["t1"]);
    assert!(found(&ws, "滨江").is_empty());
    assert_eq!(found(&ws, "栈道"), ["t2"]);
    assert_eq!(ws.index().num_docs(), 3);
    assert_eq!(ws.index().indexed_seq().unwrap(), Some(ws.store().record_seq().unwrap()));
}

#[test]
fn a_file_larger_than_one_hand_over_is_indexed_whole() {
    // Its records go to the indexer in chunks while the file is written, and the store
    // commits it in parts; all of them are searchable once it is in, the last chunk's as the
    // first's.
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(dir.path()).unwrap();
    let data = dir.path().join("in");
    std::fs::create_dir(&data).unwrap();
    let rows = oppgraph::ingest::COMMIT_EVERY + oppgraph::ingest::HAND_EVERY + 7;
    let mut text = String::from("id,kind,title,published,winner\n");
    for n in 0..rows {
        let title = match n {
            0 => "滨江路灯改造工程中标公告",
            n if n == rows - 1 => "沿江栈道亮化工程中标公告",
            _ => "办公设备采购中标公告",
        };
        text.push_str(&format!("t{n},award,{title},2026-03-01,宜昌光明照明有限公司\n"));
    }
    std::fs::write(data.join("tenders.csv"), text).unwrap();
    let outcome = ws.import(&[data]).unwrap();
    assert_eq!(outcome.files[0].accepted, rows);
    let found = |query: &str| ids(&search(&ws, query, SearchOptions::default()));
    assert_eq!(found("滨江"), ["t0"]);
    assert_eq!(found("栈道"), [format!("t{}", rows - 1)]);
    assert_eq!(ws.index().num_docs(), rows as u64);
    assert_eq!(ws.index().indexed_seq().unwrap(), Some(ws.store().record_seq().unwrap()));
}
