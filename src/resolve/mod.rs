//! Names -> enterprises.
//!
//! Boundary: this module knows enterprises only through [`Resolver::insert`]; it never touches
//! the store. Import feeds it every known enterprise, asks it to resolve each reference, and
//! inserts what it creates so later rows of the same batch link to it.

pub mod uscc;

use crate::model::{Enterprise, EnterpriseId};
use serde::Serialize;
use std::collections::HashMap;

/// Canonical form of an enterprise name for exact matching: full-width ASCII folded to
/// half-width, every bracket style to `()`, whitespace and the middle dot removed, ASCII
/// uppercased.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        let c = match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        };
        let c = match c {
            '（' | '〔' | '［' | '【' | '[' | '{' => '(',
            '）' | '〕' | '］' | '】' | ']' | '}' => ')',
            _ => c,
        };
        if c.is_whitespace() || c == '·' || c == '•' {
            continue;
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// How a reference was matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchRule {
    ExactUscc,
    ExactName,
    Alias,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Resolution {
    Linked { id: EnterpriseId, confidence: f64, rule: MatchRule },
    /// Several enterprises share this name or alias; a person has to decide.
    Ambiguous { candidates: Vec<EnterpriseId> },
    NotFound,
}

/// A reference as written in a record: a 统一社会信用代码 or a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntRef {
    Uscc(String),
    Name(String),
}

impl EntRef {
    /// Classifies a reference. A code-shaped reference with a bad check character is an error,
    /// not a name: the row that holds it is rejected.
    pub fn parse(raw: &str) -> Result<Self, uscc::UsccError> {
        let raw = raw.trim();
        if uscc::looks_like_uscc(raw) && raw.bytes().any(|b| b.is_ascii_digit()) {
            return uscc::validate(raw).map(EntRef::Uscc);
        }
        Ok(EntRef::Name(raw.to_string()))
    }
}

/// In-memory lookup tables over the known enterprises.
#[derive(Debug, Default)]
pub struct Resolver {
    by_uscc: HashMap<String, EnterpriseId>,
    by_name: HashMap<String, EnterpriseId>,
    by_alias: HashMap<String, Vec<EnterpriseId>>,
}

impl Resolver {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn from_enterprises<'a>(enterprises: impl IntoIterator<Item = &'a Enterprise>) -> Self {
        let mut resolver = Self::new();
        for enterprise in enterprises {
            resolver.insert(enterprise);
        }
        resolver
    }

    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }

    pub fn insert(&mut self, enterprise: &Enterprise) {
        if let Some(code) = &enterprise.uscc {
            self.by_uscc.insert(code.clone(), enterprise.id);
        }
        self.by_name.insert(normalize_name(&enterprise.name), enterprise.id);
        for alias in &enterprise.aliases {
            let ids = self.by_alias.entry(normalize_name(alias)).or_default();
            if !ids.contains(&enterprise.id) {
                ids.push(enterprise.id);
            }
        }
    }

    pub fn resolve(&self, reference: &EntRef) -> Resolution {
        match reference {
            EntRef::Uscc(code) => match self.by_uscc.get(code) {
                Some(&id) => Resolution::Linked { id, confidence: 1.0, rule: MatchRule::ExactUscc },
                None => Resolution::NotFound,
            },
            EntRef::Name(name) => self.resolve_name(name),
        }
    }

    pub fn resolve_name(&self, name: &str) -> Resolution {
        let key = normalize_name(name);
        if let Some(&id) = self.by_name.get(&key) {
            return Resolution::Linked { id, confidence: 1.0, rule: MatchRule::ExactName };
        }
        match self.by_alias.get(&key).map(Vec::as_slice) {
            Some([id]) => Resolution::Linked { id: *id, confidence: 0.95, rule: MatchRule::Alias },
            Some(ids) if !ids.is_empty() => Resolution::Ambiguous { candidates: ids.to_vec() },
            _ => Resolution::NotFound,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_norm(input: &str, expected: &str) {
        assert_eq!(normalize_name(input), expected, "{input}");
    }

    #[test]
    fn normalizes_width_brackets_and_spaces() {
        check_norm("世纪杰皓（湖北）项目管理有限公司", "世纪杰皓(湖北)项目管理有限公司");
        check_norm("世纪杰皓(湖北) 项目管理有限公司", "世纪杰皓(湖北)项目管理有限公司");
        check_norm("ＡＢＣ科技　有限公司", "ABC科技有限公司");
        check_norm("abc【北京】科技", "ABC(北京)科技");
    }

    #[test]
    fn resolves_by_code_name_and_alias() {
        let ent = Enterprise {
            id: 7,
            name: "宜昌兴发集团有限责任公司".into(),
            uscc: Some("91110108551385082Q".into()),
            aliases: vec!["兴发集团".into()],
            ..Default::default()
        };
        let resolver = Resolver::from_enterprises([&ent]);
        let linked = |r: Resolution| match r {
            Resolution::Linked { id, rule, .. } => Some((id, rule)),
            _ => None,
        };
        assert_eq!(
            linked(resolver.resolve(&EntRef::parse("91110108551385082q").unwrap())),
            Some((7, MatchRule::ExactUscc))
        );
        assert_eq!(
            linked(resolver.resolve(&EntRef::parse(" 宜昌兴发集团有限责任公司 ").unwrap())),
            Some((7, MatchRule::ExactName))
        );
        assert_eq!(linked(resolver.resolve_name("兴发集团")), Some((7, MatchRule::Alias)));
        assert_eq!(resolver.resolve_name("别的公司"), Resolution::NotFound);
    }

    #[test]
    fn a_code_with_a_bad_check_character_is_an_error() {
        assert!(EntRef::parse("91110108551385083Q").is_err());
        assert_eq!(EntRef::parse("某某公司").unwrap(), EntRef::Name("某某公司".into()));
    }

    #[test]
    fn shared_alias_is_ambiguous() {
        let a = Enterprise { id: 1, name: "甲公司".into(), aliases: vec!["国联".into()], ..Default::default() };
        let b = Enterprise { id: 2, name: "乙公司".into(), aliases: vec!["国联".into()], ..Default::default() };
        let resolver = Resolver::from_enterprises([&a, &b]);
        assert_eq!(resolver.resolve_name("国联"), Resolution::Ambiguous { candidates: vec![1, 2] });
    }
}
