//! A data dir's own dictionary (`<data>/userdict.txt`) reaches the shared tokenizer: its words
//! stay whole in segmentation and in search. (Its own test binary: the tokenizer is per process.)

use oppgraph::extract::tokenize::{segment, Mode};

#[test]
fn a_data_dirs_own_words_are_segmented_whole() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("userdict.txt"), "# 本行自定义词\n楚天鲲鹏链 10 nz\n").unwrap();
    let ws = oppgraph::workspace::Workspace::open(dir.path()).unwrap();
    let words: Vec<&str> = segment("楚天鲲鹏链供应链金融", Mode::Query).into_iter().map(|w| w.text).collect();
    assert!(words.contains(&"楚天鲲鹏链"), "{words:?}");
    drop(ws);

    let bad = tempfile::tempdir().unwrap();
    std::fs::write(bad.path().join("userdict.txt"), "词 高频\n").unwrap();
    let error = oppgraph::workspace::Workspace::open(bad.path()).err().unwrap().to_string();
    assert!(error.contains("line 1") && error.contains("frequency"), "{error}");
}
