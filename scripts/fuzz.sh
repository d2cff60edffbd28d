#!/usr/bin/env bash
# make fuzz: schemathesis against a live server on the in-memory adapters, with an admin token, every check,
# a bounded number of examples per operation and a fixed seed. Fails on any server error or schema violation.
#   FUZZ_EXAMPLES (default 25)   FUZZ_SEED (default 1)
# Left out: DELETE /tokens/{id} (it would revoke the fuzzer's own token) and POST /test/{n} (each example makes
# up to 100,000 real requests; its own tests and make bench cover it).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/services.sh

if ! schemathesis --version 2>/dev/null | grep -q "4.32.5"; then
    echo "installing schemathesis from PyPI" >&2
    python3 -m pip install -q --disable-pip-version-check "schemathesis==4.32.5"
fi

swift build --product assay
port=$(free_port)
token="assay_fuzz-$(python3 -c 'import secrets; print(secrets.token_hex(20))')"
ASSAY_ADMIN_TOKEN=$token ASSAY_SEEDS=seeds .build/debug/assay serve --port "$port" --log-level error &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/health" && break
    sleep 0.2
done

schemathesis --config-file scripts/schemathesis.toml run "http://127.0.0.1:$port/openapi.yaml" \
    --url "http://127.0.0.1:$port" \
    --header "Authorization: Bearer $token" \
    --max-examples "${FUZZ_EXAMPLES:-25}" \
    --seed "${FUZZ_SEED:-1}" \
    --exclude-path '/tokens/{id}' \
    --exclude-path '/test/{n}' \
    --request-timeout 30
