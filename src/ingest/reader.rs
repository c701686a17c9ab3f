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
    pub rows: Rows,
    /// Rows found unreadable before `rows` are read.
    pub unreadable: Vec<UnreadableRow>,
}

impl Table {
    /// The readable rows, read whole; unreadable ones are dropped.
    pub fn into_rows(self) -> Vec<RawRow> {
        self.rows.flatten().collect()
    }
}

/// A table's rows: read already, or read from the file as they are asked for (a large CSV
/// file's rows are never all in memory at once), each a row or an unreadable row.
#[derive(Debug)]
pub enum Rows {
    Read(std::vec::IntoIter<RawRow>),
    Csv(CsvRows),
}

impl Default for Rows {
    fn default() -> Self {
        Rows::Read(Vec::new().into_iter())
    }
}

impl From<Vec<RawRow>> for Rows {
    fn from(rows: Vec<RawRow>) -> Self {
        Rows::Read(rows.into_iter())
    }
}

impl Iterator for Rows {
    type Item = Result<RawRow, UnreadableRow>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Rows::Read(rows) => rows.next().map(Ok),
            Rows::Csv(rows) => rows.next(),
        }
    }
}

type Row = Result<RawRow, UnreadableRow>;

/// Rows handed over per chunk by [`Rows::ahead`]'s reading thread.
const AHEAD_CHUNK: usize = 1024;

impl Rows {
    /// The rows, a CSV file's read on a thread of its own a few chunks ahead of the caller
    /// (the reading, splitting and copying of fields take the second core while the caller
    /// writes to the store); the rows the caller is done with go back to that thread to be
    /// freed. Rows read already, or a thread that cannot be started, are read here.
    pub fn ahead(self) -> Ahead {
        let Rows::Csv(rows) = self else { return Ahead::Here { rows: self, current: None } };
        let (hand, take) = std::sync::mpsc::sync_channel::<CsvRows>(1);
        let (send, chunks) = std::sync::mpsc::sync_channel::<Vec<Row>>(2);
        let (give_back, spent) = std::sync::mpsc::channel::<Vec<Row>>();
        let reader = std::thread::Builder::new().name("oppgraph-read".into()).spawn(move || {
            let Ok(mut rows) = take.recv() else { return };
            let mut buffer = Vec::with_capacity(AHEAD_CHUNK);
            loop {
                buffer.extend(rows.by_ref().take(AHEAD_CHUNK));
                if buffer.is_empty() || send.send(buffer).is_err() {
                    break;
                }
                // The rows of a chunk the caller has gone through are freed here, and the
                // chunk's room is read into again.
                buffer = match spent.try_recv() {
                    Ok(mut chunk) => {
                        chunk.clear();
                        chunk
                    }
                    Err(_) => Vec::with_capacity(AHEAD_CHUNK),
                };
            }
        });
        // The rows go to the thread only once it runs: without one they are read here.
        let reader = match reader {
            Ok(reader) => reader,
            Err(error) => {
                tracing::warn!(%error, "cannot start a thread to read rows on; reading them here");
                return Ahead::Here { rows: Rows::Csv(rows), current: None };
            }
        };
        match hand.send(rows) {
            Ok(()) => Ahead::Thread { chunks, give_back, chunk: Vec::new(), at: 0, reader: Some(reader) },
            Err(std::sync::mpsc::SendError(rows)) => Ahead::Here { rows: Rows::Csv(rows), current: None },
        }
    }
}

/// The rows of [`Rows::ahead`], one at a time, each lent until the next is asked for.
pub enum Ahead {
    Here {
        rows: Rows,
        current: Option<Row>,
    },
    Thread {
        chunks: std::sync::mpsc::Receiver<Vec<Row>>,
        give_back: std::sync::mpsc::Sender<Vec<Row>>,
        chunk: Vec<Row>,
        at: usize,
        reader: Option<std::thread::JoinHandle<()>>,
    },
}

impl Ahead {
    /// The next row, or none once every row was read. A panic of the reading thread is
    /// raised here, as if the rows had been read here: no row goes missing unnoticed.
    #[allow(clippy::should_implement_trait)] // it lends: a row lives until the next call
    pub fn next(&mut self) -> Option<&Row> {
        match self {
            Ahead::Here { rows, current } => {
                *current = rows.next();
                current.as_ref()
            }
            Ahead::Thread { chunks, give_back, chunk, at, reader } => {
                if *at == chunk.len() {
                    let Ok(next) = chunks.recv() else {
                        if let Some(Err(panic)) = reader.take().map(std::thread::JoinHandle::join) {
                            std::panic::resume_unwind(panic);
                        }
                        return None;
                    };
                    // Freed on the reading thread (or here, once it is gone).
                    let _ = give_back.send(std::mem::replace(chunk, next));
                    *at = 0;
                }
                *at += 1;
                chunk.get(*at - 1)
            }
        }
    }
}

/// CSV records after the header, read one at a time.
pub struct CsvRows {
    reader: csv::Reader<std::io::Cursor<Vec<u8>>>,
    columns: Vec<String>,
    record: csv::ByteRecord,
}

impl std::fmt::Debug for CsvRows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsvRows").field("columns", &self.columns).finish_non_exhaustive()
    }
}

impl Iterator for CsvRows {
    type Item = Result<RawRow, UnreadableRow>;

    fn next(&mut self) -> Option<Self::Item> {
        let record = &mut self.record;
        match self.reader.read_byte_record(record) {
            Ok(false) => return None,
            Ok(true) => {}
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line() as usize);
                return Some(Err(UnreadableRow {
                    line,
                    reason: csv_reason(&error),
                    original: String::new(),
                }));
            }
        }
        let line = record.position().map_or(0, |p| p.line() as usize);
        let original = || record.iter().map(String::from_utf8_lossy).collect::<Vec<_>>().join(",");
        if record.len() != self.columns.len() {
            return Some(Err(UnreadableRow {
                line,
                reason: format!("the row has {} fields, the header has {}", record.len(), self.columns.len()),
                original: original(),
            }));
        }
        let mut row = RawRow { line, values: BTreeMap::new() };
        for (name, field) in self.columns.iter().zip(record.iter()) {
            let Ok(value) = std::str::from_utf8(field) else {
                return Some(Err(UnreadableRow { line, reason: NOT_UTF8_ROW.into(), original: original() }));
            };
            let value = value.trim();
            if !value.is_empty() {
                row.values.insert(name.clone(), value.to_string());
            }
        }
        Some(Ok(row))
    }
}

const NOT_UTF8_ROW: &str = "the row is not valid UTF-8 text";

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
    match format {
        Format::Csv => read_csv(path),
        Format::Parquet => read_parquet(path),
        Format::JsonLines => read_json_lines(path),
    }
}

/// Parquet through polars. Text, numbers, booleans, dates, timestamps, decimals and lists of
/// those are read; a column of another type refuses the file with its name and type. A reader
/// panic on a file polars cannot handle is a refusal too, never a crash.
fn read_parquet(path: &Path) -> Result<Table, ReadError> {
    let shown = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| ReadError::Io { path: shown.clone(), source })?;
    let refused = |message: String| ReadError::Parse { path: shown.clone(), message };
    let read = std::panic::catch_unwind(move || -> Result<Table, String> {
        let df = ParquetReader::new(file).finish().map_err(|e| polars_reason(&e))?;
        frame_to_table(&df, 1)
    });
    match read {
        Ok(table) => table.map_err(refused),
        Err(_) => {
            Err(refused("a column of a type this build cannot read (the Parquet reader failed)".into()))
        }
    }
}

/// A polars error in our words: its first line, without its hints.
fn polars_reason(error: &PolarsError) -> String {
    let text = error.to_string();
    let first = text.lines().next().unwrap_or("unreadable").trim();
    format!("not a readable Parquet file: {}", first.chars().take(200).collect::<String>())
}

/// Whether a column of this type reads as text.
fn readable(dtype: &DataType) -> bool {
    dtype.is_primitive_numeric()
        || matches!(
            dtype,
            DataType::String
                | DataType::Boolean
                | DataType::Date
                | DataType::Datetime(..)
                | DataType::Decimal(..)
        )
}

fn frame_to_table(df: &DataFrame, first_line: usize) -> Result<Table, String> {
    let columns: Vec<String> = df.get_column_names().iter().map(|c| c.to_string()).collect();
    let mut rows: Vec<RawRow> =
        (0..df.height()).map(|i| RawRow { line: i + first_line, values: BTreeMap::new() }).collect();
    for column in df.columns() {
        let name = column.name().to_string();
        let series = column.as_materialized_series();
        let unreadable = || {
            format!("column `{name}` has type {}, which import cannot read (use text, numbers, dates or lists of those)", series.dtype())
        };
        let strings = match series.dtype() {
            DataType::String => series.clone(),
            DataType::List(inner) if readable(inner) => list_to_strings(series).map_err(|_| unreadable())?,
            dtype if readable(dtype) => series.cast(&DataType::String).map_err(|_| unreadable())?,
            _ => return Err(unreadable()),
        };
        let strings = strings.rechunk();
        let strings = strings.str().map_err(|_| unreadable())?;
        for (i, row) in rows.iter_mut().enumerate() {
            if let Some(value) = strings.get(i) {
                let value = value.trim();
                if !value.is_empty() {
                    row.values.insert(name.clone(), value.to_string());
                }
            }
        }
    }
    Ok(Table { columns, has_header: true, rows: rows.into(), unreadable: Vec::new() })
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

/// CSV with a header row, record by record. A record whose field count differs from the
/// header's, or whose text is not UTF-8, is an unreadable row with the line it starts on; the
/// file is refused only when its header is unreadable or no record at all is UTF-8.
fn read_csv(path: &Path) -> Result<Table, ReadError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| ReadError::Io { path: shown.clone(), source })?;
    let not_utf8 = || ReadError::Parse {
        path: shown.clone(),
        message: "not valid UTF-8 (convert GBK files to UTF-8 first)".into(),
    };
    let mut reader =
        csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(std::io::Cursor::new(bytes));
    let header = reader
        .byte_headers()
        .map_err(|e| ReadError::Parse {
            path: shown.clone(),
            message: format!("unreadable header row: {}", csv_reason(&e)),
        })?
        .clone();
    let mut columns = Vec::with_capacity(header.len());
    for field in header.iter() {
        let name = std::str::from_utf8(field).map_err(|_| not_utf8())?;
        columns.push(name.trim_start_matches('\u{feff}').trim().to_string());
    }
    let mut rows = CsvRows { reader, columns: columns.clone(), record: csv::ByteRecord::new() };
    // A file of UTF-8 text is read as it is imported. Any other is read first: one with no
    // UTF-8 record at all is refused whole (most likely GBK), not rejected row by row.
    if std::str::from_utf8(rows.reader.get_ref().get_ref()).is_ok() {
        return Ok(Table { columns, has_header: true, rows: Rows::Csv(rows), unreadable: Vec::new() });
    }
    let (mut read, mut unreadable) = (Vec::new(), Vec::new());
    for row in rows.by_ref() {
        match row {
            Ok(row) => read.push(row),
            Err(row) => unreadable.push(row),
        }
    }
    if read.is_empty() && unreadable.iter().any(|u| u.reason == NOT_UTF8_ROW) {
        return Err(not_utf8());
    }
    Ok(Table { columns, has_header: true, rows: read.into(), unreadable })
}

/// A CSV error in our words.
fn csv_reason(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::Io(e) => format!("cannot read: {e}"),
        csv::ErrorKind::Utf8 { .. } => "not valid UTF-8 text".into(),
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("the row has {len} fields, the header has {expected_len}")
        }
        _ => "unreadable CSV".into(),
    }
}

/// JSON Lines, line by line: a line that is not a JSON object, or not UTF-8, is one unreadable
/// row.
fn read_json_lines(path: &Path) -> Result<Table, ReadError> {
    let shown = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| ReadError::Io { path: shown.clone(), source })?;
    let mut table = Table::default();
    let mut rows = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (index, line) in std::io::BufReader::new(file).split(b'\n').enumerate() {
        let line_no = index + 1;
        let line = line.map_err(|source| ReadError::Io { path: shown.clone(), source })?;
        let line = match String::from_utf8(line) {
            Ok(line) => line,
            Err(error) => {
                table.unreadable.push(UnreadableRow {
                    line: line_no,
                    reason: "the line is not valid UTF-8 text".into(),
                    original: String::from_utf8_lossy(error.as_bytes()).into_owned(),
                });
                continue;
            }
        };
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
        rows.push(row);
    }
    table.rows = rows.into();
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

    /// A table's rows and all its unreadable rows, found before or while reading.
    fn split(table: Table) -> (Vec<RawRow>, Vec<UnreadableRow>) {
        let mut unreadable = table.unreadable;
        let mut rows = Vec::new();
        for row in table.rows {
            match row {
                Ok(row) => rows.push(row),
                Err(row) => unreadable.push(row),
            }
        }
        (rows, unreadable)
    }

    #[test]
    fn csv_rows_carry_physical_lines_and_skip_empty_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("persons.csv");
        std::fs::write(&path, "\u{feff}id,name,id_number\np1,张三,\np2,\"李四\",110101199003071234\n")
            .unwrap();
        let table = read_table(&path).unwrap();
        assert_eq!(table.columns, ["id", "name", "id_number"]);
        let rows: Vec<RawRow> = table.rows.map(Result::unwrap).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].values.get("id_number"), None);
        assert_eq!(rows[1].values["name"], "李四");
    }

    #[test]
    fn json_lines_keep_good_lines_and_report_bad_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tenders.jsonl");
        std::fs::write(&path, "{\"id\":\"t1\",\"winner\":[\"甲\",\"乙\"],\"amount\":12.5}\n{oops\n\n[1]\n")
            .unwrap();
        let (rows, unreadable) = split(read_table(&path).unwrap());
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].values["winner"], "甲|乙");
        assert_eq!(rows[0].values["amount"], "12.5");
        let lines: Vec<usize> = unreadable.iter().map(|u| u.line).collect();
        assert_eq!(lines, [2, 4]);
    }

    #[test]
    fn ragged_and_broken_csv_rows_are_rows_not_refusals() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tenders.csv");
        let text = "id,title\nt1,\"第一行\n跨两行\"\nt2,多一列,x\nt3,XX\nt4,好\n";
        std::fs::write(&path, text.as_bytes()).unwrap();
        let mut bytes = std::fs::read(&path).unwrap();
        // An invalid UTF-8 byte inside t3's title.
        let at = bytes.windows(3).position(|w| w == b"t3,").unwrap() + 3;
        assert_eq!(&bytes[at..at + 2], b"XX");
        bytes.splice(at..at + 2, [0xff, 0xfe]);
        std::fs::write(&path, &bytes).unwrap();
        let (rows, unreadable) = split(read_table(&path).unwrap());
        let ids: Vec<(&str, usize)> = rows.iter().map(|r| (r.values["id"].as_str(), r.line)).collect();
        assert_eq!(ids, [("t1", 2), ("t4", 6)]);
        let bad: Vec<(usize, &str)> = unreadable.iter().map(|u| (u.line, u.reason.as_str())).collect();
        assert_eq!(
            bad,
            [(4, "the row has 3 fields, the header has 2"), (5, "the row is not valid UTF-8 text")]
        );
        // A file that is all UTF-8 is read as it is imported, with the same rows and reasons.
        std::fs::write(&path, text.replace("XX", "三")).unwrap();
        let table = read_table(&path).unwrap();
        assert!(matches!(table.rows, Rows::Csv(_)));
        let (rows, unreadable) = split(table);
        let ids: Vec<(&str, usize)> = rows.iter().map(|r| (r.values["id"].as_str(), r.line)).collect();
        assert_eq!(ids, [("t1", 2), ("t3", 5), ("t4", 6)]);
        let bad: Vec<(usize, &str)> = unreadable.iter().map(|u| (u.line, u.reason.as_str())).collect();
        assert_eq!(bad, [(4, "the row has 3 fields, the header has 2")]);
    }

    #[test]
    fn json_lines_with_a_bad_byte_lose_one_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tenders.jsonl");
        std::fs::write(&path, b"{\"id\":\"t1\"}\n{\"id\":\"\xff\"}\n{\"id\":\"t3\"}\n").unwrap();
        let (rows, unreadable) = split(read_table(&path).unwrap());
        assert_eq!(rows.len(), 2);
        assert_eq!(unreadable[0].line, 2);
    }

    #[test]
    fn non_utf8_csv_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("persons.csv");
        std::fs::write(&path, b"id,name\np1,\xd5\xc5\xc8\xfd\n").unwrap();
        assert!(matches!(read_table(&path), Err(ReadError::Parse { .. })));
    }

    #[test]
    fn rows_read_ahead_come_in_order_and_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tenders.csv");
        // Several chunks, a ragged row in the third, and an end that is no whole chunk.
        let n = AHEAD_CHUNK * 3 + 17;
        let mut text = String::from("id,title\n");
        for i in 0..n {
            text.push_str(&if i == AHEAD_CHUNK * 2 + 5 {
                format!("t{i},甲,乙\n")
            } else {
                format!("t{i},公告{i}\n")
            });
        }
        std::fs::write(&path, &text).unwrap();
        let whole: Vec<Row> = read_table(&path).unwrap().rows.collect();
        let table = read_table(&path).unwrap();
        assert!(matches!(table.rows, Rows::Csv(_)));
        let mut ahead = table.rows.ahead();
        assert!(matches!(ahead, Ahead::Thread { .. }));
        let mut read = Vec::new();
        while let Some(row) = ahead.next() {
            read.push(row.clone());
        }
        assert_eq!(read.len(), n);
        assert_eq!(read, whole);
        assert!(read[AHEAD_CHUNK * 2 + 5].is_err());
        assert!(ahead.next().is_none());

        // A caller that stops early (a store error) leaves no thread waiting on it.
        let mut ahead = read_table(&path).unwrap().rows.ahead();
        assert_eq!(ahead.next().unwrap().as_ref().unwrap().values["id"], "t0");
        let Ahead::Thread { reader, .. } = &mut ahead else { unreachable!() };
        let reader = reader.take().unwrap();
        drop(ahead);
        reader.join().unwrap();

        // Rows read already are lent as they are.
        let mut here = Rows::from(vec![RawRow { line: 2, values: BTreeMap::new() }]).ahead();
        assert!(matches!(here, Ahead::Here { .. }));
        assert_eq!(here.next().unwrap().as_ref().unwrap().line, 2);
        assert!(here.next().is_none());
    }
}
