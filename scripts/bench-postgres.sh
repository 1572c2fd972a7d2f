#!/bin/bash
# Issue 14's PostgreSQL figures, durable: run inside the test services,
#   scripts/test.sh --with scripts/bench-postgres.sh TRUSTEE_BINARY...
# It restarts the test PostgreSQL with fsync on (scripts/test.sh starts it
# with -c fsync=off, which ALTER SYSTEM cannot override), then for each
# binary, twice, alternated: a closed level of 64 sample clients on an empty
# PostgreSQL database, then the same on SQLite (the ratio target compares
# the two); and once per binary two replicas over one database.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 TRUSTEE_BINARY..." >&2; exit 2; }
U="${TRUSTGATE_TEST_POSTGRES:?run under scripts/test.sh --with}"
PGBIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/psql | sort -V | tail -1)")
hostport=$(echo "$U" | sed -E 's#postgres://[^@]+@([^/]+)/.*#\1#')
H=${hostport%:*}
P=${hostport#*:}
q() { "$PGBIN/psql" -h "$H" -p "$P" -U trustgate -d trustgate -tAc "$1"; }
pgrun() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
DD=$(q 'SHOW data_directory')
SK=$(q 'SHOW unix_socket_directories')
pgrun "$PGBIN/pg_ctl -D $DD -w -m fast -o '-k $SK -p $P -c listen_addresses=127.0.0.1 -c fsync=on' restart" >/dev/null
echo "PostgreSQL $(q 'SHOW server_version'): fsync $(q 'SHOW fsync'), synchronous_commit $(q 'SHOW synchronous_commit')"
n=0
fresh() { "$PGBIN/createdb" -h "$H" -p "$P" -U trustgate "bench$1"; echo "postgres://trustgate@$H:$P/bench$1?sslmode=disable"; }
stamp() { echo "== $1 $2 $(date -u +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"; }
for round in 1 2; do
  for bin in "$@"; do
    n=$((n + 1))
    db=$(fresh $n)
    stamp "$bin" PostgreSQL
    "$bin" bench --store "$db" --tee sample --clients 64 --rate "" | grep -E '^tee|closed'
    stamp "$bin" SQLite
    "$bin" bench --tee sample --clients 64 --rate "" | grep -E 'closed'
  done
done
for bin in "$@"; do
  n=$((n + 1))
  db=$(fresh $n)
  stamp "$bin" "PostgreSQL, 2 replicas"
  "$bin" bench --store "$db" --replicas 2 --tee sample --clients 64 --rate "" | grep -E '^tee|closed|audit|first error'
done
