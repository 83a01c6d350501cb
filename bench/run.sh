#!/usr/bin/env bash
# Load test of the hot paths against the real server (Release build, Production settings), reported as
# ratios to /health measured in the same run: absolute numbers vary by machine, ratios much less.
#   bench/run.sh [sqlite|postgres] [members]      (defaults: sqlite 2000)
set -euo pipefail
cd "$(dirname "$0")/.."
PROVIDER=${1:-sqlite}
export BENCH_USERS=${2:-2000}
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
PORT=8099
export BENCH_KEY=bench-key-0123456789abcdef
WORK=$(mktemp -d /tmp/bench.XXXXXX)
. .ci/postgres.sh

command -v wrk >/dev/null || { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

echo "building (Release)…"
dotnet publish src/Community.Api -c Release -o "$WORK/app" --nologo -v quiet >/dev/null

if [ "$PROVIDER" = postgres ]; then
  pg_start
  run_pg "$(command -v psql || echo "$PG_BIN/psql")" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE bench" >/dev/null
  DATABASE_URL="postgresql://postgres@127.0.0.1:$PG_PORT/bench"
else
  DATABASE_URL="sqlite:$WORK/bench.db"
fi
cleanup() { kill "$APP_PID" 2>/dev/null || true; wait "$APP_PID" 2>/dev/null || true; pg_stop; rm -rf "$WORK"; }
trap cleanup EXIT

ASPNETCORE_ENVIRONMENT=Production MODULE_PORT=$PORT DATABASE_URL=$DATABASE_URL LOG_LEVEL=WARNING \
  ENCRYPTION_KEY=$(head -c 32 /dev/urandom | base64) RateLimiting__Enabled=false \
  Auth__ApiKeys__0__Name=bench Auth__ApiKeys__0__Key=$BENCH_KEY Auth__ApiKeys__0__Scopes__0='*' \
  dotnet "$WORK/app/Community.Api.dll" > "$WORK/app.log" 2>&1 &
APP_PID=$!
BASE=http://127.0.0.1:$PORT
for _ in $(seq 1 60); do curl -sf "$BASE/health" >/dev/null && break; sleep 0.5; done

api() { curl -sf -H "X-API-Key: $BENCH_KEY" -H 'Content-Type: application/json' "$@"; }
echo "seeding one community with $BENCH_USERS members ($PROVIDER)…"
COMMUNITY=$(api -X POST "$BASE/api/v1/communities" -d '{"name":"bench","owner":{"platform":"twitch","platform_user_id":"owner"}}' \
  | sed -n 's/.*"data":{"id":\([0-9]*\).*/\1/p')
export BENCH_CHANNEL=bench-channel
api -X POST "$BASE/api/v1/communities/$COMMUNITY/platforms" -d "{\"platform\":\"twitch\",\"platform_community_id\":\"$BENCH_CHANNEL\"}" >/dev/null
seq 1 "$BENCH_USERS" | xargs -P 16 -I{} curl -sf -o /dev/null -H "X-API-Key: $BENCH_KEY" -H 'Content-Type: application/json' \
  -X POST "$BASE/api/v1/members/join" -d "{\"platform\":\"twitch\",\"platform_community_id\":\"$BENCH_CHANNEL\",\"platform_user_id\":\"u{}\"}"

# Cursors for the second and the last page of a sort: the same query shape at depth 1 and at the end,
# for the "page 1 costs what page N costs" check (keyset paging).
cursors() { # sort → "second-page-cursor last-page-cursor"
  local cursor="" first="" page next
  while :; do
    page=$(api "$BASE/api/v1/communities/$COMMUNITY/members?sort=$1&limit=50${cursor:+&cursor=$cursor}")
    next=$(echo "$page" | sed -n 's/.*"next_cursor":"\([^"]*\)".*/\1/p')
    [ -n "$next" ] || break
    [ -n "$first" ] || first=$next
    cursor=$next
  done
  echo "$first $cursor"
}
read -r JOINED_2 JOINED_LAST < <(cursors joined_at)
read -r REP_2 REP_LAST < <(cursors reputation)

run() { # name, wrk args…
  local name=$1; shift
  local out; out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$@")
  local rps; rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  local p50; p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  local p99; p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  local errors; errors=$(echo "$out" | awk '/Non-2xx/ {print $4}')
  printf '%s %s %s %s %s\n' "$name" "$rps" "$p50" "$p99" "${errors:-0}"
}

echo "measuring ($DURATION each, $CONNECTIONS connections)…"
RESULTS=$(
  run health "$BASE/health"
  run lookup -s bench/lookup.lua "$BASE"
  run join_existing -s bench/join.lua "$BASE"
  run joined_page_2 -s bench/get.lua "$BASE/api/v1/communities/$COMMUNITY/members?limit=50&cursor=$JOINED_2"
  run joined_last_page -s bench/get.lua "$BASE/api/v1/communities/$COMMUNITY/members?limit=50&cursor=$JOINED_LAST"
  run reputation_page_2 -s bench/get.lua "$BASE/api/v1/communities/$COMMUNITY/members?sort=reputation&limit=50&cursor=$REP_2"
  run reputation_last -s bench/get.lua "$BASE/api/v1/communities/$COMMUNITY/members?sort=reputation&limit=50&cursor=$REP_LAST"
)
HEALTH=$(echo "$RESULTS" | awk '$1=="health" {print $2}')
echo
echo "provider=$PROVIDER members=$BENCH_USERS cores=$(nproc) duration=$DURATION connections=$CONNECTIONS"
printf '%-20s %12s %10s %10s %8s %14s\n' scenario req/s p50 p99 non-2xx 'ratio to health'
echo "$RESULTS" | while read -r name rps p50 p99 errors; do
  printf '%-20s %12s %10s %10s %8s %14s\n' "$name" "$rps" "$p50" "$p99" "$errors" "$(awk -v a="$rps" -v b="$HEALTH" 'BEGIN{printf "%.2f", a/b}')"
done
