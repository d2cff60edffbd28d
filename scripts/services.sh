# Throw-away local services for tests and benchmarks. Source this file, then call start_postgres and start_redis;
# stop_services runs from the caller's EXIT trap, so the servers stop even when a step fails.
# Each server gets a temporary data directory, listens on loopback on a free port, and is not durable.

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

postgres_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$dir" ] || { echo "PostgreSQL server binaries not found; run scripts/install-system-packages.sh as root" >&2; return 1; }
    echo "$dir"
}

# Runs a command as the postgres user when we are root (initdb refuses to run as root).
as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Starts Postgres and exports ASSAY_TEST_POSTGRES_URL. Optional first argument: extra server settings.
start_postgres() {
    local bin port
    bin=$(postgres_bin) || return 1
    port=$(free_port)
    ASSAY_PG_DIR=$(mktemp -d /tmp/assay-pg.XXXXXX)
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$ASSAY_PG_DIR"
    as_postgres "$bin/initdb" -D "$ASSAY_PG_DIR/data" -U assay --auth=trust -E UTF8 --locale=C.UTF-8 >"$ASSAY_PG_DIR/initdb.log" 2>&1 \
        || { cat "$ASSAY_PG_DIR/initdb.log" >&2; return 1; }
    as_postgres "$bin/pg_ctl" -D "$ASSAY_PG_DIR/data" -l "$ASSAY_PG_DIR/server.log" -w -t 60 \
        -o "-p $port -c listen_addresses=127.0.0.1 -k $ASSAY_PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 ${1:-}" \
        start >/dev/null || { cat "$ASSAY_PG_DIR/server.log" >&2; return 1; }
    ASSAY_PG_BIN=$bin
    ASSAY_PG_PORT=$port
    export ASSAY_TEST_POSTGRES_URL="postgres://assay@127.0.0.1:$port/postgres"
    "$bin/psql" -q -v ON_ERROR_STOP=1 "$ASSAY_TEST_POSTGRES_URL" -c "CREATE EXTENSION IF NOT EXISTS pg_trgm" >/dev/null
    echo "postgres: $ASSAY_TEST_POSTGRES_URL (data in $ASSAY_PG_DIR)" >&2
}

stop_postgres() {
    if [ -n "${ASSAY_PG_DIR:-}" ] && [ -d "$ASSAY_PG_DIR/data" ]; then
        as_postgres "$ASSAY_PG_BIN/pg_ctl" -D "$ASSAY_PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
        rm -rf "$ASSAY_PG_DIR"
    fi
    ASSAY_PG_DIR=
}

# Starts Redis without persistence and exports ASSAY_TEST_REDIS_URL.
start_redis() {
    local port
    command -v redis-server >/dev/null || { echo "redis-server not found; run scripts/install-system-packages.sh as root" >&2; return 1; }
    port=$(free_port)
    ASSAY_REDIS_DIR=$(mktemp -d /tmp/assay-redis.XXXXXX)
    redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --daemonize yes \
        --pidfile "$ASSAY_REDIS_DIR/redis.pid" --logfile "$ASSAY_REDIS_DIR/redis.log" --dir "$ASSAY_REDIS_DIR" \
        || { cat "$ASSAY_REDIS_DIR/redis.log" >&2; return 1; }
    local tries=0
    until redis_ping "$port"; do
        tries=$((tries + 1))
        [ "$tries" -lt 100 ] || { echo "redis did not answer on port $port" >&2; cat "$ASSAY_REDIS_DIR/redis.log" >&2; return 1; }
        sleep 0.1
    done
    ASSAY_REDIS_PORT=$port
    export ASSAY_TEST_REDIS_URL="redis://127.0.0.1:$port/0"
    echo "redis: $ASSAY_TEST_REDIS_URL (pid file in $ASSAY_REDIS_DIR)" >&2
}

# Whether a Redis on 127.0.0.1:$1 answers PING (no redis-cli needed).
redis_ping() {
    python3 -c 'import socket, sys
try:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=0.5)
    s.sendall(b"PING\r\n")
    sys.exit(0 if s.recv(16).startswith(b"+PONG") else 1)
except OSError:
    sys.exit(1)' "$1"
}

stop_redis() {
    if [ -n "${ASSAY_REDIS_DIR:-}" ] && [ -d "$ASSAY_REDIS_DIR" ]; then
        if [ -s "$ASSAY_REDIS_DIR/redis.pid" ]; then
            local pid tries=0
            pid=$(cat "$ASSAY_REDIS_DIR/redis.pid")
            kill "$pid" 2>/dev/null || true
            while kill -0 "$pid" 2>/dev/null && [ "$tries" -lt 50 ]; do sleep 0.1; tries=$((tries + 1)); done
            kill -9 "$pid" 2>/dev/null || true
        fi
        rm -rf "$ASSAY_REDIS_DIR"
    fi
    ASSAY_REDIS_DIR=
}

stop_services() {
    stop_redis
    stop_postgres
}
