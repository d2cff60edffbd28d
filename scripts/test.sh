#!/usr/bin/env bash
# Builds once and runs every test against throw-away Postgres and Redis started here and stopped on any exit.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-system-packages.sh

# The house layout (.swift-format): fails on any line `make format` would change.
swift format lint --strict --parallel --recursive Sources Tests Package.swift
. scripts/services.sh
trap stop_services EXIT
start_postgres
start_redis

swift build --build-tests
swift test --skip-build

# The documentation as a test: docs/embedding.md built as an outside package, README.md's and docs/operations.md's
# commands run against a fresh server (about 2 minutes from scratch; scripts/doc-examples.sh).
scripts/doc-examples.sh .build/debug/assay

# The API against its own OpenAPI document: schemathesis, every check, fixed seed (about a minute).
scripts/fuzz.sh
