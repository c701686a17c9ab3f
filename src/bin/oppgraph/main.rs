//! The command line: parses arguments, sets up logging, wires the workspace to each command.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use oppgraph::model::Date;
use oppgraph::store::OpportunityFilter;
use oppgraph::workspace::{MineMode, Workspace};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

mod crawl;
mod deliver;
mod demo;
mod graph;
mod understand;

use crawl::{crawl_command, select_crawlers, Unnamed};
use demo::{demo, serve};
use graph::{find_enterprise, graph_command};
use understand::{extract_command, import_command, resolve_command};

#[derive(Parser)]
#[command(name = "oppgraph", version, about = "Graph-based corporate opportunity mining")]
struct Cli {
    /// The data directory: store, index and config.
    #[arg(long, global = true, default_value = "./data")]
    data: PathBuf,
    /// The store: `postgres://user@host:port/db` for a PostgreSQL server several `serve` nodes
    /// share, or a SQLite file; by default `store` in the data dir's config.toml, else
    /// `<data>/oppgraph.db`. Also read from OPPGRAPH_STORE.
    #[arg(long, global = true)]
    store: Option<String>,
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
        /// Do not push leads to managers' channels.
        #[arg(long)]
        no_push: bool,
        /// Do not mine: mining runs elsewhere (`oppgraph mine`, from cron). The search index
        /// still follows what other processes import.
        #[arg(long)]
        no_mine: bool,
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
        /// The region of the record the names come from (湖北省宜昌市): breaks a tie between
        /// firms that share a short name.
        #[arg(long)]
        region: Option<String>,
    },
    /// Parses notice pages (HTML or text, UTF-8 or GBK) into fields, one JSON object per file.
    Extract {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Add `explain`: per field, where its value came from (how it was found, the label, the
        /// text, the line) and the values that lost.
        #[arg(long)]
        explain: bool,
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
        /// Re-mine everything, not only what changed since the last run.
        #[arg(long)]
        full: bool,
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
    /// Delivers what is due from the outbox to account managers' channels.
    Push {
        /// Stands in for the clock (RFC 3339, e.g. 2026-11-24T09:00:00+08:00).
        #[arg(long)]
        now: Option<String>,
        /// Prints what would be sent; sends and stores nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Lists deliveries (newest first), or re-queues a dead one.
    Deliveries {
        /// pending, sent, dead or cancelled.
        #[arg(long)]
        state: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: usize,
        /// Puts this dead delivery back in line for the next push.
        #[arg(long)]
        requeue: Option<String>,
    },
    /// Records feedback on a lead (contacted, won, lost, invalid; invalid needs a reason).
    Feedback {
        id: String,
        #[arg(long)]
        status: String,
        #[arg(long)]
        reason: Option<String>,
        #[arg(long)]
        note: Option<String>,
        /// Who gives it (default: the manager the lead is assigned to, else "cli").
        #[arg(long)]
        actor: Option<String>,
    },
    /// Watches an enterprise: anything new on it is pushed to the watcher's channel as a notice.
    Watch {
        /// The enterprise (name, code or id); none with --list.
        ent: Option<String>,
        /// The managers-table id whose channel gets the notices.
        #[arg(long)]
        watcher: Option<String>,
        /// Also the enterprise's owners within two hops (for risk staff).
        #[arg(long)]
        owners: bool,
        /// Stops watching instead.
        #[arg(long)]
        remove: bool,
        /// Lists the watches (of --watcher, or all).
        #[arg(long, conflicts_with_all = ["ent", "owners", "remove"])]
        list: bool,
    },
    /// 裂变式获客: a core customer's suppliers and buyers (tier by tier) and group members, one
    /// line per firm, with its open leads or flagged as a prospect.
    Campaign {
        /// The core customer (name, code or id).
        customer: String,
        /// Supply tiers to walk (1–3).
        #[arg(long, default_value_t = 2)]
        depth: usize,
    },
    /// The conversion funnel: leads created → pushed → contacted → won / lost / invalid.
    Funnel {
        /// source, kind, manager or region.
        #[arg(long, default_value = "kind")]
        by: String,
        /// Leads created on or after this day.
        #[arg(long)]
        from: Option<Date>,
        #[arg(long)]
        to: Option<Date>,
    },
    /// Rebuilds the search index and the graph snapshot from the store.
    Rebuild,
    /// Brings the store's schema up to this build (every command does so on opening; this
    /// does only that, for a deployment step before the nodes start).
    Migrate,
    /// Copies the data dir's store into another, empty store (`--to postgres://…`): the way
    /// from SQLite to PostgreSQL. The data dir's index and graph stay valid for the copy.
    ExportStore {
        #[arg(long)]
        to: String,
    },
    /// Copies another store (`--from ./old/oppgraph.db`) into the data dir's, which must be
    /// empty.
    ImportStore {
        #[arg(long)]
        from: String,
    },
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
    /// Simulated outcomes on a generated dataset: the learned ranking against the rules (AUC,
    /// precision@50); fails when the learned ranking is not used or does not beat the rules.
    Ranking {
        #[arg(long, default_value_t = 20_000)]
        enterprises: usize,
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
    /// DIR holds labels.jsonl and pages/; prints per-field accuracy, fails under the threshold.
    Extract {
        dir: PathBuf,
        #[arg(long, default_value_t = 0.99)]
        min_accuracy: f64,
        /// Print every miss as a JSON line too.
        #[arg(long)]
        misses: bool,
    },
    /// FILE is JSON Lines of labelled share-freeze announcements (`ID`, `Title`, `Doc`, `Event`);
    /// prints precision and recall of holders, authorities, shares, start and end; fails when a
    /// field's fall under its floor.
    Freezes {
        file: PathBuf,
        /// Only the announcements whose ID contains this (`TRAIN`, `DEV`, `TEST`).
        #[arg(long)]
        split: Option<String>,
        #[arg(long, default_value_t = 0.0)]
        min_holder_precision: f64,
        #[arg(long, default_value_t = 0.0)]
        min_holder_recall: f64,
        /// A field's floor as `FIELD:PRECISION:RECALL` (`start:0.7:0.72`); repeatable.
        #[arg(long = "floor", value_parser = parse_floor)]
        floors: Vec<(String, f64, f64)>,
        /// Print every announcement a field is not right on, as a JSON line.
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
    if let Some(store) = &cli.store {
        // Read by every data dir this process opens (before any thread starts).
        std::env::set_var(oppgraph::workspace::STORE_ENV, store);
    }
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            let refused = error.downcast_ref::<Refused>().is_some();
            eprintln!("error: {}", format!("{error:#}").replace('\n', " "));
            ExitCode::from(if refused { 2 } else { 1 })
        }
    }
}

/// Where the data dir's store lives (`--store`, OPPGRAPH_STORE, config.toml, or the file).
fn store_location_of(data: &std::path::Path) -> Result<oppgraph::store::Location> {
    let config = oppgraph::workspace::Config::load(&data.join("config.toml"))?;
    Ok(oppgraph::workspace::store_location(data, &config))
}

fn copy_store(from: &oppgraph::store::Location, to: &oppgraph::store::Location) -> Result<ExitCode> {
    if let oppgraph::store::Location::File(path) = from {
        if !path.exists() {
            return Err(Refused(format!("no store at {}", path.display())).into());
        }
    }
    let source = oppgraph::store::Store::open_reader(from)
        .with_context(|| format!("opening the store at {}", from.display()))?;
    let mut target = oppgraph::store::Store::open_at(to)
        .with_context(|| format!("opening the store at {}", to.display()))?;
    let started = std::time::Instant::now();
    let copied = source.copy_into(&mut target).context("copying the store")?;
    print_json(&serde_json::json!({
        "from": from.display(),
        "to": to.display(),
        "tables": copied.tables,
        "seconds": started.elapsed().as_secs_f64(),
    }))?;
    Ok(ExitCode::SUCCESS)
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
        Command::Serve { addr, mine_every, crawlers, no_crawl, no_push, no_mine } => {
            let workspace = Workspace::open(&cli.data)?;
            if workspace.config().tokens.is_empty() {
                tracing::warn!(config = %workspace.config_path().display(), "no API tokens configured: every /api call will be refused");
            }
            let schedule = oppgraph::http::schedule::ScheduleConfig {
                mines: !no_mine,
                mine_every_minutes: mine_every,
                crawls: !no_crawl,
                push_every: (!no_push).then_some(std::time::Duration::from_secs(60)),
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
        Command::Import { paths } => import_command(&cli.data, &paths),
        Command::Resolve { names, link, new, region } => resolve_command(&cli.data, names, link, new, region),
        Command::Extract { files, explain } => extract_command(files, explain),
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
            for source in &report.sources {
                print_json(&serde_json::json!({
                    "source": source.source, "pages": source.pages, "accuracy": source.accuracy,
                    "fields": source.fields.iter().map(|f| (f.field.clone(), f.accuracy)).collect::<std::collections::BTreeMap<_, _>>(),
                }))?;
            }
            print_json(&serde_json::json!({
                "pages": report.pages, "accuracy": report.accuracy, "pages_per_second": report.pages_per_second,
                "tokenize_mb_per_second": report.tokenize_mb_per_second, "fields": report.fields,
                "misses": report.misses.len(),
            }))?;
            let worst = report.fields.iter().map(|f| f.accuracy).fold(1.0, f64::min);
            Ok(if worst < min_accuracy { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
        Command::Eval(EvalCommand::Freezes {
            file,
            split,
            min_holder_precision,
            min_holder_recall,
            floors,
            misses,
        }) => {
            let report = oppgraph::eval::freeze::eval_freezes(&file, split.as_deref())
                .map_err(|e| Refused(e.to_string()))?;
            if misses {
                for miss in &report.misses {
                    print_json(miss)?;
                }
            }
            print_json(&report)?;
            let floors = std::iter::once(("holder".to_string(), min_holder_precision, min_holder_recall))
                .chain(floors);
            let mut ok = true;
            for (field, precision, recall) in floors {
                let Some(scored) = report.fields.iter().find(|f| f.field == field) else {
                    return Err(Refused(format!(
                        "no field `{field}` is scored (holder, authority, shares, start, end)"
                    ))
                    .into());
                };
                if scored.precision < precision || scored.recall < recall {
                    eprintln!(
                        "{field}: precision {:.3} recall {:.3}, under the floor {precision} / {recall}",
                        scored.precision, scored.recall
                    );
                    ok = false;
                }
            }
            Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Eval(EvalCommand::Ranking { enterprises, seed }) => {
            let report = oppgraph::eval::ranking::eval_ranking(enterprises, seed)?;
            print_json(&report)?;
            let better = report.ranking.ranking != "rules" && report.learned.auc > report.rules.auc;
            Ok(if better { ExitCode::SUCCESS } else { ExitCode::FAILURE })
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
                // Per-source sets (`short:SOURCE`) are reported, not gated.
                let (p, r) = match set.set.as_str() {
                    "short" => (min_short_precision, min_short_recall),
                    "variants" => (min_variant_precision, min_variant_recall),
                    _ => continue,
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
        Command::Mine { as_of, full } => {
            let mut workspace = Workspace::open(&cli.data)?;
            let mode = if full { MineMode::Full } else { MineMode::Auto };
            let summary = workspace.mine_with(as_of.unwrap_or_else(today), mode)?;
            print_json(&summary)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Push { now, dry_run } => deliver::push_command(&cli.data, now.as_deref(), dry_run),
        Command::Deliveries { state, limit, requeue } => {
            deliver::deliveries_command(&cli.data, state.as_deref(), limit, requeue.as_deref())
        }
        Command::Feedback { id, status, reason, note, actor } => {
            deliver::feedback_command(&cli.data, &id, &status, reason, note, actor)
        }
        Command::Watch { ent, watcher, owners, remove, list } => {
            deliver::watch_command(&cli.data, ent.as_deref(), watcher.as_deref(), owners, remove, list)
        }
        Command::Campaign { customer, depth } => deliver::campaign_command(&cli.data, &customer, depth),
        Command::Funnel { by, from, to } => deliver::funnel_command(&cli.data, &by, from, to),
        Command::Opportunities { manager, include_suppressed, limit } => {
            let workspace = Workspace::open(&cli.data)?;
            let filter = OpportunityFilter { manager, include_suppressed, limit, ..Default::default() };
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
        Command::Migrate => {
            // A new deployment's first step: its data dir may not exist yet, as with any command.
            std::fs::create_dir_all(&cli.data)
                .with_context(|| format!("creating the data dir {}", cli.data.display()))?;
            let location = store_location_of(&cli.data)?;
            let store = oppgraph::store::Store::open_at(&location)
                .with_context(|| format!("opening the store at {}", location.display()))?;
            print_json(&serde_json::json!({
                "store": location.display(),
                "backend": format!("{:?}", store.backend()).to_lowercase(),
                "schema_version": store.schema_version()?,
            }))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::ExportStore { to } => {
            let from = store_location_of(&cli.data)?;
            copy_store(&from, &oppgraph::store::Location::parse(&to))
        }
        Command::ImportStore { from } => {
            let to = store_location_of(&cli.data)?;
            copy_store(&oppgraph::store::Location::parse(&from), &to)
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

/// `FIELD:PRECISION:RECALL`, a field's floor in `eval freezes`.
fn parse_floor(text: &str) -> Result<(String, f64, f64), String> {
    let mut parts = text.split(':');
    let (Some(field), Some(precision), Some(recall), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(format!("`{text}` is not FIELD:PRECISION:RECALL"));
    };
    let figure =
        |part: &str| part.parse::<f64>().map_err(|_| format!("`{part}` in `{text}` is not a number"));
    Ok((field.to_string(), figure(precision)?, figure(recall)?))
}
