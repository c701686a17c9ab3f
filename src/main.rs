//! The command line: parses arguments, sets up logging, wires the workspace to each command.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use oppgraph::model::Date;
use oppgraph::resolve::{EntRef, Resolution, Resolver};
use oppgraph::store::OpportunityFilter;
use oppgraph::workspace::{Role, TokenConfig, Workspace};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "oppgraph", version, about = "Graph-based corporate opportunity mining")]
struct Cli {
    /// The data directory: store, index and config.
    #[arg(long, global = true, default_value = "./data")]
    data: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fresh data dir, imports the sample, mines, serves the API and web UI.
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// Sample directory to import.
        #[arg(long, default_value = "graph-data/sample")]
        sample: PathBuf,
        /// Import and mine, print the tokens, but do not serve.
        #[arg(long)]
        no_serve: bool,
    },
    /// Serves the API and web UI over an existing data dir, re-mining on a schedule.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// Minutes between scheduled mining runs (0 turns the schedule off).
        #[arg(long, default_value_t = 60)]
        mine_every: u64,
    },
    /// Imports files or directories (CSV, JSON Lines, Parquet).
    Import {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Resolves names to enterprises.
    Resolve {
        #[arg(required = true)]
        names: Vec<String>,
    },
    /// Full-text search over every record.
    Search {
        query: String,
        #[arg(long)]
        kind: Option<String>,
        #[arg(long)]
        from: Option<Date>,
        #[arg(long)]
        to: Option<Date>,
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// Runs rules, dedup, risk front-loading and ranking; stores the opportunities.
    Mine {
        /// The date to mine as of (default: today).
        #[arg(long)]
        as_of: Option<Date>,
    },
    /// Prints ranked opportunities as JSON lines, best first.
    Opportunities {
        #[arg(long)]
        manager: Option<String>,
        #[arg(long)]
        include_suppressed: bool,
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Rebuilds the search index from the store.
    Rebuild,
    /// Writes a synthetic dataset in the import formats.
    Gen {
        #[arg(long)]
        enterprises: usize,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Dates are generated around this day (default: today).
        #[arg(long)]
        as_of: Option<Date>,
    },
}

/// An error that maps to exit code 2: bad usage or an input refused whole.
#[derive(Debug)]
struct Refused(String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("OPPGRAPH_LOG").unwrap_or_else(|_| "warn,oppgraph=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return match error.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => ExitCode::SUCCESS,
                _ => ExitCode::from(2),
            };
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            let refused = error.downcast_ref::<Refused>().is_some();
            eprintln!("error: {}", format!("{error:#}").replace('\n', " "));
            ExitCode::from(if refused { 2 } else { 1 })
        }
    }
}

fn today() -> Date {
    chrono::Local::now().date_naive()
}

fn print_json(value: &impl serde::Serialize) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Demo { addr, sample, no_serve } => demo(&cli.data, &addr, &sample, no_serve),
        Command::Serve { addr, mine_every } => {
            let workspace = Workspace::open(&cli.data)?;
            if workspace.config.tokens.is_empty() {
                tracing::warn!(config = %workspace.config_path().display(), "no API tokens configured: every /api call will be refused");
            }
            serve(workspace, &addr, mine_every)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { paths } => {
            let mut workspace = Workspace::open(&cli.data)?;
            let outcome = workspace.import(&paths).map_err(|e| match e {
                oppgraph::workspace::WorkspaceError::Import(i) if i.is_refusal() => anyhow::Error::new(Refused(i.to_string())),
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
        Command::Resolve { names } => {
            let workspace = Workspace::open(&cli.data)?;
            let enterprises = workspace.store.enterprises()?;
            let resolver = Resolver::from_enterprises(&enterprises);
            for name in names {
                let resolution = match EntRef::parse(&name) {
                    Ok(reference) => resolver.resolve(&reference),
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
        Command::Search { query, kind, from, to, limit } => {
            let workspace = Workspace::open(&cli.data)?;
            let options = oppgraph::index::SearchOptions { kind, from, to, limit, offset: 0 };
            let results = workspace.index.search(&query, &options).map_err(|e| match e {
                oppgraph::index::IndexError::Query(q) => anyhow::Error::new(Refused(q.to_string())),
                other => anyhow::Error::new(other),
            })?;
            for hit in &results.hits {
                print_json(hit)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Mine { as_of } => {
            let mut workspace = Workspace::open(&cli.data)?;
            let summary = workspace.mine(as_of.unwrap_or_else(today))?;
            print_json(&summary)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Opportunities { manager, include_suppressed, limit } => {
            let workspace = Workspace::open(&cli.data)?;
            let filter = OpportunityFilter { manager, include_suppressed, limit, offset: 0 };
            for opportunity in workspace.store.opportunities(&filter)? {
                print_json(&opportunity)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Rebuild => {
            let mut workspace = Workspace::open(&cli.data)?;
            let count = workspace.rebuild_index()?;
            print_json(&serde_json::json!({"indexed": count}))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Gen { enterprises, out, seed, as_of } => {
            let config = oppgraph::gen::GenConfig { enterprises, seed, as_of: as_of.unwrap_or_else(today) };
            let summary = oppgraph::gen::generate(&config, &out).with_context(|| format!("writing {}", out.display()))?;
            print_json(&summary)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn random_token() -> String {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha20Rng::from_os_rng();
    (0..32).map(|_| format!("{:x}", rng.random_range(0..16u8))).collect()
}

fn demo(data: &Path, addr: &str, sample: &Path, no_serve: bool) -> Result<ExitCode> {
    if !sample.is_dir() {
        return Err(Refused(format!("sample directory {} not found (run from the repository root)", sample.display())).into());
    }
    if data.exists() {
        std::fs::remove_dir_all(data).with_context(|| format!("clearing {}", data.display()))?;
    }
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
    eprintln!("mined as of {as_of}: {} leads, {} live, {} with risk alerts", summary.opportunities, summary.live, summary.with_alerts);

    let managers = workspace.store.managers()?;
    let mut tokens = vec![
        TokenConfig { token: random_token(), role: Role::Admin, manager: None, name: Some("admin".into()) },
        TokenConfig { token: random_token(), role: Role::Risk, manager: None, name: Some("risk".into()) },
        TokenConfig { token: random_token(), role: Role::Analyst, manager: None, name: Some("analyst".into()) },
    ];
    for manager in managers.iter().take(3) {
        tokens.push(TokenConfig {
            token: random_token(),
            role: Role::Manager,
            manager: Some(manager.id.clone()),
            name: Some(manager.name.clone()),
        });
    }
    workspace.config.tokens = tokens.clone();
    workspace.config.save(&workspace.config_path())?;
    println!("demo tokens (also in {}):", workspace.config_path().display());
    for t in &tokens {
        let who = t.manager.as_deref().map(|m| format!(" {m}")).unwrap_or_default();
        println!("  {:<8}{:<6} {}", format!("{:?}", t.role).to_lowercase(), who, t.token);
    }
    if no_serve {
        return Ok(ExitCode::SUCCESS);
    }
    println!("open http://{addr}/?token={}  (Ctrl-C to stop)", tokens.last().map(|t| t.token.as_str()).unwrap_or(""));
    serve(workspace, addr, 0)?;
    Ok(ExitCode::SUCCESS)
}

fn serve(workspace: Workspace, addr: &str, mine_every: u64) -> Result<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
        let state = oppgraph::http::AppState::new(workspace);
        if mine_every > 0 {
            let scheduled = state.clone();
            tokio::spawn(async move {
                let mut interval = tokio::time::interval(std::time::Duration::from_secs(mine_every * 60));
                interval.tick().await;
                loop {
                    interval.tick().await;
                    match scheduled.mine(today()).await {
                        Ok(summary) => tracing::info!(live = summary.live, total = summary.opportunities, "scheduled mining run"),
                        Err(error) => tracing::error!(%error, "scheduled mining run failed"),
                    }
                }
            });
        }
        tracing::info!(%addr, "serving");
        eprintln!("listening on http://{}", listener.local_addr()?);
        oppgraph::http::serve(listener, state, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
        Ok(())
    })
}
