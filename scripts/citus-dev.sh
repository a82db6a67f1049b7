#!/usr/bin/env bash
# A local Citus cluster for development and the Citus test mode: a coordinator and two
# workers, each its own PostgreSQL instance (data directory and port), run as the postgres
# user, trusting connections from 127.0.0.1 only. It starts an already-installed Citus
# (citus.so in PostgreSQL's library directory; docs/citus.md says how to build it); it never
# downloads anything. Development settings: fsync is off, so a crash can lose the cluster.
#
#   scripts/citus-dev.sh start     # init (first time) and start; prints the test URL
#   scripts/citus-dev.sh stop
#   scripts/citus-dev.sh status
#
# Then:  SALESTRACK_TEST_CITUS_URL=postgresql+psycopg://postgres@127.0.0.1:9700/salestrack \
#          .venv/bin/pytest -n 2 --dist loadgroup -q
set -euo pipefail

DIR="${CITUS_DEV_DIR:-/tmp/salestrack-citus}"
PORTS=(${CITUS_DEV_PORTS:-9700 9701 9702})   # coordinator first, then the workers
DATABASE="${CITUS_DEV_DATABASE:-salestrack}"
OS_USER="${CITUS_DEV_OS_USER:-postgres}"
BIN="$(pg_config --bindir)"
LIB="$(pg_config --pkglibdir)"

as_pg() {
    if [ "$(id -un)" = "$OS_USER" ]; then
        "$@"
    elif [ "$(id -u)" -eq 0 ]; then
        runuser -u "$OS_USER" -- "$@"
    else
        echo "run this as root or as $OS_USER" >&2
        exit 1
    fi
}

sql() {  # sql PORT DATABASE STATEMENT
    as_pg "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U postgres -d "$2" -c "$3"
}

node_dir() { echo "$DIR/node-$1"; }

init_node() {
    local port=$1 data
    data="$(node_dir "$port")"
    [ -f "$data/PG_VERSION" ] && return
    as_pg mkdir -p "$data"
    as_pg "$BIN/initdb" -D "$data" -U postgres --auth=trust --no-instructions >/dev/null
    as_pg tee -a "$data/postgresql.conf" >/dev/null <<EOF
# salestrack citus-dev.sh
shared_preload_libraries = 'citus'
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$data'
max_connections = 300
max_prepared_transactions = 100
wal_level = logical
# Shard moves and tenant isolation decode WAL with Citus's own output plugin, which this
# PostgreSQL (15.20) only allows when listed here.
output_plugin_libraries = 'pgoutput, test_decoding, citus'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
}

start_node() {
    local port=$1 data
    data="$(node_dir "$port")"
    if as_pg "$BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        return
    fi
    as_pg "$BIN/pg_ctl" -D "$data" -l "$data/server.log" -w start >/dev/null
}

prepare_database() {
    local port=$1
    local found
    found="$(as_pg "$BIN/psql" -X -tA -h 127.0.0.1 -p "$port" -U postgres -d postgres \
        -c "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")"
    if [ -z "$found" ]; then
        as_pg "$BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres "$DATABASE"
    fi
    sql "$port" "$DATABASE" "CREATE EXTENSION IF NOT EXISTS citus"
}

start() {
    if [ ! -f "$LIB/citus.so" ]; then
        echo "Citus is not installed ($LIB/citus.so is missing): build it first, see docs/citus.md" >&2
        exit 1
    fi
    as_pg mkdir -p "$DIR"
    for port in "${PORTS[@]}"; do
        init_node "$port"
        start_node "$port"
        prepare_database "$port"
    done
    local coordinator=${PORTS[0]}
    sql "$coordinator" "$DATABASE" "SELECT citus_set_coordinator_host('127.0.0.1', $coordinator)" >/dev/null
    for port in "${PORTS[@]:1}"; do
        sql "$coordinator" "$DATABASE" "SELECT citus_add_node('127.0.0.1', $port)" >/dev/null
    done
    status
    echo "SALESTRACK_TEST_CITUS_URL=postgresql+psycopg://postgres@127.0.0.1:$coordinator/$DATABASE"
}

stop() {
    for port in "${PORTS[@]}"; do
        local data
        data="$(node_dir "$port")"
        if [ -f "$data/PG_VERSION" ]; then
            as_pg "$BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
        fi
    done
    echo "stopped"
}

status() {
    sql "${PORTS[0]}" "$DATABASE" \
        "SELECT nodename, nodeport, noderole, isactive, (SELECT extversion FROM pg_extension WHERE extname = 'citus') AS citus FROM pg_dist_node ORDER BY nodeport"
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) echo "usage: $0 [start|stop|status]" >&2; exit 2 ;;
esac
