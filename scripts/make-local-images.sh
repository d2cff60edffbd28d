#!/usr/bin/env bash
# Makes local stand-ins for the official images deploy/ names, for machines that reach Debian's package registry
# but no container image registry (`docker pull` fails). Each image is built only when missing (FORCE=1 rebuilds):
#
#   assay-local/bookworm            Debian 12 minbase from debootstrap: the runtime stage's base, and the build
#                                   stage's base when the binary is built on the host (deploy-check's path)
#   assay-local/postgres:15         Debian's postgresql-15 with an entrypoint that, like the official image,
#                                   initdb's an empty PGDATA from POSTGRES_USER/POSTGRES_PASSWORD/POSTGRES_DB
#   assay-local/redis:7             Debian's redis-server (7.0), with redis-cli for the health check
#   assay-local/haproxy:2.6         Debian's haproxy (2.6), the balancer of docker-compose.scale.yml
#
# The Debian mirror comes from this host's own apt sources (/etc/apt/sources.list.d/*.sources or sources.list), read
# at run time: no registry's host name is written into the repository. Needs root, docker and debootstrap.
#
# Then: SWIFT_IMAGE=assay-local/bookworm RUNTIME_IMAGE=assay-local/bookworm POSTGRES_IMAGE=assay-local/postgres:15
#       REDIS_IMAGE=assay-local/redis:7 ASSAY_PREBUILT=deploy/prebuilt/assay docker-compose ... up --build
# (scripts/deploy-check.sh sets these itself).
set -euo pipefail
cd "$(dirname "$0")/.."

base=assay-local/bookworm
postgres=assay-local/postgres:15
redis=assay-local/redis:7
haproxy=assay-local/haproxy:2.6

exists() { [ -z "${FORCE:-}" ] && docker image inspect "$1" >/dev/null 2>&1; }

# The first Debian archive URI of this host whose suites include bookworm (deb822 first, then one-line sources).
debian_mirror() {
    local file
    for file in /etc/apt/sources.list.d/*.sources; do
        [ -f "$file" ] || continue
        awk 'BEGIN { RS = ""; FS = "\n" }
             { uri = ""; suites = ""
               for (i = 1; i <= NF; i++) {
                   if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", $i); split($i, u, /[ \t]+/); uri = u[1] }
                   if ($i ~ /^Suites:/) suites = $i
               }
               if (uri != "" && suites ~ /[ \t]bookworm([ \t]|$)/) { print uri; exit } }' "$file"
    done | head -n 1 | grep . && return 0
    awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list 2>/dev/null | grep .
}

if ! exists "$base"; then
    mirror=$(debian_mirror) || { echo "make-local-images: no bookworm apt source on this host" >&2; exit 1; }
    root=$(mktemp -d /tmp/assay-rootfs.XXXXXX)
    trap 'rm -rf "$root"' EXIT
    echo "make-local-images: debootstrap --variant=minbase bookworm (from this host's apt source)" >&2
    debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 || { tail -n 30 "$root.log" >&2; exit 1; }
    rm -f "$root.log"
    # The host's own sources (updates and security too) replace the single line debootstrap wrote.
    if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
        cp /etc/apt/sources.list.d/*.sources "$root/etc/apt/sources.list.d/"
        rm -f "$root/etc/apt/sources.list"
    fi
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    tar -C "$root" -c . | docker import - "$base" >/dev/null
    rm -rf "$root"
    trap - EXIT
    echo "make-local-images: $base" >&2
fi

context=$(mktemp -d /tmp/assay-images.XXXXXX)
trap 'rm -rf "$context"' EXIT

if ! exists "$postgres"; then
    cat >"$context/postgres-entrypoint.sh" <<'EOF'
#!/bin/sh
# The official postgres image's contract, for what deploy/docker-compose.yml uses: an empty $PGDATA is initialised
# with POSTGRES_USER (superuser), POSTGRES_PASSWORD (scram-sha-256 from any address) and POSTGRES_DB; then the server
# runs as PID 1 under the postgres user, listening on every address of the container.
set -eu
bin=/usr/lib/postgresql/15/bin
: "${PGDATA:=/var/lib/postgresql/data}"
: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
if [ "$(id -u)" = 0 ]; then
    mkdir -p "$PGDATA" /run/postgresql
    chown -R postgres:postgres "$PGDATA" /run/postgresql
    chmod 700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    [ -n "${POSTGRES_PASSWORD:-}" ] || { echo "postgres: set POSTGRES_PASSWORD" >&2; exit 1; }
    pwfile=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
    "$bin/initdb" -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
        -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwfile"
    echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
    "$bin/pg_ctl" -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    if [ "$POSTGRES_DB" != postgres ]; then
        "$bin/psql" -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres -q -c "CREATE DATABASE \"$POSTGRES_DB\""
    fi
    "$bin/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
    echo "postgres: initialised $PGDATA for $POSTGRES_USER/$POSTGRES_DB" >&2
fi
exec "$bin/postgres" -D "$PGDATA" -c listen_addresses='*' "$@"
EOF
    cat >"$context/Dockerfile.postgres" <<EOF
FROM $base
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-15 \\
    && rm -rf /var/lib/apt/lists/* && mkdir -p /var/lib/postgresql/data && chown -R postgres:postgres /var/lib/postgresql
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENV PATH=/usr/lib/postgresql/15/bin:\$PATH PGDATA=/var/lib/postgresql/data
VOLUME /var/lib/postgresql/data
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
EOF
    chmod +x "$context/postgres-entrypoint.sh"
    docker build -q -f "$context/Dockerfile.postgres" -t "$postgres" "$context" >/dev/null
    echo "make-local-images: $postgres" >&2
fi

if ! exists "$redis"; then
    cat >"$context/redis-entrypoint.sh" <<'EOF'
#!/bin/sh
# As the official redis image: the data directory belongs to redis, and the server runs as redis, as PID 1.
set -eu
if [ "$(id -u)" = 0 ]; then
    chown -R redis:redis /data
    exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
fi
exec "$@"
EOF
    cat >"$context/Dockerfile.redis" <<EOF
FROM $base
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server redis-tools \\
    && rm -rf /var/lib/apt/lists/* && mkdir -p /data && chown redis:redis /data
COPY redis-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
VOLUME /data
WORKDIR /data
EXPOSE 6379
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["redis-server"]
EOF
    chmod +x "$context/redis-entrypoint.sh"
    docker build -q -f "$context/Dockerfile.redis" -t "$redis" "$context" >/dev/null
    echo "make-local-images: $redis" >&2
fi

if ! exists "$haproxy"; then
    cat >"$context/Dockerfile.haproxy" <<EOF
FROM $base
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends haproxy \\
    && rm -rf /var/lib/apt/lists/*
EXPOSE 8080
STOPSIGNAL SIGUSR1
CMD ["haproxy", "-W", "-db", "-f", "/etc/haproxy/haproxy.cfg"]
EOF
    docker build -q -f "$context/Dockerfile.haproxy" -t "$haproxy" "$context" >/dev/null
    echo "make-local-images: $haproxy" >&2
fi
