#!/usr/bin/env python3
"""A/B of the catalog rows between two server binaries, in one run: each binary gets its own throw-away Postgres
filled by its own `assay populate` (same seed, so the same rows), then rounds alternate A and B (order flipped every
round), each round loading every catalog endpoint with wrk for --duration seconds as a non-admin reader. Prints the
median rate, p50 and p99 of each endpoint for A and B and the ratio B/A.

Used for issue 20 (the visibility check in every query must not cost the catalog rows more than 10%):
  python3 bench/ab_catalog.py --a /tmp/assay-before --b .build/release/assay --rounds 3
Every load is bounded in time and targets loopback only.
"""

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402
import enrichment_bench  # noqa: E402

ENDPOINTS = [("list", "GET /genesets?limit=50&cursor=random"), ("gene", "GET /genes/{random name}"),
             ("gene_search", "GET /genes/search?q={4 letters}&limit=20"), ("title_search", "GET /genesets/search/%23{n}?limit=50")]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--a", required=True, help="the baseline binary")
    parser.add_argument("--b", required=True, help="the changed binary")
    parser.add_argument("--sets", type=int, default=100_000)
    parser.add_argument("--genes-per-set", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--pool", type=int, default=2 * (bench.os.cpu_count() or 2))
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", help="comma-separated endpoints to load (list, gene, gene_search, title_search); default all")
    parser.add_argument("--enrichment", action="store_true",
                        help="also POST /enrichment (16 connections) on the synthetic MSigDB-sized collection of make bench")
    args = parser.parse_args()
    binaries = {"A": Path(args.a).resolve(), "B": Path(args.b).resolve()}
    if args.only:
        ENDPOINTS[:] = [(endpoint, label) for endpoint, label in ENDPOINTS if endpoint in args.only.split(",")]
    pool_names = max(args.genes_per_set * 2, min(args.sets * args.genes_per_set // 5, 200_000))
    results = {(name, endpoint): [] for name in binaries for endpoint, _ in ENDPOINTS}
    with bench.Postgres() as db_a, bench.Postgres() as db_b:
        databases = {"A": db_a, "B": db_b}
        for name, binary in binaries.items():
            bench.log(f"{name}: populating {args.sets} x {args.genes_per_set} with {binary}")
            started = bench.time.monotonic()
            bench.run([binary, "populate", "genesets", "--sets", args.sets, "--genes-per-set", args.genes_per_set, "--seed", "1",
                       "--postgres-url", databases[name].url], timeout=1800)
            bench.log(f"{name}: populated in {bench.time.monotonic() - started:.1f} s")
            # Both databases vacuumed alike: newer binaries' populate vacuums, older ones' leave it to autovacuum, which
            # would then run during the first rounds of one side only.
            bench.run([Path(databases[name].bin) / "psql", "-q", databases[name].url, "-c", "VACUUM ANALYZE"], timeout=1800)
        bodies = None
        if args.enrichment:
            gmt = bench.LOGS / "synthetic.gmt"
            bench.run([binaries["A"], "populate", "gmt", "--sets", enrichment_bench.SETS, "--genes", enrichment_bench.GENES, "--seed", "1",
                       "--out", gmt], timeout=600)
            for name, binary in binaries.items():
                bench.log(f"{name}: importing the synthetic collection")
                started = bench.time.monotonic()
                out = bench.run([binary, "import", "gmt", gmt, "--collection", "Synthetic", "--postgres-url", databases[name].url], timeout=900)
                bench.log(f"{name}: imported in {bench.time.monotonic() - started:.1f} s")
                collection = int(bench.re.search(r"into collection (\d+)", out.stdout).group(1))
            genes = sorted({g for line in open(gmt) for g in line.rstrip("\n").split("\t")[2:] if g})
            rng = bench.random.Random(7)
            bodies = bench.LOGS / "enrichment-bodies.jsonl"
            bodies.write_text("".join(bench.json.dumps({"genes": rng.sample(genes, enrichment_bench.LIST_SIZE), "collection": collection}) + "\n"
                                      for _ in range(enrichment_bench.LISTS)))
            ENDPOINTS.append(("enrichment", "POST /enrichment, 300 genes, 16 connections"))
            results.update({(name, "enrichment"): [] for name in binaries})
        for round_number in range(args.rounds):
            order = ["A", "B"] if round_number % 2 == 0 else ["B", "A"]
            for name in order:
                bench.BINARY[0] = binaries[name]
                with bench.Server(databases[name].url, args.pool) as server:
                    reader = bench.reader_token(server.base, scopes=("read", "write"))
                    for endpoint, label in ENDPOINTS:
                        bench.log(f"round {round_number + 1} {name}: wrk {label}")
                        env = {"BENCH_SETS": str(args.sets), "BENCH_POOL": str(pool_names), "BENCH_TOKEN": reader}
                        if endpoint == "enrichment":
                            # The first analysis builds the index; it is not timed.
                            enrichment_bench.post(server.base, reader, bodies.read_text().splitlines()[0])
                            http = bench.wrk(server.base, "enrichment", 16, args.duration, {**env, "BENCH_BODIES": str(bodies)},
                                             script="enrichment.lua", name=f"{name}-enrichment")
                        else:
                            http = bench.wrk(server.base, endpoint, args.connections, args.duration, env, name=f"{name}-{endpoint}")
                        # Non-2xx answers are 404s of gene names no set drew (as in make bench); socket errors are not answers.
                        if http["socket_errors"]:
                            raise RuntimeError(f"{name} {label}: {http}")
                        results[(name, endpoint)].append(http)
    print(f"{args.sets:,} sets x {args.genes_per_set}, wrk {args.connections} connections, {args.duration} s, "
          f"{args.rounds} rounds alternating; medians; A = {args.a}, B = {args.b}")
    print("| endpoint | A req/s | B req/s | B/A | A p50 / p99 ms | B p50 / p99 ms |")
    print("|---|---|---|---|---|---|")
    for endpoint, label in ENDPOINTS:
        a, b = results[("A", endpoint)], results[("B", endpoint)]
        median = lambda rows, key: statistics.median(row[key] for row in rows)  # noqa: E731
        print(f"| {label} | {median(a, 'rate'):,.0f} | {median(b, 'rate'):,.0f} | {median(b, 'rate') / median(a, 'rate'):.2f} "
              f"| {median(a, 'p50'):.1f} / {median(a, 'p99'):.1f} | {median(b, 'p50'):.1f} / {median(b, 'p99'):.1f} |")
    print("per round (req/s): " + "; ".join(
        f"{endpoint} A {[round(row['rate']) for row in results[('A', endpoint)]]} B {[round(row['rate']) for row in results[('B', endpoint)]]}"
        for endpoint, _ in ENDPOINTS))


if __name__ == "__main__":
    main()
