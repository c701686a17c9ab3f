//! Bringing records in: file import (CSV, JSON Lines, Parquet) with validation and reject
//! reports. Boundary: writes only through the store's transaction API; knows nothing of the
//! index or the graph (the caller refreshes those from [`import::ImportOutcome`]).

pub mod convert;
pub mod import;
pub mod reader;
pub mod rows;

pub use import::{import_files, FileReport, ImportError, ImportKind, ImportOutcome};
