//! Converters from other published layouts into our import formats.
//!
//! `executives`: the Neo4j-style export of A-share listed companies and their executives
//! (董监高): `stock.csv` (`stock_id:ID(Stock),name,code`), `executive.csv`
//! (`person_id:ID(Executive),name,gender,age:int`), `executive_stock.csv`
//! (`:START_ID(Executive),jobs,:END_ID(Stock)`), `industry.csv` and `stock_industry.csv`.
//! Mapping: a stock becomes an enterprise named by its 证券简称 (the export has no registered
//! names), `listed = true`, its stock code kept as the `stock_code` attribute and as an alias,
//! its industry from `stock_industry`; an executive becomes a person `exec-<id>`; each
//! employment becomes an `officer` relation with the posts (`董事长/董事`) as the role.

use super::reader::{read_table, ReadError};
use crate::csv_out::CsvWriter;
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("{file} has no column {column}")]
    MissingColumn { file: String, column: String },
    #[error("cannot write {path}: {source}")]
    Write { path: String, source: std::io::Error },
}

#[derive(Debug, Default, Serialize)]
pub struct ConvertSummary {
    pub enterprises: usize,
    pub persons: usize,
    pub relations: usize,
    /// Employment rows naming a stock or person that is not in the export.
    pub dangling: usize,
}

/// Neo4j headers carry types and id spaces: `stock_id:ID(Stock)`, `:START_ID(Executive)`.
fn header_is(header: &str, name: &str) -> bool {
    header.strip_prefix(name).is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '(']))
}

fn column<'a>(row: &'a super::reader::RawRow, name: &str) -> Option<&'a str> {
    row.values.iter().find(|(k, _)| header_is(k, name)).map(|(_, v)| v.as_str())
}

fn require(table: &super::reader::Table, file: &str, prefix: &str) -> Result<(), ConvertError> {
    let found = table.columns.iter().any(|c| header_is(c, prefix));
    if found {
        Ok(())
    } else {
        Err(ConvertError::MissingColumn { file: file.into(), column: prefix.into() })
    }
}

/// A CSV file in `dir`, with write errors naming it.
struct Writer {
    path: String,
    csv: CsvWriter,
}

impl Writer {
    fn create(dir: &Path, name: &str, header: &[&str]) -> Result<Writer, ConvertError> {
        let path = dir.join(name);
        let shown = path.display().to_string();
        let csv = CsvWriter::create(&path, header)
            .map_err(|source| ConvertError::Write { path: shown.clone(), source })?;
        Ok(Writer { path: shown, csv })
    }

    fn line(&mut self, fields: &[&str]) -> Result<(), ConvertError> {
        self.csv.row(fields).map_err(|source| ConvertError::Write { path: self.path.clone(), source })
    }

    fn finish(self) -> Result<(), ConvertError> {
        let path = self.path;
        self.csv.finish().map(drop).map_err(|source| ConvertError::Write { path, source })
    }
}

pub fn convert_executives(dir: &Path, out: &Path) -> Result<ConvertSummary, ConvertError> {
    std::fs::create_dir_all(out)
        .map_err(|source| ConvertError::Write { path: out.display().to_string(), source })?;
    let stocks = read_table(&dir.join("stock.csv"))?;
    require(&stocks, "stock.csv", "stock_id")?;
    let executives = read_table(&dir.join("executive.csv"))?;
    require(&executives, "executive.csv", "person_id")?;
    let employment = read_table(&dir.join("executive_stock.csv"))?;
    require(&employment, "executive_stock.csv", ":START_ID")?;
    let industries: HashMap<String, String> = match read_table(&dir.join("industry.csv")) {
        Ok(table) => table
            .into_rows()
            .iter()
            .filter_map(|r| Some((column(r, "industry_id")?.to_string(), column(r, "name")?.to_string())))
            .collect(),
        Err(_) => HashMap::new(),
    };
    let stock_industry: HashMap<String, String> = match read_table(&dir.join("stock_industry.csv")) {
        Ok(table) => table
            .into_rows()
            .iter()
            .filter_map(|r| {
                let industry = industries.get(column(r, ":END_ID")?)?;
                Some((column(r, ":START_ID")?.to_string(), industry.clone()))
            })
            .collect(),
        Err(_) => HashMap::new(),
    };
    let mut summary = ConvertSummary::default();
    let mut enterprise_names: HashMap<String, String> = HashMap::new();
    let mut ents =
        Writer::create(out, "enterprises.csv", &["name", "aliases", "industry", "listed", "stock_code"])?;
    for row in &stocks.into_rows() {
        let (Some(id), Some(name)) = (column(row, "stock_id"), column(row, "name")) else { continue };
        let code = column(row, "code").unwrap_or(id);
        let industry = stock_industry.get(id).map(String::as_str).unwrap_or("");
        // Two stocks can share a short name over time; keep names unique by code.
        let unique = if enterprise_names.values().any(|n| n == name) {
            format!("{name}({code})")
        } else {
            name.to_string()
        };
        ents.line(&[&unique, code, industry, "true", code])?;
        enterprise_names.insert(id.to_string(), unique);
        summary.enterprises += 1;
    }
    ents.finish()?;
    let mut persons = Writer::create(out, "persons.csv", &["id", "name", "gender", "age"])?;
    let mut person_ids = std::collections::HashSet::new();
    for row in &executives.into_rows() {
        let (Some(id), Some(name)) = (column(row, "person_id"), column(row, "name")) else { continue };
        let pid = format!("exec-{id}");
        persons.line(&[&pid, name, column(row, "gender").unwrap_or(""), column(row, "age").unwrap_or("")])?;
        person_ids.insert(id.to_string());
        summary.persons += 1;
    }
    persons.finish()?;
    let mut relations = Writer::create(out, "relations.csv", &["from", "to", "kind", "role", "source"])?;
    for row in &employment.into_rows() {
        let (Some(person), Some(stock)) = (column(row, ":START_ID"), column(row, ":END_ID")) else {
            continue;
        };
        let (Some(company), true) = (enterprise_names.get(stock), person_ids.contains(person)) else {
            summary.dangling += 1;
            continue;
        };
        relations.line(&[
            &format!("person:exec-{person}"),
            company,
            "officer",
            column(row, "jobs").unwrap_or(""),
            "a-share-executives",
        ])?;
        summary.relations += 1;
    }
    relations.finish()?;
    Ok(summary)
}
