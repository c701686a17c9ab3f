//! oppgraph: graph-based corporate opportunity mining.
//!
//! The pipeline, outside in: [`ingest`] brings records into the [`store`]; [`index`] and
//! [`graph`] are derived from it; [`mine`] turns events into ranked leads using [`resolve`]d
//! enterprises and [`extract`]ed text; [`deliver`] assigns and pushes them; [`http`] serves them.
//! [`workspace`] ties a data directory to these steps for the command line and the server.
//!
//! The public surface is what the command line, the integration tests and the benchmarks use:
//! [`workspace::Workspace`] (the operations over a data dir), [`http::app`] / [`http::serve`],
//! the domain types in [`model`], the query types of [`index`] and [`graph`], and the parsing
//! entry points of [`extract`] and [`ingest`] (for evaluation, fuzzing and converters).
//! Everything else — the mining stages, the crawl fetcher and its config parsing,
//! the graph's snapshot format and influence measures, CSV writing — is `pub(crate)`.

pub(crate) mod arena;
pub(crate) mod csv_out;
pub mod deliver;
pub mod eval;
pub mod extract;
pub mod gen;
pub mod graph;
pub mod http;
pub mod index;
pub mod ingest;
pub(crate) mod memory;
pub mod mine;
pub mod model;
pub mod resolve;
pub mod store;
pub mod workspace;

/// This build's fingerprint: the crate version and a hash of its sources, dictionaries and
/// locked dependencies (`build.rs`). Leads and the graph snapshot are made by one build; a
/// data dir a different build made is mined in full and its graph rebuilt, once.
pub const BUILD: &str = concat!(env!("CARGO_PKG_VERSION"), "+", env!("OPPGRAPH_SOURCE_HASH"));

/// mimalloc for every binary that links the crate (the CLI, tests, benchmarks): mining, imports
/// and the API make and drop many small strings, where glibc's allocator took a quarter of
/// the samples.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
