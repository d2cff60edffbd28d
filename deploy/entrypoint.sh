#!/bin/sh
# Container entrypoint: TLS material, then migrations, then the server. `exec` makes the server PID 1, so
# docker's SIGTERM reaches it and it drains in-flight requests before exiting.
#
#   ASSAY_TLS_SELF_SIGNED=true   writes a self-signed pair at ASSAY_TLS_CERT/ASSAY_TLS_KEY when none is there
#   ASSAY_POSTGRES_URL           when set, `assay migrate` runs first, retried while the database starts
#   ASSAY_MIGRATE_ATTEMPTS       how many times to try (default 30, 2 s apart)
#   ASSAY_BIN                    the assay executable (default /app/assay; tests point it elsewhere)
set -eu

assay=${ASSAY_BIN:-/app/assay}

if [ "${ASSAY_TLS_SELF_SIGNED:-false}" = "true" ] && [ -n "${ASSAY_TLS_CERT:-}" ] && [ ! -s "$ASSAY_TLS_CERT" ]; then
    directory=$(dirname "$ASSAY_TLS_CERT")
    echo "entrypoint: no certificate at $ASSAY_TLS_CERT; writing a self-signed one for development" >&2
    "$assay" cert self-signed --out "$directory"
fi

if [ -n "${ASSAY_POSTGRES_URL:-}" ]; then
    attempts=${ASSAY_MIGRATE_ATTEMPTS:-30}
    attempt=1
    until "$assay" migrate; do
        if [ "$attempt" -ge "$attempts" ]; then
            echo "entrypoint: migrations failed $attempt times; not starting the server" >&2
            exit 1
        fi
        attempt=$((attempt + 1))
        sleep "${ASSAY_MIGRATE_RETRY_SECONDS:-2}"
    done
fi

exec "$assay" serve "$@"
