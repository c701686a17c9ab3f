//! The one shared jieba tokenizer, with the user dictionary from `dictionaries/userdict.txt`
//! compiled in and, optionally, a deployment's own words (`<data>/userdict.txt`). Extraction,
//! resolution and the index all segment text through it.

use jieba_rs::Jieba;
use std::sync::OnceLock;

pub const USER_DICTIONARY: &str = include_str!("../../dictionaries/userdict.txt");

static JIEBA: OnceLock<Jieba> = OnceLock::new();
/// A deployment's own words (a data dir's `userdict.txt`), added to the built-in dictionary.
static LOCAL_DICTIONARY: OnceLock<String> = OnceLock::new();

/// The shared instance, loaded on first use (a few hundred milliseconds).
pub fn jieba() -> &'static Jieba {
    JIEBA.get_or_init(|| {
        let mut jieba = Jieba::new();
        let mut reader = std::io::BufReader::new(USER_DICTIONARY.as_bytes());
        // The dictionary is compiled in and tested to load, so an error here is a build bug.
        if let Err(error) = jieba.load_dict(&mut reader) {
            tracing::error!(%error, "user dictionary failed to load");
        }
        if let Some(local) = LOCAL_DICTIONARY.get() {
            if let Err(error) = jieba.load_dict(&mut std::io::BufReader::new(local.as_bytes())) {
                tracing::error!(%error, "the data dir's dictionary failed to load");
            }
        }
        jieba
    })
}

/// Why a local dictionary was not taken.
#[derive(Debug, thiserror::Error)]
pub enum DictionaryError {
    #[error("line {line}: {message}")]
    BadLine { line: usize, message: String },
    #[error("the tokenizer was already in use with another dictionary; restart the process")]
    AlreadyLoaded,
}

/// What segmentation depends on in this process: the build's dictionaries and tokenizer
/// (`OPPGRAPH_TOKENS_HASH`, from `build.rs`) and the deployment's own words in effect. Text
/// segmented under another fingerprint may have been cut into other words: the search index
/// records the fingerprint its terms were made under, and is rebuilt when it differs.
pub fn fingerprint() -> String {
    let local = LOCAL_DICTIONARY.get().map_or("", String::as_str);
    format!("{}-{:016x}", env!("OPPGRAPH_TOKENS_HASH"), xxhash_rust::xxh3::xxh3_64(local.as_bytes()))
}

/// Adds a deployment's own words (jieba's format: `word [frequency] [tag]` per line, `#`
/// comments) to the built-in dictionary. Call before the first segmentation of the process.
/// They change the [`fingerprint`], so a search index made without them is rebuilt when next
/// synced.
pub fn add_local_dictionary(text: &str) -> Result<(), DictionaryError> {
    let mut cleaned = String::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split_whitespace();
        let word = parts.next().unwrap_or_default();
        if let Some(frequency) = parts.next() {
            if frequency.parse::<usize>().is_err() {
                return Err(DictionaryError::BadLine {
                    line: index + 1,
                    message: format!("{frequency:?} is not a frequency (a whole number)"),
                });
            }
        }
        if word.is_empty() {
            continue;
        }
        cleaned.push_str(line);
        cleaned.push('\n');
    }
    if LOCAL_DICTIONARY.get().is_some_and(|loaded| *loaded == cleaned) {
        return Ok(());
    }
    if JIEBA.get().is_some() || LOCAL_DICTIONARY.set(cleaned).is_err() {
        return Err(DictionaryError::AlreadyLoaded);
    }
    Ok(())
}

/// A segmented word with its byte span and its position (index of the word in default-mode
/// segmentation; sub-words of a compound share the compound's position).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word<'a> {
    pub text: &'a str,
    pub byte_start: usize,
    pub byte_end: usize,
    pub position: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Precise segmentation: what a query means.
    Query,
    /// Also emits dictionary sub-words of long words (中华人民共和国 -> 中华, 人民, 共和国, ...)
    /// for recall when indexing.
    Index,
}

/// Segments `text`, dropping whitespace and punctuation-only tokens.
pub fn segment(text: &str, mode: Mode) -> Vec<Word<'_>> {
    let mut tokens = match mode {
        Mode::Query => jieba().cut(text, true),
        Mode::Index => jieba().cut_for_search(text, true),
    };
    // Search mode emits a compound's sub-words right before the compound; walking backwards,
    // a token inside the current compound's span shares its position. The count from the end
    // is kept in the token's `start` (its character offset, which nothing here reads).
    let mut compound: Option<(usize, usize)> = None;
    let mut count = 0usize;
    for t in tokens.iter_mut().rev() {
        let inside = compound.is_some_and(|(s, e)| {
            t.byte_start >= s && t.byte_end <= e && (t.byte_end - t.byte_start) < (e - s)
        });
        if !inside {
            compound = Some((t.byte_start, t.byte_end));
            count += 1;
        }
        t.start = count;
    }
    // Collected in place: the words take over the tokens' allocation.
    tokens
        .into_iter()
        .filter(|t| is_word(t.word))
        .map(|t| Word {
            text: t.word,
            byte_start: t.byte_start,
            byte_end: t.byte_end,
            position: count - t.start,
        })
        .collect()
}

/// Punctuation and spaces are not words: a word has a letter or a digit.
fn is_word(token: &str) -> bool {
    token.chars().any(is_letter_or_digit)
}

/// `char::is_alphanumeric`, with the answer for every character below U+10000 read from a
/// bit table built once: punctuation (，。、《》…) otherwise looks itself up in Unicode's
/// tables, a binary search each time, and a page's punctuation is a quarter of its tokens.
fn is_letter_or_digit(c: char) -> bool {
    static BMP: OnceLock<Box<[u64]>> = OnceLock::new();
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    if crate::extract::normalize::is_han(c) {
        return true;
    }
    let code = c as usize;
    if code > 0xFFFF {
        return c.is_alphanumeric();
    }
    let bits = BMP.get_or_init(|| {
        let mut bits = vec![0u64; 0x10000 / 64];
        for code in 0..0x10000u32 {
            if char::from_u32(code).is_some_and(char::is_alphanumeric) {
                bits[code as usize / 64] |= 1 << (code % 64);
            }
        }
        bits.into_boxed_slice()
    });
    bits[code / 64] & (1 << (code % 64)) != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str, mode: Mode) -> Vec<(&str, usize)> {
        segment(text, mode).into_iter().map(|w| (w.text, w.position)).collect()
    }

    #[test]
    fn query_mode_is_precise_and_skips_punctuation() {
        let got = words("宜昌市，运动服采购", Mode::Query);
        assert!(got.iter().all(|(w, _)| *w != "，"));
        let positions: Vec<usize> = got.iter().map(|(_, p)| *p).collect();
        let mut sorted = positions.clone();
        sorted.sort();
        assert_eq!(positions, sorted);
        assert_eq!(got.first().map(|(w, _)| *w), Some("宜昌市"));
    }

    #[test]
    fn index_mode_sub_words_share_the_compound_position() {
        let got = words("中华人民共和国成立", Mode::Index);
        let whole = got.iter().find(|(w, _)| *w == "中华人民共和国").expect("compound kept");
        let part = got.iter().find(|(w, _)| *w == "共和国").expect("sub-word emitted");
        assert_eq!(whole.1, part.1);
        let next = got.iter().find(|(w, _)| *w == "成立").unwrap();
        assert_eq!(next.1, whole.1 + 1);
    }

    #[test]
    fn the_bit_table_agrees_with_unicode() {
        for code in 0..0x11000u32 {
            if let Some(c) = char::from_u32(code) {
                assert_eq!(is_letter_or_digit(c), c.is_alphanumeric(), "U+{code:04X}");
            }
        }
        assert!(!is_word("，。、《》——"));
        assert!(is_word("〇"));
    }

    #[test]
    fn user_dictionary_keeps_legal_forms_whole() {
        let got = words("湖北昊源建设工程有限公司", Mode::Query);
        assert!(got.iter().any(|(w, _)| *w == "有限公司"), "{got:?}");
    }
}
