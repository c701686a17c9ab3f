//! Typed access to a raw row: required fields, dates, numbers, lists, with reasons a person can
//! act on when a value is wrong.

use super::reader::RawRow;
use crate::model::Date;
use std::collections::BTreeMap;

/// Why one row was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem(pub String);

impl std::fmt::Display for RowProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub type RowResult<T> = Result<T, RowProblem>;

pub fn problem(message: impl Into<String>) -> RowProblem {
    RowProblem(message.into())
}

/// Wraps a row and remembers which columns were consumed, so the rest become `extra`.
pub struct Fields<'a> {
    row: &'a RawRow,
    used: std::cell::RefCell<Vec<&'static str>>,
}

impl<'a> Fields<'a> {
    pub fn new(row: &'a RawRow) -> Self {
        Fields { row, used: Default::default() }
    }

    pub fn opt(&self, column: &'static str) -> Option<&'a str> {
        self.used.borrow_mut().push(column);
        self.row.values.get(column).map(String::as_str)
    }

    pub fn required(&self, column: &'static str) -> RowResult<&'a str> {
        self.opt(column).ok_or_else(|| problem(format!("missing required field `{column}`")))
    }

    pub fn date(&self, column: &'static str) -> RowResult<Option<Date>> {
        self.opt(column).map(|v| parse_date(column, v)).transpose()
    }

    pub fn required_date(&self, column: &'static str) -> RowResult<Date> {
        parse_date(column, self.required(column)?)
    }

    /// A non-negative finite number; commas only as thousands separators (`12,000.5`).
    pub fn amount(&self, column: &'static str) -> RowResult<Option<f64>> {
        let Some(value) = self.opt(column) else { return Ok(None) };
        let number: f64 = strict_number(value)
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| problem(format!("`{column}` is not a number: {value:?}")))?;
        if !number.is_finite() || number < 0.0 {
            return Err(problem(format!("`{column}` must be a non-negative number, got {value}")));
        }
        Ok(Some(number))
    }

    pub fn required_amount(&self, column: &'static str) -> RowResult<f64> {
        self.required(column)?;
        self.amount(column).map(|a| a.unwrap_or_default())
    }

    /// A share between 0 and 1.
    pub fn share(&self, column: &'static str) -> RowResult<Option<f64>> {
        let share = self.amount(column)?;
        if let Some(s) = share {
            if s > 1.0 {
                return Err(problem(format!("`{column}` must be between 0 and 1, got {s}")));
            }
        }
        Ok(share)
    }

    pub fn integer(&self, column: &'static str) -> RowResult<Option<u32>> {
        self.opt(column)
            .map(|v| {
                v.trim()
                    .parse::<u32>()
                    .map_err(|_| problem(format!("`{column}` is not a whole number: {v:?}")))
            })
            .transpose()
    }

    pub fn boolean(&self, column: &'static str) -> RowResult<bool> {
        let Some(value) = self.opt(column) else { return Ok(false) };
        match value.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "y" | "是" => Ok(true),
            "false" | "0" | "no" | "n" | "否" => Ok(false),
            _ => Err(problem(format!("`{column}` is not true/false: {value:?}"))),
        }
    }

    /// A `|`-separated list with empty items dropped.
    pub fn list(&self, column: &'static str) -> Vec<&'a str> {
        self.opt(column)
            .map(|v| v.split('|').map(str::trim).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default()
    }

    pub fn string(&self, column: &'static str) -> Option<String> {
        self.opt(column).map(str::to_string)
    }

    pub fn parse_enum<T>(
        &self,
        column: &'static str,
        parse: impl Fn(&str) -> Option<T>,
        allowed: &str,
    ) -> RowResult<T> {
        let value = self.required(column)?;
        parse(value).ok_or_else(|| problem(format!("`{column}` {value:?} is not one of {allowed}")))
    }

    /// The columns nobody asked for, kept as extra attributes.
    pub fn extra(&self) -> BTreeMap<String, String> {
        let used = self.used.borrow();
        self.row
            .values
            .iter()
            .filter(|(k, _)| !used.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// `value` without thousands separators, when it is a plain number or one whose commas all
/// separate groups of three digits (`1,234,567.8`); `None` for `1,2,3`.
fn strict_number(value: &str) -> Option<String> {
    let value = value.trim();
    if !value.contains(',') {
        return Some(value.to_string());
    }
    let (whole, fraction) = value.split_once('.').map_or((value, None), |(w, f)| (w, Some(f)));
    let mut groups = whole.split(',');
    let first = groups.next()?;
    let first_ok = (1..=3).contains(&first.len()) && first.bytes().all(|b| b.is_ascii_digit());
    let rest_ok = groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
    if !first_ok || !rest_ok || fraction.is_some_and(|f| f.contains(',')) {
        return None;
    }
    Some(value.replace(',', ""))
}

fn parse_date(column: &str, value: &str) -> RowResult<Date> {
    // `YYYY-MM-DD`, or a date and time as Parquet timestamps come through
    // (`YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DDTHH:MM:SS`); nothing else after the date.
    let value = value.trim();
    let bad = || problem(format!("`{column}` is not a YYYY-MM-DD date: {value:?}"));
    let head = value.get(..10).ok_or_else(bad)?;
    let rest = &value[10..];
    let time_ok = rest.is_empty()
        || (rest.starts_with([' ', 'T'])
            && chrono::NaiveTime::parse_from_str(rest[1..].get(..8).unwrap_or("x"), "%H:%M:%S").is_ok());
    if !time_ok {
        return Err(bad());
    }
    Date::parse_from_str(head, "%Y-%m-%d").map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(pairs: &[(&str, &str)]) -> RawRow {
        RawRow { line: 2, values: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect() }
    }

    #[test]
    fn typed_fields_explain_bad_values() {
        let r = row(&[("amount", "12,000.5"), ("share", "1.5"), ("d", "2025-13-01"), ("x", "kept")]);
        let f = Fields::new(&r);
        assert_eq!(f.amount("amount"), Ok(Some(12000.5)));
        assert!(f.share("share").unwrap_err().0.contains("between 0 and 1"));
        assert!(f.date("d").unwrap_err().0.contains("YYYY-MM-DD"));
        assert!(f.required("id").unwrap_err().0.contains("`id`"));
        assert_eq!(f.extra().get("x").map(String::as_str), Some("kept"));
        assert!(!f.extra().contains_key("amount"));
    }

    #[test]
    fn dates_and_numbers_are_strict() {
        let r = row(&[
            ("a", "1,2,3"),
            ("b", "1,234,567.5"),
            ("c", "12,34"),
            ("d", "2023-02-2899"),
            ("e", "2023-02-28 10:00:00"),
            ("f", "2023-02-28T10:00:00.000"),
        ]);
        let f = Fields::new(&r);
        assert!(f.amount("a").is_err());
        assert_eq!(f.amount("b"), Ok(Some(1_234_567.5)));
        assert!(f.amount("c").is_err());
        assert!(f.date("d").is_err());
        assert_eq!(f.date("e").unwrap().unwrap().to_string(), "2023-02-28");
        assert_eq!(f.date("f").unwrap().unwrap().to_string(), "2023-02-28");
    }

    #[test]
    fn negative_amounts_are_refused() {
        let r = row(&[("amount", "-5")]);
        assert!(Fields::new(&r).amount("amount").is_err());
    }
}
