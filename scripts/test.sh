#!/usr/bin/env bash
# Builds once and runs every test. Services the tests need are started here and stopped on any exit.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-system-packages.sh

swift build --build-tests
swift test --skip-build
