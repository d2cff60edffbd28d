"""The collection rows of `make bench` (issue 15): an MSigDB-sized synthetic GMT file imported into Postgres and
exported again, and `POST /enrichment` with 300 genes against it, compared with gseapy's offline `enrich` on the same
collection and lists in the same run.

- `assay populate gmt` writes the file (35,000 sets, set sizes 5-520 log-uniform, 40,000 genes, ~3.9M memberships).
- `assay import gmt` under `/usr/bin/time -v` (wall time, peak RSS), then `assay export gmt` (MB/s), and `cmp` of the
  export with the file (the round trip is byte-identical).
- A release server on the same database; one request builds the enrichment index, then wrk posts random 300-gene
  lists (drawn from the file's genes) at 16 connections.
- gseapy 1.3.1 (pip, in this bench only) runs `gseapy.enrich(gene_list, gene_sets=<the GMT as a dict>, background=None)`
  on the same lists: median seconds per list, and every p-value compared with Assay's answer for the same list.
"""
import json
import random
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

SETS = 35_000
GENES = 40_000
LIST_SIZE = 300
LISTS = 20
# gseapy takes tens of seconds per list on this collection: the comparison uses the first few lists.
COMPARED_LISTS = 5
GSEAPY = "gseapy==1.3.1"

GSEAPY_SCRIPT = r"""
import json, sys, time, statistics
import gseapy
gmt, lists_path = sys.argv[1], sys.argv[2]
sets = {}
with open(gmt) as f:
    for line in f:
        parts = line.rstrip("\n").split("\t")
        sets[parts[0]] = [g for g in parts[2:] if g]
lists = [json.loads(line)["genes"] for line in open(lists_path)]
seconds, answers = [], []
for genes in lists:
    started = time.perf_counter()
    result = gseapy.enrich(gene_list=genes, gene_sets=sets, background=None, outdir=None, no_plot=True, verbose=False).results
    seconds.append(time.perf_counter() - started)
    answers.append({row["Term"]: [row["P-value"], row["Adjusted P-value"], row["Odds Ratio"]] for _, row in result.iterrows()})
print(json.dumps({"median": statistics.median(seconds), "seconds": seconds, "answers": answers}))
"""


def gseapy_python(run, log):
    """A python3 that imports gseapy 1.3.1, installing it with pip when missing."""
    probe = subprocess.run([sys.executable, "-c", "import gseapy; print(gseapy.__version__)"], capture_output=True, text=True)
    if probe.returncode != 0 or probe.stdout.strip() != "1.3.1":
        log(f"installing {GSEAPY} for the comparison (bench only)")
        run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", GSEAPY], timeout=900)
    return sys.executable


def random_lists(gmt):
    """LISTS lists of LIST_SIZE genes drawn from the GMT file's genes (seeded, so every run draws the same)."""
    genes = sorted({g for line in open(gmt) for g in line.rstrip("\n").split("\t")[2:] if g})
    rng = random.Random(7)
    return [rng.sample(genes, LIST_SIZE) for _ in range(LISTS)]


def write_bodies(lists, collection, path):
    """`POST /enrichment` bodies for wrk (bench/enrichment.lua), one JSON object per line; returns the path."""
    path.write_text("".join(json.dumps({"genes": genes, "collection": collection}) + "\n" for genes in lists))
    return path


def post(base, token, body):
    request = urllib.request.Request(base + "/enrichment", data=body.encode(), method="POST",
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=300) as response:
        answer = json.loads(response.read())
    return answer, time.perf_counter() - started


def measure(run, log, assay, database_url, logs, server_factory, wrk, token, connections=16, duration=10, reader=None):
    """Returns (markdown table text, summary rows, facts)."""
    gmt = logs / "synthetic.gmt"
    started = time.monotonic()
    out = run([assay, "populate", "gmt", "--sets", SETS, "--genes", GENES, "--seed", "1", "--out", gmt], timeout=600)
    memberships = int(re.search(r"(\d+) memberships", out.stdout).group(1))
    size_mb = gmt.stat().st_size / 1e6
    log(f"synthetic GMT: {SETS:,} sets, {memberships:,} memberships, {size_mb:.0f} MB in {time.monotonic() - started:.1f} s")

    started = time.monotonic()
    out = run(["/usr/bin/time", "-v", assay, "import", "gmt", gmt, "--collection", "Synthetic", "--postgres-url", database_url], timeout=900)
    import_seconds = time.monotonic() - started
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr).group(1)) / 1024
    collection = int(re.search(r"into collection (\d+)", out.stdout).group(1))

    exported = logs / "exported.gmt"
    started = time.monotonic()
    run([assay, "export", "gmt", "--collection", "Synthetic", "--out", exported, "--postgres-url", database_url], timeout=900)
    export_seconds = time.monotonic() - started
    identical = subprocess.run(["cmp", "-s", gmt, exported]).returncode == 0

    lists = random_lists(gmt)
    # wrk posts the default limit (50 rows, what a client asks for); the comparison asks for every tested set.
    bodies = write_bodies(lists, collection, logs / "enrichment-bodies.jsonl")
    full = logs / "enrichment-compared.jsonl"
    full.write_text("".join(json.dumps({"genes": genes, "collection": collection, "limit": 1000}) + "\n"
                            for genes in lists[:COMPARED_LISTS]))

    with server_factory() as server:
        # As a user who is not an admin, when the caller can issue one: the analysis then checks each set's visibility.
        if reader:
            token = reader(server.base)
        first_body = bodies.read_text().splitlines()[0]
        _, build_seconds = post(server.base, token, first_body)
        log(f"first analysis (builds the index) {build_seconds:.2f} s")
        single = [post(server.base, token, body)[1] for body in bodies.read_text().splitlines()]
        answers = [post(server.base, token, body)[0] for body in full.read_text().splitlines()]
        log(f"wrk POST /enrichment, {connections} connections")
        http = wrk(server.base, "enrichment", connections, duration, {"BENCH_BODIES": str(bodies), "BENCH_TOKEN": token},
                   script="enrichment.lua", name="enrichment")

    python = gseapy_python(run, log)
    script = logs / "gseapy_enrich.py"
    script.write_text(GSEAPY_SCRIPT)
    log("gseapy.enrich on the same lists")
    out = run([python, script, gmt, full], timeout=3600)
    reference = json.loads(out.stdout.strip().splitlines()[-1])

    # p-values: every term of every list, Assay's against gseapy's (relative difference; gseapy's own float64 floor).
    # Assay answers at most 1,000 rows (the API's limit), gseapy every tested set: Assay must test as many sets,
    # every row it returns must be gseapy's with the same p, and every gseapy term with a smaller p than Assay's
    # last row must be among the rows (a term tied with the last row may fall either side of the cut).
    worst, compared, missing = 0.0, 0, 0
    for mine, theirs in zip(answers, reference["answers"]):
        by_title = {term["title"]: term for term in mine["results"]}
        if mine["tested"] != len(theirs):
            missing += abs(mine["tested"] - len(theirs))
        cut = max((term["p_value"] for term in mine["results"]), default=0.0)
        truncated = len(mine["results"]) < mine["tested"]
        for title, (p, _adjusted, _odds) in theirs.items():
            term = by_title.get(title)
            if term is None:
                if not truncated or p < cut * (1 - 1e-9):
                    missing += 1
                continue
            compared += 1
            if p > 1e-300:
                worst = max(worst, abs(term["p_value"] - p) / p)
        missing += sum(1 for title in by_title if title not in theirs)
    single_median = statistics.median(single)
    speedup = reference["median"] / (http["p50"] / 1000)
    table = "\n".join([
        "| step | figure |",
        "|---|---|",
        f"| `assay populate gmt` | {SETS:,} sets, {memberships:,} memberships over {GENES:,} genes, {size_mb:.0f} MB |",
        f"| `assay import gmt` into Postgres | {import_seconds:.1f} s, peak RSS {rss:.0f} MB |",
        f"| `assay export gmt` | {export_seconds:.1f} s = {size_mb / export_seconds:.0f} MB/s; byte-identical to the file: {identical} |",
        f"| first `POST /enrichment` (builds the index) | {build_seconds:.2f} s |",
        f"| `POST /enrichment`, 300 genes, one at a time | median {single_median * 1000:.1f} ms over {LISTS} lists |",
        f"| `POST /enrichment`, 300 genes, wrk {connections} connections | {http['rate']:,.0f} req/s, p50 {http['p50']:.2f} ms, p99 {http['p99']:.2f} ms, non-2xx {http['non2xx']} |",
        f"| `gseapy.enrich` (1.3.1, gene sets as a dict), {COMPARED_LISTS} of the lists | median {reference['median']:.2f} s per list = {speedup:,.0f}x Assay's p50 |",
        f"| p-values vs gseapy | {compared:,} terms compared, worst relative difference {worst:.1e}; terms missing {missing} |",
    ])
    summary = [
        [f"GMT import, {SETS:,} sets / {memberships:,} memberships, Postgres", f"{import_seconds:.1f} s, peak RSS {rss:.0f} MB",
         "≤ 30 s, RSS < 300 MB", import_seconds <= 30 and rss < 300],
        ["GMT export", f"{size_mb / export_seconds:.0f} MB/s, round trip identical: {identical}", "≥ 50 MB/s, identical",
         size_mb / export_seconds >= 50 and identical],
        [f"`POST /enrichment`, 300 genes, {connections} connections", f"p50 {http['p50']:.2f} ms, {http['rate']:,.0f} req/s",
         "p50 < 20 ms", http["p50"] < 20 and http["non2xx"] == 0],
        ["vs `gseapy.enrich`, same collection and lists", f"{speedup:,.0f}x faster; p-values within {worst:.1e} ({compared:,} terms)",
         "≥ 20x, identical p-values", speedup >= 20 and worst <= 1e-9 and missing == 0],
    ]
    return table, summary
