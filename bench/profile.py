#!/usr/bin/env python3
"""Where an endpoint's CPU goes (issue 18): one release server under a wrk load of --duration seconds, with the CPU
each process spent per 1,000 requests (the server, every Postgres process of its throw-away cluster, Redis, wrk; from
/proc and /usr/bin/time) and, with --perf, the server's hottest symbols (`perf record -F 499 -g` on the server's pid).

  python3 bench/profile.py --endpoint list [--sets 100000] [--perf] [--binary .build/release/assay]

Endpoints: list, gene, gene_search, title_search (as the non-admin reader `bench-reader`, like make bench), enrichment
(the synthetic 35,000-set collection of bench/enrichment_bench.py imported into Postgres, `POST /enrichment` with its
300-gene lists at 16 connections unless --connections says otherwise), api (on Redis), api_memory, health. Loads are bounded in time and target loopback only.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402
import enrichment_bench  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User + system CPU of one process so far, in seconds (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def children(pid):
    """The pids whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                pass
    return found


def group_cpu(pids):
    return sum(cpu_seconds(pid) for pid in pids)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endpoint", required=True, choices=["list", "gene", "gene_search", "title_search", "enrichment", "api", "api_memory", "health"])
    parser.add_argument("--binary", default=str(bench.ROOT / ".build" / "release" / "assay"))
    parser.add_argument("--sets", type=int, default=100_000)
    parser.add_argument("--genes-per-set", type=int, default=10)
    parser.add_argument("--connections", type=int, help="wrk connections (default 64; 16 for enrichment, as make bench)")
    parser.add_argument("--pool", type=int, default=2 * (os.cpu_count() or 2))
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--perf", action="store_true", help="also record the server with perf and print its hottest symbols")
    parser.add_argument("--perf-data", help="where to keep perf's recording (default: a temporary file)")
    args = parser.parse_args()
    bench.BINARY[0] = Path(args.binary).resolve()
    if args.connections is None:
        args.connections = 16 if args.endpoint == "enrichment" else 64

    catalog = args.endpoint in ("list", "gene", "gene_search", "title_search")
    with tempfile.TemporaryDirectory() as scratch:
        if catalog:
            with bench.Postgres() as db:
                bench.run([bench.BINARY[0], "populate", "genesets", "--sets", args.sets, "--genes-per-set", args.genes_per_set, "--seed", "1",
                           "--postgres-url", db.url], timeout=3600)
                postmaster = int((Path(db.dir) / "data" / "postmaster.pid").read_text().split()[0])
                with bench.Server(db.url, args.pool) as server:
                    reader = bench.reader_token(server.base)
                    pool = max(args.genes_per_set * 2, min(args.sets * args.genes_per_set // 5, 200_000))
                    env = {"BENCH_SETS": str(args.sets), "BENCH_POOL": str(pool), "BENCH_TOKEN": reader}
                    measure(args, server, {"postgres": lambda: children(postmaster)}, env, "genesets.lua", scratch)
        elif args.endpoint == "enrichment":
            with bench.Postgres() as db:
                bodies = enrichment_bodies(db.url, Path(scratch))
                postmaster = int((Path(db.dir) / "data" / "postmaster.pid").read_text().split()[0])
                with bench.Server(db.url, args.pool) as server:
                    reader = bench.reader_token(server.base, scopes=("read", "write"))
                    env = {"BENCH_BODIES": str(bodies), "BENCH_TOKEN": reader}
                    measure(args, server, {"postgres": lambda: children(postmaster)}, env, "enrichment.lua", scratch)
        elif args.endpoint == "api":
            with bench.Redis() as redis, bench.Server(redis_url=redis.url) as server:
                redis_pid = int(Path(redis.dir, "redis.pid").read_text().strip())
                measure(args, server, {"redis": lambda: [redis_pid]}, {"BENCH_PATHS": "1000"}, "routes.lua", scratch)
        else:
            with bench.Server() as server:
                script = "routes.lua" if args.endpoint == "api_memory" else "products.lua"
                measure(args, server, {}, {"BENCH_PATHS": "1000"}, script, scratch)


def enrichment_bodies(database_url, scratch):
    """Imports make bench's synthetic collection and writes its request bodies (random 300-gene lists); returns their path."""
    gmt = scratch / "synthetic.gmt"
    assay = bench.BINARY[0]
    bench.run([assay, "populate", "gmt", "--sets", enrichment_bench.SETS, "--genes", enrichment_bench.GENES, "--seed", "1", "--out", gmt],
              timeout=600)
    out = bench.run([assay, "import", "gmt", gmt, "--collection", "Synthetic", "--postgres-url", database_url], timeout=900)
    collection = int(re.search(r"into collection (\d+)", out.stdout).group(1))
    return enrichment_bench.write_bodies(enrichment_bench.random_lists(gmt), collection, scratch / "enrichment-bodies.jsonl")


def measure(args, server, others, env, script, scratch):
    """Warms up, then loads the endpoint with wrk under /usr/bin/time while reading the processes' CPU."""
    endpoint = "api" if args.endpoint == "api_memory" else args.endpoint
    if endpoint == "enrichment":
        # The first analysis builds the index (seconds): not part of the load.
        subprocess.run(["wrk", "-t1", "-c1", "-d1s", "-s", str(bench.ROOT / "bench" / script), server.base],
                       env={**os.environ, "BENCH_TOKEN": bench.TOKEN, **env}, capture_output=True, check=True, timeout=600)
    wrk = ["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--latency", "-s", str(bench.ROOT / "bench" / script), server.base]
    wrk_env = {**os.environ, "BENCH_ENDPOINT": endpoint, "BENCH_TOKEN": bench.TOKEN, **env}
    subprocess.run(wrk[:3] + ["-d3s"] + wrk[4:], env=wrk_env, capture_output=True, check=True)  # warm-up
    pid = server.process.pid
    before = {"server": cpu_seconds(pid), **{name: group_cpu(pids()) for name, pids in others.items()}}
    perf_data = Path(args.perf_data or Path(scratch) / "perf.data")
    recorder = subprocess.Popen(["perf", "record", "-F", "499", "-g", "-o", perf_data, "-p", str(pid), "--", "sleep", str(args.duration)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) if args.perf else None
    started = time.monotonic()
    load = subprocess.run(["/usr/bin/time", "-f", "wrk-cpu %U %S"] + wrk, env=wrk_env, capture_output=True, text=True, check=True)
    wall = time.monotonic() - started
    after = {"server": cpu_seconds(pid), **{name: group_cpu(pids()) for name, pids in others.items()}}
    if recorder:
        recorder.wait(timeout=args.duration + 60)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", load.stdout).group(1))
    requests = int(re.search(r"(\d+) requests in", load.stdout).group(1))
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", load.stdout, re.M))
    user, system = map(float, re.search(r"wrk-cpu ([\d.]+) ([\d.]+)", load.stderr).groups())
    spent = {name: after[name] - before[name] for name in before}
    spent["wrk"] = user + system
    print(f"{args.endpoint}: {rate:,.0f} req/s ({requests:,} requests in {wall:.1f} s), p50 {latency.get('50')}, p99 {latency.get('99')}, "
          f"{args.connections} connections")
    print("CPU ms per 1,000 requests: " + ", ".join(f"{name} {seconds * 1e6 / requests:,.0f}" for name, seconds in spent.items())
          + f"; total {sum(spent.values()) * 1e6 / requests:,.0f} (2 cores give {2 * wall * 1e6 / requests:,.0f})")
    if recorder:
        report = subprocess.run(["perf", "report", "-i", perf_data, "--stdio", "--no-children", "--sort", "symbol", "--percent-limit", "1",
                                 "-g", "none"], capture_output=True, text=True).stdout
        report = subprocess.run(["swift", "demangle", "--simplified"], input=report, capture_output=True, text=True).stdout or report
        print("server's hottest symbols (perf, self time):")
        for line in report.splitlines():
            if re.match(r"\s+\d+\.\d+%", line):
                print("  " + re.sub(r"\s+", " ", line.strip())[:160])


if __name__ == "__main__":
    main()
