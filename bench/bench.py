#!/usr/bin/env python3
"""make bench: measures the HTTP API against the database doing the same work, in one run.

Gene catalog: starts a throw-away Postgres, fills it with `assay populate`, runs the release server on it, loads
each endpoint with wrk and the endpoint's SQL with pgbench. Product analytics: the same on products, plus warm
analytics against /health on one server and `assay load` with 1,000 concurrent requests. Route statistics: starts a
throw-away Redis, runs the release server on it, loads GET /api/... with wrk and ZINCRBY with redis-benchmark, then
times GET /stats over 10,000 paths and POST /test/100000. Prints the tables and writes docs/benchmarks.md with a
summary table of every row against its target (--suite routes rewrites only the route-statistics section and the
summary, which is rebuilt from the data each section carries). Every load is bounded in time and targets loopback only.
"""
import argparse
import base64
import concurrent.futures
import csv
import http.client
import datetime
import json
import os
import platform
import random
import re
import resource
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import enrichment_bench
import etl_bench

ROOT = Path(__file__).resolve().parent.parent
ASSAY = ROOT / ".build" / "release" / "assay"
LOGS = Path(tempfile.mkdtemp(prefix="assay-bench-"))
# The admin token the benchmark server is started with; every wrk request carries it.
TOKEN = "assay_bench-" + os.urandom(24).hex()
COMMANDS = []
# The server binary: the release build unless --binary names another (a debug build, to check the script quickly).
BINARY = [ASSAY]


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def run(command, env=None, record=True, **kwargs):
    command = [str(part) for part in command]
    if record:
        COMMANDS.append(shown(command, env))
    return subprocess.run(command, env={**os.environ, **(env or {})}, check=True, text=True, capture_output=True, **kwargs)


def shown(command, env=None):
    """A command as a person would type it: variables first, paths relative to the repository."""
    words = [f"{key}={shlex.quote(value) if not str(value).startswith('assay_') else '$TOKEN'}" for key, value in (env or {}).items()]
    words += [shlex.quote(str(part).replace(str(ROOT) + "/", "")) for part in command]
    return " ".join(words)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """A throw-away server started by scripts/services.sh."""

    def __enter__(self):
        out = run(["bash", "-c", ". scripts/services.sh && start_postgres '-c shared_buffers=512MB' "
                   "&& echo $ASSAY_TEST_POSTGRES_URL && echo $ASSAY_PG_DIR && echo $ASSAY_PG_BIN"], record=False, cwd=ROOT)
        self.url, self.dir, self.bin = out.stdout.split()
        return self

    def __exit__(self, *exc):
        subprocess.run(["bash", "-c", f". scripts/services.sh && ASSAY_PG_DIR={self.dir} ASSAY_PG_BIN={self.bin} stop_postgres"], cwd=ROOT)


class Redis:
    """A throw-away Redis (no persistence) started by scripts/services.sh."""

    def __enter__(self):
        out = run(["bash", "-c", ". scripts/services.sh && start_redis && echo $ASSAY_TEST_REDIS_URL && echo $ASSAY_REDIS_DIR "
                   "&& echo $ASSAY_REDIS_PORT"], record=False, cwd=ROOT)
        self.url, self.dir, self.port = out.stdout.split()
        return self

    def __exit__(self, *exc):
        subprocess.run(["bash", "-c", f". scripts/services.sh && ASSAY_REDIS_DIR={self.dir} stop_redis"], cwd=ROOT)


class Server:
    """The release server on Postgres (or memory) and optionally Redis, on a free loopback port."""

    def __init__(self, database_url=None, pool=8, redis_url=None, env=None):
        self.env = env or {}
        self.port = free_port()
        self.command = [BINARY[0], "serve", "--port", self.port, "--seeds", "", "--log-level", "warning"]
        if database_url:
            self.command += ["--postgres-url", database_url, "--postgres-pool-size", pool]
        if redis_url:
            self.command += ["--redis-url", redis_url]
        self.base = f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        COMMANDS.append(shown(self.command, {"ASSAY_ADMIN_TOKEN": "$TOKEN", **self.env}))
        self.process = subprocess.Popen([str(part) for part in self.command], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                        env={**os.environ, "ASSAY_ADMIN_TOKEN": TOKEN, **self.env})
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/health", timeout=1):
                    return self
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"server exited: {self.process.stderr.read()}")
                time.sleep(0.2)
        raise RuntimeError("server did not become healthy in 30 s")

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def wrk(url, endpoint, connections, duration, env, script="genesets.lua", name=None):
    out = run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s", ROOT / "bench" / script, url],
              env={"BENCH_ENDPOINT": endpoint, "BENCH_TOKEN": TOKEN, **env}, timeout=duration + 60).stdout
    (LOGS / f"wrk-{name or endpoint}.txt").write_text(out)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {p: to_ms(v) for p, v in re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M)}
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rate": rate, "p50": latency["50"], "p99": latency["99"], "non2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(1) if errors else ""}


def failed(http):
    """wrk's non-2xx answers, plus one when it reported socket errors (it counts those apart)."""
    return http["non2xx"] + (1 if http["socket_errors"] else 0)


def to_ms(value):
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def pgbench(database_url, script, clients, duration, variables):
    with tempfile.TemporaryDirectory() as logs:
        command = ["pgbench", "-n", "-M", "prepared", "-c", clients, "-j", "2", "-T", duration, "-l", "--log-prefix", "$LOGS/tx"]
        for key, value in variables.items():
            command += ["-D", f"{key}={value}"]
        command += ["-f", ROOT / "bench" / "pgbench" / script, database_url]
        command = [str(part).replace("$LOGS", logs) for part in command]
        # The server's postgres-nio sends unnamed statements, which Postgres plans with the actual parameters;
        # force_custom_plan gives pgbench's prepared statements the same plans. The threshold matches the server's.
        env = {"PGOPTIONS": "-c pg_trgm.similarity_threshold=0.21 -c plan_cache_mode=force_custom_plan"}
        COMMANDS.append(shown([part.replace(logs, "$LOGS") for part in command], env))
        out = run(command, env=env, record=False, timeout=duration + 60).stdout
        rate = float(re.search(r"tps = ([\d.]+)", out).group(1))
        latencies = sorted(int(line.split()[2]) / 1000 for path in Path(logs).iterdir() for line in path.read_text().splitlines())
    return {"rate": rate, "p50": percentile(latencies, 50), "p99": percentile(latencies, 99)}


def percentile(values, p):
    return values[min(len(values) - 1, int(len(values) * p / 100))] if values else float("nan")


def redis_benchmark(port, clients, requests):
    """redis-benchmark's ZINCRBY on random members of 1000, its rate and latency percentiles (CSV output)."""
    out = run(["redis-benchmark", "-h", "127.0.0.1", "-p", port, "-r", 1000, "-c", clients, "-n", requests, "--csv",
               "zincrby", "bench", "1", "__rand_int__"], timeout=600).stdout
    (LOGS / "redis-benchmark.csv").write_text(out)
    header, row = list(csv.reader(out.strip().splitlines()[-2:]))
    values = dict(zip(header, row))
    return {"rate": float(values["rps"]), "p50": float(values.get("p50_latency_ms", "nan")),
            "p99": float(values.get("p99_latency_ms", "nan"))}


def call(base, method, path, timeout=10):
    """One request with the bench token; returns status and body."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        connection.request(method, path, headers={"Authorization": f"Bearer {TOKEN}"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def reader_token(base, user="bench-reader", scopes=("read",)):
    """A token of a user who is not an admin (`read` unless `scopes` says more; `POST /enrichment` needs `write`),
    issued with the bench's admin token: the catalog rows load the server as such a user, so every query runs its
    visibility check (issue 20) rather than an admin's shortcut."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        body = json.dumps({"name": "bench reader", "user": user, "scopes": list(scopes)})
        connection.request("POST", "/tokens", body=body,
                           headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
        response = connection.getresponse()
        answer = json.loads(response.read())
        if response.status != 201:
            raise RuntimeError(f"POST /tokens answered {response.status}: {answer}")
        return answer["token"]
    finally:
        connection.close()


def catalog_paths(endpoint, count, sets, pool, seed=1):
    """`count` random request paths of a catalog endpoint, drawn as bench/genesets.lua draws them."""
    generator = random.Random(seed)

    def gene_name(i):
        letters, rest = [], i
        for _ in range(4):
            letters.append(chr(65 + rest % 26))
            rest //= 26
        return "".join(letters) + str(rest * 7 + i % 7)

    def path():
        if endpoint == "list":
            cursor = base64.urlsafe_b64encode(f"genesets:{generator.randint(0, sets - 50)}".encode()).decode().rstrip("=")
            return f"/genesets?limit=50&cursor={cursor}"
        if endpoint == "gene":
            return "/genes/" + gene_name(generator.randint(0, pool - 1))
        if endpoint == "gene_search":
            return f"/genes/search?q={gene_name(generator.randint(0, pool - 1))[:4]}&limit=20"
        if endpoint == "title_search":
            return f"/genesets/search/%23{generator.randint(1, sets)}?limit=50"
        raise ValueError(endpoint)
    return [path() for _ in range(count)]


def open_loop(base, endpoint, rate, duration, token, sets, pool):
    """`assay load --rate`: requests on a fixed schedule whatever the answers, latency from each one's due time
    (issue 18), on the same random paths as wrk; returns the report."""
    paths = LOGS / f"paths-{endpoint}.txt"
    if not paths.exists():
        paths.write_text("\n".join(catalog_paths(endpoint, 50_000, sets, pool)) + "\n")
    out = run([BINARY[0], "load", base + "{path}", "--paths", paths, "--rate", f"{rate:.0f}", "--duration", f"{duration}s",
               "--concurrency", 256, "--json"], env={"ASSAY_TOKEN": token}, timeout=duration + 120).stdout
    (LOGS / f"open-loop-{endpoint}-{rate:.0f}.json").write_text(out)
    return json.loads(out)


def assay_load(url, name, *options, timeout=600):
    """`assay load --json` with the bench token (wrk cannot send an exact number of requests, number them, or
    count answers by status); returns its report."""
    out = run([BINARY[0], "load", url, "--json", *options], env={"ASSAY_TOKEN": TOKEN}, timeout=timeout).stdout
    (LOGS / f"load-{name}.json").write_text(out)
    return json.loads(out)


def load_outcome(report):
    """`19,990 of 20,000 succeeded; failed: 503 x 10` from an `assay load` report."""
    failed = [f"{status} x {count:,}" for status, count in sorted(report["status"].items()) if not status.startswith("2")]
    failed += [f"{kind} x {count:,}" for kind, count in sorted(report["errors"].items())]
    return f"{report['successes']:,} of {report['requests']:,} succeeded" + (f"; failed: {', '.join(failed)}" if failed else "")


def within_one_minute(seconds):
    """Waits for the next minute when the next `seconds` would cross one: the analytics window, and so the cache
    key, turns with the minute, and a warm row should not measure the misses that follow."""
    into = time.time() % 60
    if into + seconds > 59 and seconds < 59:
        log(f"waiting {60 - into:.0f} s for a fresh minute")
        time.sleep(60 - into + 0.5)


# The summary: each section carries its rows as a hidden line (area, run, and per row: load, measured, target,
# verdict); the table at the top of the report is rebuilt from those lines whenever the report is written, so a
# run that rewrites one section (--suite routes) leaves a summary that is still true.
SUMMARY_LINE = re.compile(r"^<!-- summary (\{.*\}) -->$", re.M)


def verdict(ok):
    return "met" if ok else "**not met**"


def summary_data(area, run_stamp, rows):
    return f"<!-- summary {json.dumps({'area': area, 'run': run_stamp, 'rows': rows}, ensure_ascii=False)} -->"


def with_summary(report):
    """The report with its "## Summary" section rebuilt from the sections' summary lines."""
    blocks = [json.loads(line) for line in SUMMARY_LINE.findall(report)]
    lines = ["| area | load | measured | target | |", "|---|---|---|---|---|"]
    for block in blocks:
        for load, measured, target, met in block["rows"]:
            lines.append(f"| {block['area']} | {load} | {measured} | {target} | {met} |")
    runs = {}
    for block in blocks:
        runs.setdefault(block["run"], []).append(block["area"])
    note = ("All rows come from the run of " + next(iter(runs)) + "." if len(runs) == 1 else
            "Rows come from different runs: " + "; ".join(f"{', '.join(areas)} from {run}" for run, areas in runs.items()) + ".")
    section = f"""## Summary

Every row of this report against its target. "—" marks a row no issue set a target for; the figure is kept to see
changes. {note}

{chr(10).join(lines)}
"""
    report = re.sub(r"## Summary\n.*?\n(?=## )", "", report, flags=re.S)
    first = report.find("\n## ")
    return report[:first + 1] + section + report[first:] if first >= 0 else report + "\n" + section


def section_of(text, heading):
    """The section of `text` that starts with the line `heading`, up to the next "## " heading; "" when absent."""
    start = text.find(heading + "\n")
    if start < 0:
        return ""
    end = text.find("\n## ", start + len(heading))
    return text[start:] if end < 0 else text[start:end + 1]


def carried_sections(report, previous):
    """The sections of the previous report that this run does not write (History is written from it, and sections
    of other make targets, such as the gene reference's, are kept), so a full run loses no one's figures."""
    def key(heading):  # "## Gene catalog on Postgres (100,000 sets ...)" and the same at another size are one section
        return heading.split(" (")[0]
    written = {key(heading) for heading in re.findall(r"^## .*$", report, flags=re.M)}
    kept = [section_of(previous, heading) for heading in re.findall(r"^## .*$", previous, flags=re.M) if key(heading) not in written]
    return "".join("\n" + section.rstrip("\n") + "\n" for section in kept if section)


def populate_genesets(db, sets, genes_per_set, prefix=""):
    """`assay populate genesets` (seed 1) into `db`; returns its wall time in seconds, the final vacuum included."""
    log(f"{prefix}populating {sets} x {genes_per_set} into {db.url}")
    started = time.monotonic()
    run([BINARY[0], "populate", "genesets", "--sets", sets, "--genes-per-set", genes_per_set, "--seed", "1", "--postgres-url", db.url],
        timeout=3600)
    return time.monotonic() - started


# The gene lookup with a page of 5 sets: the name pool stays at 200,000, so at 1,000,000 sets a gene is in about 50
# sets instead of 5 and the default page (50) carries ten times the rows. With 5 the answer is the same size at both
# catalogs, and what is left to grow is the lookup itself (issue 18: it must not grow with the catalog).
GENE_PAGE_OF_5 = ("gene", "GET /genes/{random name}?limit=5", {"BENCH_GENE_LIMIT": "5"})


def scale_rows(args, at_base, endpoints):
    """Issue 18's scale check: a catalog of --scale-sets sets on a Postgres of its own, populated (timed), then the
    same wrk load on each catalog endpoint as at --sets, and the gene lookup with a page of 5. Returns the populate
    time and each endpoint's wrk figures."""
    with Postgres() as big:
        seconds = populate_genesets(big, args.scale_sets, args.genes_per_set, "scale: ")
        pool = max(args.genes_per_set * 2, min(args.scale_sets * args.genes_per_set // 5, 200_000))
        figures = {}
        with Server(big.url, args.pool) as server:
            reader = reader_token(server.base)
            for endpoint, label, extra in [(endpoint, label, {}) for endpoint, label, _ in endpoints] + [GENE_PAGE_OF_5]:
                log(f"scale: wrk {label} at {args.scale_sets:,} sets")
                env = {"BENCH_SETS": str(args.scale_sets), "BENCH_POOL": str(pool), "BENCH_TOKEN": reader, **extra}
                name = f"{endpoint}_page5_scale" if extra else f"{endpoint}_scale"
                figures[label] = wrk(server.base, endpoint, args.connections, args.duration, env, name=name)
    return {"populate": seconds, "figures": figures, "base": at_base, "pool": pool}


def scale_summary(args, scale):
    """Summary rows of the scale check: populate within 3 minutes; each endpoint's rate and p50 at --scale-sets against
    --sets (within 1.5x for pagination, gene lookup and title search; gene search says how it grows)."""
    rows = [[f"populate genesets, {args.scale_sets:,} x {args.genes_per_set}", f"{scale['populate']:.0f} s "
             f"({args.scale_sets * args.genes_per_set / scale['populate']:,.0f} memberships/s)", "≤ 3 min", verdict(scale["populate"] <= 180)]]
    for label, big in scale["figures"].items():
        base = scale["base"][label]
        slower = max(base["rate"] / big["rate"], big["p50"] / base["p50"])
        measured = (f"{big['rate']:,.0f} req/s, p50 {big['p50']:.2f} ms at {args.scale_sets:,} sets vs {base['rate']:,.0f} req/s, "
                    f"p50 {base['p50']:.2f} ms at {args.sets:,}: rate {big['rate'] / base['rate']:.2f}x, p50 {big['p50'] / base['p50']:.2f}x")
        if "search?q" in label:
            rows.append([f"`{label}` from {args.sets:,} to {args.scale_sets:,} sets", measured, "say how it grows", "—"])
        else:
            target = "within 1.5x of the smaller catalog"
            if label == "GET /genes/{random name}":
                target += " (its page has about 10x the rows there: the `?limit=5` row compares equal pages)"
            rows.append([f"`{label}` from {args.sets:,} to {args.scale_sets:,} sets", measured, target, verdict(slower <= 1.5)])
    return rows


def fill_paths(base, count):
    """Hits /api/stats-bench/{i} once for each i < count, eight at a time, over kept-alive connections."""
    host, port = base.removeprefix("http://").split(":")

    def worker(start):
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        failed = 0
        for index in range(start, count, 8):
            connection.request("GET", f"/api/stats-bench/{index}", headers={"Authorization": f"Bearer {TOKEN}"})
            response = connection.getresponse()
            response.read()
            failed += response.status != 200
        connection.close()
        return failed

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        return sum(pool.map(worker, range(8)))


def route_benchmarks(args):
    """The route-statistics rows: /api vs redis-benchmark ZINCRBY, /stats over 10,000 paths, /test/100000."""
    rows = []
    with Redis() as redis, Server(redis_url=redis.url) as server:
        log("wrk GET /api/{random of 1000}")
        api = wrk(server.base, "api", args.connections, args.duration, {"BENCH_PATHS": "1000"}, script="routes.lua")
        log("redis-benchmark ZINCRBY")
        zincrby = redis_benchmark(redis.port, args.connections, 200_000)
        rows.append((f"`GET /api/{{random of 1000}}`, {args.connections} connections", api,
                     f"redis-benchmark `zincrby bench 1 __rand_int__` (-r 1000, -c {args.connections}, -n 200000)", zincrby))
        # What the HTTP side alone allows, in the same run: /health, and /api on the in-memory counter.
        references = {}
        with Server() as memory:
            log("wrk GET /health and GET /api/... on the in-memory counter (references)")
            references["health"] = wrk(memory.base, "health", args.connections, args.duration, {}, script="products.lua", name="routes-health")
            references["memory"] = wrk(memory.base, "api", args.connections, args.duration, {"BENCH_PATHS": "1000"}, script="routes.lua",
                                       name="api-memory")
        log("filling 10,000 distinct paths")
        COMMANDS.append("# 10,000 requests GET /api/stats-bench/{0..9999}, 8 threads (bench.py fill_paths)")
        failed = fill_paths(server.base, 10_000)
        status, body = call(server.base, "GET", "/stats?limit=500")
        distinct = len(json.loads(body)["items"]) if status == 200 else 0
        log(f"wrk GET /stats?limit=100 ({args.stats_connections} connections)")
        stats = wrk(server.base, "stats", args.stats_connections, args.duration, {}, script="routes.lua")
        log("POST /test/100000")
        COMMANDS.append("curl -X POST -H \"Authorization: Bearer $TOKEN\" " + server.base + "/test/100000")
        started = time.monotonic()
        status, body = call(server.base, "POST", "/test/100000", timeout=300)
        wall = time.monotonic() - started
        selftest = json.loads(body) if status == 200 else {"ok": 0, "failed": "?", "duration_ms": 0}
    return {"zincrby_rows": rows, "stats": stats, "stats_fill_failed": failed, "stats_distinct": distinct,
            "selftest": selftest, "selftest_wall": wall, "selftest_status": status, "references": references}


def route_section(routes, args, commands, stamp):
    lines = ["| load | req/s | p50 ms | p99 ms | non-2xx | redis-benchmark, same Redis | ops/s | p50 / p99 ms | ratio |",
             "|---|---:|---:|---:|---:|---|---:|---:|---:|"]
    for label, http, other_label, other in routes["zincrby_rows"]:
        errors = http["non2xx"] + (1 if http["socket_errors"] else 0)
        lines.append(f"| {label} | {http['rate']:,.0f} | {http['p50']:.2f} | {http['p99']:.2f} | {errors} | {other_label} | "
                     f"{other['rate']:,.0f} | {other['p50']:.2f} / {other['p99']:.2f} | {http['rate'] / other['rate']:.2f}x |")
    references = routes["references"]
    api = routes["zincrby_rows"][0][1]
    reference_lines = [
        f"- Same run, a server without Redis: `GET /health` {references['health']['rate']:,.0f} req/s (p99 {references['health']['p99']:.2f} ms), "
        f"`GET /api/...` on the in-memory counter {references['memory']['rate']:,.0f} req/s (p99 {references['memory']['p99']:.2f} ms).",
        f"  `/api` on Redis runs at {api['rate'] / references['memory']['rate']:.2f}x the in-memory counter and "
        f"{api['rate'] / references['health']['rate']:.2f}x `/health`: 0.5x of redis-benchmark needs "
        f"{routes['zincrby_rows'][0][3]['rate'] / 2:,.0f} req/s, against a `/health` ceiling of {references['health']['rate']:,.0f} here.",
    ]
    stats = routes["stats"]
    selftest = routes["selftest"]
    summary = []
    for label, http, other_label, other in routes["zincrby_rows"]:
        ratio = http["rate"] / other["rate"]
        summary.append([f"{label} vs redis-benchmark ZINCRBY, same Redis",
                        f"{http['rate']:,.0f} req/s vs {other['rate']:,.0f} ops/s = {ratio:.2f}x", "≥ 0.5x", verdict(ratio >= 0.5)])
    # Issue 18: /api on Redis at least 0.8x /health of a server without Redis, and /api in memory at least 0.9x.
    health = references["health"]["rate"]
    api_rate = routes["zincrby_rows"][0][1]["rate"]
    summary.append(["`GET /api/{random of 1000}` on Redis vs `GET /health`, same run", f"{api_rate:,.0f} vs {health:,.0f} req/s = "
                    f"{api_rate / health:.2f}x", "≥ 0.8x", verdict(api_rate >= 0.8 * health)])
    summary.append(["`GET /api/{random of 1000}` in memory vs `GET /health`, same run", f"{references['memory']['rate']:,.0f} vs "
                    f"{health:,.0f} req/s = {references['memory']['rate'] / health:.2f}x", "≥ 0.9x",
                    verdict(references["memory"]["rate"] >= 0.9 * health)])
    summary.append([f"`GET /stats?limit=100` over 10,000+ paths, {args.stats_connections} connections", f"p99 {stats['p99']:.2f} ms, "
                    f"non-2xx {stats['non2xx']}", "p99 < 10 ms", verdict(stats["p99"] < 10 and stats["non2xx"] == 0)])
    wall = routes["selftest_wall"]
    summary.append(["`POST /test/100000`", f"{selftest.get('ok')} ok, {selftest.get('failed')} failed in {wall:.1f} s",
                    "under 15 s, none failed", verdict(routes["selftest_status"] == 200 and selftest.get("failed") == 0 and wall < 15)])
    return f"""## Route statistics on Redis

Run of {stamp}. The release server on the in-memory store with `--redis-url` pointing at a throw-away Redis
(no persistence). wrk: 2 threads, {args.duration} s, paths from bench/routes.lua. redis-benchmark runs against the same Redis in the
same run; the ratio is the endpoint's req/s over its ZINCRBY ops/s. Each `/api` hit is a pipeline of two
ZINCRBY (all time and the hour's bucket; EXPIRE on the bucket at most once a minute), shared under load with
other requests' commands, and a request also carries a bearer token and an HTTP round trip.

{chr(10).join(lines)}

{chr(10).join(reference_lines)}

- `GET /stats?limit=100` (window `all`) after {routes['stats_distinct'] if routes['stats_distinct'] < 500 else '500+'} paths shown
  of 11,000 counted ({routes['stats_fill_failed']} failed fills), {args.stats_connections} connections: {stats['rate']:,.0f} req/s,
  p50 {stats['p50']:.2f} ms, p99 {stats['p99']:.2f} ms, non-2xx {stats['non2xx']} (target: p99 < 10 ms).
- `POST /test/100000` (HTTP {routes['selftest_status']}): {selftest.get('ok')} ok, {selftest.get('failed')} failed,
  `duration_ms` {selftest.get('duration_ms')}, wall {routes['selftest_wall']:.1f} s (target: under 15 s).

```
{chr(10).join(commands)}
```

{summary_data("Route statistics", stamp, summary)}
"""


def write_route_section(path, section):
    """Replaces the route-statistics section of an existing report (before "## History"), keeping the rest."""
    report = Path(path).read_text() if Path(path).exists() else "# Benchmarks\n\n## History\n"
    report = re.sub(r"## Route statistics on Redis\n.*?\n(?=## )", "", report, flags=re.S)
    marker = report.find("## History")
    report = report[:marker] + section + "\n" + report[marker:] if marker >= 0 else report + "\n" + section
    Path(path).write_text(with_summary(report))


def collection_section(args, stamp):
    """Issue 15's rows: the synthetic collection through import, export and enrichment, against gseapy."""
    before = len(COMMANDS)
    with Postgres() as db:
        table, summary = enrichment_bench.measure(
            run, log, BINARY[0], db.url, LOGS, lambda: Server(db.url, args.pool), wrk, TOKEN,
            reader=lambda base: reader_token(base, scopes=("read", "write")))
    commands = COMMANDS[before:]
    del COMMANDS[before:]
    rows = [[load, measured, target, verdict(ok)] for load, measured, target, ok in summary]
    return f"""## Collections and enrichment on Postgres

bench/enrichment_bench.py: `assay populate gmt` writes an MSigDB-sized synthetic collection (set sizes 5-520
log-uniform, genes drawn with a popularity skew), `assay import gmt` loads it into Postgres under `/usr/bin/time -v`,
`assay export gmt` writes it back (compared byte for byte with the file), then a release server answers
`POST /enrichment` with random 300-gene lists from the collection (wrk, bench/enrichment.lua), and gseapy 1.3.1's
offline `gseapy.enrich` (pip, in the bench only) runs the same lists against the same sets, given as a dict so its
GMT parsing is not timed. Every p-value of gseapy's answers is compared with Assay's.

{table}

```
{chr(10).join(commands)}
```

{summary_data("Collections and enrichment", stamp, rows)}
"""


def write_section(path, heading, section):
    """Replaces the section under `heading` of an existing report (before "## History"), keeping the rest."""
    report = Path(path).read_text() if Path(path).exists() else "# Benchmarks\n\n## History\n"
    report = re.sub(re.escape(heading) + r"\n.*?\n(?=## )", "", report, flags=re.S)
    marker = report.find("## History")
    report = report[:marker] + section + "\n" + report[marker:] if marker >= 0 else report + "\n" + section
    Path(path).write_text(with_summary(report))


def machine():
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "?")
    memory = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) // 1024 // 1024
    postgres = run(["psql", "--version"], record=False).stdout.strip()
    return f"{os.cpu_count()} cores ({model}), {memory} GiB, {platform.system()} {platform.release()}; {postgres}"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sets", type=int, default=100_000)
    parser.add_argument("--genes-per-set", type=int, default=10)
    parser.add_argument("--scale-sets", type=int, default=1_000_000,
                        help="a second catalog of this many sets for the scale rows (issue 18: flat cost from 100k to 1M); 0 skips it")
    parser.add_argument("--connections", type=int, default=64)
    # Twice the cores, as for any Postgres on the machine's own cores: 8 backends on 2 cores, beside the server and
    # wrk, lengthened the cold analytics tail (docs/benchmarks.md, History).
    parser.add_argument("--pool", type=int, default=2 * (os.cpu_count() or 2),
                        help="the server's Postgres pool and pgbench's clients (default: twice the cores)")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--stats-connections", type=int, default=8, help="wrk connections for GET /stats")
    parser.add_argument("--suite", choices=["all", "genesets", "routes", "collections"], default="all",
                        help="routes: only the route-statistics rows, rewriting only their section of the report")
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--product-views", type=int, default=1_000_000)
    parser.add_argument("--product-costs", type=int, default=100_000)
    parser.add_argument("--hot-products", type=int, default=1_000, help="products the warm analytics row asks about")
    parser.add_argument("--load-concurrency", type=int, default=1_000, help="assay load's concurrent requests on cold analytics")
    parser.add_argument("--load-requests", type=int, default=20_000, help="assay load's requests on cold analytics")
    parser.add_argument("--etl-sizes", default="100000,1000000,5000000",
                        help="experiment counts for the ETL rows, comma-separated; empty skips them")
    parser.add_argument("--binary", help="assay binary to serve with (default .build/release/assay); implies --skip-build")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    args = parser.parse_args()
    if args.binary:
        BINARY[0] = Path(args.binary).resolve()
        args.skip_build = True

    if not args.skip_build:
        log("building release (first build takes several minutes)")
        run(["swift", "build", "-c", "release", "--product", "assay"], cwd=ROOT, timeout=3600)
    today = datetime.date.today().isoformat()
    commit = run(["git", "rev-parse", "--short", "HEAD"], record=False, cwd=ROOT).stdout.strip()
    stamp = f"{today}, commit {commit}"
    if args.suite == "collections":
        section = collection_section(args, stamp)
        print(section)
        write_section(args.output, "## Collections and enrichment on Postgres", section)
        log(f"wrote the collections section of {args.output}; raw output in {LOGS}")
        return
    if args.suite == "routes":
        routes = route_benchmarks(args)
        section = route_section(routes, args, COMMANDS, stamp)
        print(section)
        write_route_section(args.output, section)
        log(f"wrote the route-statistics section of {args.output}; raw output in {LOGS}")
        return
    pool_names = max(args.genes_per_set * 2, min(args.sets * args.genes_per_set // 5, 200_000))
    variables = {"sets": args.sets, "pool": pool_names}
    rows = []
    with Postgres() as db:
        populate_seconds = populate_genesets(db, args.sets, args.genes_per_set)
        rows.append(("populate genesets (COPY)", f"{args.sets} x {args.genes_per_set} in {populate_seconds:.1f} s "
                     f"({args.sets * args.genes_per_set / populate_seconds:,.0f} memberships/s)"))

        endpoints = [("list", "GET /genesets?limit=50&cursor=random", "list.sql"),
                     ("gene", "GET /genes/{random name}", "gene.sql"),
                     ("gene_search", "GET /genes/search?q={4 letters}&limit=20", "gene_search.sql"),
                     ("title_search", "GET /genesets/search/%23{n}?limit=50", "title_search.sql")]
        results = []
        open_loops = {}
        with Server(db.url, args.pool) as server:
            reader = reader_token(server.base)
            for endpoint, label, script in endpoints:
                log(f"wrk {label}")
                env = {"BENCH_SETS": str(args.sets), "BENCH_POOL": str(pool_names), "BENCH_TOKEN": reader}
                http = wrk(server.base, endpoint, args.connections, args.duration, env)
                log(f"pgbench {script}")
                sql = pgbench(db.url, script, args.pool, args.duration, variables)
                results.append((label, http, sql))
                for fraction in (0.5, 0.8):
                    log(f"assay load --rate: {label} at {fraction:.0%} of {http['rate']:,.0f} req/s")
                    open_loops[(label, fraction)] = open_loop(server.base, endpoint, max(1.0, http["rate"] * fraction), args.duration,
                                                              reader, args.sets, pool_names)

            if args.scale_sets:
                endpoint, label, extra = GENE_PAGE_OF_5
                log(f"wrk {label} (the scale rows' reference)")
                env = {"BENCH_SETS": str(args.sets), "BENCH_POOL": str(pool_names), "BENCH_TOKEN": reader, **extra}
                scale_base = {label: wrk(server.base, endpoint, args.connections, args.duration, env, name="gene_page5")}

        scale = scale_rows(args, {**{label: http for label, http, _ in results}, **scale_base}, endpoints) if args.scale_sets else None

        log(f"populating {args.products} products, {args.product_views} views, {args.product_costs} costs")
        started = time.monotonic()
        run([BINARY[0], "populate", "products", "--products", args.products, "--views", args.product_views, "--costs", args.product_costs,
             "--days", "90", "--seed", "1", "--postgres-url", db.url], timeout=1800)
        rows.append(("populate products (COPY)", f"{args.products:,} products, {args.product_views:,} views, {args.product_costs:,} costs "
                     f"in {time.monotonic() - started:.1f} s"))
        hot = min(args.hot_products, args.products)
        product_runs = [
            ("analytics_cold", "GET /products/{id}/analytics?days=30, cache off", {"ASSAY_ANALYTICS_CACHE_SECONDS": "0"},
             "analytics", args.products, "analytics.sql"),
            ("analytics_warm", f"GET /products/{{id}}/analytics?days=30, cached, {hot:,} products", {}, "analytics", hot, "analytics.sql"),
            ("top", "GET /products/top?by=views&days=30&limit=10", {}, "top", args.products, "top.sql"),
        ]
        product_results = []
        extra = {}
        for name, label, server_env, endpoint, ids, script in product_runs:
            with Server(db.url, args.pool, env=server_env) as server:
                if name == "analytics_warm":
                    # Each hot product asked once, then measured within the same minute: every answer is a hit.
                    within_one_minute(args.duration + 15)
                    log(f"assay load: warming the cache for {hot:,} products")
                    extra["warmup"] = assay_load(server.base + "/products/{seq}/analytics?days=30", "warmup",
                                                 "--requests", hot, "--concurrency", args.connections)
                log(f"wrk {label}")
                http = wrk(server.base, endpoint, args.connections, args.duration,
                           {"BENCH_PRODUCTS": str(args.products), "BENCH_HOT": str(ids)}, script="products.lua", name=name)
                if name == "analytics_warm":
                    log("wrk GET /health on the same server")
                    extra["health"] = wrk(server.base, "health", args.connections, args.duration, {}, script="products.lua", name="health")
                if name == "analytics_cold":
                    log(f"assay load: {args.load_requests:,} requests, {args.load_concurrency:,} at a time")
                    extra["concurrent"] = assay_load(
                        server.base + "/products/{id}/analytics?days=30", "concurrent", "--id-range", f"1...{args.products}",
                        "--requests", args.load_requests, "--concurrency", args.load_concurrency, "--duration", "120s", "--timeout", "30s")
            log(f"pgbench {script}")
            sql = pgbench(db.url, script, args.pool, args.duration, {"hot": ids})
            product_results.append((name, label, http, sql))

        etl_table, etl_results = "", []
        sizes = [int(size) for size in args.etl_sizes.split(",") if size.strip()]
        if sizes:
            etl_table, etl_results = etl_bench.measure(run, log, BINARY[0], Path(db.bin) / "psql", db.url, LOGS, sizes=sizes)
    route_text = ""
    collection_text = ""
    if args.suite == "all":
        before = len(COMMANDS)
        routes = route_benchmarks(args)
        route_text = route_section(routes, args, COMMANDS[before:], stamp) + "\n"
        del COMMANDS[before:]
        collection_text = collection_section(args, stamp) + "\n"

    def endpoint_table(results):
        lines = [
            f"| endpoint | req/s | p50 ms | p99 ms | non-2xx | pgbench tx/s (same SQL, {args.pool} clients) | pgbench p50 / p99 ms | ratio |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for label, http, sql in results:
            lines.append(f"| `{label}` | {http['rate']:,.0f} | {http['p50']:.2f} | {http['p99']:.2f} | {failed(http)} | {sql['rate']:,.0f} | "
                         f"{sql['p50']:.2f} / {sql['p99']:.2f} | {http['rate'] / sql['rate']:.2f}x |")
        return "\n".join(lines)

    table = endpoint_table(results)
    products_table = endpoint_table([(label, http, sql) for _, label, http, sql in product_results])
    print(table)
    print(products_table)
    for name, value in rows:
        print(f"{name}: {value}")
    print(etl_table)

    by_name = {name: (label, http, sql) for name, label, http, sql in product_results}
    cold, warm, top = by_name["analytics_cold"][1], by_name["analytics_warm"][1], by_name["top"][1]
    health, concurrent, warmup = extra["health"], extra["concurrent"], extra["warmup"]
    warm_ratio = warm["rate"] / health["rate"]
    concurrent_latency = concurrent["latency_ms"] or {"p50": float("nan"), "p99": float("nan"), "max": float("nan")}
    concurrent_text = (f"{load_outcome(concurrent)}; {concurrent['requests_per_second']:,.0f} req/s, p50 {concurrent_latency['p50']:.2f} ms, "
                       f"p99 {concurrent_latency['p99']:.2f} ms, max {concurrent_latency['max']:.2f} ms")
    # At least half of pgbench's rate on the same SQL (issues 3 and 18). Issue 3 also asked for a p99 under 25 ms at 64
    # closed-loop connections, which no server can give below 64 / 25 ms = 2,560 req/s (Little's law); issue 18
    # replaced it with the open-loop p99 at half the capacity, in the rows below. The p99 is still shown.
    # (The 404s of `/genes/{name}` are names no set drew: answers, not failures.)
    gene_summary = [[f"`{label}`", f"{http['rate']:,.0f} req/s, p99 {http['p99']:.2f} ms, non-2xx {failed(http)}, {http['rate'] / sql['rate']:.2f}x pgbench",
                     "≥ 0.5x pgbench", verdict(http["rate"] >= 0.5 * sql["rate"])] for label, http, sql in results]
    # Issue 18's targets: open-loop p99 under 10 ms at half the endpoint's capacity (gene search: 25 ms).
    def open_text(report):
        latency = report["latency_ms"] or {"p50": float("nan"), "p99": float("nan"), "p999": float("nan")}
        answered_404 = report["status"].get("404", 0)
        return (f"{report['open_loop']['rate']:,.0f}/s: p50 {latency['p50']:.2f}, p99 {latency['p99']:.2f}, p99.9 {latency['p999']:.2f} ms, "
                f"{report['open_loop']['late']:,} late, {report['failures'] - answered_404:,} failed")
    for label, http, sql in results:
        half, most = open_loops[(label, 0.5)], open_loops[(label, 0.8)]
        bound = 25 if "search?q" in label else 10
        p99 = (half["latency_ms"] or {"p99": float("inf")})["p99"]
        gene_summary.append([f"`{label}` open loop at 50% / 80% of capacity", f"{open_text(half)} / {open_text(most)}",
                             f"p99 < {bound} ms at 50%", verdict(p99 < bound and half["failures"] == half["status"].get("404", 0))])
    gene_summary += [[name, value, "—", "—"] for name, value in rows if name.startswith("populate genesets")]
    if scale:
        gene_summary += scale_summary(args, scale)
    open_table = "\n".join(
        ["| endpoint | capacity req/s (wrk) | open loop at 50%: p50 / p99 / p99.9 ms, late | at 80%: p50 / p99 / p99.9 ms, late |",
         "|---|---:|---|---|"]
        + [f"| `{label}` | {http['rate']:,.0f} | " + " | ".join(
            f"{(r['latency_ms'] or {}).get('p50', float('nan')):.2f} / {(r['latency_ms'] or {}).get('p99', float('nan')):.2f} / "
            f"{(r['latency_ms'] or {}).get('p999', float('nan')):.2f}, {r['open_loop']['late']:,} late of {r['requests']:,}"
            for r in (open_loops[(label, 0.5)], open_loops[(label, 0.8)])) + " |" for label, http, _ in results])
    product_summary = [
        [f"`{by_name['analytics_cold'][0]}`, {args.connections} connections", f"p99 {cold['p99']:.2f} ms, {cold['rate']:,.0f} req/s, "
         f"non-2xx {failed(cold)}", "p99 < 50 ms", verdict(cold["p99"] < 50 and failed(cold) == 0)],
        [f"`{by_name['analytics_warm'][0]}` vs `GET /health`, same server", f"{warm['rate']:,.0f} vs {health['rate']:,.0f} req/s = "
         f"{warm_ratio:.2f}x (warm p99 {warm['p99']:.2f} ms)", "≥ 0.5x", verdict(warm_ratio >= 0.5 and failed(warm) == 0)],
        [f"`{by_name['top'][0]}`", f"{top['rate']:,.0f} req/s, p99 {top['p99']:.2f} ms, non-2xx {failed(top)}", "—", "—"],
        [f"`assay load --concurrency {args.load_concurrency:,} --requests {args.load_requests:,}`, analytics cache off", concurrent_text,
         "all succeed", verdict(concurrent["failures"] == 0 and concurrent["requests"] == args.load_requests)],
    ] + [[name, value, "—", "—"] for name, value in rows if name.startswith("populate products")]
    etl_summary = []
    for result in etl_results:
        size, seconds, rss, copy = result["size"], result["seconds"], result["rss"], result["copy"]
        measured = f"{seconds:.2f} s, {seconds / copy:.2f}x `\\copy`, peak RSS {rss:.0f} MB"
        if size == 1_000_000:
            etl_summary.append([f"`assay etl`, {size:,} experiments (median of 3)", measured, "≤ 2 s, ≤ 3x `\\copy`, RSS < 100 MB",
                                verdict(seconds <= 2 and seconds / copy <= 3 and rss < 100)])
        else:
            etl_summary.append([f"`assay etl`, {size:,} experiments", measured, "RSS < 100 MB", verdict(rss < 100)])
    by_size = {result["size"]: result["rss"] for result in etl_results}
    if 1_000_000 in by_size and max(by_size) > 1_000_000:
        largest = max(by_size)
        etl_summary.append([f"peak RSS flat from {min(by_size):,} to {largest:,} experiments",
                            " / ".join(f"{by_size[size]:.0f}" for size in sorted(by_size)) + " MB",
                            f"{largest:,} within 1.25x of 1,000,000", verdict(by_size[largest] <= 1.25 * by_size[1_000_000])])

    etl_section = f"""## User features ETL into Postgres ({etl_bench.USERS:,} users, {etl_bench.COMPOUNDS:,} compounds)

bench/etl_bench.py writes exports in the reference format (tab after each comma, a blank first line, no final
newline; 1-3 compounds per experiment), then times `assay etl` (release, strict, publishing to Postgres;
median of 3 runs at 1M) under `/usr/bin/time -v` for peak RSS, and a plain `psql \\copy` of the same
experiments file into a bare table of four text columns. Targets: 1M experiments in at most 2 s, within 3x of
the `\\copy`, peak RSS under 100 MB and flat from 100k to 5M.

{etl_table}

Memory holds one aggregate per user and a per-user compound tally that grows with the compounds the user has
used, up to 4 bytes per compound in the catalog ({etl_bench.USERS:,} x {etl_bench.COMPOUNDS:,} x 4 B = {etl_bench.USERS * etl_bench.COMPOUNDS * 4 / 1e6:.0f} MB here):
it rises while users' tallies fill, then stays put however many experiments follow. At the smallest size the
wall time is mostly fixed cost (start, migration check, publishing {etl_bench.USERS:,} rows), so its ratio to
`\\copy` says little.

{summary_data("User features ETL", stamp, etl_summary)}
""" if etl_table else ""

    scale_text = "" if not scale else "\n".join(
        [f"\nScale (issue 18): a second catalog of {args.scale_sets:,} sets x {args.genes_per_set} on a Postgres of its own, the same gene pool of "
         f"{scale['pool']:,} names (so each gene is in about {args.scale_sets * args.genes_per_set / scale['pool']:.0f} sets instead of "
         f"{args.sets * args.genes_per_set / pool_names:.0f}), populated in {scale['populate']:.0f} s, then the same wrk load, "
         f"plus the gene lookup with a page of 5 sets, which has as many rows at both sizes:\n",
         f"| endpoint | req/s at {args.sets:,} | at {args.scale_sets:,} | p50 / p99 ms at {args.sets:,} | at {args.scale_sets:,} |",
         "|---|---:|---:|---|---|"]
        + [f"| `{label}` | {scale['base'][label]['rate']:,.0f} | {big['rate']:,.0f} | {scale['base'][label]['p50']:.2f} / "
           f"{scale['base'][label]['p99']:.2f} | {big['p50']:.2f} / {big['p99']:.2f} |" for label, big in scale["figures"].items()]) + "\n"
    previous = Path(args.output).read_text() if Path(args.output).exists() else ""
    history = section_of(previous, "## History") or "## History\n\nChanges that claimed speed, with the figures of the runs before and after.\n"
    report = f"""# Benchmarks

Produced by `make bench` (bench/bench.py) on {today}, commit {commit}.
Machine: {machine()}.
Server, Postgres, wrk and pgbench share the machine's cores; figures from different runs are not comparable,
so every ratio below compares numbers measured in the same run.

## Gene catalog on Postgres ({args.sets:,} sets x {args.genes_per_set} genes, {pool_names:,} distinct genes)

wrk: {args.connections} connections, 2 threads, {args.duration} s per endpoint, random inputs from bench/genesets.lua,
as `bench-reader`, a user who is not an admin (a `read` token issued at the start), so every query checks visibility.
pgbench: the endpoint's SQL (bench/pgbench/*.sql) with `-M prepared`, {args.pool} clients (the server's pool size),
{args.duration} s. The ratio is endpoint req/s over pgbench tx/s.

{table}

Open loop (issue 18): `assay load --rate R` sends each request on a fixed schedule whatever the answers and measures
latency from its due time, so a stall shows in the percentiles instead of slowing the sender (coordinated
omission). R is 50% and 80% of the endpoint's wrk capacity above, {args.duration} s each, the same random paths,
up to 256 in flight; "late" counts requests sent more than 1 ms after they were due. The load generator shares the
cores with the server and Postgres, so the percentages are of a capacity measured without it.

{open_table}
{scale_text}
{chr(10).join(f"- {name}: {value}" for name, value in rows)}

{summary_data("Gene catalog", stamp, gene_summary)}

## Product analytics on Postgres ({args.products:,} products, {args.product_views:,} views, {args.product_costs:,} costs over 90 days)

wrk as above with bench/products.lua; each row has a server of its own. `analytics_cold` runs with
`ASSAY_ANALYTICS_CACHE_SECONDS=0`, so every request makes the aggregate query (random products of all
{args.products:,}). `analytics_warm` keeps the default 30 s cache and asks about {hot:,} products; before wrk starts,
`assay load` asks about each of them once (`{{seq}}` = 1...{hot:,}), and both run within one minute (the window, and so
the cache key, turns with the minute), so every measured answer comes from the in-memory cache. pgbench runs the
aggregate statement itself (bench/pgbench/analytics.sql, top.sql) on the same products: for the warm row the
ratio is the cache's gain over the database doing the work.

{products_table}

- Warm analytics against `GET /health` on the same server, right after it (wrk, {args.connections} connections, {args.duration} s):
  {warm['rate']:,.0f} vs {health['rate']:,.0f} req/s = {warm_ratio:.2f}x (target ≥ 0.5x); `/health` p50 {health['p50']:.2f} ms,
  p99 {health['p99']:.2f} ms. The warm-up: {load_outcome(warmup)}.
- {args.load_concurrency:,} requests at once: `assay load --concurrency {args.load_concurrency:,} --requests {args.load_requests:,}` on random products of
  the cold server (every request a query; {args.pool} pooled database connections serve the {args.load_concurrency:,} requests in flight):
  {concurrent_text}.
  The client keeps one HTTP/1.1 connection per worker (a pool per 64 workers, each sized to them) and raises its
  open-file limit to fit; the server sets no connection limit (no `availableConnectionsDelegate`; Hummingbird's listen
  backlog is 256) and inherits an open-file limit of {resource.getrlimit(resource.RLIMIT_NOFILE)[0]:,}.

Reading the numbers:
- non-2xx on `/genes/{{name}}` are 404s: the generator picks from the whole pool of {pool_names:,} names, and
  about e^-{args.sets * args.genes_per_set / pool_names:.0f} of them (those no set drew) do not exist.
- Latency at {args.connections} connections follows from throughput (Little's law: mean latency = connections / req/s).
  On 2 cores shared by wrk, the server and Postgres, a p99 under 25 ms at {args.connections} connections needs about
  {args.connections / 0.025:,.0f} req/s; pgbench's own latencies are for {args.pool} clients, not {args.connections}.
- The page statements (list, title search) read one table since migration 5, and pgbench runs the list's at
  thousands of tx/s; the endpoints are now bound by the server's own work per page (decoding 51 sets, writing
  ~10 KB of JSON, the HTTP round trip), so their ratio to pgbench is low while their rate is several times what
  it was (History).

{summary_data("Product analytics", stamp, product_summary)}

{etl_section}
{route_text}{collection_text}{history}
## Commands

```
{chr(10).join(COMMANDS)}
```
"""
    Path(args.output).write_text(with_summary(report + carried_sections(report, previous)))
    log(f"wrote {args.output}; raw wrk output in {LOGS}")


if __name__ == "__main__":
    main()
