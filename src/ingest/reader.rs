//! Reads an import file into raw string rows: CSV and Parquet through polars, JSON Lines line
//! by line (a malformed line is one rejected row, not a refused file).

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;

use polars::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    JsonLines,
    Parquet,
}

impl Format {
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Format::Csv),
            "jsonl" | "ndjson" => Some(Format::JsonLines),
            "parquet" => Some(Format::Parquet),
            _ => None,
        }
    }
}

/// One row as strings. Empty values are absent. `line` is the physical line for CSV (the header
/// is line 1) and JSON Lines, the 1-based row number for Parquet.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RawRow {
    pub line: usize,
    pub values: BTreeMap<String, String>,
}

/// A row that could not even be read as fields (JSON Lines only).
#[derive(Debug, Clone, PartialEq)]
pub struct UnreadableRow {
    pub line: usize,
    pub reason: String,
    pub original: String,
}

#[derive(Debug, Default)]
pub struct Table {
    /// Columns named by the header (CSV, Parquet); for JSON Lines, the union of keys.
    pub columns: Vec<String>,
    /// Whether the file format has a header that fixes its columns.
    pub has_header: bool,
    pub rows: Vec<RawRow>,
    pub unreadable: Vec<UnreadableRow>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("cannot parse {path}: {message}")]
    Parse { path: String, message: String },
    #[error("{path} has an unknown format; expected .csv, .jsonl or .parquet")]
    UnknownFormat { path: String },
}

pub fn read_table(path: &Path) -> Result<Table, ReadError> {
    let shown = path.display().to_string();
    let format = Format::from_path(path).ok_or_else(|| ReadError::UnknownFormat { path: shown.clone() })?;
    let parse_error = |e: PolarsError| ReadError::Parse { path: shown.clone(), message: e.to_string() };
    match format {
        Format::Csv => {
            let bytes =
                std::fs::read(path).map_err(|source| ReadError::Io { path: shown.clone(), source })?;
            if std::str::from_utf8(&bytes).is_err() {
                return Err(ReadError::Parse {
                    path: shown,
                    message: "not valid UTF-8 (convert GBK files to UTF-8 first)".into(),
                });
            }
            let df = CsvReadOptions::default()
                .with_has_header(true)
                .with_infer_schema_length(Some(0))
                .try_into_reader_with_file_path(Some(path.to_path_buf()))
                .and_then(|reader| reader.finish())
                .map_err(parse_error)?;
            let mut table = frame_to_table(&df, 2).map_err(parse_error)?;
            // BOM-prefixed headers are common from Excel.
            for column in &mut table.columns {
                *column = column.trim_start_matches('\u{feff}').trim().to_string();
            }
            for row in &mut table.rows {
                let values = std::mem::take(&mut row.values);
                row.values = values
                    .into_iter()
                    .map(|(k, v)| (k.trim_start_matches('\u{feff}').trim().to_string(), v))
                    .collect();
            }
            Ok(table)
        }
        Format::Parquet => {
            let file =
                std::fs::File::open(path).map_err(|source| ReadError::Io { path: shown.clone(), source })?;
            let df = ParquetReader::new(file).finish().map_err(parse_error)?;
            frame_to_table(&df, 1).map_err(parse_error)
        }
        Format::JsonLines => read_json_lines(path),
    }
}

fn frame_to_table(df: &DataFrame, first_line: usize) -> PolarsResult<Table> {
    let columns: Vec<String> = df.get_column_names().iter().map(|c| c.to_string()).collect();
    let mut rows: Vec<RawRow> =
        (0..df.height()).map(|i| RawRow { line: i + first_line, values: BTreeMap::new() }).collect();
    for column in df.columns() {
        let name = column.name().to_string();
        let series = column.as_materialized_series();
        let strings = match series.dtype() {
            DataType::String => series.clone(),
            DataType::List(_) => list_to_strings(series)?,
            _ => series.cast(&DataType::String)?,
        };
        let strings = strings.rechunk();
        let strings = strings.str()?;
        for (i, row) in rows.iter_mut().enumerate() {
            if let Some(value) = strings.get(i) {
                let value = value.trim();
                if !value.is_empty() {
                    row.values.insert(name.clone(), value.to_string());
                }
            }
        }
    }
    Ok(Table { columns, has_header: true, rows, unreadable: Vec::new() })
}

/// Parquet list columns (e.g. `winner` as a list of strings) become `|`-joined text.
fn list_to_strings(series: &Series) -> PolarsResult<Series> {
    let list = series.list()?;
    let joined: Vec<Option<String>> = (0..list.len())
        .map(|i| {
            let inner = list.get_as_series(i)?.cast(&DataType::String).ok()?;
            let inner = inner.str().ok()?;
            let parts: Vec<String> =
                (0..inner.len()).filter_map(|j| inner.get(j)).map(str::to_string).collect();
            Some(parts.join("|"))
        })
        .collect();
    Ok(Series::new(series.name().clone(), joined))
}

fn read_json_lines(path: &Path) -> Result<Table, ReadError> {
    let shown = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| ReadError::Io { path: shown.clone(), source })?;
    let mut table = Table::default();
    let mut seen = std::collections::BTreeSet::new();
    for (index, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line_no = index + 1;
        let line = line.map_err(|source| ReadError::Io { path: shown.clone(), source })?;
        let trimmed = line.trim().trim_start_matches('\u{feff}');
        if trimmed.is_empty() {
            continue;
        }
        let object = match serde_json::from_str::<serde_json::Value>(trimmed) {
            Ok(serde_json::Value::Object(map)) => map,
            Ok(_) => {
                table.unreadable.push(UnreadableRow {
                    line: line_no,
                    reason: "line is not a JSON object".into(),
                    original: line.clone(),
                });
                continue;
            }
            Err(e) => {
                table.unreadable.push(UnreadableRow {
                    line: line_no,
                    reason: format!("invalid JSON: {e}"),
                    original: line.clone(),
                });
                continue;
            }
        };
        let mut row = RawRow { line: line_no, values: BTreeMap::new() };
        for (key, value) in object {
            if seen.insert(key.clone()) {
                table.columns.push(key.clone());
            }
            if let Some(text) = json_to_text(&value) {
                row.values.insert(key, text);
            }
        }
        table.rows.push(row);
    }
    Ok(table)
}

fn json_to_text(value: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    let text = match value {
        Value::Null => return None,
        Value::String(s) => s.trim().to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items.iter().filter_map(json_to_text).collect::<Vec<_>>().join("|"),
        Value::Object(_) => value.to_string(),
    };
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_carry_physical_lines_and_skip_empty_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("persons.csv");
        std::fs::write(&path, "\u{feff}id,name,id_number\np1,张三,\np2,\"李四\",110101199003071234\n")
            .unwrap();
        let table = read_table(&path).unwrap();
        assert_eq!(table.columns, ["id", "name", "id_number"]);
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[0].line, 2);
        assert_eq!(table.rows[0].values.get("id_number"), None);
        assert_eq!(table.rows[1].values["name"], "李四");
    }

    #[test]
    fn json_lines_keep_good_lines_and_report_bad_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tenders.jsonl");
        std::fs::write(&path, "{\"id\":\"t1\",\"winner\":[\"甲\",\"乙\"],\"amount\":12.5}\n{oops\n\n[1]\n")
            .unwrap();
        let table = read_table(&path).unwrap();
        assert_eq!(table.rows.len(), 1);
        assert_eq!(table.rows[0].values["winner"], "甲|乙");
        assert_eq!(table.rows[0].values["amount"], "12.5");
        let lines: Vec<usize> = table.unreadable.iter().map(|u| u.line).collect();
        assert_eq!(lines, [2, 4]);
    }

    #[test]
    fn non_utf8_csv_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("persons.csv");
        std::fs::write(&path, b"id,name\np1,\xd5\xc5\xc8\xfd\n").unwrap();
        assert!(matches!(read_table(&path), Err(ReadError::Parse { .. })));
    }
}
