//! `oppgraph demo` and `serve`: a demo data dir made safely, and the server's runtime.

use crate::{today, Refused};
use anyhow::{Context, Result};
use oppgraph::workspace::{Role, TokenConfig, Workspace};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn random_token() -> String {
    oppgraph::workspace::random_hex(32)
}

/// Marks a data dir `demo` made, so a later `demo` may wipe it and nothing else.
const DEMO_MARKER: &str = ".oppgraph-demo";

/// Empties `data` for the demo: only a folder an earlier demo made (it has the marker) or an
/// empty one; anything else is refused, never deleted.
fn prepare_demo_dir(data: &Path) -> Result<()> {
    if data.exists() {
        let empty = std::fs::read_dir(data).map(|mut d| d.next().is_none()).unwrap_or(false);
        if !data.join(DEMO_MARKER).exists() && !empty {
            return Err(Refused(format!(
                "{} is not a demo data dir (it has no {DEMO_MARKER} marker), so demo will not wipe it; \
                 pass another --data, or move it away yourself",
                data.display()
            ))
            .into());
        }
        std::fs::remove_dir_all(data).with_context(|| format!("clearing {}", data.display()))?;
    }
    std::fs::create_dir_all(data).with_context(|| format!("creating {}", data.display()))?;
    std::fs::write(data.join(DEMO_MARKER), "made by `oppgraph demo`; a later demo may wipe this folder\n")
        .with_context(|| format!("marking {}", data.display()))?;
    Ok(())
}

pub(crate) fn demo(data: &Path, addr: &str, sample: &Path, no_serve: bool) -> Result<ExitCode> {
    if !sample.is_dir() {
        return Err(Refused(format!(
            "sample directory {} not found (run from the repository root)",
            sample.display()
        ))
        .into());
    }
    prepare_demo_dir(data)?;
    let mut workspace = Workspace::open(data)?;
    let outcome = workspace.import(&[sample.to_path_buf()])?;
    for file in &outcome.files {
        eprintln!(
            "imported {}: {} accepted, {} rejected{}",
            file.file,
            file.accepted,
            file.rejected,
            file.refused.as_deref().map(|r| format!(" (refused: {r})")).unwrap_or_default()
        );
    }
    let as_of = oppgraph::gen::manifest_as_of(sample).unwrap_or_else(today);
    let summary = workspace.mine(as_of)?;
    eprintln!(
        "mined as of {as_of}: {} leads, {} live, {} with risk alerts",
        summary.opportunities, summary.live, summary.with_alerts
    );

    let managers = workspace.store().managers()?;
    let mut tokens = vec![
        TokenConfig {
            token: random_token(),
            role: Role::Admin,
            manager: None,
            name: Some("系统管理员".into()),
        },
        TokenConfig { token: random_token(), role: Role::Risk, manager: None, name: Some("赵敏".into()) },
        TokenConfig {
            token: random_token(), role: Role::Analyst, manager: None, name: Some("陈静".into())
        },
    ];
    for manager in managers.iter().take(3) {
        tokens.push(TokenConfig {
            token: random_token(),
            role: Role::Manager,
            manager: Some(manager.id.clone()),
            name: Some(manager.name.clone()),
        });
    }
    workspace.set_tokens(tokens.clone())?;
    println!("demo tokens (also in {}):", workspace.config_path().display());
    for t in &tokens {
        let who = t.manager.as_deref().map(|m| format!(" {m}")).unwrap_or_default();
        println!("  {:<8}{:<6} {}", format!("{:?}", t.role).to_lowercase(), who, t.token);
    }
    if no_serve {
        return Ok(ExitCode::SUCCESS);
    }
    println!("sign in (each link opens that role's screen; Ctrl-C to stop):");
    for t in &tokens {
        let next = match t.role {
            Role::Risk => "/risk",
            Role::Analyst => "/graph",
            Role::Admin => "/crawls",
            Role::Manager => "/leads",
        };
        let who = t.name.as_deref().unwrap_or_default();
        println!(
            "  {:<8} {who:<6} http://{addr}/signin?token={}&next={next}",
            format!("{:?}", t.role).to_lowercase(),
            t.token
        );
    }
    // The demo's data is as of the sample's date: no scheduled crawls, and mining only after
    // imports (its as_of stays the sample's until the next run).
    let schedule = oppgraph::http::schedule::ScheduleConfig {
        mine_every_minutes: 0,
        crawls: false,
        ..Default::default()
    };
    // The crawlers folder beside the binary's working dir shows on the crawl screen; none runs
    // on its own, an admin may start one.
    let crawlers = Path::new("crawlers");
    serve(workspace, addr, crawlers.is_dir().then(|| crawlers.to_path_buf()), schedule)?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn serve(
    workspace: Workspace,
    addr: &str,
    crawlers: Option<PathBuf>,
    schedule: oppgraph::http::schedule::ScheduleConfig,
) -> Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let listener =
            tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
        let state = oppgraph::http::AppState::with_crawlers(workspace, crawlers);
        oppgraph::http::schedule::spawn(&state, schedule);
        tracing::info!(%addr, "serving");
        eprintln!("listening on http://{}", listener.local_addr()?);
        oppgraph::http::serve(listener, state, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
        Ok(())
    })
}
