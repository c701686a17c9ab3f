#!/usr/bin/env bash
# What ranking that learns from outcomes costs a living store: a generated store mined once,
# then 4,000 won/lost outcomes (won where the lead's amount is large against the firm's
# registered capital: something the rules do not weigh), then one more outcome, the next day,
# the same day again, and a full run of that day beside them. Prints each run's seconds and
# peak memory, and the log line of the learning step (outcomes, leads scored again, ms).
#
#   cargo build --release && bash benches/learning.sh [ENTERPRISES]   (default 100000)
#
# Outcomes go into the store the way `oppgraph feedback` writes them (the lead's status and a
# feedback row), in one SQL statement rather than 4,000 processes. Needs the sqlite3 shell.
set -euo pipefail
n=${1:-100000}
bin=${CARGO_TARGET_DIR:-target}/release/oppgraph
[ -x "$bin" ] || { echo "build first: cargo build --release (looked for $bin)" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "needs the sqlite3 shell" >&2; exit 1; }
bin=$(realpath "$bin")
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
run() { # label, then the mine arguments
  local label=$1
  shift
  /usr/bin/time -f "$label: %e s, peak %M KB" "$bin" --data data mine "$@" 2>err >/dev/null || { cat err >&2; exit 1; }
  tail -1 err
  sed 's/\x1b\[[0-9;]*m//g' err | grep -o 'ranking learned from outcomes.*' || true
}
"$bin" gen --enterprises "$n" --out gen --seed 1 --as-of 2026-11-20 >/dev/null 2>err || { tail -5 err >&2; exit 1; }
"$bin" --data data import gen >/dev/null 2>err || { tail -5 err >&2; exit 1; }
run "first run" --as-of 2026-11-20
sqlite3 data/oppgraph.db <<'SQL'
CREATE TEMP TABLE pick AS
  SELECT o.id, CASE WHEN o.amount / COALESCE(json_extract(e.data, '$.registered_capital'), 1e7) > 0.5
    THEN 'won' ELSE 'lost' END AS status
  FROM opportunities o JOIN enterprises e ON e.id = o.enterprise_id
  WHERE o.suppressed = 0 AND o.amount IS NOT NULL ORDER BY substr(o.id, 9) LIMIT 4000;
INSERT INTO feedback(opportunity_id, actor, status, at)
  SELECT id, 'bench', status, '2026-11-20T10:00:00Z' FROM pick;
UPDATE opportunities SET status = (SELECT status FROM pick WHERE pick.id = opportunities.id)
  WHERE id IN (SELECT id FROM pick);
SQL
run "4,000 outcomes (win rates move: a full run)" --as-of 2026-11-20
sqlite3 data/oppgraph.db <<'SQL'
CREATE TEMP TABLE one AS SELECT id FROM opportunities
  WHERE status = 'new' AND suppressed = 0 AND kind = 'tender_award' ORDER BY id LIMIT 1;
INSERT INTO feedback(opportunity_id, actor, status, at) SELECT id, 'bench', 'lost', '2026-11-20T11:00:00Z' FROM one;
UPDATE opportunities SET status = 'lost' WHERE id IN (SELECT id FROM one);
SQL
run "one more outcome" --as-of 2026-11-20
run "the next day" --as-of 2026-11-21
run "the same day again" --as-of 2026-11-21
run "a full run of that day" --full --as-of 2026-11-21
