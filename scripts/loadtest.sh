#!/usr/bin/env bash
# Load test of the example server (docs/BENCHMARKS.md, "Example server load test").
#
# Builds scimkit-server in release, seeds a SQLite database with USERS users
# (default 1,000,000) and a group of GROUP_MEMBERS members (default 100,000),
# serves it, and drives it with wrk (installed with apt-get if missing):
#   1. GET /Users?filter=userName eq "user<random>@example.com"   (req/s, p99)
#   2. POST /Users with new users                                  (req/s)
#   3. PATCH /Groups/<big> adding one member per request           (median latency)
#
# Usage: scripts/loadtest.sh            (from the repository root)
# Knobs (environment): USERS, GROUP_MEMBERS, WORK (a directory kept between
# runs: the seeded database is reused), DURATION (wrk -d, default 20s),
# CONNECTIONS (default 16), THREADS (wrk -t, default 1), PORT (default 18080),
# BIN (an already built scimkit-server; skips the build).
set -euo pipefail

USERS=${USERS:-1000000}
GROUP_MEMBERS=${GROUP_MEMBERS:-100000}
DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-1}
PORT=${PORT:-18080}
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
DB="sqlite://$WORK/loadtest.db"

if [ ! -f "$WORK/tenant.env" ]; then
  out=$("$BIN" --database-url "$DB" tenant add loadtest)
  tenant_url=$(printf '%s\n' "$out" | sed -n 's/^Tenant URL: *//p')
  token=$(printf '%s\n' "$out" | sed -n 's/^Secret Token: *//p')
  tenant_id=${tenant_url#*/tenants/}
  tenant_id=${tenant_id%%/*}
  echo "seeding $USERS users and a group of $GROUP_MEMBERS members into $WORK/loadtest.db"
  seed=$(RUST_LOG=warn "$BIN" --database-url "$DB" seed --tenant "$tenant_id" \
    --users "$USERS" --group-members "$GROUP_MEMBERS" --ids-file "$WORK/ids.txt")
  printf '%s\n' "$seed"
  group_id=$(printf '%s\n' "$seed" | sed -n 's/^GROUP_ID=//p')
  printf 'TENANT_ID=%s\nSCIMKIT_TOKEN=%s\nGROUP_ID=%s\n' "$tenant_id" "$token" "$group_id" > "$WORK/tenant.env"
fi
# shellcheck disable=SC1091
. "$WORK/tenant.env"
export SCIMKIT_TOKEN GROUP_ID USERS
export SCIMKIT_PATH="/tenants/$TENANT_ID/scim/v2"
export IDS_FILE="$WORK/ids.txt"

RUST_LOG=warn "$BIN" --database-url "$DB" --bind "127.0.0.1:$PORT" serve > "$WORK/server.out" 2> "$WORK/server.log" &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q '^Listening on' "$WORK/server.out" 2>/dev/null && break
  sleep 0.1
done
URL="http://127.0.0.1:$PORT"

echo "== GET /Users?filter=userName eq (random of $USERS users), $CONNECTIONS connections"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$HERE/loadtest/filter_get.lua" "$URL"
echo "== POST /Users, $CONNECTIONS connections"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$HERE/loadtest/create.lua" "$URL"
echo "== PATCH /Groups/$GROUP_ID add one member ($GROUP_MEMBERS-member group), 1 connection"
wrk -t1 -c1 -d10s --latency -s "$HERE/loadtest/add_member.lua" "$URL"
