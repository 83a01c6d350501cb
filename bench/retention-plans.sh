#!/usr/bin/env bash
# PostgreSQL's plans for retention's deletes and the feed's after= reads at 10 M events (issue 13): RetentionPlanTests
# at a larger size, on a throwaway cluster. Takes a few minutes, most of it loading the rows.
#
#   bench/retention-plans.sh [EVENTS]     (default 10000000; a third as many webhook deliveries)
#
# The test fails if any of the statements reads a whole table; the plans are kept in bench/results/retention-plans.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
EVENTS=${1:-10000000}
. .ci/postgres.sh
pg_start
trap pg_stop EXIT
mkdir -p bench/results
RETENTION_PLAN_EVENTS=$EVENTS REQUIRE_POSTGRES=1 TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres" \
  dotnet test tests/Community.Api.Tests --filter "FullyQualifiedName~RetentionPlanTests" --nologo
cp "$ROOT/TestResults/retention-plans.txt" bench/results/retention-plans.txt
echo "bench: plans in bench/results/retention-plans.txt"
