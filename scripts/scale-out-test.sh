#!/usr/bin/env bash
# The three-replica test (scripts/scale-out-test.py): three `assay serve` on loopback behind a throw-away HAProxy,
# sharing one Postgres and one Redis. Under scripts/test.sh it uses that run's throw-away Postgres and Redis, with a
# database and a Redis database of its own; alone it starts its own and stops them on exit.
#   scripts/scale-out-test.sh [ASSAY_BINARY [OPTIONS]]   the server binary (default .build/debug/assay); options go to
#                                                       scripts/scale-out-test.py (--drain-seconds 0: no drain)
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-${ASSAY_BINARY:-.build/debug/assay}}
shift || true
. scripts/services.sh

if [ -z "${ASSAY_TEST_POSTGRES_URL:-}" ] || [ -z "${ASSAY_TEST_REDIS_URL:-}" ]; then
    trap stop_services EXIT
    [ -n "${ASSAY_TEST_POSTGRES_URL:-}" ] || start_postgres
    [ -n "${ASSAY_TEST_REDIS_URL:-}" ] || start_redis
fi

database="scale_out_$$_$(date +%s)"
"$(postgres_bin)/psql" -q -v ON_ERROR_STOP=1 "$ASSAY_TEST_POSTGRES_URL" -c "CREATE DATABASE $database" >/dev/null
"$(postgres_bin)/psql" -q -v ON_ERROR_STOP=1 "${ASSAY_TEST_POSTGRES_URL%/*}/$database" -c "CREATE EXTENSION IF NOT EXISTS pg_trgm" >/dev/null
status=0
python3 scripts/scale-out-test.py --binary "$binary" --postgres-url "${ASSAY_TEST_POSTGRES_URL%/*}/$database" \
    --redis-url "${ASSAY_TEST_REDIS_URL%/*}/6" "$@" || status=1
"$(postgres_bin)/psql" -q "$ASSAY_TEST_POSTGRES_URL" -c "DROP DATABASE IF EXISTS $database" >/dev/null 2>&1 || true
exit "$status"
