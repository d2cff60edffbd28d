#!/usr/bin/env bash
# The documentation as a test: docs/embedding.md's examples built and run as an outside package
# (scripts/embedding-guide.py), then the shell examples of README.md and docs/operations.md run in order against a
# fresh server (scripts/doc-commands.py). Under scripts/test.sh it uses that run's throw-away Postgres and Redis;
# alone it starts its own and stops them on exit.
#   scripts/doc-examples.sh [ASSAY_BINARY]      the server binary; default .build/debug/assay
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-${ASSAY_BINARY:-.build/debug/assay}}
. scripts/services.sh

if [ -z "${ASSAY_TEST_POSTGRES_URL:-}" ] || [ -z "${ASSAY_TEST_REDIS_URL:-}" ]; then
    trap stop_services EXIT
    [ -n "${ASSAY_TEST_POSTGRES_URL:-}" ] || start_postgres
    [ -n "${ASSAY_TEST_REDIS_URL:-}" ] || start_redis
fi

# An empty database and a Redis database of their own, so "the first start against an empty database" holds and the
# tests' keys are not in the way.
database="readme_$$_$(date +%s)"
"$(postgres_bin)/psql" -q -v ON_ERROR_STOP=1 "$ASSAY_TEST_POSTGRES_URL" -c "CREATE DATABASE $database" >/dev/null
postgres_url="${ASSAY_TEST_POSTGRES_URL%/*}/$database"
redis_url="${ASSAY_TEST_REDIS_URL%/*}/7"

status=0
python3 scripts/embedding-guide.py || status=1
python3 scripts/doc-commands.py --binary "$binary" --postgres-url "$postgres_url" --redis-url "$redis_url" || status=1
"$(postgres_bin)/psql" -q "$ASSAY_TEST_POSTGRES_URL" -c "DROP DATABASE IF EXISTS $database" >/dev/null 2>&1 || true
exit "$status"
