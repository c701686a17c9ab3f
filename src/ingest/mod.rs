//! Bringing records in: file import (CSV, JSON Lines, Parquet) with validation and reject
//! reports, and the crawl engine that turns public notice pages into the same rows. Boundary: writes only through the store's transaction API; knows nothing of the
//! index or the graph (the caller refreshes those from [`import::ImportOutcome`]).

pub mod convert;
pub mod crawl;
pub(crate) mod import;
mod kinds;
pub mod reader;
pub(crate) mod rows;

pub use import::{
    collect_files, import_files, import_files_with, import_rows, record_kind, ChangedRecord, FileReport,
    Handed, ImportError, ImportKind, ImportOutcome, ImportSettings, RowStatus, COMMIT_EVERY, HAND_EVERY,
};
