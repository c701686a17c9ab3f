//! Share-freeze extraction scored on labelled announcements: JSON Lines of `{"ID", "Title",
//! "Doc", "Event": [{"NAME": [...], "ORG": [...], "NUM": [...], "BEG": [...], "END": [...]}]}` —
//! the shape of the public financial event-extraction sets (an event's `NAME` lists every way the
//! text writes one holder).
//!
//! Scored per announcement, each field as a set: a holder is found when one of the names given
//! for it is one the extraction gives (its full name or its short form); an authority when the
//! names are equal or one ends with the other (`沈阳市中级人民法院` is `辽宁省沈阳市中级人民法院`);
//! shares, start and end as values (`3年` is 36 months). Precision counts what the extraction gives
//! that no event of the announcement names — where the labels are sparse (a court named but not
//! labelled) that counts against it, so recall is the figure to read first.

use super::EvalError;
use crate::extract::freeze::{extract_freeze, labelled_term, push_new, shares_in, Freeze};
use serde::Serialize;
use std::path::Path;

#[derive(Debug, Clone, Serialize)]
pub struct FreezeFieldScore {
    pub field: &'static str,
    pub precision: f64,
    pub recall: f64,
    /// Given values that a label names, given values, labelled values.
    pub right: usize,
    pub given: usize,
    pub labelled: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct FreezeMiss {
    pub id: String,
    pub field: &'static str,
    pub labelled: Vec<String>,
    pub given: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FreezeReport {
    pub announcements: usize,
    pub fields: Vec<FreezeFieldScore>,
    pub announcements_per_second: f64,
    #[serde(skip)]
    pub misses: Vec<FreezeMiss>,
}

#[derive(Default)]
struct Gold {
    holders: Vec<Vec<String>>,
    authorities: Vec<String>,
    shares: Vec<u64>,
    start: Vec<String>,
    end: Vec<String>,
}

/// Scores the announcements of `path` whose `ID` contains `split` (all when `None`).
pub fn eval_freezes(path: &Path, split: Option<&str>) -> Result<FreezeReport, EvalError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| EvalError::Io { path: path.display().to_string(), source })?;
    let mut items = Vec::new();
    for (number, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let value: serde_json::Value = serde_json::from_str(line).map_err(|e| EvalError::Format {
            path: path.display().to_string(),
            line: number + 1,
            message: e.to_string(),
        })?;
        let id = value["ID"].as_str().unwrap_or_default().to_string();
        if split.is_some_and(|s| !id.contains(s)) {
            continue;
        }
        items.push((id, value));
    }
    let started = std::time::Instant::now();
    let given: Vec<Freeze> = items
        .iter()
        .map(|(_, v)| {
            extract_freeze(v["Title"].as_str().unwrap_or_default(), v["Doc"].as_str().unwrap_or_default())
        })
        .collect();
    let seconds = started.elapsed().as_secs_f64();
    const FIELDS: [&str; 5] = ["holder", "authority", "shares", "start", "end"];
    // Per field: given values right, labelled values found, given values, labelled values.
    let mut tally = [[0usize; 4]; 5];
    let mut misses = Vec::new();
    for ((id, value), freeze) in items.iter().zip(&given) {
        for (i, (right, found, given_values, labelled_values)) in
            score(&gold(value), freeze).into_iter().enumerate()
        {
            for (sum, add) in
                tally[i].iter_mut().zip([right, found, given_values.len(), labelled_values.len()])
            {
                *sum += add;
            }
            if right < given_values.len() || found < labelled_values.len() {
                misses.push(FreezeMiss {
                    id: id.clone(),
                    field: FIELDS[i],
                    labelled: labelled_values,
                    given: given_values,
                });
            }
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    let fields = FIELDS
        .iter()
        .enumerate()
        .map(|(i, field)| FreezeFieldScore {
            field,
            precision: ratio(tally[i][0], tally[i][2]),
            recall: ratio(tally[i][1], tally[i][3]),
            right: tally[i][0],
            given: tally[i][2],
            labelled: tally[i][3],
        })
        .collect();
    Ok(FreezeReport {
        announcements: items.len(),
        fields,
        announcements_per_second: if seconds > 0.0 { items.len() as f64 / seconds } else { 0.0 },
        misses,
    })
}

/// Per field: (given values right, labelled values found, given values, labelled values).
type Scored = (usize, usize, Vec<String>, Vec<String>);

fn score(gold: &Gold, freeze: &Freeze) -> [Scored; 5] {
    let names: Vec<String> = freeze
        .holders
        .iter()
        .flat_map(|h| std::iter::once(h.name.as_str()).chain(h.alias.as_deref()))
        .map(bare_name)
        .collect();
    let holder_right = freeze
        .holders
        .iter()
        .filter(|h| {
            let forms = [Some(bare_name(&h.name)), h.alias.as_deref().map(bare_name)];
            gold.holders.iter().any(|e| forms.iter().flatten().any(|f| e.contains(f)))
        })
        .count();
    let holder_found = gold.holders.iter().filter(|e| e.iter().any(|m| names.contains(m))).count();
    let same_authority = |a: &str, b: &str| {
        a == b || (a.chars().count() >= 4 && b.chars().count() >= 4 && (a.ends_with(b) || b.ends_with(a)))
    };
    let authority_right =
        freeze.authorities.iter().filter(|a| gold.authorities.iter().any(|g| same_authority(a, g))).count();
    let authority_found =
        gold.authorities.iter().filter(|g| freeze.authorities.iter().any(|a| same_authority(a, g))).count();
    let shares: Vec<String> = freeze.shares.iter().map(u64::to_string).collect();
    let gold_shares: Vec<String> = gold.shares.iter().map(u64::to_string).collect();
    let start: Vec<String> = freeze.start.iter().map(|d| d.to_string()).collect();
    let end: Vec<String> = freeze
        .end
        .iter()
        .map(|d| d.to_string())
        .chain(freeze.term_months.iter().map(|m| format!("{m} months")))
        .collect();
    let sets = |given: &[String], labelled: &[String]| -> Scored {
        let right = given.iter().filter(|g| labelled.contains(g)).count();
        let found = labelled.iter().filter(|l| given.contains(l)).count();
        (right, found, given.to_vec(), labelled.to_vec())
    };
    [
        (
            holder_right,
            holder_found,
            freeze.holders.iter().map(|h| h.name.clone()).collect(),
            gold.holders.iter().map(|e| e.join("/")).collect(),
        ),
        (authority_right, authority_found, freeze.authorities.clone(), gold.authorities.clone()),
        sets(&shares, &gold_shares),
        sets(&start, &gold.start),
        sets(&end, &gold.end),
    ]
}

/// A partnership's name with its `（有限合伙）` written or not is one name.
fn bare_name(name: &str) -> String {
    name.replace("（有限合伙）", "").replace("(有限合伙)", "")
}

fn gold(value: &serde_json::Value) -> Gold {
    let mut gold = Gold::default();
    let strings = |event: &serde_json::Value, key: &str| -> Vec<String> {
        event[key].as_array().into_iter().flatten().filter_map(|v| v.as_str()).map(str::to_string).collect()
    };
    for event in value["Event"].as_array().into_iter().flatten() {
        let mentions: Vec<String> = strings(event, "NAME").iter().map(|n| bare_name(n)).collect();
        if !mentions.is_empty() {
            match gold.holders.iter_mut().find(|e| e.iter().any(|m| mentions.contains(m))) {
                Some(entity) => {
                    for mention in mentions {
                        if !entity.contains(&mention) {
                            entity.push(mention);
                        }
                    }
                }
                None => gold.holders.push(mentions),
            }
        }
        for authority in strings(event, "ORG") {
            push_new(&mut gold.authorities, authority);
        }
        for count in strings(event, "NUM") {
            if let Some(shares) = shares_in(&count) {
                push_new(&mut gold.shares, shares);
            }
        }
        for date in strings(event, "BEG") {
            if let Some(date) = crate::extract::date::find_date(&date) {
                push_new(&mut gold.start, date.to_string());
            }
        }
        for end in strings(event, "END") {
            if let Some(date) =
                crate::extract::date::find_date(&end).filter(|_| end.contains('日') || end.contains('-'))
            {
                push_new(&mut gold.end, date.to_string());
            } else if let Some(months) = labelled_term(&format!("冻结期限：{end}")) {
                push_new(&mut gold.end, format!("{months} months"));
            }
        }
    }
    gold
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holders_courts_and_terms_are_matched_as_the_labels_write_them() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("freezes.jsonl");
        let one = serde_json::json!({
            "ID": "FREEZE_DEV_0001",
            "Title": "甲股份：关于控股股东股份被司法冻结的公告",
            "Doc": "甲乙丙股份有限公司（以下简称“公司”）获悉，公司控股股东大连长富瑞华集团有限公司（以下简称“长富瑞华”）\
                持有的本公司520,000,000股被辽宁省沈阳市中级人民法院于2018年12月18日司法冻结，冻结期限为3年。",
            // The labels name the holder by its short form, the court without its province and
            // the term in words.
            "Event": [{"NAME": ["长富瑞华"], "ORG": ["沈阳市中级人民法院"], "NUM": ["520,000,000股"],
                       "BEG": ["2018年12月18日"], "END": ["三年"]}]
        });
        let other = serde_json::json!({
            "ID": "FREEZE_TEST_0001", "Title": "乙：公告", "Doc": "无关内容。",
            "Event": [{"NAME": ["丁有限公司"]}]
        });
        std::fs::write(&path, format!("{one}\n{other}\n")).unwrap();

        let report = eval_freezes(&path, Some("DEV")).unwrap();
        assert_eq!(report.announcements, 1);
        for field in &report.fields {
            assert_eq!((field.precision, field.recall), (1.0, 1.0), "{field:?}");
        }
        assert!(report.misses.is_empty(), "{:?}", report.misses);

        let report = eval_freezes(&path, None).unwrap();
        let holder = &report.fields[0];
        assert_eq!((holder.right, holder.given, holder.labelled), (1, 1, 2));
        assert_eq!(holder.recall, 0.5);
        assert_eq!(report.misses.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["FREEZE_TEST_0001"]);
    }
}
