#!/usr/bin/env bash
# Load test of the example server (docs/BENCHMARKS.md, "Example server load test"
# and "PostgreSQL").
#
# Builds scimkit-server in release, seeds a database with USERS users
# (default 1,000,000) and a group of GROUP_MEMBERS members (default 100,000),
# serves it, and drives it with wrk (installed with apt-get if missing):
#   1. GET /Users?filter=userName eq "user<random>@example.com"   (req/s, p99)
#   2. POST /Users with new users                                  (req/s)
#   3. PATCH /Groups/<big> adding one member per request           (median latency)
#
# The database is SQLite (a file in WORK) unless DATABASE_URL names a
# PostgreSQL database (postgres://user@host:port/name): that database is
# created when missing and seeded once; each run then serves a fresh copy of
# it, <name>_run (CREATE DATABASE … TEMPLATE), so every run starts from the
# same state. On SQLite the seeded file is kept as WORK/pristine.db and
# copied to WORK/loadtest.db before each run.
#
# With PROCESSES=2 (PostgreSQL only) two servers serve the same database, on
# PORT and PORT+1, and each measurement runs one wrk per server at the same
# time, with CONNECTIONS split between them; the script prints the sum of
# their requests/s.
#
# Usage: scripts/loadtest.sh            (from the repository root)
# Knobs (environment): USERS, GROUP_MEMBERS, WORK (a directory kept between
# runs: the seeded database is reused), DATABASE_URL, PROCESSES (default 1),
# DURATION (wrk -d, default 20s), CONNECTIONS (default 16, in all),
# THREADS (wrk -t, default 1), PORT (default 18080), BIN (an already built
# scimkit-server; skips the build), SEED_ONLY=1 (seed, do not serve),
# KEEP=1 (serve the database as the last run left it, no fresh copy),
# SERVER_ARGS (more flags for each server, e.g. "--db-connections 8").
set -euo pipefail

USERS=${USERS:-1000000}
GROUP_MEMBERS=${GROUP_MEMBERS:-100000}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-1}
PORT=${PORT:-18080}
PROCESSES=${PROCESSES:-1}
SERVER_ARGS=${SERVER_ARGS:-}
WORK=${WORK:-$(mktemp -d -t scimkit-loadtest.XXXXXX)}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$WORK"

if ! command -v wrk >/dev/null; then
  echo "installing wrk"
  apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi

if [ -z "${BIN:-}" ]; then
  cargo build --release -p scimkit-server
  BIN=${CARGO_TARGET_DIR:-target}/release/scimkit-server
fi

case "${DATABASE_URL:-}" in
  postgres://* | postgresql://*)
    PG=1
    pg_name=${DATABASE_URL##*/}
    pg_name=${pg_name%%\?*}
    pg_base=${DATABASE_URL%/*}
    case "$pg_name" in *[!a-z0-9_]* | "") echo "database name $pg_name: a-z, 0-9 and _ only" >&2; exit 2;; esac
    pg_admin="$pg_base/postgres"
    SEED_DB=$DATABASE_URL
    RUN_DB="$pg_base/${pg_name}_run"
    ;;
  "")
    PG=0
    SEED_DB="sqlite://$WORK/loadtest.db"
    RUN_DB=$SEED_DB
    ;;
  *) echo "DATABASE_URL: postgres://… only (SQLite is the default)" >&2; exit 2;;
esac
if [ "$PROCESSES" -gt 1 ] && [ "$PG" = 0 ]; then
  echo "PROCESSES=$PROCESSES needs PostgreSQL (DATABASE_URL=postgres://…)" >&2
  exit 2
fi

if [ ! -f "$WORK/tenant.env" ]; then
  if [ "$PG" = 1 ]; then
    if [ -z "$(psql "$pg_admin" -tAc "SELECT 1 FROM pg_database WHERE datname = '$pg_name'")" ]; then
      psql "$pg_admin" -qc "CREATE DATABASE $pg_name"
    fi
  fi
  out=$("$BIN" --database-url "$SEED_DB" tenant add loadtest)
  tenant_url=$(printf '%s\n' "$out" | sed -n 's/^Tenant URL: *//p')
  token=$(printf '%s\n' "$out" | sed -n 's/^Secret Token: *//p')
  tenant_id=${tenant_url#*/tenants/}
  tenant_id=${tenant_id%%/*}
  echo "seeding $USERS users and a group of $GROUP_MEMBERS members into $SEED_DB"
  seed=$(RUST_LOG=warn "$BIN" --database-url "$SEED_DB" seed --tenant "$tenant_id" \
    --users "$USERS" --group-members "$GROUP_MEMBERS" --ids-file "$WORK/ids.txt")
  printf '%s\n' "$seed"
  group_id=$(printf '%s\n' "$seed" | sed -n 's/^GROUP_ID=//p')
  if [ "$PG" = 1 ]; then
    psql "$SEED_DB" -qc "VACUUM ANALYZE"
  else
    cp "$WORK/loadtest.db" "$WORK/pristine.db"
  fi
  printf 'TENANT_ID=%s\nSCIMKIT_TOKEN=%s\nGROUP_ID=%s\n' "$tenant_id" "$token" "$group_id" > "$WORK/tenant.env"
fi
[ "${SEED_ONLY:-0}" = 1 ] && exit 0

# shellcheck disable=SC1091
. "$WORK/tenant.env"
export SCIMKIT_TOKEN GROUP_ID USERS
export SCIMKIT_PATH="/tenants/$TENANT_ID/scim/v2"
export IDS_FILE="$WORK/ids.txt"

if [ "${KEEP:-0}" != 1 ]; then
  if [ "$PG" = 1 ]; then
    psql "$pg_admin" -qc "DROP DATABASE IF EXISTS ${pg_name}_run"
    # FILE_COPY (PostgreSQL 15+) copies the files instead of writing them
    # all to the WAL, which the run would then checkpoint.
    psql "$pg_admin" -qc "CREATE DATABASE ${pg_name}_run TEMPLATE $pg_name STRATEGY FILE_COPY" 2>/dev/null ||
      psql "$pg_admin" -qc "CREATE DATABASE ${pg_name}_run TEMPLATE $pg_name"
  elif [ -f "$WORK/pristine.db" ]; then
    rm -f "$WORK/loadtest.db-wal" "$WORK/loadtest.db-shm"
    cp "$WORK/pristine.db" "$WORK/loadtest.db"
  fi
fi

SERVERS=()
cleanup() {
  for s in "${SERVERS[@]}"; do kill -TERM "$s" 2>/dev/null || true; done
  for s in "${SERVERS[@]}"; do wait "$s" 2>/dev/null || true; done
}
trap cleanup EXIT
URLS=()
for p in $(seq 0 $((PROCESSES - 1))); do
  port=$((PORT + p))
  # shellcheck disable=SC2086
  RUST_LOG=warn "$BIN" --database-url "$RUN_DB" --bind "127.0.0.1:$port" $SERVER_ARGS serve \
    > "$WORK/server$p.out" 2> "$WORK/server$p.log" &
  SERVERS+=($!)
  for _ in $(seq 1 100); do
    grep -q '^Listening on' "$WORK/server$p.out" 2>/dev/null && break
    sleep 0.1
  done
  URLS+=("http://127.0.0.1:$port")
done

# drive NAME CONNECTIONS DURATION SCRIPT: one wrk per server at once,
# CONNECTIONS split between them; prints each output and the sum of req/s.
drive() {
  local name=$1 conns=$2 dur=$3 script=$4 per pids=() p
  per=$(( (conns + PROCESSES - 1) / PROCESSES ))
  for p in $(seq 0 $((PROCESSES - 1))); do
    # Each process adds members from its own slice of the ids file.
    ID_START=$((p * 100000 / PROCESSES)) wrk -t"$THREADS" -c"$per" -d"$dur" --latency \
      -s "$HERE/loadtest/$script" "${URLS[$p]}" > "$WORK/wrk-$name-$p.txt" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  for p in $(seq 0 $((PROCESSES - 1))); do
    if [ "$PROCESSES" -gt 1 ]; then echo "-- server $p (${URLS[$p]})"; fi
    cat "$WORK/wrk-$name-$p.txt"
  done
  if [ "$PROCESSES" -gt 1 ]; then
    for p in $(seq 0 $((PROCESSES - 1))); do cat "$WORK/wrk-$name-$p.txt"; done |
      awk -v name="$name" '/^Requests\/sec:/ { s += $2 } END { printf "== %s: %.0f requests/s in all\n", name, s }'
  fi
}

echo "== GET /Users?filter=userName eq (random of $USERS users), $CONNECTIONS connections, $PROCESSES process(es)"
drive get "$CONNECTIONS" "$DURATION" filter_get.lua
echo "== POST /Users, $CONNECTIONS connections, $PROCESSES process(es)"
drive create "$CONNECTIONS" "$DURATION" create.lua
echo "== PATCH /Groups/$GROUP_ID add one member ($GROUP_MEMBERS-member group), 1 connection per process"
drive member "$PROCESSES" 10s add_member.lua
