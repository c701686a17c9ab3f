//! oppgraph: graph-based corporate opportunity mining.
//!
//! The pipeline, outside in: [`ingest`] brings records into the [`store`]; [`index`] and
//! [`graph`] are derived from it; [`mine`] turns events into ranked leads using [`resolve`]d
//! enterprises and [`extract`]ed text; [`deliver`] routes them; [`http`] serves them.
//! [`workspace`] ties a data directory to these steps for the command line and the server.

pub mod csv_out;
pub mod deliver;
pub mod eval;
pub mod extract;
pub mod gen;
pub mod graph;
pub mod http;
pub mod index;
pub mod ingest;
pub mod mine;
pub mod model;
pub mod resolve;
pub mod store;
pub mod workspace;
