//! Text -> fields: notice parsing (parties, amounts, dates, notice kind), the shared jieba
//! segmenter, and character folding.
//! Boundary: pure text processing; no store, no index, no network.

pub mod amount;
pub mod date;
pub mod encoding;
pub mod freeze;
pub(crate) mod html;
pub mod normalize;
pub mod notice;
pub mod tokenize;
