#!/usr/bin/env bash
# Installs the Debian packages Assay's build, tests and tools need, when missing.
# Root installs them with apt-get; anyone else gets the command to run.
set -euo pipefail

# One list for the whole project: add a package here when a feature needs it.
packages=(ca-certificates curl openssl python3 python3-scipy postgresql postgresql-contrib redis-server libhiredis-dev haproxy)
# The browser tests of /docs and /dashboard (scripts/browser-tests.py): headless Chromium driven by Selenium.
packages+=(chromium chromium-driver python3-selenium fonts-liberation)
# Load generators, only for `make bench`.
[ -n "${BENCH_PACKAGES:-}" ] && packages+=(wrk time redis-tools)

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${missing[*]}" >&2
    echo "install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
echo "installing Debian packages: ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
