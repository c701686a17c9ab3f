//! Fingerprints the code and data a build derives stored results with, for the crate as
//! environment variables:
//! - `OPPGRAPH_SOURCE_HASH`: every file under `src/` and `dictionaries/`, `Cargo.toml` and
//!   `Cargo.lock`. A data dir's leads and graph snapshot record the one they were made with;
//!   a build whose fingerprint differs mines everything and rebuilds the graph once instead of
//!   trusting results an older build's rules made.
//! - `OPPGRAPH_TOKENS_HASH`: what turns text into search terms — the user dictionary the
//!   tokenizer compiles in, the tokenizer, folding, the index's schema and analyzers, and the
//!   locked versions of the crates among them (jieba, tantivy, fast2s: their `Cargo.lock`
//!   entries, not the whole file). The search index records it; an index made with other
//!   terms is rebuilt (and not for a change to another dictionary, resolution's and mining's
//!   lists make no terms, nor for another dependency: a rebuild of a national index takes hours).
//!
//! Two builds of the same sources agree; any change to them (a rule, a dictionary word, a
//! dependency) differs.

use std::hash::Hasher;
use std::path::{Path, PathBuf};

const SOURCES: [&str; 4] = ["src", "dictionaries", "Cargo.toml", "Cargo.lock"];
const TOKENS: [&str; 4] =
    ["dictionaries/userdict.txt", "src/extract/tokenize.rs", "src/extract/normalize.rs", "src/index"];
/// The crates whose locked versions make search terms: their `Cargo.lock` entries are hashed
/// into `OPPGRAPH_TOKENS_HASH` (a name here, or one starting with it and `-`).
const TOKEN_CRATES: [&str; 3] = ["jieba", "tantivy", "fast2s"];

fn files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
            .map(|entry| entry.expect("directory entry").path())
            .collect();
        entries.sort();
        for entry in entries {
            files(&entry, out);
        }
    } else if path.is_file() {
        out.push(path.to_path_buf());
    }
}

/// The `[[package]]` entries of `Cargo.lock` for the crates named (or named after) `crates`.
fn locked(crates: &[&str]) -> String {
    let lock = std::fs::read_to_string("Cargo.lock").expect("reading Cargo.lock");
    lock.split("\n[[package]]\n")
        .filter(|entry| {
            let name =
                entry.lines().find_map(|l| l.strip_prefix("name = \"")).map(|n| n.trim_end_matches('"'));
            name.is_some_and(|name| {
                crates.iter().any(|c| name == *c || name.strip_prefix(c).is_some_and(|r| r.starts_with('-')))
            })
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn fingerprint(inputs: &[&str], extra: &str) -> String {
    let mut paths = Vec::new();
    for input in inputs {
        files(Path::new(input), &mut paths);
    }
    // SipHash with fixed keys: stable for one toolchain, which is all a fingerprint of a build
    // needs (another compiler makes another build anyway).
    #[allow(deprecated)]
    let mut hasher = std::hash::SipHasher::new();
    hasher.write(extra.as_bytes());
    for path in &paths {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let name = path.to_string_lossy().replace('\\', "/");
        hasher.write(name.as_bytes());
        hasher.write_usize(bytes.len());
        hasher.write(&bytes);
    }
    format!("{:016x}", hasher.finish())
}

fn main() {
    for input in SOURCES {
        println!("cargo:rerun-if-changed={input}");
    }
    println!("cargo:rustc-env=OPPGRAPH_SOURCE_HASH={}", fingerprint(&SOURCES, ""));
    println!("cargo:rustc-env=OPPGRAPH_TOKENS_HASH={}", fingerprint(&TOKENS, &locked(&TOKEN_CRATES)));
}
