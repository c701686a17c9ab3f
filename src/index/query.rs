//! The search query language: words, `"exact phrases"`, `-excluded` words, and `field:value`
//! (or `field:"several words"`) for kind, buyer, winner, agency, region.

use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::Token;
use tantivy::Term;

pub const FILTER_FIELDS: [&str; 5] = ["kind", "buyer", "winner", "agency", "region"];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    pub words: Vec<String>,
    pub phrases: Vec<String>,
    pub excluded: Vec<String>,
    pub filters: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("unclosed quote in query at character {0}")]
    UnclosedQuote(usize),
    #[error("unknown field {0:?}; use one of kind, buyer, winner, agency, region")]
    UnknownField(String),
    #[error("`{0}:` needs a value")]
    EmptyValue(String),
    #[error("`-` needs a word to exclude")]
    EmptyExclusion,
    #[error("`OR` is not supported: every word must appear (AND is implied); search once per alternative")]
    Or,
}

/// Splits on whitespace outside quotes. Full-width quotes and colons are accepted too.
pub fn parse_query(input: &str) -> Result<ParsedQuery, QueryError> {
    let chars: Vec<char> = input
        .chars()
        .map(|c| match c {
            '“' | '”' | '＂' => '"',
            '：' => ':',
            '－' => '-',
            '\u{3000}' => ' ',
            c => c,
        })
        .collect();
    let mut parsed = ParsedQuery::default();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let excluded = chars[i] == '-';
        if excluded {
            i += 1;
        }
        // field:value ?
        let mut field = None;
        let word_start = i;
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '"' && chars[i] != ':' {
            i += 1;
        }
        if i < chars.len() && chars[i] == ':' {
            let name: String = chars[word_start..i].iter().collect();
            if name.chars().all(|c| c.is_ascii_alphabetic()) && !name.is_empty() {
                if !FILTER_FIELDS.contains(&name.as_str()) {
                    return Err(QueryError::UnknownField(name));
                }
                field = Some(name);
                i += 1;
            } else {
                i = word_start;
            }
        } else {
            i = word_start;
        }
        let value = if i < chars.len() && chars[i] == '"' {
            let close = chars[i + 1..].iter().position(|&c| c == '"').ok_or(QueryError::UnclosedQuote(i))?;
            let text: String = chars[i + 1..i + 1 + close].iter().collect();
            i += close + 2;
            Value::Phrase(text.trim().to_string())
        } else {
            let from = i;
            while i < chars.len() && !chars[i].is_whitespace() {
                i += 1;
            }
            Value::Word(chars[from..i].iter().collect())
        };
        match (field, excluded, value) {
            (Some(name), _, Value::Word(v) | Value::Phrase(v)) if v.is_empty() => {
                return Err(QueryError::EmptyValue(name))
            }
            (Some(name), _, Value::Word(v) | Value::Phrase(v)) => parsed.filters.push((name, v)),
            (None, true, Value::Word(v) | Value::Phrase(v)) if v.is_empty() => {
                let _ = start;
                return Err(QueryError::EmptyExclusion);
            }
            (None, true, Value::Word(v) | Value::Phrase(v)) => parsed.excluded.push(v),
            (None, false, Value::Phrase(v)) if !v.is_empty() => parsed.phrases.push(v),
            (None, false, Value::Phrase(_)) => {}
            // Words are all required already: an explicit AND joins nothing more.
            (None, false, Value::Word(v)) if v == "AND" => {}
            (None, false, Value::Word(v)) if v == "OR" => return Err(QueryError::Or),
            (None, false, Value::Word(v)) => parsed.words.push(v),
        }
    }
    Ok(parsed)
}

enum Value {
    Word(String),
    Phrase(String),
}

/// Every term must appear, each in any of `fields` (boosted per field).
pub fn terms_query(terms: &[String], fields: &[(Field, f32)]) -> Option<Box<dyn Query>> {
    if terms.is_empty() {
        return None;
    }
    let per_term: Vec<(Occur, Box<dyn Query>)> = terms
        .iter()
        .map(|term| {
            let alternatives: Vec<(Occur, Box<dyn Query>)> = fields
                .iter()
                .map(|&(field, boost)| {
                    let q: Box<dyn Query> = Box::new(TermQuery::new(
                        Term::from_field_text(field, term),
                        IndexRecordOption::WithFreqs,
                    ));
                    let q: Box<dyn Query> = if (boost - 1.0).abs() > f32::EPSILON {
                        Box::new(BoostQuery::new(q, boost))
                    } else {
                        q
                    };
                    (Occur::Should, q)
                })
                .collect();
            (Occur::Must, Box::new(BooleanQuery::new(alternatives)) as Box<dyn Query>)
        })
        .collect();
    Some(Box::new(BooleanQuery::new(per_term)))
}

/// Every word must match; a word matches as itself or as all of its sub-words (alternatives
/// joined by U+001F), each in any of `fields`.
pub fn words_query(words: &[Vec<String>], fields: &[(Field, f32)]) -> Option<Box<dyn Query>> {
    if words.is_empty() {
        return None;
    }
    let per_word: Vec<(Occur, Box<dyn Query>)> = words
        .iter()
        .filter_map(|alternatives| {
            let options: Vec<(Occur, Box<dyn Query>)> = alternatives
                .iter()
                .filter_map(|alt| {
                    let terms: Vec<String> = alt.split('\u{1f}').map(str::to_string).collect();
                    terms_query(&terms, fields).map(|q| (Occur::Should, q))
                })
                .collect();
            (!options.is_empty())
                .then(|| (Occur::Must, Box::new(BooleanQuery::new(options)) as Box<dyn Query>))
        })
        .collect();
    Some(Box::new(BooleanQuery::new(per_word)))
}

/// The tokens in order (with their positions) in any of `fields`.
pub fn phrase_query(tokens: &[Token], fields: &[(Field, f32)]) -> Option<Box<dyn Query>> {
    match tokens {
        [] => None,
        [single] => terms_query(std::slice::from_ref(&single.text), fields),
        _ => {
            let first = tokens[0].position;
            let alternatives: Vec<(Occur, Box<dyn Query>)> = fields
                .iter()
                .map(|&(field, boost)| {
                    let terms: Vec<(usize, Term)> = tokens
                        .iter()
                        .map(|t| (t.position - first, Term::from_field_text(field, &t.text)))
                        .collect();
                    let q: Box<dyn Query> =
                        Box::new(BoostQuery::new(Box::new(PhraseQuery::new_with_offset(terms)), boost));
                    (Occur::Should, q)
                })
                .collect();
            Some(Box::new(BooleanQuery::new(alternatives)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: ParsedQuery) {
        assert_eq!(parse_query(input).unwrap(), expected, "{input}");
    }

    #[test]
    fn parses_words_phrases_exclusions_and_fields() {
        check(
            "运动服 AND \"宜昌市 第一中学\" -更正 kind:award buyer:\"宜昌 教育局\" region：兴山",
            ParsedQuery {
                words: vec!["运动服".into()],
                phrases: vec!["宜昌市 第一中学".into()],
                excluded: vec!["更正".into()],
                filters: vec![
                    ("kind".into(), "award".into()),
                    ("buyer".into(), "宜昌 教育局".into()),
                    ("region".into(), "兴山".into()),
                ],
            },
        );
    }

    #[test]
    fn urls_and_times_are_words_not_fields() {
        let parsed = parse_query("12:30").unwrap();
        assert_eq!(parsed.words, ["12:30"]);
    }

    #[test]
    fn bad_syntax_is_an_error() {
        assert_eq!(parse_query("\"open"), Err(QueryError::UnclosedQuote(0)));
        assert_eq!(parse_query("color:red"), Err(QueryError::UnknownField("color".into())));
        assert_eq!(parse_query("运动服 OR 校服"), Err(QueryError::Or));
        assert_eq!(parse_query("kind:"), Err(QueryError::EmptyValue("kind".into())));
        assert_eq!(parse_query("a -"), Err(QueryError::EmptyExclusion));
    }
}
