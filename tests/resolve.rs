//! Name resolution on the labelled development set in `tests/data/names/`: (registered name,
//! short name, source) pairs from four public sources — the SASAC list of central groups, the
//! listed companies of those groups (A and H shares), banks and insurers from a finance guide,
//! and a bank register (CNAPS participants). See `tests/data/names/README.md`.

use std::path::Path;

#[test]
fn the_development_set_resolves_with_few_wrong_links() {
    let report = oppgraph::eval::eval_resolve(Path::new("tests/data/names/short_names_dev.tsv")).unwrap();
    let set =
        |name: &str| report.sets.iter().find(|s| s.set == name).unwrap_or_else(|| panic!("no set {name}"));
    let short = set("short");
    assert!(short.queries > 700, "{short:?}");
    // A wrong link puts credit exposure on the wrong legal entity: precision comes first.
    assert!(short.precision >= 0.99, "{short:?}");
    assert!(short.recall >= 0.85, "{short:?}");
    for source in ["sasac-groups", "soe-listed", "finance", "bank-register"] {
        let s = set(&format!("short:{source}"));
        assert!(s.queries > 50 && s.precision >= 0.99, "{s:?}");
    }
    let variants = set("variants");
    assert_eq!(variants.precision, 1.0, "{variants:?}");
    assert!(variants.recall >= 0.98, "{variants:?}");
    // Wrong links are listed first.
    let first_other =
        report.misses.iter().position(|m| m.outcome != "wrong_link").unwrap_or(report.misses.len());
    assert!(report.misses[first_other..].iter().all(|m| m.outcome != "wrong_link"));
}
