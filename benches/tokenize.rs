//! Tokenization beside its peer: our jieba-rs segmentation (search mode, with folding 繁→简 and
//! width) against Python jieba's `cut_for_search`, both with `dictionaries/userdict.txt`, on
//! the same texts.
//!
//! `cargo bench --bench tokenize` reads the decoded pages of `tests/data/notices` (and of
//! `OPPGRAPH_BENCH_PAGES`, a directory of notice pages, when set), repeats them to about
//! `OPPGRAPH_BENCH_MB` megabytes (default 8), times three passes of ours, then runs
//! `benches/peers/jieba_cut.py` on the same file. Prints one JSON object with both
//! throughputs and the ratio; the peer is skipped (and said so) when Python jieba is missing
//! (`pip install jieba`).

use oppgraph::extract::normalize::fold;
use oppgraph::extract::tokenize::{segment, Mode};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn page_texts(dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            page_texts(&path, out);
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else { continue };
        let decoded = oppgraph::extract::notice::decode(&bytes);
        // The text a page shows: tags dropped, whitespace runs made one space.
        let document = scraper::Html::parse_document(&decoded);
        let text: String = document.root_element().text().collect::<Vec<_>>().join(" ");
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if !text.is_empty() {
            out.push(text);
        }
    }
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut texts = Vec::new();
    page_texts(&root.join("tests/data/notices/pages"), &mut texts);
    if let Ok(dir) = std::env::var("OPPGRAPH_BENCH_PAGES") {
        page_texts(Path::new(&dir), &mut texts);
    }
    let target_mb: f64 = std::env::var("OPPGRAPH_BENCH_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(8.0);
    let unique = texts.len();
    let base = texts.clone();
    while texts.iter().map(String::len).sum::<usize>() < (target_mb * 1e6) as usize {
        texts.extend(base.iter().cloned());
    }
    let bytes: usize = texts.iter().map(String::len).sum();
    // Warm up (dictionary load) outside the timing.
    let _ = segment("宜昌市第一中学学生运动服采购项目", Mode::Index);
    let mut best = f64::INFINITY;
    let mut words = 0;
    for _ in 0..3 {
        let started = Instant::now();
        words = 0;
        for text in &texts {
            words += segment(&fold(text), Mode::Index).len();
        }
        best = best.min(started.elapsed().as_secs_f64());
    }
    let ours_mb_s = bytes as f64 / 1e6 / best;
    // Where our time goes: folding alone, and segmentation of text already folded.
    let started = Instant::now();
    let folded: Vec<String> = texts.iter().map(|t| fold(t)).collect();
    let fold_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let segmented: usize = folded.iter().map(|t| segment(t, Mode::Index).len()).sum();
    let segment_seconds = started.elapsed().as_secs_f64();
    assert_eq!(segmented, words);

    let file = std::env::temp_dir().join(format!("oppgraph-tokenize-{}.txt", std::process::id()));
    std::fs::write(&file, texts.join("\n")).expect("write the texts");
    let peer = std::process::Command::new("python3")
        .arg(root.join("benches/peers/jieba_cut.py"))
        .arg(&file)
        .arg(root.join("dictionaries/userdict.txt"))
        .output();
    let _ = std::fs::remove_file(&file);
    let jieba = match peer {
        Ok(out) if out.status.success() => serde_json::from_slice::<serde_json::Value>(&out.stdout).ok(),
        Ok(out) => {
            eprintln!(
                "python jieba skipped: {}",
                String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or("")
            );
            None
        }
        Err(e) => {
            eprintln!("python jieba skipped: {e}");
            None
        }
    };
    let jieba_mb_s = jieba.as_ref().and_then(|j| Some(j["bytes"].as_f64()? / 1e6 / j["seconds"].as_f64()?));
    println!(
        "{}",
        serde_json::json!({
            "pages": unique,
            "bytes": bytes,
            "ours": {"mb_per_second": ours_mb_s, "words": words, "seconds": best, "mode": "search, folded",
                     "fold_seconds": fold_seconds, "segment_seconds": segment_seconds},
            "python_jieba": jieba.map(|j| serde_json::json!({
                "mb_per_second": jieba_mb_s, "words": j["words"], "seconds": j["seconds"], "mode": "cut_for_search"
            })),
            "ratio": jieba_mb_s.map(|theirs| ours_mb_s / theirs),
            "target_ratio": 40.0,
        })
    );
}
