//! The HTTP API and web UI (axum). `app(state)` builds the router, so tests drive it with
//! `oneshot` and `serve` takes its listener and shutdown signal.
//!
//! Invariant: every store or index call runs in `spawn_blocking`; handlers never block the
//! runtime. Internal errors are logged once and sent to clients as a generic message.

mod crawls;
mod delivery;
mod error;
pub mod schedule;

pub use crawls::crawl_status;
pub use error::ApiError;

use crate::graph::analysis::Limits;
use crate::graph::{EdgeKind, EnterpriseGraph, NodeRef};
use crate::ingest::crawl::RunGuard;
use crate::model::{Feedback, Opportunity};
use crate::store::{AlertReview, OpportunityFilter};
use crate::workspace::{Role, SharedWorkspace, TokenConfig, Workspace};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

const UI: &str = include_str!("../../web/index.html");

/// The workbench's files under `web/`, compiled in: the binary serves them itself.
const WEB: &[(&str, &str, &str)] = &[
    ("app.js", JS, include_str!("../../web/app.js")),
    ("screens/leads.js", JS, include_str!("../../web/screens/leads.js")),
    ("screens/lead.js", JS, include_str!("../../web/screens/lead.js")),
    ("screens/enterprise.js", JS, include_str!("../../web/screens/enterprise.js")),
    ("screens/search.js", JS, include_str!("../../web/screens/search.js")),
    ("screens/risk.js", JS, include_str!("../../web/screens/risk.js")),
    ("screens/graph.js", JS, include_str!("../../web/screens/graph.js")),
    ("screens/crawls.js", JS, include_str!("../../web/screens/crawls.js")),
    ("screens/funnel.js", JS, include_str!("../../web/screens/funnel.js")),
    ("vendor/echarts/echarts.min.js", JS, include_str!("../../web/vendor/echarts/echarts.min.js")),
    ("vendor/echarts/LICENSE", TEXT, include_str!("../../web/vendor/echarts/LICENSE")),
    ("vendor/echarts/NOTICE", TEXT, include_str!("../../web/vendor/echarts/NOTICE")),
];
const JS: &str = "text/javascript; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

/// Every workbench address serves the one page; its script draws the screen the address names.
async fn workbench() -> Html<&'static str> {
    Html(UI)
}

async fn web_file(Path(path): Path<String>) -> Response {
    match WEB.iter().find(|(name, _, _)| *name == path) {
        Some((_, kind, body)) => {
            ([(header::CONTENT_TYPE, *kind), (header::CACHE_CONTROL, "no-cache")], *body).into_response()
        }
        None => ApiError::NotFound(format!("no file {path}")).into_response(),
    }
}

/// The workbench session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site
/// sends it).
const SESSION_COOKIE: &str = "oppgraph_session";

/// Sent with every response: scripts and styles from this server only, no inline script, no
/// framing, no plugin content.
const CONTENT_SECURITY_POLICY: &str =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// The largest file `POST /api/import` takes (other bodies keep axum's 2 MB).
const MAX_UPLOAD_BYTES: usize = 512 << 20;

/// The furthest page offset a list or search takes.
const MAX_OFFSET: usize = 1_000_000;

fn check_offset(offset: usize) -> Result<usize, ApiError> {
    if offset > MAX_OFFSET {
        return Err(ApiError::BadRequest(format!("`offset` must be at most {MAX_OFFSET}")));
    }
    Ok(offset)
}

/// The farthest due window a lead list takes (a hundred years).
const MAX_DUE_DAYS: u32 = 36_500;

/// The longest enterprise reference (id, 统一社会信用代码 or name) a route takes.
const MAX_REFERENCE: usize = 200;

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

/// What read handlers get: a read-only store connection and the index. Reads never take the
/// workspace lock, so mining, imports and crawls do not hold them up.
pub struct Reader<'a> {
    pub store: &'a crate::store::Store,
    pub index: &'a crate::index::SearchIndex,
}

/// Read-only connections, opened as needed and reused, and at most [`read_slots`] reads at
/// once: a read waits for a slot rather than taking a thread, so that many concurrent
/// requests neither open connections only to close them (each new one parses the schema and
/// starts with a cold page cache) nor switch threads more than the cores can run.
struct ReadPool {
    location: crate::store::Location,
    index: crate::index::SearchIndex,
    idle: Mutex<Vec<crate::store::Store>>,
    slots: Arc<tokio::sync::Semaphore>,
    /// How many connections are kept: one per slot.
    keep: usize,
}

/// How many reads run at once: four per core (reads wait on the disk too), at least eight.
fn read_slots() -> usize {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    (4 * cores).clamp(8, 64)
}

impl ReadPool {
    fn take(&self) -> Result<crate::store::Store, ApiError> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match idle {
            Some(store) => Ok(store),
            None => Ok(crate::store::Store::open_reader(&self.location)?),
        }
    }

    fn give_back(&self, store: crate::store::Store) {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < self.keep {
            idle.push(store);
        }
    }
}

struct Inner {
    workspace: SharedWorkspace,
    reads: ReadPool,
    /// The crawlers folder `serve` runs on its schedule and `/api/crawls` reports on.
    crawlers: Option<std::path::PathBuf>,
    crawl_runs: RunGuard,
    crawl_counters: Mutex<BTreeMap<String, crawls::Counters>>,
    /// The graph, stamped with the store change it reflects.
    graph: Mutex<Option<Arc<EnterpriseGraph>>>,
    /// Where the workspace saves its graph: what answers when no graph is cached yet and the
    /// workspace is busy, or the saved one is of another day.
    graph_snapshot: std::path::PathBuf,
    /// The data dir, whose disk `/metrics` and `/readyz` report on, and the room kept free on
    /// it (`[disk] keep_free_mib`, in bytes).
    data_dir: std::path::PathBuf,
    keep_free: u64,
    /// Whether the graph of a new day is being made (see [`graph_of_today_in_background`]).
    graph_rebuilding: std::sync::atomic::AtomicBool,
    tokens: Vec<TokenConfig>,
    /// The resolver over the store's enterprises, stamped with the store change it reflects.
    resolver: Mutex<Option<StampedResolver>>,
    /// Whether this node runs the scheduled work (always on SQLite; one node of several on
    /// PostgreSQL).
    leadership: Mutex<crate::store::Leadership>,
    /// Workbench sessions: session id -> the token it was signed in with (index in `tokens`).
    sessions: Mutex<HashMap<String, usize>>,
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    mines: AtomicU64,
    /// Wakes the mining loop (a crawl or an import brought something new).
    mine_wanted: tokio::sync::Notify,
    /// Wakes the push loop (a mining run queued leads, a delivery was re-queued).
    push_wanted: tokio::sync::Notify,
    push_counters: Mutex<delivery::PushCounters>,
}

impl AppState {
    pub fn new(workspace: Workspace) -> Self {
        Self::with_crawlers(workspace, None)
    }

    /// A state whose crawlers live in `crawlers` (the `serve --crawlers` folder).
    pub fn with_crawlers(workspace: Workspace, crawlers: Option<std::path::PathBuf>) -> Self {
        let tokens = workspace.config().tokens.clone();
        let leadership = crate::store::Leadership::new(workspace.store_location());
        let slots = read_slots();
        let graph_snapshot = workspace.graph_snapshot_path();
        let data_dir = workspace.dir().to_path_buf();
        let keep_free = workspace.config().disk.keep_free();
        let reads = ReadPool {
            location: workspace.store_location().clone(),
            index: workspace.index().clone(),
            idle: Mutex::new(Vec::new()),
            slots: Arc::new(tokio::sync::Semaphore::new(slots)),
            keep: slots,
        };
        AppState {
            inner: Arc::new(Inner {
                workspace: SharedWorkspace::new(workspace),
                reads,
                crawlers,
                crawl_runs: RunGuard::default(),
                crawl_counters: Mutex::new(BTreeMap::new()),
                graph: Mutex::new(None),
                graph_snapshot,
                data_dir,
                keep_free,
                graph_rebuilding: std::sync::atomic::AtomicBool::new(false),
                tokens,
                resolver: Mutex::new(None),
                leadership: Mutex::new(leadership),
                sessions: Mutex::new(HashMap::new()),
                requests: Mutex::new(BTreeMap::new()),
                mines: AtomicU64::new(0),
                mine_wanted: tokio::sync::Notify::new(),
                push_wanted: tokio::sync::Notify::new(),
                push_counters: Mutex::new(BTreeMap::new()),
            }),
        }
    }

    /// Whether this node leads now (takes the lead when it is free): only the leader runs
    /// scheduled crawls, mining and push.
    pub async fn leads(&self) -> bool {
        let inner = self.inner.clone();
        let checked = tokio::task::spawn_blocking(move || {
            inner.leadership.lock().unwrap_or_else(|p| p.into_inner()).check()
        })
        .await;
        match checked {
            Ok(Ok(leads)) => leads,
            Ok(Err(error)) => {
                tracing::warn!(%error, "cannot reach the store to check the lead");
                false
            }
            Err(_) => false,
        }
    }

    /// Runs `f` on the workspace off the async runtime.
    pub async fn with_workspace<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Workspace) -> Result<T, ApiError> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut workspace = inner.workspace.lock();
            f(&mut workspace)
        })
        .await
        .map_err(|e| ApiError::internal(format!("worker failed: {e}")))?
    }

    /// Runs a read off the async runtime on a read-only connection, without the workspace
    /// lock.
    pub async fn read<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Reader<'_>) -> Result<T, ApiError> + Send + 'static,
    {
        let inner = self.inner.clone();
        // The slot goes with the read, so a request dropped meanwhile does not free it early.
        let slot = self
            .inner
            .reads
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| ApiError::internal(e.to_string()))?;
        tokio::task::spawn_blocking(move || {
            let store = inner.reads.take()?;
            let result = f(&Reader { store: &store, index: &inner.reads.index });
            inner.reads.give_back(store);
            drop(slot);
            result
        })
        .await
        .map_err(|e| ApiError::internal(format!("worker failed: {e}")))?
    }

    /// The current graph: the cached one, brought up to date with the changes logged since it
    /// was built (by this server's imports or another process's) when there are any.
    ///
    /// A read never waits minutes for it. While a mining run or an import holds the workspace
    /// (at 5M enterprises for up to an hour), and while the graph of a new day is made (the
    /// saved one moved to the day; rebuilt, minutes at 5M, when it cannot be), the last graph
    /// built for this store answers: the cached one, or the one saved on disk when the server
    /// has none yet. Only a server with no graph at all waits for one. The price: what is
    /// written meanwhile shows in graph reads once it is done.
    pub async fn graph(&self) -> Result<Arc<EnterpriseGraph>, ApiError> {
        // Most of the time the cached graph is current: that is checked without the lock.
        let cached = self.inner.graph.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let version = self.read(|r| Ok(r.store.graph_version()?)).await?;
        let today = chrono::Local::now().date_naive();
        if let Some(graph) = cached.as_ref().filter(|g| is_current(g, version, today)) {
            return Ok(graph.clone());
        }
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let stale = cached.filter(|g| g.stamp().store_id == version.store_id).or_else(|| {
                let graph = Arc::new(saved_graph(&inner.graph_snapshot, version.store_id)?);
                *inner.graph.lock().unwrap_or_else(|p| p.into_inner()) = Some(graph.clone());
                Some(graph)
            });
            let Some(stale) = stale else {
                return inner.catch_up_graph(&inner.workspace.lock());
            };
            if stale.options().as_of != today {
                graph_of_today_in_background(&inner);
                return Ok(stale);
            }
            match inner.workspace.try_lock() {
                Some(workspace) => inner.catch_up_graph(&workspace),
                None => Ok(stale),
            }
        })
        .await
        .map_err(|e| ApiError::internal(format!("worker failed: {e}")))?
    }

    /// Runs a query on the current graph off the async runtime (big traversals take a while).
    pub async fn on_graph<T, F>(&self, query: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&EnterpriseGraph) -> T + Send + 'static,
    {
        let graph = self.graph().await?;
        tokio::task::spawn_blocking(move || query(&graph))
            .await
            .map_err(|e| ApiError::internal(format!("worker failed: {e}")))
    }

    /// A graph query's answer as JSON, written on the worker that ran it: answers borrow their
    /// names and ids from the graph, so they are written out there (with [`json_body`]), not
    /// copied first.
    pub async fn graph_json<F>(&self, query: F) -> Result<Response, ApiError>
    where
        F: FnOnce(&EnterpriseGraph) -> Result<Vec<u8>, ApiError> + Send + 'static,
    {
        let body = self.on_graph(query).await??;
        Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
    }

    /// The resolver over the current enterprises (rebuilt after the store changed).
    pub async fn resolver(&self) -> Result<Arc<crate::resolve::Resolver>, ApiError> {
        let version = self.read(|r| Ok(r.store.graph_version()?)).await?;
        let stamp = (version.store_id, version.seq);
        if let Some((at, resolver)) = self.inner.resolver.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            if *at == stamp {
                return Ok(resolver.clone());
            }
        }
        let resolver = Arc::new(self.read(|r| Ok(r.store.resolver()?)).await?);
        *self.inner.resolver.lock().unwrap_or_else(|p| p.into_inner()) = Some((stamp, resolver.clone()));
        Ok(resolver)
    }

    /// An enterprise named by id, 统一社会信用代码 (all-digit ones too) or name, full or short, as
    /// the command line takes it. A short name that fits several is refused with its candidates.
    pub async fn enterprise_id(&self, text: &str) -> Result<i64, ApiError> {
        use crate::resolve::{EntRef, Resolution};
        let text = text.trim();
        if text.chars().count() > MAX_REFERENCE {
            return Err(ApiError::BadRequest(format!("企业编号、代码或名称最长 {MAX_REFERENCE} 个字符")));
        }
        // An id or a code is looked up in the store; only a name needs the resolver (which
        // holds every enterprise, and is built again after the store changes).
        let name = match EntRef::parse(text) {
            Ok(EntRef::Uscc(code)) => {
                let found = self.read(move |r| Ok(r.store.enterprise_with_uscc(&code)?)).await?;
                return found.ok_or_else(|| ApiError::NotFound(format!("没有找到企业「{text}」")));
            }
            _ => match text.parse::<i64>() {
                Ok(id) if self.read(move |r| Ok(r.store.has_enterprise(id)?)).await? => return Ok(id),
                Ok(_) => return Err(ApiError::NotFound(format!("没有编号为 {text} 的企业"))),
                Err(_) => EntRef::Name(text.to_string()),
            },
        };
        let resolver = self.resolver().await?;
        match resolver.resolve(&name) {
            Resolution::Linked { id, .. } => Ok(id),
            Resolution::NeedsReview { candidates } => {
                let names: Vec<String> = candidates
                    .iter()
                    .take(5)
                    .map(|c| format!("{}（{}）", resolver.name_of(c.id).unwrap_or("?"), c.id))
                    .collect();
                Err(ApiError::Conflict(format!("「{text}」可能是：{}；请用编号指定", names.join("、"))))
            }
            Resolution::NotFound => Err(ApiError::NotFound(format!("没有找到企业「{text}」"))),
        }
    }

    /// Re-mines as of `as_of` (used by the schedule).
    pub async fn mine(&self, as_of: crate::model::Date) -> Result<crate::workspace::MineSummary, ApiError> {
        let summary = self.with_workspace(move |ws| Ok(ws.mine(as_of)?)).await?;
        self.inner.mines.fetch_add(1, Ordering::Relaxed);
        self.request_push();
        Ok(summary)
    }
}

impl Inner {
    /// Brings the cached graph up to date with the store as of today (the workspace is held:
    /// nothing else writes meanwhile) and returns it.
    fn catch_up_graph(&self, workspace: &Workspace) -> Result<Arc<EnterpriseGraph>, ApiError> {
        let version = workspace.store().graph_version()?;
        let as_of = chrono::Local::now().date_naive();
        let mut cached = self.graph.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(graph) = cached.as_ref().filter(|g| is_current(g, version, as_of)) {
            return Ok(graph.clone());
        }
        // Queries still running hold the old graph; update a copy then.
        let previous = cached.take().map(|graph| Arc::try_unwrap(graph).unwrap_or_else(|g| (*g).clone()));
        let graph = Arc::new(workspace.refresh_graph(previous, as_of)?);
        *cached = Some(graph.clone());
        Ok(graph)
    }
}

/// Whether `graph` reflects the store at `version`, as of `as_of`.
fn is_current(
    graph: &EnterpriseGraph,
    version: crate::model::GraphVersion,
    as_of: crate::model::Date,
) -> bool {
    graph.stamp() == version && graph.options().as_of == as_of
}

/// Makes today's graph on a thread of its own (the saved graph moved to today, or rebuilt),
/// unless one is being made, while the cached graph (another day's) goes on answering; it
/// replaces that one when done.
fn graph_of_today_in_background(inner: &Arc<Inner>) {
    if inner.graph_rebuilding.swap(true, Ordering::AcqRel) {
        return;
    }
    let inner = inner.clone();
    std::thread::spawn(move || {
        let built = {
            let workspace = inner.workspace.lock();
            let as_of = chrono::Local::now().date_naive();
            workspace.refresh_graph(None, as_of)
        };
        match built {
            Ok(graph) => *inner.graph.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(graph)),
            Err(error) => tracing::warn!(%error, "the graph of a new day could not be made"),
        }
        inner.graph_rebuilding.store(false, Ordering::Release);
    });
}

/// The graph the workspace last saved, if it was built from this store: what answers graph
/// reads while the workspace is busy and the server has no graph yet. It may be behind the
/// store; the next read after the workspace is free catches it up.
fn saved_graph(path: &std::path::Path, store_id: u64) -> Option<EnterpriseGraph> {
    match EnterpriseGraph::snapshot_header(path) {
        Ok(Some((stamp, _))) if stamp.store_id == store_id => {}
        Ok(_) => return None,
        Err(error) => {
            tracing::warn!(%error, path = %path.display(), "graph snapshot unreadable");
            return None;
        }
    }
    EnterpriseGraph::load_snapshot(path).unwrap_or_else(|error| {
        tracing::warn!(%error, path = %path.display(), "graph snapshot unreadable");
        None
    })
}

/// A resolver with the store version (store id, change sequence) it was built from.
type StampedResolver = ((u64, u64), Arc<crate::resolve::Resolver>);

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller {
    pub role: Role,
    pub manager: Option<String>,
    pub name: String,
}

impl Caller {
    fn require(&self, allowed: &[Role]) -> Result<(), ApiError> {
        if self.role == Role::Admin || allowed.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!("the {:?} role cannot do this", self.role).to_lowercase()))
        }
    }

    /// Invoices (and the supply relations read from them) are consent data for risk staff,
    /// analysts and administrators, not for every account manager.
    fn sees_invoices(&self) -> bool {
        self.role != Role::Manager
    }

    /// A manager may only touch their own leads.
    fn may_see(&self, opportunity: &Opportunity) -> bool {
        match self.role {
            Role::Manager => self.manager.is_some() && opportunity.manager == self.manager,
            Role::Risk | Role::Analyst | Role::Admin => true,
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let found = match parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
            Some(header) => {
                let token = header
                    .strip_prefix("Bearer ")
                    .map(str::trim)
                    .ok_or_else(|| ApiError::Unauthorized("expected `Authorization: Bearer TOKEN`".into()))?;
                state.token_index(token).ok_or_else(|| ApiError::Unauthorized("unknown token".into()))?
            }
            // The workbench: a session cookie from /signin.
            None => session_id(&parts.headers)
                .and_then(|id| {
                    state.inner.sessions.lock().unwrap_or_else(|p| p.into_inner()).get(&id).copied()
                })
                .ok_or_else(|| {
                    ApiError::Unauthorized(
                        "missing bearer token or session; sign in with the link demo prints".into(),
                    )
                })?,
        };
        let found = &state.inner.tokens[found];
        Ok(Caller {
            role: found.role.clone(),
            manager: found.manager.clone(),
            name: found
                .name
                .clone()
                .or_else(|| found.manager.clone())
                .unwrap_or_else(|| format!("{:?}", found.role).to_lowercase()),
        })
    }
}

/// The session id in a request's cookies.
fn session_id(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
}

impl AppState {
    fn token_index(&self, token: &str) -> Option<usize> {
        self.inner.tokens.iter().position(|t| constant_time_eq(t.token.as_bytes(), token.as_bytes()))
    }
}

#[derive(Debug, Deserialize)]
struct SignIn {
    token: String,
    next: Option<String>,
}

/// Exchanges a token (from the link `demo` prints) for a session cookie, then opens `next` — a
/// path on this server only, never another site.
async fn signin(State(state): State<AppState>, Query(params): Query<SignIn>) -> Response {
    let Some(index) = state.token_index(params.token.trim()) else {
        let page = "<!doctype html><meta charset=\"utf-8\"><title>登录失败</title>\
                    <p>登录链接无效或已过期，请向管理员索取新的链接。</p>";
        return (StatusCode::UNAUTHORIZED, Html(page)).into_response();
    };
    let session = crate::workspace::random_hex(32);
    state.inner.sessions.lock().unwrap_or_else(|p| p.into_inner()).insert(session.clone(), index);
    let next = params
        .next
        .filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .unwrap_or_else(|| "/".into());
    with_session_cookie(axum::response::Redirect::to(&next).into_response(), &session, "")
}

/// The response setting the session cookie to `value` (`attributes` appended, e.g. Max-Age).
fn with_session_cookie(mut response: Response, value: &str, attributes: &str) -> Response {
    let cookie = format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict{attributes}");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// Ends the workbench session.
async fn signout(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    if let Some(id) = session_id(&headers) {
        state.inner.sessions.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
    }
    with_session_cookie(axum::response::Redirect::to("/").into_response(), "", "; Max-Age=0")
}

/// Security headers on every response.
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    response
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/", get(workbench))
        // The workbench's pages: one page, routed by its script, so every screen is bookmarkable.
        .route("/leads", get(workbench))
        .route("/leads/{id}", get(workbench))
        .route("/enterprises/{id}", get(workbench))
        .route("/search", get(workbench))
        .route("/risk", get(workbench))
        .route("/graph", get(workbench))
        .route("/crawls", get(workbench))
        .route("/funnel", get(workbench))
        .route("/web/{*path}", get(web_file))
        .route("/signin", get(signin))
        .route("/signout", post(signout))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/api/openapi.json", get(openapi))
        .route("/api/me", get(me))
        .route("/api/managers", get(managers))
        .route("/api/labels", get(labels))
        .route("/api/opportunities", get(list_opportunities))
        .route("/api/opportunities/{id}", get(get_opportunity))
        .route("/api/opportunities/counts", get(count_opportunities))
        .route("/api/opportunities/{id}/feedback", get(list_feedback).post(post_feedback))
        .route("/api/alerts", get(list_alerts))
        .route("/api/alerts/{id}/review", post(review_alert))
        .route("/api/search", get(search))
        .route("/api/enterprises", get(find_enterprises))
        .route("/api/enterprises/{id}", get(get_enterprise))
        .route("/api/enterprises/{id}/records", get(enterprise_records))
        .route(
            "/api/import",
            post(import_upload).layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/api/push", post(delivery::push_now))
        .route("/api/deliveries", get(delivery::list))
        .route("/api/deliveries/{id}/requeue", post(delivery::requeue))
        .route("/api/funnel", get(delivery::funnel))
        .route("/api/campaign/{id}", get(delivery::campaign))
        .route("/api/watchlist", get(delivery::watchlist).post(delivery::watch))
        .route("/api/crawls", get(crawls::list))
        .route("/api/crawls/{name}/run", post(crawls::start))
        .route("/api/graph/controller/{id}", get(graph_controller))
        .route("/api/graph/neighbors/{id}", get(graph_neighbors))
        .route("/api/graph/group/{id}", get(graph_group))
        .route("/api/graph/path", get(graph_path))
        .route("/api/graph/circles", get(graph_circles))
        .route("/api/graph/export/{id}", get(graph_export))
        .fallback(|| async { ApiError::NotFound("no such route".into()) })
        .layer(axum::middleware::map_response(json_errors))
        .layer(axum::middleware::map_response(security_headers))
        .layer(axum::middleware::from_fn_with_state(state.clone(), count_requests))
        .with_state(state)
}

async fn count_requests(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let response = next.run(request).await;
    let mut requests = state.inner.requests.lock().unwrap_or_else(|p| p.into_inner());
    *requests.entry((route, response.status().as_u16())).or_default() += 1;
    response
}

/// Serves until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state)).with_graceful_shutdown(shutdown).await
}

/// Liveness: answers without touching the store.
async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok"}))
}

/// Readiness: the store answers and the search index has caught up with it. Also the room on
/// the data dir's disk (the crawl screen warns when it runs low); a full disk refuses imports
/// and mining runs, not reads, so it leaves readiness alone.
async fn readyz(State(state): State<AppState>) -> Result<Response, ApiError> {
    let (records, record_seq, indexed_seq) = state
        .read(|r| {
            Ok((r.store.count(crate::store::Table::Records)?, r.store.record_seq()?, r.index.indexed_seq()?))
        })
        .await?;
    let ready = indexed_seq == Some(record_seq);
    let leader = state.inner.leadership.lock().unwrap_or_else(|p| p.into_inner()).leads();
    let disk = crate::workspace::Room::of(&state.inner.data_dir).ok().map(|room| {
        serde_json::json!({"free": room.free, "total": room.total, "keep_free": state.inner.keep_free})
    });
    let body = serde_json::json!({"ready": ready, "records": records, "record_seq": record_seq,
        "indexed_seq": indexed_seq, "leader": leader, "disk": disk});
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    Ok((status, Json(body)).into_response())
}

async fn metrics(State(state): State<AppState>) -> Result<Response, ApiError> {
    use crate::store::Table;
    let counts = state
        .read(|r| {
            let mut out = Vec::new();
            for (name, table) in [
                ("enterprises", Table::Enterprises),
                ("records", Table::Records),
                ("relations", Table::Relations),
                ("opportunities", Table::Opportunities),
                ("feedback", Table::Feedback),
            ] {
                out.push((name, r.store.count(table)?));
            }
            Ok(out)
        })
        .await?;
    let mut text = String::new();
    text.push_str("# HELP oppgraph_rows Rows in the store by table.\n# TYPE oppgraph_rows gauge\n");
    for (name, count) in counts {
        text.push_str(&format!("oppgraph_rows{{table=\"{name}\"}} {count}\n"));
    }
    text.push_str("# HELP oppgraph_mine_runs_total Scheduled and manual mining runs since start.\n# TYPE oppgraph_mine_runs_total counter\n");
    text.push_str(&format!("oppgraph_mine_runs_total {}\n", state.inner.mines.load(Ordering::Relaxed)));
    // An import or a mining run is refused when the disk would fill ([`crate::workspace::Room`]):
    // these say so before it happens.
    if let Ok(room) = crate::workspace::Room::of(&state.inner.data_dir) {
        text.push_str("# HELP oppgraph_disk_free_bytes Free bytes on the data dir's disk.\n# TYPE oppgraph_disk_free_bytes gauge\n");
        text.push_str(&format!("oppgraph_disk_free_bytes {}\n", room.free));
        text.push_str("# HELP oppgraph_disk_total_bytes Size of the data dir's disk.\n# TYPE oppgraph_disk_total_bytes gauge\n");
        text.push_str(&format!("oppgraph_disk_total_bytes {}\n", room.total));
    }
    crawls::write_metrics(&state, &mut text).await?;
    delivery::write_metrics(&state, &mut text).await?;
    text.push_str("# HELP oppgraph_http_requests_total HTTP requests by route and status.\n# TYPE oppgraph_http_requests_total counter\n");
    let requests = state.inner.requests.lock().unwrap_or_else(|p| p.into_inner()).clone();
    for ((route, status), count) in requests {
        text.push_str(&format!(
            "oppgraph_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {count}\n"
        ));
    }
    let mut response = text.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4"));
    Ok(response)
}

/// Who the caller is: the workbench shows the name and the screens of the role.
async fn me(caller: Caller) -> Json<serde_json::Value> {
    Json(serde_json::json!({"user": caller.name, "role": caller.role, "manager": caller.manager}))
}

/// The account managers by id, name and branch (never their channels): the workbench names
/// people, not ids.
async fn managers(
    State(state): State<AppState>,
    _caller: Caller,
) -> Result<Json<serde_json::Value>, ApiError> {
    let managers = state.read(|r| Ok(r.store.managers()?)).await?;
    let named: Vec<serde_json::Value> = managers
        .into_iter()
        .map(|m| serde_json::json!({"id": m.id, "name": m.name, "branch": m.branch}))
        .collect();
    Ok(Json(serde_json::Value::Array(named)))
}

/// The Chinese words for every code the API answers with — lead kinds and statuses, risk
/// kinds, score terms, relations, record and notice kinds — so the workbench and the pushed
/// messages say the same thing. Open, like the pages.
async fn labels() -> Json<serde_json::Value> {
    use crate::model::{OpportunityKind, OpportunityStatus, RecordKind, RiskKind, TenderKind, SCORE_TERMS};
    fn table<T: Copy>(
        all: &[T],
        code: fn(T) -> &'static str,
        label: fn(T) -> &'static str,
    ) -> serde_json::Value {
        all.iter().map(|&k| (code(k).to_string(), serde_json::Value::from(label(k)))).collect()
    }
    Json(serde_json::json!({
        "kind": table(&OpportunityKind::ALL, OpportunityKind::as_str, OpportunityKind::label_cn),
        "status": table(&OpportunityStatus::ALL, OpportunityStatus::as_str, OpportunityStatus::label_cn),
        "alert": table(&RiskKind::ALL, RiskKind::as_str, RiskKind::label_cn),
        "feature": SCORE_TERMS.iter().map(|(code, label)| (code.to_string(), serde_json::Value::from(*label)))
            .collect::<serde_json::Map<_, _>>(),
        "relation": table(&EdgeKind::ALL, EdgeKind::as_str, EdgeKind::label_cn),
        "record": table(&RecordKind::ALL, RecordKind::as_str, RecordKind::label_cn),
        "tender": table(&TenderKind::ALL, TenderKind::as_str, TenderKind::label_cn),
    }))
}

async fn openapi(_caller: Caller) -> Json<serde_json::Value> {
    Json(serde_json::from_str(include_str!("openapi.json")).unwrap_or_default())
}

#[derive(Debug, Deserialize)]
struct ListParams {
    manager: Option<String>,
    #[serde(default)]
    include_suppressed: bool,
    tier: Option<crate::model::Tier>,
    kind: Option<crate::model::OpportunityKind>,
    status: Option<crate::model::OpportunityStatus>,
    /// Only leads due within this many days from today.
    due_within: Option<u32>,
    region: Option<String>,
    /// An enterprise by id, 统一社会信用代码 or name.
    enterprise: Option<String>,
    #[serde(default)]
    order: crate::store::LeadOrder,
    limit: Option<usize>,
    #[serde(default)]
    offset: usize,
}

impl ListParams {
    /// The store filter these parameters ask for, as `caller` may see it: a manager sees only
    /// their own leads.
    async fn filter(self, state: &AppState, caller: &Caller) -> Result<OpportunityFilter, ApiError> {
        let manager = match caller.role {
            Role::Manager => {
                if self.manager.as_ref().is_some_and(|m| Some(m) != caller.manager.as_ref()) {
                    return Err(ApiError::Forbidden("managers see only their own leads".into()));
                }
                Some(
                    caller
                        .manager
                        .clone()
                        .ok_or_else(|| ApiError::Forbidden("token has no manager id".into()))?,
                )
            }
            _ => self.manager,
        };
        let enterprise = match self.enterprise.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            Some(reference) => Some(state.enterprise_id(reference).await?),
            None => None,
        };
        if self.due_within.is_some_and(|days| days > MAX_DUE_DAYS) {
            return Err(ApiError::BadRequest(format!("`due_within` must be at most {MAX_DUE_DAYS} days")));
        }
        let due_by =
            self.due_within.map(|days| chrono::Local::now().date_naive() + chrono::Days::new(days.into()));
        Ok(OpportunityFilter {
            manager,
            include_suppressed: self.include_suppressed,
            tier: self.tier,
            kind: self.kind,
            status: self.status,
            due_by,
            region: self.region,
            enterprise,
            order: self.order,
            limit: Some(self.limit.unwrap_or(100).min(1000)),
            offset: check_offset(self.offset)?,
        })
    }
}

/// The leads as stored, not decoded and encoded again (`Store::opportunities_json`): the same
/// JSON as `Vec<Opportunity>`.
async fn list_opportunities(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
) -> Result<impl IntoResponse, ApiError> {
    let filter = params.filter(&state, &caller).await?;
    let list = state.read(move |r| Ok(r.store.opportunities_json(&filter)?)).await?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], list))
}

/// How many leads the list's filters find, and how many per tier.
async fn count_opportunities(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ListParams>,
) -> Result<Json<crate::store::LeadCounts>, ApiError> {
    let filter = params.filter(&state, &caller).await?;
    let counts = state.read(move |r| Ok(r.store.opportunity_counts(&filter)?)).await?;
    Ok(Json(counts))
}

/// The feedback given on a lead, oldest first, by whom and when.
async fn list_feedback(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<Feedback>>, ApiError> {
    load_visible(&state, &caller, id.clone()).await?;
    let history = state.read(move |r| Ok(r.store.feedback_on(&id)?)).await?;
    Ok(Json(history))
}

async fn load_visible(state: &AppState, caller: &Caller, id: String) -> Result<Opportunity, ApiError> {
    let shown = id.clone();
    let opportunity = state
        .read(move |r| Ok(r.store.opportunity(&id)?))
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no opportunity {shown}")))?;
    if !caller.may_see(&opportunity) {
        return Err(ApiError::Forbidden("this lead belongs to another manager".into()));
    }
    Ok(opportunity)
}

async fn get_opportunity(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Opportunity>, ApiError> {
    Ok(Json(load_visible(&state, &caller, id).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackBody {
    pub status: String,
    pub reason: Option<String>,
    pub note: Option<String>,
}

async fn post_feedback(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<FeedbackBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Opportunity>, ApiError> {
    let Json(body) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    caller.require(&[Role::Manager])?;
    let feedback = Feedback::checked(&id, &caller.name, &body.status, body.reason, body.note)
        .map_err(|e| ApiError::BadRequest(e.replace(" (--reason)", "")))?;
    load_visible(&state, &caller, id.clone()).await?;
    let updated = state
        .with_workspace(move |ws| {
            ws.add_feedback(&feedback)?;
            Ok(ws.store().opportunity(&id)?)
        })
        .await?
        .ok_or_else(|| ApiError::NotFound("opportunity vanished".into()))?;
    Ok(Json(updated))
}

/// One risk event on one affected enterprise, with every lead it touches.
#[derive(Debug, Serialize)]
struct AlertView {
    #[serde(flatten)]
    alert: crate::model::Alert,
    /// The first (best-ranked) lead it touches.
    opportunity: String,
    /// Every lead it touches, best first.
    opportunities: Vec<String>,
    enterprise: crate::model::EnterpriseRef,
    review: Option<AlertReview>,
}

#[derive(Debug, Deserialize)]
struct AlertParams {
    /// `pending` (default), `reviewed` or `all`.
    state: Option<String>,
    limit: Option<usize>,
}

async fn list_alerts(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<AlertParams>,
) -> Result<Json<Vec<AlertView>>, ApiError> {
    caller.require(&[Role::Risk])?;
    let wanted = match params.state.as_deref().unwrap_or("pending") {
        "pending" => crate::store::AlertState::Pending,
        "reviewed" => crate::store::AlertState::Reviewed,
        "all" => crate::store::AlertState::All,
        _ => return Err(ApiError::BadRequest("state is one of pending, reviewed, all".into())),
    };
    let limit = params.limit.unwrap_or(200).min(2000);
    let views = state
        .read(move |r| {
            let alerts = r.store.alerts(wanted, limit)?;
            Ok(alerts
                .into_iter()
                .map(|a| AlertView {
                    opportunity: a.opportunities.first().cloned().unwrap_or_default(),
                    alert: a.alert,
                    opportunities: a.opportunities,
                    enterprise: a.enterprise,
                    review: a.review,
                })
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(Json(views))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewBody {
    /// `accept` (the risk stands, handle with care), `dismiss` (not relevant), `block`.
    decision: String,
    note: Option<String>,
}

async fn review_alert(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<Json<ReviewBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<AlertReview>, ApiError> {
    let Json(body) = body.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    caller.require(&[Role::Risk])?;
    if !["accept", "dismiss", "block"].contains(&body.decision.as_str()) {
        return Err(ApiError::BadRequest("decision is one of accept, dismiss, block".into()));
    }
    let review = AlertReview {
        alert_id: id.clone(),
        reviewer: caller.name.clone(),
        decision: body.decision,
        note: body.note,
        at: chrono::Local::now().to_rfc3339(),
    };
    let saved = review.clone();
    state
        .with_workspace(move |ws| {
            if !ws.store().alert_exists(&id)? {
                return Err(ApiError::NotFound(format!("no alert {id}")));
            }
            ws.review_alert(&review)?;
            Ok(())
        })
        .await?;
    Ok(Json(saved))
}

#[derive(Debug, Deserialize)]
struct SearchParams {
    q: String,
    kind: Option<String>,
    from: Option<String>,
    to: Option<String>,
    min_amount: Option<f64>,
    max_amount: Option<f64>,
    #[serde(default)]
    facets: bool,
    limit: Option<usize>,
    #[serde(default)]
    offset: usize,
}

fn parse_date_param(name: &str, value: Option<&str>) -> Result<Option<crate::model::Date>, ApiError> {
    value
        .map(|v| {
            crate::store::parse_date(v)
                .ok_or_else(|| ApiError::BadRequest(format!("`{name}` is not a YYYY-MM-DD date")))
        })
        .transpose()
}

async fn search(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<SearchParams>,
) -> Result<Json<crate::index::SearchResults>, ApiError> {
    let hidden_kinds = if caller.sees_invoices() { Vec::new() } else { vec!["invoice".to_string()] };
    let options = crate::index::SearchOptions {
        hidden_kinds,
        kind: params.kind,
        from: parse_date_param("from", params.from.as_deref())?,
        to: parse_date_param("to", params.to.as_deref())?,
        min_amount: params.min_amount,
        max_amount: params.max_amount,
        facets: params.facets,
        limit: params.limit.unwrap_or(20).min(200),
        offset: check_offset(params.offset)?,
    };
    let results = state
        // Commits of any process reach the reader on their own; records a killed process
        // stored without indexing are indexed by the schedule's next check.
        .read(move |r| Ok(r.index.search(&params.q, &options)?))
        .await?;
    Ok(Json(results))
}

#[derive(Debug, Deserialize)]
struct EnterpriseParams {
    q: String,
    limit: Option<usize>,
}

/// Phones and emails are for those who call customers (managers) and admins; analysts and risk
/// staff see them masked.
fn redact_contacts(caller: &Caller, enterprise: &mut crate::model::Enterprise) {
    if matches!(caller.role, Role::Analyst | Role::Risk) {
        for (key, value) in enterprise.extra.iter_mut() {
            if crate::model::CONTACT_KEYS.contains(&key.as_str()) {
                *value = crate::model::mask_contact(value);
            }
        }
    }
}

async fn find_enterprises(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<EnterpriseParams>,
) -> Result<Json<Vec<crate::model::Enterprise>>, ApiError> {
    let needle = crate::resolve::normalize_name(&params.q);
    if needle.is_empty() {
        // Nothing a name could match (blank, or punctuation only).
        return Ok(Json(Vec::new()));
    }
    let limit = params.limit.unwrap_or(20).min(200);
    let raw = params.q.trim().to_string();
    let found = state
        .read(move |r| {
            // The raw text narrows in SQL (names are stored as written); normalised matching on
            // names and aliases decides.
            let folded = crate::extract::normalize::fold(&raw);
            let mut candidates = r.store.find_enterprises(&raw, limit)?;
            if folded != raw {
                candidates.extend(r.store.find_enterprises(&folded, limit)?);
                candidates.sort_by_key(|e| e.id);
                candidates.dedup_by_key(|e| e.id);
            }
            let mut found: Vec<crate::model::Enterprise> = candidates
                .into_iter()
                .filter(|e| {
                    e.uscc.as_deref() == Some(needle.as_str())
                        || crate::resolve::normalize_name(&e.name).contains(&needle)
                        || e.aliases.iter().any(|a| crate::resolve::normalize_name(a).contains(&needle))
                })
                .collect();
            found
                .sort_by_key(|e| (crate::resolve::normalize_name(&e.name) != needle, e.name.chars().count()));
            found.truncate(limit);
            Ok(found)
        })
        .await?;
    let mut found = found;
    for enterprise in &mut found {
        redact_contacts(&caller, enterprise);
    }
    Ok(Json(found))
}

async fn get_enterprise(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<crate::model::Enterprise>, ApiError> {
    let id = state.enterprise_id(&id).await?;
    let mut found = state.read(move |r| Ok(r.store.enterprise(id)?)).await?;
    if let Some(enterprise) = found.as_mut() {
        redact_contacts(&caller, enterprise);
    }
    found.map(Json).ok_or_else(|| ApiError::NotFound(format!("no enterprise {id}")))
}

#[derive(Debug, Deserialize)]
struct RecordsParams {
    limit: Option<usize>,
}

/// A record on an enterprise's timeline, with a share freeze's facts worded as its alert words
/// them (`甲所持520,000,000股被乙法院冻结，2018-12-18 至 2021-12-17`).
#[derive(Debug, Serialize)]
struct TimelineEntry {
    #[serde(flatten)]
    record: crate::model::Record,
    #[serde(skip_serializing_if = "Option::is_none")]
    facts: Option<String>,
}

/// The enterprise's timeline: the records naming it, newest first.
async fn enterprise_records(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(params): Query<RecordsParams>,
) -> Result<Json<Vec<TimelineEntry>>, ApiError> {
    let id = state.enterprise_id(&id).await?;
    let limit = params.limit.unwrap_or(100).min(1000);
    let invoices = caller.sees_invoices();
    let records = state.read(move |r| Ok(r.store.records_of(id, invoices, limit)?)).await?;
    let entry = |record: crate::model::Record| {
        let facts = match &record {
            crate::model::Record::RiskEvent(event) => event.freeze_facts(),
            _ => None,
        };
        TimelineEntry { record, facts }
    };
    Ok(Json(records.into_iter().map(entry).collect()))
}

#[derive(Debug, Deserialize)]
struct ImportParams {
    /// The file name, which gives the kind and format: `tenders.csv`, `pledges-2026-05.jsonl`.
    name: String,
}

/// Imports one uploaded file (the request body) named by `?name=`. Admin only. The file is kept
/// under `<data>/uploads/` so rejects can be traced back to it.
async fn import_upload(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<ImportParams>,
    body: axum::body::Bytes,
) -> Result<Json<Vec<crate::ingest::FileReport>>, ApiError> {
    caller.require(&[])?;
    let plain = !params.name.trim().is_empty()
        && params.name.chars().count() <= 128
        && !params.name.chars().any(|c| c.is_control() || matches!(c, '/' | '\\'))
        && !params.name.starts_with('.');
    if !plain {
        return Err(ApiError::BadRequest(
            "`name` must be a plain file name of at most 128 characters, such as tenders.csv".into(),
        ));
    }
    let name = params.name.clone();
    let actor = caller.name.clone();
    let reports = state
        .with_workspace(move |ws| {
            let dir =
                ws.dir().join("uploads").join(chrono::Local::now().format("%Y%m%dT%H%M%S%.3f").to_string());
            std::fs::create_dir_all(&dir).map_err(|e| ApiError::internal(format!("uploads dir: {e}")))?;
            let path = dir.join(&name);
            std::fs::write(&path, &body).map_err(|e| ApiError::internal(format!("saving upload: {e}")))?;
            let shown = path.display().to_string();
            // Clients see the name they sent and paths inside the data dir, never the server's.
            let outcome = ws.import(&[path]).map_err(|e| match ApiError::from(e) {
                ApiError::BadRequest(message) => ApiError::BadRequest(message.replace(&shown, &name)),
                other => other,
            })?;
            ws.audit(&actor, "api_import", &serde_json::to_string(&outcome.files).unwrap_or_default())?;
            let data_dir = format!("{}/", ws.dir().display());
            let mut files = outcome.files;
            for file in &mut files {
                file.file = name.clone();
                file.refused = file.refused.take().map(|r| r.replace(&shown, &name));
                file.rejects = file.rejects.take().map(|r| r.replace(&data_dir, ""));
            }
            if let Some(refused) = files.iter().find_map(|f| f.refused.clone()) {
                return Err(ApiError::BadRequest(refused));
            }
            Ok(files)
        })
        .await?;
    state.request_mining();
    Ok(Json(reports))
}

/// A graph node: `person:ID`, or an enterprise by id, 统一社会信用代码 or name.
async fn node_ref(state: &AppState, id: &str) -> Result<NodeRef, ApiError> {
    if let Some(person) = id.strip_prefix("person:") {
        return Ok(NodeRef::Person(person.to_string()));
    }
    Ok(NodeRef::Enterprise(state.enterprise_id(id).await?))
}

/// Who may explore the relationship graph (paths, circles): analysts and risk staff.
fn graph_reader(caller: &Caller) -> Result<(), ApiError> {
    caller.require(&[Role::Analyst, Role::Risk])
}

/// Who may read one enterprise's owners, group and neighbours: graph readers, and account
/// managers (the lead detail and the enterprise page show the customer's network).
fn network_reader(caller: &Caller) -> Result<(), ApiError> {
    caller.require(&[Role::Analyst, Role::Risk, Role::Manager])
}

/// An answer written as JSON, for [`AppState::graph_json`].
fn json_body(answer: &impl Serialize) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec(answer).map_err(|e| ApiError::internal(format!("writing the answer: {e}")))
}

fn not_in_graph(id: &str) -> ApiError {
    ApiError::NotFound(format!("{id} is not in the graph"))
}

async fn graph_controller(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    network_reader(&caller)?;
    let node = node_ref(&state, &id).await?;
    state
        .graph_json(move |graph| {
            json_body(&graph.controller(&node, Limits::default()).ok_or_else(|| not_in_graph(&id))?)
        })
        .await
}

#[derive(Debug, Deserialize)]
struct NeighborParams {
    depth: Option<usize>,
    kinds: Option<String>,
    hub_cap: Option<usize>,
}

async fn graph_neighbors(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(params): Query<NeighborParams>,
) -> Result<Response, ApiError> {
    network_reader(&caller)?;
    let node = node_ref(&state, &id).await?;
    let depth = params.depth.unwrap_or(1).min(4);
    let kinds: Vec<&str> = params.kinds.as_deref().unwrap_or("").split(',').collect();
    let mut kinds = EdgeKind::parse_list(&kinds).map_err(ApiError::BadRequest)?;
    if !caller.sees_invoices() {
        if kinds.is_empty() {
            kinds = EdgeKind::ALL.to_vec();
        }
        kinds.retain(|&k| k != EdgeKind::Supplier);
    }
    let hub_cap = params.hub_cap.unwrap_or(500);
    state
        .graph_json(move |graph| {
            json_body(&graph.neighbourhood(&node, depth, &kinds, hub_cap).ok_or_else(|| not_in_graph(&id))?)
        })
        .await
}

async fn graph_group(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    network_reader(&caller)?;
    let node = node_ref(&state, &id).await?;
    state.graph_json(move |graph| json_body(&graph.group(&node).ok_or_else(|| not_in_graph(&id))?)).await
}

#[derive(Debug, Deserialize)]
struct PathParams {
    from: String,
    to: String,
    max_depth: Option<usize>,
    limit: Option<usize>,
    hub_cap: Option<usize>,
}

async fn graph_path(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<PathParams>,
) -> Result<Response, ApiError> {
    graph_reader(&caller)?;
    let (a, b) = (node_ref(&state, &params.from).await?, node_ref(&state, &params.to).await?);
    let (depth, limit) = (params.max_depth.unwrap_or(6).min(10), params.limit.unwrap_or(10).min(100));
    let hub_cap = params.hub_cap.unwrap_or(1000);
    state.graph_json(move |graph| json_body(&graph.k_shortest_paths(&a, &b, depth, limit, hub_cap))).await
}

#[derive(Debug, Deserialize)]
struct CircleParams {
    kind: Option<String>,
}

async fn graph_circles(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<CircleParams>,
) -> Result<Response, ApiError> {
    graph_reader(&caller)?;
    let kind = match params.kind.as_deref().unwrap_or("guarantee") {
        "guarantee" => EdgeKind::Guarantee,
        "shareholder" => EdgeKind::Shareholder,
        other => {
            return Err(ApiError::BadRequest(format!("kind is guarantee or shareholder, not {other:?}")))
        }
    };
    state.graph_json(move |graph| json_body(&graph.circles(kind))).await
}

#[derive(Debug, Deserialize)]
struct ExportParams {
    depth: Option<usize>,
}

/// An enterprise's network within `depth` steps (1–3, default 2) as a GraphML file, for Gephi,
/// yEd or Neo4j.
async fn graph_export(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Query(params): Query<ExportParams>,
) -> Result<Response, ApiError> {
    graph_reader(&caller)?;
    let node = node_ref(&state, &id).await?;
    let depth = params.depth.unwrap_or(2).clamp(1, 3);
    let file = state
        .on_graph(move |graph| {
            graph.contains(&node).then(|| {
                let mut out = Vec::new();
                graph
                    .write_graphml(&crate::graph::export::Scope::Around { node: &node, depth }, &mut out)
                    .map(|()| out)
            })
        })
        .await?
        .ok_or_else(|| not_in_graph(&id))?
        .map_err(|e| ApiError::internal(format!("GraphML: {e}")))?;
    let headers = [
        (header::CONTENT_TYPE, "application/graphml+xml; charset=utf-8".to_string()),
        (header::CONTENT_DISPOSITION, "attachment; filename=\"network.graphml\"".to_string()),
    ];
    Ok((headers, file).into_response())
}

/// Every error is `{"error": {"code", "message"}}`: axum's own rejections (a bad query string,
/// a body too large, a wrong method) come as plain text and are wrapped here.
async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 << 10).await.unwrap_or_default();
    let code = match status.as_u16() {
        400 | 422 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        503 => "unavailable",
        _ if status.is_server_error() => "internal",
        _ => "bad_request",
    };
    let message = String::from_utf8_lossy(&text).trim().to_string();
    let message = if message.is_empty() {
        status.canonical_reason().unwrap_or("error").to_lowercase()
    } else {
        message
    };
    // 422 (a body that parses but does not fit) is a bad request like any other here.
    let status = if status.as_u16() == 422 { StatusCode::BAD_REQUEST } else { status };
    let mut out =
        (status, Json(serde_json::json!({"error": {"code": code, "message": message}}))).into_response();
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            ApiError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        };
        let message = match &self {
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "internal error");
                "internal error".to_string()
            }
            other => other.to_string(),
        };
        let mut response =
            (status, Json(serde_json::json!({"error": {"code": code, "message": message}}))).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
