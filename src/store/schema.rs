//! The schema, as the migrations that build it, oldest first.

/// Each entry upgrades the schema by one version. Never edit a shipped entry; append.
pub(super) const MIGRATIONS: &[&str] = &[
    // 1: initial schema
    r#"
    CREATE TABLE enterprises (
        id INTEGER PRIMARY KEY,
        uscc TEXT UNIQUE,
        name TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE TABLE persons (
        id TEXT PRIMARY KEY,
        data TEXT NOT NULL
    );
    CREATE TABLE relations (
        key TEXT PRIMARY KEY,
        to_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX relations_to ON relations(to_id);
    CREATE TABLE records (
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        published TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (kind, id)
    );
    CREATE TABLE managers (
        id TEXT PRIMARY KEY,
        data TEXT NOT NULL
    );
    CREATE TABLE opportunities (
        id TEXT PRIMARY KEY,
        enterprise_id INTEGER NOT NULL,
        manager TEXT,
        score REAL NOT NULL,
        suppressed INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'new',
        mined_at TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX opportunities_rank ON opportunities(suppressed, score DESC);
    CREATE INDEX opportunities_manager ON opportunities(manager);
    CREATE TABLE feedback (
        seq INTEGER PRIMARY KEY,
        opportunity_id TEXT NOT NULL,
        actor TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT,
        note TEXT,
        at TEXT NOT NULL
    );
    CREATE INDEX feedback_opportunity ON feedback(opportunity_id);
    CREATE TABLE alert_reviews (
        alert_id TEXT PRIMARY KEY,
        reviewer TEXT NOT NULL,
        decision TEXT NOT NULL,
        note TEXT,
        at TEXT NOT NULL
    );
    CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL
    );
    "#,
    // 2: people's decisions about name resolution
    r#"
    CREATE TABLE resolution_decisions (
        name TEXT PRIMARY KEY,
        enterprise_id INTEGER,
        decided_by TEXT NOT NULL,
        at TEXT NOT NULL
    );
    "#,
    // 3: a generation counter that every import bumps, so derived data (the graph snapshot)
    // knows when it is stale
    r#"
    CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
    INSERT INTO meta(key, value) VALUES ('generation', 0);
    "#,
    // 4: the log of changes to the rows the graph is derived from, so a graph or snapshot
    // catches up by applying what changed since it was built; and an id for this store, so a
    // snapshot from another store is never taken for this one's. (The generation counter of
    // migration 3 is no longer read.)
    r#"
    CREATE TABLE graph_changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        what TEXT NOT NULL,
        old TEXT,
        new TEXT NOT NULL
    );
    INSERT INTO meta(key, value) VALUES ('graph_changes_pruned', 0);
    INSERT INTO meta(key, value) VALUES ('store_id', random() & 9223372036854775807);
    "#,
    // 5: crawling: every detail page fetched (its validators, content hash and the record it
    // became), every run, the items that failed until a later run fetches them, and when each
    // host was last asked for something (so the next run, in any process, keeps the rate)
    r#"
    CREATE TABLE crawl_pages (
        url TEXT PRIMARY KEY,
        crawler TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX crawl_pages_crawler ON crawl_pages(crawler);
    CREATE TABLE crawl_runs (
        id INTEGER PRIMARY KEY,
        crawler TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX crawl_runs_crawler ON crawl_runs(crawler, id);
    CREATE TABLE crawl_failures (
        crawler TEXT NOT NULL,
        url TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (crawler, url)
    );
    CREATE TABLE crawl_hosts (
        host TEXT PRIMARY KEY,
        last_request_ms INTEGER NOT NULL
    );
    INSERT INTO meta(key, value) VALUES ('mined_seq', -1);
    "#,
    // 6: every record write takes the next record sequence number, so the search index (which
    // keeps the number it has indexed up to in its commit) catches up with whatever the store
    // committed without it — another process's import, or one killed before it indexed
    r#"
    ALTER TABLE records ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
    UPDATE records SET seq = rowid;
    CREATE INDEX records_seq ON records(seq);
    INSERT INTO meta(key, value) VALUES ('record_seq', (SELECT COALESCE(MAX(seq), 0) FROM records));
    "#,
    // 7: lead lists in rank order straight off an index, for one manager or for all (a
    // manager's page no longer scans every live lead); and a flag for the one-off conversion
    // of ID numbers older builds stored in clear
    r#"
    DROP INDEX opportunities_rank;
    DROP INDEX opportunities_manager;
    CREATE INDEX opportunities_rank ON opportunities(suppressed, score DESC, id);
    CREATE INDEX opportunities_manager_rank ON opportunities(manager, suppressed, score DESC, id);
    INSERT INTO meta(key, value) VALUES ('id_numbers_protected', 0);
    "#,
    // 8: delivery. Each live lead is queued once in the outbox (by the mining run that stores
    // it) and put into one delivery, a message to its manager's channel that is retried until
    // it is sent or dead. Times are Unix seconds.
    r#"
    CREATE TABLE outbox (
        opportunity_id TEXT PRIMARY KEY,
        manager TEXT NOT NULL,
        enterprise_id INTEGER NOT NULL,
        queued_at INTEGER NOT NULL,
        state TEXT NOT NULL,
        delivery_id TEXT,
        planned_at INTEGER,
        reason TEXT
    );
    CREATE INDEX outbox_state ON outbox(state, manager);
    CREATE INDEX outbox_delivery ON outbox(delivery_id);
    CREATE TABLE deliveries (
        id TEXT PRIMARY KEY,
        manager TEXT NOT NULL,
        state TEXT NOT NULL,
        next_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX deliveries_due ON deliveries(state, next_at);
    CREATE INDEX deliveries_manager ON deliveries(manager, created_at);
    "#,
    // 9: the watchlist: who watches which enterprise, and up to which logged change and which
    // record sequence number they were told (the change log is kept from there on)
    r#"
    CREATE TABLE watchlist (
        watcher TEXT NOT NULL,
        enterprise_id INTEGER NOT NULL,
        owners INTEGER NOT NULL,
        since INTEGER NOT NULL,
        record_since INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (watcher, enterprise_id)
    );
    "#,
    // 10: leads by enterprise (campaigns, an enterprise's page)
    r#"
    CREATE INDEX opportunities_enterprise ON opportunities(enterprise_id);
    "#,
    // 11: the records naming each enterprise (any party, or a risk event's subject), for its
    // timeline; filled from the stored records once, kept by every record write after
    r#"
    CREATE TABLE record_parties (
        enterprise_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        PRIMARY KEY (enterprise_id, kind, id)
    ) WITHOUT ROWID;
    CREATE INDEX record_parties_record ON record_parties(kind, id);
    WITH paths(path) AS (VALUES ('$.buyer.id'), ('$.agency.id'), ('$.enterprise.id'),
        ('$.counterparty.id'), ('$.pledgor.id'), ('$.pledgee.id'), ('$.seller.id'),
        ('$.subject.Enterprise'))
    INSERT OR IGNORE INTO record_parties(enterprise_id, kind, id)
        SELECT json_extract(r.data, path), r.kind, r.id FROM records r, paths
        WHERE json_type(r.data, path) = 'integer';
    INSERT OR IGNORE INTO record_parties(enterprise_id, kind, id)
        SELECT json_extract(w.value, '$.id'), r.kind, r.id FROM records r, json_each(r.data, '$.winners') w
        WHERE json_type(w.value, '$.id') = 'integer';
    "#,
    // 12: what lead lists filter, sort and count by, as columns (a count per tier over every
    // live lead reads a narrow index, not each lead's JSON); and each enterprise's region
    r#"
    ALTER TABLE opportunities ADD COLUMN tier TEXT NOT NULL DEFAULT 'C';
    ALTER TABLE opportunities ADD COLUMN kind TEXT NOT NULL DEFAULT '';
    ALTER TABLE opportunities ADD COLUMN due TEXT;
    ALTER TABLE opportunities ADD COLUMN amount REAL;
    UPDATE opportunities SET tier = json_extract(data, '$.tier'), kind = json_extract(data, '$.kind'),
        due = json_extract(data, '$.due'), amount = json_extract(data, '$.amount');
    CREATE INDEX opportunities_filters ON opportunities(suppressed, status, tier, kind, due);
    CREATE INDEX opportunities_manager_filters ON opportunities(manager, suppressed, status, tier, kind);
    ALTER TABLE enterprises ADD COLUMN region TEXT;
    UPDATE enterprises SET region = json_extract(data, '$.region');
    "#,
    // 13: every lead's alerts, by alert (the review queue, a review's block, whether an alert
    // exists) without reading every lead's JSON; `rank` is severity × weight
    r#"
    CREATE TABLE opportunity_alerts (
        alert_id TEXT NOT NULL,
        opportunity_id TEXT NOT NULL,
        rank REAL NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (alert_id, opportunity_id)
    ) WITHOUT ROWID;
    CREATE INDEX opportunity_alerts_lead ON opportunity_alerts(opportunity_id);
    CREATE INDEX opportunities_state ON opportunities(id, suppressed, status, score, enterprise_id);
    INSERT OR IGNORE INTO opportunity_alerts(alert_id, opportunity_id, rank, data)
        SELECT json_extract(a.value, '$.id'), o.id,
               json_extract(a.value, '$.severity') * COALESCE(json_extract(a.value, '$.weight'), 1.0), a.value
        FROM opportunities o, json_each(o.data, '$.alerts') a;
    "#,
    // 14: a digest of each lead as mining wrote it, so a run rewrites only the leads it changed
    r#"
    ALTER TABLE opportunities ADD COLUMN digest INTEGER;
    "#,
    // 15: a dispatcher claims the deliveries it sends until then (Unix seconds), so two
    // dispatchers never send one delivery; a claim left by one that died runs out
    r#"
    ALTER TABLE deliveries ADD COLUMN claimed_until INTEGER;
    "#,
    // 16: incremental mining. Each lead's event keys (dedup joins leads on any shared key, so
    // a run that re-mines one lead finds the stored leads it may join); termination notices
    // found without reading every tender; which parties a notice names only as its agency (a
    // run re-mining an agency reads its own records, not every notice it handled); every lead
    // rewritten once by the next run so its keys are stored; and the state the last run mined
    // under (a run under another starts over)
    r#"
    CREATE TABLE opportunity_keys (
        key TEXT NOT NULL,
        opportunity_id TEXT NOT NULL,
        PRIMARY KEY (key, opportunity_id)
    ) WITHOUT ROWID;
    CREATE INDEX opportunity_keys_lead ON opportunity_keys(opportunity_id);
    CREATE INDEX records_terminations ON records(kind, id) WHERE json_extract(data, '$.kind') = 'termination';
    ALTER TABLE record_parties ADD COLUMN agency_only INTEGER NOT NULL DEFAULT 0;
    UPDATE record_parties SET agency_only = 1 WHERE kind = 'tender' AND EXISTS (
        SELECT 1 FROM records r WHERE r.kind = record_parties.kind AND r.id = record_parties.id
          AND json_extract(r.data, '$.agency.id') = record_parties.enterprise_id
          AND COALESCE(json_extract(r.data, '$.buyer.id'), -1) <> record_parties.enterprise_id
          AND NOT EXISTS (SELECT 1 FROM json_each(r.data, '$.winners') w
                          WHERE json_extract(w.value, '$.id') = record_parties.enterprise_id));
    UPDATE opportunities SET digest = NULL;
    INSERT INTO meta(key, value) VALUES ('mined_state', 0), ('mined_feedback_seq', 0);
    "#,
    // 17: the declared supplier relations on their own (few among many relations: a mining
    // run reads which enterprises have one instead of asking for each)
    r#"
    CREATE INDEX relations_supplier ON relations(to_id, key) WHERE kind = 'supplier';
    "#,
    // 18: how many leads stand in each (manager, suppressed, status, tier, kind), kept by
    // triggers as rows of +1 and -1 that each mining write folds together, so the lead counts
    // the workbench shows read a few hundred rows instead of every lead
    r#"
    CREATE TABLE lead_tally (
        manager TEXT,
        suppressed INTEGER NOT NULL,
        status TEXT NOT NULL,
        tier TEXT NOT NULL,
        kind TEXT NOT NULL,
        n INTEGER NOT NULL
    );
    CREATE TRIGGER lead_tally_insert AFTER INSERT ON opportunities BEGIN
        INSERT INTO lead_tally VALUES (new.manager, new.suppressed, new.status, new.tier, new.kind, 1);
    END;
    CREATE TRIGGER lead_tally_delete AFTER DELETE ON opportunities BEGIN
        INSERT INTO lead_tally VALUES (old.manager, old.suppressed, old.status, old.tier, old.kind, -1);
    END;
    CREATE TRIGGER lead_tally_update AFTER UPDATE OF manager, suppressed, status, tier, kind ON opportunities
    WHEN old.manager IS NOT new.manager OR old.suppressed IS NOT new.suppressed OR old.status IS NOT new.status
      OR old.tier IS NOT new.tier OR old.kind IS NOT new.kind
    BEGIN
        INSERT INTO lead_tally VALUES (old.manager, old.suppressed, old.status, old.tier, old.kind, -1);
        INSERT INTO lead_tally VALUES (new.manager, new.suppressed, new.status, new.tier, new.kind, 1);
    END;
    INSERT INTO lead_tally
        SELECT manager, suppressed, status, tier, kind, COUNT(*) FROM opportunities GROUP BY 1, 2, 3, 4, 5;
    "#,
    // 19: every enterprise's name and aliases by their trigrams, for search by part of a name
    // (`Store::find_enterprises`): a scan of 5M enterprises took 6-9 s. Contentless (the names
    // stay in `enterprises`), rowids only (`detail=none`): a query asks for each trigram of
    // the text, and the caller checks the candidates. Kept by triggers, so every write path
    // keeps it, inside its own transaction. PostgreSQL has no counterpart yet (it scans).
    r#"
    CREATE VIRTUAL TABLE enterprise_names USING fts5(
        names, content = '', contentless_delete = 1, detail = none, tokenize = 'trigram'
    );
    INSERT INTO enterprise_names(rowid, names)
        SELECT id, name || char(10) || coalesce(json_extract(data, '$.aliases'), '') FROM enterprises;
    CREATE TRIGGER enterprise_names_insert AFTER INSERT ON enterprises BEGIN
        INSERT INTO enterprise_names(rowid, names)
            VALUES (new.id, new.name || char(10) || coalesce(json_extract(new.data, '$.aliases'), ''));
    END;
    CREATE TRIGGER enterprise_names_update AFTER UPDATE OF name, data ON enterprises
    WHEN old.name IS NOT new.name
      OR json_extract(old.data, '$.aliases') IS NOT json_extract(new.data, '$.aliases')
    BEGIN
        DELETE FROM enterprise_names WHERE rowid = old.id;
        INSERT INTO enterprise_names(rowid, names)
            VALUES (new.id, new.name || char(10) || coalesce(json_extract(new.data, '$.aliases'), ''));
    END;
    CREATE TRIGGER enterprise_names_delete AFTER DELETE ON enterprises BEGIN
        DELETE FROM enterprise_names WHERE rowid = old.id;
    END;
    "#,
    // 20: the day mining first made each lead (its `as_of`), so that a lead's due date is
    // counted from when it was first seen and stays put on later days. Leads stored before
    // have none; they count from the day they were last written (`mined_at`).
    r#"
    ALTER TABLE opportunities ADD COLUMN first_seen TEXT;
    "#,
    // 21: the rank-order indexes carry the status, so that a page of the working list (live,
    // not blocked) is chosen from the index alone: skipping to offset 2,000 read 2,000 rows
    // for their status (3 ms at 1M leads, more where the rows are not cached).
    r#"
    DROP INDEX opportunities_rank;
    DROP INDEX opportunities_manager_rank;
    CREATE INDEX opportunities_rank ON opportunities(suppressed, score DESC, id, status);
    CREATE INDEX opportunities_manager_rank ON opportunities(manager, suppressed, score DESC, id, status);
    "#,
    // 22: an enterprise's names are indexed once per commit (`StoreTx::write_back`), not by a
    // trigger per row: inside a transaction every statement that touches an FTS5 table
    // opens a savepoint, and FTS5 flushes what it holds to disk at each one, so a trigger
    // wrote one tiny segment per enterprise and merged them over and over (a third of an
    // enterprise import's time).
    r#"
    DROP TRIGGER enterprise_names_insert;
    DROP TRIGGER enterprise_names_update;
    "#,
    // 23: why a lead is suppressed, as a column, and where every lead stands (tier, manager,
    // suppression) in one covering index: an incremental run ranks what it re-mined against
    // every stored lead, and read that by scanning the whole table, each lead's JSON with it
    // (41 GB at 5M enterprises for ~60 bytes a lead).
    r#"
    ALTER TABLE opportunities ADD COLUMN suppressed_reason TEXT;
    UPDATE opportunities SET suppressed_reason = json_extract(data, '$.suppressed.reason')
        WHERE suppressed = 1;
    DROP INDEX opportunities_state;
    CREATE INDEX opportunities_state
        ON opportunities(id, suppressed, status, score, enterprise_id, tier, manager, suppressed_reason);
    "#,
    // 24: an enterprise's leads by the index alone (id, digest, first seen): an incremental
    // run reads them for every enterprise it re-mines, and each was a random read of the
    // table (97% of a 5M run's samples at one point). Leads stored before migration 20 count
    // from the day they were last written, as they did.
    r#"
    UPDATE opportunities SET first_seen = substr(mined_at, 1, 10) WHERE first_seen IS NULL;
    DROP INDEX opportunities_enterprise;
    CREATE INDEX opportunities_enterprise ON opportunities(enterprise_id, id, digest, first_seen);
    "#,
    // 25: an alert's kind, and whether it is on the lead's own enterprise, as columns: ranking
    // forces the leads with a direct alert of the policy's kinds into tier C, and found them by
    // parsing every alert's JSON twice (12 s of a 5M incremental run's CPU; an expression
    // index did not help, as SQLite does not read one as covering).
    r#"
    ALTER TABLE opportunity_alerts ADD COLUMN kind TEXT;
    ALTER TABLE opportunity_alerts ADD COLUMN direct INTEGER NOT NULL DEFAULT 0;
    UPDATE opportunity_alerts SET kind = json_extract(data, '$.kind'),
        direct = COALESCE(json_array_length(data, '$.path') <= 1, 0);
    CREATE INDEX opportunity_alerts_direct ON opportunity_alerts(direct, kind, opportunity_id);
    "#,
    // 26: what the date alone moves. The day each lead turns (see `Opportunity::turns_on`),
    // and what a later day brings into a window or takes out of one that no lead knows of yet:
    // records dated after the day mined as of, pledges coming within reach of expiry,
    // relations starting or ending. The day of the last run is kept with its mark; a store
    // without one mines everything next.
    r#"
    ALTER TABLE opportunities ADD COLUMN turns_on TEXT;
    CREATE INDEX opportunities_turns ON opportunities(turns_on, enterprise_id) WHERE turns_on IS NOT NULL;
    CREATE INDEX records_published ON records(published);
    CREATE INDEX records_expires ON records(json_extract(data, '$.expires')) WHERE kind = 'pledge';
    CREATE INDEX relations_start ON relations(json_extract(data, '$.start'))
        WHERE json_extract(data, '$.start') IS NOT NULL;
    CREATE INDEX relations_end ON relations(json_extract(data, '$.end'))
        WHERE json_extract(data, '$.end') IS NOT NULL;
    INSERT INTO meta(key, value) VALUES ('mined_as_of', -1);
    "#,
    // 27: the secondary indexes of records and relations a first load took out, to build them
    // once its rows are in (see `Store::open_import`). SQLite only: PostgreSQL's first load
    // keeps its indexes.
    r#"
    CREATE TABLE deferred_indexes (name TEXT PRIMARY KEY, sql TEXT NOT NULL);
    "#,
    // 28: what ranking last learned from outcomes (the fitted models, as JSON), and how the
    // stored leads were last scored by it (a fingerprint of the models and the day; 0: by the
    // rules alone).
    r#"
    CREATE TABLE learned (id INTEGER PRIMARY KEY, fitted TEXT NOT NULL);
    INSERT INTO meta(key, value) VALUES ('learned_state', 0);
    "#,
    // 29: what incremental mining looks rows up by, as columns written with the row: a
    // relation's start and end, a notice's kind (tender, award, … termination) and a pledge's
    // expiry. Indexes over `json_extract` of them parsed every row's JSON to build (a second
    // of a 100k first load) and again on every write.
    r#"
    ALTER TABLE relations ADD COLUMN start_on TEXT;
    ALTER TABLE relations ADD COLUMN end_on TEXT;
    UPDATE relations SET start_on = json_extract(data, '$.start'), end_on = json_extract(data, '$.end');
    ALTER TABLE records ADD COLUMN notice TEXT;
    ALTER TABLE records ADD COLUMN expires TEXT;
    UPDATE records SET notice = json_extract(data, '$.kind') WHERE kind = 'tender';
    UPDATE records SET expires = json_extract(data, '$.expires') WHERE kind = 'pledge';
    DROP INDEX IF EXISTS relations_start;
    DROP INDEX IF EXISTS relations_end;
    DROP INDEX IF EXISTS records_expires;
    DROP INDEX IF EXISTS records_terminations;
    DELETE FROM deferred_indexes
        WHERE name IN ('relations_start', 'relations_end', 'records_expires', 'records_terminations');
    CREATE INDEX relations_start ON relations(start_on) WHERE start_on IS NOT NULL;
    CREATE INDEX relations_end ON relations(end_on) WHERE end_on IS NOT NULL;
    CREATE INDEX records_expires ON records(expires) WHERE kind = 'pledge';
    CREATE INDEX records_terminations ON records(kind, id) WHERE notice = 'termination';
    "#,
];

/// The PostgreSQL schema, as its own migrations (its version is the `schema_version` row of
/// `meta`). The first is SQLite's schema at its version 14 in one step; what is added to one
/// backend is added to the other. Integers are BIGINT throughout (the store binds i64), JSON
/// stays text (read with `::jsonb` where SQL looks inside).
pub(super) const POSTGRES_MIGRATIONS: &[&str] = &[
    // 1: SQLite's versions 1 to 14
    r#"
    CREATE TABLE meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
    INSERT INTO meta(key, value) VALUES ('schema_version', 0), ('generation', 0),
        ('graph_changes_pruned', 0), ('store_id', floor(random() * 9.2e18)::bigint),
        ('mined_seq', -1), ('record_seq', 0), ('id_numbers_protected', 0), ('graph_seq', 0);
    CREATE TABLE enterprises (
        id BIGSERIAL PRIMARY KEY,
        uscc TEXT UNIQUE,
        name TEXT NOT NULL,
        data TEXT NOT NULL,
        region TEXT
    );
    CREATE TABLE persons (id TEXT PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE relations (
        key TEXT PRIMARY KEY,
        to_id BIGINT NOT NULL,
        kind TEXT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX relations_to ON relations(to_id);
    CREATE TABLE records (
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        published TEXT NOT NULL,
        data TEXT NOT NULL,
        seq BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (kind, id)
    );
    CREATE INDEX records_seq ON records(seq);
    CREATE TABLE managers (id TEXT PRIMARY KEY, data TEXT NOT NULL);
    CREATE TABLE opportunities (
        id TEXT PRIMARY KEY,
        enterprise_id BIGINT NOT NULL,
        manager TEXT,
        score DOUBLE PRECISION NOT NULL,
        suppressed BIGINT NOT NULL,
        status TEXT NOT NULL DEFAULT 'new',
        mined_at TEXT NOT NULL,
        data TEXT NOT NULL,
        tier TEXT NOT NULL DEFAULT 'C',
        kind TEXT NOT NULL DEFAULT '',
        due TEXT,
        amount DOUBLE PRECISION,
        digest BIGINT
    );
    CREATE INDEX opportunities_rank ON opportunities(suppressed, score DESC, id);
    CREATE INDEX opportunities_manager_rank ON opportunities(manager, suppressed, score DESC, id);
    CREATE INDEX opportunities_enterprise ON opportunities(enterprise_id);
    CREATE INDEX opportunities_filters ON opportunities(suppressed, status, tier, kind, due);
    CREATE INDEX opportunities_manager_filters ON opportunities(manager, suppressed, status, tier, kind);
    CREATE TABLE feedback (
        seq BIGSERIAL PRIMARY KEY,
        opportunity_id TEXT NOT NULL,
        actor TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT,
        note TEXT,
        at TEXT NOT NULL
    );
    CREATE INDEX feedback_opportunity ON feedback(opportunity_id);
    CREATE TABLE alert_reviews (
        alert_id TEXT PRIMARY KEY,
        reviewer TEXT NOT NULL,
        decision TEXT NOT NULL,
        note TEXT,
        at TEXT NOT NULL
    );
    CREATE TABLE audit (
        seq BIGSERIAL PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL
    );
    CREATE TABLE resolution_decisions (
        name TEXT PRIMARY KEY,
        enterprise_id BIGINT,
        decided_by TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE TABLE graph_changes (
        seq BIGINT PRIMARY KEY,
        what TEXT NOT NULL,
        old TEXT,
        new TEXT NOT NULL
    );
    CREATE TABLE crawl_pages (url TEXT PRIMARY KEY, crawler TEXT NOT NULL, data TEXT NOT NULL);
    CREATE INDEX crawl_pages_crawler ON crawl_pages(crawler);
    CREATE TABLE crawl_runs (id BIGSERIAL PRIMARY KEY, crawler TEXT NOT NULL, data TEXT NOT NULL);
    CREATE INDEX crawl_runs_crawler ON crawl_runs(crawler, id);
    CREATE TABLE crawl_failures (
        crawler TEXT NOT NULL,
        url TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (crawler, url)
    );
    CREATE TABLE crawl_hosts (host TEXT PRIMARY KEY, last_request_ms BIGINT NOT NULL);
    CREATE TABLE outbox (
        opportunity_id TEXT PRIMARY KEY,
        manager TEXT NOT NULL,
        enterprise_id BIGINT NOT NULL,
        queued_at BIGINT NOT NULL,
        state TEXT NOT NULL,
        delivery_id TEXT,
        planned_at BIGINT,
        reason TEXT
    );
    CREATE INDEX outbox_state ON outbox(state, manager);
    CREATE INDEX outbox_delivery ON outbox(delivery_id);
    CREATE TABLE deliveries (
        id TEXT PRIMARY KEY,
        manager TEXT NOT NULL,
        state TEXT NOT NULL,
        next_at BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX deliveries_due ON deliveries(state, next_at);
    CREATE INDEX deliveries_manager ON deliveries(manager, created_at);
    CREATE TABLE watchlist (
        watcher TEXT NOT NULL,
        enterprise_id BIGINT NOT NULL,
        owners BIGINT NOT NULL,
        since BIGINT NOT NULL,
        record_since BIGINT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (watcher, enterprise_id)
    );
    CREATE TABLE record_parties (
        enterprise_id BIGINT NOT NULL,
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        PRIMARY KEY (enterprise_id, kind, id)
    );
    CREATE INDEX record_parties_record ON record_parties(kind, id);
    CREATE TABLE opportunity_alerts (
        alert_id TEXT NOT NULL,
        opportunity_id TEXT NOT NULL,
        rank DOUBLE PRECISION NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (alert_id, opportunity_id)
    );
    CREATE INDEX opportunity_alerts_lead ON opportunity_alerts(opportunity_id);
    "#,
    // 2: SQLite's 15 (delivery claims)
    r#"
    ALTER TABLE deliveries ADD COLUMN claimed_until BIGINT;
    "#,
    // 3: SQLite's 16 (incremental mining)
    r#"
    CREATE TABLE opportunity_keys (
        key TEXT NOT NULL,
        opportunity_id TEXT NOT NULL,
        PRIMARY KEY (key, opportunity_id)
    );
    CREATE INDEX opportunity_keys_lead ON opportunity_keys(opportunity_id);
    CREATE INDEX records_terminations ON records(kind, id) WHERE (data::jsonb #>> '{kind}') = 'termination';
    ALTER TABLE record_parties ADD COLUMN agency_only BIGINT NOT NULL DEFAULT 0;
    UPDATE record_parties p SET agency_only = 1 FROM records r
        WHERE r.kind = p.kind AND r.id = p.id AND p.kind = 'tender'
          AND (r.data::jsonb #>> '{agency,id}')::bigint = p.enterprise_id
          AND COALESCE((r.data::jsonb #>> '{buyer,id}')::bigint, -1) <> p.enterprise_id
          AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(r.data::jsonb -> 'winners') w
                          WHERE (w #>> '{id}')::bigint = p.enterprise_id);
    UPDATE opportunities SET digest = NULL;
    INSERT INTO meta(key, value) VALUES ('mined_state', 0), ('mined_feedback_seq', 0);
    "#,
    // 4: SQLite's 17 (supplier relations)
    r#"
    CREATE INDEX relations_supplier ON relations(to_id, key) WHERE kind = 'supplier';
    "#,
    // 5: SQLite's 18 (lead counts). Triggers only insert, so writers never wait on one
    // another's counts; folding deletes what it sums in the same statement.
    r#"
    CREATE TABLE lead_tally (
        manager TEXT,
        suppressed BIGINT NOT NULL,
        status TEXT NOT NULL,
        tier TEXT NOT NULL,
        kind TEXT NOT NULL,
        n BIGINT NOT NULL
    );
    CREATE FUNCTION lead_tally_row() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            INSERT INTO lead_tally VALUES (OLD.manager, OLD.suppressed, OLD.status, OLD.tier, OLD.kind, -1);
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN
            INSERT INTO lead_tally VALUES (NEW.manager, NEW.suppressed, NEW.status, NEW.tier, NEW.kind, 1);
        END IF;
        RETURN NULL;
    END
    $$;
    CREATE TRIGGER lead_tally_insert_delete AFTER INSERT OR DELETE ON opportunities
        FOR EACH ROW EXECUTE FUNCTION lead_tally_row();
    CREATE TRIGGER lead_tally_update AFTER UPDATE OF manager, suppressed, status, tier, kind ON opportunities
        FOR EACH ROW
        WHEN (OLD.manager IS DISTINCT FROM NEW.manager OR OLD.suppressed IS DISTINCT FROM NEW.suppressed
              OR OLD.status IS DISTINCT FROM NEW.status OR OLD.tier IS DISTINCT FROM NEW.tier
              OR OLD.kind IS DISTINCT FROM NEW.kind)
        EXECUTE FUNCTION lead_tally_row();
    INSERT INTO lead_tally
        SELECT manager, suppressed, status, tier, kind, COUNT(*) FROM opportunities GROUP BY 1, 2, 3, 4, 5;
    "#,
    // 6: SQLite's 20 (when each lead was first seen). SQLite's 19, the trigram name index,
    // has no counterpart here yet.
    r#"
    ALTER TABLE opportunities ADD COLUMN first_seen TEXT;
    "#,
    // 7: SQLite's 21 (the status in the rank-order indexes, for index-only pages).
    r#"
    DROP INDEX opportunities_rank;
    DROP INDEX opportunities_manager_rank;
    CREATE INDEX opportunities_rank ON opportunities(suppressed, score DESC, id) INCLUDE (status);
    CREATE INDEX opportunities_manager_rank ON opportunities(manager, suppressed, score DESC, id) INCLUDE (status);
    "#,
    // 8: SQLite's 23 (why a lead is suppressed, and where every lead stands, in one index).
    r#"
    ALTER TABLE opportunities ADD COLUMN suppressed_reason TEXT;
    UPDATE opportunities SET suppressed_reason = data::jsonb -> 'suppressed' ->> 'reason'
        WHERE suppressed = 1;
    CREATE INDEX opportunities_state ON opportunities(id)
        INCLUDE (suppressed, status, score, enterprise_id, tier, manager, suppressed_reason);
    "#,
    // 9: SQLite's 24 (an enterprise's leads by the index alone).
    r#"
    UPDATE opportunities SET first_seen = substr(mined_at, 1, 10) WHERE first_seen IS NULL;
    DROP INDEX opportunities_enterprise;
    CREATE INDEX opportunities_enterprise ON opportunities(enterprise_id) INCLUDE (id, digest, first_seen);
    "#,
    // 10: SQLite's 25 (an alert's kind, and whether it is direct, as columns).
    r#"
    ALTER TABLE opportunity_alerts ADD COLUMN kind TEXT;
    ALTER TABLE opportunity_alerts ADD COLUMN direct BIGINT NOT NULL DEFAULT 0;
    UPDATE opportunity_alerts SET kind = data::jsonb ->> 'kind',
        direct = CASE WHEN jsonb_array_length(data::jsonb -> 'path') <= 1 THEN 1 ELSE 0 END;
    CREATE INDEX opportunity_alerts_direct ON opportunity_alerts(direct, kind, opportunity_id);
    "#,
    // 11: SQLite's 26 (what the date alone moves).
    r#"
    ALTER TABLE opportunities ADD COLUMN turns_on TEXT;
    CREATE INDEX opportunities_turns ON opportunities(turns_on, enterprise_id) WHERE turns_on IS NOT NULL;
    CREATE INDEX records_published ON records(published);
    CREATE INDEX records_expires ON records((data::jsonb #>> '{expires}')) WHERE kind = 'pledge';
    CREATE INDEX relations_start ON relations((data::jsonb #>> '{start}'))
        WHERE (data::jsonb #>> '{start}') IS NOT NULL;
    CREATE INDEX relations_end ON relations((data::jsonb #>> '{end}'))
        WHERE (data::jsonb #>> '{end}') IS NOT NULL;
    INSERT INTO meta(key, value) VALUES ('mined_as_of', -1);
    "#,
    // 12: SQLite's 27 (deferred_indexes). PostgreSQL's first load keeps its indexes, so the
    // table stays empty; it is here so both dialects hold the same tables.
    r#"
    CREATE TABLE deferred_indexes (name TEXT PRIMARY KEY, sql TEXT NOT NULL);
    "#,
    // 13: SQLite's 28 (learned models and state).
    r#"
    CREATE TABLE learned (id BIGINT PRIMARY KEY, fitted TEXT NOT NULL);
    INSERT INTO meta(key, value) VALUES ('learned_state', 0);
    "#,
    // 14: SQLite's 29 (the dates and the notice kind as columns).
    r#"
    ALTER TABLE relations ADD COLUMN start_on TEXT;
    ALTER TABLE relations ADD COLUMN end_on TEXT;
    UPDATE relations SET start_on = data::jsonb #>> '{start}', end_on = data::jsonb #>> '{end}';
    ALTER TABLE records ADD COLUMN notice TEXT;
    ALTER TABLE records ADD COLUMN expires TEXT;
    UPDATE records SET notice = data::jsonb #>> '{kind}' WHERE kind = 'tender';
    UPDATE records SET expires = data::jsonb #>> '{expires}' WHERE kind = 'pledge';
    DROP INDEX relations_start;
    DROP INDEX relations_end;
    DROP INDEX records_expires;
    DROP INDEX records_terminations;
    CREATE INDEX relations_start ON relations(start_on) WHERE start_on IS NOT NULL;
    CREATE INDEX relations_end ON relations(end_on) WHERE end_on IS NOT NULL;
    CREATE INDEX records_expires ON records(expires) WHERE kind = 'pledge';
    CREATE INDEX records_terminations ON records(kind, id) WHERE notice = 'termination';
    "#,
];
