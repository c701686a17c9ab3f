//! One connection to either backend: SQLite (embedded, the default) or PostgreSQL (a server
//! several nodes share). The store writes its SQL once, in the dialect both understand, with
//! SQLite's `?N` placeholders; [`Db`] rewrites what PostgreSQL spells otherwise, and the few
//! statements that differ more ask [`Db::backend`].
//!
//! Both backends keep the store's one-writer rule: a write transaction takes SQLite's write lock
//! (`BEGIN IMMEDIATE`), or on PostgreSQL a transaction-scoped advisory lock every node takes, so
//! sequence numbers handed out inside a write (records, logged changes) never interleave.

use super::{Result, StoreError};
use std::borrow::Cow;
use std::collections::HashMap;

/// Which server a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The advisory lock every PostgreSQL write transaction takes (any constant; "oppgraph").
const WRITE_LOCK: i64 = 0x6f70_7067_7261_7068;

pub(crate) enum Db {
    Sqlite(rusqlite::Connection),
    Postgres(PgConn),
}

/// A PostgreSQL connection. The `postgres` client runs its requests on a private tokio
/// runtime, which must not start inside another: a caller outside any runtime (the command
/// line, an import) uses the connection directly; one on a runtime's thread (the server, a
/// test) hands the request to the connection's own thread and waits for the answer.
pub(crate) struct PgConn {
    session: std::sync::Arc<std::sync::Mutex<PgSession>>,
    jobs: std::sync::mpsc::Sender<PgJob>,
}

/// What a connection's thread holds: the client and the statements prepared on it, by their
/// SQLite spelling.
struct PgSession {
    client: postgres::Client,
    statements: HashMap<String, postgres::Statement>,
}

type PgJob = Box<dyn FnOnce(&mut PgSession) + Send>;

impl PgConn {
    fn connect(url: &str) -> Result<PgConn> {
        let url = url.to_string();
        // Connecting runs on the client's runtime too: on a thread of its own.
        let client = std::thread::spawn(move || postgres::Client::connect(&url, postgres::NoTls))
            .join()
            .map_err(|_| gone())??;
        let session =
            std::sync::Arc::new(std::sync::Mutex::new(PgSession { client, statements: HashMap::new() }));
        let (jobs, queue) = std::sync::mpsc::channel::<PgJob>();
        let shared = session.clone();
        std::thread::Builder::new()
            .name("oppgraph-postgres".into())
            .spawn(move || {
                for job in queue {
                    job(&mut shared.lock().unwrap_or_else(|p| p.into_inner()));
                }
            })
            .map_err(|e| StoreError::Corrupt(format!("cannot start a connection thread: {e}")))?;
        Ok(PgConn { session, jobs })
    }

    /// Runs `job` on the connection: here when no runtime is running on this thread, else on
    /// the connection's thread.
    fn call<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut PgSession) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        if tokio::runtime::Handle::try_current().is_err() {
            return job(&mut self.session.lock().unwrap_or_else(|p| p.into_inner()));
        }
        let (reply, answer) = std::sync::mpsc::sync_channel(1);
        self.jobs
            .send(Box::new(move |session: &mut PgSession| {
                let _ = reply.send(job(session));
            }))
            .map_err(|_| gone())?;
        answer.recv().map_err(|_| gone())?
    }

    /// Runs `job` with the statement for `sql` (prepared once per connection) and the
    /// parameters, owned for the trip to the connection's thread.
    fn with_statement<T: Send + 'static>(
        &self,
        sql: &str,
        params: &[Param<'_>],
        job: impl FnOnce(
                &mut postgres::Client,
                &postgres::Statement,
                &[&(dyn postgres::types::ToSql + Sync)],
            ) -> Result<T>
            + Send
            + 'static,
    ) -> Result<T> {
        let sql = sql.to_string();
        let params: Vec<Param<'static>> = params.iter().map(Param::to_owned).collect();
        self.call(move |session| {
            let statement = match session.statements.get(&sql) {
                Some(statement) => statement.clone(),
                None => {
                    let statement = session.client.prepare(&postgres_sql(&sql))?;
                    session.statements.insert(sql, statement.clone());
                    statement
                }
            };
            let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
                params.iter().map(|p| p as &(dyn postgres::types::ToSql + Sync)).collect();
            job(&mut session.client, &statement, &refs)
        })
    }
}

fn gone() -> StoreError {
    StoreError::Corrupt("the PostgreSQL connection's thread stopped".into())
}

/// Rows a PostgreSQL cursor hands over at a time ([`Db::query_each`]).
const CURSOR_ROWS: usize = 10_000;

/// A statement parameter, borrowed where it can be.
#[derive(Debug, Clone)]
pub(crate) enum Param<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(Cow<'a, str>),
}

/// A column value as read, whatever the backend.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ValueRef<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
}

/// One result row.
pub(crate) enum Row<'r, 's> {
    Sqlite(&'r rusqlite::Row<'s>),
    Postgres(&'r postgres::Row),
}

impl Row<'_, '_> {
    pub fn get<T: FromValue>(&self, index: usize) -> Result<T> {
        let value = self.value(index)?;
        T::from_value(value).ok_or_else(|| column_error(index, &format!("unexpected value {value:?}")))
    }

    /// The column as it is, whatever its type.
    pub fn value(&self, index: usize) -> Result<ValueRef<'_>> {
        Ok(match self {
            Row::Sqlite(row) => match row.get_ref(index)? {
                rusqlite::types::ValueRef::Null => ValueRef::Null,
                rusqlite::types::ValueRef::Integer(v) => ValueRef::Int(v),
                rusqlite::types::ValueRef::Real(v) => ValueRef::Real(v),
                rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                    match simdutf8::basic::from_utf8(t) {
                        Ok(text) => ValueRef::Text(text),
                        // The standard check again, for where the text breaks.
                        Err(_) => {
                            let broken =
                                std::str::from_utf8(t).err().map(|e| e.to_string()).unwrap_or_default();
                            return Err(column_error(index, &broken));
                        }
                    }
                }
            },
            Row::Postgres(row) => pg_value(row, index)?,
        })
    }
}

fn column_error(index: usize, what: &str) -> StoreError {
    StoreError::Corrupt(format!("column {index}: {what}"))
}

fn pg_value(row: &postgres::Row, index: usize) -> Result<ValueRef<'_>> {
    use postgres::types::Type;
    let ty = row.columns().get(index).ok_or_else(|| column_error(index, "no such column"))?.type_().clone();
    let value = match ty {
        Type::INT8 => row.try_get::<_, Option<i64>>(index)?.map(ValueRef::Int),
        Type::INT4 => row.try_get::<_, Option<i32>>(index)?.map(|v| ValueRef::Int(v.into())),
        Type::INT2 => row.try_get::<_, Option<i16>>(index)?.map(|v| ValueRef::Int(v.into())),
        Type::BOOL => row.try_get::<_, Option<bool>>(index)?.map(|v| ValueRef::Int(v.into())),
        Type::FLOAT8 => row.try_get::<_, Option<f64>>(index)?.map(ValueRef::Real),
        Type::FLOAT4 => row.try_get::<_, Option<f32>>(index)?.map(|v| ValueRef::Real(v.into())),
        _ => row.try_get::<_, Option<&str>>(index)?.map(ValueRef::Text),
    };
    Ok(value.unwrap_or(ValueRef::Null))
}

/// A Rust value a column converts to.
pub(crate) trait FromValue: Sized {
    fn from_value(value: ValueRef<'_>) -> Option<Self>;
}

impl FromValue for i64 {
    fn from_value(value: ValueRef<'_>) -> Option<Self> {
        match value {
            ValueRef::Int(v) => Some(v),
            _ => None,
        }
    }
}

impl FromValue for f64 {
    fn from_value(value: ValueRef<'_>) -> Option<Self> {
        match value {
            ValueRef::Real(v) => Some(v),
            ValueRef::Int(v) => Some(v as f64),
            _ => None,
        }
    }
}

impl FromValue for bool {
    fn from_value(value: ValueRef<'_>) -> Option<Self> {
        match value {
            ValueRef::Int(v) => Some(v != 0),
            _ => None,
        }
    }
}

impl FromValue for String {
    fn from_value(value: ValueRef<'_>) -> Option<Self> {
        match value {
            ValueRef::Text(t) => Some(t.to_string()),
            _ => None,
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: ValueRef<'_>) -> Option<Self> {
        match value {
            ValueRef::Null => Some(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// What a statement parameter is made from.
pub(crate) trait ToParam {
    fn to_param(&self) -> Param<'_>;
}

impl ToParam for i64 {
    fn to_param(&self) -> Param<'_> {
        Param::Int(*self)
    }
}

impl ToParam for i32 {
    fn to_param(&self) -> Param<'_> {
        Param::Int((*self).into())
    }
}

impl ToParam for u32 {
    fn to_param(&self) -> Param<'_> {
        Param::Int((*self).into())
    }
}

impl ToParam for bool {
    fn to_param(&self) -> Param<'_> {
        Param::Int((*self).into())
    }
}

impl ToParam for f64 {
    fn to_param(&self) -> Param<'_> {
        Param::Real(*self)
    }
}

impl ToParam for str {
    fn to_param(&self) -> Param<'_> {
        Param::Text(Cow::Borrowed(self))
    }
}

impl ToParam for String {
    fn to_param(&self) -> Param<'_> {
        Param::Text(Cow::Borrowed(self))
    }
}

impl<T: ToParam + ?Sized> ToParam for &T {
    fn to_param(&self) -> Param<'_> {
        (**self).to_param()
    }
}

impl<T: ToParam> ToParam for Option<T> {
    fn to_param(&self) -> Param<'_> {
        self.as_ref().map_or(Param::Null, ToParam::to_param)
    }
}

impl Param<'_> {
    fn to_owned(&self) -> Param<'static> {
        match self {
            Param::Text(t) => Param::Text(Cow::Owned(t.to_string())),
            Param::Null => Param::Null,
            Param::Int(v) => Param::Int(*v),
            Param::Real(v) => Param::Real(*v),
        }
    }
}

impl ToParam for Param<'_> {
    fn to_param(&self) -> Param<'_> {
        match self {
            Param::Text(t) => Param::Text(Cow::Borrowed(t)),
            Param::Null => Param::Null,
            Param::Int(v) => Param::Int(*v),
            Param::Real(v) => Param::Real(*v),
        }
    }
}

/// Statement parameters: `p![a, b]` borrows each.
macro_rules! p {
    ($($value:expr),* $(,)?) => {
        &[$($crate::store::db::ToParam::to_param(&$value)),*] as &[$crate::store::db::Param<'_>]
    };
}
pub(crate) use p;

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef as V};
        Ok(ToSqlOutput::Borrowed(match self {
            Param::Null => V::Null,
            Param::Int(v) => V::Integer(*v),
            Param::Real(v) => V::Real(*v),
            Param::Text(t) => V::Text(t.as_bytes()),
        }))
    }
}

impl postgres::types::ToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        use postgres::types::Type;
        match (self, ty) {
            (Param::Null, _) => Ok(postgres::types::IsNull::Yes),
            (Param::Int(v), &Type::INT8) => v.to_sql(ty, out),
            (Param::Int(v), &Type::INT4) => i32::try_from(*v)?.to_sql(ty, out),
            (Param::Int(v), &Type::INT2) => i16::try_from(*v)?.to_sql(ty, out),
            (Param::Int(v), &Type::BOOL) => (*v != 0).to_sql(ty, out),
            (Param::Int(v), &Type::FLOAT8) => (*v as f64).to_sql(ty, out),
            (Param::Int(v), &Type::TEXT | &Type::VARCHAR) => v.to_string().to_sql(ty, out),
            (Param::Real(v), &Type::FLOAT8) => v.to_sql(ty, out),
            (Param::Real(v), &Type::FLOAT4) => (*v as f32).to_sql(ty, out),
            (Param::Text(t), &Type::TEXT | &Type::VARCHAR | &Type::BPCHAR | &Type::NAME | &Type::UNKNOWN) => {
                t.as_ref().to_sql(ty, out)
            }
            (param, ty) => Err(format!("cannot pass {param:?} as {ty}").into()),
        }
    }

    fn accepts(_: &postgres::types::Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

impl Db {
    pub fn connect_postgres(url: &str) -> Result<Db> {
        let db = Db::Postgres(PgConn::connect(url)?);
        // The schema the URL names (`options=-csearch_path=…`) is made on first use.
        let path: String = db.query_one("SELECT current_setting('search_path')", &[], |row| row.get(0))?;
        if let Some(first) = path.split(',').map(str::trim).find(|s| !s.is_empty() && !s.contains('$')) {
            let first = first.trim_matches('"');
            if first.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                db.batch(&format!("CREATE SCHEMA IF NOT EXISTS {first}"))?;
            }
        }
        Ok(db)
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Runs one statement; returns the rows it changed.
    pub fn execute(&self, sql: &str, params: &[Param<'_>]) -> Result<usize> {
        match self {
            Db::Sqlite(conn) => Ok(conn.prepare_cached(sql)?.execute(rusqlite::params_from_iter(params))?),
            Db::Postgres(pg) => pg.with_statement(sql, params, |client, statement, params| {
                Ok(client.execute(statement, params)? as usize)
            }),
        }
    }

    /// Every row the query returns, each through `f`.
    pub fn query<T>(
        &self,
        sql: &str,
        params: &[Param<'_>],
        mut f: impl FnMut(&Row<'_, '_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        match self {
            Db::Sqlite(conn) => {
                let mut statement = conn.prepare_cached(sql)?;
                let mut rows = statement.query(rusqlite::params_from_iter(params))?;
                let mut out = Vec::new();
                while let Some(row) = rows.next()? {
                    out.push(f(&Row::Sqlite(row))?);
                }
                Ok(out)
            }
            Db::Postgres(pg) => {
                let rows = pg.with_statement(sql, params, |client, statement, params| {
                    Ok(client.query(statement, params)?)
                })?;
                rows.iter().map(|row| f(&Row::Postgres(row))).collect()
            }
        }
    }

    /// Every row the query returns, each through `f` as it is read: on SQLite nothing is
    /// held but the row at hand; on PostgreSQL a cursor is read [`CURSOR_ROWS`] rows at a
    /// time (a query with parameters arrives whole).
    pub fn query_each(
        &self,
        sql: &str,
        params: &[Param<'_>],
        mut f: impl FnMut(&Row<'_, '_>) -> Result<()>,
    ) -> Result<()> {
        match self {
            Db::Sqlite(conn) => {
                let mut statement = conn.prepare_cached(sql)?;
                let mut rows = statement.query(rusqlite::params_from_iter(params))?;
                while let Some(row) = rows.next()? {
                    f(&Row::Sqlite(row))?;
                }
                Ok(())
            }
            Db::Postgres(_) if !params.is_empty() => self.query(sql, params, f).map(drop),
            Db::Postgres(pg) => {
                // WITH HOLD: a cursor outside the caller's transaction, if there is none, lives
                // on (the server keeps what is left of the result, not this process).
                static CURSORS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
                let name =
                    format!("oppgraph_rows_{}", CURSORS.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
                let declare = format!("DECLARE {name} NO SCROLL CURSOR WITH HOLD FOR {}", postgres_sql(sql));
                pg.call(move |session| Ok(session.client.batch_execute(&declare)?))?;
                let fetch = format!("FETCH FORWARD {CURSOR_ROWS} FROM {name}");
                let read = (|| loop {
                    let fetch = fetch.clone();
                    let rows = pg.call(move |session| Ok(session.client.query(&fetch, &[])?))?;
                    for row in &rows {
                        f(&Row::Postgres(row))?;
                    }
                    if rows.len() < CURSOR_ROWS {
                        return Ok(());
                    }
                })();
                let close = format!("CLOSE {name}");
                let closed = pg.call(move |session| Ok(session.client.batch_execute(&close)?));
                read.and(closed)
            }
        }
    }

    /// The first row, if any.
    pub fn query_opt<T>(
        &self,
        sql: &str,
        params: &[Param<'_>],
        f: impl FnOnce(&Row<'_, '_>) -> Result<T>,
    ) -> Result<Option<T>> {
        match self {
            Db::Sqlite(conn) => {
                let mut statement = conn.prepare_cached(sql)?;
                let mut rows = statement.query(rusqlite::params_from_iter(params))?;
                rows.next()?.map(|row| f(&Row::Sqlite(row))).transpose()
            }
            Db::Postgres(pg) => {
                let rows = pg.with_statement(sql, params, |client, statement, params| {
                    Ok(client.query(statement, params)?)
                })?;
                rows.first().map(|row| f(&Row::Postgres(row))).transpose()
            }
        }
    }

    /// The first row; a query that returns none is an error.
    pub fn query_one<T>(
        &self,
        sql: &str,
        params: &[Param<'_>],
        f: impl FnOnce(&Row<'_, '_>) -> Result<T>,
    ) -> Result<T> {
        self.query_opt(sql, params, f)?
            .ok_or_else(|| StoreError::Corrupt(format!("no row from {}", sql.trim())))
    }

    /// Statements without parameters, separated by `;` (no rewriting).
    pub fn batch(&self, sql: &str) -> Result<()> {
        match self {
            Db::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Db::Postgres(pg) => {
                let sql = sql.to_string();
                pg.call(move |session| Ok(session.client.batch_execute(&sql)?))
            }
        }
    }

    /// Starts the one write transaction (waiting for a writer in any process or node).
    pub fn begin_write(&self) -> Result<Transaction<'_>> {
        self.batch(&self.write_begin())?;
        Ok(Transaction { db: self, open: true, write: true })
    }

    /// SQLite: when the WAL file has grown past `bound` bytes, the writer checkpoints all of it
    /// and cuts the file, before it writes again (see [`WAL_BOUND`]). Readers on an older
    /// state can keep part of it from being copied (the busy timeout bounds the wait); what is
    /// left is copied by a later checkpoint.
    pub(crate) fn bound_wal(&self, bound: u64) -> Result<()> {
        let Db::Sqlite(conn) = self else { return Ok(()) };
        let Some(path) = conn.path().filter(|p| !p.is_empty()) else { return Ok(()) };
        let length = std::fs::metadata(format!("{path}-wal")).map_or(0, |m| m.len());
        if length > bound {
            let started = std::time::Instant::now();
            let (busy, frames, copied): (i64, i64, i64) =
                conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                })?;
            tracing::info!(
                wal_mib = length >> 20,
                busy,
                frames,
                copied,
                ms = started.elapsed().as_millis() as u64,
                "the WAL outgrew its bound: checkpointed and cut by the writer"
            );
        }
        Ok(())
    }

    /// What starts a write transaction: the write lock taken at once.
    fn write_begin(&self) -> String {
        match self {
            Db::Sqlite(_) => "BEGIN IMMEDIATE".into(),
            Db::Postgres(_) => format!("BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})"),
        }
    }

    /// Starts a transaction that reads one consistent state of the store.
    pub fn begin_read(&self) -> Result<Transaction<'_>> {
        match self {
            Db::Sqlite(_) => self.batch("BEGIN")?,
            Db::Postgres(_) => self.batch("BEGIN ISOLATION LEVEL REPEATABLE READ")?,
        }
        Ok(Transaction { db: self, open: true, write: false })
    }
}

/// An open transaction; dropped without [`Transaction::commit`], it rolls back.
pub(crate) struct Transaction<'a> {
    db: &'a Db,
    open: bool,
    /// Begun by [`Db::begin_write`]: only a write's commit bounds the WAL (a read-only
    /// connection cannot checkpoint, and a reader has no business waiting on one).
    write: bool,
}

/// The WAL's length past which the writer checkpoints it and cuts it itself, at a commit
/// ([`Db::bound_wal`]). During an import or a mining run another thread checkpoints beside the
/// writer (`Checkpointer`), but SQLite starts a WAL over only once a checkpoint has copied all
/// of it, which a writer that commits and writes on at once may never allow: a first load of
/// 1M enterprises grew the WAL to 5.3 GB, and one of 5M filled the 50 GB the disk had free
/// (2026-12-05).
pub(crate) const WAL_BOUND: u64 = 1 << 30;

impl Transaction<'_> {
    pub fn commit(mut self) -> Result<()> {
        self.open = false;
        self.db.batch("COMMIT")?;
        if self.write {
            self.db.bound_wal(WAL_BOUND)?;
        }
        Ok(())
    }

    /// Commits and begins another write transaction in its place. If the new one cannot
    /// begin, what was committed stays and nothing is open.
    pub fn commit_and_continue(&mut self) -> Result<()> {
        self.open = false;
        self.db.batch("COMMIT")?;
        self.db.bound_wal(WAL_BOUND)?;
        self.db.batch(&self.db.write_begin())?;
        self.open = true;
        Ok(())
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if self.open {
            // Nothing to report to: a failed rollback leaves the connection to the next BEGIN,
            // which fails loudly.
            let _ = self.db.batch("ROLLBACK");
        }
    }
}

/// SQLite's spelling in PostgreSQL's: `?N` and `?` placeholders become `$N`, `instr` becomes
/// `strpos`, `char(31)` becomes `chr(31)`, `CROSS JOIN … ON` becomes `JOIN … ON`, and
/// `INSERT OR IGNORE` becomes `INSERT … ON CONFLICT DO NOTHING`. Text in quotes is left alone.
pub(crate) fn postgres_sql(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut chars = sql.char_indices().peekable();
    let mut next_bare = 0;
    let mut in_quote = false;
    while let Some((at, c)) = chars.next() {
        if in_quote {
            out.push(c);
            in_quote = c != '\'';
            continue;
        }
        match c {
            '\'' => {
                in_quote = true;
                out.push(c);
            }
            '?' => {
                let mut digits = String::new();
                while let Some(&(_, d)) = chars.peek().filter(|(_, d)| d.is_ascii_digit()) {
                    digits.push(d);
                    chars.next();
                }
                if digits.is_empty() {
                    next_bare += 1;
                    digits = next_bare.to_string();
                }
                out.push('$');
                out.push_str(&digits);
            }
            _ => {
                let rest = &sql[at..];
                let word = |w: &str| rest.len() >= w.len() && rest[..w.len()].eq_ignore_ascii_case(w);
                if word("instr(") {
                    out.push_str("strpos(");
                    for _ in 0.."instr(".len() - 1 {
                        chars.next();
                    }
                } else if word("char(31)") {
                    out.push_str("chr(31)");
                    for _ in 0.."char(31)".len() - 1 {
                        chars.next();
                    }
                } else if word("CROSS JOIN") {
                    out.push_str("JOIN");
                    for _ in 0.."CROSS JOIN".len() - 1 {
                        chars.next();
                    }
                } else if word("INSERT OR IGNORE") {
                    out.push_str("INSERT");
                    for _ in 0.."INSERT OR IGNORE".len() - 1 {
                        chars.next();
                    }
                } else {
                    out.push(c);
                }
            }
        }
    }
    if sql.trim_start().get(..16).is_some_and(|s| s.eq_ignore_ascii_case("INSERT OR IGNORE")) {
        out.push_str(" ON CONFLICT DO NOTHING");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{postgres_sql, Db, StoreError, ValueRef};

    #[test]
    fn text_is_checked_as_utf8_where_it_is_read() {
        let db = Db::Sqlite(rusqlite::Connection::open_in_memory().unwrap());
        db.execute("CREATE TABLE t(a)", &[]).unwrap();
        db.execute("INSERT INTO t VALUES ('中标公告'), (CAST(X'e4b8ade6a0' AS TEXT))", &[]).unwrap();
        let mut read = Vec::new();
        let result = db.query_each("SELECT a FROM t ORDER BY rowid", &[], |row| {
            if let ValueRef::Text(text) = row.value(0)? {
                read.push(text.to_string());
            }
            Ok(())
        });
        assert_eq!(read, ["中标公告"]);
        // The second row is cut inside a character: an error naming where, not text.
        match result {
            Err(StoreError::Corrupt(why)) => {
                assert!(why.contains("column 0") && why.contains("utf-8"), "{why}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn sqlite_spelling_becomes_postgres() {
        assert_eq!(
            postgres_sql("SELECT a FROM t WHERE b = ?1 AND c = ?2"),
            "SELECT a FROM t WHERE b = $1 AND c = $2"
        );
        assert_eq!(postgres_sql("UPDATE t SET a = ? WHERE b = ?"), "UPDATE t SET a = $1 WHERE b = $2");
        assert_eq!(postgres_sql("SELECT '?1', instr(a, ?1)"), "SELECT '?1', strpos(a, $1)");
        assert_eq!(postgres_sql("SELECT kind || char(31) || id"), "SELECT kind || chr(31) || id");
        assert_eq!(
            postgres_sql("SELECT 1 FROM a CROSS JOIN b ON b.id = a.id"),
            "SELECT 1 FROM a JOIN b ON b.id = a.id"
        );
        assert_eq!(
            postgres_sql("INSERT OR IGNORE INTO t(a) VALUES (?1)"),
            "INSERT INTO t(a) VALUES ($1) ON CONFLICT DO NOTHING"
        );
        assert_eq!(postgres_sql("SELECT 'it''s ?'"), "SELECT 'it''s ?'");
    }
}
