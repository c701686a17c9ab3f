//! The product matching matrix: which bank products fit which kind of lead, optionally varied
//! by enterprise size. Lives in `dictionaries/products.toml`; the built-in copy is compiled in.

use crate::model::{EnterpriseSize, OpportunityKind};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Default)]
pub struct ProductMatrix {
    rows: HashMap<OpportunityKind, Row>,
    /// Product code -> what the bank calls it (`[names]`).
    names: HashMap<String, String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct Row {
    default: Vec<String>,
    #[serde(default)]
    large: Option<Vec<String>>,
    #[serde(default)]
    medium: Option<Vec<String>>,
    #[serde(default)]
    small: Option<Vec<String>>,
    #[serde(default)]
    micro: Option<Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum MatrixError {
    #[error("product matrix is not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("product matrix names an unknown opportunity kind {0:?}")]
    UnknownKind(String),
    #[error("product matrix has no row for {0}")]
    MissingKind(&'static str),
}

pub const BUILTIN: &str = include_str!("../../dictionaries/products.toml");

impl ProductMatrix {
    pub fn parse(text: &str) -> Result<Self, MatrixError> {
        #[derive(Deserialize)]
        struct File {
            matrix: HashMap<String, Row>,
            #[serde(default)]
            names: HashMap<String, String>,
        }
        let file: File = toml::from_str(text)?;
        let mut rows = HashMap::new();
        for (kind, row) in file.matrix {
            let kind = OpportunityKind::parse(&kind).ok_or(MatrixError::UnknownKind(kind))?;
            rows.insert(kind, row);
        }
        for kind in OpportunityKind::ALL {
            if !rows.contains_key(&kind) {
                return Err(MatrixError::MissingKind(kind.as_str()));
            }
        }
        Ok(ProductMatrix { rows, names: file.names })
    }

    /// The compiled-in matrix. It is tested to parse, so this cannot fail at run time.
    pub fn builtin() -> Self {
        Self::parse(BUILTIN).unwrap_or_default()
    }

    /// What the bank calls a product (its code when the matrix names none).
    pub fn name(&self, code: &str) -> String {
        self.names.get(code).cloned().unwrap_or_else(|| code.to_string())
    }

    pub fn products(&self, kind: OpportunityKind, size: Option<EnterpriseSize>) -> Vec<String> {
        let Some(row) = self.rows.get(&kind) else { return Vec::new() };
        let by_size = match size {
            Some(EnterpriseSize::Large) => row.large.as_ref(),
            Some(EnterpriseSize::Medium) => row.medium.as_ref(),
            Some(EnterpriseSize::Small) => row.small.as_ref(),
            Some(EnterpriseSize::Micro) => row.micro.as_ref(),
            None => None,
        };
        by_size.unwrap_or(&row.default).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_matrix_parses_and_covers_every_kind() {
        let matrix = ProductMatrix::parse(BUILTIN).unwrap();
        for kind in OpportunityKind::ALL {
            assert!(!matrix.products(kind, None).is_empty(), "{kind:?}");
        }
        assert_eq!(
            matrix.products(OpportunityKind::TenderAward, None),
            ["performance_bond", "working_capital_loan"]
        );
    }

    #[test]
    fn unknown_kinds_are_refused() {
        let err = ProductMatrix::parse("[matrix.nonsense]\ndefault = []\n").unwrap_err();
        assert!(matches!(err, MatrixError::UnknownKind(k) if k == "nonsense"));
    }
}
