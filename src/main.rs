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
    /// Serves the API and web UI over an existing data dir; runs the crawlers on their
    /// schedules and mines whenever something new came in.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
        /// Minutes between mining runs when nothing changed (0: only after changes).
        #[arg(long, default_value_t = 60)]
        mine_every: u64,
        /// The crawler definitions to run on their schedules.
        #[arg(long, default_value = "./crawlers")]
        crawlers: PathBuf,
        /// Do not run the crawl schedule.
        #[arg(long)]
        no_crawl: bool,
    },
    /// Runs crawlers now (all, or those named), or shows their status.
    Crawl {
        /// Crawler names (file stems in the crawlers folder); all when none.
        names: Vec<String>,
        #[arg(long, default_value = "./crawlers")]
        crawlers: PathBuf,
        /// Fetch only the items that failed last time.
        #[arg(long, conflicts_with = "status")]
        retry_failed: bool,
        /// Print each crawler's last run and failed items instead of crawling.
        #[arg(long)]
        status: bool,
    },
    /// Re-runs extraction over every archived crawled page and imports the rows again.
    Reextract {
        names: Vec<String>,
        #[arg(long, default_value = "./crawlers")]
        crawlers: PathBuf,
    },
    /// Imports files or directories (CSV, JSON Lines, Parquet).
    Import {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Resolves names to enterprises: linked (with confidence and rule), needs review, or new.
    Resolve {
        #[arg(required = true)]
        names: Vec<String>,
        /// Record a decision: these names are this enterprise (id, code or name).
        #[arg(long, conflicts_with = "new")]
        link: Option<String>,
        /// Record a decision: these names are none of the known enterprises.
        #[arg(long)]
        new: bool,
    },
    /// Parses notice pages (HTML or text, UTF-8 or GBK) into fields, one JSON object per file.
    Extract {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Converts a published dataset into the import formats.
    Convert {
        /// `executives`: A-share listed companies and their executives (Neo4j CSV export).
        source: String,
        dir: PathBuf,
        #[arg(long)]
        out: PathBuf,
    },
    /// Relationship graph queries.
    Graph {
        /// The graph as it stood on this day: relations current then, the year of invoices up
        /// to it (default: today).
        #[arg(long, global = true)]
        as_of: Option<Date>,
        #[command(subcommand)]
        query: GraphCommand,
    },
    /// Measures extraction or resolution on labelled data.
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Full-text search over every record.
    Search {
        query: String,
        #[arg(long)]
        kind: Option<String>,
        #[arg(long)]
        from: Option<Date>,
        #[arg(long)]
        to: Option<Date>,
        /// Amount range in yuan.
        #[arg(long)]
        min_amount: Option<f64>,
        #[arg(long)]
        max_amount: Option<f64>,
        #[arg(long, default_value_t = 10)]
        limit: usize,
        #[arg(long, default_value_t = 0)]
        offset: usize,
        /// Print a last line with counts by kind, region and year.
        #[arg(long)]
        facets: bool,
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
    /// Rebuilds the search index and the graph snapshot from the store.
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

#[derive(Subcommand)]
enum GraphCommand {
    /// Ultimate owners with effective shares and paths, and the actual controller.
    Controller { ent: String },
    /// The k shortest relation paths between two enterprises or persons, shortest first.
    Path {
        a: String,
        b: String,
        #[arg(long, default_value_t = 6)]
        max_depth: usize,
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Paths do not pass through nodes with more edges than this (ends may be hubs).
        #[arg(long, default_value_t = 1000)]
        hub_cap: usize,
    },
    /// The k-hop neighbourhood, optionally over some relation kinds only.
    Neighbors {
        ent: String,
        #[arg(long, default_value_t = 1)]
        depth: usize,
        /// Comma-separated: shareholder, officer, legal_rep, guarantee, supplier, branch, control, pledge, tender.
        #[arg(long, value_delimiter = ',')]
        kinds: Vec<String>,
        /// Nodes with more edges than this are shown but not expanded.
        #[arg(long, default_value_t = 500)]
        hub_cap: usize,
    },
    /// The corporate group (集团) an enterprise belongs to.
    Group { ent: String },
    /// Guarantee circles or circular shareholding.
    Circles {
        #[arg(long, default_value = "guarantee")]
        kind: String,
    },
    /// Suspected links (疑似关系): shared phone, address, email or person.
    Suspected { ent: String },
    /// Supply-chain tiers around a core enterprise, by invoice volume.
    Tiers {
        ent: String,
        /// Buyers instead of suppliers.
        #[arg(long)]
        downstream: bool,
        #[arg(long, default_value_t = 2)]
        depth: usize,
    },
    /// Personalised PageRank from seed nodes: who is closest in influence or risk.
    Rank {
        #[arg(required = true)]
        seeds: Vec<String>,
        #[arg(long, value_delimiter = ',')]
        kinds: Vec<String>,
        #[arg(long, default_value_t = 20)]
        top: usize,
    },
    /// Exports the graph (or a neighbourhood) as GraphML or neo4j-admin import CSV.
    Export {
        /// graphml or neo4j
        #[arg(long)]
        format: String,
        /// A file for graphml, a directory for neo4j.
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        around: Option<String>,
        #[arg(long, default_value_t = 2)]
        depth: usize,
    },
}

#[derive(Subcommand)]
enum EvalCommand {
    /// DIR holds labels.jsonl and pages/; prints per-field accuracy, fails under the threshold.
    Extract {
        dir: PathBuf,
        #[arg(long, default_value_t = 0.99)]
        min_accuracy: f64,
        /// Print every miss as a JSON line too.
        #[arg(long)]
        misses: bool,
    },
    /// FILE is a TSV of full_name and short_name; prints precision and recall for short names
    /// and for variants of the full names.
    Resolve {
        file: PathBuf,
        #[arg(long, default_value_t = 0.98)]
        min_short_precision: f64,
        #[arg(long, default_value_t = 0.90)]
        min_short_recall: f64,
        #[arg(long, default_value_t = 0.99)]
        min_variant_precision: f64,
        #[arg(long, default_value_t = 0.99)]
        min_variant_recall: f64,
        #[arg(long)]
        misses: bool,
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
            tracing_subscriber::EnvFilter::try_from_env("OPPGRAPH_LOG")
                .unwrap_or_else(|_| "warn,oppgraph=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return match error.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
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
        Command::Serve { addr, mine_every, crawlers, no_crawl } => {
            let workspace = Workspace::open(&cli.data)?;
            if workspace.config().tokens.is_empty() {
                tracing::warn!(config = %workspace.config_path().display(), "no API tokens configured: every /api call will be refused");
            }
            let schedule = oppgraph::http::schedule::ScheduleConfig {
                mine_every_minutes: mine_every,
                crawls: !no_crawl,
                ..Default::default()
            };
            serve(workspace, &addr, Some(crawlers), schedule)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Crawl { names, crawlers, retry_failed, status } => {
            crawl_command(&cli.data, &crawlers, &names, retry_failed, status)
        }
        Command::Reextract { names, crawlers } => {
            let defs = select_crawlers(&crawlers, &names, Unnamed::All)?;
            let mut workspace = Workspace::open(&cli.data)?;
            for (name, summary) in workspace.reextract(&defs)? {
                print_json(&serde_json::json!({"crawler": name, "summary": summary}))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Import { paths } => {
            let mut workspace = Workspace::open(&cli.data)?;
            let outcome = workspace.import(&paths).map_err(|e| match e {
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
        Command::Resolve { names, link, new } => {
            let mut workspace = Workspace::open(&cli.data)?;
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
                    Ok(reference) => resolver.resolve(&reference),
                    Err(e) => return Err(Refused(format!("{name}: {e}")).into()),
                };
                let enterprise = match &resolution {
                    Resolution::Linked { id, .. } => {
                        enterprises.iter().find(|e| e.id == *id).map(|e| e.to_ref())
                    }
                    _ => None,
                };
                print_json(
                    &serde_json::json!({"name": name, "resolution": resolution, "enterprise": enterprise}),
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Extract { files } => {
            let mut failed = false;
            for file in files {
                match std::fs::read(&file) {
                    Ok(bytes) => {
                        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                        let notice = oppgraph::extract::notice::extract(&bytes, name);
                        // `id` (the path as given) makes the output importable as tenders.jsonl.
                        let mut value = serde_json::to_value(&notice)?;
                        if let Some(object) = value.as_object_mut() {
                            object.insert("id".into(), file.display().to_string().into());
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
        Command::Graph { as_of, query } => graph_command(&cli.data, as_of.unwrap_or_else(today), query),
        Command::Convert { source, dir, out } => {
            if source != "executives" {
                return Err(Refused(format!("unknown source {source:?}; known: executives")).into());
            }
            let summary = oppgraph::ingest::convert::convert_executives(&dir, &out)
                .map_err(|e| Refused(e.to_string()))?;
            print_json(&summary)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval(EvalCommand::Extract { dir, min_accuracy, misses }) => {
            let report = oppgraph::eval::eval_extract(&dir).map_err(|e| Refused(e.to_string()))?;
            if misses {
                for miss in &report.misses {
                    print_json(miss)?;
                }
            }
            print_json(&serde_json::json!({
                "pages": report.pages, "pages_per_second": report.pages_per_second,
                "tokenize_mb_per_second": report.tokenize_mb_per_second, "fields": report.fields,
                "misses": report.misses.len(),
            }))?;
            let worst = report.fields.iter().map(|f| f.accuracy).fold(1.0, f64::min);
            Ok(if worst < min_accuracy { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
        Command::Eval(EvalCommand::Resolve {
            file,
            min_short_precision,
            min_short_recall,
            min_variant_precision,
            min_variant_recall,
            misses,
        }) => {
            let report = oppgraph::eval::eval_resolve(&file).map_err(|e| Refused(e.to_string()))?;
            if misses {
                for miss in &report.misses {
                    print_json(miss)?;
                }
            }
            let mut ok = true;
            for set in &report.sets {
                print_json(set)?;
                let (p, r) = if set.set == "short" {
                    (min_short_precision, min_short_recall)
                } else {
                    (min_variant_precision, min_variant_recall)
                };
                ok &= set.precision >= p && set.recall >= r;
            }
            Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Search { query, kind, from, to, min_amount, max_amount, limit, offset, facets } => {
            let workspace = Workspace::open(&cli.data)?;
            let options = oppgraph::index::SearchOptions {
                hidden_kinds: Vec::new(),
                kind,
                from,
                to,
                min_amount,
                max_amount,
                facets,
                limit,
                offset,
            };
            let results = workspace.index().search(&query, &options).map_err(|e| match e {
                oppgraph::index::IndexError::Query(q) => anyhow::Error::new(Refused(q.to_string())),
                other => anyhow::Error::new(other),
            })?;
            for hit in &results.hits {
                print_json(hit)?;
            }
            if let Some(facets) = &results.facets {
                print_json(&serde_json::json!({"total": results.total, "facets": facets}))?;
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
            for opportunity in workspace.store().opportunities(&filter)? {
                print_json(&opportunity)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Rebuild => {
            let workspace = Workspace::open(&cli.data)?;
            let count = workspace.rebuild_index()?;
            let graph = workspace.rebuild_graph(today())?;
            print_json(&serde_json::json!({
                "indexed": count,
                "graph_nodes": graph.node_count(),
                "graph_edges": graph.edge_count(),
            }))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Gen { enterprises, out, seed, as_of } => {
            let config = oppgraph::gen::GenConfig { enterprises, seed, as_of: as_of.unwrap_or_else(today) };
            let summary = oppgraph::gen::generate(&config, &out)
                .with_context(|| format!("writing {}", out.display()))?;
            print_json(&summary)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn graph_command(data: &Path, as_of: Date, query: GraphCommand) -> Result<ExitCode> {
    use oppgraph::graph::{analysis::Limits, EdgeKind, NodeRef};
    let workspace = Workspace::open(data)?;
    let enterprises = workspace.store().enterprises()?;
    // The same resolver as import and `resolve`, decisions included: `graph controller 中环`
    // means the enterprise `resolve 中环` names.
    let resolver = workspace.store().resolver()?;
    let graph = workspace.graph(as_of)?;
    let node = |reference: &str| -> Result<NodeRef> {
        if let Some(person) = reference.strip_prefix("person:") {
            let node = NodeRef::Person(person.to_string());
            return if graph.contains(&node) {
                Ok(node)
            } else {
                Err(Refused(format!("no person {person:?}")).into())
            };
        }
        if let Some((NodeRef::Person(id), _)) =
            graph.nodes().find(|(n, name)| matches!(n, NodeRef::Person(_)) && *name == reference)
        {
            return Ok(NodeRef::Person(id));
        }
        Ok(NodeRef::Enterprise(find_enterprise(&resolver, &enterprises, reference)?))
    };
    match query {
        GraphCommand::Controller { ent } => {
            let target = node(&ent)?;
            let report = graph
                .controller(&target, Limits::default())
                .ok_or_else(|| Refused(format!("{ent} is not in the graph")))?;
            let enterprise = match &target {
                NodeRef::Enterprise(id) => enterprises
                    .iter()
                    .find(|e| e.id == *id)
                    .map(|e| serde_json::to_value(e.to_ref()))
                    .transpose()?,
                NodeRef::Person(id) => Some(
                    serde_json::json!({"id": format!("person:{id}"), "name": graph.name(&target), "uscc": null}),
                ),
            };
            print_json(&serde_json::json!({
                "enterprise": enterprise, "controller": report.controller, "rule": report.rule, "owners": report.owners,
            }))?;
        }
        GraphCommand::Path { a, b, max_depth, limit, hub_cap } => {
            for path in graph.k_shortest_paths(&node(&a)?, &node(&b)?, max_depth, limit, hub_cap) {
                print_json(&path)?;
            }
        }
        GraphCommand::Neighbors { ent, depth, kinds, hub_cap } => {
            let kinds = EdgeKind::parse_list(&kinds).map_err(Refused)?;
            let found = graph
                .neighbourhood(&node(&ent)?, depth, &kinds, hub_cap)
                .ok_or_else(|| Refused(format!("{ent} is not in the graph")))?;
            print_json(&found)?;
        }
        GraphCommand::Group { ent } => {
            let group =
                graph.group(&node(&ent)?).ok_or_else(|| Refused(format!("{ent} is not in the graph")))?;
            print_json(&group)?;
        }
        GraphCommand::Suspected { ent } => {
            let NodeRef::Enterprise(id) = node(&ent)? else {
                return Err(
                    Refused(format!("{ent} is a person; suspected links are between enterprises")).into()
                );
            };
            for link in graph.suspected_links(id) {
                print_json(&link)?;
            }
        }
        GraphCommand::Tiers { ent, downstream, depth } => {
            let tiers = graph
                .supply_tiers(&node(&ent)?, !downstream, depth.clamp(1, 3))
                .ok_or_else(|| Refused(format!("{ent} is not in the graph")))?;
            for tier in tiers {
                print_json(&tier)?;
            }
        }
        GraphCommand::Rank { seeds, kinds, top } => {
            let seeds = seeds.iter().map(|s| node(s)).collect::<Result<Vec<_>>>()?;
            let kinds = EdgeKind::parse_list(&kinds).map_err(Refused)?;
            for ranked in graph.personalized_pagerank(&seeds, &kinds, Default::default(), top) {
                print_json(&ranked)?;
            }
        }
        GraphCommand::Export { format, out, around, depth } => {
            use oppgraph::graph::export::Scope;
            let center = around.as_deref().map(node).transpose()?;
            let scope = match &center {
                Some(n) => Scope::Around { node: n, depth },
                None => Scope::All,
            };
            match format.as_str() {
                "graphml" => {
                    let mut file = std::io::BufWriter::new(std::fs::File::create(&out)?);
                    graph.write_graphml(&scope, &mut file)?;
                    file.flush()?;
                }
                "neo4j" => graph.write_neo4j(&scope, &out)?,
                other => return Err(Refused(format!("--format is graphml or neo4j, not {other:?}")).into()),
            }
            print_json(&serde_json::json!({"written": out}))?;
        }
        GraphCommand::Circles { kind } => {
            let kind = match kind.as_str() {
                "guarantee" => EdgeKind::Guarantee,
                "shareholder" => EdgeKind::Shareholder,
                other => {
                    return Err(Refused(format!("--kind is guarantee or shareholder, not {other:?}")).into())
                }
            };
            for circle in graph.circles(kind) {
                print_json(&circle)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// An enterprise by internal id, code or name.
fn find_enterprise(
    resolver: &Resolver,
    enterprises: &[oppgraph::model::Enterprise],
    reference: &str,
) -> Result<i64> {
    if let Ok(id) = reference.parse::<i64>() {
        if enterprises.iter().any(|e| e.id == id) {
            return Ok(id);
        }
    }
    let parsed = EntRef::parse(reference).map_err(|e| Refused(format!("{reference}: {e}")))?;
    match resolver.resolve(&parsed) {
        Resolution::Linked { id, .. } => Ok(id),
        _ => Err(Refused(format!("no enterprise {reference:?}")).into()),
    }
}

/// Which crawlers a command means when it names none.
#[derive(Clone, Copy, PartialEq)]
enum Unnamed {
    /// Runs: the enabled ones.
    Enabled,
    /// Status and re-extraction: every one.
    All,
}

/// The crawlers named (when none, as `unnamed` says), refusing unknown names and broken files.
fn select_crawlers(
    dir: &Path,
    names: &[String],
    unnamed: Unnamed,
) -> Result<Vec<oppgraph::ingest::crawl::CrawlerDef>> {
    let loaded = oppgraph::ingest::crawl::load_dir(dir).map_err(|e| Refused(e.to_string()))?;
    let mut defs = Vec::new();
    for def in loaded {
        match def {
            Ok(def) if names.contains(&def.name) => defs.push(def),
            // Without names: the enabled crawlers (a disabled one runs only when named).
            Ok(def) if names.is_empty() && (def.enabled || unnamed == Unnamed::All) => defs.push(def),
            Ok(_) => {}
            Err(error) => {
                let wanted = match &error {
                    oppgraph::ingest::crawl::CrawlError::Definition { path, .. } => {
                        let stem = Path::new(path).file_stem().and_then(|s| s.to_str()).unwrap_or_default();
                        names.is_empty() || names.iter().any(|n| n == stem)
                    }
                    _ => true,
                };
                if wanted {
                    return Err(Refused(error.to_string()).into());
                }
            }
        }
    }
    for name in names {
        if !defs.iter().any(|d| &d.name == name) {
            return Err(Refused(format!("no crawler named {name:?} in {}", dir.display())).into());
        }
    }
    Ok(defs)
}

/// A progress bar on a terminal (hidden otherwise) and a log line per failed item.
struct Bar(indicatif::ProgressBar);

impl oppgraph::ingest::crawl::Progress for Bar {
    fn list_page(&self, url: &str, items: usize) {
        self.0.set_message(format!("list {url}: {items} links"));
    }
    fn items_found(&self, count: usize) {
        self.0.set_length(count as u64);
        self.0.set_position(0);
        self.0.set_message("pages");
    }
    fn item_done(&self, url: &str, outcome: &str) {
        self.0.inc(1);
        if outcome == "failed" {
            self.0.suspend(|| tracing::warn!(%url, "item failed"));
        }
    }
}

fn crawl_command(
    data: &Path,
    dir: &Path,
    names: &[String],
    retry_failed: bool,
    status: bool,
) -> Result<ExitCode> {
    let defs = select_crawlers(dir, names, if status { Unnamed::All } else { Unnamed::Enabled })?;
    let workspace = oppgraph::workspace::SharedWorkspace::new(Workspace::open(data)?);
    if status {
        let guard = oppgraph::ingest::crawl::RunGuard::default();
        for def in &defs {
            let status = oppgraph::http::crawl_status(&workspace.lock().store(), def, &guard)
                .map_err(|e| anyhow::anyhow!(e.to_string()))?;
            print_json(&status)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if defs.is_empty() {
        eprintln!("no enabled crawler in {} (name one to run a disabled crawler)", dir.display());
        return Ok(ExitCode::SUCCESS);
    }
    let runtime = tokio::runtime::Runtime::new()?;
    let mut failed = false;
    for def in &defs {
        let bar = indicatif::ProgressBar::new(0).with_style(
            indicatif::ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_prefix(def.name.clone());
        let progress = std::sync::Arc::new(Bar(bar.clone()));
        let options = oppgraph::ingest::crawl::RunOptions { retry_failed, progress };
        let sink: std::sync::Arc<dyn oppgraph::ingest::crawl::CrawlSink> =
            std::sync::Arc::new(workspace.clone());
        let run = runtime.block_on(oppgraph::ingest::crawl::run(def, sink, &options))?;
        bar.finish_and_clear();
        eprintln!(
            "{}: {:?}, {} list pages, {} links, {} fetched, {} new, {} changed, {} unchanged, {} failed{}",
            def.name,
            run.status,
            run.list_pages,
            run.items,
            run.fetched,
            run.new,
            run.changed,
            run.unchanged,
            run.failed,
            run.reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default()
        );
        print_json(&serde_json::json!({"name": def.name, "run": run}))?;
        failed |= run.status != oppgraph::model::RunStatus::Ok;
    }
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

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

fn demo(data: &Path, addr: &str, sample: &Path, no_serve: bool) -> Result<ExitCode> {
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
        TokenConfig { token: random_token(), role: Role::Admin, manager: None, name: Some("admin".into()) },
        TokenConfig { token: random_token(), role: Role::Risk, manager: None, name: Some("risk".into()) },
        TokenConfig {
            token: random_token(),
            role: Role::Analyst,
            manager: None,
            name: Some("analyst".into()),
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
    println!(
        "open http://{addr}/?token={}  (Ctrl-C to stop)",
        tokens.last().map(|t| t.token.as_str()).unwrap_or("")
    );
    // The demo's data is as of the sample's date: no scheduled crawls, and mining only after
    // imports (its as_of stays the sample's until the next run).
    let schedule = oppgraph::http::schedule::ScheduleConfig {
        mine_every_minutes: 0,
        crawls: false,
        ..Default::default()
    };
    serve(workspace, addr, None, schedule)?;
    Ok(ExitCode::SUCCESS)
}

fn serve(
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
