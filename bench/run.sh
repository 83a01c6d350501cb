#!/usr/bin/env bash
# Load test of the service's hot paths against the real server (Release build, Production settings), each scenario
# beside an anchor measured in the same run on the same machine: /health for the lookup, and on PostgreSQL pgbench
# running the minimal SQL of the same operation (bench/sql/, prepared statements, the same concurrency, the same
# database). Absolute numbers vary with the machine and its load; ratios within one run much less.
#
#   bench/run.sh postgres|sqlite [--members N] [--hot N] [--connections N] [--duration S] [--warmup S]
#                                [--backlog N] [--drain-seconds S] [--soak [MINUTES]] [--out DIR]
#                                [--only SCENARIO,…] [--database URL]
#
# Seeds one community of --members (1,000,000) with the seed verb (--hot of them chat: lookups and joins of active
# members pick among them), then measures /health, the routing lookup, member pages by joined_at and by reputation at
# page 2 and at the last page, connector joins of active members and of new viewers, the server's RSS, optionally a
# soak of mixed traffic, the webhook dispatcher draining --backlog pending deliveries to a local receiver, and two
# instances (sharing a Redis) taking the lookup and new-viewer joins together, half the connections each, beside the
# one-instance figures of the same run.
# PostgreSQL: its own throwaway cluster, fsync off while seeding and restarted with fsync, synchronous_commit and
# full_page_writes on before anything is measured. Writes bench/results/<provider>.json and .md;
# bench/readme_table.py puts them in the README.
#
# For iterating on one change: --only runs some scenarios (health lookup joined_page_2 joined_last_page reputation_page_2
# reputation_last_page join_existing join_new webhook_drain two_instances; /health always runs; two_instances needs
# lookup and join_new), --database reuses a database seeded
# before (postgresql://… or sqlite:PATH, holding the bench-1 community) instead of a fresh cluster and seed, and
# BENCH_PUBLISHED=DIR runs a Release publish made before instead of building.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

usage() { sed -n '7,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
PROVIDER=${1:-}
case $PROVIDER in postgres|sqlite) shift ;; *) usage ;; esac
MEMBERS=1000000 HOT=5000 CONNECTIONS=32 DURATION=10 WARMUP=15 BACKLOG=10000 DRAIN_SECONDS=60 SOAK_MINUTES="" OUT=$ROOT/bench/results ONLY="" REUSE=""
while [ $# -gt 0 ]; do
  case $1 in
    --members) MEMBERS=$2; shift 2 ;;
    --hot) HOT=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --duration) DURATION=${2%s}; shift 2 ;;
    --warmup) WARMUP=${2%s}; shift 2 ;;
    --backlog) BACKLOG=$2; shift 2 ;;
    --drain-seconds) DRAIN_SECONDS=${2%s}; shift 2 ;;
    --soak) if [[ ${2:-} =~ ^[0-9]+$ ]]; then SOAK_MINUTES=$2; shift 2; else SOAK_MINUTES=5; shift; fi ;;
    --out) OUT=$(realpath -m "$2"); shift 2 ;;
    --only) ONLY=",$2,"; shift 2 ;;
    --database) REUSE=$2; shift 2 ;;
    *) usage ;;
  esac
done

. .ci/postgres.sh
command -v wrk >/dev/null || { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
command -v python3 >/dev/null || { echo "bench: python3 is needed for the receiver and the report" >&2; exit 1; }

export BENCH_KEY=bench-key-0123456789abcdef BENCH_LUA=$ROOT/bench/lua BENCH_HOT=$HOT BENCH_CHANNEL=bench-1
WORK=$(mktemp -d /tmp/bench.XXXXXX)
APP_PID="" RECEIVER_PID="" OTHER_PIDS=()
cleanup() {
  local status=$?
  [ -z "$APP_PID" ] || { kill "$APP_PID" 2>/dev/null; wait "$APP_PID" 2>/dev/null; } || true
  for pid in "${OTHER_PIDS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; done
  [ -z "$RECEIVER_PID" ] || { kill "$RECEIVER_PID" 2>/dev/null; wait "$RECEIVER_PID" 2>/dev/null; } || true
  pg_stop || true
  if [ "$status" -ne 0 ]; then
    echo "bench: failed; the server's log and the run's files are in $WORK" >&2
    tail -20 "$WORK/app.log" 2>/dev/null >&2 || true
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT
loadavg() { cut -d' ' -f1 /proc/loadavg; }
LOAD_BEFORE=$(loadavg)

APP=$WORK/app
if [ -n "${BENCH_PUBLISHED:-}" ]; then APP=$BENCH_PUBLISHED # a Release publish of this very tree, to iterate on the bench itself
else
  echo "bench: building (Release)…"
  dotnet publish src/Community.Api -c Release -o "$APP" --nologo -v quiet >/dev/null
fi

if [ -n "$REUSE" ]; then
  DATABASE_URL=$REUSE
  FSYNC=$([ "$PROVIDER" = postgres ] && psql -X -Atc 'SHOW fsync' "$DATABASE_URL" || echo n/a)
elif [ "$PROVIDER" = postgres ]; then
  pg_start # the usual throwaway cluster (fsync off): seeding is a bulk load, not what is measured
  PSQL=("$(command -v psql || echo "$PG_BIN/psql")" -h 127.0.0.1 -p "$PG_PORT" -U postgres)
  "${PSQL[@]}" -qc "CREATE DATABASE bench" >/dev/null
  DATABASE_URL="postgresql://postgres@127.0.0.1:$PG_PORT/bench"
  FSYNC=on
else
  DATABASE_URL="sqlite:$WORK/bench.db"
  FSYNC=n/a
fi
ENCRYPTION_KEY=$(head -c 32 /dev/urandom | base64)
SERVICE_ENV=(ASPNETCORE_ENVIRONMENT=Production "DATABASE_URL=$DATABASE_URL" LOG_LEVEL=WARNING
  "ENCRYPTION_KEY=$ENCRYPTION_KEY" RateLimiting__Enabled=false
  Auth__ApiKeys__0__Name=bench "Auth__ApiKeys__0__Key=$BENCH_KEY" 'Auth__ApiKeys__0__Scopes__0=*'
  Webhooks__AllowedHosts__0=127.0.0.1)
service() { env "${SERVICE_ENV[@]}" dotnet "$APP/Community.Api.dll" "$@"; }

SEED_ROWS=0 SEED_SECONDS=None
if [ -z "$REUSE" ]; then
  echo "bench: seeding $MEMBERS members into one community ($PROVIDER)…"
  SEED_START=$(date +%s.%N)
  service seed --communities 1 --members "$MEMBERS" --prefix bench --reputation spread > "$WORK/seed.log"
  SEED_SECONDS=$(awk -v a="$SEED_START" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}')
  SEED_ROWS=$(sed -n 's/.*total[^0-9]*\([0-9,]*\).*/\1/p' "$WORK/seed.log" | tr -d ,)
fi

if [ "$PROVIDER" = postgres ] && [ -z "$REUSE" ]; then
  # Measured durable: the same cluster restarted without the throwaway settings, so fsync, synchronous_commit and
  # full_page_writes are on (the defaults). A restart, not ALTER SYSTEM: command-line settings would win over it.
  run_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -w -m fast stop >/dev/null
  run_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -w -l "$PG_DIR/server.log" \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c max_connections=400" start >/dev/null
  [ "$("${PSQL[@]}" -Atc 'SHOW fsync' bench)" = on ] || { echo "bench: PostgreSQL did not come back with fsync on" >&2; exit 1; }
fi
PGBENCH=(pgbench -n -M prepared -c "$CONNECTIONS" -j 2)

PORT=$(free_port)
BASE=http://127.0.0.1:$PORT
env "${SERVICE_ENV[@]}" MODULE_PORT="$PORT" dotnet "$APP/Community.Api.dll" > "$WORK/app.log" 2>&1 &
APP_PID=$!
for _ in $(seq 1 120); do curl -sf "$BASE/health" >/dev/null && break; sleep 0.5; done
curl -sf "$BASE/health" >/dev/null || { echo "bench: the server did not start" >&2; exit 1; }

json() { python3 -c 'import json,sys; d=json.load(sys.stdin)
for k in sys.argv[1:]: d=d[k] if not k.isdigit() else d[int(k)]
print(d)' "$@"; }
urlencode() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }
COMMUNITY=$(curl -sf -H "X-API-Key: $BENCH_KEY" "$BASE/api/v1/lookup?platform=twitch&platform_community_id=$BENCH_CHANNEL" | json data community id)

wants() { [ -z "$ONLY" ] || [[ $ONLY == *",$1,"* ]]; }
for sort in joined_at reputation; do
  file=${sort%_at}
  if wants "${file}_page_2" || wants "${file}_last_page"; then
    echo "bench: the cursors of page 2 and of the last page by $sort…"
    python3 bench/cursors.py "$BASE" "$BENCH_KEY" "$COMMUNITY" "$sort" "$DATABASE_URL" "$ENCRYPTION_KEY" > "$WORK/$file.json"
  fi
done
members_page() { # sort file field → the members URL after that cursor
  echo "$BASE/api/v1/communities/$COMMUNITY/members?sort=$1&limit=50&cursor=$(urlencode "$(json "$3" < "$WORK/$2.json")")"
}

SCENARIOS=$WORK/scenarios.jsonl
: > "$SCENARIOS"
# wrk: a warm-up run that is thrown away, then the measured one. Requests slower than 10 s would count as errors.
# Each wrk run names itself afresh (BENCH_RUN), so scripts that invent new viewers never repeat one.
wrk_run() { # w|m threads connections seconds script url → wrk's report
  BENCH_RUN="$1$RANDOM$RANDOM" wrk -t"$2" -c"$3" -d"$4s" --timeout 10s -s "bench/lua/$5" "$6"
}
# The server's CPU time (utime + stime, from its stat line after the command name) and the machine's busy and total
# time (/proc/stat: user … steal, idle and iowait not busy), in clock ticks: what a scenario cost the server per request,
# and whether it had the cores to itself or waited for them (a low run with a busy machine was starved, not slower).
cpu_sample() {
  awk 'FNR == NR {sub(/^.*\) /, ""); server = $12 + $13; next}
       $1 == "cpu" {print server, $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' "/proc/$APP_PID/stat" /proc/stat
}
measure_wrk() { # script url → result JSON
  local before
  wrk_run w 2 "$CONNECTIONS" "$WARMUP" "$1" "$2" >/dev/null
  before=$(cpu_sample)
  wrk_run m 2 "$CONNECTIONS" "$DURATION" "$1" "$2" > "$WORK/measured.out"
  python3 bench/measure.py wrk --cpu "$before" "$(cpu_sample)" < "$WORK/measured.out"
}
# Each of the chatting members once, so a cached scenario measures the cache, not its filling. wrk runs for its whole
# -d even when every thread has stopped, so -d is sized for ≥ 300 warm-ups a second: far longer, and the first entries
# would near the cache's 2-minute lifetime while the scenario is measured.
WARM_SECONDS=$((HOT / 300 + 5))
warm() { # lookup|join [base] [threads]
  BENCH_WARM=$1 BENCH_THREADS=${3:-2} wrk -t"${3:-2}" -c"$CONNECTIONS" -d"${WARM_SECONDS}s" --timeout 10s -s bench/lua/warm.lua "${2:-$BASE}" >/dev/null
}
measure_pgbench() { # script, -D variables… → result JSON
  local script=$1 logs; shift
  logs=$(mktemp -d "$WORK/pgbench.XXXXXX")
  "${PGBENCH[@]}" -T "$WARMUP" -f "bench/sql/$script" "$@" "$DATABASE_URL" >/dev/null 2>&1
  "${PGBENCH[@]}" -T "$DURATION" -l --log-prefix="$logs/log" -f "bench/sql/$script" "$@" "$DATABASE_URL" 2>&1 | python3 bench/measure.py pgbench "$logs"
}
record() { # name title service-json [anchor-kind anchor-label [anchor-json]]
  local anchor=null
  [[ $3 == "{"* && ( $# -lt 6 || $6 == "{"* ) ]] || { echo "bench: $1 gave no result" >&2; exit 1; }
  if [ $# -ge 5 ]; then anchor="{\"kind\":\"$4\",\"label\":\"$5\"${6:+,\"result\":$6}}"; fi
  printf '{"name":"%s","title":"%s","service":%s,"anchor":%s}\n' "$1" "$2" "$3" "$anchor" >> "$SCENARIOS"
  echo "  $2: $(json rps <<< "$3") ${6:+(anchor $(json rps <<< "$6"))}"
}
# On PostgreSQL each database scenario is followed by its pgbench anchor on the same data; SQLite has none.
anchored() { # name title service-json anchor-label pgbench-script -D variables…
  local name=$1 title=$2 service=$3 label=$4 script=$5; shift 5
  if [ "$PROVIDER" = postgres ]; then record "$name" "$title" "$service" pgbench "$label" "$(measure_pgbench "$script" "$@")"
  else record "$name" "$title" "$service"; fi
}

echo "bench: measuring (${DURATION} s each after ${WARMUP} s of warm-up, $CONNECTIONS connections)…"
# The server has just started: let tiered compilation settle first, or the anchor comes out low and flatters every ratio.
# On two busy cores the JIT's background thread needs ~40 s of load before a database path runs at its steady speed
# (a member page: 220 req/s at first, 700 after): each scenario's warm-up (--warmup, 15 s) finishes what this starts.
wrk -t2 -c"$CONNECTIONS" -d10s -s bench/lua/get.lua "$BASE/health" >/dev/null
wrk -t2 -c"$CONNECTIONS" -d10s -s bench/lua/lookup.lua "$BASE" >/dev/null
for sort in joined_at reputation; do
  [ -f "$WORK/${sort%_at}.json" ] || continue
  wrk -t2 -c"$CONNECTIONS" -d30s -s bench/lua/get.lua "$(members_page "$sort" "${sort%_at}" page2)" >/dev/null
  break
done
record health '`/health`' "$(measure_wrk get.lua "$BASE/health")"
if wants lookup; then
  warm lookup
  LOOKUP_ONE=$(measure_wrk lookup.lua "$BASE")
  record lookup 'routing lookup (cached)' "$LOOKUP_ONE" health '`/health`'
fi

for sort in joined_at reputation; do
  file=${sort%_at} script=page_$file.sql
  for page in page_2 last_page; do
    wants "${file}_$page" || continue
    if [ "$page" = page_2 ]; then field=page2 title="page 2"; else field=last title="last page"; fi
    service_result=$(measure_wrk get.lua "$(members_page "$sort" "$file" "$field")")
    anchored "${file}_$page" "members by \`$sort\`, $title" "$service_result" "the page query" "$script" \
      -D "community=$COMMUNITY" -D "key=$(json "${field}_key" 0 < "$WORK/$file.json")" -D "user=$(json "${field}_key" 1 < "$WORK/$file.json")"
  done
done

if wants join_existing; then
  warm join
  anchored join_existing 'connector join, active member' "$(measure_wrk join.lua "$BASE")" "its one query" join_existing.sql \
    -D "channel=$BENCH_CHANNEL" -D "hot=$HOT"
fi
if wants join_new; then
  JOIN_NEW_ONE=$(measure_wrk join_new.lua "$BASE")
  anchored join_new 'connector join, new viewer' "$JOIN_NEW_ONE" "its minimal transaction" join_new.sql \
    -D "community=$COMMUNITY"
fi

if wants two_instances && [ -n "${LOOKUP_ONE:-}" ] && [ -n "${JOIN_NEW_ONE:-}" ]; then
  echo "bench: two instances sharing one Redis, half the connections each…"
  command -v redis-server >/dev/null || { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }
  REDIS_PORT=$(free_port)
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no > "$WORK/redis.log" 2>&1 &
  OTHER_PIDS+=($!)
  PAIR=()
  for i in 1 2; do
    port=$(free_port)
    env "${SERVICE_ENV[@]}" MODULE_PORT="$port" REDIS_URL="redis://127.0.0.1:$REDIS_PORT" \
      dotnet "$APP/Community.Api.dll" > "$WORK/pair$i.log" 2>&1 &
    OTHER_PIDS+=($!)
    PAIR+=("http://127.0.0.1:$port")
  done
  for base in "${PAIR[@]}"; do
    for _ in $(seq 1 120); do curl -sf "$base/health" >/dev/null && break; sleep 0.5; done
    curl -sf "$base/health" >/dev/null || { echo "bench: a second-phase instance did not start" >&2; exit 1; }
  done
  measure_pair() { # script → the two runs summed
    local half=$((CONNECTIONS / 2)) pids=() i
    for i in 0 1; do wrk_run w 1 "$half" "$WARMUP" "$1" "${PAIR[$i]}" >/dev/null & pids+=($!); done
    wait "${pids[@]}"; pids=()
    for i in 0 1; do wrk_run m 1 "$half" "$DURATION" "$1" "${PAIR[$i]}" > "$WORK/pair-$1-$i.out" & pids+=($!); done
    wait "${pids[@]}"
    python3 bench/measure.py wrk-sum "$WORK/pair-$1-0.out" "$WORK/pair-$1-1.out"
  }
  warm lookup "${PAIR[0]}" 1 & first=$!; warm lookup "${PAIR[1]}" 1 & second=$!; wait "$first" "$second"
  record lookup_two_instances 'routing lookup, two instances' "$(measure_pair lookup.lua)" instances 'one instance' "$LOOKUP_ONE"
  record join_new_two_instances 'connector join, new viewer, two instances' "$(measure_pair join_new.lua)" instances 'one instance' "$JOIN_NEW_ONE"
fi

rss_mb() { awk -v f="$1" '$1 == f":" {printf "%.1f", $2 / 1024}' "/proc/$APP_PID/status"; }
RSS_AFTER_LOAD=$(rss_mb VmRSS)
echo "  RSS after the load: $RSS_AFTER_LOAD MB"

SOAK=""
if [ -n "$SOAK_MINUTES" ]; then
  echo "bench: soak, $SOAK_MINUTES min of mixed traffic…"
  samples=("$(rss_mb VmRSS)")
  BENCH_RUN="s$RANDOM$RANDOM" wrk -t2 -c"$CONNECTIONS" -d"${SOAK_MINUTES}m" --timeout 10s -s bench/lua/soak.lua "$BASE" > "$WORK/soak.out" &
  WRK_PID=$!
  while kill -0 "$WRK_PID" 2>/dev/null; do sleep 10; samples+=("$(rss_mb VmRSS)"); done
  wait "$WRK_PID"
  SOAK=$(python3 -c 'import json, sys
rss = [float(x) for x in sys.argv[3:]]
print(json.dumps({"minutes": float(sys.argv[1]), "rps": json.loads(sys.argv[2])["rps"], "rss_start_mb": rss[0], "rss_end_mb": rss[-1],
                  "rss_min_mb": min(rss), "rss_max_mb": max(rss), "rss_samples_mb": rss}))' \
    "$SOAK_MINUTES" "$(python3 bench/measure.py wrk < "$WORK/soak.out")" "${samples[@]}")
  echo "  RSS over the soak: ${samples[0]} → ${samples[-1]} MB"
fi

if wants webhook_drain; then
  echo "bench: webhook delivery, $BACKLOG pending deliveries to a local receiver…"
  RECEIVER_PORT=$(free_port)
  python3 bench/receiver.py "$RECEIVER_PORT" &
  RECEIVER_PID=$!
  for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$RECEIVER_PORT/stats" >/dev/null && break; sleep 0.1; done
  # Seeded while the server runs (a community it has never seen, so nothing about it is cached); its dispatcher finds the
  # deliveries at its next poll. The rate runs from the first delivery's arrival to the last's, or to the time limit.
  service seed --communities 1 --members $((BACKLOG + 1)) --prefix "hooks$(date +%s)" \
    --webhook-url "http://127.0.0.1:$RECEIVER_PORT/hook" --webhook-backlog "$BACKLOG" > "$WORK/seed-hooks.log"
  DRAIN=$(python3 bench/drain.py "$RECEIVER_PORT" "$BACKLOG" "$DRAIN_SECONDS")
  record webhook_drain "webhook delivery, $BACKLOG pending" "$DRAIN"
fi
RSS_PEAK=$(rss_mb VmHWM)

LOAD_AFTER=$(loadavg)
python3 - "$WORK/meta.json" <<EOF
import json, os, platform, sys
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
memory_kb = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal"))
json.dump({
    "provider": "$PROVIDER",
    "date": "$(date -u +%Y-%m-%dT%H:%MZ)",
    "machine": {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(memory_kb / 1048576, 1), "os": platform.platform(),
                "load_before": $LOAD_BEFORE, "load_after": $LOAD_AFTER},
    "settings": {"members": $MEMBERS, "hot_members": $HOT, "connections": $CONNECTIONS, "duration": "${DURATION} s",
                 "warmup": "${WARMUP} s", "fsync": "$FSYNC", "wrk_threads": 2, "pgbench_jobs": 2, "reputation": "spread",
                 "backlog": $BACKLOG, "drain_limit_seconds": $DRAIN_SECONDS},
    "seed": {"rows": ${SEED_ROWS:-0}, "seconds": $SEED_SECONDS},
    "memory": {"rss_after_load_mb": $RSS_AFTER_LOAD, "rss_peak_mb": $RSS_PEAK, "soak": json.loads('''${SOAK:-null}''')},
}, open(sys.argv[1], "w"), indent=2)
EOF
echo
python3 bench/report.py "$WORK" "$OUT"
echo "bench: results in $OUT/$PROVIDER.json and $PROVIDER.md; python3 bench/readme_table.py puts them in the README."
