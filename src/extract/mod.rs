//! Text -> fields: segmentation, character folding, and (later) notice parsing.
//! Boundary: pure text processing; no store, no index, no network.

pub mod normalize;
pub mod tokenize;
