#!/usr/bin/env bash
# Runs a command beside a throw-away PostgreSQL server: installs Debian's postgresql when the
# machine has none, starts it on 127.0.0.1:$PGPORT in a temporary directory, exports
# OPPGRAPH_PG=postgres://postgres@127.0.0.1:$PGPORT/postgres, runs "$@", and stops the server.
set -euo pipefail
PGPORT="${PGPORT:-54329}"

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$bindir" ]; then
    apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
    bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi

dir=$(mktemp -d)
as_owner=()
if [ "$(id -u)" = 0 ]; then
    # The server refuses to run as root: it runs as Debian's postgres user.
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$dir"
    as_owner=(runuser -u postgres --)
fi
"${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust >/dev/null
"${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-p $PGPORT -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=400" start >/dev/null
stop() {
    "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap stop EXIT

export OPPGRAPH_PG="postgres://postgres@127.0.0.1:$PGPORT/postgres"
"$@"
