//! `oppgraph import`, `resolve` and `extract`: records in, names to enterprises, pages to fields.

use crate::{find_enterprise, print_json, Refused};
use anyhow::Result;
use oppgraph::resolve::{EntRef, Resolution};
use oppgraph::workspace::Workspace;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub(crate) fn import_command(data: &Path, paths: &[PathBuf]) -> Result<ExitCode> {
    let mut workspace = Workspace::open(data)?;
    let outcome = workspace.import(paths).map_err(|e| match e {
        oppgraph::workspace::WorkspaceError::Import(i) if i.is_refusal() => {
            anyhow::Error::new(Refused(i.to_string()))
        }
        other => anyhow::Error::new(other),
    })?;
    for file in &outcome.files {
        print_json(file)?;
        if let Some(reason) = &file.refused {
            eprintln!("error: {} refused: {reason}", file.file);
        }
    }
    Ok(if outcome.refused { ExitCode::from(2) } else { ExitCode::SUCCESS })
}

/// Resolves names (after recording a `--link`/`--new` decision for them, if given).
pub(crate) fn resolve_command(
    data: &Path,
    names: Vec<String>,
    link: Option<String>,
    new: bool,
    region: Option<String>,
) -> Result<ExitCode> {
    let mut workspace = Workspace::open(data)?;
    let enterprises = workspace.store().enterprises()?;
    let mut resolver = workspace.store().resolver()?;
    if link.is_some() || new {
        let target = match &link {
            None => None,
            Some(reference) => Some(find_enterprise(&resolver, &enterprises, reference)?),
        };
        for name in &names {
            let decision = oppgraph::resolve::Decision { name: name.clone(), enterprise: target };
            workspace.add_decision(&decision, "cli")?;
            resolver.decide(&decision);
        }
    }
    for name in names {
        let resolution = match EntRef::parse(&name) {
            Ok(reference) => {
                resolver.resolve_in(&reference, &oppgraph::resolve::Context { region: region.as_deref() })
            }
            Err(e) => return Err(Refused(format!("{name}: {e}")).into()),
        };
        let enterprise = match &resolution {
            Resolution::Linked { id, .. } => enterprises.iter().find(|e| e.id == *id).map(|e| e.to_ref()),
            _ => None,
        };
        print_json(&serde_json::json!({"name": name, "resolution": resolution, "enterprise": enterprise}))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn extract_command(files: Vec<PathBuf>, explain: bool) -> Result<ExitCode> {
    let mut failed = false;
    for file in files {
        match std::fs::read(&file) {
            Ok(bytes) => {
                let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                let (notice, evidence) = oppgraph::extract::notice::explain(&bytes, name);
                // `id` (the path as given) makes the output importable as tenders.jsonl.
                let mut value = serde_json::to_value(&notice)?;
                if let Some(object) = value.as_object_mut() {
                    object.insert("id".into(), file.display().to_string().into());
                    let title = notice.title.as_deref().unwrap_or_default();
                    if let Some(freeze) = oppgraph::extract::freeze::freeze_of_page(&bytes, title) {
                        object.insert("freeze".into(), serde_json::to_value(&freeze)?);
                    }
                    if explain {
                        object.insert("explain".into(), serde_json::to_value(&evidence)?);
                    }
                }
                print_json(&value)?;
            }
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", file.display());
                failed = true;
            }
        }
    }
    Ok(if failed { ExitCode::from(2) } else { ExitCode::SUCCESS })
}
